//! The sandbox serves the demo page (`www/` at `/`) and the package (`/pkg/`): content
//! types, index pages, no path traversal, JSON 404, and the API under `/v1` unchanged.
//! Requests are written by hand on a TCP socket so that paths reach the server exactly
//! as written (an HTTP client would normalise `..`).
#![cfg(feature = "sandbox")]

mod sandbox_support;

use std::path::Path;

use munity::sandbox::{Sandbox, SandboxOptions};
use sandbox_support::raw_http::{exchange, Answer};

/// Sends `method path` with extra header lines and reads the whole answer.
async fn raw(sb: &Sandbox, method: &str, path: &str, extra: &str) -> Answer {
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\n{extra}Connection: close\r\n\r\n",
        sb.addr()
    );
    exchange(sb.addr(), request.into_bytes())
        .await
        .expect("an answer")
}

fn write(dir: &Path, name: &str, body: &[u8]) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, body).expect("write file");
}

async fn start() -> (Sandbox, tempfile::TempDir) {
    let root = tempfile::tempdir().expect("tempdir");
    let www = root.path().join("www");
    let pkg = root.path().join("pkg");
    write(&www, "index.html", b"<!doctype html><title>demo</title>");
    write(&www, "app.js", b"export {};");
    write(&www, "style.css", b"body{}");
    write(&www, "logo.svg", b"<svg/>");
    write(&www, "sub/index.html", b"sub index");
    write(&www, ".hidden", b"hidden");
    write(&pkg, "munity_connect.js", b"export default 1;");
    write(&pkg, "munity_connect_bg.wasm", b"\0asm\x01\0\0\0");
    write(&pkg, "package.json", b"{}");
    write(root.path(), "secret.txt", b"outside the roots");
    let sb = Sandbox::start(SandboxOptions::memory().www(&www).pkg(&pkg))
        .await
        .expect("sandbox starts");
    (sb, root)
}

#[tokio::test]
async fn serves_files_with_their_content_types() {
    let (sb, _root) = start().await;
    for (path, content_type, body) in [
        (
            "/",
            "text/html; charset=utf-8",
            &b"<!doctype html><title>demo</title>"[..],
        ),
        (
            "/index.html",
            "text/html; charset=utf-8",
            b"<!doctype html><title>demo</title>",
        ),
        ("/app.js", "text/javascript; charset=utf-8", b"export {};"),
        ("/style.css", "text/css; charset=utf-8", b"body{}"),
        ("/logo.svg", "image/svg+xml", b"<svg/>"),
        ("/sub/", "text/html; charset=utf-8", b"sub index"),
        (
            "/pkg/munity_connect.js",
            "text/javascript; charset=utf-8",
            b"export default 1;",
        ),
        (
            "/pkg/munity_connect_bg.wasm",
            "application/wasm",
            b"\0asm\x01\0\0\0",
        ),
        ("/pkg/package.json", "application/json", b"{}"),
    ] {
        let answer = raw(&sb, "GET", path, "").await;
        assert_eq!(answer.status, 200, "{path}");
        assert_eq!(answer.header("content-type"), Some(content_type), "{path}");
        assert_eq!(
            answer.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(answer.body, body, "{path}");
    }
    let head = raw(&sb, "HEAD", "/app.js", "").await;
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-length"), Some("10"));
    sb.shutdown().await;
}

#[tokio::test]
async fn refuses_traversal_hidden_files_and_other_methods_with_json_404() {
    let (sb, _root) = start().await;
    for (method, path) in [
        ("GET", "/../secret.txt"),
        ("GET", "/sub/../../secret.txt"),
        ("GET", "/pkg/../secret.txt"),
        ("GET", "/pkg/../../secret.txt"),
        ("GET", "/%2e%2e/secret.txt"),
        ("GET", "/..%2fsecret.txt"),
        ("GET", "/.hidden"),
        ("GET", "//etc/passwd"),
        ("GET", "/sub"),
        ("GET", "/missing.js"),
        ("GET", "/pkg/"),
        ("POST", "/index.html"),
        ("DELETE", "/app.js"),
    ] {
        let answer = raw(&sb, method, path, "").await;
        assert_eq!(answer.status, 404, "{method} {path}");
        assert_eq!(answer.json()["code"], "not_found", "{method} {path}");
        assert!(
            !String::from_utf8_lossy(&answer.body).contains("outside the roots"),
            "{method} {path}"
        );
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn the_api_under_v1_is_unchanged() {
    let (sb, _root) = start().await;
    let no_key = raw(&sb, "GET", "/v1/workspace/", "").await;
    assert_eq!(no_key.status, 401);
    let unknown_no_key = raw(&sb, "GET", "/v1/index.html", "").await;
    assert_eq!(
        unknown_no_key.status, 401,
        "unknown /v1 paths stay authenticated"
    );
    let auth = format!(
        "Authorization: {}\r\n",
        sb.admin_key().authorization_value().expose()
    );
    let ok = raw(&sb, "GET", "/v1/workspace/", &auth).await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.json()["id"], sb.workspace_id());
    let unknown = raw(&sb, "GET", "/v1/index.html", &auth).await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.json()["code"], "not_found");
    sb.shutdown().await;
}

#[tokio::test]
async fn without_folders_nothing_is_served() {
    let sb = Sandbox::start(SandboxOptions::memory())
        .await
        .expect("starts");
    let answer = raw(&sb, "GET", "/", "").await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.json()["code"], "not_found");
    sb.shutdown().await;
}
