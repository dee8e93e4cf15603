//! Known answers for the envelope's key agreement and Concat KDF: RFC 7518 Appendix C
//! (P-256) and RFC 8037 Appendix A.6 (X25519). Vectors in `tests/vectors/`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use munity::envelope::{kat, WorkspacePrivateKey};
use serde_json::Value;

fn vector(text: &str) -> Value {
    serde_json::from_str(text).expect("vector file is JSON")
}

fn s<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    let mut cur = v;
    for p in path {
        cur = &cur[*p];
    }
    cur.as_str()
        .unwrap_or_else(|| panic!("vector has no string at {path:?}"))
}

fn b64(text: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(text).expect("base64url in vector")
}

/// A JWK without `d` (the public half).
fn public_of(jwk: &Value) -> String {
    let mut jwk = jwk.clone();
    let obj = jwk.as_object_mut().unwrap();
    obj.retain(|k, _| matches!(k.as_str(), "kty" | "crv" | "x" | "y"));
    jwk.to_string()
}

/// A private JWK from the vector's JWK and a hex `d`.
fn with_hex_d(jwk: &Value, d_hex: &str) -> String {
    let mut jwk: serde_json::Map<String, Value> = serde_json::from_str(&public_of(jwk)).unwrap();
    jwk.insert(
        "d".into(),
        Value::String(URL_SAFE_NO_PAD.encode(hex::decode(d_hex).unwrap())),
    );
    Value::Object(jwk).to_string()
}

#[test]
fn rfc7518_appendix_c_p256() {
    let v = vector(include_str!("../vectors/rfc7518-appendix-c.json"));
    let bob = WorkspacePrivateKey::from_jwk(&v["bob"].to_string())
        .expect("stage 1: import Bob's private JWK");
    let alice = WorkspacePrivateKey::from_jwk(&v["alice_ephemeral"].to_string())
        .expect("stage 1: import Alice's ephemeral private JWK");
    let z_hex = s(&v, &["z_hex"]);

    let z_bob = kat::agree(&bob, &public_of(&v["alice_ephemeral"])).expect("stage 2: ECDH");
    assert_eq!(
        hex::encode(&z_bob),
        z_hex,
        "stage 2: Z from Bob's d and Alice's epk"
    );
    let z_alice = kat::agree(&alice, &public_of(&v["bob"])).expect("stage 2: ECDH");
    assert_eq!(
        hex::encode(&z_alice),
        z_hex,
        "stage 2: Z from Alice's d and Bob's key"
    );

    let key_len = v["kdf"]["key_len"].as_u64().unwrap() as usize;
    let derived = kat::concat_kdf(
        &z_bob,
        s(&v, &["kdf", "algorithm_id"]),
        &b64(s(&v, &["kdf", "apu"])),
        &b64(s(&v, &["kdf", "apv"])),
        key_len,
    );
    assert_eq!(
        URL_SAFE_NO_PAD.encode(derived),
        s(&v, &["derived_key"]),
        "stage 3: Concat KDF"
    );
}

#[test]
fn rfc8037_a6_x25519() {
    let v = vector(include_str!("../vectors/rfc8037-a6.json"));
    let bob = WorkspacePrivateKey::from_jwk(&with_hex_d(&v["bob"], s(&v, &["bob", "d_hex"])))
        .expect("stage 1: import Bob's key (RFC 7748 6.1); its public half must match A.6's x");
    assert_eq!(
        bob.public_jwk(),
        {
            let x = s(&v, &["bob", "x"]);
            format!(r#"{{"crv":"X25519","kty":"OKP","x":"{x}"}}"#)
        },
        "stage 1: Bob's public key"
    );
    let ephemeral = WorkspacePrivateKey::from_jwk(&v["ephemeral"].to_string())
        .expect("stage 1: import the ephemeral private JWK");
    assert_eq!(
        hex::encode(b64(s(&v, &["ephemeral", "d"]))),
        s(&v, &["ephemeral", "d_hex"]),
        "stage 1: the ephemeral d in hex and base64url agree"
    );

    let z_hex = s(&v, &["z_hex"]);
    let z_bob = kat::agree(&bob, &public_of(&v["ephemeral"])).expect("stage 2: ECDH");
    assert_eq!(
        hex::encode(&z_bob),
        z_hex,
        "stage 2: Z from Bob's d and the epk"
    );
    let z_eph = kat::agree(&ephemeral, &public_of(&v["bob"])).expect("stage 2: ECDH");
    assert_eq!(
        hex::encode(&z_eph),
        z_hex,
        "stage 2: Z from the ephemeral d and Bob's key"
    );

    let derived = kat::concat_kdf(
        &z_bob,
        s(&v, &["kdf", "algorithm_id"]),
        &b64(s(&v, &["kdf", "apu"])),
        &b64(s(&v, &["kdf", "apv"])),
        v["kdf"]["key_len"].as_u64().unwrap() as usize,
    );
    assert_eq!(
        hex::encode(derived),
        s(&v, &["derived_key_hex"]),
        "stage 3: Concat KDF"
    );
}
