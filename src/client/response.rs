//! Answers: the raw response type, and turning error answers and transport failures into
//! [`Error`]s that say what happened without repeating the key or the full URL. Which
//! call it was is added by the retry loop, as fields of the error.

use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;

use super::retry::parse_retry_after;
use crate::model::ApiErrorBody;
use crate::redact::without_key;
use crate::{ApiKey, Error, ErrorKind, FieldError};

/// How much of a non-JSON error body is kept in the error's detail.
const BODY_EXCERPT_CHARS: usize = 200;

/// A successful answer, undecoded: what [`RequestBuilder::send_raw`](super::RequestBuilder::send_raw) returns.
#[derive(Debug, Clone)]
pub struct RawResponse {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl RawResponse {
    pub(crate) fn new(status: StatusCode, headers: HeaderMap, body: Bytes) -> Self {
        RawResponse {
            status,
            headers,
            body,
        }
    }

    /// The HTTP status (2xx).
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The server's request id (`X-Request-Id`), if it sent one.
    pub fn request_id(&self) -> Option<&str> {
        request_id(&self.headers)
    }

    /// The body bytes.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// Decodes the body as JSON.
    pub fn json<T: DeserializeOwned>(&self) -> crate::Result<T> {
        serde_json::from_slice(&self.body).map_err(|e| {
            let mut err = Error::new(
                ErrorKind::Decode,
                "invalid_response",
                format!(
                    "the answer (HTTP {}) is not the expected JSON: {}",
                    self.status.as_u16(),
                    // serde quotes values, and answers hold secrets (a webhook secret).
                    crate::redact::json_error(&e)
                ),
            );
            if let Some(id) = self.request_id() {
                err = err.with_request_id(id);
            }
            err
        })
    }
}

pub(crate) fn request_id(headers: &HeaderMap) -> Option<&str> {
    headers.get("x-request-id").and_then(|v| v.to_str().ok())
}

pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    headers
        .get(http::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, now))
}

/// The [`Error`] for an answer with a non-2xx status.
///
/// A JSON `{"code", "detail", "fields"}` body gives the code, detail and fields; any
/// other body is quoted (its first 200 characters, control characters blanked) in the
/// detail.
pub(crate) fn error_from_answer(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    key: &ApiKey,
) -> Error {
    let code = status.as_u16();
    let mut err = match serde_json::from_slice::<ApiErrorBody>(body) {
        Ok(api) => {
            let fields = api
                .fields
                .into_iter()
                .map(|f| {
                    FieldError::new(
                        without_key(f.field, key.expose()),
                        without_key(f.message, key.expose()),
                    )
                })
                .collect();
            Error::api(
                code,
                without_key(api.code, key.expose()),
                without_key(api.detail, key.expose()),
            )
            .with_fields(fields)
        }
        Err(_) => {
            let kind = ErrorKind::from_status(code);
            let reason = status.canonical_reason().unwrap_or("error");
            let detail = if body.is_empty() {
                format!("HTTP {code} {reason} with an empty body")
            } else {
                format!(
                    "HTTP {code} {reason} with a non-JSON body: {}",
                    without_key(excerpt(body), key.expose())
                )
            };
            Error::new(kind, kind.default_code(), detail).with_status(code)
        }
    };
    if let Some(id) = request_id(headers) {
        err = err.with_request_id(id);
    }
    if let Some(after) = retry_after(headers, SystemTime::now()) {
        err = err.with_retry_after(after);
    }
    err
}

/// The start of a body as readable text.
fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out: String = text
        .chars()
        .take(BODY_EXCERPT_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().nth(BODY_EXCERPT_CHARS).is_some() {
        out.push('…');
    }
    out
}

/// The [`Error`] for a request that got no answer.
pub(crate) fn error_from_transport(err: reqwest::Error, key: &ApiKey) -> Error {
    let err = err.without_url();
    let (kind, code) = if err.is_timeout() {
        (ErrorKind::Timeout, "timeout")
    } else if err.is_connect() {
        (ErrorKind::Network, "connect_failed")
    } else {
        (ErrorKind::Network, "connection_failed")
    };
    let detail = crate::transport_error::chain(&err);
    Error::new(kind, code, without_key(detail, key.expose())).with_source(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "REM0aW39.NfO0123456789CNeHpF29wo012345678";

    fn key() -> ApiKey {
        ApiKey::parse(KEY).unwrap()
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, http::HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn json_error_body_is_mapped() {
        let body = br#"{"code":"validation","detail":"invalid request","fields":[{"field":"name","message":"is required"}]}"#;
        let h = headers(&[("x-request-id", "req_1")]);
        let err = error_from_answer(StatusCode::BAD_REQUEST, &h, body, &key());
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert_eq!(err.code(), "validation");
        assert_eq!(err.status(), Some(400));
        assert_eq!(err.request_id(), Some("req_1"));
        assert_eq!(err.fields()[0].field, "name");
    }

    #[test]
    fn rate_limit_carries_retry_after() {
        let body = br#"{"code":"rate_limited","detail":"slow down"}"#;
        let h = headers(&[("retry-after", "2")]);
        let err = error_from_answer(StatusCode::TOO_MANY_REQUESTS, &h, body, &key());
        assert_eq!(err.kind(), ErrorKind::RateLimited);
        assert_eq!(err.retry_after(), Some(Duration::from_secs(2)));
    }

    #[test]
    fn non_json_body_is_quoted_and_truncated() {
        let mut body = b"<html>\r\n<h1>Bad Gateway</h1>".to_vec();
        body.extend(std::iter::repeat_n(b'x', 1000));
        let err = error_from_answer(StatusCode::BAD_GATEWAY, &headers(&[]), &body, &key());
        assert_eq!(err.kind(), ErrorKind::Api);
        assert_eq!(err.code(), "server");
        assert_eq!(err.status(), Some(502));
        assert!(err.detail().starts_with(
            "HTTP 502 Bad Gateway with a non-JSON body: <html>  <h1>Bad Gateway</h1>xxx"
        ));
        assert!(err.detail().ends_with("x…"));
        assert!(err.detail().len() < 300);
    }

    #[test]
    fn empty_body_is_named() {
        let err = error_from_answer(StatusCode::NOT_FOUND, &headers(&[]), b"", &key());
        assert_eq!(err.kind(), ErrorKind::NotFound);
        assert_eq!(err.detail(), "HTTP 404 Not Found with an empty body");
    }

    #[test]
    fn invalid_utf8_does_not_panic() {
        let err = error_from_answer(
            StatusCode::SERVICE_UNAVAILABLE,
            &headers(&[]),
            &[0xff, 0xfe, b'a', 0xc3],
            &key(),
        );
        assert!(err.detail().contains("a"));
    }

    #[test]
    fn an_echoed_key_is_redacted() {
        let body = format!(
            r#"{{"code":"unauthenticated","detail":"unknown key {KEY}","fields":[{{"field":"k","message":"{}"}}]}}"#,
            &KEY[9..]
        );
        let err = error_from_answer(
            StatusCode::UNAUTHORIZED,
            &headers(&[]),
            body.as_bytes(),
            &key(),
        );
        assert_eq!(err.detail(), "unknown key [redacted]");
        assert_eq!(err.fields()[0].message, "[redacted]");
        let html = format!("<p>{KEY}</p>");
        let err = error_from_answer(
            StatusCode::BAD_GATEWAY,
            &headers(&[]),
            html.as_bytes(),
            &key(),
        );
        assert!(!format!("{err:?} {err}").contains(&KEY[9..]));
    }

    #[test]
    fn decode_failure_names_status_and_request_id() {
        let r = RawResponse::new(
            StatusCode::OK,
            headers(&[("x-request-id", "req_9")]),
            Bytes::from_static(b"{\"id\": 1}"),
        );
        let err = r.json::<crate::model::Workspace>().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode);
        assert_eq!(err.code(), "invalid_response");
        assert_eq!(err.request_id(), Some("req_9"));
    }
}
