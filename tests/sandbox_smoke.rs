//! Quick end-to-end check of the sandbox: start, read, write, shut down.
#![cfg(feature = "sandbox")]

use munity::sandbox::{Sandbox, SandboxOptions};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starts_and_serves_customers() {
    let sb = Sandbox::start(SandboxOptions::memory()).await.unwrap();
    let http = reqwest::Client::new();
    let auth = sb.admin_key().authorization_value();
    let ws: serde_json::Value = http
        .get(format!("{}/workspace/", sb.base_url()))
        .header("Authorization", auth.expose().as_str())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ws["id"], sb.workspace_id());
    let created = http
        .post(format!("{}/customers/", sb.base_url()))
        .header("Authorization", auth.expose().as_str())
        .json(&serde_json::json!({"external_id": "c1", "name": "One"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let page: serde_json::Value = http
        .get(format!("{}/customers/?page_size=1", sb.base_url()))
        .header("Authorization", auth.expose().as_str())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["count"], 2);
    assert!(page["next"].as_str().unwrap().contains("page=2"));
    sb.shutdown().await;
}
