//! Web origins (`scheme://host[:port]`), as browsers send them in `Origin` and as a
//! workspace lists its frontends (`allowed_origins`).
//!
//! One rule, used by the sandbox (a workspace's `allowed_origins`, the CORS answers of
//! the connect endpoints, the OAuth2 popup's `origin`) and by the browser package (the
//! pinned API's origin, a link's origin):
//!
//! - the scheme is `https`, or `http` for a loopback host only (`localhost`,
//!   `127.0.0.1`, `[::1]`; [`is_trustworthy`], the rule a link's `redirect_uri` follows
//!   too): a page or an API on plain HTTP elsewhere can be read and changed by anyone on
//!   the network path;
//! - the host is a DNS name (ASCII: an internationalized name in its `xn--` form), an
//!   IPv4 address or a bracketed IPv6 address; no user name, no path, query or fragment;
//! - no wildcards: `https://*.example.com` would let any subdomain (a forgotten
//!   marketing site, a user-content host) read connect sessions and post credentials;
//!   list each frontend instead;
//! - scheme and host are lowercased and the scheme's default port is dropped, so that
//!   `HTTPS://App.Example.com:443` and `https://app.example.com` are the same origin,
//!   spelt as browsers spell it in `Origin` and `location.origin`.
//!
//! ```
//! use munity::origin::Origin;
//!
//! # fn main() -> munity::Result<()> {
//! let origin = Origin::parse("HTTPS://App.Example.com:443")?;
//! assert_eq!(origin.as_str(), "https://app.example.com");
//! assert!(Origin::parse("http://127.0.0.1:5173")?.is_loopback());
//!
//! let err = Origin::parse("http://app.example.com").unwrap_err();
//! assert_eq!(err.code(), "origin_invalid");
//! assert!(Origin::parse("https://*.example.com").is_err());
//! assert!(Origin::parse("https://app.example.com/path").is_err());
//!
//! // The origin of a URL (a link, an API base).
//! let api = Origin::of_url("https://api.munityapps.com/v1/connect?v=1")?;
//! assert_eq!(api.as_str(), "https://api.munityapps.com");
//! # Ok(())
//! # }
//! ```

use crate::{Error, Result};

/// The longest origin accepted, in bytes (`https://` + a 253-byte name + `:65535`).
pub const MAX_LEN: usize = 270;

/// A checked, canonical web origin: `scheme://host[:port]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Origin(String);

fn invalid(detail: &'static str) -> Error {
    Error::invalid(crate::error_code::wire::OriginInvalid, detail)
}

impl Origin {
    /// Parses an origin as a workspace lists it or a browser sends it (see the module
    /// docs for the rules).
    ///
    /// # Errors
    /// `origin_invalid` ([`InvalidInput`](crate::ErrorKind::InvalidInput)) with the rule
    /// it breaks.
    pub fn parse(text: &str) -> Result<Origin> {
        let (scheme, authority) = split_scheme(text)?;
        if authority.contains(['/', '?', '#']) {
            return Err(invalid(
                "an origin is scheme://host[:port], with no path, query or fragment",
            ));
        }
        Origin::build(scheme, authority)
    }

    /// The origin of an absolute `http(s)` URL (what `new URL(url).origin` gives), with
    /// the same rules as [`Origin::parse`].
    ///
    /// # Errors
    /// `origin_invalid` when the URL is not absolute `http(s)`, has a user name, or its
    /// origin breaks a rule.
    pub fn of_url(url: &str) -> Result<Origin> {
        let (scheme, rest) = split_scheme(url)?;
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        Origin::build(scheme, &rest[..end])
    }

    fn build(scheme: &'static str, authority: &str) -> Result<Origin> {
        if authority.contains('@') {
            return Err(invalid("an origin has no user name or password"));
        }
        if authority.contains('*') {
            return Err(invalid(
                "wildcards are not allowed: list each origin (scheme://host[:port])",
            ));
        }
        let (host, port) = split_port(authority)?;
        let host = host.to_ascii_lowercase();
        check_host(&host)?;
        let default_port = if scheme == "https" { 443 } else { 80 };
        if scheme == "http" && !is_trustworthy(&format!("http://{host}")) {
            return Err(invalid(
                "http is allowed only for loopback hosts (localhost, 127.0.0.1, [::1]); use https",
            ));
        }
        let mut origin = String::with_capacity(scheme.len() + 3 + host.len() + 6);
        origin.push_str(scheme);
        origin.push_str("://");
        origin.push_str(&host);
        if let Some(port) = port.filter(|p| *p != default_port) {
            origin.push(':');
            origin.push_str(&port.to_string());
        }
        Ok(Origin(origin))
    }

    /// The canonical text, e.g. `https://app.example.com`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the host is a loopback host (`localhost`, `127.0.0.1`, `[::1]`).
    pub fn is_loopback(&self) -> bool {
        let rest = self.0.split_once("://").map_or("", |(_, rest)| rest);
        split_port(rest).is_ok_and(|(host, _)| is_trustworthy(&format!("http://{host}")))
    }
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for Origin {
    type Err = Error;

    fn from_str(text: &str) -> Result<Origin> {
        Origin::parse(text)
    }
}

/// The scheme (`https` or `http`, any case) and what follows `://`.
fn split_scheme(text: &str) -> Result<(&'static str, &str)> {
    if text.len() > MAX_LEN.max(8 * 1024) {
        return Err(invalid("the origin or URL is too long"));
    }
    let (scheme, rest) = text
        .split_once("://")
        .ok_or_else(|| invalid("an origin starts with https:// (or http:// on loopback)"))?;
    let scheme = if scheme.eq_ignore_ascii_case("https") {
        "https"
    } else if scheme.eq_ignore_ascii_case("http") {
        "http"
    } else {
        return Err(invalid("the scheme must be https (or http on loopback)"));
    };
    Ok((scheme, rest))
}

/// Host and port of an authority (`host`, `host:port`, `[v6]`, `[v6]:port`).
fn split_port(authority: &str) -> Result<(&str, Option<u16>)> {
    let (host, port) = if authority.starts_with('[') {
        match authority.find(']') {
            Some(end) => {
                let (host, rest) = authority.split_at(end + 1);
                match rest.strip_prefix(':') {
                    Some(port) => (host, Some(port)),
                    None if rest.is_empty() => (host, None),
                    None => return Err(invalid("unexpected text after the IPv6 address")),
                }
            }
            None => return Err(invalid("an IPv6 address is not closed with `]`")),
        }
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let port = match port {
        None => None,
        Some(digits) => {
            let valid = !digits.is_empty()
                && digits.len() <= 5
                && digits.bytes().all(|b| b.is_ascii_digit())
                && !digits.starts_with('0');
            match digits.parse::<u16>() {
                Ok(port) if valid => Some(port),
                _ => return Err(invalid("the port must be a number from 1 to 65535")),
            }
        }
    };
    Ok((host, port))
}

/// A DNS name, an IPv4 address or a bracketed IPv6 address (already lowercased).
fn check_host(host: &str) -> Result<()> {
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        let ok = v6.len() >= 2
            && v6.contains(':')
            && v6
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.');
        return if ok {
            Ok(())
        } else {
            Err(invalid("the IPv6 address is malformed"))
        };
    }
    if host.is_empty() || host.len() > 253 {
        return Err(invalid("the host must have 1 to 253 characters"));
    }
    let labels_ok = host.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    });
    if !labels_ok {
        return Err(invalid(
            "the host must be a DNS name (letters, digits, hyphens; `xn--` for other scripts) or an IP address",
        ));
    }
    let numeric = host
        .rsplit('.')
        .next()
        .is_some_and(|l| l.bytes().all(|b| b.is_ascii_digit()));
    if numeric && ipv4(host).is_none() {
        return Err(invalid("the IPv4 address is malformed"));
    }
    Ok(())
}

/// The four octets of a dotted-decimal IPv4 address.
fn ipv4(host: &str) -> Option<[u8; 4]> {
    let mut octets = [0u8; 4];
    let mut parts = host.split('.');
    for octet in &mut octets {
        let part = parts.next()?.as_bytes();
        if part.is_empty() || part.len() > 3 || (part.len() > 1 && part[0] == b'0') {
            return None;
        }
        let mut value: u16 = 0;
        for &b in part {
            if !b.is_ascii_digit() {
                return None;
            }
            value = value * 10 + u16::from(b - b'0');
        }
        *octet = u8::try_from(value).ok()?;
    }
    parts.next().is_none().then_some(octets)
}

/// The loopback hosts, the only ones where `http` is allowed, as URLs start with them.
const LOOPBACK: [&str; 3] = ["http://localhost", "http://127.0.0.1", "http://[::1]"];

/// Whether a URL or origin may carry connect traffic: `https://` with a host, or
/// `http://` to a loopback host (`localhost`, `127.0.0.1`, `[::1]`), schemes in any case.
/// The one rule for a link's `redirect_uri`, a workspace's allowed origins
/// ([`Origin::parse`]) and the browser package's `apiBase`.
///
/// ```
/// use munity::origin::is_trustworthy;
///
/// assert!(is_trustworthy("https://api.munityapps.com/v1"));
/// assert!(is_trustworthy("http://127.0.0.1:8787") && is_trustworthy("http://[::1]:8787/v1"));
/// assert!(!is_trustworthy("http://api.example.com") && !is_trustworthy("http://localhost.evil.com"));
/// assert!(!is_trustworthy("https:///path") && !is_trustworthy("null"));
/// ```
pub fn is_trustworthy(url: &str) -> bool {
    let https = strip_prefix_ignore_case(url, "https://")
        .is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'));
    https
        || LOOPBACK.iter().any(|host| {
            strip_prefix_ignore_case(url, host)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/', '?', '#']))
        })
}

/// `text` without `prefix` (ASCII, compared case-insensitively), if it starts with it.
pub(crate) fn strip_prefix_ignore_case<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    // `split_at_checked`, not `&text[n..]`: the slice's panic path would bring
    // `core::fmt`'s Debug for char and ranges into the browser build.
    let (head, rest) = text.split_at_checked(prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_forms() {
        for (given, canonical) in [
            ("https://app.example.com", "https://app.example.com"),
            ("HTTPS://App.Example.COM:443", "https://app.example.com"),
            (
                "https://app.example.com:8443",
                "https://app.example.com:8443",
            ),
            ("http://127.0.0.1:5173", "http://127.0.0.1:5173"),
            ("http://localhost:80", "http://localhost"),
            ("http://[::1]:3000", "http://[::1]:3000"),
            (
                "https://xn--bcher-kva.example",
                "https://xn--bcher-kva.example",
            ),
            ("https://10.0.0.1", "https://10.0.0.1"),
        ] {
            assert_eq!(Origin::parse(given).unwrap().as_str(), canonical, "{given}");
        }
    }

    #[test]
    fn refusals() {
        for bad in [
            "",
            "*",
            "null",
            "app.example.com",
            "ftp://app.example.com",
            "http://app.example.com",
            "http://10.0.0.1",
            "https://*.example.com",
            "https://app.example.com/",
            "https://app.example.com/path",
            "https://app.example.com?x",
            "https://app.example.com#x",
            "https://user@app.example.com",
            "https://app.example.com:",
            "https://app.example.com:0",
            "https://app.example.com:65536",
            "https://app.example.com:080",
            "https://-app.example.com",
            "https://app..example.com",
            "https://app.example.com.",
            "https://bücher.example",
            "https://app_1.example.com",
            "https://256.1.1.1",
            "https://1.2.3",
            "https://[::1",
            "https://[zz::1]",
            "https://[::1]x",
            "javascript:alert(1)",
        ] {
            let err = Origin::parse(bad).unwrap_err();
            assert_eq!(err.code(), "origin_invalid", "{bad}");
        }
    }

    #[test]
    fn origin_of_a_url() {
        let origin = Origin::of_url("http://127.0.0.1:8787/v1/connect?v=1&x=/y").unwrap();
        assert_eq!(origin.as_str(), "http://127.0.0.1:8787");
        assert!(origin.is_loopback());
        assert!(!Origin::parse("https://api.munityapps.com")
            .unwrap()
            .is_loopback());
        assert!(Origin::of_url("https://a@b.example/v1").is_err());
        assert!(Origin::of_url("/v1/connect?v=1").is_err());
    }
}
