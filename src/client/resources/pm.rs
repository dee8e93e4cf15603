use http::Method;

use super::{path, ApiPath};
use crate::client::request::Create;
use crate::client::stream::ItemStream;
use crate::client::Client;
use crate::model::{
    Page, PmProject, PmProjectCreate, PmProjectListParams, PmProjectUpdate, PmTask, PmTaskCreate,
    PmTaskListParams, PmTaskUpdate,
};
use crate::Result;

/// A customer's projects: `client.customer(id).pm_projects()`.
#[derive(Debug, Clone)]
pub struct PmProjectsHandler<'c> {
    pub(crate) client: &'c Client,
    pub(crate) customer: String,
}

/// A customer's tasks: `client.customer(id).pm_tasks()`.
#[derive(Debug, Clone)]
pub struct PmTasksHandler<'c> {
    pub(crate) client: &'c Client,
    pub(crate) customer: String,
}

fn collection(customer: &str, what: &str) -> Result<ApiPath> {
    path("customers/", customer, what)
}

fn item(customer: &str, what: &str, id: &str) -> Result<ApiPath> {
    Ok(collection(customer, what)?.join(path("", id, "/")?))
}

const PROJECTS: &str = "/pm-projects/";
const TASKS: &str = "/pm-tasks/";

impl PmProjectsHandler<'_> {
    /// `GET customers/{id}/pm-projects/`: one page, filtered by `params`.
    pub async fn list(&self, params: &PmProjectListParams) -> Result<Page<PmProject>> {
        let at = collection(&self.customer, PROJECTS);
        self.client.list_page(at, params).await
    }

    /// Every matching project, page by page as the stream is read.
    pub fn list_all(&self, params: &PmProjectListParams) -> ItemStream<PmProject> {
        let at = collection(&self.customer, PROJECTS);
        self.client.list_stream(at, params)
    }

    /// `GET customers/{id}/pm-projects/{project_id}/`.
    pub async fn get(&self, project_id: &str) -> Result<PmProject> {
        let at = item(&self.customer, PROJECTS, project_id);
        self.client.get_json(at).await
    }

    /// `POST customers/{id}/pm-projects/` (with an idempotency key). 409
    /// `no_connection` if the customer has no connection and no connector is given.
    pub fn create(&self, project: &PmProjectCreate) -> Create<PmProject> {
        let at = collection(&self.customer, PROJECTS);
        self.client.create(at, project)
    }

    /// `PATCH customers/{id}/pm-projects/{project_id}/`: sets the fields that are `Some`.
    pub async fn update(&self, project_id: &str, update: &PmProjectUpdate) -> Result<PmProject> {
        let at = item(&self.customer, PROJECTS, project_id);
        self.client.write_json(Method::PATCH, at, update).await
    }
}

impl PmTasksHandler<'_> {
    /// `GET customers/{id}/pm-tasks/`: one page, filtered by `params`.
    pub async fn list(&self, params: &PmTaskListParams) -> Result<Page<PmTask>> {
        let at = collection(&self.customer, TASKS);
        self.client.list_page(at, params).await
    }

    /// Every matching task, page by page as the stream is read.
    pub fn list_all(&self, params: &PmTaskListParams) -> ItemStream<PmTask> {
        let at = collection(&self.customer, TASKS);
        self.client.list_stream(at, params)
    }

    /// `GET customers/{id}/pm-tasks/{task_id}/`.
    pub async fn get(&self, task_id: &str) -> Result<PmTask> {
        let at = item(&self.customer, TASKS, task_id);
        self.client.get_json(at).await
    }

    /// `POST customers/{id}/pm-tasks/` (with an idempotency key). 400 if the project
    /// is not the customer's.
    pub fn create(&self, task: &PmTaskCreate) -> Create<PmTask> {
        let at = collection(&self.customer, TASKS);
        self.client.create(at, task)
    }

    /// `PATCH customers/{id}/pm-tasks/{task_id}/`: sets the fields that are `Some`.
    pub async fn update(&self, task_id: &str, update: &PmTaskUpdate) -> Result<PmTask> {
        let at = item(&self.customer, TASKS, task_id);
        self.client.write_json(Method::PATCH, at, update).await
    }
}
