use crate::client::Client;
use crate::model::Workspace;
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
}
