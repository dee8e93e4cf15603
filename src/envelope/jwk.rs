//! Public keys as JWK (RFC 7517/7518/8037): parsing, the canonical form, and the
//! RFC 7638 thumbprint that serves as the key id.

use ring::{agreement, digest};

use super::json::{Object, Value};
use super::public_jwk::PublicJwk;
use crate::base64_strict;
use crate::redact::printable;

use crate::{Error, ErrorKind, Result};

/// Length of an uncompressed SEC1 P-256 point: `0x04 || x || y`.
pub(crate) const P256_POINT_LEN: usize = 65;

/// A recipient public key: the only two kinds an envelope can be sealed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PublicKey {
    /// An uncompressed SEC1 point on NIST P-256.
    P256([u8; P256_POINT_LEN]),
    /// An X25519 public key (RFC 7748).
    X25519([u8; 32]),
}

/// The kind of a workspace key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyType {
    /// ECDH on NIST P-256 (JWK `kty` `EC`, `crv` `P-256`): what the platform issues.
    P256,
    /// ECDH on Curve25519 (JWK `kty` `OKP`, `crv` `X25519`).
    X25519,
}

impl KeyType {
    /// The JWK `crv` name: `P-256` or `X25519`.
    pub fn curve_name(self) -> &'static str {
        match self {
            KeyType::P256 => "P-256",
            KeyType::X25519 => "X25519",
        }
    }
}

impl PublicKey {
    /// A key from ring's raw public key bytes (uncompressed point for P-256).
    pub(crate) fn from_raw(key_type: KeyType, bytes: &[u8]) -> Result<PublicKey> {
        let wrong_size = || Error::from_kind(ErrorKind::Internal, "unexpected public key size");
        Ok(match key_type {
            KeyType::P256 => PublicKey::P256(bytes.try_into().map_err(|_| wrong_size())?),
            KeyType::X25519 => PublicKey::X25519(bytes.try_into().map_err(|_| wrong_size())?),
        })
    }

    pub(crate) fn key_type(&self) -> KeyType {
        match self {
            PublicKey::P256(_) => KeyType::P256,
            PublicKey::X25519(_) => KeyType::X25519,
        }
    }

    /// ring's key agreement algorithm for this curve.
    pub(crate) fn agreement_algorithm(&self) -> &'static agreement::Algorithm {
        match self {
            PublicKey::P256(_) => &agreement::ECDH_P256,
            PublicKey::X25519(_) => &agreement::X25519,
        }
    }

    /// A fresh ephemeral private key on this key's curve (ring, system randomness).
    pub(crate) fn new_ephemeral(&self) -> Result<agreement::EphemeralPrivateKey> {
        let rng = ring::rand::SystemRandom::new();
        agreement::EphemeralPrivateKey::generate(self.agreement_algorithm(), &rng)
            .map_err(|_| Error::from_kind(ErrorKind::Crypto, "the random source failed"))
    }

    /// The raw bytes ring's `UnparsedPublicKey` takes.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        match self {
            PublicKey::P256(point) => point,
            PublicKey::X25519(x) => x,
        }
    }

    /// The JWK with exactly the required members in lexicographic order and no
    /// whitespace: RFC 7638's thumbprint input, also used as the public JWK and `epk`.
    pub(crate) fn canonical_jwk(&self) -> String {
        match self {
            PublicKey::P256(point) => format!(
                r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
                b64(&point[1..33]),
                b64(&point[33..65])
            ),
            PublicKey::X25519(x) => format!(r#"{{"crv":"X25519","kty":"OKP","x":"{}"}}"#, b64(x)),
        }
    }

    /// The key as a [`PublicJwk`] (the members of [`canonical_jwk`](Self::canonical_jwk)).
    pub(crate) fn to_public_jwk(&self) -> PublicJwk {
        match self {
            PublicKey::P256(point) => PublicJwk::new(
                "EC".into(),
                "P-256".into(),
                b64(&point[1..33]),
                Some(b64(&point[33..65])),
            ),
            PublicKey::X25519(x) => PublicJwk::new("OKP".into(), "X25519".into(), b64(x), None),
        }
    }

    /// The RFC 7638 JWK thumbprint with SHA-256, base64url without padding.
    pub(crate) fn thumbprint(&self) -> String {
        b64(digest::digest(&digest::SHA256, self.canonical_jwk().as_bytes()).as_ref())
    }
}

/// base64url without padding (RFC 7515 §2).
pub(crate) fn b64(data: &[u8]) -> String {
    base64_strict::encode_url(data)
}

/// Strict base64url without padding: `None` on any other character, padding, or
/// non-canonical trailing bits.
pub(crate) fn unb64(text: &str) -> Option<Vec<u8>> {
    base64_strict::decode_url(text.as_bytes())
}

/// Reads a public JWK object. `invalid_code` names malformed input (the caller's
/// context: a certificate or an envelope's `epk`); keys of another type or curve are
/// `unsupported_key`; a JWK holding a private part (`d`) is refused.
pub(crate) fn parse_public_jwk(
    jwk: &Object,
    what: &str,
    invalid_code: &'static str,
) -> Result<PublicKey> {
    let invalid = |detail: String| Error::invalid(invalid_code, detail);
    let member = |name: &str| -> Result<Option<&str>> {
        match jwk.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(invalid(format!("{what}: `{name}` is not a string"))),
        }
    };
    let kty = member("kty")?.ok_or_else(|| invalid(format!("{what}: no `kty` member")))?;
    let crv = member("crv")?;
    match (kty, crv) {
        ("EC", Some("P-256")) | ("OKP", Some("X25519")) => {}
        ("EC", Some(other)) | ("OKP", Some(other)) => {
            return Err(unsupported(format!(
                "{what}: curve `{}` is not supported; use P-256 or X25519",
                printable(other)
            )))
        }
        ("EC", None) | ("OKP", None) => {
            return Err(invalid(format!("{what}: no `crv` member")));
        }
        (other, _) => {
            return Err(unsupported(format!(
                "{what}: key type `{}` is not supported; use EC P-256 or OKP X25519",
                printable(other)
            )))
        }
    }
    if jwk.contains_key("d") {
        return Err(invalid(format!(
            "{what}: the JWK holds a private key (`d`); pass the public key only"
        )));
    }
    let coordinate = |name: &str| -> Result<[u8; 32]> {
        let text = member(name)?.ok_or_else(|| invalid(format!("{what}: no `{name}` member")))?;
        let bytes = unb64(text)
            .ok_or_else(|| invalid(format!("{what}: `{name}` is not base64url without padding")))?;
        <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| {
            invalid(format!(
                "{what}: `{name}` is {} bytes, expected 32",
                bytes.len()
            ))
        })
    };
    let x = coordinate("x")?;
    if kty == "OKP" {
        return Ok(PublicKey::X25519(x));
    }
    let y = coordinate("y")?;
    let mut point = [0u8; P256_POINT_LEN];
    point[0] = 0x04;
    point[1..33].copy_from_slice(&x);
    point[33..].copy_from_slice(&y);
    Ok(PublicKey::P256(point))
}

/// The error for a key of a type or curve this crate does not support.
pub(crate) fn unsupported(detail: String) -> Error {
    Error::new(ErrorKind::Unsupported, "unsupported_key", detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<PublicKey> {
        let Ok(map) = super::super::json::parse_object(json.as_bytes()) else {
            panic!("not a JSON object: {json}")
        };
        parse_public_jwk(&map, "the JWK", "certificate_invalid")
    }

    #[test]
    fn rfc7638_thumbprint_recipe_for_x25519() {
        // RFC 8037 A.6 Bob's public key; the canonical form is the thumbprint input.
        let key = parse(
            r#"{"kty":"OKP","crv":"X25519","x":"3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08"}"#,
        )
        .unwrap();
        assert_eq!(
            key.canonical_jwk(),
            r#"{"crv":"X25519","kty":"OKP","x":"3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08"}"#
        );
        assert_eq!(key.thumbprint().len(), 43);
    }

    #[test]
    fn refuses_what_it_cannot_use() {
        let codes = [
            (r#"{"kty":"RSA","n":"AQAB","e":"AQAB"}"#, "unsupported_key"),
            (
                r#"{"kty":"OKP","crv":"Ed25519","x":"AA"}"#,
                "unsupported_key",
            ),
            (
                r#"{"kty":"EC","crv":"P-384","x":"AA","y":"AA"}"#,
                "unsupported_key",
            ),
            (r#"{"kty":"EC","x":"AA","y":"AA"}"#, "certificate_invalid"),
            (r#"{"crv":"X25519","x":"AA"}"#, "certificate_invalid"),
            (
                r#"{"kty":"OKP","crv":"X25519","x":"AA"}"#,
                "certificate_invalid",
            ),
            (
                r#"{"kty":"OKP","crv":"X25519","x":"3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08","d":"x"}"#,
                "certificate_invalid",
            ),
            (
                r#"{"kty":"OKP","crv":"X25519","x":"3p7bfXt9wbTTW2HC7OQ1Nz+DQ8hbeGdNrfx/FG-IK08"}"#,
                "certificate_invalid",
            ),
            (r#"{"kty":1}"#, "certificate_invalid"),
        ];
        for (json, code) in codes {
            let err = parse(json).unwrap_err();
            assert_eq!(err.code(), code, "{json}: {err}");
        }
    }
}
