//! The credentials of connections made through connect links, stored sealed with the
//! sandbox's storage key ([`Vault`](crate::sandbox::store::vault::Vault), in SQL with
//! `munity_seal`): the table never holds them in clear, and no route reads them back.

use rusqlite::{params, Transaction};

use super::rows::now;

/// Stores the credentials (JSON) of a connection, sealed.
pub(crate) fn insert(
    tx: &Transaction<'_>,
    workspace_id: &str,
    connection_id: &str,
    plaintext: &[u8],
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO connection_credentials (connection_id, workspace_id, sealed, created_at)
         VALUES (?1, ?2, munity_seal('connection_credentials.sealed', ?2, ?1, ?3), ?4)",
        params![connection_id, workspace_id, plaintext, now()],
    )?;
    Ok(())
}

/// The credentials of a connection, opened (tests check what was stored).
#[cfg(test)]
pub(crate) fn get(
    conn: &rusqlite::Connection,
    connection_id: &str,
) -> rusqlite::Result<zeroize::Zeroizing<Vec<u8>>> {
    conn.query_row(
        "SELECT munity_open('connection_credentials.sealed', workspace_id, connection_id, sealed)
         FROM connection_credentials WHERE connection_id = ?1",
        [connection_id],
        |row| row.get(0).map(zeroize::Zeroizing::new),
    )
}
