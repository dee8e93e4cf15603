//! The hand-written strict codec, for the browser build: the same behaviour as
//! `base64ct` (the parent module's tests check both against the `base64` crate) in about
//! 1.6 KB less of the npm package (gzipped). Not constant-time: the browser decodes only
//! public values (links, public keys) and encodes ciphertext.

const URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Feeds the base64url (no padding) characters of `data` to `emit`.
pub(crate) fn encode_url_with(data: &[u8], emit: impl FnMut(u8)) {
    encode_with(URL, data, emit);
}

/// Feeds the characters of `data` in `alphabet` to `emit`, without padding.
fn encode_with(alphabet: &[u8; 64], data: &[u8], mut emit: impl FnMut(u8)) {
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        // 2, 3 or 4 characters for 1, 2 or 3 bytes.
        for i in 0..=chunk.len() {
            emit(alphabet[((n >> (18 - 6 * i)) & 63) as usize]);
        }
    }
}

/// base64url without padding.
pub(crate) fn encode_url(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    encode_url_with(data, |c| out.push(char::from(c)));
    out
}

/// Standard base64 with padding.
pub(crate) fn encode_standard(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    encode_with(STANDARD, data, |c| out.push(char::from(c)));
    while out.len() % 4 != 0 {
        out.push('=');
    }
    out
}

/// Decodes base64url without padding; `None` on any other character (padding
/// included), an impossible length or non-zero trailing bits.
pub(crate) fn decode_url(text: &[u8]) -> Option<Vec<u8>> {
    decode(text, |c| match c {
        b'-' => Some(62),
        b'_' => Some(63),
        _ => common_value(c),
    })
}

/// Decodes standard base64 with its padding (`=` up to a multiple of 4 characters);
/// `None` on any other character, missing or misplaced padding, or non-zero trailing
/// bits.
pub(crate) fn decode_standard(text: &[u8]) -> Option<Vec<u8>> {
    if text.len() % 4 != 0 {
        return None;
    }
    let body = text.strip_suffix(b"=").unwrap_or(text);
    let body = body.strip_suffix(b"=").unwrap_or(body);
    // Padding only completes a group: 2 `=` after 2 characters, 1 after 3.
    if text.len() - body.len() != (4 - body.len() % 4) % 4 {
        return None;
    }
    decode(body, |c| match c {
        b'+' => Some(62),
        b'/' => Some(63),
        _ => common_value(c),
    })
}

/// The value of a letter or digit (the 62 characters both alphabets share).
fn common_value(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        _ => None,
    }
}

/// Decodes unpadded characters with the alphabet `value`.
fn decode(text: &[u8], value: impl Fn(u8) -> Option<u8>) -> Option<Vec<u8>> {
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 2);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for &c in text {
        acc = (acc << 6) | u32::from(value(c)?);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // The bits left over (2 or 4) must be zero.
    (acc == 0).then_some(out)
}
