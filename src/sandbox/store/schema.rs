//! The SQLite schema, versioned with `PRAGMA user_version`: [`MIGRATIONS`] lists every
//! step from an empty database to [`VERSION`], in order, and [`migrate`] runs the steps a
//! database has not had yet, each in its own transaction that also sets its version. A
//! fresh database and an old data folder take the same path, so there is one description
//! of the schema: the list.
//!
//! To change the schema, append a [`Migration`] with the next version; never edit one a
//! released sandbox has run. A migration sees the [`Context`] (the storage vault, to seal
//! columns) and runs with foreign keys off; the runner checks them before committing.
//!
//! Every table carries `workspace_id` (except the global catalog), and `seq` (an
//! `INTEGER PRIMARY KEY`) gives the stable creation order lists use.
//!
//! No table holds an API key: `api_keys` keeps the key's HMAC and its derived link key.
//! Since version 3 no column holds a secret in clear: the columns
//! [`Sealed`](crate::sandbox::store::vault::Sealed) lists (workspace private keys, link keys,
//! credential records, connector client secrets and API keys, webhook secrets and URLs,
//! which may hold a user name and password, and the connections' credentials) keep
//! BLOBs sealed with the storage key (AES-256-GCM, bound to their column and row),
//! written and read in SQL with `munity_seal`/`munity_open`. Their declared types are
//! those of version 2; SQLite stores the BLOBs as they are. See `docs/sandbox-data.md`.

use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::sandbox::store::vault::Vault;
use crate::{Error, ErrorKind};

/// Run once per connection. `secure_delete` zeroes what an update or delete frees, so a
/// secret sealed in place (or deleted) leaves no copy in clear in the file.
pub(crate) const PRAGMAS: &str = "
PRAGMA foreign_keys = ON;
PRAGMA busy_timeout = 5000;
PRAGMA secure_delete = ON;
";

/// What a migration may use besides the database.
#[derive(Debug)]
pub(crate) struct Context<'a> {
    /// The sandbox's storage vault. [`migrate`] registers its SQL functions
    /// (`munity_seal`, `munity_open`, see [`super::sealed`]) on the connection before any
    /// step, and they stay for the connection's life: steps and queries seal with them.
    pub(crate) vault: &'a Vault,
}

/// One step of the schema.
pub(crate) struct Migration {
    /// The `user_version` the database has after this step (1, 2, 3, ... in order).
    pub(crate) version: i64,
    /// What the step does, for error messages.
    pub(crate) what: &'static str,
    /// The step, run in the transaction that then sets `user_version = version`.
    pub(crate) run: fn(&Transaction<'_>, &Context<'_>) -> rusqlite::Result<()>,
}

impl std::fmt::Debug for Migration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Migration")
            .field("version", &self.version)
            .field("what", &self.what)
            .finish_non_exhaustive()
    }
}

/// Every step from an empty database to [`VERSION`], in order.
pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        what: "create the tables",
        run: |tx, _| tx.execute_batch(CREATE_V1),
    },
    Migration {
        version: 2,
        what: "add the workspace keys and the connections' sealed credentials",
        run: |tx, _| tx.execute_batch(CREATE_V2),
    },
    Migration {
        version: 3,
        what: "seal every secret column with the storage key",
        run: |tx, _| tx.execute_batch(SEAL_V3),
    },
    Migration {
        version: 4,
        what: "give credential records without a content type `json`",
        run: |tx, _| tx.execute_batch(CONTENT_TYPE_V4),
    },
    Migration {
        version: 5,
        what: "give every resource a UUID id",
        run: |tx, _| super::uuid_ids::migrate(tx),
    },
    Migration {
        version: 6,
        what: "add the workspaces' allowed origins",
        run: |tx, _| tx.execute_batch(ORIGINS_V6),
    },
    Migration {
        version: 7,
        what: "add module connectors: their code and sealed secret, and module accounts",
        run: |tx, _| tx.execute_batch(MODULES_V7),
    },
];

/// The schema version this code writes (`PRAGMA user_version`): the last migration's.
pub(crate) const VERSION: i64 = MIGRATIONS[MIGRATIONS.len() - 1].version;

fn storage_error(detail: String) -> Error {
    Error::new(ErrorKind::Storage, "storage", detail)
}

/// Brings the database to [`VERSION`]: runs each migration it has not had, in order, each
/// in an `IMMEDIATE` transaction (so two processes opening one folder do not both run a
/// step). Refuses a database newer than this code.
pub(crate) fn migrate(conn: &mut Connection, context: &Context<'_>) -> crate::Result<()> {
    super::sealed::register(conn, context.vault)
        .map_err(|e| storage_error(format!("cannot register the sealing functions: {e}")))?;
    // Foreign keys cannot be switched inside a transaction; a step may rebuild tables.
    conn.execute_batch("PRAGMA foreign_keys = OFF;")
        .map_err(|e| storage_error(format!("cannot prepare the migration: {e}")))?;
    let ran = run_pending(conn, context);
    conn.execute_batch("PRAGMA foreign_keys = ON;")
        .map_err(|e| storage_error(format!("cannot re-enable foreign keys: {e}")))?;
    if ran? > 0 {
        // Copy the migrated pages into the database file and empty the WAL, which held
        // the pages as they were (with the values an older version kept in clear).
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .map_err(|e| storage_error(format!("cannot checkpoint the migration: {e}")))?;
    }
    Ok(())
}

/// Runs the steps the database has not had; returns how many ran.
fn run_pending(conn: &mut Connection, context: &Context<'_>) -> crate::Result<usize> {
    let mut ran = 0;
    loop {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| storage_error(format!("cannot start the migration: {e}")))?;
        let version: i64 = tx
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(|e| storage_error(format!("cannot read the schema version: {e}")))?;
        if version > VERSION {
            return Err(storage_error(format!(
                "the database has schema version {version}; this munity knows up to {VERSION}"
            )));
        }
        let Some(step) = MIGRATIONS.iter().find(|m| m.version > version) else {
            return Ok(ran);
        };
        let failed = |e: rusqlite::Error| {
            storage_error(format!(
                "cannot migrate the database to version {} ({}): {e}",
                step.version, step.what
            ))
        };
        (step.run)(&tx, context).map_err(failed)?;
        let broken: Option<String> = tx
            .query_row("PRAGMA foreign_key_check", [], |row| row.get(0))
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })
            .map_err(failed)?;
        if let Some(table) = broken {
            return Err(storage_error(format!(
                "migrating the database to version {} ({}) broke a foreign key of {table}",
                step.version, step.what
            )));
        }
        tx.pragma_update(None, "user_version", step.version)
            .and_then(|()| tx.commit())
            .map_err(failed)?;
        ran += 1;
    }
}

/// Version 1: the tables.
const CREATE_V1: &str = "
CREATE TABLE IF NOT EXISTS workspaces (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS api_keys (
    seq INTEGER PRIMARY KEY,
    prefix TEXT NOT NULL UNIQUE,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    key_hash BLOB NOT NULL,
    link_key BLOB NOT NULL,
    privilege TEXT NOT NULL CHECK (privilege IN ('admin', 'user')),
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS connectors (
    seq INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    categories TEXT NOT NULL,
    auth_type TEXT NOT NULL,
    fields TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS connector_configs (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    connector TEXT NOT NULL REFERENCES connectors(name),
    client_id TEXT,
    client_secret TEXT,
    api_key TEXT,
    scopes TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (workspace_id, connector)
);
CREATE TABLE IF NOT EXISTS customers (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    name TEXT NOT NULL,
    email TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (workspace_id, external_id)
);
CREATE TABLE IF NOT EXISTS connections (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    workspace_id TEXT NOT NULL,
    customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    connector TEXT NOT NULL REFERENCES connectors(name),
    status TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS connections_customer ON connections (customer_id, seq);
CREATE TABLE IF NOT EXISTS credentials (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    record TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS credentials_workspace ON credentials (workspace_id, seq);
CREATE TABLE IF NOT EXISTS pm_projects (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    workspace_id TEXT NOT NULL,
    customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    connector TEXT NOT NULL,
    remote_id TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS pm_projects_customer ON pm_projects (customer_id, seq);
CREATE TABLE IF NOT EXISTS pm_tasks (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    workspace_id TEXT NOT NULL,
    customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    project_id TEXT NOT NULL REFERENCES pm_projects(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    description TEXT,
    status TEXT NOT NULL,
    assignee TEXT,
    due_date TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS pm_tasks_customer ON pm_tasks (customer_id, seq);
CREATE TABLE IF NOT EXISTS idempotency (
    key_prefix TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash BLOB NOT NULL,
    status INTEGER NOT NULL,
    body BLOB NOT NULL,
    created_unix INTEGER NOT NULL,
    PRIMARY KEY (key_prefix, idempotency_key)
);
CREATE INDEX IF NOT EXISTS idempotency_age ON idempotency (created_unix);
CREATE TABLE IF NOT EXISTS link_nonces (
    key_prefix TEXT NOT NULL,
    nonce BLOB NOT NULL,
    expires_unix INTEGER NOT NULL,
    used_unix INTEGER NOT NULL,
    PRIMARY KEY (key_prefix, nonce)
);
CREATE INDEX IF NOT EXISTS link_nonces_expiry ON link_nonces (expires_unix);
CREATE TABLE IF NOT EXISTS webhook_endpoints (
    workspace_id TEXT PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    secret BLOB NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS webhook_deliveries (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    workspace_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    payload TEXT NOT NULL,
    url TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts INTEGER NOT NULL,
    next_attempt_ms INTEGER NOT NULL,
    last_response_status INTEGER,
    last_error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries (status, next_attempt_ms);
";

/// Version 2: each workspace's envelope key and certificate, and the credentials of
/// connections made through connect links, sealed with the sandbox's storage key
/// (startup then issues keys to workspaces that have none).
const CREATE_V2: &str = "
CREATE TABLE IF NOT EXISTS workspace_keys (
    workspace_id TEXT PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    kid TEXT NOT NULL,
    private_key TEXT NOT NULL,
    certificate TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS connection_credentials (
    connection_id TEXT PRIMARY KEY REFERENCES connections(id) ON DELETE CASCADE,
    workspace_id TEXT NOT NULL,
    sealed BLOB NOT NULL,
    created_at TEXT NOT NULL
);
";

/// Version 6: the origins of each workspace's frontends, in the order the workspace gave
/// them (`allowed_origins`, `PATCH /v1/workspace/`): the pages the connect endpoints
/// answer CORS for and the OAuth2 popup posts to.
const ORIGINS_V6: &str = "
CREATE TABLE IF NOT EXISTS workspace_origins (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    origin TEXT NOT NULL,
    PRIMARY KEY (workspace_id, origin)
);
";

/// Version 3: seals in place what versions 1 and 2 kept in clear (the connections'
/// credentials were sealed from the start, with the same associated data).
const SEAL_V3: &str = "
UPDATE workspace_keys
   SET private_key = munity_seal('workspace_keys.private_key', workspace_id, private_key);
UPDATE api_keys SET link_key = munity_seal('api_keys.link_key', prefix, link_key);
UPDATE credentials SET record = munity_seal('credentials.record', workspace_id, id, record);
UPDATE connector_configs
   SET client_secret = munity_seal('connector_configs.client_secret', workspace_id, connector, client_secret),
       api_key = munity_seal('connector_configs.api_key', workspace_id, connector, api_key);
UPDATE webhook_endpoints
   SET secret = munity_seal('webhook_endpoints.secret', workspace_id, secret),
       url = munity_seal('webhook_endpoints.url', workspace_id, url);
UPDATE webhook_deliveries SET url = munity_seal('webhook_deliveries.url', id, url);
";

/// Version 4: the content type of a credential record is required (JSON, XML or
/// form-urlencoded, as the integrations page says); a record stored without one (or with
/// `null`) gets `json`, the API's own content type and the page's first choice.
const CONTENT_TYPE_V4: &str = "
UPDATE credentials
   SET record = munity_seal('credentials.record', workspace_id, id,
         json_set(munity_open('credentials.record', workspace_id, id, record), '$.content_type', 'json'))
 WHERE COALESCE(json_type(munity_open('credentials.record', workspace_id, id, record), '$.content_type'), 'null') = 'null';
";

/// Version 7: the configuration of module connectors (simple connection: the module's
/// code, and its secret sealed from the start) and the module accounts the system sends
/// users to (`client_id_hash`: SHA-256 of the unguessable `clientId`, hex; the id itself
/// is never stored).
const MODULES_V7: &str = "
ALTER TABLE connector_configs ADD COLUMN module_code TEXT;
ALTER TABLE connector_configs ADD COLUMN module_secret BLOB;
CREATE TABLE IF NOT EXISTS module_accounts (
    client_id_hash TEXT PRIMARY KEY,
    connection_id TEXT NOT NULL UNIQUE REFERENCES connections(id) ON DELETE CASCADE,
    workspace_id TEXT NOT NULL,
    created_at TEXT NOT NULL
);
";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Secret;

    #[test]
    fn versions_count_up_from_one() {
        for (i, step) in MIGRATIONS.iter().enumerate() {
            assert_eq!(step.version, i as i64 + 1, "{step:?}");
        }
    }

    fn version(conn: &Connection) -> i64 {
        conn.query_row("PRAGMA user_version", [], |row| row.get(0))
            .unwrap()
    }

    #[test]
    fn an_empty_database_gets_every_step_and_a_newer_one_is_refused() {
        let vault = Vault::new(&Secret::new(vec![5; 32])).unwrap();
        let context = Context { vault: &vault };
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn, &context).unwrap();
        assert_eq!(version(&conn), VERSION);
        // Idempotent.
        migrate(&mut conn, &context).unwrap();
        assert_eq!(version(&conn), VERSION);
        conn.pragma_update(None, "user_version", VERSION + 1)
            .unwrap();
        let err = migrate(&mut conn, &context).unwrap_err();
        assert_eq!(err.code(), "storage");
        assert!(err.detail().contains("knows up to"), "{err}");
    }
}
