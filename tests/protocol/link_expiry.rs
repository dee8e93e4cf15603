//! Expiry and clock-skew edges, the builder's limits and the nonce store.

use std::time::Duration;

use munity::link::{
    ConnectLink, LinkBuilder, LinkKey, MemoryNonceStore, Nonce, CLOCK_SKEW, DEFAULT_BASE_URL,
    MAX_TTL,
};
use munity::{ApiKey, ErrorKind};

const NOW: i64 = 1_700_000_000;

fn api_key() -> ApiKey {
    ApiKey::parse("REM0aW39.NfO0123456789CNeHpF29wo012345678").unwrap()
}

fn link(ttl: u64) -> ConnectLink {
    LinkBuilder::new("ws", "cus", "jira")
        .ttl(Duration::from_secs(ttl))
        .sign_with_nonce(&api_key(), NOW, Nonce::from_bytes([1; 16]))
        .unwrap()
        .link()
        .clone()
}

#[test]
fn default_ttl_is_ten_minutes_and_default_base() {
    let signed = LinkBuilder::new("ws", "cus", "jira")
        .sign(&api_key(), NOW)
        .unwrap();
    assert_eq!(signed.link().expires_at(), NOW + 600);
    assert!(signed
        .url()
        .starts_with(&format!("{DEFAULT_BASE_URL}?v=1&")));
}

#[test]
fn skew_edges() {
    let key = LinkKey::derive(&api_key());
    let link = link(600);
    let exp = NOW + 600;
    let skew = CLOCK_SKEW.as_secs() as i64;
    assert_eq!(skew, 60);
    link.verify(&key, NOW).unwrap();
    link.verify(&key, exp).unwrap();
    link.verify(&key, exp + skew).unwrap();
    let err = link.verify(&key, exp + skew + 1).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Expired);
    assert_eq!(err.code(), "link_expired");
    // A verifier whose clock is behind: fine as long as exp is within 24 h + skew.
    link.verify(&key, NOW - 1000).unwrap();
}

#[test]
fn exp_too_far_ahead_is_refused() {
    let key = LinkKey::derive(&api_key());
    let max = MAX_TTL.as_secs();
    let link = link(max);
    link.verify(&key, NOW).unwrap();
    // Seen from a clock 61 s behind the signer's, exp is 24 h + 61 s away.
    link.verify(&key, NOW - 60).unwrap();
    let err = link.verify(&key, NOW - 61).unwrap_err();
    assert_eq!(err.code(), "link_invalid");
}

#[test]
fn signature_is_checked_before_expiry() {
    let other = ApiKey::parse("REM0aW39.0000000000000000000000000000000X").unwrap();
    let err = link(600)
        .verify(&LinkKey::derive(&other), NOW + 10_000)
        .unwrap_err();
    assert_eq!(err.code(), "link_invalid_signature");
}

#[test]
fn ttl_limits() {
    let b = LinkBuilder::new("ws", "cus", "jira");
    for ok in [1, 600, 24 * 3600] {
        b.clone()
            .ttl(Duration::from_secs(ok))
            .sign(&api_key(), NOW)
            .unwrap();
    }
    for bad in [0, 24 * 3600 + 1, u64::MAX] {
        let err = b
            .clone()
            .ttl(Duration::from_secs(bad))
            .sign(&api_key(), NOW)
            .unwrap_err();
        assert_eq!(err.code(), "link_ttl_invalid", "{bad}");
        assert_eq!(err.kind(), ErrorKind::Config);
    }
    let err = b
        .clone()
        .ttl(Duration::from_secs(60))
        .sign(&api_key(), i64::MAX - 1)
        .unwrap_err();
    assert_eq!(err.code(), "link_ttl_invalid");
}

#[test]
fn builder_refuses_bad_fields() {
    let cases: Vec<(LinkBuilder, &str)> = vec![
        (LinkBuilder::new("", "cus", "jira"), "link_invalid"),
        (LinkBuilder::new("ws", "c\u{0}", "jira"), "link_invalid"),
        (
            LinkBuilder::new("ws", "cus", "jira").scope("a  b"),
            "link_invalid",
        ),
        (
            LinkBuilder::new("ws", "cus", "jira").redirect_uri("http://evil.example.com"),
            "link_invalid",
        ),
        (
            LinkBuilder::new("ws", "cus", "jira").base_url("https://x/connect?a=1"),
            "invalid_base_url",
        ),
        (
            LinkBuilder::new("ws", "cus", "jira").base_url("ftp://x"),
            "invalid_base_url",
        ),
    ];
    for (builder, code) in cases {
        assert_eq!(
            builder.sign(&api_key(), NOW).unwrap_err().code(),
            code,
            "{builder:?}"
        );
    }
}

#[test]
fn nonce_is_accepted_once() {
    let key = LinkKey::derive(&api_key());
    let link = link(600);
    let mut store = MemoryNonceStore::new();
    link.verify_once(&key, NOW, &mut store).unwrap();
    let err = link.verify_once(&key, NOW + 1, &mut store).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert_eq!(err.code(), "link_used");
    // Once the link can no longer pass the expiry check, the store forgets the nonce,
    // and the expiry check refuses the link anyway.
    let late = NOW + 600 + 61;
    assert_eq!(
        link.verify_once(&key, late, &mut store).unwrap_err().code(),
        "link_expired"
    );
    let other = LinkBuilder::new("ws", "cus", "jira")
        .sign(&api_key(), late)
        .unwrap();
    other.link().verify_once(&key, late, &mut store).unwrap();
    assert_eq!(store.len(), 1, "the expired nonce was pruned");
}

#[test]
fn debug_hides_the_signature() {
    let signed = LinkBuilder::new("ws", "cus", "jira")
        .sign(&api_key(), NOW)
        .unwrap();
    let sig = signed.url().rsplit_once("sig=").unwrap().1.to_owned();
    assert!(!format!("{signed:?}").contains(&sig));
    assert!(!format!("{:?}", signed.link()).contains(&sig));
    assert!(format!("{:?}", signed.link()).contains("[redacted]"));
}
