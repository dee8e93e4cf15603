//! The API commands of the `munity` binary against the sandbox (in process on
//! 127.0.0.1:0), configured as a user would: `MUNITY_API_KEY` and `MUNITY_API_BASE`.
//! Tables by default, the API's JSON with `--json`, exit 1 for an API error, 2 for the
//! rest, and never the key on either stream.

use std::process::Output;

use munity::sandbox::{Sandbox, SandboxOptions};
use munity::ApiKey;
use serde_json::Value;

use crate::support;

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxOptions::memory()).await.unwrap()
}

/// Runs `munity <args>` with the sandbox's base URL and `key`, off the runtime thread
/// that serves the sandbox.
async fn munity(sb: &Sandbox, key: Option<&ApiKey>, args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    let base = sb.base_url().to_owned();
    let key = key.map(|k| k.expose().to_owned());
    let output = tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut env = vec![("MUNITY_API_BASE", base.as_str())];
        if let Some(key) = &key {
            env.push(("MUNITY_API_KEY", key.as_str()));
        }
        support::run_munity(&args, &env, b"")
    })
    .await
    .unwrap();
    let shown = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    for k in [sb.admin_key(), sb.user_key()] {
        assert!(!shown.contains(&k.expose()[9..]), "the key leaked: {shown}");
    }
    output
}

fn json(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}

fn text(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_list_json_lists_the_sandboxs_customers() {
    let sb = sandbox().await;
    let page = json(&munity(&sb, Some(sb.user_key()), &["customers", "list", "--json"]).await);
    assert!(page["count"].as_u64().unwrap() >= 1, "{page}");
    let acme = page["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["external_id"] == "acme")
        .expect("the seeded customer");
    assert!(acme["id"].as_str().is_some() && acme["created_at"].as_str().is_some());

    // The same list as a table: a header row and one row per customer.
    let table = text(&munity(&sb, Some(sb.user_key()), &["customers", "list"]).await);
    let mut lines = table.lines();
    let header = lines.next().unwrap();
    assert!(
        header.starts_with("ID") && header.contains("EXTERNAL_ID"),
        "{table}"
    );
    let row = lines.find(|l| l.contains(" acme ")).expect("acme's row");
    assert!(row.starts_with(acme["id"].as_str().unwrap()), "{row}");

    let one = json(
        &munity(
            &sb,
            Some(sb.user_key()),
            &["customers", "get", acme["id"].as_str().unwrap(), "--json"],
        )
        .await,
    );
    assert_eq!(&one, acme);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_create_then_connections_and_projects() {
    let sb = sandbox().await;
    let admin = Some(sb.admin_key());
    let created = json(
        &munity(
            &sb,
            admin,
            &[
                "customers",
                "create",
                "--external-id",
                "cli-1",
                "--name",
                "From the CLI",
                "--email",
                "cli@example.com",
                "--json",
            ],
        )
        .await,
    );
    assert_eq!(created["external_id"], "cli-1");
    assert_eq!(created["email"], "cli@example.com");

    let found = json(
        &munity(
            &sb,
            admin,
            &["customers", "list", "--external-id", "cli-1", "--json"],
        )
        .await,
    );
    assert_eq!(found["results"][0]["id"], created["id"]);

    let page = json(
        &munity(
            &sb,
            admin,
            &["customers", "list", "--external-id", "acme", "--json"],
        )
        .await,
    );
    let acme = page["results"][0]["id"].as_str().unwrap().to_owned();
    let connections = json(
        &munity(
            &sb,
            admin,
            &["connections", "list", "--customer", &acme, "--json"],
        )
        .await,
    );
    assert_eq!(connections["results"][0]["connector"], "jira");
    assert_eq!(connections["results"][0]["status"], "active");

    let projects = text(&munity(&sb, admin, &["pm-projects", "list", "--customer", &acme]).await);
    assert!(projects.starts_with("ID"), "{projects}");
    assert!(
        projects.lines().count() >= 3,
        "two seeded projects: {projects}"
    );
    assert!(projects.contains("jira"), "{projects}");
    let projects = json(
        &munity(
            &sb,
            admin,
            &["pm-projects", "list", "--customer", &acme, "--json"],
        )
        .await,
    );
    assert_eq!(projects["count"], 2, "{projects}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_sends_any_request_and_prints_the_json() {
    let sb = sandbox().await;
    let admin = Some(sb.admin_key());
    let page = json(&munity(&sb, admin, &["api", "GET", "/customers/?external_id=acme"]).await);
    assert_eq!(page["count"], 1);
    assert_eq!(page["results"][0]["external_id"], "acme");

    let created = json(
        &munity(
            &sb,
            admin,
            &[
                "api",
                "post",
                "customers/",
                "--data",
                r#"{"external_id":"api-1","name":"A"}"#,
            ],
        )
        .await,
    );
    assert_eq!(created["external_id"], "api-1");
    let id = created["id"].as_str().unwrap();
    let deleted = munity(&sb, admin, &["api", "DELETE", &format!("customers/{id}/")]).await;
    assert_eq!(text(&deleted), "");

    // An API error: exit 1, the code and the request id on stderr.
    let missing = munity(&sb, admin, &["api", "GET", &format!("customers/{id}/")]).await;
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr(&missing).contains("not_found"),
        "{}",
        stderr(&missing)
    );
    assert!(
        stderr(&missing).contains("request "),
        "{}",
        stderr(&missing)
    );

    // Not the API's fault: exit 2.
    let bad = munity(
        &sb,
        admin,
        &["api", "POST", "customers/", "--data", "{nope"],
    )
    .await;
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("invalid_body"), "{}", stderr(&bad));
    let bad = munity(&sb, admin, &["api", "GET", "../x"]).await;
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("invalid_path"), "{}", stderr(&bad));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_and_privileges() {
    let sb = sandbox().await;
    let none = munity(&sb, None, &["customers", "list"]).await;
    assert_eq!(none.status.code(), Some(2));
    assert!(
        stderr(&none).contains("MUNITY_API_KEY"),
        "{}",
        stderr(&none)
    );

    let read_only = munity(
        &sb,
        Some(sb.user_key()),
        &["customers", "create", "--external-id", "x", "--name", "X"],
    )
    .await;
    assert_eq!(read_only.status.code(), Some(1));
    assert!(
        stderr(&read_only).contains("permission_denied"),
        "{}",
        stderr(&read_only)
    );

    let wrong = ApiKey::parse("REM0aW39.NfO0123456789CNeHpF29wo012345678").unwrap();
    let refused = munity(&sb, Some(&wrong), &["customers", "list", "--json"]).await;
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("unauthenticated"),
        "{}",
        stderr(&refused)
    );
    assert!(!stderr(&refused).contains("NfO0123456789"));
}
