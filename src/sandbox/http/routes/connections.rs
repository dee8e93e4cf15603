//! `customers/{id}/connections/`: a customer's connections (list, get, delete). Deleting
//! a connection removes the projects and tasks read through it.

use std::sync::Arc;

use axum::extract::State;
use axum::routing::get;
use axum::Router;

use super::one;
use crate::sandbox::error::ApiError;
use crate::sandbox::http::extract::{Ctx, ListQuery, Path, Reply};
use crate::sandbox::http::idempotency::commit;
use crate::sandbox::http::state::{ApiState, AppState};
use crate::sandbox::store::{connections, customers, pm};

pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/customers/{id}/connections/", get(list))
        .route(
            "/customers/{id}/connections/{connection_id}/",
            get(show).delete(remove),
        )
}

async fn list(
    State(state): State<ApiState>,
    ctx: Ctx,
    Path(customer): Path<String>,
    mut query: ListQuery,
) -> Result<Reply, ApiError> {
    let paging = query.check()?;
    let workspace = ctx.workspace().to_owned();
    one::page(&state, &query, move |conn| {
        if !customers::exists(conn, &workspace, &customer)? {
            return Err(ApiError::not_found("customer"));
        }
        Ok(connections::list(conn, &workspace, &customer, paging)?)
    })
    .await
}

async fn show(
    State(state): State<ApiState>,
    ctx: Ctx,
    Path((customer, id)): Path<(String, String)>,
) -> Result<Reply, ApiError> {
    let workspace = ctx.workspace().to_owned();
    one::read(&state, "connection", move |conn| {
        connections::get(conn, &workspace, &customer, &id)
    })
    .await
}

async fn remove(
    State(state): State<ApiState>,
    ctx: Ctx,
    Path((customer, id)): Path<(String, String)>,
) -> Result<Reply, ApiError> {
    let workspace = ctx.workspace().to_owned();
    commit(&state.db, &ctx, move |tx| {
        let connection = connections::get(tx, &workspace, &customer, &id)?
            .ok_or_else(|| ApiError::not_found("connection"))?;
        connections::delete(tx, &workspace, &customer, &id)?;
        crate::sandbox::webhook_delivery::enqueue(
            tx,
            &workspace,
            "connection.deleted",
            &connection,
        )?;
        let still_connected =
            connections::has_connector(tx, &workspace, &customer, &connection.connector)?;
        if !still_connected {
            pm::delete_projects_of_connector(tx, &workspace, &customer, &connection.connector)?;
        }
        Ok(Reply::no_content())
    })
    .await
}
