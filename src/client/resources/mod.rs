//! Typed handlers for the API's resources, one module per resource family.
//!
//! A handler is a cheap view of the [`Client`]: `client.customers()`,
//! `client.customer(id).pm_tasks()`... Its methods build a request and send it through
//! the client's one send path.

mod connections;
mod connectors;
mod credentials;
mod customers;
mod pm;
mod webhook;
mod workspace;

pub use connections::ConnectionsHandler;
pub use connectors::{ConnectorConfigHandler, ConnectorsHandler};
pub use credentials::CredentialsHandler;
pub use customers::{CustomerHandler, CustomersHandler};
pub use pm::{PmProjectsHandler, PmTasksHandler};
pub use webhook::WebhookHandler;
pub use workspace::WorkspaceHandler;

use http::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;

pub(crate) use super::api_path::{named, path, ApiPath};
use super::query;
use super::request::{Create, RequestBuilder};
use super::stream::ItemStream;
use super::Client;
use crate::model::Page;
use crate::Result;

impl Client {
    fn request_at(&self, method: Method, path: Result<ApiPath>) -> RequestBuilder {
        match path {
            Ok(p) => self.request(method, &p.path).template(p.template),
            Err(e) => self.request(method, "").with_error(e),
        }
    }

    async fn get_json<T: DeserializeOwned>(&self, path: Result<ApiPath>) -> Result<T> {
        self.request_at(Method::GET, path).send().await
    }

    async fn list_page<T: DeserializeOwned, Q: Serialize + ?Sized>(
        &self,
        path: Result<ApiPath>,
        params: &Q,
    ) -> Result<Page<T>> {
        self.request_at(Method::GET, path)
            .query(params)
            .send()
            .await
    }

    fn list_stream<T: DeserializeOwned + Send + 'static, Q: Serialize + ?Sized>(
        &self,
        path: Result<ApiPath>,
        params: &Q,
    ) -> ItemStream<T> {
        match path.and_then(|p| Ok((p, query::to_pairs(params)?))) {
            Ok((p, pairs)) => ItemStream::new(self.clone(), p, pairs),
            Err(e) => ItemStream::failed(e),
        }
    }

    fn create<T, B: Serialize + ?Sized>(&self, path: Result<ApiPath>, body: &B) -> Create<T> {
        Create::new(self.request_at(Method::POST, path).json(body))
    }

    async fn write_json<T: DeserializeOwned, B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: Result<ApiPath>,
        body: &B,
    ) -> Result<T> {
        // PUT replaces and our PATCH bodies only set fields to given values: sending
        // either twice leaves the same state, so both are retried.
        self.request_at(method, path)
            .json(body)
            .retry_safe(true)
            .send()
            .await
    }

    async fn delete_at(&self, path: Result<ApiPath>) -> Result<()> {
        self.request_at(Method::DELETE, path)
            .send_raw()
            .await
            .map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        CustomerListParams, PmProjectListParams, PmTaskListParams, ProjectStatus, TaskStatus,
    };

    fn client() -> Client {
        Client::builder()
            .api_key("REM0aW39.NfO0123456789CNeHpF29wo012345678")
            .base_url("http://127.0.0.1:1/v1")
            .build()
            .unwrap()
    }

    /// The URL `list`/`list_all` requests for `path` and `params`.
    fn list_url<Q: Serialize>(path: Result<ApiPath>, params: &Q) -> String {
        client()
            .request_at(Method::GET, path)
            .query(params)
            .url()
            .unwrap()
    }

    const BASE: &str = "http://127.0.0.1:1/v1/";

    #[test]
    fn customers_query() {
        let p = CustomerListParams {
            external_id: Some("acme & co".into()),
            page: Some(2),
            page_size: Some(50),
        };
        assert_eq!(
            list_url(Ok("customers/".into()), &p),
            format!("{BASE}customers/?external_id=acme+%26+co&page=2&page_size=50")
        );
        assert_eq!(
            list_url(Ok("customers/".into()), &CustomerListParams::default()),
            format!("{BASE}customers/")
        );
    }

    #[test]
    fn pm_projects_query() {
        let p = PmProjectListParams {
            status: Some(ProjectStatus::Archived),
            connector: Some("jira".into()),
            page: Some(3),
            page_size: Some(10),
        };
        assert_eq!(
            list_url(path("customers/", "cus_1", "/pm-projects/"), &p),
            format!(
                "{BASE}customers/cus_1/pm-projects/?connector=jira&page=3&page_size=10&status=archived"
            )
        );
    }

    #[test]
    fn pm_tasks_query() {
        let p = PmTaskListParams {
            project_id: Some("prj_1".into()),
            status: Some(TaskStatus::InProgress),
            assignee: Some("ada@example.com".into()),
            page: None,
            page_size: Some(100),
        };
        assert_eq!(
            list_url(path("customers/", "cus_1", "/pm-tasks/"), &p),
            format!(
                "{BASE}customers/cus_1/pm-tasks/?assignee=ada%40example.com&page_size=100&project_id=prj_1&status=in_progress"
            )
        );
    }

    #[test]
    fn parameterless_lists_have_no_query() {
        for p in [
            "connectors/",
            "credentials/",
            "customers/cus_1/connections/",
        ] {
            assert_eq!(list_url(Ok(ApiPath::from(p)), &()), format!("{BASE}{p}"));
        }
    }

    #[test]
    fn ids_cannot_escape_their_segment() {
        assert_eq!(
            list_url(path("customers/", "../workspace", "/"), &()),
            format!("{BASE}customers/..%2Fworkspace/")
        );
        let err = client()
            .request_at(Method::GET, path("customers/", "..", "/"))
            .url()
            .unwrap_err();
        assert_eq!(err.code(), "invalid_id");
    }
}
