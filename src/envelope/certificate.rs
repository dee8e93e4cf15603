//! The workspace certificate: the public key an envelope is sealed to.

use std::fmt;

use der::asn1::ObjectIdentifier;
#[cfg(not(all(target_arch = "wasm32", feature = "wasm")))]
use ring::agreement;

use super::json;
use super::jwk::{self, unsupported, KeyType, PublicKey, P256_POINT_LEN};
use super::pem;
use super::public_jwk::PublicJwk;
use super::x509::{self, ID_EC_PUBLIC_KEY, ID_X25519, SECP256R1};
use super::CLOCK_SKEW_SECS;
use crate::redact::printable;
use crate::{Error, ErrorKind, Result};

const INVALID: &str = "certificate_invalid";

/// How many times `marker` occurs in `text` (a byte-window scan: `str::matches` would
/// bring the two-way substring searcher into the browser build for two PEM markers).
fn occurrences(text: &str, marker: &str) -> usize {
    text.as_bytes()
        .windows(marker.len())
        .filter(|window| *window == marker.as_bytes())
        .count()
}

/// `text` without surrounding whitespace, if it is not longer than an envelope may be.
fn checked_len(text: &str) -> Result<&str> {
    let text = text.trim();
    if text.len() > super::MAX_ENVELOPE_LEN {
        return Err(Error::invalid(
            INVALID,
            format!(
                "the certificate is {} bytes; at most {} are accepted",
                text.len(),
                super::MAX_ENVELOPE_LEN
            ),
        ));
    }
    Ok(text)
}

/// Where a [`WorkspaceCertificate`] came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CertificateFormat {
    /// An X.509 certificate in PEM (`-----BEGIN CERTIFICATE-----`).
    X509,
    /// A PEM SubjectPublicKeyInfo (`-----BEGIN PUBLIC KEY-----`).
    SubjectPublicKeyInfo,
    /// A public JWK (JSON object).
    Jwk,
}

/// A workspace's public key, read from its certificate: what [`seal`](super::seal)
/// encrypts to.
///
/// Accepted forms: an X.509 certificate in PEM with an EC P-256 (or X25519) key, a PEM
/// SubjectPublicKeyInfo, or a public JWK (`EC` `P-256` or `OKP` `X25519`). Only an
/// X.509 certificate has a validity period; the bare key forms are valid at all times.
///
/// The certificate's signature is not checked: a workspace certificate is self-signed
/// and is trusted because it was fetched from the platform over TLS.
///
/// The key id ([`kid`](Self::kid)) is the RFC 7638 JWK thumbprint of the public key with
/// SHA-256, base64url without padding, so any JOSE library can recompute it.
///
/// ```
/// use munity::envelope::{KeyType, WorkspaceCertificate};
///
/// let jwk = r#"{"kty":"OKP","crv":"X25519","x":"3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08"}"#;
/// let cert = WorkspaceCertificate::parse(jwk, 1_700_000_000)?;
/// assert_eq!(cert.key_type(), KeyType::X25519);
/// assert_eq!(cert.kid().len(), 43);
/// # Ok::<(), munity::Error>(())
/// ```
#[derive(Clone)]
pub struct WorkspaceCertificate {
    key: PublicKey,
    kid: String,
    not_before: Option<i64>,
    not_after: Option<i64>,
    format: CertificateFormat,
}

impl WorkspaceCertificate {
    /// Parses a certificate, a PEM public key or a public JWK, and checks that it is
    /// valid at `now` (unix seconds), allowing a clock skew of
    /// [`CLOCK_SKEW_SECS`](super::CLOCK_SKEW_SECS).
    ///
    /// # Errors
    /// - `certificate_invalid` ([`ErrorKind::InvalidInput`]): anything malformed;
    /// - `unsupported_key` ([`ErrorKind::Unsupported`]): RSA, Ed25519, another curve;
    /// - `certificate_expired` / `certificate_not_yet_valid` ([`ErrorKind::Expired`]).
    pub fn parse(text: &str, now: i64) -> Result<WorkspaceCertificate> {
        let cert = Self::parse_unchecked(text)?;
        cert.check_validity(now)?;
        Ok(cert)
    }

    /// Reads a public JWK (`EC` `P-256` or `OKP` `X25519`) given as JSON text: the only
    /// form the browser package reads, so that the page needs no PEM or X.509 reader (the
    /// connect session and `GET /v1/workspace/certificate/` give the certificate's key as
    /// `jwk`). A key has no validity period. A PEM text is refused with a message saying
    /// where its JWK is.
    ///
    /// # Errors
    /// `certificate_invalid` for anything but a public JWK; `unsupported_key` for another
    /// key type or curve.
    ///
    /// ```
    /// use munity::envelope::WorkspaceCertificate;
    ///
    /// let jwk = r#"{"kty":"OKP","crv":"X25519","x":"3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08"}"#;
    /// assert_eq!(WorkspaceCertificate::parse_jwk(jwk)?.kid().len(), 43);
    /// let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
    /// assert_eq!(WorkspaceCertificate::parse_jwk(pem).unwrap_err().code(), "certificate_invalid");
    /// # Ok::<(), munity::Error>(())
    /// ```
    pub fn parse_jwk(text: &str) -> Result<WorkspaceCertificate> {
        let text = checked_len(text)?;
        if !text.starts_with('{') {
            return Err(Error::invalid(
                INVALID,
                "expected the workspace key as a public JWK (a JSON object): the `jwk` of the \
                 connect session or of GET /v1/workspace/certificate/, not its PEM certificate",
            ));
        }
        let map = json::parse_object(text.as_bytes()).map_err(|e| {
            Error::invalid(
                INVALID,
                format!("the JWK is not a JSON object: {}", e.describe()),
            )
        })?;
        let key = jwk::parse_public_jwk(&map, "the JWK", INVALID)?;
        Self::from_key(key, None, CertificateFormat::Jwk)
    }

    /// Reads a [`PublicJwk`] (e.g. the `jwk` of a connect session), with the checks of
    /// [`parse_jwk`](Self::parse_jwk).
    pub fn from_public_jwk(jwk: &PublicJwk) -> Result<WorkspaceCertificate> {
        Self::parse_jwk(&jwk.to_json())
    }

    /// [`parse`](Self::parse) without the validity check (the key of a certificate is
    /// the same whether or not it is valid now).
    pub(crate) fn parse_unchecked(text: &str) -> Result<WorkspaceCertificate> {
        let text = checked_len(text)?;
        if text.starts_with('{') {
            return Self::parse_jwk(text);
        }
        if !text.starts_with("-----BEGIN ") {
            return Err(Error::invalid(
                INVALID,
                "expected a PEM certificate (-----BEGIN CERTIFICATE-----), a PEM public key \
                 (-----BEGIN PUBLIC KEY-----) or a public JWK (a JSON object)",
            ));
        }
        let blocks = occurrences(text, "-----BEGIN ");
        if blocks > 1 {
            return Err(Error::invalid(
                INVALID,
                format!("the text holds {blocks} PEM blocks; pass only the workspace certificate"),
            ));
        }
        if occurrences(text, "-----END ") == 0 {
            return Err(Error::invalid(
                INVALID,
                "the PEM text has no END line: it is truncated",
            ));
        }
        let (label, der) = pem::decode(text)
            .map_err(|e| Error::invalid(INVALID, format!("the PEM text is malformed: {e}")))?;
        match label {
            "CERTIFICATE" => {
                let cert = x509::Certificate::from_der(&der).map_err(|_| {
                    Error::invalid(INVALID, "the X.509 certificate is malformed DER")
                })?;
                let validity = x509::unix_time(cert.not_before)
                    .zip(x509::unix_time(cert.not_after))
                    .ok_or_else(|| {
                        Error::invalid(
                            INVALID,
                            "the certificate's validity dates are malformed or before 1970",
                        )
                    })?;
                let key = key_from_spki(&cert.subject_public_key_info)?;
                Self::from_key(key, Some(validity), CertificateFormat::X509)
            }
            "PUBLIC KEY" => {
                let spki = x509::SubjectPublicKeyInfo::from_der(&der)
                    .map_err(|_| Error::invalid(INVALID, "the public key is malformed DER"))?;
                let key = key_from_spki(&spki)?;
                Self::from_key(key, None, CertificateFormat::SubjectPublicKeyInfo)
            }
            "PRIVATE KEY" | "EC PRIVATE KEY" | "ENCRYPTED PRIVATE KEY" => Err(Error::invalid(
                INVALID,
                "this is a private key; pass the workspace certificate or its public key",
            )),
            "RSA PUBLIC KEY" => Err(unsupported(
                "RSA keys are not supported; use EC P-256 or X25519".into(),
            )),
            other => Err(Error::invalid(
                INVALID,
                format!(
                    "a PEM block labelled `{}`; expected CERTIFICATE or PUBLIC KEY",
                    printable(other)
                ),
            )),
        }
    }

    /// A certificate-less key (no validity period), e.g. a private key's public half.
    pub(crate) fn from_key(
        key: PublicKey,
        validity: Option<(i64, i64)>,
        format: CertificateFormat,
    ) -> Result<WorkspaceCertificate> {
        check_point(&key)?;
        Ok(WorkspaceCertificate {
            kid: key.thumbprint(),
            key,
            not_before: validity.map(|v| v.0),
            not_after: validity.map(|v| v.1),
            format,
        })
    }

    /// Checks the validity period against `now` (unix seconds), with a clock skew of
    /// [`CLOCK_SKEW_SECS`](super::CLOCK_SKEW_SECS) either way. Keys without a
    /// certificate are always valid.
    pub fn check_validity(&self, now: i64) -> Result<()> {
        if let Some(not_before) = self.not_before {
            if now.saturating_add(CLOCK_SKEW_SECS) < not_before {
                return Err(Error::new(
                    ErrorKind::Expired,
                    "certificate_not_yet_valid",
                    format!(
                        "the workspace certificate is valid from {}; it is now {}",
                        crate::time::format_rfc3339(not_before),
                        crate::time::format_rfc3339(now)
                    ),
                ));
            }
        }
        if let Some(not_after) = self.not_after {
            if now.saturating_sub(CLOCK_SKEW_SECS) > not_after {
                return Err(Error::new(
                    ErrorKind::Expired,
                    "certificate_expired",
                    format!(
                        "the workspace certificate expired at {}; it is now {}",
                        crate::time::format_rfc3339(not_after),
                        crate::time::format_rfc3339(now)
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The key id: the RFC 7638 SHA-256 JWK thumbprint, base64url without padding.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The key's curve.
    pub fn key_type(&self) -> KeyType {
        self.key.key_type()
    }

    /// What the certificate was parsed from.
    pub fn format(&self) -> CertificateFormat {
        self.format
    }

    /// Start of the validity period (unix seconds); `None` for a bare key.
    pub fn not_before(&self) -> Option<i64> {
        self.not_before
    }

    /// End of the validity period (unix seconds); `None` for a bare key.
    pub fn not_after(&self) -> Option<i64> {
        self.not_after
    }

    /// The public key as a JWK with only its required members, in the order RFC 7638
    /// hashes them, e.g. `{"crv":"X25519","kty":"OKP","x":"..."}`.
    pub fn public_jwk(&self) -> String {
        self.key.canonical_jwk()
    }

    /// The public key as a [`PublicJwk`]: what the connect session and
    /// `GET /v1/workspace/certificate/` give the browser package to seal to.
    pub fn jwk(&self) -> PublicJwk {
        self.key.to_public_jwk()
    }

    pub(crate) fn public_key(&self) -> &PublicKey {
        &self.key
    }
}

impl fmt::Debug for WorkspaceCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkspaceCertificate")
            .field("key_type", &self.key.key_type())
            .field("kid", &self.kid)
            .field("not_before", &self.not_before)
            .field("not_after", &self.not_after)
            .field("format", &self.format)
            .finish()
    }
}

/// Names of the key algorithms and curves people are likely to pass by mistake, for
/// error messages.
const OID_NAMES: &[(ObjectIdentifier, &str)] = &[
    (
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1"),
        "rsaEncryption",
    ),
    (ObjectIdentifier::new_unwrap("1.2.840.10040.4.1"), "id-dsa"),
    (ID_X25519, "id-X25519"),
    (ObjectIdentifier::new_unwrap("1.3.101.111"), "id-X448"),
    (ObjectIdentifier::new_unwrap("1.3.101.112"), "id-Ed25519"),
    (ObjectIdentifier::new_unwrap("1.3.101.113"), "id-Ed448"),
    (ObjectIdentifier::new_unwrap("1.3.132.0.10"), "secp256k1"),
    (ObjectIdentifier::new_unwrap("1.3.132.0.34"), "secp384r1"),
    (ObjectIdentifier::new_unwrap("1.3.132.0.35"), "secp521r1"),
    (
        ObjectIdentifier::new_unwrap("1.3.36.3.3.2.8.1.1.7"),
        "brainpoolP256r1",
    ),
];

/// The recipient key in a SubjectPublicKeyInfo: P-256 or X25519.
fn key_from_spki(spki: &x509::SubjectPublicKeyInfo<'_>) -> Result<PublicKey> {
    let bits = &spki.subject_public_key;
    if bits.unused_bits() != 0 {
        return Err(Error::invalid(
            INVALID,
            "the public key bit string has unused bits",
        ));
    }
    let bits = bits.raw_bytes();
    let oid = spki.algorithm;
    if oid == ID_EC_PUBLIC_KEY {
        let curve = match spki.parameters {
            None => return Err(Error::invalid(INVALID, "the EC public key names no curve")),
            Some(parameters) => ObjectIdentifier::try_from(parameters).map_err(|_| {
                Error::invalid(
                    INVALID,
                    "the EC public key's parameters are not a named curve",
                )
            })?,
        };
        if curve != SECP256R1 {
            return Err(unsupported(format!(
                "the certificate's key is on curve {}; only P-256 (secp256r1) and X25519 are supported",
                oid_name(curve)
            )));
        }
        return match bits.first() {
            Some(0x04) if bits.len() == P256_POINT_LEN => {
                let mut point = [0u8; P256_POINT_LEN];
                point.copy_from_slice(bits);
                Ok(PublicKey::P256(point))
            }
            Some(0x02 | 0x03) if bits.len() == 33 => Err(unsupported(
                "compressed P-256 points are not supported; use the uncompressed form".into(),
            )),
            _ => Err(Error::invalid(
                INVALID,
                format!(
                    "the P-256 public key is {} bytes; expected an uncompressed point of 65",
                    bits.len()
                ),
            )),
        };
    }
    if oid == ID_X25519 {
        let x = <[u8; 32]>::try_from(bits).map_err(|_| {
            Error::invalid(
                INVALID,
                format!("the X25519 public key is {} bytes; expected 32", bits.len()),
            )
        })?;
        return Ok(PublicKey::X25519(x));
    }
    Err(unsupported(format!(
        "the certificate's key is {}; only EC P-256 and X25519 keys are supported",
        oid_name(oid)
    )))
}

/// An OID for a message: `name (dotted)` when it is one of [`OID_NAMES`], else the
/// dotted form.
fn oid_name(oid: ObjectIdentifier) -> String {
    match OID_NAMES.iter().find(|(known, _)| *known == oid) {
        Some((_, name)) => format!("{name} ({oid})"),
        None => oid.to_string(),
    }
}

/// Checks that a P-256 point is on the curve (and an X25519 key is usable) by doing a
/// throwaway key agreement with ring, which validates the peer key. Core code cannot
/// use a curve crate here (it must stay small for the browser build).
#[cfg(not(all(target_arch = "wasm32", feature = "wasm")))]
fn check_point(key: &PublicKey) -> Result<()> {
    let ephemeral = key.new_ephemeral()?;
    let peer = agreement::UnparsedPublicKey::new(key.agreement_algorithm(), key.as_bytes());
    agreement::agree_ephemeral(ephemeral, &peer, |_| ()).map_err(|_| invalid_point(key.key_type()))
}

/// In the browser build the point is checked by WebCrypto when the key is imported for
/// sealing (`src/wasm/subtle.rs`), with the same error: doing it here would keep ring's
/// curve arithmetic in the package for this check alone.
#[cfg(all(target_arch = "wasm32", feature = "wasm"))]
fn check_point(_key: &PublicKey) -> Result<()> {
    Ok(())
}

/// The error for a public key that is not a valid point on its curve.
pub(crate) fn invalid_point(key_type: KeyType) -> Error {
    Error::invalid(
        INVALID,
        format!(
            "the {} public key is not a valid point on its curve",
            key_type.curve_name()
        ),
    )
}
