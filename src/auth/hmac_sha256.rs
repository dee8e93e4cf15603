//! The `hmac_sha256` request-signing scheme (version 1), specified in
//! `docs/hmac-sha256.md`: the client signs method, path, sorted query, host, selected
//! headers, a timestamp, a nonce and the body's SHA-256 with its client secret; the
//! receiving server recomputes the signature, compares it in constant time and checks
//! the timestamp against a window.
//!
//! ```
//! use munity::auth::hmac_sha256::{sign, verify};
//! use munity::auth::{Body, SignableRequest};
//! use munity::Secret;
//!
//! let mut headers = vec![("host", "api.example.com"), ("content-type", "application/json")];
//! let request = SignableRequest {
//!     method: "POST",
//!     path: "/v1/orders",
//!     query: "b=2&a=1",
//!     headers: headers.clone(),
//!     body: Body::Bytes(br#"{"id":1}"#),
//! };
//! let now = 1_700_000_000;
//! let signed = sign("client-1", "s3cret", &request, now, "bm9uY2Utbm9uY2Utbm9uY2U").unwrap();
//!
//! // The server receives the request with the added headers.
//! for (name, value) in signed.headers() {
//!     headers.push((name, value));
//! }
//! let received = SignableRequest { headers, ..request };
//! let verified = verify(&received, |id| (id == "client-1").then(|| Secret::from("s3cret")), now + 5, 300)
//!     .unwrap();
//! assert_eq!(verified.client_id, "client-1");
//! ```

use std::borrow::Cow;
use std::fmt;

use ring::{digest, hmac};

use super::encode::{canonical_query, hex_lower, uri_encode_into};
use super::signable::{lower, Body, SignableRequest, NEVER_SIGNED};
use super::sigv4::canonical_headers;
use crate::error::{Error, ErrorKind, Result};
use crate::Secret;

/// The scheme name: first line of the string to sign and `Authorization` prefix.
pub const SCHEME: &str = "MUNITY-HMAC-SHA256";
/// Header carrying the signing time, unix seconds.
pub const TIMESTAMP_HEADER: &str = "x-munity-timestamp";
/// Header carrying the nonce.
pub const NONCE_HEADER: &str = "x-munity-nonce";
/// The window a server should allow by default: 300 seconds either side of its clock.
pub const DEFAULT_WINDOW_SECONDS: u64 = 300;

/// Headers a client does not sign besides [`NEVER_SIGNED`]: `content-length` (clients
/// set it), and the host, timestamp and nonce, which have their own lines.
const OWN_LINES: [&str; 4] = ["content-length", "host", TIMESTAMP_HEADER, NONCE_HEADER];

fn not_signed(name: &str) -> bool {
    NEVER_SIGNED.contains(&name) || OWN_LINES.contains(&name)
}

/// A signed request's added headers and how they were computed.
#[derive(Clone, PartialEq, Eq)]
pub struct HmacSignature {
    /// `x-munity-timestamp` value (unix seconds).
    pub timestamp: String,
    /// `x-munity-nonce` value.
    pub nonce: String,
    /// `Authorization` value:
    /// `MUNITY-HMAC-SHA256 Credential=<id>, SignedHeaders=<a;b>, Signature=<hex>`.
    pub authorization: String,
    /// The string to sign (for debugging; it holds no secret).
    pub string_to_sign: String,
}

impl HmacSignature {
    /// The headers to set, lower-case names.
    pub fn headers(&self) -> [(&'static str, &str); 3] {
        [
            (TIMESTAMP_HEADER, &self.timestamp),
            (NONCE_HEADER, &self.nonce),
            ("authorization", &self.authorization),
        ]
    }
}

impl fmt::Debug for HmacSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HmacSignature")
            .field("timestamp", &self.timestamp)
            .field("nonce", &self.nonce)
            .finish_non_exhaustive()
    }
}

/// What [`verify`] established about a request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Verified {
    /// The client that signed it.
    pub client_id: String,
    /// The signing time, unix seconds.
    pub timestamp: i64,
    /// The nonce: remember it for the window and refuse a second request with it.
    pub nonce: String,
}

fn malformed(detail: &'static str) -> Error {
    Error::new(ErrorKind::Unauthenticated, "hmac_malformed", detail)
}

fn valid_client_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 256
        && id
            .bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b',' | b';' | b'='))
}

/// The client id's rule. Errors: `invalid_client_id`.
pub(crate) fn check_client_id(client_id: &str) -> Result<()> {
    if valid_client_id(client_id) {
        return Ok(());
    }
    Err(Error::invalid(
        "invalid_client_id",
        "the client id must be 1 to 256 printable ASCII characters without `,`, `;` or `=`",
    ))
}

/// The client secret's rule. Errors: `invalid_client_secret`.
pub(crate) fn check_client_secret(client_secret: &str) -> Result<()> {
    if !client_secret.is_empty() {
        return Ok(());
    }
    Err(Error::invalid(
        "invalid_client_secret",
        "the client secret is empty",
    ))
}

fn valid_nonce(nonce: &str) -> bool {
    (16..=128).contains(&nonce.len())
        && nonce
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A fresh nonce: 16 random bytes, base64url without padding (22 characters).
pub fn new_nonce() -> String {
    crate::base64_strict::encode_url(&crate::random::bytes::<16>())
}

/// The string to sign (see `docs/hmac-sha256.md`):
///
/// ```text
/// MUNITY-HMAC-SHA256
/// <client id>
/// <timestamp, unix seconds>
/// <nonce>
/// <METHOD>
/// <path as sent, encoded again: every byte but A-Z a-z 0-9 - _ . ~ / as %XY>
/// <sorted query, as in AWS SigV4>
/// <host, lower-case, without a default port>
/// <one `name:trimmed value` line per signed header, sorted by name>
/// <signed header names joined with `;`>
/// <lower-case hex SHA-256 of the body>
/// ```
///
/// `signed` holds the lower-case, sorted, distinct names of the signed headers; each
/// must be on the request. Returns the string and the `;`-joined names.
pub fn string_to_sign(
    client_id: &str,
    timestamp: i64,
    nonce: &str,
    request: &SignableRequest<'_>,
    signed: &[Cow<'_, str>],
) -> Result<(String, String)> {
    let host = request
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("host"))
        .map(|(_, v)| canonical_host(v))
        .ok_or_else(|| malformed("the request has no host"))?;
    let mut selected: Vec<(Cow<'_, str>, &str)> = Vec::with_capacity(signed.len());
    for name in signed {
        let before = selected.len();
        for (n, v) in &request.headers {
            if n.eq_ignore_ascii_case(name) {
                selected.push((Cow::Borrowed(name.as_ref()), *v));
            }
        }
        if selected.len() == before {
            return Err(malformed("a signed header is missing from the request"));
        }
    }
    let (block, names) = canonical_headers(&selected);
    let body_hash = match request.body {
        Body::Bytes(bytes) => hex_lower(digest::digest(&digest::SHA256, bytes).as_ref()),
        Body::Precomputed(hash) => hash.to_owned(),
    };
    let mut out = String::with_capacity(256 + block.len() + request.path.len());
    for line in [
        SCHEME,
        client_id,
        &timestamp.to_string(),
        nonce,
        request.method,
    ] {
        out.push_str(line);
        out.push('\n');
    }
    uri_encode_into(
        &mut out,
        if request.path.is_empty() {
            "/"
        } else {
            request.path
        }
        .as_bytes(),
        true,
    );
    out.push('\n');
    out.push_str(&canonical_query(request.query, &[]));
    out.push('\n');
    out.push_str(&host);
    out.push('\n');
    out.push_str(&block);
    out.push_str(&names);
    out.push('\n');
    out.push_str(&body_hash);
    Ok((out, names))
}

/// Lower-case host with a `:80` or `:443` port removed, trimmed.
fn canonical_host(value: &str) -> String {
    let host = value.trim_matches([' ', '\t']).to_ascii_lowercase();
    for port in [":80", ":443"] {
        if let Some(stripped) = host.strip_suffix(port) {
            if !stripped.is_empty() && !stripped.ends_with(':') {
                return stripped.to_owned();
            }
        }
    }
    host
}

fn signature(client_secret: &[u8], string_to_sign: &str) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, client_secret);
    hex_lower(hmac::sign(&key, string_to_sign.as_bytes()).as_ref())
}

/// The names a client signs: every header on the request but the ones clients and
/// proxies change (`user-agent`, `content-length`, hop-by-hop headers, ...), the host
/// and the scheme's own headers; lower-case, sorted, distinct.
fn names_to_sign<'a>(request: &'a SignableRequest<'a>) -> Vec<Cow<'a, str>> {
    let mut names: Vec<Cow<'a, str>> = request
        .headers
        .iter()
        .map(|(n, _)| lower(n))
        .filter(|n| !not_signed(n))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Signs `request` at `now` (unix seconds) with `nonce` (use [`new_nonce`]).
pub fn sign(
    client_id: &str,
    client_secret: &str,
    request: &SignableRequest<'_>,
    now: i64,
    nonce: &str,
) -> Result<HmacSignature> {
    check_client_id(client_id)?;
    if now < 0 {
        return Err(Error::invalid(
            "invalid_time",
            "the signing time is before 1970",
        ));
    }
    check_client_secret(client_secret)?;
    if !valid_nonce(nonce) {
        return Err(Error::invalid(
            "invalid_nonce",
            "the nonce must be 16 to 128 characters of A-Z a-z 0-9 - _",
        ));
    }
    if request.method.is_empty()
        || !request.method.bytes().all(|b| b.is_ascii_graphic())
        || request
            .path
            .bytes()
            .chain(request.query.bytes())
            .any(|b| b.is_ascii_control() || b == b' ')
    {
        return Err(Error::invalid(
            "invalid_request",
            "the method, path or query holds spaces or control characters",
        ));
    }
    for (name, value) in &request.headers {
        if value.bytes().any(|b| b == b'\n' || b == b'\r') || name.is_empty() {
            return Err(Error::invalid(
                "invalid_header",
                format!("header `{name}` cannot be signed"),
            ));
        }
    }
    let names = names_to_sign(request);
    let (string_to_sign, signed_headers) = string_to_sign(client_id, now, nonce, request, &names)
        .map_err(|e| {
        Error::invalid("missing_host", "the request to sign has no host").with_source(e)
    })?;
    let signature = signature(client_secret.as_bytes(), &string_to_sign);
    Ok(HmacSignature {
        timestamp: now.to_string(),
        nonce: nonce.to_owned(),
        authorization: format!(
            "{SCHEME} Credential={client_id}, SignedHeaders={signed_headers}, Signature={signature}"
        ),
        string_to_sign,
    })
}

/// The single value of header `name`; an error when it is missing or repeated.
fn single_header<'a>(request: &'a SignableRequest<'a>, name: &str) -> Result<&'a str> {
    let mut values = request
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| *v);
    match (values.next(), values.next()) {
        (Some(value), None) => Ok(value),
        (None, _) => Err(Error::new(
            ErrorKind::Unauthenticated,
            "hmac_missing_header",
            format!("the request has no `{name}` header"),
        )),
        (Some(_), Some(_)) => Err(malformed("a signature header is repeated")),
    }
}

struct ParsedAuthorization<'a> {
    client_id: &'a str,
    signed_headers: Vec<Cow<'a, str>>,
    signature: &'a str,
}

fn parse_authorization(value: &str) -> Result<ParsedAuthorization<'_>> {
    let rest = value
        .strip_prefix(SCHEME)
        .and_then(|r| r.strip_prefix(' '))
        .ok_or_else(|| malformed("the Authorization header is not MUNITY-HMAC-SHA256"))?;
    let mut parts = rest.split(", ");
    let mut field = |key: &str| {
        parts
            .next()
            .and_then(|p| p.strip_prefix(key))
            .and_then(|p| p.strip_prefix('='))
            .ok_or_else(|| malformed("the Authorization header is malformed"))
    };
    let client_id = field("Credential")?;
    let names = field("SignedHeaders")?;
    let signature = field("Signature")?;
    if parts.next().is_some() || !valid_client_id(client_id) {
        return Err(malformed("the Authorization header is malformed"));
    }
    let signed_headers: Vec<Cow<'_, str>> = if names.is_empty() {
        Vec::new()
    } else {
        names.split(';').map(Cow::Borrowed).collect()
    };
    let well_formed = signed_headers.iter().all(|n| {
        !n.is_empty()
            && n.bytes()
                .all(|b| b.is_ascii_graphic() && !b.is_ascii_uppercase())
            && !not_signed(n)
    }) && signed_headers.windows(2).all(|w| w[0] < w[1]);
    if !well_formed {
        return Err(malformed(
            "SignedHeaders must be sorted, distinct, lower-case names",
        ));
    }
    Ok(ParsedAuthorization {
        client_id,
        signed_headers,
        signature,
    })
}

/// Verifies a received request: parses the headers, looks the client's secret up with
/// `secret_for(client_id)`, recomputes the signature and compares it in constant time,
/// then checks that the timestamp lies within `window` seconds of `now` (edges
/// included). A `content-type` on the request must be signed.
///
/// The caller must also refuse a nonce it has already accepted within the window
/// ([`Verified::nonce`]): this function keeps no state.
///
/// Errors: `hmac_missing_header`, `hmac_malformed`, `hmac_unknown_client`
/// ([`ErrorKind::Unauthenticated`]); `hmac_signature_mismatch`
/// ([`ErrorKind::Verification`]); `hmac_timestamp_out_of_window` ([`ErrorKind::Expired`]).
pub fn verify(
    request: &SignableRequest<'_>,
    secret_for: impl FnOnce(&str) -> Option<Secret<String>>,
    now: i64,
    window: u64,
) -> Result<Verified> {
    let parsed = parse_authorization(single_header(request, "authorization")?)?;
    let timestamp_text = single_header(request, TIMESTAMP_HEADER)?;
    let nonce = single_header(request, NONCE_HEADER)?;
    let timestamp: i64 = if !timestamp_text.is_empty()
        && timestamp_text.len() <= 12
        && timestamp_text.bytes().all(|b| b.is_ascii_digit())
    {
        timestamp_text
            .parse()
            .map_err(|_| malformed("the timestamp is not a number of seconds"))?
    } else {
        return Err(malformed("the timestamp is not a number of seconds"));
    };
    if !valid_nonce(nonce) {
        return Err(malformed("the nonce is malformed"));
    }
    let has_content_type = request
        .headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("content-type"));
    if has_content_type && !parsed.signed_headers.iter().any(|n| n == "content-type") {
        return Err(malformed("content-type is on the request but not signed"));
    }
    let secret = secret_for(parsed.client_id).ok_or_else(|| {
        Error::new(
            ErrorKind::Unauthenticated,
            "hmac_unknown_client",
            "no secret is known for the request's client id",
        )
    })?;
    let (string_to_sign, _) = string_to_sign(
        parsed.client_id,
        timestamp,
        nonce,
        request,
        &parsed.signed_headers,
    )?;
    let expected = signature(secret.expose().as_bytes(), &string_to_sign);
    if !crate::ct::eq(expected.as_bytes(), parsed.signature.as_bytes()) {
        return Err(Error::new(
            ErrorKind::Verification,
            "hmac_signature_mismatch",
            "the request's signature does not match",
        ));
    }
    let window = i64::try_from(window).unwrap_or(i64::MAX);
    if timestamp < now.saturating_sub(window) || timestamp > now.saturating_add(window) {
        return Err(Error::new(
            ErrorKind::Expired,
            "hmac_timestamp_out_of_window",
            "the request's timestamp is outside the accepted window",
        ));
    }
    Ok(Verified {
        client_id: parsed.client_id.to_owned(),
        timestamp,
        nonce: nonce.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_ports() {
        assert_eq!(canonical_host("API.example.com:443"), "api.example.com");
        assert_eq!(canonical_host("h:80"), "h");
        assert_eq!(canonical_host("h:8080"), "h:8080");
        assert_eq!(canonical_host("[::1]:443"), "[::1]");
    }

    #[test]
    fn nonce_is_valid() {
        assert!(valid_nonce(&new_nonce()));
        assert_ne!(new_nonce(), new_nonce());
    }
}
