//! `GET workspace/`: the caller's workspace; `GET workspace/certificate/`: its envelope
//! certificate as JSON `{"certificate": "<X.509 PEM>", "kid": "<key id>"}` (any valid
//! key, admin or user).

use std::sync::Arc;

use axum::extract::State;
use axum::routing::get;
use axum::Router;

use super::one;
use crate::sandbox::db::{workspace_keys, workspaces};
use crate::sandbox::error::ApiError;
use crate::sandbox::extract::{Ctx, Reply};
use crate::sandbox::state::AppState;

pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/workspace/", get(show))
        .route("/workspace/certificate/", get(certificate))
}

async fn show(State(state): State<Arc<AppState>>, ctx: Ctx) -> Result<Reply, ApiError> {
    let id = ctx.workspace().to_owned();
    one::read(&state, "workspace", move |conn| workspaces::get(conn, &id)).await
}

async fn certificate(State(state): State<Arc<AppState>>, ctx: Ctx) -> Result<Reply, ApiError> {
    let id = ctx.workspace().to_owned();
    one::read(&state, "workspace certificate", move |conn| {
        workspace_keys::certificate(conn, &id)
    })
    .await
}
