//! Strict base64 (RFC 4648), the crate's one base64 codec: base64url without padding
//! (JOSE, connect links, nonces, idempotency keys, PKCE) and standard base64 with padding
//! (PEM bodies, Basic credentials, Standard Webhooks secrets and signatures).
//!
//! Strict as the `base64` crate's `URL_SAFE_NO_PAD` and `STANDARD` engines are: the
//! alphabet only, padding exactly where (and only where) the variant requires it, and
//! zero trailing bits, so each byte string has exactly one accepted spelling. Written
//! out here because the `base64` crate's generic engine costs the npm package about
//! 2 KB gzipped (the crate stays a dev-dependency: the tests compare against it).

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

#[cfg(test)]
mod tests {
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    use base64::Engine as _;

    use super::*;

    #[test]
    fn rfc4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, url) in cases {
            assert_eq!(encode_url(plain.as_bytes()), url);
            assert_eq!(
                decode_url(url.as_bytes()).as_deref(),
                Some(plain.as_bytes())
            );
            let padded = format!("{url}{}", "=".repeat((4 - url.len() % 4) % 4));
            assert_eq!(
                decode_standard(padded.as_bytes()).as_deref(),
                Some(plain.as_bytes())
            );
        }
    }

    #[test]
    fn agrees_with_the_base64_crate() {
        let data: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
        for len in 0..data.len() {
            let bytes = &data[..len];
            assert_eq!(encode_url(bytes), URL_SAFE_NO_PAD.encode(bytes));
            let std = STANDARD.encode(bytes);
            assert_eq!(encode_standard(bytes), std);
            assert_eq!(decode_standard(std.as_bytes()).as_deref(), Some(bytes));
        }
        // Every 1..4-character text over a small alphabet with padding and strays:
        // accepted exactly when the crate accepts it, with the same bytes.
        let alphabet = b"AQgw/+_-=Z9 ";
        let mut texts = vec![Vec::new()];
        for _ in 0..4 {
            let longer: Vec<Vec<u8>> = texts
                .iter()
                .flat_map(|t: &Vec<u8>| {
                    alphabet.iter().map(move |&c| {
                        let mut t = t.clone();
                        t.push(c);
                        t
                    })
                })
                .collect();
            texts.extend(longer.iter().cloned());
            texts.retain(|t| t.len() <= 4);
            texts.sort();
            texts.dedup();
        }
        for text in texts
            .iter()
            .chain([b"AAAAAA==".to_vec(), b"AAAAA===".to_vec()].iter())
        {
            assert_eq!(
                decode_url(text),
                URL_SAFE_NO_PAD.decode(text).ok(),
                "url {text:?}"
            );
            assert_eq!(
                decode_standard(text),
                STANDARD.decode(text).ok(),
                "standard {text:?}"
            );
        }
    }
}
