//! `credentials/`: the workspace's credential records (full CRUD; PUT replaces). Secrets
//! are write-only: answers show them as hints.

use std::collections::HashSet;
use std::sync::Arc;

use axum::extract::State;
use axum::routing::get;
use axum::Router;

use super::one;
use crate::model::{Authentication, ContentType, CredentialRecordInput, Environment};
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

fn check_auth(checks: &mut Checks, at: &str, auth: &Authentication) {
    let field = |name: &str| format!("{at}.{name}");
    let required = |checks: &mut Checks, name: &str, value: &str| {
        checks.text(&field(name), value, 1, 4096);
    };
    // A secret sent as a header value: refused here rather than when it is applied.
    let header_secret = |checks: &mut Checks, name: &str, value: &str| {
        required(checks, name, value);
        if !header_value_ok(value) {
            checks.fail(
                &field(name),
                "must not contain line breaks or control characters (a header value cannot carry them)",
            );
        }
    };
    match auth {
        Authentication::Headers { key, value } => {
            if !header_name_ok(key) {
                checks.fail(&field("key"), "must be an HTTP header name");
            }
            header_secret(checks, "value", value.expose());
        }
        Authentication::Basic { username, password } => {
            // The rules of the header the record makes (RFC 7617), as `auth` applies them.
            let refused = crate::auth::basic_value(username, password.expose()).err();
            let refused_field = |name: &str| {
                let code = format!("invalid_{name}");
                refused.as_ref().filter(|err| err.code() == code)
            };
            required(checks, "username", username);
            if let Some(err) = refused_field("username") {
                checks.fail(&field("username"), err.detail());
            }
            required(checks, "password", password.expose());
            if let Some(err) = refused_field("password") {
                checks.fail(&field("password"), err.detail());
            }
        }
        Authentication::Bearer { key, value } => {
            if !key.is_empty() && !header_name_ok(key) {
                checks.fail(&field("key"), "must be an HTTP header name");
            }
            header_secret(checks, "value", value.expose());
        }
        Authentication::Aws4 {
            access_key,
            secret_key,
            region,
            service,
            base_endpoint,
            ..
        } => {
            required(checks, "access_key", access_key);
            required(checks, "secret_key", secret_key.expose());
            required(checks, "region", region);
            required(checks, "service", service);
            if !base_endpoint.is_empty() {
                checks.url(&field("base_endpoint"), base_endpoint);
            }
            let filled = [access_key, secret_key.expose(), region, service];
            if filled.iter().all(|v| !v.trim().is_empty()) {
                check_signing(checks, at, auth);
            }
        }
        Authentication::HmacSha256 {
            client_id,
            client_secret,
        } => {
            required(checks, "client_id", client_id);
            required(checks, "client_secret", client_secret.expose());
            if !client_id.trim().is_empty() && !client_secret.expose().trim().is_empty() {
                check_signing(checks, at, auth);
            }
        }
        Authentication::None => {}
    }
}

/// What request signing refuses in `auth`, by its own rules (`crate::auth::apply` on a
/// dummy request): `None` when it signs.
fn signing_error(auth: &Authentication) -> Option<crate::Error> {
    let record = CredentialRecordInput::new(
        "check",
        "https://sandbox.invalid",
        Environment::Test,
        ContentType::Json,
        auth.clone(),
    );
    let selected = crate::auth::Selected {
        record: &record,
        auth,
    };
    let mut request = axum::http::Request::new(Vec::<u8>::new());
    *request.uri_mut() = axum::http::Uri::from_static("https://sandbox.invalid/");
    let options = crate::auth::Options::at(0).with_nonce("sandbox-validation");
    crate::auth::apply(&selected, &mut request, &options).err()
}

/// An `aws4` or `hmac_sha256` authentication with every field filled must also sign:
/// the sandbox refuses a record that would fail only when it is used. The error's code
/// names the field; `aws4` region and service share one code, so each is tried alone.
fn check_signing(checks: &mut Checks, at: &str, auth: &Authentication) {
    let Some(err) = signing_error(auth) else {
        return;
    };
    let mut fields = match err.code() {
        "invalid_aws_access_key" => vec!["access_key"],
        "invalid_aws_session_token" => vec!["session_token"],
        "invalid_client_id" => vec!["client_id"],
        "invalid_client_secret" => vec!["client_secret"],
        _ => Vec::new(),
    };
    if let (Authentication::Aws4 { .. }, "invalid_aws_scope") = (auth, err.code()) {
        // Region and service share one code: each is tried with the other made valid.
        let still_fails = |fix_region: bool| {
            let mut probe = auth.clone();
            if let Authentication::Aws4 {
                region, service, ..
            } = &mut probe
            {
                if fix_region {
                    *region = "us-east-1".to_owned();
                } else {
                    *service = "s3".to_owned();
                }
            }
            signing_error(&probe).is_some_and(|e| e.code() == "invalid_aws_scope")
        };
        if still_fails(false) {
            fields.push("region");
        }
        if still_fails(true) {
            fields.push("service");
        }
    }
    if fields.is_empty() {
        checks.fail(at, err.detail());
    }
    for name in fields {
        checks.fail(&format!("{at}.{name}"), err.detail());
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
