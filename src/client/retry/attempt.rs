//! One attempt of a call: send it, read the whole answer, and say whether another
//! attempt may help.

use bytes::Bytes;
use http::{HeaderValue, Method, StatusCode};

use crate::client::request::{Prepared, IDEMPOTENCY_KEY};
use crate::client::response::{error_from_answer, error_from_transport, RawResponse};
use crate::Error;

/// What one attempt gave, and whether another attempt may help.
pub(super) enum Outcome {
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

/// One attempt of `req`. `earlier_unknown`: an earlier attempt of this call may have
/// been done.
pub(super) async fn attempt(req: &Prepared, earlier_unknown: bool) -> Outcome {
    let inner = &req.client.inner;
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
            error: error_from_transport(e, &inner.key),
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
    let error = error_from_answer(status, &headers, &body, &inner.key);
    let (retry, unknown) = match status {
        // Refused before any work was done.
        StatusCode::TOO_MANY_REQUESTS => (true, false),
        StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT => {
            (req.retry_safe, true)
        }
        _ => (false, false),
    };
    Outcome::Failed {
        error,
        retry,
        unknown,
    }
}
