//! The AWS SigV4 test suite (awslabs/aws-c-auth `tests/aws-signing-test-suite/v4`, see
//! `tests/vectors/README.md`): one test per case, each stage checked with a label
//! (canonical request, string to sign, signature, signed request) for header signing
//! and for query (presigned URL) signing. Where the request can be an `http::Request`
//! and the case's settings are what a credential record gives, the case also runs
//! through `munity::auth::apply`.

use munity::auth::sigv4::{
    presign, sign_headers, Body, Payload, SessionToken, Settings, SignableRequest, SigningParams,
};
use munity::auth::{apply, Options, Selected};
use munity::model::{Authentication, ContentType, CredentialRecordInput, Environment};
use serde_json::Value;

struct Case {
    name: &'static str,
    context: &'static str,
    request: &'static str,
    header_creq: &'static str,
    header_sts: &'static str,
    header_sig: &'static str,
    header_signed: &'static str,
    query_creq: &'static str,
    query_sts: &'static str,
    query_sig: &'static str,
    query_signed: &'static str,
}

/// A request parsed from `request.txt`; header continuation lines are unfolded into
/// the previous value with a space (RFC 7230 obs-fold).
struct Parsed {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn parse_request(text: &str) -> Parsed {
    let (head, body) = match text.split_once("\n\n") {
        Some((head, body)) => (head, body.as_bytes().to_vec()),
        None => (text.trim_end_matches('\n'), Vec::new()),
    };
    let mut lines = head.lines();
    let first = lines.next().expect("request line");
    let (method, rest) = first.split_once(' ').expect("method");
    let target = rest.strip_suffix(" HTTP/1.1").expect("HTTP/1.1");
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in lines {
        if line.starts_with([' ', '\t']) {
            let last = headers.last_mut().expect("continuation after a header");
            last.1.push(' ');
            last.1.push_str(line);
        } else {
            let (name, value) = line.split_once(':').expect("header colon");
            headers.push((name.to_owned(), value.to_owned()));
        }
    }
    Parsed {
        method: method.to_owned(),
        path: path.to_owned(),
        query: query.to_owned(),
        headers,
        body,
    }
}

fn expected_authorization(signed: &str) -> String {
    signed
        .lines()
        .find_map(|l| l.strip_prefix("Authorization:"))
        .expect("Authorization line")
        .to_owned()
}

fn sorted_params(query: &str) -> Vec<String> {
    let mut params: Vec<String> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    params.sort();
    params
}

fn expected_query(signed: &str) -> Vec<String> {
    let first = signed.lines().next().expect("request line");
    let target = first
        .split_once(' ')
        .and_then(|(_, rest)| rest.strip_suffix(" HTTP/1.1"))
        .expect("request target");
    sorted_params(target.split_once('?').map(|(_, q)| q).unwrap_or(""))
}

struct Checks {
    case: &'static str,
    failures: Vec<String>,
}

impl Checks {
    fn eq(&mut self, stage: &str, got: &str, want: &str) {
        if got != want {
            self.failures.push(format!(
                "[{}] {stage}\n--- got\n{got}\n--- want\n{want}\n",
                self.case
            ));
        }
    }
}

fn run(case: Case) {
    let context: Value = serde_json::from_str(case.context).expect("context.json");
    let parsed = parse_request(case.request);
    let credentials = &context["credentials"];
    let token = credentials["token"].as_str();
    let time = munity::parse_rfc3339(context["timestamp"].as_str().unwrap()).unwrap();
    let service = context["service"].as_str().unwrap();
    let settings = {
        let mut s = Settings::for_service(service);
        s.normalize_path = context["normalize"].as_bool().unwrap();
        s.content_sha256_header = context["sign_body"].as_bool().unwrap();
        s.payload = Payload::Signed;
        if context["omit_session_token"].as_bool() == Some(true) {
            s.session_token = SessionToken::AddedAfterSigning;
        }
        s
    };
    let params = SigningParams {
        access_key: credentials["access_key_id"].as_str().unwrap(),
        secret_key: credentials["secret_access_key"].as_str().unwrap(),
        session_token: token,
        region: context["region"].as_str().unwrap(),
        service,
        time,
        settings,
    };
    let request = SignableRequest {
        method: &parsed.method,
        path: &parsed.path,
        query: &parsed.query,
        headers: parsed
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect(),
        body: Body::Bytes(&parsed.body),
    };
    let mut checks = Checks {
        case: case.name,
        failures: Vec::new(),
    };

    let signed = sign_headers(&request, &params).expect("header signing");
    let i = &signed.intermediates;
    checks.eq(
        "header: canonical request",
        &i.canonical_request,
        case.header_creq,
    );
    checks.eq("header: string to sign", &i.string_to_sign, case.header_sts);
    checks.eq("header: signature", &i.signature, case.header_sig.trim());
    checks.eq(
        "header: Authorization",
        &signed.authorization,
        &expected_authorization(case.header_signed),
    );

    let expires = context["expiration_in_seconds"].as_u64().unwrap();
    let presigned = presign(&request, &params, expires).expect("query signing");
    let i = &presigned.intermediates;
    checks.eq(
        "query: canonical request",
        &i.canonical_request,
        case.query_creq,
    );
    checks.eq("query: string to sign", &i.string_to_sign, case.query_sts);
    checks.eq("query: signature", &i.signature, case.query_sig.trim());
    let full_query = format!("{}&{}", parsed.query, presigned.query);
    checks.eq(
        "query: signed request parameters",
        &sorted_params(&full_query).join("&"),
        &expected_query(case.query_signed).join("&"),
    );

    through_apply(&case, &context, &parsed, &params, &mut checks);
    assert!(checks.failures.is_empty(), "{}", checks.failures.join("\n"));
}

/// The same case through `auth::apply` on an `http::Request`, when the case fits what a
/// record expresses (normalized path, no `x-amz-content-sha256`, signed token) and its
/// path is a valid URI (the suite sends `/example space/` and raw UTF-8 literally).
fn through_apply(
    case: &Case,
    context: &Value,
    parsed: &Parsed,
    params: &SigningParams<'_>,
    checks: &mut Checks,
) {
    let fits = context["normalize"].as_bool() == Some(true)
        && context["sign_body"].as_bool() == Some(false)
        && context["omit_session_token"].as_bool() != Some(true);
    let target = if parsed.query.is_empty() {
        parsed.path.clone()
    } else {
        format!("{}?{}", parsed.path, parsed.query)
    };
    let host = parsed
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("host"))
        .map(|(_, v)| v.clone())
        .unwrap();
    let Ok(uri) = format!("https://{host}{target}").parse::<http::Uri>() else {
        println!(
            "{}: path is not a valid URI, checked through the string API only",
            case.name
        );
        return;
    };
    if !fits {
        println!(
            "{}: settings not expressible by a record, string API only",
            case.name
        );
        return;
    }
    let record = CredentialRecordInput::new(
        "suite",
        "",
        Environment::Test,
        ContentType::Json,
        Authentication::Aws4 {
            access_key: params.access_key.to_owned(),
            secret_key: params.secret_key.into(),
            region: params.region.to_owned(),
            service: params.service.to_owned(),
            base_endpoint: String::new(),
            session_token: params.session_token.map(Into::into),
        },
    );
    let selected = Selected::from_record(&record, None).unwrap();
    let build = || {
        let mut builder = http::Request::builder()
            .method(parsed.method.as_str())
            .uri(uri.clone());
        for (name, value) in &parsed.headers {
            if !name.eq_ignore_ascii_case("host") {
                builder = builder.header(name.as_str(), value.as_str());
            }
        }
        builder.body(parsed.body.clone()).unwrap()
    };
    let mut request = build();
    apply(&selected, &mut request, &Options::at(params.time)).expect("apply");
    checks.eq(
        "apply: Authorization",
        request.headers()["authorization"].to_str().unwrap(),
        &expected_authorization(case.header_signed),
    );
    let mut request = build();
    let expires = context["expiration_in_seconds"].as_u64().unwrap();
    apply(
        &selected,
        &mut request,
        &Options::at(params.time).presigned(expires),
    )
    .expect("presign");
    checks.eq(
        "apply: presigned URL parameters",
        &sorted_params(request.uri().query().unwrap_or("")).join("&"),
        &expected_query(case.query_signed).join("&"),
    );
}

macro_rules! cases {
    ($($test:ident => $dir:literal,)*) => {$(
        #[test]
        fn $test() {
            run(Case {
                name: $dir,
                context: include_str!(concat!("../vectors/aws-sigv4/", $dir, "/context.json")),
                request: include_str!(concat!("../vectors/aws-sigv4/", $dir, "/request.txt")),
                header_creq: include_str!(concat!("../vectors/aws-sigv4/", $dir, "/header-canonical-request.txt")),
                header_sts: include_str!(concat!("../vectors/aws-sigv4/", $dir, "/header-string-to-sign.txt")),
                header_sig: include_str!(concat!("../vectors/aws-sigv4/", $dir, "/header-signature.txt")),
                header_signed: include_str!(concat!("../vectors/aws-sigv4/", $dir, "/header-signed-request.txt")),
                query_creq: include_str!(concat!("../vectors/aws-sigv4/", $dir, "/query-canonical-request.txt")),
                query_sts: include_str!(concat!("../vectors/aws-sigv4/", $dir, "/query-string-to-sign.txt")),
                query_sig: include_str!(concat!("../vectors/aws-sigv4/", $dir, "/query-signature.txt")),
                query_signed: include_str!(concat!("../vectors/aws-sigv4/", $dir, "/query-signed-request.txt")),
            });
        }
    )*};
}

cases! {
    get_header_key_duplicate => "get-header-key-duplicate",
    get_header_value_multiline => "get-header-value-multiline",
    get_header_value_order => "get-header-value-order",
    get_header_value_trim => "get-header-value-trim",
    get_relative_normalized => "get-relative-normalized",
    get_relative_relative_normalized => "get-relative-relative-normalized",
    get_relative_relative_unnormalized => "get-relative-relative-unnormalized",
    get_relative_unnormalized => "get-relative-unnormalized",
    get_slash_dot_slash_normalized => "get-slash-dot-slash-normalized",
    get_slash_dot_slash_unnormalized => "get-slash-dot-slash-unnormalized",
    get_slash_normalized => "get-slash-normalized",
    get_slash_pointless_dot_normalized => "get-slash-pointless-dot-normalized",
    get_slash_pointless_dot_unnormalized => "get-slash-pointless-dot-unnormalized",
    get_slash_unnormalized => "get-slash-unnormalized",
    get_slashes_normalized => "get-slashes-normalized",
    get_slashes_unnormalized => "get-slashes-unnormalized",
    get_space_normalized => "get-space-normalized",
    get_space_unnormalized => "get-space-unnormalized",
    get_unreserved => "get-unreserved",
    get_utf8 => "get-utf8",
    get_vanilla => "get-vanilla",
    get_vanilla_empty_query_key => "get-vanilla-empty-query-key",
    get_vanilla_query => "get-vanilla-query",
    get_vanilla_query_order_encoded => "get-vanilla-query-order-encoded",
    get_vanilla_query_order_key_case => "get-vanilla-query-order-key-case",
    get_vanilla_query_unreserved => "get-vanilla-query-unreserved",
    get_vanilla_utf8_query => "get-vanilla-utf8-query",
    get_vanilla_with_session_token => "get-vanilla-with-session-token",
    post_header_key_case => "post-header-key-case",
    post_header_key_sort => "post-header-key-sort",
    post_header_value_case => "post-header-value-case",
    post_sts_header_after => "post-sts-header-after",
    post_sts_header_before => "post-sts-header-before",
    post_vanilla => "post-vanilla",
    post_vanilla_empty_query_value => "post-vanilla-empty-query-value",
    post_vanilla_query => "post-vanilla-query",
    post_x_www_form_urlencoded => "post-x-www-form-urlencoded",
    post_x_www_form_urlencoded_parameters => "post-x-www-form-urlencoded-parameters",
}

/// Every case folder is listed above: a new case in the folder fails here until added.
#[test]
fn every_case_is_listed() {
    let listed = include_str!("auth_sigv4_suite.rs")
        .matches(" => \"")
        .count();
    let on_disk = std::fs::read_dir(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/vectors/aws-sigv4"
    ))
    .unwrap()
    .count();
    assert_eq!(listed, on_disk);
    assert_eq!(on_disk, 38);
}
