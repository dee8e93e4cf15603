//! `credentials/`: the workspace's credential records (full CRUD; PUT replaces). Secrets
//! are write-only: answers show them as hints.

use std::collections::HashSet;
use std::sync::Arc;

use axum::extract::State;
use axum::routing::get;
use axum::Router;

use super::one;
use crate::model::{Authentication, CredentialRecordInput, FieldKind};
use crate::sandbox::error::ApiError;
use crate::sandbox::http::extract::{Ctx, JsonBody, ListQuery, Path, Reply};
use crate::sandbox::http::idempotency::commit;
use crate::sandbox::http::state::{ApiState, AppState};
use crate::sandbox::http::validate::Checks;
use crate::sandbox::store::credentials;

pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/credentials/", get(list).post(create))
        .route("/credentials/{id}/", get(show).put(replace).delete(remove))
}

/// An HTTP header name: a non-empty RFC 9110 token.
fn header_name_ok(name: &str) -> bool {
    axum::http::HeaderName::from_bytes(name.as_bytes()).is_ok()
}

/// An HTTP header value as `http` (and so `crate::auth`) accepts it: no line breaks or
/// control characters other than tab.
fn header_value_ok(value: &str) -> bool {
    axum::http::HeaderValue::from_str(value).is_ok()
}

/// Checks the authentication at `at` (`auth`, `organizations[0].auth`), field by field:
/// the API's limits (a required field filled, at most 4096 characters; a URL field an
/// `http(s)` URL), then what request signing refuses ([`crate::auth::check`], the rules
/// `apply` follows), so that a record never fails only when it is used. One message per
/// field.
fn check_auth(checks: &mut Checks, at: &str, auth: &Authentication) {
    let path = |name: &str| format!("{at}.{name}");
    let refused = crate::auth::check(auth);
    for field in auth.fields() {
        if field.required {
            checks.text(&path(field.name), field.value, 1, 4096);
        } else if field.kind == FieldKind::Url && !field.value.is_empty() {
            checks.url(&path(field.name), field.value);
        }
        for refusal in refused.iter().filter(|r| r.field == field.name) {
            checks.fail_once(&path(field.name), refusal.message.as_str());
        }
    }
    // A field the list above does not name is still reported.
    for refusal in &refused {
        checks.fail_once(&path(&refusal.field), refusal.message.as_str());
    }
}

fn check_record(input: &CredentialRecordInput) -> Result<(), ApiError> {
    let mut checks = Checks::new();
    checks.text("name", &input.name, 1, 200);
    checks.url("base_url", &input.base_url);
    checks.known("environment", Some(&input.environment));
    checks.known("content_type", Some(&input.content_type));
    for (i, header) in input.extra_headers.iter().enumerate() {
        if !header_name_ok(&header.name) {
            checks.fail(
                &format!("extra_headers[{i}].name"),
                "must be an HTTP header name",
            );
        }
        if !header_value_ok(&header.value) {
            checks.fail(
                &format!("extra_headers[{i}].value"),
                "must be a valid HTTP header value",
            );
        }
    }
    match (&input.auth, input.organizations.is_empty()) {
        (Some(auth), true) => check_auth(&mut checks, "auth", auth),
        (None, false) => {
            let mut seen = HashSet::new();
            for (i, org) in input.organizations.iter().enumerate() {
                let at = format!("organizations[{i}]");
                checks.text(
                    &format!("{at}.organization_id"),
                    &org.organization_id,
                    1,
                    200,
                );
                if !seen.insert(org.organization_id.as_str()) {
                    checks.fail(&format!("{at}.organization_id"), "is listed twice");
                }
                check_auth(&mut checks, &format!("{at}.auth"), &org.auth);
            }
        }
        (Some(_), false) => checks.fail("auth", "give either `auth` or `organizations`, not both"),
        (None, true) => checks.fail("auth", "give `auth` or a non-empty `organizations`"),
    }
    checks.finish()
}

async fn list(
    State(state): State<ApiState>,
    ctx: Ctx,
    mut query: ListQuery,
) -> Result<Reply, ApiError> {
    let paging = query.check()?;
    let workspace = ctx.workspace().to_owned();
    one::page(&state, &query, move |conn| {
        Ok(credentials::list(conn, &workspace, paging)?)
    })
    .await
}

async fn create(
    State(state): State<ApiState>,
    ctx: Ctx,
    JsonBody(input): JsonBody<CredentialRecordInput>,
) -> Result<Reply, ApiError> {
    check_record(&input)?;
    let workspace = ctx.workspace().to_owned();
    commit(&state.db, &ctx, move |tx| {
        Reply::created(&credentials::insert(tx, &workspace, &input)?)
    })
    .await
}

async fn show(
    State(state): State<ApiState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Reply, ApiError> {
    let workspace = ctx.workspace().to_owned();
    one::read(&state, "credential record", move |conn| {
        credentials::get(conn, &workspace, &id)
    })
    .await
}

async fn replace(
    State(state): State<ApiState>,
    ctx: Ctx,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<CredentialRecordInput>,
) -> Result<Reply, ApiError> {
    check_record(&input)?;
    let workspace = ctx.workspace().to_owned();
    one::update(&state, &ctx, "credential record", move |tx| {
        credentials::replace(tx, &workspace, &id, &input)
    })
    .await
}

async fn remove(
    State(state): State<ApiState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Reply, ApiError> {
    let workspace = ctx.workspace().to_owned();
    one::delete(&state, &ctx, "credential record", move |tx| {
        credentials::delete(tx, &workspace, &id)
    })
    .await
}
