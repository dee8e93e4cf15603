//! Load: concurrent clients (200 by default) drive an in-process sandbox on loopback with
//! a fixed number of mixed requests (reads and writes over customers, PM projects and
//! tasks, connectors and their configs, the workspace; admin and user keys), and the test
//! reports throughput, p50 and p99 latency and the error count. Any error fails it: a
//! transport error, or a status other than the one the request must get.
//!
//! The default size is small so the debug build runs it in seconds (CI). The size comes
//! from the environment:
//!
//! - `MUNITY_LOAD_REQUESTS`: measured requests (default 2,000);
//! - `MUNITY_LOAD_CLIENTS`: concurrent clients, each with its own connection (default 200);
//! - `MUNITY_LOAD_STORAGE`: `memory` (default) or `dir` (a temporary data folder: SQLite
//!   in WAL mode with `synchronous=FULL`, so every write waits for its fsync).
//!
//! The full size, for the README's table:
//!
//! ```text
//! MUNITY_LOAD_REQUESTS=100000 cargo test --release --features sandbox \
//!     --test sandbox load:: -- --nocapture
//! ```

use crate::sandbox_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use munity::sandbox::{Sandbox, SandboxOptions};
use reqwest::Method;
use sandbox_support::Api;
use serde_json::{json, Value};

/// How big a run is.
#[derive(Debug, Clone, Copy)]
struct Size {
    clients: usize,
    requests: usize,
    on_disk: bool,
}

fn env_number(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(text) => match text.trim().replace('_', "").parse::<usize>() {
            Ok(n) if n > 0 => n,
            _ => panic!("{name} must be a positive whole number, got {text:?}"),
        },
        Err(_) => default,
    }
}

impl Size {
    fn from_env() -> Size {
        let on_disk = match std::env::var("MUNITY_LOAD_STORAGE").as_deref() {
            Err(_) | Ok("memory") => false,
            Ok("dir") => true,
            Ok(other) => panic!("MUNITY_LOAD_STORAGE must be memory or dir, got {other:?}"),
        };
        Size {
            clients: env_number("MUNITY_LOAD_CLIENTS", 200),
            requests: env_number("MUNITY_LOAD_REQUESTS", 2_000),
            on_disk,
        }
    }
}

/// The kinds of request in the mix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Workspace,
    CustomerList,
    CustomerByExternalId,
    CustomerGet,
    ConnectorList,
    ConnectorGet,
    ConnectorConfigGet,
    ProjectGet,
    TaskList,
    TaskGet,
    CustomerCreate,
    CustomerUpdate,
    TaskCreate,
    TaskUpdate,
    ConnectorConfigPut,
}

/// Which key a request of the mix uses. Writes need the admin key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Admin,
    User,
}

/// Request `i` of the run is `MIX[i % MIX.len()]`: 14 reads (half with the user key) and
/// 6 writes out of 20.
const MIX: [(Kind, Key); 20] = [
    (Kind::Workspace, Key::User),
    (Kind::CustomerList, Key::User),
    (Kind::CustomerCreate, Key::Admin),
    (Kind::CustomerGet, Key::User),
    (Kind::ConnectorList, Key::Admin),
    (Kind::TaskList, Key::User),
    (Kind::CustomerUpdate, Key::Admin),
    (Kind::TaskGet, Key::Admin),
    (Kind::CustomerByExternalId, Key::Admin),
    (Kind::TaskCreate, Key::Admin),
    (Kind::ConnectorGet, Key::User),
    (Kind::ProjectGet, Key::User),
    (Kind::TaskUpdate, Key::Admin),
    (Kind::ConnectorConfigGet, Key::Admin),
    (Kind::CustomerGet, Key::Admin),
    (Kind::CustomerCreate, Key::Admin),
    (Kind::TaskList, Key::Admin),
    (Kind::Workspace, Key::Admin),
    (Kind::ConnectorConfigPut, Key::Admin),
    (Kind::CustomerList, Key::Admin),
];

impl Kind {
    fn is_write(self) -> bool {
        matches!(
            self,
            Kind::CustomerCreate
                | Kind::CustomerUpdate
                | Kind::TaskCreate
                | Kind::TaskUpdate
                | Kind::ConnectorConfigPut
        )
    }
}

/// What one client owns: it alone changes these, so no two clients race on an update.
#[derive(Debug, Clone)]
struct Fixture {
    customer: String,
    external_id: String,
    project: String,
    task: String,
}

/// One simulated client: its own HTTP connection pool, both keys.
struct Client {
    admin: Api,
    user: Api,
    fixture: Fixture,
}

/// The connector the mix reads and configures (an OAuth2 one: its config takes a
/// client id and scopes).
const CONNECTOR: &str = "jira";

impl Client {
    /// Creates the client's customer, project and task (not measured).
    async fn new(admin: Api, user: Api, n: usize) -> Client {
        let external_id = format!("load-client-{n}");
        let customer = admin
            .post(
                "/customers/",
                json!({"external_id": external_id, "name": format!("Client {n}")}),
            )
            .await;
        assert_eq!(customer.status, 201, "{:?}", customer.body);
        let customer = customer.body["id"].as_str().unwrap().to_owned();
        let project = admin
            .post(
                &format!("/customers/{customer}/pm-projects/"),
                json!({"name": "Load", "connector": CONNECTOR}),
            )
            .await;
        assert_eq!(project.status, 201, "{:?}", project.body);
        let project = project.body["id"].as_str().unwrap().to_owned();
        let task = admin
            .post(
                &format!("/customers/{customer}/pm-tasks/"),
                json!({"project_id": project, "title": "First"}),
            )
            .await;
        assert_eq!(task.status, 201, "{:?}", task.body);
        let task = task.body["id"].as_str().unwrap().to_owned();
        Client {
            admin,
            user,
            fixture: Fixture {
                customer,
                external_id,
                project,
                task,
            },
        }
    }

    /// Request `i` of the run: the builder and the status it must get.
    fn request(&self, i: usize) -> (reqwest::RequestBuilder, u16) {
        let (kind, key) = MIX[i % MIX.len()];
        let api = match key {
            Key::Admin => &self.admin,
            Key::User => &self.user,
        };
        let f = &self.fixture;
        let c = &f.customer;
        let get = |path: String| (api.request(Method::GET, &path), 200);
        let send = |method: Method, path: String, body: Value, status: u16| {
            (api.request(method, &path).json(&body), status)
        };
        match kind {
            Kind::Workspace => get("/workspace/".to_owned()),
            Kind::CustomerList => get("/customers/?page_size=20".to_owned()),
            Kind::CustomerByExternalId => get(format!("/customers/?external_id={}", f.external_id)),
            Kind::CustomerGet => get(format!("/customers/{c}/")),
            Kind::ConnectorList => get("/connectors/".to_owned()),
            Kind::ConnectorGet => get(format!("/connectors/{CONNECTOR}/")),
            Kind::ConnectorConfigGet => get(format!("/connectors/{CONNECTOR}/config/")),
            Kind::ProjectGet => get(format!("/customers/{c}/pm-projects/{}/", f.project)),
            Kind::TaskList => get(format!("/customers/{c}/pm-tasks/?status=todo")),
            Kind::TaskGet => get(format!("/customers/{c}/pm-tasks/{}/", f.task)),
            Kind::CustomerCreate => send(
                Method::POST,
                "/customers/".to_owned(),
                json!({"external_id": format!("load-{i}"), "name": format!("Customer {i}"),
                       "email": format!("c{i}@example.com")}),
                201,
            ),
            Kind::CustomerUpdate => send(
                Method::PATCH,
                format!("/customers/{c}/"),
                json!({"name": format!("Renamed {i}")}),
                200,
            ),
            Kind::TaskCreate => send(
                Method::POST,
                format!("/customers/{c}/pm-tasks/"),
                json!({"project_id": f.project, "title": format!("Task {i}"),
                       "assignee": "load@example.com"}),
                201,
            ),
            Kind::TaskUpdate => send(
                Method::PATCH,
                format!("/customers/{c}/pm-tasks/{}/", f.task),
                json!({"title": format!("Task {i}"),
                       "status": if i % 2 == 0 { "in_progress" } else { "todo" }}),
                200,
            ),
            Kind::ConnectorConfigPut => send(
                Method::PUT,
                format!("/connectors/{CONNECTOR}/config/"),
                json!({"client_id": format!("client-{i}"), "scopes": ["read", "write"]}),
                200,
            ),
        }
    }
}

/// Sends one request and reads the whole answer; `Err` describes what went wrong.
async fn exchange(builder: reqwest::RequestBuilder, expected: u16) -> Result<(), String> {
    let answer = Api::try_answer(builder)
        .await
        .map_err(|e| format!("transport: {e}"))?;
    if answer.status == expected {
        Ok(())
    } else {
        Err(format!(
            "status {} (expected {expected}): {}",
            answer.status, answer.body
        ))
    }
}

/// What one client measured.
#[derive(Debug, Default)]
struct Tally {
    reads: Vec<Duration>,
    writes: Vec<Duration>,
    errors: Vec<String>,
}

/// Runs the client until the run's `requests` are all taken.
async fn drive(client: Client, next: Arc<AtomicUsize>, requests: usize) -> Tally {
    let mut tally = Tally::default();
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        if i >= requests {
            return tally;
        }
        let (builder, expected) = client.request(i);
        let started = Instant::now();
        let outcome = exchange(builder, expected).await;
        let took = started.elapsed();
        let (kind, key) = MIX[i % MIX.len()];
        match outcome {
            Ok(()) if kind.is_write() => tally.writes.push(took),
            Ok(()) => tally.reads.push(took),
            Err(err) => tally
                .errors
                .push(format!("request {i} ({kind:?}, {key:?} key): {err}")),
        }
    }
}

/// Latencies of a run, sorted, for exact percentiles.
#[derive(Debug)]
struct Latencies(Vec<Duration>);

impl Latencies {
    fn new(mut all: Vec<Duration>) -> Latencies {
        all.sort_unstable();
        Latencies(all)
    }

    /// The nearest-rank percentile `p` (0 < p <= 100): the smallest latency such that at
    /// least p % of the requests took no longer. `None` when there is none.
    fn percentile(&self, p: f64) -> Option<Duration> {
        if self.0.is_empty() || !(p > 0.0 && p <= 100.0) {
            return None;
        }
        let rank = (p / 100.0 * self.0.len() as f64).ceil() as usize;
        self.0.get(rank.clamp(1, self.0.len()) - 1).copied()
    }

    fn summary(&self) -> String {
        let ms = |d: Option<Duration>| d.map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0);
        format!(
            "p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            ms(self.percentile(50.0)),
            ms(self.percentile(99.0)),
            ms(self.0.last().copied())
        )
    }
}

#[test]
fn percentiles_are_nearest_rank() {
    let ms = Duration::from_millis;
    let hundred = Latencies::new((1..=100).rev().map(ms).collect());
    assert_eq!(hundred.percentile(50.0), Some(ms(50)));
    assert_eq!(hundred.percentile(99.0), Some(ms(99)));
    assert_eq!(hundred.percentile(100.0), Some(ms(100)));
    assert_eq!(hundred.percentile(0.5), Some(ms(1)));
    let ten = Latencies::new((1..=10).map(ms).collect());
    assert_eq!(ten.percentile(50.0), Some(ms(5)));
    assert_eq!(ten.percentile(99.0), Some(ms(10)), "rank ceil(9.9) = 10");
    let one = Latencies::new(vec![ms(7)]);
    assert_eq!(one.percentile(50.0), Some(ms(7)));
    assert_eq!(Latencies::new(Vec::new()).percentile(50.0), None);
    assert_eq!(hundred.percentile(0.0), None);
}

#[tokio::test(flavor = "multi_thread")]
async fn mixed_requests_from_concurrent_clients_all_succeed() {
    let size = Size::from_env();
    let dir = tempfile::tempdir().unwrap();
    let options = if size.on_disk {
        SandboxOptions::dir(dir.path())
    } else {
        SandboxOptions::memory()
    };
    let sb = Sandbox::start(options).await.unwrap();

    let setup: Vec<_> = (0..size.clients)
        .map(|n| {
            let admin = Api::new(sb.base_url(), sb.admin_key());
            let user = Api::new(sb.base_url(), sb.user_key());
            tokio::spawn(Client::new(admin, user, n))
        })
        .collect();
    let mut clients = Vec::with_capacity(size.clients);
    for task in setup {
        clients.push(task.await.unwrap());
    }

    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let running: Vec<_> = clients
        .into_iter()
        .map(|client| tokio::spawn(drive(client, Arc::clone(&next), size.requests)))
        .collect();
    let (mut reads, mut writes, mut errors) = (Vec::new(), Vec::new(), Vec::new());
    for task in running {
        let tally = task.await.unwrap();
        reads.extend(tally.reads);
        writes.extend(tally.writes);
        errors.extend(tally.errors);
    }
    let elapsed = started.elapsed();
    let all = Latencies::new(reads.iter().chain(&writes).copied().collect());
    let (reads, writes) = (Latencies::new(reads), Latencies::new(writes));

    println!(
        "{} clients, {} mixed requests ({} reads, {} writes), {} storage, {} build: \
         {:.2} s, {:.0} requests/s, {}; errors: {}",
        size.clients,
        size.requests,
        reads.0.len(),
        writes.0.len(),
        if size.on_disk {
            "data folder"
        } else {
            "memory"
        },
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        elapsed.as_secs_f64(),
        size.requests as f64 / elapsed.as_secs_f64(),
        all.summary(),
        errors.len()
    );
    println!("  reads:  {}", reads.summary());
    println!("  writes: {}", writes.summary());
    for err in errors.iter().take(10) {
        println!("  error: {err}");
    }
    assert!(errors.is_empty(), "{} requests failed", errors.len());
    assert_eq!(all.0.len(), size.requests, "every request was measured");
    sb.shutdown().await;
}
