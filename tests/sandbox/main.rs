//! The sandbox server over real HTTP, in process on 127.0.0.1:0: the API's contract,
//! connect flows and OAuth2, links and webhooks as the sandbox serves them, CORS,
//! limits, data at rest, restarts, load and the bad-input corpus. One test binary
//! (features in Cargo.toml's `[[test]]`); each module is one former `tests/*.rs` file.

#[path = "../corpus_support/mod.rs"]
mod corpus_support;
#[path = "../sandbox_support/mod.rs"]
mod sandbox_support;

mod api;
mod at_rest;
mod auth_redirect;
mod connect_flow;
mod corpus;
mod cors;
mod idempotency;
mod limits;
mod link;
mod load;
mod module;
mod oauth;
mod restart;
mod webhook;
