//! The workspace private key (feature `platform`): generation, PKCS#8 PEM, JWK, and the
//! static side of the key agreement.

use std::fmt;

use p256::elliptic_curve::sec1::ToEncodedPoint as _;
use p256::pkcs8::der::asn1::OctetStringRef;
use p256::pkcs8::der::{self, Decode as _, Encode as _};
use p256::pkcs8::spki;
use p256::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _, EncodePublicKey as _};
use zeroize::{Zeroize as _, Zeroizing};

use super::certificate::{CertificateFormat, WorkspaceCertificate};
use super::jwk::{self, b64, unb64, KeyType, PublicKey};
use crate::{Error, ErrorKind, Result, Secret};

const INVALID: &str = "private_key_invalid";

/// A workspace's private key: opens the envelopes sealed to its certificate.
///
/// P-256 is what the platform issues certificates for; X25519 keys are supported for
/// bare-key (JWK or SubjectPublicKeyInfo) deployments. `Debug` never shows the key.
///
/// ```
/// use munity::envelope::{KeyType, WorkspacePrivateKey};
///
/// let key = WorkspacePrivateKey::generate_p256();
/// let pem = key.to_pkcs8_pem()?;
/// let again = WorkspacePrivateKey::from_pem(pem.expose())?;
/// assert_eq!(again.kid(), key.kid());
/// assert_eq!(again.key_type(), KeyType::P256);
/// assert!(format!("{key:?}").contains("[redacted]"));
/// # Ok::<(), munity::Error>(())
/// ```
pub struct WorkspacePrivateKey {
    secret: SecretKey,
    public: WorkspaceCertificate,
}

enum SecretKey {
    P256(p256::SecretKey),
    X25519(x25519_dalek::StaticSecret),
}

impl WorkspacePrivateKey {
    /// A new random P-256 key.
    pub fn generate_p256() -> WorkspacePrivateKey {
        loop {
            let mut bytes = Zeroizing::new(crate::random::bytes::<32>());
            // Fails only for zero or a value >= the group order: probability ~2^-32.
            if let Ok(secret) = p256::SecretKey::from_slice(&bytes[..]) {
                bytes.zeroize();
                if let Ok(key) = Self::from_secret(SecretKey::P256(secret)) {
                    return key;
                }
            }
        }
    }

    /// A new random X25519 key.
    pub fn generate_x25519() -> WorkspacePrivateKey {
        loop {
            let bytes = crate::random::bytes::<32>();
            // Every clamped scalar is a valid key; the loop only satisfies the types.
            if let Ok(key) =
                Self::from_secret(SecretKey::X25519(x25519_dalek::StaticSecret::from(bytes)))
            {
                return key;
            }
        }
    }

    fn from_secret(secret: SecretKey) -> Result<WorkspacePrivateKey> {
        let public = match &secret {
            SecretKey::P256(sk) => {
                let point = sk.public_key().to_encoded_point(false);
                PublicKey::from_raw(KeyType::P256, point.as_bytes())?
            }
            SecretKey::X25519(sk) => {
                PublicKey::X25519(x25519_dalek::PublicKey::from(sk).to_bytes())
            }
        };
        let public = WorkspaceCertificate::from_key(public, None, CertificateFormat::Jwk)?;
        Ok(WorkspacePrivateKey { secret, public })
    }

    /// Reads a private key in PEM: PKCS#8 (`-----BEGIN PRIVATE KEY-----`, P-256 or
    /// X25519) or SEC1 (`-----BEGIN EC PRIVATE KEY-----`, P-256).
    ///
    /// # Errors
    /// `private_key_invalid` for malformed input, `unsupported_key` for other key types.
    pub fn from_pem(pem: &str) -> Result<WorkspacePrivateKey> {
        let (label, der) = pem_rfc7468::decode_vec(pem.trim().as_bytes())
            .map_err(|e| Error::invalid(INVALID, format!("the PEM text is malformed: {e}")))?;
        let der = Zeroizing::new(der);
        match label {
            "PRIVATE KEY" => Self::from_pkcs8_der(&der),
            "EC PRIVATE KEY" => {
                let sk = p256::SecretKey::from_sec1_der(&der).map_err(|_| {
                    Error::invalid(INVALID, "the SEC1 key is malformed or not on P-256")
                })?;
                Self::from_secret(SecretKey::P256(sk))
            }
            "ENCRYPTED PRIVATE KEY" => Err(Error::invalid(
                INVALID,
                "encrypted private keys are not supported; decrypt it first",
            )),
            other => Err(Error::invalid(
                INVALID,
                format!(
                    "a PEM block labelled `{}`; expected PRIVATE KEY",
                    crate::redact::printable(other)
                ),
            )),
        }
    }

    /// Reads a PKCS#8 DER private key (P-256 or X25519).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<WorkspacePrivateKey> {
        let info = p256::pkcs8::PrivateKeyInfo::from_der(der)
            .map_err(|e| Error::invalid(INVALID, format!("the PKCS#8 key is malformed: {e}")))?;
        let oid = info.algorithm.oid;
        if oid == super::x509::ID_EC_PUBLIC_KEY {
            let curve = info.algorithm.parameters_oid().ok();
            if curve != Some(super::x509::SECP256R1) {
                return Err(jwk::unsupported(
                    "the EC private key is not on P-256".into(),
                ));
            }
            let sk = p256::SecretKey::from_pkcs8_der(der)
                .map_err(|_| Error::invalid(INVALID, "the P-256 private key is malformed"))?;
            return Self::from_secret(SecretKey::P256(sk));
        }
        if oid == super::x509::ID_X25519 {
            let inner = OctetStringRef::from_der(info.private_key)
                .map_err(|_| Error::invalid(INVALID, "the X25519 private key is malformed"))?;
            let mut bytes = <[u8; 32]>::try_from(inner.as_bytes())
                .map_err(|_| Error::invalid(INVALID, "the X25519 private key is not 32 bytes"))?;
            let sk = x25519_dalek::StaticSecret::from(bytes);
            bytes.zeroize();
            return Self::from_secret(SecretKey::X25519(sk));
        }
        Err(jwk::unsupported(format!(
            "private keys of type {oid} are not supported; use P-256 or X25519"
        )))
    }

    /// Reads a private JWK (`EC` `P-256` or `OKP` `X25519` with `d`). The public members
    /// must match `d`.
    pub fn from_jwk(json: &str) -> Result<WorkspacePrivateKey> {
        let mut map = super::json::parse_object(json.as_bytes())
            .map_err(|_| Error::invalid(INVALID, "the JWK is not a JSON object"))?;
        let d = match map.remove("d") {
            Some(super::json::Value::String(d)) => Zeroizing::new(d),
            _ => return Err(Error::invalid(INVALID, "the JWK has no private member `d`")),
        };
        let public = jwk::parse_public_jwk(&map, "the JWK", INVALID)?;
        let d = Zeroizing::new(
            unb64(&d).ok_or_else(|| Error::invalid(INVALID, "`d` is not base64url"))?,
        );
        let secret = match public {
            PublicKey::P256(_) => SecretKey::P256(
                p256::SecretKey::from_slice(&d)
                    .map_err(|_| Error::invalid(INVALID, "`d` is not a P-256 private key"))?,
            ),
            PublicKey::X25519(_) => {
                let mut bytes = <[u8; 32]>::try_from(d.as_slice())
                    .map_err(|_| Error::invalid(INVALID, "`d` is not 32 bytes"))?;
                let sk = x25519_dalek::StaticSecret::from(bytes);
                bytes.zeroize();
                SecretKey::X25519(sk)
            }
        };
        let key = Self::from_secret(secret)?;
        if key.public.public_key() != &public {
            return Err(Error::invalid(
                INVALID,
                "the JWK's public members do not belong to its `d`",
            ));
        }
        Ok(key)
    }

    /// The key as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    pub fn to_pkcs8_pem(&self) -> Result<Secret<String>> {
        match &self.secret {
            SecretKey::P256(sk) => {
                let pem = sk
                    .to_pkcs8_pem(pem_rfc7468::LineEnding::LF)
                    .map_err(encode_failed)?;
                Ok(Secret::new(pem.as_str().to_owned()))
            }
            SecretKey::X25519(sk) => {
                // RFC 8410: the private key is an OCTET STRING holding the 32 bytes.
                let mut inner = Zeroizing::new(vec![0x04, 0x20]);
                inner.extend_from_slice(sk.as_bytes());
                let info = p256::pkcs8::PrivateKeyInfo::new(
                    spki::AlgorithmIdentifierRef {
                        oid: super::x509::ID_X25519,
                        parameters: None,
                    },
                    &inner,
                );
                let der = Zeroizing::new(info.to_der().map_err(encode_failed)?);
                let pem =
                    pem_rfc7468::encode_string("PRIVATE KEY", pem_rfc7468::LineEnding::LF, &der)
                        .map_err(encode_failed)?;
                Ok(Secret::new(pem))
            }
        }
    }

    /// The key as a private JWK (with `d`), e.g. for another JOSE library.
    pub fn to_private_jwk(&self) -> Secret<String> {
        let public = self.public.public_jwk();
        let d = Zeroizing::new(match &self.secret {
            SecretKey::P256(sk) => b64(&sk.to_bytes()),
            SecretKey::X25519(sk) => b64(sk.as_bytes()),
        });
        // The canonical public JWK starts with `{"crv":...`; insert `d` after `{`.
        let rest = public.strip_prefix('{').unwrap_or(&public);
        Secret::new(format!(r#"{{"d":"{}",{rest}"#, d.as_str()))
    }

    /// The public half as a PEM SubjectPublicKeyInfo (`-----BEGIN PUBLIC KEY-----`), a
    /// certificate-less form [`WorkspaceCertificate::parse`] accepts.
    pub fn public_key_pem(&self) -> Result<String> {
        match &self.secret {
            SecretKey::P256(sk) => sk
                .public_key()
                .to_public_key_pem(pem_rfc7468::LineEnding::LF)
                .map_err(encode_failed),
            SecretKey::X25519(sk) => {
                let public = x25519_dalek::PublicKey::from(sk).to_bytes();
                let spki = spki::SubjectPublicKeyInfoRef {
                    algorithm: spki::AlgorithmIdentifierRef {
                        oid: super::x509::ID_X25519,
                        parameters: None,
                    },
                    subject_public_key: der::asn1::BitStringRef::from_bytes(&public)
                        .map_err(encode_failed)?,
                };
                let der = spki.to_der().map_err(encode_failed)?;
                pem_rfc7468::encode_string("PUBLIC KEY", pem_rfc7468::LineEnding::LF, &der)
                    .map_err(encode_failed)
            }
        }
    }

    /// The public half as a public JWK (only the required members).
    pub fn public_jwk(&self) -> String {
        self.public.public_jwk()
    }

    /// The public half as a certificate without validity period, to seal to.
    pub fn public_certificate(&self) -> WorkspaceCertificate {
        self.public.clone()
    }

    /// The key id: the RFC 7638 thumbprint of the public key.
    pub fn kid(&self) -> &str {
        self.public.kid()
    }

    /// The key's curve.
    pub fn key_type(&self) -> KeyType {
        self.public.key_type()
    }

    /// ECDH with a peer's public key: the shared secret `Z`. Refuses points off the
    /// curve and X25519 results that are all zero (low-order points).
    pub(crate) fn agree(&self, peer: &PublicKey) -> Result<Zeroizing<[u8; 32]>> {
        let bad_point = |curve: &str| {
            Error::invalid(
                "envelope_malformed",
                format!("the header's `epk` is not a usable {curve} public key"),
            )
        };
        let mut z = Zeroizing::new([0u8; 32]);
        match (&self.secret, peer) {
            (SecretKey::P256(sk), PublicKey::P256(point)) => {
                let pk = p256::PublicKey::from_sec1_bytes(point).map_err(|_| bad_point("P-256"))?;
                let shared = p256::ecdh::diffie_hellman(sk.to_nonzero_scalar(), pk.as_affine());
                z.copy_from_slice(shared.raw_secret_bytes());
            }
            (SecretKey::X25519(sk), PublicKey::X25519(x)) => {
                let shared = sk.diffie_hellman(&x25519_dalek::PublicKey::from(*x));
                if !shared.was_contributory() {
                    return Err(bad_point("X25519"));
                }
                z.copy_from_slice(shared.as_bytes());
            }
            _ => {
                return Err(Error::new(
                    ErrorKind::Verification,
                    "envelope_wrong_key",
                    format!(
                        "the envelope's ephemeral key is on {}; this workspace key is {}",
                        peer.key_type().curve_name(),
                        self.key_type().curve_name()
                    ),
                ))
            }
        }
        Ok(z)
    }

    /// Issues a self-signed X.509 certificate (P-256 only; ECDSA with SHA-256) for this
    /// key, valid from five minutes before `now` for one year, with the common name
    /// `common_name`. What the sandbox serves at `GET /v1/workspace/certificate/`.
    ///
    /// # Errors
    /// `unsupported_key` for an X25519 key (it cannot sign).
    #[cfg(feature = "sandbox")]
    #[cfg_attr(docsrs, doc(cfg(feature = "sandbox")))]
    pub fn self_signed_certificate(&self, common_name: &str, now: i64) -> Result<String> {
        const YEAR: u64 = 365 * 24 * 3600;
        if !matches!(self.secret, SecretKey::P256(_)) {
            return Err(jwk::unsupported(
                "only P-256 keys can sign their own certificate; X25519 cannot sign".into(),
            ));
        }
        let failed = |e: rcgen::Error| {
            Error::from_kind(
                ErrorKind::Internal,
                format!("cannot issue the certificate: {e}"),
            )
        };
        let pem = self.to_pkcs8_pem()?;
        let key_pair = rcgen::KeyPair::from_pem(pem.expose()).map_err(failed)?;
        let mut params = rcgen::CertificateParams::default();
        params.distinguished_name = rcgen::DistinguishedName::new();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, common_name);
        let start = u64::try_from(now.saturating_sub(300)).unwrap_or(0);
        let epoch = rcgen::date_time_ymd(1970, 1, 1);
        params.not_before = epoch + std::time::Duration::from_secs(start);
        params.not_after = epoch + std::time::Duration::from_secs(start.saturating_add(YEAR));
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyAgreement,
            rcgen::KeyUsagePurpose::DigitalSignature,
        ];
        let cert = params.self_signed(&key_pair).map_err(failed)?;
        Ok(cert.pem())
    }
}

/// The error for a key that cannot be encoded (does not happen with valid keys).
fn encode_failed<E>(_: E) -> Error {
    Error::from_kind(ErrorKind::Internal, "cannot encode the key")
}

impl fmt::Debug for WorkspacePrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkspacePrivateKey")
            .field("key_type", &self.key_type())
            .field("kid", &self.kid())
            .field("secret", &format_args!("[redacted]"))
            .finish()
    }
}
