//! Webhook verification: any headers and body give `Ok` or a typed error, never a panic,
//! and `Ok` exactly when the timestamp is within the tolerance and one `v1` value is the
//! signature the fixed secret gives.
//!
//! Input: three lines (`webhook-id`, `webhook-timestamp`, `webhook-signature`), then the
//! body (the rest, any bytes). Seeds in `fuzz/seeds/webhook` are deliveries signed with
//! `SECRET` at or near `NOW`.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use munity::webhook::{Webhook, WebhookHeaders, WebhookSecret, DEFAULT_TOLERANCE};

/// The Standard Webhooks specification's example secret (`tests/vectors/standard-webhooks.json`).
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
/// The specification example's timestamp: the verifier's clock.
const NOW: i64 = 1_614_265_330;

fn hook() -> &'static Webhook {
    static HOOK: OnceLock<Webhook> = OnceLock::new();
    HOOK.get_or_init(|| Webhook::new(WebhookSecret::parse(SECRET).expect("the spec secret parses")))
}

fuzz_target!(|data: &[u8]| {
    secret_round_trip(data);
    let mut lines = data.splitn(4, |b| *b == b'\n');
    let (Some(id), Some(timestamp), Some(signature)) = (lines.next(), lines.next(), lines.next())
    else {
        return;
    };
    let body = lines.next().unwrap_or_default();
    let (Ok(id), Ok(timestamp), Ok(signature)) = (
        std::str::from_utf8(id),
        std::str::from_utf8(timestamp),
        std::str::from_utf8(signature),
    ) else {
        return;
    };
    let headers = WebhookHeaders {
        id,
        timestamp,
        signature,
    };
    let verdict = hook().verify(&headers, body, NOW);
    match &verdict {
        Ok(()) => {}
        Err(err) => assert!(
            [
                "webhook_invalid",
                "webhook_timestamp_too_old",
                "webhook_timestamp_too_new",
                "webhook_invalid_signature",
            ]
            .contains(&err.code()),
            "unexpected code {}",
            err.code()
        ),
    }
    if let Some(ts) = canonical_timestamp(timestamp) {
        let in_time = ts.abs_diff(NOW) <= DEFAULT_TOLERANCE.as_secs();
        let expected = hook().sign(id, ts, body);
        // Ok exactly when in time and one space-separated value is the signature.
        let matches = signature.split(' ').any(|value| value == expected);
        assert_eq!(verdict.is_ok(), in_time && matches, "{verdict:?}");
        if in_time {
            // The right signature among any others verifies, wherever it stands.
            for joined in [
                format!("{signature} {expected}"),
                format!("{expected} {signature}"),
            ] {
                let with_it = WebhookHeaders {
                    signature: &joined,
                    ..headers
                };
                assert!(hook().verify(&with_it, body, NOW).is_ok());
            }
        }
    }
    // Through an HTTP header map: the same verdict when the values are header-safe.
    let mut map = http::HeaderMap::new();
    for (name, value) in [
        ("webhook-id", id),
        ("webhook-timestamp", timestamp),
        ("webhook-signature", signature),
    ] {
        let Ok(value) = http::HeaderValue::from_str(value) else {
            return;
        };
        map.insert(name, value);
    }
    let via_http = hook().verify_http(&map, body, NOW);
    if map.values().all(|v| v.to_str().is_ok()) {
        assert_eq!(
            via_http.map_err(|e| e.code().to_owned()),
            verdict.map_err(|e| e.code().to_owned())
        );
    } else {
        assert_eq!(
            via_http.map_err(|e| e.code().to_owned()),
            Err("webhook_invalid".to_owned())
        );
    }
});

/// The timestamp when it is the decimal spelling `i64::to_string` gives (what `sign`
/// signs); leading zeros, `-0` and the like are verified as written, so left out here.
fn canonical_timestamp(text: &str) -> Option<i64> {
    let ts: i64 = text.parse().ok()?;
    (ts.to_string() == text).then_some(ts)
}

/// A secret that parses round-trips through `whsec_`.
fn secret_round_trip(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match WebhookSecret::parse(text) {
        Ok(secret) => {
            let again = WebhookSecret::parse(secret.to_whsec().expose()).expect("whsec parses");
            assert_eq!(again.expose_bytes(), secret.expose_bytes());
        }
        Err(err) => assert_eq!(err.code(), "invalid_webhook_secret"),
    }
}
