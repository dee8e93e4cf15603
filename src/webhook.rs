//! Webhook signatures per the [Standard Webhooks](https://www.standardwebhooks.com/)
//! specification: the platform signs each delivery, the product verifies it.
//!
//! - headers `webhook-id`, `webhook-timestamp` (unix seconds) and `webhook-signature`;
//! - `webhook-signature` holds one or more space-separated `v1,<base64>` values
//!   (several during a secret rotation); one valid `v1` value suffices, other versions
//!   are ignored;
//! - each value is the standard base64 (with padding) of
//!   `HMAC-SHA256(key, "<id>.<timestamp>.<body>")`, where the key is the base64-decoded
//!   part of the secret after `whsec_`;
//! - the timestamp must be within a tolerance of the verifier's clock, 5 minutes by
//!   default, in both directions.
//!
//! Details and error codes are in `docs/webhooks.md`.
//!
//! [`Webhook::verify_event`] (or [`verify_event_http`](Webhook::verify_event_http))
//! verifies a delivery and returns its typed [`WebhookEvent`]:
//!
//! ```
//! use munity::webhook::{EventData, Webhook, WebhookSecret};
//!
//! # fn main() -> munity::Result<()> {
//! let hook = Webhook::new(WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?);
//! let body = br#"{"type":"connection.created","timestamp":"2026-12-05T08:00:00Z",
//!   "data":{"id":"con_1","customer_id":"cus_1","connector":"jira","status":"active",
//!   "created_at":"2026-12-05T08:00:00Z"}}"#;
//! let headers = hook.headers("msg_1", 1_700_000_000, body);
//! let mut map = http::HeaderMap::new();
//! for (name, value) in headers {
//!     map.insert(name, value.parse().unwrap());
//! }
//! let event = hook.verify_event_http(&map, body, 1_700_000_000)?;
//! assert_eq!(event.id, "msg_1");
//! match event.data {
//!     EventData::ConnectionCreated(connection) => assert_eq!(connection.connector, "jira"),
//!     other => panic!("unexpected {}", other.event_type()),
//! }
//! # Ok(())
//! # }
//! ```
//!
//! ```
//! use munity::webhook::{Webhook, WebhookHeaders, WebhookSecret};
//!
//! # fn main() -> munity::Result<()> {
//! // The spec's own example.
//! let secret = WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?;
//! let hook = Webhook::new(secret);
//! let body = br#"{"test": 2432232314}"#;
//! let signature = hook.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body);
//! assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
//!
//! let headers = WebhookHeaders {
//!     id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
//!     timestamp: "1614265330",
//!     signature: &signature,
//! };
//! hook.verify(&headers, body, 1614265330 + 60)?;
//! let late = hook.verify(&headers, body, 1614265330 + 301).unwrap_err();
//! assert_eq!(late.code(), "webhook_timestamp_too_old");
//! # Ok(())
//! # }
//! ```
//!
//! ## Error codes
//!
//! | code | kind | when |
//! |---|---|---|
//! | `webhook_invalid` | [`InvalidInput`](crate::ErrorKind::InvalidInput) | a header is missing, not UTF-8, or the timestamp is not an integer |
//! | `webhook_timestamp_too_old` / `webhook_timestamp_too_new` | [`Expired`](crate::ErrorKind::Expired) | the timestamp is outside the tolerance |
//! | `webhook_invalid_signature` | [`Verification`](crate::ErrorKind::Verification) | no `v1` signature matches |
//! | `invalid_webhook_secret` | [`Config`](crate::ErrorKind::Config) | the secret is not `whsec_<base64 of 24 to 64 bytes>` |
//! | `webhook_payload_invalid` | [`Decode`](crate::ErrorKind::Decode) | a verified body is not an event's JSON (`verify_event` only) |

use std::fmt;
use std::time::Duration;

use crate::base64_strict;
use crate::error_code::wire;
use ring::hmac;

use crate::error::{Error, ErrorKind, Result};
use crate::model::Connection;
use crate::Secret;

/// The default timestamp tolerance: 5 minutes, both directions.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(5 * 60);
/// The prefix of a serialized secret.
pub const SECRET_PREFIX: &str = "whsec_";
/// Header name of the message id.
pub const HEADER_ID: &str = "webhook-id";
/// Header name of the timestamp.
pub const HEADER_TIMESTAMP: &str = "webhook-timestamp";
/// Header name of the signatures.
pub const HEADER_SIGNATURE: &str = "webhook-signature";

/// Shortest secret accepted, in bytes (the spec's lower bound).
const MIN_SECRET_LEN: usize = 24;
/// Longest secret accepted, in bytes (the spec's upper bound).
const MAX_SECRET_LEN: usize = 64;
/// Length of a generated secret, in bytes.
const GENERATED_SECRET_LEN: usize = 32;

/// A webhook signing secret: 24 to 64 bytes, written `whsec_<base64>`.
///
/// Debug and Display print `WebhookSecret([redacted])`.
#[derive(Clone)]
pub struct WebhookSecret {
    key: Secret<Vec<u8>>,
}

impl WebhookSecret {
    /// A new random secret of 32 bytes.
    pub fn generate() -> WebhookSecret {
        WebhookSecret {
            key: Secret::new(crate::random::bytes::<GENERATED_SECRET_LEN>().to_vec()),
        }
    }

    /// Reads `whsec_<base64>` (the prefix may be left out, as the spec's libraries allow).
    pub fn parse(text: &str) -> Result<WebhookSecret> {
        let text = text.trim();
        let encoded = text.strip_prefix(SECRET_PREFIX).unwrap_or(text);
        let bytes = base64_strict::decode_standard(encoded.as_bytes()).ok_or_else(|| {
            secret_error("a webhook secret is `whsec_` followed by standard base64")
        })?;
        WebhookSecret::from_bytes(bytes)
    }

    /// A secret from its raw bytes (24 to 64).
    pub fn from_bytes(bytes: Vec<u8>) -> Result<WebhookSecret> {
        let key = Secret::new(bytes);
        if !(MIN_SECRET_LEN..=MAX_SECRET_LEN).contains(&key.expose().len()) {
            return Err(secret_error(
                "a webhook secret must be 24 to 64 bytes once base64-decoded",
            ));
        }
        Ok(WebhookSecret { key })
    }

    /// The raw key bytes (for storage by the sender). Handle with care.
    pub fn expose_bytes(&self) -> &[u8] {
        self.key.expose()
    }

    /// The secret as `whsec_<base64>`, to hand to the receiver once.
    pub fn to_whsec(&self) -> Secret<String> {
        Secret::new(format!(
            "{SECRET_PREFIX}{}",
            base64_strict::encode_standard(self.key.expose())
        ))
    }

    fn hmac_key(&self) -> hmac::Key {
        hmac::Key::new(hmac::HMAC_SHA256, self.key.expose())
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret([redacted])")
    }
}

impl fmt::Display for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret([redacted])")
    }
}

fn secret_error(detail: &'static str) -> Error {
    Error::new(ErrorKind::Config, "invalid_webhook_secret", detail)
}

/// The three webhook headers of one delivery, as received.
#[derive(Debug, Clone, Copy)]
pub struct WebhookHeaders<'a> {
    /// `webhook-id`: the message id (the same on every retry of a message).
    pub id: &'a str,
    /// `webhook-timestamp`: unix seconds, as text.
    pub timestamp: &'a str,
    /// `webhook-signature`: space-separated `v1,<base64>` values.
    pub signature: &'a str,
}

impl<'a> WebhookHeaders<'a> {
    /// Takes the three headers from an HTTP header map.
    pub fn from_http(headers: &'a http::HeaderMap) -> Result<WebhookHeaders<'a>> {
        let get = |name: &'static str| -> Result<&'a str> {
            let value = headers.get(name).ok_or_else(|| {
                Error::invalid("webhook_invalid", format!("missing header `{name}`"))
            })?;
            value.to_str().map_err(|_| {
                Error::invalid("webhook_invalid", format!("header `{name}` is not ASCII"))
            })
        };
        Ok(WebhookHeaders {
            id: get(HEADER_ID)?,
            timestamp: get(HEADER_TIMESTAMP)?,
            signature: get(HEADER_SIGNATURE)?,
        })
    }
}

/// Signs and verifies webhooks with one secret.
#[derive(Debug, Clone)]
pub struct Webhook {
    secret: WebhookSecret,
    tolerance: Duration,
}

impl Webhook {
    /// A signer/verifier with the [`DEFAULT_TOLERANCE`].
    pub fn new(secret: WebhookSecret) -> Webhook {
        Webhook {
            secret,
            tolerance: DEFAULT_TOLERANCE,
        }
    }

    /// Sets the timestamp tolerance (both directions).
    pub fn with_tolerance(mut self, tolerance: Duration) -> Webhook {
        self.tolerance = tolerance;
        self
    }

    /// The `webhook-signature` value (`v1,<base64>`) of a delivery.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        format!(
            "v1,{}",
            base64_strict::encode_standard(self.tag(id, &timestamp.to_string(), body).as_ref())
        )
    }

    /// The three headers of a delivery: `(name, value)` pairs.
    pub fn headers(&self, id: &str, timestamp: i64, body: &[u8]) -> [(&'static str, String); 3] {
        [
            (HEADER_ID, id.to_owned()),
            (HEADER_TIMESTAMP, timestamp.to_string()),
            (HEADER_SIGNATURE, self.sign(id, timestamp, body)),
        ]
    }

    /// Verifies a delivery received at `now` (unix seconds): timestamp within the
    /// tolerance, then at least one `v1` signature matching (compared in constant time).
    pub fn verify(&self, headers: &WebhookHeaders<'_>, body: &[u8], now: i64) -> Result<()> {
        let timestamp = parse_timestamp(headers.timestamp)?;
        self.check_timestamp(timestamp, now)?;
        // The expected tag is encoded once and compared as text: the encoding is canonical
        // (one spelling per tag), so this accepts exactly the strictly decoded matches.
        let expected =
            base64_strict::encode_standard(self.tag(headers.id, headers.timestamp, body).as_ref());
        let mut matched = false;
        for candidate in headers.signature.split(' ') {
            if let Some(encoded) = candidate.strip_prefix("v1,") {
                // No early exit: every candidate is compared.
                matched |= crate::ct::eq(expected.as_bytes(), encoded.as_bytes());
            }
        }
        if matched {
            Ok(())
        } else {
            Err(Error::new(
                ErrorKind::Verification,
                "webhook_invalid_signature",
                "no `v1` signature in `webhook-signature` matches this secret and body",
            ))
        }
    }

    /// [`verify`](Self::verify) with the headers taken from an HTTP header map.
    pub fn verify_http(&self, headers: &http::HeaderMap, body: &[u8], now: i64) -> Result<()> {
        self.verify(&WebhookHeaders::from_http(headers)?, body, now)
    }

    /// [`verify`](Self::verify), then reads the verified body as a [`WebhookEvent`].
    ///
    /// An event type this version does not know is [`EventData::Unknown`] (not an
    /// error), so a newer platform's events do not break an older receiver; a known type
    /// whose data does not decode is `webhook_payload_invalid`.
    pub fn verify_event(
        &self,
        headers: &WebhookHeaders<'_>,
        body: &[u8],
        now: i64,
    ) -> Result<WebhookEvent> {
        self.verify(headers, body, now)?;
        WebhookEvent::from_verified(headers.id, body)
    }

    /// [`verify_event`](Self::verify_event) with the headers taken from an HTTP header map.
    pub fn verify_event_http(
        &self,
        headers: &http::HeaderMap,
        body: &[u8],
        now: i64,
    ) -> Result<WebhookEvent> {
        self.verify_event(&WebhookHeaders::from_http(headers)?, body, now)
    }

    fn check_timestamp(&self, timestamp: i64, now: i64) -> Result<()> {
        let tolerance = i64::try_from(self.tolerance.as_secs()).unwrap_or(i64::MAX);
        if timestamp < now.saturating_sub(tolerance) {
            return Err(Error::new(
                ErrorKind::Expired,
                "webhook_timestamp_too_old",
                format!(
                    "the webhook timestamp is {} s old, more than the {tolerance} s tolerance",
                    now.saturating_sub(timestamp)
                ),
            ));
        }
        if timestamp > now.saturating_add(tolerance) {
            return Err(Error::new(
                ErrorKind::Expired,
                "webhook_timestamp_too_new",
                format!(
                    "the webhook timestamp is {} s in the future, more than the {tolerance} s tolerance",
                    timestamp.saturating_sub(now)
                ),
            ));
        }
        Ok(())
    }

    fn tag(&self, id: &str, timestamp: &str, body: &[u8]) -> hmac::Tag {
        let mut ctx = hmac::Context::with_key(&self.secret.hmac_key());
        ctx.update(id.as_bytes());
        ctx.update(b".");
        ctx.update(timestamp.as_bytes());
        ctx.update(b".");
        ctx.update(body);
        ctx.sign()
    }
}

/// A verified webhook delivery: `{"type", "timestamp", "data"}` with its message id.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct WebhookEvent {
    /// The message id (`webhook-id`): the same on every retry of a message, so a
    /// receiver deduplicates by it.
    pub id: String,
    /// When the event happened (RFC 3339, the payload's `timestamp`).
    pub timestamp: String,
    /// What happened, typed by the event's `type`.
    pub data: EventData,
}

/// What a webhook event says happened.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum EventData {
    /// `connection.created`: an end user connected a connector for a customer.
    ConnectionCreated(Connection),
    /// `connection.deleted`: a connection was deleted through the API.
    ConnectionDeleted(Connection),
    /// An event type this version of the crate does not know, kept as sent.
    Unknown {
        /// The event's `type`.
        event_type: String,
        /// The event's `data`, undecoded.
        data: serde_json::Value,
    },
}

impl EventData {
    /// The event's `type`, e.g. `connection.created`.
    pub fn event_type(&self) -> &str {
        match self {
            EventData::ConnectionCreated(_) => EVENT_CONNECTION_CREATED,
            EventData::ConnectionDeleted(_) => EVENT_CONNECTION_DELETED,
            EventData::Unknown { event_type, .. } => event_type,
        }
    }
}

/// The `type` of [`EventData::ConnectionCreated`].
pub const EVENT_CONNECTION_CREATED: &str = "connection.created";
/// The `type` of [`EventData::ConnectionDeleted`].
pub const EVENT_CONNECTION_DELETED: &str = "connection.deleted";

/// The payload as sent, before its `data` is typed.
#[derive(serde::Deserialize)]
struct Payload {
    #[serde(rename = "type")]
    event_type: String,
    timestamp: String,
    data: serde_json::Value,
}

impl WebhookEvent {
    /// Reads a body whose signature was verified. Errors name the problem, never a value
    /// (a payload may hold personal data).
    fn from_verified(id: &str, body: &[u8]) -> Result<WebhookEvent> {
        let invalid = |e: serde_json::Error| {
            Error::new(
                ErrorKind::Decode,
                wire::WebhookPayloadInvalid,
                format!(
                    "the webhook body is not an event's JSON: {}",
                    crate::redact::json_message(&e)
                ),
            )
        };
        let payload: Payload = serde_json::from_slice(body).map_err(invalid)?;
        let data = match payload.event_type.as_str() {
            EVENT_CONNECTION_CREATED => {
                EventData::ConnectionCreated(serde_json::from_value(payload.data).map_err(invalid)?)
            }
            EVENT_CONNECTION_DELETED => {
                EventData::ConnectionDeleted(serde_json::from_value(payload.data).map_err(invalid)?)
            }
            _ => EventData::Unknown {
                event_type: payload.event_type,
                data: payload.data,
            },
        };
        Ok(WebhookEvent {
            id: id.to_owned(),
            timestamp: payload.timestamp,
            data,
        })
    }
}

/// `webhook-timestamp`: an integer number of unix seconds (digits, optional `-`).
fn parse_timestamp(text: &str) -> Result<i64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let well_formed = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    well_formed
        .then(|| text.parse::<i64>().ok())
        .flatten()
        .ok_or_else(|| {
            Error::invalid(
                "webhook_invalid",
                "`webhook-timestamp` is not an integer number of seconds",
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn secret_is_redacted_and_round_trips() {
        let secret = WebhookSecret::generate();
        assert_eq!(format!("{secret:?}"), "WebhookSecret([redacted])");
        assert_eq!(secret.to_string(), "WebhookSecret([redacted])");
        let text = secret.to_whsec();
        assert!(text.expose().starts_with("whsec_"));
        let again = WebhookSecret::parse(text.expose()).unwrap();
        assert_eq!(again.key.expose(), secret.key.expose());
    }

    #[test]
    fn secret_lengths() {
        assert!(WebhookSecret::from_bytes(vec![0; 23]).is_err());
        assert!(WebhookSecret::from_bytes(vec![0; 24]).is_ok());
        assert!(WebhookSecret::from_bytes(vec![0; 64]).is_ok());
        assert!(WebhookSecret::from_bytes(vec![0; 65]).is_err());
        let err = WebhookSecret::parse("whsec_not base64!").unwrap_err();
        assert_eq!(err.code(), "invalid_webhook_secret");
        assert!(!err.to_string().contains("not base64"));
    }

    #[test]
    fn events_are_typed_only_after_verification() {
        let hook = Webhook::new(WebhookSecret::generate());
        let now = 1_700_000_000;
        let connection = r#"{"id":"con_1","customer_id":"cus_1","connector":"jira","status":"active","created_at":"2026-12-05T08:00:00Z"}"#;
        let event = |event_type: &str, data: &str| {
            format!(r#"{{"type":"{event_type}","timestamp":"2026-12-05T08:00:00Z","data":{data}}}"#)
        };
        let verify = |body: &str| {
            let signature = hook.sign("msg_1", now, body.as_bytes());
            let headers = WebhookHeaders {
                id: "msg_1",
                timestamp: "1700000000",
                signature: &signature,
            };
            hook.verify_event(&headers, body.as_bytes(), now)
        };

        let created = verify(&event("connection.created", connection)).unwrap();
        assert_eq!(created.id, "msg_1");
        assert_eq!(created.timestamp, "2026-12-05T08:00:00Z");
        let EventData::ConnectionCreated(c) = &created.data else {
            panic!("{created:?}")
        };
        assert_eq!((c.id.as_str(), c.connector.as_str()), ("con_1", "jira"));
        assert_eq!(created.data.event_type(), "connection.created");

        let deleted = verify(&event("connection.deleted", connection)).unwrap();
        assert!(matches!(deleted.data, EventData::ConnectionDeleted(_)));

        let newer = verify(&event("customer.merged", r#"{"x":1}"#)).unwrap();
        assert_eq!(newer.data.event_type(), "customer.merged");
        assert!(matches!(&newer.data, EventData::Unknown { data, .. } if data["x"] == 1));

        let bad = verify(&event("connection.created", r#"{"id":"con_secretvalue"}"#)).unwrap_err();
        assert_eq!(bad.error_code(), ErrorCode::WebhookPayloadInvalid);
        assert!(!bad.to_string().contains("secretvalue"), "{bad}");
        assert_eq!(
            verify("not json").unwrap_err().code(),
            "webhook_payload_invalid"
        );

        // A body that does not verify is never parsed.
        let headers = WebhookHeaders {
            id: "msg_1",
            timestamp: "1700000000",
            signature: "v1,AAAA",
        };
        let err = hook
            .verify_event(
                &headers,
                event("connection.created", connection).as_bytes(),
                now,
            )
            .unwrap_err();
        assert_eq!(err.error_code(), ErrorCode::WebhookInvalidSignature);
    }

    #[test]
    fn timestamps() {
        assert_eq!(parse_timestamp("1614265330").unwrap(), 1614265330);
        assert_eq!(parse_timestamp("-5").unwrap(), -5);
        for bad in ["", "-", "+1", "1.5", " 1", "1e3", "99999999999999999999"] {
            assert_eq!(parse_timestamp(bad).unwrap_err().code(), "webhook_invalid");
        }
    }
}
