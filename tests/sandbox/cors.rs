//! The three-origin topology on the sandbox, over real HTTP: a workspace's
//! `allowed_origins` (`GET`/`PATCH /v1/workspace/`, the client's typed call), and the
//! CORS answers of the connect endpoints, for those origins only; the API-key routes
//! answer no CORS at all.

use crate::sandbox_support;

use munity::model::WorkspaceUpdate;
use munity::origin::Origin;
use munity::sandbox::{Sandbox, SandboxOptions};
use reqwest::Method;
use sandbox_support::{Answer, Api};
use serde_json::json;

/// The product's page (allowed for the seeded workspace from the start).
const PAGE: &str = "http://127.0.0.1:5173";

async fn start() -> (Sandbox, Api) {
    let options = SandboxOptions::memory().allow_origin(Origin::parse(PAGE).unwrap());
    let sb = Sandbox::start(options).await.expect("starts");
    let api = Api::new(sb.base_url(), sb.admin_key());
    (sb, api)
}

/// A link to the session of `acme` for `connector`, signed as a product's backend does.
async fn link_query(sb: &Sandbox, api: &Api, connector: &str) -> String {
    let acme = api.acme().await;
    let signed = munity::link::LinkBuilder::new(sb.workspace_id(), acme, connector)
        .base_url(format!("{}/connect", sb.base_url()))
        .sign(sb.admin_key(), munity::now_unix())
        .expect("signed");
    signed.url().split_once('?').unwrap().1.to_owned()
}

/// A browser's request: no API key, with `Origin`.
fn from_page(
    api: &Api,
    method: Method,
    path: &str,
    origin: Option<&str>,
) -> reqwest::RequestBuilder {
    let builder = api.with_auth(None).request(method, path);
    match origin {
        Some(origin) => builder.header("origin", origin),
        None => builder,
    }
}

fn cors(answer: &Answer) -> Vec<(String, String)> {
    answer
        .headers
        .iter()
        .filter(|(name, _)| name.as_str().starts_with("access-control-"))
        .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_owned()))
        .collect()
}

fn vary(answer: &Answer) -> Vec<String> {
    answer
        .headers
        .get_all("vary")
        .iter()
        .flat_map(|v| v.to_str().unwrap().split(','))
        .map(|v| v.trim().to_ascii_lowercase())
        .collect()
}

#[tokio::test]
async fn allowed_origins_are_read_and_replaced_with_an_admin_key_in_canonical_form() {
    let (sb, api) = start().await;
    let shown = api.get("/workspace/").await;
    assert_eq!(shown.body["allowed_origins"], json!([PAGE]), "seeded");

    let replaced = api
        .patch(
            "/workspace/",
            json!({"allowed_origins": ["HTTPS://App.Example.com:443", "https://app.example.com", "http://[::1]:8080"]}),
        )
        .await;
    assert_eq!(replaced.status, 200, "{}", replaced.body);
    assert_eq!(
        replaced.body["allowed_origins"],
        json!(["https://app.example.com", "http://[::1]:8080"])
    );
    assert_eq!(api.get("/workspace/").await.body, replaced.body);

    let refused = api
        .patch(
            "/workspace/",
            json!({"allowed_origins": ["https://ok.example", "https://*.example.com", "http://app.example.com", "https://app.example.com/path", "*"]}),
        )
        .await;
    assert_eq!((refused.status, refused.code()), (400, "validation"));
    assert_eq!(
        refused.fields(),
        [
            "allowed_origins[1]",
            "allowed_origins[2]",
            "allowed_origins[3]",
            "allowed_origins[4]"
        ]
    );
    let too_many: Vec<String> = (1..=33)
        .map(|i| format!("https://app{i}.example"))
        .collect();
    let refused = api
        .patch("/workspace/", json!({ "allowed_origins": too_many }))
        .await;
    assert_eq!(refused.fields(), ["allowed_origins"]);
    let unknown = api.patch("/workspace/", json!({"name": "renamed"})).await;
    assert_eq!(unknown.status, 400);
    let user = Api::new(sb.base_url(), sb.user_key());
    let denied = user
        .patch("/workspace/", json!({"allowed_origins": []}))
        .await;
    assert_eq!((denied.status, denied.code()), (403, "permission_denied"));
    assert_eq!(
        api.get("/workspace/").await.body,
        replaced.body,
        "refused changes changed nothing"
    );

    // The client's typed call.
    let client = munity::Client::builder()
        .api_key(sb.admin_key())
        .base_url(sb.base_url())
        .build()
        .unwrap();
    let update = WorkspaceUpdate::default().allowed_origins([Origin::parse(PAGE).unwrap()]);
    let workspace = client.workspace().update(&update).await.unwrap();
    assert_eq!(workspace.allowed_origins, [PAGE]);
    assert_eq!(client.workspace().get().await.unwrap(), workspace);
    let cleared = client
        .workspace()
        .update(&WorkspaceUpdate::default().allowed_origins([]))
        .await
        .unwrap();
    assert!(cleared.allowed_origins.is_empty());
    let bad = WorkspaceUpdate {
        allowed_origins: Some(vec!["https://*.example.com".to_owned()]),
    };
    let err = client.workspace().update(&bad).await.unwrap_err();
    assert_eq!((err.status(), err.code()), (Some(400), "validation"));
    assert_eq!(err.fields()[0].field, "allowed_origins[0]");
    sb.shutdown().await;
}

#[tokio::test]
async fn the_connect_endpoints_answer_cors_to_allowed_origins_only() {
    let (sb, api) = start().await;
    let query = link_query(&sb, &api, "jira").await;
    let session = format!("/connect/session?{query}");
    let credentials = format!("/connect/credentials?{query}");

    // Preflight of the credentials POST (JSON body) from the allowed page.
    for path in [&credentials, &session] {
        let preflight = Api::answer(
            from_page(&api, Method::OPTIONS, path, Some(PAGE))
                .header("access-control-request-method", "POST")
                .header("access-control-request-headers", "content-type"),
        )
        .await;
        assert_eq!(preflight.status, 204, "{path}");
        assert_eq!(preflight.header("access-control-allow-origin"), Some(PAGE));
        assert_eq!(
            preflight.header("access-control-allow-methods"),
            Some("GET, POST")
        );
        assert_eq!(
            preflight.header("access-control-allow-headers"),
            Some("content-type")
        );
        assert_eq!(preflight.header("access-control-allow-credentials"), None);
        assert!(vary(&preflight).contains(&"origin".to_owned()));
    }

    // The session itself, read by the allowed page.
    let read = Api::answer(from_page(&api, Method::GET, &session, Some(PAGE))).await;
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(read.header("access-control-allow-origin"), Some(PAGE));
    assert_eq!(read.header("access-control-allow-credentials"), None);
    assert!(vary(&read).contains(&"origin".to_owned()));
    assert_eq!(read.body["connector"]["name"], "jira");

    // An error answer is readable too (the page shows the code).
    let tampered = session.replace("connector=jira", "connector=asana");
    let error = Api::answer(from_page(&api, Method::GET, &tampered, Some(PAGE))).await;
    assert_eq!(error.code(), "link_invalid_signature");
    assert_eq!(error.header("access-control-allow-origin"), Some(PAGE));

    // Any other origin: no CORS headers at all, and an answer that says nothing about
    // the workspace, the same for a link of no workspace.
    let nowhere = query.replace(sb.workspace_id(), "ws_doesnotexist");
    let mut refusals = Vec::new();
    for origin in [
        "https://attacker.example",
        "http://127.0.0.1:5174",
        "http://localhost:5173",
        "null",
        "HTTP://127.0.0.1:5173",
    ] {
        for (method, path) in [
            (Method::GET, session.clone()),
            (Method::POST, credentials.clone()),
            (Method::GET, format!("/connect/session?{nowhere}")),
        ] {
            let answer = Api::answer(
                from_page(&api, method.clone(), &path, Some(origin))
                    .json(&json!({"envelope": "x"})),
            )
            .await;
            assert_eq!(
                (answer.status, answer.code()),
                (403, "origin_not_allowed"),
                "{origin} {method} {path}"
            );
            assert_eq!(cors(&answer), [], "{origin} {method}: no CORS headers");
            let text = answer.body.to_string();
            assert!(
                !text.contains(sb.workspace_id()) && !text.contains("jira"),
                "{text}"
            );
            refusals.push(answer.body);
        }
        let preflight = Api::answer(
            from_page(&api, Method::OPTIONS, &credentials, Some(origin))
                .header("access-control-request-method", "POST"),
        )
        .await;
        assert_eq!(preflight.status, 403, "{origin}");
        assert_eq!(cors(&preflight), [], "{origin}: the preflight gets no CORS");
    }
    assert!(
        refusals.windows(2).all(|w| w[0] == w[1]),
        "one answer for all"
    );

    // Without Origin (a server, curl): as before, and no CORS headers.
    let server = Api::answer(from_page(&api, Method::GET, &session, None)).await;
    assert_eq!(server.status, 200);
    assert_eq!(cors(&server), []);
    assert!(
        vary(&server).contains(&"origin".to_owned()),
        "caches keep them apart"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn an_origin_allowed_by_one_workspace_is_not_allowed_for_another() {
    let (sb, api) = start().await;
    let other = sb.create_workspace("other").await.unwrap();
    let other_api = Api::new(sb.base_url(), &other.admin_key);
    let customer = other_api
        .post(
            "/customers/",
            json!({"external_id": "globex", "name": "Globex"}),
        )
        .await;
    let link = munity::link::LinkBuilder::new(
        &other.workspace_id,
        customer.body["id"].as_str().unwrap(),
        "jira",
    )
    .base_url(format!("{}/connect", sb.base_url()))
    .sign(&other.admin_key, munity::now_unix())
    .unwrap();
    let session = format!("/connect/session?{}", link.url().split_once('?').unwrap().1);
    let refused = Api::answer(from_page(&api, Method::GET, &session, Some(PAGE))).await;
    assert_eq!(
        refused.code(),
        "origin_not_allowed",
        "PAGE is the seeded workspace's"
    );
    let allowed = other_api
        .patch("/workspace/", json!({"allowed_origins": [PAGE]}))
        .await;
    assert_eq!(allowed.status, 200);
    let read = Api::answer(from_page(&api, Method::GET, &session, Some(PAGE))).await;
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(read.header("access-control-allow-origin"), Some(PAGE));
    sb.shutdown().await;
}

#[tokio::test]
async fn api_key_routes_answer_no_cors_even_to_an_allowed_origin() {
    let (sb, api) = start().await;
    for path in ["/workspace/", "/customers/", "/workspace/certificate/"] {
        let preflight = Api::answer(
            from_page(&api, Method::OPTIONS, path, Some(PAGE))
                .header("access-control-request-method", "GET")
                .header("access-control-request-headers", "authorization"),
        )
        .await;
        assert!(preflight.status >= 400, "{path}: {}", preflight.status);
        assert_eq!(cors(&preflight), [], "{path}: preflight");
        let read = Api::answer(api.request(Method::GET, path).header("origin", PAGE)).await;
        assert_eq!(read.status, 200, "{path}");
        assert_eq!(cors(&read), [], "{path}: answer");
    }
    sb.shutdown().await;
}
