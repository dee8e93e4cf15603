//! Sealing: encrypting credentials to a workspace certificate (core, both targets).

use ring::agreement;

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
    let plaintext = payload.to_zeroizing_json();

    let recipient = certificate.public_key();
    let ephemeral = recipient.new_ephemeral()?;
    let epk_bytes = ephemeral
        .compute_public_key()
        .map_err(|_| Error::from_kind(ErrorKind::Crypto, "cannot compute the ephemeral key"))?;
    let epk = PublicKey::from_raw(recipient.key_type(), epk_bytes.as_ref())?;
    let header_b64 = b64(jwe::protected_header(certificate.kid(), &epk).as_bytes());
    let peer =
        agreement::UnparsedPublicKey::new(recipient.agreement_algorithm(), recipient.as_bytes());
    agreement::agree_ephemeral(ephemeral, &peer, |z| {
        jwe::encrypt(z, &header_b64, plaintext)
    })
    .map_err(|_| {
        Error::new(
            ErrorKind::Crypto,
            "certificate_invalid",
            "key agreement with the workspace key failed",
        )
    })?
}
