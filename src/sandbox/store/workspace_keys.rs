//! Each workspace's envelope key: a P-256 private key (PKCS#8 PEM) and its self-signed
//! certificate (one year), issued with the workspace. Browsers seal credentials to the
//! certificate; the connect-credentials route opens them with the key. The key is stored
//! sealed with the storage key (`munity_seal`, see [`super::sealed`]).

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::rows::now;
use crate::envelope::{WorkspaceCertificate, WorkspacePrivateKey};
use crate::model::WorkspaceCertificatePem;
use crate::Secret;

/// A workspace's certificate as stored, and read (once per read of its row).
#[derive(Debug, Clone)]
pub(crate) struct StoredCertificate {
    /// X.509, PEM.
    pub(crate) certificate: String,
    /// The key id envelopes name (RFC 7638 thumbprint).
    pub(crate) kid: String,
    /// The certificate read: its key (as a JWK, what the browser package seals to) and
    /// its validity period.
    pub(crate) read: WorkspaceCertificate,
}

impl StoredCertificate {
    fn new(certificate: String, kid: String) -> crate::Result<StoredCertificate> {
        let read = WorkspaceCertificate::parse_unchecked(&certificate)?;
        Ok(StoredCertificate {
            certificate,
            kid,
            read,
        })
    }

    /// The certificate as the API answers it (`GET workspace/certificate/`; the connect
    /// session carries the same three members).
    pub(crate) fn published(&self) -> WorkspaceCertificatePem {
        WorkspaceCertificatePem {
            certificate: self.certificate.clone(),
            kid: self.kid.clone(),
            jwk: Some(self.read.jwk()),
        }
    }
}

/// A failure of key generation or encoding, as a storage error of the transaction.
fn issue_failed(err: crate::Error) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(err))
}

/// Generates a P-256 key and its self-signed certificate for `workspace_id` and stores
/// both.
pub(crate) fn issue(
    tx: &Transaction<'_>,
    workspace_id: &str,
    unix_now: i64,
) -> rusqlite::Result<StoredCertificate> {
    let key = WorkspacePrivateKey::generate_p256();
    let certificate = key
        .self_signed_certificate(
            &format!("munity sandbox workspace {workspace_id}"),
            unix_now,
        )
        .map_err(issue_failed)?;
    let pem = key.to_pkcs8_pem().map_err(issue_failed)?;
    tx.execute(
        "INSERT INTO workspace_keys (workspace_id, kid, private_key, certificate, created_at)
         VALUES (?1, ?2, munity_seal('workspace_keys.private_key', ?1, ?3), ?4, ?5)",
        params![workspace_id, key.kid(), pem.expose(), certificate, now()],
    )?;
    StoredCertificate::new(certificate, key.kid().to_owned()).map_err(issue_failed)
}

/// Issues keys to the workspaces that have none (databases of schema version 1).
pub(crate) fn issue_missing(tx: &Transaction<'_>, unix_now: i64) -> rusqlite::Result<()> {
    let missing: Vec<String> = tx
        .prepare(
            "SELECT id FROM workspaces WHERE id NOT IN (SELECT workspace_id FROM workspace_keys)
             ORDER BY seq",
        )?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for workspace_id in missing {
        issue(tx, &workspace_id, unix_now)?;
    }
    Ok(())
}

/// The workspace's certificate.
pub(crate) fn certificate(
    conn: &Connection,
    workspace_id: &str,
) -> rusqlite::Result<Option<StoredCertificate>> {
    conn.prepare_cached("SELECT certificate, kid FROM workspace_keys WHERE workspace_id = ?1")?
        .query_row([workspace_id], |row| {
            StoredCertificate::new(row.get(0)?, row.get(1)?).map_err(|err| {
                rusqlite::Error::FromSqlConversionFailure(
                    0,
                    rusqlite::types::Type::Text,
                    Box::new(err),
                )
            })
        })
        .optional()
}

/// The workspace's private key, PKCS#8 PEM.
pub(crate) fn private_key_pem(
    conn: &Connection,
    workspace_id: &str,
) -> rusqlite::Result<Option<Secret<String>>> {
    conn.prepare_cached(
        "SELECT munity_open('workspace_keys.private_key', workspace_id, private_key)
         FROM workspace_keys WHERE workspace_id = ?1",
    )?
    .query_row([workspace_id], |row| {
        row.get::<_, String>(0).map(Secret::new)
    })
    .optional()
}
