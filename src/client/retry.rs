//! Retrying: the [`RetryPolicy`] (when and how long to wait before trying a request
//! again) and the loop that applies it to every call ([`send`]).

use std::time::{Duration, SystemTime};

mod attempt;
mod send;
mod span;

pub(super) use send::send;

/// How a [`Client`](super::Client) retries a call that failed in a way that may pass
/// on a second try (HTTP 429, 502, 503, 504, or a broken connection).
///
/// The wait before retry `n` (1-based) is the server's `Retry-After` when it sent one,
/// else a random duration between zero and `min(max_delay, base_delay * 2^(n-1))`
/// ("full jitter"). No retry starts once `max_attempts` attempts were made, nor when
/// its wait would end after `budget` from the call's start: the call then fails with
/// an [`ErrorKind::Timeout`](crate::ErrorKind::Timeout) error of code
/// `retry_budget_exhausted`.
///
/// ```
/// use std::time::Duration;
/// use munity::client::RetryPolicy;
///
/// let policy = RetryPolicy::default()
///     .max_attempts(5)
///     .base_delay(Duration::from_millis(100))
///     .max_delay(Duration::from_secs(2))
///     .budget(Duration::from_secs(20));
/// assert_eq!(policy.get_max_attempts(), 5);
/// assert_eq!(RetryPolicy::none().get_max_attempts(), 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    budget: Duration,
}

impl Default for RetryPolicy {
    /// 4 attempts, waits from 200 ms up to 5 s, 30 s in all.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            budget: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// No retries: every call makes exactly one attempt.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The most attempts of one call, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts;
        self
    }

    /// The scale of the exponential backoff.
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The longest backoff wait (a server's `Retry-After` may ask for more).
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// The total time, from the call's start, after which no retry begins.
    pub fn budget(mut self, budget: Duration) -> Self {
        self.budget = budget;
        self
    }

    /// The configured number of attempts.
    pub fn get_max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The configured total budget.
    pub fn get_budget(&self) -> Duration {
        self.budget
    }

    /// Checks the policy, for [`ClientBuilder::build`](super::ClientBuilder::build).
    pub(crate) fn check(&self) -> Result<(), &'static str> {
        if self.max_attempts == 0 {
            return Err("RetryPolicy::max_attempts must be at least 1 (use RetryPolicy::none() for no retries)");
        }
        if self.max_delay < self.base_delay {
            return Err("RetryPolicy::max_delay must not be shorter than base_delay");
        }
        Ok(())
    }

    /// The upper bound of the jittered wait before retry `retry` (1-based).
    pub(crate) fn backoff_cap(&self, retry: u32) -> Duration {
        let factor = 1u32
            .checked_shl(retry.saturating_sub(1))
            .unwrap_or(u32::MAX);
        self.base_delay
            .checked_mul(factor)
            .unwrap_or(self.max_delay)
            .min(self.max_delay)
    }

    /// The wait before retry `retry` (1-based): uniform in `[0, backoff_cap(retry)]`.
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let cap = self.backoff_cap(retry);
        let r = u64::from_le_bytes(crate::random::bytes::<8>());
        // r / 2^64 is uniform in [0, 1).
        cap.mul_f64((r >> 11) as f64 / (1u64 << 53) as f64)
    }
}

/// Parses a `Retry-After` value: delay-seconds or an HTTP date (RFC 9110 section 10.2.3).
///
/// A date in the past gives zero. Anything else gives `None`.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Absurdly long values saturate rather than fail.
        return Some(Duration::from_secs(
            value.parse::<u64>().unwrap_or(u64::MAX),
        ));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(7));
        assert_eq!(parse_retry_after(&later, now), Some(Duration::from_secs(7)));
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(7));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
        assert_eq!(parse_retry_after("", now), None);
        assert_eq!(
            parse_retry_after("99999999999999999999999", now),
            Some(Duration::from_secs(u64::MAX))
        );
    }

    #[test]
    fn backoff_grows_exponentially_up_to_the_cap() {
        let p = RetryPolicy::default()
            .base_delay(Duration::from_millis(100))
            .max_delay(Duration::from_secs(1));
        assert_eq!(p.backoff_cap(1), Duration::from_millis(100));
        assert_eq!(p.backoff_cap(2), Duration::from_millis(200));
        assert_eq!(p.backoff_cap(4), Duration::from_millis(800));
        assert_eq!(p.backoff_cap(5), Duration::from_secs(1));
        assert_eq!(p.backoff_cap(200), Duration::from_secs(1));
        for retry in 1..10 {
            let d = p.backoff(retry);
            assert!(d <= p.backoff_cap(retry), "retry {retry}: {d:?}");
        }
    }

    #[test]
    fn jitter_spreads_the_waits() {
        let p = RetryPolicy::default().base_delay(Duration::from_secs(1));
        let waits: std::collections::BTreeSet<Duration> = (0..20).map(|_| p.backoff(1)).collect();
        assert!(waits.len() > 10, "full jitter should rarely repeat a wait");
    }

    #[test]
    fn check_rejects_nonsense() {
        assert!(RetryPolicy::default().check().is_ok());
        assert!(RetryPolicy::none().check().is_ok());
        assert!(RetryPolicy::default().max_attempts(0).check().is_err());
        assert!(RetryPolicy::default()
            .base_delay(Duration::from_secs(10))
            .max_delay(Duration::from_secs(1))
            .check()
            .is_err());
    }
}
