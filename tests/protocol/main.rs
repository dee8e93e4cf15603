//! The wire formats and their rules, through the library: connect links, envelopes,
//! request signing, webhooks, module tokens and origins, against published vectors,
//! independent implementations (Node `jose`, Python botocore), the bad-input corpus and
//! property tests. One test binary (features in Cargo.toml's `[[test]]`); each module
//! is one former `tests/*.rs` file.

#[path = "../corpus_support/mod.rs"]
mod corpus_support;
#[path = "../interop/node.rs"]
mod node;

mod auth_apply;
mod auth_botocore;
mod auth_hmac_sha256;
mod auth_proptest;
mod auth_sigv4_suite;
mod corpus;
mod envelope_corpus;
mod envelope_interop;
mod envelope_roundtrip;
mod envelope_vectors;
mod link_expiry;
mod link_proptest;
mod link_rfc4231;
mod link_tamper;
mod link_vectors;
mod module_token;
mod origin_proptest;
mod redaction;
mod webhook_standard;
