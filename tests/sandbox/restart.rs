//! Durability: a restart on the same data folder sees every acknowledged write (and
//! idempotency answers); keys are stored only as hashes.

use crate::sandbox_support;

use munity::sandbox::{Sandbox, SandboxOptions};
use reqwest::Method;
use sandbox_support::Api;
use serde_json::json;

fn files_except_keys(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name != "keys.env" && name != "server.secret"
        })
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_and_keys_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let sb = Sandbox::start(SandboxOptions::dir(dir.path()))
        .await
        .unwrap();
    let api = Api::new(sb.base_url(), sb.admin_key());
    let body = json!({"external_id": "persist", "name": "Persisted"});
    let created = Api::answer(
        api.request(Method::POST, "/customers/")
            .header("Idempotency-Key", "persist-1")
            .json(&body),
    )
    .await;
    assert_eq!(created.status, 201);
    let secret = "credential-secret-value-123456";
    let cred = api
        .post(
            "/credentials/",
            json!({"name": "n", "base_url": "https://api.example.com", "environment": "test", "content_type": "json",
                   "auth": {"type": "headers", "key": "X-Key", "value": secret}}),
        )
        .await;
    assert_eq!(cred.status, 201);
    let workspace_id = sb.workspace_id().to_owned();
    let admin = sb.admin_key().clone();
    let user = sb.user_key().clone();
    sb.shutdown().await;
    // Shut down means closed: SQLite removes the WAL with the last connection, so a
    // restart in the same process never races the old sandbox for its files.
    assert!(
        !dir.path().join("munity.sqlite3-wal").exists(),
        "the database is still open after shutdown"
    );

    let sb = Sandbox::start(SandboxOptions::dir(dir.path()))
        .await
        .unwrap();
    assert_eq!(sb.workspace_id(), workspace_id);
    assert_eq!(sb.admin_key().expose(), admin.expose(), "same keys");
    assert_eq!(sb.user_key().expose(), user.expose());
    let api = Api::new(sb.base_url(), sb.admin_key());
    let found = api.get("/customers/?external_id=persist").await;
    assert_eq!(found.body["results"][0], created.body);
    let cred_id = cred.body["id"].as_str().unwrap();
    assert_eq!(
        api.get(&format!("/credentials/{cred_id}/")).await.body,
        cred.body
    );
    let replay = Api::answer(
        api.request(Method::POST, "/customers/")
            .header("Idempotency-Key", "persist-1")
            .json(&body),
    )
    .await;
    assert_eq!(replay.status, 201);
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));
    assert_eq!(replay.body, created.body);
    assert_eq!(
        api.get("/customers/").await.body["count"],
        2,
        "acme and persist"
    );
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_are_stored_only_as_hashes() {
    let dir = tempfile::tempdir().unwrap();
    let sb = Sandbox::start(SandboxOptions::dir(dir.path()))
        .await
        .unwrap();
    let second = sb.create_workspace("second").await.unwrap();
    let keys = [
        sb.admin_key().clone(),
        sb.user_key().clone(),
        second.admin_key.clone(),
        second.user_key.clone(),
    ];
    let api = Api::new(sb.base_url(), sb.admin_key());
    assert_eq!(api.get("/workspace/").await.status, 200);
    sb.shutdown().await;

    let server_secret = hex::decode(
        std::fs::read_to_string(dir.path().join("server.secret"))
            .unwrap()
            .trim(),
    )
    .unwrap();
    let hasher = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &server_secret);
    let files = files_except_keys(dir.path());
    assert!(files
        .iter()
        .any(|(name, _)| name.ends_with("munity.sqlite3")));
    let all: Vec<u8> = files.iter().flat_map(|(_, bytes)| bytes.clone()).collect();
    for key in &keys {
        let secret_part = &key.expose()[9..];
        assert!(
            !contains(&all, key.expose().as_bytes()),
            "key in the database"
        );
        assert!(
            !contains(&all, secret_part.as_bytes()),
            "key secret in the database"
        );
        let hash = ring::hmac::sign(&hasher, key.expose().as_bytes());
        assert!(contains(&all, hash.as_ref()), "the key's HMAC is stored");
        // The derived link key is stored sealed with storage.key: whoever reads the
        // database alone cannot sign admin links.
        let link_key = munity::link::LinkKey::derive(key);
        assert!(
            !contains(&all, link_key.as_bytes()),
            "the derived link key is in clear"
        );
    }

    let keys_env = std::fs::read_to_string(dir.path().join("keys.env")).unwrap();
    assert!(keys_env.contains(&format!("MUNITY_ADMIN_KEY={}", keys[0].expose())));
    assert!(keys_env.contains(&format!("MUNITY_USER_KEY={}", keys[1].expose())));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for file in ["keys.env", "server.secret"] {
            let mode = std::fs::metadata(dir.path().join(file))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{file}");
        }
    }
}

#[tokio::test]
async fn memory_mode_writes_nothing() {
    let cwd_before: Vec<_> = std::fs::read_dir(".")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let sb = Sandbox::start(SandboxOptions::memory()).await.unwrap();
    let api = Api::new(sb.base_url(), sb.admin_key());
    assert_eq!(
        api.post("/customers/", json!({"external_id": "m", "name": "M"}))
            .await
            .status,
        201
    );
    sb.shutdown().await;
    let cwd_after: Vec<_> = std::fs::read_dir(".")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(cwd_before, cwd_after);
    let again = Sandbox::start(SandboxOptions::memory()).await.unwrap();
    let api = Api::new(again.base_url(), again.admin_key());
    assert_eq!(
        api.get("/customers/").await.body["count"],
        1,
        "a fresh sandbox"
    );
}

#[tokio::test]
async fn a_lost_keys_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let sb = Sandbox::start(SandboxOptions::dir(dir.path()))
        .await
        .unwrap();
    sb.shutdown().await;
    std::fs::remove_file(dir.path().join("keys.env")).unwrap();
    let err = Sandbox::start(SandboxOptions::dir(dir.path()))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), munity::ErrorKind::Storage);
    assert!(err.detail().contains("keys.env"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fixed_keys_seed_a_folder_and_must_match_it_afterwards() {
    use munity::ApiKey;
    let dir = tempfile::tempdir().unwrap();
    let admin = ApiKey::parse("REM0aW39.NfO0123456789CNeHpF29wo").unwrap();
    let user = ApiKey::parse("CiUser01.readonlyKeyOfTheTeamsCI").unwrap();
    let fixed = || {
        SandboxOptions::dir(dir.path())
            .admin_key(admin.clone())
            .user_key(user.clone())
    };
    let sb = Sandbox::start(fixed()).await.unwrap();
    assert_eq!(sb.admin_key(), &admin);
    assert_eq!(sb.user_key(), &user);
    let keys_env = std::fs::read_to_string(dir.path().join("keys.env")).unwrap();
    assert!(keys_env.contains(&format!("MUNITY_ADMIN_KEY={}\n", admin.expose())));
    sb.shutdown().await;

    // The same keys again, or none: the folder's keys.
    let sb = Sandbox::start(fixed()).await.unwrap();
    assert_eq!(sb.user_key(), &user);
    sb.shutdown().await;
    let sb = Sandbox::start(SandboxOptions::dir(dir.path()))
        .await
        .unwrap();
    assert_eq!(sb.admin_key(), &admin);
    sb.shutdown().await;

    // Another key is refused, naming the folder's key by its prefix only.
    let other = ApiKey::parse("REM0aW39.SECRETotherValue").unwrap();
    let err = Sandbox::start(SandboxOptions::dir(dir.path()).admin_key(other))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "storage");
    let shown = format!("{err} {err:?}");
    assert!(shown.contains("admin key (prefix REM0aW39)"), "{shown}");
    assert!(
        !shown.contains("SECRET") && !shown.contains("NfO0"),
        "{shown}"
    );
}

#[tokio::test]
async fn fixed_keys_need_two_prefixes() {
    use munity::ApiKey;
    let err = Sandbox::start(
        SandboxOptions::memory()
            .admin_key(ApiKey::parse("SamePrfx.SECRETvalue1").unwrap())
            .user_key(ApiKey::parse("SamePrfx.SECRETvalue2").unwrap()),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "config");
    assert!(!format!("{err} {err:?}").contains("SECRET"));
}
