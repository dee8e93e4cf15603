use serde::{Deserialize, Serialize};

use super::Connector;
use crate::envelope::PublicJwk;

/// The connect session a link opens: `GET {connect}/session?<link query>`, the connect
/// page's first call (the link is the credential).
///
/// The one wire format of the session: the sandbox writes it and the browser package
/// reads it into this type (with `JSON.parse`, no serde in the package: the optional
/// members it does not use stay `None`). What the credentials are sealed to is
/// the link's [`binding`](crate::connect::binding), not these members: they are what the
/// page shows and the key it seals to (`jwk`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ConnectSession {
    /// The workspace id (the link's `workspace`).
    pub workspace: String,
    /// The link's customer.
    pub customer: ConnectSessionCustomer,
    /// The connector: name, display name, auth type, fields.
    pub connector: Connector,
    /// When the link expires (RFC 3339).
    pub expires_at: String,
    /// The link's nonce (base64url).
    pub nonce: String,
    /// Where to send the end user afterwards (the link's `redirect_uri`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<String>,
    /// The requested scope (the link's `scope`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The workspace certificate (X.509 PEM), valid now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
    /// The certificate's key id (RFC 7638 thumbprint), as envelopes name it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// The certificate's public key as a JWK: what the browser package seals the
    /// credentials to (it reads no X.509).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwk: Option<PublicJwk>,
    /// For a `module` connector: the configuration URL the end user gives the system
    /// (bound to this link). The browser package builds its own on the pinned API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module_config_url: Option<String>,
}

/// The customer of a connect session: the product's id, and the Munity customer's id
/// once its first connection created it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ConnectSessionCustomer {
    /// The Munity customer's id; `null` until the first connection creates it.
    #[serde(default)]
    pub id: Option<String>,
    /// The product's own id for the customer (the link's `customer`).
    pub external_id: String,
}

impl ConnectSessionCustomer {
    /// The customer the link names (`external_id`), with its Munity id if it has one.
    pub fn new(external_id: impl Into<String>, id: Option<String>) -> Self {
        ConnectSessionCustomer {
            id,
            external_id: external_id.into(),
        }
    }
}
