//! The fake provider: authorization endpoint with consent page, the decision, and the
//! token endpoint (authorization code grant with PKCE `S256`, RFC 6749 and RFC 7636).
//!
//! The provider knows one client per OAuth2 connector of the catalog, `sandbox-<name>`,
//! whose only redirect URI is the platform's callback.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Serialize;

use super::grants::{Grant, OAuthState, Pending, Refused, CODE_TTL};
use super::params::params;
use super::{page, pkce};
use crate::model::AuthType;
use crate::sandbox::http::state::OAuthContext;
use crate::sandbox::store::connectors;

/// The client id prefix: `sandbox-<connector>`.
const CLIENT_PREFIX: &str = "sandbox-";

/// The client id of a connector.
pub(crate) fn client_id(connector: &str) -> String {
    format!("{CLIENT_PREFIX}{connector}")
}

/// The platform's callback, the only registered redirect URI.
pub(crate) fn callback_url(origin: &str) -> String {
    format!("{origin}/v1/connect/oauth2/callback")
}

/// A checked authorization request.
struct AuthorizationRequest {
    client_id: String,
    provider: String,
    redirect_uri: String,
    state: String,
    challenge: String,
    scope: String,
}

fn required<'a>(params: &'a HashMap<String, String>, name: &str) -> Result<&'a str, String> {
    params
        .get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| format!("the parameter `{name}` is missing"))
}

/// Checks an authorization request (from the query or the consent form).
async fn check(
    state: &OAuthContext,
    params: &HashMap<String, String>,
) -> Result<AuthorizationRequest, String> {
    if required(params, "response_type")? != "code" {
        return Err("`response_type` must be `code`".to_owned());
    }
    let client_id = required(params, "client_id")?.to_owned();
    let connector = client_id
        .strip_prefix(CLIENT_PREFIX)
        .ok_or("unknown client_id")?
        .to_owned();
    let found = state
        .db
        .read(move |conn| Ok(connectors::get(conn, &connector)?))
        .await
        .map_err(|_| "the provider cannot read its clients".to_owned())?;
    let provider = match found {
        Some(c) if c.auth_type == AuthType::Oauth2 => c.display_name,
        _ => return Err("unknown client_id".to_owned()),
    };
    let redirect_uri = required(params, "redirect_uri")?.to_owned();
    if redirect_uri != callback_url(&state.origin) {
        return Err("`redirect_uri` is not registered for this client".to_owned());
    }
    if required(params, "code_challenge_method")? != "S256" {
        return Err("PKCE is required with `code_challenge_method=S256`".to_owned());
    }
    let challenge = required(params, "code_challenge")?.to_owned();
    if !pkce::well_formed(&challenge) {
        return Err("`code_challenge` is not a base64url S256 challenge".to_owned());
    }
    Ok(AuthorizationRequest {
        client_id,
        provider,
        redirect_uri,
        state: required(params, "state")?.to_owned(),
        challenge,
        scope: params.get("scope").cloned().unwrap_or_default(),
    })
}

/// `GET /oauth/provider/authorize`: the consent page.
pub(crate) async fn authorize(State(state): State<OAuthContext>, uri: Uri) -> Response {
    let request = match params(uri.query().unwrap_or("")) {
        Ok(params) => check(&state, &params).await,
        Err(err) => Err(err),
    };
    match request {
        Ok(r) => page::consent(
            &r.provider,
            &[
                ("response_type", "code"),
                ("client_id", &r.client_id),
                ("redirect_uri", &r.redirect_uri),
                ("state", &r.state),
                ("code_challenge", &r.challenge),
                ("code_challenge_method", "S256"),
                ("scope", &r.scope),
            ],
        ),
        Err(detail) => page::failure(StatusCode::BAD_REQUEST, &detail),
    }
}

/// `POST /oauth/provider/decide`: Approve issues a code, Deny an `access_denied` error;
/// either way back to the redirect URI.
pub(crate) async fn decide(State(state): State<OAuthContext>, body: Bytes) -> Response {
    let form = match std::str::from_utf8(&body)
        .map_err(|e| e.to_string())
        .and_then(params)
    {
        Ok(form) => form,
        Err(detail) => return page::failure(StatusCode::BAD_REQUEST, &detail),
    };
    let request = match check(&state, &form).await {
        Ok(request) => request,
        Err(detail) => return page::failure(StatusCode::BAD_REQUEST, &detail),
    };
    // Only a flow the platform started, for this client and challenge, gets a decision:
    // refused before anything is allocated.
    let now = crate::time::now_unix();
    let fits = |p: &Pending| {
        client_id(p.link.connector()) == request.client_id
            && pkce::challenge(&p.verifier) == request.challenge
    };
    if !state.oauth.awaits_code(&request.state, now, fits) {
        return page::failure(
            StatusCode::BAD_REQUEST,
            "no authorization in progress for this `state` (unknown, expired or decided)",
        );
    }
    let mut answer = form_urlencoded::Serializer::new(String::new());
    match form.get("decision").map(String::as_str) {
        Some("approve") => {
            let grant = Grant {
                state: request.state.clone(),
                client_id: request.client_id.clone(),
                redirect_uri: request.redirect_uri.clone(),
                challenge: request.challenge.clone(),
                expires_at: now.saturating_add(CODE_TTL),
                used: false,
            };
            match state.oauth.add_code(grant, now, fits) {
                Ok(code) => answer.append_pair("code", &code),
                Err(Refused::NoFlow) => return page::failure(
                    StatusCode::BAD_REQUEST,
                    "no authorization in progress for this `state` (unknown, expired or decided)",
                ),
                Err(_) => answer.append_pair("error", "temporarily_unavailable"),
            }
        }
        Some("deny") => answer
            .append_pair("error", "access_denied")
            .append_pair("error_description", "the user denied access"),
        _ => return page::failure(StatusCode::BAD_REQUEST, "choose Approve or Deny"),
    };
    answer.append_pair("state", &request.state);
    Redirect::to(&format!("{}?{}", request.redirect_uri, answer.finish())).into_response()
}

/// The token endpoint's answer.
#[derive(Debug, Serialize)]
pub(crate) struct Tokens {
    pub(crate) access_token: String,
    pub(crate) token_type: &'static str,
    pub(crate) expires_in: u32,
    pub(crate) refresh_token: String,
}

/// The token endpoint's error (RFC 6749 section 5.2).
#[derive(Debug, Serialize)]
pub(crate) struct TokenError {
    pub(crate) error: &'static str,
    pub(crate) error_description: String,
}

fn token_error(error: &'static str, detail: impl Into<String>) -> TokenError {
    TokenError {
        error,
        error_description: detail.into(),
    }
}

/// Exchanges an authorization code: the code must be known, unused and fresh, for this
/// client and redirect URI, and `code_verifier` must match its challenge. The code is
/// spent by the first attempt, whatever its outcome.
pub(crate) fn exchange(
    oauth: &OAuthState,
    form: &HashMap<String, String>,
    now: i64,
) -> Result<Tokens, TokenError> {
    let get =
        |name: &str| required(form, name).map_err(|detail| token_error("invalid_request", detail));
    if get("grant_type")? != "authorization_code" {
        return Err(token_error(
            "unsupported_grant_type",
            "only authorization_code is supported",
        ));
    }
    let grant = oauth
        .use_code(get("code")?)
        .ok_or_else(|| token_error("invalid_grant", "unknown authorization code"))?;
    if grant.used {
        return Err(token_error(
            "invalid_grant",
            "the authorization code was already used",
        ));
    }
    if grant.expires_at < now {
        return Err(token_error(
            "invalid_grant",
            "the authorization code has expired",
        ));
    }
    if get("client_id")? != grant.client_id || get("redirect_uri")? != grant.redirect_uri {
        return Err(token_error(
            "invalid_grant",
            "the code was issued to another client or redirect URI",
        ));
    }
    if !pkce::verify(get("code_verifier")?, &grant.challenge) {
        return Err(token_error(
            "invalid_grant",
            "the code_verifier does not match the code_challenge",
        ));
    }
    Ok(Tokens {
        access_token: hex::encode(crate::random::bytes::<24>()),
        token_type: "Bearer",
        expires_in: 3600,
        refresh_token: hex::encode(crate::random::bytes::<24>()),
    })
}

/// `POST /oauth/provider/token` (form body).
pub(crate) async fn token(State(state): State<OAuthContext>, body: Bytes) -> Response {
    let answer = std::str::from_utf8(&body)
        .map_err(|e| token_error("invalid_request", e.to_string()))
        .and_then(|text| params(text).map_err(|detail| token_error("invalid_request", detail)))
        .and_then(|form| exchange(&state.oauth, &form, crate::time::now_unix()));
    let (status, body) = match answer {
        Ok(tokens) => (StatusCode::OK, serde_json::to_vec(&tokens)),
        Err(err) => (StatusCode::BAD_REQUEST, serde_json::to_vec(&err)),
    };
    let body = body.unwrap_or_default();
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}
