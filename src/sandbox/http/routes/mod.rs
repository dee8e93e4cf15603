//! The API's routes, one file per resource, composed here under `/v1`.
//!
//! To add a resource: write `routes/<name>.rs` with a `routes() -> Router<Arc<AppState>>`
//! and merge it in [`api`].

use std::sync::Arc;

use axum::routing::post;
use axum::Router;

use crate::sandbox::http::state::AppState;

pub(crate) mod connect;
mod connect_credentials;
pub(crate) mod connect_module;
mod connections;
mod connectors;
mod credentials;
mod customers;
mod one;
mod pm;
mod webhooks;
mod workspace;

/// Every route of API v1, relative to `/v1`.
pub(crate) fn api() -> Router<Arc<AppState>> {
    Router::new()
        .merge(workspace::routes())
        .merge(customers::routes())
        .merge(connections::routes())
        .merge(connectors::routes())
        .merge(credentials::routes())
        .merge(pm::routes())
        .merge(webhooks::routes())
}

/// The connect routes, where the link is the credential (mounted at the top level,
/// outside the API-key authentication): the session and the credential submission.
pub(crate) fn connect() -> Router<Arc<AppState>> {
    connect::routes().route("/v1/connect/credentials", post(connect_credentials::submit))
}
