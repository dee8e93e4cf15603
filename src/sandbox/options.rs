//! [`SandboxOptions`]: where the sandbox keeps its data and how it misbehaves on purpose.

use std::path::{Path, PathBuf};

use crate::origin::Origin;

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
        self.chaos = super::chaos::clamp_fraction(fraction);
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
