//! Query strings and URL paths: one encoder for the typed list parameters and the raw
//! request builder.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Serialize;
use serde_json::Value;

use crate::{Error, Result};

/// Characters left as they are in a path segment: RFC 3986 unreserved.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The query pairs of a flat serializable value (a struct of scalars, options and lists
/// of scalars), sorted by name so the query string is deterministic.
///
/// `None` fields are left out; a list gives one pair per element.
pub(crate) fn to_pairs<T: Serialize + ?Sized>(value: &T) -> Result<Vec<(String, String)>> {
    let not_flat = || {
        Error::invalid(
            "invalid_query",
            "query parameters must be a struct or map of strings, numbers, booleans or lists of them",
        )
    };
    let map = match serde_json::to_value(value).map_err(|e| {
        Error::invalid(
            "invalid_query",
            format!("query parameters do not serialize: {e}"),
        )
    })? {
        Value::Null => return Ok(Vec::new()),
        Value::Object(map) => map,
        _ => return Err(not_flat()),
    };
    let mut pairs = Vec::with_capacity(map.len());
    for (name, value) in map {
        match value {
            Value::Null => {}
            Value::Array(items) => {
                for item in items {
                    pairs.push((name.clone(), scalar(item).ok_or_else(not_flat)?));
                }
            }
            other => pairs.push((name, scalar(other).ok_or_else(not_flat)?)),
        }
    }
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(pairs)
}

fn scalar(value: Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// `name=value&...`, form-urlencoded.
pub(crate) fn encode(pairs: &[(String, String)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

/// Sets (or adds) `name=value`, replacing any earlier values of `name`.
pub(crate) fn set(pairs: &mut Vec<(String, String)>, name: &str, value: String) {
    pairs.retain(|(k, _)| k != name);
    pairs.push((name.to_owned(), value));
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
}

/// An id as one URL path segment: percent-encoded, never empty, never `.` or `..`.
pub(crate) fn segment(id: &str) -> Result<String> {
    if id.is_empty() || id == "." || id == ".." {
        return Err(Error::invalid(
            "invalid_id",
            "an id in a path must not be empty, `.` or `..`",
        ));
    }
    Ok(utf8_percent_encode(id, SEGMENT).to_string())
}

/// Checks a caller's relative API path (`customers/`, `/workspace/`) and returns it
/// without its leading slash.
pub(crate) fn relative_path(path: &str) -> Result<String> {
    let path = path.trim_start_matches('/');
    let bad = |why: &str| Error::invalid("invalid_path", format!("the request path {why}"));
    if path.contains("://") || path.contains('\\') {
        return Err(bad("must be relative to the base URL, not a full URL"));
    }
    if path.contains('?') || path.contains('#') {
        return Err(bad(
            "must not contain `?` or `#`: pass query parameters with `.query(..)`",
        ));
    }
    if path.split('/').any(|s| s == ".." || s == ".") {
        return Err(bad("must not contain `.` or `..` segments"));
    }
    if path.chars().any(|c| c.is_control() || c == ' ') {
        return Err(bad("must not contain spaces or control characters"));
    }
    Ok(path.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Q {
        b: Option<u32>,
        a: &'static str,
        tags: Vec<&'static str>,
        on: bool,
    }

    #[test]
    fn pairs_are_sorted_and_flat() {
        let q = Q {
            b: None,
            a: "x y&z",
            tags: vec!["t1", "t2"],
            on: true,
        };
        let pairs = to_pairs(&q).unwrap();
        assert_eq!(encode(&pairs), "a=x+y%26z&on=true&tags=t1&tags=t2");
        assert!(to_pairs(&()).unwrap().is_empty());
        assert_eq!(
            to_pairs(&"just a string").unwrap_err().code(),
            "invalid_query"
        );
        assert_eq!(
            to_pairs(&serde_json::json!({"nested": {"a": 1}}))
                .unwrap_err()
                .code(),
            "invalid_query"
        );
    }

    #[test]
    fn set_replaces() {
        let mut pairs = to_pairs(&serde_json::json!({"page": 1, "page_size": 5})).unwrap();
        set(&mut pairs, "page", "3".into());
        assert_eq!(encode(&pairs), "page=3&page_size=5");
    }

    #[test]
    fn segments_are_encoded() {
        assert_eq!(segment("cus_1").unwrap(), "cus_1");
        assert_eq!(segment("a/b?c").unwrap(), "a%2Fb%3Fc");
        assert_eq!(segment("..").unwrap_err().code(), "invalid_id");
        assert_eq!(segment("").unwrap_err().code(), "invalid_id");
    }

    #[test]
    fn relative_paths_only() {
        assert_eq!(relative_path("/customers/").unwrap(), "customers/");
        assert_eq!(relative_path("workspace/").unwrap(), "workspace/");
        for bad in [
            "https://evil.example/",
            "customers/../../admin",
            "a?b=1",
            "a#frag",
            "a b",
        ] {
            assert_eq!(
                relative_path(bad).unwrap_err().code(),
                "invalid_path",
                "{bad}"
            );
        }
    }
}
