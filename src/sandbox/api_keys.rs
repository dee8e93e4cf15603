//! API keys on the server side: keyed hashes, privileges, the in-memory index of known
//! keys, and the data folder's files: the folder itself (0700) and the files that hold
//! the server secret and `keys.env` (0600, like every file there).
//!
//! The database never holds a key: only `HMAC-SHA256(server secret, key)` and the key's
//! derived [`LinkKey`], sealed with the storage key. Keys are high-entropy, so a fast keyed hash is right (a password
//! hash would cost milliseconds on every request).

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::Path;
use std::sync::RwLock;

use ring::hmac;

use crate::link::LinkKey;
use crate::{ApiKey, Error, ErrorKind, Secret};

/// The server secret's file inside the data folder.
pub(crate) const SECRET_FILE: &str = "server.secret";
/// The file that keeps the seeded workspace's keys, to print them again on restart.
pub(crate) const KEYS_FILE: &str = "keys.env";
/// The seeded workspace's certificate (PEM), written on each start for tools that read
/// a file (public, but 0600 like every file of the data folder).
pub(crate) const CERTIFICATE_FILE: &str = "certificate.pem";

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Privilege {
    /// Read and write.
    Admin,
    /// Read only.
    User,
}

impl Privilege {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Privilege::Admin => "admin",
            Privilege::User => "user",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Privilege> {
        match text {
            "admin" => Some(Privilege::Admin),
            "user" => Some(Privilege::User),
            _ => None,
        }
    }
}

/// Hashes API keys with the sandbox's server secret.
pub(crate) struct KeyHasher {
    key: hmac::Key,
}

impl std::fmt::Debug for KeyHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyHasher([redacted])")
    }
}

impl KeyHasher {
    pub(crate) fn new(secret: &Secret<Vec<u8>>) -> KeyHasher {
        KeyHasher {
            key: hmac::Key::new(hmac::HMAC_SHA256, secret.expose()),
        }
    }

    /// `HMAC-SHA256(server secret, whole key)`.
    pub(crate) fn hash(&self, key: &ApiKey) -> [u8; 32] {
        let tag = hmac::sign(&self.key, key.expose().as_bytes());
        let mut out = [0u8; 32];
        out.copy_from_slice(tag.as_ref());
        out
    }
}

/// One key as the server knows it (no key in it; Debug omits the hash too).
#[derive(Clone)]
pub(crate) struct KeyRecord {
    pub(crate) prefix: String,
    pub(crate) workspace_id: String,
    pub(crate) hash: [u8; 32],
    pub(crate) privilege: Privilege,
}

impl std::fmt::Debug for KeyRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRecord")
            .field("prefix", &self.prefix)
            .field("workspace_id", &self.workspace_id)
            .field("privilege", &self.privilege)
            .finish_non_exhaustive()
    }
}

/// The known keys by prefix, mirrored from the `api_keys` table (keys are only created
/// by the sandbox itself, which updates both).
#[derive(Debug, Default)]
pub(crate) struct KeyStore {
    by_prefix: RwLock<HashMap<String, KeyRecord>>,
}

impl KeyStore {
    pub(crate) fn insert(&self, record: KeyRecord) {
        if let Ok(mut map) = self.by_prefix.write() {
            map.insert(record.prefix.clone(), record);
        }
    }

    /// The record of `key` if it is known and its hash matches (compared in constant
    /// time).
    pub(crate) fn verify(&self, hasher: &KeyHasher, key: &ApiKey) -> Option<KeyRecord> {
        let map = self.by_prefix.read().ok()?;
        let record = map.get(key.prefix())?;
        crate::ct::eq(&record.hash, &hasher.hash(key)).then(|| record.clone())
    }
}

/// A new key's row: what is stored for it.
pub(crate) fn key_row(hasher: &KeyHasher, key: &ApiKey) -> ([u8; 32], [u8; 32]) {
    (hasher.hash(key), *LinkKey::derive(key).as_bytes())
}

fn io_error(what: String, err: std::io::Error) -> Error {
    Error::new(ErrorKind::Storage, "storage", format!("{what}: {err}")).with_source(err)
}

/// Makes `dir` the data folder: created if needed, and readable by the owner only (0700
/// on Unix), with every file already in it 0600 (a folder written by a version that left
/// the database 0644 in a 0755 folder is tightened on start).
pub(crate) fn private_dir(dir: &Path) -> crate::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .map_err(|e| io_error(format!("cannot create {}", dir.display()), e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
            .map_err(|e| io_error(format!("cannot protect {}", dir.display()), e))?;
        let entries =
            fs::read_dir(dir).map_err(|e| io_error(format!("cannot read {}", dir.display()), e))?;
        for entry in entries {
            let entry = entry.map_err(|e| io_error(format!("cannot read {}", dir.display()), e))?;
            let is_file = entry
                .file_type()
                .map_err(|e| io_error(format!("cannot read {}", dir.display()), e))?
                .is_file();
            if is_file {
                protect_file(&entry.path())?;
            }
        }
    }
    Ok(())
}

/// Makes the file at `path` readable by the owner only (0600). A file that is gone needs
/// no protection: SQLite deletes its WAL and shared-memory files when its last connection
/// closes, which may happen between listing a folder and protecting what it held.
#[cfg(unix)]
fn protect_file(path: &Path) -> crate::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    match fs::set_permissions(path, fs::Permissions::from_mode(0o600)) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        done => done.map_err(|e| io_error(format!("cannot protect {}", path.display()), e)),
    }
}

/// Creates `path` empty, readable by the owner only (0600 on Unix), unless it exists:
/// SQLite then opens it as it is, and gives its WAL and shared-memory files the same
/// mode, so no file of the database is ever readable by others, not even for a moment.
pub(crate) fn create_private(path: &Path) -> crate::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
        .open(path)
        .map(drop)
        .map_err(|e| io_error(format!("cannot create {}", path.display()), e))
}

/// Writes `contents` to `path` readable by the owner only (0600 on Unix).
pub(crate) fn write_private(path: &Path, contents: &[u8]) -> crate::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| io_error(format!("cannot write {}", path.display()), e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(fs::Permissions::from_mode(0o600))
            .map_err(|e| io_error(format!("cannot protect {}", path.display()), e))?;
    }
    file.write_all(contents)
        .and_then(|()| file.sync_all())
        .map_err(|e| io_error(format!("cannot write {}", path.display()), e))
}

/// The server secret of the data folder `dir`, created (32 random bytes) on first use.
pub(crate) fn load_or_create_secret(dir: &Path) -> crate::Result<Secret<Vec<u8>>> {
    load_or_create_key_file(dir, SECRET_FILE)
}

/// The key in the file `name` of the data folder `dir` (hex, at least 32 bytes), created
/// (32 random bytes, mode 0600) on first use.
pub(crate) fn load_or_create_key_file(dir: &Path, name: &str) -> crate::Result<Secret<Vec<u8>>> {
    let path = dir.join(name);
    match fs::read_to_string(&path) {
        Ok(text) => {
            let bytes = Secret::new(hex::decode(text.trim()).map_err(|_| {
                Error::new(
                    ErrorKind::Storage,
                    "storage",
                    format!("{} is not hex", path.display()),
                )
            })?);
            if bytes.expose().len() < 32 {
                return Err(Error::new(
                    ErrorKind::Storage,
                    "storage",
                    format!("{} is shorter than 32 bytes", path.display()),
                ));
            }
            Ok(bytes)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let secret = Secret::new(crate::random::bytes::<32>().to_vec());
            let text = Secret::new(hex::encode(secret.expose()));
            write_private(&path, text.expose().as_bytes())?;
            Ok(secret)
        }
        Err(e) => Err(io_error(format!("cannot read {}", path.display()), e)),
    }
}

/// The seeded workspace's id and keys, as kept in `keys.env`.
#[derive(Debug, Clone)]
pub(crate) struct SeedKeys {
    pub(crate) workspace_id: String,
    pub(crate) admin_key: ApiKey,
    pub(crate) user_key: ApiKey,
}

/// Writes `keys.env` (mode 0600).
pub(crate) fn write_keys_file(dir: &Path, keys: &SeedKeys) -> crate::Result<()> {
    let text = Secret::new(format!(
        "# munity sandbox keys: keep this file private\nMUNITY_WORKSPACE_ID={}\nMUNITY_ADMIN_KEY={}\nMUNITY_USER_KEY={}\n",
        keys.workspace_id,
        keys.admin_key.expose(),
        keys.user_key.expose()
    ));
    write_private(&dir.join(KEYS_FILE), text.expose().as_bytes())
}

/// Reads `keys.env`, or `None` if there is none.
pub(crate) fn read_keys_file(dir: &Path) -> crate::Result<Option<SeedKeys>> {
    let path = dir.join(KEYS_FILE);
    let text = match fs::read_to_string(&path) {
        Ok(text) => Secret::new(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error(format!("cannot read {}", path.display()), e)),
    };
    let mut workspace_id = None;
    let mut admin = None;
    let mut user = None;
    for line in text.expose().lines() {
        let Some((name, value)) = line.split_once('=') else {
            continue;
        };
        match name.trim() {
            "MUNITY_WORKSPACE_ID" => workspace_id = Some(value.trim().to_owned()),
            "MUNITY_ADMIN_KEY" => admin = Some(ApiKey::parse(value)?),
            "MUNITY_USER_KEY" => user = Some(ApiKey::parse(value)?),
            _ => {}
        }
    }
    match (workspace_id, admin, user) {
        (Some(workspace_id), Some(admin_key), Some(user_key)) => Ok(Some(SeedKeys {
            workspace_id,
            admin_key,
            user_key,
        })),
        _ => Err(Error::new(
            ErrorKind::Storage,
            "storage",
            format!(
                "{} lacks MUNITY_WORKSPACE_ID, MUNITY_ADMIN_KEY or MUNITY_USER_KEY",
                path.display()
            ),
        )),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::protect_file;

    #[test]
    fn a_file_is_made_owner_only_and_a_vanished_one_is_no_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("munity.sqlite3-wal");
        std::fs::write(&path, b"").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        protect_file(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);

        std::fs::remove_file(&path).unwrap();
        protect_file(&path).expect("a file deleted after listing needs no protection");
    }
}
