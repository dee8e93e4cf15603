use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::open_enum::open_enum;
use super::{AuthScheme, FieldKind};
use crate::Secret;

open_enum! {
    /// Which of a connector's environments a record is for.
    pub enum Environment {
        /// The provider's test (sandbox) environment.
        Test = "test",
        /// The provider's production environment.
        Production = "production",
    }
}

open_enum! {
    /// The content type of request bodies sent with a record: required, one of JSON, XML
    /// or form-urlencoded.
    pub enum ContentType {
        /// `application/json`
        Json = "json",
        /// `application/xml`
        Xml = "xml",
        /// `application/x-www-form-urlencoded`
        FormUrlencoded = "form_urlencoded",
    }
}

impl ContentType {
    /// The MIME type, e.g. `application/json`; `None` for `Unknown` (a content type
    /// added to the API after this version, whose MIME type it cannot know).
    pub fn mime(&self) -> Option<&'static str> {
        match self {
            ContentType::Json => Some("application/json"),
            ContentType::Xml => Some("application/xml"),
            ContentType::FormUrlencoded => Some("application/x-www-form-urlencoded"),
            ContentType::Unknown(_) => None,
        }
    }
}

/// A header added to every request made with a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtraHeader {
    /// Header name.
    pub name: String,
    /// Header value.
    pub value: String,
}

/// One authentication of a credential record, with its secrets.
///
/// On the wire: an object tagged by `"type"`, e.g.
/// `{"type": "basic", "username": "u", "password": "p"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Authentication {
    /// A header: `key: value`.
    Headers {
        /// Header name.
        key: String,
        /// Header value.
        value: Secret<String>,
    },
    /// HTTP Basic, RFC 7617.
    Basic {
        /// User name (must not contain `:`).
        username: String,
        /// Password.
        password: Secret<String>,
    },
    /// A bearer token in header `key` (default `Authorization`).
    Bearer {
        /// Header name; `Authorization` when empty.
        #[serde(default)]
        key: String,
        /// The token, or a whole header value that carries its own scheme.
        value: Secret<String>,
    },
    /// AWS Signature Version 4.
    Aws4 {
        /// Access key id.
        access_key: String,
        /// Secret access key.
        secret_key: Secret<String>,
        /// Region, e.g. `us-east-1`.
        region: String,
        /// Service, e.g. `execute-api`.
        service: String,
        /// Base endpoint, e.g. `https://example.amazonaws.com`.
        #[serde(default)]
        base_endpoint: String,
        /// Session token of temporary credentials.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        session_token: Option<Secret<String>>,
    },
    /// HMAC-SHA256 request signing (see `docs/hmac-sha256.md`).
    HmacSha256 {
        /// Client id.
        client_id: String,
        /// Client secret.
        client_secret: Secret<String>,
    },
    /// No authentication.
    None,
}

/// What the API shows of a secret: `…` and its last four characters when it has 12 or
/// more, else `…` alone.
#[cfg(feature = "sandbox")]
pub(crate) fn hint(secret: &Secret<String>) -> String {
    hint_of(secret.expose())
}

/// [`hint`] of a secret's text.
fn hint_of(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    if chars.len() < 12 {
        "…".to_owned()
    } else {
        let tail: String = chars[chars.len() - 4..].iter().collect();
        format!("…{tail}")
    }
}

impl Authentication {
    /// Its scheme.
    pub fn scheme(&self) -> AuthScheme {
        match self {
            Authentication::Headers { .. } => AuthScheme::Headers,
            Authentication::Basic { .. } => AuthScheme::Basic,
            Authentication::Bearer { .. } => AuthScheme::Bearer,
            Authentication::Aws4 { .. } => AuthScheme::Aws4,
            Authentication::HmacSha256 { .. } => AuthScheme::HmacSha256,
            Authentication::None => AuthScheme::None,
        }
    }

    /// The scheme's wire name, e.g. `aws4` (the `type` tag).
    pub fn type_name(&self) -> &'static str {
        self.scheme().as_str()
    }

    /// Its fields, in the order of its JSON, with their values: the one list of what
    /// each scheme holds, which the API shows ([`summary`](Self::summary)) and checks
    /// (the sandbox).
    pub(crate) fn fields(&self) -> Vec<AuthField<'_>> {
        use FieldKind::{Password, Text, Url};
        let field = |name, value, kind, required| AuthField {
            name,
            value,
            kind,
            required,
        };
        match self {
            Authentication::Headers { key, value } => vec![
                field("key", key.as_str(), Text, true),
                field("value", value.expose(), Password, true),
            ],
            Authentication::Basic { username, password } => vec![
                field("username", username.as_str(), Text, true),
                field("password", password.expose(), Password, true),
            ],
            Authentication::Bearer { key, value } => vec![
                field("key", key.as_str(), Text, false),
                field("value", value.expose(), Password, true),
            ],
            Authentication::Aws4 {
                access_key,
                secret_key,
                region,
                service,
                base_endpoint,
                session_token,
            } => {
                let mut fields = vec![
                    field("access_key", access_key.as_str(), Text, true),
                    field("secret_key", secret_key.expose(), Password, true),
                    field("region", region.as_str(), Text, true),
                    field("service", service.as_str(), Text, true),
                    field("base_endpoint", base_endpoint.as_str(), Url, false),
                ];
                if let Some(token) = session_token {
                    fields.push(field("session_token", token.expose(), Password, false));
                }
                fields
            }
            Authentication::HmacSha256 {
                client_id,
                client_secret,
            } => vec![
                field("client_id", client_id.as_str(), Text, true),
                field("client_secret", client_secret.expose(), Password, true),
            ],
            Authentication::None => Vec::new(),
        }
    }

    /// What the API shows of this authentication: public fields in clear, secrets as a
    /// hint (the last four characters of secrets of 12 or more characters, else `…`).
    pub fn summary(&self) -> AuthenticationSummary {
        let mut public = BTreeMap::new();
        let mut secret_hints = BTreeMap::new();
        for field in self.fields() {
            if field.kind == FieldKind::Password {
                secret_hints.insert(field.name.to_owned(), hint_of(field.value));
            } else {
                public.insert(field.name.to_owned(), field.value.to_owned());
            }
        }
        AuthenticationSummary {
            auth_type: self.type_name().to_owned(),
            public,
            secret_hints,
        }
    }
}

/// One field of an [`Authentication`].
#[derive(Debug, Clone)]
pub(crate) struct AuthField<'a> {
    /// Its name in the authentication's JSON, e.g. `secret_key`.
    pub(crate) name: &'static str,
    /// Its value (empty when not given).
    pub(crate) value: &'a str,
    /// `Password` for a secret (write-only: the API shows a hint), `Url` for a URL.
    pub(crate) kind: FieldKind,
    /// Whether the API requires it filled (request signing has its own rules: it takes
    /// an empty password, the API does not).
    #[cfg_attr(not(feature = "sandbox"), allow(dead_code))]
    pub(crate) required: bool,
}

/// How the API shows an [`Authentication`]: secrets are write-only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AuthenticationSummary {
    /// The scheme, e.g. `basic`.
    #[serde(rename = "type")]
    pub auth_type: String,
    /// Non-secret fields in clear, e.g. `{"username": "ada"}`.
    pub public: BTreeMap<String, String>,
    /// Secret fields as hints, e.g. `{"password": "…wo2x"}`.
    pub secret_hints: BTreeMap<String, String>,
}

/// One organization's authentication in an organization-specific record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganizationAuthentication {
    /// The organization's id, as the product knows it.
    pub organization_id: String,
    /// Its authentication.
    pub auth: Authentication,
}

/// An organization's entry as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationAuthenticationSummary {
    /// The organization's id.
    pub organization_id: String,
    /// Its authentication, secrets as hints.
    pub auth: AuthenticationSummary,
}

/// A credential record with its secrets: the body of `POST credentials/` and
/// `PUT credentials/{id}/`, and what [`crate::auth`] applies to requests.
///
/// Either `auth` is set (one authentication for everyone) or `organizations` is
/// non-empty (an organization-specific record).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CredentialRecordInput {
    /// Name, e.g. `Acme ERP (test)`.
    pub name: String,
    /// Base URL that relative request paths resolve against.
    pub base_url: String,
    /// Test or production.
    pub environment: Environment,
    /// Content type of request bodies (required: JSON, XML or form-urlencoded); set on
    /// requests that have a body and no `Content-Type`.
    pub content_type: ContentType,
    /// Headers added to every request.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra_headers: Vec<ExtraHeader>,
    /// The authentication, for a record that is not organization-specific.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<Authentication>,
    /// One authentication per organization, for an organization-specific record.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub organizations: Vec<OrganizationAuthentication>,
}

impl CredentialRecordInput {
    /// A record with one authentication for everyone.
    pub fn new(
        name: impl Into<String>,
        base_url: impl Into<String>,
        environment: Environment,
        content_type: ContentType,
        auth: Authentication,
    ) -> Self {
        CredentialRecordInput {
            name: name.into(),
            base_url: base_url.into(),
            environment,
            content_type,
            extra_headers: Vec::new(),
            auth: Some(auth),
            organizations: Vec::new(),
        }
    }

    /// True for an organization-specific record.
    pub fn is_organization_specific(&self) -> bool {
        !self.organizations.is_empty()
    }

    /// What the API shows of this record once stored under `id`.
    pub fn to_record(&self, id: &str, created_at: &str, updated_at: &str) -> CredentialRecord {
        CredentialRecord {
            id: id.to_owned(),
            name: self.name.clone(),
            base_url: self.base_url.clone(),
            environment: self.environment.clone(),
            content_type: self.content_type.clone(),
            extra_headers: self.extra_headers.clone(),
            organization_specific: self.is_organization_specific(),
            auth: self.auth.as_ref().map(Authentication::summary),
            organizations: self
                .organizations
                .iter()
                .map(|o| OrganizationAuthenticationSummary {
                    organization_id: o.organization_id.clone(),
                    auth: o.auth.summary(),
                })
                .collect(),
            created_at: created_at.to_owned(),
            updated_at: updated_at.to_owned(),
        }
    }
}

/// A credential record as the API returns it: secrets shown only as hints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CredentialRecord {
    /// Record id (a UUID; opaque).
    pub id: String,
    /// Name.
    pub name: String,
    /// Base URL.
    pub base_url: String,
    /// Test or production.
    pub environment: Environment,
    /// Content type of request bodies.
    pub content_type: ContentType,
    /// Headers added to every request.
    #[serde(default)]
    pub extra_headers: Vec<ExtraHeader>,
    /// Whether the record holds one authentication per organization.
    pub organization_specific: bool,
    /// The authentication, for a record that is not organization-specific.
    #[serde(default)]
    pub auth: Option<AuthenticationSummary>,
    /// The organizations' authentications.
    #[serde(default)]
    pub organizations: Vec<OrganizationAuthenticationSummary>,
    /// When it was created (RFC 3339).
    pub created_at: String,
    /// When it was last changed (RFC 3339).
    pub updated_at: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_format_is_tagged() {
        let auth: Authentication =
            serde_json::from_str(r#"{"type":"basic","username":"ada","password":"open sesame"}"#)
                .unwrap();
        assert_eq!(auth.type_name(), "basic");
        let summary = auth.summary();
        assert_eq!(summary.public["username"], "ada");
        assert_eq!(summary.secret_hints["password"], "…");
        let json = serde_json::to_string(&summary).unwrap();
        assert!(!json.contains("sesame"));
    }

    /// An authentication of each scheme: a scheme added to the table without its
    /// `Authentication` variant fails to compile here.
    fn example(scheme: AuthScheme) -> Authentication {
        let secret = || Secret::from("s3cret-value");
        match scheme {
            AuthScheme::Headers => Authentication::Headers {
                key: "X-Key".into(),
                value: secret(),
            },
            AuthScheme::Basic => Authentication::Basic {
                username: "ada".into(),
                password: secret(),
            },
            AuthScheme::Bearer => Authentication::Bearer {
                key: String::new(),
                value: secret(),
            },
            AuthScheme::Aws4 => Authentication::Aws4 {
                access_key: "AKIDEXAMPLE".into(),
                secret_key: secret(),
                region: "us-east-1".into(),
                service: "s3".into(),
                base_endpoint: String::new(),
                session_token: None,
            },
            AuthScheme::HmacSha256 => Authentication::HmacSha256 {
                client_id: "client".into(),
                client_secret: secret(),
            },
            AuthScheme::None => Authentication::None,
        }
    }

    /// The `type` tag serde writes and reads is the scheme table's name, for every scheme.
    #[test]
    fn the_type_tag_is_the_schemes_name() {
        for scheme in AuthScheme::ALL {
            let auth = example(*scheme);
            assert_eq!(auth.scheme(), *scheme);
            let json = serde_json::to_value(&auth).unwrap();
            assert_eq!(json["type"], scheme.as_str(), "{scheme}");
            assert_eq!(
                serde_json::from_value::<Authentication>(json).unwrap(),
                auth
            );
            assert_eq!(auth.summary().auth_type, scheme.as_str());
        }
    }

    /// The summary shows every field of the scheme's list, secrets only as hints.
    #[test]
    fn the_summary_shows_each_field_once_and_no_secret() {
        for scheme in AuthScheme::ALL {
            let auth = example(*scheme);
            let summary = auth.summary();
            let mut shown: Vec<&str> = summary
                .public
                .keys()
                .chain(summary.secret_hints.keys())
                .map(String::as_str)
                .collect();
            shown.sort_unstable();
            let mut fields: Vec<&str> = auth.fields().iter().map(|f| f.name).collect();
            fields.sort_unstable();
            assert_eq!(shown, fields, "{scheme}");
            let json = serde_json::to_string(&summary).unwrap();
            assert!(!json.contains("s3cret-value"), "{scheme}");
        }
    }

    #[test]
    fn hint_shows_last_four_of_long_secrets_only() {
        let auth = Authentication::HmacSha256 {
            client_id: "id".into(),
            client_secret: Secret::from("0123456789abcdef"),
        };
        assert_eq!(auth.summary().secret_hints["client_secret"], "…cdef");
    }
}
