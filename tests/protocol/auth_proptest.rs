//! No header, path, query, body or record field makes signing panic: every input gives
//! a signed request or a typed error.

use munity::auth::sigv4::{self, Settings, SigningParams};
use munity::auth::{apply, hmac_sha256, Body, Options, Selected, SignableRequest};
use munity::model::{Authentication, ContentType, CredentialRecordInput, Environment, ExtraHeader};
use proptest::prelude::*;

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,40}",
        "[ \t/%.~a-zA-Z0-9?&=+;:,]{0,40}",
        Just(String::new()),
        Just("..".to_owned()),
        Just("%".to_owned()),
    ]
}

fn auths() -> impl Strategy<Value = Authentication> {
    (any_text(), any_text(), any_text(), any_text(), 0..6u8).prop_map(|(a, b, c, d, kind)| {
        match kind {
            0 => Authentication::Headers {
                key: a,
                value: b.into(),
            },
            1 => Authentication::Basic {
                username: a,
                password: b.into(),
            },
            2 => Authentication::Bearer {
                key: a,
                value: b.into(),
            },
            3 => Authentication::Aws4 {
                access_key: a,
                secret_key: b.into(),
                region: c,
                service: d.clone(),
                base_endpoint: d,
                session_token: Some("token".into()),
            },
            4 => Authentication::HmacSha256 {
                client_id: a,
                client_secret: b.into(),
            },
            _ => Authentication::None,
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn pure_signers_never_panic(
        method in any_text(),
        path in any_text(),
        query in any_text(),
        headers in proptest::collection::vec((any_text(), any_text()), 0..6),
        body in proptest::collection::vec(any::<u8>(), 0..64),
        time in any::<i64>(),
        expires in any::<u64>(),
        secret in any_text(),
        nonce in any_text(),
    ) {
        let request = SignableRequest {
            method: &method,
            path: &path,
            query: &query,
            headers: headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect(),
            body: Body::Bytes(&body),
        };
        let params = SigningParams {
            access_key: "AKID",
            secret_key: &secret,
            session_token: None,
            region: "us-east-1",
            service: "service",
            time,
            settings: Settings::for_service("service"),
        };
        let _ = sigv4::sign_headers(&request, &params);
        let _ = sigv4::presign(&request, &params, expires);
        if let Ok(signed) = hmac_sha256::sign("client", &secret, &request, time, &nonce) {
            let mut received = request.clone();
            for (name, value) in signed.headers() {
                received.headers.push((name, value));
            }
            let result = hmac_sha256::verify(&received, |_| Some(secret.clone().into()), time, 300);
            prop_assert!(result.is_ok(), "own signature refused: {:?}", result.err());
        }
        let _ = hmac_sha256::verify(&request, |_| Some(secret.clone().into()), time, 300);
    }

    #[test]
    fn apply_never_panics(
        auth in auths(),
        base_url in any_text(),
        uri in any_text(),
        extra in proptest::collection::vec((any_text(), any_text()), 0..3),
        headers in proptest::collection::vec((any_text(), any_text()), 0..4),
        body in proptest::collection::vec(any::<u8>(), 0..32),
        now in any::<i64>(),
        presign in proptest::option::of(any::<u64>()),
    ) {
        let mut record = CredentialRecordInput::new("p", base_url, Environment::Test, ContentType::Json, auth);
        record.extra_headers = extra.into_iter().map(|(name, value)| ExtraHeader { name, value }).collect();
        let Ok(uri) = uri.parse::<http::Uri>() else { return Ok(()) };
        let mut request = http::Request::new(body);
        *request.uri_mut() = uri;
        for (name, value) in headers {
            if let (Ok(n), Ok(v)) = (
                http::HeaderName::from_bytes(name.as_bytes()),
                http::HeaderValue::from_str(&value),
            ) {
                request.headers_mut().append(n, v);
            }
        }
        let selected = Selected::from_record(&record, None).unwrap();
        let mut options = Options::at(now);
        options.presign = presign;
        let _ = apply(&selected, &mut request, &options);
    }
}
