//! Workspaces, their users and their API keys (stored as hashes).

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::rows::{new_id, now};
use crate::model::Workspace;
use crate::sandbox::api_keys::{key_row, KeyHasher, KeyRecord, Privilege};
use crate::ApiKey;

/// Creates a workspace.
pub(crate) fn insert(tx: &Transaction<'_>, name: &str) -> rusqlite::Result<Workspace> {
    let workspace = Workspace {
        id: new_id(),
        name: name.to_owned(),
        created_at: now(),
        allowed_origins: Vec::new(),
    };
    tx.execute(
        "INSERT INTO workspaces (id, name, created_at) VALUES (?1, ?2, ?3)",
        params![workspace.id, workspace.name, workspace.created_at],
    )?;
    Ok(workspace)
}

/// A workspace by id.
pub(crate) fn get(conn: &Connection, id: &str) -> rusqlite::Result<Option<Workspace>> {
    let found = conn
        .prepare_cached("SELECT id, name, created_at FROM workspaces WHERE id = ?1")?
        .query_row([id], |row| {
            Ok(Workspace {
                id: row.get(0)?,
                name: row.get(1)?,
                created_at: row.get(2)?,
                allowed_origins: Vec::new(),
            })
        })
        .optional()?;
    let Some(mut workspace) = found else {
        return Ok(None);
    };
    workspace.allowed_origins = allowed_origins(conn, id)?;
    Ok(Some(workspace))
}

/// A workspace's allowed origins (canonical `scheme://host[:port]`), in its order;
/// empty for an unknown workspace.
pub(crate) fn allowed_origins(conn: &Connection, id: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT origin FROM workspace_origins WHERE workspace_id = ?1 ORDER BY position",
    )?;
    let rows = stmt.query_map([id], |row| row.get(0))?;
    rows.collect()
}

/// Replaces a workspace's allowed origins (already checked and canonical, no
/// duplicates).
pub(crate) fn set_allowed_origins(
    tx: &Transaction<'_>,
    id: &str,
    origins: &[String],
) -> rusqlite::Result<()> {
    tx.execute(
        "DELETE FROM workspace_origins WHERE workspace_id = ?1",
        [id],
    )?;
    for (position, origin) in origins.iter().enumerate() {
        tx.execute(
            "INSERT INTO workspace_origins (workspace_id, position, origin) VALUES (?1, ?2, ?3)",
            params![id, i64::try_from(position).unwrap_or(i64::MAX), origin],
        )?;
    }
    Ok(())
}

/// The first workspace created (the seeded one), if any.
pub(crate) fn first_id(conn: &Connection) -> rusqlite::Result<Option<String>> {
    conn.query_row(
        "SELECT id FROM workspaces ORDER BY seq LIMIT 1",
        [],
        |row| row.get(0),
    )
    .optional()
}

/// Creates a user of a workspace; returns its id.
pub(crate) fn insert_user(
    tx: &Transaction<'_>,
    workspace_id: &str,
    email: &str,
    role: &str,
) -> rusqlite::Result<String> {
    let id = new_id();
    tx.execute(
        "INSERT INTO users (id, workspace_id, email, role, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, workspace_id, email, role, now()],
    )?;
    Ok(id)
}

/// Stores a key's hash and derived link key, sealed (never the key).
pub(crate) fn insert_key(
    tx: &Transaction<'_>,
    hasher: &KeyHasher,
    workspace_id: &str,
    user_id: &str,
    key: &ApiKey,
    privilege: Privilege,
) -> rusqlite::Result<KeyRecord> {
    let (hash, link_key) = key_row(hasher, key);
    tx.execute(
        "INSERT INTO api_keys (prefix, workspace_id, user_id, key_hash, link_key, privilege, created_at)
         VALUES (?1, ?2, ?3, ?4, munity_seal('api_keys.link_key', ?1, ?5), ?6, ?7)",
        params![
            key.prefix(),
            workspace_id,
            user_id,
            &hash[..],
            &link_key[..],
            privilege.as_str(),
            now()
        ],
    )?;
    Ok(KeyRecord {
        prefix: key.prefix().to_owned(),
        workspace_id: workspace_id.to_owned(),
        hash,
        privilege,
    })
}

/// Every stored key record.
pub(crate) fn load_keys(conn: &Connection) -> rusqlite::Result<Vec<KeyRecord>> {
    let mut stmt = conn
        .prepare("SELECT prefix, workspace_id, key_hash, privilege FROM api_keys ORDER BY seq")?;
    let rows = stmt.query_map([], |row| {
        let hash: Vec<u8> = row.get(2)?;
        let privilege: String = row.get(3)?;
        Ok((row.get(0)?, row.get(1)?, hash, privilege))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (prefix, workspace_id, hash, privilege): (String, String, Vec<u8>, String) = row?;
        let (Ok(hash), Some(privilege)) =
            (<[u8; 32]>::try_from(hash), Privilege::parse(&privilege))
        else {
            continue;
        };
        out.push(KeyRecord {
            prefix,
            workspace_id,
            hash,
            privilege,
        });
    }
    Ok(out)
}
