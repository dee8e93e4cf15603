//! `connectors/`: the catalog, and the workspace's configuration of each connector
//! (OAuth2 client id and secret, the workspace's API key, or a module's code and secret;
//! secrets only as hints).

use std::sync::Arc;

use axum::extract::State;
use axum::routing::get;
use axum::Router;

use super::one;
use crate::model::{AuthType, Connector, ConnectorConfigUpdate};
use crate::sandbox::error::ApiError;
use crate::sandbox::http::extract::{Ctx, JsonBody, ListQuery, Path, Reply};
use crate::sandbox::http::idempotency::commit;
use crate::sandbox::http::state::{ApiState, AppState};
use crate::sandbox::http::validate::Checks;
use crate::sandbox::store::connectors;

pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/connectors/", get(list))
        .route("/connectors/{name}/", get(show))
        .route(
            "/connectors/{name}/config/",
            get(show_config).put(put_config),
        )
}

async fn list(
    State(state): State<ApiState>,
    _ctx: Ctx,
    mut query: ListQuery,
) -> Result<Reply, ApiError> {
    let paging = query.check()?;
    one::page(&state, &query, move |conn| {
        Ok(connectors::list(conn, paging)?)
    })
    .await
}

async fn find(state: &ApiState, name: String) -> Result<Connector, ApiError> {
    state
        .db
        .read(move |conn| Ok(connectors::get(conn, &name)?))
        .await?
        .ok_or_else(|| ApiError::not_found("connector"))
}

async fn show(
    State(state): State<ApiState>,
    _ctx: Ctx,
    Path(name): Path<String>,
) -> Result<Reply, ApiError> {
    Reply::ok(&find(&state, name).await?)
}

async fn show_config(
    State(state): State<ApiState>,
    ctx: Ctx,
    Path(name): Path<String>,
) -> Result<Reply, ApiError> {
    let connector = find(&state, name).await?;
    let workspace = ctx.workspace().to_owned();
    let config = state
        .db
        .read(move |conn| Ok(connectors::get_config(conn, &workspace, &connector.name)?))
        .await?;
    Reply::ok(&config)
}

/// OAuth2 connectors take a client id, secret and scopes; API-key connectors take the
/// workspace's API key; module connectors take the module's code and secret; the others
/// have nothing to configure.
fn check_config(connector: &Connector, update: &ConnectorConfigUpdate) -> Result<(), ApiError> {
    let mut checks = Checks::new();
    let oauth2 = connector.auth_type == AuthType::Oauth2;
    let api_key = connector.auth_type == AuthType::ApiKey;
    let module = connector.auth_type == AuthType::Module;
    let not_for = |what: &str| format!("{what} connectors do not take this field");
    let kind = connector.auth_type.as_str();
    if let Some(client_id) = &update.client_id {
        if oauth2 {
            checks.text("client_id", client_id, 1, 500);
        } else {
            checks.fail("client_id", not_for(kind));
        }
    }
    if let Some(secret) = &update.client_secret {
        if oauth2 {
            checks.text("client_secret", secret.expose(), 1, 2000);
        } else {
            checks.fail("client_secret", not_for(kind));
        }
    }
    if let Some(scopes) = &update.scopes {
        if !oauth2 {
            checks.fail("scopes", not_for(kind));
        }
        for (i, scope) in scopes.iter().enumerate() {
            if scope.is_empty() || scope.len() > 200 || scope.contains(char::is_whitespace) {
                checks.fail(
                    &format!("scopes[{i}]"),
                    "must be 1 to 200 characters without spaces",
                );
            }
        }
    }
    if let Some(key) = &update.api_key {
        if api_key {
            checks.text("api_key", key.expose(), 1, 2000);
        } else {
            checks.fail("api_key", not_for(kind));
        }
    }
    if let Some(code) = &update.module_code {
        if !module {
            checks.fail("module_code", not_for(kind));
        } else if code.is_empty()
            || code.len() > 100
            || !code
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        {
            checks.fail(
                "module_code",
                "must be 1 to 100 letters, digits, `-`, `_` or `.` (the module's code in the system)",
            );
        }
    }
    if let Some(secret) = &update.module_secret {
        if module {
            checks.text("module_secret", secret.expose(), 1, 2000);
        } else {
            checks.fail("module_secret", not_for(kind));
        }
    }
    checks.finish()
}

async fn put_config(
    State(state): State<ApiState>,
    ctx: Ctx,
    Path(name): Path<String>,
    JsonBody(update): JsonBody<ConnectorConfigUpdate>,
) -> Result<Reply, ApiError> {
    let connector = find(&state, name).await?;
    check_config(&connector, &update)?;
    let workspace = ctx.workspace().to_owned();
    commit(&state.db, &ctx, move |tx| {
        Reply::ok(&connectors::put_config(
            tx,
            &workspace,
            &connector.name,
            &update,
        )?)
    })
    .await
}
