//! `MunityConnect`: the Promise API (`describe`, `submit`, `authorize`) and the callback
//! API (`open`) over the flows of `flow.rs`.

use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use super::flow::{self, read_credentials, Events, Settings};
use super::js::{self, promise, reject, size_option, string_option};
use super::link_source::LinkSource;
use super::popup::{self, Popup};
use super::types::connection_to_js;
use super::ui;
use crate::{Error, Result};

/// Connects an end user's account from the browser: reads the connect link, validates
/// and encrypts the credentials with the workspace certificate, submits them, or runs
/// the OAuth2 popup.
#[wasm_bindgen]
#[derive(Debug, Clone)]
pub struct MunityConnect {
    settings: Rc<Settings>,
}

#[wasm_bindgen]
impl MunityConnect {
    /// `new MunityConnect({ apiBase?, certificate?, certificateKid? })`: `apiBase` pins
    /// the API (default `https://api.munityapps.com/v1`; `https`, or `http` on loopback):
    /// links on another origin are refused with `link_foreign_host` before anything is sent.
    /// `certificate` (the key as a public JWK, JSON text) is sealed to instead of the
    /// session's (the strongest pin); or `certificateKid` (the certificate's SHA-256
    /// thumbprint) refuses a session carrying another key with `certificate_mismatch`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "MunityConnectOptions")] options: JsValue,
    ) -> Result<MunityConnect> {
        let settings = Settings::new(
            string_option(&options, "apiBase")?,
            string_option(&options, "certificate")?,
            string_option(&options, "certificateKid")?,
        )?;
        Ok(MunityConnect {
            settings: Rc::new(settings),
        })
    }

    /// Reads the link's connect session: the connector, its `authType`, the `fields` to
    /// ask for, `expiresAt`.
    #[wasm_bindgen(unchecked_return_type = "Promise<ConnectSession>")]
    pub fn describe(
        &self,
        #[wasm_bindgen(unchecked_param_type = "LinkSource")] link: JsValue,
    ) -> Promise {
        let source = match LinkSource::from_js(&link) {
            Ok(source) => source,
            Err(err) => return reject(err),
        };
        let settings = Rc::clone(&self.settings);
        promise(async move { flow::describe(&settings, &source).await?.to_js() })
    }

    /// Validates `credentials` against the connector's fields, encrypts them with the
    /// workspace certificate, submits them and resolves with the new connection.
    #[wasm_bindgen(unchecked_return_type = "Promise<Connection>")]
    pub fn submit(
        &self,
        #[wasm_bindgen(unchecked_param_type = "LinkSource")] link: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Record<string, string>")] credentials: JsValue,
    ) -> Promise {
        let prepared =
            LinkSource::from_js(&link).and_then(|s| Ok((s, read_credentials(&credentials)?)));
        let (source, credentials) = match prepared {
            Ok(prepared) => prepared,
            Err(err) => return reject(err),
        };
        let settings = Rc::clone(&self.settings);
        promise(async move {
            let events = Events::default();
            let connection = flow::submit(&settings, &source, &credentials, &events).await?;
            connection_to_js(&connection)
        })
    }

    /// Runs the OAuth2 flow in a popup and resolves with the new connection. Call it
    /// directly in a click handler: the popup is opened before anything else (browsers
    /// block popups opened later), then sent to the platform's page. An `AbortSignal`
    /// in `options.signal` closes the popup when aborted (the Promise then rejects with
    /// `window_closed`).
    #[wasm_bindgen(unchecked_return_type = "Promise<Connection>")]
    pub fn authorize(
        &self,
        #[wasm_bindgen(unchecked_param_type = "LinkSource")] link: JsValue,
        #[wasm_bindgen(unchecked_param_type = "AuthorizeOptions")] options: JsValue,
    ) -> Promise {
        let prepared = (|| {
            let width = size_option(&options, "width", popup::DEFAULT_WIDTH)?;
            let height = size_option(&options, "height", popup::DEFAULT_HEIGHT)?;
            let source = LinkSource::from_js(&link)?;
            // First thing that touches the browser: open the window in the user's gesture.
            Ok::<_, Error>((source, Rc::new(Popup::open_blank(width, height)?)))
        })();
        let (source, popup) = match prepared {
            Ok(prepared) => prepared,
            Err(err) => return reject(err),
        };
        let abort = on_abort(&options, &popup);
        let settings = Rc::clone(&self.settings);
        promise(async move {
            let _abort = abort;
            let connection = flow::authorize(&settings, &source, &popup).await?;
            connection_to_js(&connection)
        })
    }

    /// The callback form: shows the connect prompt for the link's connector in a dialog
    /// (or the OAuth2 button), and reports to `handlers`: `onSuccess(connection)`,
    /// `onError(error)`, `onExit()` when the user closes it, `onEvent(name, data)` for
    /// each step (`opened`, `validated`, `encrypted`, `submitted`, `success`, `error`,
    /// `exit`). Returns a [`ConnectHandle`]: its `close()` takes the prompt down.
    pub fn open(
        &self,
        #[wasm_bindgen(unchecked_param_type = "LinkSource")] link: JsValue,
        #[wasm_bindgen(unchecked_param_type = "OpenHandlers")] handlers: JsValue,
    ) -> Result<ConnectHandle> {
        let handlers = ui::Handlers::from_js(&handlers)?;
        let source = LinkSource::from_js(&link)?;
        Ok(ConnectHandle {
            opened: ui::open(Rc::clone(&self.settings), source, handlers),
        })
    }
}

/// What `open()` returns: the app's hold on the prompt it opened.
#[wasm_bindgen]
#[derive(Debug)]
pub struct ConnectHandle {
    opened: Rc<ui::Opened>,
}

#[wasm_bindgen]
impl ConnectHandle {
    /// Closes the prompt, its OAuth2 popup and every listener it added, whenever it is
    /// called (even while the session is still loading: then nothing is shown). No
    /// handler is called, and a flow still running reports nothing. Safe to call twice.
    pub fn close(&self) {
        self.opened.close();
    }
}

/// The `abort` listener on `options.signal` (an `AbortSignal`, if given) that closes
/// `popup`; removed when the returned guard is dropped.
fn on_abort(options: &JsValue, popup: &Rc<Popup>) -> Option<AbortListener> {
    if !options.is_object() {
        return None;
    }
    let signal = js::get(options, "signal");
    let target: web_sys::EventTarget = signal.dyn_into().ok()?;
    let popup = Rc::clone(popup);
    let closure = Closure::<dyn FnMut()>::new(move || popup.close());
    target
        .add_event_listener_with_callback("abort", closure.as_ref().unchecked_ref())
        .ok()?;
    Some(AbortListener { target, closure })
}

/// An `abort` listener, removed on drop.
struct AbortListener {
    target: web_sys::EventTarget,
    closure: Closure<dyn FnMut()>,
}

impl Drop for AbortListener {
    fn drop(&mut self) {
        let _ = self
            .target
            .remove_event_listener_with_callback("abort", self.closure.as_ref().unchecked_ref());
    }
}
