//! The codec of native builds: RustCrypto's `base64ct` (strict and constant-time; the
//! same crate `der` and `pem-rfc7468` decode with).

use base64ct::{Base64, Base64UrlUnpadded, Encoding as _};

/// Feeds the base64url (no padding) characters of `data` to `emit`, without
/// allocating.
pub(crate) fn encode_url_with(data: &[u8], mut emit: impl FnMut(u8)) {
    // 48 bytes (a multiple of 3) are exactly 64 characters: each chunk but the last
    // ends on a group boundary, so the chunks' encodings join into the whole one.
    let mut buf = [0u8; 64];
    for chunk in data.chunks(48) {
        // `buf` holds the 64 characters of a full chunk: encoding cannot fail.
        let text = Base64UrlUnpadded::encode(chunk, &mut buf).unwrap_or_default();
        text.bytes().for_each(&mut emit);
    }
}

/// base64url without padding.
pub(crate) fn encode_url(data: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(data)
}

/// Standard base64 with padding.
pub(crate) fn encode_standard(data: &[u8]) -> String {
    Base64::encode_string(data)
}

/// Decodes base64url without padding.
pub(crate) fn decode_url(text: &[u8]) -> Option<Vec<u8>> {
    Base64UrlUnpadded::decode_vec(std::str::from_utf8(text).ok()?).ok()
}

/// Decodes standard base64 with its padding.
pub(crate) fn decode_standard(text: &[u8]) -> Option<Vec<u8>> {
    Base64::decode_vec(std::str::from_utf8(text).ok()?).ok()
}
