//! Percent-encoding, query canonicalization and header-value trimming shared by the
//! AWS SigV4 and the HMAC-SHA256 schemes (both sign "the sorted query" and "trimmed
//! header values" the same way).

use std::borrow::Cow;

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";
const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";

/// True for RFC 3986 unreserved characters: `A-Z a-z 0-9 - _ . ~`.
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Appends the AWS "URI encoding" of `input` to `out`: every byte except the unreserved
/// characters (and `/` when `keep_slash`) becomes `%XY` with upper-case hex.
pub(crate) fn uri_encode_into(out: &mut String, input: &[u8], keep_slash: bool) {
    for &b in input {
        if is_unreserved(b) || (keep_slash && b == b'/') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX_UPPER[usize::from(b >> 4)]));
            out.push(char::from(HEX_UPPER[usize::from(b & 0x0f)]));
        }
    }
}

/// The AWS URI encoding of `input` (see [`uri_encode_into`]).
pub(crate) fn uri_encode(input: &[u8], keep_slash: bool) -> String {
    let mut out = String::with_capacity(input.len() + 8);
    uri_encode_into(&mut out, input, keep_slash);
    out
}

/// Lower-case hex of `bytes`.
pub(crate) fn hex_lower(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(HEX_LOWER[usize::from(b >> 4)]));
        out.push(char::from(HEX_LOWER[usize::from(b & 0x0f)]));
    }
    out
}

/// Decodes `%XY` escapes (invalid escapes stay as they are) and, as in
/// `application/x-www-form-urlencoded`, `+` as a space.
fn query_decode(input: &str) -> Cow<'_, [u8]> {
    let bytes = input.as_bytes();
    if !bytes.iter().any(|&b| b == b'%' || b == b'+') {
        return Cow::Borrowed(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'+' {
            out.push(b' ');
        } else if b == b'%' && i + 2 < bytes.len() {
            match (hex_value(bytes[i + 1]), hex_value(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 3;
                    continue;
                }
                _ => out.push(b),
            }
        } else {
            out.push(b);
        }
        i += 1;
    }
    Cow::Owned(out)
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// The canonical query string of `query` (the part after `?`, without it) plus `extra`
/// parameters (raw, unencoded): every key and value percent-decoded, then URI-encoded
/// (unreserved characters kept, everything else `%XY`), pairs sorted by encoded key and
/// then encoded value, joined as `k=v` with `&`. A parameter without `=` gets an empty
/// value; empty pieces (`a&&b`) are skipped.
pub(crate) fn canonical_query(query: &str, extra: &[(&str, &str)]) -> String {
    let mut pairs: Vec<(String, String)> = Vec::with_capacity(extra.len() + 4);
    for piece in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = piece.split_once('=').unwrap_or((piece, ""));
        pairs.push((
            uri_encode(&query_decode(key), false),
            uri_encode(&query_decode(value), false),
        ));
    }
    for (key, value) in extra {
        pairs.push((
            uri_encode(key.as_bytes(), false),
            uri_encode(value.as_bytes(), false),
        ));
    }
    pairs.sort_unstable();
    let len = pairs.iter().map(|(k, v)| k.len() + v.len() + 2).sum();
    let mut out = String::with_capacity(len);
    for (key, value) in &pairs {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(key);
        out.push('=');
        out.push_str(value);
    }
    out
}

/// Appends a header value trimmed of spaces and tabs at both ends, with each inner run
/// of spaces and tabs replaced by one space (the SigV4 "Trimall").
pub(crate) fn push_trimmed(out: &mut String, value: &str) {
    let mut first = true;
    for part in value.split([' ', '\t']).filter(|p| !p.is_empty()) {
        if !first {
            out.push(' ');
        }
        out.push_str(part);
        first = false;
    }
}

/// Removes `.` and `..` segments and empty segments (`//`) from an absolute path, as
/// AWS does when it normalizes a URI path (botocore's `remove_dot_segments`): a `..`
/// above the root is dropped; the trailing `/` is kept when the path ends in one and
/// something is left.
pub(crate) fn normalize_path(path: &str) -> Cow<'_, str> {
    let needs_work =
        path.is_empty() || path.contains("//") || path.split('/').any(|s| s == "." || s == "..");
    if !needs_work {
        return Cow::Borrowed(path);
    }
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    let mut out = String::with_capacity(path.len());
    if path.starts_with('/') || path.is_empty() {
        out.push('/');
    }
    out.push_str(&segments.join("/"));
    if path.ends_with('/') && !segments.is_empty() {
        out.push('/');
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_aws() {
        assert_eq!(uri_encode(b"a b/c~d%", true), "a%20b/c~d%25");
        assert_eq!(uri_encode(b"a b/c", false), "a%20b%2Fc");
        assert_eq!(uri_encode("ሴ".as_bytes(), false), "%E1%88%B4");
        assert_eq!(hex_lower(&[0x00, 0xab, 0xff]), "00abff");
    }

    #[test]
    fn canonical_query_sorts_and_reencodes() {
        assert_eq!(canonical_query("", &[]), "");
        assert_eq!(
            canonical_query("b=2&a=%7e&a=1&c&d=x+y&e=%zz", &[("X-Amz-Date", "1")]),
            "X-Amz-Date=1&a=1&a=~&b=2&c=&d=x%20y&e=%25zz"
        );
        assert_eq!(canonical_query("a=%", &[]), "a=%25");
        assert_eq!(canonical_query("a=%4", &[]), "a=%254");
    }

    #[test]
    fn trims() {
        for (input, want) in [
            ("  a   b \t c  ", "a b c"),
            ("abc", "abc"),
            ("", ""),
            ("   ", ""),
            ("\"a   b   c\"", "\"a b c\""),
        ] {
            let mut out = String::new();
            push_trimmed(&mut out, input);
            assert_eq!(out, want, "{input:?}");
        }
    }

    #[test]
    fn normalizes_paths() {
        for (input, want) in [
            ("/", "/"),
            ("", "/"),
            ("//example//", "/example/"),
            ("/example/..", "/"),
            ("/example1/example2/../..", "/"),
            ("/./", "/"),
            ("/./example", "/example"),
            ("/a/b/../c/", "/a/c/"),
            ("/../a", "/a"),
            ("/a/b", "/a/b"),
        ] {
            assert_eq!(normalize_path(input), want, "{input:?}");
        }
    }
}
