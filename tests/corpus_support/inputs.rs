//! The template values of each kind, built from real signed links, sealed envelopes and
//! signed webhooks, so a case changes one thing in an otherwise valid input. The library
//! test and the sandbox test build them the same way, with their own keys and clock.

use munity::envelope::{
    seal, Credentials, SessionBinding, WorkspaceCertificate, WorkspacePrivateKey,
};
use munity::link::{LinkBuilder, Nonce};
use munity::webhook::{Webhook, WebhookSecret};
use munity::ApiKey;

use super::Vars;

/// The query of a link signed with `key` at `now`.
fn query(key: &ApiKey, target: (&str, &str, &str), now: i64, nonce: [u8; 16]) -> String {
    let (workspace, customer, connector) = target;
    let signed = LinkBuilder::new(workspace, customer, connector)
        .sign_with_nonce(key, now, Nonce::from_bytes(nonce))
        .expect("the builder signs");
    signed
        .url()
        .split_once('?')
        .map(|(_, q)| q.to_owned())
        .expect("a link has a query")
}

/// `workspace`, `customer`, `connector`, `key` (the prefix), `exp`, `nonce`, `sig` of a
/// valid link and `valid` (its whole query); `expired` (signed an hour ago),
/// `far_future` (signed to expire in three days) and `other_key` (same prefix, another
/// secret): whole queries.
pub fn link(key: &ApiKey, target: (&str, &str, &str), now: i64) -> Vars {
    let valid = query(key, target, now, [7; 16]);
    let mut vars = Vars::new();
    vars.set("workspace", target.0)
        .set("customer", target.1)
        .set("connector", target.2)
        .set("key", key.prefix())
        .set("valid", &valid)
        .set("expired", query(key, target, now - 3600, [8; 16]))
        .set("far_future", query(key, target, now + 3 * 86_400, [9; 16]));
    for piece in valid.split('&') {
        if let Some((name @ ("exp" | "nonce" | "sig"), value)) = piece.split_once('=') {
            vars.set(name, value);
        }
    }
    let other = ApiKey::parse(&format!(
        "{}.{}",
        key.prefix(),
        "Z".repeat(key.expose().len() - key.prefix().len() - 1)
    ))
    .expect("same shape as a real key");
    vars.set("other_key", query(&other, target, now, [7; 16]));
    vars
}

/// `jwe` (a valid envelope sealed to `certificate` for `binding`), `jwe0`..`jwe4` (its
/// parts), `kid`, `epk` (a valid P-256 public JWK), `private_jwk` (a P-256 JWK with its
/// private part), `x25519_epk` (an X25519 public JWK); whole envelopes `jwe_old` (sealed
/// a day ago), `jwe_future` (sealed for a day from now), `jwe_other_session` (for
/// another customer), `jwe_partial` (without `password`), `jwe_extra_field` (with a
/// field `token` the `custom_basic` connector does not have).
pub fn envelope(certificate: &WorkspaceCertificate, binding: &SessionBinding, now: i64) -> Vars {
    let credentials = Credentials::new()
        .with("username", "ada")
        .with("password", "hunter2");
    let jwe = seal(certificate, binding, &credentials, now).expect("seals");
    // The bare public key (same kid, no validity period): it seals at any time, where
    // the sandbox's certificate starts when the sandbox does.
    let bare = WorkspaceCertificate::parse(&certificate.public_jwk(), now).expect("a JWK");
    let sealed = |binding: &SessionBinding, credentials: &Credentials, at: i64| {
        seal(&bare, binding, credentials, at).expect("seals")
    };
    let other_session = SessionBinding::new("another-customer", "jira", "bm9uY2Vub25jZW5vbmNl");
    let mut vars = Vars::new();
    vars.set("jwe_old", sealed(binding, &credentials, now - 86_400))
        .set("jwe_future", sealed(binding, &credentials, now + 86_400))
        .set(
            "jwe_other_session",
            sealed(&other_session, &credentials, now),
        )
        .set(
            "jwe_partial",
            sealed(binding, &Credentials::new().with("username", "ada"), now),
        )
        .set(
            "jwe_extra_field",
            sealed(binding, &credentials.clone().with("token", "t"), now),
        );
    for (i, part) in jwe.split('.').enumerate() {
        vars.set(&format!("jwe{i}"), part);
    }
    let other = WorkspacePrivateKey::generate_p256();
    vars.set("jwe", &jwe)
        .set("kid", certificate.kid())
        .set("epk", other.public_jwk())
        .set("private_jwk", other.to_private_jwk().expose())
        .set(
            "x25519_epk",
            WorkspacePrivateKey::generate_x25519().public_jwk(),
        );
    vars
}

/// The webhook secret of the corpus (32 bytes of 7).
pub fn webhook_secret() -> WebhookSecret {
    WebhookSecret::from_bytes(vec![7; 32]).expect("32 bytes is a valid secret")
}

/// The body a valid delivery carries.
pub const WEBHOOK_BODY: &str = r#"{"type":"ping"}"#;

/// `now`, `old` (an hour ago), `future` (in an hour), `sig` (the valid
/// `webhook-signature` of id `msg_1` at `now` over [`WEBHOOK_BODY`]), `tag` (its
/// base64 part).
pub fn webhook(now: i64) -> Vars {
    let sig = Webhook::new(webhook_secret()).sign("msg_1", now, WEBHOOK_BODY.as_bytes());
    let mut vars = Vars::new();
    vars.set("now", now.to_string())
        .set("old", (now - 3600).to_string())
        .set("future", (now + 3600).to_string())
        .set("tag", sig.trim_start_matches("v1,"))
        .set("sig", &sig);
    vars
}
