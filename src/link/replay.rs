//! Accepting each link once: the nonce-replay hook a platform implements over its
//! storage (the sandbox keeps used nonces in SQLite), and an in-memory one.

use std::collections::HashMap;

use super::{secs, Nonce, CLOCK_SKEW};
use crate::error::{Error, ErrorKind, Result};
use crate::error_code::wire;

/// Remembers which link nonces were used. A nonce needs remembering only until its
/// link expires (plus [`CLOCK_SKEW`]): after that, the expiry check refuses the link.
pub trait NonceStore {
    /// Records `nonce` (of a link signed by `key_prefix` that expires at `expires_at`)
    /// as used at `now`. Fails with code `link_used` ([`ErrorKind::Conflict`]) when it
    /// was already recorded.
    fn consume(&mut self, key_prefix: &str, nonce: &Nonce, expires_at: i64, now: i64)
        -> Result<()>;
}

/// The error a [`NonceStore`] returns for a second use.
pub fn link_used() -> Error {
    Error::new(
        ErrorKind::Conflict,
        wire::LinkUsed,
        "this connect link was already used; ask for a new link",
    )
}

/// A [`NonceStore`] in memory, for a single process (tests, small platforms). Entries
/// are dropped once their link can no longer pass the expiry check.
#[derive(Debug, Default)]
pub struct MemoryNonceStore {
    used: HashMap<(String, [u8; 16]), i64>,
}

impl MemoryNonceStore {
    /// An empty store.
    pub fn new() -> MemoryNonceStore {
        MemoryNonceStore::default()
    }

    /// How many nonces are remembered.
    pub fn len(&self) -> usize {
        self.used.len()
    }

    /// True when no nonce is remembered.
    pub fn is_empty(&self) -> bool {
        self.used.is_empty()
    }
}

impl NonceStore for MemoryNonceStore {
    fn consume(
        &mut self,
        key_prefix: &str,
        nonce: &Nonce,
        expires_at: i64,
        now: i64,
    ) -> Result<()> {
        let skew = secs(CLOCK_SKEW);
        self.used.retain(|_, exp| exp.saturating_add(skew) >= now);
        let entry = (key_prefix.to_owned(), *nonce.as_bytes());
        if self.used.contains_key(&entry) {
            return Err(link_used());
        }
        self.used.insert(entry, expires_at);
        Ok(())
    }
}
