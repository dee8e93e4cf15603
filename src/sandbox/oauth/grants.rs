//! What the OAuth2 flow remembers between requests: the platform's pending
//! authorizations (by `state`) and the provider's authorization codes. Entries expire;
//! the maps are bounded, pending authorizations also per link, and a code is issued
//! only for a pending authorization, one each: no request allocates without a flow the
//! platform started. (The links' consumed nonces are in the database.)

use std::collections::HashMap;
use std::sync::Mutex;

use crate::link::{ConnectLink, Nonce};
use crate::Result;

/// How long a pending authorization waits for the user (seconds).
pub(crate) const PENDING_TTL: i64 = 10 * 60;
/// How long an authorization code is valid (seconds).
pub(crate) const CODE_TTL: i64 = 60;
/// The most entries of each kind kept at once.
const MAX_ENTRIES: usize = 10_000;
/// The most authorizations in progress, and live codes, for one link.
pub(crate) const MAX_PENDING_PER_LINK: usize = 5;

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
    /// The pending authorization it was issued for.
    pub(crate) state: String,
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) challenge: String,
    pub(crate) expires_at: i64,
    pub(crate) used: bool,
}

#[derive(Default)]
struct Inner {
    pending: HashMap<String, Pending>,
    /// Each code with the link of the flow it was issued for.
    codes: HashMap<String, (Grant, LinkId)>,
}

/// A link, as flows and codes are counted per link: its key prefix and nonce.
type LinkId = (String, Nonce);

fn link_of(pending: &Pending) -> LinkId {
    (pending.link.key_prefix().to_owned(), *pending.link.nonce())
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

/// The shared state (in [`AppState`](crate::sandbox::http::state::AppState)).
#[derive(Debug, Default)]
pub(crate) struct OAuthState {
    inner: Mutex<Inner>,
}

/// Why an entry was not stored.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refused {
    /// The map is full.
    Full,
    /// The link has [`MAX_PENDING_PER_LINK`] authorizations in progress, or as many
    /// live codes.
    LinkBusy,
    /// No fresh pending authorization fits (unknown `state`, another client or
    /// challenge), or it has a code already.
    NoFlow,
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
    pub(crate) fn add_pending(&self, pending: Pending, now: i64) -> Result<String, Refused> {
        let state = hex::encode(crate::random::bytes::<16>());
        self.with(|inner| {
            inner
                .pending
                .retain(|_, p| p.created_at.saturating_add(PENDING_TTL) >= now);
            if inner.pending.len() >= MAX_ENTRIES {
                return Err(Refused::Full);
            }
            let link = link_of(&pending);
            let same_link = inner
                .pending
                .values()
                .filter(|p| link_of(p) == link)
                .count();
            if same_link >= MAX_PENDING_PER_LINK {
                return Err(Refused::LinkBusy);
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

    /// Whether `state` names a fresh pending authorization that `fits` and has no code
    /// yet (what the provider's decision needs before anything is allocated).
    pub(crate) fn awaits_code(
        &self,
        state: &str,
        now: i64,
        fits: impl FnOnce(&Pending) -> bool,
    ) -> bool {
        self.with(|inner| Self::awaiting(inner, state, now, fits))
    }

    fn awaiting(inner: &Inner, state: &str, now: i64, fits: impl FnOnce(&Pending) -> bool) -> bool {
        inner
            .pending
            .get(state)
            .is_some_and(|p| p.created_at.saturating_add(PENDING_TTL) >= now && fits(p))
            && !inner
                .codes
                .values()
                .any(|(g, _)| g.state == state && g.expires_at >= now)
    }

    /// Issues a code for `grant`, returned: only for the pending authorization
    /// `grant.state` when it `fits` and has no code yet.
    pub(crate) fn add_code(
        &self,
        grant: Grant,
        now: i64,
        fits: impl FnOnce(&Pending) -> bool,
    ) -> Result<String, Refused> {
        self.with(|inner| {
            if !Self::awaiting(inner, &grant.state, now, fits) {
                return Err(Refused::NoFlow);
            }
            let Some(link) = inner.pending.get(&grant.state).map(link_of) else {
                return Err(Refused::NoFlow);
            };
            inner.codes.retain(|_, (g, _)| g.expires_at >= now);
            if inner.codes.len() >= MAX_ENTRIES {
                return Err(Refused::Full);
            }
            // A flow ended without its code (an error at the callback) leaves the code
            // alive: codes are bounded per link as flows are.
            let same_link = inner.codes.values().filter(|(_, l)| *l == link).count();
            if same_link >= MAX_PENDING_PER_LINK {
                return Err(Refused::LinkBusy);
            }
            let code = hex::encode(crate::random::bytes::<24>());
            inner.codes.insert(code.clone(), (grant, link));
            Ok(code)
        })
    }

    /// Marks `code` used and returns its grant as it was before (so a second use is
    /// seen: `used` is then true). `None` for an unknown code.
    pub(crate) fn use_code(&self, code: &str) -> Option<Grant> {
        self.with(|inner| {
            let (grant, _) = inner.codes.get_mut(code)?;
            let before = grant.clone();
            grant.used = true;
            Some(before)
        })
    }
}
