//! A product that is itself a RetailCRM module ("simple connection"), with
//! `munity::module`: the configuration answer, the registration (token checked in
//! constant time, then the `integration-modules/{code}/edit` call on the system), the
//! answers, and the account page the system sends the user to. `docs/module.md` has the
//! sequence.
//!
//! ```sh
//! MODULE_CODE=my-module MODULE_SECRET=<partner account secret> \
//! MODULE_BASE=https://module.example.com PORT=8090 \
//!     cargo run --features sandbox --example retailcrm_module
//! ```
//!
//! The system is given `{MODULE_BASE}/config`. Accounts are kept in memory.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use munity::module::{
    IntegrationModule, ModuleConfig, RegistrationAnswer, RegistrationRequest, SystemClient,
};
use munity::Secret;
use ring::rand::SecureRandom;

/// What the module knows: its code and secret, its public base URL, and its accounts.
struct Module {
    code: String,
    secret: Secret<String>,
    base: String,
    system: SystemClient,
    /// `clientId` → the system's URL (a real module keeps the account's key too, sealed).
    accounts: Mutex<HashMap<String, String>>,
}

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name}"))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let module = Arc::new(Module {
        code: env("MODULE_CODE")?,
        secret: Secret::new(env("MODULE_SECRET")?),
        base: env("MODULE_BASE")?.trim_end_matches('/').to_owned(),
        system: SystemClient::new()?,
        accounts: Mutex::default(),
    });
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8090);
    let app = Router::new()
        .route("/config", get(config))
        .route("/register", post(register))
        .route("/account", post(account))
        .with_state(module);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!(
        "configuration URL: http://{}/config",
        listener.local_addr()?
    );
    axum::serve(listener, app).await?;
    Ok(())
}

/// `GET /config`: the rights the module needs and where to register.
async fn config(State(module): State<Arc<Module>>) -> Response {
    let config = ModuleConfig::new(format!("{}/register", module.base)).with_scopes([
        "integration_read",
        "integration_write",
        "order_read",
    ]);
    json(config.to_json())
}

/// `POST /register`: always HTTP 200, `{"success": ...}`.
async fn register(State(module): State<Arc<Module>>, headers: HeaderMap, body: Bytes) -> Response {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let answer = match registration(&module, content_type, &body).await {
        Ok(account_url) => RegistrationAnswer::success(account_url),
        // The error's detail never holds the key or the token.
        Err(err) => RegistrationAnswer::from(&err),
    };
    json(answer.to_http().1)
}

async fn registration(
    module: &Module,
    content_type: Option<&str>,
    body: &[u8],
) -> munity::Result<String> {
    let request = RegistrationRequest::from_body(content_type, body)?;
    // First the token: a forged request never makes the module call anybody.
    request.verify(module.secret.expose())?;
    let system_url = request.system_url()?.to_owned();
    let client_id = new_client_id()?;
    let account_url = format!("{}/account", module.base);
    let integration = IntegrationModule::new(
        module.code.clone(),
        "My module",
        module.base.clone(),
        client_id.clone(),
        account_url.clone(),
    );
    module
        .system
        .edit(&system_url, &request.api_key, &integration)
        .await?;
    module
        .accounts
        .lock()
        .map_err(|_| munity::Error::from_kind(munity::ErrorKind::Internal, "lock poisoned"))?
        .insert(client_id, system_url);
    Ok(account_url)
}

/// `POST /account` with `clientId`: the system's transition.
async fn account(State(module): State<Arc<Module>>, body: Bytes) -> Response {
    let client_id = form_urlencoded::parse(&body)
        .find(|(name, _)| name == "clientId")
        .map(|(_, value)| value.into_owned());
    let system = client_id.and_then(|id| {
        module
            .accounts
            .lock()
            .ok()
            .and_then(|accounts| accounts.get(&id).cloned())
    });
    match system {
        Some(system) => Html(format!(
            "<h1>Connected</h1><p>This module is registered in {}.</p>",
            escape(&system)
        ))
        .into_response(),
        None => (StatusCode::NOT_FOUND, Html("<h1>Unknown account</h1>")).into_response(),
    }
}

/// 256 random bits, hex: unguessable, since it opens the account page.
fn new_client_id() -> munity::Result<String> {
    let mut bytes = [0u8; 32];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| munity::Error::from_kind(munity::ErrorKind::Internal, "no randomness"))?;
    Ok(hex::encode(bytes))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn json(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}
