//! RFC 4231 section 4 HMAC-SHA256 vectors (tests/vectors/rfc4231-hmac-sha256.json),
//! run through the same primitive the link, webhook and module code use.

use serde::Deserialize;

#[derive(Deserialize)]
struct File {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    case: u32,
    key_hex: String,
    data_hex: String,
    hmac_sha256_hex: String,
    truncated_to_bytes: Option<usize>,
}

fn check(number: u32) {
    let file: File =
        serde_json::from_str(include_str!("../vectors/rfc4231-hmac-sha256.json")).unwrap();
    let case = file.cases.iter().find(|c| c.case == number).unwrap();
    let key = ring::hmac::Key::new(
        ring::hmac::HMAC_SHA256,
        &hex::decode(&case.key_hex).unwrap(),
    );
    let tag = ring::hmac::sign(&key, &hex::decode(&case.data_hex).unwrap());
    let len = case.truncated_to_bytes.unwrap_or(32);
    assert_eq!(
        hex::encode(&tag.as_ref()[..len]),
        case.hmac_sha256_hex,
        "RFC 4231 case {number}"
    );
    // The module token is the same HMAC in hex: check it agrees when key and data are text.
    if let (Ok(key), Ok(data)) = (
        String::from_utf8(hex::decode(&case.key_hex).unwrap()),
        String::from_utf8(hex::decode(&case.data_hex).unwrap()),
    ) {
        if case.truncated_to_bytes.is_none() {
            let token = munity::module::registration_token(&data, &key);
            assert_eq!(
                token.expose(),
                &case.hmac_sha256_hex,
                "module token, case {number}"
            );
        }
    }
}

#[test]
fn case_1() {
    check(1);
}
#[test]
fn case_2() {
    check(2);
}
#[test]
fn case_3() {
    check(3);
}
#[test]
fn case_4() {
    check(4);
}
#[test]
fn case_5_truncated() {
    check(5);
}
#[test]
fn case_6() {
    check(6);
}
#[test]
fn case_7() {
    check(7);
}
