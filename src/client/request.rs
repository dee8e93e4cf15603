//! The one send path: the raw [`RequestBuilder`], and the retry loop every call goes
//! through (typed resources build a `RequestBuilder` too).

use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderValue, Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use tracing::Instrument as _;

use super::query;
use super::response::{error_from_answer, error_from_transport, RawResponse};
use super::{Client, RetryPolicy};
use crate::{Error, ErrorKind, Result};

/// The header that makes a POST safe to retry.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// A request to any API path, sent through the client's retry logic.
///
/// Made by [`Client::request`]. Like reqwest's builder it never panics: the first
/// problem (a bad path, a body that does not serialize, an invalid idempotency key) is
/// kept and returned by `send`.
///
/// Retries: GET, HEAD, OPTIONS, PUT and DELETE are retried; a POST or PATCH only when it
/// carries an idempotency key ([`idempotency_key`](Self::idempotency_key)) or the caller
/// declares it safe with [`retry_safe`](Self::retry_safe).
#[must_use = "a request does nothing until it is sent"]
pub struct RequestBuilder {
    client: Client,
    method: Method,
    path: Result<String>,
    /// The path with `{id}` for ids (typed calls); the path itself when `None`.
    template: Option<String>,
    query: Vec<(String, String)>,
    body: Option<Bytes>,
    idempotency_key: Option<HeaderValue>,
    retry_safe: Option<bool>,
    error: Option<Error>,
}

impl RequestBuilder {
    pub(crate) fn new(client: Client, method: Method, path: &str) -> Self {
        RequestBuilder {
            client,
            method,
            path: query::relative_path(path),
            template: None,
            query: Vec::new(),
            body: None,
            idempotency_key: None,
            retry_safe: None,
            error: None,
        }
    }

    /// Names the call in its tracing span by `template` (`customers/{id}/`) instead of
    /// its path.
    pub(crate) fn template(mut self, template: String) -> Self {
        self.template = Some(template);
        self
    }

    /// The longest time this call may take, all its retries and waits included,
    /// instead of the client's [`timeout`](super::ClientBuilder::timeout).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.client = self.client.with_timeout(timeout);
        self
    }

    /// How this call is retried, instead of the client's
    /// [`retry`](super::ClientBuilder::retry) policy (its attempts and its budget).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.client = self.client.with_retry(policy);
        self
    }

    /// A builder that will fail with `err` when sent.
    pub(crate) fn with_error(mut self, err: Error) -> Self {
        self.fail(err);
        self
    }

    fn fail(&mut self, err: Error) {
        if self.error.is_none() {
            self.error = Some(err);
        }
    }

    /// Adds query parameters from a flat serializable value (a struct or map of
    /// scalars; `None` fields are left out). Parameters are sorted by name.
    pub fn query<Q: Serialize + ?Sized>(mut self, params: &Q) -> Self {
        match query::to_pairs(params) {
            Ok(pairs) => self.query_pairs(pairs),
            Err(e) => {
                self.fail(e);
                self
            }
        }
    }

    /// Adds query pairs that are already split into names and values.
    pub(crate) fn query_pairs(mut self, pairs: Vec<(String, String)>) -> Self {
        self.query.extend(pairs);
        self.query.sort_by(|a, b| a.0.cmp(&b.0));
        self
    }

    /// Sets a JSON body.
    pub fn json<B: Serialize + ?Sized>(mut self, body: &B) -> Self {
        match serde_json::to_vec(body) {
            Ok(bytes) => self.body = Some(Bytes::from(bytes)),
            Err(e) => self.fail(Error::invalid(
                "invalid_body",
                format!("the request body does not serialize to JSON: {e}"),
            )),
        }
        self
    }

    /// Sets the `Idempotency-Key` header (1 to 255 printable ASCII characters). The same
    /// key is sent on every retry of this call, so the server does the work once.
    pub fn idempotency_key(mut self, key: impl AsRef<str>) -> Self {
        match idempotency_header(key.as_ref()) {
            Ok(value) => self.idempotency_key = Some(value),
            Err(e) => self.fail(e),
        }
        self
    }

    /// Sets a fresh random idempotency key (128 bits, base64url).
    pub(crate) fn auto_idempotency_key(mut self) -> Self {
        let key = new_idempotency_key();
        // 22 base64url characters: always a valid header value.
        self.idempotency_key = HeaderValue::from_str(&key).ok();
        self
    }

    /// Declares whether the request may be sent again after a failure whose outcome is
    /// unknown (a dropped connection, 502, 503, 504), overriding the method's default.
    pub fn retry_safe(mut self, safe: bool) -> Self {
        self.retry_safe = Some(safe);
        self
    }

    /// Sends the request and decodes a JSON answer.
    pub async fn send<T: DeserializeOwned>(self) -> Result<T> {
        self.send_raw().await?.json()
    }

    /// Sends the request and returns the successful answer undecoded (for 204 answers,
    /// or bodies that are not JSON).
    pub async fn send_raw(self) -> Result<RawResponse> {
        let prepared = self.prepare()?;
        prepared.client.execute(&prepared).await
    }

    /// The URL this request would go to (tests pin query strings with it).
    #[cfg(test)]
    pub(crate) fn url(self) -> Result<String> {
        Ok(self.prepare()?.url.to_string())
    }

    fn prepare(self) -> Result<Prepared> {
        if let Some(err) = self.error {
            return Err(err);
        }
        self.client.check_call_options()?;
        let path = self.path?;
        let mut url = format!("{}{}", self.client.inner.base, path);
        if !self.query.is_empty() {
            url.push('?');
            url.push_str(&query::encode(&self.query));
        }
        let url = reqwest::Url::parse(&url).map_err(|e| {
            Error::invalid("invalid_path", format!("the request URL is invalid: {e}"))
        })?;
        let retry_safe = self.retry_safe.unwrap_or(
            self.idempotency_key.is_some()
                || matches!(
                    self.method,
                    Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE
                ),
        );
        Ok(Prepared {
            what: format!("{} {}", self.method, path),
            template: self.template.unwrap_or(path),
            client: self.client,
            method: self.method,
            url,
            body: self.body,
            idempotency_key: self.idempotency_key,
            retry_safe,
        })
    }
}

impl std::fmt::Debug for RequestBuilder {
    /// Method, path and sizes only: query values and bodies may hold secrets (a
    /// credential record's password).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestBuilder")
            .field("method", &self.method)
            .field("path", &self.path.as_deref().unwrap_or("<invalid>"))
            .field("timeout", &self.client.call_timeout())
            .field(
                "query",
                &self
                    .query
                    .iter()
                    .map(|(k, _)| k.as_str())
                    .collect::<Vec<_>>(),
            )
            .field("body_bytes", &self.body.as_ref().map(Bytes::len))
            .field("idempotency_key", &self.idempotency_key.is_some())
            .field("error", &self.error)
            .finish()
    }
}

/// A request ready to send, possibly several times.
struct Prepared {
    client: Client,
    /// `METHOD path` for messages: no host, no query.
    what: String,
    /// The path with `{id}` for ids, for the span.
    template: String,
    method: Method,
    url: reqwest::Url,
    body: Option<Bytes>,
    idempotency_key: Option<HeaderValue>,
    retry_safe: bool,
}

/// A new idempotency key: 128 random bits, base64url without padding.
pub(crate) fn new_idempotency_key() -> String {
    crate::base64_strict::encode_url(&crate::random::bytes::<16>())
}

fn idempotency_header(key: &str) -> Result<HeaderValue> {
    let ok = (1..=255).contains(&key.len()) && key.bytes().all(|b| (0x21..=0x7e).contains(&b));
    if !ok {
        return Err(Error::invalid(
            "invalid_idempotency_key",
            "an idempotency key is 1 to 255 printable ASCII characters without spaces",
        ));
    }
    HeaderValue::from_str(key).map_err(|_| {
        Error::invalid(
            "invalid_idempotency_key",
            "the idempotency key is not a valid header value",
        )
    })
}

/// What one attempt gave, and whether another attempt may help.
enum Outcome {
    Done(RawResponse),
    Failed {
        error: Error,
        /// Another attempt may succeed and is safe.
        retry: bool,
        /// The server may have done the work: the request may have reached it and the
        /// answer says nothing (a broken connection after sending, 502, 503, 504).
        unknown: bool,
    },
}

/// The time from `now` to `end`; unbounded when `end` is too far to represent.
fn time_left(end: Option<Instant>, now: Instant) -> Duration {
    end.map_or(Duration::MAX, |end| end.saturating_duration_since(now))
}

/// The span of one API call: the OpenTelemetry HTTP client conventions' names where
/// they exist (`http.request.method`, `url.template`, `server.address`, `server.port`,
/// `http.response.status_code`, `http.request.resend_count`, `error.type`), the
/// `otel.*` fields `tracing-opentelemetry` reads, and munity's own (`munity.request_id`,
/// `munity.attempts`, `munity.duration_ms`). No field holds the key, a query or a body.
fn call_span(req: &Prepared) -> tracing::Span {
    tracing::info_span!(
        target: "munity::client",
        "munity.request",
        otel.name = %format_args!("{} {}", req.method, req.template),
        otel.kind = "client",
        otel.status_code = tracing::field::Empty,
        http.request.method = %req.method,
        url.template = %req.template,
        server.address = req.url.host_str().unwrap_or_default(),
        server.port = req.url.port_or_known_default(),
        http.response.status_code = tracing::field::Empty,
        http.request.resend_count = tracing::field::Empty,
        error.type = tracing::field::Empty,
        munity.request_id = tracing::field::Empty,
        munity.attempts = tracing::field::Empty,
        munity.duration_ms = tracing::field::Empty,
    )
}

/// Records one attempt's answer (status and request id) in the call's span.
fn record_answer(span: &tracing::Span, status: Option<u16>, request_id: Option<&str>) {
    if let Some(status) = status {
        span.record("http.response.status_code", status);
    }
    if let Some(id) = request_id {
        span.record("munity.request_id", id);
    }
}

impl Client {
    /// Sends `req` in its own span (see [`call_span`]), recording how the call ended.
    async fn execute(&self, req: &Prepared) -> Result<RawResponse> {
        let span = call_span(req);
        let start = Instant::now();
        let mut attempts = 0;
        let result = self
            .execute_attempts(req, &span, &mut attempts)
            .instrument(span.clone())
            .await;
        if attempts > 1 {
            span.record("http.request.resend_count", attempts - 1);
        }
        span.record("munity.attempts", attempts);
        span.record(
            "munity.duration_ms",
            u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX),
        );
        match &result {
            Ok(_) => {
                span.record("otel.status_code", "ok");
            }
            Err(error) => {
                span.record("otel.status_code", "error");
                span.record("error.type", error.code());
            }
        }
        result
    }

    /// Sends `req` until it succeeds, fails for good, runs out of attempts, or runs out
    /// of time. It never waits past the call's timeout: a retry whose wait
    /// (`Retry-After` or backoff) would end after the retry budget is not made.
    /// `attempt` counts the attempts made.
    async fn execute_attempts(
        &self,
        req: &Prepared,
        span: &tracing::Span,
        attempt: &mut u32,
    ) -> Result<RawResponse> {
        let timeout = self.call_timeout();
        let policy = self.call_retry();
        let start = Instant::now();
        // `None`: a timeout too long to add to an instant (e.g. `Duration::MAX`).
        let deadline = start.checked_add(timeout);
        let retry_end = start.checked_add(policy.get_budget().min(timeout));
        let mut last: Option<Error> = None;
        let mut earlier_unknown = false;
        loop {
            *attempt += 1;
            let attempt = *attempt;
            let remaining = time_left(deadline, Instant::now());
            let outcome =
                match tokio::time::timeout(remaining, self.attempt(req, earlier_unknown)).await {
                    Ok(outcome) => outcome,
                    Err(_) => return Err(timed_out(req, timeout, attempt, last)),
                };
            match &outcome {
                Outcome::Done(response) => record_answer(
                    span,
                    Some(response.status().as_u16()),
                    response.request_id(),
                ),
                Outcome::Failed { error, .. } => {
                    record_answer(span, error.status(), error.request_id())
                }
            }
            let error = match outcome {
                Outcome::Done(response) => return Ok(response),
                Outcome::Failed {
                    error,
                    retry,
                    unknown,
                } => {
                    if !retry {
                        return Err(if unknown && !req.retry_safe {
                            restate(
                                &req.what,
                                error,
                                "not retried: it may have been done and is not safe to repeat (a POST or PATCH needs an idempotency key)",
                            )
                        } else {
                            error
                        });
                    }
                    if attempt >= policy.get_max_attempts() {
                        let why = format!(
                            "gave up after {attempt} attempt{} in {}, the most the retry policy allows",
                            plural(attempt),
                            secs(start.elapsed())
                        );
                        return Err(restate(&req.what, error, &why));
                    }
                    earlier_unknown |= unknown;
                    error
                }
            };
            let wait = error
                .retry_after()
                .unwrap_or_else(|| policy.backoff(attempt));
            let now = Instant::now();
            if wait > time_left(retry_end, now) {
                let budget = policy.get_budget().min(timeout);
                return Err(budget_exhausted(
                    req,
                    error,
                    attempt,
                    now - start,
                    wait,
                    budget,
                ));
            }
            // An event inside the call's span.
            tracing::debug!(
                target: "munity::client",
                call = %req.what,
                attempt,
                code = error.code(),
                status = error.status(),
                wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                "retrying"
            );
            tokio::time::sleep(wait).await;
            last = Some(error);
        }
    }

    /// One attempt: send, read the whole body, classify. `earlier_unknown`: an earlier
    /// attempt of this call may have been done.
    async fn attempt(&self, req: &Prepared, earlier_unknown: bool) -> Outcome {
        let inner = &self.inner;
        let mut builder = inner
            .http
            .request(req.method.clone(), req.url.clone())
            .header(http::header::AUTHORIZATION, inner.authorization.clone())
            .header(http::header::USER_AGENT, inner.user_agent.clone())
            .header(
                http::header::ACCEPT,
                HeaderValue::from_static("application/json"),
            );
        if let Some(key) = &req.idempotency_key {
            builder = builder.header(IDEMPOTENCY_KEY, key.clone());
        }
        if let Some(body) = &req.body {
            builder = builder
                .header(
                    http::header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                )
                .body(body.clone());
        }
        let transport = |e: reqwest::Error| {
            // A failed connect never reached the server: safe for any method.
            let unknown = !e.is_connect();
            Outcome::Failed {
                error: error_from_transport(&req.what, e, &inner.key),
                retry: !unknown || req.retry_safe,
                unknown,
            }
        };
        let response = match builder.send().await {
            Ok(r) => r,
            Err(e) => return transport(e),
        };
        let status = response.status();
        let mut headers = response.headers().clone();
        let body = match response.bytes().await {
            Ok(b) => b,
            Err(e) => return transport(e),
        };
        if status.is_success() {
            return Outcome::Done(RawResponse::new(status, headers, body));
        }
        if status == StatusCode::NOT_FOUND && req.method == Method::DELETE && earlier_unknown {
            // An earlier attempt whose answer was lost deleted it: what was asked is done.
            headers.remove(http::header::CONTENT_TYPE);
            headers.remove(http::header::CONTENT_LENGTH);
            return Outcome::Done(RawResponse::new(
                StatusCode::NO_CONTENT,
                headers,
                Bytes::new(),
            ));
        }
        let error = error_from_answer(&req.what, status, &headers, &body, &inner.key);
        let (retry, unknown) = match status {
            // Refused before any work was done.
            StatusCode::TOO_MANY_REQUESTS => (true, false),
            StatusCode::BAD_GATEWAY
            | StatusCode::SERVICE_UNAVAILABLE
            | StatusCode::GATEWAY_TIMEOUT => (req.retry_safe, true),
            _ => (false, false),
        };
        Outcome::Failed {
            error,
            retry,
            unknown,
        }
    }
}

/// An error's `code: detail`, without the `METHOD path: ` its detail may start with.
fn summary(what: &str, error: &Error) -> String {
    format!("{}: {}", error.code(), own_detail(what, error))
}

/// An error's detail without the `METHOD path: ` it may start with.
fn own_detail<'a>(what: &str, error: &'a Error) -> &'a str {
    let detail = error.detail();
    detail
        .strip_prefix(what)
        .and_then(|d| d.strip_prefix(": "))
        .unwrap_or(detail)
}

/// `error` with the same kind, code, status, request id, `Retry-After` and fields, and
/// a detail that says why the call stopped there.
fn restate(what: &str, error: Error, why: &str) -> Error {
    let mut out = Error::new(
        error.kind(),
        error.code().to_owned(),
        format!("{what}: {why}; last error: {}", own_detail(what, &error)),
    )
    .with_fields(error.fields().to_vec());
    if let Some(status) = error.status() {
        out = out.with_status(status);
    }
    carry(out, error)
}

/// `out` with `error`'s request id and `Retry-After`, and `error` as its source.
fn carry(mut out: Error, error: Error) -> Error {
    if let Some(id) = error.request_id() {
        out = out.with_request_id(id.to_owned());
    }
    if let Some(after) = error.retry_after() {
        out = out.with_retry_after(after);
    }
    out.with_source(error)
}

/// The error of a call whose attempt was still unanswered at the call's timeout.
fn timed_out(req: &Prepared, timeout: Duration, attempt: u32, last: Option<Error>) -> Error {
    let mut detail = format!(
        "{}: no answer within the call's timeout of {} (attempt {attempt})",
        req.what,
        secs(timeout)
    );
    let Some(last) = last else {
        return Error::new(ErrorKind::Timeout, "timeout", detail);
    };
    detail.push_str("; the attempt before failed: ");
    detail.push_str(&summary(&req.what, &last));
    let mut out = Error::new(ErrorKind::Timeout, "timeout", detail);
    if let Some(status) = last.status() {
        out = out.with_status(status);
    }
    carry(out, last)
}

/// The error of a call whose next retry would start past its retry budget.
fn budget_exhausted(
    req: &Prepared,
    error: Error,
    attempt: u32,
    elapsed: Duration,
    wait: Duration,
    budget: Duration,
) -> Error {
    let mut out = Error::new(
        ErrorKind::Timeout,
        "retry_budget_exhausted",
        format!(
            "{}: gave up after {attempt} attempt{} in {}: the next try would start {} from now, past the call's retry budget of {}; last error: {}",
            req.what,
            plural(attempt),
            secs(elapsed),
            secs(wait),
            secs(budget),
            summary(&req.what, &error),
        ),
    );
    if let Some(status) = error.status() {
        out = out.with_status(status);
    }
    carry(out, error)
}

fn plural(n: u32) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

/// A create call (`POST`): await it, or first set your own idempotency key.
///
/// Every create carries an `Idempotency-Key`: a fresh random one unless you set one
/// with [`idempotency_key`](Self::idempotency_key). Retries of the call reuse it, so a
/// create whose answer was lost is done once.
#[derive(Debug)]
#[must_use = "a create does nothing until it is awaited"]
pub struct Create<T> {
    request: RequestBuilder,
    _out: PhantomData<fn() -> T>,
}

impl<T> Create<T> {
    pub(crate) fn new(request: RequestBuilder) -> Self {
        Create {
            request: request.auto_idempotency_key(),
            _out: PhantomData,
        }
    }

    /// Uses your own idempotency key (1 to 255 printable ASCII characters), e.g. an
    /// order id, so that a create repeated by your own retry logic is done once too.
    pub fn idempotency_key(mut self, key: impl AsRef<str>) -> Self {
        self.request = self.request.idempotency_key(key);
        self
    }

    /// The longest time this create may take, retries included (see
    /// [`RequestBuilder::timeout`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.request = self.request.timeout(timeout);
        self
    }

    /// How this create is retried (see [`RequestBuilder::retry`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.request = self.request.retry(policy);
        self
    }
}

impl<T: DeserializeOwned + Send + 'static> IntoFuture for Create<T> {
    type Output = Result<T>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<T>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.request.send::<T>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idempotency_keys_are_random_and_valid() {
        let a = new_idempotency_key();
        let b = new_idempotency_key();
        assert_eq!(a.len(), 22);
        assert_ne!(a, b);
        assert!(idempotency_header(&a).is_ok());
    }

    #[test]
    fn debug_shows_no_body_or_query_values() {
        let client = crate::Client::builder()
            .api_key("REM0aW39.NfO0123456789CNeHpF29wo012345678")
            .build()
            .unwrap();
        let req = client
            .request(Method::POST, "credentials/")
            .query(&[("token", "q-secret")])
            .json(&serde_json::json!({"password": "b-secret"}));
        let create: Create<serde_json::Value> = Create::new(req);
        let shown = format!("{create:?}");
        assert!(
            !shown.contains("secret") && !shown.contains("NfO0"),
            "{shown}"
        );
        assert!(shown.contains("credentials/"), "{shown}");
    }

    #[test]
    fn idempotency_key_rules() {
        assert!(idempotency_header("order-42").is_ok());
        assert!(idempotency_header(&"k".repeat(255)).is_ok());
        for bad in ["", "has space", "tab\t", "é", &"k".repeat(256)] {
            assert_eq!(
                idempotency_header(bad).unwrap_err().code(),
                "invalid_idempotency_key"
            );
        }
    }
}
