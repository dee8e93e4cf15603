//! What the OAuth2 flow remembers between requests: the platform's pending
//! authorizations (by `state`) and the provider's authorization codes. Entries expire;
//! the maps are bounded. (The links' consumed nonces are in the database.)

use std::collections::HashMap;
use std::sync::Mutex;

use crate::link::Nonce;
use crate::Result;

/// How long a pending authorization waits for the user (seconds).
pub(crate) const PENDING_TTL: i64 = 10 * 60;
/// How long an authorization code is valid (seconds).
pub(crate) const CODE_TTL: i64 = 60;
/// The most entries of each kind kept at once.
const MAX_ENTRIES: usize = 10_000;

/// A platform-side authorization waiting for the provider's answer (`Debug` leaves the
/// PKCE verifier out).
#[derive(Clone)]
pub(crate) struct Pending {
    pub(crate) workspace: String,
    /// The link's customer: the product's id (the Munity customer's `external_id`).
    pub(crate) customer: String,
    pub(crate) connector: String,
    pub(crate) key_prefix: String,
    pub(crate) nonce: Nonce,
    pub(crate) link_expires_at: i64,
    /// The opener's origin: the only target of the callback's `postMessage`.
    pub(crate) origin: String,
    pub(crate) verifier: String,
    pub(crate) created_at: i64,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending")
            .field("workspace", &self.workspace)
            .field("customer", &self.customer)
            .field("connector", &self.connector)
            .field("key_prefix", &self.key_prefix)
            .field("link_expires_at", &self.link_expires_at)
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
#[derive(Debug)]
pub(crate) struct Full;

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
            if inner.pending.len() >= MAX_ENTRIES {
                return Err(Full);
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
                return Err(Full);
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
