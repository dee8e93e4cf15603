//! The compact JWE serialization of an envelope (RFC 7516 §7.1) with `alg` `ECDH-ES`
//! and `enc` `A256GCM`: header construction and checks, content encryption and
//! decryption. One implementation serves `seal` and `open`.

use ring::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use zeroize::Zeroizing;

use super::json::{self, Object, Value};
use super::jwk::{self, b64, unb64, PublicKey};
use super::kdf::concat_kdf;
use super::MAX_ENVELOPE_LEN;
use crate::redact::printable;
use crate::{Error, ErrorKind, Result};

/// The only key management algorithm accepted: ECDH-ES in direct key agreement mode.
pub(crate) const ALG: &str = "ECDH-ES";
/// The only content encryption algorithm accepted.
pub(crate) const ENC: &str = "A256GCM";
const CEK_LEN: usize = 32;
const IV_LEN: usize = 12;
const TAG_LEN: usize = 16;

const MALFORMED: &str = "envelope_malformed";

/// The protected header's JSON: `{"alg":"ECDH-ES","enc":"A256GCM","kid":...,"epk":...}`.
pub(crate) fn protected_header(kid: &str, epk: &PublicKey) -> String {
    let mut header = String::from(r#"{"alg":"ECDH-ES","enc":"A256GCM","kid":"#);
    json::push_string(&mut header, kid);
    header.push_str(r#","epk":"#);
    header.push_str(&epk.canonical_jwk());
    header.push('}');
    header
}

/// The content key of direct key agreement: the Concat KDF of the shared secret `z`
/// for `A256GCM`, without PartyUInfo or PartyVInfo (what sealing writes).
pub(crate) fn content_key(z: &[u8]) -> Zeroizing<Vec<u8>> {
    concat_kdf(z, ENC, b"", b"", CEK_LEN)
}

/// A fresh 96-bit IV from the system's random source.
pub(crate) fn new_iv() -> [u8; IV_LEN] {
    crate::random::bytes::<IV_LEN>()
}

/// The compact serialization of a sealed envelope: `header..iv.ciphertext.tag`, from
/// the AES-256-GCM output `sealed` (ciphertext followed by the 16-byte tag, as both ring
/// and WebCrypto return it).
pub(crate) fn compact(header_b64: &str, iv: &[u8; IV_LEN], sealed: &[u8]) -> Result<String> {
    let split = sealed.len().checked_sub(TAG_LEN).ok_or_else(|| {
        Error::from_kind(
            ErrorKind::Crypto,
            "AES-256-GCM returned no authentication tag",
        )
    })?;
    let (ciphertext, tag) = sealed.split_at(split);
    Ok(format!(
        "{header_b64}..{}.{}.{}",
        b64(iv),
        b64(ciphertext),
        b64(tag)
    ))
}

/// Derives the content key from the shared secret `z` and encrypts `plaintext` with
/// ring (the buffer becomes the ciphertext) under the base64url header as AAD. Returns
/// the compact serialization.
pub(crate) fn encrypt(
    z: &[u8],
    header_b64: &str,
    mut plaintext: Zeroizing<Vec<u8>>,
) -> Result<String> {
    let key = aes_key(&content_key(z))?;
    let iv = new_iv();
    key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(iv),
        Aad::from(header_b64.as_bytes()),
        &mut *plaintext,
    )
    .map_err(|_| Error::from_kind(ErrorKind::Crypto, "AES-256-GCM encryption failed"))?;
    compact(header_b64, &iv, &plaintext)
}

fn aes_key(cek: &[u8]) -> Result<LessSafeKey> {
    UnboundKey::new(&aead::AES_256_GCM, cek)
        .map(LessSafeKey::new)
        .map_err(|_| Error::from_kind(ErrorKind::Crypto, "cannot build the AES-256-GCM key"))
}

/// A compact JWE whose structure and header passed every check that needs no key.
#[cfg_attr(not(feature = "platform"), allow(dead_code))]
pub(crate) struct ParsedEnvelope<'a> {
    header_b64: &'a str,
    pub kid: String,
    pub epk: PublicKey,
    apu: Vec<u8>,
    apv: Vec<u8>,
    iv: [u8; IV_LEN],
    ciphertext: Vec<u8>,
    tag: [u8; TAG_LEN],
}

fn malformed(detail: impl Into<std::borrow::Cow<'static, str>>) -> Error {
    Error::invalid(MALFORMED, detail)
}

fn unsupported_algorithm(detail: String) -> Error {
    Error::new(
        ErrorKind::Unsupported,
        "envelope_algorithm_unsupported",
        detail,
    )
}

/// Splits and decodes a compact JWE and checks its header: size, five parts, strict
/// base64url, `alg` exactly `ECDH-ES`, `enc` exactly `A256GCM`, no `zip`, no `crit`, a
/// `kid`, an `epk` on a supported curve, an empty encrypted key, a 96-bit IV and a
/// 128-bit tag.
#[cfg_attr(not(feature = "platform"), allow(dead_code))]
pub(crate) fn parse(envelope: &str) -> Result<ParsedEnvelope<'_>> {
    if envelope.len() > MAX_ENVELOPE_LEN {
        return Err(Error::invalid(
            "envelope_too_large",
            format!(
                "the envelope is {} bytes; at most {MAX_ENVELOPE_LEN} are accepted",
                envelope.len()
            ),
        ));
    }
    let envelope = envelope.trim();
    let parts: Vec<&str> = envelope.split('.').collect();
    let [header_b64, encrypted_key, iv, ciphertext, tag] = parts.as_slice() else {
        return Err(malformed(format!(
            "a compact JWE has 5 parts separated by '.'; this has {}",
            parts.len()
        )));
    };
    let decode = |part: &str, name: &str| {
        unb64(part).ok_or_else(|| malformed(format!("the {name} is not base64url without padding")))
    };
    let header_json = decode(header_b64, "protected header")?;
    let header = json::parse_object(&header_json)
        .map_err(|_| malformed("the protected header is not a JSON object"))?;
    check_header(&header)?;

    let kid = match header.get("kid") {
        Some(Value::String(kid)) => kid.clone(),
        Some(_) => return Err(malformed("the header's `kid` is not a string")),
        None => return Err(malformed("the header has no `kid`")),
    };
    let epk = match header.get("epk") {
        Some(Value::Object(epk)) => jwk::parse_public_jwk(epk, "the header's `epk`", MALFORMED)?,
        Some(_) => return Err(malformed("the header's `epk` is not a JWK object")),
        None => return Err(malformed("the header has no `epk`")),
    };
    let party_info = |name: &str| -> Result<Vec<u8>> {
        match header.get(name) {
            None => Ok(Vec::new()),
            Some(Value::String(s)) => {
                unb64(s).ok_or_else(|| malformed(format!("the header's `{name}` is not base64url")))
            }
            Some(_) => Err(malformed(format!("the header's `{name}` is not a string"))),
        }
    };
    let apu = party_info("apu")?;
    let apv = party_info("apv")?;

    if !encrypted_key.is_empty() {
        return Err(malformed(
            "the encrypted key part must be empty with ECDH-ES (direct key agreement)",
        ));
    }
    let iv = decode(iv, "initialization vector")?;
    let iv = <[u8; IV_LEN]>::try_from(iv.as_slice()).map_err(|_| {
        malformed(format!(
            "the initialization vector is {} bytes; A256GCM uses 12",
            iv.len()
        ))
    })?;
    let ciphertext = decode(ciphertext, "ciphertext")?;
    let tag = decode(tag, "authentication tag")?;
    let tag = <[u8; TAG_LEN]>::try_from(tag.as_slice()).map_err(|_| {
        malformed(format!(
            "the authentication tag is {} bytes; A256GCM uses 16",
            tag.len()
        ))
    })?;
    Ok(ParsedEnvelope {
        header_b64,
        kid,
        epk,
        apu,
        apv,
        iv,
        ciphertext,
        tag,
    })
}

fn check_header(header: &Object) -> Result<()> {
    match header.get("alg") {
        Some(Value::String(alg)) if alg == ALG => {}
        Some(Value::String(alg)) => {
            return Err(unsupported_algorithm(format!(
                "`alg` `{}` is not accepted; envelopes use `ECDH-ES`",
                printable(alg)
            )))
        }
        Some(_) => return Err(malformed("the header's `alg` is not a string")),
        None => return Err(malformed("the header has no `alg`")),
    }
    match header.get("enc") {
        Some(Value::String(enc)) if enc == ENC => {}
        Some(Value::String(enc)) => {
            return Err(unsupported_algorithm(format!(
                "`enc` `{}` is not accepted; envelopes use `A256GCM`",
                printable(enc)
            )))
        }
        Some(_) => return Err(malformed("the header's `enc` is not a string")),
        None => return Err(malformed("the header has no `enc`")),
    }
    if header.contains_key("zip") {
        return Err(unsupported_algorithm(
            "compressed envelopes (`zip`) are not accepted".into(),
        ));
    }
    if header.contains_key("crit") {
        return Err(unsupported_algorithm(
            "critical header extensions (`crit`) are not supported".into(),
        ));
    }
    Ok(())
}

impl ParsedEnvelope<'_> {
    /// Derives the content key from `z` and decrypts. Any change to the header, IV,
    /// ciphertext or tag (or the wrong key) fails here.
    #[cfg_attr(not(feature = "platform"), allow(dead_code))]
    pub(crate) fn decrypt(self, z: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let cek = concat_kdf(z, ENC, &self.apu, &self.apv, CEK_LEN);
        let key = aes_key(&cek)?;
        let mut in_out = Zeroizing::new(self.ciphertext);
        in_out.extend_from_slice(&self.tag);
        let plaintext_len = key
            .open_in_place(
                Nonce::assume_unique_for_key(self.iv),
                Aad::from(self.header_b64.as_bytes()),
                &mut in_out,
            )
            .map_err(|_| {
                Error::new(
                    ErrorKind::Verification,
                    "envelope_decryption_failed",
                    "the envelope does not decrypt: it was modified, or sealed for another key",
                )
            })?
            .len();
        in_out.truncate(plaintext_len);
        Ok(in_out)
    }
}
