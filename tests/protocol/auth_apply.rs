//! Applying credential records to requests: headers, Basic (RFC 7617 values from
//! /work/shared/vectors/published-values.md), Bearer, none, content type, extra headers,
//! base URL, choice of record and organization, and the reqwest helper.

use munity::auth::{apply, basic_value, select, Options, Selected};
use munity::model::{
    Authentication, ContentType, CredentialRecordInput, Environment, ExtraHeader,
    OrganizationAuthentication,
};

const NOW: i64 = 1_763_900_000;

fn record(auth: Authentication) -> CredentialRecordInput {
    CredentialRecordInput::new(
        "Acme",
        "https://api.acme.test/v2",
        Environment::Production,
        ContentType::Json,
        auth,
    )
}

fn applied(
    record: &CredentialRecordInput,
    request: http::Request<Vec<u8>>,
) -> munity::Result<http::Request<Vec<u8>>> {
    let mut request = request;
    let selected = Selected::from_record(record, None)?;
    apply(&selected, &mut request, &Options::at(NOW))?;
    Ok(request)
}

fn get(uri: &str) -> http::Request<Vec<u8>> {
    http::Request::get(uri).body(Vec::new()).unwrap()
}

#[test]
fn basic_rfc7617_values() {
    assert_eq!(
        basic_value("Aladdin", "open sesame").unwrap().expose(),
        "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
    );
    // UTF-8, not Latin-1 (which would give dGVzdDoxMjOj).
    assert_eq!(
        basic_value("test", "123£").unwrap().expose(),
        "Basic dGVzdDoxMjPCow=="
    );
    let r = record(Authentication::Basic {
        username: "test".into(),
        password: "123£".into(),
    });
    let request = applied(&r, get("/")).unwrap();
    assert_eq!(request.headers()["authorization"], "Basic dGVzdDoxMjPCow==");
    assert!(request.headers()["authorization"].is_sensitive());
    let bad = record(Authentication::Basic {
        username: "a:b".into(),
        password: "p".into(),
    });
    assert_eq!(
        applied(&bad, get("/")).unwrap_err().code(),
        "invalid_username"
    );
    let bad = record(Authentication::Basic {
        username: "a".into(),
        password: "p\n".into(),
    });
    assert_eq!(
        applied(&bad, get("/")).unwrap_err().code(),
        "invalid_password"
    );
}

#[test]
fn bearer_and_headers() {
    let r = record(Authentication::Bearer {
        key: String::new(),
        value: "eyJhbGciOi.x.y".into(),
    });
    assert_eq!(
        applied(&r, get("/")).unwrap().headers()["authorization"],
        "Bearer eyJhbGciOi.x.y"
    );
    let r = record(Authentication::Bearer {
        key: "X-Auth".into(),
        value: "Token abc".into(),
    });
    let request = applied(&r, get("/")).unwrap();
    assert_eq!(request.headers()["x-auth"], "Token abc");
    assert!(request.headers().get("authorization").is_none());
    let r = record(Authentication::Bearer {
        key: String::new(),
        value: "  ".into(),
    });
    assert_eq!(applied(&r, get("/")).unwrap_err().code(), "empty_token");

    let r = record(Authentication::Headers {
        key: "X-Api-Key".into(),
        value: "k-123".into(),
    });
    let request = applied(&r, get("/")).unwrap();
    assert_eq!(request.headers()["x-api-key"], "k-123");
    assert!(request.headers()["x-api-key"].is_sensitive());
    let r = record(Authentication::Headers {
        key: "bad key".into(),
        value: "v".into(),
    });
    assert_eq!(
        applied(&r, get("/")).unwrap_err().code(),
        "invalid_auth_header"
    );
    let r = record(Authentication::Headers {
        key: "x".into(),
        value: "secret\nvalue".into(),
    });
    let err = applied(&r, get("/")).unwrap_err();
    assert_eq!(err.code(), "invalid_auth_value");
    assert!(
        !format!("{err} {err:?}").contains("secret"),
        "the value must not be echoed"
    );
}

#[test]
fn none_content_type_extra_headers_and_base_url() {
    let mut r = record(Authentication::None);
    r.content_type = ContentType::FormUrlencoded;
    r.extra_headers = vec![
        ExtraHeader {
            name: "X-Tenant".into(),
            value: "t1".into(),
        },
        ExtraHeader {
            name: "Accept".into(),
            value: "application/xml".into(),
        },
    ];
    let request = http::Request::post("/orders?x=1")
        .header("accept", "application/json")
        .body(b"a=1".to_vec())
        .unwrap();
    let request = applied(&r, request).unwrap();
    assert_eq!(request.uri(), "https://api.acme.test/v2/orders?x=1");
    assert_eq!(
        request.headers()["content-type"],
        "application/x-www-form-urlencoded"
    );
    assert_eq!(request.headers()["x-tenant"], "t1");
    assert_eq!(
        request.headers()["accept"],
        "application/json",
        "the request's own header wins"
    );
    assert!(request.headers().get("authorization").is_none());

    // No body: no content type. An explicit one is kept.
    let request = applied(&r, get("/a")).unwrap();
    assert!(request.headers().get("content-type").is_none());
    let request = http::Request::post("https://api.acme.test/x")
        .header("content-type", "text/plain")
        .body(b"hi".to_vec())
        .unwrap();
    let request = applied(&r, request).unwrap();
    assert_eq!(request.headers()["content-type"], "text/plain");
    assert_eq!(
        request.uri(),
        "https://api.acme.test/x",
        "absolute URLs are kept"
    );

    r.extra_headers.push(ExtraHeader {
        name: "Bad Name".into(),
        value: "x".into(),
    });
    assert_eq!(
        applied(&r, get("/")).unwrap_err().code(),
        "invalid_extra_header"
    );
}

#[test]
fn aws4_base_endpoint_is_the_fallback_base() {
    let mut r = record(Authentication::Aws4 {
        access_key: "AKIDEXAMPLE".into(),
        secret_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
        region: "us-east-1".into(),
        service: "service".into(),
        base_endpoint: "https://example.amazonaws.com".into(),
        session_token: None,
    });
    r.base_url = String::new();
    let request = applied(&r, get("/")).unwrap();
    assert_eq!(request.uri(), "https://example.amazonaws.com/");
    assert!(request.headers()["authorization"]
        .to_str()
        .unwrap()
        .starts_with(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20251123/us-east-1/service/aws4_request, \
         SignedHeaders=host;x-amz-date, Signature="
        ));
    // The suite's get-vanilla signature, reached through a record.
    let mut request = get("/");
    let selected = Selected::from_record(&r, None).unwrap();
    apply(&selected, &mut request, &Options::at(1_440_938_160)).unwrap();
    assert!(request.headers()["authorization"]
        .to_str()
        .unwrap()
        .ends_with("Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
    assert_eq!(request.headers()["x-amz-date"], "20150830T123600Z");
}

#[test]
fn presign_only_for_aws4() {
    let r = record(Authentication::Bearer {
        key: String::new(),
        value: "t".into(),
    });
    let selected = Selected::from_record(&r, None).unwrap();
    let mut request = get("/");
    let err = apply(&selected, &mut request, &Options::at(NOW).presigned(60)).unwrap_err();
    assert_eq!(err.code(), "presign_unsupported");
}

#[test]
fn choosing_records_and_organizations() {
    let test = CredentialRecordInput::new(
        "Acme (test)",
        "https://sandbox.acme.test",
        Environment::Test,
        ContentType::Json,
        Authentication::None,
    );
    let mut org = CredentialRecordInput::new(
        "Acme",
        "https://api.acme.test",
        Environment::Production,
        ContentType::Json,
        Authentication::None,
    );
    org.auth = None;
    org.organizations = vec![
        OrganizationAuthentication {
            organization_id: "org-1".into(),
            auth: Authentication::Bearer {
                key: String::new(),
                value: "one".into(),
            },
        },
        OrganizationAuthentication {
            organization_id: "org-2".into(),
            auth: Authentication::Bearer {
                key: String::new(),
                value: "two".into(),
            },
        },
    ];
    let records = vec![test, org];

    let chosen = select(&records, Some(Environment::Test), None).unwrap();
    assert_eq!(chosen.record.name, "Acme (test)");
    let chosen = select(&records, Some(Environment::Production), Some("org-2")).unwrap();
    let mut request = get("/x");
    apply(&chosen, &mut request, &Options::at(NOW)).unwrap();
    assert_eq!(request.headers()["authorization"], "Bearer two");
    assert_eq!(request.uri(), "https://api.acme.test/x");

    let code = |e: Option<Environment>, o: Option<&str>| {
        select(&records, e, o).unwrap_err().code().to_owned()
    };
    assert_eq!(
        code(Some(Environment::Production), None),
        "organization_required"
    );
    assert_eq!(
        code(Some(Environment::Production), Some("org-9")),
        "organization_not_found"
    );
    assert_eq!(code(None, None), "credential_ambiguous");
    // A record that is not organization-specific serves every organization.
    assert_eq!(
        select(&records, Some(Environment::Test), Some("org-1"))
            .unwrap()
            .record
            .name,
        "Acme (test)"
    );
    let only_test = &records[..1];
    let err = select(only_test, Some(Environment::Production), None).unwrap_err();
    assert_eq!(err.code(), "credential_not_found");
    assert_eq!(err.kind(), munity::ErrorKind::NotFound);
    let mut empty = records[0].clone();
    empty.auth = None;
    assert_eq!(
        Selected::from_record(&empty, None).unwrap_err().code(),
        "credential_without_auth"
    );
}

#[test]
fn secrets_stay_out_of_debug_output() {
    let r = record(Authentication::Aws4 {
        access_key: "AKID".into(),
        secret_key: "super-secret-key".into(),
        region: "r".into(),
        service: "s".into(),
        base_endpoint: String::new(),
        session_token: Some("session-secret".into()),
    });
    let selected = Selected::from_record(&r, None).unwrap();
    let text = format!("{selected:?} {:?}", Options::at(NOW));
    assert!(
        !text.contains("super-secret-key") && !text.contains("session-secret"),
        "{text}"
    );
}

#[test]
fn reqwest_helper_signs_the_built_request() {
    use munity::auth::SigningClient;
    let r = record(Authentication::HmacSha256 {
        client_id: "c1".into(),
        client_secret: "s".into(),
    });
    let selected = Selected::from_record(&r, None).unwrap();
    let signer = SigningClient::new().unwrap();
    let client = signer.client();
    let builder = client
        .post("https://api.acme.test/v2/orders?b=1")
        .body(r#"{"a":1}"#);
    let builder = signer
        .sign(
            &selected,
            builder,
            &Options::at(NOW).with_nonce("n0n0n0n0n0n0n0n0n0n0"),
        )
        .unwrap();
    let request = builder.build().unwrap();
    assert_eq!(
        request.url().as_str(),
        "https://api.acme.test/v2/orders?b=1"
    );
    assert!(request.headers()["authorization"]
        .to_str()
        .unwrap()
        .starts_with("MUNITY-HMAC-SHA256 Credential=c1,"));
    assert_eq!(
        request.body().and_then(|b| b.as_bytes()),
        Some(&br#"{"a":1}"#[..])
    );

    // The same request through the http path gives the same signature.
    let mut same = http::Request::post("https://api.acme.test/v2/orders?b=1")
        .body(br#"{"a":1}"#.to_vec())
        .unwrap();
    apply(
        &selected,
        &mut same,
        &Options::at(NOW).with_nonce("n0n0n0n0n0n0n0n0n0n0"),
    )
    .unwrap();
    assert_eq!(
        same.headers()["authorization"],
        request.headers()["authorization"]
    );

    // A streamed body cannot be signed.
    let stream = futures_util::stream::iter(vec![Ok::<_, std::io::Error>("x")]);
    let builder = client
        .post("https://api.acme.test/x")
        .body(reqwest::Body::wrap_stream(stream));
    assert_eq!(
        signer
            .sign(&selected, builder, &Options::at(NOW))
            .unwrap_err()
            .code(),
        "body_not_buffered"
    );
}

#[test]
fn requests_outside_the_base_urls_origin_are_refused() {
    let r = record(Authentication::Bearer {
        key: "X-Api-Token".into(),
        value: "tok-Zq9vX2mK7tPfL4wR8nYc".into(),
    });
    // The record's origin, any path (a provider's `next` link): signed.
    for uri in [
        "/orders",
        "https://api.acme.test/v2/orders?page=2",
        "https://API.acme.test:443/v1/other",
    ] {
        let request = applied(&r, get(uri)).unwrap();
        assert!(request.headers().contains_key("x-api-token"), "{uri}");
    }
    // Another host, scheme or port: refused, naming origins only.
    for uri in [
        "https://files.acme.test/v2/report.csv",
        "http://api.acme.test/v2/orders",
        "https://api.acme.test:8443/v2/orders",
        "https://api.acme.test.evil.test/v2/orders",
        "https://user:pw-in-url@evil.test/v2/orders?sig=query-secret",
    ] {
        let err = applied(&r, get(uri)).unwrap_err();
        assert_eq!(err.code(), "url_outside_base_url", "{uri}");
        let shown = format!("{err} {err:?}");
        assert!(shown.contains("https://api.acme.test"), "{shown}");
        for secret in ["pw-in-url", "query-secret", "tok-"] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }
    // Unless the caller says so.
    let selected = Selected::from_record(&r, None).unwrap();
    let mut request = get("https://files.acme.test/v2/report.csv");
    let options = Options::at(NOW).allowing_other_origins();
    apply(&selected, &mut request, &options).unwrap();
    assert_eq!(request.uri(), "https://files.acme.test/v2/report.csv");
    assert!(request.headers()["x-api-token"].is_sensitive());
}
