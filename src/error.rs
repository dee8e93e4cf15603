//! The crate's one error type.
//!
//! Every fallible function in `munity` returns [`Error`]. An error has
//! - a [`ErrorKind`]: a coarse category to `match` on;
//! - a [`code`](Error::code): a stable `snake_case` machine code (`link_expired`,
//!   `permission_denied`, `unsupported_key`, ...), the same string the API and the
//!   JavaScript package use, and the same code as an enum to `match` on:
//!   [`error_code`](Error::error_code) gives an [`ErrorCode`];
//! - a human-readable [`detail`](Error::detail);
//! - for API errors, the HTTP [`status`](Error::status), the
//!   [`request_id`](Error::request_id) and per-field errors ([`fields`](Error::fields));
//! - for errors of a [`Client`](crate::Client) call, the call: its
//!   [`method`](Error::method), [`path`](Error::path) and [`attempts`](Error::attempts).
//!
//! Each is a field: `Display` composes them (`code: METHOD path: detail (HTTP status,
//! request id, attempt n)`), and no part is ever cut out of another's text.
//!
//! Messages never contain keys, secrets or signed URLs: constructors take only what is
//! safe to print.
//!
//! ```
//! use munity::{Error, ErrorKind};
//!
//! let err = Error::new(ErrorKind::InvalidInput, "link_invalid", "the link has no `sig` parameter");
//! assert_eq!(err.kind(), ErrorKind::InvalidInput);
//! assert_eq!(err.code(), "link_invalid");
//! assert_eq!(err.to_string(), "link_invalid: the link has no `sig` parameter");
//! ```

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

pub use crate::error_code::ErrorCode;

/// Shorthand for `Result<T, munity::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, coarsely. New kinds may be added in minor versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The caller passed something malformed: a bad link, certificate, JSON, argument.
    InvalidInput,
    /// The client or builder is misconfigured (missing API key, bad base URL, ...).
    Config,
    /// Authentication failed: missing or wrong API key, bad signature (HTTP 401).
    Unauthenticated,
    /// Authenticated but not allowed, e.g. a write with a read-only key (HTTP 403).
    PermissionDenied,
    /// The resource does not exist (HTTP 404).
    NotFound,
    /// The request conflicts with the current state: a used link, an idempotency
    /// key reused with another body (HTTP 409/422).
    Conflict,
    /// Too many requests (HTTP 429); see [`Error::retry_after`].
    RateLimited,
    /// Something was valid once and no longer is: an expired link, envelope,
    /// certificate, or a webhook timestamp outside the tolerance.
    Expired,
    /// A signature, MAC or token did not verify.
    Verification,
    /// A key or certificate uses an algorithm or curve this crate does not support.
    Unsupported,
    /// Encryption or decryption failed.
    Crypto,
    /// The server answered with an error this crate does not map more finely (HTTP 5xx
    /// or another status).
    Api,
    /// The request could not be sent or the connection broke.
    Network,
    /// A timeout or the total time budget of a call ran out.
    Timeout,
    /// A response or stored value could not be decoded.
    Decode,
    /// Reading or writing local storage failed (sandbox database, files).
    Storage,
    /// A bug or an unexpected state inside munity.
    Internal,
}

impl ErrorKind {
    /// The default machine code for this kind, used when no finer code is known.
    pub fn default_code(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::Config => "config",
            ErrorKind::Unauthenticated => "unauthenticated",
            ErrorKind::PermissionDenied => "permission_denied",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Conflict => "conflict",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::Expired => "expired",
            ErrorKind::Verification => "verification_failed",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::Crypto => "crypto",
            ErrorKind::Api => "server",
            ErrorKind::Network => "network",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Decode => "decode",
            ErrorKind::Storage => "storage",
            ErrorKind::Internal => "internal",
        }
    }

    /// The kind an HTTP error status maps to.
    pub fn from_status(status: u16) -> ErrorKind {
        match status {
            400 | 413 | 415 => ErrorKind::InvalidInput,
            401 => ErrorKind::Unauthenticated,
            403 => ErrorKind::PermissionDenied,
            404 => ErrorKind::NotFound,
            409 | 422 => ErrorKind::Conflict,
            429 => ErrorKind::RateLimited,
            408 | 504 => ErrorKind::Timeout,
            _ => ErrorKind::Api,
        }
    }
}

/// One field's validation error, as the API reports it in a 400 answer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FieldError {
    /// The field's name (a JSON path such as `auth.secret_key` for nested fields).
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl FieldError {
    /// A field error.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// The error type of every fallible operation in this crate.
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    /// The wire code as given: no table lookup when an error is made (the browser
    /// build pays for none); [`Error::error_code`] parses it.
    code: Cow<'static, str>,
    detail: Cow<'static, str>,
    status: Option<u16>,
    request_id: Option<String>,
    retry_after: Option<Duration>,
    fields: Vec<FieldError>,
    /// Only where there is a [`Client`](crate::Client) (feature `native`): the browser
    /// build pays nothing for it.
    #[cfg(feature = "native")]
    call: Option<Call>,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

/// The API call an error came from.
#[cfg(feature = "native")]
struct Call {
    method: http::Method,
    /// Relative to the API base, without the query (which may hold secrets).
    path: String,
    attempts: u32,
}

impl Error {
    /// An error of `kind` with a machine `code` and a human `detail`.
    ///
    /// Neither `code` nor `detail` may contain secrets: they are printed.
    pub fn new(
        kind: ErrorKind,
        code: impl Into<Cow<'static, str>>,
        detail: impl Into<Cow<'static, str>>,
    ) -> Self {
        Error {
            inner: Box::new(Inner {
                kind,
                code: code.into(),
                detail: detail.into(),
                status: None,
                request_id: None,
                retry_after: None,
                fields: Vec::new(),
                #[cfg(feature = "native")]
                call: None,
                source: None,
            }),
        }
    }

    /// An error of `kind` with the kind's default code.
    pub fn from_kind(kind: ErrorKind, detail: impl Into<Cow<'static, str>>) -> Self {
        Error::new(kind, kind.default_code(), detail)
    }

    /// Shorthand for an [`ErrorKind::InvalidInput`] error.
    pub fn invalid(
        code: impl Into<Cow<'static, str>>,
        detail: impl Into<Cow<'static, str>>,
    ) -> Self {
        Error::new(ErrorKind::InvalidInput, code, detail)
    }

    /// An API error built from an HTTP status and the `{"code", "detail"}` body.
    pub fn api(
        status: u16,
        code: impl Into<Cow<'static, str>>,
        detail: impl Into<Cow<'static, str>>,
    ) -> Self {
        Error::new(ErrorKind::from_status(status), code, detail).with_status(status)
    }

    /// Sets the HTTP status.
    pub fn with_status(mut self, status: u16) -> Self {
        self.inner.status = Some(status);
        self
    }

    /// Sets the request id the server gave (`X-Request-Id`).
    pub fn with_request_id(mut self, request_id: impl Into<String>) -> Self {
        self.inner.request_id = Some(request_id.into());
        self
    }

    /// Sets how long the server asked to wait before retrying.
    pub fn with_retry_after(mut self, retry_after: Duration) -> Self {
        self.inner.retry_after = Some(retry_after);
        self
    }

    /// Sets the per-field validation errors.
    pub fn with_fields(mut self, fields: Vec<FieldError>) -> Self {
        self.inner.fields = fields;
        self
    }

    /// Names the API call that failed: its method, its path relative to the API base
    /// (no query: queries may hold secrets) and how many attempts it made.
    #[cfg(feature = "native")]
    pub(crate) fn with_call(mut self, method: http::Method, path: String, attempts: u32) -> Self {
        self.inner.call = Some(Call {
            method,
            path,
            attempts,
        });
        self
    }

    /// A new error of `kind`, `code` and `detail` that keeps this one's status, request
    /// id, `Retry-After`, fields and call, with this one as its source: for a caller
    /// that explains why it stopped at this error.
    #[cfg(feature = "native")]
    pub(crate) fn restated(
        self,
        kind: ErrorKind,
        code: impl Into<Cow<'static, str>>,
        detail: impl Into<Cow<'static, str>>,
    ) -> Error {
        let mut out = Error::new(kind, code, detail);
        out.inner.status = self.inner.status;
        out.inner.request_id = self.inner.request_id.clone();
        out.inner.retry_after = self.inner.retry_after;
        out.inner.fields = self.inner.fields.clone();
        out.inner.call = self.inner.call.as_ref().map(|call| Call {
            method: call.method.clone(),
            path: call.path.clone(),
            attempts: call.attempts,
        });
        out.with_source(self)
    }

    /// Attaches the underlying cause. Its Display must not contain secrets either.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.inner.source = Some(Box::new(source));
        self
    }

    /// The coarse category.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The stable machine code, e.g. `link_expired` or `permission_denied`: the wire
    /// spelling of [`error_code`](Self::error_code).
    pub fn code(&self) -> &str {
        &self.inner.code
    }

    /// The machine code as an enum to `match` on; a code this version does not know is
    /// [`ErrorCode::Unknown`] with its text. (Parsed from [`code`](Self::code) on each
    /// call: cheap, but keep the value when matching it several times.)
    ///
    /// ```
    /// # fn handle(err: munity::Error) {
    /// use munity::ErrorCode;
    /// match err.error_code() {
    ///     ErrorCode::LinkExpired | ErrorCode::LinkUsed => { /* make a new link */ }
    ///     ErrorCode::PermissionDenied => { /* this key can only read */ }
    ///     _ => { /* ... */ }
    /// }
    /// # }
    /// ```
    pub fn error_code(&self) -> ErrorCode {
        ErrorCode::from(self.code())
    }

    /// True when the end user's link can no longer be used and a new link is the fix:
    /// it expired or was used already ([`ErrorCode::needs_new_link`]).
    pub fn needs_new_link(&self) -> bool {
        crate::error_code::NEEDS_NEW_LINK.contains(&self.code())
    }

    /// The human-readable explanation.
    pub fn detail(&self) -> &str {
        &self.inner.detail
    }

    /// The HTTP status, for errors that came from a response.
    pub fn status(&self) -> Option<u16> {
        self.inner.status
    }

    /// The server's request id (`X-Request-Id`), to quote to support.
    pub fn request_id(&self) -> Option<&str> {
        self.inner.request_id.as_deref()
    }

    /// How long the server asked to wait (`Retry-After`), if it said.
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }

    /// Per-field validation errors (empty when there are none).
    pub fn fields(&self) -> &[FieldError] {
        &self.inner.fields
    }

    /// The HTTP method of the [`Client`](crate::Client) call that failed.
    #[cfg(feature = "native")]
    #[cfg_attr(docsrs, doc(cfg(feature = "native")))]
    pub fn method(&self) -> Option<&http::Method> {
        self.inner.call.as_ref().map(|call| &call.method)
    }

    /// The path of the [`Client`](crate::Client) call that failed, relative to the API
    /// base and without its query (`customers/cus_1/`).
    #[cfg(feature = "native")]
    #[cfg_attr(docsrs, doc(cfg(feature = "native")))]
    pub fn path(&self) -> Option<&str> {
        self.inner.call.as_ref().map(|call| call.path.as_str())
    }

    /// How many attempts the [`Client`](crate::Client) call that failed made (1 when it
    /// was not retried).
    #[cfg(feature = "native")]
    #[cfg_attr(docsrs, doc(cfg(feature = "native")))]
    pub fn attempts(&self) -> Option<u32> {
        self.inner.call.as_ref().map(|call| call.attempts)
    }

    /// True for a timeout or an exhausted time budget.
    pub fn is_timeout(&self) -> bool {
        self.inner.kind == ErrorKind::Timeout
    }

    /// True for HTTP 404 or any `not_found` code.
    pub fn is_not_found(&self) -> bool {
        self.inner.kind == ErrorKind::NotFound
    }

    /// True when the API key is missing or wrong (HTTP 401).
    pub fn is_unauthenticated(&self) -> bool {
        self.inner.kind == ErrorKind::Unauthenticated
    }

    /// True when the key may not do this, e.g. a write with a read-only key (HTTP 403).
    pub fn is_permission_denied(&self) -> bool {
        self.inner.kind == ErrorKind::PermissionDenied
    }

    /// True for HTTP 429; [`retry_after`](Self::retry_after) says how long to wait.
    pub fn is_rate_limited(&self) -> bool {
        self.inner.kind == ErrorKind::RateLimited
    }

    /// True for a `validation` answer; [`fields`](Self::fields) names the fields.
    pub fn is_validation(&self) -> bool {
        ErrorCode::Validation == *self.code()
    }

    /// True for a conflict with the current state: an existing external id, a used link,
    /// an idempotency key reused with another body (HTTP 409).
    pub fn is_conflict(&self) -> bool {
        self.inner.kind == ErrorKind::Conflict
    }

    /// True when retrying the same request later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.inner.kind,
            ErrorKind::RateLimited | ErrorKind::Network | ErrorKind::Timeout
        ) || matches!(self.inner.status, Some(502..=504))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.inner.code)?;
        #[cfg(feature = "native")]
        if let Some(call) = &self.inner.call {
            write!(f, "{} {}: ", call.method, call.path)?;
        }
        f.write_str(&self.inner.detail)?;
        // ` (HTTP 503, request req_1, attempt 3)`: the parts there are.
        let mut separator = " (";
        if let Some(status) = self.inner.status {
            write!(f, "{separator}HTTP {status}")?;
            separator = ", ";
        }
        if let Some(id) = &self.inner.request_id {
            write!(f, "{separator}request {id}")?;
            separator = ", ";
        }
        #[cfg(feature = "native")]
        if let Some(attempts) = self.attempts().filter(|&n| n > 1) {
            write!(f, "{separator}attempt {attempts}")?;
            separator = ", ";
        }
        if separator == ", " {
            f.write_str(")")?;
        }
        for field in &self.inner.fields {
            write!(f, "; {}: {}", field.field, field.message)?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.inner.kind)
            .field("code", &self.inner.code)
            .field("detail", &self.inner.detail);
        if let Some(status) = self.inner.status {
            d.field("status", &status);
        }
        if let Some(id) = &self.inner.request_id {
            d.field("request_id", id);
        }
        if let Some(after) = self.inner.retry_after {
            d.field("retry_after", &after);
        }
        if !self.inner.fields.is_empty() {
            d.field("fields", &self.inner.fields);
        }
        #[cfg(feature = "native")]
        if let Some(call) = &self.inner.call {
            d.field("method", &call.method)
                .field("path", &call.path)
                .field("attempts", &call.attempts);
        }
        if let Some(source) = &self.inner.source {
            d.field("source", &source.to_string());
        }
        d.finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}

impl From<serde_json::Error> for Error {
    fn from(err: serde_json::Error) -> Self {
        // serde_json's message quotes the values it rejects, which may be secrets:
        // the crate's one redaction path leaves them out.
        Error::new(
            ErrorKind::Decode,
            "invalid_json",
            crate::redact::json_error(&err),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_code_status_and_request_id() {
        let err = Error::api(403, "permission_denied", "this key can only read")
            .with_request_id("req_123");
        assert_eq!(err.kind(), ErrorKind::PermissionDenied);
        assert_eq!(
            err.to_string(),
            "permission_denied: this key can only read (HTTP 403, request req_123)"
        );
    }

    #[test]
    #[cfg(feature = "native")]
    fn display_composes_the_call() {
        let err = Error::api(503, "unavailable", "down for maintenance")
            .with_request_id("req_1")
            .with_call(http::Method::GET, "workspace/".into(), 3);
        assert_eq!(
            err.to_string(),
            "unavailable: GET workspace/: down for maintenance (HTTP 503, request req_1, attempt 3)"
        );
        assert_eq!(
            (err.method(), err.path(), err.attempts()),
            (Some(&http::Method::GET), Some("workspace/"), Some(3))
        );
        let err = Error::new(ErrorKind::Network, "connect_failed", "connection refused").with_call(
            http::Method::POST,
            "customers/".into(),
            1,
        );
        assert_eq!(
            err.to_string(),
            "connect_failed: POST customers/: connection refused"
        );
        let restated = err.restated(ErrorKind::Timeout, "timeout", "no answer in 1.0 s");
        assert_eq!(restated.path(), Some("customers/"));
        assert_eq!(
            std::error::Error::source(&restated).map(ToString::to_string),
            Some("connect_failed: POST customers/: connection refused".to_owned())
        );
        let plain = Error::invalid("link_invalid", "no sig");
        assert_eq!(
            (plain.method(), plain.path(), plain.attempts()),
            (None, None, None)
        );
        assert_eq!(plain.to_string(), "link_invalid: no sig");
    }

    #[test]
    fn status_maps_to_kind() {
        assert_eq!(ErrorKind::from_status(401), ErrorKind::Unauthenticated);
        assert_eq!(ErrorKind::from_status(409), ErrorKind::Conflict);
        assert_eq!(ErrorKind::from_status(429), ErrorKind::RateLimited);
        assert_eq!(ErrorKind::from_status(500), ErrorKind::Api);
        assert!(Error::api(503, "unavailable", "try later").is_retryable());
        assert!(!Error::api(400, "validation", "bad").is_retryable());
    }

    #[test]
    fn typed_code_and_predicates() {
        let err = Error::api(403, "permission_denied", "read only");
        assert_eq!(err.error_code(), ErrorCode::PermissionDenied);
        assert!(err.is_permission_denied() && !err.is_not_found());
        let err = Error::api(400, "validation", "bad");
        assert!(err.is_validation());
        let err = Error::api(409, "already_exists", "taken");
        assert!(err.is_conflict());
        assert_eq!(err.error_code(), ErrorCode::AlreadyExists);
        let err = Error::api(418, String::from("teapot_mode"), "new");
        assert_eq!(err.code(), "teapot_mode");
        assert_eq!(err.error_code(), ErrorCode::Unknown("teapot_mode".into()));
        assert!(Error::api(404, "not_found", "x").is_not_found());
        assert!(Error::api(401, "unauthenticated", "x").is_unauthenticated());
        assert!(Error::api(429, "rate_limited", "x").is_rate_limited());
        assert_eq!(format!("{err:?}").matches("teapot_mode").count(), 1);
        assert!(Error::new(ErrorKind::Expired, ErrorCode::LinkExpired, "x").needs_new_link());
        assert!(Error::new(ErrorKind::Conflict, "link_used", "x").needs_new_link());
        assert!(!Error::new(ErrorKind::Expired, "expired", "x").needs_new_link());
    }

    #[test]
    fn fields_are_listed() {
        let err = Error::api(400, "validation", "invalid request")
            .with_fields(vec![FieldError::new("name", "is required")]);
        assert_eq!(err.fields().len(), 1);
        assert!(err.to_string().ends_with("; name: is required"));
    }
}
