//! Workspace certificates and credential envelopes (v1).
//!
//! The end user's credentials for a connector are encrypted in the browser, before
//! they leave the page, to the workspace's public key, and only the platform (which
//! holds the private key) can read them.
//!
//! - [`WorkspaceCertificate::parse`] reads the workspace certificate: X.509 PEM with an
//!   EC P-256 key, a PEM SubjectPublicKeyInfo, or a public JWK (EC P-256 / OKP X25519),
//!   and checks its validity period. Key id: the RFC 7638 JWK thumbprint (SHA-256).
//! - [`seal`] encrypts [`Credentials`] bound to a [`SessionBinding`] (customer,
//!   connector, the connect link's nonce) into a compact JWE: `alg` `ECDH-ES`, `enc`
//!   `A256GCM`, `kid`, an ephemeral `epk`, the Concat KDF of RFC 7518 §4.6, the
//!   protected header as AAD. Any JOSE library can open it (`docs/envelope.md`).
//! - With feature `platform`: `WorkspacePrivateKey` generates, imports and exports
//!   workspace keys and opens envelopes, refusing expired, tampered, misaddressed or
//!   misbound ones.
//!
//! Sealing and parsing do no I/O and take the time as a parameter, so they run in the
//! browser build as well; randomness comes from ring.
//!
//! ```
//! # #[cfg(feature = "platform")] {
//! use munity::envelope::{seal, Credentials, SessionBinding, WorkspacePrivateKey};
//!
//! let now = 1_700_000_000;
//! // The platform's side: a key and its public form, handed to the browser.
//! let key = WorkspacePrivateKey::generate_p256();
//! let certificate = key.public_certificate();
//!
//! // The browser's side.
//! let binding = SessionBinding::new("cus_42", "jira", "q5D8kFhRv0bVKh3nyg3bJw");
//! let credentials = Credentials::new()
//!     .with("username", "ada@example.com")
//!     .with("password", "hunter2");
//! let jwe = seal(&certificate, &binding, &credentials, now)?;
//!
//! // The platform opens it, checking the binding of the link it came with.
//! let opened = key.open(&jwe, &binding, now + 10)?;
//! assert_eq!(opened.credentials.get("password").unwrap().expose(), "hunter2");
//! # }
//! # Ok::<(), munity::Error>(())
//! ```

mod certificate;
mod json;
mod jwe;
mod jwk;
mod kdf;
mod payload;
mod pem;
mod public_jwk;
mod seal;
mod x509;

#[cfg(feature = "platform")]
mod open;
#[cfg(feature = "platform")]
mod private_key;

pub use certificate::{CertificateFormat, WorkspaceCertificate};
pub use jwk::KeyType;
pub use payload::{Credentials, SessionBinding, PAYLOAD_VERSION};
pub use public_jwk::PublicJwk;
pub use seal::{seal, seal_with_ttl};

// The steps of sealing the browser build takes with WebCrypto (`src/wasm/subtle.rs`).
#[cfg(all(feature = "wasm", target_arch = "wasm32"))]
pub(crate) use certificate::invalid_point;
#[cfg(all(feature = "wasm", target_arch = "wasm32"))]
pub(crate) use jwe::{compact, content_key, new_iv};
#[cfg(all(feature = "wasm", target_arch = "wasm32"))]
pub(crate) use seal::{agreement_failed, Sealing};

#[cfg(feature = "platform")]
#[cfg_attr(docsrs, doc(cfg(feature = "platform")))]
pub use open::OpenedEnvelope;
#[cfg(feature = "platform")]
#[cfg_attr(docsrs, doc(cfg(feature = "platform")))]
pub use private_key::WorkspacePrivateKey;

/// The largest envelope (and certificate text) accepted: 64 KiB.
pub const MAX_ENVELOPE_LEN: usize = 64 * 1024;

/// How long a sealed envelope stays valid by default: 5 minutes.
pub const DEFAULT_TTL_SECS: i64 = 300;

/// The longest lifetime (`exp - iat`) an envelope may have: 1 hour. Longer ones are
/// refused when opening.
pub const MAX_TTL_SECS: i64 = 3600;

/// The clock difference tolerated between sealer and opener, and when checking a
/// certificate's validity period: 60 seconds.
pub const CLOCK_SKEW_SECS: i64 = 60;

/// Known-answer helpers for the RFC vectors in `tests/vectors/`: the Concat KDF and the
/// static-key agreement, exposed for tests only. Not part of the stable API.
#[doc(hidden)]
pub mod kat {
    /// The RFC 7518 §4.6.2 Concat KDF with SHA-256.
    pub fn concat_kdf(z: &[u8], algorithm_id: &str, apu: &[u8], apv: &[u8], len: usize) -> Vec<u8> {
        super::kdf::concat_kdf(z, algorithm_id, apu, apv, len).to_vec()
    }

    /// The ECDH shared secret `Z` of `key` and the public JWK `peer` (the same step
    /// [`WorkspacePrivateKey::open`](super::WorkspacePrivateKey::open) takes).
    #[cfg(feature = "platform")]
    #[cfg_attr(docsrs, doc(cfg(feature = "platform")))]
    pub fn agree(key: &super::WorkspacePrivateKey, peer: &str) -> crate::Result<Vec<u8>> {
        let peer = super::WorkspaceCertificate::parse(peer, 0)?;
        Ok(key.agree(peer.public_key())?.to_vec())
    }
}
