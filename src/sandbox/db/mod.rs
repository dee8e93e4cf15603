//! The SQLite database: opening it (file in WAL mode with `synchronous=FULL`, or in
//! memory), and running work on it off the async runtime.
//!
//! One connection behind a mutex, used from `spawn_blocking`: SQLite serialises writers
//! anyway, and a loopback sandbox is bound by HTTP, not by SQLite. Every write runs in an
//! `IMMEDIATE` transaction.

pub(crate) mod schema;
pub(crate) mod sealed;

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use super::error::ApiError;
use super::vault::Vault;
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
        super::keys::create_private(&path)?;
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

/// A new resource id: a random UUID (version 4, RFC 9562), lower-case and hyphenated,
/// as the API's documentation shows ids (`f87cc67d-b594-4407-a90d-b26cfdae8f14`). No
/// type prefix: clients treat ids as opaque strings.
pub(crate) fn new_id() -> String {
    let mut b = crate::random::bytes::<16>();
    b[6] = (b[6] & 0x0f) | 0x40; // version 4
    b[8] = (b[8] & 0x3f) | 0x80; // variant 10 (RFC 9562)
    let hex = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// Whether `text` is an id as [`new_id`] writes it (any UUID version, lower case).
#[cfg(test)]
pub(crate) fn is_uuid(text: &str) -> bool {
    text.len() == 36
        && text.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_digit() || (b'a'..=b'f').contains(&b),
        })
}

/// The current time as the API writes it (RFC 3339, UTC).
pub(crate) fn now() -> String {
    crate::time::format_rfc3339(crate::time::now_unix())
}

/// The wire name of a `snake_case` enum (`in_progress`), for a TEXT column.
pub(crate) fn enum_text<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        _ => String::new(),
    }
}

/// Reads an enum column (a value this version does not know reads as `Unknown`).
pub(crate) fn enum_column<T: for<'a> From<&'a str>>(
    row: &rusqlite::Row<'_>,
    index: usize,
) -> rusqlite::Result<T> {
    let text: String = row.get(index)?;
    Ok(T::from(text.as_str()))
}

/// Reads a JSON column.
pub(crate) fn json_column<T: serde::de::DeserializeOwned>(
    row: &rusqlite::Row<'_>,
    index: usize,
) -> rusqlite::Result<T> {
    let text: String = row.get(index)?;
    // The column may hold secrets (credential records): the error goes through the
    // crate's redaction, which leaves serde's quoted values out.
    serde_json::from_str(&text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(
            index,
            rusqlite::types::Type::Text,
            Box::new(crate::Error::from(e)),
        )
    })
}

/// A page request: 1-based page and page size.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Paging {
    pub(crate) page: u32,
    pub(crate) page_size: u32,
}

impl Paging {
    fn offset(self) -> i64 {
        i64::from(self.page.saturating_sub(1)) * i64::from(self.page_size)
    }
}

/// A `WHERE` clause built from optional filters, with its parameters.
#[derive(Debug, Default)]
pub(crate) struct Filter {
    clauses: Vec<&'static str>,
    params: Vec<rusqlite::types::Value>,
}

impl Filter {
    /// Adds `clause` (with one `?`) bound to `value`.
    pub(crate) fn and(mut self, clause: &'static str, value: impl Into<String>) -> Self {
        self.clauses.push(clause);
        self.params.push(rusqlite::types::Value::Text(value.into()));
        self
    }

    /// Adds `clause` bound to `value` when it is set.
    pub(crate) fn and_opt(self, clause: &'static str, value: Option<String>) -> Self {
        match value {
            Some(value) => self.and(clause, value),
            None => self,
        }
    }

    /// Counts the matching rows of `table` and reads one page of them (in creation
    /// order) with `columns`, mapping each with `map`.
    pub(crate) fn page<T>(
        &self,
        conn: &Connection,
        table: &str,
        columns: &str,
        paging: Paging,
        map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<(u64, Vec<T>)> {
        let where_sql = if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        };
        let count: i64 = conn.query_row(
            &format!("SELECT COUNT(*) FROM {table}{where_sql}"),
            rusqlite::params_from_iter(self.params.iter()),
            |row| row.get(0),
        )?;
        let mut params = self.params.clone();
        params.push(rusqlite::types::Value::Integer(i64::from(paging.page_size)));
        params.push(rusqlite::types::Value::Integer(paging.offset()));
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {columns} FROM {table}{where_sql} ORDER BY seq LIMIT ? OFFSET ?"
        ))?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(params.iter()), map)?
            .collect::<rusqlite::Result<Vec<T>>>()?;
        Ok((u64::try_from(count).unwrap_or(0), rows))
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
pub(crate) mod uuid_ids;
pub(crate) mod webhooks;
pub(crate) mod workspace_keys;
pub(crate) mod workspaces;

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_random_version_4_uuids() {
        let a = super::new_id();
        let b = super::new_id();
        assert_ne!(a, b);
        for id in [&a, &b] {
            assert!(super::is_uuid(id), "{id}");
            assert_eq!(&id[14..15], "4", "{id}");
            assert!("89ab".contains(&id[19..20]), "{id}");
        }
        assert!(!super::is_uuid("cus_aQTohzMRoBNBTKwoM4n2"));
        assert!(!super::is_uuid("F87CC67D-B594-4407-A90D-B26CFDAE8F14"));
    }
}
