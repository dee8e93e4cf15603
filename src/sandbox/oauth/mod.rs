//! A fake OAuth2 provider inside the sandbox, and the platform's side of the flow, so
//! that OAuth2 connectors (e.g. `jira`) can be connected locally, end to end:
//!
//! 1. the connect page opens a popup on `GET /v1/connect/oauth2/authorize?link=<link
//!    query>&origin=<page origin>`: `origin` must be one of the allowed origins of the
//!    link's workspace (otherwise an error page, and nothing is ever posted); the
//!    platform verifies the link, keeps a PKCE verifier and a `state`, and redirects to
//!    the provider;
//! 2. `GET /oauth/provider/authorize` (authorization code request, PKCE `S256` required)
//!    shows the consent page, Approve or Deny; `POST /oauth/provider/decide` redirects
//!    to the platform's callback with a one-time `code` (valid 60 s) or
//!    `error=access_denied`. It decides only for a flow in progress (its `state`,
//!    client and challenge), once: anything else is refused before a code is
//!    allocated, and a link has at most 5 flows in progress (then `rate_limited`);
//! 3. `GET /v1/connect/oauth2/callback`: the platform exchanges the code at
//!    `POST /oauth/provider/token` (the verifier must match the challenge; a code works
//!    once), consumes the link's nonce, creates the connection, and answers a page that
//!    posts `{"type": "munity:connect", "connection"}` (or `{"type": "munity:connect",
//!    "error": {"code", "detail"}}`) to the opener, at the page's origin only, and closes.
//!
//! Everything is kept in memory (a restart forgets flows in progress). The routes are
//! outside the API-key authentication: the link is the credential.

pub(crate) mod grants;
pub(crate) mod page;
mod params;
mod pkce;
mod platform;
mod provider;

use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;

use crate::sandbox::http::state::AppState;

/// The routes of the provider and of the platform's side.
pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/v1/connect/oauth2/authorize", get(platform::start))
        .route("/v1/connect/oauth2/callback", get(platform::callback))
        .route("/oauth/provider/authorize", get(provider::authorize))
        .route("/oauth/provider/decide", post(provider::decide))
        .route("/oauth/provider/token", post(provider::token))
}
