//! The retry loop every call goes through: attempts until one succeeds, one fails for
//! good, the [`RetryPolicy`](super::RetryPolicy) allows no more, or the call's time runs out. The error it
//! returns names the call (method, path, attempts) in its fields.

use std::time::{Duration, Instant};

use tracing::Instrument as _;

use super::attempt::{attempt, Outcome};
use super::span::{call_span, record_answer, record_end};
use crate::client::request::Prepared;
use crate::client::response::RawResponse;
use crate::{Error, ErrorKind, Result};

/// Sends `req` in its own span (see [`call_span`]), recording how the call ended.
pub(in crate::client) async fn send(req: &Prepared) -> Result<RawResponse> {
    let span = call_span(req);
    let start = Instant::now();
    let mut attempts = 0;
    let result = attempts_until_done(req, &span, &mut attempts)
        .instrument(span.clone())
        .await
        .map_err(|error| error.with_call(req.method.clone(), req.path.clone(), attempts));
    record_end(&span, &result, attempts, start.elapsed());
    result
}

/// Sends `req` until it succeeds, fails for good, runs out of attempts, or runs out of
/// time. It never waits past the call's timeout: a retry whose wait (`Retry-After` or
/// backoff) would end after the retry budget is not made. `attempt` counts the
/// attempts made.
async fn attempts_until_done(
    req: &Prepared,
    span: &tracing::Span,
    attempt_count: &mut u32,
) -> Result<RawResponse> {
    let timeout = req.client.call_timeout();
    let policy = req.client.call_retry();
    let start = Instant::now();
    // `None`: a timeout too long to add to an instant (e.g. `Duration::MAX`).
    let deadline = start.checked_add(timeout);
    let budget = policy.get_budget().min(timeout);
    let retry_end = start.checked_add(budget);
    let mut last: Option<Error> = None;
    let mut earlier_unknown = false;
    loop {
        *attempt_count += 1;
        let n = *attempt_count;
        let remaining = time_left(deadline, Instant::now());
        let outcome = match tokio::time::timeout(remaining, attempt(req, earlier_unknown)).await {
            Ok(outcome) => outcome,
            Err(_) => return Err(timed_out(timeout, n, last)),
        };
        let (error, unknown) = match outcome {
            Outcome::Done(response) => {
                record_answer(
                    span,
                    Some(response.status().as_u16()),
                    response.request_id(),
                );
                return Ok(response);
            }
            Outcome::Failed {
                error,
                retry,
                unknown,
            } => {
                record_answer(span, error.status(), error.request_id());
                if !retry {
                    return Err(if unknown && !req.retry_safe {
                        not_safe_to_repeat(error)
                    } else {
                        error
                    });
                }
                if n >= policy.get_max_attempts() {
                    return Err(out_of_attempts(error, n, start.elapsed()));
                }
                (error, unknown)
            }
        };
        earlier_unknown |= unknown;
        let wait = error.retry_after().unwrap_or_else(|| policy.backoff(n));
        let now = Instant::now();
        if wait > time_left(retry_end, now) {
            return Err(budget_exhausted(error, n, now - start, wait, budget));
        }
        // An event inside the call's span.
        tracing::debug!(
            target: "munity::client",
            call = %format_args!("{} {}", req.method, req.path),
            attempt = n,
            code = error.code(),
            status = error.status(),
            wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
            "retrying"
        );
        tokio::time::sleep(wait).await;
        last = Some(error);
    }
}

/// The time from `now` to `end`; unbounded when `end` is too far to represent.
fn time_left(end: Option<Instant>, now: Instant) -> Duration {
    end.map_or(Duration::MAX, |end| end.saturating_duration_since(now))
}

/// The last answer of a call that may have been done and may not be repeated.
fn not_safe_to_repeat(error: Error) -> Error {
    stopped(
        error,
        "not retried: it may have been done and is not safe to repeat (a POST or PATCH needs an idempotency key)",
    )
}

/// The last answer of a call that made the most attempts its policy allows.
fn out_of_attempts(error: Error, attempts: u32, elapsed: Duration) -> Error {
    let why = format!(
        "gave up after {attempts} attempt{} in {}, the most the retry policy allows",
        plural(attempts),
        secs(elapsed)
    );
    stopped(error, &why)
}

/// `error` (same kind and code) with why the call stopped there before its detail.
fn stopped(error: Error, why: &str) -> Error {
    let (kind, code) = (error.kind(), error.code().to_owned());
    let detail = format!("{why}; last error: {}", error.detail());
    error.restated(kind, code, detail)
}

/// The error of a call whose attempt was still unanswered at the call's timeout.
fn timed_out(timeout: Duration, attempt: u32, last: Option<Error>) -> Error {
    let detail = format!(
        "no answer within the call's timeout of {} (attempt {attempt})",
        secs(timeout)
    );
    match last {
        None => Error::new(ErrorKind::Timeout, "timeout", detail),
        Some(last) => {
            let detail = format!(
                "{detail}; the attempt before failed: {}: {}",
                last.code(),
                last.detail()
            );
            last.restated(ErrorKind::Timeout, "timeout", detail)
        }
    }
}

/// The error of a call whose next retry would start past its retry budget.
fn budget_exhausted(
    error: Error,
    attempts: u32,
    elapsed: Duration,
    wait: Duration,
    budget: Duration,
) -> Error {
    let detail = format!(
        "gave up after {attempts} attempt{} in {}: the next try would start {} from now, past the call's retry budget of {}; last error: {}: {}",
        plural(attempts),
        secs(elapsed),
        secs(wait),
        secs(budget),
        error.code(),
        error.detail(),
    );
    error.restated(ErrorKind::Timeout, "retry_budget_exhausted", detail)
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
