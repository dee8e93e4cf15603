//! Encryption at rest of the credentials the sandbox stores: AES-256-GCM (ring) with the
//! sandbox's storage key, a random 96-bit nonce per record, and the record's identity
//! (workspace and connection) as associated data, so a sealed record cannot be moved to
//! another connection.
//!
//! The storage key is 32 random bytes in `storage.key` beside `server.secret` in the data
//! folder (mode 0600), or random per run in memory.

use std::path::Path;

use ring::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey, NONCE_LEN};
use zeroize::Zeroizing;

use crate::{Error, ErrorKind, Secret};

/// The storage key's file inside the data folder.
pub(crate) const STORAGE_KEY_FILE: &str = "storage.key";

/// What the associated data of a record starts with (versioned).
const AAD_CONTEXT: &str = "munity/sandbox/connection-credentials/v1";

/// Seals records with the storage key.
pub(crate) struct Vault {
    key: LessSafeKey,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Vault([redacted])")
    }
}

fn crypto_error(what: &str) -> Error {
    Error::new(ErrorKind::Internal, "internal", what.to_owned())
}

/// The associated data of the credentials of `connection_id` in `workspace_id`.
fn aad(workspace_id: &str, connection_id: &str) -> Vec<u8> {
    format!("{AAD_CONTEXT}\0{workspace_id}\0{connection_id}").into_bytes()
}

impl Vault {
    /// A vault with a 32-byte key.
    pub(crate) fn new(key: &Secret<Vec<u8>>) -> crate::Result<Vault> {
        let unbound = UnboundKey::new(&aead::AES_256_GCM, key.expose())
            .map_err(|_| crypto_error("the storage key is not 32 bytes"))?;
        Ok(Vault {
            key: LessSafeKey::new(unbound),
        })
    }

    /// The vault of the data folder `dir` (its key created on first use), or a fresh one
    /// for a sandbox in memory.
    pub(crate) fn open(dir: Option<&Path>) -> crate::Result<Vault> {
        match dir {
            Some(dir) => Vault::new(&super::keys::load_or_create_key_file(
                dir,
                STORAGE_KEY_FILE,
            )?),
            None => Vault::new(&Secret::new(crate::random::bytes::<32>().to_vec())),
        }
    }

    /// `nonce || ciphertext || tag` of `plaintext`, bound to the connection.
    pub(crate) fn seal(
        &self,
        workspace_id: &str,
        connection_id: &str,
        plaintext: &[u8],
    ) -> crate::Result<Vec<u8>> {
        let nonce_bytes = crate::random::bytes::<NONCE_LEN>();
        let mut in_out = Zeroizing::new(plaintext.to_vec());
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce_bytes),
                Aad::from(aad(workspace_id, connection_id)),
                &mut *in_out,
            )
            .map_err(|_| crypto_error("cannot seal the credentials"))?;
        let mut out = Vec::with_capacity(NONCE_LEN + in_out.len());
        out.extend_from_slice(&nonce_bytes);
        out.extend_from_slice(&in_out);
        Ok(out)
    }

    /// Opens what [`seal`](Self::seal) gave for the same connection. No route returns
    /// stored credentials, so only tests open them.
    #[cfg(test)]
    pub(crate) fn open_record(
        &self,
        workspace_id: &str,
        connection_id: &str,
        sealed: &[u8],
    ) -> crate::Result<Zeroizing<Vec<u8>>> {
        if sealed.len() < NONCE_LEN {
            return Err(crypto_error("the sealed record is truncated"));
        }
        let (nonce, rest) = sealed.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce)
            .map_err(|_| crypto_error("the sealed record is truncated"))?;
        let mut in_out = Zeroizing::new(rest.to_vec());
        let len = self
            .key
            .open_in_place(
                nonce,
                Aad::from(aad(workspace_id, connection_id)),
                &mut in_out,
            )
            .map_err(|_| crypto_error("the sealed record does not open"))?
            .len();
        in_out.truncate(len);
        Ok(in_out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_open_only_with_their_key_and_connection() {
        let vault = Vault::new(&Secret::new(vec![7; 32])).unwrap();
        let sealed = vault
            .seal("ws_1", "con_1", b"{\"api_key\":\"s3cr3t\"}")
            .unwrap();
        assert!(!sealed.windows(6).any(|w| w == b"s3cr3t"));
        let opened = vault.open_record("ws_1", "con_1", &sealed).unwrap();
        assert_eq!(opened.as_slice(), b"{\"api_key\":\"s3cr3t\"}");
        // Moved to another connection or workspace, or altered: refused.
        assert!(vault.open_record("ws_1", "con_2", &sealed).is_err());
        assert!(vault.open_record("ws_2", "con_1", &sealed).is_err());
        let mut altered = sealed.clone();
        let last = altered.len() - 1;
        altered[last] ^= 1;
        assert!(vault.open_record("ws_1", "con_1", &altered).is_err());
        assert!(vault.open_record("ws_1", "con_1", &sealed[..5]).is_err());
        // Another sandbox's key: refused.
        let other = Vault::new(&Secret::new(vec![8; 32])).unwrap();
        assert!(other.open_record("ws_1", "con_1", &sealed).is_err());
        // Two seals of the same record differ (fresh nonce).
        assert_ne!(
            sealed,
            vault
                .seal("ws_1", "con_1", b"{\"api_key\":\"s3cr3t\"}")
                .unwrap()
        );
        assert!(Vault::new(&Secret::new(vec![1; 16])).is_err());
    }
}
