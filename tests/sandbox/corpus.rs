//! Bad input over the wire: the sandbox answers every case of the corpus
//! (`tests/corpus/`, format in its README) that a route takes with a 4xx JSON error of
//! the case's code: never a 500, never a dropped connection, and it still answers
//! afterwards. Requests are written on raw TCP, so malformed HTTP, bytes that are not
//! UTF-8 and lying headers reach the server as they are.
//!
//! | kind | route |
//! |---|---|
//! | `link` | `GET /v1/connect/session?<case>` |
//! | `envelope` | `POST /v1/connect/credentials?<valid link>` with `{"envelope": <case>}` |
//! | `credential` | `POST /v1/credentials/` and `PUT /v1/credentials/{id}/` with the case as body |
//! | `http` | the case's own `request:` line, headers and body |
//!
//! Certificates, webhook headers and module registrations have no sandbox route that
//! reads them (the sandbox makes its own certificate, sends webhooks without receiving
//! any, and registers no modules): `tests/protocol/corpus.rs` runs those through the library only.

use crate::corpus_support;
use crate::sandbox_support;

use corpus_support::{inputs, load, Case, Vars};
use munity::envelope::WorkspaceCertificate;
use munity::link::ConnectLink;
use munity::sandbox::{Sandbox, SandboxOptions};
use sandbox_support::raw_http::{exchange, Answer};
use serde_json::Value;

/// One HTTP/1.1 request with `Connection: close` and a computed `Content-Length`
/// (unless the case gives its own framing headers).
fn request(
    method: &str,
    target: &[u8],
    auth: Option<&str>,
    headers: &[(String, Vec<u8>)],
    body: &[u8],
) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(method.as_bytes());
    out.push(b' ');
    out.extend_from_slice(target);
    out.extend_from_slice(b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    if let Some(auth) = auth {
        out.extend_from_slice(format!("Authorization: {auth}\r\n").as_bytes());
    }
    let framed = headers.iter().any(|(k, _)| {
        k.eq_ignore_ascii_case("content-length") || k.eq_ignore_ascii_case("transfer-encoding")
    });
    if !framed {
        out.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
    }
    for (name, value) in headers {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

/// What a case's answer must be: its `http:` status, a JSON error body with its code
/// (and field), `X-Request-Id`. `None` when it is.
fn check_answer(case: &Case, what: &str, answer: &Answer) -> Option<String> {
    let name = format!("{} ({what})", case.name);
    let expect = case.http.as_ref()?;
    let body_text = String::from_utf8_lossy(&answer.body);
    let short: String = body_text.chars().take(300).collect();
    if answer.status != expect.status {
        return Some(format!(
            "{name}: status {} (expected {}): {short}",
            answer.status, expect.status
        ));
    }
    if !(400..500).contains(&answer.status) {
        return Some(format!("{name}: status {} is not 4xx", answer.status));
    }
    let Some(code) = &expect.code else {
        // Answered by the HTTP layer before the application: no JSON expected.
        return None;
    };
    if answer.header("x-request-id").is_none() {
        return Some(format!("{name}: no X-Request-Id"));
    }
    if !answer
        .header("content-type")
        .is_some_and(|t| t.starts_with("application/json"))
    {
        return Some(format!(
            "{name}: content type {:?}, not JSON: {short}",
            answer.header("content-type")
        ));
    }
    let body: Value = match serde_json::from_slice(&answer.body) {
        Ok(body) => body,
        Err(e) => return Some(format!("{name}: body is not JSON ({e}): {short}")),
    };
    if body["code"] != code.as_str() {
        return Some(format!(
            "{name}: code {} (expected {code}): {short}",
            body["code"]
        ));
    }
    if body["detail"].as_str().is_none_or(str::is_empty) {
        return Some(format!("{name}: no detail: {short}"));
    }
    if let Some(field) = &expect.field {
        let named = body["fields"]
            .as_array()
            .is_some_and(|fields| fields.iter().any(|f| f["field"] == field.as_str()));
        if !named {
            return Some(format!("{name}: `fields` does not name {field}: {short}"));
        }
    }
    None
}

/// The running sandbox and what the cases refer to.
struct Rig {
    sb: Sandbox,
    admin: String,
    user: String,
    vars: Vars,
    /// The query of a valid, unused link (for `connect/credentials`).
    link_query: String,
    failures: Vec<String>,
    sent: usize,
}

impl Rig {
    async fn start() -> Rig {
        // Every envelope case goes to one link, from one address: the attempt limits
        // (10 per link, 60 per address) are raised so that each case gets its own code.
        let sb = Sandbox::start(SandboxOptions::memory().connect_attempts(1000, 1000))
            .await
            .expect("sandbox starts");
        let admin = sb.admin_key().authorization_value().expose().clone();
        let user = sb.user_key().authorization_value().expose().clone();
        let now = munity::now_unix();
        let mut vars = inputs::link(
            sb.admin_key(),
            (sb.workspace_id(), "acme", "custom_basic"),
            now,
        );
        let link_query = String::from_utf8(vars.expand("setup", b"${valid}")).unwrap();
        let link = ConnectLink::parse_query(&link_query).unwrap();
        let binding = munity::connect::binding(&link);
        let certificate = WorkspaceCertificate::parse(sb.certificate_pem(), now)
            .expect("the sandbox's certificate parses");
        for (name, value) in inputs::envelope(&certificate, &binding, now).iter() {
            vars.set(name, value);
        }
        vars.set("admin", &admin);
        let mut rig = Rig {
            sb,
            admin,
            user,
            vars,
            link_query,
            failures: Vec::new(),
            sent: 0,
        };
        rig.seed_ids().await;
        rig
    }

    /// Ids of existing objects, for paths: `customer_id` (acme), `lonely_id` (a customer
    /// without connections), `project`, `task`, `credential`.
    async fn seed_ids(&mut self) {
        let customers = self
            .json("GET", "/v1/customers/?external_id=acme", b"")
            .await;
        let customer = customers["results"][0]["id"].as_str().unwrap().to_owned();
        let projects = self
            .json(
                "GET",
                &format!("/v1/customers/{customer}/pm-projects/"),
                b"",
            )
            .await;
        let tasks = self
            .json("GET", &format!("/v1/customers/{customer}/pm-tasks/"), b"")
            .await;
        let record = self
            .json(
                "POST",
                "/v1/credentials/",
                br#"{"name":"Acme","base_url":"https://api.acme.test","environment":"test","content_type":"json","auth":{"type":"none"}}"#,
            )
            .await;
        let lonely = self
            .json(
                "POST",
                "/v1/customers/",
                br#"{"external_id":"corpus-lonely","name":"No connection"}"#,
            )
            .await;
        for (name, value) in [
            ("customer_id", customers["results"][0]["id"].clone()),
            ("lonely_id", lonely["id"].clone()),
            ("project", projects["results"][0]["id"].clone()),
            ("task", tasks["results"][0]["id"].clone()),
            ("credential", record["id"].clone()),
        ] {
            let id = value.as_str().unwrap_or_else(|| panic!("setup: no {name}"));
            self.vars.set(name, id);
        }
    }

    /// A request that must succeed; its JSON answer.
    async fn json(&self, method: &str, target: &str, body: &[u8]) -> Value {
        let headers = [("Content-Type".to_owned(), b"application/json".to_vec())];
        let req = request(method, target.as_bytes(), Some(&self.admin), &headers, body);
        let answer = exchange(self.sb.addr(), req).await.expect("setup request");
        assert!(
            (200..300).contains(&answer.status),
            "setup {method} {target}: {} {}",
            answer.status,
            String::from_utf8_lossy(&answer.body)
        );
        serde_json::from_slice(&answer.body).expect("setup answer is JSON")
    }

    /// Sends one case's request and checks the answer, then that the server still
    /// answers.
    async fn send(&mut self, case: &Case, what: &str, raw_request: Vec<u8>) {
        self.sent += 1;
        let failure = match exchange(self.sb.addr(), raw_request).await {
            Ok(answer) => check_answer(case, what, &answer),
            Err(err) => Some(format!("{} ({what}): {err}", case.name)),
        };
        self.failures.extend(failure);
        let alive = request("GET", b"/v1/workspace/", Some(&self.admin), &[], b"");
        match exchange(self.sb.addr(), alive).await {
            Ok(answer) if answer.status == 200 => {}
            other => panic!(
                "the sandbox stopped answering after {}: {other:?}",
                case.name
            ),
        }
    }

    fn auth_of(&self, case: &Case) -> Option<String> {
        match case.get("auth").unwrap_or("admin") {
            "admin" => Some(self.admin.clone()),
            "user" => Some(self.user.clone()),
            "none" => None,
            other => panic!("{}: auth {other}", case.name),
        }
    }

    async fn link_case(&mut self, case: &Case) {
        let mut target = b"/v1/connect/session?".to_vec();
        target.extend(case.input(&self.vars));
        let req = request("GET", &target, None, &[], b"");
        self.send(case, "GET /v1/connect/session", req).await;
    }

    async fn envelope_case(&mut self, case: &Case) {
        let body = serde_json::json!({ "envelope": case.text(&self.vars) }).to_string();
        let target = format!("/v1/connect/credentials?{}", self.link_query);
        let headers = [("Content-Type".to_owned(), b"application/json".to_vec())];
        let req = request("POST", target.as_bytes(), None, &headers, body.as_bytes());
        self.send(case, "POST /v1/connect/credentials", req).await;
    }

    async fn credential_case(&mut self, case: &Case) {
        let body = case.input(&self.vars);
        let headers = [("Content-Type".to_owned(), b"application/json".to_vec())];
        let id = String::from_utf8(self.vars.expand("id", b"${credential}")).unwrap();
        for (method, target) in [
            ("POST", "/v1/credentials/".to_owned()),
            ("PUT", format!("/v1/credentials/{id}/")),
        ] {
            let req = request(
                method,
                target.as_bytes(),
                Some(&self.admin),
                &headers,
                &body,
            );
            self.send(case, &format!("{method} {target}"), req).await;
        }
    }

    async fn http_case(&mut self, case: &Case) {
        let body = case.input(&self.vars);
        if case.get("raw") == Some("yes") {
            // The whole request as written, line ends made CRLF.
            let mut raw = Vec::with_capacity(body.len() + 64);
            for &b in &body {
                if b == b'\n' {
                    raw.push(b'\r');
                }
                raw.push(b);
            }
            raw.extend_from_slice(b"\r\n\r\n");
            self.send(case, "raw", raw).await;
            return;
        }
        let line = case
            .get("request")
            .unwrap_or_else(|| panic!("{}: no `request:` line", case.name));
        let (method, target) = line
            .split_once(' ')
            .unwrap_or_else(|| panic!("{}: `request: METHOD PATH`", case.name));
        let target = self.vars.expand(&case.name, target.as_bytes());
        let auth = self.auth_of(case);
        let req = request(
            method,
            &target,
            auth.as_deref(),
            &case.headers(&self.vars),
            &body,
        );
        self.send(case, line, req).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_case_is_a_4xx_json_error() {
    let mut rig = Rig::start().await;
    let mut counts = Vec::new();
    for kind in ["link", "envelope", "credential", "http"] {
        let cases = load(kind);
        for case in &cases {
            assert!(case.http.is_some(), "{}: no `http:` line", case.name);
            match kind {
                "link" => rig.link_case(case).await,
                "envelope" => rig.envelope_case(case).await,
                "credential" => rig.credential_case(case).await,
                _ => rig.http_case(case).await,
            }
        }
        counts.push(format!("{kind}: {}", cases.len()));
    }
    // The unchanged envelope on the same link still connects: the cases were refused
    // for what they changed, and none of them consumed the link.
    let envelope = String::from_utf8(rig.vars.expand("jwe", b"${jwe}")).unwrap();
    let body = serde_json::json!({ "envelope": envelope }).to_string();
    let target = format!("/v1/connect/credentials?{}", rig.link_query);
    let headers = [("Content-Type".to_owned(), b"application/json".to_vec())];
    let req = request("POST", target.as_bytes(), None, &headers, body.as_bytes());
    let answer = exchange(rig.sb.addr(), req).await.expect("answer");
    assert_eq!(
        answer.status,
        201,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    assert!(
        rig.failures.is_empty(),
        "{} of {} requests answered wrongly:\n{}",
        rig.failures.len(),
        rig.sent,
        rig.failures.join("\n")
    );
    eprintln!("{} requests ({})", rig.sent, counts.join(", "));
    rig.sb.shutdown().await;
}
