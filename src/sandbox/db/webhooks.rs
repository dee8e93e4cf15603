//! The workspace's webhook endpoint (its signing secret sealed with the storage key,
//! `munity_seal`) and the delivery log.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;

use super::{new_id, now, Filter, Paging};

/// A workspace's endpoint (its secret is read only for signing).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Endpoint {
    pub(crate) url: String,
    pub(crate) created_at: String,
}

/// One message and how its delivery went.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Delivery {
    /// The message id (`webhook-id`), the same on every attempt.
    pub(crate) id: String,
    pub(crate) event_type: String,
    pub(crate) url: String,
    /// `pending`, `succeeded` or `failed` (attempts exhausted).
    pub(crate) status: String,
    pub(crate) attempts: i64,
    /// HTTP status of the last attempt, if it got an answer.
    pub(crate) last_response_status: Option<i64>,
    /// Why the last attempt failed, if it did.
    pub(crate) last_error: Option<String>,
    pub(crate) created_at: String,
    pub(crate) updated_at: String,
}

/// A delivery due for an attempt, with what signing needs.
#[derive(Debug)]
pub(crate) struct Due {
    pub(crate) id: String,
    pub(crate) url: String,
    pub(crate) payload: String,
    pub(crate) attempts: i64,
    pub(crate) secret: Option<Vec<u8>>,
}

/// Sets (or replaces) the endpoint with a new secret.
pub(crate) fn put_endpoint(
    tx: &Transaction<'_>,
    workspace_id: &str,
    url: &str,
    secret: &[u8],
) -> rusqlite::Result<Endpoint> {
    let endpoint = Endpoint {
        url: url.to_owned(),
        created_at: now(),
    };
    tx.execute(
        "INSERT INTO webhook_endpoints (workspace_id, url, secret, created_at)
         VALUES (?1, ?2, munity_seal('webhook_endpoints.secret', ?1, ?3), ?4)
         ON CONFLICT (workspace_id) DO UPDATE SET url = ?2, secret = excluded.secret, created_at = ?4",
        params![workspace_id, endpoint.url, secret, endpoint.created_at],
    )?;
    Ok(endpoint)
}

/// The endpoint, if set.
pub(crate) fn get_endpoint(
    conn: &Connection,
    workspace_id: &str,
) -> rusqlite::Result<Option<Endpoint>> {
    conn.prepare_cached("SELECT url, created_at FROM webhook_endpoints WHERE workspace_id = ?1")?
        .query_row([workspace_id], |row| {
            Ok(Endpoint {
                url: row.get(0)?,
                created_at: row.get(1)?,
            })
        })
        .optional()
}

/// Removes the endpoint; true if there was one.
pub(crate) fn delete_endpoint(tx: &Transaction<'_>, workspace_id: &str) -> rusqlite::Result<bool> {
    Ok(tx.execute(
        "DELETE FROM webhook_endpoints WHERE workspace_id = ?1",
        [workspace_id],
    )? > 0)
}

/// Queues a message to the workspace's endpoint, if it has one.
pub(crate) fn enqueue(
    tx: &Transaction<'_>,
    workspace_id: &str,
    event_type: &str,
    payload: &str,
    now_ms: i64,
) -> rusqlite::Result<()> {
    let Some(endpoint) = get_endpoint(tx, workspace_id)? else {
        return Ok(());
    };
    let stamp = now();
    tx.execute(
        "INSERT INTO webhook_deliveries (id, workspace_id, event_type, payload, url, status, attempts,
             next_attempt_ms, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 'pending', 0, ?6, ?7, ?7)",
        params![new_id(), workspace_id, event_type, payload, endpoint.url, now_ms, stamp],
    )?;
    Ok(())
}

/// Pending deliveries whose next attempt is due.
pub(crate) fn due(conn: &Connection, now_ms: i64, limit: i64) -> rusqlite::Result<Vec<Due>> {
    let mut stmt = conn.prepare_cached(
        "SELECT d.id, d.url, d.payload, d.attempts,
                munity_open('webhook_endpoints.secret', e.workspace_id, e.secret)
         FROM webhook_deliveries d
         LEFT JOIN webhook_endpoints e ON e.workspace_id = d.workspace_id
         WHERE d.status = 'pending' AND d.next_attempt_ms <= ?1 ORDER BY d.seq LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![now_ms, limit], |row| {
        Ok(Due {
            id: row.get(0)?,
            url: row.get(1)?,
            payload: row.get(2)?,
            attempts: row.get(3)?,
            secret: row.get(4)?,
        })
    })?;
    rows.collect()
}

/// Records an attempt: `next_attempt` None means no more attempts (succeeded or failed).
pub(crate) fn record_attempt(
    tx: &Transaction<'_>,
    id: &str,
    status: &str,
    response_status: Option<u16>,
    error: Option<&str>,
    next_attempt_ms: i64,
) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE webhook_deliveries SET status = ?2, attempts = attempts + 1,
             last_response_status = ?3, last_error = ?4, next_attempt_ms = ?5, updated_at = ?6
         WHERE id = ?1",
        params![id, status, response_status, error, next_attempt_ms, now()],
    )?;
    Ok(())
}

/// One page of the workspace's delivery log, oldest first.
pub(crate) fn list(
    conn: &Connection,
    workspace_id: &str,
    paging: Paging,
) -> rusqlite::Result<(u64, Vec<Delivery>)> {
    Filter::default().and("workspace_id = ?", workspace_id).page(
        conn,
        "webhook_deliveries",
        "id, event_type, url, status, attempts, last_response_status, last_error, created_at, updated_at",
        paging,
        |row| {
            Ok(Delivery {
                id: row.get(0)?,
                event_type: row.get(1)?,
                url: row.get(2)?,
                status: row.get(3)?,
                attempts: row.get(4)?,
                last_response_status: row.get(5)?,
                last_error: row.get(6)?,
                created_at: row.get(7)?,
                updated_at: row.get(8)?,
            })
        },
    )
}
