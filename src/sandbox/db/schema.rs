//! The SQLite schema. Every table carries `workspace_id` (except the global catalog), and
//! `seq` (an `INTEGER PRIMARY KEY`) gives the stable creation order lists use.
//!
//! No table holds an API key: `api_keys` keeps the key's HMAC and its derived link key.
//! No table holds credentials in clear: `connection_credentials` keeps them sealed with
//! the storage key (AES-256-GCM).
//!
//! Version 2 only added tables (`CREATE TABLE IF NOT EXISTS` upgrades a version 1
//! database); startup then issues keys to workspaces that have none.

/// Run once per connection.
pub(crate) const PRAGMAS: &str = "
PRAGMA foreign_keys = ON;
PRAGMA busy_timeout = 5000;
";

/// The schema version this code writes (`PRAGMA user_version`).
pub(crate) const VERSION: i64 = 2;

/// Creates the tables of an empty database.
pub(crate) const CREATE: &str = "
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
-- Version 2: each workspace's envelope key and certificate, and the credentials of
-- connections made through connect links, sealed with the sandbox's storage key.
CREATE TABLE IF NOT EXISTS workspace_keys (
    workspace_id TEXT PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    kid TEXT NOT NULL,
    private_key TEXT NOT NULL,
    certificate TEXT NOT NULL,
    created_at TEXT NOT NULL
);
-- Also version 2 (added later, created on open like the rest): the origins of each
-- workspace's frontends, in the order the workspace gave them (`allowed_origins`).
CREATE TABLE IF NOT EXISTS workspace_origins (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    origin TEXT NOT NULL,
    PRIMARY KEY (workspace_id, origin)
);
CREATE TABLE IF NOT EXISTS connection_credentials (
    connection_id TEXT PRIMARY KEY REFERENCES connections(id) ON DELETE CASCADE,
    workspace_id TEXT NOT NULL,
    sealed BLOB NOT NULL,
    created_at TEXT NOT NULL
);
";
