use serde::{Deserialize, Serialize};

use super::open_enum::open_enum;
use crate::Secret;

open_enum! {
    /// How a connector gets its credentials.
    ///
    /// The first three are the ways end users connect to catalog connectors; the rest are
    /// the credential-record schemes of custom connectors (see
    /// [`Authentication`](super::Authentication)).
    pub enum AuthType {
        /// OAuth 2.0: the end user consents on the provider's page.
        Oauth2 = "oauth2",
        /// The end user pastes an API key.
        ApiKey = "api_key",
        /// The end user types a username and password.
        UserCredentials = "user_credentials",
        /// A custom header (key and value).
        Headers = "headers",
        /// HTTP Basic (username and password).
        Basic = "basic",
        /// A bearer token (header key and value).
        Bearer = "bearer",
        /// AWS Signature Version 4.
        Aws4 = "aws4",
        /// HMAC-SHA256 request signing with a client id and secret.
        HmacSha256 = "hmac_sha256",
        /// No authentication.
        None = "none",
        /// A module of a system such as RetailCRM, connected by "simple connection":
        /// the end user gives the system a configuration URL, and the system registers
        /// (`docs/module.md`).
        Module = "module",
    }
}

open_enum! {
    /// How a credential field is shown in the connect prompt (an unknown kind shows as
    /// plain text, or as a password input when the field is `secret`).
    pub enum FieldKind {
        /// Plain text.
        Text = "text",
        /// A secret: shown as a password input, never echoed.
        Password = "password",
        /// A URL.
        Url = "url",
    }
}

/// One credential field a connector asks the end user for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FieldSpec {
    /// The key in the submitted credentials object, e.g. `api_key`.
    pub name: String,
    /// The label shown to the end user.
    pub label: String,
    /// How to show it.
    pub kind: FieldKind,
    /// Whether it must be filled.
    pub required: bool,
    /// Whether it is secret (encrypted, never displayed back).
    pub secret: bool,
    /// Help text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl FieldSpec {
    /// A field.
    pub fn new(
        name: impl Into<String>,
        label: impl Into<String>,
        kind: FieldKind,
        required: bool,
    ) -> Self {
        FieldSpec {
            name: name.into(),
            label: label.into(),
            secret: kind == FieldKind::Password,
            kind,
            required,
            help: None,
        }
    }

    /// Sets the help text.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// A connector of the catalog (`GET connectors/`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Connector {
    /// Unique name, e.g. `jira`.
    pub name: String,
    /// Name shown to people, e.g. `Jira`.
    pub display_name: String,
    /// Categories, e.g. `["project_management"]`.
    pub categories: Vec<String>,
    /// How it gets credentials.
    pub auth_type: AuthType,
    /// The fields the end user fills (empty for OAuth2 and `none`).
    pub fields: Vec<FieldSpec>,
}

/// The workspace's configuration of one connector (`GET connectors/{name}/config/`).
///
/// Secrets are write-only: the API answers with a hint (the last four characters), never
/// the value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ConnectorConfig {
    /// The connector's name.
    pub connector: String,
    /// The OAuth2 application's client id.
    #[serde(default)]
    pub client_id: Option<String>,
    /// A hint of the OAuth2 client secret, e.g. `…9wo2`.
    #[serde(default)]
    pub client_secret_hint: Option<String>,
    /// A hint of the workspace's API key for the connector.
    #[serde(default)]
    pub api_key_hint: Option<String>,
    /// OAuth2 scopes requested.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// A module connector's code in the system (its partner account).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module_code: Option<String>,
    /// A hint of a module connector's secret (the registration token's key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module_secret_hint: Option<String>,
    /// When it was last changed (RFC 3339).
    pub updated_at: String,
}

/// The body of `PUT connectors/{name}/config/`: only the fields that are set change.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConnectorConfigUpdate {
    /// The OAuth2 application's client id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The OAuth2 application's client secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<Secret<String>>,
    /// The workspace's API key for the connector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<Secret<String>>,
    /// OAuth2 scopes to request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    /// A module connector's code in the system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module_code: Option<String>,
    /// A module connector's secret: the key of the registration token (write-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module_secret: Option<Secret<String>>,
}
