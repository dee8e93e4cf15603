//! The connect flows, in Rust, shared by the Promise API (`describe`, `submit`,
//! `authorize`) and the callback API (`open`): one implementation of each step, and of
//! each whole flow over a [`LinkSource`] (renewing the link once when it expired or was
//! used).

use js_sys::{Function, Object};
use wasm_bindgen::{JsCast, JsValue};

use super::clock::now_unix;
use super::http::{get_json, post_json, Endpoints};
use super::link_source::LinkSource;
use super::popup::{window, Popup};
use super::subtle::Sealer;
use super::types::{connection_from_js, envelope_request};
use crate::connect::check_credentials;
// The core's connect rules, under the names `mod.rs` calls them by.
pub(crate) use crate::connect::{binding, read_link};
use crate::envelope::{Credentials, PublicJwk, WorkspaceCertificate};
use crate::error_code::wire;
use crate::link::ConnectLink;
use crate::model::{AuthType, ConnectSession, Connection};
use crate::origin::is_trustworthy;
use crate::{Error, ErrorKind, FieldError, Result, Secret};

/// The options of `new MunityConnect(options)`, checked.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// The workspace key (a public JWK, JSON text) to seal to, instead of the
    /// session's: the `certificate` option.
    pub certificate: Option<String>,
    /// The pinned API's base, without a trailing slash (`https://api.munityapps.com/v1`
    /// unless `apiBase` says otherwise): every request goes there, and only links on its
    /// origin are taken.
    pub api_base: String,
    /// The pinned API's origin, as the browser writes it (`scheme://host[:port]`).
    pub api_origin: String,
    /// The key id (SHA-256 thumbprint) the session's certificate must have: the
    /// `certificateKid` option.
    pub pinned_kid: Option<String>,
}

impl Settings {
    /// Checks the options: `apiBase` must be an absolute `https` URL (`http` on loopback
    /// only) without user, query or fragment; `certificateKid` must have a key id's
    /// length; `certificate` must be a public JWK. With both `certificate` and
    /// `certificateKid`, both pins apply.
    pub(crate) fn new(
        api_base: Option<String>,
        certificate: Option<String>,
        certificate_kid: Option<String>,
    ) -> Result<Settings> {
        let option =
            |detail: &'static str| Error::new(ErrorKind::Config, wire::InvalidOption, detail);
        let api_base = api_base
            .as_deref()
            .unwrap_or(crate::link::DEFAULT_API_BASE)
            .trim_end_matches('/')
            .to_owned();
        // The rule of `crate::origin` (a link's `redirect_uri` follows it too): https, or
        // http on a loopback host only; the origin as the browser's URL parser writes it.
        let api_origin = web_sys::Url::new(&api_base)
            .map(|url| url.origin())
            .unwrap_or_default();
        let decorated = api_base
            .bytes()
            .any(|b| matches!(b, b'*' | b'@' | b'?' | b'#'));
        if !is_trustworthy(&api_base) || decorated || api_origin.is_empty() {
            return Err(option(
                "`apiBase` must be https (or http on loopback), with no user, query or *",
            ));
        }
        // A key id is a base64url SHA-256 (43 characters); any other is a mistake.
        if certificate_kid.as_ref().is_some_and(|kid| kid.len() != 43) {
            return Err(option("`certificateKid` must be a 43-character key id"));
        }
        // A certificate pin that is not a key fails here, not at the first seal.
        if let Some(jwk) = &certificate {
            WorkspaceCertificate::parse_jwk(jwk)?;
        }
        Ok(Settings {
            certificate,
            api_base,
            api_origin,
            pinned_kid: certificate_kid,
        })
    }
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

/// Seals `credentials` for the session of `link` to the workspace key `jwk` (a public
/// JWK, JSON text), with WebCrypto.
pub(crate) async fn encrypt(
    jwk: &str,
    link: &ConnectLink,
    credentials: &Credentials,
    now: i64,
) -> Result<String> {
    let sealer = Sealer::start(jwk).await?;
    sealer.seal(&binding(link), credentials, now).await
}

impl Settings {
    /// The endpoints of `link` on the pinned API; a link on another origin is refused
    /// before any request.
    pub(crate) fn endpoints(&self, link: &str) -> Result<Endpoints> {
        Endpoints::of(link, &self.api_base, &self.api_origin)
    }

    /// Reads the link and fetches its session.
    pub(crate) async fn describe(&self, link: &str) -> Result<ConnectSession> {
        read_link(link, now_unix())?;
        let endpoints = self.endpoints(link)?;
        let mut session: ConnectSession = get_json(&endpoints.session()).await?;
        self.check_pin(&session)?;
        if session.connector.auth_type == AuthType::Module {
            session.module_config_url = Some(endpoints.module_config());
        }
        Ok(session)
    }

    /// Refuses a session whose certificate is not the pinned one (a plain function,
    /// not an `async` one: each `async` layer is a state machine in the package).
    #[inline(never)]
    fn check_pin(&self, session: &ConnectSession) -> Result<()> {
        let Some(pinned) = &self.pinned_kid else {
            return Ok(());
        };
        let sent = match &session.jwk {
            Some(jwk) => Some(WorkspaceCertificate::from_public_jwk(jwk)?),
            None => None,
        };
        if sent.as_ref().map(WorkspaceCertificate::kid) == Some(pinned.as_str()) {
            return Ok(());
        }
        Err(Error::new(
            ErrorKind::Verification,
            wire::CertificateMismatch,
            "the session's certificate is not the pinned one",
        ))
    }

    /// The whole credential flow for one link: session, validation, sealing, posting.
    pub(crate) async fn submit(
        &self,
        link: &str,
        credentials: &Credentials,
        events: &Events,
    ) -> Result<Connection> {
        // The session as `describe` reads it (one copy of that request in the package).
        let session = self.describe(link).await?;
        let parsed = read_link(link, now_unix())?;
        let endpoints = self.endpoints(link)?;
        // A connector that takes no credentials: the core's reason, and what to call
        // instead.
        if let Some(why) = session.connector.auth_type.connects_without_credentials() {
            let instead = match session.connector.auth_type {
                AuthType::Module => "give the system describe()'s moduleConfigUrl",
                _ => "call authorize()",
            };
            return Err(Error::invalid("validation", format!("{why}: {instead}")));
        }
        let invalid = check_credentials(&session.connector, credentials);
        if !invalid.is_empty() {
            return Err(validation(invalid));
        }
        events.emit("validated", &JsValue::UNDEFINED);
        let jwk = self
            .certificate
            .clone()
            .or_else(|| session.jwk.as_ref().map(PublicJwk::to_json))
            .ok_or_else(|| {
                Error::invalid(
                    "certificate_invalid",
                    "the platform sent no workspace key (`jwk`) and none was given to MunityConnect",
                )
            })?;
        let envelope = encrypt(&jwk, &parsed, credentials, now_unix()).await?;
        events.emit("encrypted", &JsValue::UNDEFINED);
        let body = envelope_request(&envelope);
        let connection = post_json(&endpoints.credentials(), &body).await?;
        events.emit("submitted", &JsValue::UNDEFINED);
        Ok(connection)
    }
}

/// `describe`: the session of the source's link.
pub(crate) async fn describe(settings: &Settings, source: &LinkSource) -> Result<ConnectSession> {
    source
        .run(|link| async move { settings.describe(&link).await })
        .await
}

/// `submit`: the credential flow with the source's link.
pub(crate) async fn submit(
    settings: &Settings,
    source: &LinkSource,
    credentials: &Credentials,
    events: &Events,
) -> Result<Connection> {
    source
        .run(|link| async move { settings.submit(&link, credentials, events).await })
        .await
}

/// `authorize`: the OAuth2 flow with the source's link in `popup` (opened beforehand,
/// in the user's gesture), which is closed when the flow fails.
pub(crate) async fn authorize(
    settings: &Settings,
    source: &LinkSource,
    popup: &Popup,
) -> Result<Connection> {
    let result = source
        .run(|link| async move { authorize_once(settings, popup, &link).await })
        .await;
    if result.is_err() {
        popup.close();
    }
    result
}

/// One OAuth2 attempt with one link, in an open popup.
async fn authorize_once(settings: &Settings, popup: &Popup, link: &str) -> Result<Connection> {
    let session = settings.describe(link).await?;
    if session.connector.auth_type != AuthType::Oauth2 {
        return Err(Error::invalid(
            "validation",
            format!(
                "connector {} does not use OAuth2: call submit() with its fields",
                session.connector.name
            ),
        ));
    }
    let endpoints = settings.endpoints(link)?;
    let page_origin = window()?
        .location()
        .origin()
        .map_err(|_| Error::new(ErrorKind::Internal, "internal", "the page has no origin"))?;
    popup.navigate(&endpoints.authorize(&page_origin))?;
    let data = popup.wait(&endpoints.origin).await?;
    connection_from_js(data)
}
