//! A real local server of the Munity API v1 (feature `sandbox`): axum over HTTP/1.1 on
//! 127.0.0.1, data in SQLite (a file in WAL mode with full sync, or memory only).
//!
//! On first start it seeds a workspace with an admin key and a user key, the connector
//! catalog, and sample project-management data (customer `acme` with a Jira connection).
//! It enforces the API's rules: authentication (401), read-only user keys (403), workspace
//! isolation (404), validation (400 with fields), 1 MiB bodies (413), idempotency keys
//! (replay, 422), an optional per-key rate limit (429 with `Retry-After`) and optional
//! failure injection (`chaos`: 503s and dropped connections, some after the write
//! committed).
//!
//! ```
//! # async fn demo() -> munity::Result<()> {
//! use munity::sandbox::{Sandbox, SandboxOptions};
//!
//! let sb = Sandbox::start(SandboxOptions::memory()).await?;
//! let workspace: serde_json::Value = reqwest::Client::new()
//!     .get(format!("{}/workspace/", sb.base_url()))
//!     .header("Authorization", sb.admin_key().authorization_value().expose().as_str())
//!     .send()
//!     .await
//!     .and_then(|r| r.error_for_status())
//!     .map_err(|e| munity::Error::from_kind(munity::ErrorKind::Network, e.to_string()))?
//!     .json()
//!     .await
//!     .map_err(|e| munity::Error::from_kind(munity::ErrorKind::Decode, e.to_string()))?;
//! assert_eq!(workspace["id"], sb.workspace_id());
//! sb.shutdown().await;
//! # Ok(())
//! # }
//! # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(demo()).unwrap();
//! ```
//!
//! Keys are stored only as `HMAC-SHA256(server secret, key)` (with the key's derived
//! link key); the data folder keeps the server secret and, to print them again on
//! restart, the seeded keys in `keys.env` (mode 0600).
//!
//! The sandbox serves the API only. A product's page on its own origin uses the connect
//! endpoints through CORS, granted to the origins its workspace lists
//! (`allowed_origins`: `PATCH /v1/workspace/`, [`SandboxOptions::allow_origin`]) and to
//! nobody else; the OAuth2 popup posts only to those. See `docs/topology.md`.
//!
//! Each workspace has an envelope key (P-256) and a self-signed certificate (one year),
//! served at `GET /v1/workspace/certificate/` and in the connect session;
//! `POST /v1/connect/credentials` takes credentials sealed to it through a connect link
//! and stores them encrypted with the storage key (`storage.key`, beside the server
//! secret). See `docs/envelope.md`.
//!
//! # Where things live
//!
//! ```text
//! mod.rs            Sandbox (start, keys, chaos, shutdown): the public face
//! options.rs        SandboxOptions, Storage
//! error.rs          ApiError: the API's error answer (store and http both return it)
//! startup/          opening the data folder and the database; seed.rs, catalog.rs:
//!                   the first start's workspace, keys, connectors and sample data
//! server.rs         accept loop, request ids and logs, graceful stop; the router
//! chaos.rs          failure injection (503s, dropped connections)
//! http/             the HTTP edge
//!   state.rs        AppState and the parts handlers take (axum FromRef sub-states)
//!   authenticate.rs `X-Api-Key` check, read-only user keys
//!   rate_limit.rs   per-key limit, connect-attempt limits
//!   idempotency.rs  `Idempotency-Key` replay; cors.rs: CORS of the connect routes
//!   extract.rs      Ctx, JSON bodies, paths, list queries, Reply
//!   validate.rs     field checks of request bodies
//!   routes/         one file per resource (`/v1/...`); connect*.rs: the routes where
//!                   the link is the credential (session, credentials, modules)
//! store/            SQLite: one file per table, schema.rs (migrations), rows.rs
//!                   (ids, columns, paging), vault.rs + sealed.rs (secrets sealed at rest)
//! link_use.rs       a connect link on the server's side: verify, resolve what it
//!                   names, consume its nonce with the connection (every connect route)
//! api_keys.rs       key hashing, privileges, the known keys; the data folder's files
//! oauth/            the fake OAuth2 provider and the platform's side of the flow
//! module_registrations.rs  module registrations under way, the client that calls systems
//! fake_crm.rs       the fake RetailCRM system (a module's other side)
//! webhook_delivery.rs  the background task that delivers webhooks
//! ```
//!
//! No module imports one that imports it back (`src/import_graph.rs` checks it).

mod api_keys;
mod chaos;
mod error;
mod fake_crm;
mod http;
mod link_use;
mod module_registrations;
mod oauth;
mod options;
mod server;
mod startup;
mod store;
mod webhook_delivery;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use chaos::ChaosStats;
pub use options::{SandboxOptions, Storage};

use crate::{ApiKey, Error, ErrorKind};
use http::state::AppState;

/// A second workspace's id and keys (see [`Sandbox::create_workspace`]).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct WorkspaceKeys {
    /// The workspace's id (a UUID).
    pub workspace_id: String,
    /// A key with admin privilege (read and write).
    pub admin_key: ApiKey,
    /// A key with user privilege (read only).
    pub user_key: ApiKey,
    /// The workspace's certificate (X.509 PEM, P-256, one year): connect pages seal
    /// credentials to it (`munity::envelope::seal`).
    pub certificate_pem: String,
}

/// A running sandbox. Dropping it stops the server (without waiting);
/// [`Sandbox::shutdown`] stops it and waits until in-flight requests are done.
#[derive(Debug)]
pub struct Sandbox {
    addr: SocketAddr,
    base_url: String,
    certificate_file: Option<PathBuf>,
    workspace: WorkspaceKeys,
    state: Arc<AppState>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
    /// The webhook delivery task ([`webhook_delivery::run`]).
    delivery: Option<JoinHandle<()>>,
}

impl Sandbox {
    /// Opens the storage (seeding it on first start), binds `127.0.0.1:<port>` and starts
    /// serving on the current tokio runtime.
    pub async fn start(options: SandboxOptions) -> crate::Result<Sandbox> {
        let storage = options.storage.clone();
        let keys = options.keys.clone();
        let opened = tokio::task::spawn_blocking(move || startup::open(&storage, &keys))
            .await
            .map_err(|e| Error::new(ErrorKind::Internal, "internal", e.to_string()))??;
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, options.port))
            .await
            .map_err(|e| {
                Error::new(
                    ErrorKind::Config,
                    "bind_failed",
                    format!("cannot listen on 127.0.0.1:{}: {e}", options.port),
                )
                .with_source(e)
            })?;
        let addr = listener.local_addr().map_err(|e| {
            Error::new(ErrorKind::Internal, "bind_failed", e.to_string()).with_source(e)
        })?;
        let origin = format!("http://{addr}");
        let state = Arc::new(AppState::new(
            opened.db,
            opened.hasher,
            opened.keys,
            &options,
            origin.clone(),
        )?);
        if !options.allowed_origins.is_empty() {
            let workspace = opened.seed.workspace_id.clone();
            let added = options.allowed_origins.clone();
            state
                .db
                .write(move |tx| {
                    let mut origins = store::workspaces::allowed_origins(tx, &workspace)?;
                    for origin in added {
                        if !origins.iter().any(|o| o == origin.as_str()) {
                            origins.push(origin.as_str().to_owned());
                        }
                    }
                    Ok(store::workspaces::set_allowed_origins(
                        tx, &workspace, &origins,
                    )?)
                })
                .await
                .map_err(|e| e.0)?;
        }
        let (stop, stopped) = watch::channel(false);
        let delivery = tokio::spawn(webhook_delivery::run(state.db.clone(), stopped.clone()));
        let task = tokio::spawn(server::serve(listener, Arc::clone(&state), stopped));
        tracing::info!(%addr, "sandbox listening");
        Ok(Sandbox {
            addr,
            base_url: format!("{origin}/v1"),
            certificate_file: opened.certificate_file,
            workspace: WorkspaceKeys {
                workspace_id: opened.seed.workspace_id,
                admin_key: opened.seed.admin_key,
                user_key: opened.seed.user_key,
                certificate_pem: opened.certificate.certificate,
            },
            state,
            stop,
            task: Some(task),
            delivery: Some(delivery),
        })
    }

    /// The API's base URL, `http://127.0.0.1:<port>/v1`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The seeded workspace's admin key (read and write).
    pub fn admin_key(&self) -> &ApiKey {
        &self.workspace.admin_key
    }

    /// The seeded workspace's user key (read only).
    pub fn user_key(&self) -> &ApiKey {
        &self.workspace.user_key
    }

    /// The seeded workspace's id.
    pub fn workspace_id(&self) -> &str {
        &self.workspace.workspace_id
    }

    /// The seeded workspace's certificate (X.509 PEM, P-256, valid for one year), as
    /// `GET /v1/workspace/certificate/` answers it: what connect pages seal credentials
    /// to.
    ///
    /// ```
    /// # async fn demo() -> munity::Result<()> {
    /// use munity::envelope::WorkspaceCertificate;
    /// use munity::sandbox::{Sandbox, SandboxOptions};
    ///
    /// let sb = Sandbox::start(SandboxOptions::memory()).await?;
    /// let now = munity::now_unix();
    /// let certificate = WorkspaceCertificate::parse(sb.certificate_pem(), now)?;
    /// assert_eq!(certificate.kid().len(), 43); // base64url SHA-256 thumbprint
    /// sb.shutdown().await;
    /// # Ok(())
    /// # }
    /// # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn certificate_pem(&self) -> &str {
        &self.workspace.certificate_pem
    }

    /// The file holding [`certificate_pem`](Self::certificate_pem) in a sandbox with a
    /// data folder (`<data>/certificate.pem`, written on each start, mode 0600 like every
    /// file there); `None` in memory.
    pub fn certificate_file(&self) -> Option<&Path> {
        self.certificate_file.as_deref()
    }

    /// Changes the fraction of requests that fail on purpose (see
    /// [`SandboxOptions::chaos`]; clamped to 0..=1) for the requests that follow, e.g. to
    /// check the state with chaos off after a run with chaos on.
    ///
    /// ```
    /// # async fn demo() -> munity::Result<()> {
    /// use munity::sandbox::{Sandbox, SandboxOptions};
    ///
    /// let sb = Sandbox::start(SandboxOptions::memory().chaos(1.0)).await?;
    /// let client = munity::Client::builder()
    ///     .api_key(sb.admin_key())
    ///     .base_url(sb.base_url())
    ///     .retry(munity::client::RetryPolicy::none())
    ///     .build()?;
    /// assert!(client.workspace().get().await.is_err(), "every request fails");
    /// sb.set_chaos(0.0);
    /// client.workspace().get().await?;
    ///
    /// let stats = sb.chaos_stats();
    /// assert_eq!((stats.requests, stats.injected()), (2, 1));
    /// sb.shutdown().await;
    /// # Ok(())
    /// # }
    /// # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn set_chaos(&self, fraction: f64) {
        self.state.chaos.set_fraction(fraction);
    }

    /// How many requests the server read and how many failures it injected, by kind,
    /// since it started.
    pub fn chaos_stats(&self) -> ChaosStats {
        self.state.chaos.stats()
    }

    /// Creates another, empty workspace with its own admin and user keys and certificate
    /// (for tests of isolation). Its keys are not written to `keys.env`.
    pub async fn create_workspace(&self, name: &str) -> crate::Result<WorkspaceKeys> {
        if name.trim().is_empty() || name.chars().count() > 200 {
            return Err(Error::invalid(
                "validation",
                "a workspace name has 1 to 200 characters",
            ));
        }
        let state = Arc::clone(&self.state);
        let name = name.to_owned();
        let new = self
            .state
            .db
            .write(move |tx| {
                let generated = options::FixedKeys::default();
                Ok(startup::seed::seed_workspace(
                    tx,
                    &state.api_keys.hasher,
                    &name,
                    &generated,
                )?)
            })
            .await
            .map_err(|e| e.0)?;
        for record in new.records {
            self.state.api_keys.keys.insert(record);
        }
        Ok(WorkspaceKeys {
            workspace_id: new.workspace_id,
            admin_key: new.admin_key,
            user_key: new.user_key,
            certificate_pem: new.certificate.certificate,
        })
    }

    /// Stops accepting connections, lets in-flight requests finish, and waits for the
    /// server and the webhook deliveries to stop (an attempt still waiting for its
    /// endpoint is dropped unrecorded and made again on the next start).
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        if let Some(delivery) = self.delivery.take() {
            let _ = delivery.await;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
