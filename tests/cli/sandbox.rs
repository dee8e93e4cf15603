//! `munity sandbox` as a program: exactly five `NAME=value` lines on stdout, human text
//! on stderr, acknowledged writes survive `kill -9`, SIGTERM stops it cleanly.

use crate::sandbox_support;

use std::process::Command;

use crate::sandbox_process::{start, start_with_env};
use reqwest::Method;
use sandbox_support::Api;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prints_the_settings_and_survives_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let first = start(&["--data", "data", "--port", "0"], dir.path());
    let names: Vec<&str> = first.vars.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "MUNITY_API_BASE",
            "MUNITY_WORKSPACE_ID",
            "MUNITY_ADMIN_KEY",
            "MUNITY_USER_KEY",
            "MUNITY_CERTIFICATE"
        ]
    );
    assert!(first
        .var("MUNITY_API_BASE")
        .starts_with("http://127.0.0.1:"));
    assert!(first.var("MUNITY_API_BASE").ends_with("/v1"));
    assert!(dir.path().join("data/keys.env").exists());

    let api = first.api();
    let body = json!({"external_id": "durable", "name": "Durable"});
    let created = Api::answer(
        api.request(Method::POST, "/customers/")
            .header("Idempotency-Key", "durable-1")
            .json(&body),
    )
    .await;
    assert_eq!(created.status, 201);
    let vars = first.vars.clone();
    drop(first); // SIGKILL: no graceful shutdown

    let second = start(&["--data", "data"], dir.path());
    assert_eq!(
        second.vars[1..5],
        vars[1..5],
        "same workspace, keys and certificate"
    );
    let api = second.api();
    let found = api.get("/customers/?external_id=durable").await;
    assert_eq!(found.body["results"][0], created.body);
    let replay = Api::answer(
        api.request(Method::POST, "/customers/")
            .header("Idempotency-Key", "durable-1")
            .json(&body),
    )
    .await;
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));
    assert_eq!(replay.body, created.body);

    let mut second = second;
    let pid = second.child.id().to_string();
    let term = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(term.success());
    let status = second.child.wait().unwrap();
    assert!(status.success(), "SIGTERM stops it cleanly: {status}");
}

#[test]
fn memory_mode_leaves_no_folder() {
    let dir = tempfile::tempdir().unwrap();
    let running = start(&["--memory"], dir.path());
    assert!(running.var("MUNITY_ADMIN_KEY").len() == 41);
    drop(running);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn bad_arguments_fail() {
    for args in [
        &["sandbox", "--chaos", "1.5"][..],
        &["sandbox", "--allow-origin", "http://app.example.com"],
        &["sandbox", "--allow-origin", "https://*.example.com"],
        &["sandbox", "--www", "www"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_munity"))
            .args(args)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

/// `--allow-origin` (repeatable) seeds the workspace's allowed origins, canonical.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allow_origin_seeds_the_allowed_origins() {
    let dir = tempfile::tempdir().unwrap();
    let running = start(
        &[
            "--memory",
            "--allow-origin",
            "http://127.0.0.1:8788",
            "--allow-origin",
            "HTTPS://App.Example.com:443",
        ],
        dir.path(),
    );
    let workspace = running.api().get("/workspace/").await;
    assert_eq!(
        workspace.body["allowed_origins"],
        json!(["http://127.0.0.1:8788", "https://app.example.com"])
    );
}

/// The API documentation's example key and the customer id of its curl line.
const DOCUMENTED_KEY: &str = "REM0aW39.NfO0123456789CNeHpF29wo";
const DOCUMENTED_CUSTOMER: &str = "f87cc67d-b594-4407-a90d-b26cfdae8f14";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_documentations_key_and_curl_line_work() {
    let dir = tempfile::tempdir().unwrap();
    let user_key = "CiUser01.readonlyKeyOfTheTeamsCI";
    let running = start_with_env(
        &["--memory", "--admin-key", DOCUMENTED_KEY],
        &[("MUNITY_SANDBOX_USER_KEY", user_key)],
        dir.path(),
    );
    assert_eq!(running.var("MUNITY_ADMIN_KEY"), DOCUMENTED_KEY);
    assert_eq!(running.var("MUNITY_USER_KEY"), user_key);
    let base = running.var("MUNITY_API_BASE");

    // The curl line, host aside, verbatim: an unknown customer is 404, never 401.
    let answer = Api::answer(
        reqwest::Client::new()
            .get(format!(
                "{base}/customers/{DOCUMENTED_CUSTOMER}/pm-projects/"
            ))
            .header("Authorization", format!("X-Api-Key {DOCUMENTED_KEY}")),
    )
    .await;
    assert_eq!(answer.status, 404, "{:?}", answer.body);
    assert_eq!(answer.code(), "not_found");

    // The client takes the key as the documentation shows it.
    let client = munity::client::Client::builder()
        .api_key(DOCUMENTED_KEY)
        .base_url(base)
        .build()
        .unwrap();
    let workspace = client.workspace().get().await.unwrap();
    assert_eq!(workspace.id, running.var("MUNITY_WORKSPACE_ID"));
    let read_only = munity::client::Client::builder()
        .api_key(user_key)
        .base_url(base)
        .build()
        .unwrap();
    let refused = read_only
        .customers()
        .create(&munity::model::CustomerCreate::new("x", "x"))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "permission_denied");

    // `munity link --api-key` signs with it, and the sandbox opens the session.
    let out = Command::new(env!("CARGO_BIN_EXE_munity"))
        .args(["link", "--api-key", DOCUMENTED_KEY, "--workspace"])
        .arg(running.var("MUNITY_WORKSPACE_ID"))
        .args(["--customer", "acme", "--connector", "jira", "--base"])
        .arg(format!("{base}/connect"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let url = String::from_utf8(out.stdout).unwrap();
    let query = url.trim_end().split_once('?').unwrap().1;
    let session = running
        .api()
        .get(&format!("/connect/session?{query}"))
        .await;
    assert_eq!(session.status, 200, "{:?}", session.body);
}

#[test]
fn a_malformed_fixed_key_is_refused_without_echo() {
    for (args, env) in [
        (
            vec!["sandbox", "--memory", "--admin-key", "nodot-SECRETvalue"],
            vec![],
        ),
        (
            vec!["sandbox", "--memory"],
            vec![("MUNITY_SANDBOX_USER_KEY", "REM0aW39.SECRET value")],
        ),
        (
            vec![
                "sandbox",
                "--memory",
                "--admin-key",
                "SamePrfx.SECRETvalue1",
                "--user-key",
                "SamePrfx.SECRETvalue2",
            ],
            vec![],
        ),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_munity"))
            .args(&args)
            .envs(env)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?}");
        assert!(out.stdout.is_empty());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("munity: "), "{stderr}");
        assert!(!stderr.contains("SECRET"), "{stderr}");
    }
}
