//! Accepting each link once: the nonce-replay hooks a platform implements over its
//! storage ([`NonceStore`], [`AsyncNonceStore`]), and the stores this crate ships.

use std::collections::HashMap;
use std::future::Future;

use super::{accepted_until, check_unexpired, Nonce};
use crate::error::{Error, ErrorKind, Result};
use crate::error_code::wire;

/// Remembers which link nonces were used, so that a link makes at most one connection.
///
/// # The contract
///
/// [`consume`](Self::consume) records a nonce as used, atomically: of any number of
/// calls with one nonce, however concurrent, at most one succeeds. It also refuses a
/// link that has expired, whoever calls it: an implementation first calls
/// [`check_unexpired`](super::check_unexpired) (`link_expired` when
/// `now > expires_at + CLOCK_SKEW`), so no route that forgot the expiry check can make a
/// connection with an old link. A store may forget a nonce once its link can no longer
/// pass that check, at [`accepted_until`](super::accepted_until)`(expires_at)`: never
/// before, or the link would work again.
///
/// # Which store to use
///
/// | store | where | use it when |
/// |---|---|---|
/// | [`MemoryNonceStore`] | this process's memory | one API process (tests, a small platform); a restart forgets the nonces, so a link used just before a restart could be used again until it expires |
/// | your database, in the connection's transaction (as the sandbox's SQLite store does) | the database that stores connections | one database serves every instance: consuming the nonce and creating the connection commit together, so neither happens without the other |
/// | `RedisNonceStore` (feature `redis`, an [`AsyncNonceStore`]) | a Redis server every instance reaches | several API instances that share no transactional database, or where nonces should not load it: one atomic `SET NX PXAT` per link |
///
/// Whatever the store, every API instance that accepts links must share it: two
/// instances with two stores accept each link twice.
pub trait NonceStore {
    /// Records `nonce` (of a link signed by `key_prefix` that expires at `expires_at`)
    /// as used at `now` (unix seconds). Fails with code `link_expired`
    /// ([`ErrorKind::Expired`]) when the link has expired (plus the clock skew), and with
    /// `link_used` ([`ErrorKind::Conflict`]) when the nonce was already recorded.
    fn consume(&mut self, key_prefix: &str, nonce: &Nonce, expires_at: i64, now: i64)
        -> Result<()>;
}

/// A [`NonceStore`] that answers asynchronously (over the network), with the same
/// contract; used by [`ConnectLink::verify_once_async`](super::ConnectLink::verify_once_async).
pub trait AsyncNonceStore {
    /// As [`NonceStore::consume`]: `link_expired` for an expired link, `link_used` for a
    /// second use, at most one success per nonce across every caller of the store.
    fn consume(
        &self,
        key_prefix: &str,
        nonce: &Nonce,
        expires_at: i64,
        now: i64,
    ) -> impl Future<Output = Result<()>> + Send;
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
    /// When each nonce may be forgotten ([`accepted_until`] of its link).
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
        check_unexpired(expires_at, now)?;
        self.used.retain(|_, until| *until >= now);
        let entry = (key_prefix.to_owned(), *nonce.as_bytes());
        if self.used.contains_key(&entry) {
            return Err(link_used());
        }
        self.used.insert(entry, accepted_until(expires_at));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::CLOCK_SKEW;

    #[test]
    fn the_memory_store_refuses_an_expired_link_even_with_an_unseen_nonce() {
        let mut store = MemoryNonceStore::new();
        let nonce = Nonce::from_bytes([1; 16]);
        let exp = 1_700_000_000;
        let skew = i64::try_from(CLOCK_SKEW.as_secs()).unwrap();
        let err = store
            .consume("Adm1nKey", &nonce, exp, exp + skew + 1)
            .unwrap_err();
        assert_eq!(err.code(), "link_expired");
        assert!(store.is_empty(), "nothing recorded");
        store.consume("Adm1nKey", &nonce, exp, exp + skew).unwrap();
        assert_eq!(
            store
                .consume("Adm1nKey", &nonce, exp, exp + skew)
                .unwrap_err()
                .code(),
            "link_used"
        );
    }
}
