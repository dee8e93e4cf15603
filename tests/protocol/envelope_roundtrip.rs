//! Seal and open round trips for every certificate form and both curves, and the
//! refusals of `open`: wrong key, binding, expiry, tampering.

use munity::envelope::{
    seal, seal_with_ttl, CertificateFormat, Credentials, KeyType, SessionBinding,
    WorkspaceCertificate, WorkspacePrivateKey, DEFAULT_TTL_SECS,
};
use munity::ErrorKind;

const NOW: i64 = 1_700_000_000;

fn binding() -> SessionBinding {
    SessionBinding::new("cus_42", "jira", "q5D8kFhRv0bVKh3nyg3bJw").with_workspace("ws_1")
}

fn credentials() -> Credentials {
    Credentials::new()
        .with("username", "ada@example.com")
        .with("password", "p\u{e4}ss \"quoted\" \\ word")
}

fn keys() -> Vec<WorkspacePrivateKey> {
    vec![
        WorkspacePrivateKey::generate_p256(),
        WorkspacePrivateKey::generate_x25519(),
    ]
}

fn check_round_trip(key: &WorkspacePrivateKey, certificate: &WorkspaceCertificate) {
    assert_eq!(certificate.kid(), key.kid());
    let jwe = seal(certificate, &binding(), &credentials(), NOW).unwrap();
    let opened = key.open(&jwe, &binding(), NOW + 30).unwrap();
    assert_eq!(opened.binding, binding());
    assert_eq!(opened.credentials, credentials());
    assert_eq!(opened.issued_at, NOW);
    assert_eq!(opened.expires_at, NOW + DEFAULT_TTL_SECS);
}

#[test]
fn round_trip_through_every_public_form() {
    for key in keys() {
        let jwk = WorkspaceCertificate::parse(&key.public_jwk(), NOW).unwrap();
        assert_eq!(jwk.format(), CertificateFormat::Jwk);
        check_round_trip(&key, &jwk);

        let pem = WorkspaceCertificate::parse(&key.public_key_pem().unwrap(), NOW).unwrap();
        assert_eq!(pem.format(), CertificateFormat::SubjectPublicKeyInfo);
        check_round_trip(&key, &pem);

        check_round_trip(&key, &key.public_certificate());
    }
}

#[test]
fn self_signed_certificate_round_trip_and_validity() {
    let key = WorkspacePrivateKey::generate_p256();
    let pem = key.self_signed_certificate("ws_1 workspace", NOW).unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
    let cert = WorkspaceCertificate::parse(&pem, NOW).unwrap();
    assert_eq!(cert.format(), CertificateFormat::X509);
    assert_eq!(cert.key_type(), KeyType::P256);
    assert_eq!(cert.not_before(), Some(NOW - 300));
    assert_eq!(cert.not_after(), Some(NOW - 300 + 365 * 24 * 3600));
    check_round_trip(&key, &cert);

    let year = 365 * 24 * 3600;
    let err = WorkspaceCertificate::parse(&pem, NOW + year + 3600).unwrap_err();
    assert_eq!(
        (err.kind(), err.code()),
        (ErrorKind::Expired, "certificate_expired")
    );
    let err = WorkspaceCertificate::parse(&pem, NOW - 3600).unwrap_err();
    assert_eq!(
        (err.kind(), err.code()),
        (ErrorKind::Expired, "certificate_not_yet_valid")
    );
    // Sealing re-checks the certificate against its own `now`.
    let err = seal(&cert, &binding(), &credentials(), NOW + year + 3600).unwrap_err();
    assert_eq!(err.code(), "certificate_expired");

    let x25519 = WorkspacePrivateKey::generate_x25519();
    assert_eq!(
        x25519.self_signed_certificate("x", NOW).unwrap_err().code(),
        "unsupported_key"
    );
}

#[test]
fn private_key_pem_and_jwk_round_trip() {
    for key in keys() {
        let pem = key.to_pkcs8_pem().unwrap();
        assert!(pem.expose().starts_with("-----BEGIN PRIVATE KEY-----"));
        let from_pem = WorkspacePrivateKey::from_pem(pem.expose()).unwrap();
        assert_eq!(from_pem.kid(), key.kid());
        let from_jwk = WorkspacePrivateKey::from_jwk(key.to_private_jwk().expose()).unwrap();
        assert_eq!(from_jwk.kid(), key.kid());
        // The re-imported key opens what was sealed to the original.
        let jwe = seal(&key.public_certificate(), &binding(), &credentials(), NOW).unwrap();
        from_pem.open(&jwe, &binding(), NOW).unwrap();
        from_jwk.open(&jwe, &binding(), NOW).unwrap();
    }
}

#[test]
fn secrets_stay_out_of_debug() {
    let key = WorkspacePrivateKey::generate_x25519();
    let debug = format!("{key:?}");
    assert_eq!(
        debug,
        format!(
            "WorkspacePrivateKey {{ key_type: X25519, kid: {:?}, secret: [redacted] }}",
            key.kid()
        )
    );
    let jwe = seal(&key.public_certificate(), &binding(), &credentials(), NOW).unwrap();
    let opened = key.open(&jwe, &binding(), NOW).unwrap();
    let debug = format!("{opened:?}");
    assert!(!debug.contains("ada@example.com"), "{debug}");
    assert!(debug.contains("password: [redacted]"), "{debug}");
    assert_eq!(format!("{:?}", key.to_pkcs8_pem().unwrap()), "[redacted]");
    assert_eq!(format!("{:?}", key.to_private_jwk()), "[redacted]");
}

#[test]
fn header_is_what_the_docs_say() {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    let key = WorkspacePrivateKey::generate_p256();
    let jwe = seal(&key.public_certificate(), &binding(), &credentials(), NOW).unwrap();
    let parts: Vec<&str> = jwe.split('.').collect();
    assert_eq!(parts.len(), 5);
    assert_eq!(parts[1], "", "no encrypted key with direct ECDH-ES");
    let header: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    assert_eq!(header["alg"], "ECDH-ES");
    assert_eq!(header["enc"], "A256GCM");
    assert_eq!(header["kid"], key.kid());
    assert_eq!(header["epk"]["kty"], "EC");
    assert_eq!(header["epk"]["crv"], "P-256");
    assert_eq!(header.as_object().unwrap().len(), 4);
    assert_eq!(URL_SAFE_NO_PAD.decode(parts[2]).unwrap().len(), 12);
    assert_eq!(URL_SAFE_NO_PAD.decode(parts[4]).unwrap().len(), 16);
    // A fresh ephemeral key and IV every time.
    let again = seal(&key.public_certificate(), &binding(), &credentials(), NOW).unwrap();
    assert_ne!(jwe, again);
}

#[test]
fn open_refuses_another_session() {
    let key = WorkspacePrivateKey::generate_p256();
    let jwe = seal(&key.public_certificate(), &binding(), &credentials(), NOW).unwrap();
    let others = [
        SessionBinding {
            customer: "cus_43".into(),
            ..binding()
        },
        SessionBinding {
            connector: "github".into(),
            ..binding()
        },
        SessionBinding {
            nonce: "q5D8kFhRv0bVKh3nyg3bJx".into(),
            ..binding()
        },
        SessionBinding {
            workspace: None,
            ..binding()
        },
        SessionBinding {
            workspace: Some("ws_2".into()),
            ..binding()
        },
    ];
    for other in others {
        let err = key.open(&jwe, &other, NOW).unwrap_err();
        assert_eq!(
            (err.kind(), err.code()),
            (ErrorKind::Verification, "envelope_binding_mismatch"),
            "{other:?}"
        );
    }
    // The unchecked variant shows the binding for the caller to compare.
    let opened = key.open_without_binding_check(&jwe, NOW).unwrap();
    assert_eq!(opened.binding, binding());
}

#[test]
fn open_refuses_another_key() {
    for (sealed_to, opener) in [
        (
            WorkspacePrivateKey::generate_p256(),
            WorkspacePrivateKey::generate_p256(),
        ),
        (
            WorkspacePrivateKey::generate_x25519(),
            WorkspacePrivateKey::generate_p256(),
        ),
        (
            WorkspacePrivateKey::generate_p256(),
            WorkspacePrivateKey::generate_x25519(),
        ),
    ] {
        let jwe = seal(
            &sealed_to.public_certificate(),
            &binding(),
            &credentials(),
            NOW,
        )
        .unwrap();
        let err = opener.open(&jwe, &binding(), NOW).unwrap_err();
        assert_eq!(err.code(), "envelope_wrong_key");
    }
}

#[test]
fn open_checks_the_time_window() {
    let key = WorkspacePrivateKey::generate_x25519();
    let jwe = seal_with_ttl(
        &key.public_certificate(),
        &binding(),
        &credentials(),
        NOW,
        120,
    )
    .unwrap();
    // Within the window and the 60 s skew allowance.
    key.open(&jwe, &binding(), NOW - 60).unwrap();
    key.open(&jwe, &binding(), NOW + 120 + 60).unwrap();
    let err = key.open(&jwe, &binding(), NOW + 120 + 61).unwrap_err();
    assert_eq!(
        (err.kind(), err.code()),
        (ErrorKind::Expired, "envelope_expired")
    );
    let err = key.open(&jwe, &binding(), NOW - 61).unwrap_err();
    assert_eq!(
        (err.kind(), err.code()),
        (ErrorKind::Expired, "envelope_not_yet_valid")
    );

    for ttl in [0, -5, 3601] {
        let err = seal_with_ttl(
            &key.public_certificate(),
            &binding(),
            &credentials(),
            NOW,
            ttl,
        )
        .unwrap_err();
        assert_eq!(err.code(), "envelope_ttl_invalid");
    }
}

#[test]
fn open_detects_any_change() {
    let key = WorkspacePrivateKey::generate_p256();
    let jwe = seal(&key.public_certificate(), &binding(), &credentials(), NOW).unwrap();
    let parts: Vec<String> = jwe.split('.').map(str::to_owned).collect();
    // Flip one character in each of header (after the JSON keeps parsing), IV,
    // ciphertext, tag.
    for (index, code) in [
        (2, "envelope_decryption_failed"),
        (3, "envelope_decryption_failed"),
        (4, "envelope_decryption_failed"),
    ] {
        let mut changed = parts.clone();
        let part = &mut changed[index];
        let first = part.remove(0);
        part.insert(0, if first == 'A' { 'B' } else { 'A' });
        let err = key.open(&changed.join("."), &binding(), NOW).unwrap_err();
        assert_eq!(err.code(), code, "part {index}");
    }
    // A header with one member added still parses but no longer matches the AAD.
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    let mut header: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&parts[0]).unwrap()).unwrap();
    header["typ"] = "JWE".into();
    let mut changed = parts.clone();
    changed[0] = URL_SAFE_NO_PAD.encode(header.to_string());
    let err = key.open(&changed.join("."), &binding(), NOW).unwrap_err();
    assert_eq!(err.code(), "envelope_decryption_failed");
}

#[test]
fn seal_refuses_empty_inputs() {
    let key = WorkspacePrivateKey::generate_p256();
    let cert = key.public_certificate();
    let err = seal(&cert, &binding(), &Credentials::new(), NOW).unwrap_err();
    assert_eq!(err.code(), "credentials_invalid");
    let err = seal(
        &cert,
        &SessionBinding::new("", "jira", "n"),
        &credentials(),
        NOW,
    )
    .unwrap_err();
    assert_eq!(err.code(), "envelope_binding_invalid");
}

#[test]
fn credentials_json_errors_do_not_quote_values() {
    let err = Credentials::from_json(r#"{"pin": 987654}"#).unwrap_err();
    assert_eq!(err.code(), "credentials_invalid");
    assert!(!err.to_string().contains("987654"), "{err}");
    let err = Credentials::from_json(r#"["hunter2"]"#).unwrap_err();
    assert!(!err.to_string().contains("hunter2"), "{err}");
}
