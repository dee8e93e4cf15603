//! `credentials/`: the workspace's credential records (full CRUD; PUT replaces). Secrets
//! are write-only: answers show them as hints.

use std::collections::HashSet;
use std::sync::Arc;

use axum::extract::State;
use axum::routing::get;
use axum::Router;

use super::one;
use crate::model::{Authentication, CredentialRecordInput};
use crate::sandbox::db::credentials;
use crate::sandbox::error::ApiError;
use crate::sandbox::extract::{Ctx, JsonBody, ListQuery, Path, Reply};
use crate::sandbox::idempotency::commit;
use crate::sandbox::state::AppState;
use crate::sandbox::validate::Checks;

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

/// What the API itself asks of a field of an authentication (request signing has its
/// own rules: it takes an empty password, the API does not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Limit {
    /// Filled, not blank, at most 4096 characters.
    Required,
    /// Nothing beyond the scheme's rules.
    Free,
    /// Empty, or an `http(s)` URL.
    OptionalUrl,
}

/// The fields of `auth`, in the order of its JSON, with their values and limits.
fn fields(auth: &Authentication) -> Vec<(&'static str, &str, Limit)> {
    use Limit::{Free, OptionalUrl, Required};
    match auth {
        Authentication::Headers { key, value } => {
            vec![("key", key, Free), ("value", value.expose(), Required)]
        }
        Authentication::Basic { username, password } => vec![
            ("username", username, Required),
            ("password", password.expose(), Required),
        ],
        Authentication::Bearer { key, value } => {
            vec![("key", key, Free), ("value", value.expose(), Required)]
        }
        Authentication::Aws4 {
            access_key,
            secret_key,
            region,
            service,
            base_endpoint,
            session_token,
        } => vec![
            ("access_key", access_key, Required),
            ("secret_key", secret_key.expose(), Required),
            ("region", region, Required),
            ("service", service, Required),
            ("base_endpoint", base_endpoint, OptionalUrl),
            (
                "session_token",
                session_token.as_ref().map_or("", |t| t.expose()),
                Free,
            ),
        ],
        Authentication::HmacSha256 {
            client_id,
            client_secret,
        } => vec![
            ("client_id", client_id, Required),
            ("client_secret", client_secret.expose(), Required),
        ],
        Authentication::None => Vec::new(),
    }
}

/// Checks the authentication at `at` (`auth`, `organizations[0].auth`), field by field:
/// the API's limits, then what request signing refuses ([`crate::auth::check`], the
/// rules `apply` follows), so that a record never fails only when it is used. One
/// message per field.
fn check_auth(checks: &mut Checks, at: &str, auth: &Authentication) {
    let field = |name: &str| format!("{at}.{name}");
    let refused = crate::auth::check(auth);
    for (name, value, limit) in fields(auth) {
        match limit {
            Limit::Required => checks.text(&field(name), value, 1, 4096),
            Limit::OptionalUrl if !value.is_empty() => checks.url(&field(name), value),
            Limit::OptionalUrl | Limit::Free => {}
        }
        for refusal in refused.iter().filter(|r| r.field == name) {
            checks.fail_once(&field(name), refusal.message.as_str());
        }
    }
    // A field the list above does not name is still reported.
    for refusal in &refused {
        checks.fail_once(&field(&refusal.field), refusal.message.as_str());
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
    State(state): State<Arc<AppState>>,
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
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    JsonBody(input): JsonBody<CredentialRecordInput>,
) -> Result<Reply, ApiError> {
    check_record(&input)?;
    let workspace = ctx.workspace().to_owned();
    commit(&state, &ctx, move |tx| {
        Reply::created(&credentials::insert(tx, &workspace, &input)?)
    })
    .await
}

async fn show(
    State(state): State<Arc<AppState>>,
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
    State(state): State<Arc<AppState>>,
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
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Reply, ApiError> {
    let workspace = ctx.workspace().to_owned();
    one::delete(&state, &ctx, "credential record", move |tx| {
        credentials::delete(tx, &workspace, &id)
    })
    .await
}
