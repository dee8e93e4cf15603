//! `GET /v1/connect/session` against the sandbox in-process (HTTP on 127.0.0.1:0): the
//! link is the credential; user-key links 403, tampered 401, expired 401 `link_expired`.

use crate::sandbox_support;

use munity::link::LinkBuilder;
use munity::sandbox::{Sandbox, SandboxOptions};
use munity::ApiKey;
use sandbox_support::{Answer, Api};

async fn start() -> (Sandbox, Api) {
    let sb = Sandbox::start(SandboxOptions::memory()).await.unwrap();
    let api = Api::new(sb.base_url(), sb.admin_key()).with_auth(None);
    (sb, api)
}

fn link(sb: &Sandbox, key: &ApiKey, customer: &str, connector: &str, now: i64) -> String {
    LinkBuilder::new(sb.workspace_id(), customer, connector)
        .base_url(format!("{}/connect", sb.base_url()))
        .redirect_uri("http://localhost:3000/done")
        .sign(key, now)
        .unwrap()
        .into_url()
}

async fn session(api: &Api, link: &str) -> Answer {
    let query = link.split_once('?').unwrap().1;
    api.get(&format!("/connect/session?{query}")).await
}

#[tokio::test]
async fn a_valid_link_opens_a_session_without_an_api_key() {
    let (sb, api) = start().await;
    let now = munity::now_unix();
    let url = link(&sb, sb.admin_key(), "acme", "jira", now);
    let answer = session(&api, &url).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    let body = &answer.body;
    assert_eq!(body["workspace"], sb.workspace_id());
    assert_eq!(body["customer"]["external_id"], "acme");
    assert_eq!(body["connector"]["name"], "jira");
    assert_eq!(body["connector"]["auth_type"], "oauth2");
    assert_eq!(body["redirect_uri"], "http://localhost:3000/done");
    let expires_at = body["expires_at"].as_str().unwrap();
    assert_eq!(munity::parse_rfc3339(expires_at).unwrap(), now + 600);
    assert!(expires_at.ends_with('Z'), "{expires_at}");
    // A session can be read again: only a connection consumes the nonce.
    assert_eq!(session(&api, &url).await.status, 200);
    // The link names the product's id: the Munity id of acme is another customer,
    // one with no connection yet.
    let acme = Api::new(sb.base_url(), sb.admin_key()).acme().await;
    assert_eq!(body["customer"]["id"], acme.as_str());
    let answer = session(&api, &link(&sb, sb.admin_key(), &acme, "jira", now)).await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.body["customer"],
        serde_json::json!({"id": null, "external_id": acme})
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn a_user_key_link_is_refused_with_403() {
    let (sb, api) = start().await;
    let url = link(&sb, sb.user_key(), "acme", "jira", munity::now_unix());
    let answer = session(&api, &url).await;
    assert_eq!(answer.status, 403);
    assert_eq!(answer.code(), "permission_denied");
    sb.shutdown().await;
}

#[tokio::test]
async fn tampered_or_foreign_links_are_refused_with_401() {
    let (sb, api) = start().await;
    let now = munity::now_unix();
    let url = link(&sb, sb.admin_key(), "acme", "jira", now);
    let tampered = url.replace("connector=jira", "connector=asana");
    let answer = session(&api, &tampered).await;
    assert_eq!(answer.status, 401);
    assert_eq!(answer.code(), "link_invalid_signature");
    // A key the sandbox does not know (same prefix shape, other secret).
    let stranger = ApiKey::generate();
    let answer = session(&api, &link(&sb, &stranger, "acme", "jira", now)).await;
    assert_eq!(answer.status, 401);
    assert_eq!(answer.code(), "link_invalid_signature");
    // Malformed: 400.
    let answer = session(&api, &format!("{url}&extra=1")).await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.code(), "link_invalid");
    let answer = api.get("/connect/session").await;
    assert_eq!(answer.status, 400);
    sb.shutdown().await;
}

#[tokio::test]
async fn an_expired_link_is_refused_with_401_link_expired() {
    let (sb, api) = start().await;
    let signed_at = munity::now_unix() - 600 - 61 - 5;
    let answer = session(&api, &link(&sb, sb.admin_key(), "acme", "jira", signed_at)).await;
    assert_eq!(answer.status, 401);
    assert_eq!(answer.code(), "link_expired");
    // Within the skew: still fine.
    let recent = munity::now_unix() - 600 - 30;
    let answer = session(&api, &link(&sb, sb.admin_key(), "acme", "jira", recent)).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    sb.shutdown().await;
}

#[tokio::test]
async fn another_workspace_and_unknown_objects() {
    let (sb, api) = start().await;
    let now = munity::now_unix();
    let other = sb.create_workspace("other").await.unwrap();
    // Signed by the other workspace's admin but naming the first workspace.
    let url = LinkBuilder::new(sb.workspace_id(), "acme", "jira")
        .sign(&other.admin_key, now)
        .unwrap()
        .into_url();
    let answer = session(&api, &url).await;
    assert_eq!(answer.status, 403);
    assert_eq!(answer.code(), "permission_denied");
    // A customer never seen is the product's to name: no 404.
    let answer = session(&api, &link(&sb, sb.admin_key(), "nobody", "jira", now)).await;
    assert_eq!(answer.status, 200);
    let answer = session(
        &api,
        &link(&sb, sb.admin_key(), "acme", "no-such-connector", now),
    )
    .await;
    assert_eq!(answer.status, 404);
    sb.shutdown().await;
}
