//! [`SandboxOptions`]: where the sandbox keeps its data and how it misbehaves on purpose.

use std::path::{Path, PathBuf};

use crate::origin::Origin;
use crate::ApiKey;

/// Where the sandbox keeps its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Storage {
    /// Nothing on disk: the data lives as long as the sandbox.
    Memory,
    /// A folder holding the SQLite database, the server secret and `keys.env`.
    Dir(PathBuf),
}

/// How to start a [`Sandbox`](super::Sandbox).
///
/// ```
/// use munity::sandbox::SandboxOptions;
///
/// let options = SandboxOptions::memory().port(0).rate_limit(50).chaos(0.1);
/// assert_eq!(options.rate_limit_per_second(), Some(50));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SandboxOptions {
    pub(crate) storage: Storage,
    pub(crate) port: u16,
    pub(crate) rate_limit: Option<u32>,
    pub(crate) chaos: f64,
    pub(crate) allowed_origins: Vec<Origin>,
    /// `POST /v1/connect/credentials` attempts: burst per link, burst per address.
    pub(crate) connect_attempts: (u32, u32),
    /// The longest a module registration waits for the system's `edit` call.
    pub(crate) module_timeout: std::time::Duration,
    pub(crate) keys: FixedKeys,
}

/// The seeded workspace's keys chosen by the caller; `None` is a generated key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FixedKeys {
    pub(crate) admin: Option<ApiKey>,
    pub(crate) user: Option<ApiKey>,
}

impl SandboxOptions {
    /// Data in memory only, any free port, no rate limit, no chaos.
    pub fn memory() -> Self {
        SandboxOptions {
            storage: Storage::Memory,
            port: 0,
            rate_limit: None,
            chaos: 0.0,
            allowed_origins: Vec::new(),
            keys: FixedKeys::default(),
            connect_attempts: (10, 60),
            module_timeout: crate::module::SystemClient::DEFAULT_TIMEOUT,
        }
    }

    /// Data in the folder `path` (created if missing); a restart on the same folder sees
    /// all data and the same keys.
    pub fn dir(path: impl AsRef<Path>) -> Self {
        SandboxOptions {
            storage: Storage::Dir(path.as_ref().to_path_buf()),
            ..SandboxOptions::memory()
        }
    }

    /// How long a module registration waits for the system to answer its
    /// `integration-modules/{code}/edit` call (10 s by default); past it, the
    /// registration fails and stores nothing.
    pub fn module_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.module_timeout = timeout;
        self
    }

    /// The TCP port on 127.0.0.1 (0, the default, picks a free one).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// At most `per_second` requests per second per API key (token bucket, burst of the
    /// same size). 0 turns the limit off.
    pub fn rate_limit(mut self, per_second: u32) -> Self {
        self.rate_limit = (per_second > 0).then_some(per_second);
        self
    }

    /// The fraction (0 to 1) of requests that fail on purpose: half before the handler,
    /// half after it ran and committed; each as a 503 or a dropped connection. Values
    /// outside 0..=1 are clamped.
    pub fn chaos(mut self, fraction: f64) -> Self {
        self.chaos = crate::sandbox::chaos::clamp_fraction(fraction);
        self
    }

    /// How many `POST /v1/connect/credentials` attempts (each opens an envelope) a link
    /// and a client address may make at once before 429 `rate_limited`: bursts of
    /// `per_link` (default 10, refilled at one per 30 s) and `per_address` (default 60,
    /// refilled at one per 2 s).
    pub fn connect_attempts(mut self, per_link: u32, per_address: u32) -> Self {
        self.connect_attempts = (per_link, per_address);
        self
    }

    /// Adds `origin` to the seeded workspace's `allowed_origins` when the sandbox starts
    /// (kept with the others it has), so that a page there may use connect links: the
    /// CORS answers of the connect endpoints and the OAuth2 popup's `postMessage`.
    ///
    /// ```
    /// use munity::origin::Origin;
    /// use munity::sandbox::SandboxOptions;
    ///
    /// # fn main() -> munity::Result<()> {
    /// let options = SandboxOptions::memory().allow_origin(Origin::parse("http://127.0.0.1:5173")?);
    /// assert_eq!(options.allowed_origins()[0].as_str(), "http://127.0.0.1:5173");
    /// # Ok(())
    /// # }
    /// ```
    pub fn allow_origin(mut self, origin: Origin) -> Self {
        if !self.allowed_origins.contains(&origin) {
            self.allowed_origins.push(origin);
        }
        self
    }

    /// The origins added with [`SandboxOptions::allow_origin`].
    pub fn allowed_origins(&self) -> &[Origin] {
        &self.allowed_origins
    }

    /// The seeded workspace's admin key (read and write) instead of a generated one, so
    /// that a team's CI can use a fixed key. A new storage is seeded with it; a data
    /// folder seeded before must hold the same key (in `keys.env`), or
    /// [`Sandbox::start`](super::Sandbox::start) fails with a `storage` error. The admin
    /// and user keys need different prefixes.
    pub fn admin_key(mut self, key: ApiKey) -> Self {
        self.keys.admin = Some(key);
        self
    }

    /// The seeded workspace's user key (read only) instead of a generated one; the same
    /// rules as [`admin_key`](Self::admin_key).
    pub fn user_key(mut self, key: ApiKey) -> Self {
        self.keys.user = Some(key);
        self
    }

    /// The storage.
    pub fn storage(&self) -> &Storage {
        &self.storage
    }

    /// The rate limit per key per second, if any.
    pub fn rate_limit_per_second(&self) -> Option<u32> {
        self.rate_limit
    }

    /// The chaos fraction.
    pub fn chaos_fraction(&self) -> f64 {
        self.chaos
    }
}
