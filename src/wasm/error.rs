//! [`Error`] as a JavaScript `MunityError`: a real `Error` (with a stack) whose `name` is
//! `"MunityError"`, with `code`, `message` (the detail), `fields` (validation errors,
//! always an array) and `status` (the HTTP status, when the error came from a response).

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::{Error, ErrorKind};

impl From<Error> for JsValue {
    fn from(err: Error) -> JsValue {
        let js = js_sys::Error::new(err.detail());
        js.set_name("MunityError");
        let fields = Array::new();
        for field in err.fields() {
            let entry = Object::new();
            set(&entry, "field", &JsValue::from_str(&field.field));
            set(&entry, "message", &JsValue::from_str(&field.message));
            fields.push(&entry);
        }
        set(&js, "code", &JsValue::from_str(err.code()));
        set(&js, "fields", &fields);
        if let Some(status) = err.status() {
            set(&js, "status", &JsValue::from(status));
        }
        js.into()
    }
}

/// Sets a property on a fresh object (cannot fail on a plain, extensible object).
fn set(target: &JsValue, key: &str, value: &JsValue) {
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

/// The text of something JavaScript threw: an `Error`'s message, a string, or a fixed
/// word for anything else.
pub(crate) fn js_message(value: &JsValue) -> String {
    if let Some(err) = value.dyn_ref::<js_sys::Error>() {
        return String::from(err.message());
    }
    value
        .as_string()
        .unwrap_or_else(|| "a non-Error value was thrown".to_owned())
}

/// The code of a thrown value if it is a `MunityError` (so errors pass through a user's
/// callback unchanged), else `None`.
fn munity_code(value: &JsValue) -> Option<String> {
    let err = value.dyn_ref::<js_sys::Error>()?;
    if err.name() != "MunityError" {
        return None;
    }
    Reflect::get(err, &JsValue::from_str("code"))
        .ok()?
        .as_string()
}

/// A thrown JavaScript value as an [`Error`]: a `MunityError` keeps its code; anything
/// else becomes `fallback` with the thrown message appended to `context`.
pub(crate) fn from_js(
    value: &JsValue,
    fallback: ErrorKind,
    code: &'static str,
    context: &str,
) -> Error {
    let message = js_message(value);
    match munity_code(value) {
        Some(code) => Error::new(fallback, code, message),
        None => Error::new(fallback, code, format!("{context}: {message}")),
    }
}
