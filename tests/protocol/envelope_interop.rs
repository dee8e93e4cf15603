//! Interop with an independent implementation, npm `jose` (in Node), both ways and for
//! both curves: our envelopes opened by jose's `compactDecrypt` with the private JWK,
//! and jose's `CompactEncrypt` output opened by us. The test installs jose with
//! `scripts/setup-node-tools` (into `.tools/node`) and fails if node is missing.

use crate::node;

use munity::envelope::{seal, Credentials, KeyType, SessionBinding, WorkspacePrivateKey};
use munity::ErrorKind;
use serde_json::{json, Value};

/// Runs a jose script; a missing node or jose fails the test loudly.
fn node(script: &str, input: &Value) -> Result<String, String> {
    if let Err(e) = node::setup() {
        panic!("{e}");
    }
    node::run(script, input)
}

fn now() -> i64 {
    munity::now_unix()
}

fn binding() -> SessionBinding {
    SessionBinding::new("cus_42", "jira", "q5D8kFhRv0bVKh3nyg3bJw").with_workspace("ws_1")
}

fn keys() -> [WorkspacePrivateKey; 2] {
    [
        WorkspacePrivateKey::generate_p256(),
        WorkspacePrivateKey::generate_x25519(),
    ]
}

fn jwk(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

#[test]
fn jose_opens_our_envelopes() {
    for key in keys() {
        let credentials = Credentials::new()
            .with("username", "ada@example.com")
            .with("password", "p\u{e4}ss \"w\u{f6}rd\" \u{1f511}");
        let now = now();
        let jwe = seal(&key.public_certificate(), &binding(), &credentials, now).unwrap();
        let out = node(
            "jose-open.cjs",
            &json!({ "jwe": jwe, "jwk": jwk(key.to_private_jwk().expose()) }),
        )
        .unwrap_or_else(|e| panic!("{:?}: jose refused our envelope: {e}", key.key_type()));
        let out: Value = serde_json::from_str(&out).unwrap();
        let header = &out["protectedHeader"];
        assert_eq!(header["alg"], "ECDH-ES");
        assert_eq!(header["enc"], "A256GCM");
        assert_eq!(header["kid"], key.kid());
        let crv = match key.key_type() {
            KeyType::P256 => "P-256",
            _ => "X25519",
        };
        assert_eq!(header["epk"]["crv"], crv);
        let payload: Value = serde_json::from_str(out["plaintext"].as_str().unwrap()).unwrap();
        assert_eq!(
            payload,
            json!({
                "v": 1, "workspace": "ws_1", "customer": "cus_42", "connector": "jira",
                "nonce": "q5D8kFhRv0bVKh3nyg3bJw", "iat": now, "exp": now + 300,
                "credentials": {
                    "username": "ada@example.com",
                    "password": "p\u{e4}ss \"w\u{f6}rd\" \u{1f511}"
                }
            })
        );
    }
}

fn v1_payload(now: i64) -> Value {
    json!({
        "v": 1, "workspace": "ws_1", "customer": "cus_42", "connector": "jira",
        "nonce": "q5D8kFhRv0bVKh3nyg3bJw", "iat": now, "exp": now + 300,
        "credentials": { "api_key": "jose-sealed-key" }
    })
}

fn jose_seal(key: &WorkspacePrivateKey, plaintext: &str, extra: Value) -> String {
    let mut input = json!({
        "jwk": jwk(&key.public_jwk()),
        "kid": key.kid(),
        "plaintext": plaintext,
    });
    for (k, v) in extra.as_object().unwrap() {
        input[k] = v.clone();
    }
    node("jose-seal.cjs", &input).unwrap_or_else(|e| panic!("jose-seal failed: {e}"))
}

#[test]
fn we_open_jose_envelopes() {
    for key in keys() {
        let now = now();
        let jwe = jose_seal(&key, &v1_payload(now).to_string(), json!({}));
        let opened = key
            .open(&jwe, &binding(), now)
            .unwrap_or_else(|e| panic!("{:?}: {e}", key.key_type()));
        assert_eq!(opened.binding, binding());
        assert_eq!(
            opened.credentials.get("api_key").unwrap().expose(),
            "jose-sealed-key"
        );
        assert_eq!(opened.expires_at, now + 300);

        // With PartyUInfo/PartyVInfo, which enter the Concat KDF.
        let jwe = jose_seal(
            &key,
            &v1_payload(now).to_string(),
            json!({ "apu": "QWxpY2U", "apv": "Qm9i" }),
        );
        key.open(&jwe, &binding(), now)
            .unwrap_or_else(|e| panic!("{:?} with apu/apv: {e}", key.key_type()));
    }
}

#[test]
fn we_refuse_jose_envelopes_that_break_the_rules() {
    let key = WorkspacePrivateKey::generate_p256();
    let now = now();
    let mut payload = v1_payload(now);
    let cases: Vec<(&str, String, Value, ErrorKind, &str)> = vec![
        (
            "not JSON",
            "credentials".into(),
            json!({}),
            ErrorKind::InvalidInput,
            "envelope_payload_invalid",
        ),
        (
            "version 2",
            {
                payload["v"] = 2.into();
                payload.to_string()
            },
            json!({}),
            ErrorKind::Unsupported,
            "envelope_version_unsupported",
        ),
        (
            "unknown member",
            {
                payload = v1_payload(now);
                payload["extra"] = 1.into();
                payload.to_string()
            },
            json!({}),
            ErrorKind::InvalidInput,
            "envelope_payload_invalid",
        ),
        (
            "a day long",
            {
                payload = v1_payload(now);
                payload["exp"] = (now + 86_400).into();
                payload.to_string()
            },
            json!({}),
            ErrorKind::InvalidInput,
            "envelope_payload_invalid",
        ),
        (
            "expired",
            {
                payload = v1_payload(now - 1000);
                payload.to_string()
            },
            json!({}),
            ErrorKind::Expired,
            "envelope_expired",
        ),
        (
            "numeric credential",
            {
                payload = v1_payload(now);
                payload["credentials"]["pin"] = 1234.into();
                payload.to_string()
            },
            json!({}),
            ErrorKind::InvalidInput,
            "envelope_payload_invalid",
        ),
        (
            // Readers that keep the first and readers that keep the last would bind it
            // to different customers: refused.
            "a member twice",
            v1_payload(now)
                .to_string()
                .replacen('{', r#"{"customer":"cus_other","#, 1),
            json!({}),
            ErrorKind::InvalidInput,
            "envelope_payload_invalid",
        ),
        (
            "a credential twice",
            v1_payload(now).to_string().replacen(
                r#""api_key":"#,
                r#""api_key":"first","api_key":"#,
                1,
            ),
            json!({}),
            ErrorKind::InvalidInput,
            "envelope_payload_invalid",
        ),
        (
            "ECDH-ES+A256KW",
            v1_payload(now).to_string(),
            json!({ "alg": "ECDH-ES+A256KW" }),
            ErrorKind::Unsupported,
            "envelope_algorithm_unsupported",
        ),
        (
            "A128GCM",
            v1_payload(now).to_string(),
            json!({ "enc": "A128GCM" }),
            ErrorKind::Unsupported,
            "envelope_algorithm_unsupported",
        ),
        (
            "A256CBC-HS512",
            v1_payload(now).to_string(),
            json!({ "enc": "A256CBC-HS512" }),
            ErrorKind::Unsupported,
            "envelope_algorithm_unsupported",
        ),
    ];
    for (name, plaintext, extra, kind, code) in cases {
        let jwe = jose_seal(&key, &plaintext, extra);
        let err = key.open(&jwe, &binding(), now).unwrap_err();
        assert_eq!((err.kind(), err.code()), (kind, code), "{name}: {err}");
        assert!(
            !err.to_string().contains("1234"),
            "{name}: the error quotes a credential"
        );
    }
    // Another session's binding.
    let jwe = jose_seal(&key, &v1_payload(now).to_string(), json!({}));
    let other = SessionBinding {
        nonce: "another-nonce".into(),
        ..binding()
    };
    assert_eq!(
        key.open(&jwe, &other, now).unwrap_err().code(),
        "envelope_binding_mismatch"
    );
}
