//! `cargo bench --bench envelope`: `seal` for P-256 and X25519, then
//! the same seal by npm jose's `CompactEncrypt` in Node (the baseline, same payload and
//! keys), and the ratio. The jose part needs `scripts/setup-node-tools`; without
//! node it is skipped with a message.

use std::path::PathBuf;

#[path = "../tests/interop/node.rs"]
mod node;

use criterion::Criterion;
use munity::envelope::{seal, Credentials, SessionBinding, WorkspaceCertificate};

const NOW: i64 = 1_700_000_000;

struct Fixture {
    p256: WorkspaceCertificate,
    x25519: WorkspaceCertificate,
    binding: SessionBinding,
    credentials: Credentials,
}

fn fixture() -> Fixture {
    Fixture {
        p256: WorkspaceCertificate::parse(
            include_str!("../tests/corpus/envelope/p256-public.pem"),
            NOW,
        )
        .unwrap(),
        x25519: WorkspaceCertificate::parse(
            include_str!("../tests/corpus/envelope/x25519-public.pem"),
            NOW,
        )
        .unwrap(),
        binding: SessionBinding::new("cus_42", "jira", "q5D8kFhRv0bVKh3nyg3bJw")
            .with_workspace("ws_1"),
        credentials: Credentials::new()
            .with("username", "ada@example.com")
            .with("password", "correct horse battery staple"),
    }
}

fn bench_seal(c: &mut Criterion, f: &Fixture) {
    let mut group = c.benchmark_group("seal");
    for (name, certificate) in [("p256", &f.p256), ("x25519", &f.x25519)] {
        group.bench_function(name, |b| {
            b.iter(|| seal(certificate, &f.binding, &f.credentials, NOW).unwrap())
        });
    }
    group.finish();
}

/// The payload JSON our `seal` encrypts (docs/envelope.md), to hand jose the same
/// plaintext.
fn payload_json(f: &Fixture) -> String {
    let credentials: serde_json::Map<String, serde_json::Value> = f
        .credentials
        .iter()
        .map(|(k, v)| (k.to_owned(), v.expose().clone().into()))
        .collect();
    serde_json::json!({
        "v": 1,
        "workspace": f.binding.workspace,
        "customer": f.binding.customer,
        "connector": f.binding.connector,
        "nonce": f.binding.nonce,
        "iat": NOW,
        "exp": NOW + munity::envelope::DEFAULT_TTL_SECS,
        "credentials": credentials,
    })
    .to_string()
}

fn criterion_mean_ns(id: &str) -> Option<f64> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target/criterion/seal")
        .join(id)
        .join("new/estimates.json");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    // The figure criterion prints: the slope when it sampled linearly, else the mean.
    json["slope"]["point_estimate"]
        .as_f64()
        .or_else(|| json["mean"]["point_estimate"].as_f64())
}

fn jose_baseline(f: &Fixture) {
    let key = |k: &WorkspaceCertificate| {
        serde_json::json!({
            "jwk": serde_json::from_str::<serde_json::Value>(&k.public_jwk()).unwrap(),
            "kid": k.kid(),
        })
    };
    let input = serde_json::json!({
        "plaintext": payload_json(f),
        "keys": { "p256": key(&f.p256), "x25519": key(&f.x25519) },
    });
    let result = match node::run("jose-bench.cjs", &input)
        .and_then(|out| serde_json::from_str::<serde_json::Value>(&out).map_err(|e| e.to_string()))
    {
        Ok(result) => result,
        Err(e) => {
            eprintln!("jose baseline skipped: {e}");
            return;
        }
    };
    println!(
        "\nseal: munity (criterion estimate) vs npm jose CompactEncrypt in Node (same payload and key)"
    );
    for id in ["p256", "x25519"] {
        let jose = result[id].as_f64().unwrap_or(f64::NAN);
        match criterion_mean_ns(id) {
            Some(ours) => println!(
                "  {id:7} munity {:8.1} µs   jose {:8.1} µs   jose/munity = {:.2}",
                ours / 1000.0,
                jose / 1000.0,
                jose / ours
            ),
            None => println!(
                "  {id:7} jose {:8.1} µs (no criterion result found)",
                jose / 1000.0
            ),
        }
    }
}

fn main() {
    let f = fixture();
    let mut c = Criterion::default().configure_from_args();
    bench_seal(&mut c, &f);
    c.final_summary();
    // Only in a real bench run (`cargo bench`), not in `cargo test --benches`.
    if std::env::args().any(|a| a == "--bench") {
        jose_baseline(&f);
    }
}
