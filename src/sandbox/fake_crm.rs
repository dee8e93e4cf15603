//! The sandbox also plays the system: a fake RetailCRM under `/crm/`, outside the
//! API-key authentication, so that the simple connection (`http/routes/connect_module.rs`)
//! can be tried without a real CRM account.
//!
//! - `POST /crm/api/v5/integration-modules/{code}/edit`: checks `X-API-KEY` (the fake
//!   account's key, random per start) in constant time, records the call, and answers
//!   `{"success": true}` (401 `{"success": false, "errorMsg": ...}` for another key).
//! - `GET /crm/marketplace`: the system's page where a user pastes a module's
//!   configuration URL; `POST /crm/marketplace` (form `config_url`) runs what the system
//!   does: configuration (`GET` it), registration (`POST registerUrl` with the fake
//!   account's key, `systemUrl` = `{origin}/crm`, and the token made with the module's
//!   secret, which the sandbox, as the module's partner account, knows), then the
//!   transition (`POST accountUrl` with the recorded `clientId`), and shows the account
//!   page, or the `errorMsg` as the module card would.
//!
//! Only configuration URLs of this sandbox are followed (no request to anywhere else),
//! with the module's own client (bounded timeout, no redirects).

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use crate::link::ConnectLink;
use crate::module::{registration_token, ModuleConfig, RegistrationAnswer};
use axum::extract::FromRef;

use crate::sandbox::module_registrations::ModuleRegistrations;
use crate::sandbox::oauth::page;
use crate::sandbox::store::connectors;
use crate::sandbox::store::Db;
use crate::Secret;

/// The longest answer of a module the fake system reads.
const ANSWER_MAX: usize = 64 * 1024;

/// The fake system's account: its API key and the `edit` calls it received.
#[derive(Debug)]
pub(crate) struct FakeCrm {
    api_key: Secret<String>,
    edits: Mutex<Vec<Edit>>,
}

/// One recorded `edit` call: the module's code and the `clientId` it registered.
#[derive(Debug, Clone)]
struct Edit {
    code: String,
    client_id: String,
}

impl FakeCrm {
    /// An account with a random key.
    pub(crate) fn new() -> FakeCrm {
        FakeCrm {
            api_key: Secret::new(format!(
                "crm_{}",
                crate::base64_strict::encode_url(&crate::random::bytes::<24>())
            )),
            edits: Mutex::default(),
        }
    }

    fn last_client_id(&self, code: &str) -> Option<String> {
        let edits = self.edits.lock().ok()?;
        edits
            .iter()
            .rev()
            .find(|e| e.code == code)
            .map(|e| e.client_id.clone())
    }
}

/// What the fake system's routes use (the sandbox's database and origin, to read a
/// module's settings and to follow its own configuration URLs).
#[derive(Debug, Clone)]
pub(crate) struct CrmContext {
    pub(crate) db: Db,
    pub(crate) origin: String,
    pub(crate) crm: Arc<FakeCrm>,
    pub(crate) modules: Arc<ModuleRegistrations>,
}

/// The fake system's routes, under `/crm/`.
pub(crate) fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    CrmContext: FromRef<S>,
{
    Router::new()
        .route("/crm/api/v5/integration-modules/{code}/edit", post(edit))
        .route("/crm/marketplace", get(marketplace).post(connect))
}

fn system_json(status: StatusCode, body: &str) -> Response {
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body.to_owned(),
    )
        .into_response()
}

async fn edit(
    State(state): State<CrmContext>,
    Path(code): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let key = headers
        .get("x-api-key")
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if !crate::ct::eq(key, state.crm.api_key.expose().as_bytes()) {
        return system_json(
            StatusCode::UNAUTHORIZED,
            r#"{"success":false,"errorMsg":"Wrong \"apiKey\" value."}"#,
        );
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Module {
        code: String,
        client_id: String,
    }
    let module = form_urlencoded::parse(&body)
        .find(|(name, _)| name == "integrationModule")
        .and_then(|(_, json)| serde_json::from_str::<Module>(&json).ok());
    let Some(module) = module.filter(|m| m.code == code && !m.client_id.is_empty()) else {
        return system_json(
            StatusCode::BAD_REQUEST,
            r#"{"success":false,"errorMsg":"integrationModule is not valid for this code"}"#,
        );
    };
    if let Ok(mut edits) = state.crm.edits.lock() {
        edits.push(Edit {
            code: module.code,
            client_id: module.client_id,
        });
    }
    system_json(StatusCode::OK, r#"{"success":true}"#)
}

const TITLE: &str = "Fake RetailCRM marketplace";

fn form(config_url: &str) -> String {
    format!(
        "<h1>{TITLE}</h1><p>Paste a module's configuration URL; this fake system asks for \
         its configuration, registers it, and opens its account page.</p>\
         <form method=\"post\" action=\"/crm/marketplace\">\
         <label>Configuration URL <input name=\"config_url\" size=\"60\" value=\"{}\"></label>\
         <div class=\"actions\"><button class=\"primary\" type=\"submit\">Connect</button></div>\
         </form>",
        page::escape(config_url)
    )
}

#[derive(Debug, Deserialize)]
struct Prefill {
    config_url: Option<String>,
}

async fn marketplace(query: axum::extract::Query<Prefill>) -> Response {
    let prefill = query.0.config_url.unwrap_or_default();
    page::html(StatusCode::OK, TITLE, &form(&prefill))
}

/// The module card's error.
fn card_error(message: &str) -> Response {
    page::html(
        StatusCode::OK,
        TITLE,
        &format!(
            "<h1>The module was not connected</h1><p role=\"alert\">{}</p>",
            page::escape(message)
        ),
    )
}

async fn connect(State(state): State<CrmContext>, body: Bytes) -> Response {
    let config_url = form_urlencoded::parse(&body)
        .find(|(name, _)| name == "config_url")
        .map(|(_, value)| value.trim().to_owned())
        .unwrap_or_default();
    match run(&state, &config_url).await {
        Ok(account_page) => account_page,
        Err(message) => card_error(&message),
    }
}

/// Configuration, registration, transition; the account page, or the message to show.
async fn run(state: &CrmContext, config_url: &str) -> Result<Response, String> {
    let own = format!("{}/v1/connect/module/config?", state.origin);
    let Some(query) = config_url.strip_prefix(&own) else {
        return Err(format!(
            "this fake system follows only configuration URLs of this sandbox ({own}...)"
        ));
    };
    let link = ConnectLink::parse_query(query).map_err(|e| e.detail().to_owned())?;
    let http = state.modules.system.http();

    // 1. Configuration.
    let config: ModuleConfig = read_json(http.get(config_url)).await?;

    // 2. Registration, with the token the partner account's secret makes.
    let (workspace, connector) = (link.workspace().to_owned(), link.connector().to_owned());
    let settings = state
        .db
        .read(move |conn| Ok(connectors::module_settings(conn, &workspace, &connector)?))
        .await
        .map_err(|e| e.0.detail().to_owned())?
        .ok_or("the module has no code and secret in its Munity workspace")?;
    let token = registration_token(state.crm.api_key.expose(), settings.secret.expose());
    let system_url = format!("{}/crm", state.origin);
    let form = form_urlencoded::Serializer::new(String::new())
        .append_pair("register[apiKey]", state.crm.api_key.expose())
        .append_pair("register[systemUrl]", &system_url)
        .append_pair("register[token]", token.expose())
        .finish();
    let answer: RegistrationAnswer = read_json(
        http.post(&config.register_url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form),
    )
    .await?;
    let account_url = match (answer.success, answer.account_url) {
        (true, Some(url)) => url,
        _ => {
            return Err(answer
                .error_msg
                .unwrap_or_else(|| "the module answered no accountUrl".to_owned()))
        }
    };

    // 3. Transition: the user is sent to the account page with the module's clientId.
    let client_id = state
        .crm
        .last_client_id(&settings.code)
        .ok_or("the module did not register itself with this system")?;
    let response = http
        .post(&account_url)
        .form(&[("clientId", client_id.as_str())])
        .send()
        .await
        .map_err(|e| crate::transport_error::describe("the account page", &e.without_url()))?;
    let status = response.status();
    let html = read_body(response).await?;
    let status = StatusCode::from_u16(status.as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    Ok((status, Html(html)).into_response())
}

async fn read_body(mut response: reqwest::Response) -> Result<String, String> {
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| crate::transport_error::describe("the module's answer", &e.without_url()))?
    {
        if body.len() + chunk.len() > ANSWER_MAX {
            return Err("the module's answer is too large".to_owned());
        }
        body.extend_from_slice(&chunk);
    }
    String::from_utf8(body).map_err(|_| "the module's answer is not UTF-8".to_owned())
}

async fn read_json<T: serde::de::DeserializeOwned>(
    request: reqwest::RequestBuilder,
) -> Result<T, String> {
    let response = request
        .send()
        .await
        .map_err(|e| crate::transport_error::describe("the module", &e.without_url()))?;
    let body = read_body(response).await?;
    serde_json::from_str(&body).map_err(|_| {
        // A failure answer of the configuration step has the registration's shape.
        serde_json::from_str::<RegistrationAnswer>(&body)
            .ok()
            .and_then(|a| a.error_msg)
            .unwrap_or_else(|| "the module's answer is not what the system expects".to_owned())
    })
}
