//! What the OAuth2 flow remembers between requests: the platform's pending
//! authorizations (by `state`) and the provider's authorization codes. Entries expire;
//! the maps are bounded. (The links' consumed nonces are in the database.)

use std::collections::HashMap;
use std::sync::Mutex;

use crate::link::ConnectLink;
use crate::Result;

/// How long a pending authorization waits for the user (seconds).
pub(crate) const PENDING_TTL: i64 = 10 * 60;
/// How long an authorization code is valid (seconds).
pub(crate) const CODE_TTL: i64 = 60;
/// The most entries of each kind kept at once.
const MAX_ENTRIES: usize = 10_000;
/// The most pending authorizations of one link at once: enough for a user who closed a
/// popup and opened another, not for one link to fill the map.
pub(crate) const MAX_PENDING_PER_LINK: usize = 4;

/// A platform-side authorization waiting for the provider's answer (`Debug` leaves the
/// PKCE verifier out).
#[derive(Clone)]
pub(crate) struct Pending {
    /// The link that started it, verified again (key, expiry, nonce) by the callback.
    pub(crate) link: ConnectLink,
    /// The opener's origin: the only target of the callback's `postMessage`.
    pub(crate) origin: String,
    pub(crate) verifier: String,
    pub(crate) created_at: i64,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending")
            .field("link", &self.link)
            .field("origin", &self.origin)
            .field("verifier", &format_args!("[redacted]"))
            .field("created_at", &self.created_at)
            .finish()
    }
}

/// An authorization code the provider issued.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) challenge: String,
    pub(crate) expires_at: i64,
    pub(crate) used: bool,
}

#[derive(Default)]
struct Inner {
    pending: HashMap<String, Pending>,
    codes: HashMap<String, Grant>,
}

/// Counts only: the maps are keyed by `state` values and authorization codes, and the
/// pending entries hold PKCE verifiers (the `Debug` of the sandbox reaches here).
impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inner")
            .field("pending", &self.pending.len())
            .field("codes", &self.codes.len())
            .finish()
    }
}

/// The shared state (in [`AppState`](crate::sandbox::state::AppState)).
#[derive(Debug, Default)]
pub(crate) struct OAuthState {
    inner: Mutex<Inner>,
}

/// Why an entry could not be stored.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Full {
    /// The map is full.
    Map,
    /// The link has [`MAX_PENDING_PER_LINK`] authorizations in progress.
    Link,
}

impl OAuthState {
    fn with<R>(&self, f: impl FnOnce(&mut Inner) -> R) -> R {
        let mut guard = match self.inner.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut guard)
    }

    /// Remembers a pending authorization under a fresh `state`, returned.
    pub(crate) fn add_pending(&self, pending: Pending, now: i64) -> Result<String, Full> {
        let state = hex::encode(crate::random::bytes::<16>());
        self.with(|inner| {
            inner
                .pending
                .retain(|_, p| p.created_at.saturating_add(PENDING_TTL) >= now);
            let of_link = |p: &Pending| {
                p.link.key_prefix() == pending.link.key_prefix()
                    && p.link.nonce() == pending.link.nonce()
            };
            if inner.pending.values().filter(|p| of_link(p)).count() >= MAX_PENDING_PER_LINK {
                return Err(Full::Link);
            }
            if inner.pending.len() >= MAX_ENTRIES {
                return Err(Full::Map);
            }
            inner.pending.insert(state.clone(), pending);
            Ok(state)
        })
    }

    /// Takes (removes) the pending authorization of `state`, if it is there and fresh.
    pub(crate) fn take_pending(&self, state: &str, now: i64) -> Option<Pending> {
        self.with(|inner| inner.pending.remove(state))
            .filter(|p| p.created_at.saturating_add(PENDING_TTL) >= now)
    }

    /// Issues a code for `grant`, returned.
    pub(crate) fn add_code(&self, grant: Grant, now: i64) -> Result<String, Full> {
        let code = hex::encode(crate::random::bytes::<24>());
        self.with(|inner| {
            inner.codes.retain(|_, g| g.expires_at >= now);
            if inner.codes.len() >= MAX_ENTRIES {
                return Err(Full::Map);
            }
            inner.codes.insert(code.clone(), grant);
            Ok(code)
        })
    }

    /// Marks `code` used and returns its grant as it was before (so a second use is
    /// seen: `used` is then true). `None` for an unknown code.
    pub(crate) fn use_code(&self, code: &str) -> Option<Grant> {
        self.with(|inner| {
            let grant = inner.codes.get_mut(code)?;
            let before = grant.clone();
            grant.used = true;
            Some(before)
        })
    }
}
