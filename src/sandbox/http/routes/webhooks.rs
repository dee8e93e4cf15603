//! `webhook/`: the workspace's webhook endpoint (`PUT` sets the URL and answers the new
//! secret, once), and `webhook/deliveries/`: the delivery log.

use std::sync::Arc;

use axum::extract::State;
use axum::routing::get;
use axum::Router;
use serde::{Deserialize, Serialize};

use super::one;
use crate::sandbox::error::ApiError;
use crate::sandbox::http::extract::{Ctx, JsonBody, ListQuery, Reply};
use crate::sandbox::http::idempotency::commit;
use crate::sandbox::http::state::{ApiState, AppState};
use crate::sandbox::store::webhooks;
use crate::webhook::WebhookSecret;

pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/webhook/", get(show).put(set).delete(remove))
        .route("/webhook/deliveries/", get(deliveries))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EndpointInput {
    url: String,
}

/// The answer to `PUT`: the only time the secret is shown (the URL without
/// credentials, as everywhere).
#[derive(Debug, Serialize)]
struct EndpointCreated {
    #[serde(flatten)]
    endpoint: webhooks::Endpoint,
    secret: String,
}

/// An endpoint URL: `http://` or `https://`, at most 2048 bytes, no spaces or control
/// characters, and one the HTTP client parses as the API later shows it.
fn check_url(url: &str) -> Result<(), ApiError> {
    let lower = url.to_ascii_lowercase();
    let ok = (lower.starts_with("https://") || lower.starts_with("http://"))
        && url.len() <= 2048
        && !url.chars().any(|c| c.is_control() || c.is_whitespace())
        && reqwest::Url::parse(url).is_ok_and(|parsed| parsed.has_host());
    if ok {
        Ok(())
    } else {
        Err(ApiError::field("url", "must be an http:// or https:// URL"))
    }
}

async fn set(
    State(state): State<ApiState>,
    ctx: Ctx,
    JsonBody(input): JsonBody<EndpointInput>,
) -> Result<Reply, ApiError> {
    check_url(&input.url)?;
    let workspace = ctx.workspace().to_owned();
    commit(&state.db, &ctx, move |tx| {
        let secret = WebhookSecret::generate();
        let endpoint = webhooks::put_endpoint(tx, &workspace, &input.url, secret.expose_bytes())?;
        Reply::ok(&EndpointCreated {
            endpoint,
            secret: secret.to_whsec().expose().clone(),
        })
    })
    .await
}

async fn show(State(state): State<ApiState>, ctx: Ctx) -> Result<Reply, ApiError> {
    let workspace = ctx.workspace().to_owned();
    let endpoint = state
        .db
        .read(move |conn| Ok(webhooks::get_endpoint(conn, &workspace)?))
        .await?
        .ok_or_else(|| ApiError::not_found("webhook endpoint"))?;
    Reply::ok(&endpoint)
}

async fn remove(State(state): State<ApiState>, ctx: Ctx) -> Result<Reply, ApiError> {
    let workspace = ctx.workspace().to_owned();
    commit(&state.db, &ctx, move |tx| {
        if !webhooks::delete_endpoint(tx, &workspace)? {
            return Err(ApiError::not_found("webhook endpoint"));
        }
        Ok(Reply::no_content())
    })
    .await
}

async fn deliveries(
    State(state): State<ApiState>,
    ctx: Ctx,
    mut query: ListQuery,
) -> Result<Reply, ApiError> {
    let paging = query.check()?;
    let workspace = ctx.workspace().to_owned();
    one::page(&state, &query, move |conn| {
        Ok(webhooks::list(conn, &workspace, paging)?)
    })
    .await
}
