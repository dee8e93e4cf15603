//! Project-management data of customers: projects and tasks.

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::rows::{enum_column, enum_text, new_id, now, Filter, Paging};
use crate::model::{
    PmProject, PmProjectUpdate, PmTask, PmTaskCreate, PmTaskUpdate, ProjectStatus, TaskStatus,
};

const PROJECT_COLUMNS: &str =
    "id, customer_id, connector, remote_id, name, description, status, created_at, updated_at";
const TASK_COLUMNS: &str = "id, customer_id, project_id, title, description, status, assignee, due_date, created_at, updated_at";

fn row_to_project(row: &rusqlite::Row<'_>) -> rusqlite::Result<PmProject> {
    Ok(PmProject {
        id: row.get(0)?,
        customer_id: row.get(1)?,
        connector: row.get(2)?,
        remote_id: row.get(3)?,
        name: row.get(4)?,
        description: row.get(5)?,
        status: enum_column(row, 6)?,
        created_at: row.get(7)?,
        updated_at: row.get(8)?,
    })
}

fn row_to_task(row: &rusqlite::Row<'_>) -> rusqlite::Result<PmTask> {
    Ok(PmTask {
        id: row.get(0)?,
        customer_id: row.get(1)?,
        project_id: row.get(2)?,
        title: row.get(3)?,
        description: row.get(4)?,
        status: enum_column(row, 5)?,
        assignee: row.get(6)?,
        due_date: row.get(7)?,
        created_at: row.get(8)?,
        updated_at: row.get(9)?,
    })
}

/// A new project's fields.
#[derive(Debug)]
pub(crate) struct NewProject<'a> {
    pub(crate) customer_id: &'a str,
    pub(crate) connector: &'a str,
    pub(crate) remote_id: &'a str,
    pub(crate) name: &'a str,
    pub(crate) description: Option<&'a str>,
}

/// Creates an active project.
pub(crate) fn insert_project(
    tx: &Transaction<'_>,
    workspace_id: &str,
    new: &NewProject<'_>,
) -> rusqlite::Result<PmProject> {
    let at = now();
    let project = PmProject {
        id: new_id(),
        customer_id: new.customer_id.to_owned(),
        connector: new.connector.to_owned(),
        remote_id: new.remote_id.to_owned(),
        name: new.name.to_owned(),
        description: new.description.map(str::to_owned),
        status: ProjectStatus::Active,
        created_at: at.clone(),
        updated_at: at,
    };
    tx.execute(
        "INSERT INTO pm_projects (id, workspace_id, customer_id, connector, remote_id, name, description, status, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
        params![
            project.id,
            workspace_id,
            project.customer_id,
            project.connector,
            project.remote_id,
            project.name,
            project.description,
            enum_text(&project.status),
            project.created_at
        ],
    )?;
    Ok(project)
}

/// A customer's project.
pub(crate) fn get_project(
    conn: &Connection,
    workspace_id: &str,
    customer_id: &str,
    id: &str,
) -> rusqlite::Result<Option<PmProject>> {
    conn.prepare_cached(&format!(
        "SELECT {PROJECT_COLUMNS} FROM pm_projects WHERE workspace_id = ?1 AND customer_id = ?2 AND id = ?3"
    ))?
    .query_row([workspace_id, customer_id, id], row_to_project)
    .optional()
}

/// One page of a customer's projects, filtered by status and connector.
pub(crate) fn list_projects(
    conn: &Connection,
    workspace_id: &str,
    customer_id: &str,
    status: Option<ProjectStatus>,
    connector: Option<String>,
    paging: Paging,
) -> rusqlite::Result<(u64, Vec<PmProject>)> {
    Filter::default()
        .and("workspace_id = ?", workspace_id)
        .and("customer_id = ?", customer_id)
        .and_opt("status = ?", status.map(|s| enum_text(&s)))
        .and_opt("connector = ?", connector)
        .page(conn, "pm_projects", PROJECT_COLUMNS, paging, row_to_project)
}

/// Applies an update; `None` if there is no such project.
pub(crate) fn update_project(
    tx: &Transaction<'_>,
    workspace_id: &str,
    customer_id: &str,
    id: &str,
    update: &PmProjectUpdate,
) -> rusqlite::Result<Option<PmProject>> {
    let changed = tx.execute(
        "UPDATE pm_projects SET name = COALESCE(?4, name), description = COALESCE(?5, description),
           status = COALESCE(?6, status), updated_at = ?7
         WHERE workspace_id = ?1 AND customer_id = ?2 AND id = ?3",
        params![
            workspace_id,
            customer_id,
            id,
            update.name,
            update.description,
            update.status.as_ref().map(enum_text),
            now()
        ],
    )?;
    if changed == 0 {
        return Ok(None);
    }
    get_project(tx, workspace_id, customer_id, id)
}

/// Deletes the customer's projects (and their tasks) that came from `connector`.
pub(crate) fn delete_projects_of_connector(
    tx: &Transaction<'_>,
    workspace_id: &str,
    customer_id: &str,
    connector: &str,
) -> rusqlite::Result<usize> {
    tx.execute(
        "DELETE FROM pm_projects WHERE workspace_id = ?1 AND customer_id = ?2 AND connector = ?3",
        [workspace_id, customer_id, connector],
    )
}

/// Creates a task (the caller checked that the project is the customer's).
pub(crate) fn insert_task(
    tx: &Transaction<'_>,
    workspace_id: &str,
    customer_id: &str,
    input: &PmTaskCreate,
) -> rusqlite::Result<PmTask> {
    let at = now();
    let task = PmTask {
        id: new_id(),
        customer_id: customer_id.to_owned(),
        project_id: input.project_id.clone(),
        title: input.title.clone(),
        description: input.description.clone(),
        status: input.status.clone().unwrap_or(TaskStatus::Todo),
        assignee: input.assignee.clone(),
        due_date: input.due_date.clone(),
        created_at: at.clone(),
        updated_at: at,
    };
    tx.execute(
        "INSERT INTO pm_tasks (id, workspace_id, customer_id, project_id, title, description, status, assignee, due_date, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
        params![
            task.id,
            workspace_id,
            task.customer_id,
            task.project_id,
            task.title,
            task.description,
            enum_text(&task.status),
            task.assignee,
            task.due_date,
            task.created_at
        ],
    )?;
    Ok(task)
}

/// A customer's task.
pub(crate) fn get_task(
    conn: &Connection,
    workspace_id: &str,
    customer_id: &str,
    id: &str,
) -> rusqlite::Result<Option<PmTask>> {
    conn.prepare_cached(&format!(
        "SELECT {TASK_COLUMNS} FROM pm_tasks WHERE workspace_id = ?1 AND customer_id = ?2 AND id = ?3"
    ))?
    .query_row([workspace_id, customer_id, id], row_to_task)
    .optional()
}

/// Filters of the task list.
#[derive(Debug, Default)]
pub(crate) struct TaskFilter {
    pub(crate) project_id: Option<String>,
    pub(crate) status: Option<TaskStatus>,
    pub(crate) assignee: Option<String>,
}

/// One page of a customer's tasks.
pub(crate) fn list_tasks(
    conn: &Connection,
    workspace_id: &str,
    customer_id: &str,
    filter: TaskFilter,
    paging: Paging,
) -> rusqlite::Result<(u64, Vec<PmTask>)> {
    Filter::default()
        .and("workspace_id = ?", workspace_id)
        .and("customer_id = ?", customer_id)
        .and_opt("project_id = ?", filter.project_id)
        .and_opt("status = ?", filter.status.map(|s| enum_text(&s)))
        .and_opt("assignee = ?", filter.assignee)
        .page(conn, "pm_tasks", TASK_COLUMNS, paging, row_to_task)
}

/// Applies an update; `None` if there is no such task.
pub(crate) fn update_task(
    tx: &Transaction<'_>,
    workspace_id: &str,
    customer_id: &str,
    id: &str,
    update: &PmTaskUpdate,
) -> rusqlite::Result<Option<PmTask>> {
    let changed = tx.execute(
        "UPDATE pm_tasks SET title = COALESCE(?4, title), description = COALESCE(?5, description),
           status = COALESCE(?6, status), assignee = COALESCE(?7, assignee),
           due_date = COALESCE(?8, due_date), updated_at = ?9
         WHERE workspace_id = ?1 AND customer_id = ?2 AND id = ?3",
        params![
            workspace_id,
            customer_id,
            id,
            update.title,
            update.description,
            update.status.as_ref().map(enum_text),
            update.assignee,
            update.due_date,
            now()
        ],
    )?;
    if changed == 0 {
        return Ok(None);
    }
    get_task(tx, workspace_id, customer_id, id)
}
