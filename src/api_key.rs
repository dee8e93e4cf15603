//! API keys (`<prefix>.<secret>`); the rule is on [`ApiKey`].

use std::fmt;

use crate::error::{Error, Result};
use crate::Secret;

/// Longest accepted key, in bytes (the platform's keys are far shorter).
pub const MAX_LEN: usize = 256;
/// Length of the prefix of a [generated](ApiKey::generate) key.
pub const PREFIX_LEN: usize = 8;
/// Length of the secret of a [generated](ApiKey::generate) key.
pub const SECRET_LEN: usize = 32;

/// A Munity API key: `<prefix>.<secret>`, as the API's documentation shows them
/// (`REM0aW39.NfO0123456789CNeHpF29wo`). The prefix, everything before the first `.`,
/// is the public key id; the whole key is a secret. Debug shows only the prefix.
///
/// The rule ([`ApiKey::parse`]), after surrounding whitespace is trimmed:
///
/// - at most 256 bytes;
/// - only printable ASCII without space (bytes `0x21..=0x7E`): what an HTTP header
///   carries as text; whitespace, control characters and non-ASCII are refused;
/// - a `.`, with a non-empty prefix before the first one and a non-empty secret after it
///   (the secret may hold further dots).
///
/// Nothing else is assumed: the platform chooses the lengths and the alphabet, so the
/// documentation's key (a prefix of 8 and a secret of 23 characters) and the sandbox's
/// generated keys (8 and 32 characters from `[A-Za-z0-9]`) both parse.
///
/// ```
/// use munity::ApiKey;
///
/// let key = ApiKey::parse("REM0aW39.NfO0123456789CNeHpF29wo").unwrap();
/// assert_eq!(key.prefix(), "REM0aW39");
/// assert_eq!(format!("{key:?}"), "ApiKey(REM0aW39.[redacted])");
/// assert!(ApiKey::parse("not a key").is_err());
/// ```
#[derive(Clone)]
pub struct ApiKey {
    key: Secret<String>,
}

impl ApiKey {
    /// Checks the format (the rule on [`ApiKey`]) and wraps the key. The error never
    /// repeats any part of the key (code `invalid_api_key`).
    pub fn parse(key: &str) -> Result<ApiKey> {
        let key = key.trim();
        let well_formed = key.len() <= MAX_LEN
            && key.bytes().all(is_key_byte)
            && split(key).is_some_and(|(prefix, secret)| !prefix.is_empty() && !secret.is_empty());
        if !well_formed {
            return Err(Error::new(
                crate::ErrorKind::Config,
                "invalid_api_key",
                "an API key is <prefix>.<secret>: two non-empty parts joined by the first `.`, \
                 printable ASCII without spaces, at most 256 bytes",
            ));
        }
        Ok(ApiKey {
            key: Secret::new(key.to_owned()),
        })
    }

    /// A new random key (sandbox and tests).
    pub fn generate() -> ApiKey {
        let prefix = random_alphanumeric(PREFIX_LEN);
        let secret = random_alphanumeric(SECRET_LEN);
        ApiKey {
            key: Secret::new(format!("{}.{}", prefix.expose(), secret.expose())),
        }
    }

    /// The public key id, e.g. `REM0aW39`.
    pub fn prefix(&self) -> &str {
        split(self.key.expose()).map_or("", |(prefix, _)| prefix)
    }

    /// The whole key. Handle with care.
    pub fn expose(&self) -> &str {
        self.key.expose()
    }

    /// The value of the `Authorization` header: `X-Api-Key <key>`.
    pub fn authorization_value(&self) -> Secret<String> {
        Secret::new(format!("X-Api-Key {}", self.key.expose()))
    }
}

/// Compares whole keys in constant time (time depends only on the lengths).
impl PartialEq for ApiKey {
    fn eq(&self, other: &ApiKey) -> bool {
        crate::ct::eq(self.expose().as_bytes(), other.expose().as_bytes())
    }
}

impl Eq for ApiKey {}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKey({}.[redacted])", self.prefix())
    }
}

/// A byte an API key may hold: printable ASCII without space.
fn is_key_byte(b: u8) -> bool {
    b.is_ascii_graphic()
}

/// The prefix and the secret of `key`, split at its first `.`.
fn split(key: &str) -> Option<(&str, &str)> {
    key.split_once('.')
}

/// Whether `value` can be the prefix of an API key (a link's `key` parameter): 1 to
/// [`MAX_LEN`] - 2 bytes of printable ASCII without space or `.`.
pub(crate) fn is_prefix(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= MAX_LEN - 2
        && value.bytes().all(|b| is_key_byte(b) && b != b'.')
}

/// `len` characters from `[A-Za-z0-9]`, uniformly, from the system's CSPRNG.
pub(crate) fn random_alphanumeric(len: usize) -> Secret<String> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(len);
    while out.len() < len {
        let mut buf = [0u8; 64];
        crate::random::fill(&mut buf);
        // 248 = 4 * 62: rejection sampling keeps the choice uniform.
        out.extend(
            buf.iter()
                .filter(|b| **b < 248)
                .map(|b| ALPHABET[usize::from(*b % 62)] as char)
                .take(len - out.len()),
        );
    }
    Secret::new(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_parse() {
        let k = ApiKey::generate();
        let again = ApiKey::parse(k.expose()).unwrap();
        assert_eq!(again.prefix(), k.prefix());
        assert_eq!(
            format!("{k:?}"),
            format!("ApiKey({}.[redacted])", k.prefix())
        );
        assert!(!format!("{k:?}").contains(&k.expose()[PREFIX_LEN + 1..]));
        assert_eq!(k.prefix().len(), PREFIX_LEN);
    }

    #[test]
    fn the_documentations_key_parses() {
        let key = ApiKey::parse("REM0aW39.NfO0123456789CNeHpF29wo").unwrap();
        assert_eq!(key.prefix(), "REM0aW39");
        assert_eq!(key.expose(), "REM0aW39.NfO0123456789CNeHpF29wo");
        assert_eq!(format!("{key:?}"), "ApiKey(REM0aW39.[redacted])");
    }

    #[test]
    fn any_printable_key_with_two_parts_parses() {
        for (good, prefix) in [
            ("a.b", "a"),
            ("short.key", "short"),
            ("  REM0aW39.NfO0123456789CNeHpF29wo\n", "REM0aW39"),
            ("pre_fix-1.s3cr3t/+=~!", "pre_fix-1"),
            ("pre.sec.ret", "pre"),
        ] {
            let key = ApiKey::parse(good).unwrap_or_else(|e| panic!("{good:?}: {e}"));
            assert_eq!(key.prefix(), prefix);
            assert_eq!(key.expose(), good.trim());
        }
        let longest = format!("{}.{}", "p".repeat(8), "s".repeat(MAX_LEN - 9));
        assert!(ApiKey::parse(&longest).is_ok());
    }

    #[test]
    fn malformed_keys_are_refused_without_echo() {
        let too_long = format!("{}.{}", "p".repeat(8), "s".repeat(MAX_LEN - 8));
        for bad in [
            "",
            "   ",
            "nodotSECRETvalue",
            ".SECRETvalue",
            "REM0aW39.",
            "REM0aW39-NfO0123456789CNeHpF29wo012345678",
            "REM0aW39.NfO0123 SECRETvalue",
            "REM0aW39.NfO0123\tSECRETvalue",
            "REM0aW39.NfO0123\u{7f}SECRETvalue",
            "REM0aW39.NfO0123\0SECRETvalue",
            "REM0aW3é.NfO0123456789CNeHpF29wo012345",
            "REM0aW39.SECRETvalueé",
            &too_long,
        ] {
            let err = ApiKey::parse(bad).unwrap_err();
            assert_eq!(err.code(), "invalid_api_key", "{bad:?}");
            assert!(!err.to_string().contains("SECRETvalue"), "{err}");
            assert!(!format!("{err:?}").contains("SECRETvalue"), "{err:?}");
            assert!(!err.to_string().contains("NfO0"), "{err}");
        }
    }
}
