//! The small JavaScript helpers every binding needs, written once: reading and setting
//! object properties (`Reflect`), reading the options objects the API takes, calling a
//! page's handler, and running a flow as a Promise.

use std::future::Future;
use std::pin::Pin;

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::future_to_promise;

use crate::error_code::wire;
use crate::{Error, ErrorKind, Result};

/// `target[key]`; `undefined` when `target` has no properties (a primitive, `null`) or
/// the read throws.
pub(crate) fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// `target[key]` as a string, `None` when it is anything else.
pub(crate) fn get_string(target: &JsValue, key: &str) -> Option<String> {
    get(target, key).as_string()
}

/// Sets `target[key]` (cannot fail on a plain, extensible object such as a fresh one).
pub(crate) fn set(target: &JsValue, key: &str, value: &JsValue) {
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

/// `undefined` or `null`: an option left out.
pub(crate) fn is_absent(value: &JsValue) -> bool {
    value.is_undefined() || value.is_null()
}

/// An `invalid_option` error: an options object the page passed is wrong.
pub(crate) fn invalid_option(detail: impl Into<std::borrow::Cow<'static, str>>) -> Error {
    Error::new(ErrorKind::Config, wire::InvalidOption, detail)
}

/// A string property of an options object (`undefined` and `null` are absent, and so
/// is every property of absent options).
pub(crate) fn string_option(options: &JsValue, key: &str) -> Result<Option<String>> {
    let value = get(options, key);
    if is_absent(&value) {
        return Ok(None);
    }
    value
        .as_string()
        .map(Some)
        .ok_or_else(|| invalid_option(format!("option `{key}` must be a string")))
}

/// A whole number of pixels (100 to 10000) in an options object, or `default`.
pub(crate) fn size_option(options: &JsValue, key: &str, default: u32) -> Result<u32> {
    let value = get(options, key);
    if is_absent(&value) {
        return Ok(default);
    }
    match value.as_f64() {
        Some(n) if n.fract() == 0.0 && (100.0..=10_000.0).contains(&n) => Ok(n as u32),
        _ => Err(invalid_option(format!(
            "option `{key}` must be a whole number of pixels from 100 to 10000"
        ))),
    }
}

/// Calls a page's handler with one argument, ignoring what it throws (a faulty handler
/// cannot break the flow).
pub(crate) fn call(handler: &Function, arg: &JsValue) {
    let _ = handler.call1(&JsValue::NULL, arg);
}

/// A rejected Promise with the error as a `MunityError`.
pub(crate) fn reject(err: Error) -> Promise {
    Promise::reject(&err.into())
}

/// Runs a flow as a Promise of its value, rejected with a `MunityError`. The flow is
/// boxed so that every export shares one copy of `future_to_promise` and its task
/// machinery (about 3 KB of wasm otherwise).
pub(crate) fn promise<F>(flow: F) -> Promise
where
    F: Future<Output = Result<JsValue>> + 'static,
{
    boxed_promise(Box::pin(flow))
}

fn boxed_promise(flow: Pin<Box<dyn Future<Output = Result<JsValue>>>>) -> Promise {
    future_to_promise(async move { flow.await.map_err(JsValue::from) })
}
