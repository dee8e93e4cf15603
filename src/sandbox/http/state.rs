//! The state the server holds ([`AppState`]) and the parts of it each route and
//! middleware takes (axum sub-states, through [`FromRef`]): a handler names only what it
//! uses, and no module that holds a part of the state imports the whole of it.

use std::sync::Arc;

use axum::extract::FromRef;

use crate::sandbox::api_keys::{KeyHasher, KeyStore};
use crate::sandbox::chaos::Chaos;
use crate::sandbox::fake_crm::{CrmContext, FakeCrm};
use crate::sandbox::http::rate_limit::{ConnectAttempts, RateLimiter};
use crate::sandbox::module_registrations::ModuleRegistrations;
use crate::sandbox::oauth::grants::OAuthState;
use crate::sandbox::options::SandboxOptions;
use crate::sandbox::store::Db;

/// What the handlers and middleware share (behind an `Arc`).
#[derive(Debug)]
pub(crate) struct AppState {
    /// The database.
    pub(crate) db: Db,
    /// The API keys: the hasher and the known keys.
    pub(crate) api_keys: ApiKeys,
    /// The per-key rate limit, if any.
    pub(crate) limiter: Option<Arc<RateLimiter>>,
    /// The limits on credential submissions through connect links.
    pub(crate) connect_attempts: Arc<ConnectAttempts>,
    /// Failure injection.
    pub(crate) chaos: Chaos,
    /// `http://127.0.0.1:<port>`, for the absolute URLs of pages.
    pub(crate) origin: String,
    /// The fake OAuth2 provider's flows in progress.
    pub(crate) oauth: Arc<OAuthState>,
    /// The module registrations: the system client and the links being registered.
    pub(crate) modules: Arc<ModuleRegistrations>,
    /// The fake RetailCRM under `/crm/`.
    pub(crate) crm: Arc<FakeCrm>,
}

impl AppState {
    /// The state of a server at `origin` over an opened database and its API keys, with the
    /// limits, failure injection and timeouts of `options`.
    pub(crate) fn new(
        db: Db,
        hasher: KeyHasher,
        keys: KeyStore,
        options: &SandboxOptions,
        origin: String,
    ) -> crate::Result<AppState> {
        let (per_link, per_address) = options.connect_attempts;
        Ok(AppState {
            db,
            api_keys: ApiKeys {
                hasher: Arc::new(hasher),
                keys: Arc::new(keys),
            },
            limiter: options.rate_limit.map(|n| Arc::new(RateLimiter::new(n))),
            connect_attempts: Arc::new(ConnectAttempts::new(per_link, per_address)),
            chaos: Chaos::new(options.chaos),
            origin,
            oauth: Arc::default(),
            modules: Arc::new(ModuleRegistrations::new(options.module_timeout)?),
            crm: Arc::new(FakeCrm::new()),
        })
    }
}

/// What authentication checks a presented key against.
#[derive(Debug, Clone)]
pub(crate) struct ApiKeys {
    /// Hashes presented keys to compare with the stored hashes.
    pub(crate) hasher: Arc<KeyHasher>,
    /// The known keys.
    pub(crate) keys: Arc<KeyStore>,
}

/// What the `/v1` resource routes use: the database, and the origin for page links.
#[derive(Debug, Clone)]
pub(crate) struct ApiState {
    pub(crate) db: Db,
    pub(crate) origin: String,
}

/// What the connect session and the credential submission use.
#[derive(Debug, Clone)]
pub(crate) struct ConnectState {
    pub(crate) db: Db,
    pub(crate) origin: String,
    pub(crate) connect_attempts: Arc<ConnectAttempts>,
}

/// What the simple-connection (module) routes use.
#[derive(Debug, Clone)]
pub(crate) struct ModuleState {
    pub(crate) db: Db,
    pub(crate) origin: String,
    pub(crate) connect_attempts: Arc<ConnectAttempts>,
    pub(crate) modules: Arc<ModuleRegistrations>,
}

/// What the fake OAuth2 provider and the platform's side of the flow use.
#[derive(Debug, Clone)]
pub(crate) struct OAuthContext {
    pub(crate) db: Db,
    pub(crate) origin: String,
    pub(crate) oauth: Arc<OAuthState>,
}

impl FromRef<Arc<AppState>> for Db {
    fn from_ref(state: &Arc<AppState>) -> Db {
        state.db.clone()
    }
}

impl FromRef<Arc<AppState>> for ApiKeys {
    fn from_ref(state: &Arc<AppState>) -> ApiKeys {
        state.api_keys.clone()
    }
}

impl FromRef<Arc<AppState>> for ApiState {
    fn from_ref(state: &Arc<AppState>) -> ApiState {
        ApiState {
            db: state.db.clone(),
            origin: state.origin.clone(),
        }
    }
}

impl FromRef<Arc<AppState>> for ConnectState {
    fn from_ref(state: &Arc<AppState>) -> ConnectState {
        ConnectState {
            db: state.db.clone(),
            origin: state.origin.clone(),
            connect_attempts: Arc::clone(&state.connect_attempts),
        }
    }
}

impl FromRef<Arc<AppState>> for ModuleState {
    fn from_ref(state: &Arc<AppState>) -> ModuleState {
        ModuleState {
            db: state.db.clone(),
            origin: state.origin.clone(),
            connect_attempts: Arc::clone(&state.connect_attempts),
            modules: Arc::clone(&state.modules),
        }
    }
}

impl FromRef<Arc<AppState>> for OAuthContext {
    fn from_ref(state: &Arc<AppState>) -> OAuthContext {
        OAuthContext {
            db: state.db.clone(),
            origin: state.origin.clone(),
            oauth: Arc::clone(&state.oauth),
        }
    }
}

impl FromRef<Arc<AppState>> for CrmContext {
    fn from_ref(state: &Arc<AppState>) -> CrmContext {
        CrmContext {
            db: state.db.clone(),
            origin: state.origin.clone(),
            crm: Arc::clone(&state.crm),
            modules: Arc::clone(&state.modules),
        }
    }
}
