use serde::{Deserialize, Serialize};

/// A customer's connection to one connector, made through a connect link.
///
/// The credentials behind it are never returned by the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Connection {
    /// Connection id (`con_...`).
    pub id: String,
    /// The customer's id (`cus_...`).
    pub customer_id: String,
    /// The connector's name, e.g. `jira`.
    pub connector: String,
    /// Whether the connection works.
    pub status: ConnectionStatus,
    /// When it was created (RFC 3339).
    pub created_at: String,
}

/// The state of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ConnectionStatus {
    /// Credentials are stored and usable.
    Active,
    /// The provider refused the stored credentials; the customer must reconnect.
    Error,
}
