//! Connect link parsing: any bytes give a link or a `link_invalid` error, never a panic;
//! a parsed link has exactly one spelling and verifies exactly when its signature is the
//! one the fixed key gives.
//!
//! Seeds in `fuzz/seeds/link` are the URLs of `tests/vectors/connect-link-v1.json`; the
//! first two are signed with `API_KEY`, so mutations start from links this key accepts.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use munity::link::{ConnectLink, LinkBuilder, LinkKey};
use munity::ApiKey;

/// The key of the first vectors in `tests/vectors/connect-link-v1.json`.
const API_KEY: &str = "REM0aW39.NfO0123456789CNeHpF29wo012345678";

/// The longest TTL the builder takes (24 h), used to re-sign a parsed link.
const TTL_SECS: i64 = 24 * 60 * 60;

fn key() -> &'static LinkKey {
    static KEY: OnceLock<LinkKey> = OnceLock::new();
    KEY.get_or_init(|| LinkKey::derive(&ApiKey::parse(API_KEY).expect("the vector key parses")))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // A query alone must parse as the same link does inside a URL.
    let from_query = ConnectLink::parse_query(text);
    if let Ok(link) = &from_query {
        // Strict parsing: the accepted spelling is the canonical one.
        assert_eq!(
            link.query(),
            text,
            "a parsed query is its own canonical form"
        );
    }
    match ConnectLink::parse(text) {
        Ok(link) => check(&link),
        Err(err) => assert_eq!(err.code(), "link_invalid"),
    }
    if let Err(err) = from_query {
        assert_eq!(err.code(), "link_invalid");
    }
});

fn check(link: &ConnectLink) {
    // parse -> to_url -> parse gives the same link, and the query is canonical.
    let url = link.to_url(munity::link::DEFAULT_BASE_URL);
    let again = ConnectLink::parse(&url).expect("a parsed link's URL parses");
    assert_eq!(&again, link);
    assert_eq!(again.query(), link.query());

    // Every link that parses can be built: re-sign its fields with the fixed key.
    let exp = link.expires_at();
    let mut builder = LinkBuilder::new(link.workspace(), link.customer(), link.connector())
        .ttl(std::time::Duration::from_secs(TTL_SECS as u64));
    if let Some(uri) = link.redirect_uri() {
        builder = builder.redirect_uri(uri);
    }
    if let Some(scope) = link.scope() {
        builder = builder.scope(scope);
    }
    let signed = builder
        .sign_with_link_key(key(), link.key_prefix(), exp - TTL_SECS, *link.nonce())
        .expect("the fields of a parsed link sign");
    let resigned = signed.link();
    assert_eq!(resigned.canonical_string(), link.canonical_string());
    assert_eq!(resigned.expires_at(), exp);
    assert_eq!(
        ConnectLink::parse(signed.url()).ok().as_ref(),
        Some(resigned),
        "a signed link parses back"
    );
    resigned
        .verify(key(), exp)
        .expect("a link signed by the key verifies at its expiry");

    // The parsed link verifies exactly when its signature is the key's.
    let verdict = link.verify(key(), exp);
    if link.signature() == resigned.signature() {
        assert!(verdict.is_ok(), "{verdict:?}");
    } else {
        assert_eq!(
            verdict.map_err(|e| e.code().to_owned()),
            Err("link_invalid_signature".to_owned())
        );
    }
    // Past the skew the signed link has expired; far before it is too far ahead.
    if let Some(late) = exp.checked_add(61) {
        assert_eq!(
            resigned
                .verify(key(), late)
                .map_err(|e| e.code().to_owned()),
            Err("link_expired".to_owned())
        );
    }
    if let Some(early) = exp.checked_sub(TTL_SECS + 61) {
        assert_eq!(
            resigned
                .verify(key(), early)
                .map_err(|e| e.code().to_owned()),
            Err("link_invalid".to_owned())
        );
    }
}
