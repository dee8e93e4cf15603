//! Connect link sign/verify and webhook verify, each beside a bare ring HMAC of the same
//! bytes in the same run, so the overhead of munity's code shows as a ratio:
//!
//! ```text
//! cargo bench --bench link
//! ```
//!
//! Compare `link_sign/munity` with `link_sign/bare_ring_hmac` (and likewise for
//! `link_verify` and `webhook_verify_1KiB`); the goal is a ratio of at most 1.5. Each
//! group runs twice: in wall time, and in the thread's CPU time (`*_cpu`), the ratio to
//! report on a shared machine.

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use criterion::measurement::Measurement;
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use munity::link::{ConnectLink, LinkBuilder, LinkKey, Nonce};
use munity::webhook::{Webhook, WebhookHeaders, WebhookSecret};
use munity::ApiKey;
use ring::hmac;
use thread_cpu::ThreadCpu;

#[path = "support/thread_cpu.rs"]
mod thread_cpu;

const NOW: i64 = 1_700_000_000;

fn setup() -> (LinkKey, LinkBuilder, ConnectLink) {
    let api_key = ApiKey::parse("REM0aW39.NfO0123456789CNeHpF29wo012345678").unwrap();
    let key = LinkKey::derive(&api_key);
    let builder = LinkBuilder::new("ws_1", "cus_42", "jira")
        .redirect_uri("https://app.example.com/done")
        .scope("read write");
    let link = builder
        .sign_with_link_key(&key, "REM0aW39", NOW, Nonce::from_bytes([7; 16]))
        .unwrap()
        .link()
        .clone();
    (key, builder, link)
}

fn link_sign<M: Measurement>(c: &mut Criterion<M>, suffix: &str) {
    let (key, builder, link) = setup();
    let canonical = link.canonical_string();
    let mut group = c.benchmark_group(format!("link_sign{suffix}"));
    group.bench_function("bare_ring_hmac", |b| {
        b.iter(|| {
            let k = hmac::Key::new(hmac::HMAC_SHA256, black_box(key.as_bytes()));
            hmac::sign(&k, black_box(&canonical))
        })
    });
    group.bench_function("munity", |b| {
        b.iter(|| {
            builder
                .sign_with_link_key(black_box(&key), "REM0aW39", NOW, Nonce::from_bytes([7; 16]))
                .unwrap()
        })
    });
    group.finish();
}

fn link_verify<M: Measurement>(c: &mut Criterion<M>, suffix: &str) {
    let (key, _, link) = setup();
    let canonical = link.canonical_string();
    let url = link.to_url(munity::link::DEFAULT_BASE_URL);
    let mut group = c.benchmark_group(format!("link_verify{suffix}"));
    group.bench_function("bare_ring_hmac", |b| {
        b.iter(|| {
            let k = hmac::Key::new(hmac::HMAC_SHA256, black_box(key.as_bytes()));
            hmac::verify(&k, black_box(&canonical), link.signature()).unwrap()
        })
    });
    group.bench_function("munity", |b| {
        b.iter(|| black_box(&link).verify(&key, NOW).unwrap())
    });
    group.bench_function("munity_parse_and_verify", |b| {
        b.iter(|| {
            ConnectLink::parse(black_box(&url))
                .unwrap()
                .verify(&key, NOW)
                .unwrap()
        })
    });
    group.finish();
}

fn webhook_verify<M: Measurement>(c: &mut Criterion<M>, suffix: &str) {
    let secret = WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
    let raw_key = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    )
    .unwrap();
    let hook = Webhook::new(secret);
    let body = vec![b'x'; 1024];
    let signature = hook.sign("msg_1", NOW, &body);
    let signed_content = [b"msg_1.1700000000.".as_slice(), &body].concat();
    let tag = hmac::sign(
        &hmac::Key::new(hmac::HMAC_SHA256, &raw_key),
        &signed_content,
    );
    let mut group = c.benchmark_group(format!("webhook_verify_1KiB{suffix}"));
    group.bench_function("bare_ring_hmac", |b| {
        b.iter(|| {
            let k = hmac::Key::new(hmac::HMAC_SHA256, black_box(&raw_key));
            hmac::verify(&k, black_box(&signed_content), tag.as_ref()).unwrap()
        })
    });
    group.bench_function("munity", |b| {
        b.iter(|| {
            let headers = WebhookHeaders {
                id: "msg_1",
                timestamp: "1700000000",
                signature: &signature,
            };
            hook.verify(&headers, black_box(&body), NOW).unwrap()
        })
    });
    group.finish();
}

fn all<M: Measurement>(c: &mut Criterion<M>, suffix: &str) {
    link_sign(c, suffix);
    link_verify(c, suffix);
    webhook_verify(c, suffix);
}

fn wall(c: &mut Criterion) {
    all(c, "");
}

fn cpu(c: &mut Criterion<ThreadCpu>) {
    all(c, "_cpu");
}

criterion_group!(wall_time, wall);
criterion_group! {
    name = cpu_time;
    config = Criterion::default().with_measurement(ThreadCpu);
    targets = cpu
}
criterion_main!(wall_time, cpu_time);
