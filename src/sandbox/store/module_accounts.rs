//! The module accounts: which connection a system's `clientId` opens (simple
//! connection, `http/routes/connect_module.rs`). Only a SHA-256 hash of the `clientId` is
//! stored: it is a bearer value (whoever holds it sees the account page).

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::rows::now;

/// The stored form of a `clientId`: SHA-256, lowercase hex.
fn hash(client_id: &str) -> String {
    hex::encode(ring::digest::digest(
        &ring::digest::SHA256,
        client_id.as_bytes(),
    ))
}

/// Records that `client_id` opens `connection_id`.
pub(crate) fn insert(
    tx: &Transaction<'_>,
    workspace_id: &str,
    connection_id: &str,
    client_id: &str,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO module_accounts (client_id_hash, connection_id, workspace_id, created_at)
         VALUES (?1, ?2, ?3, ?4)",
        params![hash(client_id), connection_id, workspace_id, now()],
    )?;
    Ok(())
}

/// What the account page shows of the connection a `clientId` opens.
#[derive(Debug)]
pub(crate) struct Account {
    /// The connection's id.
    pub(crate) connection_id: String,
    /// The connector's display name.
    pub(crate) connector: String,
    /// The customer's name and the product's id of it (`external_id`).
    pub(crate) customer_name: String,
    pub(crate) customer_external_id: String,
    /// When the connection was made (RFC 3339).
    pub(crate) created_at: String,
}

/// The account `client_id` opens, if any (none once its connection is removed).
pub(crate) fn find(conn: &Connection, client_id: &str) -> rusqlite::Result<Option<Account>> {
    conn.prepare_cached(
        "SELECT c.id, k.display_name, cu.name, cu.external_id, c.created_at
         FROM module_accounts m
         JOIN connections c ON c.id = m.connection_id
         JOIN connectors k ON k.name = c.connector
         JOIN customers cu ON cu.id = c.customer_id
         WHERE m.client_id_hash = ?1",
    )?
    .query_row([hash(client_id)], |row| {
        Ok(Account {
            connection_id: row.get(0)?,
            connector: row.get(1)?,
            customer_name: row.get(2)?,
            customer_external_id: row.get(3)?,
            created_at: row.get(4)?,
        })
    })
    .optional()
}
