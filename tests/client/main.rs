//! The async client (`munity::client`) against the sandbox in process and against
//! scripted loopback servers: every call, retries under injected failures, what a
//! product backend sets up around it, and the examples a backend copies from. One test
//! binary (features in Cargo.toml's `[[test]]`); each module is one former
//! `tests/client_*.rs` file. The peak-heap test is `tests/client_memory.rs`, its own
//! process because it replaces the global allocator.

#[path = "../client_support/mod.rs"]
mod client_support;
#[path = "../sandbox_support/mod.rs"]
mod sandbox_support;

#[allow(dead_code)] // its `main` and `print` are for `cargo run --example backend`
#[path = "../../examples/backend.rs"]
mod backend_example;

mod backend;
mod chaos;
mod examples;
mod sandbox;
mod scripted;
