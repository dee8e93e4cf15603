//! Submitting credentials through a connect link, against the sandbox in-process (HTTP
//! on 127.0.0.1:0): link → session (with the workspace certificate) → `seal` → `POST
//! /v1/connect/credentials` → 201 connection, `connection.created` delivered, the link
//! used up (409); tampered, misbound, expired and user-key submissions refused; the
//! credentials' plaintext in no answer and nowhere in the data folder.

use crate::sandbox_support;

use std::time::Duration;

use munity::envelope::{seal, seal_with_ttl, Credentials, SessionBinding, WorkspaceCertificate};
use munity::link::{ConnectLink, LinkBuilder};
use munity::model::ConnectSession;
use munity::sandbox::{Sandbox, SandboxOptions};
use munity::ApiKey;
use reqwest::Method;
use sandbox_support::receiver::receiver;
use sandbox_support::{Answer, Api};
use serde_json::{json, Value};

/// The API-key secret the end user "types": it must never come back.
const SECRET: &str = "pd-token-Zq9vX2mK7tPfL4wR8nYc";

fn link(sb: &Sandbox, key: &ApiKey, customer: &str, connector: &str, now: i64) -> String {
    LinkBuilder::new(sb.workspace_id(), customer, connector)
        .base_url(format!("{}/connect", sb.base_url()))
        .sign(key, now)
        .unwrap()
        .into_url()
}

fn query(link: &str) -> &str {
    link.split_once('?').unwrap().1
}

/// The binding the connect page seals with: the link's own values.
fn binding_of(link: &str) -> SessionBinding {
    munity::connect::binding(&ConnectLink::parse(link).unwrap())
}

fn pipedrive_credentials() -> Credentials {
    Credentials::new()
        .with("api_key", SECRET)
        .with("company_domain", "acme-corp")
}

/// The anonymous API (the link is the credential).
fn anonymous(sb: &Sandbox) -> Api {
    Api::new(sb.base_url(), sb.admin_key()).with_auth(None)
}

async fn session(api: &Api, link: &str) -> Answer {
    api.get(&format!("/connect/session?{}", query(link))).await
}

async fn submit(api: &Api, link: &str, envelope: &str) -> Answer {
    api.post(
        &format!("/connect/credentials?{}", query(link)),
        json!({ "envelope": envelope }),
    )
    .await
}

/// The key of the link's session, read as the browser package reads it (its `jwk`); it
/// is the key of the session's certificate.
async fn certificate_of(api: &Api, link: &str) -> WorkspaceCertificate {
    let answer = session(api, link).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    let read: ConnectSession = serde_json::from_value(answer.body.clone()).unwrap();
    let key = WorkspaceCertificate::from_public_jwk(read.jwk.as_ref().unwrap()).unwrap();
    let pem = read.certificate.as_deref().unwrap();
    let certificate = WorkspaceCertificate::parse(pem, munity::now_unix()).unwrap();
    assert_eq!(answer.body["kid"], certificate.kid());
    assert_eq!(key.kid(), certificate.kid());
    key
}

async fn sealed_for(api: &Api, link: &str, credentials: &Credentials) -> String {
    let certificate = certificate_of(api, link).await;
    seal(
        &certificate,
        &binding_of(link),
        credentials,
        munity::now_unix(),
    )
    .unwrap()
}

#[tokio::test]
async fn the_certificate_is_served_to_any_key_and_in_the_session() {
    let sb = Sandbox::start(SandboxOptions::memory()).await.unwrap();
    let now = munity::now_unix();
    for key in [sb.admin_key(), sb.user_key()] {
        let answer = Api::new(sb.base_url(), key)
            .get("/workspace/certificate/")
            .await;
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        assert_eq!(answer.body["certificate"], sb.certificate_pem());
        let certificate = WorkspaceCertificate::parse(sb.certificate_pem(), now).unwrap();
        assert_eq!(answer.body["kid"], certificate.kid());
        // Its key as a JWK, for the browser package (which reads no X.509).
        assert_eq!(
            answer.body["jwk"],
            serde_json::to_value(certificate.jwk()).unwrap()
        );
        // Valid for one year.
        let year = 365 * 24 * 3600;
        let parsed_later = WorkspaceCertificate::parse(sb.certificate_pem(), now + year - 3600);
        assert!(parsed_later.is_ok());
        let expired =
            WorkspaceCertificate::parse(sb.certificate_pem(), now + year + 3600).unwrap_err();
        assert_eq!(expired.code(), "certificate_expired");
    }
    let unauthenticated = anonymous(&sb).get("/workspace/certificate/").await;
    assert_eq!(unauthenticated.status, 401);

    let url = link(&sb, sb.admin_key(), "acme", "pipedrive", now);
    let answer = session(&anonymous(&sb), &url).await;
    assert_eq!(answer.body["certificate"], sb.certificate_pem());
    // The session's wire format is the model's, and names the session the browser binds
    // the envelope to.
    let read: ConnectSession = serde_json::from_value(answer.body.clone()).unwrap();
    assert_eq!(serde_json::to_value(&read).unwrap(), answer.body);
    let bound = binding_of(&url);
    assert_eq!(read.workspace, bound.workspace.unwrap());
    assert_eq!(read.customer.external_id, bound.customer);
    assert_eq!(read.connector.name, bound.connector);
    assert_eq!(read.nonce, bound.nonce);
    assert_eq!(read.certificate.as_deref(), Some(sb.certificate_pem()));
    let certificate = WorkspaceCertificate::parse(sb.certificate_pem(), now).unwrap();
    assert_eq!(read.jwk, Some(certificate.jwk()));
    assert_eq!(read.kid.as_deref(), Some(certificate.kid()));

    // Each workspace has its own key.
    let other = sb.create_workspace("other").await.unwrap();
    assert_ne!(other.certificate_pem, sb.certificate_pem());
    let answer = Api::new(sb.base_url(), &other.user_key)
        .get("/workspace/certificate/")
        .await;
    assert_eq!(answer.body["certificate"], other.certificate_pem);
    sb.shutdown().await;
}

/// The browser package checks no certificate dates (it takes the key alone), so the API
/// hands out no certificate that is not valid now.
#[tokio::test]
async fn no_session_is_opened_with_an_expired_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let sb = Sandbox::start(SandboxOptions::dir(dir.path()))
        .await
        .unwrap();
    let now = munity::now_unix();
    let two_years_ago = now - 2 * 365 * 24 * 3600;
    let expired = munity::envelope::WorkspacePrivateKey::generate_p256()
        .self_signed_certificate("expired", two_years_ago)
        .unwrap();
    rusqlite::Connection::open(dir.path().join("munity.sqlite3"))
        .unwrap()
        .execute("UPDATE workspace_keys SET certificate = ?1", [&expired])
        .unwrap();
    let url = link(&sb, sb.admin_key(), "acme", "pipedrive", now);
    let answer = session(&anonymous(&sb), &url).await;
    assert_eq!(answer.status, 409, "{:?}", answer.body);
    assert_eq!(answer.code(), "certificate_expired");
    assert!(answer.body.get("jwk").is_none());
    sb.shutdown().await;
}

#[tokio::test]
async fn credentials_make_a_connection_once() {
    let sb = Sandbox::start(SandboxOptions::memory()).await.unwrap();
    let admin = Api::new(sb.base_url(), sb.admin_key());
    let api = anonymous(&sb);
    let (hook, seen) = receiver(0).await;
    assert_eq!(
        admin.put("/webhook/", json!({ "url": hook })).await.status,
        200
    );
    let acme = admin.acme().await;
    let now = munity::now_unix();
    let url = link(&sb, sb.admin_key(), "acme", "pipedrive", now);

    let envelope = sealed_for(&api, &url, &pipedrive_credentials()).await;
    let created = submit(&api, &url, &envelope).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let connection = &created.body;
    assert_eq!(connection["customer_id"], acme.as_str());
    assert_eq!(connection["connector"], "pipedrive");
    assert_eq!(connection["status"], "active");
    let id = connection["id"].as_str().unwrap();

    let list = admin.get(&format!("/customers/{acme}/connections/")).await;
    assert!(
        list.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == id && c["connector"] == "pipedrive"),
        "{:?}",
        list.body
    );

    // The same link again, even with a fresh envelope: used up.
    let again = submit(&api, &url, &envelope).await;
    assert_eq!(again.status, 409);
    assert_eq!(again.code(), "link_used");
    let fresh = sealed_for_used_link(&sb, &url).await;
    assert_eq!(submit(&api, &url, &fresh).await.code(), "link_used");
    assert_eq!(session(&api, &url).await.status, 409);

    // connection.created reached the endpoint, without the credentials.
    let mut delivered = None;
    for _ in 0..100 {
        if let Some(body) = seen.lock().unwrap().first().map(|r| r.body.clone()) {
            delivered = Some(body);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let delivered = delivered.expect("connection.created was delivered");
    let payload: Value = serde_json::from_slice(&delivered).unwrap();
    assert_eq!(payload["type"], "connection.created");
    assert_eq!(payload["data"]["id"], id);
    assert!(!String::from_utf8_lossy(&delivered).contains(SECRET));
    sb.shutdown().await;
}

/// An envelope for a link whose nonce is consumed, sealed with the public certificate
/// (the session refuses a used link, so it comes from the handle).
async fn sealed_for_used_link(sb: &Sandbox, url: &str) -> String {
    let now = munity::now_unix();
    let certificate = WorkspaceCertificate::parse(sb.certificate_pem(), now).unwrap();
    seal(
        &certificate,
        &binding_of(url),
        &pipedrive_credentials(),
        now,
    )
    .unwrap()
}

#[tokio::test]
async fn altered_misbound_and_expired_envelopes_are_refused_and_leave_the_link_usable() {
    let sb = Sandbox::start(SandboxOptions::memory()).await.unwrap();
    let api = anonymous(&sb);
    let now = munity::now_unix();
    let url = link(&sb, sb.admin_key(), "acme", "pipedrive", now);
    let certificate = certificate_of(&api, &url).await;
    let creds = pipedrive_credentials();

    // One character of the ciphertext changed.
    let good = seal(&certificate, &binding_of(&url), &creds, now).unwrap();
    let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
    let flipped = if parts[3].starts_with('A') { "B" } else { "A" };
    parts[3].replace_range(0..1, flipped);
    let answer = submit(&api, &url, &parts.join(".")).await;
    assert_eq!(answer.status, 400, "{:?}", answer.body);
    assert_eq!(answer.code(), "envelope_decryption_failed");

    // Sealed for another customer, another connector, another link's nonce, or
    // without the workspace.
    let mut other_customer = binding_of(&url);
    other_customer.customer = "globex".into();
    let mut other_connector = binding_of(&url);
    other_connector.connector = "odoo".into();
    let other_link = link(&sb, sb.admin_key(), "acme", "pipedrive", now);
    let other_nonce = binding_of(&other_link);
    let mut no_workspace = binding_of(&url);
    no_workspace.workspace = None;
    for binding in [other_customer, other_connector, other_nonce, no_workspace] {
        let envelope = seal(&certificate, &binding, &creds, now).unwrap();
        let answer = submit(&api, &url, &envelope).await;
        assert_eq!(answer.status, 400, "{binding:?}: {:?}", answer.body);
        assert_eq!(answer.code(), "envelope_binding_mismatch");
    }

    // Expired: sealed 200 s ago for 60 s.
    let old = seal_with_ttl(&certificate, &binding_of(&url), &creds, now - 200, 60).unwrap();
    let answer = submit(&api, &url, &old).await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.code(), "envelope_expired");

    // Sealed to another workspace's certificate.
    let other = sb.create_workspace("other").await.unwrap();
    let foreign = WorkspaceCertificate::parse(&other.certificate_pem, now).unwrap();
    let envelope = seal(&foreign, &binding_of(&url), &creds, now).unwrap();
    assert_eq!(
        submit(&api, &url, &envelope).await.code(),
        "envelope_wrong_key"
    );

    // Not an envelope; not the expected body.
    assert_eq!(
        submit(&api, &url, "not.a.jwe").await.code(),
        "envelope_malformed"
    );
    let answer = api
        .post(
            &format!("/connect/credentials?{}", query(&url)),
            json!({ "jwe": good }),
        )
        .await;
    assert_eq!(answer.status, 400);

    // None of that consumed the link.
    let answer = submit(&api, &url, &good).await;
    assert_eq!(answer.status, 201, "{:?}", answer.body);
    sb.shutdown().await;
}

#[tokio::test]
async fn the_link_is_checked_as_for_the_session() {
    let sb = Sandbox::start(SandboxOptions::memory()).await.unwrap();
    let api = anonymous(&sb);
    let now = munity::now_unix();
    let certificate = WorkspaceCertificate::parse(sb.certificate_pem(), now).unwrap();
    let creds = pipedrive_credentials();
    let envelope_for = |url: &str| seal(&certificate, &binding_of(url), &creds, now).unwrap();

    // Signed with the user (read-only) key.
    let url = link(&sb, sb.user_key(), "acme", "pipedrive", now);
    let answer = submit(&api, &url, &envelope_for(&url)).await;
    assert_eq!(answer.status, 403);
    assert_eq!(answer.code(), "permission_denied");

    // Expired link (the envelope itself is fresh).
    let url = link(&sb, sb.admin_key(), "acme", "pipedrive", now - 600 - 61 - 5);
    let answer = submit(&api, &url, &envelope_for(&url)).await;
    assert_eq!(answer.status, 401);
    assert_eq!(answer.code(), "link_expired");

    // Altered link: the envelope matches the altered values, the signature does not.
    let url = link(&sb, sb.admin_key(), "acme", "pipedrive", now);
    let altered = url.replace("connector=pipedrive", "connector=odoo");
    let answer = submit(&api, &altered, &envelope_for(&altered)).await;
    assert_eq!(answer.status, 401);
    assert_eq!(answer.code(), "link_invalid_signature");

    // No link at all; unknown connector.
    let answer = api
        .post("/connect/credentials", json!({ "envelope": "x" }))
        .await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.code(), "link_invalid");
    let url = link(&sb, sb.admin_key(), "acme", "no-such-connector", now);
    assert_eq!(submit(&api, &url, &envelope_for(&url)).await.status, 404);

    // GET is not a method of this route.
    let answer = Api::answer(api.request(
        Method::GET,
        &format!("/connect/credentials?{}", query(&url)),
    ))
    .await;
    assert_eq!(answer.status, 405);
    sb.shutdown().await;
}

#[tokio::test]
async fn credentials_must_fit_the_connector_fields() {
    let sb = Sandbox::start(SandboxOptions::memory()).await.unwrap();
    let api = anonymous(&sb);
    let now = munity::now_unix();
    let certificate = WorkspaceCertificate::parse(sb.certificate_pem(), now).unwrap();
    let url = link(&sb, sb.admin_key(), "acme", "pipedrive", now);
    let cases: [(Credentials, &[&str]); 3] = [
        (
            Credentials::new().with("api_key", SECRET),
            &["credentials.company_domain"],
        ),
        (
            Credentials::new()
                .with("api_key", " ")
                .with("company_domain", "acme")
                .with("colour", "blue"),
            &["credentials.api_key", "credentials.colour"],
        ),
        (
            Credentials::new().with("password", SECRET),
            &[
                "credentials.api_key",
                "credentials.company_domain",
                "credentials.password",
            ],
        ),
    ];
    for (creds, fields) in cases {
        let envelope = seal(&certificate, &binding_of(&url), &creds, now).unwrap();
        let answer = submit(&api, &url, &envelope).await;
        assert_eq!(answer.status, 400, "{:?}", answer.body);
        assert_eq!(answer.code(), "validation");
        assert_eq!(answer.fields(), fields);
        assert!(!answer.body.to_string().contains(SECRET));
    }
    // OAuth 2.0 connectors take no credentials.
    let jira = link(&sb, sb.admin_key(), "acme", "jira", now);
    let token = Credentials::new().with("token", SECRET);
    let envelope = seal(&certificate, &binding_of(&jira), &token, now).unwrap();
    let answer = submit(&api, &jira, &envelope).await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.fields(), ["credentials"]);
    // The link still works with the right fields.
    let envelope = seal(
        &certificate,
        &binding_of(&url),
        &pipedrive_credentials(),
        now,
    )
    .unwrap();
    assert_eq!(submit(&api, &url, &envelope).await.status, 201);
    sb.shutdown().await;
}

/// Every file under `dir`, recursively.
fn files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn stored_credentials_appear_in_no_answer_and_nowhere_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let sb = Sandbox::start(SandboxOptions::dir(dir.path()))
        .await
        .unwrap();
    let admin = Api::new(sb.base_url(), sb.admin_key());
    let api = anonymous(&sb);
    let (hook, seen) = receiver(0).await;
    admin.put("/webhook/", json!({ "url": hook })).await;
    let now = munity::now_unix();
    let url = link(&sb, sb.admin_key(), "acme", "pipedrive", now);
    let envelope = sealed_for(&api, &url, &pipedrive_credentials()).await;
    assert!(!envelope.contains(SECRET));

    let mut answers = vec![submit(&api, &url, &envelope).await];
    assert_eq!(answers[0].status, 201);
    let acme = admin.acme().await;
    let id = answers[0].body["id"].as_str().unwrap().to_owned();
    for path in [
        format!("/customers/{acme}/connections/"),
        format!("/customers/{acme}/connections/{id}/"),
        format!("/customers/{acme}/"),
        "/credentials/".to_owned(),
        "/webhook/deliveries/".to_owned(),
        "/connectors/pipedrive/".to_owned(),
        "/workspace/".to_owned(),
    ] {
        let answer = admin.get(&path).await;
        assert_eq!(answer.status, 200, "{path}: {:?}", answer.body);
        answers.push(answer);
    }
    answers.push(submit(&api, &url, &envelope).await);
    answers.push(session(&api, &url).await);
    for answer in &answers {
        assert!(
            !answer.body.to_string().contains(SECRET),
            "{:?}",
            answer.body
        );
        for (_, value) in &answer.headers {
            assert!(!contains(value.as_bytes(), SECRET.as_bytes()));
        }
    }
    for _ in 0..100 {
        if !seen.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for body in seen.lock().unwrap().iter().map(|r| &r.body) {
        assert!(!contains(body, SECRET.as_bytes()));
    }
    let pem = sb.certificate_pem().to_owned();
    sb.shutdown().await;

    // The database (and its WAL), the key files: no plaintext. The connection's row is
    // there (the check can see stored data).
    let all = files(dir.path());
    assert!(all.iter().any(|p| p.ends_with("storage.key")));
    let mut found_connection = false;
    for path in &all {
        let bytes = std::fs::read(path).unwrap();
        assert!(
            !contains(&bytes, SECRET.as_bytes()),
            "{} holds the secret in clear",
            path.display()
        );
        found_connection |= contains(&bytes, id.as_bytes());
    }
    assert!(found_connection, "the connection is stored in the folder");

    let sealed_rows = || {
        rusqlite::Connection::open(dir.path().join("munity.sqlite3"))
            .unwrap()
            .query_row("SELECT COUNT(*) FROM connection_credentials", [], |row| {
                row.get::<_, i64>(0)
            })
            .unwrap()
    };
    assert_eq!(sealed_rows(), 1);

    // After a restart: the same certificate (the key is kept). Deleting the connection
    // deletes its sealed credentials.
    let again = Sandbox::start(SandboxOptions::dir(dir.path()))
        .await
        .unwrap();
    assert_eq!(again.certificate_pem(), pem);
    let admin = Api::new(again.base_url(), again.admin_key());
    let deleted = admin
        .delete(&format!("/customers/{acme}/connections/{id}/"))
        .await;
    assert_eq!(deleted.status, 204);
    again.shutdown().await;
    assert_eq!(sealed_rows(), 0);
}

#[tokio::test]
async fn concurrent_submissions_of_one_link_make_one_connection() {
    let sb = Sandbox::start(SandboxOptions::memory()).await.unwrap();
    let admin = Api::new(sb.base_url(), sb.admin_key());
    let api = anonymous(&sb);
    let acme = admin.acme().await;
    let before = admin.get(&format!("/customers/{acme}/connections/")).await;
    let now = munity::now_unix();
    let url = link(&sb, sb.admin_key(), "acme", "pipedrive", now);
    let certificate = certificate_of(&api, &url).await;
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let envelope = seal(
            &certificate,
            &binding_of(&url),
            &pipedrive_credentials(),
            now,
        )
        .unwrap();
        let (api, url) = (api.clone(), url.clone());
        tasks.push(tokio::spawn(
            async move { submit(&api, &url, &envelope).await },
        ));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        let answer = task.await.unwrap();
        if answer.status == 409 {
            assert_eq!(answer.code(), "link_used");
        }
        statuses.push(answer.status);
    }
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409, 409, 409, 409, 409, 409, 409]);
    let after = admin.get(&format!("/customers/{acme}/connections/")).await;
    assert_eq!(
        after.body["count"].as_u64().unwrap(),
        before.body["count"].as_u64().unwrap() + 1
    );
    sb.shutdown().await;
}

/// The customers of the workspace with this external id.
async fn customers_named(admin: &Api, external_id: &str) -> Vec<Value> {
    let page = admin
        .get(&format!("/customers/?external_id={external_id}"))
        .await;
    assert_eq!(page.status, 200, "{:?}", page.body);
    page.body["results"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_never_seen_internal_id_connects_and_creates_its_customer_once() {
    let sb = Sandbox::start(SandboxOptions::memory()).await.unwrap();
    let admin = Api::new(sb.base_url(), sb.admin_key());
    let api = anonymous(&sb);
    let now = munity::now_unix();
    let internal = "product-user-7781";
    assert!(customers_named(&admin, internal).await.is_empty());

    // The session opens before any customer exists.
    let url = link(&sb, sb.admin_key(), internal, "pipedrive", now);
    let answer = session(&api, &url).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    assert_eq!(
        answer.body["customer"],
        json!({"id": null, "external_id": internal})
    );
    assert!(
        customers_named(&admin, internal).await.is_empty(),
        "a session writes nothing"
    );

    // The first connection creates it, named after the internal id.
    let created = submit(
        &api,
        &url,
        &sealed_for(&api, &url, &pipedrive_credentials()).await,
    )
    .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let found = customers_named(&admin, internal).await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["name"], internal);
    let id = found[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(created.body["customer_id"], id.as_str());

    // Later links for the same id reach the same customer.
    let again = link(&sb, sb.admin_key(), internal, "pipedrive", now);
    let answer = session(&api, &again).await;
    assert_eq!(
        answer.body["customer"],
        json!({"id": id, "external_id": internal})
    );
    let second = submit(
        &api,
        &again,
        &sealed_for(&api, &again, &pipedrive_credentials()).await,
    )
    .await;
    assert_eq!(second.status, 201, "{:?}", second.body);
    assert_eq!(second.body["customer_id"], id.as_str());
    assert_eq!(customers_named(&admin, internal).await.len(), 1);

    // The link names the product's id, never Munity's: a link carrying a Munity
    // customer id is another internal id.
    let acme = admin.acme().await;
    let by_munity_id = link(&sb, sb.admin_key(), &acme, "pipedrive", now);
    let answer = session(&api, &by_munity_id).await;
    assert_eq!(
        answer.body["customer"],
        json!({"id": null, "external_id": acme})
    );
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_first_connections_create_one_customer() {
    let sb = Sandbox::start(SandboxOptions::memory()).await.unwrap();
    let admin = Api::new(sb.base_url(), sb.admin_key());
    let api = anonymous(&sb);
    let now = munity::now_unix();
    let internal = "raced-7782";
    let mut submissions = Vec::new();
    for _ in 0..8 {
        let url = link(&sb, sb.admin_key(), internal, "pipedrive", now);
        let envelope = sealed_for(&api, &url, &pipedrive_credentials()).await;
        let api = api.clone();
        submissions.push(tokio::spawn(
            async move { submit(&api, &url, &envelope).await },
        ));
    }
    let mut customer_ids = std::collections::BTreeSet::new();
    for submission in submissions {
        let answer = submission.await.unwrap();
        assert_eq!(answer.status, 201, "{:?}", answer.body);
        customer_ids.insert(answer.body["customer_id"].as_str().unwrap().to_owned());
    }
    assert_eq!(customer_ids.len(), 1, "{customer_ids:?}");
    let found = customers_named(&admin, internal).await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["id"], customer_ids.first().unwrap().as_str());
    sb.shutdown().await;
}

/// A sealed envelope for `url` with one character of its ciphertext changed: it fails
/// only after the key agreement and the decryption ran.
async fn altered_for(api: &Api, url: &str) -> String {
    let good = sealed_for(api, url, &pipedrive_credentials()).await;
    let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
    let flipped = if parts[3].starts_with('A') { "B" } else { "A" };
    parts[3].replace_range(0..1, flipped);
    parts.join(".")
}

#[tokio::test]
async fn an_envelope_is_opened_before_the_write_lock_is_taken() {
    let dir = tempfile::tempdir().unwrap();
    let sb = Sandbox::start(SandboxOptions::dir(dir.path()))
        .await
        .unwrap();
    let api = anonymous(&sb);
    let now = munity::now_unix();
    let url = link(&sb, sb.admin_key(), "acme", "pipedrive", now);
    let altered = altered_for(&api, &url).await;

    // Another process holds SQLite's write lock.
    let blocker = rusqlite::Connection::open(dir.path().join("munity.sqlite3")).unwrap();
    blocker.execute_batch("BEGIN IMMEDIATE").unwrap();
    let started = std::time::Instant::now();
    let answer = submit(&api, &url, &altered).await;
    let waited = started.elapsed();
    assert_eq!(answer.status, 400, "{:?}", answer.body);
    assert_eq!(answer.code(), "envelope_decryption_failed");
    assert!(
        waited < Duration::from_secs(2),
        "a bad envelope waited {waited:?} for the write lock"
    );
    blocker.execute_batch("ROLLBACK").unwrap();

    let envelope = sealed_for(&api, &url, &pipedrive_credentials()).await;
    assert_eq!(submit(&api, &url, &envelope).await.status, 201);
    sb.shutdown().await;
}

#[tokio::test]
async fn attempts_are_limited_per_link() {
    let sb = Sandbox::start(SandboxOptions::memory()).await.unwrap();
    let api = anonymous(&sb);
    let now = munity::now_unix();
    let url = link(&sb, sb.admin_key(), "acme", "pipedrive", now);
    let altered = altered_for(&api, &url).await;
    for _ in 0..10 {
        assert_eq!(submit(&api, &url, &altered).await.status, 400);
    }
    // Even the right envelope now waits.
    let envelope = sealed_for(&api, &url, &pipedrive_credentials()).await;
    let limited = submit(&api, &url, &envelope).await;
    assert_eq!(limited.status, 429, "{:?}", limited.body);
    assert_eq!(limited.code(), "rate_limited");
    let wait: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=30).contains(&wait), "{wait}");
    // Another link from the same address is not affected.
    let other = link(&sb, sb.admin_key(), "acme", "pipedrive", now);
    let envelope = sealed_for(&api, &other, &pipedrive_credentials()).await;
    assert_eq!(submit(&api, &other, &envelope).await.status, 201);
    sb.shutdown().await;
}

#[tokio::test]
async fn attempts_are_limited_per_client_address() {
    let sb = Sandbox::start(SandboxOptions::memory()).await.unwrap();
    let api = anonymous(&sb);
    let now = munity::now_unix();
    let mut refused_at = None;
    let started = std::time::Instant::now();
    for attempt in 1..=200 {
        // A fresh link each time: only the address is common.
        let url = link(&sb, sb.admin_key(), "acme", "pipedrive", now);
        let answer = submit(&api, &url, "not.a.jwe").await;
        if answer.status == 429 {
            assert_eq!(answer.code(), "rate_limited");
            assert!(answer.header("retry-after").is_some());
            refused_at = Some(attempt);
            break;
        }
        assert_eq!(answer.code(), "envelope_malformed");
    }
    let refused_at = refused_at.expect("the address was never limited");
    // A burst of 60, refilled at one per 2 s while the loop ran.
    let refilled = (started.elapsed().as_secs_f64() / 2.0).ceil() as usize;
    assert!(
        (61..=61 + refilled).contains(&refused_at),
        "refused at {refused_at} ({refilled} refilled)"
    );
    sb.shutdown().await;
}
