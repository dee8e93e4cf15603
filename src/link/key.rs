//! The link key: the HMAC key that signs and verifies connect links, derived from an
//! API key so that a server can keep the derived key instead of the API key.

use std::fmt;

use ring::hmac;

use crate::ApiKey;

/// The label mixed into the link key derivation (version 1).
const LINK_KEY_LABEL: &[u8] = b"munity/connect-link/v1/key";

/// The key that signs and verifies connect links, derived from an API key:
/// `link_key = HMAC-SHA256(key = the whole API key as ASCII, message = "munity/connect-link/v1/key")`.
///
/// A server keeps this derived key (not the API key) to verify links.
#[derive(Clone)]
pub struct LinkKey([u8; 32]);

impl LinkKey {
    /// Derives the link key of an API key.
    pub fn derive(api_key: &ApiKey) -> LinkKey {
        let key = hmac::Key::new(hmac::HMAC_SHA256, api_key.expose().as_bytes());
        let tag = hmac::sign(&key, LINK_KEY_LABEL);
        let mut out = [0u8; 32];
        out.copy_from_slice(tag.as_ref());
        LinkKey(out)
    }

    /// A link key from its 32 stored bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> LinkKey {
        LinkKey(bytes)
    }

    /// The 32 bytes, for storage.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The ring HMAC key for signing and verifying.
    pub(crate) fn hmac_key(&self) -> hmac::Key {
        hmac::Key::new(hmac::HMAC_SHA256, &self.0)
    }
}

impl Drop for LinkKey {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

impl fmt::Debug for LinkKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LinkKey([redacted])")
    }
}
