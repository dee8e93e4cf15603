//! The canonical string a link's signature covers, and the link's canonical query.
//!
//! ```text
//! canonical = "munity/connect-link/v1" LF
//!             field("v", "1") field("workspace", ..) field("customer", ..)
//!             field("connector", ..) field("key", ..) field("exp", ..) field("nonce", ..)
//!             [field("redirect_uri", ..)] [field("scope", ..)]
//! field(name, value) = name ":" <decimal byte length of value> ":" value LF
//! ```
//!
//! Every field carries its name and its length, in a fixed order, so the string
//! decodes in exactly one way: two different parameter sets never give the same string
//! (absent optional fields are left out, and values are never empty).

use super::Nonce;

/// The first line of the canonical string: protocol and version.
pub(crate) const LABEL: &str = "munity/connect-link/v1";

/// Every parameter of a v1 link, in the order the query and the canonical string use.
pub(crate) const PARAMS: [&str; 10] = [
    "v",
    "workspace",
    "customer",
    "connector",
    "key",
    "exp",
    "nonce",
    "redirect_uri",
    "scope",
    "sig",
];

/// The signed fields of a link, borrowed.
pub(crate) struct Fields<'a> {
    pub workspace: &'a str,
    pub customer: &'a str,
    pub connector: &'a str,
    pub key_prefix: &'a str,
    pub expires_at: i64,
    pub nonce: &'a Nonce,
    pub redirect_uri: Option<&'a str>,
    pub scope: Option<&'a str>,
}

impl Fields<'_> {
    /// Calls `f` with each (name, value) pair in canonical order, without `sig`. Nothing
    /// is allocated: `exp` and `nonce` are formatted on the stack. Values are passed as
    /// bytes: the canonical string is bytes, and the query encodes byte by byte.
    fn visit(&self, mut f: impl FnMut(&'static str, &[u8])) {
        let mut exp_buf = [0u8; 20];
        let mut nonce_buf = [0u8; 24];
        f("v", super::VERSION.as_bytes());
        f("workspace", self.workspace.as_bytes());
        f("customer", self.customer.as_bytes());
        f("connector", self.connector.as_bytes());
        f("key", self.key_prefix.as_bytes());
        f("exp", decimal(self.expires_at, &mut exp_buf));
        f("nonce", base64url(self.nonce.as_bytes(), &mut nonce_buf));
        if let Some(uri) = self.redirect_uri {
            f("redirect_uri", uri.as_bytes());
        }
        if let Some(scope) = self.scope {
            f("scope", scope.as_bytes());
        }
    }
}

/// `n` in decimal ASCII digits (a non-negative i64 fits in 19 digits; negative ones,
/// which no valid link has, are written as 0 and refused by the parser's rules
/// elsewhere).
fn decimal(n: i64, buf: &mut [u8; 20]) -> &[u8] {
    let mut n = u64::try_from(n).unwrap_or(0);
    let mut at = buf.len();
    loop {
        at -= 1;
        // n % 10 < 10: the cast cannot truncate.
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    &buf[at..]
}

/// base64url without padding into `buf` (on the stack; 4 bytes per 3, rounded up).
fn base64url<'b>(bytes: &[u8], buf: &'b mut [u8]) -> &'b [u8] {
    let mut n = 0;
    crate::base64_strict::encode_url_with(bytes, |c| {
        if let Some(slot) = buf.get_mut(n) {
            *slot = c;
            n += 1;
        }
    });
    buf.get(..n).unwrap_or_default()
}

/// The bytes the signature covers.
pub(crate) fn canonical_string(fields: &Fields<'_>) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(LABEL.as_bytes());
    out.push(b'\n');
    let mut len_buf = [0u8; 20];
    fields.visit(|name, value| {
        out.extend_from_slice(name.as_bytes());
        out.push(b':');
        let len = i64::try_from(value.len()).unwrap_or(i64::MAX);
        out.extend_from_slice(decimal(len, &mut len_buf));
        out.push(b':');
        out.extend_from_slice(value);
        out.push(b'\n');
    });
    out
}

/// Appends the link's query to `out`: `name=value` pairs joined by `&`, canonical order
/// and encoding, `sig` last.
pub(crate) fn write_query(out: &mut String, fields: &Fields<'_>, signature: &[u8; 32]) {
    let mut first = true;
    let mut pair = |name: &str, value: &[u8]| {
        if !first {
            out.push('&');
        }
        first = false;
        out.push_str(name);
        out.push('=');
        encode_into(out, value);
    };
    fields.visit(&mut pair);
    let mut sig_buf = [0u8; 44];
    pair("sig", base64url(signature, &mut sig_buf));
}

/// Upper-case hex digits of `%XX`.
const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Whether a byte stays as it is in the canonical encoding.
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'*' | b'-' | b'.' | b'_')
}

/// Appends the canonical `application/x-www-form-urlencoded` encoding of a value (WHATWG
/// URL standard, as `URLSearchParams` writes it): `A-Z a-z 0-9 * - . _` stay, a space
/// becomes `+`, every other byte of the UTF-8 becomes `%XX` with upper-case hex. Every
/// byte that stays is ASCII, so `out` stays UTF-8 whatever `value` holds.
pub(crate) fn encode_into(out: &mut String, value: &[u8]) {
    out.reserve(value.len());
    for &b in value {
        if is_unreserved(b) {
            out.push(char::from(b));
        } else if b == b' ' {
            out.push('+');
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        }
    }
}

/// Whether `raw` is exactly the canonical encoding of `decoded`, compared byte by byte
/// without building the encoding.
pub(crate) fn is_canonical_encoding(decoded: &str, raw: &str) -> bool {
    let raw = raw.as_bytes();
    let mut at = 0;
    for b in decoded.bytes() {
        let matched = if is_unreserved(b) {
            raw.get(at) == Some(&b)
        } else if b == b' ' {
            raw.get(at) == Some(&b'+')
        } else {
            raw.get(at..at + 3)
                == Some(&[b'%', HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xf)]][..])
        };
        if !matched {
            return false;
        }
        at += if is_unreserved(b) || b == b' ' { 1 } else { 3 };
    }
    at == raw.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hand-written encoder and check agree with `form_urlencoded` (the reference
    /// URLSearchParams encoding) on every byte class.
    #[test]
    fn the_encoding_is_form_urlencoded() {
        for value in [
            "plain",
            "a b",
            "https://app.example.com/done?x=1&y=%2",
            "read write",
            "*-._~!'()",
            "é 日本 🎉",
            "\u{7f}\u{0}\t",
            "+%",
        ] {
            let reference: String = form_urlencoded::byte_serialize(value.as_bytes()).collect();
            let mut ours = String::new();
            encode_into(&mut ours, value.as_bytes());
            assert_eq!(ours, reference, "{value:?}");
            assert!(is_canonical_encoding(value, &reference), "{value:?}");
            assert!(!is_canonical_encoding(value, &format!("{reference}x")));
            if !reference.is_empty() {
                assert!(!is_canonical_encoding(
                    value,
                    &reference[..reference.len() - 1]
                ));
            }
        }
        assert!(!is_canonical_encoding("a b", "a%20b"));
        assert!(!is_canonical_encoding("/", "%2f"));
        assert!(!is_canonical_encoding("a", "%61"));
    }
}
