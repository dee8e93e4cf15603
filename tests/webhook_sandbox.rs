//! Webhooks from the sandbox (in-process, 127.0.0.1:0): endpoint setting (secret shown
//! once), `connection.deleted` delivered signed per Standard Webhooks, retried with
//! backoff after a failure, and the delivery log read through the API.
#![cfg(feature = "sandbox")]

mod sandbox_support;

use std::time::Duration;

use munity::sandbox::{Sandbox, SandboxOptions};
use munity::webhook::{Webhook, WebhookSecret};
use sandbox_support::receiver::receiver;
use sandbox_support::Api;
use serde_json::json;

async fn wait_for(api: &Api, predicate: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
    for _ in 0..100 {
        let log = api.get("/webhook/deliveries/").await;
        assert_eq!(log.status, 200);
        if predicate(&log.body) {
            return log.body;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the delivery log never reached the expected state");
}

async fn delete_acme_connection(api: &Api) -> String {
    let acme = api.acme().await;
    let list = api.get(&format!("/customers/{acme}/connections/")).await;
    let id = list.body["results"][0]["id"].as_str().unwrap().to_owned();
    let deleted = api
        .delete(&format!("/customers/{acme}/connections/{id}/"))
        .await;
    assert_eq!(deleted.status, 204);
    id
}

#[tokio::test]
async fn endpoint_setting_shows_the_secret_once_and_needs_an_admin_key() {
    let sb = Sandbox::start(SandboxOptions::memory()).await.unwrap();
    let admin = Api::new(sb.base_url(), sb.admin_key());
    let user = Api::new(sb.base_url(), sb.user_key());
    assert_eq!(admin.get("/webhook/").await.status, 404);
    let put = user
        .put("/webhook/", json!({"url": "https://example.com/hook"}))
        .await;
    assert_eq!(put.status, 403);
    assert_eq!(put.code(), "permission_denied");
    let bad = admin.put("/webhook/", json!({"url": "ftp://x"})).await;
    assert_eq!(bad.status, 400);
    let put = admin
        .put("/webhook/", json!({"url": "https://example.com/hook"}))
        .await;
    assert_eq!(put.status, 200);
    let secret = put.body["secret"].as_str().unwrap();
    WebhookSecret::parse(secret).unwrap();
    let shown = user.get("/webhook/").await;
    assert_eq!(shown.status, 200);
    assert_eq!(shown.body["url"], "https://example.com/hook");
    assert!(
        shown.body.get("secret").is_none(),
        "the secret is shown only once"
    );
    assert_eq!(admin.delete("/webhook/").await.status, 204);
    assert_eq!(admin.get("/webhook/").await.status, 404);
    sb.shutdown().await;
}

#[tokio::test]
async fn connection_deleted_is_delivered_signed_and_retried() {
    let sb = Sandbox::start(SandboxOptions::memory()).await.unwrap();
    let api = Api::new(sb.base_url(), sb.admin_key());
    let (url, seen) = receiver(1).await;
    let put = api.put("/webhook/", json!({"url": url})).await;
    let secret = WebhookSecret::parse(put.body["secret"].as_str().unwrap()).unwrap();
    let connection_id = delete_acme_connection(&api).await;

    let log = wait_for(&api, |log| log["results"][0]["status"] == "succeeded").await;
    let entry = &log["results"][0];
    assert_eq!(log["count"], 1);
    assert_eq!(entry["event_type"], "connection.deleted");
    assert_eq!(entry["attempts"], 2, "one failure, then success: {entry}");
    assert_eq!(entry["last_response_status"], 204);

    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    let hook = Webhook::new(secret);
    for received in &seen {
        let (headers, body) = (&received.headers, &received.body);
        hook.verify_http(headers, body, munity::time::now_unix())
            .unwrap();
        assert_eq!(
            headers["webhook-id"],
            entry["id"].as_str().unwrap(),
            "same id on retries"
        );
    }
    // Backoff: the retry came at least a second after the first attempt.
    let waited = seen[1].at - seen[0].at;
    assert!(
        waited >= Duration::from_millis(950),
        "retried after {waited:?}"
    );
    let payload: serde_json::Value = serde_json::from_slice(&seen[1].body).unwrap();
    assert_eq!(payload["type"], "connection.deleted");
    assert_eq!(payload["data"]["id"], connection_id);
    sb.shutdown().await;
}

#[tokio::test]
async fn an_unreachable_endpoint_is_logged_and_retried() {
    let sb = Sandbox::start(SandboxOptions::memory()).await.unwrap();
    let api = Api::new(sb.base_url(), sb.admin_key());
    // A port nobody listens on (bound, then released).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    api.put(
        "/webhook/",
        json!({"url": format!("http://hooks:pw-in-the-url@127.0.0.1:{port}/hook")}),
    )
    .await;
    delete_acme_connection(&api).await;
    let log = wait_for(&api, |log| {
        log["results"][0]["attempts"].as_i64() >= Some(2)
    })
    .await;
    let entry = &log["results"][0];
    assert_eq!(entry["status"], "pending");
    let last_error = entry["last_error"].as_str().unwrap();
    assert!(last_error.contains("request failed"), "{last_error}");
    // The log says why, never the endpoint URL with its password.
    assert!(!last_error.contains("pw-in-the-url"), "{last_error}");
    assert!(!last_error.contains("/hook"), "{last_error}");
    assert!(entry["last_response_status"].is_null());
    sb.shutdown().await;
}

#[tokio::test]
async fn no_endpoint_no_delivery() {
    let sb = Sandbox::start(SandboxOptions::memory()).await.unwrap();
    let api = Api::new(sb.base_url(), sb.admin_key());
    delete_acme_connection(&api).await;
    let log = api.get("/webhook/deliveries/").await;
    assert_eq!(log.body["count"], 0);
    sb.shutdown().await;
}
