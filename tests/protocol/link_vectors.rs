//! Connect link v1 known-answer vectors (tests/vectors/connect-link-v1.json, computed by
//! the independent Python implementation tests/vectors/connect_link_v1.py), and the
//! RFC 4231 HMAC-SHA256 vectors the link signature rests on.

use std::time::Duration;

use munity::link::{ConnectLink, LinkBuilder, LinkKey, Nonce};
use munity::ApiKey;
use serde::Deserialize;

#[derive(Deserialize)]
struct File {
    base_url: String,
    vectors: Vec<Vector>,
}

#[derive(Deserialize)]
struct Vector {
    name: String,
    api_key: String,
    workspace: String,
    customer: String,
    connector: String,
    now: i64,
    ttl_seconds: u64,
    nonce_hex: String,
    redirect_uri: Option<String>,
    scope: Option<String>,
    expected: Expected,
}

#[derive(Deserialize)]
struct Expected {
    link_key_hex: String,
    canonical: String,
    sig: String,
    query: String,
    url: String,
}

fn vectors() -> File {
    serde_json::from_str(include_str!("../vectors/connect-link-v1.json"))
        .expect("vector file parses")
}

fn check(v: &Vector, base_url: &str) {
    let name = &v.name;
    let api_key = ApiKey::parse(&v.api_key).expect("vector key parses");
    let key = LinkKey::derive(&api_key);
    assert_eq!(
        hex::encode(key.as_bytes()),
        v.expected.link_key_hex,
        "[{name}] stage: link key"
    );

    let nonce: [u8; 16] = hex::decode(&v.nonce_hex).unwrap().try_into().unwrap();
    let mut builder = LinkBuilder::new(&v.workspace, &v.customer, &v.connector)
        .ttl(Duration::from_secs(v.ttl_seconds));
    if let Some(uri) = &v.redirect_uri {
        builder = builder.redirect_uri(uri);
    }
    if let Some(scope) = &v.scope {
        builder = builder.scope(scope);
    }
    let signed = builder
        .sign_with_nonce(&api_key, v.now, Nonce::from_bytes(nonce))
        .unwrap_or_else(|e| panic!("[{name}] stage: sign: {e}"));
    let link = signed.link();
    assert_eq!(
        String::from_utf8(link.canonical_string()).unwrap(),
        v.expected.canonical,
        "[{name}] stage: canonical string"
    );
    assert_eq!(
        base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            link.signature()
        ),
        v.expected.sig,
        "[{name}] stage: signature"
    );
    assert_eq!(link.query(), v.expected.query, "[{name}] stage: query");
    assert_eq!(signed.url(), v.expected.url, "[{name}] stage: url");
    assert!(
        signed.url().starts_with(base_url),
        "[{name}] stage: base url"
    );

    let parsed = ConnectLink::parse(&v.expected.url)
        .unwrap_or_else(|e| panic!("[{name}] stage: parse: {e}"));
    assert_eq!(
        &parsed, link,
        "[{name}] stage: parse gives the signed fields back"
    );
    parsed
        .verify(&key, v.now)
        .unwrap_or_else(|e| panic!("[{name}] stage: verify: {e}"));
    let from_query = ConnectLink::parse_query(&v.expected.query).unwrap();
    assert_eq!(&from_query, link, "[{name}] stage: parse_query");
}

#[test]
fn vector_minimal() {
    let file = vectors();
    check(&file.vectors[0], &file.base_url);
}

#[test]
fn vector_redirect_and_scope() {
    let file = vectors();
    check(&file.vectors[1], &file.base_url);
}

#[test]
fn vector_encoded_ids() {
    let file = vectors();
    check(&file.vectors[2], &file.base_url);
}

#[test]
fn vector_scope_only_long_customer() {
    let file = vectors();
    check(&file.vectors[3], &file.base_url);
}

#[test]
fn every_vector_is_checked() {
    assert_eq!(
        vectors().vectors.len(),
        4,
        "add a #[test] for each new vector"
    );
}

#[test]
fn derived_key_verifies_what_the_api_key_signed() {
    // A server keeps only the link key bytes; a key restored from them verifies.
    let api_key = ApiKey::generate();
    let signed = LinkBuilder::new("ws", "cus", "jira")
        .sign(&api_key, 1000)
        .unwrap();
    let stored = *LinkKey::derive(&api_key).as_bytes();
    signed
        .link()
        .verify(&LinkKey::from_bytes(stored), 1000)
        .unwrap();
    assert_eq!(
        format!("{:?}", LinkKey::from_bytes(stored)),
        "LinkKey([redacted])"
    );
}

#[test]
fn random_nonces_differ() {
    let api_key = ApiKey::generate();
    let b = LinkBuilder::new("ws", "cus", "jira");
    let one = b.sign(&api_key, 1000).unwrap();
    let two = b.sign(&api_key, 1000).unwrap();
    assert_ne!(one.link().nonce(), two.link().nonce());
    assert_ne!(one.url(), two.url());
}

#[test]
fn the_python_implementation_still_writes_this_file() {
    // The vectors come from tests/vectors/connect_link_v1.py; rerun it and compare, so
    // the file and its independent source cannot drift apart.
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/vectors/connect_link_v1.py"
    );
    let output = match std::process::Command::new("python3").arg(script).output() {
        Ok(output) => output,
        Err(err) => {
            eprintln!(
                "SKIPPED: python3 is not available ({err}); the JSON file was not regenerated"
            );
            return;
        }
    };
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let fresh: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let stored: serde_json::Value =
        serde_json::from_str(include_str!("../vectors/connect-link-v1.json")).unwrap();
    assert_eq!(
        fresh, stored,
        "regenerate: python3 tests/vectors/connect_link_v1.py > tests/vectors/connect-link-v1.json"
    );
}
