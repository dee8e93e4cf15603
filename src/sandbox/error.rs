//! The sandbox's error answers: every failure becomes a JSON [`ApiErrorBody`] with the
//! status and code that `api.md` gives it.

use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::model::ApiErrorBody;
use crate::{Error, ErrorKind, FieldError};

/// An answer that is an error: a [`crate::Error`] with the HTTP status it is sent with.
#[derive(Debug)]
pub(crate) struct ApiError(pub(crate) Error);

impl ApiError {
    /// An error with an explicit status and code.
    pub(crate) fn new(
        status: u16,
        code: impl Into<std::borrow::Cow<'static, str>>,
        detail: impl Into<String>,
    ) -> Self {
        ApiError(Error::api(status, code, detail.into()))
    }

    /// 401 `unauthenticated`.
    pub(crate) fn unauthenticated(detail: &'static str) -> Self {
        ApiError::new(401, "unauthenticated", detail)
    }

    /// 403 `permission_denied`.
    pub(crate) fn permission_denied() -> Self {
        ApiError::new(
            403,
            "permission_denied",
            "this API key has user privilege: it can read but not write",
        )
    }

    /// 404 `not_found`, naming the kind of object.
    pub(crate) fn not_found(what: &str) -> Self {
        ApiError::new(404, "not_found", format!("no such {what}"))
    }

    /// 400 `validation` with per-field messages.
    pub(crate) fn validation(fields: Vec<FieldError>) -> Self {
        ApiError(
            Error::api(400, "validation", "the request is not valid; see `fields`")
                .with_fields(fields),
        )
    }

    /// 400 `validation` for one field.
    pub(crate) fn field(field: &str, message: impl Into<String>) -> Self {
        ApiError::validation(vec![FieldError::new(field, message)])
    }

    /// 409 with a code.
    pub(crate) fn conflict(
        code: impl Into<std::borrow::Cow<'static, str>>,
        detail: impl Into<String>,
    ) -> Self {
        ApiError::new(409, code, detail)
    }

    /// 413 `payload_too_large`.
    pub(crate) fn payload_too_large(limit: usize) -> Self {
        ApiError::new(
            413,
            "payload_too_large",
            format!("the request body is larger than {limit} bytes"),
        )
    }

    /// 429 `rate_limited` with the time to wait.
    pub(crate) fn rate_limited(detail: &'static str, retry_after: Duration) -> Self {
        ApiError(Error::api(429, "rate_limited", detail).with_retry_after(retry_after))
    }

    /// 503 `unavailable`.
    pub(crate) fn unavailable(detail: &'static str) -> Self {
        ApiError::new(503, "unavailable", detail)
    }

    /// 500 `internal`: a storage or other server-side failure. The cause goes to the log,
    /// not to the client.
    pub(crate) fn internal(err: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %err, "internal error");
        ApiError::new(500, "internal", "the sandbox failed to handle the request")
    }

    /// The HTTP status of this answer.
    pub(crate) fn status(&self) -> StatusCode {
        let status = self.0.status().unwrap_or(match self.0.kind() {
            ErrorKind::InvalidInput | ErrorKind::Decode => 400,
            ErrorKind::Unauthenticated => 401,
            ErrorKind::PermissionDenied => 403,
            ErrorKind::NotFound => 404,
            ErrorKind::Conflict => 409,
            ErrorKind::RateLimited => 429,
            _ => 500,
        });
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The JSON body.
    pub(crate) fn body(&self) -> ApiErrorBody {
        ApiErrorBody {
            code: self.0.code().to_owned(),
            detail: self.0.detail().to_owned(),
            fields: self.0.fields().to_vec(),
        }
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(err: rusqlite::Error) -> Self {
        ApiError::internal(&err)
    }
}

impl From<Error> for ApiError {
    fn from(err: Error) -> Self {
        ApiError(err)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = serde_json::to_vec(&self.body()).unwrap_or_default();
        let mut response = (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            body,
        )
            .into_response();
        if let Some(after) = self.0.retry_after() {
            let secs = after.as_secs().max(1);
            if let Ok(value) = HeaderValue::from_str(&secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}
