//! The OAuth2 popup.
//!
//! Browsers (Safari above all) only let a page open a window synchronously inside the
//! user's gesture: `window.open` after an `await` is blocked, and with `noopener` it
//! returns `null` even when it worked. So [`Popup::open_blank`] runs first thing in
//! `authorize` (a plain function, not an `async fn`, whose body would run later in a
//! microtask), on `about:blank`; [`Popup::navigate`] sends it to the platform's page once
//! the session is known, and [`Popup::wait`] waits for the page's `postMessage`.
//!
//! Only messages whose `origin` is the platform's origin and whose `source` is this
//! popup count; everything else on the channel is ignored. The platform's page posts
//! `{"type": "munity:connect", "connection": Connection}` or
//! `{"type": "munity:connect", "error": {"code", "detail"}}` to the opener's origin, then
//! closes itself.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Object, Promise};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{MessageEvent, Window};

use super::js;
use crate::{Error, ErrorKind, Result};

/// The `type` of the platform page's messages.
pub(crate) const MESSAGE_TYPE: &str = "munity:connect";
/// The popup's size when `authorize` is given none (and the prompt's popup's).
pub(crate) const DEFAULT_WIDTH: u32 = 500;
pub(crate) const DEFAULT_HEIGHT: u32 = 700;
/// How often the popup is checked for having been closed, in milliseconds.
const CLOSED_POLL_MS: i32 = 250;

/// An open popup window.
#[derive(Debug)]
pub(crate) struct Popup {
    window: Window,
    popup: Window,
}

/// The page's window.
pub(crate) fn window() -> Result<Window> {
    web_sys::window().ok_or_else(|| {
        Error::new(
            ErrorKind::Config,
            "no_window",
            "this function needs a browser window",
        )
    })
}

impl Popup {
    /// Opens an `about:blank` popup of the given size, centred on the page. Call it
    /// synchronously in the user's gesture.
    pub(crate) fn open_blank(width: u32, height: u32) -> Result<Popup> {
        let window = window()?;
        let outer = |v: Result<JsValue, JsValue>| v.ok().and_then(|v| v.as_f64()).unwrap_or(0.0);
        let left = outer(window.screen_x())
            + (outer(window.outer_width()) - f64::from(width)).max(0.0) / 2.0;
        let top = outer(window.screen_y())
            + (outer(window.outer_height()) - f64::from(height)).max(0.0) / 2.0;
        let features = format!(
            "popup=yes,width={width},height={height},left={},top={}",
            left.round() as i64,
            top.round() as i64
        );
        let popup = window
            .open_with_url_and_target_and_features("about:blank", "munity_connect", &features)
            .ok()
            .flatten()
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::PermissionDenied,
                    "popup_blocked",
                    "the browser blocked the popup: call authorize() directly in a click handler",
                )
            })?;
        Ok(Popup { window, popup })
    }

    /// Sends the popup to `url`.
    pub(crate) fn navigate(&self, url: &str) -> Result<()> {
        self.popup.location().set_href(url).map_err(|_| {
            Error::new(
                ErrorKind::Internal,
                "window_closed",
                "the popup could not be navigated",
            )
        })
    }

    /// Closes the popup (after an error before it got its page).
    pub(crate) fn close(&self) {
        let _ = self.popup.close();
    }

    /// Waits for the platform page's message (from `origin`, sent by this popup) and
    /// returns its `connection`, or the error it reports; `window_closed` if the user
    /// closes the popup first.
    pub(crate) async fn wait(&self, origin: &str) -> Result<JsValue> {
        let (promise, resolve, reject) = deferred();
        let listener = Listener::install(&self.window, &self.popup, origin, resolve, reject)?;
        let outcome = JsFuture::from(promise).await;
        drop(listener);
        match outcome {
            Ok(data) => message_result(&data),
            Err(_) => Err(Error::new(
                ErrorKind::Conflict,
                "window_closed",
                "the popup was closed before the connection was made",
            )),
        }
    }
}

/// A Promise and its resolve and reject functions.
fn deferred() -> (Promise, Function, Function) {
    let mut functions = None;
    let promise = Promise::new(&mut |resolve, reject| functions = Some((resolve, reject)));
    // The executor runs synchronously inside `new Promise`, so both are set.
    let (resolve, reject) =
        functions.unwrap_or_else(|| (Function::new_no_args(""), Function::new_no_args("")));
    (promise, resolve, reject)
}

/// The message listener and the closed-popup poll; both are removed on drop.
struct Listener {
    window: Window,
    on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_tick: Closure<dyn FnMut()>,
    interval: i32,
}

impl Listener {
    fn install(
        window: &Window,
        popup: &Window,
        origin: &str,
        resolve: Function,
        reject: Function,
    ) -> Result<Listener> {
        let expected_origin = origin.to_owned();
        let expected_source: JsValue = popup.clone().into();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            if event.origin() != expected_origin {
                return;
            }
            let from_popup = event
                .source()
                .is_some_and(|source| Object::is(&source, &expected_source));
            let data = event.data();
            let ours = js::get_string(&data, "type").is_some_and(|t| t == MESSAGE_TYPE);
            if from_popup && ours {
                let _ = resolve.call1(&JsValue::NULL, &data);
            }
        });
        // The popup may close right after posting: its message is queued before the
        // close, but wait one more tick after seeing it closed all the same.
        let seen_closed = Rc::new(RefCell::new(false));
        let popup = popup.clone();
        let on_tick = Closure::<dyn FnMut()>::new(move || {
            if popup.closed().unwrap_or(true) {
                let mut seen = seen_closed.borrow_mut();
                if *seen {
                    let _ = reject.call0(&JsValue::NULL);
                }
                *seen = true;
            }
        });
        let failed = |_| {
            Error::new(
                ErrorKind::Internal,
                "internal",
                "could not listen to the popup",
            )
        };
        window
            .add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref())
            .map_err(failed)?;
        let interval = window
            .set_interval_with_callback_and_timeout_and_arguments_0(
                on_tick.as_ref().unchecked_ref(),
                CLOSED_POLL_MS,
            )
            .map_err(failed)?;
        Ok(Listener {
            window: window.clone(),
            on_message,
            _on_tick: on_tick,
            interval,
        })
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.window.remove_event_listener_with_callback(
            "message",
            self.on_message.as_ref().unchecked_ref(),
        );
        self.window.clear_interval_with_handle(self.interval);
    }
}

/// The platform page's message as the connection, or its error.
fn message_result(data: &JsValue) -> Result<JsValue> {
    let connection = js::get(data, "connection");
    if connection.is_object() {
        return Ok(connection);
    }
    let error = js::get(data, "error");
    let code = js::get_string(&error, "code").unwrap_or_else(|| "server".to_owned());
    let detail =
        js::get_string(&error, "detail").unwrap_or_else(|| "the authorization failed".to_owned());
    Err(Error::new(ErrorKind::PermissionDenied, code, detail))
}
