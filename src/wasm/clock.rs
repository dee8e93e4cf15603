//! The current time for core code that takes `now` as a parameter:
//! `SystemTime::now()` panics on `wasm32-unknown-unknown`, `Date.now()` does not.

/// Unix seconds now, from JavaScript's `Date.now()`.
pub(crate) fn now_unix() -> i64 {
    (js_sys::Date::now() / 1000.0).floor() as i64
}
