//! Sealing: encrypting credentials to a workspace certificate (core, both targets).
//!
//! An envelope is sealed in steps that are the same wherever it is sealed ([`Sealing`]):
//! the checks and the payload, the protected header around the ephemeral public key,
//! the content key from the shared secret, and the compact form. Only the two
//! cryptographic primitives differ by platform: the ephemeral ECDH key agreement and
//! AES-256-GCM, done by ring natively ([`seal`]) and by WebCrypto in the browser build
//! (`src/wasm/subtle.rs`).

use ring::agreement;
use zeroize::Zeroizing;

use super::certificate::WorkspaceCertificate;
use super::jwe;
use super::jwk::{b64, PublicKey};
use super::payload::{Credentials, PayloadOut, SessionBinding};
use super::{DEFAULT_TTL_SECS, MAX_TTL_SECS};
use crate::{Error, ErrorKind, Result};

/// Seals `credentials` for the workspace of `certificate`, bound to one connect
/// session, valid for [`DEFAULT_TTL_SECS`] from `now` (unix seconds).
///
/// The result is a compact JWE (`alg` `ECDH-ES`, `enc` `A256GCM`) that only the holder
/// of the workspace's private key can open; see `docs/envelope.md`.
///
/// ```
/// use munity::envelope::{seal, Credentials, SessionBinding, WorkspaceCertificate};
///
/// let jwk = r#"{"kty":"OKP","crv":"X25519","x":"3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08"}"#;
/// let now = 1_700_000_000;
/// let certificate = WorkspaceCertificate::parse(jwk, now)?;
/// let binding = SessionBinding::new("cus_42", "jira", "q5D8kFhRv0bVKh3nyg3bJw");
/// let credentials = Credentials::new().with("api_key", "s3cr3t");
/// let jwe = seal(&certificate, &binding, &credentials, now)?;
/// assert_eq!(jwe.split('.').count(), 5);
/// # Ok::<(), munity::Error>(())
/// ```
///
/// # Errors
/// `certificate_expired`/`certificate_not_yet_valid` when the certificate is not valid
/// at `now`; `envelope_binding_invalid` for an empty customer, connector or nonce;
/// `credentials_invalid` for no credential fields.
pub fn seal(
    certificate: &WorkspaceCertificate,
    binding: &SessionBinding,
    credentials: &Credentials,
    now: i64,
) -> Result<String> {
    seal_with_ttl(certificate, binding, credentials, now, DEFAULT_TTL_SECS)
}

/// [`seal`] with another lifetime: `ttl_secs` from 1 to [`MAX_TTL_SECS`].
pub fn seal_with_ttl(
    certificate: &WorkspaceCertificate,
    binding: &SessionBinding,
    credentials: &Credentials,
    now: i64,
    ttl_secs: i64,
) -> Result<String> {
    let sealing = Sealing::new(certificate, binding, credentials, now, ttl_secs)?;
    let recipient = sealing.recipient();
    let ephemeral = recipient.new_ephemeral()?;
    let epk = ephemeral
        .compute_public_key()
        .map_err(|_| Error::from_kind(ErrorKind::Crypto, "cannot compute the ephemeral key"))?;
    let header_b64 = sealing.protected_header(epk.as_ref())?;
    let peer =
        agreement::UnparsedPublicKey::new(recipient.agreement_algorithm(), recipient.as_bytes());
    agreement::agree_ephemeral(ephemeral, &peer, |z| {
        jwe::encrypt(z, &header_b64, sealing.plaintext)
    })
    .map_err(|_| agreement_failed())?
}

/// The error of a key agreement the workspace key makes fail (the same natively and
/// in the browser).
pub(crate) fn agreement_failed() -> Error {
    Error::new(
        ErrorKind::Crypto,
        "certificate_invalid",
        "key agreement with the workspace key failed",
    )
}

/// An envelope being sealed: the checked inputs and the payload, waiting for the
/// ephemeral key agreement and the encryption.
///
/// The steps, in order: [`Sealing::new`]; an ephemeral key pair on the recipient's
/// curve; [`protected_header`](Sealing::protected_header) with its public key (the
/// AAD); the shared secret `Z` with the recipient key; [`jwe::content_key`] of `Z`;
/// AES-256-GCM of [`plaintext`](Sealing::plaintext) under [`jwe::new_iv`]'s IV and the
/// header; [`jwe::compact`].
pub(crate) struct Sealing<'c> {
    certificate: &'c WorkspaceCertificate,
    /// The payload JSON, wiped on drop.
    pub(crate) plaintext: Zeroizing<Vec<u8>>,
}

impl<'c> Sealing<'c> {
    /// Checks the lifetime, the certificate's validity at `now`, the binding and the
    /// credentials, and writes the payload.
    pub(crate) fn new(
        certificate: &'c WorkspaceCertificate,
        binding: &SessionBinding,
        credentials: &Credentials,
        now: i64,
        ttl_secs: i64,
    ) -> Result<Sealing<'c>> {
        if !(1..=MAX_TTL_SECS).contains(&ttl_secs) {
            return Err(Error::invalid(
                "envelope_ttl_invalid",
                format!("the envelope lifetime must be 1 to {MAX_TTL_SECS} seconds"),
            ));
        }
        certificate.check_validity(now)?;
        binding.validate()?;
        if credentials.is_empty() {
            return Err(Error::invalid(
                "credentials_invalid",
                "there are no credential fields to seal",
            ));
        }
        let payload = PayloadOut {
            binding,
            iat: now,
            exp: now.saturating_add(ttl_secs),
            credentials,
        };
        Ok(Sealing {
            certificate,
            plaintext: payload.to_zeroizing_json(),
        })
    }

    /// The workspace key the envelope is sealed to.
    pub(crate) fn recipient(&self) -> &'c PublicKey {
        self.certificate.public_key()
    }

    /// The base64url protected header (the AAD) for the ephemeral public key `epk` in
    /// raw form: the uncompressed point for P-256, 32 bytes for X25519.
    pub(crate) fn protected_header(&self, epk: &[u8]) -> Result<String> {
        let epk = PublicKey::from_raw(self.recipient().key_type(), epk)?;
        Ok(b64(
            jwe::protected_header(self.certificate.kid(), &epk).as_bytes()
        ))
    }
}
