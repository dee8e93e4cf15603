//! Demo-only routes (they exist only in the sandbox, for the page in `www/`), outside the
//! API-key authentication:
//!
//! - `GET /demo/catalog`: the seeded workspace's customers and the connector catalog, so
//!   that the page can offer choices without holding an API key;
//! - `POST /demo/link` `{"customer", "connector"}`: a connect link signed server-side with
//!   the seeded workspace's admin key, as a product's backend would, answered as
//!   `{"link"}`. `customer` is a listed customer's Munity id (what the page's picker
//!   holds); the link carries its `external_id`, the product's own id for it, as every
//!   connect link does.
//!
//! The sandbox listens on 127.0.0.1 only. So that no other web page (one the visitor
//! has open in the same browser, or one reaching it by DNS rebinding) can use these
//! routes, a request must name the sandbox itself in `Host` (`127.0.0.1:<port>` or
//! `localhost:<port>`), and, when the browser sends an `Origin`, that origin; the POST
//! must be `application/json`, which a cross-origin page cannot send without a CORS
//! preflight that the sandbox never grants.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};

use crate::link::LinkBuilder;
use crate::model::{Connector, Customer};
use crate::sandbox::db::{connectors, customers, Paging};
use crate::sandbox::error::ApiError;
use crate::sandbox::extract::{parse_json, Reply};
use crate::sandbox::state::AppState;

/// The most customers and connectors the catalog lists.
const CATALOG_LIMIT: u32 = 100;

pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/demo/catalog", get(catalog))
        .route("/demo/link", post(link))
}

/// The host names under which the sandbox answers the demo routes.
fn own_hosts(origin: &str) -> [String; 2] {
    let host = origin.strip_prefix("http://").unwrap_or(origin);
    let port = host.rsplit_once(':').map(|(_, port)| port).unwrap_or("");
    [host.to_owned(), format!("localhost:{port}")]
}

/// Refuses requests that do not come from the sandbox's own pages (see the module docs).
pub(crate) fn same_origin_only(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let hosts = own_hosts(&state.origin);
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !hosts.iter().any(|h| h == host) {
        return Err(ApiError::new(
            403,
            "permission_denied",
            "demo routes answer only requests addressed to the sandbox itself",
        ));
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        if !hosts.iter().any(|h| origin == format!("http://{h}")) {
            return Err(ApiError::new(
                403,
                "permission_denied",
                "demo routes answer only the sandbox's own pages",
            ));
        }
    }
    Ok(())
}

#[derive(Debug, Serialize)]
struct Catalog {
    workspace: String,
    customers: Vec<Customer>,
    connectors: Vec<Connector>,
}

async fn catalog(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Reply, ApiError> {
    same_origin_only(&state, &headers)?;
    let workspace = state.demo.workspace_id.clone();
    let paging = Paging {
        page: 1,
        page_size: CATALOG_LIMIT,
    };
    let answer = state
        .db
        .read(move |conn| {
            let (_, customers) = customers::list(conn, &workspace, None, paging)?;
            let (_, connectors) = connectors::list(conn, paging)?;
            Ok(Catalog {
                workspace,
                customers,
                connectors,
            })
        })
        .await?;
    Reply::ok(&answer)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LinkRequest {
    customer: String,
    connector: String,
}

#[derive(Debug, Serialize)]
struct LinkAnswer {
    link: String,
}

async fn link(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Reply, ApiError> {
    same_origin_only(&state, &headers)?;
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_json {
        return Err(ApiError::new(
            415,
            "unsupported_media_type",
            "send the body as application/json",
        ));
    }
    let request: LinkRequest = parse_json(&body)?;
    let workspace = state.demo.workspace_id.clone();
    let (customer, connector) = (request.customer.clone(), request.connector.clone());
    let customer = state
        .db
        .read(move |conn| {
            let Some(customer) = customers::get(conn, &workspace, &customer)? else {
                return Err(ApiError::field("customer", "no such customer"));
            };
            if connectors::get(conn, &connector)?.is_none() {
                return Err(ApiError::field("connector", "no such connector"));
            }
            Ok(customer)
        })
        .await?;
    let signed = LinkBuilder::new(
        state.demo.workspace_id.as_str(),
        customer.external_id,
        request.connector,
    )
    .base_url(format!("{}/v1/connect", state.origin))
    .sign(&state.demo.admin_key, crate::time::now_unix())
    .map_err(ApiError)?;
    Reply::ok(&LinkAnswer {
        link: signed.into_url(),
    })
}
