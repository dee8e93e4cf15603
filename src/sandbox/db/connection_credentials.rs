//! The credentials of connections made through connect links, stored sealed with the
//! sandbox's storage key ([`Vault`](crate::sandbox::vault::Vault)): the table never holds
//! them in clear, and no route reads them back.

use rusqlite::{params, Transaction};

use super::now;

/// Stores the sealed credentials of a connection.
pub(crate) fn insert(
    tx: &Transaction<'_>,
    workspace_id: &str,
    connection_id: &str,
    sealed: &[u8],
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO connection_credentials (connection_id, workspace_id, sealed, created_at)
         VALUES (?1, ?2, ?3, ?4)",
        params![connection_id, workspace_id, sealed, now()],
    )?;
    Ok(())
}

/// The sealed credentials of a connection (tests check they open).
#[cfg(test)]
pub(crate) fn get(conn: &rusqlite::Connection, connection_id: &str) -> rusqlite::Result<Vec<u8>> {
    conn.query_row(
        "SELECT sealed FROM connection_credentials WHERE connection_id = ?1",
        [connection_id],
        |row| row.get(0),
    )
}
