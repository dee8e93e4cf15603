//! `munity sign-request` end to end (feature `cli`): the AWS suite's get-vanilla case
//! through the command line, in header and presigned form, and its errors.

use std::process::{Command, Output};

const AWS_RECORD: &str = r#"{"name": "AWS", "base_url": "https://example.amazonaws.com",
  "environment": "test", "content_type": "json", "auth": {"type": "aws4", "access_key": "AKIDEXAMPLE",
  "secret_key": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "region": "us-east-1",
  "service": "service"}}"#;

fn munity(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_munity"))
        .arg("sign-request")
        .args(args)
        .output()
        .expect("run munity")
}

/// `sign-request --credential <path> --method GET --url <url>` plus `extra`.
fn get(path: &str, url: &str, extra: &[&str]) -> Output {
    let mut args = vec!["--credential", path, "--method", "GET", "--url", url];
    args.extend_from_slice(extra);
    munity(&args)
}

fn credential_file(json: &str) -> tempfile::NamedTempFile {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), json).unwrap();
    file
}

#[test]
fn signs_headers_like_the_suite() {
    let file = credential_file(AWS_RECORD);
    let path = file.path().to_str().unwrap();
    let out = get(path, "/", &["--time", "2015-08-30T12:36:00Z"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout,
        "x-amz-date: 20150830T123600Z\n\
         authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
         SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31\n"
    );
}

#[test]
fn presigns_like_the_suite() {
    let file = credential_file(AWS_RECORD);
    let path = file.path().to_str().unwrap();
    let out = get(
        path,
        "https://example.amazonaws.com/",
        &["--time", "2015-08-30T12:36:00Z", "--presign", "3600"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let want = include_str!("../vectors/aws-sigv4/get-vanilla/query-signature.txt").trim();
    assert!(
        stdout.starts_with("https://example.amazonaws.com/?X-Amz-Algorithm=AWS4-HMAC-SHA256&"),
        "{stdout}"
    );
    assert!(
        stdout
            .trim_end()
            .ends_with(&format!("&X-Amz-Signature={want}")),
        "{stdout}"
    );
}

#[test]
fn body_headers_and_organizations() {
    let json = r#"[{"name": "Acme", "base_url": "https://api.acme.test/v1", "environment": "production",
        "content_type": "json", "extra_headers": [{"name": "X-Tenant", "value": "t1"}],
        "organizations": [{"organization_id": "org-1", "auth": {"type": "bearer", "value": "tok-1"}}]},
        {"name": "Acme test", "base_url": "https://sandbox.acme.test", "environment": "test",
        "content_type": "json", "auth": {"type": "none"}}]"#;
    let file = credential_file(json);
    let body = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(body.path(), br#"{"a":1}"#).unwrap();
    let out = munity(&[
        "--credential",
        file.path().to_str().unwrap(),
        "--method",
        "POST",
        "--url",
        "/orders",
        "--header",
        "Accept:  application/json",
        "--body-file",
        body.path().to_str().unwrap(),
        "--environment",
        "production",
        "--organization",
        "org-1",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let mut lines: Vec<&str> = stdout.lines().collect();
    lines.sort();
    assert_eq!(
        lines,
        [
            "accept: application/json",
            "authorization: Bearer tok-1",
            "content-type: application/json",
            "x-tenant: t1"
        ]
    );
}

#[test]
fn errors_exit_2_without_secrets() {
    let file = credential_file(AWS_RECORD);
    let path = file.path().to_str().unwrap();
    let out = get(path, "/", &["--environment", "production"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("credential_not_found"));

    let bad = credential_file(
        r#"{"name": "x", "base_url": "", "environment": "test", "content_type": "json",
        "auth": {"type": "basic", "username": "u", "password": 987654321}}"#,
    );
    let out = get(bad.path().to_str().unwrap(), "/", &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("invalid_credential") && !stderr.contains("987654321"),
        "{stderr}"
    );

    // The content type is required (JSON, XML or form-urlencoded).
    let untyped = credential_file(
        r#"{"name": "x", "base_url": "https://api.acme.test", "environment": "test",
        "auth": {"type": "bearer", "value": "tok-SECRETvalue"}}"#,
    );
    let out = get(untyped.path().to_str().unwrap(), "/", &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("invalid_credential") && stderr.contains("missing field `content_type`"),
        "{stderr}"
    );
    assert!(!stderr.contains("SECRETvalue"), "{stderr}");

    let out = get(path, "/", &["--header", "no colon"]);
    assert_eq!(out.status.code(), Some(2));
    let out = get(path, "/", &["--time", "yesterday"]);
    assert_eq!(out.status.code(), Some(2));
}
