//! The state every request handler shares.

use crate::sandbox::api_keys::{KeyHasher, KeyStore};
use crate::sandbox::chaos::Chaos;
use crate::sandbox::http::rate_limit::{ConnectAttempts, RateLimiter};
use crate::sandbox::oauth::OAuthState;
use crate::sandbox::store::Db;

/// What the handlers and middleware share (behind an `Arc`).
#[derive(Debug)]
pub(crate) struct AppState {
    /// The database.
    pub(crate) db: Db,
    /// Hashes presented keys to compare with the stored hashes.
    pub(crate) hasher: KeyHasher,
    /// The known keys.
    pub(crate) keys: KeyStore,
    /// The per-key rate limit, if any.
    pub(crate) limiter: Option<RateLimiter>,
    /// The limits on credential submissions through connect links.
    pub(crate) connect_attempts: ConnectAttempts,
    /// Failure injection.
    pub(crate) chaos: Chaos,
    /// `http://127.0.0.1:<port>`, for the absolute URLs of pages.
    pub(crate) origin: String,
    /// The fake OAuth2 provider's flows in progress.
    pub(crate) oauth: OAuthState,
    /// The module registrations: the system client and the links being registered.
    pub(crate) modules: crate::sandbox::http::routes::connect_module::Modules,
    /// The fake RetailCRM under `/crm/`.
    pub(crate) crm: crate::sandbox::fake_crm::FakeCrm,
}
