//! What the bindings hand to JavaScript (camelCase objects, declared in the TypeScript
//! section of `mod.rs`) and what they read from the platform's connect endpoints.

use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

use crate::model::{AuthType, Connection, Connector};
use crate::{Error, ErrorKind, Result};

/// `GET {connect}/session?<link query>`: the connect session the link opens (other
/// members of the answer are ignored).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SessionBody {
    /// The connector: name, display name, auth type, fields.
    pub connector: Connector,
    /// The customer the link is for.
    pub customer: SessionCustomer,
    /// When the link expires (RFC 3339).
    pub expires_at: String,
    /// The workspace certificate (PEM), to seal credentials to.
    #[serde(default)]
    pub certificate: Option<String>,
}

/// The session's customer.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SessionCustomer {
    /// The product's own id for the customer (the link's `customer`).
    pub external_id: String,
}

/// `ConnectSession` in TypeScript.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct JsSession<'a> {
    pub connector: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<&'a str>,
    pub auth_type: AuthType,
    pub fields: Vec<JsField<'a>>,
    pub customer: &'a str,
    pub expires_at: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate: Option<&'a str>,
}

/// `FieldSpec` in TypeScript.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct JsField<'a> {
    pub name: &'a str,
    pub label: &'a str,
    pub kind: crate::model::FieldKind,
    pub required: bool,
    pub secret: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<&'a str>,
}

impl SessionBody {
    /// The session as the JavaScript object `describe` resolves with.
    pub(crate) fn to_js(&self) -> Result<JsValue> {
        to_js(&JsSession {
            connector: &self.connector.name,
            display_name: Some(&self.connector.display_name),
            auth_type: self.connector.auth_type,
            fields: self
                .connector
                .fields
                .iter()
                .map(|f| JsField {
                    name: &f.name,
                    label: &f.label,
                    kind: f.kind,
                    required: f.required,
                    secret: f.secret,
                    help: f.help.as_deref(),
                })
                .collect(),
            customer: &self.customer.external_id,
            expires_at: &self.expires_at,
            certificate: self.certificate.as_deref(),
        })
    }
}

/// `Connection` in TypeScript.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct JsConnection<'a> {
    id: &'a str,
    customer_id: &'a str,
    connector: &'a str,
    status: crate::model::ConnectionStatus,
    created_at: &'a str,
}

/// A connection as the JavaScript object the flows resolve with.
pub(crate) fn connection_to_js(c: &Connection) -> Result<JsValue> {
    to_js(&JsConnection {
        id: &c.id,
        customer_id: &c.customer_id,
        connector: &c.connector,
        status: c.status,
        created_at: &c.created_at,
    })
}

/// A connection from a JavaScript object in the API's JSON form (the OAuth2 popup's
/// message carries the same object as the `POST {connect}/credentials` answer).
pub(crate) fn connection_from_js(value: JsValue) -> Result<Connection> {
    let malformed = |detail: String| {
        Error::new(
            ErrorKind::Decode,
            "server",
            format!("the platform sent a malformed connection: {detail}"),
        )
    };
    let json = js_sys::JSON::stringify(&value)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| malformed("not JSON".to_owned()))?;
    serde_json::from_str(&json).map_err(|e| malformed(e.to_string()))
}

/// `LinkInfo` in TypeScript.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct JsLinkInfo<'a> {
    pub workspace: &'a str,
    pub customer: &'a str,
    pub connector: &'a str,
    pub expires_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<&'a str>,
}

/// Any of the above as a plain JavaScript object, through JSON (serde_json is in the
/// build anyway; a second serializer would only add bytes).
pub(crate) fn to_js<T: Serialize>(value: &T) -> Result<JsValue> {
    let json = serde_json::to_string(value)?;
    js_sys::JSON::parse(&json).map_err(|_| {
        Error::new(
            ErrorKind::Internal,
            "internal",
            "JSON.parse refused our JSON",
        )
    })
}
