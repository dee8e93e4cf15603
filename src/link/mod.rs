//! Connect links v1: signed URLs that let an end user connect one connector for one
//! customer of a workspace.
//!
//! The product's backend builds a link with an admin API key ([`LinkBuilder`]); the
//! browser and the platform read it ([`ConnectLink::parse`], which does no I/O and
//! works in the browser); the platform verifies it with the link key it keeps for the
//! key prefix ([`ConnectLink::verify`]) and accepts each nonce once ([`NonceStore`]).
//!
//! The full protocol (parameters, canonical string, key derivation, errors) is in
//! `docs/connect-link.md`, with known-answer vectors in `tests/vectors/connect-link-v1.json`.
//!
//! ```
//! use munity::link::{ConnectLink, LinkBuilder, LinkKey};
//! use munity::ApiKey;
//!
//! # fn main() -> munity::Result<()> {
//! let api_key = ApiKey::parse("REM0aW39.NfO0123456789CNeHpF29wo012345678")?;
//! let now = 1_700_000_000; // unix seconds: `munity::now_unix()` on a server
//! let signed = LinkBuilder::new("ws_1", "cus_42", "jira")
//!     .redirect_uri("https://app.example.com/done")
//!     .sign(&api_key, now)?;
//! assert!(signed.url().starts_with("https://api.munityapps.com/v1/connect?v=1&workspace=ws_1&"));
//!
//! // The platform side: parse, then verify with the stored link key.
//! let link = ConnectLink::parse(signed.url())?;
//! assert_eq!(link.customer(), "cus_42");
//! link.verify(&LinkKey::derive(&api_key), now + 30)?;
//!
//! // Eleven minutes later the link has expired (10 minutes TTL + 60 s skew).
//! let err = link.verify(&LinkKey::derive(&api_key), now + 11 * 60 + 1).unwrap_err();
//! assert_eq!(err.code(), "link_expired");
//! # Ok(())
//! # }
//! ```
//!
//! ## Error codes
//!
//! | code | kind | when |
//! |---|---|---|
//! | `link_invalid` | [`InvalidInput`](crate::ErrorKind::InvalidInput) | any malformed, missing, duplicate, unknown, out-of-order or non-canonically encoded parameter; a wrong version; an `exp` further than 24 h ahead |
//! | `link_invalid_signature` | [`Verification`](crate::ErrorKind::Verification) | `sig` does not match the link key |
//! | `link_expired` | [`Expired`](crate::ErrorKind::Expired) | `now > exp + 60 s` ([`check_unexpired`]: checked by `verify` and again by every [`NonceStore`]) |
//! | `link_used` | [`Conflict`](crate::ErrorKind::Conflict) | a [`NonceStore`] has seen the nonce |
//! | `link_ttl_invalid`, `invalid_base_url` | [`Config`](crate::ErrorKind::Config) | builder misuse |

mod build;
mod canonical;
pub(crate) mod fields;
mod key;
mod parse;
mod replay;
#[cfg(feature = "redis")]
mod replay_redis;

use std::time::Duration;

use ring::hmac;

use crate::error::{Error, ErrorKind, Result};
use crate::error_code::wire;

pub use build::{LinkBuilder, SignedLink};
/// The canonical form-urlencoding of a value, shared with the browser build's URLs.
#[cfg(all(feature = "wasm", target_arch = "wasm32"))]
pub(crate) use canonical::encode_into as form_encode_into;
pub use key::LinkKey;
pub use replay::{link_used, AsyncNonceStore, MemoryNonceStore, NonceStore};
#[cfg(feature = "redis")]
pub use replay_redis::RedisNonceStore;

/// The protocol version this module writes and reads (`v=1`).
pub const VERSION: &str = "1";
/// The production API's base: where the client and the browser package send requests
/// unless told otherwise.
pub const DEFAULT_API_BASE: &str = "https://api.munityapps.com/v1";
/// Where links point unless [`LinkBuilder::base_url`] says otherwise:
/// [`DEFAULT_API_BASE`] + `/connect`.
pub const DEFAULT_BASE_URL: &str = "https://api.munityapps.com/v1/connect";
/// How long a link lives unless [`LinkBuilder::ttl`] says otherwise: 10 minutes.
pub const DEFAULT_TTL: Duration = Duration::from_secs(10 * 60);
/// The longest lifetime a link may have: 24 hours.
pub const MAX_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// The clock skew [`ConnectLink::verify`] allows between the signer's and the
/// verifier's clocks: a link is still accepted up to 60 s after its `exp`.
pub const CLOCK_SKEW: Duration = Duration::from_secs(60);

/// The 128-bit random value that makes each link unique (the `nonce` parameter).
///
/// A nonce is not secret: it is printed as base64url without padding.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Nonce([u8; 16]);

impl Nonce {
    /// A fresh nonce from the system's CSPRNG.
    pub fn random() -> Nonce {
        Nonce(crate::random::bytes::<16>())
    }

    /// A nonce from its 16 bytes (for tests and known-answer vectors).
    pub fn from_bytes(bytes: [u8; 16]) -> Nonce {
        Nonce(bytes)
    }

    /// The 16 bytes.
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// The nonce as it appears in a link: base64url, no padding (22 characters).
    pub fn to_base64url(&self) -> String {
        crate::base64_strict::encode_url(&self.0)
    }
}

impl std::fmt::Debug for Nonce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Nonce({})", self.to_base64url())
    }
}

impl std::fmt::Display for Nonce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_base64url())
    }
}

/// A connect link's parameters and signature, as built or parsed (not yet verified
/// when it comes from [`ConnectLink::parse`]).
#[derive(Clone, PartialEq, Eq)]
pub struct ConnectLink {
    workspace: String,
    customer: String,
    connector: String,
    key_prefix: String,
    expires_at: i64,
    nonce: Nonce,
    redirect_uri: Option<String>,
    scope: Option<String>,
    signature: [u8; 32],
}

impl ConnectLink {
    /// Parses a whole link (`<base>?<query>[#fragment]`; the fragment is ignored).
    ///
    /// Strict: the parameters must be exactly those of version 1, each once, in the
    /// documented order, each value in canonical `application/x-www-form-urlencoded`
    /// form. Anything else is a `link_invalid` error naming the problem. Parsing checks
    /// the form only; call [`verify`](Self::verify) before trusting the values.
    pub fn parse(url: &str) -> Result<ConnectLink> {
        parse::parse_url(url)
    }

    /// Parses only the query part (what follows `?`), as a server receives it.
    pub fn parse_query(query: &str) -> Result<ConnectLink> {
        parse::parse_query(query)
    }

    /// Checks the signature (in constant time) with the link key of
    /// [`key_prefix`](Self::key_prefix), then the expiry against `now` (unix seconds),
    /// allowing [`CLOCK_SKEW`]. The signature is checked first, so an unauthenticated
    /// link never learns whether it has expired.
    pub fn verify(&self, key: &LinkKey, now: i64) -> Result<()> {
        self.verify_signature(key)?;
        self.check_time(now)
    }

    /// [`verify`](Self::verify), then records the nonce in `store`: a second use of the
    /// same link fails with `link_used`.
    pub fn verify_once(&self, key: &LinkKey, now: i64, store: &mut impl NonceStore) -> Result<()> {
        self.verify(key, now)?;
        store.consume(&self.key_prefix, &self.nonce, self.expires_at, now)
    }

    /// [`verify_once`](Self::verify_once) with a store that answers asynchronously (one
    /// shared by several API instances, such as `RedisNonceStore`).
    pub async fn verify_once_async(
        &self,
        key: &LinkKey,
        now: i64,
        store: &impl AsyncNonceStore,
    ) -> Result<()> {
        self.verify(key, now)?;
        store
            .consume(&self.key_prefix, &self.nonce, self.expires_at, now)
            .await
    }

    fn verify_signature(&self, key: &LinkKey) -> Result<()> {
        let canonical = self.canonical_string();
        // ring's verify compares in constant time.
        hmac::verify(&key.hmac_key(), &canonical, &self.signature).map_err(|_| {
            Error::new(
                ErrorKind::Verification,
                wire::LinkInvalidSignature,
                "the link's signature does not match: it was altered or signed with another key",
            )
        })
    }

    fn check_time(&self, now: i64) -> Result<()> {
        let skew = secs(CLOCK_SKEW);
        check_unexpired(self.expires_at, now)?;
        if self.expires_at > now.saturating_add(secs(MAX_TTL)).saturating_add(skew) {
            return Err(Error::invalid(
                wire::LinkInvalid,
                "the link's `exp` is more than 24 h ahead, longer than any link may live",
            ));
        }
        Ok(())
    }

    /// The canonical string the signature covers (see `docs/connect-link.md`).
    pub fn canonical_string(&self) -> Vec<u8> {
        canonical::canonical_string(&self.fields())
    }

    /// The link's query: the parameters in canonical order and encoding, `sig` last.
    pub fn query(&self) -> String {
        let mut out = String::with_capacity(320);
        canonical::write_query(&mut out, &self.fields(), &self.signature);
        out
    }

    /// `base?query`.
    pub fn to_url(&self, base: &str) -> String {
        let mut out = String::with_capacity(base.len() + 320);
        out.push_str(base);
        out.push('?');
        canonical::write_query(&mut out, &self.fields(), &self.signature);
        out
    }

    fn fields(&self) -> canonical::Fields<'_> {
        canonical::Fields {
            workspace: &self.workspace,
            customer: &self.customer,
            connector: &self.connector,
            key_prefix: &self.key_prefix,
            expires_at: self.expires_at,
            nonce: &self.nonce,
            redirect_uri: self.redirect_uri.as_deref(),
            scope: self.scope.as_deref(),
        }
    }

    /// The workspace id (`workspace`).
    pub fn workspace(&self) -> &str {
        &self.workspace
    }

    /// The product's internal id of its customer (`customer`).
    pub fn customer(&self) -> &str {
        &self.customer
    }

    /// The connector's name (`connector`).
    pub fn connector(&self) -> &str {
        &self.connector
    }

    /// The public prefix of the API key that signed the link (`key`).
    pub fn key_prefix(&self) -> &str {
        &self.key_prefix
    }

    /// When the link expires, in unix seconds (`exp`).
    pub fn expires_at(&self) -> i64 {
        self.expires_at
    }

    /// The link's nonce (`nonce`).
    pub fn nonce(&self) -> &Nonce {
        &self.nonce
    }

    /// Where to send the end user afterwards (`redirect_uri`), if the link says.
    pub fn redirect_uri(&self) -> Option<&str> {
        self.redirect_uri.as_deref()
    }

    /// The requested scope (`scope`), if the link says.
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    /// The 32-byte signature (`sig`).
    pub fn signature(&self) -> &[u8; 32] {
        &self.signature
    }
}

impl std::fmt::Debug for ConnectLink {
    /// Prints every parameter but the signature (a link is a bearer credential).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectLink")
            .field("workspace", &self.workspace)
            .field("customer", &self.customer)
            .field("connector", &self.connector)
            .field("key_prefix", &self.key_prefix)
            .field("expires_at", &self.expires_at)
            .field("nonce", &self.nonce)
            .field("redirect_uri", &self.redirect_uri)
            .field("scope", &self.scope)
            .field("signature", &"[redacted]")
            .finish()
    }
}

/// The expiry rule, the one place it is written: a link that expires at `expires_at`
/// (unix seconds) is accepted until `expires_at + CLOCK_SKEW` inclusive. Fails with
/// `link_expired` ([`ErrorKind::Expired`]) after that.
///
/// [`ConnectLink::verify`] applies it, and so must every [`NonceStore`] before it
/// records a nonce (the stores of this crate do): a store is the last check before a
/// connection, whichever route calls it.
pub fn check_unexpired(expires_at: i64, now: i64) -> Result<()> {
    if now > accepted_until(expires_at) {
        return Err(Error::new(
            ErrorKind::Expired,
            wire::LinkExpired,
            format!(
                "the link expired at {} ({} s ago); ask for a new link",
                crate::time::format_rfc3339(expires_at),
                now.saturating_sub(expires_at)
            ),
        ));
    }
    Ok(())
}

/// The last unix second at which a link that expires at `expires_at` is accepted
/// (`expires_at + CLOCK_SKEW`): how long a [`NonceStore`] must remember its nonce.
pub fn accepted_until(expires_at: i64) -> i64 {
    expires_at.saturating_add(secs(CLOCK_SKEW))
}

/// A duration in whole seconds as i64 (the constants here are small).
pub(crate) fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}
