//! AWS Signature Version 4, as small pure functions with every intermediate named:
//! [`canonical_request`], [`string_to_sign`], [`signing_key`], [`SigningKey::signature`],
//! and the two ways of attaching the result: [`sign_headers`] (an `Authorization`
//! header) and [`presign`] (a presigned URL's query parameters).
//!
//! The request is given as strings ([`SignableRequest`]) so the same code serves
//! `http::Request` (see [`crate::auth::apply`]), the command line and the test suite.
//! The path is taken as it is sent on the wire; for services other than S3 AWS encodes
//! it once more ("double encoding": `%20` becomes `%2520`) after removing `.`, `..` and
//! empty segments; for S3 the path is used as it is ([`Settings::for_service`]).
//!
//! ```
//! use munity::auth::sigv4::{sign_headers, SignableRequest, SigningParams, Settings, Body};
//!
//! let request = SignableRequest {
//!     method: "GET",
//!     path: "/",
//!     query: "",
//!     headers: vec![("host", "example.amazonaws.com")],
//!     body: Body::Bytes(b""),
//! };
//! let params = SigningParams {
//!     access_key: "AKIDEXAMPLE",
//!     secret_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
//!     session_token: None,
//!     region: "us-east-1",
//!     service: "service",
//!     time: 1_440_938_160, // 2015-08-30T12:36:00Z
//!     settings: Settings::for_service("service"),
//! };
//! let signed = sign_headers(&request, &params).unwrap();
//! assert_eq!(
//!     signed.authorization,
//!     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
//!      SignedHeaders=host;x-amz-date, \
//!      Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
//! );
//! ```

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;

use ring::{digest, hmac};
use zeroize::Zeroizing;

use super::encode::{canonical_query, hex_lower, normalize_path, push_trimmed, uri_encode_into};
use super::signable::{lower, NEVER_SIGNED};
pub use super::signable::{Body, SignableRequest};
use crate::error::{Error, Result};

/// The algorithm name in the string to sign and the `Authorization` header.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// The payload hash of a request whose body is not signed.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// The longest validity AWS accepts for a presigned URL: 7 days.
pub const MAX_PRESIGN_SECONDS: u64 = 604_800;

/// Whether the body is hashed into the signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payload {
    /// The SHA-256 of the body (the default).
    Signed,
    /// `UNSIGNED-PAYLOAD`: the body is not covered (large uploads, streaming).
    Unsigned,
}

/// Where the session token of temporary credentials goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionToken {
    /// Signed, like every other header or parameter (the default).
    Signed,
    /// Added after signing, not covered by the signature (some services, e.g. IoT,
    /// want this; the suite's `omit_session_token`).
    AddedAfterSigning,
}

/// The choices that differ between services.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Settings {
    /// Remove `.`, `..` and empty path segments before signing (not for S3).
    pub normalize_path: bool,
    /// Encode the (already encoded) path once more (not for S3).
    pub double_encode_path: bool,
    /// Whether the body is signed.
    pub payload: Payload,
    /// Send `x-amz-content-sha256` with the payload hash (S3 requires it). It is sent
    /// anyway for an unsigned payload.
    pub content_sha256_header: bool,
    /// Where the session token goes.
    pub session_token: SessionToken,
    /// Reuse the signing key of this thread's previous signature when secret, day,
    /// region and service are the same (see [`cached_signing_key`]); on by default.
    pub reuse_signing_key: bool,
}

impl Settings {
    /// What AWS uses for `service`: S3 signs the path as it is and wants
    /// `x-amz-content-sha256`; every other service normalizes and double-encodes the path.
    pub fn for_service(service: &str) -> Settings {
        let s3 = service == "s3";
        Settings {
            normalize_path: !s3,
            double_encode_path: !s3,
            payload: Payload::Signed,
            content_sha256_header: s3,
            session_token: SessionToken::Signed,
            reuse_signing_key: true,
        }
    }

    /// The same settings with the body left unsigned (`UNSIGNED-PAYLOAD`).
    pub fn unsigned_payload(mut self) -> Settings {
        self.payload = Payload::Unsigned;
        self
    }
}

/// Credentials, scope, time and settings of one signature.
#[derive(Clone)]
pub struct SigningParams<'a> {
    /// Access key id.
    pub access_key: &'a str,
    /// Secret access key.
    pub secret_key: &'a str,
    /// Session token of temporary credentials.
    pub session_token: Option<&'a str>,
    /// Region, e.g. `us-east-1`.
    pub region: &'a str,
    /// Service, e.g. `execute-api`.
    pub service: &'a str,
    /// Signing time, unix seconds.
    pub time: i64,
    /// Service-dependent choices.
    pub settings: Settings,
}

impl fmt::Debug for SigningParams<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningParams")
            .field("access_key", &self.access_key)
            .field("secret_key", &"[redacted]")
            .field("session_token", &self.session_token.map(|_| "[redacted]"))
            .field("region", &self.region)
            .field("service", &self.service)
            .field("time", &self.time)
            .field("settings", &self.settings)
            .finish()
    }
}

/// The intermediates of one signature, for tests and debugging. The canonical request
/// can hold the session token, so `Debug` leaves it out.
#[derive(Clone, PartialEq, Eq)]
pub struct Intermediates {
    /// The canonical request.
    pub canonical_request: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// The signature, lower-case hex.
    pub signature: String,
    /// The signed header names, e.g. `host;x-amz-date`.
    pub signed_headers: String,
}

impl fmt::Debug for Intermediates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Intermediates")
            .field("canonical_request", &"[omitted]")
            .field("string_to_sign", &self.string_to_sign)
            .field("signature", &self.signature)
            .field("signed_headers", &self.signed_headers)
            .finish()
    }
}

/// The result of [`sign_headers`]: headers to set on the request.
#[derive(Clone, PartialEq, Eq)]
pub struct HeaderSignature {
    /// `Authorization` value.
    pub authorization: String,
    /// `x-amz-date` value, e.g. `20150830T123600Z`.
    pub amz_date: String,
    /// `x-amz-security-token` value (the session token), if any.
    pub security_token: Option<String>,
    /// `x-amz-content-sha256` value, when the settings ask for it.
    pub content_sha256: Option<String>,
    /// How the signature was computed.
    pub intermediates: Intermediates,
}

impl HeaderSignature {
    /// The headers to set, lower-case names: `x-amz-date`, then `x-amz-security-token`
    /// and `x-amz-content-sha256` when present, then `authorization`.
    pub fn headers(&self) -> Vec<(&'static str, &str)> {
        let mut out = vec![("x-amz-date", self.amz_date.as_str())];
        if let Some(token) = &self.security_token {
            out.push(("x-amz-security-token", token));
        }
        if let Some(hash) = &self.content_sha256 {
            out.push(("x-amz-content-sha256", hash));
        }
        out.push(("authorization", &self.authorization));
        out
    }
}

impl fmt::Debug for HeaderSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HeaderSignature")
            .field("amz_date", &self.amz_date)
            .field("signed_headers", &self.intermediates.signed_headers)
            .finish_non_exhaustive()
    }
}

/// The result of [`presign`]: query parameters to append to the URL.
#[derive(Clone, PartialEq, Eq)]
pub struct QuerySignature {
    /// The `X-Amz-*` parameters, encoded, `X-Amz-Signature` last, e.g.
    /// `X-Amz-Algorithm=AWS4-HMAC-SHA256&...&X-Amz-Signature=...`; append it to the
    /// request's query with `&` (or `?` when it has none).
    pub query: String,
    /// How the signature was computed.
    pub intermediates: Intermediates,
}

impl fmt::Debug for QuerySignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QuerySignature")
            .field("signed_headers", &self.intermediates.signed_headers)
            .finish_non_exhaustive()
    }
}

/// The SigV4 signing key of one day, region and service. Zeroized on drop.
pub struct SigningKey([u8; 32]);

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey([redacted])")
    }
}

impl Drop for SigningKey {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> hmac::Tag {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data)
}

/// Derives the signing key:
///
/// ```text
/// kSecret  = "AWS4" + secret access key
/// kDate    = HMAC-SHA256(kSecret,  date)            date as YYYYMMDD, e.g. "20150830"
/// kRegion  = HMAC-SHA256(kDate,    region)          e.g. "us-east-1"
/// kService = HMAC-SHA256(kRegion,  service)         e.g. "service"
/// kSigning = HMAC-SHA256(kService, "aws4_request")
/// ```
pub fn signing_key(secret_key: &str, date: &str, region: &str, service: &str) -> SigningKey {
    let mut k_secret = Zeroizing::new(Vec::with_capacity(4 + secret_key.len()));
    k_secret.extend_from_slice(b"AWS4");
    k_secret.extend_from_slice(secret_key.as_bytes());
    let k_date = hmac_sha256(&k_secret, date.as_bytes());
    let k_region = hmac_sha256(k_date.as_ref(), region.as_bytes());
    let k_service = hmac_sha256(k_region.as_ref(), service.as_bytes());
    let k_signing = hmac_sha256(k_service.as_ref(), b"aws4_request");
    let mut key = [0u8; 32];
    key.copy_from_slice(k_signing.as_ref());
    SigningKey(key)
}

impl SigningKey {
    /// The signature: lower-case hex of `HMAC-SHA256(kSigning, string_to_sign)`.
    pub fn signature(&self, string_to_sign: &str) -> String {
        hex_lower(hmac_sha256(&self.0, string_to_sign.as_bytes()).as_ref())
    }
}

/// This thread's last signing key and what identifies it; the secret itself is not
/// kept, only its SHA-256.
struct CachedKey {
    secret_sha256: [u8; 32],
    date: String,
    region: String,
    service: String,
    key: SigningKey,
}

thread_local! {
    static KEY_CACHE: RefCell<Option<CachedKey>> = const { RefCell::new(None) };
}

/// The signing key, reused from this thread's one-entry cache when the previous
/// signature used the same secret, day, region and service, else derived with
/// [`signing_key`] and cached. The key changes once a day, so a client signing many
/// requests derives it once (AWS's SDKs for Java and JavaScript cache it the same way);
/// the cache saves four of the five HMACs of a signature.
pub fn cached_signing_key(secret_key: &str, date: &str, region: &str, service: &str) -> SigningKey {
    let mut secret_sha256 = [0u8; 32];
    secret_sha256.copy_from_slice(digest::digest(&digest::SHA256, secret_key.as_bytes()).as_ref());
    let hit = |c: &CachedKey| {
        crate::ct::eq(&c.secret_sha256, &secret_sha256)
            && c.date == date
            && c.region == region
            && c.service == service
    };
    KEY_CACHE.with(|cell| {
        let mut cache = cell.borrow_mut();
        match cache.as_ref() {
            Some(c) if hit(c) => SigningKey(c.key.0),
            _ => {
                let key = signing_key(secret_key, date, region, service);
                let copy = SigningKey(key.0);
                *cache = Some(CachedKey {
                    secret_sha256,
                    date: date.to_owned(),
                    region: region.to_owned(),
                    service: service.to_owned(),
                    key,
                });
                copy
            }
        }
    })
}

fn key_for(params: &SigningParams<'_>, date: &str) -> SigningKey {
    if params.settings.reuse_signing_key {
        cached_signing_key(params.secret_key, date, params.region, params.service)
    } else {
        signing_key(params.secret_key, date, params.region, params.service)
    }
}

/// The credential scope: `YYYYMMDD/region/service/aws4_request`.
pub fn credential_scope(date: &str, region: &str, service: &str) -> String {
    format!("{date}/{region}/{service}/aws4_request")
}

/// The string to sign:
///
/// ```text
/// AWS4-HMAC-SHA256
/// <x-amz-date, e.g. 20150830T123600Z>
/// <credential scope>
/// <hex SHA-256 of the canonical request>
/// ```
pub fn string_to_sign(amz_date: &str, scope: &str, canonical_request: &str) -> String {
    let hash = hex_lower(digest::digest(&digest::SHA256, canonical_request.as_bytes()).as_ref());
    let mut out = String::with_capacity(ALGORITHM.len() + amz_date.len() + scope.len() + 67);
    out.push_str(ALGORITHM);
    out.push('\n');
    out.push_str(amz_date);
    out.push('\n');
    out.push_str(scope);
    out.push('\n');
    out.push_str(&hash);
    out
}

/// The canonical URI of a path as sent: normalized (when `normalize`) and encoded
/// again with `/` kept (when `double_encode`); an empty path is `/`.
pub fn canonical_uri(path: &str, normalize: bool, double_encode: bool) -> Cow<'_, str> {
    let path = if normalize {
        normalize_path(path)
    } else if path.is_empty() {
        Cow::Borrowed("/")
    } else {
        Cow::Borrowed(path)
    };
    if double_encode {
        let mut out = String::with_capacity(path.len() + 8);
        uri_encode_into(&mut out, path.as_bytes(), true);
        Cow::Owned(out)
    } else {
        path
    }
}

/// The canonical headers block (`name:trimmed values\n` per name, sorted, repeated names
/// joined with `,`) and the signed header list (`a;b;c`), of lower-case names.
/// `headers` must hold lower-case names.
pub fn canonical_headers(headers: &[(Cow<'_, str>, &str)]) -> (String, String) {
    let mut sorted: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (n.as_ref(), *v)).collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0)); // stable: repeated names keep their order
    let capacity = sorted.iter().map(|(n, v)| n.len() + v.len() + 2).sum();
    let mut block = String::with_capacity(capacity);
    let mut names = String::with_capacity(sorted.iter().map(|(n, _)| n.len() + 1).sum());
    let mut previous: Option<&str> = None;
    for (name, value) in sorted {
        if previous == Some(name) {
            block.push(',');
        } else {
            if previous.is_some() {
                block.push('\n');
                names.push(';');
            }
            block.push_str(name);
            block.push(':');
            names.push_str(name);
        }
        push_trimmed(&mut block, value);
        previous = Some(name);
    }
    if previous.is_some() {
        block.push('\n');
    }
    (block, names)
}

/// The canonical request:
///
/// ```text
/// <METHOD>
/// <canonical URI>
/// <canonical query>
/// <canonical headers block, each line ending in \n>
/// <signed headers>
/// <payload hash>
/// ```
pub fn canonical_request(
    method: &str,
    canonical_uri: &str,
    canonical_query: &str,
    canonical_headers: &str,
    signed_headers: &str,
    payload_hash: &str,
) -> String {
    let mut out = String::with_capacity(
        method.len()
            + canonical_uri.len()
            + canonical_query.len()
            + canonical_headers.len()
            + signed_headers.len()
            + payload_hash.len()
            + 5,
    );
    for part in [method, canonical_uri, canonical_query, canonical_headers] {
        out.push_str(part);
        out.push('\n');
    }
    out.push_str(signed_headers);
    out.push('\n');
    out.push_str(payload_hash);
    out
}

/// The payload hash for `body` under `payload`.
pub fn payload_hash(body: Body<'_>, payload: Payload) -> Cow<'_, str> {
    match (payload, body) {
        (Payload::Unsigned, _) => Cow::Borrowed(UNSIGNED_PAYLOAD),
        (Payload::Signed, Body::Precomputed(hash)) => Cow::Borrowed(hash),
        (Payload::Signed, Body::Bytes(bytes)) => {
            Cow::Owned(hex_lower(digest::digest(&digest::SHA256, bytes).as_ref()))
        }
    }
}

/// A part of the credential scope or the access key id: non-empty printable ASCII
/// without `/`, `,` or `=` (they would make the `Credential=` field ambiguous).
fn scope_part_ok(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b != b'/' && b != b',' && b != b'=' && b.is_ascii_graphic())
}

/// The access key id's rule. Errors: `invalid_aws_access_key`.
pub(crate) fn check_access_key(access_key: &str) -> Result<()> {
    if scope_part_ok(access_key) {
        return Ok(());
    }
    Err(Error::invalid(
        "invalid_aws_access_key",
        "the AWS access key id must be non-empty printable ASCII without `/`, `,` or `=`",
    ))
}

/// The rule of the region and of the service (one code for both). Errors:
/// `invalid_aws_scope`.
pub(crate) fn check_scope_part(region_or_service: &str) -> Result<()> {
    if scope_part_ok(region_or_service) {
        return Ok(());
    }
    Err(Error::invalid(
        "invalid_aws_scope",
        "the AWS region and service must be non-empty printable ASCII without `/`, `,` or `=`",
    ))
}

/// The session token's rule. Errors: `invalid_aws_session_token`.
pub(crate) fn check_session_token(token: &str) -> Result<()> {
    if !token.is_empty() && token.bytes().all(|b| b.is_ascii_graphic()) {
        return Ok(());
    }
    Err(Error::invalid(
        "invalid_aws_session_token",
        "the AWS session token must be non-empty printable ASCII",
    ))
}

fn check_params(params: &SigningParams<'_>) -> Result<String> {
    check_access_key(params.access_key)?;
    check_scope_part(params.region)?;
    check_scope_part(params.service)?;
    if let Some(token) = params.session_token {
        check_session_token(token)?;
    }
    // Four-digit years only: x-amz-date has no room for more.
    if !(0..253_402_300_800).contains(&params.time) {
        return Err(Error::invalid(
            "invalid_time",
            "the signing time must lie between the years 1970 and 9999",
        ));
    }
    Ok(crate::time::format_basic(params.time))
}

/// The request's headers that are signed, lower-cased, without the ones SigV4 sets
/// itself and the ones never signed.
fn signable_headers<'a>(request: &'a SignableRequest<'a>) -> Vec<(Cow<'a, str>, &'a str)> {
    let mut out = Vec::with_capacity(request.headers.len() + 4);
    for &(name, value) in &request.headers {
        let name = lower(name);
        if NEVER_SIGNED.contains(&name.as_ref())
            || matches!(
                name.as_ref(),
                "x-amz-date" | "x-amz-security-token" | "x-amz-content-sha256"
            )
        {
            continue;
        }
        out.push((name, value));
    }
    out
}

fn check_headers(request: &SignableRequest<'_>) -> Result<()> {
    for (name, value) in &request.headers {
        let name_ok = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_graphic() && !matches!(b, b':' | b';' | b','));
        if !name_ok {
            return Err(Error::invalid(
                "invalid_header",
                "a header name is empty or holds characters that cannot be signed",
            ));
        }
        if value.bytes().any(|b| b == b'\n' || b == b'\r') {
            return Err(Error::invalid(
                "invalid_header",
                format!("the value of header `{name}` holds a line break"),
            ));
        }
    }
    if !request
        .headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("host"))
    {
        return Err(Error::invalid(
            "missing_host",
            "the request to sign has no host (give an absolute URL or a Host header)",
        ));
    }
    if request.method.is_empty() || !request.method.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::invalid(
            "invalid_method",
            "the HTTP method is not a token",
        ));
    }
    Ok(())
}

/// Signs `request` for the `Authorization` header.
pub fn sign_headers(
    request: &SignableRequest<'_>,
    params: &SigningParams<'_>,
) -> Result<HeaderSignature> {
    let amz_date = check_params(params)?;
    check_headers(request)?;
    let settings = &params.settings;
    let payload_hash = payload_hash(request.body, settings.payload);
    let content_sha256 = (settings.content_sha256_header || settings.payload == Payload::Unsigned)
        .then(|| payload_hash.to_string());
    let signed_token = match settings.session_token {
        SessionToken::Signed => params.session_token,
        SessionToken::AddedAfterSigning => None,
    };

    let mut headers = signable_headers(request);
    headers.push((Cow::Borrowed("x-amz-date"), &amz_date));
    if let Some(token) = signed_token {
        headers.push((Cow::Borrowed("x-amz-security-token"), token));
    }
    if let Some(hash) = &content_sha256 {
        headers.push((Cow::Borrowed("x-amz-content-sha256"), hash));
    }
    let (block, signed_headers) = canonical_headers(&headers);
    let uri = canonical_uri(
        request.path,
        settings.normalize_path,
        settings.double_encode_path,
    );
    let query = canonical_query(request.query, &[]);
    let canonical_request = canonical_request(
        request.method,
        &uri,
        &query,
        &block,
        &signed_headers,
        &payload_hash,
    );
    let date = &amz_date[..8];
    let scope = credential_scope(date, params.region, params.service);
    let string_to_sign = string_to_sign(&amz_date, &scope, &canonical_request);
    let signature = key_for(params, date).signature(&string_to_sign);
    let authorization = format!(
        "{ALGORITHM} Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
        params.access_key
    );
    Ok(HeaderSignature {
        authorization,
        amz_date,
        security_token: params.session_token.map(str::to_owned),
        content_sha256,
        intermediates: Intermediates {
            canonical_request,
            string_to_sign,
            signature,
            signed_headers,
        },
    })
}

/// Signs `request` as a presigned URL valid for `expires_in` seconds (1 to 604800).
pub fn presign(
    request: &SignableRequest<'_>,
    params: &SigningParams<'_>,
    expires_in: u64,
) -> Result<QuerySignature> {
    let amz_date = check_params(params)?;
    check_headers(request)?;
    if expires_in == 0 || expires_in > MAX_PRESIGN_SECONDS {
        return Err(Error::invalid(
            "invalid_presign_expiry",
            format!("a presigned URL is valid for 1 to {MAX_PRESIGN_SECONDS} seconds"),
        ));
    }
    let settings = &params.settings;
    let payload_hash = payload_hash(request.body, settings.payload);
    let headers = signable_headers(request);
    let (block, signed_headers) = canonical_headers(&headers);
    let date = &amz_date[..8];
    let scope = credential_scope(date, params.region, params.service);
    let credential = format!("{}/{scope}", params.access_key);
    let expires = expires_in.to_string();
    let mut amz_params: Vec<(&str, &str)> = vec![
        ("X-Amz-Algorithm", ALGORITHM),
        ("X-Amz-Credential", &credential),
        ("X-Amz-Date", &amz_date),
        ("X-Amz-Expires", &expires),
        ("X-Amz-SignedHeaders", &signed_headers),
    ];
    let token_param = params.session_token.map(|t| ("X-Amz-Security-Token", t));
    if let (Some(param), SessionToken::Signed) = (token_param, settings.session_token) {
        amz_params.push(param);
    }
    let query = canonical_query(request.query, &amz_params);
    let uri = canonical_uri(
        request.path,
        settings.normalize_path,
        settings.double_encode_path,
    );
    let canonical_request = canonical_request(
        request.method,
        &uri,
        &query,
        &block,
        &signed_headers,
        &payload_hash,
    );
    let string_to_sign = string_to_sign(&amz_date, &scope, &canonical_request);
    let signature = key_for(params, date).signature(&string_to_sign);
    if let (Some(param), SessionToken::AddedAfterSigning) = (token_param, settings.session_token) {
        amz_params.push(param);
    }
    amz_params.push(("X-Amz-Signature", &signature));
    let mut out = String::new();
    for (key, value) in amz_params {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(key);
        out.push('=');
        uri_encode_into(&mut out, value.as_bytes(), false);
    }
    Ok(QuerySignature {
        query: out,
        intermediates: Intermediates {
            canonical_request,
            string_to_sign,
            signature,
            signed_headers,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_secrets() {
        let params = SigningParams {
            access_key: "AKID",
            secret_key: "very-secret",
            session_token: Some("token-secret"),
            region: "r",
            service: "s",
            time: 0,
            settings: Settings::for_service("s"),
        };
        let text = format!("{params:?}");
        assert!(!text.contains("very-secret") && !text.contains("token-secret"));
        let key = signing_key("very-secret", "20150830", "r", "s");
        assert_eq!(format!("{key:?}"), "SigningKey([redacted])");
        let intermediates = Intermediates {
            canonical_request: "x-amz-security-token:token-secret".into(),
            string_to_sign: String::new(),
            signature: String::new(),
            signed_headers: String::new(),
        };
        assert!(!format!("{intermediates:?}").contains("token-secret"));
    }

    #[test]
    fn cached_key_equals_derived_key_and_follows_its_inputs() {
        let derive = |s: &str, d: &str, r: &str, v: &str| signing_key(s, d, r, v).0;
        let cached = |s: &str, d: &str, r: &str, v: &str| cached_signing_key(s, d, r, v).0;
        for (s, d, r, v) in [
            ("secret", "20150830", "us-east-1", "iam"),
            ("secret", "20150830", "us-east-1", "iam"),
            ("secret", "20150831", "us-east-1", "iam"),
            ("secret", "20150831", "eu-west-1", "iam"),
            ("secret", "20150831", "eu-west-1", "sqs"),
            ("other", "20150831", "eu-west-1", "sqs"),
            ("secret", "20150830", "us-east-1", "iam"),
        ] {
            assert_eq!(cached(s, d, r, v), derive(s, d, r, v), "{s} {d} {r} {v}");
        }
    }

    #[test]
    fn rejects_bad_params_instead_of_panicking() {
        let request = SignableRequest {
            method: "GET",
            path: "/",
            query: "",
            headers: vec![("host", "h")],
            body: Body::Bytes(b""),
        };
        let mut params = SigningParams {
            access_key: "AK/ID",
            secret_key: "s",
            session_token: None,
            region: "r",
            service: "s",
            time: 0,
            settings: Settings::for_service("s"),
        };
        assert_eq!(
            sign_headers(&request, &params).unwrap_err().code(),
            "invalid_aws_access_key"
        );
        params.access_key = "AKID";
        params.time = -1;
        assert_eq!(
            sign_headers(&request, &params).unwrap_err().code(),
            "invalid_time"
        );
        params.time = 0;
        assert_eq!(
            presign(&request, &params, 0).unwrap_err().code(),
            "invalid_presign_expiry"
        );
        let no_host = SignableRequest {
            headers: vec![],
            ..request
        };
        assert_eq!(
            sign_headers(&no_host, &params).unwrap_err().code(),
            "missing_host"
        );
    }
}
