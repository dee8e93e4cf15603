//! Applying connector credential records to outgoing requests: `headers`, `basic`
//! (RFC 7617), `bearer`, `aws4` (AWS Signature Version 4, [`sigv4`]), `hmac_sha256`
//! (this crate's scheme, [`hmac_sha256`], specified in `docs/hmac-sha256.md`) and
//! `none`.
//!
//! A call goes in two steps: [`select`] (or [`Selected::from_record`]) picks the
//! record of the wanted environment and, for an organization-specific record, the
//! organization's authentication; [`apply`] then changes an `http::Request` in place:
//!
//! 1. a relative URI is resolved against the record's base URL ([`resolve`]); an
//!    absolute one must have the base URL's origin (scheme, host, port), or `apply`
//!    refuses it with `url_outside_base_url` (a provider's `next` or download link on
//!    another host must not receive the credentials) unless the caller says so with
//!    [`Options::allowing_other_origins`];
//! 2. the record's extra headers are added (a header the request already has wins);
//! 3. the record's content type is set when the request has a body and no
//!    `content-type`;
//! 4. the authentication is applied last, so signatures cover all of the above.
//!
//! The body type `B` is anything that is `AsRef<[u8]>`: `Vec<u8>`, `&[u8]`,
//! `bytes::Bytes`, `String`, `&str`. Signing needs the whole body; for a streamed body
//! use [`sigv4`] directly with [`sigv4::Payload::Unsigned`] or a precomputed hash.
//!
//! Time is a parameter ([`Options::at`]): this module reads no clock, does no I/O and
//! builds for `wasm32`.
//!
//! ```
//! use munity::auth::{apply, select, Options};
//! use munity::model::{Authentication, CredentialRecordInput, ContentType, Environment};
//!
//! let mut record = CredentialRecordInput::new(
//!     "Acme ERP",
//!     "https://api.acme.test/v2",
//!     Environment::Production,
//!     ContentType::Json,
//!     Authentication::Basic { username: "Aladdin".into(), password: "open sesame".into() },
//! );
//! let records = [record];
//! let chosen = select(&records, Some(Environment::Production), None).unwrap();
//!
//! let mut request = http::Request::post("/orders").body(br#"{"id":1}"#.to_vec()).unwrap();
//! apply(&chosen, &mut request, &Options::at(1_700_000_000)).unwrap();
//! assert_eq!(request.uri(), "https://api.acme.test/v2/orders");
//! assert_eq!(request.headers()["content-type"], "application/json");
//! assert_eq!(request.headers()["authorization"], "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
//! ```

use http::header::{HeaderName, HeaderValue, AUTHORIZATION, CONTENT_TYPE};

use crate::error::{Error, ErrorKind, Result};
use crate::model::Authentication;

mod check;
mod encode;
pub mod hmac_sha256;
#[cfg(feature = "native")]
mod reqwest_client;
mod resolve;
mod select;
mod signable;
pub mod sigv4;

pub use check::check;
#[cfg(feature = "native")]
pub use reqwest_client::SigningClient;
pub use resolve::resolve;
pub use select::{select, Selected};
pub use signable::{Body, SignableRequest};

/// How to apply a record: the time, and the choices of the signing schemes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// The current time, unix seconds (AWS `x-amz-date`, HMAC timestamp).
    pub now: i64,
    /// AWS only: make a presigned URL valid for this many seconds instead of signing
    /// headers (the query of the request's URI gains the `X-Amz-*` parameters).
    pub presign: Option<u64>,
    /// AWS only: sign the body (the default) or send `UNSIGNED-PAYLOAD`.
    pub payload: sigv4::Payload,
    /// HMAC only: the nonce to use; a fresh random one when `None`.
    pub nonce: Option<String>,
    /// AWS only: reuse this thread's last signing key when it fits
    /// ([`sigv4::cached_signing_key`]); on by default.
    pub reuse_aws_signing_key: bool,
    /// Apply the credentials to a URL outside the record's base URL's origin too; off by
    /// default (`url_outside_base_url`).
    pub allow_other_origins: bool,
}

impl Options {
    /// Options at `now` (unix seconds): header signing, signed payload, random nonce.
    pub fn at(now: i64) -> Options {
        Options {
            now,
            presign: None,
            payload: sigv4::Payload::Signed,
            nonce: None,
            reuse_aws_signing_key: true,
            allow_other_origins: false,
        }
    }

    /// Apply the credentials even to a URL whose origin is not the record's base URL's
    /// (the caller has checked that the other host is meant to get them).
    ///
    /// ```
    /// use munity::auth::{apply, Options, Selected};
    /// use munity::model::{Authentication, ContentType, CredentialRecordInput, Environment};
    ///
    /// let record = CredentialRecordInput::new(
    ///     "Acme",
    ///     "https://api.acme.test",
    ///     Environment::Production,
    ///     ContentType::Json,
    ///     Authentication::Bearer { key: String::new(), value: "tok".into() },
    /// );
    /// let selected = Selected::from_record(&record, None).unwrap();
    /// let mut request = http::Request::get("https://files.acme.test/r.csv").body(Vec::new()).unwrap();
    /// let refused = apply(&selected, &mut request, &Options::at(0)).unwrap_err();
    /// assert_eq!(refused.code(), "url_outside_base_url");
    /// apply(&selected, &mut request, &Options::at(0).allowing_other_origins()).unwrap();
    /// assert_eq!(request.headers()["authorization"], "Bearer tok");
    /// ```
    pub fn allowing_other_origins(mut self) -> Options {
        self.allow_other_origins = true;
        self
    }

    /// Presign (AWS) for `seconds` instead of signing headers.
    pub fn presigned(mut self, seconds: u64) -> Options {
        self.presign = Some(seconds);
        self
    }

    /// Leave the body unsigned (AWS `UNSIGNED-PAYLOAD`).
    pub fn unsigned_payload(mut self) -> Options {
        self.payload = sigv4::Payload::Unsigned;
        self
    }

    /// Use this nonce (HMAC) instead of a random one; for tests and replays.
    pub fn with_nonce(mut self, nonce: impl Into<String>) -> Options {
        self.nonce = Some(nonce.into());
        self
    }
}

fn header_name(name: &str, code: &'static str) -> Result<HeaderName> {
    HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| Error::invalid(code, format!("`{name}` is not a valid header name")))
}

/// A header value from a secret: never echoes the value in errors; marked sensitive.
fn secret_value(value: &str, what: &'static str) -> Result<HeaderValue> {
    let mut value = HeaderValue::from_str(value).map_err(|_| {
        Error::invalid(
            "invalid_auth_value",
            format!("the {what} holds characters a header cannot carry (line breaks, control characters)"),
        )
    })?;
    value.set_sensitive(true);
    Ok(value)
}

/// `Basic base64(username ":" password)` in UTF-8 (RFC 7617).
///
/// Errors: `invalid_username` when the user-id holds `:` or a control character,
/// `invalid_password` when the password holds a control character.
///
/// ```
/// assert_eq!(
///     munity::auth::basic_value("test", "123£").unwrap().expose(),
///     "Basic dGVzdDoxMjPCow=="
/// );
/// ```
pub fn basic_value(username: &str, password: &str) -> Result<crate::Secret<String>> {
    check_basic_username(username)?;
    check_basic_password(password)?;
    let joined = zeroize::Zeroizing::new(format!("{username}:{password}"));
    let encoded = crate::base64_strict::encode_standard(joined.as_bytes());
    Ok(crate::Secret::new(format!("Basic {encoded}")))
}

/// The RFC 7617 user-id's rule. Errors: `invalid_username`.
fn check_basic_username(username: &str) -> Result<()> {
    if username.contains(':') || username.chars().any(char::is_control) {
        return Err(Error::invalid(
            "invalid_username",
            "an RFC 7617 user-id cannot hold `:` or control characters",
        ));
    }
    Ok(())
}

/// The RFC 7617 password's rule. Errors: `invalid_password`.
fn check_basic_password(password: &str) -> Result<()> {
    if password.chars().any(char::is_control) {
        return Err(Error::invalid(
            "invalid_password",
            "an RFC 7617 password cannot hold control characters",
        ));
    }
    Ok(())
}

/// The bearer header value: `value` as it is when it already carries a scheme (a
/// token, a space, then credentials, e.g. `Token abc`), else `Bearer <value>`.
///
/// ```
/// use munity::auth::bearer_value;
/// assert_eq!(bearer_value("abc.def").unwrap().expose(), "Bearer abc.def");
/// assert_eq!(bearer_value("Token abc").unwrap().expose(), "Token abc");
/// ```
pub fn bearer_value(value: &str) -> Result<crate::Secret<String>> {
    let value = value.trim_matches([' ', '\t']);
    if value.is_empty() {
        return Err(Error::invalid("empty_token", "the bearer token is empty"));
    }
    let has_scheme = value.split_once(' ').is_some_and(|(scheme, rest)| {
        !rest.trim_start().is_empty()
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
    });
    Ok(crate::Secret::new(if has_scheme {
        value.to_owned()
    } else {
        format!("Bearer {value}")
    }))
}

/// Applies the chosen authentication, with the record's base URL, extra headers and
/// content type, to `request` (see the [module docs](self)).
///
/// On error the request may be partly changed (its URI resolved, extra headers added):
/// do not send it.
pub fn apply<B: AsRef<[u8]>>(
    selected: &Selected<'_>,
    request: &mut http::Request<B>,
    options: &Options,
) -> Result<()> {
    let record = selected.record;
    let base = match (record.base_url.as_str(), selected.auth) {
        ("", Authentication::Aws4 { base_endpoint, .. }) => base_endpoint.as_str(),
        (base, _) => base,
    };
    let resolved = resolve(base, request.uri())?;
    if !options.allow_other_origins {
        resolve::check_origin(base, &resolved)?;
    }
    *request.uri_mut() = resolved;

    for extra in &record.extra_headers {
        let name = header_name(&extra.name, "invalid_extra_header")?;
        let value = HeaderValue::from_str(&extra.value).map_err(|_| {
            Error::invalid(
                "invalid_extra_header",
                format!(
                    "the value of extra header `{}` is not a valid header value",
                    extra.name
                ),
            )
        })?;
        if !request.headers().contains_key(&name) {
            request.headers_mut().insert(name, value);
        }
    }
    let mime = record.content_type.mime().ok_or_else(|| {
        Error::new(
            ErrorKind::Unsupported,
            "unsupported_content_type",
            format!(
                "content type `{}` is not one this version of munity can send (json, xml, form_urlencoded)",
                record.content_type
            ),
        )
    })?;
    if !request.body().as_ref().is_empty() && !request.headers().contains_key(CONTENT_TYPE) {
        request
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(mime));
    }
    if options.presign.is_some() && !matches!(selected.auth, Authentication::Aws4 { .. }) {
        return Err(Error::invalid(
            "presign_unsupported",
            format!(
                "only aws4 credentials make presigned URLs, this one is {}",
                selected.auth.type_name()
            ),
        ));
    }
    if let Some(refused) = check::refusals(selected.auth).into_iter().next() {
        return Err(refused.error);
    }
    apply_auth(selected.auth, request, options)
}

fn apply_auth<B: AsRef<[u8]>>(
    auth: &Authentication,
    request: &mut http::Request<B>,
    options: &Options,
) -> Result<()> {
    match auth {
        Authentication::None => Ok(()),
        Authentication::Headers { key, value } => {
            let name = header_name(key, "invalid_auth_header")?;
            let value = secret_value(value.expose(), "header value")?;
            request.headers_mut().insert(name, value);
            Ok(())
        }
        Authentication::Basic { username, password } => {
            let value = basic_value(username, password.expose())?;
            let value = secret_value(value.expose(), "password")?;
            request.headers_mut().insert(AUTHORIZATION, value);
            Ok(())
        }
        Authentication::Bearer { key, value } => {
            let name = if key.is_empty() {
                AUTHORIZATION
            } else {
                header_name(key, "invalid_auth_header")?
            };
            let value = bearer_value(value.expose())?;
            let value = secret_value(value.expose(), "token")?;
            request.headers_mut().insert(name, value);
            Ok(())
        }
        Authentication::Aws4 {
            access_key,
            secret_key,
            region,
            service,
            session_token,
            ..
        } => {
            let params = sigv4::SigningParams {
                access_key,
                secret_key: secret_key.expose(),
                session_token: session_token.as_ref().map(|t| t.expose().as_str()),
                region,
                service,
                time: options.now,
                settings: sigv4::Settings {
                    payload: options.payload,
                    reuse_signing_key: options.reuse_aws_signing_key,
                    ..sigv4::Settings::for_service(service)
                },
            };
            apply_sigv4(&params, request, options.presign)
        }
        Authentication::HmacSha256 {
            client_id,
            client_secret,
        } => {
            let nonce = match &options.nonce {
                Some(nonce) => nonce.clone(),
                None => hmac_sha256::new_nonce(),
            };
            let host = signable::host_of(request.uri());
            let signed = {
                let signable = signable::from_http(request, &host)?;
                hmac_sha256::sign(
                    client_id,
                    client_secret.expose(),
                    &signable,
                    options.now,
                    &nonce,
                )?
            };
            set_headers(request, &signed.headers())
        }
    }
}

/// Signs `request` with SigV4: headers, or a presigned URL when `presign` is set.
fn apply_sigv4<B: AsRef<[u8]>>(
    params: &sigv4::SigningParams<'_>,
    request: &mut http::Request<B>,
    presign: Option<u64>,
) -> Result<()> {
    let host = signable::host_of(request.uri());
    match presign {
        None => {
            let signed = {
                let signable = signable::from_http(request, &host)?;
                sigv4::sign_headers(&signable, params)?
            };
            set_headers(request, &signed.headers())
        }
        Some(seconds) => {
            let signed = {
                let signable = signable::from_http(request, &host)?;
                sigv4::presign(&signable, params, seconds)?
            };
            let uri = request.uri().to_string();
            let joined = match request.uri().query() {
                Some(query) if !query.is_empty() => format!("{uri}&{}", signed.query),
                Some(_) => format!("{uri}{}", signed.query),
                None => format!("{uri}?{}", signed.query),
            };
            *request.uri_mut() = joined.parse().map_err(|_| {
                Error::new(
                    ErrorKind::Internal,
                    "internal",
                    "the presigned URL could not be built",
                )
            })?;
            Ok(())
        }
    }
}

fn set_headers<B>(request: &mut http::Request<B>, headers: &[(&'static str, &str)]) -> Result<()> {
    for (name, value) in headers {
        let value = secret_value(value, "signature header")?;
        request
            .headers_mut()
            .insert(HeaderName::from_static(name), value);
    }
    Ok(())
}

/// Verifies a request signed with the `hmac_sha256` scheme, as a receiving server gets
/// it (an `http::Request` whose `Host` header names the host); see
/// [`hmac_sha256::verify`] for the rules and errors.
pub fn verify_hmac_sha256<B: AsRef<[u8]>>(
    request: &http::Request<B>,
    secret_for: impl FnOnce(&str) -> Option<crate::Secret<String>>,
    now: i64,
    window: u64,
) -> Result<hmac_sha256::Verified> {
    let host = signable::host_of(request.uri());
    let signable = signable::from_http(request, &host)?;
    hmac_sha256::verify(&signable, secret_for, now, window)
}
