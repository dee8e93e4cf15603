use serde::{Deserialize, Serialize};

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
}
