use http::Method;

use crate::client::Client;
use crate::model::{Workspace, WorkspaceCertificatePem, WorkspaceUpdate};
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
    /// with its key id and its key as a JWK (`jwk`: what the npm package's `certificate`
    /// pin takes). [`WorkspaceCertificatePem::parse`] reads and checks all three.
    pub async fn certificate(&self) -> Result<WorkspaceCertificatePem> {
        self.client
            .get_json(Ok("workspace/certificate/".into()))
            .await
    }

    /// `PATCH workspace/` (admin key): changes the fields that are set, e.g. the
    /// origins of the workspace's frontends, the only pages whose browsers may use
    /// connect links (see [`crate::origin`]).
    ///
    /// ```no_run
    /// # async fn demo(client: munity::Client) -> munity::Result<()> {
    /// use munity::model::WorkspaceUpdate;
    /// use munity::origin::Origin;
    ///
    /// let update = WorkspaceUpdate::default()
    ///     .allowed_origins([Origin::parse("https://app.example.com")?]);
    /// let workspace = client.workspace().update(&update).await?;
    /// assert_eq!(workspace.allowed_origins, ["https://app.example.com"]);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// 400 `validation` (fields `allowed_origins[i]`) for an origin the API refuses,
    /// 403 `permission_denied` with a user key.
    pub async fn update(&self, update: &WorkspaceUpdate) -> Result<Workspace> {
        self.client
            .write_json(Method::PATCH, Ok("workspace/".into()), update)
            .await
    }
}
