//! The `tracing` span of one API call.

use crate::client::request::Prepared;

/// The span of one API call: the OpenTelemetry HTTP client conventions' names where
/// they exist (`http.request.method`, `url.template`, `server.address`, `server.port`,
/// `http.response.status_code`, `http.request.resend_count`, `error.type`), the
/// `otel.*` fields `tracing-opentelemetry` reads, and munity's own (`munity.request_id`,
/// `munity.attempts`, `munity.duration_ms`). No field holds the key, a query or a body.
pub(super) fn call_span(req: &Prepared) -> tracing::Span {
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
pub(super) fn record_answer(span: &tracing::Span, status: Option<u16>, request_id: Option<&str>) {
    if let Some(status) = status {
        span.record("http.response.status_code", status);
    }
    if let Some(id) = request_id {
        span.record("munity.request_id", id);
    }
}

/// Records how the call ended.
pub(super) fn record_end(
    span: &tracing::Span,
    result: &crate::Result<crate::client::RawResponse>,
    attempts: u32,
    elapsed: std::time::Duration,
) {
    if attempts > 1 {
        span.record("http.request.resend_count", attempts - 1);
    }
    span.record("munity.attempts", attempts);
    span.record(
        "munity.duration_ms",
        u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
    );
    match result {
        Ok(_) => {
            span.record("otel.status_code", "ok");
        }
        Err(error) => {
            span.record("otel.status_code", "error");
            span.record("error.type", error.code());
        }
    }
}
