//! Simple connection (RetailCRM-style modules), the third way to connect: the end user
//! gives the system (the CRM) the configuration URL of a `module` connector's connect
//! link; the system reads the configuration, then registers. The link is the
//! credential (no `Authorization` header). `docs/module.md` has the sequence.
//!
//! | route | answer |
//! |---|---|
//! | `GET /v1/connect/module/config?<link>` | `{"scopes": [...], "registerUrl": "<API base>/connect/module/register?<link>"}` |
//! | `POST /v1/connect/module/register?<link>` | `register[apiKey]`, `register[systemUrl]`, `register[token]` (form or JSON): `{"success": true, "accountUrl": ...}` |
//! | `POST /v1/connect/module/account` | form `clientId`: an HTML page of the connection |
//!
//! The registration checks, in order: the link (as the connect session does:
//! [`resolve_link`]), the connector (`module` auth type), the workspace's module
//! settings (code and secret), the token (constant time: a request whose token is wrong
//! never makes the system be called), the system URL; then it calls `POST
//! {systemUrl}/api/v5/integration-modules/{code}/edit` with the received key
//! ([`SystemClient`](crate::module::SystemClient): bounded timeout, no redirects), and
//! on success, in one transaction, consumes the link's nonce and stores the connection
//! with `apiKey` and `systemUrl` as its sealed credentials
//! ([`connect_with_credentials`]) and the account's `clientId` (hashed). Every failure
//! answers HTTP 200 `{"success": false, "errorMsg": ...}` (what the system shows in the
//! module card) and stores nothing.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use zeroize::Zeroizing;

use crate::error_code::wire;
use crate::link::ConnectLink;
use crate::model::{AuthType, Connector};
use crate::module::{IntegrationModule, ModuleConfig, RegistrationAnswer, RegistrationRequest};
use crate::sandbox::error::ApiError;
use crate::sandbox::http::rate_limit::ClientAddr;
use crate::sandbox::http::state::{AppState, ModuleState};
use crate::sandbox::link_use::{connect_with_credentials, parse_link, resolve_link};
use crate::sandbox::oauth::page;
use crate::sandbox::store::connectors::{self, ModuleSettings};
use crate::sandbox::store::module_accounts;
use crate::{Error, ErrorKind};

/// The rights a module connector asks the system for.
const MODULE_SCOPES: &[&str] = &[
    "integration_read",
    "integration_write",
    "order_read",
    "customer_read",
];

/// The module's name in the system.
const MODULE_NAME: &str = "Munity";

/// The routes, outside the API-key authentication (merged with the other connect
/// routes).
pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/v1/connect/module/config", get(config))
        .route("/v1/connect/module/register", post(register))
        .route("/v1/connect/module/account", post(account))
}

/// `{API base}/connect/module/<what>`.
fn module_url(state: &ModuleState, what: &str) -> String {
    format!("{}/v1/connect/module/{what}", state.origin)
}

/// An answer in the system's shape: HTTP 200, JSON.
fn json_answer(json: String) -> Response {
    let mut response = (StatusCode::OK, json).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// A failure, as the system shows it in the module card.
fn failure(err: &Error) -> Response {
    tracing::info!(code = err.code(), "module connection refused");
    json_answer(RegistrationAnswer::from(err).to_http().1)
}

fn module_error(code: &'static str, detail: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidInput, code, detail.into())
}

/// The connector must connect as a module.
fn check_module(connector: &Connector) -> Result<(), Error> {
    if connector.auth_type == AuthType::Module {
        Ok(())
    } else {
        Err(module_error(
            wire::ModuleConnectorInvalid,
            format!(
                "connector `{}` does not connect as a module (its auth type is {})",
                connector.name,
                connector.auth_type.as_str()
            ),
        ))
    }
}

/// The link's query, checked as the connect session checks it (read only), with the
/// connector's module settings.
async fn checked_link(
    state: &ModuleState,
    uri: &Uri,
    now: i64,
) -> Result<(ConnectLink, ModuleSettings), Error> {
    let link = parse_link(uri).map_err(|e| e.0)?;
    let checking = link.clone();
    let settings = state
        .db
        .read(move |conn| {
            let target = resolve_link(conn, &checking, now)?;
            check_module(&target.connector).map_err(ApiError)?;
            connectors::module_settings(conn, checking.workspace(), checking.connector())?
                .ok_or_else(|| {
                    ApiError(module_error(
                        wire::ModuleNotConfigured,
                        format!(
                            "the module `{}` is not set up in this Munity workspace yet: its \
                             code and secret are missing (PUT /v1/connectors/{}/config/)",
                            checking.connector(),
                            checking.connector()
                        ),
                    ))
                })
        })
        .await
        .map_err(|e| e.0)?;
    Ok((link, settings))
}

async fn config(State(state): State<ModuleState>, uri: Uri) -> Response {
    let now = crate::time::now_unix();
    match checked_link(&state, &uri, now).await {
        Ok(_) => {
            let register = format!(
                "{}?{}",
                module_url(&state, "register"),
                uri.query().unwrap_or("")
            );
            json_answer(
                ModuleConfig::new(register)
                    .with_scopes(MODULE_SCOPES.iter().copied())
                    .to_json(),
            )
        }
        Err(err) => failure(&err),
    }
}

async fn register(
    State(state): State<ModuleState>,
    client: Option<Extension<ClientAddr>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let attempt = async {
        state
            .connect_attempts
            .take_for_address(client.map(|Extension(addr)| addr))
            .map_err(|e| e.0)?;
        registration(&state, &uri, content_type, &body).await
    };
    match attempt.await {
        Ok(account_url) => json_answer(RegistrationAnswer::success(account_url).to_http().1),
        Err(err) => failure(&err),
    }
}

/// The registration; the account URL on success.
async fn registration(
    state: &ModuleState,
    uri: &Uri,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<String, Error> {
    let now = crate::time::now_unix();
    let request = RegistrationRequest::from_body(content_type, body)?;
    let (link, settings) = checked_link(state, uri, now).await?;
    request.verify(settings.secret.expose()).map_err(|_| {
        Error::new(
            ErrorKind::Verification,
            wire::ModuleTokenInvalid,
            "the registration token does not match: the module's secret in Munity is not \
             the one of the module's partner account",
        )
    })?;
    let system_url = request.system_url()?.to_owned();
    state
        .connect_attempts
        .take_for_link(link.key_prefix(), &link.nonce().to_base64url())
        .map_err(|e| e.0)?;
    let _registering = state
        .modules
        .begin(format!(
            "{}:{}",
            link.key_prefix(),
            link.nonce().to_base64url()
        ))
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Conflict,
                wire::ModuleRegistrationInProgress,
                "this connection is being registered already: wait for that registration's answer",
            )
        })?;

    let client_id = crate::base64_strict::encode_url(&crate::random::bytes::<32>());
    let account_url = module_url(state, "account");
    let module = IntegrationModule::new(
        settings.code,
        MODULE_NAME,
        state.origin.clone(),
        client_id.clone(),
        account_url.clone(),
    );
    state
        .modules
        .system
        .edit(&system_url, &request.api_key, &module)
        .await?;

    let credentials = Zeroizing::new(
        serde_json::to_vec(&serde_json::json!({
            "apiKey": request.api_key.expose(),
            "systemUrl": system_url,
        }))
        .map_err(|e| Error::new(ErrorKind::Internal, "internal", e.to_string()))?,
    );
    let connection = state
        .db
        .write(move |tx| {
            let connection = connect_with_credentials(tx, &link, now, &credentials)?;
            module_accounts::insert(tx, link.workspace(), &connection.id, &client_id)?;
            Ok(connection)
        })
        .await
        .map_err(|e| e.0)?;
    tracing::info!(connection = %connection.id, "module connection created");
    Ok(account_url)
}

/// The `clientId` of the system's transition (a form body).
fn client_id(body: &[u8]) -> Option<String> {
    let mut found = None;
    for (name, value) in form_urlencoded::parse(body) {
        if name == "clientId" {
            if found.is_some() {
                return None;
            }
            found = Some(value.into_owned());
        }
    }
    found.filter(|id| !id.is_empty())
}

async fn account(State(state): State<ModuleState>, body: Bytes) -> Response {
    let Some(client_id) = client_id(&body) else {
        return page::html(
            StatusCode::BAD_REQUEST,
            "Munity module",
            "<h1>No account</h1><p>The request carries no <code>clientId</code>.</p>",
        );
    };
    let found = state
        .db
        .read(move |conn| Ok(module_accounts::find(conn, &client_id)?))
        .await;
    match found {
        Ok(Some(account)) => page::html(
            StatusCode::OK,
            "Munity module",
            &format!(
                "<h1>Connected to Munity</h1>\
                 <dl><dt>Connector</dt><dd>{connector}</dd>\
                 <dt>Customer</dt><dd>{name} (<code>{external_id}</code>)</dd>\
                 <dt>Connected</dt><dd><time>{created_at}</time></dd>\
                 <dt>Connection</dt><dd><code>{id}</code></dd></dl>",
                connector = page::escape(&account.connector),
                name = page::escape(&account.customer_name),
                external_id = page::escape(&account.customer_external_id),
                created_at = page::escape(&account.created_at),
                id = page::escape(&account.connection_id),
            ),
        ),
        Ok(None) => page::html(
            StatusCode::NOT_FOUND,
            "Munity module",
            "<h1>Unknown account</h1><p>This <code>clientId</code> names no connection: it \
             was never registered or its connection was removed.</p>",
        ),
        Err(err) => {
            tracing::error!(error = %err.0, "module account page");
            page::html(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Munity module",
                "<h1>Error</h1><p>The sandbox failed to show this account.</p>",
            )
        }
    }
}
