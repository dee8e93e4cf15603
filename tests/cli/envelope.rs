//! `munity seal` and `munity open` end to end, through the built binary.

use std::process::Output;

use munity::envelope::WorkspacePrivateKey;
use serde_json::Value;

use crate::support;

fn munity(args: &[&str], stdin: &str) -> Output {
    support::run_munity(args, &[], stdin.as_bytes())
}

#[test]
fn seal_then_open() {
    let dir = tempfile::tempdir().unwrap();
    let key = WorkspacePrivateKey::generate_p256();
    let key_path = dir.path().join("workspace.key");
    let cert_path = dir.path().join("workspace.pem");
    std::fs::write(&key_path, key.to_pkcs8_pem().unwrap().expose()).unwrap();
    std::fs::write(&cert_path, key.public_key_pem().unwrap()).unwrap();
    let (key_path, cert_path) = (key_path.to_str().unwrap(), cert_path.to_str().unwrap());

    let sealed = munity(
        &[
            "seal",
            "--certificate",
            cert_path,
            "--customer",
            "cus_1",
            "--connector",
            "jira",
            "--nonce",
            "n0nce",
        ],
        r#"{"api_key": "k-123"}"#,
    );
    assert!(
        sealed.status.success(),
        "{}",
        String::from_utf8_lossy(&sealed.stderr)
    );
    let jwe = String::from_utf8(sealed.stdout).unwrap();
    assert_eq!(jwe.trim().split('.').count(), 5);

    let opened = munity(&["open", "--key", key_path], &jwe);
    assert!(
        opened.status.success(),
        "{}",
        String::from_utf8_lossy(&opened.stderr)
    );
    let payload: Value = serde_json::from_slice(&opened.stdout).unwrap();
    assert_eq!(payload["credentials"]["api_key"], "k-123");
    assert_eq!(payload["customer"], "cus_1");

    let checked = munity(
        &[
            "open",
            "--key",
            key_path,
            "--customer",
            "cus_1",
            "--connector",
            "jira",
            "--nonce",
            "n0nce",
        ],
        &jwe,
    );
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );

    let mismatch = munity(
        &[
            "open",
            "--key",
            key_path,
            "--customer",
            "cus_2",
            "--connector",
            "jira",
            "--nonce",
            "n0nce",
        ],
        &jwe,
    );
    assert_eq!(mismatch.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&mismatch.stderr);
    assert!(stderr.contains("envelope_binding_mismatch"), "{stderr}");

    // With a connect link: its workspace, customer, connector and nonce bind the envelope.
    let api_key = munity::ApiKey::parse("REM0aW39.NfO0123456789CNeHpF29wo012345678").unwrap();
    let signed = munity::link::LinkBuilder::new("ws_1", "cus_42", "jira")
        .sign(&api_key, munity::now_unix())
        .unwrap();
    let link = munity::link::ConnectLink::parse(signed.url()).unwrap();
    let nonce = link.nonce().to_base64url();
    let sealed = munity(
        &["seal", "--certificate", cert_path, "--link", signed.url()],
        r#"{"api_key": "k-456"}"#,
    );
    assert!(
        sealed.status.success(),
        "{}",
        String::from_utf8_lossy(&sealed.stderr)
    );
    let jwe = String::from_utf8(sealed.stdout).unwrap();
    let checked = munity(
        &[
            "open",
            "--key",
            key_path,
            "--workspace",
            "ws_1",
            "--customer",
            "cus_42",
            "--connector",
            "jira",
            "--nonce",
            &nonce,
        ],
        &jwe,
    );
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
    let payload: Value = serde_json::from_slice(&checked.stdout).unwrap();
    assert_eq!(payload["credentials"]["api_key"], "k-456");
    assert_eq!(payload["workspace"], "ws_1");

    let bad = munity(
        &[
            "seal",
            "--certificate",
            cert_path,
            "--customer",
            "c",
            "--connector",
            "j",
            "--nonce",
            "n",
        ],
        r#"{"pin": 4321}"#,
    );
    assert_eq!(bad.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        stderr.contains("credentials_invalid") && !stderr.contains("4321"),
        "{stderr}"
    );
}
