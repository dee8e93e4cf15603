//! The workspace's webhook endpoint (its URL, which may hold a user name and password,
//! and its signing secret sealed with the storage key, `munity_seal`) and the delivery
//! log (each delivery's URL sealed too).

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;

use super::rows::{new_id, now, Filter, Paging};

/// A workspace's endpoint (its secret is read only for signing). Serialized, its URL
/// shows no credentials (`https://user:pass@host/` is shown as `https://host/`).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Endpoint {
    #[serde(serialize_with = "url_without_credentials")]
    pub(crate) url: String,
    pub(crate) created_at: String,
}

/// One message and how its delivery went.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Delivery {
    /// The message id (`webhook-id`), the same on every attempt.
    pub(crate) id: String,
    pub(crate) event_type: String,
    /// Where the last attempt went (before any, the endpoint's URL when queued), without
    /// credentials.
    #[serde(serialize_with = "url_without_credentials")]
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

fn url_without_credentials<S: serde::Serializer>(url: &str, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&crate::redact::url_without_credentials(url))
}

/// The oldest due delivery of a workspace, with the endpoint it goes to now: its URL and
/// secret come from one row, so an attempt is never signed with one endpoint's secret
/// and sent to another's URL. `endpoint` is None when the workspace has none any more.
#[derive(Debug)]
pub(crate) struct Due {
    pub(crate) id: String,
    pub(crate) payload: String,
    pub(crate) attempts: i64,
    pub(crate) endpoint: Option<(String, Vec<u8>)>,
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
         VALUES (?1, munity_seal('webhook_endpoints.url', ?1, ?2),
                 munity_seal('webhook_endpoints.secret', ?1, ?3), ?4)
         ON CONFLICT (workspace_id) DO UPDATE
         SET url = excluded.url, secret = excluded.secret, created_at = ?4",
        params![workspace_id, endpoint.url, secret, endpoint.created_at],
    )?;
    Ok(endpoint)
}

/// The endpoint, if set.
pub(crate) fn get_endpoint(
    conn: &Connection,
    workspace_id: &str,
) -> rusqlite::Result<Option<Endpoint>> {
    conn.prepare_cached(
        "SELECT munity_open('webhook_endpoints.url', workspace_id, url), created_at
         FROM webhook_endpoints WHERE workspace_id = ?1",
    )?
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
         VALUES (?1, ?2, ?3, ?4, munity_seal('webhook_deliveries.url', ?1, ?5), 'pending', 0,
                 ?6, ?7, ?7)",
        params![new_id(), workspace_id, event_type, payload, endpoint.url, now_ms, stamp],
    )?;
    Ok(())
}

/// The workspaces with a delivery due (each gets one delivery worker at a time).
pub(crate) fn due_workspaces(conn: &Connection, now_ms: i64) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT workspace_id FROM webhook_deliveries
         WHERE status = 'pending' AND next_attempt_ms <= ?1",
    )?;
    let rows = stmt.query_map([now_ms], |row| row.get(0))?;
    rows.collect()
}

/// The workspace's oldest due delivery, with its endpoint as it is now.
pub(crate) fn next_due(
    conn: &Connection,
    workspace_id: &str,
    now_ms: i64,
) -> rusqlite::Result<Option<Due>> {
    conn.prepare_cached(
        "SELECT d.id, d.payload, d.attempts,
                munity_open('webhook_endpoints.url', e.workspace_id, e.url),
                munity_open('webhook_endpoints.secret', e.workspace_id, e.secret)
         FROM webhook_deliveries d
         LEFT JOIN webhook_endpoints e ON e.workspace_id = d.workspace_id
         WHERE d.workspace_id = ?1 AND d.status = 'pending' AND d.next_attempt_ms <= ?2
         ORDER BY d.seq LIMIT 1",
    )?
    .query_row(params![workspace_id, now_ms], |row| {
        let url: Option<String> = row.get(3)?;
        let secret: Option<Vec<u8>> = row.get(4)?;
        Ok(Due {
            id: row.get(0)?,
            payload: row.get(1)?,
            attempts: row.get(2)?,
            endpoint: url.zip(secret),
        })
    })
    .optional()
}

/// Records an attempt made to `url` (None: no endpoint, the URL stays).
pub(crate) fn record_attempt(
    tx: &Transaction<'_>,
    id: &str,
    url: Option<&str>,
    status: &str,
    response_status: Option<u16>,
    error: Option<&str>,
    next_attempt_ms: i64,
) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE webhook_deliveries SET status = ?2, attempts = attempts + 1,
             last_response_status = ?3, last_error = ?4, next_attempt_ms = ?5, updated_at = ?6,
             url = COALESCE(munity_seal('webhook_deliveries.url', id, ?7), url)
         WHERE id = ?1",
        params![
            id,
            status,
            response_status,
            error,
            next_attempt_ms,
            now(),
            url
        ],
    )?;
    Ok(())
}

/// One page of the workspace's delivery log, oldest first.
pub(crate) fn list(
    conn: &Connection,
    workspace_id: &str,
    paging: Paging,
) -> rusqlite::Result<(u64, Vec<Delivery>)> {
    Filter::default()
        .and("workspace_id = ?", workspace_id)
        .page(
            conn,
            "webhook_deliveries",
            "id, event_type, munity_open('webhook_deliveries.url', id, url), status, attempts,
         last_response_status, last_error, created_at, updated_at",
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
