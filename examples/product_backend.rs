//! A product's backend, as a customer of Munity writes it: it serves the product's page
//! on its own origin, signs connect links for the signed-in user, and receives Munity's
//! webhooks. The Munity API is elsewhere (another origin); the page talks to it only
//! through the npm package, on the connect endpoints.
//!
//! ```sh
//! MUNITY_API_BASE=http://127.0.0.1:8787/v1 MUNITY_API_KEY=<admin key> \
//! MUNITY_WORKSPACE_ID=<ws_...> PRODUCT_PORT=8788 cargo run --example product_backend
//! ```
//!
//! `scripts/demo` runs it beside the sandbox. Routes:
//!
//! | route | what |
//! |---|---|
//! | `GET /`, `/app.js`, `/style.css` | the page, from `PRODUCT_WWW` (default `www`) |
//! | `GET /pkg/...` | the npm package's web entry (module, wasm, snippets), from `PRODUCT_PKG` (default `pkg/web`) |
//! | `GET /api/me` | the signed-in user and the API base the page pins (`apiBase`) |
//! | `GET /api/munity/connectors` | the connector catalog (read with the API key, which never leaves this server) |
//! | `GET /api/munity/connect-link?connector=<name>` | a connect link signed here, for the signed-in user's own id |
//! | `POST /webhooks/munity` | Munity's webhooks, verified (Standard Webhooks) |
//! | `GET /api/munity/events` | the webhook events verified so far |
//!
//! A real product has sign-in; here the signed-in user is `PRODUCT_USER` (default
//! `acme`), the product's internal customer id. The first connection creates the Munity
//! customer with that `external_id`. Stdout gets `PRODUCT_URL=http://127.0.0.1:<port>/`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::TryStreamExt;
use munity::link::LinkBuilder;
use munity::webhook::{Webhook, WebhookSecret};
use munity::{ApiKey, Client};
use serde_json::{json, Value};

/// What the handlers share.
struct Product {
    client: Client,
    api_base: String,
    api_key: ApiKey,
    workspace_id: String,
    user: String,
    webhook: Webhook,
    events: Mutex<Vec<Value>>,
    www: PathBuf,
    pkg: PathBuf,
}

type Shared = Arc<Product>;

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn required(name: &str) -> munity::Result<String> {
    env(name).ok_or_else(|| {
        munity::Error::new(munity::ErrorKind::Config, "config", format!("set {name}"))
    })
}

/// An error answer for the page; the detail of a Munity error never holds a key.
fn fail(status: StatusCode, err: &munity::Error) -> Response {
    (
        status,
        Json(json!({"code": err.code(), "detail": err.detail()})),
    )
        .into_response()
}

/// A path segment that names a file or folder inside its parent and nothing else.
fn plain(segment: &str) -> bool {
    !segment.is_empty()
        && !segment.starts_with('.')
        && segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

/// The page's three files, and the package's files under `/pkg/` (its module, its wasm
/// and the snippets the module imports): plain segments only, so nothing outside the
/// two folders.
async fn file(State(product): State<Shared>, uri: axum::http::Uri) -> Response {
    let (root, name) = match uri.path() {
        "/" => (&product.www, "index.html"),
        "/app.js" => (&product.www, "app.js"),
        "/style.css" => (&product.www, "style.css"),
        path => match path.strip_prefix("/pkg/") {
            Some(rest) if rest.split('/').all(plain) => (&product.pkg, rest),
            _ => return StatusCode::NOT_FOUND.into_response(),
        },
    };
    let kind = match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("wasm") => "application/wasm",
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    match tokio::fs::read(root.join(name)).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, kind),
                (header::CACHE_CONTROL, "no-store"),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn me(State(product): State<Shared>) -> Json<Value> {
    Json(json!({"user": product.user, "apiBase": product.api_base}))
}

async fn connectors(State(product): State<Shared>) -> Response {
    let listed: munity::Result<Vec<_>> = product.client.connectors().list_all().try_collect().await;
    match listed {
        Ok(list) => Json(json!({"connectors": list})).into_response(),
        Err(err) => fail(StatusCode::BAD_GATEWAY, &err),
    }
}

/// Signs a link for the signed-in user (never for a customer id the page names).
async fn connect_link(
    State(product): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let Some(connector) = query.get("connector") else {
        let err = munity::Error::invalid("validation", "the query needs `connector`");
        return fail(StatusCode::BAD_REQUEST, &err);
    };
    let signed = LinkBuilder::new(
        product.workspace_id.as_str(),
        product.user.as_str(),
        connector.as_str(),
    )
    .base_url(format!("{}/connect", product.api_base))
    .sign(&product.api_key, munity::now_unix());
    match signed {
        Ok(link) => Json(json!({"link": link.into_url()})).into_response(),
        Err(err) => fail(StatusCode::BAD_REQUEST, &err),
    }
}

async fn webhook(State(product): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(err) = product
        .webhook
        .verify_http(&headers, &body, munity::now_unix())
    {
        eprintln!("product: webhook refused: {err}");
        return fail(StatusCode::BAD_REQUEST, &err);
    }
    let event: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    println!("product: webhook {}", event["type"]);
    let mut events = product.events.lock().unwrap_or_else(|e| e.into_inner());
    events.push(json!({"type": event["type"], "data": event["data"]}));
    StatusCode::NO_CONTENT.into_response()
}

async fn events(State(product): State<Shared>) -> Json<Value> {
    let events = product.events.lock().unwrap_or_else(|e| e.into_inner());
    Json(json!({"events": *events}))
}

/// The webhook secret: `MUNITY_WEBHOOK_SECRET` (`whsec_...`), or else this server's
/// endpoint is registered now and the secret it is given kept in memory.
async fn webhook_secret(client: &Client, own_url: &str) -> munity::Result<WebhookSecret> {
    if let Some(secret) = env("MUNITY_WEBHOOK_SECRET") {
        return WebhookSecret::parse(&secret);
    }
    let created: Value = client
        .request(http::Method::PUT, "webhook/")
        .json(&json!({"url": format!("{own_url}webhooks/munity")}))
        .send()
        .await?;
    WebhookSecret::parse(created["secret"].as_str().unwrap_or_default())
}

async fn run() -> munity::Result<()> {
    let client = Client::from_env()?;
    let api_key = ApiKey::parse(&required("MUNITY_API_KEY")?)?;
    let port: u16 = env("PRODUCT_PORT")
        .and_then(|p| p.parse().ok())
        .unwrap_or(8788);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| munity::Error::new(munity::ErrorKind::Config, "bind_failed", e.to_string()))?;
    let addr = listener
        .local_addr()
        .map_err(|e| munity::Error::new(munity::ErrorKind::Config, "bind_failed", e.to_string()))?;
    let own_url = format!("http://{addr}/");
    let product = Arc::new(Product {
        webhook: Webhook::new(webhook_secret(&client, &own_url).await?),
        api_base: client.base_url().trim_end_matches('/').to_owned(),
        client,
        api_key,
        workspace_id: required("MUNITY_WORKSPACE_ID")?,
        user: env("PRODUCT_USER").unwrap_or_else(|| "acme".to_owned()),
        events: Mutex::new(Vec::new()),
        www: env("PRODUCT_WWW")
            .unwrap_or_else(|| "www".to_owned())
            .into(),
        pkg: env("PRODUCT_PKG")
            .unwrap_or_else(|| "pkg/web".to_owned())
            .into(),
    });
    let app = Router::new()
        .route("/api/me", get(me))
        .route("/api/munity/connectors", get(connectors))
        .route("/api/munity/connect-link", get(connect_link))
        .route("/api/munity/events", get(events))
        .route("/webhooks/munity", post(webhook))
        .fallback(get(file))
        .with_state(product);
    println!("PRODUCT_URL={own_url}");
    eprintln!(
        "product: serving {own_url} (the Munity API is {})",
        std::env::var("MUNITY_API_BASE").unwrap_or_default()
    );
    axum::serve(listener, app)
        .await
        .map_err(|e| munity::Error::new(munity::ErrorKind::Network, "serve", e.to_string()))
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("product: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}
