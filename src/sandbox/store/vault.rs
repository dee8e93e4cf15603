//! Encryption at rest of every secret the sandbox stores: AES-256-GCM (ring) with the
//! sandbox's storage key, a random 96-bit nonce per value, and as associated data the
//! value's column and row (its [`Sealed`] column's context and the row's identity), so a
//! sealed value cannot be moved to another column or row, nor altered.
//!
//! [`Sealed`] lists the secret columns, in one place. The database layer seals and opens
//! them in SQL, with the functions `munity_seal(column, id..., value)` and
//! `munity_open(column, id..., sealed)` that [`crate::sandbox::store::sealed`] registers on
//! the connection, so no query can store one in clear by forgetting a call.
//!
//! The storage key is 32 random bytes in `storage.key` beside `server.secret` in the data
//! folder (mode 0600), or random per run in memory.

use std::path::Path;

use ring::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey, NONCE_LEN};
use zeroize::Zeroizing;

use crate::{Error, ErrorKind, Secret};

/// The storage key's file inside the data folder.
pub(crate) const STORAGE_KEY_FILE: &str = "storage.key";

/// A column whose values are stored sealed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sealed {
    /// `workspace_keys.private_key` (PKCS#8 PEM), by `workspace_id`.
    WorkspacePrivateKey,
    /// `api_keys.link_key` (32 bytes: whoever reads it signs admin links), by `prefix`.
    LinkKey,
    /// `credentials.record` (JSON with passwords, tokens, secret keys), by
    /// `workspace_id`, `id`.
    CredentialRecord,
    /// `connector_configs.client_secret`, by `workspace_id`, `connector`.
    ConnectorClientSecret,
    /// `connector_configs.api_key`, by `workspace_id`, `connector`.
    ConnectorApiKey,
    /// `connector_configs.module_secret` (the module's registration-token secret), by
    /// `workspace_id`, `connector`.
    ConnectorModuleSecret,
    /// `webhook_endpoints.secret` (the signing secret's bytes), by `workspace_id`.
    WebhookSecret,
    /// `webhook_endpoints.url` (may hold `user:password@`), by `workspace_id`.
    WebhookUrl,
    /// `webhook_deliveries.url` (the endpoint's URL of the last attempt), by `id`.
    DeliveryUrl,
    /// `connection_credentials.sealed` (JSON), by `workspace_id`, `connection_id`.
    ConnectionCredentials,
}

impl Sealed {
    /// Every sealed column.
    pub(crate) const ALL: [Sealed; 10] = [
        Sealed::WorkspacePrivateKey,
        Sealed::LinkKey,
        Sealed::CredentialRecord,
        Sealed::ConnectorClientSecret,
        Sealed::ConnectorApiKey,
        Sealed::ConnectorModuleSecret,
        Sealed::WebhookSecret,
        Sealed::WebhookUrl,
        Sealed::DeliveryUrl,
        Sealed::ConnectionCredentials,
    ];

    /// `table.column`, as SQL names it to `munity_seal` and `munity_open`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Sealed::WorkspacePrivateKey => "workspace_keys.private_key",
            Sealed::LinkKey => "api_keys.link_key",
            Sealed::CredentialRecord => "credentials.record",
            Sealed::ConnectorClientSecret => "connector_configs.client_secret",
            Sealed::ConnectorApiKey => "connector_configs.api_key",
            Sealed::ConnectorModuleSecret => "connector_configs.module_secret",
            Sealed::WebhookSecret => "webhook_endpoints.secret",
            Sealed::WebhookUrl => "webhook_endpoints.url",
            Sealed::DeliveryUrl => "webhook_deliveries.url",
            Sealed::ConnectionCredentials => "connection_credentials.sealed",
        }
    }

    /// The column named `name`.
    pub(crate) fn from_name(name: &str) -> Option<Sealed> {
        Sealed::ALL.into_iter().find(|column| column.name() == name)
    }

    /// How many values identify a row (what the associated data binds to).
    pub(crate) fn ids(self) -> usize {
        match self {
            Sealed::WorkspacePrivateKey
            | Sealed::LinkKey
            | Sealed::WebhookSecret
            | Sealed::WebhookUrl
            | Sealed::DeliveryUrl => 1,
            Sealed::CredentialRecord
            | Sealed::ConnectorClientSecret
            | Sealed::ConnectorApiKey
            | Sealed::ConnectorModuleSecret
            | Sealed::ConnectionCredentials => 2,
        }
    }

    /// Whether the plaintext is UTF-8 text (opened as TEXT) rather than bytes (BLOB).
    pub(crate) fn is_text(self) -> bool {
        matches!(
            self,
            Sealed::WorkspacePrivateKey
                | Sealed::CredentialRecord
                | Sealed::ConnectorClientSecret
                | Sealed::ConnectorApiKey
                | Sealed::ConnectorModuleSecret
                | Sealed::WebhookUrl
                | Sealed::DeliveryUrl
        )
    }

    /// What the associated data starts with (versioned).
    fn context(self) -> &'static str {
        match self {
            // The first sealed column kept its original context.
            Sealed::ConnectionCredentials => "munity/sandbox/connection-credentials/v1",
            Sealed::WorkspacePrivateKey => "munity/sandbox/workspace_keys.private_key/v1",
            Sealed::LinkKey => "munity/sandbox/api_keys.link_key/v1",
            Sealed::CredentialRecord => "munity/sandbox/credentials.record/v1",
            Sealed::ConnectorClientSecret => "munity/sandbox/connector_configs.client_secret/v1",
            Sealed::ConnectorApiKey => "munity/sandbox/connector_configs.api_key/v1",
            Sealed::ConnectorModuleSecret => "munity/sandbox/connector_configs.module_secret/v1",
            Sealed::WebhookSecret => "munity/sandbox/webhook_endpoints.secret/v1",
            Sealed::WebhookUrl => "munity/sandbox/webhook_endpoints.url/v1",
            Sealed::DeliveryUrl => "munity/sandbox/webhook_deliveries.url/v1",
        }
    }

    /// The associated data of the value of this column in the row `ids`: the context,
    /// then each id after a NUL (ids never contain NUL; their count is fixed).
    fn aad(self, ids: &[&str]) -> crate::Result<Vec<u8>> {
        if ids.len() != self.ids() || ids.iter().any(|id| id.contains('\0')) {
            return Err(crypto_error(&format!(
                "{} is identified by {} id(s) without NUL",
                self.name(),
                self.ids()
            )));
        }
        let mut out = self.context().as_bytes().to_vec();
        for id in ids {
            out.push(0);
            out.extend_from_slice(id.as_bytes());
        }
        Ok(out)
    }
}

/// Seals values with the storage key.
#[derive(Clone)]
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
            Some(dir) => Vault::new(&crate::sandbox::api_keys::load_or_create_key_file(
                dir,
                STORAGE_KEY_FILE,
            )?),
            None => Vault::new(&Secret::new(crate::random::bytes::<32>().to_vec())),
        }
    }

    /// `nonce || ciphertext || tag` of `plaintext`, bound to its column and row.
    pub(crate) fn seal(
        &self,
        column: Sealed,
        ids: &[&str],
        plaintext: &[u8],
    ) -> crate::Result<Vec<u8>> {
        let aad = column.aad(ids)?;
        let nonce_bytes = crate::random::bytes::<NONCE_LEN>();
        let mut in_out = Zeroizing::new(plaintext.to_vec());
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce_bytes),
                Aad::from(aad),
                &mut *in_out,
            )
            .map_err(|_| crypto_error("cannot seal a value"))?;
        let mut out = Vec::with_capacity(NONCE_LEN + in_out.len());
        out.extend_from_slice(&nonce_bytes);
        out.extend_from_slice(&in_out);
        Ok(out)
    }

    /// Opens what [`seal`](Self::seal) gave for the same column and row. Fails (without
    /// saying more) for another key, column or row, or an altered or truncated value.
    pub(crate) fn unseal(
        &self,
        column: Sealed,
        ids: &[&str],
        sealed: &[u8],
    ) -> crate::Result<Zeroizing<Vec<u8>>> {
        let aad = column.aad(ids)?;
        let does_not_open = || {
            crypto_error(&format!(
                "a sealed value of {} does not open (altered, moved, or sealed with another storage.key)",
                column.name()
            ))
        };
        if sealed.len() < NONCE_LEN {
            return Err(does_not_open());
        }
        let (nonce, rest) = sealed.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| does_not_open())?;
        let mut in_out = Zeroizing::new(rest.to_vec());
        let len = self
            .key
            .open_in_place(nonce, Aad::from(aad), &mut in_out)
            .map_err(|_| does_not_open())?
            .len();
        in_out.truncate(len);
        Ok(in_out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_open_only_with_their_key_column_and_row() {
        let vault = Vault::new(&Secret::new(vec![7; 32])).unwrap();
        let cc = Sealed::ConnectionCredentials;
        let sealed = vault
            .seal(cc, &["ws_1", "con_1"], b"{\"api_key\":\"s3cr3t\"}")
            .unwrap();
        assert!(!sealed.windows(6).any(|w| w == b"s3cr3t"));
        let opened = vault.unseal(cc, &["ws_1", "con_1"], &sealed).unwrap();
        assert_eq!(opened.as_slice(), b"{\"api_key\":\"s3cr3t\"}");
        // Moved to another row, workspace or column, or altered: refused.
        assert!(vault.unseal(cc, &["ws_1", "con_2"], &sealed).is_err());
        assert!(vault.unseal(cc, &["ws_2", "con_1"], &sealed).is_err());
        assert!(vault
            .unseal(Sealed::CredentialRecord, &["ws_1", "con_1"], &sealed)
            .is_err());
        let mut altered = sealed.clone();
        let last = altered.len() - 1;
        altered[last] ^= 1;
        assert!(vault.unseal(cc, &["ws_1", "con_1"], &altered).is_err());
        assert!(vault.unseal(cc, &["ws_1", "con_1"], &sealed[..5]).is_err());
        // Another sandbox's key: refused.
        let other = Vault::new(&Secret::new(vec![8; 32])).unwrap();
        assert!(other.unseal(cc, &["ws_1", "con_1"], &sealed).is_err());
        // Two seals of the same value differ (fresh nonce).
        assert_ne!(
            sealed,
            vault
                .seal(cc, &["ws_1", "con_1"], b"{\"api_key\":\"s3cr3t\"}")
                .unwrap()
        );
        // The wrong number of ids, or an id with NUL (ambiguous): refused.
        assert!(vault.seal(cc, &["ws_1"], b"x").is_err());
        assert!(vault.seal(cc, &["ws_1\0con", ""], b"x").is_err());
        assert!(Vault::new(&Secret::new(vec![1; 16])).is_err());
    }

    #[test]
    fn every_column_has_a_distinct_name_and_context() {
        for (i, a) in Sealed::ALL.iter().enumerate() {
            assert_eq!(Sealed::from_name(a.name()), Some(*a));
            for b in &Sealed::ALL[i + 1..] {
                assert_ne!(a.name(), b.name());
                assert_ne!(a.context(), b.context());
            }
        }
        assert_eq!(Sealed::from_name("users.email"), None);
    }
}
