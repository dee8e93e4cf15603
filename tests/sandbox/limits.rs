//! The rate limit (429 with Retry-After) and failure injection (503s and dropped
//! connections, before and after the write committed).

use crate::sandbox_support;

use std::time::Duration;

use munity::sandbox::{Sandbox, SandboxOptions};
use reqwest::Method;
use sandbox_support::Api;
use serde_json::json;

#[tokio::test]
async fn over_the_rate_limit_is_429_with_retry_after() {
    let sb = Sandbox::start(SandboxOptions::memory().rate_limit(5))
        .await
        .unwrap();
    let api = Api::new(sb.base_url(), sb.admin_key());
    let mut statuses = Vec::new();
    let mut limited = None;
    for _ in 0..8 {
        let answer = api.get("/workspace/").await;
        statuses.push(answer.status);
        if answer.status == 429 {
            limited = Some(answer);
        }
    }
    assert_eq!(&statuses[..5], [200; 5], "a burst of 5 passes");
    let limited = limited.expect("the burst is exceeded");
    assert_eq!(limited.code(), "rate_limited");
    let retry_after: u64 = limited
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .expect("whole seconds");
    assert!(retry_after >= 1);
    // Another key has its own bucket.
    let user = Api::new(sb.base_url(), sb.user_key());
    assert_eq!(user.get("/workspace/").await.status, 200);
    tokio::time::sleep(Duration::from_secs(retry_after)).await;
    assert_eq!(
        api.get("/workspace/").await.status,
        200,
        "honouring Retry-After works"
    );
}

/// The outcome of one request under chaos.
#[derive(Debug, PartialEq)]
enum Outcome {
    Created,
    Unavailable,
    Dropped,
}

async fn create(api: &Api, i: usize, idempotency_key: Option<&str>) -> Outcome {
    let mut request = api
        .request(Method::POST, "/customers/")
        .json(&json!({"external_id": format!("chaos-{i}"), "name": "C"}));
    if let Some(key) = idempotency_key {
        request = request.header("Idempotency-Key", key);
    }
    match request.send().await {
        Ok(response) => {
            assert!(response.headers().contains_key("x-request-id"));
            match response.status().as_u16() {
                201 => Outcome::Created,
                503 => {
                    let body: serde_json::Value = response.json().await.unwrap();
                    assert_eq!(body["code"], "unavailable");
                    Outcome::Unavailable
                }
                other => panic!("unexpected status {other}"),
            }
        }
        Err(err) => {
            assert!(!err.is_timeout(), "{err}");
            Outcome::Dropped
        }
    }
}

/// Reads the customer count, retrying through injected failures.
async fn count(api: &Api) -> u64 {
    for _ in 0..200 {
        if let Ok(response) = api.request(Method::GET, "/customers/").send().await {
            if response.status() == 200 {
                let body: serde_json::Value = response.json().await.unwrap();
                return body["count"].as_u64().unwrap();
            }
        }
    }
    panic!("no successful read in 200 attempts");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chaos_fails_before_and_after_the_write() {
    let sb = Sandbox::start(SandboxOptions::memory().chaos(0.6))
        .await
        .unwrap();
    let api = Api::new(sb.base_url(), sb.admin_key());
    let mut outcomes = Vec::new();
    for i in 0..200 {
        outcomes.push(create(&api, i, None).await);
    }
    let created = outcomes.iter().filter(|o| **o == Outcome::Created).count() as u64;
    let unavailable = outcomes
        .iter()
        .filter(|o| **o == Outcome::Unavailable)
        .count();
    let dropped = outcomes.iter().filter(|o| **o == Outcome::Dropped).count();
    assert!(unavailable > 0, "some 503s");
    assert!(dropped > 0, "some dropped connections");
    let stored = count(&api).await - 1; // acme
    assert!(
        stored > created,
        "some writes committed although their answer was lost ({stored} stored, {created} acknowledged)"
    );
    assert!(
        stored < 200,
        "some failed before the handler ran ({stored} stored)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retrying_with_an_idempotency_key_writes_exactly_once_under_chaos() {
    let sb = Sandbox::start(SandboxOptions::memory().chaos(0.4))
        .await
        .unwrap();
    let api = Api::new(sb.base_url(), sb.admin_key());
    let mut attempts = 0;
    for i in 0..60 {
        let key = format!("create-{i}");
        loop {
            attempts += 1;
            assert!(attempts < 2000, "too many attempts");
            if create(&api, i, Some(&key)).await == Outcome::Created {
                break;
            }
        }
    }
    assert!(attempts > 60, "chaos did inject failures");
    assert_eq!(count(&api).await, 61, "no write lost, none duplicated");
}
