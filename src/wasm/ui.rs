//! `open`: the callback form, with a minimal built-in prompt.
//!
//! A modal `<dialog class="munity-connect">` with one labelled input per field of the
//! connector (password inputs for secrets), a "Connect" button and a "Cancel" button, or,
//! for OAuth2 connectors, a "Connect with <connector>" button whose click opens the popup
//! (inside the user's gesture, as `authorize` needs). Field errors show under their input
//! (`aria-describedby`), the status line is `aria-live`. It runs the same flows as the
//! Promise API and reports each step to `onEvent`.
//!
//! Validation errors stay in the dialog for the user to fix (and go to `onEvent` as
//! `error`); any other error closes it and goes to `onError`. Cancel or Escape close it
//! and call `onExit`. The app closes it with [`Opened::close`] (the handle `open`
//! returns): the dialog, the popup and every listener go, and no handler is called.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::{Document, Element, Event, HtmlDialogElement, HtmlInputElement};

use super::connect::{authorize_once, call};
use super::flow::{Events, Settings};
use super::link_source::LinkSource;
use super::popup::{window, Popup};
use super::types::{connection_to_js, SessionBody};
use crate::envelope::Credentials;
use crate::model::{AuthType, Connection};
use crate::{Error, ErrorKind, Result, Secret};

/// The handlers given to `open`.
#[derive(Debug, Clone)]
pub(crate) struct Handlers {
    on_success: Function,
    on_error: Function,
    on_exit: Option<Function>,
    on_event: Option<Function>,
}

impl Handlers {
    /// Reads `{ onSuccess, onError, onExit?, onEvent? }`.
    pub(crate) fn from_js(value: &JsValue) -> Result<Handlers> {
        let get = |key: &str, required: bool| -> Result<Option<Function>> {
            let v = Reflect::get(value, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED);
            match v.dyn_into::<Function>() {
                Ok(f) => Ok(Some(f)),
                Err(v) if !required && (v.is_undefined() || v.is_null()) => Ok(None),
                Err(_) => Err(Error::new(
                    ErrorKind::Config,
                    "invalid_option",
                    format!("handler `{key}` must be a function"),
                )),
            }
        };
        if !value.is_object() {
            return Err(Error::new(
                ErrorKind::Config,
                "invalid_option",
                "open() needs a handlers object",
            ));
        }
        let missing = || {
            Error::new(
                ErrorKind::Internal,
                "internal",
                "a required handler vanished",
            )
        };
        Ok(Handlers {
            on_success: get("onSuccess", true)?.ok_or_else(missing)?,
            on_error: get("onError", true)?.ok_or_else(missing)?,
            on_exit: get("onExit", false)?,
            on_event: get("onEvent", false)?,
        })
    }
}

/// A DOM event listener.
type Listener = Closure<dyn FnMut(Event)>;

/// The state of one open dialog.
struct Prompt {
    settings: Rc<Settings>,
    source: LinkSource,
    handlers: Handlers,
    events: Events,
    session: SessionBody,
    dialog: HtmlDialogElement,
    status: Element,
    /// The event listeners, dropped (after the current event) when the dialog closes.
    listeners: RefCell<Vec<Listener>>,
    done: RefCell<bool>,
    /// The OAuth2 popup, once the user asked for it.
    popup: RefCell<Option<Rc<Popup>>>,
}

impl std::fmt::Debug for Prompt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prompt")
            .field("connector", &self.session.connector.name)
            .finish()
    }
}

/// What `open` started: closed by the app through the handle.
#[derive(Debug, Default)]
pub(crate) struct Opened {
    closed: Cell<bool>,
    prompt: RefCell<Option<Rc<Prompt>>>,
}

impl Opened {
    /// Closes the prompt (or stops it from showing if the session is still loading) and
    /// its popup, and removes its listeners; no handler is called. Idempotent.
    pub(crate) fn close(&self) {
        self.closed.set(true);
        if let Some(prompt) = self.prompt.borrow_mut().take() {
            if !*prompt.done.borrow() {
                prompt.close();
            }
        }
    }
}

/// Starts `open`: fetches the session, then shows the prompt (unless closed by then).
pub(crate) fn open(settings: Rc<Settings>, source: LinkSource, handlers: Handlers) -> Rc<Opened> {
    let opened = Rc::new(Opened::default());
    let state = Rc::clone(&opened);
    spawn_local(async move {
        let events = Events::to(handlers.on_event.clone());
        let described = source
            .run(
                |link| {
                    let settings = Rc::clone(&settings);
                    async move { settings.describe(&link).await }
                },
                |_| {},
            )
            .await;
        if state.closed.get() {
            return;
        }
        let shown = described
            .and_then(|session| show(settings, source, handlers.clone(), events.clone(), session));
        match shown {
            Ok(prompt) => *state.prompt.borrow_mut() = Some(prompt),
            Err(err) => {
                let js = JsValue::from(err);
                events.emit("error", &js);
                call(&handlers.on_error, &js);
            }
        }
    });
    opened
}

fn element(
    document: &Document,
    tag: &str,
    attributes: &[(&str, &str)],
    text: Option<&str>,
) -> Result<Element> {
    let dom = |_| {
        Error::new(
            ErrorKind::Internal,
            "internal",
            "could not build the prompt",
        )
    };
    let el = document.create_element(tag).map_err(dom)?;
    for (name, value) in attributes {
        el.set_attribute(name, value).map_err(dom)?;
    }
    if let Some(text) = text {
        el.set_text_content(Some(text));
    }
    Ok(el)
}

fn append(parent: &Element, child: &Element) -> Result<()> {
    parent.append_child(child).map(|_| ()).map_err(|_| {
        Error::new(
            ErrorKind::Internal,
            "internal",
            "could not build the prompt",
        )
    })
}

/// Builds and shows the dialog.
fn show(
    settings: Rc<Settings>,
    source: LinkSource,
    handlers: Handlers,
    events: Events,
    session: SessionBody,
) -> Result<Rc<Prompt>> {
    let window = window()?;
    let document = window
        .document()
        .ok_or_else(|| Error::new(ErrorKind::Config, "no_window", "open() needs a document"))?;
    let name = session.connector.display_name.clone();
    let dialog = element(
        &document,
        "dialog",
        &[
            ("class", "munity-connect"),
            ("aria-labelledby", "munity-connect-title"),
        ],
        None,
    )?;
    let form = element(&document, "form", &[("novalidate", "")], None)?;
    append(&dialog, &form)?;
    append(
        &form,
        &element(
            &document,
            "h2",
            &[("id", "munity-connect-title")],
            Some(&format!("Connect {name}")),
        )?,
    )?;
    for field in &session.connector.fields {
        let id = format!("munity-field-{}", field.name);
        let error_id = format!("{id}-error");
        let kind = match field.kind {
            _ if field.secret => "password",
            crate::model::FieldKind::Url => "url",
            _ => "text",
        };
        let row = element(&document, "p", &[], None)?;
        append(
            &row,
            &element(&document, "label", &[("for", &id)], Some(&field.label))?,
        )?;
        let mut attributes = vec![
            ("id", id.as_str()),
            ("name", field.name.as_str()),
            ("type", kind),
            ("autocomplete", "off"),
            ("aria-describedby", error_id.as_str()),
        ];
        if field.required {
            attributes.push(("required", ""));
        }
        append(&row, &element(&document, "input", &attributes, None)?)?;
        append(
            &row,
            &element(
                &document,
                "span",
                &[("id", &error_id), ("class", "munity-field-error")],
                None,
            )?,
        )?;
        append(&form, &row)?;
    }
    if let Some(config_url) = &session.module_config_url {
        // A module: the system connects it; the end user gives the system this URL.
        append(
            &form,
            &element(
                &document,
                "p",
                &[("id", "munity-module-help")],
                Some(&format!(
                    "In {name}, open the marketplace, choose this module and paste its \
                     configuration URL. {name} then registers it, and the connection is made."
                )),
            )?,
        )?;
        let row = element(&document, "p", &[], None)?;
        append(
            &row,
            &element(
                &document,
                "label",
                &[("for", "munity-module-config-url")],
                Some("Configuration URL"),
            )?,
        )?;
        append(
            &row,
            &element(
                &document,
                "input",
                &[
                    ("id", "munity-module-config-url"),
                    ("type", "url"),
                    ("readonly", ""),
                    ("value", config_url),
                    ("aria-describedby", "munity-module-help"),
                ],
                None,
            )?,
        )?;
        append(&form, &row)?;
    }
    let status = element(
        &document,
        "p",
        &[
            ("class", "munity-status"),
            ("role", "status"),
            ("aria-live", "polite"),
        ],
        None,
    )?;
    append(&form, &status)?;
    let label = match session.connector.auth_type {
        AuthType::Oauth2 => format!("Connect with {name}"),
        // Nothing to send from here: the button closes the prompt.
        AuthType::Module => "Done".to_owned(),
        _ => "Connect".to_owned(),
    };
    append(
        &form,
        &element(&document, "button", &[("type", "submit")], Some(&label))?,
    )?;
    let cancel = element(
        &document,
        "button",
        &[("type", "button"), ("class", "munity-cancel")],
        Some("Cancel"),
    )?;
    append(&form, &cancel)?;
    let body = document.body().ok_or_else(|| {
        Error::new(
            ErrorKind::Config,
            "no_window",
            "open() needs a document body",
        )
    })?;
    body.append_child(&dialog)
        .map_err(|_| Error::new(ErrorKind::Internal, "internal", "could not show the prompt"))?;
    let dialog: HtmlDialogElement = dialog.unchecked_into();
    let prompt = Rc::new(Prompt {
        settings,
        source,
        handlers,
        events,
        session,
        dialog: dialog.clone(),
        status,
        listeners: RefCell::new(Vec::new()),
        done: RefCell::new(false),
        popup: RefCell::new(None),
    });
    let listen =
        |target: &web_sys::EventTarget, name: &str, f: Box<dyn FnMut(Event)>| -> Result<()> {
            let closure = Closure::wrap(f);
            target
                .add_event_listener_with_callback(name, closure.as_ref().unchecked_ref())
                .map_err(|_| {
                    Error::new(
                        ErrorKind::Internal,
                        "internal",
                        "could not listen to the prompt",
                    )
                })?;
            prompt.listeners.borrow_mut().push(closure);
            Ok(())
        };
    let p = Rc::clone(&prompt);
    listen(
        &form,
        "submit",
        Box::new(move |event: Event| {
            event.prevent_default();
            on_submit(&p);
        }),
    )?;
    let p = Rc::clone(&prompt);
    listen(&cancel, "click", Box::new(move |_| p.exit()))?;
    let p = Rc::clone(&prompt);
    // Escape: the dialog's `cancel` event.
    listen(
        &dialog,
        "cancel",
        Box::new(move |event: Event| {
            event.prevent_default();
            p.exit();
        }),
    )?;
    dialog
        .show_modal()
        .map_err(|_| Error::new(ErrorKind::Internal, "internal", "could not show the prompt"))?;
    let data = Object::new();
    let _ = Reflect::set(
        &data,
        &"connector".into(),
        &prompt.session.connector.name.as_str().into(),
    );
    let _ = Reflect::set(
        &data,
        &"authType".into(),
        &prompt.session.connector.auth_type.as_str().into(),
    );
    prompt.events.emit("opened", &data);
    Ok(prompt)
}

/// The form's submit: the OAuth2 popup (opened now, in the gesture) or the credentials.
fn on_submit(prompt: &Rc<Prompt>) {
    if *prompt.done.borrow() {
        return;
    }
    if prompt.session.connector.auth_type == AuthType::Module {
        return prompt.exit();
    }
    prompt.set_status("Connecting…");
    let p = Rc::clone(prompt);
    if prompt.session.connector.auth_type == AuthType::Oauth2 {
        let popup = match Popup::open_blank(500, 700) {
            Ok(popup) => Rc::new(popup),
            Err(err) => return prompt.fail(err),
        };
        *prompt.popup.borrow_mut() = Some(Rc::clone(&popup));
        spawn_local(async move {
            let result = p
                .source
                .run(
                    |link| {
                        let (settings, popup) = (Rc::clone(&p.settings), Rc::clone(&popup));
                        async move { authorize_once(&settings, &popup, &link).await }
                    },
                    |_| {},
                )
                .await;
            if result.is_err() {
                popup.close();
            }
            p.finish(result);
        });
        return;
    }
    let credentials = match prompt.read_inputs() {
        Ok(credentials) => credentials,
        Err(err) => return prompt.fail(err),
    };
    spawn_local(async move {
        let result = p
            .source
            .run(
                |link| {
                    let (settings, credentials, events) = (
                        Rc::clone(&p.settings),
                        credentials.clone(),
                        p.events.clone(),
                    );
                    async move { settings.submit(&link, &credentials, &events).await }
                },
                |_| {},
            )
            .await;
        p.finish(result);
    });
}

impl Prompt {
    fn set_status(&self, text: &str) {
        self.status.set_text_content(Some(text));
    }

    /// The inputs' values as credentials (empty optional fields left out).
    fn read_inputs(&self) -> Result<Credentials> {
        let mut credentials = Credentials::new();
        for field in &self.session.connector.fields {
            let input = self
                .dialog
                .query_selector(&format!("#munity-field-{}", field.name))
                .ok()
                .flatten()
                .and_then(|el| el.dyn_into::<HtmlInputElement>().ok())
                .ok_or_else(|| {
                    Error::new(ErrorKind::Internal, "internal", "a prompt input vanished")
                })?;
            let value = input.value();
            if !value.is_empty() {
                credentials.insert(field.name.clone(), Secret::new(value));
            }
        }
        Ok(credentials)
    }

    fn finish(&self, result: Result<Connection>) {
        // Closed meanwhile (by the app): nothing more to report.
        if *self.done.borrow() {
            return;
        }
        match result.and_then(|c| connection_to_js(&c)) {
            Ok(connection) => {
                self.events.emit("success", &connection);
                self.close();
                call(&self.handlers.on_success, &connection);
            }
            Err(err) => self.fail(err),
        }
    }

    /// Validation errors: shown by their inputs, the dialog stays. Others: close and
    /// `onError`.
    fn fail(&self, err: Error) {
        for field in &self.session.connector.fields {
            let message = err
                .fields()
                .iter()
                .find(|f| f.field == field.name)
                .map(|f| f.message.as_str());
            if let Ok(Some(el)) = self
                .dialog
                .query_selector(&format!("#munity-field-{}-error", field.name))
            {
                el.set_text_content(message);
            }
        }
        let validation = err.code() == "validation";
        self.set_status(err.detail());
        let js = JsValue::from(err);
        self.events.emit("error", &js);
        if !validation {
            self.close();
            call(&self.handlers.on_error, &js);
        }
    }

    fn exit(&self) {
        if *self.done.borrow() {
            return;
        }
        self.close();
        self.events.emit("exit", &JsValue::UNDEFINED);
        if let Some(on_exit) = &self.handlers.on_exit {
            call(on_exit, &JsValue::UNDEFINED);
        }
    }

    /// Closes and removes the dialog; its listeners are dropped after the current event.
    fn close(&self) {
        *self.done.borrow_mut() = true;
        self.dialog.close();
        self.dialog.remove();
        if let Some(popup) = self.popup.borrow_mut().take() {
            popup.close();
        }
        let listeners = std::mem::take(&mut *self.listeners.borrow_mut());
        spawn_local(async move { drop(listeners) });
    }
}
