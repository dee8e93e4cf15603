//! Idempotency keys: one write per (API key, idempotency key), replayed answers, 422 on
//! reuse with another body, concurrent repeats.

use crate::sandbox_support;

use munity::sandbox::{Sandbox, SandboxOptions};
use reqwest::Method;
use sandbox_support::{Answer, Api};
use serde_json::{json, Value};

async fn post_with_key(api: &Api, path: &str, key: &str, body: &Value) -> Answer {
    Api::answer(
        api.request(Method::POST, path)
            .header("Idempotency-Key", key)
            .json(body),
    )
    .await
}

#[tokio::test]
async fn replay_returns_the_first_answer_and_other_body_is_422() {
    let sb = Sandbox::start(SandboxOptions::memory()).await.unwrap();
    let api = Api::new(sb.base_url(), sb.admin_key());
    let body = json!({"external_id": "idem-1", "name": "Once"});
    let first = post_with_key(&api, "/customers/", "key-1", &body).await;
    assert_eq!(first.status, 201);
    assert_eq!(first.header("idempotent-replayed"), None);
    let again = post_with_key(&api, "/customers/", "key-1", &body).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.body, first.body, "the same customer, same id");
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(
        api.get("/customers/?external_id=idem-1").await.body["count"],
        1
    );

    let other = json!({"external_id": "idem-2", "name": "Other"});
    let reused = post_with_key(&api, "/customers/", "key-1", &other).await;
    assert_eq!(reused.status, 422);
    assert_eq!(reused.code(), "idempotency_key_reused");
    assert_eq!(
        api.get("/customers/?external_id=idem-2").await.body["count"],
        0
    );

    // The key is per API key: another key may use the same idempotency key.
    let second = sb.create_workspace("second").await.unwrap();
    let api_b = Api::new(sb.base_url(), &second.admin_key);
    let b = post_with_key(&api_b, "/customers/", "key-1", &body).await;
    assert_eq!(b.status, 201);
    assert_ne!(b.body["id"], first.body["id"]);
    assert_eq!(b.header("idempotent-replayed"), None);
}

#[tokio::test]
async fn invalid_keys_are_400() {
    let sb = Sandbox::start(SandboxOptions::memory()).await.unwrap();
    let api = Api::new(sb.base_url(), sb.admin_key());
    let body = json!({"external_id": "x", "name": "x"});
    for bad in ["", &"k".repeat(256)] {
        let answer = post_with_key(&api, "/customers/", bad, &body).await;
        assert_eq!(answer.status, 400, "{} chars", bad.len());
        assert_eq!(answer.fields(), ["Idempotency-Key"]);
    }
    assert_eq!(api.get("/customers/").await.body["count"], 1);
    let ok = post_with_key(&api, "/customers/", &"k".repeat(255), &body).await;
    assert_eq!(ok.status, 201);
}

#[tokio::test]
async fn failed_writes_are_not_kept() {
    let sb = Sandbox::start(SandboxOptions::memory()).await.unwrap();
    let api = Api::new(sb.base_url(), sb.admin_key());
    let taken = json!({"external_id": "acme", "name": "Dup"});
    let first = post_with_key(&api, "/customers/", "k-dup", &taken).await;
    assert_eq!(first.status, 409);
    let acme = api.acme().await;
    assert_eq!(api.delete(&format!("/customers/{acme}/")).await.status, 204);
    let retry = post_with_key(&api, "/customers/", "k-dup", &taken).await;
    assert_eq!(retry.status, 201, "an error answer is not replayed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_repeats_write_once() {
    let sb = Sandbox::start(SandboxOptions::memory()).await.unwrap();
    let api = Api::new(sb.base_url(), sb.admin_key());
    let body = json!({"external_id": "race", "name": "Race"});
    let answers = futures_util::future::join_all(
        (0..16).map(|_| post_with_key(&api, "/customers/", "race-key", &body)),
    )
    .await;
    let ids: std::collections::HashSet<_> = answers
        .iter()
        .map(|a| {
            assert_eq!(a.status, 201);
            a.body["id"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(ids.len(), 1);
    let replayed = answers
        .iter()
        .filter(|a| a.header("idempotent-replayed").is_some())
        .count();
    assert_eq!(replayed, 15);
    assert_eq!(
        api.get("/customers/?external_id=race").await.body["count"],
        1
    );
}

#[tokio::test]
async fn reuse_is_422_even_when_the_new_body_is_invalid() {
    let sb = Sandbox::start(SandboxOptions::memory()).await.unwrap();
    let api = Api::new(sb.base_url(), sb.admin_key());
    let body = json!({"external_id": "first", "name": "First"});
    assert_eq!(
        post_with_key(&api, "/customers/", "k", &body).await.status,
        201
    );
    let invalid = json!({"external_id": "", "name": ""});
    let answer = post_with_key(&api, "/customers/", "k", &invalid).await;
    assert_eq!(answer.status, 422);
    // Same key on another path is another request too.
    let acme = api.acme().await;
    let project = post_with_key(
        &api,
        &format!("/customers/{acme}/pm-projects/"),
        "k",
        &json!({"name": "P"}),
    )
    .await;
    assert_eq!(project.status, 422);
}
