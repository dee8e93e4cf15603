//! `customers/{id}/pm-projects/` and `customers/{id}/pm-tasks/`: a customer's
//! project-management data, as its connections expose it.

use std::sync::Arc;

use axum::extract::State;
use axum::routing::get;
use axum::Router;
use rusqlite::Connection;

use super::one;
use crate::model::{
    PmProjectCreate, PmProjectUpdate, PmTaskCreate, PmTaskUpdate, ProjectStatus, TaskStatus,
};
use crate::sandbox::error::ApiError;
use crate::sandbox::http::extract::{Ctx, JsonBody, ListQuery, Path, Reply};
use crate::sandbox::http::idempotency::commit;
use crate::sandbox::http::state::{ApiState, AppState};
use crate::sandbox::http::validate::Checks;
use crate::sandbox::store::pm::{self, NewProject, TaskFilter};
use crate::sandbox::store::{connections, connectors, customers};

pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(
            "/customers/{id}/pm-projects/",
            get(list_projects).post(create_project),
        )
        .route(
            "/customers/{id}/pm-projects/{project_id}/",
            get(show_project).patch(update_project),
        )
        .route(
            "/customers/{id}/pm-tasks/",
            get(list_tasks).post(create_task),
        )
        .route(
            "/customers/{id}/pm-tasks/{task_id}/",
            get(show_task).patch(update_task),
        )
}

fn require_customer(conn: &Connection, workspace: &str, customer: &str) -> Result<(), ApiError> {
    if customers::exists(conn, workspace, customer)? {
        Ok(())
    } else {
        Err(ApiError::not_found("customer"))
    }
}

async fn list_projects(
    State(state): State<ApiState>,
    ctx: Ctx,
    Path(customer): Path<String>,
    mut query: ListQuery,
) -> Result<Reply, ApiError> {
    let status = query.get_enum::<ProjectStatus>("status");
    let connector = query.get("connector");
    let paging = query.check()?;
    let workspace = ctx.workspace().to_owned();
    one::page(&state, &query, move |conn| {
        require_customer(conn, &workspace, &customer)?;
        Ok(pm::list_projects(
            conn, &workspace, &customer, status, connector, paging,
        )?)
    })
    .await
}

/// A provider-style project key: up to four letters of the name and a number.
fn remote_id(name: &str, number: u64) -> String {
    let letters: String = name
        .chars()
        .filter(char::is_ascii_alphabetic)
        .take(4)
        .collect::<String>()
        .to_ascii_uppercase();
    let letters = if letters.is_empty() {
        "PRJ".to_owned()
    } else {
        letters
    };
    format!("{letters}{number}")
}

async fn create_project(
    State(state): State<ApiState>,
    ctx: Ctx,
    Path(customer): Path<String>,
    JsonBody(input): JsonBody<PmProjectCreate>,
) -> Result<Reply, ApiError> {
    let mut checks = Checks::new();
    checks.text("name", &input.name, 1, 200);
    checks.opt_text("description", input.description.as_deref(), 0, 10_000);
    checks.finish()?;
    let workspace = ctx.workspace().to_owned();
    commit(&state.db, &ctx, move |tx| {
        require_customer(tx, &workspace, &customer)?;
        let connector = match &input.connector {
            Some(name) => {
                if connectors::get(tx, name)?.is_none() {
                    return Err(ApiError::field("connector", "no such connector"));
                }
                name.clone()
            }
            None => connections::first_connector(tx, &workspace, &customer)?.ok_or_else(|| {
                ApiError::conflict(
                    "no_connection",
                    "the customer has no connection; give `connector`",
                )
            })?,
        };
        let (count, _) = pm::list_projects(
            tx,
            &workspace,
            &customer,
            None,
            None,
            crate::sandbox::store::rows::Paging {
                page: 1,
                page_size: 1,
            },
        )?;
        let project = pm::insert_project(
            tx,
            &workspace,
            &NewProject {
                customer_id: &customer,
                connector: &connector,
                remote_id: &remote_id(&input.name, count + 1),
                name: &input.name,
                description: input.description.as_deref(),
            },
        )?;
        Reply::created(&project)
    })
    .await
}

async fn show_project(
    State(state): State<ApiState>,
    ctx: Ctx,
    Path((customer, id)): Path<(String, String)>,
) -> Result<Reply, ApiError> {
    let workspace = ctx.workspace().to_owned();
    one::read(&state, "project", move |conn| {
        pm::get_project(conn, &workspace, &customer, &id)
    })
    .await
}

async fn update_project(
    State(state): State<ApiState>,
    ctx: Ctx,
    Path((customer, id)): Path<(String, String)>,
    JsonBody(input): JsonBody<PmProjectUpdate>,
) -> Result<Reply, ApiError> {
    let mut checks = Checks::new();
    checks.opt_text("name", input.name.as_deref(), 1, 200);
    checks.opt_text("description", input.description.as_deref(), 0, 10_000);
    checks.known("status", input.status.as_ref());
    checks.finish()?;
    let workspace = ctx.workspace().to_owned();
    one::update(&state, &ctx, "project", move |tx| {
        pm::update_project(tx, &workspace, &customer, &id, &input)
    })
    .await
}

async fn list_tasks(
    State(state): State<ApiState>,
    ctx: Ctx,
    Path(customer): Path<String>,
    mut query: ListQuery,
) -> Result<Reply, ApiError> {
    let filter = TaskFilter {
        project_id: query.get("project_id"),
        status: query.get_enum::<TaskStatus>("status"),
        assignee: query.get("assignee"),
    };
    let paging = query.check()?;
    let workspace = ctx.workspace().to_owned();
    one::page(&state, &query, move |conn| {
        require_customer(conn, &workspace, &customer)?;
        Ok(pm::list_tasks(conn, &workspace, &customer, filter, paging)?)
    })
    .await
}

fn check_task_fields(
    checks: &mut Checks,
    status: Option<&TaskStatus>,
    description: Option<&str>,
    assignee: Option<&str>,
    due_date: Option<&str>,
) {
    checks.known("status", status);
    checks.opt_text("description", description, 0, 10_000);
    checks.opt_text("assignee", assignee, 1, 254);
    checks.date("due_date", due_date);
}

async fn create_task(
    State(state): State<ApiState>,
    ctx: Ctx,
    Path(customer): Path<String>,
    JsonBody(input): JsonBody<PmTaskCreate>,
) -> Result<Reply, ApiError> {
    let mut checks = Checks::new();
    checks.text("title", &input.title, 1, 500);
    checks.text("project_id", &input.project_id, 1, 100);
    check_task_fields(
        &mut checks,
        input.status.as_ref(),
        input.description.as_deref(),
        input.assignee.as_deref(),
        input.due_date.as_deref(),
    );
    checks.finish()?;
    let workspace = ctx.workspace().to_owned();
    commit(&state.db, &ctx, move |tx| {
        require_customer(tx, &workspace, &customer)?;
        if pm::get_project(tx, &workspace, &customer, &input.project_id)?.is_none() {
            return Err(ApiError::field(
                "project_id",
                "is not a project of this customer",
            ));
        }
        Reply::created(&pm::insert_task(tx, &workspace, &customer, &input)?)
    })
    .await
}

async fn show_task(
    State(state): State<ApiState>,
    ctx: Ctx,
    Path((customer, id)): Path<(String, String)>,
) -> Result<Reply, ApiError> {
    let workspace = ctx.workspace().to_owned();
    one::read(&state, "task", move |conn| {
        pm::get_task(conn, &workspace, &customer, &id)
    })
    .await
}

async fn update_task(
    State(state): State<ApiState>,
    ctx: Ctx,
    Path((customer, id)): Path<(String, String)>,
    JsonBody(input): JsonBody<PmTaskUpdate>,
) -> Result<Reply, ApiError> {
    let mut checks = Checks::new();
    checks.opt_text("title", input.title.as_deref(), 1, 500);
    check_task_fields(
        &mut checks,
        input.status.as_ref(),
        input.description.as_deref(),
        input.assignee.as_deref(),
        input.due_date.as_deref(),
    );
    checks.finish()?;
    let workspace = ctx.workspace().to_owned();
    one::update(&state, &ctx, "task", move |tx| {
        pm::update_task(tx, &workspace, &customer, &id, &input)
    })
    .await
}
