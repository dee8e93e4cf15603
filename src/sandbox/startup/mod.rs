//! Opening the sandbox's storage: the database, the server secret, and the seeded
//! workspace's keys (created on first start, read back from `keys.env` afterwards).

pub(crate) mod catalog;
pub(crate) mod seed;

use crate::sandbox::api_keys::{self, KeyHasher, KeyStore, SeedKeys};
use crate::sandbox::options::{FixedKeys, Storage};
use crate::sandbox::store::vault::Vault;
use crate::sandbox::store::workspace_keys::{self, StoredCertificate};
use crate::sandbox::store::{uuid_ids, workspaces, Db};
use crate::{Error, ErrorKind, Secret};

/// The storage, ready to serve.
#[derive(Debug)]
pub(crate) struct Opened {
    pub(crate) db: Db,
    pub(crate) hasher: KeyHasher,
    pub(crate) keys: KeyStore,
    pub(crate) seed: SeedKeys,
    /// The seeded workspace's envelope certificate.
    pub(crate) certificate: StoredCertificate,
    /// Where it was written ([`api_keys::CERTIFICATE_FILE`] in the data folder), if on disk.
    pub(crate) certificate_file: Option<std::path::PathBuf>,
}

fn storage_error(detail: String) -> Error {
    Error::new(ErrorKind::Storage, "storage", detail)
}

/// Runs seeding work in one transaction.
fn in_transaction<R>(
    db: &Db,
    f: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<R>,
) -> crate::Result<R> {
    db.with_blocking(|conn| {
        let tx = conn.transaction()?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    })
    .map_err(|e: rusqlite::Error| storage_error(format!("cannot seed the database: {e}")))
}

/// Refuses an admin and a user key with the same prefix: the prefix names a key.
fn check_fixed_keys(fixed: &FixedKeys) -> crate::Result<()> {
    match (&fixed.admin, &fixed.user) {
        (Some(admin), Some(user)) if admin.prefix() == user.prefix() => Err(Error::new(
            ErrorKind::Config,
            "config",
            format!(
                "the admin and user keys share the prefix {}: each key needs its own",
                admin.prefix()
            ),
        )),
        _ => Ok(()),
    }
}

/// Refuses a data folder seeded with other keys than the ones asked for.
fn check_seeded_keys(
    seed: &SeedKeys,
    fixed: &FixedKeys,
    dir: &std::path::Path,
) -> crate::Result<()> {
    for (name, wanted, kept) in [
        ("admin", &fixed.admin, &seed.admin_key),
        ("user", &fixed.user, &seed.user_key),
    ] {
        if wanted.as_ref().is_some_and(|wanted| wanted != kept) {
            return Err(storage_error(format!(
                "{} was seeded with another {name} key (prefix {}) than the one given: \
                 start without it, or remove the folder to seed a new one",
                dir.display(),
                kept.prefix()
            )));
        }
    }
    Ok(())
}

/// Opens (and on first start, seeds) the storage, with the `fixed` keys if any.
/// Blocking: call off the runtime.
pub(crate) fn open(storage: &Storage, fixed: &FixedKeys) -> crate::Result<Opened> {
    check_fixed_keys(fixed)?;
    let (db, secret, dir) = match storage {
        Storage::Memory => (
            Db::open_memory(&Vault::open(None)?)?,
            Secret::new(crate::random::bytes::<32>().to_vec()),
            None,
        ),
        Storage::Dir(dir) => {
            api_keys::private_dir(dir)?;
            let secret = api_keys::load_or_create_secret(dir)?;
            // Before the database, which seals its secret columns with it (a migration
            // seals what an older version kept in clear).
            let vault = Vault::open(Some(dir))?;
            (Db::open_dir(dir, &vault)?, secret, Some(dir.as_path()))
        }
    };
    let hasher = KeyHasher::new(&secret);
    let existing = db
        .with_blocking(|conn| workspaces::first_id(conn))
        .map_err(|e| storage_error(format!("cannot read the database: {e}")))?;
    let seed = match existing {
        None => {
            let new = in_transaction(&db, |tx| {
                seed::seed_catalog(tx)?;
                let new = seed::seed_workspace(tx, &hasher, "Sandbox workspace", fixed)?;
                seed::seed_sample_data(tx, &new.workspace_id)?;
                Ok(new)
            })?;
            let seed = SeedKeys {
                workspace_id: new.workspace_id,
                admin_key: new.admin_key,
                user_key: new.user_key,
            };
            if let Some(dir) = dir {
                api_keys::write_keys_file(dir, &seed)?;
            }
            seed
        }
        Some(workspace_id) => {
            let dir = dir.ok_or_else(|| storage_error("unexpected data in memory".into()))?;
            let seed = api_keys::read_keys_file(dir)?.ok_or_else(|| {
                storage_error(format!(
                    "{} has a database but no {}: the keys are lost; remove the folder to start afresh",
                    dir.display(),
                    api_keys::KEYS_FILE
                ))
            })?;
            check_seeded_keys(&seed, fixed, dir)?;
            // A folder of an older version: schema version 5 gave the workspace a UUID.
            let renamed = db
                .with_blocking(|conn| uuid_ids::renamed_id(conn, &seed.workspace_id))
                .map_err(|e| storage_error(format!("cannot read the renamed ids: {e}")))?;
            let seed = match renamed {
                Some(new) if new == workspace_id => {
                    let seed = SeedKeys {
                        workspace_id: new,
                        ..seed
                    };
                    api_keys::write_keys_file(dir, &seed)?;
                    seed
                }
                _ => seed,
            };
            if seed.workspace_id != workspace_id {
                return Err(storage_error(format!(
                    "{} names another workspace than the database's",
                    api_keys::KEYS_FILE
                )));
            }
            // Catalog entries and workspace keys added by newer versions of the sandbox.
            in_transaction(&db, |tx| {
                seed::seed_catalog(tx)?;
                workspace_keys::issue_missing(tx, crate::time::now_unix())
            })?;
            seed
        }
    };
    let keys = KeyStore::default();
    let records = db
        .with_blocking(|conn| workspaces::load_keys(conn))
        .map_err(|e| storage_error(format!("cannot read the keys: {e}")))?;
    for record in records {
        keys.insert(record);
    }
    for key in [&seed.admin_key, &seed.user_key] {
        if keys.verify(&hasher, key).is_none() {
            return Err(storage_error(format!(
                "a key in {} does not match the database (was {} replaced?)",
                api_keys::KEYS_FILE,
                api_keys::SECRET_FILE
            )));
        }
    }
    let certificate = db
        .with_blocking(|conn| workspace_keys::certificate(conn, &seed.workspace_id))
        .map_err(|e| storage_error(format!("cannot read the workspace certificate: {e}")))?
        .ok_or_else(|| storage_error("the seeded workspace has no certificate".into()))?;
    let certificate_file = match dir {
        Some(dir) => {
            let path = dir.join(api_keys::CERTIFICATE_FILE);
            api_keys::write_private(&path, certificate.certificate.as_bytes())?;
            Some(path)
        }
        None => None,
    };
    Ok(Opened {
        db,
        hasher,
        keys,
        seed,
        certificate,
        certificate_file,
    })
}
