use serde::{Deserialize, Serialize};

use crate::origin::Origin;

/// The workspace an API key belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Workspace {
    /// Workspace id (a UUID; opaque).
    pub id: String,
    /// Display name.
    pub name: String,
    /// When it was created (RFC 3339).
    pub created_at: String,
    /// The origins of the workspace's frontends (`https://app.example.com`): the only
    /// pages whose browsers may call the connect endpoints (CORS) and receive the OAuth2
    /// popup's answer. See [`crate::origin`] for the rules.
    #[serde(default)]
    pub allowed_origins: Vec<String>,
}

/// The body of `PATCH workspace/` (admin key): only the fields that are set change.
///
/// ```
/// use munity::model::WorkspaceUpdate;
/// use munity::origin::Origin;
///
/// # fn main() -> munity::Result<()> {
/// let update = WorkspaceUpdate::default()
///     .allowed_origins([Origin::parse("https://app.example.com")?]);
/// assert_eq!(
///     serde_json::to_string(&update).unwrap(),
///     r#"{"allowed_origins":["https://app.example.com"]}"#
/// );
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkspaceUpdate {
    /// The new list of allowed origins (replaces the old one; empty clears it). Each
    /// is `scheme://host[:port]`: `https`, or `http` on loopback; no paths, no wildcards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_origins: Option<Vec<String>>,
}

impl WorkspaceUpdate {
    /// Sets the allowed origins (checked [`Origin`]s, in their canonical spelling).
    pub fn allowed_origins(mut self, origins: impl IntoIterator<Item = Origin>) -> Self {
        self.allowed_origins = Some(origins.into_iter().map(|o| o.as_str().to_owned()).collect());
        self
    }
}
