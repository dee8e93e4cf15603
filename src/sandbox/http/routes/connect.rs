//! `GET /v1/connect/session?<link query>`: the connect page's first call. The link is
//! the credential (no `Authorization` header): the sandbox verifies it with the stored
//! link key of its key prefix, with the same core code users run (`munity::link`).
//! The session carries the workspace's `certificate` (PEM) and `kid`, to seal the
//! credentials to; `POST /v1/connect/credentials` (in `connect_credentials.rs`) submits
//! them and verifies the link with the same [`resolve_link`].
//!
//! | answer | when |
//! |---|---|
//! | 200 session | valid link of an admin key, nonce unused |
//! | 400 `link_invalid` | malformed link |
//! | 401 `link_invalid_signature` | unknown key prefix, altered link, other key |
//! | 401 `link_expired` | `now > exp + 60 s` |
//! | 403 `permission_denied` | signed with a user (read-only) key, or for another workspace |
//! | 403 `origin_not_allowed` | a browser's `Origin` the link's workspace does not allow (no CORS headers; see `http/cors.rs`) |
//! | 404 `not_found` | no such connector |
//! | 409 `link_used` | the link's nonce was consumed by a connection |
//!
//! The link's `customer` is the product's own id for its customer: the Munity customer
//! whose `external_id` it is, never a Munity customer id. A customer seen for the first
//! time has no Munity customer yet (the session's `customer.id` is `null`); the first
//! connection creates it ([`use_link`], [`customers::for_connection`]).

use std::sync::Arc;

use axum::extract::State;
use axum::http::Uri;
use axum::routing::get;
use axum::Router;
use rusqlite::Transaction;

use crate::error_code::wire;
use crate::link::{link_used, ConnectLink};
use crate::model::{
    AuthType, ConnectSession, ConnectSessionCustomer, Connection, Connector, Customer,
};
use crate::sandbox::api_keys::Privilege;
use crate::sandbox::error::ApiError;
use crate::sandbox::http::extract::Reply;
use crate::sandbox::http::state::{AppState, ConnectState};
use crate::sandbox::store::connect_links::{self, SigningKey};
use crate::sandbox::store::workspace_keys;
use crate::sandbox::store::{connection_credentials, connections, connectors, customers};
use crate::sandbox::webhook_delivery;
use crate::{Error, ErrorKind};

/// The route, outside the API-key authentication (mounted at the top level).
pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/v1/connect/session", get(session))
}

/// The configuration URL of a link (what the connect session of a `module` connector
/// gives the end user): `{API base}/connect/module/config?<link query>`.
pub(crate) fn config_url(origin: &str, link_query: &str) -> String {
    format!("{origin}/v1/connect/module/config?{link_query}")
}

async fn session(State(state): State<ConnectState>, uri: Uri) -> Result<Reply, ApiError> {
    let link = parse_link(&uri)?;
    let now = crate::time::now_unix();
    let origin = state.origin.clone();
    let session = state
        .db
        .read(move |conn| {
            let target = resolve_link(conn, &link, now)?;
            let module_config_url = (target.connector.auth_type == AuthType::Module)
                .then(|| config_url(&origin, uri.query().unwrap_or("")));
            let certificate = workspace_keys::certificate(conn, link.workspace())?
                .ok_or_else(|| ApiError::not_found("workspace certificate"))?;
            Ok(ConnectSession {
                workspace: link.workspace().to_owned(),
                customer: ConnectSessionCustomer::new(
                    link.customer(),
                    target.customer.map(|c| c.id),
                ),
                connector: target.connector,
                expires_at: crate::time::format_rfc3339(link.expires_at()),
                nonce: link.nonce().to_base64url(),
                redirect_uri: link.redirect_uri().map(str::to_owned),
                scope: link.scope().map(str::to_owned),
                certificate: Some(certificate.certificate),
                kid: Some(certificate.kid),
                module_config_url,
            })
        })
        .await?;
    Reply::ok(&session)
}

/// The connect link in a request's query.
pub(crate) fn parse_link(uri: &Uri) -> Result<ConnectLink, ApiError> {
    ConnectLink::parse_query(uri.query().unwrap_or("")).map_err(link_error)
}

/// What a verified link names.
#[derive(Debug)]
pub(crate) struct LinkTarget {
    /// The key that signed it.
    pub(crate) signing: SigningKey,
    /// The Munity customer whose `external_id` is the link's `customer`, if one exists
    /// (a connection creates it otherwise).
    pub(crate) customer: Option<Customer>,
    /// The connector.
    pub(crate) connector: Connector,
}

/// The check every connect route runs: [`check_link`], then the connector the link
/// names (404 when unknown) and its customer, if it exists yet.
pub(crate) fn resolve_link(
    conn: &rusqlite::Connection,
    link: &ConnectLink,
    now: i64,
) -> Result<LinkTarget, ApiError> {
    let signing = check_link(conn, link, now)?;
    let customer = customers::find_by_external_id(conn, link.workspace(), link.customer())?;
    let connector =
        connectors::get(conn, link.connector())?.ok_or_else(|| ApiError::not_found("connector"))?;
    Ok(LinkTarget {
        signing,
        customer,
        connector,
    })
}

/// What a used link connects.
#[derive(Debug)]
pub(crate) struct UsedLink {
    /// The customer whose `external_id` is the link's `customer`.
    pub(crate) customer: Customer,
    /// The connector.
    pub(crate) connector: Connector,
}

/// What makes a connection from a link, in the connection's transaction: [`resolve_link`]
/// (the signing key still stored, signature, expiry, privilege, workspace, connector),
/// then the nonce consumed with [`SqliteNonces`](connect_links::SqliteNonces) (which
/// refuses an expired link too), then the link's customer, created on its first
/// connection ([`customers::for_connection`]). Every route that creates a connection
/// from a link calls this.
pub(crate) fn use_link(
    tx: &Transaction<'_>,
    link: &ConnectLink,
    now: i64,
) -> Result<UsedLink, ApiError> {
    let target = resolve_link(tx, link, now)?;
    link.verify_once(
        &target.signing.link_key,
        now,
        &mut connect_links::SqliteNonces(tx),
    )
    .map_err(link_error)?;
    let customer = customers::for_connection(tx, link.workspace(), link.customer())?;
    Ok(UsedLink {
        customer,
        connector: target.connector,
    })
}

/// Makes the connection a link names, with its credentials, in the caller's
/// transaction: [`use_link`] (one connection per link), the connection, its credentials
/// (`credentials`: JSON, sealed at rest) and `connection.created` queued for the webhook
/// endpoint. The credential submission and the module registration both call this.
pub(crate) fn connect_with_credentials(
    tx: &Transaction<'_>,
    link: &ConnectLink,
    now: i64,
    credentials: &[u8],
) -> Result<Connection, ApiError> {
    let target = use_link(tx, link, now)?;
    let workspace = link.workspace();
    let connection =
        connections::insert(tx, workspace, &target.customer.id, &target.connector.name)?;
    connection_credentials::insert(tx, workspace, &connection.id, credentials)?;
    webhook_delivery::enqueue(tx, workspace, "connection.created", &connection)?;
    Ok(connection)
}

/// Verifies a parsed link against the stored keys and the used nonces: signature,
/// expiry, admin privilege, workspace, nonce not yet used (read only: [`use_link`]
/// consumes it).
pub(crate) fn check_link(
    conn: &rusqlite::Connection,
    link: &ConnectLink,
    now: i64,
) -> Result<SigningKey, ApiError> {
    let key = connect_links::signing_key(conn, link.key_prefix())?.ok_or_else(|| {
        ApiError(Error::api(
            401,
            wire::LinkInvalidSignature,
            "the link's signature does not match: it was altered or signed with another key",
        ))
    })?;
    link.verify(&key.link_key, now).map_err(link_error)?;
    if key.privilege != Privilege::Admin {
        return Err(ApiError::new(
            403,
            "permission_denied",
            "connect links must be signed with an admin key; this key has user privilege",
        ));
    }
    if key.workspace_id != link.workspace() {
        return Err(ApiError::new(
            403,
            "permission_denied",
            "the link names a workspace its key does not belong to",
        ));
    }
    if connect_links::is_used(conn, link.key_prefix(), link.nonce())? {
        return Err(link_error(link_used()));
    }
    Ok(key)
}

/// The HTTP status of a link error.
pub(crate) fn link_error(err: Error) -> ApiError {
    let status = match err.kind() {
        ErrorKind::Verification | ErrorKind::Expired => 401,
        ErrorKind::PermissionDenied => 403,
        ErrorKind::Conflict => 409,
        ErrorKind::InvalidInput => 400,
        _ => 500,
    };
    ApiError(err.with_status(status))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::{LinkBuilder, Nonce};
    use crate::sandbox::api_keys::KeyHasher;
    use crate::sandbox::store::connect_links::SqliteNonces;
    use crate::sandbox::store::workspaces;
    use crate::sandbox::store::Db;
    use crate::ErrorCode;
    use crate::{ApiKey, Secret};

    /// A database with one workspace and one admin key, written directly.
    fn setup() -> (Db, ApiKey) {
        let vault = crate::sandbox::store::vault::Vault::open(None).unwrap();
        let db = Db::open_memory(&vault).unwrap();
        let key = ApiKey::parse("Adm1nKey.abcdefghijklmnopqrstuvwxyz012345").unwrap();
        let hasher = KeyHasher::new(&Secret::new(vec![9; 32]));
        db.with_blocking(|conn| {
            let tx = conn.transaction()?;
            tx.execute_batch(
                "INSERT INTO workspaces (id, name, created_at) VALUES ('ws_t', 't', 'x');
                 INSERT INTO users (id, workspace_id, email, role, created_at)
                 VALUES ('usr_t', 'ws_t', 'a@b', 'admin', 'x');",
            )?;
            workspaces::insert_key(&tx, &hasher, "ws_t", "usr_t", &key, Privilege::Admin)?;
            tx.commit()
        })
        .unwrap();
        (db, key)
    }

    #[test]
    fn a_nonce_is_consumed_once_and_then_the_link_is_used() {
        let (db, key) = setup();
        let now = 1_700_000_000;
        let link = LinkBuilder::new("ws_t", "cus", "jira")
            .sign_with_nonce(&key, now, Nonce::from_bytes([3; 16]))
            .unwrap()
            .link()
            .clone();
        db.with_blocking(|conn| {
            let signing = check_link(conn, &link, now)?;
            let tx = conn.transaction().unwrap();
            link.verify_once(&signing.link_key, now, &mut SqliteNonces(&tx))?;
            let second = link
                .verify_once(&signing.link_key, now, &mut SqliteNonces(&tx))
                .unwrap_err();
            assert_eq!(second.code(), ErrorCode::LinkUsed);
            tx.commit().unwrap();
            let used = check_link(conn, &link, now + 1).unwrap_err();
            assert_eq!(used.status().as_u16(), 409);
            assert_eq!(used.0.code(), ErrorCode::LinkUsed);
            Ok::<_, ApiError>(())
        })
        .unwrap();
    }

    #[test]
    fn expired_nonces_are_forgotten() {
        let (db, key) = setup();
        let now = 1_700_000_000;
        let old = LinkBuilder::new("ws_t", "cus", "jira")
            .sign_with_nonce(&key, now, Nonce::from_bytes([4; 16]))
            .unwrap()
            .link()
            .clone();
        db.with_blocking(|conn| {
            let tx = conn.transaction().unwrap();
            let signing = connect_links::signing_key(&tx, key.prefix())
                .unwrap()
                .unwrap();
            old.verify_once(&signing.link_key, now, &mut SqliteNonces(&tx))?;
            let later = now + 600 + 61;
            let fresh = LinkBuilder::new("ws_t", "cus", "jira").sign(&key, later)?;
            fresh
                .link()
                .verify_once(&signing.link_key, later, &mut SqliteNonces(&tx))?;
            let count: i64 = tx
                .query_row("SELECT COUNT(*) FROM link_nonces", [], |r| r.get(0))
                .unwrap();
            assert_eq!(count, 1);
            Ok::<_, ApiError>(())
        })
        .unwrap();
    }
}
