//! The envelope's plaintext: the session binding, the validity window and the
//! credential fields.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::json::{self, push_int, push_string};

#[cfg(feature = "platform")]
use super::{CLOCK_SKEW_SECS, MAX_TTL_SECS};
#[cfg(feature = "platform")]
use crate::ErrorKind;
use crate::{Error, Result, Secret};

/// The version of the payload format (`v`).
pub const PAYLOAD_VERSION: u32 = 1;

/// The connect session an envelope belongs to: who the credentials are for and the
/// connect link's nonce. The platform refuses an envelope whose binding differs from
/// the link it was submitted with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionBinding {
    /// The workspace id, when the link names one.
    pub workspace: Option<String>,
    /// The product's internal customer id.
    pub customer: String,
    /// The connector's name (e.g. `jira`).
    pub connector: String,
    /// The connect link's nonce (base64url).
    pub nonce: String,
}

impl SessionBinding {
    /// A binding without a workspace id.
    pub fn new(
        customer: impl Into<String>,
        connector: impl Into<String>,
        nonce: impl Into<String>,
    ) -> SessionBinding {
        SessionBinding {
            workspace: None,
            customer: customer.into(),
            connector: connector.into(),
            nonce: nonce.into(),
        }
    }

    /// Sets the workspace id.
    pub fn with_workspace(mut self, workspace: impl Into<String>) -> SessionBinding {
        self.workspace = Some(workspace.into());
        self
    }

    /// Checks that every required member is present.
    pub(crate) fn validate(&self) -> Result<()> {
        for (name, value) in [
            ("customer", self.customer.as_str()),
            ("connector", self.connector.as_str()),
            ("nonce", self.nonce.as_str()),
        ] {
            if value.is_empty() {
                return Err(Error::invalid(
                    "envelope_binding_invalid",
                    format!("the session binding has an empty `{name}`"),
                ));
            }
        }
        if self.workspace.as_deref() == Some("") {
            return Err(Error::invalid(
                "envelope_binding_invalid",
                "the session binding has an empty `workspace`",
            ));
        }
        Ok(())
    }

    /// True when `self` equals `expected`, member by member (the nonce in constant time).
    #[cfg(feature = "platform")]
    pub(crate) fn matches(&self, expected: &SessionBinding) -> bool {
        let nonce = crate::ct::eq(self.nonce.as_bytes(), expected.nonce.as_bytes());
        nonce
            && self.workspace == expected.workspace
            && self.customer == expected.customer
            && self.connector == expected.connector
    }
}

/// The credential fields an end user typed (`username`, `password`, `api_key`, ...):
/// names in clear, values in [`Secret`]s (redacted in `Debug`, zeroized on drop).
///
/// ```
/// use munity::envelope::Credentials;
///
/// let creds = Credentials::from_json(r#"{"username": "ada", "password": "hunter2"}"#)?;
/// assert_eq!(creds.get("username").unwrap().expose(), "ada");
/// assert_eq!(format!("{creds:?}"), "Credentials { password: [redacted], username: [redacted] }");
/// # Ok::<(), munity::Error>(())
/// ```
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Credentials {
    fields: BTreeMap<String, Secret<String>>,
}

impl Credentials {
    /// No fields.
    pub fn new() -> Credentials {
        Credentials::default()
    }

    /// Reads a JSON object whose values are strings.
    ///
    /// # Errors
    /// `credentials_invalid` when the text is not such an object; the message never
    /// quotes the input.
    pub fn from_json(json: &str) -> Result<Credentials> {
        let invalid = |why: &str| {
            Error::invalid(
                "credentials_invalid",
                format!("the credentials must be a JSON object of strings ({why})"),
            )
        };
        let object = json::parse_object(json.as_bytes()).map_err(|e| invalid(&e.describe()))?;
        Credentials::from_object(object).map_err(invalid)
    }

    /// The credentials an object of strings holds; what is wrong otherwise.
    fn from_object(object: json::Object) -> std::result::Result<Credentials, &'static str> {
        let mut credentials = Credentials::new();
        for (name, value) in object {
            match value {
                json::Value::String(value) => credentials.insert(name, value),
                _ => return Err("a member is not a string"),
            }
        }
        Ok(credentials)
    }

    /// Adds or replaces a field.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<Secret<String>>) {
        self.fields.insert(name.into(), value.into());
    }

    /// Adds a field (builder style).
    pub fn with(mut self, name: impl Into<String>, value: impl Into<Secret<String>>) -> Self {
        self.insert(name, value);
        self
    }

    /// A field's value.
    pub fn get(&self, name: &str) -> Option<&Secret<String>> {
        self.fields.get(name)
    }

    /// The field names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.fields.keys().map(String::as_str)
    }

    /// The fields, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Secret<String>)> {
        self.fields.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The number of fields.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// True when there are no fields.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// Rough size of the fields in JSON, to size the plaintext buffer once.
    fn json_size_hint(&self) -> usize {
        self.fields
            .iter()
            // A JSON escape takes at most 6 bytes per input byte.
            .map(|(k, v)| 6 * (k.len() + v.expose().len()) + 6)
            .sum()
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Credentials");
        for (name, value) in &self.fields {
            d.field(name, value);
        }
        d.finish()
    }
}

/// The payload as it travels, encrypted (`docs/envelope.md` § Payload), as read (its
/// version checked).
#[cfg(feature = "platform")]
pub(crate) struct Payload {
    pub workspace: Option<String>,
    pub customer: String,
    pub connector: String,
    pub nonce: String,
    pub iat: i64,
    pub exp: i64,
    pub credentials: Credentials,
}

/// The payload to write, borrowed: sealing copies no credential into it.
pub(crate) struct PayloadOut<'a> {
    pub binding: &'a SessionBinding,
    pub iat: i64,
    pub exp: i64,
    pub credentials: &'a Credentials,
}

impl PayloadOut<'_> {
    /// Serializes into one buffer sized up front, so no reallocation leaves a copy of
    /// the credentials behind; the buffer is wiped when dropped.
    pub(crate) fn to_zeroizing_json(&self) -> Zeroizing<Vec<u8>> {
        let binding = self.binding;
        let hint = 512
            + 6 * (binding.customer.len()
                + binding.connector.len()
                + binding.nonce.len()
                + binding.workspace.as_ref().map_or(0, String::len))
            + self.credentials.json_size_hint();
        // 16 bytes spare for the GCM tag appended in place by some callers.
        let mut json = Zeroizing::new(String::with_capacity(hint + 16));
        self.write_json(&mut json);
        Zeroizing::new(std::mem::take(&mut *json).into_bytes())
    }

    /// The members in the order of `docs/envelope.md`, no whitespace; `workspace` only
    /// when there is one.
    fn write_json(&self, out: &mut String) {
        let binding = self.binding;
        out.push_str(r#"{"v":"#);
        push_int(out, i64::from(PAYLOAD_VERSION));
        if let Some(workspace) = &binding.workspace {
            out.push_str(r#","workspace":"#);
            push_string(out, workspace);
        }
        for (name, value) in [
            ("customer", &binding.customer),
            ("connector", &binding.connector),
            ("nonce", &binding.nonce),
        ] {
            out.push_str(",\"");
            out.push_str(name);
            out.push_str("\":");
            push_string(out, value);
        }
        out.push_str(r#","iat":"#);
        push_int(out, self.iat);
        out.push_str(r#","exp":"#);
        push_int(out, self.exp);
        out.push_str(r#","credentials":{"#);
        for (i, (name, value)) in self.credentials.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_string(out, name);
            out.push(':');
            push_string(out, value.expose());
        }
        out.push_str("}}");
    }
}

#[cfg(feature = "platform")]
impl Payload {
    /// Parses and checks a decrypted payload: version, members, validity window.
    pub(crate) fn from_json(json: &[u8], now: i64) -> Result<Payload> {
        let payload = Payload::read(json)?;
        payload
            .binding()
            .validate()
            .map_err(|e| Error::invalid("envelope_payload_invalid", e.detail().to_owned()))?;
        if payload.exp <= payload.iat || payload.exp - payload.iat > MAX_TTL_SECS {
            return Err(Error::invalid(
                "envelope_payload_invalid",
                format!(
                    "the payload's lifetime (exp - iat) must be between 1 and {MAX_TTL_SECS} seconds"
                ),
            ));
        }
        if now.saturating_sub(CLOCK_SKEW_SECS) > payload.exp {
            return Err(Error::new(
                ErrorKind::Expired,
                "envelope_expired",
                format!(
                    "the envelope expired at {}; it is now {}",
                    crate::time::format_rfc3339(payload.exp),
                    crate::time::format_rfc3339(now)
                ),
            ));
        }
        if now.saturating_add(CLOCK_SKEW_SECS) < payload.iat {
            return Err(Error::new(
                ErrorKind::Expired,
                "envelope_not_yet_valid",
                format!(
                    "the envelope was issued at {}, after now ({})",
                    crate::time::format_rfc3339(payload.iat),
                    crate::time::format_rfc3339(now)
                ),
            ));
        }
        Ok(payload)
    }

    /// Reads the members of a payload with the envelope's JSON reader: `v` first (a
    /// later version may have other members), then each member of version 1 exactly
    /// once and no other.
    fn read(json: &[u8]) -> Result<Payload> {
        let invalid = |why: &str| {
            Error::invalid(
                "envelope_payload_invalid",
                format!("the decrypted payload is not a v1 payload ({why})"),
            )
        };
        let mut object = json::parse_object(json).map_err(|e| invalid(&e.describe()))?;
        match object.remove("v") {
            Some(json::Value::Integer(v)) if v == i64::from(PAYLOAD_VERSION) => {}
            Some(json::Value::Integer(v)) => {
                return Err(Error::new(
                    ErrorKind::Unsupported,
                    "envelope_version_unsupported",
                    format!("payload version {v} is not supported; expected 1"),
                ))
            }
            _ => return Err(invalid("`v` is missing or not an integer")),
        }
        let mut string = |name: &str| match object.remove(name) {
            Some(json::Value::String(value)) => Ok(Some(value)),
            None => Ok(None),
            Some(_) => Err(invalid(&format!("`{name}` is not a string"))),
        };
        let workspace = string("workspace")?;
        let mut required =
            |name: &str| string(name)?.ok_or_else(|| invalid(&format!("`{name}` is missing")));
        let customer = required("customer")?;
        let connector = required("connector")?;
        let nonce = required("nonce")?;
        let mut integer = |name: &str| match object.remove(name) {
            Some(json::Value::Integer(value)) => Ok(value),
            _ => Err(invalid(&format!("`{name}` is missing or not an integer"))),
        };
        let iat = integer("iat")?;
        let exp = integer("exp")?;
        let credentials = match object.remove("credentials") {
            Some(json::Value::Object(fields)) => Credentials::from_object(fields)
                .map_err(|why| invalid(&format!("`credentials`: {why}")))?,
            _ => return Err(invalid("`credentials` is missing or not an object")),
        };
        if !object.is_empty() {
            return Err(invalid("it has members version 1 does not define"));
        }
        Ok(Payload {
            workspace,
            customer,
            connector,
            nonce,
            iat,
            exp,
            credentials,
        })
    }

    pub(crate) fn binding(&self) -> SessionBinding {
        SessionBinding {
            workspace: self.workspace.clone(),
            customer: self.customer.clone(),
            connector: self.connector.clone(),
            nonce: self.nonce.clone(),
        }
    }
}

#[cfg(all(test, feature = "platform"))]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000;

    fn payload(members: &str) -> String {
        format!(
            r#"{{"v":1,"customer":"cus_42","connector":"jira","nonce":"n1","iat":{NOW},"exp":{}{members},"credentials":{{"api_key":"k1"}}}}"#,
            NOW + 300
        )
    }

    #[test]
    fn reads_a_v1_payload() {
        let read = Payload::from_json(payload(r#","workspace":"ws_1""#).as_bytes(), NOW).unwrap();
        assert_eq!(
            read.binding(),
            SessionBinding::new("cus_42", "jira", "n1").with_workspace("ws_1")
        );
        assert_eq!((read.iat, read.exp), (NOW, NOW + 300));
        assert_eq!(read.credentials.get("api_key").unwrap().expose(), "k1");
        assert_eq!(
            Payload::from_json(payload("").as_bytes(), NOW)
                .unwrap()
                .workspace,
            None
        );
    }

    #[test]
    fn one_reader_one_duplicate_rule() {
        for (members, code) in [
            (r#","customer":"cus_other""#, "envelope_payload_invalid"),
            (r#","v":1"#, "envelope_payload_invalid"),
            (r#","workspace":null"#, "envelope_payload_invalid"),
            (r#","iat":1.5"#, "envelope_payload_invalid"),
            (r#","extra":"x""#, "envelope_payload_invalid"),
        ] {
            let err = Payload::from_json(payload(members).as_bytes(), NOW)
                .err()
                .unwrap();
            assert_eq!(err.code(), code, "{members}: {err}");
        }
        let twice = payload("").replace(r#""api_key":"k1""#, r#""api_key":"k0","api_key":"k1""#);
        let err = Payload::from_json(twice.as_bytes(), NOW).err().unwrap();
        assert_eq!(err.code(), "envelope_payload_invalid");
        assert!(!err.to_string().contains("k0"), "{err}");
        let err = Credentials::from_json(r#"{"a":"1","a":"2"}"#).unwrap_err();
        assert_eq!(err.code(), "credentials_invalid");
        let v2 = payload(r#","extra":"x""#).replace(r#""v":1"#, r#""v":2"#);
        let err = Payload::from_json(v2.as_bytes(), NOW).err().unwrap();
        assert_eq!(err.code(), "envelope_version_unsupported");
    }
}
