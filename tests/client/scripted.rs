//! The client against a scripted HTTP/1.1 server on 127.0.0.1: each test lists the
//! answers (or dropped connections, or silences) the server gives, in order, and then
//! checks what the client sent and how it reacted. Retries, Retry-After, timeouts,
//! idempotency keys and headers are tested here; the real API is tested against the
//! sandbox in `client_sandbox.rs`.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use client_support::{read_request, write_answer, Received};
use futures_util::StreamExt;
use munity::client::{Client, Method, RetryPolicy};
use munity::model::{CustomerCreate, CustomerListParams, CustomerUpdate};
use munity::ErrorKind;
use tokio::net::{TcpListener, TcpStream};

use crate::client_support;

const KEY: &str = "REM0aW39.NfO0123456789CNeHpF29wo012345678";
const SECRET_PART: &str = "NfO0123456789CNeHpF29wo012345678";

/// What the server does with the next request.
#[derive(Clone)]
enum Step {
    /// Answer with a status, extra headers and a body.
    Answer(u16, Vec<(&'static str, String)>, String),
    /// Close the connection without answering.
    Drop,
    /// Say nothing for this long, then close.
    Silence(Duration),
}

fn json(status: u16, body: &str) -> Step {
    Step::Answer(status, Vec::new(), body.to_owned())
}

fn unavailable() -> Step {
    json(503, r#"{"code":"unavailable","detail":"try again"}"#)
}

#[derive(Clone)]
struct Server {
    base: String,
    script: Arc<Mutex<VecDeque<Step>>>,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Server {
    async fn start(script: Vec<Step>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = Server {
            base: format!("http://{addr}/v1"),
            script: Arc::new(Mutex::new(script.into())),
            received: Arc::default(),
        };
        let s = server.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(s.clone().serve(stream));
            }
        });
        server
    }

    async fn serve(self, mut stream: TcpStream) {
        let mut buf = Vec::new();
        loop {
            let Some(req) = read_request(&mut stream, &mut buf).await else {
                return;
            };
            self.received.lock().unwrap().push(req);
            let step = self.script.lock().unwrap().pop_front();
            let (status, headers, body) = match step {
                Some(Step::Answer(s, h, b)) => (s, h, b),
                Some(Step::Drop) => return,
                Some(Step::Silence(d)) => {
                    tokio::time::sleep(d).await;
                    return;
                }
                None => (
                    500,
                    Vec::new(),
                    r#"{"code":"script_exhausted","detail":"no more steps"}"#.to_owned(),
                ),
            };
            let id = self.count();
            if !write_answer(&mut stream, status, id, &headers, &body).await {
                return;
            }
        }
    }

    fn count(&self) -> usize {
        self.received.lock().unwrap().len()
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    fn client(&self) -> Client {
        self.builder().build().unwrap()
    }

    fn builder(&self) -> munity::client::ClientBuilder {
        Client::builder().api_key(KEY).base_url(&self.base).retry(
            RetryPolicy::default()
                .base_delay(Duration::from_millis(5))
                .max_delay(Duration::from_millis(20)),
        )
    }
}

const WORKSPACE: &str = r#"{"id":"ws_1","name":"Demo","created_at":"2026-11-23T12:00:00Z"}"#;
const CUSTOMER: &str = r#"{"id":"cus_1","external_id":"acme","name":"Acme","email":null,"created_at":"2026-11-23T12:00:00Z","updated_at":"2026-11-23T12:00:00Z"}"#;

fn assert_no_key(text: &str) {
    assert!(!text.contains(SECRET_PART), "the key leaked into: {text}");
}

#[tokio::test]
async fn every_request_carries_the_key_user_agent_and_accept() {
    let server = Server::start(vec![json(200, WORKSPACE)]).await;
    let client = server
        .builder()
        .user_agent("acme-backend/2.0")
        .build()
        .unwrap();
    let ws = client.workspace().get().await.unwrap();
    assert_eq!(ws.id, "ws_1");
    let got = server.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].method, "GET");
    assert_eq!(got[0].target, "/v1/workspace/");
    assert_eq!(got[0].headers["authorization"], format!("X-Api-Key {KEY}"));
    assert_eq!(got[0].headers["user-agent"], "acme-backend/2.0");
    assert_eq!(got[0].headers["accept"], "application/json");
    assert!(!got[0].headers.contains_key("idempotency-key"));
}

#[tokio::test]
async fn default_user_agent_names_the_crate() {
    let server = Server::start(vec![json(200, WORKSPACE)]).await;
    server.client().workspace().get().await.unwrap();
    assert!(server.received()[0].headers["user-agent"].starts_with("munity-rust/"));
}

#[tokio::test]
async fn get_is_retried_on_503_502_504_and_dropped_connections() {
    let server = Server::start(vec![
        unavailable(),
        json(502, "{}"),
        Step::Drop,
        json(504, "{}"),
        json(200, WORKSPACE),
    ])
    .await;
    let client = server
        .builder()
        .retry(
            RetryPolicy::default()
                .max_attempts(5)
                .base_delay(Duration::from_millis(5))
                .max_delay(Duration::from_millis(20)),
        )
        .build()
        .unwrap();
    client.workspace().get().await.unwrap();
    assert_eq!(server.count(), 5);
}

#[tokio::test]
async fn attempts_are_bounded_and_the_last_error_is_returned() {
    let server = Server::start(vec![unavailable(); 10]).await;
    let client = server
        .builder()
        .retry(
            RetryPolicy::default()
                .max_attempts(3)
                .base_delay(Duration::from_millis(1))
                .max_delay(Duration::from_millis(5)),
        )
        .build()
        .unwrap();
    let err = client.workspace().get().await.unwrap_err();
    assert_eq!(server.count(), 3);
    assert_eq!(err.kind(), ErrorKind::Api);
    assert_eq!(err.code(), "unavailable");
    assert_eq!(err.status(), Some(503));
    assert_eq!(err.request_id(), Some("req_3"));
}

#[tokio::test]
async fn retry_policy_none_sends_once() {
    let server = Server::start(vec![unavailable(), json(200, WORKSPACE)]).await;
    let client = server.builder().retry(RetryPolicy::none()).build().unwrap();
    assert_eq!(
        client.workspace().get().await.unwrap_err().status(),
        Some(503)
    );
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let server = Server::start(vec![
        json(404, r#"{"code":"not_found","detail":"no such customer"}"#),
        json(200, CUSTOMER),
    ])
    .await;
    let err = server.client().customers().get("cus_x").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.detail(), "no such customer");
    assert_eq!(
        err.to_string(),
        "not_found: GET customers/cus_x/: no such customer (HTTP 404, request req_1)"
    );
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn a_create_reuses_its_idempotency_key_across_retries() {
    let server = Server::start(vec![Step::Drop, unavailable(), json(201, CUSTOMER)]).await;
    let created = server
        .client()
        .customers()
        .create(&CustomerCreate::new("acme", "Acme"))
        .await
        .unwrap();
    assert_eq!(created.id, "cus_1");
    let got = server.received();
    assert_eq!(got.len(), 3);
    let key = &got[0].headers["idempotency-key"];
    assert_eq!(key.len(), 22, "128 bits in base64url");
    assert!(key
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    for r in &got {
        assert_eq!(r.method, "POST");
        assert_eq!(&r.headers["idempotency-key"], key);
        assert_eq!(r.headers["content-type"], "application/json");
        assert_eq!(r.body, r#"{"external_id":"acme","name":"Acme"}"#);
    }
    // The next create gets a new key.
    let server2 = Server::start(vec![json(201, CUSTOMER)]).await;
    server2
        .client()
        .customers()
        .create(&CustomerCreate::new("acme", "Acme"))
        .await
        .unwrap();
    assert_ne!(&server2.received()[0].headers["idempotency-key"], key);
}

#[tokio::test]
async fn the_caller_can_choose_the_idempotency_key() {
    let server = Server::start(vec![unavailable(), json(201, CUSTOMER)]).await;
    server
        .client()
        .customers()
        .create(&CustomerCreate::new("acme", "Acme"))
        .idempotency_key("order-42")
        .await
        .unwrap();
    let got = server.received();
    assert_eq!(got.len(), 2);
    assert!(got
        .iter()
        .all(|r| r.headers["idempotency-key"] == "order-42"));

    let err = server
        .client()
        .customers()
        .create(&CustomerCreate::new("acme", "Acme"))
        .idempotency_key("no spaces allowed")
        .await
        .unwrap_err();
    assert_eq!(err.code(), "invalid_idempotency_key");
    assert_eq!(
        server.count(),
        2,
        "an invalid key is refused before sending"
    );
}

#[tokio::test]
async fn a_post_without_idempotency_key_is_not_retried() {
    let server = Server::start(vec![unavailable(), json(201, CUSTOMER)]).await;
    let err = server
        .client()
        .request(Method::POST, "customers/")
        .json(&CustomerCreate::new("acme", "Acme"))
        .send::<serde_json::Value>()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn a_raw_post_with_a_key_is_retried_with_that_key() {
    let server = Server::start(vec![Step::Drop, json(201, CUSTOMER)]).await;
    let raw = server
        .client()
        .request(Method::POST, "/customers/")
        .json(&CustomerCreate::new("acme", "Acme"))
        .idempotency_key("k-1")
        .send_raw()
        .await
        .unwrap();
    assert_eq!(raw.status(), 201);
    assert_eq!(raw.request_id(), Some("req_2"));
    let got = server.received();
    assert_eq!(got.len(), 2);
    assert!(got.iter().all(|r| r.headers["idempotency-key"] == "k-1"));
}

#[tokio::test]
async fn typed_patch_is_retried_raw_patch_is_not() {
    let server = Server::start(vec![unavailable(), json(200, CUSTOMER)]).await;
    let update = CustomerUpdate {
        name: Some("Acme".into()),
        ..Default::default()
    };
    server
        .client()
        .customers()
        .update("cus_1", &update)
        .await
        .unwrap();
    assert_eq!(server.count(), 2);
    assert_eq!(server.received()[1].method, "PATCH");
    assert_eq!(server.received()[1].target, "/v1/customers/cus_1/");

    let server = Server::start(vec![unavailable(), json(200, CUSTOMER)]).await;
    let err = server
        .client()
        .request(Method::PATCH, "customers/cus_1/")
        .json(&update)
        .send_raw()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn retry_after_seconds_is_honoured() {
    let limited = Step::Answer(
        429,
        vec![("retry-after", "1".into())],
        r#"{"code":"rate_limited","detail":"slow down"}"#.into(),
    );
    let server = Server::start(vec![limited, json(200, WORKSPACE)]).await;
    let start = Instant::now();
    server.client().workspace().get().await.unwrap();
    let took = start.elapsed();
    assert_eq!(server.count(), 2);
    assert!(took >= Duration::from_millis(950), "waited only {took:?}");
    assert!(took < Duration::from_secs(3), "waited {took:?}");
}

#[tokio::test]
async fn retry_after_http_date_is_honoured() {
    // HTTP dates have whole seconds: 2 s from now is between 1 and 2 s of waiting.
    let when = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(2));
    let limited = Step::Answer(
        503,
        vec![("retry-after", when)],
        r#"{"code":"unavailable","detail":"maintenance"}"#.into(),
    );
    let server = Server::start(vec![limited, json(200, WORKSPACE)]).await;
    let start = Instant::now();
    server.client().workspace().get().await.unwrap();
    let took = start.elapsed();
    assert!(took >= Duration::from_millis(900), "waited only {took:?}");
    assert!(took < Duration::from_secs(4), "waited {took:?}");
}

#[tokio::test]
async fn a_429_is_retried_even_for_a_post_without_key() {
    // 429 means the server did no work, so the request can be repeated.
    let limited = Step::Answer(
        429,
        vec![("retry-after", "0".into())],
        r#"{"code":"rate_limited","detail":"slow down"}"#.into(),
    );
    let server = Server::start(vec![limited, json(201, CUSTOMER)]).await;
    server
        .client()
        .request(Method::POST, "customers/")
        .json(&CustomerCreate::new("acme", "Acme"))
        .send::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn a_retry_after_beyond_the_budget_gives_up_at_once() {
    let limited = Step::Answer(
        429,
        vec![("retry-after", "120".into())],
        r#"{"code":"rate_limited","detail":"slow down"}"#.into(),
    );
    let server = Server::start(vec![limited, json(200, WORKSPACE)]).await;
    let client = server
        .builder()
        .retry(RetryPolicy::default().budget(Duration::from_secs(5)))
        .build()
        .unwrap();
    let start = Instant::now();
    let err = client.workspace().get().await.unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(1));
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(err.code(), "retry_budget_exhausted");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
    assert_eq!(err.request_id(), Some("req_1"));
    assert!(err.detail().contains("rate_limited"), "{}", err.detail());
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn the_budget_bounds_the_whole_call() {
    let server = Server::start(vec![unavailable(); 100]).await;
    let client = server
        .builder()
        .retry(
            RetryPolicy::default()
                .max_attempts(100)
                .base_delay(Duration::from_millis(50))
                .max_delay(Duration::from_millis(200))
                .budget(Duration::from_millis(800)),
        )
        .build()
        .unwrap();
    let start = Instant::now();
    let err = client.workspace().get().await.unwrap_err();
    let took = start.elapsed();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(err.code(), "retry_budget_exhausted");
    assert!(took <= Duration::from_millis(1000), "took {took:?}");
    assert!(server.count() >= 3 && server.count() < 100);
}

#[tokio::test]
async fn a_silent_server_hits_the_total_timeout() {
    let server = Server::start(vec![Step::Silence(Duration::from_secs(10))]).await;
    let client = server
        .builder()
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    let start = Instant::now();
    let err = client.workspace().get().await.unwrap_err();
    let took = start.elapsed();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(err.code(), "timeout");
    assert!(
        took >= Duration::from_millis(450) && took < Duration::from_secs(2),
        "{took:?}"
    );
    assert!(
        err.detail().starts_with("no answer within"),
        "{}",
        err.detail()
    );
    assert_eq!(err.path(), Some("workspace/"));
    assert!(
        err.to_string()
            .starts_with("timeout: GET workspace/: no answer within"),
        "{err}"
    );
}

#[tokio::test]
async fn connection_refused_is_a_network_error_without_url_or_key() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let client = Client::builder()
        .api_key(KEY)
        .base_url(format!("http://{addr}/v1"))
        .retry(
            RetryPolicy::default()
                .max_attempts(2)
                .base_delay(Duration::from_millis(1))
                .max_delay(Duration::from_millis(2)),
        )
        .build()
        .unwrap();
    let err = client
        .customers()
        .list(&CustomerListParams {
            external_id: Some("private-id".into()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network);
    assert_eq!(err.code(), "connect_failed");
    let shown = format!("{err} {err:?}");
    assert_no_key(&shown);
    assert!(!shown.contains("private-id"), "{shown}");
    assert!(!shown.contains("http://"), "{shown}");
    assert!(shown.contains("GET customers/"), "{shown}");
}

#[tokio::test]
async fn non_json_error_bodies_stay_readable() {
    let server = Server::start(vec![Step::Answer(
        400,
        vec![],
        "<html>bad request from the proxy</html>".into(),
    )])
    .await;
    let err = server.client().workspace().get().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(err.status(), Some(400));
    assert!(err
        .detail()
        .contains("non-JSON body: <html>bad request from the proxy</html>"));
}

#[tokio::test]
async fn validation_errors_keep_their_fields() {
    let server = Server::start(vec![json(
        400,
        r#"{"code":"validation","detail":"invalid request","fields":[{"field":"external_id","message":"is required"}]}"#,
    )])
    .await;
    let err = server
        .client()
        .customers()
        .create(&CustomerCreate::new("", "Acme"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "validation");
    assert_eq!(err.fields()[0].field, "external_id");
    assert_eq!(err.request_id(), Some("req_1"));
}

fn page(n: usize, size: usize, pages: usize, base: &str) -> Step {
    let results: Vec<String> = (0..size)
        .map(|i| {
            CUSTOMER
                .replace("cus_1", &format!("cus_{}", n * 100 + i))
                .replace("acme", &format!("ext-{}", n * 100 + i))
        })
        .collect();
    let next = if n < pages {
        format!("\"{base}/customers/?page={}&page_size={size}\"", n + 1)
    } else {
        "null".into()
    };
    json(
        200,
        &format!(
            r#"{{"count":{},"next":{next},"previous":null,"results":[{}]}}"#,
            size * pages,
            results.join(",")
        ),
    )
}

#[tokio::test]
async fn the_stream_fetches_a_page_only_when_it_is_reached() {
    let server = Server::start(vec![]).await;
    let base = server.base.clone();
    server.script.lock().unwrap().extend([
        page(1, 2, 3, &base),
        page(2, 2, 3, &base),
        page(3, 2, 3, &base),
    ]);
    let client = server.client();
    let params = CustomerListParams {
        page_size: Some(2),
        ..Default::default()
    };
    let mut stream = client.customers().list_all(&params);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(
        server.count(),
        0,
        "nothing is fetched before the first poll"
    );
    let mut seen = Vec::new();
    let mut requests_when_seen = Vec::new();
    while let Some(item) = stream.next().await {
        seen.push(item.unwrap().id);
        requests_when_seen.push(server.count());
    }
    assert_eq!(
        seen,
        ["cus_100", "cus_101", "cus_200", "cus_201", "cus_300", "cus_301"]
    );
    assert_eq!(requests_when_seen, [1, 1, 2, 2, 3, 3]);
    let targets: Vec<String> = server.received().into_iter().map(|r| r.target).collect();
    assert_eq!(
        targets,
        [
            "/v1/customers/?page=1&page_size=2",
            "/v1/customers/?page=2&page_size=2",
            "/v1/customers/?page=3&page_size=2"
        ]
    );
}

#[tokio::test]
async fn a_stream_error_is_yielded_once_and_ends_the_stream() {
    let server = Server::start(vec![]).await;
    let base = server.base.clone();
    server.script.lock().unwrap().extend([
        page(1, 2, 3, &base),
        json(403, r#"{"code":"permission_denied","detail":"no"}"#),
    ]);
    let items: Vec<_> = server
        .client()
        .customers()
        .list_all(&CustomerListParams::default())
        .collect()
        .await;
    assert_eq!(items.len(), 3);
    assert!(items[0].is_ok() && items[1].is_ok());
    assert_eq!(items[2].as_ref().unwrap_err().code(), "permission_denied");

    let server = Server::start(vec![]).await;
    let base = server.base.clone();
    server
        .script
        .lock()
        .unwrap()
        .extend([page(1, 2, 2, &base), page(2, 2, 2, &base)]);
    let all = server
        .client()
        .customers()
        .list_all(&CustomerListParams::default())
        .try_collect_all()
        .await
        .unwrap();
    assert_eq!(all.len(), 4);
}

#[tokio::test]
async fn find_by_external_id_queries_and_matches_exactly() {
    let server = Server::start(vec![
        json(
            200,
            &format!(r#"{{"count":1,"next":null,"previous":null,"results":[{CUSTOMER}]}}"#),
        ),
        json(
            200,
            r#"{"count":0,"next":null,"previous":null,"results":[]}"#,
        ),
    ])
    .await;
    let client = server.client();
    let found = client
        .customers()
        .find_by_external_id("acme")
        .await
        .unwrap();
    assert_eq!(found.unwrap().id, "cus_1");
    assert!(client
        .customers()
        .find_by_external_id("nobody")
        .await
        .unwrap()
        .is_none());
    let got = server.received();
    assert_eq!(got[0].target, "/v1/customers/?external_id=acme");
    assert_eq!(got[1].target, "/v1/customers/?external_id=nobody");
}

#[tokio::test]
async fn ids_are_encoded_into_one_path_segment() {
    let server = Server::start(vec![json(404, r#"{"code":"not_found","detail":"no"}"#)]).await;
    let _ = server.client().customers().get("a/b c").await;
    assert_eq!(server.received()[0].target, "/v1/customers/a%2Fb%20c/");
}

#[tokio::test]
async fn a_204_delete_is_ok() {
    let server = Server::start(vec![json(204, "")]).await;
    server.client().customers().delete("cus_1").await.unwrap();
    assert_eq!(server.received()[0].method, "DELETE");
}

#[tokio::test]
async fn an_echoed_key_never_reaches_the_error() {
    let server = Server::start(vec![json(
        401,
        &format!(r#"{{"code":"unauthenticated","detail":"unknown key {KEY}"}}"#),
    )])
    .await;
    let client = server.client();
    let err = client.workspace().get().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthenticated);
    assert_no_key(&format!("{err} {err:?} {client:?}"));
}

/// A page of `results` (JSON objects) at `path`, pointing to `next` (a path) if any.
fn page_of(base: &str, results: &[&str], next: Option<&str>) -> Step {
    let next = next.map_or("null".to_owned(), |p| format!("\"{base}{p}\""));
    json(
        200,
        &format!(
            r#"{{"count":{},"next":{next},"previous":null,"results":[{}],"facets":{{"new":1}}}}"#,
            results.len(),
            results.join(",")
        ),
    )
}

/// The API grows: a newer server's answers hold enum values and fields this version
/// does not know. They read (unknown values kept as sent, unknown fields ignored), and
/// one such item does not end a `list_all`.
#[tokio::test]
async fn answers_of_a_newer_api_keep_unknown_values_and_ignore_new_fields() {
    use munity::model::{
        AuthType, ConnectionStatus, ContentType, Environment, FieldKind, PmProjectListParams,
        PmTaskListParams, ProjectStatus, TaskStatus,
    };
    let server = Server::start(vec![]).await;
    let base = server.base.clone();
    let task = |id: &str, status: &str| {
        format!(
            r#"{{"id":"{id}","customer_id":"c1","project_id":"p1","title":"T","status":"{status}","priority":"high","labels":["x"],"created_at":"2026-11-23T12:00:00Z","updated_at":"2026-11-23T12:00:00Z"}}"#
        )
    };
    let (t1, t2, t3) = (
        task("t1", "blocked"),
        task("t2", "done"),
        task("t3", "todo"),
    );
    server.script.lock().unwrap().extend([
        page_of(&base, &[&t1, &t2], Some("/customers/c1/pm-tasks/?page=2")),
        page_of(&base, &[&t3], None),
        page_of(
            &base,
            &[r#"{"id":"p1","customer_id":"c1","connector":"jira","remote_id":"OPS","name":"Ops","status":"paused","created_at":"2026-11-23T12:00:00Z","updated_at":"2026-11-23T12:00:00Z","owner":{"id":"u1"}}"#],
            None,
        ),
        page_of(
            &base,
            &[r#"{"name":"okta","display_name":"Okta","categories":["identity"],"auth_type":"saml","fields":[{"name":"code","label":"Code","kind":"otp","required":true,"secret":true,"placeholder":"123456"}],"logo_url":"https://x"}"#],
            None,
        ),
        page_of(
            &base,
            &[r#"{"id":"con_1","customer_id":"c1","connector":"jira","status":"revoked","created_at":"2026-11-23T12:00:00Z","revoked_at":"2026-11-24T12:00:00Z"}"#],
            None,
        ),
        page_of(
            &base,
            &[r#"{"id":"cr1","name":"N","base_url":"https://a.example","environment":"staging","content_type":"yaml","extra_headers":[],"organization_specific":false,"auth":{"type":"saml","public":{},"secret_hints":{},"issuer":"x"},"organizations":[],"created_at":"2026-11-23T12:00:00Z","updated_at":"2026-11-23T12:00:00Z","rotated_at":null}"#],
            None,
        ),
    ]);
    let client = server.client();

    let tasks: Vec<_> = client
        .customer("c1")
        .pm_tasks()
        .list_all(&PmTaskListParams::default())
        .collect()
        .await;
    let tasks: Vec<_> = tasks.into_iter().map(Result::unwrap).collect();
    let statuses: Vec<_> = tasks.iter().map(|t| t.status.clone()).collect();
    assert_eq!(
        statuses,
        [
            TaskStatus::Unknown("blocked".into()),
            TaskStatus::Done,
            TaskStatus::Todo
        ]
    );
    assert!(!tasks[0].status.is_known());
    assert_eq!(tasks[0].status.as_str(), "blocked");
    // Written back as read.
    assert_eq!(serde_json::to_value(&tasks[0].status).unwrap(), "blocked");

    let projects = client
        .customer("c1")
        .pm_projects()
        .list(&PmProjectListParams::default())
        .await
        .unwrap();
    assert_eq!(
        projects.results[0].status,
        ProjectStatus::Unknown("paused".into())
    );

    let connectors = client.connectors().list().await.unwrap();
    let okta = &connectors.results[0];
    assert_eq!(okta.auth_type, AuthType::Unknown("saml".into()));
    assert_eq!(okta.fields[0].kind, FieldKind::Unknown("otp".into()));

    let connections = client.customer("c1").connections().list().await.unwrap();
    assert_eq!(
        connections.results[0].status,
        ConnectionStatus::Unknown("revoked".into())
    );

    let records = client.credentials().list().await.unwrap();
    let record = &records.results[0];
    assert_eq!(record.environment, Environment::Unknown("staging".into()));
    assert_eq!(record.content_type, ContentType::Unknown("yaml".into()));
    assert_eq!(record.content_type.mime(), None);
    assert_eq!(record.auth.as_ref().unwrap().auth_type, "saml");
}
