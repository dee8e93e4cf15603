//! Reading a link: strict, so that each link has exactly one accepted spelling.
//!
//! Parameter order matters: the parser refuses parameters out of the documented order,
//! as it refuses duplicates, unknown names and non-canonical encodings. The signature
//! covers the decoded values (order-independent by construction of the canonical
//! string); the strict parser additionally makes the link's bytes unique, so logs,
//! caches and replay tables can compare links as strings.

use super::canonical::{self, PARAMS};
use super::fields::{self, invalid};
use super::ConnectLink;
use crate::error::Result;

/// Longest query accepted, in bytes (every field at its maximum fits well below).
const MAX_QUERY_LEN: usize = 16 * 1024;

pub(crate) fn parse_url(url: &str) -> Result<ConnectLink> {
    let without_fragment = url.split('#').next().unwrap_or_default();
    match without_fragment.split_once('?') {
        Some((_, query)) => parse_query(query),
        None => Err(invalid("the link has no query (no `?`)")),
    }
}

pub(crate) fn parse_query(query: &str) -> Result<ConnectLink> {
    if query.is_empty() {
        return Err(invalid("the link has no parameters"));
    }
    if query.len() > MAX_QUERY_LEN {
        return Err(invalid(format!(
            "the link's query is longer than {MAX_QUERY_LEN} bytes"
        )));
    }
    let mut values: [Option<String>; PARAMS.len()] = Default::default();
    let mut last: Option<usize> = None;
    for piece in query.split('&') {
        let (index, value) = read_piece(piece)?;
        if values[index].is_some() {
            return Err(invalid(format!(
                "parameter `{}` appears more than once",
                PARAMS[index]
            )));
        }
        if last.is_some_and(|last| last > index) {
            let mut message = String::from("parameter `");
            message.push_str(PARAMS[index]);
            message.push_str("` is out of order (the order is ");
            for (i, name) in PARAMS.iter().enumerate() {
                if i > 0 {
                    message.push_str(", ");
                }
                message.push_str(name);
            }
            message.push(')');
            return Err(invalid(message));
        }
        if PARAMS[index] == "v" && value != super::VERSION {
            return Err(invalid(format!(
                "unsupported link version {} (this library reads version {})",
                quote(&value),
                super::VERSION
            )));
        }
        last = Some(index);
        values[index] = Some(value);
    }
    let [v, workspace, customer, connector, key, exp, nonce, redirect_uri, scope, sig] = values;
    let required = |name: &str, value: Option<String>| {
        value.ok_or_else(|| invalid(format!("the link has no `{name}` parameter")))
    };
    required("v", v)?;
    let link = ConnectLink {
        workspace: required("workspace", workspace)?,
        customer: required("customer", customer)?,
        connector: required("connector", connector)?,
        key_prefix: required("key", key)?,
        expires_at: fields::parse_exp(&required("exp", exp)?)?,
        nonce: fields::parse_nonce(&required("nonce", nonce)?)?,
        redirect_uri,
        scope,
        signature: fields::parse_sig(&required("sig", sig)?)?,
    };
    fields::check_id("workspace", &link.workspace)?;
    fields::check_id("customer", &link.customer)?;
    fields::check_id("connector", &link.connector)?;
    fields::check_key_prefix(&link.key_prefix)?;
    if let Some(uri) = &link.redirect_uri {
        fields::check_redirect_uri(uri)?;
    }
    if let Some(scope) = &link.scope {
        fields::check_scope(scope)?;
    }
    Ok(link)
}

/// One `name=value` piece: the parameter's index and its decoded value, which must be
/// non-empty and canonically encoded.
fn read_piece(piece: &str) -> Result<(usize, String)> {
    if piece.is_empty() {
        return Err(invalid(
            "the link has an empty parameter (`&&`, or `&` at an end)",
        ));
    }
    let Some((raw_name, raw_value)) = piece.split_once('=') else {
        return Err(invalid(format!("parameter {} has no `=`", quote(piece))));
    };
    let Some(index) = PARAMS.iter().position(|known| *known == raw_name) else {
        return Err(invalid(format!("unknown parameter {}", quote(raw_name))));
    };
    let name = PARAMS[index];
    let decoded = decode(raw_value).ok_or_else(|| {
        invalid(format!(
            "parameter `{name}` is not valid UTF-8 once decoded"
        ))
    })?;
    if decoded.is_empty() {
        return Err(invalid(format!("parameter `{name}` is empty")));
    }
    if !canonical::is_canonical_encoding(&decoded, raw_value) {
        return Err(invalid(format!(
            "parameter `{name}` is not in canonical form-urlencoded form (as URLSearchParams writes it)"
        )));
    }
    Ok((index, decoded))
}

/// Form-urlencoded decoding of one value: `+` is a space, `%XX` a byte; `None` when the
/// bytes are not UTF-8.
fn decode(raw: &str) -> Option<String> {
    if !raw.contains(['+', '%']) {
        return Some(raw.to_owned());
    }
    let spaced = if raw.contains('+') {
        std::borrow::Cow::Owned(raw.replace('+', " "))
    } else {
        std::borrow::Cow::Borrowed(raw)
    };
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8()
        .ok()
        .map(|s| s.into_owned())
}

/// A short, printable rendition of untrusted input for an error message, in backticks
/// (not `{:?}`: Debug's escaping costs the browser build its `core::fmt` machinery).
fn quote(text: &str) -> String {
    let mut out = String::from("`");
    out.push_str(&crate::redact::printable(text));
    out.push('`');
    out
}
