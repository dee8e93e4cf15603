//! The SQLite database: opening it (file in WAL mode with `synchronous=FULL`, or in
//! memory), and running work on it off the async runtime.
//!
//! One connection behind a mutex, used from `spawn_blocking`: SQLite serialises writers
//! anyway, and a loopback sandbox is bound by HTTP, not by SQLite. Every write runs in an
//! `IMMEDIATE` transaction.

pub(crate) mod schema;
pub(crate) mod sealed;
pub(crate) mod vault;

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::sandbox::error::ApiError;
use crate::sandbox::store::vault::Vault;
use crate::{Error, ErrorKind};

/// The database file's name inside the data folder.
pub(crate) const DB_FILE: &str = "munity.sqlite3";

/// A shared handle on the database.
#[derive(Clone)]
pub(crate) struct Db {
    conn: Arc<Mutex<Connection>>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Db")
    }
}

fn storage_error(what: &'static str, err: rusqlite::Error) -> Error {
    Error::new(ErrorKind::Storage, "storage", format!("{what}: {err}"))
}

impl Db {
    /// Opens (creating if needed) the database in `dir`: WAL journal, full sync; brings
    /// its schema up to date (sealing with `vault` what an older version kept in clear).
    pub(crate) fn open_dir(dir: &Path, vault: &Vault) -> crate::Result<Db> {
        let path = dir.join(DB_FILE);
        crate::sandbox::api_keys::create_private(&path)?;
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| storage_error("cannot open the sandbox database", e))?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .map_err(|e| storage_error("cannot switch the database to WAL", e))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::new(
                ErrorKind::Storage,
                "storage",
                format!("the database refused WAL mode (got {mode})"),
            ));
        }
        conn.execute_batch("PRAGMA synchronous = FULL;")
            .map_err(|e| storage_error("cannot set synchronous=FULL", e))?;
        Db::init(conn, vault)
    }

    /// A database that lives in memory only.
    pub(crate) fn open_memory(vault: &Vault) -> crate::Result<Db> {
        let conn = Connection::open_in_memory()
            .map_err(|e| storage_error("cannot open an in-memory database", e))?;
        Db::init(conn, vault)
    }

    fn init(mut conn: Connection, vault: &Vault) -> crate::Result<Db> {
        conn.execute_batch(schema::PRAGMAS)
            .map_err(|e| storage_error("cannot configure the database", e))?;
        // Also registers the sealing functions every query of a secret column uses.
        schema::migrate(&mut conn, &schema::Context { vault })?;
        Ok(Db {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Runs `f` on the connection in a blocking thread.
    pub(crate) async fn read<R, F>(&self, f: F) -> Result<R, ApiError>
    where
        F: FnOnce(&Connection) -> Result<R, ApiError> + Send + 'static,
        R: Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let guard = conn.lock().map_err(|e| ApiError::internal(&e))?;
            f(&guard)
        })
        .await
        .map_err(|e| ApiError::internal(&e))?
    }

    /// Runs `f` in an `IMMEDIATE` transaction in a blocking thread; commits when `f`
    /// succeeds, rolls back (nothing written) when it fails.
    pub(crate) async fn write<R, F>(&self, f: F) -> Result<R, ApiError>
    where
        F: FnOnce(&Transaction<'_>) -> Result<R, ApiError> + Send + 'static,
        R: Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().map_err(|e| ApiError::internal(&e))?;
            Db::write_blocking(&mut guard, f)
        })
        .await
        .map_err(|e| ApiError::internal(&e))?
    }

    /// The body of [`Db::write`], for callers already on a blocking thread.
    pub(crate) fn write_blocking<R, F>(conn: &mut Connection, f: F) -> Result<R, ApiError>
    where
        F: FnOnce(&Transaction<'_>) -> Result<R, ApiError>,
    {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Runs blocking setup work (seeding, loading keys) with the connection.
    pub(crate) fn with_blocking<R, E: From<rusqlite::Error>>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<R, E>,
    ) -> Result<R, E> {
        let mut guard = self.conn.lock().map_err(|_| {
            rusqlite::Error::InvalidParameterName("database lock poisoned".to_owned())
        })?;
        f(&mut guard)
    }
}

pub(crate) mod connect_links;
pub(crate) mod connection_credentials;
pub(crate) mod connections;
pub(crate) mod connectors;
pub(crate) mod credentials;
pub(crate) mod customers;
pub(crate) mod idempotency;
pub(crate) mod module_accounts;
pub(crate) mod pm;
pub(crate) mod rows;
pub(crate) mod uuid_ids;
pub(crate) mod webhooks;
pub(crate) mod workspace_keys;
pub(crate) mod workspaces;
