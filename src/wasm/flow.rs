//! The connect flows, in Rust, shared by the Promise API (`describe`, `submit`,
//! `authorize`) and the callback API (`open`): one implementation of each step.

use js_sys::{Function, Object};
use wasm_bindgen::{JsCast, JsValue};

use super::clock::now_unix;
use super::http::{get_json, post_json, Endpoints};
use super::subtle::Sealer;
use super::types::{envelope_request, SessionBody};
use crate::envelope::{Credentials, SessionBinding};
use crate::error_code::wire;
use crate::link::{ConnectLink, CLOCK_SKEW};
use crate::model::{AuthType, Connection, FieldSpec};
use crate::{Error, ErrorKind, FieldError, Result, Secret};

/// The options of `new MunityConnect(options)`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Settings {
    /// The workspace certificate to seal to, instead of the session's.
    pub certificate: Option<String>,
    /// The API base (`https://api.munityapps.com/v1`), instead of the link's.
    pub api_base: Option<String>,
}

/// Step reports for `onEvent` (a no-op for the Promise API).
#[derive(Debug, Clone, Default)]
pub(crate) struct Events(Option<Function>);

impl Events {
    /// Reports to `handler` (`(name, data) => void`).
    pub(crate) fn to(handler: Option<Function>) -> Events {
        Events(handler)
    }

    /// Calls `onEvent(name, data)`; what the handler throws is ignored, so a faulty
    /// handler cannot break the flow.
    pub(crate) fn emit(&self, name: &str, data: &JsValue) {
        if let Some(handler) = &self.0 {
            let _ = handler.call2(&JsValue::NULL, &JsValue::from_str(name), data);
        }
    }
}

/// Parses a link in the browser (the form only: the signature is the platform's to
/// check) and refuses it when expired (with the platform's clock-skew allowance).
pub(crate) fn read_link(link: &str, now: i64) -> Result<ConnectLink> {
    let parsed = ConnectLink::parse(link)?;
    let skew = crate::link::secs(CLOCK_SKEW);
    if now > parsed.expires_at().saturating_add(skew) {
        return Err(Error::new(
            ErrorKind::Expired,
            wire::LinkExpired,
            format!(
                "the link expired at {}; ask for a new link",
                crate::time::format_rfc3339(parsed.expires_at())
            ),
        ));
    }
    Ok(parsed)
}

/// Reads a JavaScript `Record<string, string>` of credentials; a value that is not a
/// string is a `validation` error naming the field (the value itself is never quoted).
pub(crate) fn read_credentials(value: &JsValue) -> Result<Credentials> {
    let object = value
        .dyn_ref::<Object>()
        .filter(|_| !js_sys::Array::is_array(value))
        .ok_or_else(|| {
            Error::invalid("validation", "the credentials must be an object of strings")
        })?;
    let mut credentials = Credentials::new();
    let mut errors = Vec::new();
    for entry in Object::entries(object).iter() {
        let pair: js_sys::Array = entry.unchecked_into();
        let name = pair.get(0).as_string().unwrap_or_default();
        match pair.get(1).as_string() {
            Some(text) => credentials.insert(name, Secret::new(text)),
            None => errors.push(FieldError::new(name, "must be a string")),
        }
    }
    if errors.is_empty() {
        Ok(credentials)
    } else {
        Err(validation(errors))
    }
}

fn validation(fields: Vec<FieldError>) -> Error {
    let detail = match fields.as_slice() {
        [one] => format!("{} {}", one.field, one.message),
        _ => format!("{} credential fields are invalid", fields.len()),
    };
    Error::invalid("validation", detail).with_fields(fields)
}

/// Checks the credentials against the connector's schema: every required field
/// present and not blank, no field the connector does not have.
pub(crate) fn validate(fields: &[FieldSpec], credentials: &Credentials) -> Result<()> {
    let mut errors = Vec::new();
    for spec in fields {
        let filled = credentials
            .get(&spec.name)
            .is_some_and(|value| !value.expose().trim().is_empty());
        if spec.required && !filled {
            errors.push(FieldError::new(
                &spec.name,
                format!("{} is required", spec.label),
            ));
        }
    }
    // A linear search: a connector has a handful of fields, and collecting them into a
    // set would bring a sort into the wasm.
    for name in credentials.names() {
        if !fields.iter().any(|f| f.name == name) {
            errors.push(FieldError::new(name, "is not a field of this connector"));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(validation(errors))
    }
}

/// The session binding of a connect link: what an envelope for it is bound to.
pub(crate) fn binding(link: &ConnectLink) -> SessionBinding {
    SessionBinding::new(
        link.customer(),
        link.connector(),
        link.nonce().to_base64url(),
    )
    .with_workspace(link.workspace())
}

/// Seals `credentials` for the session of `link` with `certificate` (PEM, SPKI or JWK),
/// with WebCrypto.
pub(crate) async fn encrypt(
    certificate: &str,
    link: &ConnectLink,
    credentials: &Credentials,
    now: i64,
) -> Result<String> {
    let sealer = Sealer::start(certificate, now).await?;
    sealer.seal(&binding(link), credentials, now).await
}

impl Settings {
    /// Reads the link and fetches its session.
    pub(crate) async fn describe(&self, link: &str) -> Result<SessionBody> {
        read_link(link, now_unix())?;
        let endpoints = Endpoints::of(link, self.api_base.as_deref())?;
        get_json(&endpoints.session()).await
    }

    /// The whole credential flow for one link: session, validation, sealing, posting.
    pub(crate) async fn submit(
        &self,
        link: &str,
        credentials: &Credentials,
        events: &Events,
    ) -> Result<Connection> {
        let parsed = read_link(link, now_unix())?;
        let endpoints = Endpoints::of(link, self.api_base.as_deref())?;
        let session: SessionBody = get_json(&endpoints.session()).await?;
        if session.connector.auth_type == AuthType::Oauth2 {
            return Err(Error::invalid(
                "validation",
                format!(
                    "connector {} uses OAuth2: call authorize()",
                    session.connector.name
                ),
            ));
        }
        validate(&session.connector.fields, credentials)?;
        events.emit("validated", &JsValue::UNDEFINED);
        let certificate = self
            .certificate
            .as_deref()
            .or(session.certificate.as_deref())
            .ok_or_else(|| {
                Error::invalid(
                    "certificate_invalid",
                    "the platform sent no workspace certificate and none was given to MunityConnect",
                )
            })?;
        let envelope = encrypt(certificate, &parsed, credentials, now_unix()).await?;
        events.emit("encrypted", &JsValue::UNDEFINED);
        let body = envelope_request(&envelope);
        let connection = post_json(&endpoints.credentials(), &body).await?;
        events.emit("submitted", &JsValue::UNDEFINED);
        Ok(connection)
    }
}
