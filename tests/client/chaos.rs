//! The client's promises under faults (issue 7, "Faults"):
//! - 10,000 mixed writes (creates, updates, deletes of customers and pm-tasks), 16 at a
//!   time, through `munity::Client` against the in-process sandbox failing a quarter of
//!   the requests (503s and dropped connections, before and after the write committed):
//!   with chaos then off, the stored state is exactly the expected one;
//! - a call gives up within its time budget with an error that says why: against a
//!   sandbox failing every request, a server that never answers, and one that answers
//!   503 with a long `Retry-After`; it never sleeps past its deadline;
//! - what may have been done and is not safe to repeat is not repeated.

use crate::client_support;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use munity::client::{Client, ClientBuilder, Method, RetryPolicy};
use munity::model::*;
use munity::sandbox::{Sandbox, SandboxOptions};
use munity::{ApiKey, Error, ErrorKind};
use tokio::net::{TcpListener, TcpStream};

use client_support::{read_request, write_answer};

/// The number of write operations of the big run.
const OPERATIONS: usize = 10_000;
/// How many run at once.
const WORKERS: usize = 16;
/// The fraction of requests the sandbox fails.
const CHAOS: f64 = 0.25;

/// How much later than its budget a call may end (scheduling on a busy machine).
const MARGIN: Duration = Duration::from_millis(400);

fn builder(base: &str, key: &ApiKey) -> ClientBuilder {
    Client::builder().api_key(key).base_url(base)
}

/// A fast policy: many attempts, millisecond backoff.
fn patient(base: &str, key: &ApiKey) -> Client {
    builder(base, key)
        .retry(
            RetryPolicy::default()
                .max_attempts(40)
                .base_delay(Duration::from_millis(1))
                .max_delay(Duration::from_millis(10))
                .budget(Duration::from_secs(60)),
        )
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

/// Up to 1000 attempts 20 to 100 ms apart: only time ends the call.
fn many_attempts() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(1000)
        .base_delay(Duration::from_millis(20))
        .max_delay(Duration::from_millis(100))
}

/// Retries a millisecond apart.
fn fast() -> RetryPolicy {
    RetryPolicy::default().base_delay(Duration::from_millis(1))
}

/// Asserts that an error's Display and Debug show neither key's secret part.
fn assert_no_key(err: &Error, key: &ApiKey) {
    let shown = format!("{err} {err:?}");
    let secret = key.expose().split_once('.').unwrap().1;
    assert!(!shown.contains(secret), "the key leaked into {shown}");
}

tokio::task_local! {
    /// Where [`RetryCounter`] counts the retries of the calls of the current task.
    static RETRIES: Arc<AtomicU64>;
}

/// Counts the client's `retrying` events (target `munity::client`) into the task's
/// [`RETRIES`], if it has one.
struct RetryCounter;

impl tracing::Subscriber for RetryCounter {
    fn enabled(&self, metadata: &tracing::Metadata<'_>) -> bool {
        metadata.target() == "munity::client"
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, _: &tracing::Event<'_>) {
        let _ = RETRIES.try_with(|count| count.fetch_add(1, Ordering::Relaxed));
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

/// Installs [`RetryCounter`] as the global subscriber. Every test calls it first, so it
/// is in place before any call site is first hit (tests run in parallel).
fn init() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        tracing::subscriber::set_global_default(RetryCounter)
            .expect("no other global subscriber in this test binary");
    });
}

/// splitmix64: a reproducible sequence per worker.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) % n as u64) as usize
    }
}

/// What one worker expects the server to hold.
#[derive(Default)]
struct Expected {
    /// id -> (external id, name)
    customers: BTreeMap<String, (String, String)>,
    deleted: BTreeSet<String>,
    /// The worker's own customer, holding its project and tasks.
    home: String,
    /// task id -> (title, status)
    tasks: BTreeMap<String, (String, TaskStatus)>,
}

/// How many of each operation ran.
#[derive(Default, Debug)]
struct Counts {
    creates: usize,
    updates: usize,
    deletes: usize,
}

enum Op {
    CreateCustomer,
    UpdateCustomer,
    DeleteCustomer,
    CreateTask,
    UpdateTask,
}

const STATUSES: [TaskStatus; 3] = [TaskStatus::Todo, TaskStatus::InProgress, TaskStatus::Done];

/// One worker: its home customer and project, then `ops` random writes. Every call must
/// succeed; the answers must be what was asked.
async fn worker(client: Client, w: usize, ops: usize) -> Result<(Expected, Counts), Error> {
    let mut rng = Rng(w as u64);
    let mut exp = Expected::default();
    let mut counts = Counts::default();
    let home = client
        .customers()
        .create(&CustomerCreate::new(
            format!("chaos-w{w:02}-home"),
            format!("Home {w}"),
        ))
        .await?;
    let project = client
        .customer(&home.id)
        .pm_projects()
        .create(&PmProjectCreate {
            connector: Some("jira".into()),
            ..PmProjectCreate::new(format!("Project {w}"))
        })
        .await?;
    exp.customers.insert(
        home.id.clone(),
        (home.external_id.clone(), home.name.clone()),
    );
    exp.home = home.id.clone();
    for n in 0..ops {
        let others: Vec<&String> = exp.customers.keys().filter(|id| **id != home.id).collect();
        // 30% create a customer, 20% rename one, 10% delete one, 20% create a task, 20%
        // update one; a create when there is nothing to update or delete.
        let op = match rng.below(100) {
            30..=49 if !others.is_empty() => Op::UpdateCustomer,
            50..=59 if !others.is_empty() => Op::DeleteCustomer,
            60..=79 => Op::CreateTask,
            80..=99 if exp.tasks.is_empty() => Op::CreateTask,
            80..=99 => Op::UpdateTask,
            _ => Op::CreateCustomer,
        };
        match op {
            Op::CreateCustomer => {
                let external_id = format!("chaos-w{w:02}-{n:05}");
                let name = format!("Customer w{w} n{n}");
                let got = client
                    .customers()
                    .create(&CustomerCreate::new(&external_id, &name))
                    .await?;
                assert_eq!((&got.external_id, &got.name), (&external_id, &name));
                exp.customers.insert(got.id, (external_id, name));
                counts.creates += 1;
            }
            Op::UpdateCustomer => {
                let id = others[rng.below(others.len())].clone();
                let name = format!("Customer w{w} renamed at {n}");
                let update = CustomerUpdate {
                    name: Some(name.clone()),
                    ..Default::default()
                };
                let got = client.customers().update(&id, &update).await?;
                assert_eq!((&got.id, &got.name), (&id, &name));
                if let Some(c) = exp.customers.get_mut(&id) {
                    c.1 = name;
                }
                counts.updates += 1;
            }
            Op::DeleteCustomer => {
                let id = others[rng.below(others.len())].clone();
                client.customers().delete(&id).await?;
                exp.customers.remove(&id);
                exp.deleted.insert(id);
                counts.deletes += 1;
            }
            Op::CreateTask => {
                let title = format!("Task w{w} n{n}");
                let task = client
                    .customer(&home.id)
                    .pm_tasks()
                    .create(&PmTaskCreate::new(&project.id, &title))
                    .await?;
                assert_eq!(task.title, title);
                exp.tasks.insert(task.id, (title, task.status));
                counts.creates += 1;
            }
            Op::UpdateTask => {
                let ids: Vec<&String> = exp.tasks.keys().collect();
                let id = ids[rng.below(ids.len())].clone();
                let title = format!("Task w{w} retitled at {n}");
                let status = STATUSES[rng.below(STATUSES.len())].clone();
                let update = PmTaskUpdate {
                    title: Some(title.clone()),
                    status: Some(status.clone()),
                    ..Default::default()
                };
                let got = client
                    .customer(&home.id)
                    .pm_tasks()
                    .update(&id, &update)
                    .await?;
                assert_eq!((&got.title, &got.status), (&title, &status));
                exp.tasks.insert(id, (title, status));
                counts.updates += 1;
            }
        }
    }
    Ok((exp, counts))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_mixed_writes_under_chaos_are_each_done_exactly_once() {
    init();
    let sb = Sandbox::start(SandboxOptions::memory().chaos(CHAOS))
        .await
        .unwrap();
    let client = patient(sb.base_url(), sb.admin_key());
    let retries = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let runs: Vec<Result<(Expected, Counts), Error>> = futures_util::stream::iter(0..WORKERS)
        .map(|w| {
            let ops = (w + 1) * OPERATIONS / WORKERS - w * OPERATIONS / WORKERS;
            RETRIES.scope(Arc::clone(&retries), worker(client.clone(), w, ops))
        })
        .buffer_unordered(WORKERS)
        .collect()
        .await;
    let took = started.elapsed();
    let stats = sb.chaos_stats();
    sb.set_chaos(0.0);

    let mut expected = Vec::new();
    let mut total = Counts::default();
    for run in runs {
        let (exp, counts) = run.unwrap_or_else(|e| panic!("a call failed under chaos: {e}"));
        total.creates += counts.creates;
        total.updates += counts.updates;
        total.deletes += counts.deletes;
        expected.push(exp);
    }
    assert_eq!(total.creates + total.updates + total.deletes, OPERATIONS);
    let retried = retries.load(Ordering::Relaxed);
    println!(
        "{OPERATIONS} writes ({} creates, {} updates, {} deletes) by {WORKERS} tasks at chaos {CHAOS} in {:.1} s: \
         {} requests, {retried} retries, {} injected failures ({} 503 + {} dropped before the handler, {} 503 + {} dropped after the commit)",
        total.creates,
        total.updates,
        total.deletes,
        took.as_secs_f64(),
        stats.requests,
        stats.injected(),
        stats.unavailable_before,
        stats.dropped_before,
        stats.unavailable_after,
        stats.dropped_after,
    );
    // Every injected failure made the client try again (a broken keep-alive connection
    // the server never read from is a retry too, but no injected failure).
    assert!(retried >= stats.injected(), "{retried} retries");
    let floor = (OPERATIONS as f64 * CHAOS * 0.8) as u64;
    assert!(stats.injected() > floor, "chaos injected {stats:?}");
    assert!(stats.dropped_after > floor / 8, "{stats:?}");

    // Chaos off: the stored state is exactly the expected one.
    let reader = builder(sb.base_url(), sb.admin_key()).build().unwrap();
    let stored: BTreeMap<String, (String, String)> = reader
        .customers()
        .list_all(&CustomerListParams {
            page_size: Some(100),
            ..Default::default()
        })
        .try_collect_all()
        .await
        .unwrap()
        .into_iter()
        .filter(|c| c.external_id.starts_with("chaos-"))
        .map(|c| (c.id, (c.external_id, c.name)))
        .collect();
    let want: BTreeMap<String, (String, String)> =
        expected.iter().flat_map(|e| e.customers.clone()).collect();
    let missing: Vec<_> = want.keys().filter(|id| !stored.contains_key(*id)).collect();
    let extra: Vec<_> = stored.keys().filter(|id| !want.contains_key(*id)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "lost customers {missing:?}, unexpected (duplicated or undeleted) {extra:?}"
    );
    assert_eq!(stored, want, "every update applied, with the last value");
    for exp in &expected {
        assert!(exp.deleted.iter().all(|id| !stored.contains_key(id)));
        let tasks: Vec<PmTask> = reader
            .customer(&exp.home)
            .pm_tasks()
            .list_all(&PmTaskListParams {
                page_size: Some(100),
                ..Default::default()
            })
            .try_collect_all()
            .await
            .unwrap();
        let got: BTreeMap<String, (String, TaskStatus)> = tasks
            .iter()
            .map(|t| (t.id.clone(), (t.title.clone(), t.status.clone())))
            .collect();
        assert_eq!(got.len(), tasks.len());
        let titles: BTreeSet<&str> = tasks.iter().map(|t| t.title.as_str()).collect();
        assert_eq!(titles.len(), tasks.len(), "a task was created twice");
        assert_eq!(
            got, exp.tasks,
            "tasks of {}: none lost, none twice",
            exp.home
        );
    }
    // A deleted customer stays deleted for a plain GET too.
    if let Some(id) = expected.iter().find_map(|e| e.deleted.first()) {
        let err = reader.customers().get(id).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
    }
    sb.shutdown().await;
}

/// Checks the error of a call that ran out of retry budget `budget` after `took`.
fn assert_budget_error(err: &Error, took: Duration, budget: Duration, key: &ApiKey) {
    assert!(
        took <= budget + MARGIN,
        "took {took:?} for a {budget:?} budget"
    );
    assert_eq!(
        (err.kind(), err.code()),
        (ErrorKind::Timeout, "retry_budget_exhausted"),
        "{err}"
    );
    assert!(err.is_timeout());
    let detail = err.detail();
    assert!(detail.contains("gave up after"), "{detail}");
    assert!(detail.contains("retry budget"), "{detail}");
    assert_no_key(err, key);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_every_request_fails_a_call_ends_within_its_budget() {
    init();
    let sb = Sandbox::start(SandboxOptions::memory().chaos(1.0))
        .await
        .unwrap();
    let key = sb.admin_key();
    // The budget ends it: many attempts allowed, one second in all.
    let budget = Duration::from_secs(1);
    let bounded_by_time = builder(sb.base_url(), key)
        .retry(many_attempts().budget(budget))
        .build()
        .unwrap();
    let start = Instant::now();
    let err = bounded_by_time.workspace().get().await.unwrap_err();
    assert_budget_error(&err, start.elapsed(), budget, key);
    // The last failure is named: a 503 (with its status) or a dropped connection.
    match err.status() {
        Some(503) => assert!(err.detail().contains("last error: unavailable")),
        None => assert!(err.detail().contains("last error: connection_failed")),
        other => panic!("status {other:?}: {err}"),
    }

    let start = Instant::now();
    let err = bounded_by_time
        .customers()
        .create(&CustomerCreate::new("never", "Never"))
        .await
        .unwrap_err();
    assert_budget_error(&err, start.elapsed(), budget, key);
    println!("budget: {err}");

    // The call's timeout ends it when it is shorter than the retry budget.
    let timeout = Duration::from_millis(700);
    let bounded_by_timeout = builder(sb.base_url(), key)
        .timeout(timeout)
        .retry(many_attempts())
        .build()
        .unwrap();
    let start = Instant::now();
    let err = bounded_by_timeout.workspace().get().await.unwrap_err();
    let took = start.elapsed();
    assert!(
        took <= timeout + MARGIN,
        "took {took:?} for a {timeout:?} timeout"
    );
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert!(
        ["retry_budget_exhausted", "timeout"].contains(&err.code()),
        "{err}"
    );
    assert_no_key(&err, key);

    // The attempts end it: the last failure's own kind and code, and how many attempts.
    let bounded_by_attempts = builder(sb.base_url(), key)
        .retry(fast().max_attempts(3))
        .build()
        .unwrap();
    for _ in 0..4 {
        let err = bounded_by_attempts.workspace().get().await.unwrap_err();
        match (err.kind(), err.code(), err.status()) {
            (ErrorKind::Api, "unavailable", Some(503))
            | (ErrorKind::Network, "connection_failed", None) => {}
            other => panic!("unexpected {other:?}: {err}"),
        }
        assert!(
            err.detail().starts_with("gave up after 3 attempts in "),
            "{}",
            err.detail()
        );
        // The call is in fields, and Display composes them.
        assert_eq!(
            (err.method().map(|m| m.as_str()), err.path(), err.attempts()),
            (Some("GET"), Some("workspace/"), Some(3))
        );
        let shown = err.to_string();
        assert!(
            shown.starts_with(&format!("{}: GET workspace/: gave up after 3", err.code()))
                && shown.contains("attempt 3)"),
            "{shown}"
        );
        assert_no_key(&err, key);
        println!("attempts: {err}");
    }
    let stats = sb.chaos_stats();
    assert_eq!(
        stats.requests,
        stats.injected(),
        "chaos 1.0 fails everything"
    );
    sb.set_chaos(0.0);
    // Nothing was created by the create that gave up before any attempt got through...
    // unless an attempt failed after the commit: then its retries replayed it, and the
    // record exists once.
    let found = patient(sb.base_url(), key)
        .customers()
        .list_all(&CustomerListParams {
            external_id: Some("never".into()),
            ..Default::default()
        })
        .try_collect_all()
        .await
        .unwrap();
    assert!(found.len() <= 1, "{found:?}");
    sb.shutdown().await;
}

/// What a test server does with request number `n` (1-based).
#[derive(Clone)]
enum Answer {
    /// Status, extra headers, body.
    Reply(u16, Vec<(&'static str, String)>, &'static str),
    /// Close the connection without answering.
    Drop,
    /// Keep the connection open and say nothing.
    Silence,
}

/// A loopback server answering request `n` with `answer(n)`; returns its base URL and
/// the count of requests read.
async fn server(answer: fn(usize) -> Answer) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/v1", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&count);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(serve(stream, answer, Arc::clone(&seen)));
        }
    });
    (base, count)
}

async fn serve(mut stream: TcpStream, answer: fn(usize) -> Answer, seen: Arc<AtomicUsize>) {
    let mut buf = Vec::new();
    while read_request(&mut stream, &mut buf).await.is_some() {
        let n = seen.fetch_add(1, Ordering::SeqCst) + 1;
        match answer(n) {
            Answer::Reply(status, headers, body) => {
                if !write_answer(&mut stream, status, n, &headers, body).await {
                    return;
                }
            }
            Answer::Drop => return,
            Answer::Silence => {
                tokio::time::sleep(Duration::from_secs(60)).await;
                return;
            }
        }
    }
}

const KEY: &str = "REM0aW39.NfO0123456789CNeHpF29wo012345678";
const UNAVAILABLE: &str = r#"{"code":"unavailable","detail":"down for maintenance"}"#;

fn key() -> ApiKey {
    ApiKey::parse(KEY).unwrap()
}

#[tokio::test]
async fn a_server_that_never_answers_hits_the_total_timeout() {
    init();
    // It accepts the connection and reads the request, then says nothing.
    let (base, count) = server(|_| Answer::Silence).await;
    let timeout = Duration::from_millis(600);
    let client = builder(&base, &key()).timeout(timeout).build().unwrap();
    for create in [false, true] {
        let start = Instant::now();
        let err = if create {
            client
                .customers()
                .create(&CustomerCreate::new("acme", "Acme"))
                .await
                .unwrap_err()
        } else {
            client.workspace().get().await.unwrap_err()
        };
        let took = start.elapsed();
        assert!(
            took >= timeout && took <= timeout + MARGIN,
            "took {took:?} for a {timeout:?} timeout"
        );
        assert_eq!((err.kind(), err.code()), (ErrorKind::Timeout, "timeout"));
        assert!(
            err.detail()
                .contains("no answer within the call's timeout of 0.6 s"),
            "{}",
            err.detail()
        );
        assert_no_key(&err, &key());
        println!("silent: {err}");
    }
    assert_eq!(count.load(Ordering::SeqCst), 2, "one attempt per call");

    // After a failed attempt, the timeout names the failure before it.
    let (base, _) = server(|n| match n {
        1 => Answer::Reply(503, Vec::new(), UNAVAILABLE),
        _ => Answer::Silence,
    })
    .await;
    let client = builder(&base, &key())
        .timeout(timeout)
        .retry(fast())
        .build()
        .unwrap();
    let start = Instant::now();
    let err = client.workspace().get().await.unwrap_err();
    assert!(start.elapsed() <= timeout + MARGIN);
    assert_eq!((err.code(), err.status()), ("timeout", Some(503)));
    assert!(
        err.detail()
            .ends_with("(attempt 2); the attempt before failed: unavailable: down for maintenance"),
        "{}",
        err.detail()
    );
}

#[tokio::test]
async fn a_long_retry_after_is_not_waited_past_the_deadline() {
    init();
    // 503 with Retry-After of an hour, of 20 digits (more seconds than an Instant
    // holds), and of one second.
    let (hour, hour_count) =
        server(|_| Answer::Reply(503, vec![("retry-after", "3600".into())], UNAVAILABLE)).await;
    let (absurd, _) = server(|_| {
        Answer::Reply(
            503,
            vec![("retry-after", "99999999999999999999".into())],
            UNAVAILABLE,
        )
    })
    .await;
    let (second, second_count) =
        server(|_| Answer::Reply(503, vec![("retry-after", "1".into())], UNAVAILABLE)).await;

    for base in [&hour, &absurd] {
        let start = Instant::now();
        let err = builder(base, &key())
            .build()
            .unwrap()
            .workspace()
            .get()
            .await
            .unwrap_err();
        let took = start.elapsed();
        assert!(took < Duration::from_millis(500), "waited {took:?}");
        assert_eq!(
            (err.kind(), err.code(), err.status()),
            (ErrorKind::Timeout, "retry_budget_exhausted", Some(503))
        );
        assert!(err.retry_after().unwrap() >= Duration::from_secs(3600));
        assert!(
            err.detail().starts_with("gave up after 1 attempt in ")
                && err
                    .detail()
                    .ends_with("; last error: unavailable: down for maintenance"),
            "{}",
            err.detail()
        );
        assert_eq!(err.request_id(), Some("req_1"));
        assert_eq!(err.attempts(), Some(1));
        assert_no_key(&err, &key());
        println!("retry-after: {err}");
    }
    assert_eq!(hour_count.load(Ordering::SeqCst), 1, "no retry");

    // A one-second Retry-After fits a 2.5 s budget twice, not three times: the call
    // ends after about 2 s, not at 3 s.
    let budget = Duration::from_millis(2500);
    let client = builder(&second, &key())
        .retry(RetryPolicy::default().max_attempts(10).budget(budget))
        .build()
        .unwrap();
    let start = Instant::now();
    let err = client.workspace().get().await.unwrap_err();
    let took = start.elapsed();
    assert_budget_error(&err, took, budget, &key());
    assert!(took >= Duration::from_secs(2), "{took:?}");
    assert_eq!(second_count.load(Ordering::SeqCst), 3);
    assert!(err.detail().starts_with("gave up after 3 attempts"));
    assert_eq!(err.attempts(), Some(3));

    // The call's timeout bounds the budget: a 1 s Retry-After does not fit 0.8 s.
    let client = client_for_timeout(&second, Duration::from_millis(800));
    let start = Instant::now();
    let err = client.workspace().get().await.unwrap_err();
    assert!(start.elapsed() < Duration::from_millis(500));
    assert_eq!(err.code(), "retry_budget_exhausted");
    assert!(
        err.detail().contains("retry budget of 0.8 s"),
        "{}",
        err.detail()
    );
}

fn client_for_timeout(base: &str, timeout: Duration) -> Client {
    builder(base, &key()).timeout(timeout).build().unwrap()
}

#[tokio::test]
async fn a_timeout_too_long_to_represent_does_not_panic() {
    init();
    let (base, _) = server(|n| match n {
        1 => Answer::Reply(503, Vec::new(), UNAVAILABLE),
        _ => Answer::Reply(
            200,
            Vec::new(),
            r#"{"id":"ws_1","name":"Demo","created_at":"2026-11-23T12:00:00Z"}"#,
        ),
    })
    .await;
    let client = builder(&base, &key())
        .timeout(Duration::MAX)
        .retry(
            RetryPolicy::default()
                .base_delay(Duration::from_millis(1))
                .budget(Duration::MAX),
        )
        .build()
        .unwrap();
    assert_eq!(client.workspace().get().await.unwrap().id, "ws_1");
}

/// Sends a raw POST without idempotency key to a server answering `answer`; asserts it
/// was sent once and returns its error.
async fn raw_post_once(answer: fn(usize) -> Answer) -> Error {
    let (base, count) = server(answer).await;
    let err = client_with(&base, fast())
        .request(Method::POST, "customers/")
        .json(&CustomerCreate::new("acme", "Acme"))
        .send::<serde_json::Value>()
        .await
        .unwrap_err();
    assert_eq!(count.load(Ordering::SeqCst), 1, "not retried");
    err
}

#[tokio::test]
async fn what_may_have_been_done_and_is_unsafe_to_repeat_is_not_repeated() {
    init();
    // A raw POST without idempotency key: one attempt, and the error says why.
    let err = raw_post_once(|_| Answer::Reply(503, Vec::new(), UNAVAILABLE)).await;
    assert_eq!(
        (err.kind(), err.code(), err.status()),
        (ErrorKind::Api, "unavailable", Some(503))
    );
    assert!(
        err.detail()
            .starts_with("not retried: it may have been done"),
        "{}",
        err.detail()
    );
    assert_eq!(
        (err.method().map(|m| m.as_str()), err.path(), err.attempts()),
        (Some("POST"), Some("customers/"), Some(1))
    );
    let err = raw_post_once(|_| Answer::Drop).await;
    assert_eq!(
        (err.kind(), err.code()),
        (ErrorKind::Network, "connection_failed")
    );
    assert!(err.detail().contains("not retried"), "{}", err.detail());
    assert_no_key(&err, &key());

    // A typed create always carries a key, so the same failures are retried.
    let (base, count) = server(|n| match n {
        1 => Answer::Drop,
        2 => Answer::Reply(503, Vec::new(), UNAVAILABLE),
        _ => Answer::Reply(201, Vec::new(), r#"{"id":"cus_1","external_id":"acme","name":"Acme","email":null,"created_at":"2026-11-23T12:00:00Z","updated_at":"2026-11-23T12:00:00Z"}"#),
    })
    .await;
    let created = client_with(&base, fast())
        .customers()
        .create(&CustomerCreate::new("acme", "Acme"))
        .await
        .unwrap();
    assert_eq!(created.id, "cus_1");
    assert_eq!(count.load(Ordering::SeqCst), 3);
}

/// The answer of a server whose customer `cus_1` is gone.
fn gone() -> Answer {
    Answer::Reply(
        404,
        Vec::new(),
        r#"{"code":"not_found","detail":"no such customer"}"#,
    )
}

/// Deletes `cus_1` on a server answering `answer`; returns the result and the number of
/// requests the server read.
async fn delete_on(answer: fn(usize) -> Answer) -> (Result<(), Error>, usize) {
    let (base, count) = server(answer).await;
    let result = client_with(&base, fast()).customers().delete("cus_1").await;
    (result, count.load(Ordering::SeqCst))
}

#[tokio::test]
async fn a_delete_whose_answer_was_lost_is_done() {
    init();
    // The first attempt deleted it and the answer was lost; the retry finds it gone.
    let (result, sent) = delete_on(|n| if n == 1 { Answer::Drop } else { gone() }).await;
    result.unwrap();
    assert_eq!(sent, 2);
    let unavailable = |n| {
        if n == 1 {
            Answer::Reply(503, Vec::new(), UNAVAILABLE)
        } else {
            gone()
        }
    };
    delete_on(unavailable).await.0.unwrap();

    // Without a lost answer before it, a 404 is a 404.
    let (result, sent) = delete_on(|_| gone()).await;
    let err = result.unwrap_err();
    assert_eq!((err.kind(), err.status()), (ErrorKind::NotFound, Some(404)));
    assert_eq!(sent, 1);

    // A 429 before it did nothing: the 404 after it stands.
    let limited = |n| {
        if n == 1 {
            Answer::Reply(
                429,
                vec![("retry-after", "0".into())],
                r#"{"code":"rate_limited","detail":"slow down"}"#,
            )
        } else {
            gone()
        }
    };
    let (result, sent) = delete_on(limited).await;
    assert_eq!(result.unwrap_err().status(), Some(404));
    assert_eq!(sent, 2);
}

fn client_with(base: &str, policy: RetryPolicy) -> Client {
    builder(base, &key()).retry(policy).build().unwrap()
}
