//! The platform's side of the OAuth2 flow: starting it from a connect link (with PKCE)
//! and finishing it in the callback (code exchange, nonce, connection, `postMessage`).
//!
//! Links are checked as by the other connect routes: signed by an admin key the sandbox
//! stores, for that key's workspace, unexpired, and with a nonce not yet used (the
//! `link_nonces` table, shared with the credential submission). The start only reads
//! the nonce, and one link has at most [`MAX_PENDING_PER_LINK`] flows in progress; the
//! callback checks the link again, as of its own time, and consumes the nonce.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;

use super::grants::{Pending, Refused, MAX_PENDING_PER_LINK};
use super::params::params;
use super::provider::{callback_url, client_id, exchange};
use super::{page, pkce};
use crate::link::ConnectLink;
use crate::model::AuthType;
use crate::sandbox::http::cors::allowed_for_link;
use crate::sandbox::http::state::OAuthContext;
use crate::sandbox::link_use::{link_error, resolve_link, use_link};
use crate::sandbox::store::connections;
use crate::Error;

/// The `type` of every message the callback page posts (the npm package waits for it).
pub(crate) const MESSAGE_TYPE: &str = "munity:connect";

/// The page that posts an error to the opener.
fn post_error(origin: &str, code: &str, detail: &str) -> Response {
    page::post_to_opener(
        origin,
        &json!({"type": MESSAGE_TYPE, "error": {"code": code, "detail": detail}}),
    )
}

fn post_failure(origin: &str, err: &Error) -> Response {
    post_error(origin, err.code(), err.detail())
}

/// Verifies the link as the other connect routes do ([`resolve_link`]: a stored admin
/// key of the link's workspace, signature, expiry, nonce not yet used) and finds what the
/// flow needs; errors as the API gives them.
async fn pending_of(
    state: &OAuthContext,
    link: &str,
    origin: &str,
    now: i64,
) -> Result<Pending, Error> {
    let link = ConnectLink::parse_query(link).map_err(|e| link_error(e).0)?;
    let checked = link.clone();
    let target = state
        .db
        .read(move |conn| resolve_link(conn, &checked, now))
        .await
        .map_err(|e| e.0)?;
    if target.connector.auth_type != AuthType::Oauth2 {
        return Err(Error::invalid(
            "validation",
            format!("connector {} does not use OAuth2", target.connector.name),
        ));
    }
    Ok(Pending {
        link,
        origin: origin.to_owned(),
        verifier: pkce::new_verifier(),
        created_at: now,
    })
}

/// `GET /v1/connect/oauth2/authorize?link=<link query>&origin=<page origin>`.
pub(crate) async fn start(State(state): State<OAuthContext>, uri: Uri) -> Response {
    let query = match params(uri.query().unwrap_or("")) {
        Ok(query) => query,
        Err(detail) => return page::failure(StatusCode::BAD_REQUEST, &detail),
    };
    let Some(link) = query.get("link") else {
        return page::failure(StatusCode::BAD_REQUEST, "the `link` parameter is missing");
    };
    // The result goes by `postMessage` to `origin` only: it must be one of the link
    // workspace's frontends, or nothing is posted at all.
    let given = query.get("origin").map(String::as_str).unwrap_or("");
    let Some(origin) = allowed_for_link(&state.db, link, given).await else {
        return page::failure(
            StatusCode::FORBIDDEN,
            "`origin` must be the opening page's origin, and one of the allowed origins of \
             the link's workspace (allowed_origins): this page posts its result to no other",
        );
    };
    let origin = origin.as_str();
    let now = crate::time::now_unix();
    let pending = match pending_of(&state, link, origin, now).await {
        Ok(pending) => pending,
        Err(err) => return post_failure(origin, &err),
    };
    let client = client_id(pending.link.connector());
    let challenge = pkce::challenge(&pending.verifier);
    let flow_state = match state.oauth.add_pending(pending, now) {
        Ok(flow_state) => flow_state,
        Err(Refused::LinkBusy) => {
            return post_error(
                origin,
                "rate_limited",
                &format!(
                    "this link has {MAX_PENDING_PER_LINK} authorizations in progress; \
                     finish one or wait a few minutes"
                ),
            )
        }
        Err(_) => return post_error(origin, "server", "too many authorizations in progress"),
    };
    let target = form_urlencoded::Serializer::new(String::new())
        .append_pair("response_type", "code")
        .append_pair("client_id", &client)
        .append_pair("redirect_uri", &callback_url(&state.origin))
        .append_pair("state", &flow_state)
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256")
        .append_pair("scope", "read")
        .finish();
    Redirect::to(&format!("/oauth/provider/authorize?{target}")).into_response()
}

/// `GET /v1/connect/oauth2/callback?code=..&state=..` (or `error=..&state=..`).
pub(crate) async fn callback(State(state): State<OAuthContext>, uri: Uri) -> Response {
    let query = match params(uri.query().unwrap_or("")) {
        Ok(query) => query,
        Err(detail) => return page::failure(StatusCode::BAD_REQUEST, &detail),
    };
    let now = crate::time::now_unix();
    let Some(pending) = query
        .get("state")
        .and_then(|s| state.oauth.take_pending(s, now))
    else {
        return page::failure(
            StatusCode::BAD_REQUEST,
            "unknown, expired or already used `state`",
        );
    };
    let origin = pending.origin.clone();
    if let Some(error) = query.get("error") {
        let code = if error == "access_denied" {
            "access_denied"
        } else {
            "oauth_failed"
        };
        let detail = query
            .get("error_description")
            .cloned()
            .unwrap_or_else(|| format!("the provider answered `{error}`"));
        return post_error(&origin, code, &detail);
    }
    let form: HashMap<String, String> = [
        ("grant_type", "authorization_code"),
        ("code", query.get("code").map(String::as_str).unwrap_or("")),
        ("redirect_uri", &callback_url(&state.origin)),
        ("client_id", &client_id(pending.link.connector())),
        ("code_verifier", &pending.verifier),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    if let Err(err) = exchange(&state.oauth, &form, now) {
        return post_error(&origin, "oauth_failed", &err.error_description);
    }
    let created = state
        .db
        .write(move |tx| {
            // The link is checked again, as of now, in the connection's transaction: its
            // key may have been removed or the link may have expired while the user was
            // on the provider's page, and another flow or the credential submission may
            // have used its nonce. `use_link` consumes the nonce (one connection per link,
            // whichever route uses it).
            let used = use_link(tx, &pending.link, now)?;
            Ok(connections::insert(
                tx,
                pending.link.workspace(),
                &used.customer.id,
                &used.connector.name,
            )?)
        })
        .await;
    match created {
        Ok(connection) => {
            tracing::info!(connection = %connection.id, "OAuth2 connection created");
            page::post_to_opener(
                &origin,
                &json!({"type": MESSAGE_TYPE, "connection": connection}),
            )
        }
        Err(err) => post_failure(&origin, &err.0),
    }
}
