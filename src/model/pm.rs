use serde::{Deserialize, Serialize};

use super::open_enum::open_enum;

open_enum! {
    /// The state of a project.
    pub enum ProjectStatus {
        /// Work goes on.
        Active = "active",
        /// Finished or shelved.
        Archived = "archived",
    }
}

open_enum! {
    /// The state of a task.
    pub enum TaskStatus {
        /// Not started.
        Todo = "todo",
        /// Started.
        InProgress = "in_progress",
        /// Finished.
        Done = "done",
    }
}

/// A project-management project of a customer, read through one of its connections
/// (`customers/{id}/pm-projects/`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PmProject {
    /// Munity's id (a UUID; opaque).
    pub id: String,
    /// The customer's id.
    pub customer_id: String,
    /// The connector it comes from, e.g. `jira`.
    pub connector: String,
    /// The provider's own id or key, e.g. `OPS`.
    pub remote_id: String,
    /// Name.
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// State.
    pub status: ProjectStatus,
    /// When it was created (RFC 3339).
    pub created_at: String,
    /// When it was last changed (RFC 3339).
    pub updated_at: String,
}

/// The body of `POST customers/{id}/pm-projects/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PmProjectCreate {
    /// Name (1 to 200 characters).
    pub name: String,
    /// The connector to create it in; defaults to the customer's first connection's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connector: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl PmProjectCreate {
    /// A project with a name.
    pub fn new(name: impl Into<String>) -> Self {
        PmProjectCreate {
            name: name.into(),
            connector: None,
            description: None,
        }
    }

    /// Sets the description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}

/// The body of `PATCH customers/{id}/pm-projects/{project}/`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PmProjectUpdate {
    /// New name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// New state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ProjectStatus>,
}

/// Query of `GET customers/{id}/pm-projects/`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PmProjectListParams {
    /// Only projects in this state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ProjectStatus>,
    /// Only projects from this connector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connector: Option<String>,
    /// 1-based page number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// Items per page (1 to 100, default 20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u32>,
}

/// A task of a project (`customers/{id}/pm-tasks/`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PmTask {
    /// Munity's id (a UUID; opaque).
    pub id: String,
    /// The customer's id.
    pub customer_id: String,
    /// The project's id.
    pub project_id: String,
    /// Title.
    pub title: String,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// State.
    pub status: TaskStatus,
    /// Who it is assigned to (the provider's user name or email).
    #[serde(default)]
    pub assignee: Option<String>,
    /// Due date, `YYYY-MM-DD`.
    #[serde(default)]
    pub due_date: Option<String>,
    /// When it was created (RFC 3339).
    pub created_at: String,
    /// When it was last changed (RFC 3339).
    pub updated_at: String,
}

/// The body of `POST customers/{id}/pm-tasks/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PmTaskCreate {
    /// The project's id.
    pub project_id: String,
    /// Title (1 to 500 characters).
    pub title: String,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Initial state (default `todo`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TaskStatus>,
    /// Assignee.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    /// Due date, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<String>,
}

impl PmTaskCreate {
    /// A task in a project.
    pub fn new(project_id: impl Into<String>, title: impl Into<String>) -> Self {
        PmTaskCreate {
            project_id: project_id.into(),
            title: title.into(),
            description: None,
            status: None,
            assignee: None,
            due_date: None,
        }
    }
}

/// The body of `PATCH customers/{id}/pm-tasks/{task}/`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PmTaskUpdate {
    /// New title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// New description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// New state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TaskStatus>,
    /// New assignee.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    /// New due date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<String>,
}

/// Query of `GET customers/{id}/pm-tasks/`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PmTaskListParams {
    /// Only tasks of this project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    /// Only tasks in this state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TaskStatus>,
    /// Only tasks assigned to this person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    /// 1-based page number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// Items per page (1 to 100, default 20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u32>,
}
