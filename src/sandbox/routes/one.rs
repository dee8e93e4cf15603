//! The three shapes of a handler on one object, shared by every resource: read it (200
//! or 404), change it (200 or 404), delete it (204 or 404).

use rusqlite::{Connection, Transaction};
use serde::Serialize;

use crate::sandbox::error::ApiError;
use crate::sandbox::extract::{Ctx, Reply};
use crate::sandbox::idempotency::commit;
use crate::sandbox::state::AppState;

/// Reads one object with `f`: 200 with it, or 404 naming `what`.
pub(crate) async fn read<T, F>(
    state: &AppState,
    what: &'static str,
    f: F,
) -> Result<Reply, ApiError>
where
    T: Serialize + Send + 'static,
    F: FnOnce(&Connection) -> rusqlite::Result<Option<T>> + Send + 'static,
{
    let found = state.db.read(move |conn| Ok(f(conn)?)).await?;
    Reply::ok(&found.ok_or_else(|| ApiError::not_found(what))?)
}

/// Changes one object with `f` in a transaction: 200 with it, or 404 naming `what`.
pub(crate) async fn update<T, F>(
    state: &AppState,
    ctx: &Ctx,
    what: &'static str,
    f: F,
) -> Result<Reply, ApiError>
where
    T: Serialize,
    F: FnOnce(&Transaction<'_>) -> rusqlite::Result<Option<T>> + Send + 'static,
{
    commit(state, ctx, move |tx| {
        Reply::ok(&f(tx)?.ok_or_else(|| ApiError::not_found(what))?)
    })
    .await
}

/// Deletes one object with `f` (true if it existed): 204, or 404 naming `what`.
pub(crate) async fn delete<F>(
    state: &AppState,
    ctx: &Ctx,
    what: &'static str,
    f: F,
) -> Result<Reply, ApiError>
where
    F: FnOnce(&Transaction<'_>) -> rusqlite::Result<bool> + Send + 'static,
{
    commit(state, ctx, move |tx| {
        if f(tx)? {
            Ok(Reply::no_content())
        } else {
            Err(ApiError::not_found(what))
        }
    })
    .await
}
