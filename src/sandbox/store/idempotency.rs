//! Stored answers of POSTs made with an `Idempotency-Key`, written in the same
//! transaction as the write they answer, kept 24 hours.

use rusqlite::{params, Connection, OptionalExtension, Transaction};

/// How long answers are kept.
pub(crate) const RETENTION_SECS: i64 = 24 * 60 * 60;

/// A stored answer.
#[derive(Debug)]
pub(crate) struct Stored {
    pub(crate) request_hash: Vec<u8>,
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
}

/// Drops answers older than the retention.
pub(crate) fn purge_expired(tx: &Transaction<'_>, now_unix: i64) -> rusqlite::Result<()> {
    tx.prepare_cached("DELETE FROM idempotency WHERE created_unix < ?1")?
        .execute([now_unix - RETENTION_SECS])?;
    Ok(())
}

/// The live (not expired) answer stored for (API key, idempotency key).
pub(crate) fn lookup(
    conn: &Connection,
    key_prefix: &str,
    idempotency_key: &str,
    now_unix: i64,
) -> rusqlite::Result<Option<Stored>> {
    conn.prepare_cached(
        "SELECT request_hash, status, body FROM idempotency
         WHERE key_prefix = ?1 AND idempotency_key = ?2 AND created_unix >= ?3",
    )?
    .query_row(
        params![key_prefix, idempotency_key, now_unix - RETENTION_SECS],
        |row| {
            Ok(Stored {
                request_hash: row.get(0)?,
                status: row.get(1)?,
                body: row.get(2)?,
            })
        },
    )
    .optional()
}

/// Stores an answer.
pub(crate) fn store(
    tx: &Transaction<'_>,
    key_prefix: &str,
    idempotency_key: &str,
    stored: &Stored,
    now_unix: i64,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO idempotency (key_prefix, idempotency_key, request_hash, status, body, created_unix)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        key_prefix,
        idempotency_key,
        stored.request_hash,
        stored.status,
        stored.body,
        now_unix
    ])?;
    Ok(())
}
