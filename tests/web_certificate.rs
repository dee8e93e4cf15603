//! Workspace certificates read by the core compiled for wasm32 (`der`-crate decoding):
//! the PEM forms the platform and OpenSSL produce parse to the same keys and dates as
//! natively, and the refused ones keep their codes. (The npm package itself takes the
//! key as a JWK and reads no PEM; the core keeps building and working for wasm32.) Run with wasm-bindgen-test like
//! `tests/web.rs` (`scripts/test-wasm`).
#![cfg(target_arch = "wasm32")]

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use munity::envelope::{
    seal, CertificateFormat, Credentials, KeyType, SessionBinding, WorkspaceCertificate,
};
use wasm_bindgen_test::wasm_bindgen_test;

/// 2027-01-01T00:00:00Z, as in `tests/protocol/envelope_corpus.rs`.
const NOW: i64 = 1_798_761_600;

const P256_CERT: &str = include_str!("corpus/envelope/p256-cert-2054.pem");

#[wasm_bindgen_test]
fn an_openssl_p256_certificate_parses_and_seals() {
    let cert = WorkspaceCertificate::parse(P256_CERT, NOW).expect("parses");
    assert_eq!(cert.format(), CertificateFormat::X509);
    assert_eq!(cert.key_type(), KeyType::P256);
    // UTCTime 261123152053Z and GeneralizedTime 20540410152053Z.
    assert_eq!(cert.not_before(), Some(1_795_447_253));
    assert_eq!(cert.not_after(), Some(2_659_447_253));
    let public = WorkspaceCertificate::parse(
        include_str!("corpus/envelope/p256-cert-2054-public.pem"),
        NOW,
    )
    .expect("its public key parses");
    assert_eq!(public.format(), CertificateFormat::SubjectPublicKeyInfo);
    assert_eq!(public.kid(), cert.kid());
    let binding = SessionBinding::new("cus_1", "jira", "bm9uY2Vub25jZW5vbmNl");
    let jwe = seal(
        &cert,
        &binding,
        &Credentials::new().with("api_key", "k"),
        NOW,
    )
    .expect("seals to the certificate");
    assert_eq!(jwe.split('.').count(), 5);
}

#[wasm_bindgen_test]
fn an_x25519_public_key_parses() {
    let key = WorkspaceCertificate::parse(include_str!("corpus/envelope/x25519-public.pem"), NOW)
        .expect("parses");
    assert_eq!(key.format(), CertificateFormat::SubjectPublicKeyInfo);
    assert_eq!(key.key_type(), KeyType::X25519);
}

#[wasm_bindgen_test]
fn refused_certificates_keep_their_codes() {
    for (name, text, code) in [
        (
            "rsa",
            include_str!("corpus/envelope/rsa.pem"),
            "unsupported_key",
        ),
        (
            "p384",
            include_str!("corpus/envelope/p384.pem"),
            "unsupported_key",
        ),
        (
            "ed25519",
            include_str!("corpus/envelope/ed25519.pem"),
            "unsupported_key",
        ),
        (
            "expired",
            include_str!("corpus/envelope/expired.pem"),
            "certificate_expired",
        ),
        (
            "truncated",
            include_str!("corpus/envelope/truncated.pem"),
            "certificate_invalid",
        ),
        (
            "not a certificate",
            include_str!("corpus/envelope/not-a-certificate.pem"),
            "certificate_invalid",
        ),
    ] {
        let err = WorkspaceCertificate::parse(text, NOW).expect_err(name);
        assert_eq!(err.code(), code, "{name}: {err}");
    }
    // The certificate's DER with one byte more: trailing data is not DER.
    let body: String = P256_CERT
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let mut der = STANDARD.decode(body).expect("base64");
    der.push(0);
    let pem = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        STANDARD.encode(der)
    );
    let err = WorkspaceCertificate::parse(&pem, NOW).expect_err("trailing byte");
    assert_eq!(err.code(), "certificate_invalid");
}
