use http::Method;

use super::{named, ApiPath};
use crate::client::stream::ItemStream;
use crate::client::Client;
use crate::model::{Connector, ConnectorConfig, ConnectorConfigUpdate, Page};
use crate::Result;

/// The connector catalog: `client.connectors()`.
#[derive(Debug, Clone, Copy)]
pub struct ConnectorsHandler<'c> {
    pub(crate) client: &'c Client,
}

impl<'c> ConnectorsHandler<'c> {
    /// `GET connectors/`: the first page.
    pub async fn list(&self) -> Result<Page<Connector>> {
        self.client.list_page(Ok("connectors/".into()), &()).await
    }

    /// The whole catalog, page by page as the stream is read.
    pub fn list_all(&self) -> ItemStream<Connector> {
        self.client.list_stream(Ok("connectors/".into()), &())
    }

    /// `GET connectors/{name}/`.
    pub async fn get(&self, name: &str) -> Result<Connector> {
        self.client
            .get_json(named("connectors/", "{name}", name, "/"))
            .await
    }

    /// The workspace's configuration of connector `name`.
    pub fn config(&self, name: &'c str) -> ConnectorConfigHandler<'c> {
        ConnectorConfigHandler {
            client: self.client,
            name,
        }
    }
}

/// The workspace's configuration of one connector:
/// `client.connectors().config("jira")`.
///
/// Secrets (client secret, API key) are write-only: answers carry hints.
#[derive(Debug, Clone, Copy)]
pub struct ConnectorConfigHandler<'c> {
    pub(crate) client: &'c Client,
    pub(crate) name: &'c str,
}

impl ConnectorConfigHandler<'_> {
    fn at(&self) -> Result<ApiPath> {
        named("connectors/", "{name}", self.name, "/config/")
    }

    /// `GET connectors/{name}/config/` (an empty config if none was set).
    pub async fn get(&self) -> Result<ConnectorConfig> {
        self.client.get_json(self.at()).await
    }

    /// `PUT connectors/{name}/config/`: the fields that are `Some` change.
    pub async fn update(&self, update: &ConnectorConfigUpdate) -> Result<ConnectorConfig> {
        self.client.write_json(Method::PUT, self.at(), update).await
    }
}
