//! What a product backend sets up around the client, against the sandbox in process on
//! 127.0.0.1:0 (and scripted loopback servers where the sandbox cannot misbehave on
//! cue): its own `reqwest::Client` (here through an HTTP proxy), per-call timeout and
//! retry overrides, and one tracing span per call whose fields a layer reads back.

use crate::client_support;
use crate::sandbox_support;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use munity::client::{Client, Method, RetryPolicy};
use munity::envelope::WorkspacePrivateKey;
use munity::model::CustomerListParams;
use munity::reqwest;
use munity::sandbox::{Sandbox, SandboxOptions};
use munity::{ErrorCode, ErrorKind};

use client_support::{read_request, write_answer};

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxOptions::memory()).await.unwrap()
}

/// A client of the sandbox with one of its keys (and the client's defaults).
fn sandbox_client(sb: &Sandbox, key: &munity::ApiKey) -> Client {
    Client::builder()
        .api_key(key.clone())
        .base_url(sb.base_url())
        .build()
        .unwrap()
}

/// What an HTTP proxy saw: the request line's absolute URL and the headers.
#[derive(Debug, Clone)]
struct Proxied {
    url: String,
    headers: reqwest::header::HeaderMap,
}

/// A forwarding HTTP proxy on 127.0.0.1:0 (absolute-form requests, plain HTTP), as a
/// company's egress proxy would be. Returns its URL and what it forwarded.
async fn start_proxy() -> (String, Arc<Mutex<Vec<Proxied>>>) {
    use axum::body::Body;
    use axum::extract::Request;
    use axum::response::Response;

    let seen: Arc<Mutex<Vec<Proxied>>> = Arc::default();
    let log = Arc::clone(&seen);
    let upstream = reqwest::Client::builder().no_proxy().build().unwrap();
    let app = axum::Router::new().fallback(move |request: Request| {
        let log = Arc::clone(&log);
        let upstream = upstream.clone();
        async move {
            let (parts, body) = request.into_parts();
            log.lock().unwrap().push(Proxied {
                url: parts.uri.to_string(),
                headers: parts.headers.clone(),
            });
            let body = axum::body::to_bytes(body, 1 << 20).await.unwrap();
            let answer = upstream
                .request(parts.method, parts.uri.to_string())
                .headers(parts.headers)
                .body(body)
                .send()
                .await
                .unwrap();
            let mut response = Response::builder().status(answer.status());
            for (name, value) in answer.headers() {
                response = response.header(name, value);
            }
            response
                .body(Body::from(answer.bytes().await.unwrap()))
                .unwrap()
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

#[tokio::test]
async fn the_client_sends_through_the_callers_own_reqwest_client() {
    let sb = sandbox().await;
    let (proxy, seen) = start_proxy().await;
    let mut company_headers = reqwest::header::HeaderMap::new();
    company_headers.insert("x-company-egress", "billing".parse().unwrap());
    let http = reqwest::Client::builder()
        .proxy(reqwest::Proxy::http(&proxy).unwrap())
        .default_headers(company_headers)
        .build()
        .unwrap();
    let client = Client::builder()
        .api_key(sb.admin_key())
        .base_url(sb.base_url())
        .http_client(http)
        .build()
        .unwrap();

    let page = client
        .customers()
        .list(&CustomerListParams::default())
        .await
        .unwrap();
    assert!(page.results.iter().any(|c| c.external_id == "acme"));

    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].url, format!("{}customers/", client.base_url()));
    let header = |name: &str| seen[0].headers.get(name).unwrap().to_str().unwrap();
    // The caller's client settings and munity's own headers, together.
    assert_eq!(header("x-company-egress"), "billing");
    assert!(header("user-agent").starts_with("munity-rust/"));
    assert_eq!(
        header("authorization"),
        sb.admin_key().authorization_value().expose().as_str()
    );
}

/// A loopback server that answers `statuses` in turn (the last one forever), counting
/// the requests; `None` reads the request and never answers.
async fn scripted(statuses: Vec<Option<u16>>) -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/v1", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&count);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let counter = Arc::clone(&counter);
            let statuses = statuses.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                while read_request(&mut stream, &mut buf).await.is_some() {
                    let n = counter.fetch_add(1, Ordering::SeqCst);
                    let Some(status) = statuses[n.min(statuses.len() - 1)] else {
                        tokio::time::sleep(Duration::from_secs(3600)).await;
                        return;
                    };
                    let body = if status < 300 {
                        r#"{"id":"ws_1","name":"W","created_at":"2026-01-01T00:00:00Z"}"#
                    } else {
                        r#"{"code":"unavailable","detail":"try later"}"#
                    };
                    if !write_answer(&mut stream, status, n + 1, &[], body).await {
                        return;
                    }
                }
            });
        }
    });
    (base, count)
}

fn client_for(base: &str) -> Client {
    Client::builder()
        .api_key("REM0aW39.NfO0123456789CNeHpF29wo012345678")
        .base_url(base)
        .timeout(Duration::from_secs(30))
        .retry(
            RetryPolicy::default()
                .max_attempts(4)
                .base_delay(Duration::from_millis(1))
                .max_delay(Duration::from_millis(5)),
        )
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_call_can_have_its_own_retry_policy() {
    let (base, count) = scripted(vec![Some(503)]).await;
    let client = client_for(&base);
    let err = client.workspace().get().await.unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(
        count.swap(0, Ordering::SeqCst),
        4,
        "the client's policy: 4 attempts"
    );

    let err = client
        .with_retry(RetryPolicy::none())
        .workspace()
        .get()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(
        count.swap(0, Ordering::SeqCst),
        1,
        "this call's policy: 1 attempt"
    );

    let raw = client
        .request(Method::GET, "workspace/")
        .retry(
            RetryPolicy::default()
                .max_attempts(2)
                .base_delay(Duration::from_millis(1)),
        )
        .send_raw()
        .await
        .unwrap_err();
    assert_eq!(raw.status(), Some(503));
    assert_eq!(count.swap(0, Ordering::SeqCst), 2);

    // The override is checked like the builder's settings, when the call is made.
    let err = client
        .with_retry(RetryPolicy::default().max_attempts(0))
        .workspace()
        .get()
        .await
        .unwrap_err();
    assert_eq!(err.error_code(), ErrorCode::InvalidRetryPolicy);
    assert_eq!(count.load(Ordering::SeqCst), 0, "nothing sent");
}

#[tokio::test]
async fn a_call_can_have_its_own_timeout() {
    let (base, _count) = scripted(vec![None]).await;
    let client = client_for(&base);
    let start = Instant::now();
    let err = client
        .with_timeout(Duration::from_millis(200))
        .workspace()
        .get()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    assert!(err.detail().contains("0.2 s"), "{err}");

    let err = client
        .request(Method::GET, "workspace/")
        .timeout(Duration::from_millis(100))
        .send_raw()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err}");

    let err = client
        .with_timeout(Duration::ZERO)
        .workspace()
        .get()
        .await
        .unwrap_err();
    assert_eq!(err.error_code(), ErrorCode::InvalidTimeout);
}

// ---- tracing: one span per call --------------------------------------------------

/// One closed `munity.request` span: its fields, and the events logged inside it.
#[derive(Debug, Clone, Default)]
struct SpanRecord {
    fields: BTreeMap<String, String>,
    events: Vec<BTreeMap<String, String>>,
}

impl SpanRecord {
    fn get(&self, name: &str) -> &str {
        self.fields.get(name).map_or_else(
            || panic!("no field {name} in {:?}", self.fields),
            String::as_str,
        )
    }
}

/// Collects field values as text (strings without quotes).
struct Values<'a>(&'a mut BTreeMap<String, String>);

impl tracing::field::Visit for Values<'_> {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

/// A `tracing-subscriber` layer that keeps the fields of every `munity.request` span
/// and of the events inside it, and hands each span over when it closes.
#[derive(Clone, Default)]
struct SpanRecorder {
    closed: Arc<Mutex<Vec<SpanRecord>>>,
}

impl<S> tracing_subscriber::Layer<S> for SpanRecorder
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        id: &tracing::span::Id,
        ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        if attrs.metadata().name() != "munity.request" {
            return;
        }
        let mut record = SpanRecord::default();
        attrs.record(&mut Values(&mut record.fields));
        ctx.span(id).unwrap().extensions_mut().insert(record);
    }

    fn on_record(
        &self,
        id: &tracing::span::Id,
        values: &tracing::span::Record<'_>,
        ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        if let Some(span) = ctx.span(id) {
            if let Some(record) = span.extensions_mut().get_mut::<SpanRecord>() {
                values.record(&mut Values(&mut record.fields));
            }
        }
    }

    fn on_event(&self, event: &tracing::Event<'_>, ctx: tracing_subscriber::layer::Context<'_, S>) {
        if let Some(span) = ctx.event_span(event) {
            if let Some(record) = span.extensions_mut().get_mut::<SpanRecord>() {
                let mut fields = BTreeMap::new();
                event.record(&mut Values(&mut fields));
                record.events.push(fields);
            }
        }
    }

    fn on_close(&self, id: tracing::span::Id, ctx: tracing_subscriber::layer::Context<'_, S>) {
        if let Some(span) = ctx.span(&id) {
            if let Some(record) = span.extensions_mut().remove::<SpanRecord>() {
                self.closed.lock().unwrap().push(record);
            }
        }
    }
}

impl SpanRecorder {
    /// Installs the recorder for this thread (the tests run on a current-thread
    /// runtime, so every task of the test is seen).
    fn install(&self) -> tracing::subscriber::DefaultGuard {
        use tracing_subscriber::layer::SubscriberExt as _;
        let subscriber = tracing_subscriber::registry().with(self.clone());
        tracing::subscriber::set_default(subscriber)
    }

    fn take(&self) -> Vec<SpanRecord> {
        std::mem::take(&mut *self.closed.lock().unwrap())
    }
}

#[tokio::test]
async fn every_call_has_one_span_with_its_http_fields() {
    let recorder = SpanRecorder::default();
    let _guard = recorder.install();
    let sb = sandbox().await;
    let client = sandbox_client(&sb, sb.admin_key());
    let acme = client
        .customers()
        .find_by_external_id("acme")
        .await
        .unwrap()
        .unwrap();
    recorder.take();

    let raw = client
        .request(Method::GET, &format!("customers/{}/", acme.id))
        .send_raw()
        .await
        .unwrap();
    let fetched = client.customers().get(&acme.id).await.unwrap();
    assert_eq!(fetched.id, acme.id);
    let missing = client.customers().get("cus_missing").await.unwrap_err();
    assert!(missing.is_not_found());

    let spans = recorder.take();
    assert_eq!(spans.len(), 3, "one span per call: {spans:#?}");
    let port = sb
        .base_url()
        .split(':')
        .nth(2)
        .unwrap()
        .split('/')
        .next()
        .unwrap();

    // A raw request is named by its path.
    assert_eq!(
        spans[0].get("url.template"),
        format!("customers/{}/", acme.id)
    );
    assert_eq!(spans[0].get("munity.request_id"), raw.request_id().unwrap());

    // A typed call is named by its path template: no id.
    let ok = &spans[1];
    assert_eq!(ok.get("otel.name"), "GET customers/{id}/");
    assert_eq!(ok.get("otel.kind"), "client");
    assert_eq!(ok.get("http.request.method"), "GET");
    assert_eq!(ok.get("url.template"), "customers/{id}/");
    assert_eq!(ok.get("server.address"), "127.0.0.1");
    assert_eq!(ok.get("server.port"), port);
    assert_eq!(ok.get("http.response.status_code"), "200");
    assert!(!ok.get("munity.request_id").is_empty());
    assert_eq!(ok.get("munity.attempts"), "1");
    assert!(ok.get("munity.duration_ms").parse::<u64>().is_ok());
    assert_eq!(ok.get("otel.status_code"), "ok");
    assert!(!ok.fields.contains_key("error.type"));
    assert!(!ok.fields.contains_key("http.request.resend_count"));

    let failed = &spans[2];
    assert_eq!(failed.get("http.response.status_code"), "404");
    assert_eq!(failed.get("error.type"), "not_found");
    assert_eq!(failed.get("otel.status_code"), "error");
    assert_eq!(
        failed.get("munity.request_id"),
        missing.request_id().unwrap()
    );

    // No field, of the spans or of their events, holds the key.
    let secret = &sb.admin_key().expose()[9..];
    let shown = format!("{spans:?}");
    assert!(
        !shown.contains(secret),
        "the key leaked into a span: {shown}"
    );
}

#[tokio::test]
async fn retries_are_events_inside_the_calls_span() {
    let recorder = SpanRecorder::default();
    let _guard = recorder.install();
    let (base, _count) = scripted(vec![Some(503), Some(503), Some(200)]).await;
    let client = client_for(&base);
    client.workspace().get().await.unwrap();

    let spans = recorder.take();
    assert_eq!(spans.len(), 1, "{spans:#?}");
    let span = &spans[0];
    assert_eq!(span.get("otel.name"), "GET workspace/");
    assert_eq!(span.get("munity.attempts"), "3");
    assert_eq!(span.get("http.request.resend_count"), "2");
    assert_eq!(span.get("http.response.status_code"), "200");
    assert_eq!(span.get("munity.request_id"), "req_3");
    let retries: Vec<_> = span
        .events
        .iter()
        .filter(|e| e.get("message").map(String::as_str) == Some("retrying"))
        .collect();
    assert_eq!(retries.len(), 2, "{:?}", span.events);
    assert_eq!(retries[0]["attempt"], "1");
    assert_eq!(retries[0]["status"], "503");
    assert_eq!(retries[1]["attempt"], "2");
}

// ---- connect links, the workspace certificate, the webhook endpoint ----------------

/// `GET /v1/connect/session?<link query>` without an API key: what the browser does.
async fn open_session(sb: &Sandbox, url: &str) -> (u16, serde_json::Value) {
    let query = url.split_once('?').unwrap().1;
    let answer = reqwest::Client::new()
        .get(format!("{}/connect/session?{query}", sb.base_url()))
        .send()
        .await
        .unwrap();
    let status = answer.status().as_u16();
    (status, answer.json().await.unwrap())
}

#[tokio::test]
async fn the_client_signs_connect_links_the_sandbox_accepts() {
    let recorder = SpanRecorder::default();
    let _guard = recorder.install();
    let sb = sandbox().await;
    let client = sandbox_client(&sb, sb.admin_key());

    let link = client.connect_link("acme", "pipedrive").await.unwrap();
    assert!(
        link.url()
            .starts_with(&format!("{}/connect?v=1&workspace=", sb.base_url())),
        "the link points at the API's connect page"
    );
    assert_eq!(link.link().workspace(), sb.workspace_id());
    assert_eq!(link.link().key_prefix(), sb.admin_key().prefix());
    let (status, session) = open_session(&sb, link.url()).await;
    assert_eq!(status, 200, "{session}");
    assert_eq!(session["customer"]["external_id"], "acme");
    assert_eq!(session["connector"]["name"], "pipedrive");

    // The workspace id was asked once; later links make no request at all.
    let spans = recorder.take();
    assert_eq!(spans.len(), 1, "{spans:#?}");
    assert_eq!(spans[0].get("url.template"), "workspace/");
    let now = munity::now_unix();
    let second = client
        .connect_link("acme", "jira")
        .ttl(Duration::from_secs(120))
        .redirect_uri("http://localhost:3000/done")
        .scope("read:projects")
        .now(now)
        .await
        .unwrap();
    assert!(recorder.take().is_empty(), "no request for a second link");
    assert_eq!(second.link().expires_at(), now + 120);
    assert_eq!(second.link().scope(), Some("read:projects"));
    assert_ne!(second.link().nonce(), link.link().nonce());
    let (status, session) = open_session(&sb, second.url()).await;
    assert_eq!(status, 200, "{session}");
    assert_eq!(session["redirect_uri"], "http://localhost:3000/done");

    // Options are checked when the link is made.
    let err = client
        .connect_link("acme", "jira")
        .ttl(Duration::from_secs(25 * 3600))
        .await
        .unwrap_err();
    assert_eq!(err.error_code(), ErrorCode::LinkTtlInvalid);
    let err = client.connect_link("", "jira").await.unwrap_err();
    assert_eq!(err.error_code(), ErrorCode::LinkInvalid);

    // A read-only key signs a link the platform refuses.
    let user = sandbox_client(&sb, sb.user_key());
    let refused = user.connect_link("acme", "jira").await.unwrap();
    assert_eq!(open_session(&sb, refused.url()).await.0, 403);
}

#[tokio::test]
async fn the_workspace_certificate_parses_with_its_published_kid() {
    let sb = sandbox().await;
    let client = sandbox_client(&sb, sb.user_key());
    let published = client.workspace().certificate().await.unwrap();
    assert!(published
        .certificate
        .starts_with("-----BEGIN CERTIFICATE-----"));
    let certificate = published.parse(munity::now_unix()).unwrap();
    assert_eq!(certificate.kid(), published.kid);
    // The key as the browser package takes it.
    assert_eq!(published.jwk.as_ref(), Some(&certificate.jwk()));
    let mut altered = published.clone();
    altered.kid = "another".into();
    let err = altered.parse(munity::now_unix()).unwrap_err();
    assert_eq!(err.error_code(), ErrorCode::CertificateInvalid);
    let mut other_key = published.clone();
    let other = WorkspacePrivateKey::generate_p256().public_certificate();
    other_key.jwk = Some(other.jwk());
    let err = other_key.parse(munity::now_unix()).unwrap_err();
    assert_eq!(err.error_code(), ErrorCode::CertificateInvalid);
    assert!(err.detail().contains("`jwk`"), "{err}");
}

#[tokio::test]
async fn the_webhook_endpoint_is_set_through_the_client_and_its_events_are_typed() {
    use munity::model::{DeliveryStatus, WebhookDeliveryListParams};
    use munity::webhook::{EventData, Webhook};

    let sb = sandbox().await;
    let client = sandbox_client(&sb, sb.admin_key());
    assert!(client.webhook().get().await.unwrap_err().is_not_found());
    let (url, seen) = sandbox_support::receiver::receiver(0).await;
    let created = client.webhook().set(&url).await.unwrap();
    assert_eq!(created.url, url);
    assert_eq!(format!("{:?}", created.secret), "WebhookSecret([redacted])");
    assert!(!format!("{created:?}").contains("whsec_"));
    assert_eq!(client.webhook().get().await.unwrap().url, url);
    let user = sandbox_client(&sb, sb.user_key());
    assert!(user
        .webhook()
        .set(&url)
        .await
        .unwrap_err()
        .is_permission_denied());

    // Deleting a connection queues `connection.deleted`.
    let acme = client
        .customers()
        .find_by_external_id("acme")
        .await
        .unwrap()
        .unwrap();
    let connection = client
        .customer(&acme.id)
        .connections()
        .list()
        .await
        .unwrap()
        .results[0]
        .clone();
    client
        .customer(&acme.id)
        .connections()
        .delete(&connection.id)
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let delivery = loop {
        if let Some(first) = seen.lock().unwrap().first().cloned() {
            break first;
        }
        assert!(Instant::now() < deadline, "no delivery");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let hook = Webhook::new(created.secret.clone());
    let event = hook
        .verify_event_http(&delivery.headers, &delivery.body, munity::now_unix())
        .unwrap();
    let EventData::ConnectionDeleted(deleted) = &event.data else {
        panic!("{event:?}")
    };
    assert_eq!(deleted.id, connection.id);
    assert_eq!(event.data.event_type(), "connection.deleted");

    let log = loop {
        let page = client
            .webhook()
            .deliveries(&WebhookDeliveryListParams::default())
            .await
            .unwrap();
        if page
            .results
            .iter()
            .any(|d| d.status == DeliveryStatus::Succeeded)
        {
            break page;
        }
        assert!(Instant::now() < deadline, "delivery not logged: {page:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(log.results[0].id, event.id);
    assert_eq!(log.results[0].event_type, "connection.deleted");
    assert_eq!(log.results[0].last_response_status, Some(204));

    client.webhook().delete().await.unwrap();
    assert!(client.webhook().get().await.unwrap_err().is_not_found());
}
