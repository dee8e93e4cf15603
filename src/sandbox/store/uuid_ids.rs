//! Schema version 5: every resource id becomes a UUID, as the API's documentation shows
//! ids (`f87cc67d-b594-4407-a90d-b26cfdae8f14`), in place of the `cus_...`-style ids
//! older sandboxes wrote.
//!
//! In the migration's transaction:
//! 1. every id of [`ID_TABLES`] gets a new UUID, kept in `renamed_ids (old, new)` (the
//!    table stays: startup maps the workspace id of an old `keys.env` with it);
//! 2. each table of [`TABLES`] is updated once: its id columns renamed, and its sealed
//!    columns whose binding names a renamed id opened with the old ids and sealed again
//!    with the new ones (in one `UPDATE`, every expression reads the row as it was);
//! 3. ids inside stored JSON text (webhook payloads, the idempotency cache's answers) are
//!    replaced token by token.
//!
//! Connect links signed before the migration name the old workspace id and are refused
//! (403) afterwards: sign new ones.

use std::collections::HashMap;

use rusqlite::{params, Transaction};

use super::rows::new_id;

/// The tables whose `id` column holds resource ids.
const ID_TABLES: [&str; 8] = [
    "workspaces",
    "users",
    "customers",
    "connections",
    "credentials",
    "pm_projects",
    "pm_tasks",
    "webhook_deliveries",
];

/// One table to update: its columns holding ids (its own or another row's), and its
/// sealed columns with the columns their binding names, in order.
struct Table {
    name: &'static str,
    ids: &'static [&'static str],
    sealed: &'static [(&'static str, &'static [&'static str])],
}

/// Every table with an id column, a reference to one, or a sealed column bound to one.
const TABLES: [Table; 13] = [
    Table {
        name: "workspaces",
        ids: &["id"],
        sealed: &[],
    },
    Table {
        name: "users",
        ids: &["id", "workspace_id"],
        sealed: &[],
    },
    Table {
        name: "api_keys",
        ids: &["workspace_id", "user_id"],
        sealed: &[],
    },
    Table {
        name: "connector_configs",
        ids: &["workspace_id"],
        sealed: &[
            ("client_secret", &["workspace_id", "connector"]),
            ("api_key", &["workspace_id", "connector"]),
        ],
    },
    Table {
        name: "customers",
        ids: &["id", "workspace_id"],
        sealed: &[],
    },
    Table {
        name: "connections",
        ids: &["id", "workspace_id", "customer_id"],
        sealed: &[],
    },
    Table {
        name: "credentials",
        ids: &["id", "workspace_id"],
        sealed: &[("record", &["workspace_id", "id"])],
    },
    Table {
        name: "pm_projects",
        ids: &["id", "workspace_id", "customer_id"],
        sealed: &[],
    },
    Table {
        name: "pm_tasks",
        ids: &["id", "workspace_id", "customer_id", "project_id"],
        sealed: &[],
    },
    Table {
        name: "webhook_endpoints",
        ids: &["workspace_id"],
        sealed: &[("secret", &["workspace_id"]), ("url", &["workspace_id"])],
    },
    Table {
        name: "webhook_deliveries",
        ids: &["id", "workspace_id"],
        sealed: &[("url", &["id"])],
    },
    Table {
        name: "workspace_keys",
        ids: &["workspace_id"],
        sealed: &[("private_key", &["workspace_id"])],
    },
    Table {
        name: "connection_credentials",
        ids: &["connection_id", "workspace_id"],
        sealed: &[("sealed", &["workspace_id", "connection_id"])],
    },
];

/// `column`'s new id (the column itself when it is not a renamed id).
fn renamed(column: &str) -> String {
    format!("COALESCE((SELECT new FROM renamed_ids WHERE old = {column}), {column})")
}

/// The one `UPDATE` of `table`.
fn update_sql(table: &Table) -> String {
    let mut sets: Vec<String> = table
        .ids
        .iter()
        .map(|c| format!("{c} = {}", renamed(c)))
        .collect();
    for (column, binding) in table.sealed {
        let name = format!("'{}.{column}'", table.name);
        let new_ids: Vec<String> = binding
            .iter()
            .map(|b| {
                if table.ids.contains(b) {
                    renamed(b)
                } else {
                    (*b).to_owned()
                }
            })
            .collect();
        sets.push(format!(
            "{column} = munity_seal({name}, {}, munity_open({name}, {}, {column}))",
            new_ids.join(", "),
            binding.join(", ")
        ));
    }
    format!("UPDATE {} SET {}", table.name, sets.join(", "))
}

/// `text` with every token (a run of `[A-Za-z0-9_]`) that is an old id replaced by its
/// new id; `None` when nothing changed.
fn rename_in_text(text: &str, map: &HashMap<String, String>) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    let mut token_start = None;
    let is_token = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut flush = |out: &mut String, token: &str| match map.get(token) {
        Some(new) => {
            out.push_str(new);
            changed = true;
        }
        None => out.push_str(token),
    };
    for (i, c) in text.char_indices() {
        if is_token(c) {
            token_start.get_or_insert(i);
        } else {
            if let Some(start) = token_start.take() {
                flush(&mut out, &text[start..i]);
            }
            out.push(c);
        }
    }
    if let Some(start) = token_start {
        flush(&mut out, &text[start..]);
    }
    changed.then_some(out)
}

/// Rewrites the JSON text of `column` in every row of `table` (TEXT or UTF-8 BLOB).
fn rename_in_column(
    tx: &Transaction<'_>,
    table: &str,
    column: &str,
    map: &HashMap<String, String>,
) -> rusqlite::Result<()> {
    let rows: Vec<(i64, Vec<u8>)> = tx
        .prepare(&format!(
            "SELECT rowid, CAST({column} AS BLOB) FROM {table}"
        ))?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (rowid, bytes) in rows {
        let Ok(text) = std::str::from_utf8(&bytes) else {
            continue;
        };
        if let Some(new) = rename_in_text(text, map) {
            tx.execute(
                &format!(
                    "UPDATE {table} SET {column} = CASE typeof({column}) \
                     WHEN 'blob' THEN CAST(?2 AS BLOB) ELSE ?2 END WHERE rowid = ?1"
                ),
                params![rowid, new],
            )?;
        }
    }
    Ok(())
}

/// The migration (see the module docs).
pub(crate) fn migrate(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "CREATE TABLE renamed_ids (old TEXT PRIMARY KEY, new TEXT NOT NULL UNIQUE) WITHOUT ROWID;",
    )?;
    let mut map = HashMap::new();
    for table in ID_TABLES {
        let ids: Vec<String> = tx
            .prepare(&format!("SELECT id FROM {table}"))?
            .query_map([], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for old in ids {
            let new = new_id();
            tx.execute(
                "INSERT INTO renamed_ids (old, new) VALUES (?1, ?2)",
                params![old, new],
            )?;
            map.insert(old, new);
        }
    }
    for table in &TABLES {
        tx.execute_batch(&update_sql(table))?;
    }
    rename_in_column(tx, "webhook_deliveries", "payload", &map)?;
    rename_in_column(tx, "idempotency", "body", &map)?;
    Ok(())
}

/// The new id of `old`, if the migration renamed it.
pub(crate) fn renamed_id(
    conn: &rusqlite::Connection,
    old: &str,
) -> rusqlite::Result<Option<String>> {
    use rusqlite::OptionalExtension;
    conn.query_row("SELECT new FROM renamed_ids WHERE old = ?1", [old], |row| {
        row.get(0)
    })
    .optional()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_that_are_old_ids_are_replaced_and_nothing_else() {
        let map: HashMap<String, String> = [
            ("cus_AAA".to_owned(), "u-1".to_owned()),
            ("con_B".to_owned(), "u-2".to_owned()),
        ]
        .into();
        assert_eq!(
            rename_in_text(
                r#"{"id":"con_B","customer_id":"cus_AAA","x":"cus_AAAB é"}"#,
                &map
            )
            .as_deref(),
            Some(r#"{"id":"u-2","customer_id":"u-1","x":"cus_AAAB é"}"#)
        );
        assert_eq!(rename_in_text("con_B", &map).as_deref(), Some("u-2"));
        assert_eq!(rename_in_text(r#"{"id":"other"}"#, &map), None);
    }

    /// Every sealed column is re-sealed by the migration, except the link keys, bound to
    /// a key prefix (not a renamed id), and columns created after it: a column sealed
    /// later in a table that existed at version 5 must be added to `TABLES`.
    #[test]
    fn every_sealed_column_bound_to_an_id_is_resealed() {
        use crate::sandbox::store::vault::Sealed;
        for column in Sealed::ALL {
            let resealed = TABLES.iter().any(|t| {
                t.sealed
                    .iter()
                    .any(|(c, _)| format!("{}.{c}", t.name) == column.name())
            });
            // `connector_configs.module_secret` is created by version 7, after the ids
            // became UUIDs: there is nothing of it to re-seal.
            let bound_to_old_ids =
                column != Sealed::LinkKey && column != Sealed::ConnectorModuleSecret;
            assert_eq!(
                resealed,
                bound_to_old_ids,
                "{} and the migration to UUIDs",
                column.name()
            );
        }
    }

    #[test]
    fn a_sealed_column_is_opened_with_the_old_ids_and_sealed_with_the_new() {
        assert_eq!(
            update_sql(&TABLES[6]),
            "UPDATE credentials SET id = COALESCE((SELECT new FROM renamed_ids WHERE old = id), id), \
             workspace_id = COALESCE((SELECT new FROM renamed_ids WHERE old = workspace_id), workspace_id), \
             record = munity_seal('credentials.record', \
             COALESCE((SELECT new FROM renamed_ids WHERE old = workspace_id), workspace_id), \
             COALESCE((SELECT new FROM renamed_ids WHERE old = id), id), \
             munity_open('credentials.record', workspace_id, id, record))"
        );
        // A binding column that is not an id stays as it is.
        assert!(update_sql(&TABLES[3]).contains(
            "munity_open('connector_configs.api_key', workspace_id, connector, api_key)"
        ));
    }

    /// A database at version 4 with old ids: a workspace, a customer, a sealed credential
    /// record, and an idempotency answer naming the customer. After version 5: UUIDs,
    /// the reference followed, the record opening under its new ids, the answer rewritten.
    #[test]
    fn a_version_4_database_gets_uuids_everywhere() {
        use crate::sandbox::store::schema::{Context, MIGRATIONS};
        use crate::sandbox::store::vault::Vault;
        let vault = Vault::new(&crate::Secret::new(vec![7; 32])).unwrap();
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        crate::sandbox::store::sealed::register(&conn, &vault).unwrap();
        // As the runner does (`schema::migrate`): foreign keys are checked after a step.
        conn.execute_batch("PRAGMA foreign_keys = OFF;").unwrap();
        let context = Context { vault: &vault };
        let tx = conn.transaction().unwrap();
        for step in MIGRATIONS.iter().filter(|m| m.version <= 4) {
            (step.run)(&tx, &context).unwrap();
        }
        tx.execute_batch(
            "INSERT INTO workspaces (id, name, created_at) VALUES ('ws_OLD', 'w', 't');
             INSERT INTO customers (id, workspace_id, external_id, name, created_at, updated_at)
             VALUES ('cus_OLD', 'ws_OLD', 'acme', 'Acme', 't', 't');
             INSERT INTO credentials (id, workspace_id, record, created_at, updated_at)
             VALUES ('cred_OLD', 'ws_OLD',
                     munity_seal('credentials.record', 'ws_OLD', 'cred_OLD', '{\"name\":\"n\"}'), 't', 't');
             INSERT INTO idempotency (key_prefix, idempotency_key, request_hash, status, body, created_unix)
             VALUES ('k', 'i', x'00', 201, CAST('{\"id\":\"cus_OLD\",\"external_id\":\"acme\"}' AS BLOB), 0);",
        )
        .unwrap();
        migrate(&tx).unwrap();
        let broken = tx.query_row("PRAGMA foreign_key_check", [], |_| Ok(()));
        assert_eq!(broken, Err(rusqlite::Error::QueryReturnedNoRows));
        let (workspace, customer, customer_workspace): (String, String, String) = tx
            .query_row(
                "SELECT w.id, c.id, c.workspace_id FROM workspaces w, customers c",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert!(
            crate::sandbox::store::rows::is_uuid(&workspace),
            "{workspace}"
        );
        assert!(
            crate::sandbox::store::rows::is_uuid(&customer),
            "{customer}"
        );
        assert_eq!(customer_workspace, workspace);
        let record: String = tx
            .query_row(
                "SELECT munity_open('credentials.record', workspace_id, id, record) FROM credentials",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(record, r#"{"name":"n"}"#);
        let (body, kind): (Vec<u8>, String) = tx
            .query_row("SELECT body, typeof(body) FROM idempotency", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!(kind, "blob");
        assert_eq!(
            String::from_utf8(body).unwrap(),
            format!(r#"{{"id":"{customer}","external_id":"acme"}}"#)
        );
        assert_eq!(renamed_id(&tx, "ws_OLD").unwrap(), Some(workspace));
        assert_eq!(renamed_id(&tx, "nothing").unwrap(), None);
    }
}
