//! [`Error`] as a JavaScript `MunityError`: an instance of the package's exported class
//! `MunityError` (a subclass of `Error`, with a stack), so `err instanceof MunityError`
//! works; `name` is `"MunityError"`, with `code`, `message` (the detail), `fields`
//! (validation errors, always an array) and `status` (the HTTP status, when the error
//! came from a response).
//!
//! The class is JavaScript (a wasm-bindgen snippet) so that it can extend `Error`;
//! `scripts/build-pkg` re-exports it from the package's entries.

use js_sys::{Array, Object};
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use super::js::{get_string, set};
use crate::{Error, ErrorKind};

#[wasm_bindgen(inline_js = r#"
/** Every rejection and `onError` of the package gets one. */
export class MunityError extends Error {
  constructor(code, message, fields = [], status) {
    super(message);
    this.name = "MunityError";
    this.code = code;
    this.fields = fields;
    if (status !== undefined) this.status = status;
  }
}
"#)]
extern "C" {
    /// The package's `MunityError` class.
    type MunityError;

    #[wasm_bindgen(constructor)]
    fn new(code: &str, message: &str, fields: &Array, status: Option<u16>) -> MunityError;
}

impl From<Error> for JsValue {
    fn from(err: Error) -> JsValue {
        let fields = Array::new();
        for field in err.fields() {
            let entry = Object::new();
            set(&entry, "field", &JsValue::from_str(&field.field));
            set(&entry, "message", &JsValue::from_str(&field.message));
            fields.push(&entry);
        }
        MunityError::new(err.code(), err.detail(), &fields, err.status()).into()
    }
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
    get_string(err, "code")
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
