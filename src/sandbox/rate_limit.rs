//! Per-key rate limit: a token bucket of `N` tokens refilled at `N` per second; a request
//! without a token gets 429 `rate_limited` with `Retry-After` in whole seconds (>= 1).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use super::extract::Caller;
use super::state::AppState;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

/// Token buckets by API key prefix.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    per_second: f64,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl RateLimiter {
    /// A limit of `per_second` requests per second per key, burst `per_second`.
    pub(crate) fn new(per_second: u32) -> RateLimiter {
        RateLimiter {
            per_second: f64::from(per_second.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `key` at `now`, or says how long to wait for one.
    pub(crate) fn take(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(());
        };
        let bucket = buckets.entry(key.to_owned()).or_insert(Bucket {
            tokens: self.per_second,
            last: now,
        });
        let elapsed = now.saturating_duration_since(bucket.last).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.per_second).min(self.per_second);
        bucket.last = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - bucket.tokens) / self.per_second;
            Err(Duration::from_secs(wait.ceil().max(1.0) as u64))
        }
    }
}

/// The middleware (after authentication, which puts the [`Caller`] in the request).
pub(crate) async fn limit(
    State(state): State<Arc<AppState>>,
    req: Request,
    next: Next,
) -> Response {
    if let (Some(limiter), Some(caller)) = (&state.limiter, req.extensions().get::<Caller>()) {
        if let Err(wait) = limiter.take(&caller.key_prefix, Instant::now()) {
            return ApiError::rate_limited(wait).into_response();
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_refill() {
        let limiter = RateLimiter::new(2);
        let t0 = Instant::now();
        assert!(limiter.take("k", t0).is_ok());
        assert!(limiter.take("k", t0).is_ok());
        assert_eq!(limiter.take("k", t0), Err(Duration::from_secs(1)));
        assert!(
            limiter.take("other", t0).is_ok(),
            "keys have their own buckets"
        );
        assert!(limiter.take("k", t0 + Duration::from_millis(500)).is_ok());
        assert!(limiter.take("k", t0 + Duration::from_millis(500)).is_err());
    }
}
