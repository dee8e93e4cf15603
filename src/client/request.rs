//! The one way to make a call: the raw [`RequestBuilder`] (typed resources build one
//! too) and [`Create`]. Sending a prepared request is [`retry::send`](super::retry)'s
//! job.

use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Method};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::response::RawResponse;
use super::{query, retry};
use super::{Client, RetryPolicy};
use crate::{Error, Result};

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
        retry::send(&self.prepare()?).await
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
            template: self.template.unwrap_or_else(|| path.clone()),
            path,
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
pub(super) struct Prepared {
    pub(super) client: Client,
    pub(super) method: Method,
    /// Relative to the API base, no query: what errors name.
    pub(super) path: String,
    /// The path with `{id}` for ids, for the span.
    pub(super) template: String,
    pub(super) url: reqwest::Url,
    pub(super) body: Option<Bytes>,
    pub(super) idempotency_key: Option<HeaderValue>,
    /// The request may be sent again after a failure whose outcome is unknown.
    pub(super) retry_safe: bool,
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
