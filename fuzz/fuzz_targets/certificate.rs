//! Certificate and key parsing: any bytes give a result or a typed error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use munity::envelope::{WorkspaceCertificate, WorkspacePrivateKey};

/// 2027-01-01T00:00:00Z.
const NOW: i64 = 1_798_761_600;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(cert) = WorkspaceCertificate::parse(text, NOW) {
            // A parsed key must round-trip through its JWK.
            let again = WorkspaceCertificate::parse(&cert.public_jwk(), NOW)
                .expect("a parsed key's own JWK parses");
            assert_eq!(again.kid(), cert.kid());
        }
        let _ = WorkspacePrivateKey::from_pem(text);
        let _ = WorkspacePrivateKey::from_jwk(text);
    }
});
