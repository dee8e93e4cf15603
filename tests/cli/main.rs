//! The `munity` command-line program, run as a user runs it (the binary Cargo builds
//! for these tests): API commands, links, webhooks, module tokens, envelopes, signing,
//! and the sandbox as a process (start, restart, `kill -9`). One test binary (features
//! in Cargo.toml's `[[test]]`); each module is one former `tests/*_cli.rs` file.

#[path = "../sandbox_support/mod.rs"]
mod sandbox_support;

mod sandbox_process;
mod support;

mod api;
mod auth;
mod envelope;
mod link;
mod sandbox;
mod sandbox_connect;
mod sandbox_crash;
