//! [`SignableRequest`]: a request as the signing schemes see it (strings only), and its
//! construction from an `http::Request`.

use std::borrow::Cow;

use crate::error::{Error, Result};

/// The body of a request to sign.
#[derive(Debug, Clone, Copy)]
pub enum Body<'a> {
    /// The body's bytes; hashed unless the payload is unsigned.
    Bytes(&'a [u8]),
    /// A SHA-256 hex digest computed by the caller (or `UNSIGNED-PAYLOAD`).
    Precomputed(&'a str),
}

/// A request as the signing schemes see it: method, path and query as sent, headers
/// (the `host` among them) and body.
#[derive(Debug, Clone)]
pub struct SignableRequest<'a> {
    /// Method, e.g. `GET`.
    pub method: &'a str,
    /// Path as sent, e.g. `/a%20b/` (an empty path counts as `/`).
    pub path: &'a str,
    /// Query without `?`, as sent; empty when there is none.
    pub query: &'a str,
    /// Headers, `host` included (names in any case; repeated names allowed, their
    /// values are joined with `,` in order).
    pub headers: Vec<(&'a str, &'a str)>,
    /// The body.
    pub body: Body<'a>,
}

/// Headers no scheme signs: they are set, changed or dropped by clients and proxies
/// after signing (botocore's list, plus `authorization`, which signing replaces).
pub(crate) const NEVER_SIGNED: [&str; 12] = [
    "authorization",
    "connection",
    "expect",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "user-agent",
    "x-amzn-trace-id",
];

/// The host of `uri` as a `Host` header carries it: lower-case, with the port only
/// when it is not the scheme's default (80 for http, 443 for https).
pub(crate) fn host_of(uri: &http::Uri) -> Option<String> {
    let authority = uri.authority()?;
    let host = authority.host().to_ascii_lowercase();
    let default_port = match uri.scheme_str() {
        Some("http") => Some(80),
        Some("https") => Some(443),
        _ => None,
    };
    Some(match authority.port_u16() {
        Some(port) if Some(port) != default_port => format!("{host}:{port}"),
        _ => host,
    })
}

/// Borrows `request` as a [`SignableRequest`]; `host` is what the `host` header will
/// say when the request carries none (see [`host_of`]).
pub(crate) fn from_http<'a, B: AsRef<[u8]>>(
    request: &'a http::Request<B>,
    host: &'a Option<String>,
) -> Result<SignableRequest<'a>> {
    let mut headers = Vec::with_capacity(request.headers().len() + 1);
    for (name, value) in request.headers() {
        let value = std::str::from_utf8(value.as_bytes()).map_err(|_| {
            Error::invalid(
                "invalid_header",
                format!("the value of header `{name}` is not UTF-8 and cannot be signed"),
            )
        })?;
        headers.push((name.as_str(), value));
    }
    if !request.headers().contains_key(http::header::HOST) {
        if let Some(host) = host {
            headers.push(("host", host.as_str()));
        }
    }
    let uri = request.uri();
    Ok(SignableRequest {
        method: request.method().as_str(),
        path: uri.path(),
        query: uri.query().unwrap_or(""),
        headers,
        body: Body::Bytes(request.body().as_ref()),
    })
}

/// `Cow` helper: the lower-case form of a header name, borrowed when it already is.
pub(crate) fn lower(name: &str) -> Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}
