//! The connector catalog (global) and each workspace's connector configurations (their
//! client secret and API key sealed with the storage key, `munity_seal`).

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::rows::{enum_column, enum_text, json_column, now, Filter, Paging};
use crate::model::{hint, Connector, ConnectorConfig, ConnectorConfigUpdate};
use crate::Secret;

const COLUMNS: &str = "name, display_name, categories, auth_type, fields";

fn connector_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Connector> {
    Ok(Connector {
        name: row.get(0)?,
        display_name: row.get(1)?,
        categories: json_column(row, 2)?,
        auth_type: enum_column(row, 3)?,
        fields: json_column(row, 4)?,
    })
}

fn json_text<T: serde::Serialize>(value: &T) -> rusqlite::Result<String> {
    serde_json::to_string(value).map_err(|e| rusqlite::Error::ToSqlConversionFailure(e.into()))
}

/// Adds a connector to the catalog (or leaves an existing one of that name).
pub(crate) fn insert(tx: &Transaction<'_>, connector: &Connector) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT OR IGNORE INTO connectors (name, display_name, categories, auth_type, fields)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            connector.name,
            connector.display_name,
            json_text(&connector.categories)?,
            enum_text(&connector.auth_type),
            json_text(&connector.fields)?
        ],
    )?;
    Ok(())
}

/// One page of the catalog.
pub(crate) fn list(conn: &Connection, paging: Paging) -> rusqlite::Result<(u64, Vec<Connector>)> {
    Filter::default().page(conn, "connectors", COLUMNS, paging, connector_row)
}

/// A connector by name.
pub(crate) fn get(conn: &Connection, name: &str) -> rusqlite::Result<Option<Connector>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM connectors WHERE name = ?1"))?
        .query_row([name], connector_row)
        .optional()
}

fn hint_of(secret: Option<String>) -> Option<String> {
    secret.map(|s| hint(&Secret::new(s)))
}

/// The workspace's configuration of a connector; an empty one (dated at the Unix epoch)
/// when it was never configured.
pub(crate) fn get_config(
    conn: &Connection,
    workspace_id: &str,
    connector: &str,
) -> rusqlite::Result<ConnectorConfig> {
    let found = conn
        .prepare_cached(
            "SELECT client_id,
                    munity_open('connector_configs.client_secret', workspace_id, connector, client_secret),
                    munity_open('connector_configs.api_key', workspace_id, connector, api_key),
                    scopes, updated_at, module_code,
                    munity_open('connector_configs.module_secret', workspace_id, connector, module_secret)
             FROM connector_configs WHERE workspace_id = ?1 AND connector = ?2",
        )?
        .query_row([workspace_id, connector], |row| {
            Ok(ConnectorConfig {
                connector: connector.to_owned(),
                client_id: row.get(0)?,
                client_secret_hint: hint_of(row.get(1)?),
                api_key_hint: hint_of(row.get(2)?),
                scopes: json_column(row, 3)?,
                updated_at: row.get(4)?,
                module_code: row.get(5)?,
                module_secret_hint: hint_of(row.get(6)?),
            })
        })
        .optional()?;
    Ok(found.unwrap_or_else(|| ConnectorConfig {
        connector: connector.to_owned(),
        client_id: None,
        client_secret_hint: None,
        api_key_hint: None,
        scopes: Vec::new(),
        module_code: None,
        module_secret_hint: None,
        updated_at: crate::time::format_rfc3339(0),
    }))
}

/// Applies an update (only the fields that are set change) and returns the result.
pub(crate) fn put_config(
    tx: &Transaction<'_>,
    workspace_id: &str,
    connector: &str,
    update: &ConnectorConfigUpdate,
) -> rusqlite::Result<ConnectorConfig> {
    let scopes = update.scopes.as_ref().map(json_text).transpose()?;
    tx.execute(
        "INSERT INTO connector_configs (workspace_id, connector, client_id, client_secret, api_key, scopes, updated_at,
                                        module_code, module_secret)
         VALUES (?1, ?2, ?3, munity_seal('connector_configs.client_secret', ?1, ?2, ?4),
                 munity_seal('connector_configs.api_key', ?1, ?2, ?5), COALESCE(?6, '[]'), ?7,
                 ?8, munity_seal('connector_configs.module_secret', ?1, ?2, ?9))
         ON CONFLICT (workspace_id, connector) DO UPDATE SET
           client_id = COALESCE(excluded.client_id, client_id),
           client_secret = COALESCE(excluded.client_secret, client_secret),
           api_key = COALESCE(excluded.api_key, api_key),
           scopes = COALESCE(?6, scopes),
           module_code = COALESCE(excluded.module_code, module_code),
           module_secret = COALESCE(excluded.module_secret, module_secret),
           updated_at = excluded.updated_at",
        params![
            workspace_id,
            connector,
            update.client_id,
            update.client_secret.as_ref().map(|s| s.expose().as_str()),
            update.api_key.as_ref().map(|s| s.expose().as_str()),
            scopes,
            now(),
            update.module_code,
            update.module_secret.as_ref().map(|s| s.expose().as_str()),
        ],
    )?;
    get_config(tx, workspace_id, connector)
}

/// A module connector's settings: its code and its secret (opened).
#[derive(Debug)]
pub(crate) struct ModuleSettings {
    /// The module's code in the system.
    pub(crate) code: String,
    /// The key of the registration token.
    pub(crate) secret: Secret<String>,
}

/// The workspace's module settings of `connector`, when both the code and the secret
/// are configured.
pub(crate) fn module_settings(
    conn: &Connection,
    workspace_id: &str,
    connector: &str,
) -> rusqlite::Result<Option<ModuleSettings>> {
    let found = conn
        .prepare_cached(
            "SELECT module_code,
                    munity_open('connector_configs.module_secret', workspace_id, connector, module_secret)
             FROM connector_configs WHERE workspace_id = ?1 AND connector = ?2",
        )?
        .query_row([workspace_id, connector], |row| {
            Ok((row.get::<_, Option<String>>(0)?, row.get::<_, Option<String>>(1)?))
        })
        .optional()?;
    Ok(match found {
        Some((Some(code), Some(secret))) => Some(ModuleSettings {
            code,
            secret: Secret::new(secret),
        }),
        _ => None,
    })
}
