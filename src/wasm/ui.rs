//! `open`: the callback form, with the built-in prompt.
//!
//! A modal `<dialog class="munity-connect">` with one labelled input per field of the
//! connector (password inputs for secrets), a "Connect" button and a "Cancel" button, or,
//! for OAuth2 connectors, a "Connect with <connector>" button whose click opens the popup
//! (inside the user's gesture, as `authorize` needs). It runs the same flows as the
//! Promise API and reports each step to `onEvent`.
//!
//! The dialog's `data-state` is `ready`, `busy` (sealing and submitting: inputs read-only,
//! a spinner on the button), `success` or `failure`. Validation errors stay in the
//! dialog for the user to fix: each under its input (`aria-describedby`,
//! `aria-invalid`), a summary in the `role="alert"` line, focus on the first invalid
//! field. Success shows "connected" and calls `onSuccess`; any other error shows the
//! failure (announced) and calls `onError`; a "Close" button then removes the dialog.
//! Cancel or Escape before that close it and call `onExit`. Tab stays inside the dialog;
//! focus goes back where it was when the dialog closes.
//!
//! Looks: one stylesheet (`STYLE`) added to the page once, every colour, the radius and
//! the font a CSS custom property (`--munity-accent`...) that the page's CSS or the
//! `theme` option sets; dark colours under `prefers-color-scheme: dark`. Strings: see
//! `messages.rs`.
//!
//! The app closes it with [`Opened::close`] (the handle `open` returns): the dialog,
//! the popup and every listener go, and no handler is called.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Function, Object};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::{
    Document, Element, Event, HtmlDialogElement, HtmlElement, HtmlInputElement, KeyboardEvent,
};

use super::flow::{self, Events, Settings};
use super::js::{self, call, invalid_option, is_absent};
use super::link_source::LinkSource;
use super::messages::{Messages, Msg};
use super::popup::{self, window, Popup};
use super::types::connection_to_js;
use crate::envelope::Credentials;
use crate::error_code::wire;
use crate::model::ConnectSession;
use crate::model::{AuthType, Connection};
use crate::{Error, ErrorKind, Result, Secret};

/// The prompt's stylesheet: light colours as custom properties on the dialog, dark ones
/// under `prefers-color-scheme: dark`, then rules that only read the properties.
const STYLE: &str = ".munity-connect{--munity-accent:#4338ca;--munity-on-accent:#fff;--munity-bg:#fff;--munity-fg:#1f2328;--munity-muted:#57606a;--munity-border:#8c959f;--munity-error:#b42318;--munity-success:#067647;--munity-radius:10px;--munity-font:system-ui,sans-serif;color-scheme:light;box-sizing:border-box;width:min(28rem,calc(100vw - 2rem));max-height:calc(100vh - 2rem);overflow:auto;padding:1.5rem;border:1px solid var(--munity-border);border-radius:var(--munity-radius);background:var(--munity-bg);color:var(--munity-fg);font:15px/1.5 var(--munity-font);box-shadow:0 12px 40px #0005}@media(prefers-color-scheme:dark){.munity-connect{--munity-accent:#a5b4fc;--munity-on-accent:#111827;--munity-bg:#1c1f24;--munity-fg:#e6edf3;--munity-muted:#a3acb6;--munity-border:#6e7681;--munity-error:#ffa198;--munity-success:#6fdd9b;color-scheme:dark}}.munity-connect::backdrop{background:#0009}.munity-connect *{box-sizing:border-box}.munity-connect h2{margin:0 0 1rem;font-size:1.25rem;line-height:1.3}.munity-connect p{margin:0 0 1rem}.munity-connect label{display:block;font-weight:600;margin-bottom:.3rem}.munity-connect input{display:block;width:100%;padding:.55rem .7rem;font:inherit;color:inherit;background:var(--munity-bg);border:1px solid var(--munity-border);border-radius:calc(var(--munity-radius)*.6)}.munity-connect input[aria-invalid=true]{border:2px solid var(--munity-error)}.munity-connect :focus-visible{outline:3px solid var(--munity-accent);outline-offset:2px}.munity-field-error,.munity-alert{display:block;color:var(--munity-error);font-size:.875rem;margin-top:.3rem}.munity-connect .munity-help,.munity-status{color:var(--munity-muted)}.munity-connect :empty:is(span,p){display:none}.munity-connect[data-state=success] .munity-status{color:var(--munity-success);font-weight:600}.munity-actions{display:flex;flex-direction:row-reverse;gap:.5rem;margin-top:1.25rem}.munity-connect button{font:inherit;font-weight:600;padding:.55rem 1.1rem;border:1px solid var(--munity-border);border-radius:calc(var(--munity-radius)*.6);background:transparent;color:inherit;cursor:pointer}.munity-connect button[type=submit]{background:var(--munity-accent);border-color:var(--munity-accent);color:var(--munity-on-accent)}.munity-connect [hidden]{display:none}.munity-connect[data-state=busy] button[type=submit]{cursor:progress}.munity-connect[data-state=busy] button[type=submit]:before{content:\"\";display:inline-block;width:.9em;height:.9em;margin-right:.5em;vertical-align:-.1em;border:2px solid;border-right-color:transparent;border-radius:50%;animation:munity-spin .8s linear infinite}@keyframes munity-spin{to{transform:rotate(1turn)}}@media(prefers-reduced-motion:reduce){.munity-connect *{animation:none!important}}@media(max-width:30rem){.munity-actions{flex-direction:column}}";

/// The handlers and look options given to `open`.
#[derive(Debug, Clone)]
pub(crate) struct Handlers {
    on_success: Function,
    on_error: Function,
    on_exit: Option<Function>,
    on_event: Option<Function>,
    messages: Rc<Messages>,
    /// `theme`: custom property names (without `--munity-`) and values.
    theme: Vec<(String, String)>,
}

impl Handlers {
    /// Reads `{ onSuccess, onError, onExit?, onEvent?, locale?, messages?, theme? }`.
    pub(crate) fn from_js(value: &JsValue) -> Result<Handlers> {
        if !value.is_object() {
            return Err(invalid_option("open() needs a handlers object"));
        }
        let member = |key: &str| js::get(value, key);
        let get = |key: &str, required: bool| -> Result<Option<Function>> {
            match member(key).dyn_into::<Function>() {
                Ok(f) => Ok(Some(f)),
                Err(v) if !required && is_absent(&v) => Ok(None),
                Err(_) => Err(invalid_option(format!(
                    "handler `{key}` must be a function"
                ))),
            }
        };
        let missing = || {
            Error::new(
                ErrorKind::Internal,
                "internal",
                "a required handler vanished",
            )
        };
        // The language: `locale`, else the page's own `<html lang>`, else English.
        let locale = match member("locale") {
            v if is_absent(&v) => web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.document_element())
                .and_then(|e| e.get_attribute("lang"))
                .unwrap_or_default(),
            v => v
                .as_string()
                .ok_or_else(|| invalid_option("option `locale` must be a string"))?,
        };
        let messages = Messages::new(&locale, &member("messages"))?;
        let mut theme = Vec::new();
        let theme_value = member("theme");
        if !is_absent(&theme_value) {
            let bad = || invalid_option("option `theme` must be an object of strings");
            let object = theme_value.dyn_ref::<Object>().ok_or_else(bad)?;
            for entry in Object::entries(object).iter() {
                let pair: js_sys::Array = entry.unchecked_into();
                let key = pair.get(0).as_string().unwrap_or_default();
                let plain =
                    !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
                if !plain {
                    return Err(invalid_option(format!(
                        "`theme` key `{key}` is not a custom property name"
                    )));
                }
                theme.push((key, pair.get(1).as_string().ok_or_else(bad)?));
            }
        }
        Ok(Handlers {
            on_success: get("onSuccess", true)?.ok_or_else(missing)?,
            on_error: get("onError", true)?.ok_or_else(missing)?,
            on_exit: get("onExit", false)?,
            on_event: get("onEvent", false)?,
            messages: Rc::new(messages),
            theme,
        })
    }
}

/// A DOM event listener.
type Listener = Closure<dyn FnMut(Event)>;

/// Where the prompt is: its dialog's `data-state` (`Closed` once removed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Ready,
    Busy,
    Success,
    Failure,
    Closed,
}

/// The state of one open dialog.
struct Prompt {
    settings: Rc<Settings>,
    source: LinkSource,
    handlers: Handlers,
    events: Events,
    session: ConnectSession,
    dialog: HtmlDialogElement,
    status: Element,
    alert: Element,
    fields: Element,
    submit: Element,
    cancel: Element,
    /// What had the focus before the dialog opened: it gets it back on close.
    opener: Option<HtmlElement>,
    /// The event listeners, dropped (after the current event) when the dialog closes.
    listeners: RefCell<Vec<Listener>>,
    state: Cell<State>,
    /// The OAuth2 popup, once the user asked for it.
    popup: RefCell<Option<Rc<Popup>>>,
}

impl std::fmt::Debug for Prompt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prompt")
            .field("connector", &self.session.connector.name)
            .field("state", &self.state.get())
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
            if prompt.state.get() != State::Closed {
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
        let described = flow::describe(&settings, &source).await;
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

fn dom_error() -> Error {
    Error::new(
        ErrorKind::Internal,
        "internal",
        "could not build the prompt",
    )
}

/// A new element `<tag attributes...>text</tag>`, appended to `parent` when given.
fn element(
    document: &Document,
    parent: Option<&Element>,
    tag: &str,
    attributes: &[(&str, &str)],
    text: Option<&str>,
) -> Result<Element> {
    let el = document.create_element(tag).map_err(|_| dom_error())?;
    for (name, value) in attributes {
        el.set_attribute(name, value).map_err(|_| dom_error())?;
    }
    if let Some(text) = text {
        el.set_text_content(Some(text));
    }
    if let Some(parent) = parent {
        parent.append_child(&el).map_err(|_| dom_error())?;
    }
    Ok(el)
}

/// Adds the prompt's stylesheet to the page once (the page's own CSS, later in the
/// cascade or more specific, can override any rule or custom property).
fn add_style(document: &Document) -> Result<()> {
    if document.get_element_by_id("munity-connect-style").is_some() {
        return Ok(());
    }
    let parent = document
        .query_selector("head")
        .ok()
        .flatten()
        .or_else(|| document.document_element())
        .ok_or_else(dom_error)?;
    let style = element(
        document,
        None,
        "style",
        &[("id", "munity-connect-style")],
        Some(STYLE),
    )?;
    parent
        .insert_before(&style, parent.first_child().as_ref())
        .map_err(|_| dom_error())?;
    Ok(())
}

/// Builds and shows the dialog.
fn show(
    settings: Rc<Settings>,
    source: LinkSource,
    handlers: Handlers,
    events: Events,
    session: ConnectSession,
) -> Result<Rc<Prompt>> {
    let window = window()?;
    let document = window
        .document()
        .ok_or_else(|| Error::new(ErrorKind::Config, "no_window", "open() needs a document"))?;
    add_style(&document)?;
    let doc = &document;
    let m = Rc::clone(&handlers.messages);
    let name = session.connector.display_name.as_str();
    let named = [("name", name)];
    let dialog = element(
        doc,
        None,
        "dialog",
        &[
            ("class", "munity-connect"),
            ("lang", m.lang),
            ("data-state", "ready"),
            ("aria-labelledby", "munity-connect-title"),
        ],
        None,
    )?;
    let style = dialog.unchecked_ref::<HtmlElement>().style();
    for (key, value) in &handlers.theme {
        style
            .set_property(&format!("--munity-{key}"), value)
            .map_err(|_| dom_error())?;
    }
    let form = element(doc, Some(&dialog), "form", &[("novalidate", "")], None)?;
    element(
        doc,
        Some(&form),
        "h2",
        &[("id", "munity-connect-title")],
        Some(&m.get(Msg::Title, &named)),
    )?;
    let fields = element(doc, Some(&form), "div", &[], None)?;
    for field in &session.connector.fields {
        let id = format!("munity-field-{}", field.name);
        let error_id = format!("{id}-error");
        let kind = match field.kind {
            _ if field.secret => "password",
            crate::model::FieldKind::Url => "url",
            _ => "text",
        };
        let row = element(doc, Some(&fields), "p", &[], None)?;
        element(
            doc,
            Some(&row),
            "label",
            &[("for", &id)],
            Some(&field.label),
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
        element(doc, Some(&row), "input", &attributes, None)?;
        element(
            doc,
            Some(&row),
            "span",
            &[("id", &error_id), ("class", "munity-field-error")],
            None,
        )?;
    }
    if let Some(config_url) = &session.module_config_url {
        // A module: the system connects it; the end user gives the system this URL.
        element(
            doc,
            Some(&fields),
            "p",
            &[("id", "munity-module-help"), ("class", "munity-help")],
            Some(&m.get(Msg::ModuleHelp, &named)),
        )?;
        let row = element(doc, Some(&fields), "p", &[], None)?;
        element(
            doc,
            Some(&row),
            "label",
            &[("for", "munity-module-config-url")],
            Some(&m.get(Msg::ConfigUrl, &[])),
        )?;
        element(
            doc,
            Some(&row),
            "input",
            &[
                ("id", "munity-module-config-url"),
                ("type", "url"),
                ("readonly", ""),
                ("value", config_url),
                ("aria-describedby", "munity-module-help"),
            ],
            None,
        )?;
    }
    let status = element(
        doc,
        Some(&form),
        "p",
        &[("class", "munity-status"), ("role", "status")],
        None,
    )?;
    let alert = element(
        doc,
        Some(&form),
        "p",
        &[("class", "munity-alert"), ("role", "alert")],
        None,
    )?;
    let label = match session.connector.auth_type {
        AuthType::Oauth2 => m.get(Msg::ConnectWith, &named),
        // Nothing to send from here: the button closes the prompt.
        AuthType::Module => m.get(Msg::Done, &[]),
        _ => m.get(Msg::Connect, &[]),
    };
    let actions = element(
        doc,
        Some(&form),
        "div",
        &[("class", "munity-actions")],
        None,
    )?;
    let submit = element(
        doc,
        Some(&actions),
        "button",
        &[("type", "submit")],
        Some(&label),
    )?;
    let cancel = element(
        doc,
        Some(&actions),
        "button",
        &[("type", "button"), ("class", "munity-cancel")],
        Some(&m.get(Msg::Cancel, &[])),
    )?;
    let body = document.body().ok_or_else(|| {
        Error::new(
            ErrorKind::Config,
            "no_window",
            "open() needs a document body",
        )
    })?;
    body.append_child(&dialog).map_err(|_| dom_error())?;
    let dialog: HtmlDialogElement = dialog.unchecked_into();
    let prompt = Rc::new(Prompt {
        settings,
        source,
        handlers,
        events,
        session,
        dialog: dialog.clone(),
        status,
        alert,
        fields,
        submit,
        cancel: cancel.clone(),
        opener: document
            .active_element()
            .and_then(|e| e.dyn_into::<HtmlElement>().ok()),
        listeners: RefCell::new(Vec::new()),
        state: Cell::new(State::Ready),
        popup: RefCell::new(None),
    });
    let listen = |target: &web_sys::EventTarget, name: &str, f: Box<dyn FnMut(Event)>| {
        let closure = Closure::wrap(f);
        target
            .add_event_listener_with_callback(name, closure.as_ref().unchecked_ref())
            .map_err(|_| dom_error())?;
        prompt.listeners.borrow_mut().push(closure);
        Ok::<_, Error>(())
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
    listen(&cancel, "click", Box::new(move |_| p.dismiss()))?;
    let p = Rc::clone(&prompt);
    // Escape: the dialog's `cancel` event.
    listen(
        &dialog,
        "cancel",
        Box::new(move |event: Event| {
            event.prevent_default();
            p.dismiss();
        }),
    )?;
    let p = Rc::clone(&prompt);
    listen(
        &dialog,
        "keydown",
        Box::new(move |event: Event| p.trap_tab(&event)),
    )?;
    dialog.show_modal().map_err(|_| dom_error())?;
    let data = Object::new();
    let connector = &prompt.session.connector;
    js::set(&data, "connector", &connector.name.as_str().into());
    js::set(&data, "authType", &connector.auth_type.as_str().into());
    prompt.events.emit("opened", &data);
    Ok(prompt)
}

/// The form's submit: the OAuth2 popup (opened now, in the gesture) or the credentials.
fn on_submit(prompt: &Rc<Prompt>) {
    if prompt.state.get() != State::Ready {
        return;
    }
    if prompt.session.connector.auth_type == AuthType::Module {
        return prompt.dismiss();
    }
    let p = Rc::clone(prompt);
    if prompt.session.connector.auth_type == AuthType::Oauth2 {
        let popup = match Popup::open_blank(popup::DEFAULT_WIDTH, popup::DEFAULT_HEIGHT) {
            Ok(popup) => Rc::new(popup),
            Err(err) => return prompt.fail(err),
        };
        *prompt.popup.borrow_mut() = Some(Rc::clone(&popup));
        prompt.set_busy(Msg::Popup);
        spawn_local(async move {
            let result = flow::authorize(&p.settings, &p.source, &popup).await;
            p.finish(result);
        });
        return;
    }
    let credentials = match prompt.read_inputs() {
        Ok(credentials) => credentials,
        Err(err) => return prompt.fail(err),
    };
    prompt.set_busy(Msg::Busy);
    spawn_local(async move {
        let result = flow::submit(&p.settings, &p.source, &credentials, &p.events).await;
        p.finish(result);
    });
}

impl Prompt {
    fn text(&self, msg: Msg, args: &[(&str, &str)]) -> String {
        self.handlers.messages.get(msg, args)
    }

    /// The inputs of the connector's fields, in order.
    fn inputs(&self) -> Vec<HtmlInputElement> {
        self.session
            .connector
            .fields
            .iter()
            .filter_map(|field| {
                self.dialog
                    .query_selector(&format!("#munity-field-{}", field.name))
                    .ok()
                    .flatten()
                    .and_then(|el| el.dyn_into::<HtmlInputElement>().ok())
            })
            .collect()
    }

    /// Moves to `state`: the dialog's `data-state`, the form's `aria-busy`, the inputs'
    /// `readonly` (not `disabled`, which would drop the focus) while busy.
    fn set_state(&self, state: State) {
        self.state.set(state);
        let name = match state {
            State::Busy => "busy",
            State::Success => "success",
            State::Failure => "failure",
            _ => "ready",
        };
        let _ = self.dialog.set_attribute("data-state", name);
        let busy = state == State::Busy;
        for input in self.inputs() {
            input.set_read_only(busy);
        }
        let _ = self
            .submit
            .set_attribute("aria-disabled", if busy { "true" } else { "false" });
        if matches!(state, State::Success | State::Failure) {
            // The outcome replaces the form: only the message and "Close" are left.
            let _ = self.fields.set_attribute("hidden", "");
            let _ = self.submit.set_attribute("hidden", "");
            self.cancel
                .set_text_content(Some(&self.text(Msg::Close, &[])));
            focus(&self.cancel);
        }
    }

    fn set_busy(&self, msg: Msg) {
        self.alert.set_text_content(None);
        let name = self.session.connector.display_name.as_str();
        self.status
            .set_text_content(Some(&self.text(msg, &[("name", name)])));
        self.set_state(State::Busy);
    }

    /// The inputs' values as credentials (empty optional fields left out).
    fn read_inputs(&self) -> Result<Credentials> {
        let inputs = self.inputs();
        if inputs.len() != self.session.connector.fields.len() {
            return Err(Error::new(
                ErrorKind::Internal,
                "internal",
                "a prompt input vanished",
            ));
        }
        let mut credentials = Credentials::new();
        for (field, input) in self.session.connector.fields.iter().zip(inputs) {
            let value = input.value();
            if !value.is_empty() {
                credentials.insert(field.name.clone(), Secret::new(value));
            }
        }
        Ok(credentials)
    }

    fn finish(&self, result: Result<Connection>) {
        if self.state.get() == State::Closed {
            return;
        }
        match result.and_then(|c| connection_to_js(&c)) {
            Ok(connection) => {
                let name = self.session.connector.display_name.as_str();
                self.status
                    .set_text_content(Some(&self.text(Msg::Success, &[("name", name)])));
                self.set_state(State::Success);
                self.events.emit("success", &connection);
                call(&self.handlers.on_success, &connection);
            }
            Err(err) => self.fail(err),
        }
    }

    /// Validation errors: shown by their inputs, the dialog stays ready for a fix.
    /// Others: the failure state, and `onError`.
    fn fail(&self, err: Error) {
        self.status.set_text_content(None);
        let validation = err.code() == wire::Validation;
        if validation {
            let mut first = None;
            for (field, input) in self.session.connector.fields.iter().zip(self.inputs()) {
                let found = err.fields().iter().find(|f| f.field == field.name);
                // A required field left blank gets the prompt's own (localized) words.
                let message = found.map(|f| {
                    if field.required && input.value().trim().is_empty() {
                        self.text(Msg::Required, &[("label", &field.label)])
                    } else {
                        f.message.clone()
                    }
                });
                let _ = input.set_attribute("aria-invalid", &message.is_some().to_string());
                if let Ok(Some(el)) = self
                    .dialog
                    .query_selector(&format!("#munity-field-{}-error", field.name))
                {
                    el.set_text_content(message.as_deref());
                }
                if message.is_some() && first.is_none() {
                    first = Some(input);
                }
            }
            self.set_state(State::Ready);
            self.alert
                .set_text_content(Some(&self.text(Msg::Invalid, &[])));
            if let Some(input) = first {
                let _ = input.focus();
            }
        } else {
            self.alert
                .set_text_content(Some(&self.text(Msg::Failure, &[("error", err.detail())])));
            self.set_state(State::Failure);
        }
        let js = JsValue::from(err);
        self.events.emit("error", &js);
        if !validation {
            call(&self.handlers.on_error, &js);
        }
    }

    /// Cancel, Escape or Close: before an outcome the user exits (`onExit`); after one
    /// the dialog just goes; while busy nothing happens (the request is on its way).
    fn dismiss(&self) {
        match self.state.get() {
            State::Busy | State::Closed => {}
            State::Success | State::Failure => self.close(),
            State::Ready => {
                self.close();
                self.events.emit("exit", &JsValue::UNDEFINED);
                if let Some(on_exit) = &self.handlers.on_exit {
                    call(on_exit, &JsValue::UNDEFINED);
                }
            }
        }
    }

    /// Keeps Tab and Shift+Tab inside the dialog: from the last focusable element to the
    /// first and back.
    fn trap_tab(&self, event: &Event) {
        let Some(key) = event.dyn_ref::<KeyboardEvent>() else {
            return;
        };
        if key.key() != "Tab" {
            return;
        }
        // The ends of the tab order: "Cancel"/"Close" is always last; the first is the
        // first input (or button) while the form shows, else "Close" itself.
        let last = &self.cancel;
        let first = match self.state.get() {
            State::Ready | State::Busy => self
                .dialog
                .query_selector("input,button")
                .ok()
                .flatten()
                .unwrap_or_else(|| last.clone()),
            _ => last.clone(),
        };
        let (first, last) = (&first, last);
        let active = self
            .dialog
            .owner_document()
            .and_then(|d| d.active_element());
        let at = |e: &Element| active.as_ref() == Some(e);
        let to = if key.shift_key() && at(first) {
            last
        } else if !key.shift_key() && at(last) {
            first
        } else {
            return;
        };
        event.prevent_default();
        focus(to);
    }

    /// Closes and removes the dialog, gives the focus back; its listeners are dropped
    /// after the current event.
    fn close(&self) {
        self.state.set(State::Closed);
        self.dialog.close();
        self.dialog.remove();
        if let Some(opener) = &self.opener {
            let _ = opener.focus();
        }
        if let Some(popup) = self.popup.borrow_mut().take() {
            popup.close();
        }
        let listeners = std::mem::take(&mut *self.listeners.borrow_mut());
        spawn_local(async move { drop(listeners) });
    }
}

fn focus(el: &Element) {
    if let Some(el) = el.dyn_ref::<HtmlElement>() {
        let _ = el.focus();
    }
}
