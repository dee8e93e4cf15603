//! Strict base64 (RFC 4648), the crate's one base64 codec: base64url without padding
//! (JOSE, connect links, nonces, idempotency keys, PKCE) and standard base64 with padding
//! (PEM bodies, Basic credentials, Standard Webhooks secrets and signatures).
//!
//! Strict as the `base64` crate's `URL_SAFE_NO_PAD` and `STANDARD` engines are: the
//! alphabet only, padding exactly where (and only where) the variant requires it, and
//! zero trailing bits, so each byte string has exactly one accepted spelling.
//!
//! Native builds use RustCrypto's `base64ct` ([`constant_time`]: also constant-time, for
//! the secrets a server decodes). The browser build keeps a small hand-written codec
//! ([`compact`]): `base64ct` measured 1.6 KB more of the npm package (gzipped, 70.9 ->
//! 72.5 KB), and the browser decodes no secrets. The tests hold both to the `base64`
//! crate's behaviour, so the two targets accept exactly the same texts.

#[cfg(any(target_arch = "wasm32", test))]
mod compact;
#[cfg(not(target_arch = "wasm32"))]
mod constant_time;

#[cfg(target_arch = "wasm32")]
pub(crate) use compact::{
    decode_standard, decode_url, encode_standard, encode_url, encode_url_with,
};
#[cfg(not(target_arch = "wasm32"))]
pub(crate) use constant_time::{
    decode_standard, decode_url, encode_standard, encode_url, encode_url_with,
};

#[cfg(test)]
mod tests {
    /// The same known-answer and agreement tests for each codec.
    macro_rules! codec_tests {
        ($codec:ident) => {
            mod $codec {
                use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
                use base64::Engine as _;

                use crate::base64_strict::$codec::*;

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
                fn streamed_encoding_is_the_whole_encoding() {
                    let data: Vec<u8> = (0..=255u8).collect();
                    for len in [0, 1, 47, 48, 49, 96, 100, 256] {
                        let mut streamed = String::new();
                        encode_url_with(&data[..len], |c| streamed.push(char::from(c)));
                        assert_eq!(
                            streamed,
                            URL_SAFE_NO_PAD.encode(&data[..len]),
                            "{len} bytes"
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
                    // Every 1..4-character text over a small alphabet with padding and
                    // strays: accepted exactly when the crate accepts it, with the same
                    // bytes.
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
                    let extra = [b"AAAAAA==".to_vec(), b"AAAAA===".to_vec(), vec![0xc3, 0xa9]];
                    for text in texts.iter().chain(extra.iter()) {
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
        };
    }

    codec_tests!(compact);
    codec_tests!(constant_time);
}
