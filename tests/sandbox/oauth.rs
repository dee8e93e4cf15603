//! The fake OAuth2 provider and the platform's popup pages, over real HTTP: the full
//! popup flow (approve, deny, replay) with links signed as a product's backend signs
//! them, the popup's `origin` checked against the workspace's allowed origins, the token
//! endpoint's PKCE checks (wrong verifier, code used twice, wrong redirect URI, plain
//! method), codes only for flows in progress, flows bounded per link.

use std::collections::HashMap;

use munity::sandbox::{Sandbox, SandboxOptions};
use reqwest::redirect::Policy;
use serde_json::{json, Value};

/// RFC 7636 Appendix B (tests/vectors/rfc7636-appendix-b.json).
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// The product's page, on its own origin (allowed for the seeded workspace).
const PAGE_ORIGIN: &str = "http://127.0.0.1:5173";

struct Env {
    sb: Sandbox,
    http: reqwest::Client,
    /// The sandbox's origin (the API's).
    origin: String,
}

async fn start() -> Env {
    start_with(SandboxOptions::memory()).await
}

async fn start_with(options: SandboxOptions) -> Env {
    let page = munity::origin::Origin::parse(PAGE_ORIGIN).expect("an origin");
    let sb = Sandbox::start(options.allow_origin(page))
        .await
        .expect("starts");
    let http = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .expect("client");
    let origin = format!("http://{}", sb.addr());
    Env { sb, http, origin }
}

fn query_of(url: &str) -> HashMap<String, String> {
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or("");
    form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

fn location(response: &reqwest::Response) -> String {
    assert_eq!(response.status().as_u16(), 303, "a redirect");
    response.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned()
}

impl Env {
    /// `GET {API}/{path}` with the admin key.
    async fn api(&self, path: &str) -> Value {
        self.http
            .get(format!("{}/{path}", self.sb.base_url()))
            .header(
                "authorization",
                self.sb.admin_key().authorization_value().expose().as_str(),
            )
            .send()
            .await
            .expect("get")
            .json()
            .await
            .expect("json")
    }

    /// The seeded customer `acme`'s id.
    async fn acme(&self) -> String {
        let page = self.api("customers/?external_id=acme").await;
        page["results"][0]["id"].as_str().expect("acme").to_owned()
    }

    /// A link for the customer of id `customer`, signed now as the product's backend
    /// signs it: naming the customer by its external id (the product's own id).
    async fn link(&self, customer: &str, connector: &str) -> String {
        let found = self.api(&format!("customers/{customer}/")).await;
        let external_id = found["external_id"].as_str().expect("an external id");
        self.link_signed_at(external_id, connector, munity::now_unix())
    }

    /// A link for `customer` signed with the seeded admin key as if at `signed_at` (10
    /// minutes TTL): one signed in the past expires sooner.
    /// A link signed at `signed_at` for the customer the product calls `customer` (its
    /// external id).
    fn link_signed_at(&self, customer: &str, connector: &str, signed_at: i64) -> String {
        munity::link::LinkBuilder::new(self.sb.workspace_id(), customer, connector)
            .base_url(format!("{}/v1/connect", self.origin))
            .sign(self.sb.admin_key(), signed_at)
            .expect("signed")
            .into_url()
    }

    async fn get(&self, path_and_query: &str) -> reqwest::Response {
        let url = if path_and_query.starts_with("http") {
            path_and_query.to_owned()
        } else {
            format!("{}{path_and_query}", self.origin)
        };
        self.http.get(url).send().await.expect("get")
    }

    async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        self.http
            .post(format!("{}{path}", self.origin))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("post")
    }

    /// Starts the platform's flow for `link`: the provider's consent URL.
    async fn start_flow(&self, link: &str) -> String {
        let link_query = link.split_once('?').expect("query").1;
        let start = form_urlencoded::Serializer::new(String::new())
            .append_pair("link", link_query)
            .append_pair("origin", PAGE_ORIGIN)
            .finish();
        location(
            &self
                .get(&format!("/v1/connect/oauth2/authorize?{start}"))
                .await,
        )
    }

    /// Starts the flow for `link` when the platform refuses it: the page posted to the
    /// opener.
    async fn start_page(&self, link: &str) -> String {
        let start = form_urlencoded::Serializer::new(String::new())
            .append_pair("link", link.split_once('?').expect("query").1)
            .append_pair("origin", PAGE_ORIGIN)
            .finish();
        let page = self
            .get(&format!("/v1/connect/oauth2/authorize?{start}"))
            .await;
        assert_eq!(page.status().as_u16(), 200, "a page, not a redirect");
        page.text().await.expect("html")
    }

    /// Answers the consent page; returns the redirect (the callback URL).
    async fn decide(&self, consent: &str, decision: &str) -> String {
        let params = query_of(consent);
        let mut form: Vec<(&str, &str)> = params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        form.push(("decision", decision));
        location(&self.post_form("/oauth/provider/decide", &form).await)
    }

    /// A code the provider issued for a flow the platform started (the provider issues
    /// codes for nothing else), and the callback URL that carries it: the platform's
    /// verifier is the only right one.
    async fn platform_code(&self) -> (String, String) {
        let consent = self.start_flow(&self.jira_link()).await;
        let page = self.get(&consent).await;
        assert_eq!(page.status().as_u16(), 200);
        let html = page.text().await.expect("html");
        assert!(html.contains(">Approve</button>") && html.contains(">Deny</button>"));
        let back = self.decide(&consent, "approve").await;
        let params = query_of(&back);
        assert_eq!(params["state"], query_of(&consent)["state"]);
        (params["code"].clone(), back)
    }

    async fn token(&self, code: &str, verifier: &str, redirect_uri: &str) -> (u16, Value) {
        let response = self
            .post_form(
                "/oauth/provider/token",
                &[
                    ("grant_type", "authorization_code"),
                    ("code", code),
                    ("client_id", "sandbox-jira"),
                    ("redirect_uri", redirect_uri),
                    ("code_verifier", verifier),
                ],
            )
            .await;
        let status = response.status().as_u16();
        (status, response.json().await.expect("json"))
    }

    async fn connections(&self, customer: &str) -> Vec<Value> {
        let page = self
            .api(&format!("customers/{customer}/connections/"))
            .await;
        page["results"].as_array().expect("results").clone()
    }
}

/// The JSON message a callback page posts, and the origin it posts to.
fn posted(html: &str) -> (Value, Value) {
    let script = html.split("var m=").nth(1).expect("a message");
    let (message, rest) = script.split_once(";var o=").expect("an origin");
    let origin = rest.split_once(';').expect("end").0;
    (
        serde_json::from_str(message).expect("message JSON"),
        serde_json::from_str(origin).expect("origin JSON"),
    )
}

#[tokio::test]
async fn approve_creates_the_connection_and_posts_it_to_the_opener_origin_only() {
    let env = start().await;
    let acme = env.acme().await;
    let before = env.connections(&acme).await.len();
    let link = env.link(&acme, "jira").await;
    let consent = env.start_flow(&link).await;
    let params = query_of(&consent);
    assert_eq!(params["code_challenge_method"], "S256");
    assert_eq!(params["client_id"], "sandbox-jira");
    let callback = env.decide(&consent, "approve").await;
    assert!(callback.starts_with(&format!("{}/v1/connect/oauth2/callback?", env.origin)));
    let page = env.get(&callback).await;
    assert_eq!(page.status().as_u16(), 200);
    let (message, origin) = posted(&page.text().await.expect("html"));
    assert_eq!(
        origin, PAGE_ORIGIN,
        "posted to the opening page's origin only"
    );
    assert_eq!(message["type"], "munity:connect");
    let id = message["connection"]["id"]
        .as_str()
        .expect("a connection id");
    let listed = env.connections(&acme).await;
    assert_eq!(listed.len(), before + 1);
    assert!(listed
        .iter()
        .any(|c| c["id"] == id && c["connector"] == "jira"));

    // The callback cannot be replayed, and the link gives one connection only: the
    // OAuth2 start and the session route (which the credential submission shares) both
    // see its nonce as used.
    let again = env.get(&callback).await;
    assert_eq!(again.status().as_u16(), 400);
    let (message, _) = posted(&env.start_page(&link).await);
    assert_eq!(message["error"]["code"], "link_used");
    let session = env
        .get(&format!(
            "/v1/connect/session?{}",
            link.split_once('?').expect("query").1
        ))
        .await;
    assert_eq!(session.status().as_u16(), 409);
    assert_eq!(env.connections(&acme).await.len(), before + 1);
    env.sb.shutdown().await;
}

#[tokio::test]
async fn a_link_used_while_its_popup_is_open_gives_no_second_connection() {
    let env = start().await;
    let acme = env.acme().await;
    let before = env.connections(&acme).await.len();
    let link = env.link(&acme, "jira").await;
    // Two popups from one link: both start (the nonce is only read at the start), the
    // first callback consumes it, the second is refused in its transaction.
    let first = env.start_flow(&link).await;
    let second = env.start_flow(&link).await;
    let first = env.decide(&first, "approve").await;
    let second = env.decide(&second, "approve").await;
    let (message, _) = posted(&env.get(&first).await.text().await.expect("html"));
    assert!(message["connection"]["id"].is_string(), "{message}");
    let (message, _) = posted(&env.get(&second).await.text().await.expect("html"));
    assert_eq!(message["error"]["code"], "link_used");
    assert_eq!(env.connections(&acme).await.len(), before + 1);
    env.sb.shutdown().await;
}

/// Waits until the sandbox's clock (the same unix time) is past `unix`.
async fn wait_until_after(unix: i64) {
    while munity::now_unix() <= unix {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// The reproduction of issue 13: two popups from one link, the first connects, the link
/// expires (plus the clock skew), then the second is approved. Its callback must not
/// make a second connection: the nonce store refuses an expired link, and so does the
/// callback.
#[tokio::test]
async fn a_flow_finished_after_its_link_expired_makes_no_second_connection() {
    let env = start().await;
    let acme = env.acme().await;
    let before = env.connections(&acme).await.len();
    let now = munity::now_unix();
    // Expires 52 s ago: still accepted for 8 s (60 s of skew).
    let ttl = i64::try_from(munity::link::DEFAULT_TTL.as_secs()).expect("small");
    let signed_at = now - ttl - 52;
    let link = env.link_signed_at("acme", "jira", signed_at);
    let expires_at = signed_at + ttl;
    let first = env.start_flow(&link).await;
    let second = env.start_flow(&link).await;
    let first = env.decide(&first, "approve").await;
    let (message, _) = posted(&env.get(&first).await.text().await.expect("html"));
    assert!(message["connection"]["id"].is_string(), "{message}");

    let skew = i64::try_from(munity::link::CLOCK_SKEW.as_secs()).expect("small");
    wait_until_after(expires_at + skew).await;
    let second = env.decide(&second, "approve").await;
    let (message, _) = posted(&env.get(&second).await.text().await.expect("html"));
    assert_eq!(message["error"]["code"], "link_expired", "{message}");
    assert_eq!(env.connections(&acme).await.len(), before + 1);
    env.sb.shutdown().await;
}

/// A flow whose signing key was removed while the user was on the consent page makes
/// no connection: the callback verifies the link again with the stored keys.
#[tokio::test]
async fn a_flow_whose_signing_key_is_gone_makes_no_connection() {
    let dir = tempfile::tempdir().expect("tempdir");
    let env = start_with(SandboxOptions::dir(dir.path())).await;
    let acme = env.acme().await;
    let before = env.connections(&acme).await.len();
    let link = env.link_signed_at("acme", "jira", munity::now_unix());
    let consent = env.start_flow(&link).await;
    let callback = env.decide(&consent, "approve").await;
    {
        let db = rusqlite::Connection::open(dir.path().join("munity.sqlite3")).expect("open");
        db.busy_timeout(std::time::Duration::from_secs(5))
            .expect("timeout");
        let removed = db
            .execute(
                "DELETE FROM api_keys WHERE prefix = ?1",
                [env.sb.admin_key().prefix()],
            )
            .expect("delete");
        assert_eq!(removed, 1);
    }
    let (message, _) = posted(&env.get(&callback).await.text().await.expect("html"));
    assert_eq!(
        message["error"]["code"], "link_invalid_signature",
        "{message}"
    );
    // The admin key still authenticates this running sandbox (its keys are in memory).
    assert_eq!(env.connections(&acme).await.len(), before);
    env.sb.shutdown().await;
}

#[tokio::test]
async fn links_of_any_workspace_admin_key_start_the_flow_and_user_keys_do_not() {
    let env = start().await;
    let other = env.sb.create_workspace("other").await.expect("workspace");
    let created: Value = env
        .http
        .post(format!("{}/v1/customers/", env.origin))
        .header(
            "Authorization",
            other.admin_key.authorization_value().expose().as_str(),
        )
        .json(&json!({"external_id": "globex", "name": "Globex"}))
        .send()
        .await
        .expect("create customer")
        .json()
        .await
        .expect("json");
    assert!(created["id"].is_string(), "{created:?}");
    let allowed = env
        .http
        .patch(format!("{}/v1/workspace/", env.origin))
        .header(
            "Authorization",
            other.admin_key.authorization_value().expose().as_str(),
        )
        .json(&json!({"allowed_origins": [PAGE_ORIGIN]}))
        .send()
        .await
        .expect("patch");
    assert_eq!(allowed.status().as_u16(), 200);
    let sign = |key: &munity::ApiKey| {
        munity::link::LinkBuilder::new(&other.workspace_id, "globex", "jira")
            .base_url(format!("{}/connect", env.origin))
            .sign(key, munity::now_unix())
            .expect("signed")
            .into_url()
    };
    let consent = env.start_flow(&sign(&other.admin_key)).await;
    assert_eq!(query_of(&consent)["client_id"], "sandbox-jira");
    let (message, _) = posted(&env.start_page(&sign(&other.user_key)).await);
    assert_eq!(message["error"]["code"], "permission_denied");
    env.sb.shutdown().await;
}

#[tokio::test]
async fn deny_posts_access_denied_and_creates_nothing() {
    let env = start().await;
    let acme = env.acme().await;
    let before = env.connections(&acme).await.len();
    let link = env.link(&acme, "jira").await;
    let consent = env.start_flow(&link).await;
    let callback = env.decide(&consent, "deny").await;
    assert_eq!(query_of(&callback)["error"], "access_denied");
    let (message, origin) = posted(&env.get(&callback).await.text().await.expect("html"));
    assert_eq!(origin, PAGE_ORIGIN);
    assert_eq!(message["type"], "munity:connect");
    assert_eq!(message["error"]["code"], "access_denied");
    assert_eq!(env.connections(&acme).await.len(), before);
    env.sb.shutdown().await;
}

#[tokio::test]
async fn bad_links_and_origins_are_refused_before_the_provider() {
    let env = start().await;
    let acme = env.acme().await;
    let link = env.link(&acme, "jira").await;
    let tampered = link.replace("customer=acme", "customer=someone");
    let query = tampered.split_once('?').expect("query").1;
    let start = form_urlencoded::Serializer::new(String::new())
        .append_pair("link", query)
        .append_pair("origin", PAGE_ORIGIN)
        .finish();
    let page = env
        .get(&format!("/v1/connect/oauth2/authorize?{start}"))
        .await;
    assert_eq!(page.status().as_u16(), 200);
    let (message, _) = posted(&page.text().await.expect("html"));
    assert_eq!(message["error"]["code"], "link_invalid_signature");

    let catalog = env.api("connectors/?page_size=100").await;
    let other = catalog["results"]
        .as_array()
        .expect("connectors")
        .iter()
        .find(|c| c["auth_type"] != "oauth2")
        .and_then(|c| c["name"].as_str())
        .expect("a connector that is not OAuth2")
        .to_owned();
    let not_oauth = env.link(&acme, &other).await;
    let start = form_urlencoded::Serializer::new(String::new())
        .append_pair("link", not_oauth.split_once('?').expect("query").1)
        .append_pair("origin", PAGE_ORIGIN)
        .finish();
    let page = env
        .get(&format!("/v1/connect/oauth2/authorize?{start}"))
        .await;
    let (message, _) = posted(&page.text().await.expect("html"));
    assert_eq!(message["error"]["code"], "validation");

    let bad_origin = form_urlencoded::Serializer::new(String::new())
        .append_pair("link", link.split_once('?').expect("query").1)
        .append_pair("origin", "*")
        .finish();
    let page = env
        .get(&format!("/v1/connect/oauth2/authorize?{bad_origin}"))
        .await;
    assert_eq!(page.status().as_u16(), 403, "no wildcard target origin");
    env.sb.shutdown().await;
}

/// The OAuth2 popup posts its result only to an origin the link's workspace allows:
/// another origin (an attacker's page holding a genuine link, a lookalike, the right
/// host on plain HTTP or on another port) gets an error page that posts nothing, and
/// the flow does not start.
#[tokio::test]
async fn the_popup_posts_nothing_to_an_origin_the_workspace_does_not_allow() {
    let env = start().await;
    let acme = env.acme().await;
    let link = env.link(&acme, "jira").await;
    let query = link.split_once('?').expect("query").1;
    for origin in [
        "https://attacker.example",
        "http://127.0.0.1:5174",
        "http://127.0.0.1:5173/",
        "http://localhost:5173",
        "null",
        "",
    ] {
        let start = form_urlencoded::Serializer::new(String::new())
            .append_pair("link", query)
            .append_pair("origin", origin)
            .finish();
        let page = env
            .get(&format!("/v1/connect/oauth2/authorize?{start}"))
            .await;
        assert_eq!(page.status().as_u16(), 403, "{origin:?}");
        let html = page.text().await.expect("html");
        assert!(
            !html.contains("postMessage"),
            "{origin:?}: nothing is posted"
        );
        assert!(html.contains("allowed origins"), "{origin:?}: says why");
    }
    // Without the origin parameter or the link, nothing is posted either.
    let encoded = |name: &str, value: &str| {
        form_urlencoded::Serializer::new(String::new())
            .append_pair(name, value)
            .finish()
    };
    for start in [encoded("link", query), encoded("origin", PAGE_ORIGIN)] {
        let page = env
            .get(&format!("/v1/connect/oauth2/authorize?{start}"))
            .await;
        assert!(page.status().is_client_error());
        assert!(!page.text().await.expect("html").contains("postMessage"));
    }
    // The link is still unused: the allowed page can run the flow.
    let consent = env.start_flow(&link).await;
    assert_eq!(query_of(&consent)["client_id"], "sandbox-jira");
    env.sb.shutdown().await;
}

#[tokio::test]
async fn token_endpoint_checks_pkce_and_spends_codes_once() {
    let env = start().await;
    let callback = format!("{}/v1/connect/oauth2/callback", env.origin);

    // A wrong verifier; then the platform's own (the callback): the code was spent.
    let (code, back) = env.platform_code().await;
    let (status, answer) = env.token(&code, VERIFIER, &callback).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (400, Some("invalid_grant")),
        "wrong verifier"
    );
    let (message, _) = posted(&env.get(&back).await.text().await.expect("html"));
    assert_eq!(
        message["error"]["code"], "oauth_failed",
        "a failed attempt spends the code: {message}"
    );

    // The platform's verifier works (a connection), once.
    let (code, back) = env.platform_code().await;
    let (message, _) = posted(&env.get(&back).await.text().await.expect("html"));
    assert!(message["connection"]["id"].is_string(), "{message}");
    let (status, answer) = env.token(&code, VERIFIER, &callback).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (400, Some("invalid_grant")),
        "code used twice"
    );

    let (code, _) = env.platform_code().await;
    let (status, _) = env
        .token(&code, VERIFIER, "http://127.0.0.1:1/elsewhere")
        .await;
    assert_eq!(status, 400, "another redirect URI");
    let (status, answer) = env.token("unknown", VERIFIER, &callback).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (400, Some("invalid_grant"))
    );

    // The provider requires S256 and a registered redirect URI.
    for (method, redirect) in [
        ("plain", callback.as_str()),
        ("S256", "http://evil.example/cb"),
    ] {
        let consent = format!(
            "/oauth/provider/authorize?{}",
            form_urlencoded::Serializer::new(String::new())
                .append_pair("response_type", "code")
                .append_pair("client_id", "sandbox-jira")
                .append_pair("redirect_uri", redirect)
                .append_pair("state", "s")
                .append_pair("code_challenge", CHALLENGE)
                .append_pair("code_challenge_method", method)
                .finish()
        );
        assert_eq!(
            env.get(&consent).await.status().as_u16(),
            400,
            "{method} {redirect}"
        );
    }
    env.sb.shutdown().await;
}

/// The OAuth2 flow for an internal customer id the workspace has never seen: the
/// consent starts, and the callback's connection creates the customer with that
/// `external_id` (once: a second flow reaches the same customer).
#[tokio::test]
async fn an_oauth2_flow_for_a_never_seen_internal_id_creates_its_customer_once() {
    let env = start().await;
    let now = munity::now_unix();
    let mut customer_ids = Vec::new();
    for _ in 0..2 {
        let link = env.link_signed_at("product-user-42", "jira", now);
        let consent = env.start_flow(&link).await;
        let callback = env.decide(&consent, "approve").await;
        let (message, _) = posted(&env.get(&callback).await.text().await.expect("html"));
        let customer = message["connection"]["customer_id"]
            .as_str()
            .unwrap_or_else(|| panic!("a connection: {message}"))
            .to_owned();
        customer_ids.push(customer);
    }
    assert_eq!(customer_ids[0], customer_ids[1]);
    let found = env.api("customers/?external_id=product-user-42").await;
    assert_eq!(found["count"], 1, "{found}");
    assert_eq!(found["results"][0]["id"], customer_ids[0].as_str());
    assert_eq!(env.connections(&customer_ids[0]).await.len(), 2);
    env.sb.shutdown().await;
}

impl Env {
    /// A link for acme and Jira, signed in the test as a product's backend would.
    fn jira_link(&self) -> String {
        self.link_signed_at("acme", "jira", munity::now_unix())
    }

    /// The decision form for `state`, as the consent page posts it, with the RFC's
    /// challenge.
    async fn decide_form(&self, state: &str) -> reqwest::Response {
        let callback = format!("{}/v1/connect/oauth2/callback", self.origin);
        self.post_form(
            "/oauth/provider/decide",
            &[
                ("response_type", "code"),
                ("client_id", "sandbox-jira"),
                ("redirect_uri", &callback),
                ("state", state),
                ("code_challenge", CHALLENGE),
                ("code_challenge_method", "S256"),
                ("decision", "approve"),
            ],
        )
        .await
    }
}

#[tokio::test]
async fn decide_issues_codes_only_for_a_flow_in_progress() {
    let env = start().await;
    // No flow has this state: no code is issued (nothing allocated).
    let refused = env.decide_form("made-up-state").await;
    assert_eq!(refused.status().as_u16(), 400);
    assert!(refused.headers().get("location").is_none());

    // A real flow: its consent page's form gets a code, once.
    let consent = env.start_flow(&env.jira_link()).await;
    let back = env.decide(&consent, "approve").await;
    assert!(query_of(&back).contains_key("code"), "{back}");
    let params = query_of(&consent);
    let mut form: Vec<(&str, &str)> = params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    form.push(("decision", "approve"));
    let again = env.post_form("/oauth/provider/decide", &form).await;
    assert_eq!(again.status().as_u16(), 400, "one code per flow");

    // The flow's state with another challenge (not the platform's): refused.
    let consent = env.start_flow(&env.jira_link()).await;
    let refused = env.decide_form(&query_of(&consent)["state"]).await;
    assert_eq!(refused.status().as_u16(), 400);
    env.sb.shutdown().await;
}

#[tokio::test]
async fn flows_in_progress_are_bounded_per_link() {
    let env = start().await;
    let link = env.jira_link();
    for _ in 0..5 {
        env.start_flow(&link).await;
    }
    let page = env.start_page(&link).await;
    let (message, _) = posted(&page);
    assert_eq!(message["error"]["code"], "rate_limited", "{message}");
    // Another link is not affected.
    env.start_flow(&env.jira_link()).await;
    env.sb.shutdown().await;
}

#[tokio::test]
async fn codes_are_bounded_per_link() {
    let env = start().await;
    let link = env.jira_link();
    // Start, approve, and come back with an error instead of the code: the flow ends,
    // the link stays usable, and its code lives on for 60 s.
    for _ in 0..5 {
        let consent = env.start_flow(&link).await;
        let back = env.decide(&consent, "approve").await;
        assert!(query_of(&back).contains_key("code"), "{back}");
        let state = &query_of(&consent)["state"];
        let page = env
            .get(&format!(
                "/v1/connect/oauth2/callback?error=server_error&state={state}"
            ))
            .await;
        assert_eq!(page.status().as_u16(), 200);
    }
    let consent = env.start_flow(&link).await;
    let back = env.decide(&consent, "approve").await;
    let params = query_of(&back);
    assert!(!params.contains_key("code"), "a sixth live code: {back}");
    assert_eq!(params["error"], "temporarily_unavailable");
    env.sb.shutdown().await;
}
