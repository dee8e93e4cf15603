//! # munity
//!
//! The Rust SDK of the Munity unified integration API, and a local sandbox of that API.
//!
//! A product integrates Munity to read its customers' data from many connectors (Jira
//! and the like) through one API. This crate has two faces:
//!
//! - **backend** (feature `native`, the default): an async [`Client`] that sends
//!   `Authorization: X-Api-Key <key>`, with typed resources, pagination, retries and
//!   idempotency; signed connect links; webhook and module-token verification; request
//!   signing for connector credentials;
//! - **browser** (feature `wasm`, built for `wasm32-unknown-unknown`): the npm package
//!   `@munity/connect` that prompts the end user for a connector's credentials, encrypts
//!   them with the workspace certificate and submits them.
//!
//! The `sandbox` feature adds a real local server of the same API (HTTP on loopback,
//! data in SQLite), which the tests and the demo run against; `cli` adds the `munity`
//! program.
//!
//! | feature | what it adds |
//! |---|---|
//! | `native` (default) | `Client` (reqwest + rustls) |
//! | `platform` | server-side helpers: opening credential envelopes, hashing API keys |
//! | `sandbox` | the local API server (axum + SQLite), implies `platform` |
//! | `cli` | the `munity` command line, implies `native` and `sandbox` |
//! | `redis` | `link::RedisNonceStore`: connect-link nonces shared by several API instances |
//! | `wasm` | the JavaScript bindings (only on `wasm32`) |
//!
//! The core modules ([`model`], [`Secret`], [`Error`] and the protocol modules) do no
//! I/O and compile for every target. They take the current time as a parameter (unix
//! seconds): [`now_unix`] on a server, `Date.now()` in a browser.
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(all(target_arch = "wasm32", feature = "native"))]
compile_error!("feature `native` is for servers; build for wasm32 with `--no-default-features --features wasm`");
#[cfg(all(target_arch = "wasm32", feature = "platform"))]
compile_error!("features `platform` and `sandbox` are for servers and do not build for wasm32");
#[cfg(all(target_arch = "wasm32", feature = "redis"))]
compile_error!("feature `redis` is for servers and does not build for wasm32");

mod api_key;
mod base64_strict;
mod ct;
mod error;
mod error_code;
#[cfg(test)]
mod import_graph;
pub mod model;
mod random;
mod redact;
mod secret;
mod time;

pub use api_key::ApiKey;
pub use error::{Error, ErrorCode, ErrorKind, FieldError, Result};
pub use secret::Secret;
#[cfg(not(target_arch = "wasm32"))]
pub use time::now_unix;
pub use time::parse_rfc3339;

#[cfg(feature = "native")]
#[cfg_attr(docsrs, doc(cfg(feature = "native")))]
pub use client::Client;
/// The `reqwest` this crate is built with, to make the `reqwest::Client` given to
/// [`ClientBuilder::http_client`](client::ClientBuilder::http_client): its version
/// always matches munity's.
#[cfg(feature = "native")]
#[cfg_attr(docsrs, doc(cfg(feature = "native")))]
pub use reqwest;

pub mod auth;
pub mod connect;
pub mod envelope;
pub mod link;
pub mod module;
pub mod origin;
pub mod webhook;

#[cfg(feature = "native")]
#[cfg_attr(docsrs, doc(cfg(feature = "native")))]
pub mod client;
#[cfg(any(feature = "native", feature = "sandbox"))]
mod transport_error;

#[cfg(feature = "sandbox")]
#[cfg_attr(docsrs, doc(cfg(feature = "sandbox")))]
pub mod sandbox;

#[cfg(all(feature = "wasm", target_arch = "wasm32"))]
mod wasm;
#[cfg(all(feature = "wasm", target_arch = "wasm32"))]
#[cfg_attr(docsrs, doc(cfg(all(feature = "wasm", target_arch = "wasm32"))))]
pub use wasm::{encrypt_credentials, parse_link, ConnectHandle, MunityConnect};

// The README's Rust examples compile as doctests.
#[cfg(all(doctest, feature = "native"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
