use http::Method;

use super::{path, ApiPath, ConnectionsHandler, PmProjectsHandler, PmTasksHandler};
use crate::client::request::Create;
use crate::client::stream::ItemStream;
use crate::client::Client;
use crate::model::{Customer, CustomerCreate, CustomerListParams, CustomerUpdate, Page};
use crate::Result;

/// The workspace's customers: `client.customers()`.
#[derive(Debug, Clone, Copy)]
pub struct CustomersHandler<'c> {
    pub(crate) client: &'c Client,
}

fn one(id: &str) -> Result<ApiPath> {
    path("customers/", id, "/")
}

impl CustomersHandler<'_> {
    /// `GET customers/`: one page.
    pub async fn list(&self, params: &CustomerListParams) -> Result<Page<Customer>> {
        self.client.list_page(Ok("customers/".into()), params).await
    }

    /// Every customer from `params.page` on, fetched page by page as the stream is read.
    pub fn list_all(&self, params: &CustomerListParams) -> ItemStream<Customer> {
        self.client.list_stream(Ok("customers/".into()), params)
    }

    /// `POST customers/` (with an idempotency key). 409 `already_exists` if the
    /// external id is taken.
    pub fn create(&self, customer: &CustomerCreate) -> Create<Customer> {
        self.client.create(Ok("customers/".into()), customer)
    }

    /// `GET customers/{id}/`.
    pub async fn get(&self, id: &str) -> Result<Customer> {
        self.client.get_json(one(id)).await
    }

    /// `PATCH customers/{id}/`: sets the fields that are `Some`.
    pub async fn update(&self, id: &str, update: &CustomerUpdate) -> Result<Customer> {
        self.client.write_json(Method::PATCH, one(id), update).await
    }

    /// `DELETE customers/{id}/`, with its connections, projects and tasks.
    ///
    /// If an earlier attempt's answer was lost and the call was retried, the retry may
    /// answer 404 `not_found` although the customer was deleted.
    pub async fn delete(&self, id: &str) -> Result<()> {
        self.client.delete_at(one(id)).await
    }

    /// The customer with this external id (the product's own id), if there is one.
    pub async fn find_by_external_id(&self, external_id: &str) -> Result<Option<Customer>> {
        let params = CustomerListParams {
            external_id: Some(external_id.to_owned()),
            ..CustomerListParams::default()
        };
        let page = self.list(&params).await?;
        Ok(page
            .results
            .into_iter()
            .find(|c| c.external_id == external_id))
    }
}

/// One customer's sub-resources: `client.customer(id)`.
#[derive(Debug, Clone)]
pub struct CustomerHandler<'c> {
    pub(crate) client: &'c Client,
    pub(crate) id: String,
}

impl<'c> CustomerHandler<'c> {
    /// The customer's connections.
    pub fn connections(&self) -> ConnectionsHandler<'c> {
        ConnectionsHandler {
            client: self.client,
            customer: self.id.clone(),
        }
    }

    /// The customer's project-management projects.
    pub fn pm_projects(&self) -> PmProjectsHandler<'c> {
        PmProjectsHandler {
            client: self.client,
            customer: self.id.clone(),
        }
    }

    /// The customer's project-management tasks.
    pub fn pm_tasks(&self) -> PmTasksHandler<'c> {
        PmTasksHandler {
            client: self.client,
            customer: self.id.clone(),
        }
    }
}
