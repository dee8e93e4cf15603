//! Resolving a request's relative URI against a record's base URL, with `http::Uri`
//! and string handling only (the `url` crate would add 70 KB to the browser build).

use http::Uri;

use crate::error::{Error, Result};

/// Resolves `target` against `base` as a path continuation (as axios's `baseURL`
/// does): an absolute `target` (with a scheme) is returned as it is; otherwise the
/// base URL's path, without its trailing `/`, is joined with `/` to the target's path
/// without its leading `/`s, and the target's query is kept.
///
/// `https://api.acme.test/v2` + `/orders?page=2` gives
/// `https://api.acme.test/v2/orders?page=2`.
///
/// Errors: `missing_base_url` when `target` is relative and `base` is empty,
/// `invalid_base_url` when `base` is not an absolute `http(s)` URL without query or
/// fragment.
pub fn resolve(base: &str, target: &Uri) -> Result<Uri> {
    if target.scheme().is_some() {
        return Ok(target.clone());
    }
    if base.is_empty() {
        return Err(Error::invalid(
            "missing_base_url",
            "the request URL is relative and the credential record has no base URL",
        ));
    }
    let invalid = || {
        Error::invalid(
            "invalid_base_url",
            "the base URL must be an absolute http or https URL without query or fragment",
        )
    };
    if base.contains(['?', '#']) {
        return Err(invalid());
    }
    let parsed: Uri = base.parse().map_err(|_| invalid())?;
    match parsed.scheme_str() {
        Some("http") | Some("https") if parsed.authority().is_some() => {}
        _ => return Err(invalid()),
    }
    let base_path = parsed.path().trim_end_matches('/');
    let target_path = target.path().trim_start_matches('/');
    let mut joined = String::with_capacity(base.len() + target_path.len() + 32);
    joined.push_str(parsed.scheme_str().unwrap_or("https"));
    joined.push_str("://");
    joined.push_str(parsed.authority().map(|a| a.as_str()).unwrap_or(""));
    joined.push_str(base_path);
    joined.push('/');
    joined.push_str(target_path);
    if let Some(query) = target.query() {
        joined.push('?');
        joined.push_str(query);
    }
    joined.parse().map_err(|_| {
        Error::invalid(
            "invalid_url",
            "the base URL and the request path do not form a valid URL",
        )
    })
}

/// An origin: scheme, host (lower case) and port (the scheme's default when absent).
fn origin(uri: &Uri) -> Option<(String, String, u16)> {
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let host = uri.host()?.to_ascii_lowercase();
    let port = match (uri.port_u16(), scheme.as_str()) {
        (Some(port), _) => port,
        (None, "http") => 80,
        (None, "https") => 443,
        (None, _) => return None,
    };
    Some((scheme, host, port))
}

fn shown((scheme, host, port): &(String, String, u16)) -> String {
    let default = matches!((scheme.as_str(), port), ("http", 80) | ("https", 443));
    let host = crate::redact::printable(host);
    if default {
        format!("{scheme}://{host}")
    } else {
        format!("{scheme}://{host}:{port}")
    }
}

/// Checks that `target` (an absolute URI, as [`resolve`] gives) has the origin of `base`
/// (scheme, host and port; any path): a record's credentials go to its own origin only.
/// An empty `base` binds no origin.
///
/// Errors: `url_outside_base_url` naming both origins (never the user name, password,
/// path or query), `invalid_base_url` when `base` is not an absolute `http(s)` URL.
pub(crate) fn check_origin(base: &str, target: &Uri) -> Result<()> {
    if base.is_empty() {
        return Ok(());
    }
    let invalid = || {
        Error::invalid(
            "invalid_base_url",
            "the base URL must be an absolute http or https URL without query or fragment",
        )
    };
    let base: Uri = base.parse().map_err(|_| invalid())?;
    let expected = origin(&base).ok_or_else(invalid)?;
    match origin(target) {
        Some(actual) if actual == expected => Ok(()),
        actual => Err(Error::invalid(
            "url_outside_base_url",
            format!(
                "the request goes to {}, outside the credential record's origin {}; \
                 set `Options::allow_other_origins` to send the credentials there",
                actual
                    .as_ref()
                    .map_or_else(|| "a URL without origin".to_owned(), shown),
                shown(&expected)
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(base: &str, target: &str) -> String {
        resolve(base, &target.parse().unwrap()).unwrap().to_string()
    }

    #[test]
    fn joins_paths() {
        assert_eq!(
            r("https://a.test/v2", "/orders?p=2"),
            "https://a.test/v2/orders?p=2"
        );
        assert_eq!(
            r("https://a.test/v2/", "/orders"),
            "https://a.test/v2/orders"
        );
        assert_eq!(r("https://a.test", "/orders"), "https://a.test/orders");
        assert_eq!(r("https://a.test/", "/"), "https://a.test/");
        assert_eq!(r("http://a.test:8080/x", "/y/"), "http://a.test:8080/x/y/");
        assert_eq!(
            r("https://a.test/v2", "https://b.test/z"),
            "https://b.test/z"
        );
    }

    #[test]
    fn origins_compare_scheme_host_and_port() {
        let ok = |base: &str, target: &str| check_origin(base, &target.parse().unwrap()).is_ok();
        assert!(ok("https://a.test/v2", "https://A.TEST:443/other"));
        assert!(ok("http://a.test:8080", "http://a.test:8080/x"));
        assert!(ok("", "https://anything.test/"));
        assert!(!ok("https://a.test/v2", "http://a.test/v2"));
        assert!(!ok("https://a.test/v2", "https://a.test:444/v2"));
        assert!(!ok("https://a.test/v2", "https://b.test/v2"));
        assert!(!ok("https://a.test/v2", "https://a.test.b.test/v2"));
        let err = check_origin(
            "https://a.test",
            &"http://u:p@b.test:81/x?q".parse().unwrap(),
        )
        .unwrap_err();
        assert_eq!(
            err.detail(),
            "the request goes to http://b.test:81, outside the credential record's origin \
             https://a.test; set `Options::allow_other_origins` to send the credentials there"
        );
    }

    #[test]
    fn rejects_bad_bases() {
        let target: Uri = "/x".parse().unwrap();
        for base in [
            "a.test",
            "ftp://a.test",
            "https://a.test/?q=1",
            "/v2",
            "https://a.test/#f",
        ] {
            assert_eq!(
                resolve(base, &target).unwrap_err().code(),
                "invalid_base_url",
                "{base}"
            );
        }
        assert_eq!(resolve("", &target).unwrap_err().code(), "missing_base_url");
    }
}
