//! The shapes of a handler shared by every resource: read one object (200 or 404),
//! change it (200 or 404), delete it (204 or 404), and read one page of a list.

use rusqlite::{Connection, Transaction};
use serde::Serialize;

use crate::sandbox::error::ApiError;
use crate::sandbox::http::extract::{Ctx, ListQuery, Reply};
use crate::sandbox::http::idempotency::commit;
use crate::sandbox::http::state::ApiState;

/// Reads one object with `f`: 200 with it, or 404 naming `what`.
pub(crate) async fn read<T, F>(
    state: &ApiState,
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
    state: &ApiState,
    ctx: &Ctx,
    what: &'static str,
    f: F,
) -> Result<Reply, ApiError>
where
    T: Serialize,
    F: FnOnce(&Transaction<'_>) -> rusqlite::Result<Option<T>> + Send + 'static,
{
    commit(&state.db, ctx, move |tx| {
        Reply::ok(&f(tx)?.ok_or_else(|| ApiError::not_found(what))?)
    })
    .await
}

/// Deletes one object with `f` (true if it existed): 204, or 404 naming `what`.
pub(crate) async fn delete<F>(
    state: &ApiState,
    ctx: &Ctx,
    what: &'static str,
    f: F,
) -> Result<Reply, ApiError>
where
    F: FnOnce(&Transaction<'_>) -> rusqlite::Result<bool> + Send + 'static,
{
    commit(&state.db, ctx, move |tx| {
        if f(tx)? {
            Ok(Reply::no_content())
        } else {
            Err(ApiError::not_found(what))
        }
    })
    .await
}

/// Reads one page of a list with `f`, which answers the total count and this page's
/// items (the caller has checked the query and captured its paging): 200 with the page.
pub(crate) async fn page<T, F>(state: &ApiState, query: &ListQuery, f: F) -> Result<Reply, ApiError>
where
    T: Serialize + Send + 'static,
    F: FnOnce(&Connection) -> Result<(u64, Vec<T>), ApiError> + Send + 'static,
{
    let (count, results) = state.db.read(f).await?;
    Reply::ok(&query.page(&state.origin, count, results))
}
