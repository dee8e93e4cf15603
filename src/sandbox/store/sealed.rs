//! The SQL side of the [`Vault`]: two functions registered on the connection, so that
//! every query seals and opens the secret columns ([`Sealed`]) where it names them:
//!
//! - `munity_seal('<table.column>', <id>..., <value>)`: the sealed BLOB of a TEXT or BLOB
//!   value (NULL stays NULL), bound to the column and the row's ids;
//! - `munity_open('<table.column>', <id>..., <sealed>)`: the value again, TEXT or BLOB
//!   as the column holds; an error when it does not open (another key, an altered or
//!   moved value, or a value in clear).
//!
//! Both are `SQLITE_DIRECTONLY`: a trigger or a view in a tampered database file cannot
//! call them.

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::types::{Value, ValueRef};
use rusqlite::Connection;

use crate::sandbox::store::vault::{Sealed, Vault};

/// A failure inside a function, as SQLite reports it to the query.
fn fail(detail: String) -> rusqlite::Error {
    rusqlite::Error::UserFunctionError(detail.into())
}

/// The column a call names (first argument), checked with the number of arguments:
/// the column's ids, then the value.
fn column(ctx: &Context<'_>, function: &str) -> rusqlite::Result<Sealed> {
    if ctx.len() < 2 {
        return Err(fail(format!(
            "{function} takes a column name, the row's id(s) and the value"
        )));
    }
    let name: String = ctx.get(0)?;
    let column = Sealed::from_name(&name)
        .ok_or_else(|| fail(format!("{function}: `{name}` is not a sealed column")))?;
    if ctx.len() != column.ids() + 2 {
        return Err(fail(format!(
            "{function}('{name}', ...) takes {} id(s) and the value",
            column.ids()
        )));
    }
    Ok(column)
}

/// The row's ids (the arguments between the column and the value). Read only for a value
/// that is not NULL: a row missing from an outer join has NULL ids and a NULL value.
fn ids(ctx: &Context<'_>, column: Sealed) -> rusqlite::Result<Vec<String>> {
    (1..=column.ids()).map(|i| ctx.get::<String>(i)).collect()
}

/// The last argument, the value.
fn value<'a>(ctx: &'a Context<'_>) -> ValueRef<'a> {
    ctx.get_raw(ctx.len() - 1)
}

fn seal(vault: &Vault, ctx: &Context<'_>) -> rusqlite::Result<Value> {
    let column = column(ctx, "munity_seal")?;
    let plaintext = match value(ctx) {
        ValueRef::Null => return Ok(Value::Null),
        ValueRef::Text(bytes) | ValueRef::Blob(bytes) => bytes,
        ValueRef::Integer(_) | ValueRef::Real(_) => {
            return Err(fail(format!(
                "munity_seal: a value of {} is TEXT or BLOB",
                column.name()
            )))
        }
    };
    let ids = ids(ctx, column)?;
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    vault
        .seal(column, &ids, plaintext)
        .map(Value::Blob)
        .map_err(|e| fail(e.detail().to_owned()))
}

fn open(vault: &Vault, ctx: &Context<'_>) -> rusqlite::Result<Value> {
    let column = column(ctx, "munity_open")?;
    let sealed = match value(ctx) {
        ValueRef::Null => return Ok(Value::Null),
        ValueRef::Blob(bytes) => bytes,
        _ => {
            return Err(fail(format!(
                "a value of {} is not sealed (was it written in clear?)",
                column.name()
            )))
        }
    };
    let ids = ids(ctx, column)?;
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let opened = vault
        .unseal(column, &ids, sealed)
        .map_err(|e| fail(e.detail().to_owned()))?;
    if column.is_text() {
        let text = std::str::from_utf8(&opened)
            .map_err(|_| fail(format!("a value of {} is not UTF-8", column.name())))?;
        Ok(Value::Text(text.to_owned()))
    } else {
        Ok(Value::Blob(opened.to_vec()))
    }
}

/// Registers `munity_seal` and `munity_open` on `conn`, with `vault`'s key.
pub(crate) fn register(conn: &Connection, vault: &Vault) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DIRECTONLY;
    let sealer = vault.clone();
    conn.create_scalar_function("munity_seal", -1, flags, move |ctx| seal(&sealer, ctx))?;
    let opener = vault.clone();
    conn.create_scalar_function(
        "munity_open",
        -1,
        flags | FunctionFlags::SQLITE_DETERMINISTIC,
        move |ctx| open(&opener, ctx),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Secret;

    fn conn() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        register(&conn, &Vault::new(&Secret::new(vec![3; 32])).unwrap()).unwrap();
        conn
    }

    #[test]
    fn text_and_blobs_round_trip_and_null_stays_null() {
        let conn = conn();
        let text: String = conn
            .query_row(
                "SELECT munity_open('credentials.record', 'ws', 'cred',
                    munity_seal('credentials.record', 'ws', 'cred', '{\"password\":\"hunter2\"}'))",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(text, "{\"password\":\"hunter2\"}");
        let bytes: Vec<u8> = conn
            .query_row(
                "SELECT munity_open('api_keys.link_key', 'Adm1nKey',
                    munity_seal('api_keys.link_key', 'Adm1nKey', x'00ff'))",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(bytes, [0, 255]);
        let null: Option<Vec<u8>> = conn
            .query_row(
                "SELECT munity_seal('connector_configs.api_key', 'ws', 'jira', NULL)",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(null, None);
        // A row missing from an outer join: NULL ids, NULL value.
        let null: Option<Vec<u8>> = conn
            .query_row(
                "SELECT munity_open('webhook_endpoints.secret', NULL, NULL)",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(null, None);
    }

    #[test]
    fn misuse_and_clear_values_are_errors() {
        let conn = conn();
        for sql in [
            "SELECT munity_seal('users.email', 'ws', 'x')",
            "SELECT munity_seal('credentials.record')",
            "SELECT munity_seal('users.email', 'ws', NULL)",
            "SELECT munity_seal('credentials.record', 'ws', 'x')",
            "SELECT munity_seal('credentials.record', 'ws', 'id', 42)",
            "SELECT munity_open('workspace_keys.private_key', 'ws', '-----BEGIN PRIVATE KEY-----')",
            "SELECT munity_open('webhook_endpoints.secret', 'ws', x'00112233445566778899aabbccddeeff')",
            "SELECT munity_open('webhook_endpoints.secret', 'ws2',
                munity_seal('webhook_endpoints.secret', 'ws', x'01'))",
        ] {
            let err = conn
                .query_row(sql, [], |row| row.get::<_, Value>(0))
                .unwrap_err()
                .to_string();
            assert!(
                ["not a sealed column", "takes", "TEXT or BLOB", "not sealed", "does not open"]
                    .iter()
                    .any(|why| err.contains(why)),
                "{sql}: {err}"
            );
        }
    }
}
