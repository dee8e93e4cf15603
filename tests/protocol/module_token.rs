//! Simple-connection module tokens: the PHP `hash_hmac` value from published-values.md
//! (tests/vectors/module-token-php.json), an `openssl dgst -sha256 -hmac` cross-check,
//! the registration request forms and the answers.

use std::io::Write;
use std::process::{Command, Stdio};

use munity::module::{
    registration_token, verify_registration_token, ModuleConfig, RegistrationAnswer,
    RegistrationRequest,
};
use munity::ErrorKind;
use serde::Deserialize;

#[derive(Deserialize)]
struct Vector {
    api_key: String,
    secret: String,
    token: String,
}

fn vector() -> Vector {
    serde_json::from_str(include_str!("../vectors/module-token-php.json")).unwrap()
}

#[test]
fn php_hash_hmac_value() {
    let v = vector();
    assert_eq!(registration_token(&v.api_key, &v.secret).expose(), &v.token);
    // Swapping key and data gives another value: the order matters.
    assert_ne!(registration_token(&v.secret, &v.api_key).expose(), &v.token);
}

#[test]
fn verify_is_strict_but_accepts_upper_case_hex() {
    let v = vector();
    verify_registration_token(&v.api_key, &v.secret, &v.token).unwrap();
    verify_registration_token(&v.api_key, &v.secret, &v.token.to_uppercase()).unwrap();
    for bad in [
        &v.token[..63],
        "",
        &format!("{}0", v.token),
        &v.token.replace('1', "2"),
    ] {
        let err = verify_registration_token(&v.api_key, &v.secret, bad).unwrap_err();
        assert_eq!(err.code(), "module_token_invalid");
        assert_eq!(err.kind(), ErrorKind::Verification);
    }
    assert!(verify_registration_token("other-key", &v.secret, &v.token).is_err());
}

/// `printf %s KEY | openssl dgst -sha256 -hmac SECRET`, or None when openssl is absent.
fn openssl_token(api_key: &str, secret: &str) -> Option<String> {
    let mut child = match Command::new("openssl")
        .args(["dgst", "-sha256", "-hmac", secret])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(err) => {
            eprintln!("SKIPPED: openssl cross-check: cannot run openssl ({err})");
            return None;
        }
    };
    child
        .stdin
        .take()
        .unwrap()
        .write_all(api_key.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "openssl failed");
    // "SHA2-256(stdin)= <hex>" or "(stdin)= <hex>" depending on the version.
    let text = String::from_utf8(out.stdout).unwrap();
    Some(text.trim().rsplit(' ').next().unwrap().to_owned())
}

#[test]
fn openssl_cross_check() {
    let cases = [
        ("my-api-key", "my-secret"),
        (
            "REM0aW39.NfO0123456789CNeHpF29wo012345678",
            "module secret with spaces",
        ),
        ("k", "s"),
    ];
    for (api_key, secret) in cases {
        let Some(expected) = openssl_token(api_key, secret) else {
            return;
        };
        assert_eq!(
            registration_token(api_key, secret).expose(),
            &expected,
            "{api_key}"
        );
    }
}

#[test]
fn form_request() {
    let v = vector();
    let body = format!(
        "register%5BapiKey%5D={}&register%5Btoken%5D={}&register%5Bworkspace%5D=ws+1&other=x",
        v.api_key, v.token
    );
    let req = RegistrationRequest::from_form(body.as_bytes()).unwrap();
    assert_eq!(req.api_key.expose(), &v.api_key);
    assert_eq!(
        req.fields.get("workspace").map(String::as_str),
        Some("ws 1")
    );
    assert_eq!(req.fields.len(), 1);
    req.verify(&v.secret).unwrap();
    assert_eq!(
        req.verify("wrong").unwrap_err().code(),
        "module_token_invalid"
    );
    assert!(
        !format!("{req:?}").contains(&v.api_key),
        "Debug hides the API key"
    );
}

#[test]
fn form_request_errors() {
    for body in [
        "register[token]=abc",
        "register[apiKey]=k",
        "register[apiKey]=&register[token]=abc",
        "register[apiKey]=k&register[apiKey]=k&register[token]=abc",
        "",
    ] {
        let err = RegistrationRequest::from_form(body.as_bytes()).unwrap_err();
        assert_eq!(err.code(), "module_request_invalid", "{body}");
    }
}

#[test]
fn json_request() {
    let v = vector();
    let body =
        serde_json::json!({"register": {"apiKey": v.api_key, "token": v.token, "customer": "c1"}});
    let req = RegistrationRequest::from_json(body.to_string().as_bytes()).unwrap();
    req.verify(&v.secret).unwrap();
    assert_eq!(req.fields["customer"], "c1");
    for bad in [
        r#"{}"#.to_owned(),
        r#"{"register": "my-api-key"}"#.to_owned(),
        r#"{"register": {"apiKey": 5, "token": "x"}}"#.to_owned(),
        "not json".to_owned(),
    ] {
        let err = RegistrationRequest::from_json(bad.as_bytes()).unwrap_err();
        assert_eq!(err.code(), "module_request_invalid");
        assert!(
            !err.to_string().contains("my-api-key"),
            "no value echoed: {err}"
        );
    }
}

#[test]
fn answers() {
    let (status, body) = RegistrationAnswer::error("bad token").to_http();
    assert_eq!(status, 200);
    assert_eq!(body, r#"{"success":false,"errorMsg":"bad token"}"#);
    let (status, body) = RegistrationAnswer::success("https://m.example.com/a/1").to_http();
    assert_eq!(status, 200);
    assert_eq!(
        body,
        r#"{"success":true,"accountUrl":"https://m.example.com/a/1"}"#
    );
    let err = verify_registration_token("k", "s", "00").unwrap_err();
    let answer = RegistrationAnswer::from(&err);
    assert!(!answer.success);
    // The configuration answer as RetailCRM reads it: `scopes` (a list) and `registerUrl`.
    let config =
        ModuleConfig::new("https://m.example.com/register").with_scopes(["integration_read"]);
    assert_eq!(
        config.to_json(),
        r#"{"scopes":["integration_read"],"registerUrl":"https://m.example.com/register"}"#
    );
}

/// The system URL the module will call: only an http(s) origin with a path, no
/// credentials, query or fragment; a trailing `/` is dropped.
#[test]
fn system_url_rules() {
    let with = |url: &str| {
        let body = format!(
            "register%5BapiKey%5D=k&register%5Btoken%5D=t&register%5BsystemUrl%5D={}",
            form_urlencoded::byte_serialize(url.as_bytes()).collect::<String>()
        );
        RegistrationRequest::from_form(body.as_bytes()).unwrap()
    };
    assert_eq!(
        with("https://shop.retailcrm.ru/").system_url().unwrap(),
        "https://shop.retailcrm.ru"
    );
    assert_eq!(
        with("http://127.0.0.1:8080/crm").system_url().unwrap(),
        "http://127.0.0.1:8080/crm"
    );
    for bad in [
        "ftp://shop",
        "https://",
        "https://user:pass@shop",
        "https://shop/?a=1",
        "https://shop/#x",
        "https://sh op",
        "javascript:alert(1)",
    ] {
        let err = with(bad).system_url().unwrap_err();
        assert_eq!(err.code(), "module_request_invalid", "{bad}");
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
    }
    let missing = RegistrationRequest::from_form(b"register%5BapiKey%5D=k&register%5Btoken%5D=t")
        .unwrap()
        .system_url()
        .unwrap_err();
    assert!(missing.detail().contains("register[systemUrl]"));
}

/// `from_body` reads JSON for a JSON content type and form fields otherwise.
#[test]
fn body_by_content_type() {
    let json = br#"{"register":{"apiKey":"k","token":"t","systemUrl":"https://s"}}"#;
    for content_type in ["application/json", "application/json; charset=utf-8"] {
        let request = RegistrationRequest::from_body(Some(content_type), json).unwrap();
        assert_eq!(request.system_url().unwrap(), "https://s");
    }
    let form = b"register%5BapiKey%5D=k&register%5Btoken%5D=t";
    assert!(RegistrationRequest::from_body(None, form).is_ok());
    assert!(
        RegistrationRequest::from_body(Some("application/x-www-form-urlencoded"), form).is_ok()
    );
    let err = RegistrationRequest::from_body(Some("application/json"), form).unwrap_err();
    assert_eq!(err.code(), "module_request_invalid");
}
