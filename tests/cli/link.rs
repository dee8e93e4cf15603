//! The command line: `munity link`, `munity webhook sign|verify`, `munity module-token`.

use std::process::Output;

use munity::link::{ConnectLink, LinkKey};
use munity::ApiKey;

use crate::support;

const KEY: &str = "REM0aW39.NfO0123456789CNeHpF29wo012345678";
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn munity(args: &[&str], env: &[(&str, &str)], stdin: &[u8]) -> Output {
    support::run_munity(args, env, stdin)
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .trim_end()
        .to_owned()
}

#[test]
fn link_prints_a_verifiable_url_with_the_key_from_env() {
    let out = munity(
        &[
            "link",
            "--workspace",
            "ws_1",
            "--customer",
            "cus 42",
            "--connector",
            "jira",
            "--ttl",
            "120",
            "--redirect-uri",
            "https://app.example.com/done",
            "--scope",
            "read write",
            "--base",
            "http://127.0.0.1:8080/v1/connect",
        ],
        &[("MUNITY_API_KEY", KEY)],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let url = stdout(&out);
    assert!(url.starts_with("http://127.0.0.1:8080/v1/connect?v=1&"));
    let link = ConnectLink::parse(&url).unwrap();
    assert_eq!(link.customer(), "cus 42");
    assert_eq!(link.scope(), Some("read write"));
    let now = munity::now_unix();
    assert!((link.expires_at() - now - 120).abs() <= 5);
    link.verify(&LinkKey::derive(&ApiKey::parse(KEY).unwrap()), now)
        .unwrap();
}

#[test]
fn link_refuses_a_long_ttl_and_a_bad_key_without_echo() {
    let out = munity(
        &[
            "link",
            "--api-key",
            KEY,
            "--workspace",
            "w",
            "--customer",
            "c",
            "--connector",
            "j",
            "--ttl",
            "86401",
        ],
        &[],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("link_ttl_invalid"));
    let out = munity(
        &[
            "link",
            "--api-key",
            // A space: no API key holds one.
            "REM0aW39.short secret",
            "--workspace",
            "w",
            "--customer",
            "c",
            "--connector",
            "j",
        ],
        &[],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("invalid_api_key") && !stderr.contains("short"),
        "{stderr}"
    );
}

#[test]
fn webhook_sign_gives_the_spec_value() {
    let out = munity(
        &[
            "webhook",
            "sign",
            "--secret",
            SECRET,
            "--id",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            "--timestamp",
            "1614265330",
        ],
        &[],
        br#"{"test": 2432232314}"#,
    );
    assert!(out.status.success());
    assert_eq!(
        stdout(&out),
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    );
}

#[test]
fn webhook_verify_exit_codes() {
    let now = munity::now_unix().to_string();
    let body = b"{\"type\":\"connection.created\"}";
    let signed = munity(
        &[
            "webhook",
            "sign",
            "--secret",
            SECRET,
            "--id",
            "msg_1",
            "--timestamp",
            &now,
        ],
        &[],
        body,
    );
    let signature = stdout(&signed);
    let verify = |body: &[u8], timestamp: &str| {
        munity(
            &[
                "webhook",
                "verify",
                "--secret",
                SECRET,
                "--id",
                "msg_1",
                "--timestamp",
                timestamp,
                "--signature",
                &signature,
            ],
            &[],
            body,
        )
    };
    assert_eq!(verify(body, &now).status.code(), Some(0));
    let bad = verify(b"{}", &now);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("webhook_invalid_signature"));
    let stale = verify(body, "1614265330");
    assert_eq!(stale.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&stale.stderr).contains("webhook_timestamp_too_old"));
}

#[test]
fn module_token_gives_the_php_value() {
    let out = munity(
        &[
            "module-token",
            "--api-key",
            "my-api-key",
            "--secret",
            "my-secret",
        ],
        &[],
        b"",
    );
    assert!(out.status.success());
    assert_eq!(
        stdout(&out),
        "13011b44679d88c8ad70731b384329ae0c0462a0ec1604fd53216e2d53727fa7"
    );
}
