//! Credential records of a workspace. The record (with its secrets, which the platform
//! needs to call the provider) is kept as JSON sealed with the storage key
//! (`munity_seal`); the API only ever shows its summary.

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::rows::{json_column, new_id, now, Filter, Paging};
use crate::model::{CredentialRecord, CredentialRecordInput};

const COLUMNS: &str =
    "id, munity_open('credentials.record', workspace_id, id, record), created_at, updated_at";

fn row_to_record(row: &rusqlite::Row<'_>) -> rusqlite::Result<CredentialRecord> {
    let id: String = row.get(0)?;
    let input: CredentialRecordInput = json_column(row, 1)?;
    let created_at: String = row.get(2)?;
    let updated_at: String = row.get(3)?;
    Ok(input.to_record(&id, &created_at, &updated_at))
}

fn record_json(input: &CredentialRecordInput) -> rusqlite::Result<String> {
    serde_json::to_string(input).map_err(|e| rusqlite::Error::ToSqlConversionFailure(e.into()))
}

/// Stores a new record.
pub(crate) fn insert(
    tx: &Transaction<'_>,
    workspace_id: &str,
    input: &CredentialRecordInput,
) -> rusqlite::Result<CredentialRecord> {
    let id = new_id();
    let at = now();
    tx.execute(
        "INSERT INTO credentials (id, workspace_id, record, created_at, updated_at)
         VALUES (?1, ?2, munity_seal('credentials.record', ?2, ?1, ?3), ?4, ?4)",
        params![id, workspace_id, record_json(input)?, at],
    )?;
    Ok(input.to_record(&id, &at, &at))
}

/// One page of the workspace's records.
pub(crate) fn list(
    conn: &Connection,
    workspace_id: &str,
    paging: Paging,
) -> rusqlite::Result<(u64, Vec<CredentialRecord>)> {
    Filter::default()
        .and("workspace_id = ?", workspace_id)
        .page(conn, "credentials", COLUMNS, paging, row_to_record)
}

/// A record of the workspace.
pub(crate) fn get(
    conn: &Connection,
    workspace_id: &str,
    id: &str,
) -> rusqlite::Result<Option<CredentialRecord>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM credentials WHERE workspace_id = ?1 AND id = ?2"
    ))?
    .query_row([workspace_id, id], row_to_record)
    .optional()
}

/// Replaces a record wholesale; `None` if there is no such record.
pub(crate) fn replace(
    tx: &Transaction<'_>,
    workspace_id: &str,
    id: &str,
    input: &CredentialRecordInput,
) -> rusqlite::Result<Option<CredentialRecord>> {
    let changed = tx.execute(
        "UPDATE credentials SET record = munity_seal('credentials.record', ?1, ?2, ?3), updated_at = ?4
         WHERE workspace_id = ?1 AND id = ?2",
        params![workspace_id, id, record_json(input)?, now()],
    )?;
    if changed == 0 {
        return Ok(None);
    }
    get(tx, workspace_id, id)
}

/// Deletes a record; false if there was none.
pub(crate) fn delete(tx: &Transaction<'_>, workspace_id: &str, id: &str) -> rusqlite::Result<bool> {
    Ok(tx.execute(
        "DELETE FROM credentials WHERE workspace_id = ?1 AND id = ?2",
        [workspace_id, id],
    )? > 0)
}
