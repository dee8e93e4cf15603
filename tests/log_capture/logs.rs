//! No key or secret appears in any log line (all of the sandbox's tracing output at
//! TRACE level is captured).

use crate::sandbox_support;

use munity::sandbox::{Sandbox, SandboxOptions};
use sandbox_support::capture::Captured;
use sandbox_support::Api;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_and_secrets_never_reach_the_logs() {
    let captured = Captured::install();

    let dir = tempfile::tempdir().unwrap();
    let sb = Sandbox::start(SandboxOptions::dir(dir.path()).chaos(0.2).rate_limit(1000))
        .await
        .unwrap();
    let second = sb.create_workspace("second").await.unwrap();
    let admin = Api::new(sb.base_url(), sb.admin_key());
    let user = Api::new(sb.base_url(), sb.user_key());
    let secret = "credential-secret-value-987654";
    let forged = format!("{}.{}", sb.admin_key().prefix(), "A".repeat(32));
    for _ in 0..5 {
        let _ = admin
            .request(reqwest::Method::GET, "/customers/")
            .send()
            .await;
        let _ = user
            .request(reqwest::Method::POST, "/customers/")
            .json(&json!({"external_id": "u", "name": "u"}))
            .send()
            .await;
        let _ = admin
            .request(reqwest::Method::POST, "/credentials/")
            .json(&json!({"name": "n", "base_url": "https://api.example.com",
                          "environment": "test", "content_type": "json",
                          "auth": {"type": "bearer", "value": secret}}))
            .send()
            .await;
        let _ = admin
            .with_auth(Some(&format!("X-Api-Key {forged}")))
            .request(reqwest::Method::GET, "/customers/")
            .send()
            .await;
    }
    sb.shutdown().await;

    let logs = captured.text();
    assert!(logs.contains("request"), "requests are logged:\n{logs}");
    assert!(logs.contains("sandbox stopped"));
    let keys = [
        sb_keys_text(&second.admin_key),
        sb_keys_text(&second.user_key),
    ];
    let mut needles: Vec<String> = keys.concat();
    needles.push(secret.to_owned());
    needles.push(forged[9..].to_owned());
    let keys_env = std::fs::read_to_string(dir.path().join("keys.env")).unwrap();
    for line in keys_env.lines().filter(|l| l.contains("_KEY=")) {
        let key = line.split_once('=').unwrap().1;
        needles.push(key[9..].to_owned());
    }
    assert_eq!(needles.len(), 8);
    for needle in needles {
        assert!(!logs.contains(&needle), "a secret is in the logs");
    }
}

/// The whole key and its secret part.
fn sb_keys_text(key: &munity::ApiKey) -> Vec<String> {
    vec![key.expose().to_owned(), key.expose()[9..].to_owned()]
}
