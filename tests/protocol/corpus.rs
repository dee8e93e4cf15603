//! Bad input through the library: each case of `tests/corpus/<kind>/` (format in
//! `tests/corpus/README.md`) fails with the code it names, and never panics. The same
//! cases go through the sandbox's routes in `tests/sandbox/corpus.rs`.

use crate::corpus_support;

use corpus_support::{assert_all, check_error, inputs, load, Case};
use munity::auth::{apply, select, Options};
use munity::envelope::{SessionBinding, WorkspaceCertificate, WorkspacePrivateKey};
use munity::link::{ConnectLink, LinkKey};
use munity::model::CredentialRecordInput;
use munity::module::RegistrationRequest;
use munity::webhook::{Webhook, WebhookSecret};
use munity::ApiKey;

/// 2027-01-01T00:00:00Z: after `expired.pem`'s one-day validity (November 2026) and
/// within the ten years of the other certificates.
const NOW: i64 = 1_798_761_600;

/// Runs every case of `kind` through `run`; a case passes when `run` gives an error
/// matching its `expect:` (or, for `expect: none`, no error).
fn run_kind(kind: &str, mut run: impl FnMut(&Case) -> munity::Result<()>) {
    let cases = load(kind);
    let mut failures = Vec::new();
    for case in &cases {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(case)));
        let failure = match (outcome, case.expect.as_deref()) {
            (Err(_), _) => Some(format!("{}: panicked", case.name)),
            (Ok(Ok(())), Some("none")) => None,
            (Ok(Ok(())), expect) => Some(format!("{}: accepted, expected {expect:?}", case.name)),
            (Ok(Err(err)), _) => check_error(case, &err),
        };
        failures.extend(failure);
    }
    assert_all(kind, cases.len(), &failures);
}

#[test]
fn link_cases() {
    let key = ApiKey::parse("REM0aW39.NfO0123456789CNeHpF29wo012345678").unwrap();
    let vars = inputs::link(&key, ("ws_1", "acme", "custom_basic"), NOW);
    let link_key = LinkKey::derive(&key);
    run_kind("link", |case| {
        ConnectLink::parse_query(&case.text(&vars))?.verify(&link_key, NOW)
    });
}

#[test]
fn certificate_cases() {
    let vars = corpus_support::Vars::new();
    run_kind("certificate", |case| {
        WorkspaceCertificate::parse(&case.text(&vars), NOW).map(drop)
    });
}

/// The browser package's reader (`parse_jwk`) on the same inputs: a JWK case gives what
/// `parse` gives, any other input `certificate_invalid`, and none panics.
#[test]
fn certificate_cases_as_the_browser_reads_them() {
    let vars = corpus_support::Vars::new();
    let mut failures = Vec::new();
    for case in load("certificate") {
        let text = case.text(&vars);
        let Ok(browser) = std::panic::catch_unwind(|| WorkspaceCertificate::parse_jwk(&text))
        else {
            failures.push(format!("{}: panicked", case.name));
            continue;
        };
        let browser = browser
            .map(|c| c.kid().to_owned())
            .map_err(|e| e.code().to_owned());
        let expected = if text.trim_start().starts_with('{') {
            WorkspaceCertificate::parse(&text, NOW)
                .map(|c| c.kid().to_owned())
                .map_err(|e| e.code().to_owned())
        } else {
            Err("certificate_invalid".to_owned())
        };
        if browser != expected {
            failures.push(format!("{}: {browser:?}, expected {expected:?}", case.name));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn envelope_cases() {
    let key = WorkspacePrivateKey::generate_p256();
    let binding = SessionBinding::new("cus_1", "jira", "bm9uY2Vub25jZW5vbmNl");
    let vars = inputs::envelope(&key.public_certificate(), &binding, NOW);
    // The unchanged envelope opens: the cases fail for what they change.
    let jwe = String::from_utf8(vars.expand("jwe", b"${jwe}")).unwrap();
    key.open(&jwe, &binding, NOW).unwrap();
    run_kind("envelope", |case| {
        key.open(&case.text(&vars), &binding, NOW).map(drop)
    });
}

#[test]
fn webhook_cases() {
    let vars = inputs::webhook(NOW);
    let mut valid = http::HeaderMap::new();
    for (name, value) in Webhook::new(inputs::webhook_secret()).headers(
        "msg_1",
        NOW,
        inputs::WEBHOOK_BODY.as_bytes(),
    ) {
        valid.insert(name, value.parse().unwrap());
    }
    Webhook::new(inputs::webhook_secret())
        .verify_http(&valid, inputs::WEBHOOK_BODY.as_bytes(), NOW)
        .unwrap();
    run_kind("webhook", |case| {
        let secret = match case.get("secret") {
            Some(text) => WebhookSecret::parse(text)?,
            None => inputs::webhook_secret(),
        };
        let mut headers = http::HeaderMap::new();
        for (name, value) in case.headers(&vars) {
            let name = http::HeaderName::from_bytes(name.as_bytes())
                .unwrap_or_else(|_| panic!("{}: header name {name}", case.name));
            let value = http::HeaderValue::from_bytes(&value)
                .unwrap_or_else(|_| panic!("{}: header value of {name}", case.name));
            headers.append(name, value);
        }
        Webhook::new(secret).verify_http(&headers, &case.input(&vars), NOW)
    });
}

/// A credential case is a record: `expect: serde` when it must not deserialize into a
/// `CredentialRecordInput` (the library has no reader of its own with a code), else the
/// code `select` then `apply` give (`none`: the library applies it; only the sandbox
/// refuses it).
#[test]
fn credential_cases() {
    let vars = corpus_support::Vars::new();
    let cases = load("credential");
    let mut failures = Vec::new();
    for case in &cases {
        let parsed = serde_json::from_slice::<CredentialRecordInput>(&case.input(&vars));
        let failure = match (parsed, case.expect.as_deref()) {
            (Err(_), Some("serde")) => None,
            (Err(err), expect) => Some(format!(
                "{}: does not deserialize ({err}), expected {expect:?}",
                case.name
            )),
            (Ok(_), Some("serde")) => Some(format!("{}: deserializes", case.name)),
            (Ok(record), expect) => {
                let records = [record];
                let mut request = http::Request::get("/orders").body(Vec::new()).unwrap();
                let applied = select(&records, None, case.get("organization"))
                    .and_then(|chosen| apply(&chosen, &mut request, &Options::at(NOW)));
                match (applied, expect) {
                    (Ok(()), Some("none")) => None,
                    (Ok(()), expect) => {
                        Some(format!("{}: applied, expected {expect:?}", case.name))
                    }
                    (Err(err), _) => check_error(case, &err),
                }
            }
        };
        failures.extend(failure);
    }
    assert_all("credential", cases.len(), &failures);
}

/// A module registration request: `format: form` or `json`, verified against the
/// secret `my-secret`; `${token}` is the valid token for the API key `my-api-key`.
#[test]
fn module_cases() {
    let mut vars = corpus_support::Vars::new();
    vars.set(
        "token",
        munity::module::registration_token("my-api-key", "my-secret").expose(),
    );
    run_kind("module", |case| {
        let body = case.input(&vars);
        let request = match case.get("format") {
            Some("form") => RegistrationRequest::from_form(&body)?,
            Some("json") => RegistrationRequest::from_json(&body)?,
            other => panic!("{}: format {other:?}", case.name),
        };
        request.verify("my-secret")
    });
}
