//! Connect links on the server side: the link key of a key prefix, and the used nonces
//! (each link is accepted for one connection only).

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::link::{link_used, LinkKey, Nonce, NonceStore, CLOCK_SKEW};
use crate::sandbox::keys::Privilege;

/// What the sandbox knows of the key that signed a link.
#[derive(Debug)]
pub(crate) struct SigningKey {
    pub(crate) workspace_id: String,
    pub(crate) privilege: Privilege,
    pub(crate) link_key: LinkKey,
}

/// The stored link key of the API key with this prefix, if any.
pub(crate) fn signing_key(conn: &Connection, prefix: &str) -> rusqlite::Result<Option<SigningKey>> {
    conn.prepare_cached("SELECT workspace_id, privilege, link_key FROM api_keys WHERE prefix = ?1")?
        .query_row([prefix], |row| {
            let bytes: Vec<u8> = row.get(2)?;
            let privilege: String = row.get(1)?;
            let bad = |what: &str| {
                rusqlite::Error::InvalidColumnType(0, what.to_owned(), rusqlite::types::Type::Blob)
            };
            Ok(SigningKey {
                workspace_id: row.get(0)?,
                privilege: Privilege::parse(&privilege).ok_or_else(|| bad("privilege"))?,
                link_key: LinkKey::from_bytes(bytes.try_into().map_err(|_| bad("link_key"))?),
            })
        })
        .optional()
}

/// Whether a link's nonce was used.
pub(crate) fn is_used(conn: &Connection, prefix: &str, nonce: &Nonce) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT 1 FROM link_nonces WHERE key_prefix = ?1 AND nonce = ?2")?
        .query_row(params![prefix, nonce.as_bytes().as_slice()], |_| Ok(()))
        .optional()
        .map(|found| found.is_some())
}

/// The used nonces in SQLite, as the core's [`NonceStore`]: the envelope's submission
/// calls `link.verify_once(&key, now, &mut SqliteNonces(tx))` inside its transaction.
#[derive(Debug)]
pub(crate) struct SqliteNonces<'a, 'c>(pub(crate) &'a Transaction<'c>);

impl NonceStore for SqliteNonces<'_, '_> {
    fn consume(
        &mut self,
        key_prefix: &str,
        nonce: &Nonce,
        expires_at: i64,
        now: i64,
    ) -> crate::Result<()> {
        let storage = |e: rusqlite::Error| {
            crate::Error::new(crate::ErrorKind::Storage, "storage", e.to_string())
        };
        let skew = crate::link::secs(CLOCK_SKEW);
        // Forget nonces whose links can no longer pass the expiry check.
        self.0
            .execute(
                "DELETE FROM link_nonces WHERE expires_unix < ?1",
                [now.saturating_sub(skew)],
            )
            .map_err(storage)?;
        let inserted = self
            .0
            .execute(
                "INSERT OR IGNORE INTO link_nonces (key_prefix, nonce, expires_unix, used_unix)
                 VALUES (?1, ?2, ?3, ?4)",
                params![key_prefix, nonce.as_bytes().as_slice(), expires_at, now],
            )
            .map_err(storage)?;
        if inserted == 0 {
            return Err(link_used());
        }
        Ok(())
    }
}
