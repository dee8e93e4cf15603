//! Using a connect link on the sandbox's side, for every route that takes one (the
//! connect session, the credential submission, the OAuth2 platform and the module
//! routes): verify it with the stored link key of its key prefix (the same core code
//! users run, `munity::link`), resolve what it names, and consume its nonce in the
//! transaction that makes the connection, so that one link makes one connection.

use rusqlite::Transaction;

use axum::http::Uri;

use crate::error_code::wire;
use crate::link::{link_used, ConnectLink};
use crate::model::{Connection, Connector, Customer};
use crate::sandbox::api_keys::Privilege;
use crate::sandbox::error::ApiError;
use crate::sandbox::store::connect_links::{self, SigningKey};
use crate::sandbox::store::{connection_credentials, connections, connectors, customers};
use crate::sandbox::webhook_delivery;
use crate::{Error, ErrorKind};

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
