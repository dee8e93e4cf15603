//! The rules each link field follows, shared by the builder and the parser so that a
//! link this crate builds always parses.

use super::Nonce;
use crate::error::{Error, Result};
use crate::error_code::wire;

/// Longest `workspace`, `customer` or `connector` value, in bytes.
pub(crate) const MAX_ID_LEN: usize = 256;
/// Longest `redirect_uri`, in bytes.
pub(crate) const MAX_REDIRECT_URI_LEN: usize = 2048;
/// Longest `scope`, in bytes.
pub(crate) const MAX_SCOPE_LEN: usize = 1024;

/// A `link_invalid` error.
pub(crate) fn invalid(detail: impl Into<std::borrow::Cow<'static, str>>) -> Error {
    Error::invalid(wire::LinkInvalid, detail)
}

/// What is wrong with a `workspace`, `customer` or `connector` value, if anything: each
/// is 1 to 256 bytes of UTF-8 without control characters. The sandbox holds a
/// customer's `external_id` to the same rule, since a link's `customer` is one.
pub(crate) fn id_problem(value: &str) -> Option<String> {
    if value.is_empty() {
        Some("is empty".to_owned())
    } else if value.len() > MAX_ID_LEN {
        Some(format!("is longer than {MAX_ID_LEN} bytes"))
    } else if value.chars().any(char::is_control) {
        Some("contains a control character".to_owned())
    } else {
        None
    }
}

/// `workspace`, `customer`, `connector`: see [`id_problem`].
pub(crate) fn check_id(name: &str, value: &str) -> Result<()> {
    match id_problem(value) {
        Some(problem) => Err(invalid(format!("`{name}` {problem}"))),
        None => Ok(()),
    }
}

/// `key`: an API key prefix, as [`ApiKey`](crate::ApiKey) defines it: 1 to 254 bytes of
/// printable ASCII without space or `.`.
pub(crate) fn check_key_prefix(value: &str) -> Result<()> {
    if crate::api_key::is_prefix(value) {
        Ok(())
    } else {
        Err(invalid(
            "`key` is not an API key prefix (1 to 254 bytes of printable ASCII, no space or `.`)",
        ))
    }
}

/// `exp`: unix seconds in decimal, digits only, no leading zero, at most `i64::MAX`.
pub(crate) fn parse_exp(value: &str) -> Result<i64> {
    let canonical = !value.is_empty()
        && value.bytes().all(|b| b.is_ascii_digit())
        && (value == "0" || !value.starts_with('0'));
    let parsed = if canonical {
        value.parse::<i64>().ok()
    } else {
        None
    };
    parsed.ok_or_else(|| {
        invalid("`exp` is not unix seconds (decimal digits, no sign, no leading zero)")
    })
}

/// `nonce`: base64url without padding of exactly 16 bytes (22 characters).
pub(crate) fn parse_nonce(value: &str) -> Result<Nonce> {
    decode_fixed::<16>(value)
        .map(Nonce::from_bytes)
        .ok_or_else(|| invalid("`nonce` is not 16 bytes in base64url without padding"))
}

/// `sig`: base64url without padding of exactly 32 bytes (43 characters).
pub(crate) fn parse_sig(value: &str) -> Result<[u8; 32]> {
    decode_fixed::<32>(value)
        .ok_or_else(|| invalid("`sig` is not 32 bytes in base64url without padding"))
}

/// Strict base64url (no padding, no stray bits) of exactly `N` bytes.
fn decode_fixed<const N: usize>(value: &str) -> Option<[u8; N]> {
    // The engine refuses padding and non-zero trailing bits, so each byte string has
    // exactly one accepted spelling.
    let bytes = crate::base64_strict::decode_url(value.as_bytes())?;
    bytes.try_into().ok()
}

/// `redirect_uri`: an absolute `https://` URL, or `http://` to a loopback host
/// (`localhost`, `127.0.0.1`, `[::1]`) for development; at most 2048 bytes, no
/// whitespace or control characters.
pub(crate) fn check_redirect_uri(value: &str) -> Result<()> {
    if value.is_empty() {
        return Err(invalid("`redirect_uri` is empty"));
    }
    if value.len() > MAX_REDIRECT_URI_LEN {
        return Err(invalid(format!(
            "`redirect_uri` is longer than {MAX_REDIRECT_URI_LEN} bytes"
        )));
    }
    if value.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(invalid(
            "`redirect_uri` contains whitespace or a control character",
        ));
    }
    if crate::origin::is_trustworthy(value) {
        Ok(())
    } else {
        Err(invalid(
            "`redirect_uri` must be an https:// URL (or http:// to localhost, 127.0.0.1 or [::1])",
        ))
    }
}

pub(crate) use crate::origin::strip_prefix_ignore_case;

/// `scope`: 1 to 1024 bytes of scope tokens (printable ASCII except `"` and `\`, RFC
/// 6749 section 3.3) separated by single spaces.
pub(crate) fn check_scope(value: &str) -> Result<()> {
    if value.len() > MAX_SCOPE_LEN {
        return Err(invalid(format!(
            "`scope` is longer than {MAX_SCOPE_LEN} bytes"
        )));
    }
    let well_formed = value.split(' ').all(|token| {
        !token.is_empty()
            && token
                .bytes()
                .all(|b| matches!(b, 0x21 | 0x23..=0x5b | 0x5d..=0x7e))
    });
    if well_formed {
        Ok(())
    } else {
        Err(invalid(
            "`scope` must be scope tokens (printable ASCII but `\"` and `\\`) separated by single spaces",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn exp_is_strict_decimal() {
        assert_eq!(parse_exp("1700000000").unwrap(), 1_700_000_000);
        assert_eq!(parse_exp("0").unwrap(), 0);
        for bad in [
            "",
            "-1",
            "+1",
            "01",
            "1e9",
            " 1",
            "9223372036854775808",
            "１",
        ] {
            assert_eq!(
                parse_exp(bad).unwrap_err().code(),
                ErrorCode::LinkInvalid,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn nonce_and_sig_are_strict_base64url() {
        assert!(parse_nonce("AAAAAAAAAAAAAAAAAAAAAA").is_ok());
        // Stray bits in the last character, padding, the standard alphabet, wrong length.
        for bad in [
            "AAAAAAAAAAAAAAAAAAAAAB",
            "AAAAAAAAAAAAAAAAAAAAAA==",
            "+AAAAAAAAAAAAAAAAAAAAA",
            "AAAAAAAAAAAAAAAAAAAA",
        ] {
            assert!(parse_nonce(bad).is_err(), "{bad:?}");
        }
        assert!(parse_sig(&"A".repeat(43)).is_ok());
        assert!(parse_sig(&"A".repeat(42)).is_err());
    }

    #[test]
    fn redirect_uris() {
        for good in [
            "https://app.example.com/done",
            "http://localhost:3000/cb",
            "http://127.0.0.1",
            "http://[::1]:8080/x",
        ] {
            assert!(check_redirect_uri(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "http://app.example.com",
            "http://localhost.evil.com/",
            "javascript:alert(1)",
            "https://",
            "https:///path",
            "https://a b",
            "//app.example.com",
        ] {
            assert!(check_redirect_uri(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn scopes() {
        assert!(check_scope("read write:tasks").is_ok());
        for bad in ["", " read", "read  write", "read ", "a\"b", "a\\b", "é"] {
            assert!(check_scope(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn ids() {
        assert!(check_id("customer", "cus 42 é").is_ok());
        assert!(check_id("customer", "").is_err());
        assert!(check_id("customer", "a\nb").is_err());
        assert!(check_id("customer", &"x".repeat(257)).is_err());
        for good in ["REM0aW39", "REM0aW3", "pre_fix-1", &"p".repeat(254)] {
            assert!(check_key_prefix(good).is_ok(), "{good:?}");
        }
        for bad in [
            "",
            "REM0.aW39",
            "REM0 aW39",
            "REM0aW3é",
            "a\tb",
            &"p".repeat(255),
        ] {
            assert!(check_key_prefix(bad).is_err(), "{bad:?}");
        }
    }
}
