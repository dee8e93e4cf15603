//! `customers/`: list (by external id), create (409 if the external id is taken), get,
//! update, delete (with its connections, projects and tasks).

use std::sync::Arc;

use axum::extract::State;
use axum::routing::get;
use axum::Router;

use super::one;
use crate::model::{CustomerCreate, CustomerUpdate};
use crate::sandbox::error::ApiError;
use crate::sandbox::http::extract::{Ctx, JsonBody, ListQuery, Path, Reply};
use crate::sandbox::http::idempotency::commit;
use crate::sandbox::http::state::{ApiState, AppState};
use crate::sandbox::http::validate::Checks;
use crate::sandbox::store::customers;

pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/customers/", get(list).post(create))
        .route("/customers/{id}/", get(show).patch(update).delete(remove))
}

async fn list(
    State(state): State<ApiState>,
    ctx: Ctx,
    mut query: ListQuery,
) -> Result<Reply, ApiError> {
    let paging = query.check()?;
    let workspace = ctx.workspace().to_owned();
    let external_id = query.get("external_id");
    one::page(&state, &query, move |conn| {
        Ok(customers::list(conn, &workspace, external_id, paging)?)
    })
    .await
}

fn check_create(input: &CustomerCreate) -> Result<(), ApiError> {
    let mut checks = Checks::new();
    // The product's own id for the customer: what its connect links carry as `customer`.
    if let Some(problem) = crate::link::fields::id_problem(&input.external_id) {
        checks.fail("external_id", problem);
    }
    checks.text("name", &input.name, 1, customers::MAX_NAME_CHARS);
    checks.email("email", input.email.as_deref());
    checks.finish()
}

async fn create(
    State(state): State<ApiState>,
    ctx: Ctx,
    JsonBody(input): JsonBody<CustomerCreate>,
) -> Result<Reply, ApiError> {
    check_create(&input)?;
    let workspace = ctx.workspace().to_owned();
    commit(&state.db, &ctx, move |tx| {
        if customers::external_id_taken(tx, &workspace, &input.external_id)? {
            return Err(ApiError::conflict(
                "already_exists",
                "a customer with this external_id exists",
            ));
        }
        Reply::created(&customers::insert(tx, &workspace, &input)?)
    })
    .await
}

async fn show(
    State(state): State<ApiState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Reply, ApiError> {
    let workspace = ctx.workspace().to_owned();
    one::read(&state, "customer", move |conn| {
        customers::get(conn, &workspace, &id)
    })
    .await
}

async fn update(
    State(state): State<ApiState>,
    ctx: Ctx,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<CustomerUpdate>,
) -> Result<Reply, ApiError> {
    let mut checks = Checks::new();
    checks.opt_text("name", input.name.as_deref(), 1, 200);
    checks.email("email", input.email.as_deref());
    checks.finish()?;
    let workspace = ctx.workspace().to_owned();
    one::update(&state, &ctx, "customer", move |tx| {
        customers::update(tx, &workspace, &id, &input)
    })
    .await
}

async fn remove(
    State(state): State<ApiState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Reply, ApiError> {
    let workspace = ctx.workspace().to_owned();
    one::delete(&state, &ctx, "customer", move |tx| {
        customers::delete(tx, &workspace, &id)
    })
    .await
}
