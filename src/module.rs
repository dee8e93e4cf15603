//! Simple connection for connector modules: the registration token and the answers a
//! module gives.
//!
//! When a customer connects a module, the platform calls the module's register URL with
//! the customer's API key and a token. The token proves the call comes from the
//! platform: `register[token] = hash_hmac('sha256', <api key>, <secret>)` in PHP terms,
//! i.e. lowercase hex of HMAC-SHA256 keyed by the module's secret over the API key.
//!
//! The request carries the fields as `register[apiKey]`, `register[token]` and any
//! further `register[<name>]` fields, either form-encoded or as a JSON object under
//! `register`. The module answers HTTP 200 in every case: `{"success": true,
//! "accountUrl": "..."}` or `{"success": false, "errorMsg": "..."}`.
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
use crate::Secret;

/// The form/JSON field holding the API key.
pub const FIELD_API_KEY: &str = "apiKey";
/// The form/JSON field holding the token.
pub const FIELD_TOKEN: &str = "token";

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
            "module_token_invalid",
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
    /// `register[apiKey]`: the customer's Munity API key.
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

    /// Verifies the token against the module's `secret`.
    pub fn verify(&self, secret: &str) -> Result<()> {
        verify_registration_token(self.api_key.expose(), secret, &self.token)
    }
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
    Error::invalid("module_request_invalid", detail)
}

/// What a module declares it needs (its configuration answer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModuleConfig {
    /// The API rights the module needs (e.g. `pm-projects:read`).
    pub rights: Vec<String>,
    /// The OAuth scopes the module needs from connectors, if any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
    /// Where the platform sends the registration request.
    pub register_url: String,
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
