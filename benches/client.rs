//! One GET through `munity::Client` against the same GET with bare reqwest, both
//! against the in-process sandbox, in the same run. The client's overhead (URL
//! building, headers, retry bookkeeping, the timeout timer, error mapping) is the
//! difference; the goal is a ratio of at most 1.10.
//!
//! `cargo bench --features sandbox --bench client` prints both timings, then the ratio.
//! On a shared machine the load drifts between criterion's two measurements (one runs
//! after the other), so the bench also times the two in alternating rounds of 500 GETs
//! each (the order swapped every round) and prints the median and spread of the
//! per-round ratios: load that changes slowly hits both sides of a round alike.
//! It then times the client's GET with a subscriber recording its span per call
//! against the same GET with none (`span cost`).
//! Memory of streaming 1,000 vs 10,000 items is measured by `tests/client_memory.rs`
//! (a counting allocator cannot live here next to the timing).

// criterion_group! defines an undocumented public function.
#![allow(missing_docs)]

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use munity::client::Client;
use munity::model::Workspace;
use munity::sandbox::{Sandbox, SandboxOptions};

fn get_workspace(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let sandbox = rt
        .block_on(Sandbox::start(SandboxOptions::memory()))
        .expect("the sandbox starts");
    let client = Client::builder()
        .api_key(sandbox.admin_key())
        .base_url(sandbox.base_url())
        .build()
        .expect("a client");

    let bare = reqwest::Client::new();
    let url = format!("{}/workspace/", sandbox.base_url());
    let mut auth = http::HeaderValue::from_str(sandbox.admin_key().authorization_value().expose())
        .expect("a header value");
    auth.set_sensitive(true);

    // Both must answer the same before they are timed.
    let via_client = rt.block_on(client.workspace().get()).expect("client GET");
    let via_bare: Workspace = rt
        .block_on(async {
            bare.get(&url)
                .header(http::header::AUTHORIZATION, auth.clone())
                .send()
                .await?
                .error_for_status()?
                .json()
                .await
        })
        .expect("bare GET");
    assert_eq!(via_client, via_bare);

    // The two calls timed, each the same way by criterion and by the paired rounds.
    let bare_get = || async {
        bare.get(&url)
            .header(http::header::AUTHORIZATION, auth.clone())
            .header(http::header::ACCEPT, "application/json")
            .send()
            .await
            .expect("send")
            .error_for_status()
            .expect("2xx")
            .json::<Workspace>()
            .await
            .expect("json")
    };
    let munity_get = || async { client.workspace().get().await.expect("GET workspace/") };

    let mut group = c.benchmark_group("get_workspace");
    group.measurement_time(Duration::from_secs(8));
    group.bench_function("bare_reqwest", |b| b.to_async(&rt).iter(bare_get));
    group.bench_function("munity_client", |b| b.to_async(&rt).iter(munity_get));
    group.finish();

    paired_rounds(&rt, bare_get, munity_get);
    span_cost(&rt, munity_get);

    for statistic in ["slope", "median", "mean"] {
        if let (Some(ours), Some(base)) = (
            estimate_ns("get_workspace/munity_client", statistic),
            estimate_ns("get_workspace/bare_reqwest", statistic),
        ) {
            println!(
                "get_workspace {statistic}: munity_client {:.1} µs, bare_reqwest {:.1} µs, ratio {:.3} (goal <= 1.10)",
                ours / 1000.0,
                base / 1000.0,
                ours / base
            );
        }
    }
}

/// GETs per side in each round of [`paired_rounds`].
const PER_ROUND: u32 = 500;

/// Times `baseline` and `ours` in alternating rounds (the order swapped each round) and
/// prints the median, lowest and highest per-round ratio `ours / baseline`.
fn paired_rounds<B, BF, O, OF>(rt: &tokio::runtime::Runtime, baseline: B, ours: O)
where
    B: Fn() -> BF,
    BF: std::future::Future<Output = Workspace>,
    O: Fn() -> OF,
    OF: std::future::Future<Output = Workspace>,
{
    const ROUNDS: usize = 31;
    let mut ratios = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        let (base, mine) = if round % 2 == 0 {
            let base = time_round(rt, &baseline);
            (base, time_round(rt, &ours))
        } else {
            let mine = time_round(rt, &ours);
            (time_round(rt, &baseline), mine)
        };
        ratios.push(mine / base);
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "get_workspace paired rounds ({ROUNDS} x {PER_ROUND} GETs each side): ratio median {:.3}, lowest {:.3}, highest {:.3} (goal <= 1.10)",
        ratios[ROUNDS / 2],
        ratios[0],
        ratios[ROUNDS - 1]
    );
}

/// What the client's span per call costs when a subscriber records it: the same GET
/// with no subscriber and under a `tracing-subscriber` fmt layer (INFO, target
/// `munity::client` only, writing to a sink: it formats every span field as an exporter
/// would), in alternating rounds; prints the median per-round ratio traced / untraced.
fn span_cost<O, OF>(rt: &tokio::runtime::Runtime, ours: O)
where
    O: Fn() -> OF,
    OF: std::future::Future<Output = Workspace>,
{
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::Layer as _;

    const ROUNDS: usize = 31;
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::sink)
        .with_filter(
            tracing_subscriber::filter::Targets::new()
                .with_target("munity::client", tracing::Level::INFO),
        );
    let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(layer));
    let traced = || tracing::dispatcher::with_default(&dispatch, || time_round(rt, &ours));
    let mut ratios = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        let (plain, with_spans) = if round % 2 == 0 {
            let plain = time_round(rt, &ours);
            (plain, traced())
        } else {
            let with_spans = traced();
            (time_round(rt, &ours), with_spans)
        };
        ratios.push(with_spans / plain);
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "get_workspace span cost ({ROUNDS} x {PER_ROUND} GETs each side): traced / untraced median {:.3}, lowest {:.3}, highest {:.3}",
        ratios[ROUNDS / 2],
        ratios[0],
        ratios[ROUNDS - 1]
    );
}

/// Seconds for one round: `PER_ROUND` sequential calls of `run`.
fn time_round<F, Fut>(rt: &tokio::runtime::Runtime, run: &F) -> f64
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Workspace>,
{
    rt.block_on(async {
        let start = std::time::Instant::now();
        for _ in 0..PER_ROUND {
            std::hint::black_box(run().await);
        }
        start.elapsed().as_secs_f64()
    })
}

/// A time criterion just recorded for `id` (`slope`, `median` or `mean`, in ns), read
/// from its estimates file.
fn estimate_ns(id: &str, statistic: &str) -> Option<f64> {
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".to_owned());
    let path = format!("{target}/criterion/{id}/new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json[statistic]["point_estimate"].as_f64()
}

criterion_group!(benches, get_workspace);
criterion_main!(benches);
