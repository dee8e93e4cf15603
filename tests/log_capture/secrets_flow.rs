//! No key, password, client secret or token in any log line, `Debug` string or error
//! message, over a whole connect flow with tracing at TRACE for every target (the
//! sandbox, axum, reqwest, hyper-util... and `log` records through the bridge).
//!
//! Every secret is a distinctive random string registered in [`Leaks`] under a name;
//! every text the flow produces (`Debug` of the values holding secrets, `Display` and
//! `Debug` of every error, answer bodies that must not echo) is registered under the
//! place it came from. A hit names the secret, the form it leaked in (raw, base64,
//! percent-encoded...) and the place. `SECRETS_FLOW_DUMP=<file>` writes the captured logs
//! there, to look at a hit in context.

use crate::sandbox_support;

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::time::Duration;

use base64::Engine as _;
use munity::auth::{self, Options, Selected};
use munity::envelope::{seal, Credentials, SessionBinding, WorkspaceCertificate};
use munity::link::{ConnectLink, LinkBuilder, LinkKey};
use munity::model::{
    Authentication, ConnectorConfigUpdate, ContentType, CredentialRecordInput, CustomerCreate,
    Environment,
};
use munity::module::{registration_token, verify_registration_token, RegistrationRequest};
use munity::sandbox::{Sandbox, SandboxOptions};
use munity::webhook::{Webhook, WebhookSecret};
use munity::{ApiKey, Client, Secret};
use reqwest::redirect::Policy;
use reqwest::Method;
use sandbox_support::capture::Captured;
use sandbox_support::receiver::receiver;
use sandbox_support::{Answer, Api};
use serde_json::{json, Value};

/// The secrets of the flow and every text that must not hold any of them.
#[derive(Default)]
struct Leaks {
    /// (name of the secret, form, the text to look for).
    needles: Vec<(String, &'static str, String)>,
    /// (place, text).
    texts: Vec<(String, String)>,
}

impl Leaks {
    /// A fresh distinctive secret: `<tag>-` then 24 random base64url characters, plus
    /// `extra` (characters that change its percent-encoded form).
    fn new_secret(&mut self, name: &str, extra: &str) -> String {
        let tag: String = name.chars().filter(char::is_ascii_alphanumeric).collect();
        let random = munity::ApiKey::generate();
        let tail = &random.expose()[random.prefix().len() + 1..][..24];
        let value = format!("{tag}-{tail}{extra}");
        self.secret(name, &value);
        value
    }

    /// Registers a secret made elsewhere, in the forms it could leak as.
    fn secret(&mut self, name: &str, value: &str) {
        assert!(value.len() >= 12, "{name} is too short to be distinctive");
        let b64 = base64::engine::general_purpose::STANDARD;
        let b64url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let forms = [
            ("raw", value.to_owned()),
            ("base64", b64.encode(value)),
            ("base64url", b64url.encode(value)),
            (
                "percent-encoded",
                form_urlencoded::byte_serialize(value.as_bytes()).collect(),
            ),
            (
                "JSON-escaped",
                json!(value).to_string().trim_matches('"').to_owned(),
            ),
            (
                "Debug-escaped",
                format!("{value:?}").trim_matches('"').to_owned(),
            ),
        ];
        for (form, text) in forms {
            if !self.needles.iter().any(|(n, _, t)| n == name && *t == text) {
                self.needles.push((name.to_owned(), form, text));
            }
        }
    }

    /// A secret that is bytes (keys): hex, base64 and base64url.
    fn secret_bytes(&mut self, name: &str, bytes: &[u8]) {
        let b64 = base64::engine::general_purpose::STANDARD;
        let b64url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        self.needles
            .push((name.to_owned(), "hex", hex::encode(bytes)));
        self.needles
            .push((name.to_owned(), "base64", b64.encode(bytes)));
        self.needles
            .push((name.to_owned(), "base64url", b64url.encode(bytes)));
    }

    fn text(&mut self, place: impl Into<String>, text: impl Into<String>) {
        self.texts.push((place.into(), text.into()));
    }

    fn debug(&mut self, place: &str, value: &impl Debug) {
        self.text(format!("Debug of {place}"), format!("{value:?}"));
        self.text(format!("{{:#?}} of {place}"), format!("{value:#?}"));
    }

    /// Display, Debug and the source chain of an error (which must be one).
    fn error(&mut self, place: &str, err: &munity::Error) {
        self.text(format!("error Display of {place}"), err.to_string());
        self.debug(&format!("error {place}"), err);
        let mut source = std::error::Error::source(err);
        while let Some(inner) = source {
            self.text(format!("error source of {place}"), inner.to_string());
            source = inner.source();
        }
    }

    fn result<T: Debug>(&mut self, place: &str, result: &munity::Result<T>) {
        match result {
            Ok(value) => self.debug(place, value),
            Err(err) => self.error(place, err),
        }
    }

    /// Every (secret, form, place) found.
    fn hits(&self) -> Vec<String> {
        let mut hits = Vec::new();
        for (place, text) in &self.texts {
            for (name, form, needle) in &self.needles {
                if text.contains(needle.as_str()) {
                    hits.push(format!("{name} ({form}) in {place}"));
                }
            }
        }
        hits
    }
}

/// The query of a URL as a map.
fn query_map(url: &str) -> BTreeMap<String, String> {
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or("");
    form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

/// The connect flow of one link, as the connect page runs it (the link is the
/// credential, no API key): the session route gives the certificate, the credentials
/// are sealed to it and posted. The answers are registered; the last one is returned.
async fn connect(leaks: &mut Leaks, api: &Api, link: &str, credentials: &Credentials) -> Answer {
    let parsed = ConnectLink::parse(link).unwrap();
    leaks.debug("ConnectLink", &parsed);
    let query = link.split_once('?').unwrap().1;
    let session = api.get(&format!("/connect/session?{query}")).await;
    leaks.text("session answer", session.body.to_string());
    let pem = session.body["certificate"].as_str().unwrap_or_default();
    let certificate = match WorkspaceCertificate::parse(pem, munity::now_unix()) {
        Ok(certificate) => certificate,
        Err(err) => {
            leaks.error("certificate of a refused session", &err);
            return session;
        }
    };
    leaks.debug("WorkspaceCertificate", &certificate);
    let envelope = seal(
        &certificate,
        &munity::connect::binding(&parsed),
        credentials,
        munity::now_unix(),
    )
    .unwrap();
    let answer = api
        .post(
            &format!("/connect/credentials?{query}"),
            json!({ "envelope": envelope }),
        )
        .await;
    leaks.debug("answer to POST connect/credentials", &answer);
    answer
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_in_logs_debug_strings_or_errors() {
    let captured = Captured::install();
    let mut leaks = Leaks::default();
    let now = munity::now_unix();

    // The product's page, allowed to run the OAuth2 popup.
    let page_origin = munity::origin::Origin::parse("http://127.0.0.1:5173").unwrap();
    let sb = Sandbox::start(SandboxOptions::memory().allow_origin(page_origin.clone()))
        .await
        .unwrap();
    for (name, key) in [
        ("admin API key", sb.admin_key()),
        ("user API key", sb.user_key()),
    ] {
        leaks.secret(name, key.expose());
        leaks.secret(
            &format!("{name} (secret part)"),
            &key.expose()[key.prefix().len() + 1..],
        );
        leaks.secret_bytes(
            &format!("link key of the {name}"),
            LinkKey::derive(key).as_bytes(),
        );
    }
    leaks.debug("Sandbox", &sb);
    leaks.debug("ApiKey", sb.admin_key());
    leaks.debug("LinkKey", &LinkKey::derive(sb.admin_key()));
    leaks.debug("authorization value", &sb.admin_key().authorization_value());

    // The client.
    let builder = Client::builder()
        .api_key(sb.admin_key())
        .base_url(sb.base_url())
        .timeout(Duration::from_secs(20));
    leaks.debug("ClientBuilder", &builder);
    let client = builder.build().unwrap();
    leaks.debug("Client", &client);
    let page = Api::new(sb.base_url(), sb.admin_key()).with_auth(None);

    // Connector configuration: an OAuth2 client secret and a connector API key.
    let client_secret = leaks.new_secret("oauth client secret", "");
    let connector_key = leaks.new_secret("connector api key", "");
    let jira = ConnectorConfigUpdate {
        client_id: Some("munity-client-id".into()),
        client_secret: Some(Secret::new(client_secret.clone())),
        scopes: Some(vec!["read".into()]),
        ..ConnectorConfigUpdate::default()
    };
    leaks.debug("ConnectorConfigUpdate", &jira);
    let configured = client.connectors().config("jira").update(&jira).await;
    leaks.result("PUT connectors/jira/config/", &configured);
    assert!(configured.is_ok(), "{configured:?}");
    let pipedrive = ConnectorConfigUpdate {
        api_key: Some(Secret::new(connector_key.clone())),
        ..ConnectorConfigUpdate::default()
    };
    let configured = client
        .connectors()
        .config("pipedrive")
        .update(&pipedrive)
        .await;
    leaks.result("PUT connectors/pipedrive/config/", &configured);
    let shown = client.connectors().config("jira").get().await;
    leaks.result("GET connectors/jira/config/", &shown);

    // A customer and its links.
    let customer = client
        .customers()
        .create(&CustomerCreate::new("secrets-co", "Secrets Co"))
        .await
        .unwrap();
    leaks.debug("Customer", &customer);
    let connect_base = format!("{}/connect", sb.base_url());
    let link_for = |connector: &str| {
        LinkBuilder::new(sb.workspace_id(), "secrets-co", connector).base_url(connect_base.clone())
    };
    let builder = link_for("pipedrive");
    leaks.debug("LinkBuilder", &builder);
    let signed = builder.sign(sb.admin_key(), now).unwrap();
    leaks.debug("SignedLink", &signed);

    // Sealed credentials of each kind, through POST /v1/connect/credentials.
    let pipedrive_token = leaks.new_secret("pipedrive api token", "");
    let password = leaks.new_secret("basic password", "/p+w%=");
    let aws_secret = leaks.new_secret("aws secret key", "/aws+");
    let aws_session = leaks.new_secret("aws session token", "");
    let hmac_secret = leaks.new_secret("hmac client secret", "");
    let bearer = leaks.new_secret("bearer token", "");
    let header_value = leaks.new_secret("header value", "");
    let submissions = [
        (
            "pipedrive",
            Credentials::new()
                .with("api_key", pipedrive_token.as_str())
                .with("company_domain", "secrets-co"),
        ),
        (
            "custom_basic",
            Credentials::new()
                .with("username", "someone")
                .with("password", password.as_str()),
        ),
        (
            "custom_aws4",
            Credentials::new()
                .with("access_key", "AKIDEXAMPLE")
                .with("secret_key", aws_secret.as_str())
                .with("region", "us-east-1")
                .with("service", "execute-api")
                .with("base_endpoint", "https://example.amazonaws.com")
                .with("session_token", aws_session.as_str()),
        ),
        (
            "custom_hmac_sha256",
            Credentials::new()
                .with("client_id", "hmac-client")
                .with("client_secret", hmac_secret.as_str()),
        ),
        (
            "custom_bearer",
            Credentials::new().with("value", bearer.as_str()),
        ),
        (
            "custom_headers",
            Credentials::new()
                .with("key", "X-Custom-Auth")
                .with("value", header_value.as_str()),
        ),
    ];
    for (connector, credentials) in &submissions {
        leaks.debug(&format!("Credentials for {connector}"), credentials);
        let link = link_for(connector)
            .sign(sb.admin_key(), now)
            .unwrap()
            .into_url();
        let answer = connect(&mut leaks, &page, &link, credentials).await;
        assert_eq!(answer.status, 201, "{connector}: {answer:?}");
        // The same link again: used up.
        let again = connect(&mut leaks, &page, &link, credentials).await;
        assert_eq!(again.code(), "link_used", "{connector}");
    }
    let connections = client
        .customer(customer.id.clone())
        .connections()
        .list()
        .await;
    leaks.result("connections of the customer", &connections);

    // Bad links and bad envelopes.
    let link = link_for("custom_bearer")
        .sign(sb.admin_key(), now)
        .unwrap()
        .into_url();
    let tampered = link.replace("secrets-co", "someone-else");
    let refused = connect(&mut leaks, &page, &tampered, &submissions[4].1).await;
    assert_eq!(refused.status, 401, "{refused:?}");
    let with_key = format!("{link}&api_key={}", sb.admin_key().expose());
    leaks.result("link with an API key in it", &ConnectLink::parse(&with_key));
    let garbage_envelope = leaks.new_secret("secret pasted as an envelope", "");
    for envelope in [
        garbage_envelope.clone(),
        format!("a.b.c.{garbage_envelope}.e"),
    ] {
        let query = link.split_once('?').unwrap().1;
        let answer = page
            .post(
                &format!("/connect/credentials?{query}"),
                json!({ "envelope": envelope }),
            )
            .await;
        leaks.debug("answer to a bad envelope", &answer);
        assert_eq!(answer.status, 400);
    }
    let not_json = leaks.new_secret("secret given as credential JSON", "");
    leaks.result(
        "Credentials::from_json of a string",
        &Credentials::from_json(&json!(not_json).to_string()),
    );
    leaks.result(
        "Credentials::from_json of a number field",
        &Credentials::from_json(&format!("{{\"password\": [\"{not_json}\"]}}")),
    );

    // Credential records with secrets: create, read, list, replace, delete.
    let record_secrets: Vec<String> = [
        "record basic password",
        "record bearer token",
        "record aws secret key",
        "record aws session token",
        "record hmac secret",
        "record header value",
    ]
    .iter()
    .map(|name| leaks.new_secret(name, ""))
    .collect();
    let auths = vec![
        Authentication::Basic {
            username: "svc".into(),
            password: Secret::new(record_secrets[0].clone()),
        },
        Authentication::Bearer {
            key: String::new(),
            value: Secret::new(record_secrets[1].clone()),
        },
        Authentication::Aws4 {
            access_key: "AKIDEXAMPLE".into(),
            secret_key: Secret::new(record_secrets[2].clone()),
            region: "us-east-1".into(),
            service: "execute-api".into(),
            base_endpoint: String::new(),
            session_token: Some(Secret::new(record_secrets[3].clone())),
        },
        Authentication::HmacSha256 {
            client_id: "hmac-client".into(),
            client_secret: Secret::new(record_secrets[4].clone()),
        },
        Authentication::Headers {
            key: "X-Custom-Auth".into(),
            value: Secret::new(record_secrets[5].clone()),
        },
    ];
    leaks.secret(
        "record basic password (Basic header value)",
        auth::basic_value("svc", &record_secrets[0])
            .unwrap()
            .expose(),
    );
    let (hook, seen) = receiver(0).await;
    for auth_value in &auths {
        let input = CredentialRecordInput::new(
            format!("rec-{}", auth_value.type_name()),
            sb.base_url(),
            Environment::Test,
            ContentType::Json,
            auth_value.clone(),
        );
        leaks.debug("CredentialRecordInput", &input);
        let created = client.credentials().create(&input).await.unwrap();
        leaks.debug("CredentialRecord", &created);
        leaks.result(
            "GET credentials/{id}/",
            &client.credentials().get(&created.id).await,
        );
        let replaced = client.credentials().update(&created.id, &input).await;
        leaks.result("PUT credentials/{id}/", &replaced);

        // Signing a call with the record: sent to the sandbox (which refuses the
        // foreign Authorization and must not echo it) and to a local receiver.
        let selected = Selected::from_record(&input, None).unwrap();
        leaks.debug("Selected", &selected);
        let options = Options::at(now).with_nonce("nonce-0001-secrets-flow");
        // The receiver is on another origin than the record's base URL: allowed
        // explicitly.
        let options = options.allowing_other_origins();
        let signer = auth::SigningClient::new().unwrap();
        for target in [format!("{}/customers/", sb.base_url()), hook.clone()] {
            let builder = signer.client().post(&target).body(r#"{"x":1}"#);
            let signed = signer.sign(&selected, builder, &options);
            let signed = match signed {
                Ok(signed) => signed,
                Err(err) => {
                    leaks.error("SigningClient::sign", &err);
                    panic!("signing failed: {err}");
                }
            };
            leaks.debug("signed reqwest::RequestBuilder", &signed);
            let response = signed.send().await.unwrap();
            leaks.debug("reqwest::Response", &response);
            leaks.text("answer to a signed call", response.text().await.unwrap());
        }
        let mut request = http::Request::new(Vec::<u8>::new());
        *request.uri_mut() = "/items".parse().unwrap();
        auth::apply(&selected, &mut request, &options).unwrap();
        leaks.debug("signed http::Request", &request);
    }
    leaks.result("GET credentials/", &client.credentials().list().await);
    for record in client.credentials().list().await.unwrap().results {
        leaks.result(
            "DELETE credentials/{id}/",
            &client.credentials().delete(&record.id).await,
        );
    }

    // Validation errors holding secret-looking values.
    let invalid = [
        (
            "auth given as a bare token",
            json!({"name": "n", "base_url": sb.base_url(), "content_type": "json", "environment": "test", "auth": leaks.new_secret("token given as auth", "")}),
        ),
        (
            "bearer token with a line break",
            json!({"name": "n", "base_url": sb.base_url(), "content_type": "json", "environment": "test", "auth": {"type": "bearer", "value": format!("{}\nx", leaks.new_secret("token with a line break", ""))}}),
        ),
        (
            "password with a control character",
            json!({"name": "n", "base_url": sb.base_url(), "content_type": "json", "environment": "test", "auth": {"type": "basic", "username": "u", "password": format!("{}\u{1}", leaks.new_secret("password with a control character", ""))}}),
        ),
        (
            "secret as the environment",
            json!({"name": "n", "base_url": sb.base_url(), "content_type": "json", "environment": leaks.new_secret("secret as the environment", ""), "auth": {"type": "none"}}),
        ),
        (
            "secret as the base URL",
            json!({"name": "n", "content_type": "json", "base_url": leaks.new_secret("secret as the base URL", ""), "environment": "test", "auth": {"type": "none"}}),
        ),
        (
            "secret in an unknown auth type",
            json!({"name": "n", "base_url": sb.base_url(), "content_type": "json", "environment": "test", "auth": {"type": leaks.new_secret("secret as the auth type", "")}}),
        ),
    ];
    for (place, body) in invalid {
        let answer: munity::Result<Value> = client
            .request(Method::POST, "credentials/")
            .json(&body)
            .send()
            .await;
        leaks.result(place, &answer);
    }
    let scopes_secret = leaks.new_secret("secret as the scopes", "");
    let answer: munity::Result<Value> = client
        .request(Method::PUT, "connectors/jira/config/")
        .json(&json!({ "scopes": scopes_secret }))
        .send()
        .await;
    leaks.result("secret as the scopes", &answer);
    assert!(answer.is_err());
    // Request paths are logged (they hold ids, never secrets); query strings are not.
    let token_in_query = leaks.new_secret("token in a query", "");
    let answer = client
        .customers()
        .list(&munity::model::CustomerListParams {
            external_id: Some(token_in_query),
            ..Default::default()
        })
        .await;
    leaks.result("token in a query", &answer);
    for (place, result) in [
        (
            "basic_value with a control character",
            auth::basic_value("u", &format!("{password}\u{7}")),
        ),
        ("bearer_value of blanks", auth::bearer_value("  ")),
    ] {
        leaks.result(place, &result);
    }

    // Wrong and malformed keys.
    let unknown = ApiKey::generate();
    leaks.secret("unknown API key", unknown.expose());
    let stranger = Client::builder()
        .api_key(&unknown)
        .base_url(sb.base_url())
        .build()
        .unwrap();
    leaks.result(
        "call with an unknown key",
        &stranger.workspace().get().await,
    );
    let user = Client::builder()
        .api_key(sb.user_key())
        .base_url(sb.base_url())
        .build()
        .unwrap();
    leaks.result(
        "write with a user key",
        &user
            .customers()
            .create(&CustomerCreate::new("x", "x"))
            .await,
    );
    let malformed = format!(
        "{}.{}",
        sb.admin_key().prefix(),
        // A space: no API key holds one.
        leaks.new_secret("malformed key secret", " !")
    );
    let builder = Client::builder().api_key(malformed.as_str());
    leaks.debug("ClientBuilder with a malformed key", &builder);
    leaks.result("build with a malformed key", &builder.build());
    leaks.result(
        "ApiKey::parse of a malformed key",
        &ApiKey::parse(&malformed),
    );
    let no_prefix = leaks.new_secret("key without a prefix", "");
    leaks.result("ApiKey::parse without a prefix", &ApiKey::parse(&no_prefix));
    let raw = reqwest::Client::new()
        .get(format!("{}/customers/", sb.base_url()))
        .header("authorization", format!("X-Api-Key {malformed}"))
        .send()
        .await
        .unwrap();
    leaks.text("answer to a malformed key", raw.text().await.unwrap());

    // The webhook endpoint, its signing secret, a delivery and a bad signature.
    let answer = client
        .request(Method::PUT, "webhook/")
        .json(&json!({ "url": hook }))
        .send_raw()
        .await
        .unwrap();
    let endpoint: Value = answer.json().unwrap();
    let whsec = endpoint["secret"].as_str().unwrap().to_owned();
    leaks.secret("webhook signing secret", &whsec);
    // The same answer read as another shape (version skew): the decode error must not
    // quote the secret it holds.
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct OlderEndpoint {
        secret: Vec<u8>,
    }
    let skewed = answer.json::<OlderEndpoint>();
    leaks.result("an answer of another shape", &skewed);
    assert!(skewed.is_err());
    let webhook_secret = WebhookSecret::parse(&whsec).unwrap();
    leaks.secret_bytes("webhook signing key", webhook_secret.expose_bytes());
    leaks.debug("WebhookSecret", &webhook_secret);
    let webhook = Webhook::new(webhook_secret);
    leaks.debug("Webhook", &webhook);
    let link = link_for("custom_bearer")
        .sign(sb.admin_key(), now)
        .unwrap()
        .into_url();
    let delivered_for = connect(&mut leaks, &page, &link, &submissions[4].1).await;
    assert_eq!(delivered_for.status, 201);
    let mut delivery = None;
    for _ in 0..100 {
        delivery = seen
            .lock()
            .unwrap()
            .iter()
            .find(|r| r.headers.contains_key("webhook-signature"))
            .cloned();
        if delivery.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let delivery = delivery.expect("a webhook delivery");
    let (headers, body) = (delivery.headers, delivery.body);
    leaks.text("webhook delivery body", String::from_utf8_lossy(&body));
    leaks.result(
        "webhook verification",
        &webhook.verify_http(&headers, &body, munity::now_unix()),
    );
    let wrong = Webhook::new(WebhookSecret::generate());
    leaks.result(
        "webhook verification with another secret",
        &wrong.verify_http(&headers, &body, munity::now_unix()),
    );
    let bad_whsec = format!(
        "whsec_{}",
        leaks.new_secret("malformed webhook secret", "!!")
    );
    leaks.result(
        "WebhookSecret::parse of a malformed secret",
        &WebhookSecret::parse(&bad_whsec),
    );
    leaks.result(
        "GET webhook/deliveries/",
        &client
            .request(Method::GET, "webhook/deliveries/")
            .send::<Value>()
            .await,
    );
    // An endpoint URL with credentials in it (userinfo and a query token): the product
    // set them and reads them back from GET webhook/, but the deliveries must not log
    // them.
    let hook_password = leaks.new_secret("webhook URL password", "");
    let hook_token = leaks.new_secret("webhook URL query token", "");
    leaks.secret(
        "webhook URL password (Basic header value)",
        auth::basic_value("hookuser", &hook_password)
            .unwrap()
            .expose(),
    );
    let hook_with_credentials =
        hook.replacen("http://", &format!("http://hookuser:{hook_password}@"), 1)
            + &format!("?token={hook_token}");
    let _: Value = client
        .request(Method::PUT, "webhook/")
        .json(&json!({ "url": hook_with_credentials }))
        .send()
        .await
        .unwrap();
    let link = link_for("custom_bearer")
        .sign(sb.admin_key(), now)
        .unwrap()
        .into_url();
    assert_eq!(
        connect(&mut leaks, &page, &link, &submissions[4].1)
            .await
            .status,
        201
    );
    let mut delivered = false;
    for _ in 0..100 {
        delivered = seen
            .lock()
            .unwrap()
            .iter()
            .any(|r| r.headers.contains_key("authorization"));
        if delivered {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(delivered, "a delivery to the URL with credentials");

    // The OAuth2 flow with the sandbox's fake provider: link, consent, callback.
    let http = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    let origin = format!("http://{}", sb.addr());
    // The OAuth2 flow, for the same customer (its external id, as every link names it).
    let link = LinkBuilder::new(sb.workspace_id(), customer.external_id.as_str(), "jira")
        .base_url(connect_base.clone())
        .sign(sb.admin_key(), now)
        .unwrap()
        .into_url();
    let start = form_urlencoded::Serializer::new(String::new())
        .append_pair("link", link.split_once('?').unwrap().1)
        .append_pair("origin", page_origin.as_str())
        .finish();
    let location =
        |response: &reqwest::Response| response.headers()["location"].to_str().unwrap().to_owned();
    let consent = http
        .get(format!("{origin}/v1/connect/oauth2/authorize?{start}"))
        .send()
        .await
        .unwrap();
    assert_eq!(consent.status().as_u16(), 303, "{:?}", consent.text().await);
    let consent = location(&consent);
    let mut form = query_map(&consent);
    leaks.secret("OAuth2 state", &form["state"]);
    leaks.debug("Sandbox with an OAuth2 flow pending", &sb);
    form.insert("decision".into(), "approve".into());
    let decided = http
        .post(format!("{origin}/oauth/provider/decide"))
        .form(&form)
        .send()
        .await
        .unwrap();
    let callback = location(&decided);
    leaks.secret("OAuth2 authorization code", &query_map(&callback)["code"]);
    let page = http.get(&callback).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let page = page.text().await.unwrap();
    assert!(
        page.contains("munity:connect") && page.contains("\"connection\""),
        "{page}"
    );
    leaks.text("OAuth2 callback page", page);
    let replayed = http.get(&callback).send().await.unwrap();
    leaks.text("replayed OAuth2 callback", replayed.text().await.unwrap());

    // The provider's token endpoint, with a code of a second flow (the provider issues
    // codes only for flows the platform started; their verifiers stay on the platform).
    let verifier = leaks.new_secret("PKCE verifier", "-with-enough-length-for-rfc7636");
    let redirect = format!("{origin}/v1/connect/oauth2/callback");
    let link = LinkBuilder::new(sb.workspace_id(), customer.id.as_str(), "jira")
        .base_url(connect_base.clone())
        .sign(sb.admin_key(), now)
        .unwrap()
        .into_url();
    let start = form_urlencoded::Serializer::new(String::new())
        .append_pair("link", link.split_once('?').unwrap().1)
        .append_pair("origin", page_origin.as_str())
        .finish();
    let consent = http
        .get(format!("{origin}/v1/connect/oauth2/authorize?{start}"))
        .send()
        .await
        .unwrap();
    let mut consent = query_map(&location(&consent));
    consent.insert("decision".into(), "approve".into());
    let decided = http
        .post(format!("{origin}/oauth/provider/decide"))
        .form(&consent)
        .send()
        .await
        .unwrap();
    let code = query_map(&location(&decided))["code"].clone();
    leaks.secret("OAuth2 code of a second flow", &code);
    leaks.debug("Sandbox with an OAuth2 code outstanding", &sb);
    let token_call = |code: String, verifier: String| {
        let http = http.clone();
        let origin = origin.clone();
        let redirect = redirect.clone();
        async move {
            let answer = http
                .post(format!("{origin}/oauth/provider/token"))
                .form(&[
                    ("grant_type", "authorization_code"),
                    ("code", code.as_str()),
                    ("client_id", "sandbox-jira"),
                    ("redirect_uri", redirect.as_str()),
                    ("code_verifier", verifier.as_str()),
                ])
                .send()
                .await
                .unwrap();
            answer.json::<Value>().await.unwrap()
        }
    };
    let wrong_verifier = leaks.new_secret("wrong PKCE verifier", "-with-enough-length-for-rfc7636");
    let tokens = token_call(code.clone(), verifier.clone()).await;
    assert_eq!(tokens["error"], "invalid_grant", "{tokens}");
    leaks.text("token endpoint, the test's verifier", tokens.to_string());
    for (place, code, verifier) in [
        (
            "token endpoint, code used twice",
            code.clone(),
            verifier.clone(),
        ),
        (
            "token endpoint, wrong verifier",
            code.clone(),
            wrong_verifier,
        ),
        (
            "token endpoint, unknown code",
            leaks.new_secret("unknown OAuth2 code", ""),
            verifier.clone(),
        ),
    ] {
        let answer = token_call(code, verifier).await;
        assert!(answer.get("access_token").is_none(), "{place}");
        leaks.text(place, answer.to_string());
    }

    // The platform's side of envelopes: a workspace key opens what was sealed to it.
    let private_key = munity::envelope::WorkspacePrivateKey::generate_p256();
    let jwk: Value = serde_json::from_str(private_key.to_private_jwk().expose()).unwrap();
    leaks.secret("workspace private key (JWK d)", jwk["d"].as_str().unwrap());
    let pem = private_key.to_pkcs8_pem().unwrap();
    let pem_body: String = pem
        .expose()
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    leaks.secret("workspace private key (PKCS#8 body)", &pem_body);
    for line in pem.expose().lines().filter(|l| !l.starts_with("-----")) {
        leaks.secret("workspace private key (a PEM line)", line);
    }
    leaks.debug("WorkspacePrivateKey", &private_key);
    let binding = SessionBinding::new("secrets-co", "custom_bearer", "bm9uY2Utb2YtdGhlLXRlc3Q");
    let sealed = seal(
        &private_key.public_certificate(),
        &binding,
        &submissions[4].1,
        now,
    )
    .unwrap();
    let opened = private_key.open(&sealed, &binding, now);
    leaks.result("opened envelope", &opened);
    assert!(opened.is_ok());
    let other = SessionBinding::new("someone-else", "custom_bearer", "bm9uY2Utb2YtdGhlLXRlc3Q");
    leaks.result(
        "envelope opened for another session",
        &private_key.open(&sealed, &other, now),
    );
    leaks.result(
        "envelope opened after it expired",
        &private_key.open(&sealed, &binding, now + 7200),
    );
    let other_key = munity::envelope::WorkspacePrivateKey::generate_p256();
    leaks.result(
        "envelope opened with another key",
        &other_key.open(&sealed, &binding, now),
    );
    let broken_pem = pem.expose().replace('A', "*");
    leaks.result(
        "WorkspacePrivateKey::from_pem of a broken PEM",
        &munity::envelope::WorkspacePrivateKey::from_pem(&broken_pem),
    );
    let bad_jwk = json!({"kty": "EC", "crv": "P-256", "d": jwk["d"], "x": "AAAA", "y": "AAAA"});
    leaks.result(
        "WorkspacePrivateKey::from_jwk with a bad public part",
        &munity::envelope::WorkspacePrivateKey::from_jwk(&bad_jwk.to_string()),
    );

    // The client's own errors: a query holding a token to a server that is gone, and
    // the Debug of pending requests that hold secrets.
    let gone = Client::builder()
        .api_key(sb.admin_key())
        .base_url("http://127.0.0.1:9/v1")
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let query_token = leaks.new_secret("token in a query to a dead server", "");
    let pending = gone
        .request(Method::POST, "credentials/")
        .query(&[("token", query_token.as_str())])
        .json(&json!({ "password": record_secrets[0] }));
    leaks.debug("RequestBuilder with secrets", &pending);
    leaks.result(
        "call to a server that is gone",
        &pending.send::<Value>().await,
    );
    let create = client.credentials().create(&CredentialRecordInput::new(
        "pending",
        sb.base_url(),
        Environment::Test,
        ContentType::Json,
        auths[0].clone(),
    ));
    leaks.debug("Create of a credential record", &create);
    drop(create);

    // Module registration token.
    let module_secret = leaks.new_secret("module secret", "");
    let module_key = leaks.new_secret("module api key", "");
    let token = registration_token(&module_key, &module_secret);
    leaks.secret("module registration token", token.expose());
    leaks.debug("registration token", &token);
    let body = json!({"register": {"apiKey": module_key, "token": token.expose(), "shop": "s"}});
    let request = RegistrationRequest::from_json(body.to_string().as_bytes()).unwrap();
    leaks.debug("RegistrationRequest", &request);
    leaks.result("registration verify", &request.verify(&module_secret));
    leaks.result(
        "registration verify with another secret",
        &request.verify("another-secret-x"),
    );
    leaks.result(
        "verify_registration_token with a wrong token",
        &verify_registration_token(&module_key, &module_secret, &module_secret),
    );
    let bad = json!({"register": {"apiKey": [module_key], "token": token.expose()}});
    leaks.result(
        "RegistrationRequest::from_json, bad shape",
        &RegistrationRequest::from_json(bad.to_string().as_bytes()),
    );
    let form = format!("register[apiKey]={module_key}&register[apiKey]={module_key}");
    leaks.result(
        "RegistrationRequest::from_form, repeated key",
        &RegistrationRequest::from_form(form.as_bytes()),
    );

    leaks.debug("Sandbox at the end", &sb);
    sb.shutdown().await;
    let logs = captured.text();
    assert!(
        logs.contains("sandbox stopped"),
        "the sandbox's logs are captured"
    );
    assert!(
        logs.contains("starting new connection"),
        "reqwest's `log` records reach the capture through the bridge"
    );
    // Every layer's events are in: the sandbox, axum, hyper-util (both sides) and
    // reqwest (through `log`). hyper 1 itself emits nothing without the
    // `hyper_unstable_tracing` cfg; nothing here speaks TLS or HTTP/2.
    for target in [
        "munity::sandbox",
        "axum::serve",
        "hyper_util::client",
        "reqwest::",
    ] {
        assert!(logs.contains(target), "no events from {target}");
    }
    assert!(logs.contains(" TRACE "), "TRACE events are captured");
    if let Ok(path) = std::env::var("SECRETS_FLOW_DUMP") {
        std::fs::write(path, &logs).unwrap();
    }
    leaks.text("the logs", logs);

    let hits = leaks.hits();
    assert!(hits.is_empty(), "secrets leaked:\n{}", hits.join("\n"));
    assert!(leaks.needles.len() > 100, "{} needles", leaks.needles.len());
}

/// The check itself: each form of a secret is found, and names the secret and place.
#[test]
fn the_detector_finds_every_form_of_a_secret() {
    let mut leaks = Leaks::default();
    let secret = leaks.new_secret("probe", "/+ %");
    let b64 = base64::engine::general_purpose::STANDARD.encode(&secret);
    let b64url = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&secret);
    let percent: String = form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    leaks.secret_bytes("probe key", b"0123456789abcdef");
    leaks.text("raw", format!("x{secret}y"));
    leaks.text("b64", format!("Basic {b64}"));
    leaks.text("b64url", b64url);
    leaks.text("percent", format!("?q={percent}"));
    leaks.text("hex", "k=30313233343536373839616263646566");
    leaks.text("clean", "nothing here");
    leaks.debug("a Secret", &Secret::new(secret.clone()));
    let hits = leaks.hits();
    for place in ["raw", "b64", "b64url", "percent", "hex"] {
        assert!(
            hits.iter().any(|h| h.ends_with(&format!(" in {place}"))),
            "{place}: {hits:?}"
        );
    }
    assert!(hits.iter().all(|h| h.starts_with("probe")), "{hits:?}");
    assert!(!hits
        .iter()
        .any(|h| h.contains("clean") || h.contains("a Secret")));
}
