//! `GET workspace/`: the caller's workspace, with its `allowed_origins`;
//! `PATCH workspace/` `{"allowed_origins": [...]}` (admin key): replaces the origins of the
//! workspace's frontends, the only pages the connect endpoints answer CORS for and the
//! OAuth2 popup posts to (400 `validation` naming `allowed_origins[i]` for a bad one);
//! `GET workspace/certificate/`: its envelope certificate as JSON
//! `{"certificate": "<X.509 PEM>", "kid": "<key id>"}` (any valid key, admin or user).

use std::sync::Arc;

use axum::extract::State;
use axum::routing::get;
use axum::Router;

use super::one;
use crate::model::WorkspaceUpdate;
use crate::sandbox::error::ApiError;
use crate::sandbox::http::extract::{Ctx, JsonBody, Reply};
use crate::sandbox::http::state::{ApiState, AppState};
use crate::sandbox::http::validate::Checks;
use crate::sandbox::store::{workspace_keys, workspaces};

pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/workspace/", get(show).patch(update))
        .route("/workspace/certificate/", get(certificate))
}

async fn show(State(state): State<ApiState>, ctx: Ctx) -> Result<Reply, ApiError> {
    let id = ctx.workspace().to_owned();
    one::read(&state, "workspace", move |conn| workspaces::get(conn, &id)).await
}

async fn update(
    State(state): State<ApiState>,
    ctx: Ctx,
    JsonBody(input): JsonBody<WorkspaceUpdate>,
) -> Result<Reply, ApiError> {
    let mut checks = Checks::new();
    let origins = input
        .allowed_origins
        .as_deref()
        .map(|given| checks.origins("allowed_origins", given));
    checks.finish()?;
    let id = ctx.workspace().to_owned();
    one::update(&state, &ctx, "workspace", move |tx| {
        if let Some(origins) = &origins {
            workspaces::set_allowed_origins(tx, &id, origins)?;
        }
        workspaces::get(tx, &id)
    })
    .await
}

async fn certificate(State(state): State<ApiState>, ctx: Ctx) -> Result<Reply, ApiError> {
    let id = ctx.workspace().to_owned();
    one::read(&state, "workspace certificate", move |conn| {
        Ok(workspace_keys::certificate(conn, &id)?.map(|stored| stored.published()))
    })
    .await
}
