//! The JavaScript bindings: the npm package `@munity/connect` (built by `scripts/build-pkg`
//! for `wasm32-unknown-unknown` with wasm-bindgen; compiled only with feature `wasm` on
//! `wasm32`).

mod clock;
mod error;
mod http;
mod link_source;
mod popup;
mod types;
