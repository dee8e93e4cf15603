use crate::client::Client;
use crate::model::{Workspace, WorkspaceCertificatePem};
use crate::Result;

/// The workspace of the client's API key: `client.workspace()`.
#[derive(Debug, Clone, Copy)]
pub struct WorkspaceHandler<'c> {
    pub(crate) client: &'c Client,
}

impl WorkspaceHandler<'_> {
    /// `GET workspace/`.
    pub async fn get(&self) -> Result<Workspace> {
        self.client.get_json(Ok("workspace/".into())).await
    }

    /// `GET workspace/certificate/`: the certificate the browser seals credentials to,
    /// with its key id. [`WorkspaceCertificatePem::parse`] reads and checks it.
    pub async fn certificate(&self) -> Result<WorkspaceCertificatePem> {
        self.client
            .get_json(Ok("workspace/certificate/".into()))
            .await
    }
}
