//! Throughput of a simple GET (`workspace/`) with 50 concurrent clients on loopback.
//! A measurement for the README, not a test: it is ignored by default and asserts only
//! that every request succeeded. Run it with
//! `cargo test --release --features sandbox --test sandbox_load -- --ignored --nocapture`.
#![cfg(feature = "sandbox")]

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use munity::sandbox::{Sandbox, SandboxOptions};

const CLIENTS: usize = 50;
const WARM_UP: Duration = Duration::from_secs(1);
const MEASURE: Duration = Duration::from_secs(5);

#[tokio::test(flavor = "multi_thread")]
#[ignore = "a measurement: run with --release --ignored --nocapture"]
async fn simple_get_requests_per_second() {
    let sb = Sandbox::start(SandboxOptions::memory()).await.unwrap();
    let url = format!("{}/workspace/", sb.base_url());
    let auth = sb.admin_key().authorization_value().expose().clone();
    let counting = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (url, auth) = (url.clone(), auth.clone());
        let (counting, stop, done, failed) = (
            Arc::clone(&counting),
            Arc::clone(&stop),
            Arc::clone(&done),
            Arc::clone(&failed),
        );
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            while !stop.load(Ordering::Relaxed) {
                let ok = match http.get(&url).header("Authorization", &auth).send().await {
                    Ok(response) => response.status() == 200 && response.bytes().await.is_ok(),
                    Err(_) => false,
                };
                if counting.load(Ordering::Relaxed) {
                    if ok {
                        done.fetch_add(1, Ordering::Relaxed);
                    } else {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    tokio::time::sleep(WARM_UP).await;
    counting.store(true, Ordering::Relaxed);
    let started = Instant::now();
    tokio::time::sleep(MEASURE).await;
    counting.store(false, Ordering::Relaxed);
    let elapsed = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await.unwrap();
    }
    let done = done.load(Ordering::Relaxed);
    println!(
        "GET /v1/workspace/, {CLIENTS} concurrent clients, {:.1} s: {done} requests, {:.0} requests/second",
        elapsed.as_secs_f64(),
        done as f64 / elapsed.as_secs_f64()
    );
    assert_eq!(failed.load(Ordering::Relaxed), 0);
    sb.shutdown().await;
}
