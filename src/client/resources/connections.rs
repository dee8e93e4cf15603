use super::{path, ApiPath};
use crate::client::stream::ItemStream;
use crate::client::Client;
use crate::model::{Connection, Page};
use crate::Result;

/// A customer's connections: `client.customer(id).connections()`.
#[derive(Debug, Clone)]
pub struct ConnectionsHandler<'c> {
    pub(crate) client: &'c Client,
    pub(crate) customer: String,
}

impl ConnectionsHandler<'_> {
    fn all(&self) -> Result<ApiPath> {
        path("customers/", &self.customer, "/connections/")
    }

    fn one(&self, id: &str) -> Result<ApiPath> {
        Ok(self.all()?.join(path("", id, "/")?))
    }

    /// `GET customers/{id}/connections/`: the first page.
    pub async fn list(&self) -> Result<Page<Connection>> {
        self.client.list_page(self.all(), &()).await
    }

    /// All the customer's connections, page by page as the stream is read.
    pub fn list_all(&self) -> ItemStream<Connection> {
        self.client.list_stream(self.all(), &())
    }

    /// `GET customers/{id}/connections/{connection_id}/`.
    pub async fn get(&self, connection_id: &str) -> Result<Connection> {
        self.client.get_json(self.one(connection_id)).await
    }

    /// `DELETE customers/{id}/connections/{connection_id}/`.
    pub async fn delete(&self, connection_id: &str) -> Result<()> {
        self.client.delete_at(self.one(connection_id)).await
    }
}
