//! What the bindings hand to JavaScript (camelCase objects, declared in the TypeScript
//! section of `mod.rs`) and what they read from the platform's connect endpoints.
//!
//! Both go through the browser's own JSON (`JSON.parse`, plain objects read and built
//! with `Reflect`) rather than serde: the derived serializers and deserializers of
//! these types were a large part of the package's size (issue 8's budget).

use js_sys::{Array, Object};
use wasm_bindgen::{JsCast, JsValue};

use super::js;
use crate::envelope::PublicJwk;
use crate::model::{
    ApiErrorBody, AuthType, ConnectSession, ConnectSessionCustomer, Connection, ConnectionStatus,
    Connector, FieldKind, FieldSpec,
};
use crate::{Error, ErrorKind, FieldError, Result};

/// A value read from a JavaScript object in the API's JSON form; the error names the
/// member that is missing or of the wrong type.
pub(crate) trait FromJs: Sized {
    /// Reads `value`.
    fn from_js(value: &JsValue) -> std::result::Result<Self, String>;
}

type Read<T> = std::result::Result<T, String>;

/// The message for a member that is missing or has the wrong type.
fn bad(key: &str) -> String {
    format!("`{key}` is missing or has the wrong type")
}

/// `value[key]` (undefined when `value` is not an object).
fn member(value: &JsValue, key: &str) -> JsValue {
    js::get(value, key)
}

fn string(value: &JsValue, key: &str) -> Read<String> {
    member(value, key).as_string().ok_or_else(|| bad(key))
}

/// An optional string: missing and `null` are `None`.
fn optional_string(value: &JsValue, key: &str) -> Read<Option<String>> {
    let v = member(value, key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.as_string().map(Some).ok_or_else(|| bad(key))
}

/// An optional public JWK object (`kty`, `crv`, `x`, and `y` for P-256): missing and
/// `null` are `None`. Its values are checked where it is read as a key.
fn public_jwk(value: &JsValue) -> Read<Option<PublicJwk>> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    Ok(Some(PublicJwk::new(
        string(value, "kty")?,
        string(value, "crv")?,
        string(value, "x")?,
        optional_string(value, "y")?,
    )))
}

fn boolean(value: &JsValue, key: &str) -> Read<bool> {
    member(value, key).as_bool().ok_or_else(|| bad(key))
}

/// An array member, each element read with `read`; missing is an error unless
/// `optional` (then empty).
fn list<T>(
    value: &JsValue,
    key: &str,
    optional: bool,
    read: impl Fn(&JsValue) -> Read<T>,
) -> Read<Vec<T>> {
    let v = member(value, key);
    if optional && (v.is_undefined() || v.is_null()) {
        return Ok(Vec::new());
    }
    if !Array::is_array(&v) {
        return Err(bad(key));
    }
    v.unchecked_into::<Array>()
        .iter()
        .map(|item| read(&item).map_err(|e| format!("in `{key}`: {e}")))
        .collect()
}

/// A string member of one of the API's enums: a value this version does not know reads
/// as `Unknown` (the API grows; the connect page still works).
fn open_enum<T: for<'a> From<&'a str>>(value: &JsValue, key: &str) -> Read<T> {
    string(value, key).map(|text| T::from(text.as_str()))
}

/// The members the package uses and those the format requires; the optional ones it
/// does not use (`customer.id`, `redirect_uri`, `scope`, `kid`) stay `None`: each read
/// costs package size.
impl FromJs for ConnectSession {
    fn from_js(value: &JsValue) -> Read<ConnectSession> {
        let connector = member(value, "connector");
        let read_connector = || -> Read<Connector> {
            Ok(Connector {
                name: string(&connector, "name")?,
                display_name: string(&connector, "display_name")?,
                categories: list(&connector, "categories", false, |c| {
                    c.as_string().ok_or_else(|| bad("categories"))
                })?,
                auth_type: open_enum::<AuthType>(&connector, "auth_type")?,
                fields: list(&connector, "fields", false, |f| {
                    Ok(FieldSpec {
                        name: string(f, "name")?,
                        label: string(f, "label")?,
                        kind: open_enum::<FieldKind>(f, "kind")?,
                        required: boolean(f, "required")?,
                        secret: boolean(f, "secret")?,
                        help: optional_string(f, "help")?,
                    })
                })?,
            })
        };
        let external_id = string(&member(value, "customer"), "external_id")
            .map_err(|e| format!("in `customer`: {e}"))?;
        Ok(ConnectSession {
            workspace: string(value, "workspace")?,
            customer: ConnectSessionCustomer::new(external_id, None),
            connector: read_connector().map_err(|e| format!("in `connector`: {e}"))?,
            expires_at: string(value, "expires_at")?,
            nonce: string(value, "nonce")?,
            redirect_uri: None,
            scope: None,
            // The package seals to the key alone (`jwk`); it reads no X.509.
            certificate: None,
            kid: None,
            jwk: public_jwk(&member(value, "jwk")).map_err(|e| format!("in `jwk`: {e}"))?,
            // The package builds its own, on the pinned API (`Settings::describe`).
            module_config_url: None,
        })
    }
}

impl FromJs for Connection {
    fn from_js(value: &JsValue) -> Read<Connection> {
        Ok(Connection {
            id: string(value, "id")?,
            customer_id: string(value, "customer_id")?,
            connector: string(value, "connector")?,
            status: open_enum::<ConnectionStatus>(value, "status")?,
            created_at: string(value, "created_at")?,
        })
    }
}

impl FromJs for ApiErrorBody {
    fn from_js(value: &JsValue) -> Read<ApiErrorBody> {
        Ok(ApiErrorBody {
            code: string(value, "code")?,
            detail: string(value, "detail")?,
            fields: list(value, "fields", true, |f| {
                Ok(FieldError::new(string(f, "field")?, string(f, "message")?))
            })?,
        })
    }
}

/// A plain JavaScript object under construction.
struct JsObject(Object);

impl JsObject {
    fn new() -> JsObject {
        JsObject(Object::new())
    }

    /// Sets `key` (cannot fail on a fresh, extensible object).
    fn set(self, key: &str, value: impl Into<JsValue>) -> JsObject {
        js::set(&self.0, key, &value.into());
        self
    }

    /// Sets `key` when `value` is present (TypeScript's optional members).
    fn set_some(self, key: &str, value: Option<&str>) -> JsObject {
        match value {
            Some(value) => self.set(key, value),
            None => self,
        }
    }

    fn done(self) -> JsValue {
        self.0.into()
    }
}

impl ConnectSession {
    /// The session as the JavaScript object `describe` resolves with (`ConnectSession`
    /// in TypeScript).
    pub(crate) fn to_js(&self) -> Result<JsValue> {
        let fields: Array = self
            .connector
            .fields
            .iter()
            .map(|f| {
                JsObject::new()
                    .set("name", f.name.as_str())
                    .set("label", f.label.as_str())
                    .set("kind", f.kind.as_str())
                    .set("required", f.required)
                    .set("secret", f.secret)
                    .set_some("help", f.help.as_deref())
                    .done()
            })
            .collect();
        Ok(JsObject::new()
            .set("connector", self.connector.name.as_str())
            .set("displayName", self.connector.display_name.as_str())
            .set("authType", self.connector.auth_type.as_str())
            .set("fields", fields)
            .set("customer", self.customer.external_id.as_str())
            .set("expiresAt", self.expires_at.as_str())
            .set_some(
                "certificate",
                self.jwk.as_ref().map(PublicJwk::to_json).as_deref(),
            )
            .set_some("moduleConfigUrl", self.module_config_url.as_deref())
            .done())
    }
}

/// A connection as the JavaScript object the flows resolve with (`Connection` in
/// TypeScript).
pub(crate) fn connection_to_js(c: &Connection) -> Result<JsValue> {
    Ok(JsObject::new()
        .set("id", c.id.as_str())
        .set("customerId", c.customer_id.as_str())
        .set("connector", c.connector.as_str())
        .set("status", c.status.as_str())
        .set("createdAt", c.created_at.as_str())
        .done())
}

/// A connection from a JavaScript object in the API's JSON form (the OAuth2 popup's
/// message carries the same object as the `POST {connect}/credentials` answer).
pub(crate) fn connection_from_js(value: JsValue) -> Result<Connection> {
    Connection::from_js(&value).map_err(|detail| {
        Error::new(
            ErrorKind::Decode,
            "server",
            format!("the platform sent a malformed connection: {detail}"),
        )
    })
}

/// The body of `POST {connect}/credentials`: `{"envelope": jwe}`.
pub(crate) fn envelope_request(envelope: &str) -> JsValue {
    JsObject::new().set("envelope", envelope).done()
}

/// `LinkInfo` in TypeScript.
#[derive(Debug)]
pub(crate) struct JsLinkInfo<'a> {
    pub workspace: &'a str,
    pub customer: &'a str,
    pub connector: &'a str,
    pub expires_at: String,
    pub redirect_uri: Option<&'a str>,
    pub scope: Option<&'a str>,
}

impl JsLinkInfo<'_> {
    /// The JavaScript object `parseLink` returns.
    pub(crate) fn to_js(&self) -> Result<JsValue> {
        Ok(JsObject::new()
            .set("workspace", self.workspace)
            .set("customer", self.customer)
            .set("connector", self.connector)
            .set("expiresAt", self.expires_at.as_str())
            .set_some("redirectUri", self.redirect_uri)
            .set_some("scope", self.scope)
            .done())
    }
}
