//! `RedisNonceStore` against a real `redis-server` (feature `redis`): each test starts
//! its own server on a free loopback port, without persistence, and stops it.
//!
//! Where `redis-server` is not installed the tests skip with a loud message, unless
//! `MUNITY_REQUIRE_REDIS=1` (set by `scripts/test-all` once `scripts/setup-redis` has
//! installed it), where they fail instead.

use std::io::Write as _;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use munity::link::{
    AsyncNonceStore, ConnectLink, LinkBuilder, LinkKey, Nonce, RedisNonceStore, CLOCK_SKEW,
};
use munity::{ApiKey, ErrorKind};

/// A `redis-server` of this test, stopped (killed by its process handle) on drop.
struct RedisServer {
    child: Child,
    port: u16,
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl RedisServer {
    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .expect("a free port")
        .local_addr()
        .expect("its address")
        .port()
}

/// Starts `redis-server` on a free loopback port; `None` (after a loud message) where it
/// is not installed and the run does not require it.
fn redis_server() -> Option<RedisServer> {
    let required = std::env::var("MUNITY_REQUIRE_REDIS").is_ok_and(|v| v == "1");
    for _attempt in 0..5 {
        let port = free_port();
        let spawned = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
            .args([
                "--save",
                "",
                "--appendonly",
                "no",
                "--protected-mode",
                "yes",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
                // Straight to stderr: `eprintln!` would be captured and hidden.
                let _ = writeln!(
                    std::io::stderr(),
                    "\n!!!!!!!! SKIPPED: redis-server is not installed, so RedisNonceStore was \
                     NOT tested. Run scripts/setup-redis (Debian's redis-server package). !!!!!!!!\n"
                );
                return None;
            }
            Err(e) => panic!("cannot start redis-server: {e}"),
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                break; // exited: the port was taken meanwhile; try another
            }
            if TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_ok() {
                return Some(RedisServer { child, port });
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    panic!("redis-server did not start on a loopback port in 5 attempts");
}

fn skew() -> i64 {
    i64::try_from(CLOCK_SKEW.as_secs()).expect("small")
}

const NOW: i64 = 1_700_000_000;

fn api_key() -> ApiKey {
    ApiKey::parse("REM0aW39.NfO0123456789CNeHpF29wo012345678").expect("a key")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_many_concurrent_consumers_on_several_instances_exactly_one_wins() {
    let Some(server) = redis_server() else { return };
    // Four "API instances", each with its own connection to the one Redis.
    let mut instances = Vec::new();
    for _ in 0..4 {
        instances.push(
            RedisNonceStore::connect(&server.url())
                .await
                .expect("connects"),
        );
    }
    let started = Instant::now();
    for round in 0..20u8 {
        let nonce = Nonce::from_bytes([round; 16]);
        let mut tasks = Vec::new();
        for i in 0..32 {
            let store = instances[i % instances.len()].clone();
            tasks.push(tokio::spawn(async move {
                store.consume("REM0aW39", &nonce, NOW + 600, NOW).await
            }));
        }
        let mut wins = 0;
        for task in tasks {
            match task.await.expect("joins") {
                Ok(()) => wins += 1,
                Err(e) => {
                    assert_eq!(e.code(), "link_used", "{e}");
                    assert_eq!(e.kind(), ErrorKind::Conflict);
                }
            }
        }
        assert_eq!(wins, 1, "round {round}: exactly one consumer wins");
    }
    let _ = writeln!(
        std::io::stderr(),
        "RedisNonceStore: 20 rounds of 32 concurrent consumers on 4 connections in {} ms",
        started.elapsed().as_millis()
    );
}

#[tokio::test]
async fn an_expired_link_is_refused_and_nothing_is_recorded() {
    let Some(server) = redis_server() else { return };
    let store = RedisNonceStore::connect(&server.url())
        .await
        .expect("connects");
    let nonce = Nonce::from_bytes([9; 16]);
    let exp = NOW;
    let err = store
        .consume("REM0aW39", &nonce, exp, exp + skew() + 1)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "link_expired");
    assert_eq!(err.kind(), ErrorKind::Expired);
    // Not recorded: the last accepted second still consumes it, once.
    store
        .consume("REM0aW39", &nonce, exp, exp + skew())
        .await
        .expect("the last accepted second");
    let again = store
        .consume("REM0aW39", &nonce, exp, exp + skew())
        .await
        .unwrap_err();
    assert_eq!(again.code(), "link_used");
}

#[tokio::test]
async fn redis_forgets_a_nonce_only_after_its_link_can_no_longer_pass() {
    let Some(server) = redis_server() else { return };
    let now = NOW; // any clock: the lifetime is relative to the caller's `now`
    let store = RedisNonceStore::connect(&server.url())
        .await
        .expect("connects")
        .with_namespace("test:ns:");
    let nonce = Nonce::from_bytes([5; 16]);
    store
        .consume("REM0aW39", &nonce, now + 600, now)
        .await
        .expect("first use");
    let client = redis::Client::open(server.url()).expect("url");
    let mut conn = client
        .get_multiplexed_async_connection()
        .await
        .expect("connects");
    let key = format!("test:ns:REM0aW39:{}", nonce.to_base64url());
    let ttl_ms: i64 = redis::cmd("PTTL")
        .arg(&key)
        .query_async(&mut conn)
        .await
        .expect("PTTL");
    // The link passes for 600 s + skew more; Redis keeps the nonce one skew longer.
    let passes_ms = (600 + skew()) * 1000;
    assert!(
        ttl_ms > passes_ms,
        "kept {ttl_ms} ms, the link passes {passes_ms} ms more"
    );
    assert!(
        ttl_ms <= passes_ms + (skew() + 1) * 1000,
        "not kept much longer: {ttl_ms} ms"
    );
}

#[tokio::test]
async fn a_link_verifies_once_through_the_shared_store() {
    let Some(server) = redis_server() else { return };
    let now = munity::now_unix();
    let first = RedisNonceStore::connect(&server.url())
        .await
        .expect("connects");
    let second = RedisNonceStore::connect(&server.url())
        .await
        .expect("connects");
    let signed = LinkBuilder::new("ws_1", "cus_42", "jira")
        .sign(&api_key(), now)
        .expect("signed");
    let link = ConnectLink::parse(signed.url()).expect("parses");
    let key = LinkKey::derive(&api_key());
    link.verify_once_async(&key, now, &first)
        .await
        .expect("first use");
    let err = link
        .verify_once_async(&key, now + 1, &second)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "link_used", "the other instance sees the nonce");
    // A link signed with another key never reaches the store.
    let other = ApiKey::parse("OTHERkey.abcdefghijklmnopqrstuvwxyz012345").expect("a key");
    let err = link
        .verify_once_async(&LinkKey::derive(&other), now, &first)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "link_invalid_signature");
}

#[tokio::test]
async fn connection_errors_are_typed_and_do_not_repeat_the_url() {
    let err = RedisNonceStore::connect("http://user:hunter2@127.0.0.1:1/")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(!format!("{err} {err:?}").contains("hunter2"), "{err:?}");
    let port = free_port(); // nobody listens there now
    let err = RedisNonceStore::connect(&format!("redis://:hunter2@127.0.0.1:{port}/0"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network, "{err}");
    assert!(!format!("{err} {err:?}").contains("hunter2"), "{err:?}");
}

#[test]
fn debug_shows_no_connection_details() {
    // Debug needs a store; build one only where a server runs.
    let Some(server) = redis_server() else { return };
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let store = runtime
        .block_on(RedisNonceStore::connect(&server.url()))
        .expect("connects");
    let debug = format!("{store:?}");
    assert!(debug.contains("munity:link-nonce:v1:"), "{debug}");
    assert!(!debug.contains(&server.port.to_string()), "{debug}");
}
