//! Customers of a workspace.

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::rows::{new_id, now, Filter, Paging};
use crate::model::{Customer, CustomerCreate, CustomerUpdate};

const COLUMNS: &str = "id, external_id, name, email, created_at, updated_at";

fn row_to_customer(row: &rusqlite::Row<'_>) -> rusqlite::Result<Customer> {
    Ok(Customer {
        id: row.get(0)?,
        external_id: row.get(1)?,
        name: row.get(2)?,
        email: row.get(3)?,
        created_at: row.get(4)?,
        updated_at: row.get(5)?,
    })
}

/// Whether `external_id` is taken in the workspace.
pub(crate) fn external_id_taken(
    conn: &Connection,
    workspace_id: &str,
    external_id: &str,
) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT 1 FROM customers WHERE workspace_id = ?1 AND external_id = ?2")?
        .exists([workspace_id, external_id])
}

/// Creates a customer (the caller checked that the external id is free).
pub(crate) fn insert(
    tx: &Transaction<'_>,
    workspace_id: &str,
    input: &CustomerCreate,
) -> rusqlite::Result<Customer> {
    let at = now();
    let customer = Customer {
        id: new_id(),
        external_id: input.external_id.clone(),
        name: input.name.clone(),
        email: input.email.clone(),
        created_at: at.clone(),
        updated_at: at,
    };
    tx.execute(
        "INSERT INTO customers (id, workspace_id, external_id, name, email, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            customer.id,
            workspace_id,
            customer.external_id,
            customer.name,
            customer.email,
            customer.created_at,
            customer.updated_at
        ],
    )?;
    Ok(customer)
}

/// The workspace's customer with this external id (the product's own id for it).
pub(crate) fn find_by_external_id(
    conn: &Connection,
    workspace_id: &str,
    external_id: &str,
) -> rusqlite::Result<Option<Customer>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM customers WHERE workspace_id = ?1 AND external_id = ?2"
    ))?
    .query_row([workspace_id, external_id], row_to_customer)
    .optional()
}

/// Longest name of a customer, in characters (the API's rule for `name`).
pub(crate) const MAX_NAME_CHARS: usize = 200;

/// The customer a connection made through a link belongs to: the one with the link's
/// `external_id`, created on the first connection (named after the external id, cut to
/// [`MAX_NAME_CHARS`], no email). Exactly one, however many first connections race: the
/// insert yields to `UNIQUE (workspace_id, external_id)`.
pub(crate) fn for_connection(
    tx: &Transaction<'_>,
    workspace_id: &str,
    external_id: &str,
) -> rusqlite::Result<Customer> {
    if let Some(customer) = find_by_external_id(tx, workspace_id, external_id)? {
        return Ok(customer);
    }
    let at = now();
    let name: String = external_id.chars().take(MAX_NAME_CHARS).collect();
    tx.execute(
        "INSERT INTO customers (id, workspace_id, external_id, name, email, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, NULL, ?5, ?5)
         ON CONFLICT (workspace_id, external_id) DO NOTHING",
        params![new_id(), workspace_id, external_id, name, at],
    )?;
    find_by_external_id(tx, workspace_id, external_id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)
}

/// A customer of the workspace.
pub(crate) fn get(
    conn: &Connection,
    workspace_id: &str,
    id: &str,
) -> rusqlite::Result<Option<Customer>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM customers WHERE workspace_id = ?1 AND id = ?2"
    ))?
    .query_row([workspace_id, id], row_to_customer)
    .optional()
}

/// Whether the workspace has this customer.
pub(crate) fn exists(conn: &Connection, workspace_id: &str, id: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT 1 FROM customers WHERE workspace_id = ?1 AND id = ?2")?
        .exists([workspace_id, id])
}

/// One page of the workspace's customers, optionally only the one with `external_id`.
pub(crate) fn list(
    conn: &Connection,
    workspace_id: &str,
    external_id: Option<String>,
    paging: Paging,
) -> rusqlite::Result<(u64, Vec<Customer>)> {
    Filter::default()
        .and("workspace_id = ?", workspace_id)
        .and_opt("external_id = ?", external_id)
        .page(conn, "customers", COLUMNS, paging, row_to_customer)
}

/// Applies an update; `None` if there is no such customer.
pub(crate) fn update(
    tx: &Transaction<'_>,
    workspace_id: &str,
    id: &str,
    update: &CustomerUpdate,
) -> rusqlite::Result<Option<Customer>> {
    let changed = tx.execute(
        "UPDATE customers SET name = COALESCE(?3, name), email = COALESCE(?4, email), updated_at = ?5
         WHERE workspace_id = ?1 AND id = ?2",
        params![workspace_id, id, update.name, update.email, now()],
    )?;
    if changed == 0 {
        return Ok(None);
    }
    get(tx, workspace_id, id)
}

/// Deletes a customer with its connections, projects and tasks; false if there was none.
pub(crate) fn delete(tx: &Transaction<'_>, workspace_id: &str, id: &str) -> rusqlite::Result<bool> {
    let deleted = tx.execute(
        "DELETE FROM customers WHERE workspace_id = ?1 AND id = ?2",
        [workspace_id, id],
    )?;
    Ok(deleted > 0)
}
