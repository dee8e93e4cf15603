//! Standard Webhooks: the spec's example vector (tests/vectors/standard-webhooks.json),
//! rotation, tolerance edges and typed errors.

use std::time::Duration;

use munity::webhook::{Webhook, WebhookHeaders, WebhookSecret};
use munity::ErrorKind;
use serde::Deserialize;

#[derive(Deserialize)]
struct Vector {
    secret: String,
    id: String,
    timestamp: i64,
    payload: String,
    signature: String,
    tolerance_seconds: u64,
}

fn vector() -> Vector {
    serde_json::from_str(include_str!("../vectors/standard-webhooks.json")).unwrap()
}

fn hook(v: &Vector) -> Webhook {
    Webhook::new(WebhookSecret::parse(&v.secret).unwrap())
}

fn verify_at(v: &Vector, signature: &str, body: &[u8], now: i64) -> munity::Result<()> {
    let ts = v.timestamp.to_string();
    hook(v).verify(
        &WebhookHeaders {
            id: &v.id,
            timestamp: &ts,
            signature,
        },
        body,
        now,
    )
}

#[test]
fn spec_vector_signs() {
    let v = vector();
    assert_eq!(
        hook(&v).sign(&v.id, v.timestamp, v.payload.as_bytes()),
        v.signature
    );
}

#[test]
fn spec_vector_verifies() {
    let v = vector();
    verify_at(&v, &v.signature, v.payload.as_bytes(), v.timestamp).unwrap();
}

#[test]
fn secret_without_prefix_is_the_same_key() {
    let v = vector();
    let bare = v.secret.strip_prefix("whsec_").unwrap();
    let hook = Webhook::new(WebhookSecret::parse(bare).unwrap());
    assert_eq!(
        hook.sign(&v.id, v.timestamp, v.payload.as_bytes()),
        v.signature
    );
}

#[test]
fn tampered_body_id_or_timestamp_fail() {
    let v = vector();
    let err = verify_at(&v, &v.signature, b"{\"test\": 2432232315}", v.timestamp).unwrap_err();
    assert_eq!(err.code(), "webhook_invalid_signature");
    assert_eq!(err.kind(), ErrorKind::Verification);
    let ts = (v.timestamp + 1).to_string();
    let err = hook(&v)
        .verify(
            &WebhookHeaders {
                id: &v.id,
                timestamp: &ts,
                signature: &v.signature,
            },
            v.payload.as_bytes(),
            v.timestamp,
        )
        .unwrap_err();
    assert_eq!(err.code(), "webhook_invalid_signature");
    let err = hook(&v)
        .verify(
            &WebhookHeaders {
                id: "msg_other",
                timestamp: &v.timestamp.to_string(),
                signature: &v.signature,
            },
            v.payload.as_bytes(),
            v.timestamp,
        )
        .unwrap_err();
    assert_eq!(err.code(), "webhook_invalid_signature");
}

#[test]
fn rotation_any_v1_signature_may_match() {
    let v = vector();
    let old =
        Webhook::new(WebhookSecret::generate()).sign(&v.id, v.timestamp, v.payload.as_bytes());
    for header in [
        format!("{old} {}", v.signature),
        format!("{} {old}", v.signature),
        format!("v1a,ignoredasymmetric {} v2,xyz", v.signature),
        format!("v1,not-base64!! {}", v.signature),
    ] {
        verify_at(&v, &header, v.payload.as_bytes(), v.timestamp)
            .unwrap_or_else(|e| panic!("{header}: {e}"));
    }
    for header in [
        old.clone(),
        String::new(),
        "v1a,xyz".to_owned(),
        v.signature.replace("v1,", "v2,"),
    ] {
        let err = verify_at(&v, &header, v.payload.as_bytes(), v.timestamp).unwrap_err();
        assert_eq!(err.code(), "webhook_invalid_signature", "{header}");
    }
}

#[test]
fn tolerance_edges_both_directions() {
    let v = vector();
    let t = v.tolerance_seconds as i64;
    assert_eq!(t, 300);
    let body = v.payload.as_bytes();
    verify_at(&v, &v.signature, body, v.timestamp + t).unwrap();
    verify_at(&v, &v.signature, body, v.timestamp - t).unwrap();
    let old = verify_at(&v, &v.signature, body, v.timestamp + t + 1).unwrap_err();
    assert_eq!(old.code(), "webhook_timestamp_too_old");
    assert_eq!(old.kind(), ErrorKind::Expired);
    let new = verify_at(&v, &v.signature, body, v.timestamp - t - 1).unwrap_err();
    assert_eq!(new.code(), "webhook_timestamp_too_new");
    assert_eq!(new.kind(), ErrorKind::Expired);
}

#[test]
fn custom_tolerance() {
    let v = vector();
    let hook = hook(&v).with_tolerance(Duration::from_secs(10));
    let ts = v.timestamp.to_string();
    let headers = WebhookHeaders {
        id: &v.id,
        timestamp: &ts,
        signature: &v.signature,
    };
    hook.verify(&headers, v.payload.as_bytes(), v.timestamp + 10)
        .unwrap();
    assert!(hook
        .verify(&headers, v.payload.as_bytes(), v.timestamp + 11)
        .is_err());
}

#[test]
fn http_headers_missing_or_malformed() {
    let v = vector();
    let hook = hook(&v);
    let mut headers = http::HeaderMap::new();
    for (name, value) in hook.headers(&v.id, v.timestamp, v.payload.as_bytes()) {
        headers.insert(name, value.parse().unwrap());
    }
    hook.verify_http(&headers, v.payload.as_bytes(), v.timestamp)
        .unwrap();
    for missing in ["webhook-id", "webhook-timestamp", "webhook-signature"] {
        let mut h = headers.clone();
        h.remove(missing);
        let err = hook
            .verify_http(&h, v.payload.as_bytes(), v.timestamp)
            .unwrap_err();
        assert_eq!(err.code(), "webhook_invalid");
        assert!(err.detail().contains(missing));
    }
    let mut h = headers.clone();
    h.insert("webhook-timestamp", "12.5".parse().unwrap());
    let err = hook
        .verify_http(&h, v.payload.as_bytes(), v.timestamp)
        .unwrap_err();
    assert_eq!(err.code(), "webhook_invalid");
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
}

#[test]
fn generated_secrets_are_32_bytes_and_work() {
    let secret = WebhookSecret::generate();
    let text = secret.to_whsec();
    // 32 bytes -> 44 base64 characters with padding.
    assert_eq!(text.expose().len(), "whsec_".len() + 44);
    let hook = Webhook::new(WebhookSecret::parse(text.expose()).unwrap());
    let sig = Webhook::new(secret).sign("msg_1", 100, b"{}");
    hook.verify(
        &WebhookHeaders {
            id: "msg_1",
            timestamp: "100",
            signature: &sig,
        },
        b"{}",
        100,
    )
    .unwrap();
}
