use http::Method;

use super::{path, ApiPath};
use crate::client::request::Create;
use crate::client::stream::ItemStream;
use crate::client::Client;
use crate::model::{CredentialRecord, CredentialRecordInput, Page};
use crate::Result;

/// The workspace's credential records: `client.credentials()`.
///
/// Records are written with their secrets ([`CredentialRecordInput`]) and read back
/// with hints only ([`CredentialRecord`]).
#[derive(Debug, Clone, Copy)]
pub struct CredentialsHandler<'c> {
    pub(crate) client: &'c Client,
}

fn one(id: &str) -> Result<ApiPath> {
    path("credentials/", id, "/")
}

impl CredentialsHandler<'_> {
    /// `GET credentials/`: the first page.
    pub async fn list(&self) -> Result<Page<CredentialRecord>> {
        self.client.list_page(Ok("credentials/".into()), &()).await
    }

    /// Every record, page by page as the stream is read.
    pub fn list_all(&self) -> ItemStream<CredentialRecord> {
        self.client.list_stream(Ok("credentials/".into()), &())
    }

    /// `POST credentials/` (with an idempotency key).
    pub fn create(&self, record: &CredentialRecordInput) -> Create<CredentialRecord> {
        self.client.create(Ok("credentials/".into()), record)
    }

    /// `GET credentials/{id}/`.
    pub async fn get(&self, id: &str) -> Result<CredentialRecord> {
        self.client.get_json(one(id)).await
    }

    /// `PUT credentials/{id}/`: replaces the whole record.
    pub async fn update(
        &self,
        id: &str,
        record: &CredentialRecordInput,
    ) -> Result<CredentialRecord> {
        self.client.write_json(Method::PUT, one(id), record).await
    }

    /// `DELETE credentials/{id}/`.
    pub async fn delete(&self, id: &str) -> Result<()> {
        self.client.delete_at(one(id)).await
    }
}
