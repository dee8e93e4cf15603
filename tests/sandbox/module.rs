//! Simple connection (RetailCRM-style modules), the third way to connect, over HTTP
//! against the sandbox in-process (127.0.0.1:0) and an independent stand-in for the
//! system written here (not the sandbox's own code): it answers `POST
//! /api/v5/integration-modules/{code}/edit` and records every call.
//!
//! Configuration → registration (a forged token: refused, the system never called; a
//! genuine one: one `edit` call, `accountUrl`, a `retailcrm` connection for the link's
//! customer; a replay: refused) → the transition page; the system down, slow, refusing
//! or redirecting: refused, nothing stored, the link still usable.

use crate::sandbox_support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use axum::Router;
use munity::link::LinkBuilder;
use munity::module::registration_token;
use munity::sandbox::{Sandbox, SandboxOptions};
use sandbox_support::receiver::{receiver, tarpit};
use sandbox_support::Api;
use serde_json::{json, Value};

/// The module's code and secret (from its partner account), as the workspace sets them.
const CODE: &str = "munity-test";
const MODULE_SECRET: &str = "module-secret-Vb7Qk2Lx9Pz4";
/// The system account's API key the registration brings.
const CRM_KEY: &str = "crm-key-Hn3Wd8Rt5Ym1Ks6J";

/// One `edit` call the stand-in system received.
#[derive(Debug, Clone)]
struct EditCall {
    code: String,
    api_key: Option<String>,
    module: Value,
}

/// How the stand-in system answers.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Behaviour {
    Accept,
    /// Accepts after 300 ms.
    AcceptSlowly,
    Refuse,
    Redirect,
}

#[derive(Clone)]
struct System {
    calls: Arc<Mutex<Vec<EditCall>>>,
    behaviour: Behaviour,
}

async fn edit(
    State(system): State<System>,
    Path(code): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> axum::response::Response {
    let field = form_urlencoded::parse(&body)
        .find(|(name, _)| name == "integrationModule")
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default();
    system.calls.lock().unwrap().push(EditCall {
        code,
        api_key: headers
            .get("x-api-key")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        module: serde_json::from_str(&field).unwrap_or(Value::Null),
    });
    match system.behaviour {
        Behaviour::Accept => (StatusCode::OK, r#"{"success":true}"#).into_response(),
        Behaviour::AcceptSlowly => {
            tokio::time::sleep(Duration::from_millis(300)).await;
            (StatusCode::OK, r#"{"success":true}"#).into_response()
        }
        Behaviour::Refuse => (
            StatusCode::BAD_REQUEST,
            r#"{"success":false,"errorMsg":"Module is blocked by the account owner"}"#,
        )
            .into_response(),
        Behaviour::Redirect => (
            StatusCode::TEMPORARY_REDIRECT,
            [("location", "/api/v5/integration-modules/elsewhere/edit")],
        )
            .into_response(),
    }
}

/// Starts the stand-in system; its base URL and the calls it receives.
async fn system(behaviour: Behaviour) -> (String, Arc<Mutex<Vec<EditCall>>>) {
    let calls = Arc::new(Mutex::new(Vec::new()));
    let app = Router::new()
        .route("/api/v5/integration-modules/{code}/edit", post(edit))
        .with_state(System {
            calls: Arc::clone(&calls),
            behaviour,
        });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, calls)
}

/// A URL where nothing listens (a port bound, then released).
async fn system_down() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    url
}

async fn start(options: SandboxOptions) -> (Sandbox, Api) {
    let sb = Sandbox::start(options).await.unwrap();
    let admin = Api::new(sb.base_url(), sb.admin_key());
    let answer = admin
        .put(
            "/connectors/retailcrm/config/",
            json!({ "module_code": CODE, "module_secret": MODULE_SECRET }),
        )
        .await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    (sb, admin)
}

fn link_query(sb: &Sandbox, customer: &str, connector: &str) -> String {
    let url = LinkBuilder::new(sb.workspace_id(), customer, connector)
        .base_url(format!("{}/connect", sb.base_url()))
        .sign(sb.admin_key(), munity::now_unix())
        .unwrap()
        .into_url();
    url.split_once('?').unwrap().1.to_owned()
}

fn register_url(sb: &Sandbox, query: &str) -> String {
    format!("{}/connect/module/register?{query}", sb.base_url())
}

/// The registration as RetailCRM sends it: form fields `register[...]`.
async fn register(url: &str, fields: &[(&str, &str)]) -> Value {
    let mut form = form_urlencoded::Serializer::new(String::new());
    for (name, value) in fields {
        form.append_pair(&format!("register[{name}]"), value);
    }
    let response = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form.finish())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "every answer is HTTP 200");
    response.json().await.unwrap()
}

/// A genuine registration of the key [`CRM_KEY`] from the system at `system_url`.
async fn register_genuine(url: &str, system_url: &str) -> Value {
    let token = registration_token(CRM_KEY, MODULE_SECRET);
    register(
        url,
        &[
            ("apiKey", CRM_KEY),
            ("systemUrl", system_url),
            ("token", token.expose()),
        ],
    )
    .await
}

fn error_msg(answer: &Value) -> &str {
    assert_eq!(answer["success"], false, "{answer}");
    answer["errorMsg"].as_str().expect("errorMsg")
}

/// The `retailcrm` connections of the seeded customer `acme`.
async fn connections(admin: &Api) -> Vec<Value> {
    let acme = admin.acme().await;
    let list = admin.get(&format!("/customers/{acme}/connections/")).await;
    assert_eq!(list.status, 200);
    let all = list.body["results"].as_array().unwrap().clone();
    all.into_iter()
        .filter(|c| c["connector"] == "retailcrm")
        .collect()
}

#[tokio::test]
async fn the_configuration_names_the_scopes_and_the_register_url_of_the_link() {
    let (sb, admin) = start(SandboxOptions::memory()).await;
    let query = link_query(&sb, "acme", "retailcrm");

    // The connect session gives the end user the configuration URL bound to the link.
    let session = admin
        .with_auth(None)
        .get(&format!("/connect/session?{query}"))
        .await;
    assert_eq!(session.status, 200, "{:?}", session.body);
    assert_eq!(session.body["connector"]["auth_type"], "module");
    let config_url = format!("{}/connect/module/config?{query}", sb.base_url());
    assert_eq!(session.body["module_config_url"], config_url.as_str());

    let config: Value = reqwest::get(&config_url)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(config["scopes"].as_array().is_some_and(|s| !s.is_empty()));
    assert_eq!(config["registerUrl"], register_url(&sb, &query).as_str());

    // Another connector's link has no configuration URL and no module configuration.
    let other = link_query(&sb, "acme", "pipedrive");
    let session = admin
        .with_auth(None)
        .get(&format!("/connect/session?{other}"))
        .await;
    assert!(session.body.get("module_config_url").is_none());
    let config: Value = reqwest::get(format!("{}/connect/module/config?{other}", sb.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(error_msg(&config).contains("does not connect as a module"));
    sb.shutdown().await;
}

#[tokio::test]
async fn a_forged_token_is_refused_and_the_system_is_never_called() {
    let (sb, admin) = start(SandboxOptions::memory()).await;
    let (system_url, calls) = system(Behaviour::Accept).await;
    let url = register_url(&sb, &link_query(&sb, "acme", "retailcrm"));

    let forged = registration_token(CRM_KEY, "another-secret");
    let answer = register(
        &url,
        &[
            ("apiKey", CRM_KEY),
            ("systemUrl", &system_url),
            ("token", forged.expose()),
        ],
    )
    .await;
    assert!(
        error_msg(&answer).contains("token does not match"),
        "{answer}"
    );
    // The key of another account with the right secret's token for CRM_KEY: forged too.
    let token = registration_token(CRM_KEY, MODULE_SECRET);
    let answer = register(
        &url,
        &[
            ("apiKey", "another-key"),
            ("systemUrl", &system_url),
            ("token", token.expose()),
        ],
    )
    .await;
    assert!(error_msg(&answer).contains("token does not match"));
    assert!(calls.lock().unwrap().is_empty(), "the system was called");
    assert!(connections(&admin).await.is_empty());

    // Fields missing or given twice.
    let answer = register(&url, &[("apiKey", CRM_KEY), ("systemUrl", &system_url)]).await;
    assert!(error_msg(&answer).contains("register[token]"), "{answer}");
    let answer = register(
        &url,
        &[
            ("apiKey", CRM_KEY),
            ("systemUrl", &system_url),
            ("token", token.expose()),
            ("token", token.expose()),
        ],
    )
    .await;
    assert!(error_msg(&answer).contains("appears twice"), "{answer}");
    let answer = register(&url, &[("apiKey", CRM_KEY), ("token", token.expose())]).await;
    assert!(
        error_msg(&answer).contains("register[systemUrl]"),
        "{answer}"
    );
    assert!(calls.lock().unwrap().is_empty());
    // No answer ever quotes the key or the token.
    assert!(!answer.to_string().contains(CRM_KEY));
    sb.shutdown().await;
}

#[tokio::test]
async fn a_genuine_registration_connects_once_and_opens_the_account_page() {
    let (sb, admin) = start(SandboxOptions::memory()).await;
    let (hook, delivered) = receiver(0).await;
    assert_eq!(
        admin.put("/webhook/", json!({ "url": hook })).await.status,
        200
    );
    let (system_url, calls) = system(Behaviour::Accept).await;
    let url = register_url(&sb, &link_query(&sb, "acme", "retailcrm"));

    let answer = register_genuine(&url, &system_url).await;
    assert_eq!(answer["success"], true, "{answer}");
    let account_url = answer["accountUrl"].as_str().unwrap().to_owned();
    assert_eq!(
        account_url,
        format!("{}/connect/module/account", sb.base_url())
    );

    // One edit call, with the key and the module's code.
    let call = {
        let calls = calls.lock().unwrap();
        assert_eq!(calls.len(), 1, "{calls:?}");
        calls[0].clone()
    };
    assert_eq!(call.code, CODE);
    assert_eq!(call.api_key.as_deref(), Some(CRM_KEY));
    assert_eq!(call.module["code"], CODE);
    assert_eq!(call.module["active"], true);
    assert_eq!(call.module["accountUrl"], account_url.as_str());
    let client_id = call.module["clientId"].as_str().unwrap().to_owned();
    assert!(
        client_id.len() >= 43,
        "clientId is unguessable: {client_id}"
    );

    // A retailcrm connection for the link's customer.
    let list = connections(&admin).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["connector"], "retailcrm");
    let id = list[0]["id"].as_str().unwrap().to_owned();
    for _ in 0..100 {
        if !delivered.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let body = delivered.lock().unwrap().first().map(|r| r.body.clone());
    let payload: Value = serde_json::from_slice(&body.expect("connection.created")).unwrap();
    assert_eq!(payload["type"], "connection.created");
    assert_eq!(payload["data"]["id"], id.as_str());
    assert!(!payload.to_string().contains(CRM_KEY));

    // Replayed: refused, no second call, no second connection.
    let replay = register_genuine(&url, &system_url).await;
    assert!(error_msg(&replay).contains("used"), "{replay}");
    assert_eq!(calls.lock().unwrap().len(), 1);
    assert_eq!(connections(&admin).await.len(), 1);

    // The system's transition: a POST with clientId shows the connection.
    let http = reqwest::Client::new();
    // The user's browser posts the form from the system's origin (not a frontend of the
    // workspace: a navigation, not a page's fetch).
    let page = http
        .post(&account_url)
        .header("origin", "https://shop.retailcrm.example")
        .form(&[("clientId", client_id.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = page.text().await.unwrap();
    assert!(html.contains("RetailCRM"), "{html}");
    assert!(html.contains("acme"), "{html}");
    assert!(html.contains(&id), "{html}");
    // Any other clientId opens nothing.
    let mut guessed = client_id.clone();
    guessed.replace_range(0..1, if guessed.starts_with('A') { "B" } else { "A" });
    let page = http
        .post(&account_url)
        .form(&[("clientId", guessed.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 404);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_json_registration_connects_too() {
    let (sb, admin) = start(SandboxOptions::memory()).await;
    let (system_url, calls) = system(Behaviour::Accept).await;
    let url = register_url(&sb, &link_query(&sb, "acme", "retailcrm"));
    let token = registration_token(CRM_KEY, MODULE_SECRET);
    let answer: Value = reqwest::Client::new()
        .post(&url)
        .json(&json!({"register": {
            "apiKey": CRM_KEY, "systemUrl": system_url, "token": token.expose()
        }}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["success"], true, "{answer}");
    assert_eq!(calls.lock().unwrap().len(), 1);
    assert_eq!(connections(&admin).await.len(), 1);
    sb.shutdown().await;
}

#[tokio::test]
async fn the_system_down_slow_refusing_or_redirecting_stores_nothing() {
    let (sb, admin) =
        start(SandboxOptions::memory().module_timeout(Duration::from_millis(500))).await;
    let url = register_url(&sb, &link_query(&sb, "acme", "retailcrm"));

    let down = register_genuine(&url, &system_down().await).await;
    assert!(
        error_msg(&down).contains("could not reach the system"),
        "{down}"
    );

    let (slow, accepted) = tarpit().await;
    let slow = slow.trim_end_matches("/hook").to_owned();
    let started = std::time::Instant::now();
    let answer = register_genuine(&url, &slow).await;
    assert!(error_msg(&answer).contains("did not answer"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(5), "bounded");
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 1);

    let (refusing, calls) = system(Behaviour::Refuse).await;
    let answer = register_genuine(&url, &refusing).await;
    assert!(
        error_msg(&answer).contains("Module is blocked by the account owner"),
        "the system's own reason: {answer}"
    );
    assert_eq!(calls.lock().unwrap().len(), 1);

    let (redirecting, calls) = system(Behaviour::Redirect).await;
    let answer = register_genuine(&url, &redirecting).await;
    assert!(error_msg(&answer).contains("HTTP 307"), "{answer}");
    assert_eq!(
        calls.lock().unwrap().len(),
        1,
        "the redirect is not followed"
    );

    assert!(connections(&admin).await.is_empty());
    // Nothing was stored: the same link still connects.
    let (system_url, calls) = system(Behaviour::Accept).await;
    let answer = register_genuine(&url, &system_url).await;
    assert_eq!(answer["success"], true, "{answer}");
    assert_eq!(calls.lock().unwrap().len(), 1);
    assert_eq!(connections(&admin).await.len(), 1);
    sb.shutdown().await;
}

#[tokio::test]
async fn an_unconfigured_module_or_an_expired_link_is_refused() {
    let (sb, _) = start(SandboxOptions::memory()).await;
    let (system_url, calls) = system(Behaviour::Accept).await;
    // A new workspace has not set up the module.
    let other = sb.create_workspace("other").await.unwrap();
    let admin = Api::new(sb.base_url(), &other.admin_key);
    let customer = admin
        .post("/customers/", json!({"external_id": "u-1", "name": "U"}))
        .await;
    assert_eq!(customer.status, 201, "{:?}", customer.body);
    let query = LinkBuilder::new(&other.workspace_id, "u-1", "retailcrm")
        .sign(&other.admin_key, munity::now_unix())
        .unwrap()
        .into_url();
    let url = register_url(&sb, query.split_once('?').unwrap().1);
    let answer = register_genuine(&url, &system_url).await;
    assert!(error_msg(&answer).contains("not set up"), "{answer}");

    let expired = LinkBuilder::new(sb.workspace_id(), "acme", "retailcrm")
        .sign(sb.admin_key(), munity::now_unix() - 3600)
        .unwrap()
        .into_url();
    let expired = register_url(&sb, expired.split_once('?').unwrap().1);
    let answer = register_genuine(&expired, &system_url).await;
    assert!(error_msg(&answer).contains("expired"), "{answer}");
    assert!(calls.lock().unwrap().is_empty());
    sb.shutdown().await;
}

#[tokio::test]
async fn the_module_secret_is_write_only() {
    let (sb, admin) = start(SandboxOptions::memory()).await;
    let config = admin.get("/connectors/retailcrm/config/").await;
    assert_eq!(config.status, 200);
    assert_eq!(config.body["module_code"], CODE);
    assert!(config.body["module_secret_hint"].is_string());
    assert!(!config.body.to_string().contains(MODULE_SECRET));

    let wrong = admin
        .put(
            "/connectors/pipedrive/config/",
            json!({ "module_secret": "x" }),
        )
        .await;
    assert_eq!(wrong.status, 400);
    assert_eq!(wrong.fields(), ["module_secret"]);
    let bad_code = admin
        .put(
            "/connectors/retailcrm/config/",
            json!({ "module_code": "a b" }),
        )
        .await;
    assert_eq!(bad_code.fields(), ["module_code"]);
    sb.shutdown().await;
}

#[tokio::test]
async fn the_sandbox_plays_the_system_too() {
    // The seeded workspace has the module set up; no configuration call here.
    let sb = Sandbox::start(SandboxOptions::memory()).await.unwrap();
    let admin = Api::new(sb.base_url(), sb.admin_key());
    let query = link_query(&sb, "acme", "retailcrm");
    let config_url = format!("{}/connect/module/config?{query}", sb.base_url());
    let origin = sb.base_url().trim_end_matches("/v1").to_owned();
    let http = reqwest::Client::new();

    let marketplace = http
        .get(format!("{origin}/crm/marketplace"))
        .query(&[("config_url", &config_url)])
        .send()
        .await
        .unwrap();
    assert_eq!(marketplace.status(), 200);
    assert!(marketplace.text().await.unwrap().contains("config_url"));

    let connected = http
        .post(format!("{origin}/crm/marketplace"))
        .form(&[("config_url", &config_url)])
        .send()
        .await
        .unwrap();
    assert_eq!(connected.status(), 200);
    let html = connected.text().await.unwrap();
    assert!(html.contains("Connected to Munity"), "{html}");
    assert!(html.contains("RetailCRM"), "{html}");
    assert_eq!(connections(&admin).await.len(), 1);

    // The same configuration URL again: the module card shows why not.
    let again = http
        .post(format!("{origin}/crm/marketplace"))
        .form(&[("config_url", &config_url)])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(again.contains("was not connected"), "{again}");
    assert!(again.contains("used"), "{again}");
    // The fake system follows no URL outside the sandbox.
    let elsewhere = http
        .post(format!("{origin}/crm/marketplace"))
        .form(&[(
            "config_url",
            "http://127.0.0.1:9/v1/connect/module/config?v=1",
        )])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(elsewhere.contains("follows only configuration URLs of this sandbox"));
    assert_eq!(connections(&admin).await.len(), 1);
    sb.shutdown().await;
}

#[tokio::test]
async fn the_module_secret_and_the_system_key_are_sealed_at_rest() {
    let dir = tempfile::tempdir().unwrap();
    let (sb, admin) = start(SandboxOptions::dir(dir.path())).await;
    let (system_url, _calls) = system(Behaviour::Accept).await;
    let url = register_url(&sb, &link_query(&sb, "acme", "retailcrm"));
    let answer = register_genuine(&url, &system_url).await;
    assert_eq!(answer["success"], true, "{answer}");
    assert_eq!(connections(&admin).await.len(), 1);
    sb.shutdown().await;

    let mut read = 0;
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        read += bytes.len();
        for (what, needle) in [
            ("the module secret", MODULE_SECRET),
            ("the system's key", CRM_KEY),
        ] {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "{what} is in clear in {}",
                path.display()
            );
        }
    }
    assert!(read > 0);
}

#[tokio::test]
async fn two_registrations_of_one_link_at_once_make_one_edit_call_and_one_connection() {
    let (sb, admin) = start(SandboxOptions::memory()).await;
    let (system_url, calls) = system(Behaviour::AcceptSlowly).await;
    let url = register_url(&sb, &link_query(&sb, "acme", "retailcrm"));
    let (first, second) = tokio::join!(
        register_genuine(&url, &system_url),
        register_genuine(&url, &system_url)
    );
    let successes = [&first, &second]
        .iter()
        .filter(|a| a["success"] == true)
        .count();
    assert_eq!(successes, 1, "{first} {second}");
    let refused = if first["success"] == true {
        &second
    } else {
        &first
    };
    assert!(
        error_msg(refused).contains("being registered already"),
        "{refused}"
    );
    assert_eq!(calls.lock().unwrap().len(), 1);
    assert_eq!(connections(&admin).await.len(), 1);
    sb.shutdown().await;
}

/// The SDK's `edit` call alone (what a product that is a module uses): the path, the
/// key header, the form field; the system's reason quoted on a refusal; no key in any
/// error.
#[tokio::test]
async fn the_sdk_edit_call_against_the_stand_in() {
    use munity::module::{IntegrationModule, SystemClient};
    use munity::{ErrorCode, Secret};

    let client = SystemClient::with_timeout(Duration::from_millis(500)).unwrap();
    let key = Secret::new(CRM_KEY.to_owned());
    let module = IntegrationModule::new(
        "my module/1",
        "My module",
        "https://module.example.com",
        "client-id-1",
        "https://module.example.com/account",
    );
    let (accepting, calls) = system(Behaviour::Accept).await;
    client
        .edit(&format!("{accepting}/"), &key, &module)
        .await
        .unwrap();
    let call = calls.lock().unwrap()[0].clone();
    assert_eq!(call.code, "my module/1", "the code is one path segment");
    assert_eq!(call.api_key.as_deref(), Some(CRM_KEY));
    assert_eq!(call.module["clientId"], "client-id-1");
    assert_eq!(call.module["name"], "My module");

    let (refusing, _) = system(Behaviour::Refuse).await;
    let refused = client.edit(&refusing, &key, &module).await.unwrap_err();
    assert_eq!(refused.error_code(), ErrorCode::ModuleEditRefused);
    assert_eq!(refused.status(), Some(400));
    let down = client
        .edit(&system_down().await, &key, &module)
        .await
        .unwrap_err();
    assert_eq!(down.error_code(), ErrorCode::ModuleSystemUnreachable);
    let (slow, _) = tarpit().await;
    let timeout = client
        .edit(slow.trim_end_matches("/hook"), &key, &module)
        .await
        .unwrap_err();
    assert_eq!(timeout.error_code(), ErrorCode::ModuleSystemTimeout);
    for err in [&refused, &down, &timeout] {
        assert!(!format!("{err} {err:?}").contains(CRM_KEY), "{err:?}");
    }
}
