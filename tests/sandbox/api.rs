//! The sandbox over real HTTP: every status code of the contract, user keys, workspace
//! isolation, pagination, and each resource.

use crate::sandbox_support;

use munity::sandbox::{Sandbox, SandboxOptions};
use sandbox_support::{is_uuid, Api};
use serde_json::json;

async fn start() -> (Sandbox, Api) {
    let sb = Sandbox::start(SandboxOptions::memory())
        .await
        .expect("sandbox starts");
    let api = Api::new(sb.base_url(), sb.admin_key());
    (sb, api)
}

#[tokio::test]
async fn binds_loopback_and_seeds() {
    let (sb, api) = start().await;
    assert!(sb.addr().ip().is_loopback());
    assert_eq!(sb.base_url(), format!("http://{}/v1", sb.addr()));
    let ws = api.get("/workspace/").await;
    assert_eq!(ws.status, 200);
    assert_eq!(ws.body["id"], sb.workspace_id());

    let connectors = api.get("/connectors/?page_size=100").await;
    let by_name = |name: &str| {
        connectors.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("connector {name} is seeded"))
    };
    assert_eq!(by_name("jira")["auth_type"], "oauth2");
    assert_eq!(by_name("pipedrive")["auth_type"], "api_key");
    assert_eq!(by_name("odoo")["auth_type"], "user_credentials");
    for auth in ["headers", "basic", "bearer", "aws4", "hmac_sha256", "none"] {
        let c = by_name(&format!("custom_{auth}"));
        assert_eq!(c["auth_type"], auth);
        for field in c["fields"].as_array().unwrap() {
            assert_eq!(
                field["secret"] == true,
                field["kind"] == "password",
                "secrets are password fields: {field}"
            );
        }
    }
    let odoo = by_name("odoo");
    assert!(odoo["fields"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["name"] == "password" && f["kind"] == "password"));

    let acme = api.acme().await;
    let connections = api.get(&format!("/customers/{acme}/connections/")).await;
    assert_eq!(connections.body["results"][0]["connector"], "jira");
    let projects = api.get(&format!("/customers/{acme}/pm-projects/")).await;
    assert_eq!(projects.body["count"], 2);
    let tasks = api.get(&format!("/customers/{acme}/pm-tasks/")).await;
    assert!(tasks.body["count"].as_u64().unwrap() >= 4);
}

#[tokio::test]
async fn unauthenticated_is_401() {
    let (sb, api) = start().await;
    let other_key = munity::ApiKey::generate();
    let cases = [
        None,
        Some("Bearer abc".to_owned()),
        Some("X-Api-Key not-a-key".to_owned()),
        Some(format!("X-Api-Key {}", other_key.expose())),
        // A known prefix with a wrong secret.
        Some(format!(
            "X-Api-Key {}.{}",
            sb.admin_key().prefix(),
            &other_key.expose()[9..]
        )),
    ];
    for auth in cases {
        let answer = api.with_auth(auth.as_deref()).get("/customers/").await;
        assert_eq!(answer.status, 401, "{auth:?}");
        assert_eq!(answer.code(), "unauthenticated");
    }
}

#[tokio::test]
async fn user_key_reads_but_cannot_write() {
    let (sb, admin) = start().await;
    let user = Api::new(sb.base_url(), sb.user_key());
    assert_eq!(user.get("/customers/").await.status, 200);
    let acme = admin.acme().await;
    let writes = [
        user.post("/customers/", json!({"external_id": "u1", "name": "U"}))
            .await,
        user.patch(&format!("/customers/{acme}/"), json!({"name": "Hacked"}))
            .await,
        user.delete(&format!("/customers/{acme}/")).await,
        user.put("/connectors/jira/config/", json!({"client_id": "x"}))
            .await,
        user.post(
            &format!("/customers/{acme}/pm-projects/"),
            json!({"name": "P"}),
        )
        .await,
    ];
    for answer in writes {
        assert_eq!(answer.status, 403);
        assert_eq!(answer.code(), "permission_denied");
    }
    let customers = admin.get("/customers/").await;
    assert_eq!(customers.body["count"], 1, "nothing was written");
    assert_eq!(customers.body["results"][0]["name"], "Acme Corporation");
    let config = admin.get("/connectors/jira/config/").await;
    assert_eq!(config.body["client_id"], serde_json::Value::Null);
    let projects = admin.get(&format!("/customers/{acme}/pm-projects/")).await;
    assert_eq!(projects.body["count"], 2);
}

#[tokio::test]
async fn workspaces_are_isolated() {
    let (sb, a) = start().await;
    let second = sb.create_workspace("second").await.unwrap();
    assert_ne!(second.workspace_id, sb.workspace_id());
    let b = Api::new(sb.base_url(), &second.admin_key);
    assert_eq!(b.get("/workspace/").await.body["id"], second.workspace_id);
    assert_eq!(b.get("/customers/").await.body["count"], 0);

    let acme = a.acme().await;
    assert_eq!(b.get(&format!("/customers/{acme}/")).await.status, 404);
    assert_eq!(
        b.patch(&format!("/customers/{acme}/"), json!({"name": "x"}))
            .await
            .status,
        404
    );
    assert_eq!(b.delete(&format!("/customers/{acme}/")).await.status, 404);
    assert_eq!(
        b.get(&format!("/customers/{acme}/pm-projects/"))
            .await
            .status,
        404
    );
    // The same external id may exist in both workspaces.
    let created = b
        .post(
            "/customers/",
            json!({"external_id": "acme", "name": "B's Acme"}),
        )
        .await;
    assert_eq!(created.status, 201);
    let cred = b
        .post(
            "/credentials/",
            json!({"name": "n", "base_url": "https://api.example.com", "environment": "test", "content_type": "json",
                   "auth": {"type": "none"}}),
        )
        .await;
    assert_eq!(cred.status, 201);
    let cred_id = cred.body["id"].as_str().unwrap();
    assert_eq!(a.get(&format!("/credentials/{cred_id}/")).await.status, 404);
    assert_eq!(a.get("/credentials/").await.body["count"], 0);
    assert_eq!(a.get("/customers/").await.body["count"], 1);
    let b_user = Api::new(sb.base_url(), &second.user_key);
    assert_eq!(
        b_user
            .post("/customers/", json!({"external_id": "z", "name": "z"}))
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn not_found_is_404() {
    let (_sb, api) = start().await;
    for path in [
        "/customers/cus_nope/",
        "/customers/cus_nope/connections/",
        "/connectors/nope/",
        "/connectors/nope/config/",
        "/credentials/cred_nope/",
        "/no-such-resource/",
    ] {
        let answer = api.get(path).await;
        assert_eq!(answer.status, 404, "{path}");
        assert_eq!(answer.code(), "not_found");
    }
    let acme = api.acme().await;
    assert_eq!(
        api.get(&format!("/customers/{acme}/pm-tasks/tsk_nope/"))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn validation_is_400_with_fields() {
    let (_sb, api) = start().await;
    let bad = api
        .post(
            "/customers/",
            json!({"external_id": "", "name": " ", "email": "nope"}),
        )
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.code(), "validation");
    assert_eq!(bad.fields(), ["external_id", "name", "email"]);

    let missing = api.post("/customers/", json!({"name": "x"})).await;
    assert_eq!(missing.status, 400);
    assert_eq!(missing.fields(), ["external_id"]);

    let wrong_type = api
        .post("/customers/", json!({"external_id": 5, "name": "x"}))
        .await;
    assert_eq!(wrong_type.fields(), ["external_id"]);

    let malformed = sandbox_support::Api::answer(
        api.request(reqwest::Method::POST, "/customers/")
            .header("content-type", "application/json")
            .body("{\"external_id\": "),
    )
    .await;
    assert_eq!(malformed.status, 400);
    assert_eq!(malformed.code(), "invalid_json");

    for query in ["page=0", "page=x", "page_size=101", "page_size=0"] {
        let answer = api.get(&format!("/customers/?{query}")).await;
        assert_eq!(answer.status, 400, "{query}");
        assert_eq!(answer.code(), "validation");
    }
    let acme = api.acme().await;
    let status = api
        .get(&format!("/customers/{acme}/pm-tasks/?status=sleeping"))
        .await;
    assert_eq!(status.fields(), ["status"]);
    let task = api
        .post(
            &format!("/customers/{acme}/pm-tasks/"),
            json!({"project_id": "prj_nope", "title": "t", "due_date": "2026-13-01"}),
        )
        .await;
    assert_eq!(task.status, 400);
    assert_eq!(task.fields(), ["due_date"]);
    let task = api
        .post(
            &format!("/customers/{acme}/pm-tasks/"),
            json!({"project_id": "prj_nope", "title": "t"}),
        )
        .await;
    assert_eq!(task.status, 400);
    assert_eq!(task.fields(), ["project_id"]);
    let cred = api
        .post(
            "/credentials/",
            json!({"name": "n", "base_url": "ftp://x", "environment": "test", "content_type": "json",
                   "auth": {"type": "basic", "username": "a:b", "password": ""}}),
        )
        .await;
    assert_eq!(
        cred.fields(),
        ["base_url", "auth.username", "auth.password"]
    );
    let config = api
        .put("/connectors/pipedrive/config/", json!({"client_id": "x"}))
        .await;
    assert_eq!(config.fields(), ["client_id"]);
    let method = api.send(reqwest::Method::PUT, "/customers/", None).await;
    assert_eq!(method.status, 405);
    assert_eq!(method.code(), "method_not_allowed");
}

#[tokio::test]
async fn conflicts_are_409() {
    let (_sb, api) = start().await;
    let dup = api
        .post(
            "/customers/",
            json!({"external_id": "acme", "name": "Again"}),
        )
        .await;
    assert_eq!(dup.status, 409);
    assert_eq!(dup.code(), "already_exists");

    let lonely = api
        .post("/customers/", json!({"external_id": "lonely", "name": "L"}))
        .await;
    let id = lonely.body["id"].as_str().unwrap();
    let project = api
        .post(
            &format!("/customers/{id}/pm-projects/"),
            json!({"name": "P"}),
        )
        .await;
    assert_eq!(project.status, 409);
    assert_eq!(project.code(), "no_connection");
    let with_connector = api
        .post(
            &format!("/customers/{id}/pm-projects/"),
            json!({"name": "P", "connector": "jira"}),
        )
        .await;
    assert_eq!(with_connector.status, 201);
    assert_eq!(with_connector.body["connector"], "jira");
}

#[tokio::test]
async fn body_over_1_mib_is_413() {
    let (_sb, api) = start().await;
    let big = "x".repeat((1 << 20) + 1);
    let answer = sandbox_support::Api::answer(
        api.request(reqwest::Method::POST, "/customers/")
            .header("content-type", "application/json")
            .body(big.clone()),
    )
    .await;
    assert_eq!(answer.status, 413);
    assert_eq!(answer.code(), "payload_too_large");
    let with_key = sandbox_support::Api::answer(
        api.request(reqwest::Method::POST, "/customers/")
            .header("Idempotency-Key", "big-1")
            .body(big),
    )
    .await;
    assert_eq!(with_key.status, 413);
    assert_eq!(api.get("/customers/").await.body["count"], 1);
}

#[tokio::test]
async fn pagination_walks_three_pages_both_ways() {
    let (_sb, api) = start().await;
    for i in 0..6 {
        let created = api
            .post(
                "/customers/",
                json!({"external_id": format!("c{i}"), "name": format!("C{i}")}),
            )
            .await;
        assert_eq!(created.status, 201);
    }
    // 7 customers (acme first), pages of 3: 3 + 3 + 1.
    let mut url = api.url("/customers/?page_size=3");
    let mut seen = Vec::new();
    let mut pages = Vec::new();
    loop {
        let page = api.get(&url).await;
        assert_eq!(page.body["count"], 7);
        for c in page.body["results"].as_array().unwrap() {
            seen.push(c["external_id"].as_str().unwrap().to_owned());
        }
        pages.push(page.body.clone());
        match page.body["next"].as_str() {
            Some(next) => url = next.to_owned(),
            None => break,
        }
    }
    assert_eq!(seen, ["acme", "c0", "c1", "c2", "c3", "c4", "c5"]);
    assert_eq!(pages.len(), 3);
    assert_eq!(pages[0]["previous"], serde_json::Value::Null);
    let previous = pages[2]["previous"].as_str().unwrap();
    assert!(previous.starts_with("http://127.0.0.1:"));
    assert!(previous.contains("page_size=3") && previous.contains("page=2"));
    let back = api.get(previous).await;
    assert_eq!(back.body["results"], pages[1]["results"]);
    let beyond = api.get("/customers/?page_size=3&page=9").await;
    assert_eq!(beyond.body["results"].as_array().unwrap().len(), 0);
    assert_eq!(beyond.body["next"], serde_json::Value::Null);
}

#[tokio::test]
async fn customers_crud_and_cascade() {
    let (_sb, api) = start().await;
    let created = api
        .post(
            "/customers/",
            json!({"external_id": "globex", "name": "Globex", "email": "it@globex.example"}),
        )
        .await;
    assert_eq!(created.status, 201);
    let id = created.body["id"].as_str().unwrap().to_owned();
    // A UUID, as the API's documentation shows ids.
    assert!(is_uuid(&id), "{id}");
    assert_eq!(
        api.get(&format!("/customers/{id}/")).await.body,
        created.body
    );
    let found = api.get("/customers/?external_id=globex").await;
    assert_eq!(found.body["count"], 1);
    let updated = api
        .patch(&format!("/customers/{id}/"), json!({"name": "Globex Corp"}))
        .await;
    assert_eq!(updated.body["name"], "Globex Corp");
    assert_eq!(updated.body["email"], "it@globex.example");

    let acme = api.acme().await;
    let deleted = api.delete(&format!("/customers/{acme}/")).await;
    assert_eq!(deleted.status, 204);
    assert_eq!(api.get(&format!("/customers/{acme}/")).await.status, 404);
    assert_eq!(
        api.get(&format!("/customers/{acme}/pm-tasks/"))
            .await
            .status,
        404
    );
    assert_eq!(api.delete(&format!("/customers/{acme}/")).await.status, 404);
}

#[tokio::test]
async fn connections_get_and_delete() {
    let (_sb, api) = start().await;
    let acme = api.acme().await;
    let list = api.get(&format!("/customers/{acme}/connections/")).await;
    let con = list.body["results"][0]["id"].as_str().unwrap().to_owned();
    let one = api
        .get(&format!("/customers/{acme}/connections/{con}/"))
        .await;
    assert_eq!(one.body["status"], "active");
    assert_eq!(
        api.delete(&format!("/customers/{acme}/connections/{con}/"))
            .await
            .status,
        204
    );
    assert_eq!(
        api.get(&format!("/customers/{acme}/connections/{con}/"))
            .await
            .status,
        404
    );
    let projects = api.get(&format!("/customers/{acme}/pm-projects/")).await;
    assert_eq!(projects.body["count"], 0, "its projects went with it");
}

#[tokio::test]
async fn connector_config_keeps_secrets_write_only() {
    let (_sb, api) = start().await;
    let empty = api.get("/connectors/jira/config/").await;
    assert_eq!(empty.status, 200);
    assert_eq!(empty.body["client_id"], serde_json::Value::Null);
    let secret = "jira-client-secret-0123456789wxyz";
    let put = api
        .put(
            "/connectors/jira/config/",
            json!({"client_id": "cid", "client_secret": secret, "scopes": ["read:jira-work"]}),
        )
        .await;
    assert_eq!(put.status, 200);
    assert_eq!(put.body["client_id"], "cid");
    assert_eq!(put.body["client_secret_hint"], "…wxyz");
    assert!(!put.body.to_string().contains(secret));
    let scopes_only = api
        .put("/connectors/jira/config/", json!({"scopes": ["a", "b"]}))
        .await;
    assert_eq!(scopes_only.body["client_id"], "cid", "unset fields stay");
    assert_eq!(scopes_only.body["scopes"], json!(["a", "b"]));
    let key = api
        .put("/connectors/pipedrive/config/", json!({"api_key": "short"}))
        .await;
    assert_eq!(key.body["api_key_hint"], "…");
    let again = api.get("/connectors/jira/config/").await;
    assert_eq!(again.body["client_secret_hint"], "…wxyz");
}

#[tokio::test]
async fn credentials_crud_show_only_hints() {
    let (_sb, api) = start().await;
    let secret = "aws-secret-key-0123456789ABCD";
    let input = json!({
        "name": "S3", "base_url": "https://s3.amazonaws.com", "environment": "production",
        "content_type": "xml", "extra_headers": [{"name": "X-Team", "value": "ops"}],
        "auth": {"type": "aws4", "access_key": "AKIDEXAMPLE", "secret_key": secret,
                 "region": "us-east-1", "service": "s3"}
    });
    let created = api.post("/credentials/", input).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert!(!created.body.to_string().contains(secret));
    assert_eq!(created.body["auth"]["secret_hints"]["secret_key"], "…ABCD");
    assert_eq!(created.body["auth"]["public"]["access_key"], "AKIDEXAMPLE");
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        api.get(&format!("/credentials/{id}/")).await.body,
        created.body
    );

    let orgs = json!({
        "name": "Per org", "base_url": "https://api.example.com", "environment": "test",
        "content_type": "json",
        "organizations": [
            {"organization_id": "o1", "auth": {"type": "bearer", "value": "tok-1"}},
            {"organization_id": "o2", "auth": {"type": "hmac_sha256", "client_id": "c", "client_secret": "s"}}
        ]
    });
    let replaced = api.put(&format!("/credentials/{id}/"), orgs).await;
    assert_eq!(replaced.status, 200);
    assert_eq!(replaced.body["organization_specific"], true);
    assert_eq!(replaced.body["auth"], serde_json::Value::Null);
    assert_eq!(replaced.body["organizations"].as_array().unwrap().len(), 2);
    assert_eq!(replaced.body["created_at"], created.body["created_at"]);
    assert_eq!(api.get("/credentials/").await.body["count"], 1);
    assert_eq!(api.delete(&format!("/credentials/{id}/")).await.status, 204);
    assert_eq!(api.get(&format!("/credentials/{id}/")).await.status, 404);
}

#[tokio::test]
async fn pm_projects_and_tasks_filter_create_update() {
    let (_sb, api) = start().await;
    let acme = api.acme().await;
    let base = format!("/customers/{acme}");
    let project = api
        .post(
            &format!("{base}/pm-projects/"),
            json!({"name": "Mobile app", "description": "iOS and Android"}),
        )
        .await;
    assert_eq!(project.status, 201);
    assert_eq!(project.body["connector"], "jira", "the first connection's");
    let pid = project.body["id"].as_str().unwrap().to_owned();
    let archived = api
        .patch(
            &format!("{base}/pm-projects/{pid}/"),
            json!({"status": "archived"}),
        )
        .await;
    assert_eq!(archived.body["status"], "archived");
    let active = api.get(&format!("{base}/pm-projects/?status=active")).await;
    assert_eq!(active.body["count"], 2);
    let jira = api
        .get(&format!("{base}/pm-projects/?connector=jira"))
        .await;
    assert_eq!(jira.body["count"], 3);

    let task = api
        .post(
            &format!("{base}/pm-tasks/"),
            json!({"project_id": pid, "title": "Ship 1.0", "assignee": "ada@acme.example",
                   "due_date": "2027-01-31"}),
        )
        .await;
    assert_eq!(task.status, 201);
    assert_eq!(task.body["status"], "todo");
    let tid = task.body["id"].as_str().unwrap().to_owned();
    let done = api
        .patch(
            &format!("{base}/pm-tasks/{tid}/"),
            json!({"status": "done"}),
        )
        .await;
    assert_eq!(done.body["status"], "done");
    assert_eq!(done.body["title"], "Ship 1.0");
    let of_project = api.get(&format!("{base}/pm-tasks/?project_id={pid}")).await;
    assert_eq!(of_project.body["count"], 1);
    let ada_done = api
        .get(&format!(
            "{base}/pm-tasks/?assignee=ada%40acme.example&status=done"
        ))
        .await;
    assert_eq!(ada_done.body["count"], 2, "{}", ada_done.body);
    assert_eq!(
        api.get(&format!("{base}/pm-tasks/{tid}/")).await.body,
        done.body
    );
}

/// Every id the API returns is a UUID, as in the API's documentation: no type prefix a
/// client could come to rely on.
#[tokio::test]
async fn every_resource_id_is_a_uuid() {
    let (sb, api) = start().await;
    let mut ids = vec![api.get("/workspace/").await.body["id"].clone()];
    let acme = api.acme().await;
    ids.push(acme.clone().into());
    for path in [
        format!("/customers/{acme}/connections/"),
        format!("/customers/{acme}/pm-projects/"),
        format!("/customers/{acme}/pm-tasks/"),
    ] {
        let page = api.get(&path).await;
        assert_eq!(page.status, 200, "{path}: {:?}", page.body);
        for item in page.body["results"].as_array().unwrap() {
            ids.push(item["id"].clone());
            if let Some(project) = item.get("project_id") {
                ids.push(project.clone());
            }
            ids.push(item["customer_id"].clone());
        }
    }
    let record = api
        .post(
            "/credentials/",
            json!({"name": "n", "base_url": "https://api.example.com", "environment": "test",
                   "content_type": "json", "auth": {"type": "none"}}),
        )
        .await;
    assert_eq!(record.status, 201, "{:?}", record.body);
    ids.push(record.body["id"].clone());
    let customer = api
        .post(
            "/customers/",
            json!({"external_id": "uuid-co", "name": "U"}),
        )
        .await;
    ids.push(customer.body["id"].clone());
    assert!(ids.len() >= 12, "{ids:?}");
    for id in &ids {
        let id = id.as_str().unwrap_or_default();
        assert!(is_uuid(id), "{id:?} in {ids:?}");
    }
    sb.shutdown().await;
}
