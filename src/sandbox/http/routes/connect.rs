//! `GET /v1/connect/session?<link query>`: the connect page's first call. The link is
//! the credential (no `Authorization` header): the sandbox verifies it with the stored
//! link key of its key prefix, with the same core code users run (`munity::link`).
//! The session carries the workspace's `certificate` (PEM), its `kid` and its key as a
//! `jwk` (what the browser package seals the credentials to); `POST /v1/connect/credentials` (in `connect_credentials.rs`) submits
//! them and verifies the link with the same `resolve_link` (`sandbox/link_use.rs`).
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
//! | 409 `certificate_expired`, `certificate_not_yet_valid` | the workspace certificate is not valid now |
//!
//! The link's `customer` is the product's own id for its customer: the Munity customer
//! whose `external_id` it is, never a Munity customer id. A customer seen for the first
//! time has no Munity customer yet (the session's `customer.id` is `null`); the first
//! connection creates it (`link_use::use_link`, [`customers::for_connection`]).

use std::sync::Arc;

use axum::extract::State;
use axum::http::Uri;
use axum::routing::get;
use axum::Router;

use crate::model::{AuthType, ConnectSession, ConnectSessionCustomer};
use crate::sandbox::error::ApiError;
use crate::sandbox::http::extract::Reply;
use crate::sandbox::http::state::{AppState, ConnectState};
use crate::sandbox::link_use::{parse_link, resolve_link};
use crate::sandbox::store::workspace_keys;

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
            // Only a certificate valid now is handed out to seal to (the browser package
            // takes the key alone, as `jwk`, and has no dates to check).
            certificate
                .read
                .check_validity(now)
                .map_err(|err| ApiError::conflict(err.code().to_owned(), err.detail()))?;
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
                jwk: Some(certificate.read.jwk()),
                module_config_url,
            })
        })
        .await?;
    Reply::ok(&session)
}
