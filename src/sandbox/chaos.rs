//! Failure injection (`--chaos P`): a fraction P of requests fail, half before the
//! handler runs and half after it ran (and its write committed); each failure is a 503
//! `unavailable` or a connection dropped without an answer. Every decision is counted,
//! so that a test can say how many faults its client survived.

use std::sync::atomic::{AtomicU64, Ordering};

/// When an injected failure happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum When {
    /// Before the handler: nothing happened.
    Before,
    /// After the handler ran: its write is committed, the answer is lost.
    After,
}

/// How an injected failure shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum How {
    /// A 503 `unavailable` answer.
    Unavailable,
    /// The connection is closed without an answer.
    Drop,
}

/// One injected failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Failure {
    pub(crate) when: When,
    pub(crate) how: How,
}

/// What failure injection did since the sandbox started: from
/// [`Sandbox::chaos_stats`](super::Sandbox::chaos_stats).
///
/// Every request the server reads counts, whether or not chaos is on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChaosStats {
    /// Requests read (each HTTP request, API or not).
    pub requests: u64,
    /// Answered 503 before the handler ran (nothing was done).
    pub unavailable_before: u64,
    /// Connection dropped before the handler ran (nothing was done).
    pub dropped_before: u64,
    /// Answered 503 after the handler ran (its write is committed).
    pub unavailable_after: u64,
    /// Connection dropped after the handler ran (its write is committed).
    pub dropped_after: u64,
}

impl ChaosStats {
    /// All injected failures.
    pub fn injected(&self) -> u64 {
        self.unavailable_before + self.dropped_before + self.unavailable_after + self.dropped_after
    }
}

/// The failure injector: the fraction (changeable while serving) and the counts.
#[derive(Debug)]
pub(crate) struct Chaos {
    /// The fraction's `f64` bits.
    fraction: AtomicU64,
    requests: AtomicU64,
    /// Indexed by [`Chaos::slot`].
    injected: [AtomicU64; 4],
}

/// A fraction in 0..=1: NaN is 0, anything else is clamped.
pub(crate) fn clamp_fraction(fraction: f64) -> f64 {
    if fraction.is_nan() {
        0.0
    } else {
        fraction.clamp(0.0, 1.0)
    }
}

impl Chaos {
    pub(crate) fn new(fraction: f64) -> Chaos {
        Chaos {
            fraction: AtomicU64::new(clamp_fraction(fraction).to_bits()),
            requests: AtomicU64::new(0),
            injected: Default::default(),
        }
    }

    /// Changes the fraction for the requests that follow.
    pub(crate) fn set_fraction(&self, fraction: f64) {
        self.fraction
            .store(clamp_fraction(fraction).to_bits(), Ordering::Relaxed);
    }

    /// The failure for the next request, if it gets one (counted).
    pub(crate) fn decide(&self) -> Option<Failure> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let fraction = f64::from_bits(self.fraction.load(Ordering::Relaxed));
        if fraction <= 0.0 {
            return None;
        }
        let bytes = crate::random::bytes::<8>();
        let draw = u64::from_le_bytes(bytes);
        // 53 random bits give a uniform f64 in [0, 1).
        let r = (draw >> 11) as f64 / (1u64 << 53) as f64;
        let failure = Chaos::failure_for(fraction, r, draw & 1 == 0)?;
        self.injected[Chaos::slot(failure)].fetch_add(1, Ordering::Relaxed);
        Some(failure)
    }

    /// The counts so far.
    pub(crate) fn stats(&self) -> ChaosStats {
        let count = |f: Failure| self.injected[Chaos::slot(f)].load(Ordering::Relaxed);
        let f = |when, how| Failure { when, how };
        ChaosStats {
            requests: self.requests.load(Ordering::Relaxed),
            unavailable_before: count(f(When::Before, How::Unavailable)),
            dropped_before: count(f(When::Before, How::Drop)),
            unavailable_after: count(f(When::After, How::Unavailable)),
            dropped_after: count(f(When::After, How::Drop)),
        }
    }

    fn slot(failure: Failure) -> usize {
        match (failure.when, failure.how) {
            (When::Before, How::Unavailable) => 0,
            (When::Before, How::Drop) => 1,
            (When::After, How::Unavailable) => 2,
            (When::After, How::Drop) => 3,
        }
    }

    /// The failure for a uniform draw `r` in [0, 1) and a coin.
    fn failure_for(fraction: f64, r: f64, coin: bool) -> Option<Failure> {
        if r >= fraction {
            return None;
        }
        let when = if r < fraction / 2.0 {
            When::Before
        } else {
            When::After
        };
        let how = if coin { How::Unavailable } else { How::Drop };
        Some(Failure { when, how })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves_before_and_after() {
        assert_eq!(Chaos::failure_for(0.4, 0.5, true), None);
        assert_eq!(
            Chaos::failure_for(0.4, 0.1, true).map(|f| f.when),
            Some(When::Before)
        );
        assert_eq!(
            Chaos::failure_for(0.4, 0.3, false),
            Some(Failure {
                when: When::After,
                how: How::Drop
            })
        );
        assert_eq!(Chaos::new(0.0).decide(), None);
    }

    #[test]
    fn every_decision_is_counted_and_the_fraction_can_change() {
        let chaos = Chaos::new(1.0);
        for _ in 0..200 {
            assert!(chaos.decide().is_some(), "chaos 1.0 fails every request");
        }
        let stats = chaos.stats();
        assert_eq!((stats.requests, stats.injected()), (200, 200));
        // 200 fair draws: each of the four kinds shows up.
        for n in [
            stats.unavailable_before,
            stats.dropped_before,
            stats.unavailable_after,
            stats.dropped_after,
        ] {
            assert!(n > 10, "{stats:?}");
        }
        chaos.set_fraction(0.0);
        assert_eq!(chaos.decide(), None);
        chaos.set_fraction(f64::NAN);
        assert_eq!(chaos.decide(), None);
        chaos.set_fraction(7.0);
        assert!(chaos.decide().is_some(), "clamped to 1");
        let stats = chaos.stats();
        assert_eq!((stats.requests, stats.injected()), (203, 201));
    }
}
