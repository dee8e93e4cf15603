//! Crash safety of `munity sandbox --data`: SIGKILL in the middle of a burst of
//! concurrent writes, several times at different moments, each time restarting on the
//! same data folder. After each kill:
//!
//! - the SQLite file (opened read-only, before the restart) passes
//!   `PRAGMA integrity_check` and `PRAGMA foreign_key_check`, and each write's rows are
//!   all there or none (a customer's delete takes its project and tasks with it; a
//!   create that was not acknowledged left one row or none);
//! - after the restart, every acknowledged write is there with the acknowledged content;
//!   a replay of every acknowledged create (same `Idempotency-Key`, same body) answers the
//!   same body again; a create that got no answer, retried with its key, leaves exactly
//!   one record; an update or delete that got no answer is either wholly done or not at all;
//! - what earlier rounds verified is still there after the later kills.
//!
//! Each worker runs its own chain of writes (create a customer, its project, two tasks,
//! rename the customer, change a task, delete every other customer), so the last
//! acknowledged state of each object is known exactly.
//!
//! This is a process crash, not a power cut: a write SQLite handed to the kernel survives
//! SIGKILL whatever `synchronous` says. Power loss is what `synchronous=FULL` (set in
//! `src/sandbox/store`) covers, and it cannot be simulated here.

use crate::sandbox_support;

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::sandbox_process::{start, Running};
use reqwest::Method;
use rusqlite::{Connection, OpenFlags};
use sandbox_support::{Answer, Api};
use serde_json::{json, Value};

/// Concurrent writers.
const WORKERS: usize = 12;
/// Each round's kill comes once this many of its writes are acknowledged: at the very
/// start of the burst, early, and twice later.
const KILL_AFTER_ACKS: [usize; 4] = [2, 25, 70, 140];
/// The connector of the projects.
const CONNECTOR: &str = "jira";
/// The arguments of every start: the same data folder each time, a free port.
const ARGS: [&str; 4] = ["--data", "data", "--port", "0"];

/// What a write does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum What {
    CreateCustomer,
    CreateProject,
    CreateTask,
    PatchCustomer,
    PatchTask,
    DeleteCustomer,
}

/// One write of a worker's chain.
#[derive(Debug, Clone)]
struct Write {
    what: What,
    method: Method,
    path: String,
    idempotency_key: Option<String>,
    body: Option<Value>,
}

impl Write {
    fn create(what: What, path: String, key: String, body: Value) -> Write {
        Write {
            what,
            method: Method::POST,
            path,
            idempotency_key: Some(key),
            body: Some(body),
        }
    }

    fn patch(what: What, path: String, body: Value) -> Write {
        Write {
            what,
            method: Method::PATCH,
            path,
            idempotency_key: None,
            body: Some(body),
        }
    }

    fn is_create(&self) -> bool {
        self.method == Method::POST
    }

    fn expected_status(&self) -> u16 {
        match self.what {
            What::CreateCustomer | What::CreateProject | What::CreateTask => 201,
            What::PatchCustomer | What::PatchTask => 200,
            What::DeleteCustomer => 204,
        }
    }

    async fn send(&self, api: &Api) -> Result<Answer, reqwest::Error> {
        let mut builder = api.request(self.method.clone(), &self.path);
        if let Some(key) = &self.idempotency_key {
            builder = builder.header("Idempotency-Key", key);
        }
        if let Some(body) = &self.body {
            builder = builder.json(body);
        }
        Api::try_answer(builder).await
    }

    /// The path of the object an acknowledged create made.
    fn created_path(&self, body: &Value) -> String {
        format!("{}{}/", self.path, id(body))
    }
}

fn id(body: &Value) -> &str {
    body["id"].as_str().expect("an object with an id")
}

/// What came of a write.
#[derive(Debug)]
enum Outcome {
    /// Acknowledged: the expected 2xx status, with this body.
    Acked(Value),
    /// No answer: the sandbox died before, while or after it handled the write.
    Lost,
}

/// Counters shared by a round's workers.
#[derive(Debug, Default)]
struct Burst {
    acked: AtomicUsize,
    in_flight: AtomicUsize,
    killed: AtomicBool,
}

/// A worker's chain so far.
type Log = Vec<(Write, Outcome)>;

/// Sends `write`: `Ok(Some(body))` when acknowledged, `Ok(None)` when lost to the kill,
/// `Err` for anything else (a wrong status, or a failure while the sandbox was up).
async fn step(
    api: &Api,
    burst: &Burst,
    log: &mut Log,
    write: Write,
) -> Result<Option<Value>, String> {
    burst.in_flight.fetch_add(1, Ordering::SeqCst);
    let answer = write.send(api).await;
    burst.in_flight.fetch_sub(1, Ordering::SeqCst);
    match answer {
        Ok(answer) if answer.status == write.expected_status() => {
            burst.acked.fetch_add(1, Ordering::SeqCst);
            log.push((write, Outcome::Acked(answer.body.clone())));
            Ok(Some(answer.body))
        }
        Ok(answer) => Err(format!(
            "{} {}: status {} {}",
            write.method, write.path, answer.status, answer.body
        )),
        Err(_) if burst.killed.load(Ordering::SeqCst) => {
            log.push((write, Outcome::Lost));
            Ok(None)
        }
        Err(err) => Err(format!(
            "{} {} failed while the sandbox was up: {err}",
            write.method, write.path
        )),
    }
}

/// One worker: chains of writes on its own customers until the sandbox dies.
async fn worker(api: Api, round: usize, worker: usize, burst: Arc<Burst>) -> Result<Log, String> {
    let mut log = Log::new();
    for i in 0.. {
        let tag = format!("{round}-{worker}-{i}");
        let create = Write::create(
            What::CreateCustomer,
            "/customers/".to_owned(),
            format!("customer-{tag}"),
            json!({"external_id": format!("crash-{tag}"), "name": format!("Customer {tag}")}),
        );
        let Some(customer) = step(&api, &burst, &mut log, create).await? else {
            break;
        };
        let customer = format!("/customers/{}/", id(&customer));
        let project = Write::create(
            What::CreateProject,
            format!("{customer}pm-projects/"),
            format!("project-{tag}"),
            json!({"name": format!("Project {tag}"), "connector": CONNECTOR}),
        );
        let Some(project) = step(&api, &burst, &mut log, project).await? else {
            break;
        };
        let mut tasks = Vec::new();
        for t in 0..2 {
            let task = Write::create(
                What::CreateTask,
                format!("{customer}pm-tasks/"),
                format!("task-{t}-{tag}"),
                json!({"project_id": id(&project), "title": format!("Task {t} {tag}")}),
            );
            let Some(task) = step(&api, &burst, &mut log, task).await? else {
                return Ok(log);
            };
            tasks.push(format!("{customer}pm-tasks/{}/", id(&task)));
        }
        let rename = Write::patch(
            What::PatchCustomer,
            customer.clone(),
            json!({"name": format!("Renamed {tag}")}),
        );
        if step(&api, &burst, &mut log, rename).await?.is_none() {
            break;
        }
        let done = Write::patch(
            What::PatchTask,
            tasks[0].clone(),
            json!({"status": "done", "assignee": "crash@example.com"}),
        );
        if step(&api, &burst, &mut log, done).await?.is_none() {
            break;
        }
        if i % 2 == 1 {
            let delete = Write {
                what: What::DeleteCustomer,
                method: Method::DELETE,
                path: customer,
                idempotency_key: None,
                body: None,
            };
            if step(&api, &burst, &mut log, delete).await?.is_none() {
                break;
            }
        }
    }
    Ok(log)
}

/// `before` with the fields of the JSON merge patch `patch`, for comparing without
/// `updated_at` (which a write made at an unknown time sets).
fn patched(before: &Value, patch: &Value) -> Value {
    let mut after = before.clone();
    if let (Some(after), Some(patch)) = (after.as_object_mut(), patch.as_object()) {
        for (k, v) in patch {
            after.insert(k.clone(), v.clone());
        }
    }
    without_updated_at(&after)
}

fn without_updated_at(value: &Value) -> Value {
    let mut value = value.clone();
    if let Some(object) = value.as_object_mut() {
        object.remove("updated_at");
    }
    value
}

/// One customer's writes: its create, the acknowledged writes after it, and at most one
/// last write that got no answer.
#[derive(Debug)]
struct Chain<'a> {
    create: &'a Write,
    created: Option<&'a Value>,
    acked: Vec<(&'a Write, &'a Value)>,
    pending: Option<&'a Write>,
}

/// Splits a worker's log into its customers' chains.
fn chains(log: &Log) -> Vec<Chain<'_>> {
    let mut chains: Vec<Chain<'_>> = Vec::new();
    for (write, outcome) in log {
        let acked = match outcome {
            Outcome::Acked(body) => Some(body),
            Outcome::Lost => None,
        };
        if write.what == What::CreateCustomer {
            chains.push(Chain {
                create: write,
                created: acked,
                acked: Vec::new(),
                pending: if acked.is_none() { Some(write) } else { None },
            });
            continue;
        }
        let chain = chains.last_mut().expect("a chain starts with its customer");
        assert!(chain.pending.is_none(), "nothing follows a lost write");
        match acked {
            Some(body) => chain.acked.push((write, body)),
            None => chain.pending = Some(write),
        }
    }
    chains
}

/// The acknowledged state of a chain whose customer was created: each object's path and
/// last acknowledged body.
#[derive(Debug, Clone)]
struct Model {
    customer: (String, Value),
    project: Option<(String, Value)>,
    tasks: Vec<(String, Value)>,
    deleted: bool,
}

impl Model {
    fn of(chain: &Chain<'_>, created: &Value) -> Model {
        let mut model = Model {
            customer: (chain.create.created_path(created), created.clone()),
            project: None,
            tasks: Vec::new(),
            deleted: false,
        };
        for (write, body) in &chain.acked {
            model.apply(write, body);
        }
        model
    }

    fn apply(&mut self, write: &Write, body: &Value) {
        match write.what {
            What::CreateCustomer => unreachable!("a chain has one customer"),
            What::CreateProject => self.project = Some((write.created_path(body), body.clone())),
            What::CreateTask => self.tasks.push((write.created_path(body), body.clone())),
            What::PatchCustomer => self.customer.1 = body.clone(),
            What::PatchTask => {
                let task = self.tasks.iter_mut().find(|(path, _)| *path == write.path);
                task.expect("a known task").1 = body.clone();
            }
            What::DeleteCustomer => self.deleted = true,
        }
    }

    fn customer_id(&self) -> &str {
        id(&self.customer.1)
    }

    /// Every object's path and what a GET must answer (`None`: 404).
    fn expected(&self) -> Vec<(String, Option<Value>)> {
        let gone = self.deleted;
        std::iter::once(&self.customer)
            .chain(&self.project)
            .chain(&self.tasks)
            .map(|(path, body)| (path.clone(), (!gone).then(|| body.clone())))
            .collect()
    }
}

/// The database file, opened read-only (nothing a check does can repair it).
fn open_read_only(dir: &Path) -> Connection {
    Connection::open_with_flags(
        dir.join("data/munity.sqlite3"),
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .expect("open the database read-only")
}

/// `integrity_check` says ok and `foreign_key_check` finds no orphan row.
fn assert_sound(db: &Connection, when: &str) {
    let integrity: Vec<String> = db
        .prepare("PRAGMA integrity_check")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(integrity, ["ok"], "integrity_check {when}");
    let orphans: Vec<String> = db
        .prepare("PRAGMA foreign_key_check")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(
        orphans.is_empty(),
        "rows without their parent {when}: {orphans:?}"
    );
}

/// How many rows of `table` have `column = value`.
fn rows(db: &Connection, table: &str, column: &str, value: &str) -> usize {
    db.query_row(
        &format!("SELECT count(*) FROM {table} WHERE {column} = ?1"),
        [value],
        |row| row.get(0),
    )
    .unwrap()
}

/// Each write's rows are all there or none: the customer's, project's and tasks' rows
/// match the acknowledged writes, give or take the one write that got no answer.
fn assert_rows_whole(db: &Connection, chain: &Chain<'_>) {
    let Some(created) = chain.created else {
        let external_id = chain.create.body.as_ref().unwrap()["external_id"]
            .as_str()
            .unwrap();
        let found = rows(db, "customers", "external_id", external_id);
        assert!(found <= 1, "{external_id}: {found} rows");
        return;
    };
    let model = Model::of(chain, created);
    let customer = model.customer_id();
    let found = (
        rows(db, "customers", "id", customer),
        rows(db, "pm_projects", "customer_id", customer),
        rows(db, "pm_tasks", "customer_id", customer),
    );
    let (projects, tasks) = (usize::from(model.project.is_some()), model.tasks.len());
    let allowed: Vec<(usize, usize, usize)> = match chain.pending.map(|w| w.what) {
        _ if model.deleted => vec![(0, 0, 0)],
        None | Some(What::PatchCustomer | What::PatchTask) => vec![(1, projects, tasks)],
        Some(What::CreateProject) => vec![(1, 0, 0), (1, 1, 0)],
        Some(What::CreateTask) => vec![(1, 1, tasks), (1, 1, tasks + 1)],
        Some(What::DeleteCustomer) => vec![(1, projects, tasks), (0, 0, 0)],
        Some(What::CreateCustomer) => unreachable!("the customer was created"),
    };
    assert!(
        allowed.contains(&found),
        "customer {customer} (pending {:?}): rows {found:?}, allowed {allowed:?}",
        chain.pending.map(|w| w.what)
    );
}

/// What the rounds verified, checked again after every later kill.
#[derive(Debug, Default)]
struct Settled {
    /// Paths and what a GET answers (`None`: 404).
    objects: Vec<(String, Option<Value>)>,
    /// Acknowledged creates and their answers: a replay must give the same answer.
    creates: Vec<(Write, Value)>,
}

/// What became of the writes that got no answer.
#[derive(Debug, Default)]
struct LostTally {
    done: usize,
    not_done: usize,
}

impl LostTally {
    fn count(&mut self, done: bool) {
        if done {
            self.done += 1;
        } else {
            self.not_done += 1;
        }
    }
}

async fn assert_replays(api: &Api, write: &Write, body: &Value) {
    let replay = write.send(api).await.expect("replay sent");
    assert_eq!(replay.status, 201, "replay of {}", write.path);
    assert_eq!(
        replay.header("idempotent-replayed"),
        Some("true"),
        "{}",
        write.path
    );
    assert_eq!(
        &replay.body, body,
        "replay of {} answers the same body",
        write.path
    );
}

/// The list `path` holds exactly `count` objects, one of them `body`.
async fn assert_listed(api: &Api, path: &str, count: usize, body: &Value) {
    let list = api.get(path).await;
    assert_eq!(list.status, 200, "{path}");
    assert_eq!(list.body["count"], count, "{path}: exactly {count}");
    let results = list.body["results"].as_array().unwrap();
    assert!(results.contains(body), "{path} lists {body}");
}

/// Verifies a chain after the restart and settles it: retries a lost create with its
/// key, finds out whether a lost update or delete was done, checks every object.
async fn verify_chain(api: &Api, chain: &Chain<'_>, settled: &mut Settled, lost: &mut LostTally) {
    let created = match chain.created {
        Some(created) => created.clone(),
        None => {
            let retry = chain.create.send(api).await.expect("retry sent");
            assert_eq!(retry.status, 201, "retry of a lost create: {}", retry.body);
            lost.count(retry.header("idempotent-replayed") == Some("true"));
            let external_id = chain.create.body.as_ref().unwrap()["external_id"]
                .as_str()
                .unwrap();
            assert_listed(
                api,
                &format!("/customers/?external_id={external_id}"),
                1,
                &retry.body,
            )
            .await;
            retry.body
        }
    };
    settled
        .creates
        .push((chain.create.clone(), created.clone()));
    let mut model = Model::of(chain, &created);
    for (write, body) in &chain.acked {
        if write.is_create() {
            settled.creates.push(((*write).clone(), (*body).clone()));
        }
    }
    match chain.pending {
        None
        | Some(Write {
            what: What::CreateCustomer,
            ..
        }) => {}
        Some(write) if write.is_create() => {
            let retry = write.send(api).await.expect("retry sent");
            assert_eq!(retry.status, 201, "retry of {}: {}", write.path, retry.body);
            lost.count(retry.header("idempotent-replayed") == Some("true"));
            let before = match write.what {
                What::CreateProject => 0,
                _ => model.tasks.len(),
            };
            assert_listed(api, &write.path, before + 1, &retry.body).await;
            settled.creates.push((write.clone(), retry.body.clone()));
            model.apply(write, &retry.body);
        }
        Some(write) if write.what == What::DeleteCustomer => {
            let now = api.get(&model.customer.0).await;
            let done = now.status == 404;
            if !done {
                assert_eq!(
                    now.body, model.customer.1,
                    "a lost delete left it unchanged"
                );
            }
            lost.count(done);
            model.deleted = done;
        }
        Some(write) => {
            let now = api.get(&write.path).await;
            assert_eq!(now.status, 200, "{}", write.path);
            let target = match write.what {
                What::PatchCustomer => &mut model.customer,
                _ => model
                    .tasks
                    .iter_mut()
                    .find(|(p, _)| *p == write.path)
                    .unwrap(),
            };
            let done = now.body != target.1;
            if done {
                let expected = patched(&target.1, write.body.as_ref().unwrap());
                assert_eq!(
                    without_updated_at(&now.body),
                    expected,
                    "a lost update is whole"
                );
            }
            lost.count(done);
            target.1 = now.body;
        }
    }
    for (write, body) in &settled.creates[settled.creates.len() - chain_creates(chain)..] {
        assert_replays(api, write, body).await;
    }
    for (path, expected) in model.expected() {
        assert_object(api, &path, expected.as_ref()).await;
        settled.objects.push((path, expected));
    }
}

/// How many creates of `chain` [`verify_chain`] settled.
fn chain_creates(chain: &Chain<'_>) -> usize {
    1 + chain.acked.iter().filter(|(w, _)| w.is_create()).count()
        + usize::from(
            chain
                .pending
                .is_some_and(|w| w.is_create() && w.what != What::CreateCustomer),
        )
}

async fn assert_object(api: &Api, path: &str, expected: Option<&Value>) {
    let now = api.get(path).await;
    match expected {
        Some(body) => {
            assert_eq!(now.status, 200, "{path} is there");
            assert_eq!(&now.body, body, "{path} has its acknowledged content");
        }
        None => assert_eq!(now.status, 404, "{path} is gone"),
    }
}

/// One round: a burst on `running`, SIGKILL once `kill_after` writes are acknowledged;
/// returns the workers' logs and how many writes were in flight at the kill.
async fn burst(running: Running, round: usize, kill_after: usize) -> (Vec<Log>, usize) {
    let api = running.api();
    let burst = Arc::new(Burst::default());
    let workers: Vec<_> = (0..WORKERS)
        .map(|w| tokio::spawn(worker(api.clone(), round, w, Arc::clone(&burst))))
        .collect();
    while burst.acked.load(Ordering::SeqCst) < kill_after
        && !workers.iter().all(|w| w.is_finished())
    {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    burst.killed.store(true, Ordering::SeqCst);
    let in_flight = burst.in_flight.load(Ordering::SeqCst);
    running.kill();
    let mut logs = Vec::new();
    for worker in workers {
        logs.push(
            worker
                .await
                .unwrap()
                .unwrap_or_else(|err| panic!("round {round}: {err}")),
        );
    }
    (logs, in_flight)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_sigkill_mid_burst() {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let mut running = start(&ARGS, dir.path());
    let mut settled = Settled::default();
    let mut lost = LostTally::default();
    let mut in_flight_at_kills = 0;
    for (round, kill_after) in KILL_AFTER_ACKS.into_iter().enumerate() {
        let (logs, in_flight) = burst(running, round, kill_after).await;
        in_flight_at_kills += in_flight;
        let chains: Vec<Chain<'_>> = logs.iter().flat_map(chains).collect();
        let acked: usize = logs
            .iter()
            .flatten()
            .filter(|(_, o)| matches!(o, Outcome::Acked(_)))
            .count();

        let db = open_read_only(dir.path());
        assert_sound(&db, &format!("after kill {round}, before the restart"));
        for chain in &chains {
            assert_rows_whole(&db, chain);
        }
        drop(db);

        running = start(&ARGS, dir.path());
        let api = running.api();
        for (path, expected) in &settled.objects {
            assert_object(&api, path, expected.as_ref()).await;
        }
        for (write, body) in &settled.creates {
            assert_replays(&api, write, body).await;
        }
        for chain in &chains {
            verify_chain(&api, chain, &mut settled, &mut lost).await;
        }
        assert_sound(
            &open_read_only(dir.path()),
            &format!("after restart {round}"),
        );
        println!(
            "round {round}: killed after {acked} acknowledged writes ({in_flight} in flight), \
             {} customers verified",
            chains.len()
        );
    }
    running.kill();
    assert_sound(&open_read_only(dir.path()), "after the last kill");
    println!(
        "lost writes: {} were done, {} were not; {:.1} s",
        lost.done,
        lost.not_done,
        started.elapsed().as_secs_f64()
    );
    assert!(
        in_flight_at_kills > 0,
        "some kill came with writes in flight"
    );
}
