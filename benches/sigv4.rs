#![allow(missing_docs)] // criterion_group! generates undocumented items
//! SigV4 header signing: `munity::auth::apply` against the `aws-sigv4` crate (AWS's own
//! Rust signer) on the same request, in one criterion run. Both sign a clone of the
//! same `http::Request` (POST with a JSON body, four headers, a query and a session
//! token) and set its headers; the setup asserts that both give the same
//! `Authorization` header. Run: `cargo bench --bench sigv4`.
//!
//! `munity` reuses the day's signing key across calls (the default, as AWS's Java and
//! JavaScript SDKs do); `munity-no-key-cache` derives it on every call as `aws-sigv4`
//! does. Each is measured twice: in wall time (criterion's default) and in the thread's CPU
//! time (`sigv4_header_signing_cpu`), which other processes on a shared, loaded
//! machine do not inflate; the ratio to report is the CPU-time one.

use std::time::{Duration, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    sign as aws_sign, SignableBody, SignableRequest as AwsSignable, SigningSettings,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use criterion::measurement::Measurement;
use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion};
use munity::auth::{apply, Options, Selected};
use munity::model::{Authentication, ContentType, CredentialRecordInput, Environment};
use thread_cpu::ThreadCpu;

#[path = "support/thread_cpu.rs"]
mod thread_cpu;

const NOW: u64 = 1_763_900_000;
const ACCESS_KEY: &str = "AKIDEXAMPLE";
const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLEtokenAQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI";

fn request() -> http::Request<Vec<u8>> {
    let body = br#"{"order":{"id":"123","items":[{"sku":"A-1","qty":2},{"sku":"B-7","qty":1}],"note":"leave at the door"},"currency":"EUR","total":"42.50"}"#;
    http::Request::post(
        "https://abc123.execute-api.us-east-1.amazonaws.com/prod/orders/123?expand=items&page=2&filter=open%20orders",
    )
    .header("content-type", "application/json")
    .header("accept", "application/json")
    .header("x-request-id", "7f1c2e4a-5b6d-4e8f-9a0b-1c2d3e4f5a6b")
    .header("x-custom-header", "  some   spaced   value ")
    .body(body.to_vec())
    .unwrap()
}

fn ours(
    selected: &Selected<'_>,
    options: &Options,
    mut request: http::Request<Vec<u8>>,
) -> http::Request<Vec<u8>> {
    apply(selected, &mut request, options).unwrap();
    request
}

fn theirs(identity: &Identity, mut request: http::Request<Vec<u8>>) -> http::Request<Vec<u8>> {
    let params = v4::SigningParams::builder()
        .identity(identity)
        .region("us-east-1")
        .name("execute-api")
        .time(UNIX_EPOCH + Duration::from_secs(NOW))
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let uri = request.uri().to_string();
    let signable = AwsSignable::new(
        request.method().as_str(),
        &uri,
        request
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str(), v.to_str().unwrap())),
        SignableBody::Bytes(request.body()),
    )
    .unwrap();
    let (instructions, _) = aws_sign(signable, &params).unwrap().into_parts();
    instructions.apply_to_request_http1x(&mut request);
    request
}

fn bench_wall(c: &mut Criterion) {
    bench(c, "sigv4_header_signing");
}

fn bench_cpu(c: &mut Criterion<ThreadCpu>) {
    bench(c, "sigv4_header_signing_cpu");
}

fn bench<M: Measurement>(c: &mut Criterion<M>, name: &str) {
    let record = CredentialRecordInput::new(
        "bench",
        "",
        Environment::Production,
        ContentType::Json,
        Authentication::Aws4 {
            access_key: ACCESS_KEY.into(),
            secret_key: SECRET_KEY.into(),
            region: "us-east-1".into(),
            service: "execute-api".into(),
            base_endpoint: String::new(),
            session_token: Some(TOKEN.into()),
        },
    );
    let selected = Selected::from_record(&record, None).unwrap();
    let identity: Identity =
        Credentials::new(ACCESS_KEY, SECRET_KEY, Some(TOKEN.into()), None, "bench").into();

    let cached = Options::at(NOW as i64);
    let mut derived = Options::at(NOW as i64);
    derived.reuse_aws_signing_key = false;
    let a = ours(&selected, &cached, request());
    assert_eq!(
        a.headers()["authorization"],
        ours(&selected, &derived, request()).headers()["authorization"]
    );
    let b = theirs(&identity, request());
    assert_eq!(
        a.headers()["authorization"],
        b.headers()["authorization"],
        "both signers must give the same Authorization header"
    );

    let mut group = c.benchmark_group(name);
    group.bench_function("munity", |bench| {
        bench.iter_batched(
            request,
            |r| black_box(ours(&selected, &cached, r)),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("munity-no-key-cache", |bench| {
        bench.iter_batched(
            request,
            |r| black_box(ours(&selected, &derived, r)),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("aws-sigv4", |bench| {
        bench.iter_batched(
            request,
            |r| black_box(theirs(&identity, r)),
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group! {
    name = wall;
    config = Criterion::default().sample_size(60).measurement_time(Duration::from_secs(4));
    targets = bench_wall
}
criterion_group! {
    name = cpu;
    config = Criterion::default()
        .with_measurement(ThreadCpu)
        .sample_size(60)
        .measurement_time(Duration::from_secs(4));
    targets = bench_cpu
}
criterion_main!(wall, cpu);
