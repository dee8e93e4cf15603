//! Failure injection (`--chaos P`): a fraction P of requests fail, half before the
//! handler runs and half after it ran (and its write committed); each failure is a 503
//! `unavailable` or a connection dropped without an answer.

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

/// The failure injector.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Chaos {
    fraction: f64,
}

impl Chaos {
    pub(crate) fn new(fraction: f64) -> Chaos {
        Chaos { fraction }
    }

    /// The failure for the next request, if it gets one.
    pub(crate) fn decide(&self) -> Option<Failure> {
        if self.fraction <= 0.0 {
            return None;
        }
        let bytes = crate::random::bytes::<8>();
        let draw = u64::from_le_bytes(bytes);
        // 53 random bits give a uniform f64 in [0, 1).
        let r = (draw >> 11) as f64 / (1u64 << 53) as f64;
        Chaos::failure_for(self.fraction, r, draw & 1 == 0)
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
}
