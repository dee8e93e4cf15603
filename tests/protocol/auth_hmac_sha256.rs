//! The `hmac_sha256` scheme (docs/hmac-sha256.md): a known-answer vector, round trip
//! through `auth::apply` and `auth::verify_hmac_sha256`, tampering with each signed
//! part, and the timestamp window's edges.

use munity::auth::hmac_sha256::{self, DEFAULT_WINDOW_SECONDS};
use munity::auth::{apply, verify_hmac_sha256, Options, Selected};
use munity::model::{Authentication, ContentType, CredentialRecordInput, Environment};
use munity::{ErrorKind, Secret};

const NOW: i64 = 1_763_900_000;
const NONCE: &str = "q1w2e3r4t5y6u7i8o9p0aZ";
const SECRET: &str = "s3cr3t-client-secret";

fn record() -> CredentialRecordInput {
    CredentialRecordInput::new(
        "Partner API",
        "https://api.partner.test/v1",
        Environment::Production,
        ContentType::Json,
        Authentication::HmacSha256 {
            client_id: "client-42".into(),
            client_secret: SECRET.into(),
        },
    )
}

/// A request signed by the client, as the server receives it: origin-form URI and a
/// Host header.
fn signed_request(now: i64) -> http::Request<Vec<u8>> {
    let record = record();
    let selected = Selected::from_record(&record, None).unwrap();
    let mut request = http::Request::post("/orders/7?b=2&a=1&a=0")
        .header("x-trace", "  abc   def ")
        .header("user-agent", "test/1.0")
        .body(br#"{"qty":3}"#.to_vec())
        .unwrap();
    apply(&selected, &mut request, &Options::at(now).with_nonce(NONCE)).unwrap();
    to_server(request)
}

fn to_server(request: http::Request<Vec<u8>>) -> http::Request<Vec<u8>> {
    let (mut parts, body) = request.into_parts();
    let host = parts.uri.authority().unwrap().to_string();
    parts.headers.insert("host", host.parse().unwrap());
    parts.uri = parts
        .uri
        .path_and_query()
        .unwrap()
        .as_str()
        .parse()
        .unwrap();
    http::Request::from_parts(parts, body)
}

fn secret_for(id: &str) -> Option<Secret<String>> {
    (id == "client-42").then(|| Secret::from(SECRET))
}

fn verify(request: &http::Request<Vec<u8>>, now: i64) -> munity::Result<hmac_sha256::Verified> {
    verify_hmac_sha256(request, secret_for, now, DEFAULT_WINDOW_SECONDS)
}

#[test]
fn known_answer() {
    // The vector of docs/hmac-sha256.md; the signature was computed with Python's hmac
    // module over the string to sign written out in the document.
    let request = signed_request(NOW);
    let h = request.headers();
    assert_eq!(h["x-munity-timestamp"], "1763900000");
    assert_eq!(h["x-munity-nonce"], NONCE);
    assert_eq!(
        h["authorization"],
        "MUNITY-HMAC-SHA256 Credential=client-42, SignedHeaders=content-type;x-trace, \
         Signature=7ca3fbd45832ed9ec5c5a780cb1bef16d3cb9a36fb1c96bf973b790cab13364c"
    );
}

#[test]
fn round_trip() {
    let request = signed_request(NOW);
    let verified = verify(&request, NOW + 10).unwrap();
    assert_eq!(verified.client_id, "client-42");
    assert_eq!(verified.timestamp, NOW);
    assert_eq!(verified.nonce, NONCE);
    // A random nonce by default, so two signatures differ.
    let record = record();
    let selected = Selected::from_record(&record, None).unwrap();
    let mut a = http::Request::get("/x").body(Vec::new()).unwrap();
    let mut b = http::Request::get("/x").body(Vec::new()).unwrap();
    apply(&selected, &mut a, &Options::at(NOW)).unwrap();
    apply(&selected, &mut b, &Options::at(NOW)).unwrap();
    assert_ne!(a.headers()["x-munity-nonce"], b.headers()["x-munity-nonce"]);
    verify(&to_server(a), NOW).unwrap();
}

fn assert_rejected(request: &http::Request<Vec<u8>>, code: &str, what: &str) {
    let err = verify(request, NOW).expect_err(what);
    assert_eq!(err.code(), code, "{what}: {err}");
}

#[test]
fn tampering_with_any_signed_part_fails() {
    type Tamper = fn(&mut http::Request<Vec<u8>>);
    let tampers: [(&str, Tamper); 12] = [
        ("method", |r| *r.method_mut() = http::Method::PUT),
        ("path", |r| {
            *r.uri_mut() = "/orders/8?b=2&a=1&a=0".parse().unwrap()
        }),
        ("path encoding", |r| {
            *r.uri_mut() = "/orders/%37?b=2&a=1&a=0".parse().unwrap()
        }),
        ("query value", |r| {
            *r.uri_mut() = "/orders/7?b=2&a=1&a=9".parse().unwrap()
        }),
        ("query dropped", |r| {
            *r.uri_mut() = "/orders/7?b=2&a=1".parse().unwrap()
        }),
        ("host", |r| {
            r.headers_mut().insert("host", "evil.test".parse().unwrap());
        }),
        ("signed header", |r| {
            r.headers_mut().insert("x-trace", "other".parse().unwrap());
        }),
        ("content type", |r| {
            r.headers_mut()
                .insert("content-type", "text/plain".parse().unwrap());
        }),
        ("body", |r| r.body_mut().push(b' ')),
        ("timestamp", |r| {
            r.headers_mut()
                .insert("x-munity-timestamp", "1763900001".parse().unwrap());
        }),
        ("nonce", |r| {
            r.headers_mut()
                .insert("x-munity-nonce", "q1w2e3r4t5y6u7i8o9p0aX".parse().unwrap());
        }),
        ("signature", |r| {
            let value = r.headers()["authorization"].to_str().unwrap().to_owned();
            let flipped = if value.ends_with('0') { "1" } else { "0" };
            let value = format!("{}{flipped}", &value[..value.len() - 1]);
            r.headers_mut()
                .insert("authorization", value.parse().unwrap());
        }),
    ];
    for (what, tamper) in tampers {
        let mut request = signed_request(NOW);
        tamper(&mut request);
        assert_rejected(&request, "hmac_signature_mismatch", what);
    }
}

fn with_authorization(edit: impl Fn(&str) -> String) -> http::Request<Vec<u8>> {
    let mut request = signed_request(NOW);
    let value = edit(request.headers()["authorization"].to_str().unwrap());
    request
        .headers_mut()
        .insert("authorization", value.parse().unwrap());
    request
}

#[test]
fn signed_header_list_and_client_id_are_bound() {
    // Dropping a name from SignedHeaders changes the string to sign.
    let request = with_authorization(|v| v.replace("content-type;x-trace", "content-type"));
    assert_rejected(&request, "hmac_signature_mismatch", "header list shortened");
    // content-type present on the request must be signed.
    let request = with_authorization(|v| v.replace("content-type;x-trace", "x-trace"));
    assert_rejected(&request, "hmac_malformed", "content-type unsigned");
    // Unsorted list.
    let request = with_authorization(|v| v.replace("content-type;x-trace", "x-trace;content-type"));
    assert_rejected(&request, "hmac_malformed", "unsorted list");
    // A listed header missing from the request.
    let request =
        with_authorization(|v| v.replace("content-type;x-trace", "content-type;x-trace;x-zzz"));
    assert_rejected(&request, "hmac_malformed", "listed header missing");
    // Another client id (unknown, then known with the wrong secret).
    let request = with_authorization(|v| v.replace("client-42", "client-43"));
    let err = verify(&request, NOW).unwrap_err();
    assert_eq!(
        (err.code(), err.kind()),
        ("hmac_unknown_client", ErrorKind::Unauthenticated)
    );
    let err = verify_hmac_sha256(&request, |_| Some(Secret::from(SECRET)), NOW, 300).unwrap_err();
    assert_eq!(err.code(), "hmac_signature_mismatch");
    assert_eq!(err.kind(), ErrorKind::Verification);
}

#[test]
fn missing_and_malformed_headers() {
    for name in ["authorization", "x-munity-timestamp", "x-munity-nonce"] {
        let mut request = signed_request(NOW);
        request.headers_mut().remove(name);
        assert_rejected(&request, "hmac_missing_header", name);
    }
    let mut request = signed_request(NOW);
    let value = request.headers()["authorization"].clone();
    request.headers_mut().append("authorization", value);
    assert_rejected(&request, "hmac_malformed", "repeated authorization");
    for bad in [
        "Bearer abc",
        "MUNITY-HMAC-SHA256 Credential=client-42",
        "MUNITY-HMAC-SHA256",
    ] {
        let request = with_authorization(|_| bad.to_owned());
        assert_rejected(&request, "hmac_malformed", bad);
    }
    for bad in ["-5", "12a", "", "99999999999999999999"] {
        let mut request = signed_request(NOW);
        request
            .headers_mut()
            .insert("x-munity-timestamp", bad.parse().unwrap());
        assert_rejected(&request, "hmac_malformed", bad);
    }
}

#[test]
fn window_edges() {
    let window = DEFAULT_WINDOW_SECONDS as i64;
    let request = signed_request(NOW);
    for now in [NOW - window, NOW, NOW + window] {
        verify(&request, now).unwrap_or_else(|e| panic!("now = NOW{:+}: {e}", now - NOW));
    }
    for now in [NOW - window - 1, NOW + window + 1, 0, i64::MAX] {
        let err = verify(&request, now).unwrap_err();
        assert_eq!(err.code(), "hmac_timestamp_out_of_window", "now = {now}");
        assert_eq!(err.kind(), ErrorKind::Expired);
    }
    // A window of zero accepts only the exact second.
    verify_hmac_sha256(&request, secret_for, NOW, 0).unwrap();
    assert!(verify_hmac_sha256(&request, secret_for, NOW + 1, 0).is_err());
}

#[test]
fn sign_rejects_bad_inputs() {
    let request = munity::auth::SignableRequest {
        method: "GET",
        path: "/",
        query: "",
        headers: vec![("host", "h.test")],
        body: munity::auth::Body::Bytes(b""),
    };
    let sign = |id: &str, secret: &str, now: i64, nonce: &str| {
        hmac_sha256::sign(id, secret, &request, now, nonce)
            .map(|_| ())
            .map_err(|e| e.code().to_owned())
    };
    assert_eq!(
        sign("a b", SECRET, NOW, NONCE),
        Err("invalid_client_id".into())
    );
    assert_eq!(
        sign("a,b", SECRET, NOW, NONCE),
        Err("invalid_client_id".into())
    );
    assert_eq!(
        sign("id", "", NOW, NONCE),
        Err("invalid_client_secret".into())
    );
    assert_eq!(sign("id", SECRET, -1, NONCE), Err("invalid_time".into()));
    assert_eq!(
        sign("id", SECRET, NOW, "short"),
        Err("invalid_nonce".into())
    );
    assert_eq!(sign("id", SECRET, NOW, NONCE), Ok(()));
    let no_host = munity::auth::SignableRequest {
        headers: vec![],
        ..request.clone()
    };
    assert_eq!(
        hmac_sha256::sign("id", SECRET, &no_host, NOW, NONCE)
            .unwrap_err()
            .code(),
        "missing_host"
    );
}
