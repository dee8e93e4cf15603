//! A secret inside bad JSON never reaches an error message: serde quotes the values it
//! rejects (`invalid type: string "<value>"`, `unknown variant `<value>``), and every
//! path that turns a JSON error into a message goes through the crate's one redaction
//! (`src/redact.rs`): `From<serde_json::Error> for Error`, the module registration body,
//! the credentials a connect page submits.

use munity::envelope::Credentials;
use munity::module::RegistrationRequest;
use munity::Error;

/// What a user might paste in the wrong place.
const SECRET: &str = "tok-Zq9vX2mK7tPfL4wR8nYc";

/// Display and Debug of `err` hold no trace of the secret.
fn assert_clean(what: &str, err: &Error) {
    let shown = format!("{err} / {err:?}");
    assert!(
        !shown.contains(SECRET),
        "{what}: the secret leaked: {shown}"
    );
    assert!(
        !shown.contains("Zq9vX2mK"),
        "{what}: part of the secret leaked: {shown}"
    );
}

#[derive(Debug, serde::Deserialize)]
#[allow(dead_code)]
enum Privilege {
    Admin,
    User,
}

#[derive(Debug, serde::Deserialize)]
#[allow(dead_code)]
struct Shape {
    count: u32,
    privilege: Privilege,
}

#[test]
fn from_serde_json_error_leaves_the_value_out() {
    let inputs = [
        // A string where a number belongs.
        format!(r#"{{"count": "{SECRET}", "privilege": "Admin"}}"#),
        // A string that is no variant.
        format!(r#"{{"count": 1, "privilege": "{SECRET}"}}"#),
        // A whole document that is a string.
        format!(r#""{SECRET}""#),
    ];
    for input in &inputs {
        let err: Error = serde_json::from_str::<Shape>(input).unwrap_err().into();
        assert_eq!(err.code(), "invalid_json");
        assert_clean(input, &err);
        // Still useful: what was wrong and where.
        assert!(err.detail().contains(" at line 1 column "), "{err}");
    }
    let err: Error = serde_json::from_str::<Shape>(&inputs[0])
        .unwrap_err()
        .into();
    assert_eq!(
        err.detail(),
        "invalid type: string, expected u32 at line 1 column 36"
    );
    let err: Error = serde_json::from_str::<Shape>(&inputs[1])
        .unwrap_err()
        .into();
    assert_eq!(
        err.detail(),
        "unknown variant, expected `Admin` or `User` at line 1 column 52"
    );
}

#[test]
fn a_users_question_mark_keeps_the_secret_out() {
    fn read(body: &str) -> munity::Result<Shape> {
        Ok(serde_json::from_str(body)?)
    }
    let err = read(&format!(r#"{{"count": "{SECRET}"}}"#)).unwrap_err();
    assert_clean("?", &err);
}

#[test]
fn module_registration_body_leaves_the_value_out() {
    let bodies = [
        format!(r#"{{"register": "{SECRET}"}}"#),
        format!(r#"{{"register": {{"apiKey": ["{SECRET}"]}}}}"#),
        format!(r#"{{"register": {{"apiKey": "{SECRET}", "token": 7}}}}"#),
    ];
    for body in &bodies {
        let err = RegistrationRequest::from_json(body.as_bytes()).unwrap_err();
        assert_eq!(err.code(), "module_request_invalid", "{err}");
        assert_clean(body, &err);
    }
}

#[test]
fn credentials_json_leaves_the_value_out() {
    let inputs = [
        format!(r#"{{"api_key": ["{SECRET}"]}}"#),
        format!(r#"["{SECRET}"]"#),
        format!(r#"{{"api_key": "{SECRET}""#),
    ];
    for input in &inputs {
        let err = Credentials::from_json(input).unwrap_err();
        assert_clean(input, &err);
    }
}
