//! Authentication middleware: `Authorization: X-Api-Key <key>` must name a known key
//! (401 otherwise); a user-privilege key may only read (403 `permission_denied` for any
//! POST/PUT/PATCH/DELETE, before anything runs, so nothing is written).

use axum::extract::{Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::sandbox::api_keys::Privilege;
use crate::sandbox::error::ApiError;
use crate::sandbox::http::extract::Caller;
use crate::sandbox::http::state::ApiKeys;
use crate::ApiKey;

/// The scheme of the `Authorization` header.
const SCHEME: &str = "X-Api-Key";

/// Whether a method writes.
fn is_write(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The presented key, or why there is none. Errors never repeat the header.
fn presented_key(req: &Request) -> Result<ApiKey, ApiError> {
    let value = req.headers().get(header::AUTHORIZATION).ok_or_else(|| {
        ApiError::unauthenticated("missing `Authorization: X-Api-Key <key>` header")
    })?;
    let text = value
        .to_str()
        .map_err(|_| ApiError::unauthenticated("malformed Authorization header"))?;
    let (scheme, key) = text
        .split_once(' ')
        .ok_or_else(|| ApiError::unauthenticated("malformed Authorization header"))?;
    if !scheme.eq_ignore_ascii_case(SCHEME) {
        return Err(ApiError::unauthenticated(
            "the Authorization scheme must be X-Api-Key",
        ));
    }
    ApiKey::parse(key).map_err(|_| ApiError::unauthenticated("malformed API key"))
}

/// The middleware.
pub(crate) async fn authenticate(
    State(api_keys): State<ApiKeys>,
    mut req: Request,
    next: Next,
) -> Response {
    let key = match presented_key(&req) {
        Ok(key) => key,
        Err(err) => return err.into_response(),
    };
    let Some(record) = api_keys.keys.verify(&api_keys.hasher, &key) else {
        return ApiError::unauthenticated("unknown API key").into_response();
    };
    if record.privilege == Privilege::User && is_write(req.method()) {
        tracing::debug!(key = %record.prefix, "write refused to a user key");
        return ApiError::permission_denied().into_response();
    }
    req.extensions_mut().insert(Caller {
        key_prefix: record.prefix,
        workspace_id: record.workspace_id,
    });
    next.run(req).await
}
