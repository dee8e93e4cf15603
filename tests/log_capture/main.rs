//! The tests that capture every log line of the process (a global `tracing` subscriber
//! at TRACE, and the `log` bridge) and search them for secrets: the sandbox's request
//! logs, and a whole connect flow. Their own binary, so that no other test's logs pour
//! into the capture; they share the one subscriber a process can have. Features in
//! Cargo.toml's `[[test]]`; each module is one former `tests/*.rs` file.

#[path = "../sandbox_support/mod.rs"]
mod sandbox_support;

mod logs;
mod secrets_flow;
