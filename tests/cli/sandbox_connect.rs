//! `munity sandbox` prints `MUNITY_CERTIFICATE=<path>`; the whole connect flow through the
//! built binary: `munity link` → `munity seal --certificate <that file> --link` → `POST
//! /v1/connect/credentials` → 201. With `--memory` the file is temporary and goes when the
//! sandbox stops (SIGTERM); with a data folder it is `<data>/certificate.pem`.

use std::path::{Path, PathBuf};
use std::process::Command;

use munity::envelope::WorkspaceCertificate;

use crate::sandbox_process::{start, Running};
use crate::support;

/// Stops the sandbox with SIGTERM and waits for a clean exit.
fn stop(mut running: Running) {
    let pid = running.child.id().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(killed.success());
    let status = running.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

fn munity(args: &[&str], stdin: &str) -> String {
    let output = support::run_munity(args, &[], stdin.as_bytes());
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// The certificate file is the workspace's, and a link + `munity seal` with it makes a
/// connection.
async fn connect_through_the_cli(running: &Running) -> PathBuf {
    let var = |name: &str| running.var(name).to_owned();
    let path = PathBuf::from(var("MUNITY_CERTIFICATE"));
    let pem = std::fs::read_to_string(&path).unwrap();
    let now = munity::now_unix();
    WorkspaceCertificate::parse(&pem, now).unwrap();
    let base = var("MUNITY_API_BASE");
    let http = reqwest::Client::new();
    let served: serde_json::Value = http
        .get(format!("{base}/workspace/certificate/"))
        .header(
            "Authorization",
            munity::ApiKey::parse(&var("MUNITY_USER_KEY"))
                .unwrap()
                .authorization_value()
                .expose()
                .as_str(),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(served["certificate"], pem.as_str());

    let url = munity(
        &[
            "link",
            "--api-key",
            &var("MUNITY_ADMIN_KEY"),
            "--workspace",
            &var("MUNITY_WORKSPACE_ID"),
            "--customer",
            "acme",
            "--connector",
            "custom_basic",
            "--base",
            &format!("{base}/connect"),
        ],
        "",
    );
    let envelope = munity(
        &[
            "seal",
            "--certificate",
            path.to_str().unwrap(),
            "--link",
            &url,
        ],
        r#"{"username": "ada", "password": "hunter2"}"#,
    );
    let query = url.split_once('?').unwrap().1;
    let answer = http
        .post(format!("{base}/connect/credentials?{query}"))
        .json(&serde_json::json!({ "envelope": envelope }))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 201);
    path
}

#[tokio::test]
async fn in_memory_the_certificate_file_is_temporary() {
    let dir = tempfile::tempdir().unwrap();
    let running = start(&["--memory"], dir.path());
    let path = connect_through_the_cli(&running).await;
    assert!(path.exists());
    stop(running);
    assert!(!path.exists(), "{} was left behind", path.display());
}

#[tokio::test]
async fn with_a_data_folder_the_certificate_is_kept_there() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let running = start(&["--data", data.to_str().unwrap()], dir.path());
    let path = connect_through_the_cli(&running).await;
    assert_eq!(path, data.join("certificate.pem"));
    stop(running);
    assert!(Path::new(&path).exists());
}
