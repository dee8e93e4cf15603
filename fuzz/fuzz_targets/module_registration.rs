//! Module registration requests: any body, form-encoded or JSON, gives a request or a
//! `module_request_invalid` error, never a panic; a request re-encoded reads back the
//! same, and its token verifies exactly when it is the fixed secret's HMAC of its key.
//!
//! Seeds in `fuzz/seeds/module_registration` are form and JSON bodies of the doc example
//! and `tests/vectors/module-token-php.json` (`SECRET`).
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use munity::module::{registration_token, RegistrationRequest, FIELD_API_KEY, FIELD_TOKEN};

/// The module secret of `tests/vectors/module-token-php.json`.
const SECRET: &str = "my-secret";

fuzz_target!(|data: &[u8]| {
    for (parsed, encode) in [
        (
            RegistrationRequest::from_form(data),
            to_form as fn(&RegistrationRequest) -> Vec<u8>,
        ),
        (RegistrationRequest::from_json(data), to_json),
    ] {
        match parsed {
            Ok(request) => check(&request, encode),
            Err(err) => assert_eq!(err.code(), "module_request_invalid"),
        }
    }
});

fn check(request: &RegistrationRequest, encode: fn(&RegistrationRequest) -> Vec<u8>) {
    assert!(!request.api_key.expose().is_empty() && !request.token.is_empty());
    assert!(
        !request.fields.contains_key(FIELD_API_KEY) && !request.fields.contains_key(FIELD_TOKEN)
    );

    // Encoding the request again (both ways) reads back the same request.
    for body in [encode(request), to_form(request), to_json(request)] {
        let again = if body.first() == Some(&b'{') {
            RegistrationRequest::from_json(&body)
        } else {
            RegistrationRequest::from_form(&body)
        }
        .expect("a re-encoded request parses");
        assert_eq!(again.api_key.expose(), request.api_key.expose());
        assert_eq!(again.token, request.token);
        assert_eq!(again.fields, request.fields);
    }

    // The token verifies exactly when it is the expected one (case and outer spaces aside).
    let expected = registration_token(request.api_key.expose(), SECRET);
    let given = request.token.trim().to_ascii_lowercase();
    let verdict = request.verify(SECRET);
    if given == *expected.expose() {
        assert!(verdict.is_ok());
    } else {
        assert_eq!(
            verdict.map_err(|e| e.code().to_owned()),
            Err("module_token_invalid".to_owned())
        );
    }
    // The right token always verifies.
    let right = RegistrationRequest {
        token: expected.expose().clone(),
        ..request.clone()
    };
    assert!(right.verify(SECRET).is_ok());
}

fn all_fields(request: &RegistrationRequest) -> BTreeMap<&str, &str> {
    let mut all: BTreeMap<&str, &str> = request
        .fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    all.insert(FIELD_API_KEY, request.api_key.expose());
    all.insert(FIELD_TOKEN, &request.token);
    all
}

fn to_form(request: &RegistrationRequest) -> Vec<u8> {
    let mut form = form_urlencoded::Serializer::new(String::new());
    for (name, value) in all_fields(request) {
        form.append_pair(&format!("register[{name}]"), value);
    }
    form.finish().into_bytes()
}

fn to_json(request: &RegistrationRequest) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({ "register": all_fields(request) }))
        .expect("strings serialize")
}
