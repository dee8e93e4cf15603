//! Connect links on the server side: the link key of a key prefix, and the used nonces
//! (each link is accepted for one connection only).

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::link::{check_unexpired, link_used, secs, LinkKey, Nonce, NonceStore, CLOCK_SKEW};
use crate::sandbox::api_keys::Privilege;

/// What the sandbox knows of the key that signed a link.
#[derive(Debug)]
pub(crate) struct SigningKey {
    pub(crate) workspace_id: String,
    pub(crate) privilege: Privilege,
    pub(crate) link_key: LinkKey,
}

/// The stored link key of the API key with this prefix, if any.
pub(crate) fn signing_key(conn: &Connection, prefix: &str) -> rusqlite::Result<Option<SigningKey>> {
    conn.prepare_cached(
        "SELECT workspace_id, privilege, munity_open('api_keys.link_key', prefix, link_key)
         FROM api_keys WHERE prefix = ?1",
    )?
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

/// The used nonces in SQLite, as the core's [`NonceStore`]: the routes that make a
/// connection call `link.verify_once(&key, now, &mut SqliteNonces(tx))` inside the
/// connection's transaction, so the nonce and the connection commit together.
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
        // First: forgetting old rows below must never make an expired link pass.
        check_unexpired(expires_at, now)?;
        let storage = |e: rusqlite::Error| {
            crate::Error::new(crate::ErrorKind::Storage, "storage", e.to_string())
        };
        // Forget nonces whose links can no longer pass the expiry check.
        self.0
            .execute(
                "DELETE FROM link_nonces WHERE expires_unix < ?1",
                [now.saturating_sub(secs(CLOCK_SKEW))],
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::store::vault::Vault;
    use crate::sandbox::store::Db;

    /// The reproduction's root, without HTTP: an old row of another link is forgotten,
    /// and the expired link's own nonce (never recorded, or forgotten) is refused all the
    /// same.
    #[test]
    fn an_expired_link_is_refused_even_after_its_row_was_forgotten() {
        let vault = Vault::open(None).unwrap();
        let db = Db::open_memory(&vault).unwrap();
        let exp = 1_700_000_000;
        let late = exp + secs(CLOCK_SKEW) + 1;
        let nonce = Nonce::from_bytes([7; 16]);
        db.with_blocking(|conn| {
            let tx = conn.transaction()?;
            SqliteNonces(&tx)
                .consume("Adm1nKey", &nonce, exp, exp)
                .unwrap();
            let err = SqliteNonces(&tx)
                .consume("Adm1nKey", &nonce, exp, late)
                .unwrap_err();
            assert_eq!(err.code(), "link_expired");
            let other = Nonce::from_bytes([8; 16]);
            let err = SqliteNonces(&tx)
                .consume("Adm1nKey", &other, exp, late)
                .unwrap_err();
            assert_eq!(err.code(), "link_expired");
            let rows: i64 = tx.query_row("SELECT COUNT(*) FROM link_nonces", [], |r| r.get(0))?;
            assert_eq!(rows, 1, "nothing recorded for a refused link");
            Ok::<_, rusqlite::Error>(())
        })
        .unwrap();
    }
}
