//! Simple connection (RetailCRM-style modules): what a module needs to be connected by
//! a system (a CRM) on its own, and what the Munity sandbox uses to connect `module`
//! connectors (`docs/module.md` has the sequence).
//!
//! 1. The system asks for the module's configuration: [`ModuleConfig`] (`scopes`,
//!    `registerUrl`).
//! 2. The system sends the registration to `registerUrl`, form-encoded
//!    (`register[apiKey]`, `register[systemUrl]`, `register[token]`) or as JSON under
//!    `register`: [`RegistrationRequest::from_body`]. The token proves the request comes
//!    from the system: `register[token] = hash_hmac('sha256', <api key>, <secret>)` in PHP
//!    terms, i.e. lowercase hex of HMAC-SHA256 keyed by the module's secret over the
//!    API key ([`registration_token`]), checked in constant time
//!    ([`RegistrationRequest::verify`]) before anything else.
//! 3. The module registers itself with `POST {systemUrl}/api/v5/integration-modules/
//!    {code}/edit` ([`IntegrationModule`], sent by `SystemClient::edit` with the native
//!    features: bounded timeout, no redirects).
//! 4. It answers HTTP 200 in every case ([`RegistrationAnswer`]): `{"success": true,
//!    "accountUrl": "..."}` or `{"success": false, "errorMsg": "..."}`; the system then
//!    sends the user to `accountUrl` (a POST with `clientId`).
//!
//! ```
//! use munity::module::{registration_token, RegistrationAnswer, RegistrationRequest};
//!
//! # fn main() -> munity::Result<()> {
//! let token = registration_token("my-api-key", "my-secret");
//! assert_eq!(token.expose(), "13011b44679d88c8ad70731b384329ae0c0462a0ec1604fd53216e2d53727fa7");
//!
//! let body = format!("register%5BapiKey%5D=my-api-key&register%5Btoken%5D={}", token.expose());
//! let request = RegistrationRequest::from_form(body.as_bytes())?;
//! let answer = match request.verify("my-secret") {
//!     Ok(()) => RegistrationAnswer::success("https://module.example.com/accounts/42"),
//!     Err(err) => RegistrationAnswer::error(err.detail()),
//! };
//! let (status, json) = answer.to_http();
//! assert_eq!(status, 200);
//! assert_eq!(json, r#"{"success":true,"accountUrl":"https://module.example.com/accounts/42"}"#);
//! # Ok(())
//! # }
//! ```

use std::collections::BTreeMap;

use ring::hmac;
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Result};
use crate::error_code::wire;
use crate::Secret;

/// The form/JSON field holding the API key.
pub const FIELD_API_KEY: &str = "apiKey";
/// The form/JSON field holding the token.
pub const FIELD_TOKEN: &str = "token";
/// The form/JSON field holding the system's URL (e.g. `https://shop.retailcrm.ru`).
pub const FIELD_SYSTEM_URL: &str = "systemUrl";

#[cfg(any(feature = "native", feature = "sandbox"))]
mod system;
#[cfg(any(feature = "native", feature = "sandbox"))]
pub use system::SystemClient;

mod integration;
pub use integration::{edit_path, read_edit_answer, IntegrationModule};

/// The registration token: lowercase hex of HMAC-SHA256 keyed by `secret` over
/// `api_key` (PHP `hash_hmac('sha256', $apiKey, $secret)`).
pub fn registration_token(api_key: &str, secret: &str) -> Secret<String> {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    Secret::new(hex::encode(hmac::sign(&key, api_key.as_bytes())))
}

/// Checks a registration token in constant time. Upper-case hex is accepted too (PHP
/// writes lower case; some callers upper-case it).
pub fn verify_registration_token(api_key: &str, secret: &str, token: &str) -> Result<()> {
    let expected = registration_token(api_key, secret);
    let given = Secret::new(token.trim().to_ascii_lowercase());
    if crate::ct::eq(expected.expose().as_bytes(), given.expose().as_bytes()) {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::Verification,
            wire::ModuleTokenInvalid,
            "the registration token does not match this API key and secret",
        ))
    }
}

/// A parsed registration request.
///
/// `Debug` shows neither the API key nor the token (the token proves the request came
/// from the platform: whoever reads it can replay the registration).
#[derive(Clone)]
pub struct RegistrationRequest {
    /// `register[apiKey]`: the system account's API key (the module's key to the system).
    pub api_key: Secret<String>,
    /// `register[token]`: the platform's token.
    pub token: String,
    /// The other `register[<name>]` fields, by name.
    pub fields: BTreeMap<String, String>,
}

impl std::fmt::Debug for RegistrationRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistrationRequest")
            .field("api_key", &self.api_key)
            .field("token", &format_args!("[redacted]"))
            .field("fields", &self.fields)
            .finish()
    }
}

impl RegistrationRequest {
    /// Reads an `application/x-www-form-urlencoded` body. Fields outside `register[...]`
    /// are ignored; a `register[...]` field given twice is an error.
    pub fn from_form(body: &[u8]) -> Result<RegistrationRequest> {
        let fields = form_urlencoded::parse(body).filter_map(|(name, value)| {
            let inner = name.strip_prefix("register[")?.strip_suffix(']')?;
            Some((inner.to_owned(), value.into_owned()))
        });
        RegistrationRequest::from_fields(unique(fields)?)
    }

    /// Reads a JSON body `{"register": {"apiKey": "...", "token": "...", ...}}`; every
    /// value in `register` must be a string, and a name given twice is an error (as in
    /// the form).
    pub fn from_json(body: &[u8]) -> Result<RegistrationRequest> {
        #[derive(Deserialize)]
        struct Body {
            register: Pairs,
        }
        // serde_json's message may quote a value (an API key): the redaction leaves it out.
        let parsed: Body = serde_json::from_slice(body).map_err(|err| {
            invalid(format!(
                "the body is not {{\"register\": {{<name>: <string>}}}}: {}",
                crate::redact::json_error(&err)
            ))
        })?;
        RegistrationRequest::from_fields(unique(parsed.register.0)?)
    }

    fn from_fields(mut fields: BTreeMap<String, String>) -> Result<RegistrationRequest> {
        let mut take = |name: &str| {
            fields
                .remove(name)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| invalid(format!("missing field `register[{name}]`")))
        };
        let api_key = Secret::new(take(FIELD_API_KEY)?);
        let token = take(FIELD_TOKEN)?;
        Ok(RegistrationRequest {
            api_key,
            token,
            fields,
        })
    }

    /// Reads a body by its `Content-Type`: JSON for `application/json` (and `+json`),
    /// form fields otherwise (what RetailCRM sends).
    pub fn from_body(content_type: Option<&str>, body: &[u8]) -> Result<RegistrationRequest> {
        let essence = content_type
            .and_then(|value| value.split(';').next())
            .map(|value| value.trim().to_ascii_lowercase())
            .unwrap_or_default();
        if essence == "application/json" || essence.ends_with("+json") {
            RegistrationRequest::from_json(body)
        } else {
            RegistrationRequest::from_form(body)
        }
    }

    /// Verifies the token against the module's `secret`.
    pub fn verify(&self, secret: &str) -> Result<()> {
        verify_registration_token(self.api_key.expose(), secret, &self.token)
    }

    /// `register[systemUrl]`: the system's base URL, checked to be an `http(s)` origin
    /// with an optional path, without credentials, query or fragment. A trailing `/` is
    /// removed, so `{system_url}/api/v5/...` is the API.
    pub fn system_url(&self) -> Result<&str> {
        let url = self
            .fields
            .get(FIELD_SYSTEM_URL)
            .map(String::as_str)
            .filter(|url| !url.is_empty())
            .ok_or_else(|| invalid(format!("missing field `register[{FIELD_SYSTEM_URL}]`")))?;
        check_system_url(url)?;
        Ok(url.trim_end_matches('/'))
    }
}

/// The rule [`RegistrationRequest::system_url`] applies.
fn check_system_url(url: &str) -> Result<()> {
    let bad = |why: &str| {
        invalid(format!(
            "`register[{FIELD_SYSTEM_URL}]` must be the system's http(s) URL: {why}"
        ))
    };
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| bad("it does not start with https:// or http://"))?;
    if url.len() > 2000 {
        return Err(bad("it is longer than 2000 characters"));
    }
    if url
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || !c.is_ascii())
    {
        return Err(bad("it holds spaces, control or non-ASCII characters"));
    }
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty() {
        return Err(bad("it names no host"));
    }
    if host.contains('@') {
        return Err(bad("it holds a user name or password"));
    }
    if url.contains('?') || url.contains('#') {
        return Err(bad("it holds a query or fragment"));
    }
    Ok(())
}

/// The `register[...]` fields by name; a name given twice is an error (which of two
/// tokens is meant cannot be known).
fn unique(pairs: impl IntoIterator<Item = (String, String)>) -> Result<BTreeMap<String, String>> {
    let mut fields = BTreeMap::new();
    for (name, value) in pairs {
        if fields.contains_key(&name) {
            return Err(invalid(format!("field `register[{name}]` appears twice")));
        }
        fields.insert(name, value);
    }
    Ok(fields)
}

/// A JSON object of strings read in order, duplicate names kept (for [`unique`]).
struct Pairs(Vec<(String, String)>);

impl<'de> Deserialize<'de> for Pairs {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        struct Entries;
        impl<'de> serde::de::Visitor<'de> for Entries {
            type Value = Pairs;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of strings")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Pairs, A::Error> {
                let mut pairs = Vec::new();
                while let Some(pair) = map.next_entry::<String, String>()? {
                    pairs.push(pair);
                }
                Ok(Pairs(pairs))
            }
        }
        deserializer.deserialize_map(Entries)
    }
}

fn invalid(detail: String) -> Error {
    Error::invalid(wire::ModuleRequestInvalid, detail)
}

/// The module's configuration answer: what the system asks for first, before the
/// registration (`GET` on the configuration URL the user pasted into the system).
///
/// ```
/// use munity::module::ModuleConfig;
///
/// let config = ModuleConfig::new("https://m.example.com/register")
///     .with_scopes(["order_read", "customer_read"]);
/// assert_eq!(
///     config.to_json(),
///     r#"{"scopes":["order_read","customer_read"],"registerUrl":"https://m.example.com/register"}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ModuleConfig {
    /// The rights the module needs in the system (RetailCRM's `scopes`, e.g.
    /// `order_read`).
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Where the system sends the registration request.
    pub register_url: String,
}

impl ModuleConfig {
    /// A configuration asking for no rights yet, registering at `register_url`.
    pub fn new(register_url: impl Into<String>) -> ModuleConfig {
        ModuleConfig {
            scopes: Vec::new(),
            register_url: register_url.into(),
        }
    }

    /// The rights the module needs.
    pub fn with_scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// The JSON answer (HTTP 200, `application/json`).
    pub fn to_json(&self) -> String {
        // A list of strings and a string always serialize.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The answer to a registration request: always HTTP 200, success or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistrationAnswer {
    /// Whether the registration worked.
    pub success: bool,
    /// On success: the URL of the account in the module.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_url: Option<String>,
    /// On failure: why, for a human.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_msg: Option<String>,
}

impl RegistrationAnswer {
    /// `{"success": true, "accountUrl": ...}`.
    pub fn success(account_url: impl Into<String>) -> RegistrationAnswer {
        RegistrationAnswer {
            success: true,
            account_url: Some(account_url.into()),
            error_msg: None,
        }
    }

    /// `{"success": false, "errorMsg": ...}`. The message is shown to people: no secrets.
    pub fn error(error_msg: impl Into<String>) -> RegistrationAnswer {
        RegistrationAnswer {
            success: false,
            account_url: None,
            error_msg: Some(error_msg.into()),
        }
    }

    /// The HTTP status (always 200) and the JSON body.
    pub fn to_http(&self) -> (u16, String) {
        // Serializing two optional strings and a bool cannot fail; fall back to a fixed
        // error body rather than panic all the same.
        let body = serde_json::to_string(self)
            .unwrap_or_else(|_| r#"{"success":false,"errorMsg":"internal error"}"#.to_owned());
        (200, body)
    }
}

impl From<&Error> for RegistrationAnswer {
    /// An error answer with the error's detail (details never hold secrets).
    fn from(err: &Error) -> RegistrationAnswer {
        RegistrationAnswer::error(err.detail().to_owned())
    }
}
