//! Live peer: Python botocore's `SigV4Auth` signs a generated set of requests
//! (`scripts/botocore_sigv4.py`: methods, paths with odd characters and dot segments,
//! repeated query keys in several wire encodings, headers with extra spaces and tabs,
//! repeated headers, bodies, session tokens, unsigned payloads) and
//! `munity::auth::apply` must give the same `Authorization` header for each.
//!
//! botocore is installed by `scripts/setup-botocore.sh` into `.tools/python`. The test
//! is skipped, with a message, only when `python3` is absent; any other failure
//! (install, script) fails it.

use std::path::Path;
use std::process::Command;

use base64::Engine;
use munity::auth::{apply, Options, Selected};
use munity::model::{Authentication, ContentType, CredentialRecordInput, Environment};
use serde_json::Value;

const CASES: usize = 300;

fn python3_present() -> bool {
    Command::new("python3")
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

fn botocore_cases(root: &Path) -> Value {
    let setup = Command::new("bash")
        .arg(root.join("scripts/setup-botocore.sh"))
        .status()
        .expect("run scripts/setup-botocore.sh");
    assert!(setup.success(), "scripts/setup-botocore.sh failed");
    let output = Command::new("python3")
        .arg(root.join("scripts/botocore_sigv4.py"))
        .args(["--cases", &CASES.to_string()])
        .env("PYTHONPATH", root.join(".tools/python"))
        .output()
        .expect("run scripts/botocore_sigv4.py");
    assert!(
        output.status.success(),
        "botocore_sigv4.py failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("botocore_sigv4.py prints JSON")
}

fn ours(case: &Value) -> Result<String, String> {
    let text = |key: &str| case[key].as_str().unwrap_or_default().to_owned();
    let record = CredentialRecordInput::new(
        "peer",
        "",
        Environment::Test,
        ContentType::Json,
        Authentication::Aws4 {
            access_key: "AKIDEXAMPLE".into(),
            secret_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
            region: text("region"),
            service: text("service"),
            base_endpoint: String::new(),
            session_token: case["session_token"].as_str().map(Into::into),
        },
    );
    let selected = Selected::from_record(&record, None).map_err(|e| e.to_string())?;
    let body = base64::engine::general_purpose::STANDARD
        .decode(text("body_base64"))
        .map_err(|e| e.to_string())?;
    let mut builder = http::Request::builder()
        .method(text("method").as_str())
        .uri(text("url"));
    for pair in case["headers"].as_array().into_iter().flatten() {
        builder = builder.header(
            pair[0].as_str().unwrap_or_default(),
            pair[1].as_str().unwrap_or_default(),
        );
    }
    let mut request = builder.body(body).map_err(|e| e.to_string())?;
    let mut options = Options::at(case["time"].as_i64().unwrap_or_default());
    if case["unsigned_payload"].as_bool() == Some(true) {
        options = options.unsigned_payload();
    }
    apply(&selected, &mut request, &options).map_err(|e| e.to_string())?;
    Ok(request.headers()["authorization"]
        .to_str()
        .map_err(|e| e.to_string())?
        .to_owned())
}

#[test]
fn authorization_matches_botocore() {
    if !python3_present() {
        println!("SKIPPED authorization_matches_botocore: python3 is not installed");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = botocore_cases(root);
    let cases = output["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), CASES);
    let mut failures = Vec::new();
    for (index, case) in cases.iter().enumerate() {
        let want = case["authorization"].as_str().unwrap_or_default();
        match ours(case) {
            Ok(got) if got == want => {}
            Ok(got) => failures.push(format!(
                "case {index}: {} {}\n  headers {}\n  botocore {want}\n  munity   {got}",
                case["method"], case["url"], case["headers"]
            )),
            Err(err) => failures.push(format!(
                "case {index}: {} {}: {err}",
                case["method"], case["url"]
            )),
        }
    }
    println!(
        "{} of {} requests signed identically to botocore {}",
        cases.len() - failures.len(),
        cases.len(),
        output["botocore"]
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
