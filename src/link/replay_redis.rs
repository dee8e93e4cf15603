//! The nonce store that several API instances share: Redis (feature `redis`).

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::replay::{link_used, AsyncNonceStore};
use super::{accepted_until, check_unexpired, secs, Nonce, CLOCK_SKEW};
use crate::error::{Error, ErrorKind, Result};

/// The namespace of the keys unless [`RedisNonceStore::with_namespace`] says otherwise.
const DEFAULT_NAMESPACE: &str = "munity:link-nonce:v1:";

/// An [`AsyncNonceStore`] on Redis, for a platform that runs several API instances: they
/// all consume nonces in one Redis, so each link makes one connection whichever instance
/// receives it.
///
/// One command per link, atomic in Redis: `SET <namespace><key prefix>:<nonce> <now> NX
/// PX <ms>`. `NX` makes exactly one of any number of concurrent consumers succeed; `PX`
/// lets Redis forget the nonce on its own once the link can no longer pass the expiry
/// check, plus one more [`CLOCK_SKEW`] for instances whose clocks differ. The lifetime
/// is relative (`PX`, not `PXAT`): it is computed with the caller's `now`, the clock
/// that decides expiry, so a Redis clock ahead of the instances' cannot make Redis
/// forget a nonce early (with `PXAT` a time Redis sees as past deletes the key at once
/// and the link could be used again). An expired link is refused before Redis is asked.
///
/// Put the nonces in a Redis that persists (AOF or replicas): a Redis that restarts
/// empty forgets the nonces of links that have not expired yet, which could then be
/// used again. The connection reconnects on its own after a failure; a call that fails
/// meanwhile returns a `network`, `timeout` or `storage` error, and the caller must then
/// refuse the link (never accept a link whose nonce was not recorded).
///
/// ```no_run
/// # async fn run(link: munity::link::ConnectLink, key: munity::link::LinkKey) -> munity::Result<()> {
/// use munity::link::RedisNonceStore;
///
/// let store = RedisNonceStore::connect("redis://127.0.0.1:6379/0").await?;
/// link.verify_once_async(&key, munity::now_unix(), &store).await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct RedisNonceStore {
    conn: ConnectionManager,
    namespace: String,
}

impl std::fmt::Debug for RedisNonceStore {
    /// The namespace only (the connection's URL may hold a password).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisNonceStore")
            .field("namespace", &self.namespace)
            .finish_non_exhaustive()
    }
}

/// A Redis failure as this crate's error. The message is Redis's, which never holds the
/// connection URL.
fn redis_error(what: &str, err: redis::RedisError) -> Error {
    let kind = if err.is_timeout() {
        ErrorKind::Timeout
    } else if err.is_io_error() || err.is_connection_refusal() || err.is_connection_dropped() {
        ErrorKind::Network
    } else {
        ErrorKind::Storage
    };
    Error::new(kind, kind.default_code(), format!("{what}: {err}")).with_source(err)
}

impl RedisNonceStore {
    /// Connects to the Redis at `url` (`redis://[:password@]host[:port][/db]`, or
    /// `redis+unix:///path`). Fails with `config` for a URL that does not parse (the
    /// message does not repeat it) and with `network` when Redis cannot be reached after
    /// two retries (100 and 200 ms); use [`new`](Self::new) for other settings.
    pub async fn connect(url: &str) -> Result<RedisNonceStore> {
        let client = redis::Client::open(url).map_err(|_| {
            Error::new(
                ErrorKind::Config,
                "config",
                "the Redis URL does not parse (expected redis://[:password@]host[:port][/db])",
            )
        })?;
        // A request waits on the store: fail within a second rather than after redis's
        // default six retries (about 10 s). Later reconnects use the same settings.
        let config = ConnectionManagerConfig::new().set_number_of_retries(2);
        let conn = client
            .get_connection_manager_with_config(config)
            .await
            .map_err(|e| redis_error("cannot connect to Redis", e))?;
        Ok(RedisNonceStore::new(conn))
    }

    /// A store on a connection the caller made, to set timeouts or retries, or for TLS
    /// (`rediss://`: enable the `redis` crate's `tokio-rustls-comp` feature in your own
    /// `Cargo.toml`; this crate's `redis` feature enables plain TCP and Unix sockets).
    pub fn new(conn: ConnectionManager) -> RedisNonceStore {
        RedisNonceStore {
            conn,
            namespace: DEFAULT_NAMESPACE.to_owned(),
        }
    }

    /// Puts the keys under `namespace` instead of `munity:link-nonce:v1:` (for several
    /// platforms, or tests, sharing one Redis database).
    pub fn with_namespace(mut self, namespace: impl Into<String>) -> RedisNonceStore {
        self.namespace = namespace.into();
        self
    }

    /// The key of a nonce: injective, as the nonce has a fixed length at the end.
    fn key(&self, key_prefix: &str, nonce: &Nonce) -> String {
        format!("{}{key_prefix}:{}", self.namespace, nonce.to_base64url())
    }
}

impl AsyncNonceStore for RedisNonceStore {
    async fn consume(
        &self,
        key_prefix: &str,
        nonce: &Nonce,
        expires_at: i64,
        now: i64,
    ) -> Result<()> {
        check_unexpired(expires_at, now)?;
        // At least 1 s + one skew: `now <= accepted_until(expires_at)` here.
        let keep_ms = accepted_until(expires_at)
            .saturating_sub(now)
            .saturating_add(secs(CLOCK_SKEW))
            .saturating_add(1)
            .saturating_mul(1000);
        let mut conn = self.conn.clone();
        let set: Option<String> = redis::cmd("SET")
            .arg(self.key(key_prefix, nonce))
            .arg(now)
            .arg("NX")
            .arg("PX")
            .arg(keep_ms)
            .query_async(&mut conn)
            .await
            .map_err(|e| redis_error("cannot record the link's nonce in Redis", e))?;
        match set.as_deref() {
            Some("OK") => Ok(()),
            None => Err(link_used()),
            Some(other) => Err(Error::new(
                ErrorKind::Storage,
                "storage",
                format!("Redis answered SET with {other:?}"),
            )),
        }
    }
}
