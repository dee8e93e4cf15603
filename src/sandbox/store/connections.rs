//! Customers' connections to connectors.

use rusqlite::{params, Connection as Sqlite, OptionalExtension, Transaction};

use super::rows::{enum_column, enum_text, new_id, now, Filter, Paging};
use crate::model::{Connection, ConnectionStatus};

const COLUMNS: &str = "id, customer_id, connector, status, created_at";

fn row_to_connection(row: &rusqlite::Row<'_>) -> rusqlite::Result<Connection> {
    Ok(Connection {
        id: row.get(0)?,
        customer_id: row.get(1)?,
        connector: row.get(2)?,
        status: enum_column(row, 3)?,
        created_at: row.get(4)?,
    })
}

/// Creates an active connection of a customer to a connector.
pub(crate) fn insert(
    tx: &Transaction<'_>,
    workspace_id: &str,
    customer_id: &str,
    connector: &str,
) -> rusqlite::Result<Connection> {
    let connection = Connection {
        id: new_id(),
        customer_id: customer_id.to_owned(),
        connector: connector.to_owned(),
        status: ConnectionStatus::Active,
        created_at: now(),
    };
    tx.execute(
        "INSERT INTO connections (id, workspace_id, customer_id, connector, status, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            connection.id,
            workspace_id,
            connection.customer_id,
            connection.connector,
            enum_text(&connection.status),
            connection.created_at
        ],
    )?;
    Ok(connection)
}

/// One page of a customer's connections.
pub(crate) fn list(
    conn: &Sqlite,
    workspace_id: &str,
    customer_id: &str,
    paging: Paging,
) -> rusqlite::Result<(u64, Vec<Connection>)> {
    Filter::default()
        .and("workspace_id = ?", workspace_id)
        .and("customer_id = ?", customer_id)
        .page(conn, "connections", COLUMNS, paging, row_to_connection)
}

/// A customer's connection.
pub(crate) fn get(
    conn: &Sqlite,
    workspace_id: &str,
    customer_id: &str,
    id: &str,
) -> rusqlite::Result<Option<Connection>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM connections WHERE workspace_id = ?1 AND customer_id = ?2 AND id = ?3"
    ))?
    .query_row([workspace_id, customer_id, id], row_to_connection)
    .optional()
}

/// The connector of the customer's first connection, if it has any.
pub(crate) fn first_connector(
    conn: &Sqlite,
    workspace_id: &str,
    customer_id: &str,
) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached(
        "SELECT connector FROM connections WHERE workspace_id = ?1 AND customer_id = ?2
         ORDER BY seq LIMIT 1",
    )?
    .query_row([workspace_id, customer_id], |row| row.get(0))
    .optional()
}

/// Deletes a connection; false if there was none.
pub(crate) fn delete(
    tx: &Transaction<'_>,
    workspace_id: &str,
    customer_id: &str,
    id: &str,
) -> rusqlite::Result<bool> {
    let deleted = tx.execute(
        "DELETE FROM connections WHERE workspace_id = ?1 AND customer_id = ?2 AND id = ?3",
        [workspace_id, customer_id, id],
    )?;
    Ok(deleted > 0)
}

/// Whether the customer still has a connection to `connector`.
pub(crate) fn has_connector(
    conn: &Sqlite,
    workspace_id: &str,
    customer_id: &str,
    connector: &str,
) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT 1 FROM connections WHERE workspace_id = ?1 AND customer_id = ?2 AND connector = ?3",
    )?
    .exists([workspace_id, customer_id, connector])
}
