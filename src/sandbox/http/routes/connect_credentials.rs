//! `POST /v1/connect/credentials?<link query>` with `{"envelope": "<compact JWE>"}`: the
//! connect page submits the end user's credentials, sealed in the browser to the
//! workspace certificate (`docs/envelope.md`). The link is the credential (no
//! `Authorization` header).
//!
//! Each attempt is counted per client address, then (once the link verifies) per link:
//! past the limit, 429 `rate_limited` with `Retry-After` (a failed attempt leaves the
//! link usable, so attempts must be bounded). The link is verified as `GET
//! /v1/connect/session` does ([`resolve_link`]) and the envelope is opened with the
//! workspace key, off the database (reads only, then the key agreement, decryption and
//! JSON parsing with no lock held): it must be bound to this link (workspace, customer,
//! connector, nonce), and the credentials must fill the connector's required fields.
//! Then, in one transaction: the link is verified again and its nonce consumed
//! ([`use_link`](super::connect::use_link), which refuses an expired link), the connection stored with its credentials sealed at rest (AES-256-GCM, the storage key)
//! and `connection.created` queued for the webhook endpoint. Any failure writes nothing.
//!
//! | answer | when |
//! |---|---|
//! | 201 `Connection` | all of the above passed |
//! | 400 `link_invalid` | malformed link |
//! | 400 `envelope_*` | the envelope's own code: malformed, too large, wrong key, altered (`envelope_decryption_failed`), expired (`envelope_expired`), sealed for another session (`envelope_binding_mismatch`)... |
//! | 400 `validation` | a required credential field is missing or empty, or a field is not the connector's (`fields` names `credentials.<name>`) |
//! | 401 / 403 / 404 | as for the session: bad signature, expired link, user key, unknown connector |
//! | 409 `link_used` | the link already made a connection |
//! | 429 `rate_limited` | too many attempts from this address or on this link |
//!
//! The connection belongs to the customer whose `external_id` is the link's `customer`,
//! created with this first connection if there is none yet ([`use_link`]).
//!
//! The answer is the connection only: no route ever returns stored credentials.

use axum::extract::State;
use axum::http::Uri;
use axum::Extension;
use serde::Deserialize;
use zeroize::Zeroizing;

use crate::connect::{binding, check_credentials};
use crate::envelope::{Credentials, WorkspacePrivateKey};
use crate::link::ConnectLink;
use crate::model::Connector;
use crate::sandbox::error::ApiError;
use crate::sandbox::http::extract::{JsonBody, Reply};
use crate::sandbox::http::rate_limit::ClientAddr;
use crate::sandbox::http::state::ConnectState;
use crate::sandbox::link_use::{connect_with_credentials, parse_link, resolve_link};
use crate::sandbox::store::workspace_keys;
use crate::{Error, ErrorKind, FieldError};

/// The request body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Submission {
    /// The compact JWE.
    envelope: String,
}

/// An envelope that does not open: 400 with the envelope's code (a server-side failure
/// stays 500).
fn envelope_error(err: Error) -> ApiError {
    match err.kind() {
        ErrorKind::Internal | ErrorKind::Storage => ApiError::internal(&err),
        _ => ApiError(err.with_status(400)),
    }
}

/// The workspace's private key, from the database (parsed by the caller, off the
/// database).
fn workspace_key_pem(
    conn: &rusqlite::Connection,
    workspace_id: &str,
) -> Result<crate::Secret<String>, ApiError> {
    workspace_keys::private_key_pem(conn, workspace_id)?
        .ok_or_else(|| ApiError::internal(&"the workspace has no envelope key"))
}

/// Opens `envelope` with the workspace key in `pem` for `link`: the costly part of an
/// attempt (PEM parsing, ECDH, AES-GCM, JSON), run with no database lock held.
fn open(
    pem: &crate::Secret<String>,
    envelope: &str,
    link: &ConnectLink,
    now: i64,
) -> Result<Credentials, ApiError> {
    let key = WorkspacePrivateKey::from_pem(pem.expose()).map_err(|e| ApiError::internal(&e))?;
    let opened = key
        .open(envelope, &binding(link), now)
        .map_err(envelope_error)?;
    Ok(opened.credentials)
}

/// The connect rule ([`check_credentials`]), with fields named as the API names them:
/// `credentials.<name>`.
fn check_fields(connector: &Connector, credentials: &Credentials) -> Result<(), ApiError> {
    let errors = check_credentials(connector, credentials);
    if errors.is_empty() {
        return Ok(());
    }
    Err(ApiError::validation(
        errors
            .into_iter()
            .map(|e| match e.field.as_str() {
                "" => FieldError::new("credentials", e.message),
                name => FieldError::new(format!("credentials.{name}"), e.message),
            })
            .collect(),
    ))
}

/// The handler (outside the API-key authentication, like the connect session).
pub(crate) async fn submit(
    State(state): State<ConnectState>,
    client: Option<Extension<ClientAddr>>,
    uri: Uri,
    JsonBody(input): JsonBody<Submission>,
) -> Result<Reply, ApiError> {
    state
        .connect_attempts
        .take_for_address(client.map(|Extension(addr)| addr))?;
    let link = parse_link(&uri)?;
    let now = crate::time::now_unix();

    // Reads: the link is valid and unused; the workspace key.
    let checking = link.clone();
    let (target, pem) = state
        .db
        .read(move |conn| {
            let target = resolve_link(conn, &checking, now)?;
            let pem = workspace_key_pem(conn, checking.workspace())?;
            Ok((target, pem))
        })
        .await?;
    state
        .connect_attempts
        .take_for_link(link.key_prefix(), &link.nonce().to_base64url())?;

    // The envelope, opened with no lock held.
    let opening = link.clone();
    let credentials = tokio::task::spawn_blocking(move || {
        let credentials = open(&pem, &input.envelope, &opening, now)?;
        check_fields(&target.connector, &credentials)?;
        Ok::<_, ApiError>(credentials)
    })
    .await
    .map_err(|e| ApiError::internal(&e))??;
    let plaintext =
        Zeroizing::new(serde_json::to_vec(&credentials).map_err(|e| ApiError::internal(&e))?);

    // One transaction: the link again (it may have been used meanwhile), its nonce, the
    // connection and its sealed credentials, the webhook.
    let connection = state
        .db
        .write(move |tx| connect_with_credentials(tx, &link, now, &plaintext))
        .await?;
    Reply::created(&connection)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt as _;

    use crate::envelope::{seal, Credentials, WorkspaceCertificate};
    use crate::link::LinkBuilder;
    use crate::sandbox::http::state::AppState;
    use crate::sandbox::options::{SandboxOptions, Storage};
    use crate::sandbox::store::connection_credentials;
    use crate::sandbox::{server, startup};

    /// What the route stores opens, with the storage key, to exactly the submitted
    /// credentials, and only for its own connection.
    #[tokio::test]
    async fn the_stored_record_opens_to_the_submitted_credentials() {
        let opened = startup::open(&Storage::Memory, &Default::default()).unwrap();
        let now = crate::time::now_unix();
        let workspace = opened.seed.workspace_id.clone();
        let url = LinkBuilder::new(&workspace, "acme", "custom_basic")
            .sign(&opened.seed.admin_key, now)
            .unwrap()
            .into_url();
        let certificate =
            WorkspaceCertificate::parse(&opened.certificate.certificate, now).unwrap();
        let credentials = Credentials::new()
            .with("username", "ada")
            .with("password", "hunter2");
        let envelope = seal(
            &certificate,
            &crate::connect::binding(&crate::link::ConnectLink::parse(&url).unwrap()),
            &credentials,
            now,
        )
        .unwrap();
        let state = Arc::new(
            AppState::new(
                opened.db,
                opened.hasher,
                opened.keys,
                &SandboxOptions::memory(),
                "http://127.0.0.1:0".into(),
            )
            .unwrap(),
        );
        let query = url.split_once('?').unwrap().1;
        let request = Request::post(format!("/v1/connect/credentials?{query}"))
            .header("content-type", "application/json")
            .body(Body::from(
                serde_json::json!({ "envelope": envelope }).to_string(),
            ))
            .unwrap();
        let response = server::app(Arc::clone(&state))
            .oneshot(request)
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let body = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        let connection: crate::model::Connection = serde_json::from_slice(&body).unwrap();

        let id = connection.id.clone();
        let plaintext = state
            .db
            .read(move |conn| Ok(connection_credentials::get(conn, &id)?))
            .await
            .unwrap();
        let stored = Credentials::from_json(std::str::from_utf8(&plaintext).unwrap()).unwrap();
        assert!(stored == credentials);
        // Stored sealed, bound to its connection: moved to another row, it does not open.
        let id = connection.id.clone();
        let moved = state
            .db
            .read(move |conn| {
                Ok(conn.query_row(
                    "SELECT munity_open('connection_credentials.sealed', workspace_id, 'con_other', sealed)
                     FROM connection_credentials WHERE connection_id = ?1",
                    [&id],
                    |row| row.get::<_, Vec<u8>>(0),
                ))
            })
            .await
            .unwrap();
        assert!(moved.is_err());
    }
}
