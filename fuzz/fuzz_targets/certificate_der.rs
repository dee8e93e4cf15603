//! The DER reader behind certificate parsing, fed raw bytes: the input is wrapped in a
//! CERTIFICATE and a PUBLIC KEY PEM block (the `certificate` target's text inputs rarely
//! reach the DER structure through base64). Any bytes give a key or a typed error with
//! one of the certificate codes, never a panic.
#![no_main]

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use munity::envelope::WorkspaceCertificate;

/// 2027-01-01T00:00:00Z.
const NOW: i64 = 1_798_761_600;

fuzz_target!(|der: &[u8]| {
    let body = STANDARD.encode(der);
    for label in ["CERTIFICATE", "PUBLIC KEY"] {
        let pem = format!("-----BEGIN {label}-----\n{body}\n-----END {label}-----\n");
        match WorkspaceCertificate::parse(&pem, NOW) {
            Ok(cert) => assert!(!cert.kid().is_empty()),
            Err(err) => assert!(
                matches!(
                    err.code(),
                    "certificate_invalid"
                        | "unsupported_key"
                        | "certificate_expired"
                        | "certificate_not_yet_valid"
                ),
                "unexpected code {}",
                err.code()
            ),
        }
    }
});
