//! The platform's connect endpoints, fetched with the global `fetch` (browser, worker or
//! Node 18+), bound directly: gloo-net's request builder and error types cost the
//! package about 1.5 KB gzipped for the two requests made here.
//!
//! A link is `{connect base}?{query}`; the package takes only links on the origin of the
//! pinned API (the `apiBase` option, `https://api.munityapps.com/v1` by default) and
//! sends every request to `{apiBase}/connect`, never to an address the link names:
//! - `GET {connect base}/session?{query}` answers the session;
//! - `POST {connect base}/credentials?{query}` with `{"envelope": jwe}` answers the
//!   connection;
//! - `{connect base}/oauth2/authorize?link={query}&origin={page origin}` is the OAuth2
//!   page the popup shows.
//!
//! Errors: a failed `fetch` is `network`; an answer of 500 or more is `server`; any other
//! error answer keeps the platform's `code` (`link_invalid`, `link_expired`,
//! `link_used`, `validation` with `fields`...).

use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::js;
use super::types::FromJs;
use crate::error_code::wire;
use crate::link::form_encode_into;
use crate::model::ApiErrorBody;
use crate::{Error, ErrorKind, Result};

/// Where a link's connect endpoints are.
#[derive(Debug, Clone)]
pub(crate) struct Endpoints {
    /// `{API base}/connect`, without a trailing slash.
    pub base: String,
    /// The link's query, as signed.
    pub query: String,
    /// The API's origin: the only sender of the OAuth2 popup's message.
    pub origin: String,
}

impl Endpoints {
    /// The endpoints of `link` on the pinned API (`api_base`, of origin `api_origin`).
    /// A link whose own address is on another origin is refused with
    /// `link_foreign_host`: a page given `https://attacker.example/v1/connect?<a genuine
    /// query>` sends nothing there, neither the credentials nor a request.
    pub(crate) fn of(link: &str, api_base: &str, api_origin: &str) -> Result<Endpoints> {
        let link = link.split('#').next().unwrap_or_default();
        let (address, query) = link
            .split_once('?')
            .ok_or_else(|| Error::invalid(wire::LinkInvalid, "the link has no query (no `?`)"))?;
        // The link must start with the pinned origin, then its path or query: byte for
        // byte, as links are written (another spelling of the same origin is refused,
        // which is safe).
        let on_api = address
            .strip_prefix(api_origin)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
        if !on_api {
            return Err(Error::new(
                ErrorKind::PermissionDenied,
                wire::LinkForeignHost,
                "the link is not on the pinned API's origin (`apiBase`)",
            ));
        }
        Ok(Endpoints {
            base: format!("{api_base}/connect"),
            query: query.to_owned(),
            origin: api_origin.to_owned(),
        })
    }

    /// The session URL.
    pub(crate) fn session(&self) -> String {
        format!("{}/session?{}", self.base, self.query)
    }

    /// The configuration URL of a `module` connector (what the end user gives the
    /// system), on the pinned API: never the one a session names.
    pub(crate) fn module_config(&self) -> String {
        format!("{}/module/config?{}", self.base, self.query)
    }

    /// The credentials URL.
    pub(crate) fn credentials(&self) -> String {
        format!("{}/credentials?{}", self.base, self.query)
    }

    /// The OAuth2 page for a popup opened by a page of `origin`.
    pub(crate) fn authorize(&self, origin: &str) -> String {
        // The link's own encoder (no percent-encoding table, no form_urlencoded
        // serializer in the wasm): the same bytes as URLSearchParams.
        let mut url = format!("{}/oauth2/authorize?link=", self.base);
        form_encode_into(&mut url, self.query.as_bytes());
        url.push_str("&origin=");
        form_encode_into(&mut url, origin.as_bytes());
        url
    }
}

#[wasm_bindgen]
extern "C" {
    /// The global `fetch(url, init)`; throws (rather than rejects) only on arguments
    /// it cannot use.
    #[wasm_bindgen(js_name = fetch, catch)]
    fn global_fetch(url: &str, init: &web_sys::RequestInit) -> Result<js_sys::Promise, JsValue>;
}

/// `GET url`, decoded as `T`.
pub(crate) async fn get_json<T: FromJs>(url: &str) -> Result<T> {
    let init = web_sys::RequestInit::new();
    init.set_method("GET");
    decode(fetch(url, &init).await?).await
}

/// `POST url` with `body` (a plain object) as JSON, decoded as `T`.
pub(crate) async fn post_json<T: FromJs>(url: &str, body: &JsValue) -> Result<T> {
    let internal = || {
        Error::new(
            ErrorKind::Internal,
            "internal",
            "the request body is not JSON",
        )
    };
    let body = js_sys::JSON::stringify(body).map_err(|_| internal())?;
    let headers = js_sys::Object::new();
    js::set(
        &headers,
        "content-type",
        &JsValue::from_str("application/json"),
    );
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    init.set_body(&body);
    decode(fetch(url, &init).await?).await
}

/// Sends the request; the platform's answer, whatever its status.
async fn fetch(url: &str, init: &web_sys::RequestInit) -> Result<web_sys::Response> {
    let promise = global_fetch(url, init).map_err(network)?;
    JsFuture::from(promise)
        .await
        .map_err(network)?
        .dyn_into::<web_sys::Response>()
        .map_err(network)
}

/// A failed `fetch` (no answer: offline, refused, CORS...) as a `network` error, with
/// the browser's message.
fn network(err: JsValue) -> Error {
    let why = err
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_else(|| "no answer".to_owned());
    Error::new(
        ErrorKind::Network,
        "network",
        format!("the request to the platform failed: {why}"),
    )
}

/// The browser's `JSON.parse` of `text`, `None` if it is not JSON.
fn parse_json(text: &str) -> Option<JsValue> {
    js_sys::JSON::parse(text).ok()
}

/// A success answer as `T`, or the error answer as an [`Error`].
async fn decode<T: FromJs>(response: web_sys::Response) -> Result<T> {
    let status = response.status();
    let text = JsFuture::from(response.text().map_err(network)?)
        .await
        .map_err(network)?
        .as_string()
        .unwrap_or_default();
    if response.ok() {
        return parse_json(&text)
            .ok_or_else(|| "it is not JSON".to_owned())
            .and_then(|value| T::from_js(&value))
            .map_err(|e| {
                Error::new(
                    ErrorKind::Decode,
                    "server",
                    format!("the platform's answer could not be read: {e}"),
                )
                .with_status(status)
            });
    }
    let body = parse_json(&text).and_then(|value| ApiErrorBody::from_js(&value).ok());
    let err = match body {
        Some(body) if status < 500 => {
            Error::api(status, body.code, body.detail).with_fields(body.fields)
        }
        Some(body) => Error::api(status, "server", format!("{}: {}", body.code, body.detail)),
        None => Error::api(
            status,
            "server",
            format!("the platform answered HTTP {status}"),
        ),
    };
    Err(err)
}
