//! Rate limits as token buckets; a request without a token gets 429 `rate_limited` with
//! `Retry-After` in whole seconds (>= 1):
//! - per API key (optional, [`SandboxOptions::rate_limit`](super::SandboxOptions::rate_limit)):
//!   `N` tokens refilled at `N` per second;
//! - on `POST /v1/connect/credentials`, which no key protects ([`ConnectAttempts`]): per
//!   client address, then per link, before the envelope is opened.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::sandbox::error::ApiError;
use crate::sandbox::http::extract::Caller;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

/// How many buckets a limiter keeps before it forgets the full ones.
const MAX_BUCKETS: usize = 10_000;

/// Token buckets by key (an API key prefix, a client address, a link).
#[derive(Debug)]
pub(crate) struct RateLimiter {
    burst: f64,
    per_second: f64,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl RateLimiter {
    /// A limit of `per_second` requests per second per key, burst `per_second`.
    pub(crate) fn new(per_second: u32) -> RateLimiter {
        let per_second = per_second.max(1);
        RateLimiter::with_burst(per_second, f64::from(per_second))
    }

    /// A burst of `burst` requests per key, refilled at `per_second` (> 0).
    pub(crate) fn with_burst(burst: u32, per_second: f64) -> RateLimiter {
        RateLimiter {
            burst: f64::from(burst.max(1)),
            per_second: per_second.max(f64::MIN_POSITIVE),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `key` at `now`, or says how long to wait for one.
    pub(crate) fn take(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(());
        };
        if buckets.len() >= MAX_BUCKETS {
            // A bucket that has refilled is the same as no bucket.
            let (burst, rate) = (self.burst, self.per_second);
            buckets.retain(|_, b| {
                b.tokens + now.saturating_duration_since(b.last).as_secs_f64() * rate < burst
            });
        }
        let bucket = buckets.entry(key.to_owned()).or_insert(Bucket {
            tokens: self.burst,
            last: now,
        });
        let elapsed = now.saturating_duration_since(bucket.last).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.per_second).min(self.burst);
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

/// The address of the client at the other end of the connection (a request extension
/// the server sets).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ClientAddr(pub(crate) IpAddr);

/// The limits on `POST /v1/connect/credentials`: each attempt costs a key agreement, a
/// decryption and a JSON parse, and a failed one leaves the link usable, so attempts are
/// counted per client address (before anything else) and per link (once its signature
/// is verified, so only real links get a bucket).
#[derive(Debug)]
pub(crate) struct ConnectAttempts {
    per_address: RateLimiter,
    per_link: RateLimiter,
}

impl ConnectAttempts {
    /// Bursts of `per_link` and `per_address` attempts, refilled at one per 30 s per link
    /// and one per 2 s per address.
    pub(crate) fn new(per_link: u32, per_address: u32) -> ConnectAttempts {
        ConnectAttempts {
            per_address: RateLimiter::with_burst(per_address, 0.5),
            per_link: RateLimiter::with_burst(per_link, 1.0 / 30.0),
        }
    }

    /// An attempt from `addr` (None: unknown, counted together).
    pub(crate) fn take_for_address(&self, addr: Option<ClientAddr>) -> Result<(), ApiError> {
        let key = addr.map_or_else(|| "unknown".to_owned(), |a| a.0.to_string());
        self.per_address.take(&key, Instant::now()).map_err(|wait| {
            ApiError::rate_limited("too many credential submissions from this address", wait)
        })
    }

    /// An attempt on the link signed with `key_prefix` with `nonce`.
    pub(crate) fn take_for_link(&self, key_prefix: &str, nonce: &str) -> Result<(), ApiError> {
        self.per_link
            .take(&format!("{key_prefix}.{nonce}"), Instant::now())
            .map_err(|wait| {
                ApiError::rate_limited("too many credential submissions for this link", wait)
            })
    }
}

/// The middleware (after authentication, which puts the [`Caller`] in the request).
pub(crate) async fn limit(
    State(limiter): State<Option<Arc<RateLimiter>>>,
    req: Request,
    next: Next,
) -> Response {
    if let (Some(limiter), Some(caller)) = (&limiter, req.extensions().get::<Caller>()) {
        if let Err(wait) = limiter.take(&caller.key_prefix, Instant::now()) {
            return ApiError::rate_limited("too many requests for this API key", wait)
                .into_response();
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

    #[test]
    fn a_burst_refilled_slowly() {
        let limiter = RateLimiter::with_burst(3, 1.0 / 30.0);
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.take("link", t0).is_ok());
        }
        assert_eq!(limiter.take("link", t0), Err(Duration::from_secs(30)));
        assert!(limiter.take("link", t0 + Duration::from_secs(29)).is_err());
        assert!(limiter.take("link", t0 + Duration::from_secs(60)).is_ok());
    }

    #[test]
    fn full_buckets_are_forgotten_past_the_bound() {
        let limiter = RateLimiter::with_burst(1, 1.0);
        let t0 = Instant::now();
        for i in 0..MAX_BUCKETS {
            assert!(limiter.take(&i.to_string(), t0).is_ok());
        }
        // A second later every bucket has refilled: the next key clears them.
        assert!(limiter.take("new", t0 + Duration::from_secs(1)).is_ok());
        assert_eq!(limiter.buckets.lock().unwrap().len(), 1);
    }
}
