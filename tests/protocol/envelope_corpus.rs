//! Bad input beside the data-driven corpus (`tests/corpus/`, run by `tests/protocol/corpus.rs`):
//! error messages, OpenSSL key imports, an X25519 recipient's low-order point, and
//! proptests that no input panics. Key files in `tests/corpus/envelope/` (see its
//! README).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use munity::envelope::{
    seal, CertificateFormat, Credentials, KeyType, SessionBinding, WorkspaceCertificate,
    WorkspacePrivateKey,
};
use proptest::prelude::*;

/// 2027-01-01T00:00:00Z: after `expired.pem`'s one-day validity (November 2026) and
/// within the ten years of the other certificates.
const NOW: i64 = 1_798_761_600;

macro_rules! corpus {
    ($name:literal) => {
        ($name, include_str!(concat!("../corpus/envelope/", $name)))
    };
}

/// The cases themselves are data: `tests/corpus/certificate/` and
/// `tests/corpus/envelope/*.case`, run by `tests/protocol/corpus.rs`. Here: the messages say
/// what is wrong.
#[test]
fn certificate_errors_say_what_is_wrong() {
    let err =
        WorkspaceCertificate::parse(include_str!("../corpus/envelope/rsa.pem"), NOW).unwrap_err();
    assert!(err.detail().contains("rsaEncryption"), "{err}");
    let err =
        WorkspaceCertificate::parse(include_str!("../corpus/envelope/p384.pem"), NOW).unwrap_err();
    assert!(err.detail().contains("secp384r1"), "{err}");
    let err = WorkspaceCertificate::parse(include_str!("../corpus/envelope/expired.pem"), NOW)
        .unwrap_err();
    assert!(err.detail().contains("expired at 2026-11-24"), "{err}");
}

#[test]
fn openssl_certificate_parses_with_its_dates() {
    let (_, text) = corpus!("p256-cert-2054.pem");
    let cert = WorkspaceCertificate::parse(text, NOW).unwrap();
    assert_eq!(cert.format(), CertificateFormat::X509);
    assert_eq!(cert.key_type(), KeyType::P256);
    // `openssl x509 -noout -dates`: UTCTime 261123152053Z, GeneralizedTime 20540410152053Z.
    assert_eq!(cert.not_before(), Some(1_795_447_253));
    assert_eq!(cert.not_after(), Some(2_659_447_253));
    let (_, public) = corpus!("p256-cert-2054-public.pem");
    let key = WorkspaceCertificate::parse(public, NOW).unwrap();
    assert_eq!(key.format(), CertificateFormat::SubjectPublicKeyInfo);
    assert_eq!(key.kid(), cert.kid());
    // Valid up to the last second of notAfter (plus the clock skew), not after.
    assert!(cert.check_validity(2_659_447_253).is_ok());
    assert_eq!(
        cert.check_validity(2_659_447_253 + 61).unwrap_err().code(),
        "certificate_expired"
    );
    // Any byte cut off the DER, or one byte more, is malformed.
    let der = pem_der(text);
    for cut in [1, 10, der.len() / 2] {
        let short = pem(&der[..der.len() - cut]);
        assert_eq!(
            WorkspaceCertificate::parse(&short, NOW).unwrap_err().code(),
            "certificate_invalid",
            "cut {cut}"
        );
    }
    let mut long = der.clone();
    long.push(0);
    assert_eq!(
        WorkspaceCertificate::parse(&pem(&long), NOW)
            .unwrap_err()
            .code(),
        "certificate_invalid"
    );
}

/// The DER bytes of a one-block PEM text.
fn pem_der(text: &str) -> Vec<u8> {
    let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap()
}

/// A CERTIFICATE PEM block of `der`.
fn pem(der: &[u8]) -> String {
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    format!("-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n")
}

#[test]
fn openssl_keys_import_and_match_their_public_halves() {
    for (private, public, key_type) in [
        (
            corpus!("p256-private.pem"),
            corpus!("p256-public.pem"),
            KeyType::P256,
        ),
        (
            corpus!("p256-sec1-private.pem"),
            corpus!("p256-public.pem"),
            KeyType::P256,
        ),
        (
            corpus!("x25519-private.pem"),
            corpus!("x25519-public.pem"),
            KeyType::X25519,
        ),
    ] {
        let key = WorkspacePrivateKey::from_pem(private.1)
            .unwrap_or_else(|e| panic!("{}: {e}", private.0));
        let cert = WorkspaceCertificate::parse(public.1, NOW).unwrap();
        assert_eq!(key.key_type(), key_type, "{}", private.0);
        assert_eq!(key.kid(), cert.kid(), "{}", private.0);
        // Our PKCS#8 export of the key re-reads to the same key.
        let again = WorkspacePrivateKey::from_pem(key.to_pkcs8_pem().unwrap().expose()).unwrap();
        assert_eq!(again.kid(), key.kid());
    }
    for (text, code) in [
        (
            include_str!("../corpus/envelope/p256-public.pem"),
            "private_key_invalid",
        ),
        (
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
            "private_key_invalid",
        ),
        ("nothing", "private_key_invalid"),
    ] {
        assert_eq!(
            WorkspacePrivateKey::from_pem(text).unwrap_err().code(),
            code
        );
    }
}

fn binding() -> SessionBinding {
    SessionBinding::new("cus_1", "jira", "bm9uY2Vub25jZW5vbmNl")
}

fn sealed(key: &WorkspacePrivateKey) -> String {
    let creds = Credentials::new().with("api_key", "k");
    seal(&key.public_certificate(), &binding(), &creds, NOW).unwrap()
}

fn b64(text: &str) -> String {
    URL_SAFE_NO_PAD.encode(text)
}

/// `jwe` with its protected header replaced.
fn with_header(jwe: &str, header: &str) -> String {
    let rest = jwe.split_once('.').unwrap().1;
    format!("{}.{rest}", b64(header))
}

#[test]
fn x25519_low_order_epk_is_refused() {
    let key = WorkspacePrivateKey::generate_x25519();
    let jwe = sealed(&key);
    let header = format!(
        r#"{{"alg":"ECDH-ES","enc":"A256GCM","kid":"{}","epk":{{"kty":"OKP","crv":"X25519","x":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}}}"#,
        key.kid()
    );
    let err = key
        .open(&with_header(&jwe, &header), &binding(), NOW)
        .unwrap_err();
    assert_eq!(err.code(), "envelope_malformed", "{err}");
}

fn p256_key() -> &'static WorkspacePrivateKey {
    static KEY: std::sync::OnceLock<WorkspacePrivateKey> = std::sync::OnceLock::new();
    KEY.get_or_init(WorkspacePrivateKey::generate_p256)
}

fn x25519_key() -> &'static WorkspacePrivateKey {
    static KEY: std::sync::OnceLock<WorkspacePrivateKey> = std::sync::OnceLock::new();
    KEY.get_or_init(WorkspacePrivateKey::generate_x25519)
}

proptest! {
    #[test]
    fn parsing_any_text_never_panics(text in ".{0,600}") {
        let _ = WorkspaceCertificate::parse(&text, NOW);
        let _ = WorkspacePrivateKey::from_pem(&text);
        let _ = WorkspacePrivateKey::from_jwk(&text);
        let _ = Credentials::from_json(&text);
    }

    #[test]
    fn parsing_pem_shaped_text_never_panics(label in "(CERTIFICATE|PUBLIC KEY|PRIVATE KEY)", body in "[A-Za-z0-9+/=\n]{0,400}") {
        let text = format!("-----BEGIN {label}-----\n{body}\n-----END {label}-----\n");
        let _ = WorkspaceCertificate::parse(&text, NOW);
        let _ = WorkspacePrivateKey::from_pem(&text);
    }

    #[test]
    fn opening_any_text_never_panics(text in ".{0,600}") {
        prop_assert!(p256_key().open(&text, &binding(), NOW).is_err());
        prop_assert!(x25519_key().open(&text, &binding(), NOW).is_err());
    }

    #[test]
    fn opening_five_base64_parts_never_panics(parts in proptest::collection::vec("[A-Za-z0-9_-]{0,80}", 5)) {
        prop_assert!(p256_key().open(&parts.join("."), &binding(), NOW).is_err());
    }

    #[test]
    fn a_changed_envelope_never_opens(position in 0usize..10_000, replacement in "[A-Za-z0-9_.-]") {
        for key in [p256_key(), x25519_key()] {
            let jwe = sealed(key);
            let position = position % jwe.len();
            let mut changed = jwe.clone();
            changed.replace_range(position..position + 1, &replacement);
            let result = key.open(&changed, &binding(), NOW);
            if changed == jwe {
                prop_assert!(result.is_ok());
            } else {
                prop_assert!(result.is_err(), "opened a changed envelope");
            }
        }
    }
}
