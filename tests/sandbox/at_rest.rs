//! Secrets at rest in a sandbox data folder, in-process over HTTP on 127.0.0.1:0: the
//! folder is 0700 and every file in it 0600 from its creation; no secret (workspace
//! private key, link keys, credential records, connector secrets, webhook secret,
//! connection credentials) is in clear in the database files; and a data folder written
//! by the sandbox of schema version 2 (`tests/fixtures/data-v2`, made by its
//! `generate.sh` with munity e9165cf) is sealed in place on start and keeps working.

use crate::sandbox_support;

use std::path::Path;
use std::time::Duration;

use munity::envelope::{seal, Credentials, WorkspaceCertificate};
use munity::link::{ConnectLink, LinkBuilder, LinkKey};
use munity::sandbox::{Sandbox, SandboxOptions};
use munity::webhook::{Webhook, WebhookSecret};
use munity::ApiKey;
use sandbox_support::receiver::receiver;
use sandbox_support::{is_uuid, Answer, Api};
use serde_json::json;

/// The fixture: a version 2 database as SQL text, and the files beside it.
const FIXTURE_SQL: &str = include_str!("../fixtures/data-v2/munity.sql");
const FIXTURE_FILES: [(&str, &str); 3] = [
    ("keys.env", include_str!("../fixtures/data-v2/keys.env")),
    (
        "server.secret",
        include_str!("../fixtures/data-v2/server.secret"),
    ),
    (
        "storage.key",
        include_str!("../fixtures/data-v2/storage.key"),
    ),
];
/// The webhook secret the fixture's endpoint got (`whsec_...`).
const FIXTURE_WEBHOOK_SECRET: &str = include_str!("../fixtures/data-v2/webhook.secret");
/// The secrets `generate.sh` stored, with the hint the API shows of each; version 2
/// kept all but the last in clear.
const FIXTURE_SECRETS: [&str; 8] = [
    "fixture-basic-password-0001",
    "fixture-bearer-token-0002",
    "fixture-aws-secret-key-0003",
    "fixture-hmac-client-secret-0004",
    "fixture-header-value-0005",
    "fixture-jira-client-secret-0006",
    "fixture-connector-api-key-0007",
    "fixture-pipedrive-api-key-0008",
];

/// The database files of a data folder (the key files hold keys by design).
const DB_FILES: [&str; 3] = ["munity.sqlite3", "munity.sqlite3-wal", "munity.sqlite3-shm"];

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// Asserts that none of `needles` is in any database file of `dir`.
fn assert_not_in_database(dir: &Path, needles: &[(&str, Vec<u8>)]) {
    let mut read = 0;
    for name in DB_FILES {
        let Ok(bytes) = std::fs::read(dir.join(name)) else {
            continue;
        };
        read += bytes.len();
        for (what, needle) in needles {
            assert!(!contains(&bytes, needle), "{what} is in clear in {name}");
        }
    }
    assert!(read > 0, "the database files were read");
}

/// What must not be in clear: the secrets given, the link keys of `keys`, and any PEM
/// private key.
fn needles(secrets: &[&str], keys: &[&ApiKey]) -> Vec<(&'static str, Vec<u8>)> {
    let mut out: Vec<(&'static str, Vec<u8>)> = secrets
        .iter()
        .map(|s| ("a secret", s.as_bytes().to_vec()))
        .collect();
    for key in keys {
        out.push(("a link key", LinkKey::derive(key).as_bytes().to_vec()));
    }
    out.push(("a private key", b"PRIVATE KEY".to_vec()));
    out
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

/// Asserts the folder is 0700 and every file in it 0600; returns the files' names.
#[cfg(unix)]
fn assert_private(dir: &Path) -> Vec<String> {
    assert_eq!(mode(dir), 0o700, "the data folder");
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read_dir") {
        let entry = entry.expect("entry");
        let name = entry.file_name().to_string_lossy().into_owned();
        assert_eq!(mode(&entry.path()), 0o600, "{name}");
        names.push(name);
    }
    names.sort();
    names
}

/// `http://user:<password>@host/...` from `http://host/...`.
fn with_credentials(url: &str, password: &str) -> String {
    url.replacen("http://", &format!("http://hook-user:{password}@"), 1)
}

fn query(link: &str) -> &str {
    link.split_once('?').expect("a query").1
}

/// Connects `customer` to pipedrive through a fresh link of `key`, as a connect page
/// does: session (certificate), seal, submit.
async fn connect_pipedrive(sb: &Sandbox, key: &ApiKey, customer: &str, api_key: &str) -> Answer {
    let now = munity::now_unix();
    let link = LinkBuilder::new(sb.workspace_id(), customer, "pipedrive")
        .base_url(format!("{}/connect", sb.base_url()))
        .sign(key, now)
        .expect("signed")
        .into_url();
    let anonymous = Api::new(sb.base_url(), key).with_auth(None);
    let session = anonymous
        .get(&format!("/connect/session?{}", query(&link)))
        .await;
    assert_eq!(session.status, 200, "{:?}", session.body);
    let certificate = WorkspaceCertificate::parse(
        session.body["certificate"].as_str().expect("certificate"),
        now,
    )
    .expect("parses");
    let parsed = ConnectLink::parse(&link).expect("parses");
    let binding = munity::connect::binding(&parsed);
    let credentials = Credentials::new()
        .with("api_key", api_key)
        .with("company_domain", "acme-corp");
    let envelope = seal(&certificate, &binding, &credentials, now).expect("sealed");
    anonymous
        .post(
            &format!("/connect/credentials?{}", query(&link)),
            json!({ "envelope": envelope }),
        )
        .await
}

/// Waits for the receiver to get a request; returns it verified with `secret`.
async fn delivered_and_verified(seen: &sandbox_support::receiver::Seen, secret: &str) {
    let hook = Webhook::new(WebhookSecret::parse(secret.trim()).expect("whsec"));
    for _ in 0..200 {
        if let Some(received) = seen.lock().unwrap().first().cloned() {
            hook.verify_http(&received.headers, &received.body, munity::now_unix())
                .expect("signed with the endpoint's secret");
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no webhook delivery arrived");
}

#[cfg(unix)]
#[tokio::test]
async fn a_new_data_folder_is_private_from_its_creation() {
    let parent = tempfile::tempdir().expect("tempdir");
    let dir = parent.path().join("data");
    let sb = Sandbox::start(SandboxOptions::dir(&dir))
        .await
        .expect("starts");
    let admin = Api::new(sb.base_url(), sb.admin_key());
    assert_eq!(
        admin
            .put("/webhook/", json!({"url": "http://127.0.0.1:9/hook"}))
            .await
            .status,
        200
    );
    // While it runs, with the WAL and shared-memory files there.
    let names = assert_private(&dir);
    for name in [
        "certificate.pem",
        "keys.env",
        "munity.sqlite3",
        "munity.sqlite3-shm",
        "munity.sqlite3-wal",
        "server.secret",
        "storage.key",
    ] {
        assert!(names.iter().any(|n| n == name), "{name} in {names:?}");
    }
    assert_eq!(
        sb.certificate_file(),
        Some(dir.join("certificate.pem").as_path())
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("certificate.pem")).expect("read"),
        sb.certificate_pem()
    );
    sb.shutdown().await;
    assert_private(&dir);
}

#[tokio::test]
async fn no_secret_is_stored_in_clear_and_all_still_work_after_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sb = Sandbox::start(SandboxOptions::dir(dir.path()))
        .await
        .expect("starts");
    let (admin_key, user_key) = (sb.admin_key().clone(), sb.user_key().clone());
    let admin = Api::new(sb.base_url(), &admin_key);
    let secrets = [
        "test-hook-password-Wm4xJ8",
        "test-basic-password-Zr8vQ2",
        "test-aws-secret-key-Lp3mW9",
        "test-oauth-client-secret-Tk5nB1",
        "test-connector-api-key-Hy7cD4",
        "test-pipedrive-api-key-Qe2sF6",
    ];
    assert_eq!(secrets.len(), 6);
    let record = admin
        .post(
            "/credentials/",
            json!({"name": "ERP", "base_url": "https://erp.example.com", "environment": "test",
                   "content_type": "json", "auth": {"type": "basic", "username": "ada", "password": secrets[1]}}),
        )
        .await;
    assert_eq!(record.status, 201, "{:?}", record.body);
    let aws = admin
        .post(
            "/credentials/",
            json!({"name": "AWS", "base_url": "https://example.amazonaws.com", "environment": "test",
                   "content_type": "xml", "auth": {"type": "aws4", "access_key": "AKID", "secret_key": secrets[2],
                            "region": "us-east-1", "service": "execute-api"}}),
        )
        .await;
    assert_eq!(aws.status, 201, "{:?}", aws.body);
    let config = admin
        .put(
            "/connectors/jira/config/",
            json!({"client_id": "c", "client_secret": secrets[3]}),
        )
        .await;
    assert_eq!(config.status, 200, "{:?}", config.body);
    let config = admin
        .put(
            "/connectors/pipedrive/config/",
            json!({"api_key": secrets[4]}),
        )
        .await;
    assert_eq!(config.status, 200, "{:?}", config.body);
    let (url, seen) = receiver(0).await;
    let url = with_credentials(&url, "test-hook-password-Wm4xJ8");
    let put = admin.put("/webhook/", json!({"url": url})).await;
    let whsec = put.body["secret"].as_str().expect("secret").to_owned();
    let acme = admin.acme().await;
    let created = connect_pipedrive(&sb, &admin_key, &acme, secrets[5]).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    delivered_and_verified(&seen, &whsec).await;
    sb.shutdown().await;

    let webhook_bytes = WebhookSecret::parse(&whsec)
        .expect("whsec")
        .expose_bytes()
        .to_vec();
    let mut needles = needles(&secrets, &[&admin_key, &user_key]);
    needles.push(("the webhook secret", webhook_bytes));
    assert_not_in_database(dir.path(), &needles);

    // Restarted: everything sealed opens again.
    let sb = Sandbox::start(SandboxOptions::dir(dir.path()))
        .await
        .expect("restarts");
    let admin = Api::new(sb.base_url(), &admin_key);
    let id = record.body["id"].as_str().expect("id");
    let shown = admin.get(&format!("/credentials/{id}/")).await;
    assert_eq!(shown.status, 200, "{:?}", shown.body);
    assert_eq!(shown.body["auth"]["secret_hints"]["password"], "…8vQ2");
    let jira = admin.get("/connectors/jira/config/").await;
    assert_eq!(jira.body["client_secret_hint"], "…5nB1");
    let pipedrive = admin.get("/connectors/pipedrive/config/").await;
    assert_eq!(pipedrive.body["api_key_hint"], "…7cD4");
    let endpoint = admin.get("/webhook/").await;
    assert_eq!(endpoint.status, 200, "{:?}", endpoint.body);
    assert!(endpoint.body["url"]
        .as_str()
        .expect("url")
        .ends_with("/hook"));
    let log = admin.get("/webhook/deliveries/").await;
    assert_eq!(log.status, 200, "{:?}", log.body);
    assert!(log.body["results"][0]["url"]
        .as_str()
        .expect("url")
        .ends_with("/hook"));
    // The link key opens (the link verifies), the workspace key opens (the envelope
    // does), the webhook secret opens (the delivery verifies with it).
    seen.lock().unwrap().clear();
    let other = admin
        .post(
            "/customers/",
            json!({"external_id": "globex", "name": "Globex"}),
        )
        .await;
    assert_eq!(other.status, 201, "{:?}", other.body);
    let created = connect_pipedrive(
        &sb,
        &admin_key,
        other.body["id"].as_str().expect("id"),
        "another-api-key-0000",
    )
    .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    delivered_and_verified(&seen, &whsec).await;
    sb.shutdown().await;
}

/// Writes the fixture's data folder into `dir` (with the modes version 2 left: the
/// folder 0755, the database 0644), at schema `version` (1: without the tables version
/// 2 added), with the webhook endpoint pointed at `webhook_url`.
fn write_fixture(dir: &Path, version: u32, webhook_url: &str) {
    std::fs::create_dir_all(dir).expect("mkdir");
    for (name, text) in FIXTURE_FILES {
        std::fs::write(dir.join(name), text).expect("write");
    }
    let db = rusqlite::Connection::open(dir.join("munity.sqlite3")).expect("open");
    db.execute_batch(FIXTURE_SQL).expect("the fixture loads");
    db.execute("UPDATE webhook_endpoints SET url = ?1", [webhook_url])
        .expect("url");
    // Its delivery as done (no attempt will write its row again): only the migration
    // seals its URL.
    db.execute(
        "UPDATE webhook_deliveries SET url = ?1, status = 'failed'",
        [webhook_url],
    )
    .expect("url");
    if version == 1 {
        db.execute_batch(
            "DELETE FROM connections WHERE id IN (SELECT connection_id FROM connection_credentials);
             DROP TABLE connection_credentials;
             DROP TABLE workspace_keys;
             PRAGMA user_version = 1;",
        )
        .expect("version 1");
    }
    db.execute_batch("PRAGMA journal_mode = WAL;").expect("wal");
    drop(db);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let set = |path: &Path, mode: u32| {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod")
        };
        set(dir, 0o755);
        set(&dir.join("munity.sqlite3"), 0o644);
    }
}

fn user_version(dir: &Path) -> i64 {
    rusqlite::Connection::open(dir.join("munity.sqlite3"))
        .expect("open")
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .expect("user_version")
}

/// The fixture's keys (from its `keys.env`).
fn fixture_keys() -> (ApiKey, ApiKey) {
    let value = |name: &str| {
        FIXTURE_FILES[0]
            .1
            .lines()
            .find_map(|line| line.strip_prefix(&format!("{name}=")))
            .expect("in keys.env")
    };
    (
        ApiKey::parse(value("MUNITY_ADMIN_KEY")).expect("admin key"),
        ApiKey::parse(value("MUNITY_USER_KEY")).expect("user key"),
    )
}

/// A folder written by the sandbox of schema `version` is sealed in place on start:
/// no secret is left in clear, the folder and files become private, and everything
/// opens: records and configurations (their hints), links (link keys), envelopes (the
/// workspace key), webhook signatures (the endpoint's secret).
async fn an_old_data_folder_is_sealed_in_place(version: u32) {
    let parent = tempfile::tempdir().expect("tempdir");
    let dir = parent.path().join("data");
    let (url, seen) = receiver(0).await;
    // As if the product had configured its endpoint with a user name and password.
    let hook_password = "fixture-hook-password-0010";
    write_fixture(&dir, version, &with_credentials(&url, hook_password));
    let (admin_key, user_key) = fixture_keys();
    let old = std::fs::read(dir.join("munity.sqlite3")).expect("read");
    assert!(
        contains(&old, FIXTURE_SECRETS[0].as_bytes()),
        "the fixture holds secrets in clear"
    );

    let sb = Sandbox::start(SandboxOptions::dir(&dir))
        .await
        .expect("starts on the old folder");
    #[cfg(unix)]
    assert_private(&dir);
    let admin = Api::new(sb.base_url(), &admin_key);
    let records = admin.get("/credentials/").await;
    assert_eq!(records.status, 200, "{:?}", records.body);
    assert_eq!(records.body["count"], 5);
    let hints = records.body.to_string();
    for secret in &FIXTURE_SECRETS[..5] {
        let tail: String = secret
            .chars()
            .rev()
            .take(4)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        assert!(hints.contains(&format!("…{tail}")), "{tail} in {hints}");
        assert!(!hints.contains(secret));
    }
    let jira = admin.get("/connectors/jira/config/").await;
    assert_eq!(jira.body["client_secret_hint"], "…0006");
    assert_eq!(jira.body["client_id"], "fixture-jira-client");
    let pipedrive = admin.get("/connectors/pipedrive/config/").await;
    assert_eq!(pipedrive.body["api_key_hint"], "…0007");
    assert_ids_are_uuids_and_links_kept(&sb, &admin, &dir, version).await;
    // Records stored without a content type got `json` (schema version 4).
    for record in records.body["results"].as_array().expect("results") {
        assert_eq!(record["content_type"], "json", "{record}");
    }
    let created = connect_pipedrive(&sb, &admin_key, "acme", "after-migration-key-0009").await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.body["customer_id"], admin.acme().await.as_str());
    delivered_and_verified(&seen, FIXTURE_WEBHOOK_SECRET).await;
    let log = admin.get("/webhook/deliveries/").await;
    assert_eq!(log.status, 200, "{:?}", log.body);
    assert!(
        log.body["count"].as_u64().expect("count") >= 2,
        "{:?}",
        log.body
    );
    assert!(!log.body.to_string().contains(hook_password));
    sb.shutdown().await;

    assert_eq!(
        user_version(&dir),
        7,
        "migrated to the latest version (7: module connectors)"
    );
    let webhook_bytes = WebhookSecret::parse(FIXTURE_WEBHOOK_SECRET.trim())
        .expect("whsec")
        .expose_bytes()
        .to_vec();
    let mut needles = needles(&FIXTURE_SECRETS, &[&admin_key, &user_key]);
    needles.push(("the webhook secret", webhook_bytes));
    needles.push(("a secret", b"after-migration-key-0009".to_vec()));
    needles.push((
        "the webhook URL's password",
        hook_password.as_bytes().to_vec(),
    ));
    assert_not_in_database(&dir, &needles);

    // And again: a migrated folder starts as it is (nothing sealed twice).
    let sb = Sandbox::start(SandboxOptions::dir(&dir))
        .await
        .expect("restarts");
    let admin = Api::new(sb.base_url(), &admin_key);
    let jira = admin.get("/connectors/jira/config/").await;
    assert_eq!(jira.body["client_secret_hint"], "…0006");
    sb.shutdown().await;
}

/// After the migration to UUIDs (schema version 5): the workspace, customer, connection,
/// project, task and credential ids are UUIDs, every reference follows them (the
/// customer still has its connections, projects and tasks), the delivery log's payload
/// names the new ids, and `keys.env` names the workspace's new id.
async fn assert_ids_are_uuids_and_links_kept(sb: &Sandbox, admin: &Api, dir: &Path, version: u32) {
    let workspace = sb.workspace_id();
    assert!(is_uuid(workspace), "{workspace}");
    let ws = admin.get("/workspace/").await;
    assert_eq!(ws.body["id"], workspace, "{:?}", ws.body);
    let keys_env = std::fs::read_to_string(dir.join("keys.env")).expect("keys.env");
    assert!(
        keys_env.contains(&format!("MUNITY_WORKSPACE_ID={workspace}\n")),
        "{keys_env}"
    );
    let acme = admin.acme().await;
    assert!(is_uuid(&acme), "{acme}");
    let connections = admin.get(&format!("/customers/{acme}/connections/")).await;
    // The fixture's two connections (version 1 had no connection credentials: one).
    let expected = if version == 1 { 1 } else { 2 };
    assert_eq!(
        connections.body["count"], expected,
        "{:?}",
        connections.body
    );
    let projects = admin.get(&format!("/customers/{acme}/pm-projects/")).await;
    assert_eq!(projects.body["count"], 2, "{:?}", projects.body);
    let tasks = admin.get(&format!("/customers/{acme}/pm-tasks/")).await;
    assert_eq!(tasks.body["count"], 6, "{:?}", tasks.body);
    let project_ids: Vec<&str> = projects.body["results"]
        .as_array()
        .expect("projects")
        .iter()
        .map(|p| p["id"].as_str().expect("id"))
        .collect();
    for item in connections.body["results"]
        .as_array()
        .into_iter()
        .chain(projects.body["results"].as_array())
        .chain(tasks.body["results"].as_array())
        .flatten()
    {
        assert!(is_uuid(item["id"].as_str().expect("id")), "{item}");
        assert_eq!(item["customer_id"], acme.as_str(), "{item}");
        if let Some(project) = item.get("project_id") {
            assert!(
                project_ids.contains(&project.as_str().expect("id")),
                "{item}"
            );
        }
    }
    let records = admin.get("/credentials/").await;
    for record in records.body["results"].as_array().expect("records") {
        assert!(is_uuid(record["id"].as_str().expect("id")), "{record}");
    }
    let log = admin.get("/webhook/deliveries/").await;
    assert_eq!(log.status, 200, "{:?}", log.body);
    let log_text = log.body.to_string();
    assert!(
        !log_text.contains("con_") && !log_text.contains("cus_"),
        "{log_text}"
    );
    if version == 2 {
        let delivery = &log.body["results"][0];
        assert!(is_uuid(delivery["id"].as_str().expect("id")), "{delivery}");
    }
}

#[tokio::test]
async fn a_version_2_data_folder_is_sealed_in_place_on_start() {
    an_old_data_folder_is_sealed_in_place(2).await;
}

#[tokio::test]
async fn a_version_1_data_folder_is_sealed_and_gets_keys_on_start() {
    an_old_data_folder_is_sealed_in_place(1).await;
}
