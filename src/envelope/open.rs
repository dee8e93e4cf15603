//! Opening envelopes (feature `platform`).

use super::jwe;
use super::payload::{Credentials, Payload, PayloadOut, SessionBinding};
use super::private_key::WorkspacePrivateKey;
use crate::{Error, ErrorKind, Result, Secret};

/// What an opened envelope holds.
#[derive(Debug)]
#[non_exhaustive]
pub struct OpenedEnvelope {
    /// The connect session the credentials were sealed for.
    pub binding: SessionBinding,
    /// The credential fields.
    pub credentials: Credentials,
    /// When it was sealed (`iat`, unix seconds).
    pub issued_at: i64,
    /// When it expires (`exp`, unix seconds).
    pub expires_at: i64,
}

impl OpenedEnvelope {
    /// The payload as JSON (`docs/envelope.md` § Payload), credentials included: keep it
    /// out of logs.
    pub fn to_payload_json(&self) -> Result<Secret<String>> {
        let payload = PayloadOut {
            binding: &self.binding,
            iat: self.issued_at,
            exp: self.expires_at,
            credentials: &self.credentials,
        };
        let json = payload.to_zeroizing_json();
        let text = std::str::from_utf8(&json)
            .map_err(|_| Error::from_kind(ErrorKind::Internal, "the payload JSON is not UTF-8"))?;
        Ok(Secret::new(text.to_owned()))
    }
}

impl WorkspacePrivateKey {
    /// Opens an envelope sealed to this key and checks that it belongs to the connect
    /// session `expected` (the link it was submitted with), at `now` (unix seconds).
    ///
    /// Refuses, each with its own code: inputs over 64 KiB (`envelope_too_large`),
    /// anything malformed (`envelope_malformed`), an `alg` other than `ECDH-ES` or an
    /// `enc` other than `A256GCM` (`envelope_algorithm_unsupported`), another key's
    /// `kid` (`envelope_wrong_key`), any modified part (`envelope_decryption_failed`),
    /// a bad payload (`envelope_payload_invalid`), an expired one (`envelope_expired`),
    /// and another session's binding (`envelope_binding_mismatch`).
    pub fn open(
        &self,
        envelope: &str,
        expected: &SessionBinding,
        now: i64,
    ) -> Result<OpenedEnvelope> {
        let opened = self.open_without_binding_check(envelope, now)?;
        if !opened.binding.matches(expected) {
            return Err(Error::new(
                ErrorKind::Verification,
                "envelope_binding_mismatch",
                "the envelope was sealed for another connect session (customer, connector, \
                 workspace or nonce differ from the link)",
            ));
        }
        Ok(opened)
    }

    /// Opens an envelope with every check of [`open`](Self::open) except the session
    /// binding, which the caller must then compare itself. For tools that show what an
    /// envelope holds (`munity open`); a server accepting credentials uses `open`.
    pub fn open_without_binding_check(&self, envelope: &str, now: i64) -> Result<OpenedEnvelope> {
        let parsed = jwe::parse(envelope)?;
        if parsed.kid != self.kid() {
            return Err(Error::new(
                ErrorKind::Verification,
                "envelope_wrong_key",
                format!(
                    "the envelope was sealed for key `{}`; this key is `{}`",
                    crate::redact::printable(&parsed.kid),
                    self.kid()
                ),
            ));
        }
        let z = self.agree(&parsed.epk)?;
        let plaintext = parsed.decrypt(&z[..])?;
        let payload = Payload::from_json(&plaintext, now)?;
        Ok(OpenedEnvelope {
            binding: payload.binding(),
            issued_at: payload.iat,
            expires_at: payload.exp,
            credentials: payload.credentials,
        })
    }
}
