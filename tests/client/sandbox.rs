//! The client against the real sandbox, in process on 127.0.0.1:0: every resource
//! operation, privileges, isolation, pagination and stream laziness, rate limits,
//! timeouts, restarts, and that no key shows in any Debug output or error.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use munity::client::{Client, ClientBuilder, RetryPolicy};
use munity::model::*;
use munity::sandbox::{Sandbox, SandboxOptions};
use munity::{ApiKey, Error, ErrorKind, Secret};

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxOptions::memory()).await.unwrap()
}

fn builder(sb: &Sandbox, key: &ApiKey) -> ClientBuilder {
    Client::builder()
        .api_key(key)
        .base_url(sb.base_url())
        .retry(
            RetryPolicy::default()
                .base_delay(Duration::from_millis(5))
                .max_delay(Duration::from_millis(50)),
        )
}

fn admin(sb: &Sandbox) -> Client {
    builder(sb, sb.admin_key()).build().unwrap()
}

fn user(sb: &Sandbox) -> Client {
    builder(sb, sb.user_key()).build().unwrap()
}

/// Asserts that neither the error's Display nor its Debug shows any of the keys.
fn assert_clean(err: &Error, keys: &[&ApiKey]) {
    let shown = format!("{err} {err:?}");
    for key in keys {
        let secret = &key.expose()[9..];
        assert!(!shown.contains(secret), "a key leaked into {shown}");
    }
}

async fn acme(client: &Client) -> Customer {
    client
        .customers()
        .find_by_external_id("acme")
        .await
        .unwrap()
        .expect("the sandbox seeds customer acme")
}

#[tokio::test]
async fn workspace_is_the_keys() {
    let sb = sandbox().await;
    let ws = admin(&sb).workspace().get().await.unwrap();
    assert_eq!(ws.id, sb.workspace_id());
    assert_eq!(user(&sb).workspace().get().await.unwrap(), ws);
}

#[tokio::test]
async fn customers_crud() {
    let sb = sandbox().await;
    let client = admin(&sb);
    let created = client
        .customers()
        .create(&CustomerCreate::new("cust-1", "First").email("a@example.com"))
        .await
        .unwrap();
    assert_eq!(created.external_id, "cust-1");
    assert_eq!(created.email.as_deref(), Some("a@example.com"));
    assert_eq!(client.customers().get(&created.id).await.unwrap(), created);

    let found = client
        .customers()
        .find_by_external_id("cust-1")
        .await
        .unwrap();
    assert_eq!(
        found.as_ref().map(|c| c.id.as_str()),
        Some(created.id.as_str())
    );
    assert!(client
        .customers()
        .find_by_external_id("nobody")
        .await
        .unwrap()
        .is_none());

    let page = client
        .customers()
        .list(&CustomerListParams::default())
        .await
        .unwrap();
    assert!(page.results.iter().any(|c| c.id == created.id));

    let dup = client
        .customers()
        .create(&CustomerCreate::new("cust-1", "Again"))
        .await
        .unwrap_err();
    assert_eq!(
        (dup.kind(), dup.code()),
        (ErrorKind::Conflict, "already_exists")
    );
    assert_eq!(dup.status(), Some(409));
    assert!(dup.request_id().is_some(), "every answer has X-Request-Id");

    let updated = client
        .customers()
        .update(
            &created.id,
            &CustomerUpdate {
                name: Some("Renamed".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.name, "Renamed");
    assert_eq!(updated.email, created.email);

    client.customers().delete(&created.id).await.unwrap();
    let gone = client.customers().get(&created.id).await.unwrap_err();
    assert_eq!(gone.kind(), ErrorKind::NotFound);

    let invalid = client
        .customers()
        .create(&CustomerCreate::new("", "No id"))
        .await
        .unwrap_err();
    assert_eq!(invalid.kind(), ErrorKind::InvalidInput);
    assert_eq!(invalid.code(), "validation");
    assert!(invalid.fields().iter().any(|f| f.field == "external_id"));
    for err in [&dup, &gone, &invalid] {
        assert_clean(err, &[sb.admin_key()]);
    }
}

#[tokio::test]
async fn connectors_and_their_config() {
    let sb = sandbox().await;
    let client = admin(&sb);
    let catalog = client
        .connectors()
        .list_all()
        .try_collect_all()
        .await
        .unwrap();
    let jira = catalog
        .iter()
        .find(|c| c.name == "jira")
        .expect("jira in the catalog");
    assert_eq!(jira.auth_type, AuthType::Oauth2);
    for auth in [
        AuthType::Oauth2,
        AuthType::ApiKey,
        AuthType::UserCredentials,
    ] {
        assert!(catalog.iter().any(|c| c.auth_type == auth), "{auth:?}");
    }
    assert_eq!(client.connectors().get("jira").await.unwrap(), *jira);
    assert_eq!(
        client.connectors().list().await.unwrap().count as usize,
        catalog.len()
    );
    let missing = client
        .connectors()
        .get("no-such-connector")
        .await
        .unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::NotFound);

    let empty = client.connectors().config("jira").get().await.unwrap();
    assert_eq!(empty.connector, "jira");
    assert!(empty.client_id.is_none() && empty.client_secret_hint.is_none());

    let secret = "s3cr3t-client-secret-9wo2";
    let config = client
        .connectors()
        .config("jira")
        .update(&ConnectorConfigUpdate {
            client_id: Some("client-123".into()),
            client_secret: Some(Secret::from(secret)),
            scopes: Some(vec!["read:jira-work".into()]),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(config.client_id.as_deref(), Some("client-123"));
    assert_eq!(config.client_secret_hint.as_deref(), Some("…9wo2"));
    assert!(!format!("{config:?}").contains(secret));
    assert_eq!(
        client.connectors().config("jira").get().await.unwrap(),
        config
    );
}

#[tokio::test]
async fn connections_list_get_delete() {
    let sb = sandbox().await;
    let client = admin(&sb);
    let acme = acme(&client).await;
    let connections = client.customer(&acme.id).connections();
    let page = connections.list().await.unwrap();
    assert!(!page.results.is_empty(), "acme has a seeded connection");
    let first = &page.results[0];
    assert_eq!(first.customer_id, acme.id);
    assert_eq!(connections.get(&first.id).await.unwrap(), *first);
    let streamed = connections.list_all().try_collect_all().await.unwrap();
    assert_eq!(streamed, page.results);

    connections.delete(&first.id).await.unwrap();
    assert_eq!(
        connections.get(&first.id).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        connections.list().await.unwrap().count as usize,
        page.results.len() - 1
    );
}

#[tokio::test]
async fn credentials_crud_never_return_secrets() {
    let sb = sandbox().await;
    let client = admin(&sb);
    let password = "correct horse battery staple";
    let input = CredentialRecordInput::new(
        "Billing API",
        "https://billing.example.com/api",
        Environment::Test,
        ContentType::Json,
        Authentication::Basic {
            username: "ada".into(),
            password: Secret::from(password),
        },
    );
    let created = client.credentials().create(&input).await.unwrap();
    assert_eq!(created.name, "Billing API");
    let auth = created.auth.as_ref().unwrap();
    assert_eq!(auth.auth_type, "basic");
    assert_eq!(auth.public["username"], "ada");
    assert_eq!(auth.secret_hints["password"], "…aple");
    assert!(!serde_json::to_string(&created).unwrap().contains(password));

    assert_eq!(
        client.credentials().get(&created.id).await.unwrap(),
        created
    );
    let listed = client
        .credentials()
        .list_all()
        .try_collect_all()
        .await
        .unwrap();
    assert!(listed.contains(&created));
    assert!(client
        .credentials()
        .list()
        .await
        .unwrap()
        .results
        .contains(&created));

    let replacement = CredentialRecordInput::new(
        "Billing API v2",
        "https://billing.example.com/v2",
        Environment::Production,
        ContentType::Json,
        Authentication::Bearer {
            key: String::new(),
            value: Secret::from("tok_0123456789abcdef"),
        },
    );
    let updated = client
        .credentials()
        .update(&created.id, &replacement)
        .await
        .unwrap();
    assert_eq!(updated.id, created.id);
    assert_eq!(updated.environment, Environment::Production);
    assert_eq!(updated.auth.as_ref().unwrap().auth_type, "bearer");

    client.credentials().delete(&created.id).await.unwrap();
    assert_eq!(
        client
            .credentials()
            .get(&created.id)
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
}

#[tokio::test]
async fn pm_projects_and_tasks() {
    let sb = sandbox().await;
    let client = admin(&sb);
    let acme = acme(&client).await;
    let projects = client.customer(&acme.id).pm_projects();
    let tasks = client.customer(&acme.id).pm_tasks();

    let all = projects
        .list_all(&PmProjectListParams::default())
        .try_collect_all()
        .await
        .unwrap();
    assert!(all.len() >= 2, "acme has seeded projects");
    let project = projects
        .create(&PmProjectCreate::new("Migration").description("move to the cloud"))
        .await
        .unwrap();
    assert_eq!(project.customer_id, acme.id);
    assert_eq!(project.status, ProjectStatus::Active);
    assert_eq!(projects.get(&project.id).await.unwrap(), project);

    let archived = projects
        .update(
            &project.id,
            &PmProjectUpdate {
                status: Some(ProjectStatus::Archived),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(archived.status, ProjectStatus::Archived);
    let only_archived = projects
        .list(&PmProjectListParams {
            status: Some(ProjectStatus::Archived),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(only_archived
        .results
        .iter()
        .all(|p| p.status == ProjectStatus::Archived));
    assert!(only_archived.results.iter().any(|p| p.id == project.id));

    let mut new_task = PmTaskCreate::new(&project.id, "Inventory the servers");
    new_task.assignee = Some("ada@acme.example".into());
    new_task.due_date = Some("2026-12-01".into());
    let task = tasks.create(&new_task).await.unwrap();
    assert_eq!(task.project_id, project.id);
    assert_eq!(task.status, TaskStatus::Todo);
    assert_eq!(tasks.get(&task.id).await.unwrap(), task);
    let done = tasks
        .update(
            &task.id,
            &PmTaskUpdate {
                status: Some(TaskStatus::Done),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(done.status, TaskStatus::Done);
    let of_project = tasks
        .list(&PmTaskListParams {
            project_id: Some(project.id.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(of_project.results, vec![done.clone()]);
    let by_assignee = tasks
        .list_all(&PmTaskListParams {
            assignee: Some("ada@acme.example".into()),
            status: Some(TaskStatus::Done),
            ..Default::default()
        })
        .try_collect_all()
        .await
        .unwrap();
    assert!(by_assignee.contains(&done));

    // A customer without a connection: no project without a connector; no task in
    // another customer's project.
    let other = client
        .customers()
        .create(&CustomerCreate::new("no-conn", "No Connection"))
        .await
        .unwrap();
    let err = client
        .customer(&other.id)
        .pm_projects()
        .create(&PmProjectCreate::new("Nope"))
        .await
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.code()),
        (ErrorKind::Conflict, "no_connection")
    );
    let err = client
        .customer(&other.id)
        .pm_tasks()
        .create(&PmTaskCreate::new(&project.id, "Not mine"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
}

#[tokio::test]
async fn a_user_key_reads_but_cannot_write() {
    let sb = sandbox().await;
    let reader = user(&sb);
    let acme = acme(&reader).await;
    reader
        .customer(&acme.id)
        .pm_projects()
        .list(&Default::default())
        .await
        .unwrap();

    let err = reader
        .customers()
        .create(&CustomerCreate::new("sneaky", "Sneaky"))
        .await
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.code()),
        (ErrorKind::PermissionDenied, "permission_denied")
    );
    assert_clean(&err, &[sb.user_key(), sb.admin_key()]);
    let err = reader
        .customers()
        .update(
            &acme.id,
            &CustomerUpdate {
                name: Some("x".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied);
    let err = reader.customers().delete(&acme.id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied);
    let err = reader
        .connectors()
        .config("jira")
        .update(&ConnectorConfigUpdate {
            client_id: Some("x".into()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied);

    // Nothing was written.
    let admin = admin(&sb);
    assert!(admin
        .customers()
        .find_by_external_id("sneaky")
        .await
        .unwrap()
        .is_none());
    assert_eq!(admin.customers().get(&acme.id).await.unwrap(), acme);
    assert!(admin
        .connectors()
        .config("jira")
        .get()
        .await
        .unwrap()
        .client_id
        .is_none());
}

#[tokio::test]
async fn workspaces_are_isolated() {
    let sb = sandbox().await;
    let first = admin(&sb);
    let acme = acme(&first).await;
    let keys = sb.create_workspace("Other").await.unwrap();
    let other = builder(&sb, &keys.admin_key).build().unwrap();
    assert_eq!(other.workspace().get().await.unwrap().id, keys.workspace_id);
    assert_ne!(keys.workspace_id, sb.workspace_id());

    let err = other.customers().get(&acme.id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(other
        .customers()
        .find_by_external_id("acme")
        .await
        .unwrap()
        .is_none());
    let err = other
        .customer(&acme.id)
        .pm_projects()
        .list(&Default::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    // The same external id may exist in both workspaces.
    other
        .customers()
        .create(&CustomerCreate::new("acme", "Other Acme"))
        .await
        .unwrap();
    assert_eq!(acme_of(&first).await, acme.id);
    let err = other.customers().delete(&acme.id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    first.customers().get(&acme.id).await.unwrap();
}

async fn acme_of(client: &Client) -> String {
    acme(client).await.id
}

#[tokio::test]
async fn an_unknown_key_is_unauthenticated_and_never_shown() {
    let sb = sandbox().await;
    let stranger = ApiKey::generate();
    let client = builder(&sb, &stranger).build().unwrap();
    let err = client.workspace().get().await.unwrap_err();
    assert_eq!(
        (err.kind(), err.code()),
        (ErrorKind::Unauthenticated, "unauthenticated")
    );
    assert_clean(&err, &[&stranger]);
    let shown = format!("{client:?} {:?} {sb:?}", admin(&sb));
    for key in [&stranger, sb.admin_key(), sb.user_key()] {
        assert!(!shown.contains(&key.expose()[9..]), "{shown}");
    }
}

/// A loopback HTTP proxy in front of the sandbox that counts requests, to see when the
/// stream fetches pages.
async fn counting_proxy(target: String) -> (String, Arc<AtomicUsize>) {
    use axum::body::Body;
    use axum::extract::Request;
    use axum::response::Response;

    let count = Arc::new(AtomicUsize::new(0));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let http = reqwest::Client::new();
    let counter = Arc::clone(&count);
    let app = axum::Router::new().fallback(move |req: Request| {
        let http = http.clone();
        let target = target.clone();
        let counter = Arc::clone(&counter);
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            let path = req
                .uri()
                .path_and_query()
                .map_or("/", |p| p.as_str())
                .to_owned();
            let mut out = http.request(req.method().clone(), format!("{target}{path}"));
            for (k, v) in req.headers() {
                if k != http::header::HOST {
                    out = out.header(k, v);
                }
            }
            let body = axum::body::to_bytes(req.into_body(), 1 << 20)
                .await
                .unwrap();
            let answer = out.body(body).send().await.unwrap();
            let mut response = Response::builder().status(answer.status());
            for (k, v) in answer.headers() {
                response = response.header(k, v);
            }
            response
                .body(Body::from(answer.bytes().await.unwrap()))
                .unwrap()
        }
    });
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/v1"), count)
}

#[tokio::test]
async fn pagination_over_three_pages_is_lazy() {
    let sb = sandbox().await;
    let client = admin(&sb);
    let before = client
        .customers()
        .list(&CustomerListParams::default())
        .await
        .unwrap()
        .count as usize;
    // 45 more: with pages of 20, at least three pages.
    for i in 0..45 {
        client
            .customers()
            .create(&CustomerCreate::new(
                format!("page-{i:02}"),
                format!("Customer {i}"),
            ))
            .await
            .unwrap();
    }
    let total = before + 45;
    let pages = total.div_ceil(20);
    assert!(pages >= 3);

    let first = client
        .customers()
        .list(&CustomerListParams::default())
        .await
        .unwrap();
    assert_eq!(first.count as usize, total);
    assert_eq!(first.results.len(), 20);
    assert!(first.next.is_some() && first.previous.is_none());

    let origin = sb.base_url().trim_end_matches("/v1").to_owned();
    let (proxy, requests) = counting_proxy(origin).await;
    let counted = Client::builder()
        .api_key(sb.admin_key())
        .base_url(proxy)
        .build()
        .unwrap();
    let mut stream = counted.customers().list_all(&CustomerListParams::default());
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(
        requests.load(Ordering::SeqCst),
        0,
        "no page before the first poll"
    );
    let mut ids = Vec::new();
    while let Some(customer) = stream.next().await {
        ids.push(customer.unwrap().id);
        let expected_pages = (ids.len() - 1) / 20 + 1;
        assert_eq!(
            requests.load(Ordering::SeqCst),
            expected_pages,
            "after item {}",
            ids.len()
        );
    }
    assert_eq!(requests.load(Ordering::SeqCst), pages);
    assert_eq!(ids.len(), total);
    assert_eq!(
        ids.iter().collect::<BTreeSet<_>>().len(),
        total,
        "no item twice"
    );
    // Creation order, as the first page showed.
    let first_ids: Vec<&String> = first.results.iter().map(|c| &c.id).collect();
    assert_eq!(ids.iter().take(20).collect::<Vec<_>>(), first_ids);
}

#[tokio::test]
async fn rate_limits_are_honoured() {
    let sb = Sandbox::start(SandboxOptions::memory().rate_limit(2))
        .await
        .unwrap();
    // Without retries the limit shows as an error that says how long to wait.
    let impatient = builder(&sb, sb.admin_key())
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let mut limited = None;
    for _ in 0..5 {
        if let Err(e) = impatient.workspace().get().await {
            limited = Some(e);
            break;
        }
    }
    let err = limited.expect("5 requests at once exceed 2 per second");
    assert_eq!(
        (err.kind(), err.code()),
        (ErrorKind::RateLimited, "rate_limited")
    );
    assert_eq!(err.status(), Some(429));
    assert!(err
        .retry_after()
        .is_some_and(|d| d >= Duration::from_secs(1)));

    // With retries every call succeeds, waiting as told.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let patient = admin(&sb);
    let start = Instant::now();
    for _ in 0..5 {
        patient.workspace().get().await.unwrap();
    }
    assert!(
        start.elapsed() >= Duration::from_millis(900),
        "5 calls at 2 per second cannot all pass at once: {:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn a_wait_past_the_timeout_fails_fast_with_a_timeout() {
    let sb = Sandbox::start(SandboxOptions::memory().rate_limit(1))
        .await
        .unwrap();
    let client = builder(&sb, sb.admin_key())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    client.workspace().get().await.unwrap();
    let start = Instant::now();
    let err = client.workspace().get().await.unwrap_err();
    assert!(
        start.elapsed() < Duration::from_millis(300),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(
        (err.kind(), err.code()),
        (ErrorKind::Timeout, "retry_budget_exhausted")
    );
    assert!(err.is_timeout());
    assert!(err.retry_after().is_some());
    assert_clean(&err, &[sb.admin_key()]);
}

#[tokio::test]
async fn data_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let sb = Sandbox::start(SandboxOptions::dir(dir.path()))
        .await
        .unwrap();
    let created = admin(&sb)
        .customers()
        .create(&CustomerCreate::new("durable", "Durable Inc."))
        .await
        .unwrap();
    let key = sb.admin_key().clone();
    sb.shutdown().await;

    let sb = Sandbox::start(SandboxOptions::dir(dir.path()))
        .await
        .unwrap();
    assert_eq!(
        sb.admin_key().expose(),
        key.expose(),
        "the same keys after a restart"
    );
    let client = admin(&sb);
    assert_eq!(client.customers().get(&created.id).await.unwrap(), created);
    assert_eq!(
        client
            .customers()
            .find_by_external_id("durable")
            .await
            .unwrap(),
        Some(created)
    );
    sb.shutdown().await;
}
