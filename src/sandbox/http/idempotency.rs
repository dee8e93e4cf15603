//! Idempotency: a POST with `Idempotency-Key` is done once per (API key, idempotency
//! key). The middleware checks the header and hashes the request; [`commit`] runs a write
//! and stores its answer in the same transaction, so a replay after a crash or a lost
//! answer is still correct. A repeat with the same request gets the stored answer (with
//! `Idempotent-Replayed: true`); with another request, 422 `idempotency_key_reused`.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ring::digest;
use rusqlite::Transaction;

use crate::sandbox::error::ApiError;
use crate::sandbox::http::extract::{Caller, Ctx, IdempotencyRequest, Reply, BODY_LIMIT};
use crate::sandbox::store::idempotency::{self, Stored};
use crate::sandbox::store::Db;

/// What a stored answer means for a new request with the same key.
fn answer_for(stored: Stored, request_hash: &[u8]) -> Result<Reply, ApiError> {
    if !crate::ct::eq(&stored.request_hash, request_hash) {
        return Err(ApiError::new(
            422,
            "idempotency_key_reused",
            "this Idempotency-Key was used with another request",
        ));
    }
    Ok(Reply {
        status: StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK),
        body: stored.body,
        replayed: true,
    })
}

/// The request header.
pub(crate) const HEADER: &str = "idempotency-key";

/// Checks an idempotency key: 1 to 255 printable ASCII characters.
fn valid_key(key: &[u8]) -> bool {
    (1..=255).contains(&key.len()) && key.iter().all(|b| (0x20..=0x7e).contains(b))
}

/// SHA-256 of the method, the path with query, and the body.
fn request_hash(method: &Method, path_and_query: &str, body: &[u8]) -> Vec<u8> {
    let mut ctx = digest::Context::new(&digest::SHA256);
    ctx.update(method.as_str().as_bytes());
    ctx.update(b"\n");
    ctx.update(path_and_query.as_bytes());
    ctx.update(b"\n");
    ctx.update(body);
    ctx.finish().as_ref().to_vec()
}

/// The middleware: for a POST with the header, validates the key, reads the body (413
/// above the limit), answers at once if an answer is stored for the key (replay or 422),
/// and otherwise puts an [`IdempotencyRequest`] in the request for [`commit`].
pub(crate) async fn prepare(State(db): State<Db>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let Some(value) = req.headers().get(HEADER) else {
        return next.run(req).await;
    };
    if !valid_key(value.as_bytes()) {
        return ApiError::field(
            "Idempotency-Key",
            "must be 1 to 255 printable ASCII characters",
        )
        .into_response();
    }
    let key = String::from_utf8_lossy(value.as_bytes()).into_owned();
    let (mut parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(bytes) => bytes,
        Err(_) => return ApiError::payload_too_large(BODY_LIMIT).into_response(),
    };
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let request_hash = request_hash(&parts.method, path, &bytes);
    if let Some(caller) = parts.extensions.get::<Caller>() {
        let (prefix, idem_key) = (caller.key_prefix.clone(), key.clone());
        let now = crate::time::now_unix();
        let stored = db
            .read(move |conn| Ok(idempotency::lookup(conn, &prefix, &idem_key, now)?))
            .await;
        match stored {
            Ok(Some(stored)) => return answer_for(stored, &request_hash).into_response(),
            Ok(None) => {}
            Err(err) => return err.into_response(),
        }
    }
    parts
        .extensions
        .insert(IdempotencyRequest { key, request_hash });
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Runs the write `f` in one transaction. With an idempotency key, first looks for a
/// stored answer (replayed, or 422 if the request differs), and stores a successful
/// answer in the same transaction as the write.
pub(crate) async fn commit<F>(db: &Db, ctx: &Ctx, f: F) -> Result<Reply, ApiError>
where
    F: FnOnce(&Transaction<'_>) -> Result<Reply, ApiError> + Send + 'static,
{
    let Some(idem) = ctx.idempotency.clone() else {
        return db.write(f).await;
    };
    let key_prefix = ctx.caller.key_prefix.clone();
    db.write(move |tx| {
        let now = crate::time::now_unix();
        // Checked again inside the transaction: a concurrent repeat may have won.
        if let Some(stored) = idempotency::lookup(tx, &key_prefix, &idem.key, now)? {
            return answer_for(stored, &idem.request_hash);
        }
        idempotency::purge_expired(tx, now)?;
        let reply = f(tx)?;
        let stored = Stored {
            request_hash: idem.request_hash,
            status: reply.status.as_u16(),
            body: reply.body.clone(),
        };
        idempotency::store(tx, &key_prefix, &idem.key, &stored, now)?;
        Ok(reply)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_printable_ascii_up_to_255() {
        assert!(valid_key(b"a"));
        assert!(valid_key(&[b'x'; 255]));
        assert!(!valid_key(b""));
        assert!(!valid_key(&[b'x'; 256]));
        assert!(!valid_key(b"tab\there"));
        assert!(!valid_key("é".as_bytes()));
    }

    #[test]
    fn hash_covers_method_path_and_body() {
        let a = request_hash(&Method::POST, "/v1/customers/", b"{}");
        assert_eq!(a, request_hash(&Method::POST, "/v1/customers/", b"{}"));
        assert_ne!(a, request_hash(&Method::POST, "/v1/customers/", b"{ }"));
        assert_ne!(a, request_hash(&Method::POST, "/v1/credentials/", b"{}"));
    }
}
