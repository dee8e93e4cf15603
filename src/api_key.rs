//! API keys: `<prefix>.<secret>`, a prefix of 8 and a secret of 32 characters from
//! `[A-Za-z0-9]`. The prefix is the public key id; the whole key is a secret.
//!
//! ```
//! use munity::ApiKey;
//!
//! let key = ApiKey::parse("REM0aW39.NfO0123456789CNeHpF29wo012345678").unwrap();
//! assert_eq!(key.prefix(), "REM0aW39");
//! assert_eq!(format!("{key:?}"), "ApiKey(REM0aW39.[redacted])");
//! assert!(ApiKey::parse("not a key").is_err());
//! ```

use std::fmt;

use crate::error::{Error, Result};
use crate::Secret;

/// Length of the public prefix.
pub const PREFIX_LEN: usize = 8;
/// Length of the secret part.
pub const SECRET_LEN: usize = 32;

/// A Munity API key. Debug shows only the public prefix.
#[derive(Clone)]
pub struct ApiKey {
    key: Secret<String>,
}

impl ApiKey {
    /// Checks the format and wraps the key. The error never repeats the key.
    pub fn parse(key: &str) -> Result<ApiKey> {
        let key = key.trim();
        let well_formed = key.len() == PREFIX_LEN + 1 + SECRET_LEN
            && key.as_bytes()[PREFIX_LEN] == b'.'
            && key
                .bytes()
                .enumerate()
                .all(|(i, c)| i == PREFIX_LEN || c.is_ascii_alphanumeric());
        if !well_formed {
            return Err(Error::new(
                crate::ErrorKind::Config,
                "invalid_api_key",
                "an API key is <prefix>.<secret>: 8 and 32 characters from [A-Za-z0-9]",
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
        &self.key.expose()[..PREFIX_LEN]
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

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKey({}.[redacted])", self.prefix())
    }
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
    }

    #[test]
    fn malformed_keys_are_refused_without_echo() {
        for bad in [
            "",
            "short.key",
            "REM0aW39-NfO0123456789CNeHpF29wo012345678",
            "REM0aW3é.NfO0123456789CNeHpF29wo012345",
        ] {
            let err = ApiKey::parse(bad).unwrap_err();
            assert_eq!(err.code(), "invalid_api_key");
        }
        let err = ApiKey::parse("REM0aW39.NfO0123456789CNeHpF29wo012345!").unwrap_err();
        assert!(!err.to_string().contains("NfO0"));
    }
}
