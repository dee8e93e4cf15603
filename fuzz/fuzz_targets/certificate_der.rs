//! Certificate parsing fed raw DER: the input is wrapped in a CERTIFICATE and a PUBLIC
//! KEY PEM block (the `certificate` target's text inputs rarely get through base64 to
//! the DER structure), so every input reaches the `der`-crate decoding in
//! `src/envelope/x509.rs`.
//!
//! Oracles, beside "a key or a typed error with a certificate code, never a panic":
//! - PUBLIC KEY: the `spki` crate's `SubjectPublicKeyInfoRef` (the same ASN.1 type)
//!   decodes exactly the inputs whose structure we accept, and a key we return is its
//!   `subjectPublicKey`.
//! - CERTIFICATE: where `x509-cert` (RustCrypto's full X.509 model, stricter about
//!   names) decodes the input and re-encodes it to the same bytes (canonical DER, every
//!   field in order), we accept the structure too; read at the reference's `notBefore`,
//!   it is not expired nor not yet valid, and a certificate we return has the
//!   reference's key and validity period.
#![no_main]

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use munity::envelope::{KeyType, WorkspaceCertificate};
use munity::ErrorKind;
use x509_cert::der::{Decode as _, Encode as _};

/// 2027-01-01T00:00:00Z.
const NOW: i64 = 1_798_761_600;

fuzz_target!(|der: &[u8]| {
    let body = STANDARD.encode(der);
    let parse = |label: &str, now: i64| {
        let pem = format!("-----BEGIN {label}-----\n{body}\n-----END {label}-----\n");
        let result = WorkspaceCertificate::parse(&pem, now);
        if let Err(err) = &result {
            assert!(
                matches!(
                    err.code(),
                    "certificate_invalid"
                        | "unsupported_key"
                        | "certificate_expired"
                        | "certificate_not_yet_valid"
                ),
                "unexpected code {}",
                err.code()
            );
        }
        result
    };

    let ours = parse("PUBLIC KEY", NOW);
    let reference = x509_cert::spki::SubjectPublicKeyInfoRef::from_der(der);
    assert_eq!(
        reference.is_ok(),
        !malformed(&ours, "the public key is malformed DER"),
        "spki and we disagree on the structure: {:?}",
        ours.as_ref().err()
    );
    if let (Ok(cert), Ok(spki)) = (&ours, &reference) {
        assert_eq!(key_bytes(cert), spki.subject_public_key.raw_bytes());
    }

    let _ = parse("CERTIFICATE", NOW);
    let Ok(reference) = x509_cert::Certificate::from_der(der) else {
        return;
    };
    if reference.to_der().ok().as_deref() != Some(der) {
        return;
    }
    // Read at the start of the reference's validity period, when it is valid.
    let tbs = &reference.tbs_certificate;
    let unix = |time: x509_cert::time::Time| time.to_unix_duration().as_secs() as i64;
    let (not_before, not_after) = (unix(tbs.validity.not_before), unix(tbs.validity.not_after));
    let ours = parse("CERTIFICATE", not_before);
    assert!(
        !malformed(&ours, "the X.509 certificate is malformed DER"),
        "x509-cert reads a canonical certificate we refuse"
    );
    if not_before <= not_after {
        if let Err(err) = &ours {
            assert_ne!(err.kind(), ErrorKind::Expired, "{err}");
        }
    }
    if let Ok(cert) = &ours {
        assert_eq!(
            key_bytes(cert),
            tbs.subject_public_key_info.subject_public_key.raw_bytes()
        );
        assert_eq!(cert.not_before(), Some(not_before));
        assert_eq!(cert.not_after(), Some(not_after));
    }
});

/// Whether `result` is the error whose detail is `detail`.
fn malformed(result: &munity::Result<WorkspaceCertificate>, detail: &str) -> bool {
    matches!(result, Err(err) if err.detail() == detail)
}

/// The key as it is in a SubjectPublicKeyInfo: the uncompressed point (P-256) or the 32
/// bytes (X25519), rebuilt from the parsed key's JWK.
fn key_bytes(cert: &WorkspaceCertificate) -> Vec<u8> {
    let jwk = cert.public_jwk();
    let member = |name: &str| {
        let start = jwk.find(&format!("\"{name}\":\"")).expect("member") + name.len() + 4;
        let end = start + jwk[start..].find('"').expect("end of member");
        URL_SAFE_NO_PAD.decode(&jwk[start..end]).expect("base64url")
    };
    match cert.key_type() {
        KeyType::P256 => [vec![4], member("x"), member("y")].concat(),
        _ => member("x"),
    }
}
