use serde::{Deserialize, Serialize};

use super::open_enum::open_enum;

/// A customer's connection to one connector, made through a connect link.
///
/// The credentials behind it are never returned by the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Connection {
    /// Connection id (a UUID; opaque).
    pub id: String,
    /// The customer's Munity id.
    pub customer_id: String,
    /// The connector's name, e.g. `jira`.
    pub connector: String,
    /// Whether the connection works.
    pub status: ConnectionStatus,
    /// When it was created (RFC 3339).
    pub created_at: String,
}

open_enum! {
    /// The state of a connection.
    pub enum ConnectionStatus {
        /// Credentials are stored and usable.
        Active = "active",
        /// The provider refused the stored credentials; the customer must reconnect.
        Error = "error",
    }
}
