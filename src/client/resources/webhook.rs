use http::Method;

use crate::client::stream::ItemStream;
use crate::client::Client;
use crate::model::{
    Page, WebhookDelivery, WebhookDeliveryListParams, WebhookEndpoint, WebhookEndpointCreated,
    WebhookEndpointUpdate,
};
use crate::Result;

/// The workspace's webhook endpoint and its delivery log: `client.webhook()`.
#[derive(Debug, Clone, Copy)]
pub struct WebhookHandler<'c> {
    pub(crate) client: &'c Client,
}

impl WebhookHandler<'_> {
    /// `GET webhook/`: the endpoint; 404 `not_found` when none is set.
    pub async fn get(&self) -> Result<WebhookEndpoint> {
        self.client.get_json(Ok("webhook/".into())).await
    }

    /// `PUT webhook/`: sets the endpoint's URL and makes a new signing secret, which the
    /// answer shows this once (admin key). Earlier secrets stop working.
    ///
    /// Retried like every PUT: if an answer is lost, the retry sets yet another secret
    /// and returns that one, the one in force.
    pub async fn set(&self, url: &str) -> Result<WebhookEndpointCreated> {
        let body = WebhookEndpointUpdate::new(url);
        self.client
            .write_json(Method::PUT, Ok("webhook/".into()), &body)
            .await
    }

    /// `DELETE webhook/`: no more deliveries.
    pub async fn delete(&self) -> Result<()> {
        self.client.delete_at(Ok("webhook/".into())).await
    }

    /// `GET webhook/deliveries/`: one page of the delivery log, oldest first.
    pub async fn deliveries(
        &self,
        params: &WebhookDeliveryListParams,
    ) -> Result<Page<WebhookDelivery>> {
        self.client
            .list_page(Ok("webhook/deliveries/".into()), params)
            .await
    }

    /// The whole delivery log from `params.page` on, page by page as the stream is read.
    pub fn deliveries_all(
        &self,
        params: &WebhookDeliveryListParams,
    ) -> ItemStream<WebhookDelivery> {
        self.client
            .list_stream(Ok("webhook/deliveries/".into()), params)
    }
}
