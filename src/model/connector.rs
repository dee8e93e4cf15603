use serde::{Deserialize, Serialize};

use super::open_enum::open_enum;
use super::AuthScheme;
use crate::Secret;

/// How an end user connects a connector (the connector's `auth_type`): one of the three
/// ways catalog connectors take (OAuth 2.0, an API key, user credentials), a module's
/// "simple connection", or, for a custom connector, a credential record of one
/// [`AuthScheme`].
///
/// Forward compatible: a value this version of the crate does not know reads as
/// `Unknown` with the value as sent, and is written back unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum AuthType {
    /// OAuth 2.0: the end user consents on the provider's page.
    Oauth2,
    /// The end user pastes an API key.
    ApiKey,
    /// The end user types a username and password.
    UserCredentials,
    /// A custom connector: the end user fills a credential record of this scheme (the
    /// wire name is the scheme's, e.g. `basic`).
    Record(AuthScheme),
    /// A module of a system such as RetailCRM, connected by "simple connection": the end
    /// user gives the system a configuration URL, and the system registers
    /// (`docs/module.md`).
    Module,
    /// A value added to the API after this version of the crate, as sent.
    Unknown(String),
}

impl AuthType {
    /// Every value this version knows, in the order the TypeScript `AuthType` lists
    /// them: the catalog's ways, the record schemes, the module.
    pub fn known() -> impl Iterator<Item = AuthType> {
        [
            AuthType::Oauth2,
            AuthType::ApiKey,
            AuthType::UserCredentials,
        ]
        .into_iter()
        .chain(AuthScheme::ALL.iter().map(|s| AuthType::Record(*s)))
        .chain([AuthType::Module])
    }

    /// The wire name; for `Unknown`, the value as sent.
    pub fn as_str(&self) -> &str {
        match self {
            AuthType::Oauth2 => "oauth2",
            AuthType::ApiKey => "api_key",
            AuthType::UserCredentials => "user_credentials",
            AuthType::Record(scheme) => scheme.as_str(),
            AuthType::Module => "module",
            AuthType::Unknown(other) => other,
        }
    }

    /// False for `Unknown`.
    pub fn is_known(&self) -> bool {
        !matches!(self, AuthType::Unknown(_))
    }

    /// The credential-record scheme of a custom connector.
    pub fn scheme(&self) -> Option<AuthScheme> {
        match self {
            AuthType::Record(scheme) => Some(*scheme),
            _ => None,
        }
    }

    /// Why a connector connected this way takes no credentials from the end user (it
    /// connects with OAuth 2.0, or as a module); `None` when the end user fills its
    /// fields.
    pub fn connects_without_credentials(&self) -> Option<&'static str> {
        match self {
            AuthType::Oauth2 => Some("the connector connects with OAuth 2.0 and takes no credentials"),
            AuthType::Module => Some(
                "the connector connects as a module (the system registers it) and takes no credentials",
            ),
            AuthType::ApiKey
            | AuthType::UserCredentials
            | AuthType::Record(_)
            | AuthType::Unknown(_) => None,
        }
    }
}

impl From<AuthScheme> for AuthType {
    fn from(scheme: AuthScheme) -> AuthType {
        AuthType::Record(scheme)
    }
}

impl From<&str> for AuthType {
    /// The value of a wire name; any other text is `Unknown`.
    fn from(text: &str) -> AuthType {
        match text {
            "oauth2" => AuthType::Oauth2,
            "api_key" => AuthType::ApiKey,
            "user_credentials" => AuthType::UserCredentials,
            "module" => AuthType::Module,
            other => AuthScheme::from_wire(other)
                .map_or_else(|| AuthType::Unknown(other.to_owned()), AuthType::Record),
        }
    }
}

impl std::fmt::Display for AuthType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for AuthType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for AuthType {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<AuthType, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Ok(AuthType::from(text.as_ref()))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_types_round_trip_and_keep_unknown_values() {
        for known in AuthType::known() {
            let json = serde_json::to_string(&known).unwrap();
            assert_eq!(serde_json::from_str::<AuthType>(&json).unwrap(), known);
            assert_eq!(AuthType::from(known.as_str()), known);
        }
        assert_eq!(AuthType::from("basic"), AuthType::Record(AuthScheme::Basic));
        assert_eq!(
            AuthType::from("digest"),
            AuthType::Unknown("digest".to_owned())
        );
        assert_eq!(
            serde_json::to_string(&AuthType::Unknown("digest".into())).unwrap(),
            "\"digest\""
        );
        assert!(serde_json::from_str::<AuthType>("3").is_err());
    }

    /// The browser package's TypeScript `AuthType` lists exactly the names this version
    /// knows, in order: the scheme table, plus the ways of connecting.
    #[test]
    fn the_typescript_union_is_the_known_auth_types() {
        let ts = include_str!("../wasm/mod.rs");
        let start = ts
            .find("export type AuthType =")
            .expect("wasm/mod.rs declares AuthType");
        let declaration = &ts[start..];
        let union = &declaration[..declaration.find(';').expect("the union ends")];
        let listed: Vec<&str> = union.split('"').skip(1).step_by(2).collect();
        let known: Vec<String> = AuthType::known().map(|t| t.as_str().to_owned()).collect();
        assert_eq!(listed, known);
    }
}
