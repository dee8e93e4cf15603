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

use base64::Engine as _;

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
    /// The (name, value) pairs in canonical order, without `sig`.
    fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = vec![
            ("v", super::VERSION.to_owned()),
            ("workspace", self.workspace.to_owned()),
            ("customer", self.customer.to_owned()),
            ("connector", self.connector.to_owned()),
            ("key", self.key_prefix.to_owned()),
            ("exp", self.expires_at.to_string()),
            ("nonce", self.nonce.to_base64url()),
        ];
        if let Some(uri) = self.redirect_uri {
            out.push(("redirect_uri", uri.to_owned()));
        }
        if let Some(scope) = self.scope {
            out.push(("scope", scope.to_owned()));
        }
        out
    }
}

/// The bytes the signature covers.
pub(crate) fn canonical_string(fields: &Fields<'_>) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(LABEL.as_bytes());
    out.push(b'\n');
    for (name, value) in fields.pairs() {
        out.extend_from_slice(name.as_bytes());
        out.push(b':');
        out.extend_from_slice(value.len().to_string().as_bytes());
        out.push(b':');
        out.extend_from_slice(value.as_bytes());
        out.push(b'\n');
    }
    out
}

/// The link's query: `name=value` pairs joined by `&`, canonical order and encoding,
/// `sig` last.
pub(crate) fn query(fields: &Fields<'_>, signature: &[u8; 32]) -> String {
    let mut out = String::with_capacity(256);
    let sig = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(signature);
    for (name, value) in fields
        .pairs()
        .into_iter()
        .chain(std::iter::once(("sig", sig)))
    {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(name);
        out.push('=');
        out.extend(encode(&value));
    }
    out
}

/// The canonical `application/x-www-form-urlencoded` encoding of a value (WHATWG URL
/// standard, as `URLSearchParams` writes it): `A-Z a-z 0-9 * - . _` stay, a space
/// becomes `+`, every other byte of the UTF-8 becomes `%XX` with upper-case hex.
pub(crate) fn encode(value: &str) -> form_urlencoded::ByteSerialize<'_> {
    form_urlencoded::byte_serialize(value.as_bytes())
}
