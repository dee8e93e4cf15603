//! CORS for the connect endpoints, for the origins the link's workspace allows and
//! nobody else.
//!
//! A product's page (`https://app.example.com`) calls the Munity API (another origin)
//! with a connect link; the browser sends `Origin`. The link names its workspace, and
//! the workspace lists its frontends' origins (`allowed_origins`, `PATCH /v1/workspace/`):
//!
//! - no `Origin` (a server, curl, the SDK): the request goes through, with no CORS
//!   headers (but `Vary: Origin`);
//! - an allowed origin: a preflight (`OPTIONS` with `Access-Control-Request-Method`) is
//!   204 with `Access-Control-Allow-Origin: <that origin>` (never `*`), the methods
//!   (`GET`, `POST`) and the header (`content-type`) the package sends, and no
//!   credentials mode; the answers echo the origin too. `Vary: Origin` always;
//! - any other origin (or a query that is not a link, whose workspace is unknown):
//!   403 `origin_not_allowed` with no CORS headers, so the browser shows the page
//!   nothing. The answer is the same whether the workspace exists or not, and the link
//!   is not looked at further.
//!
//! The API-key routes never answer CORS: keys do not belong in a browser.
//! [`allowed_for_link`] is also the OAuth2 popup's check of its `origin` parameter.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::link::ConnectLink;
use crate::origin::Origin;
use crate::sandbox::error::ApiError;
use crate::sandbox::store::workspaces;
use crate::sandbox::store::Db;

/// The methods of the connect endpoints a page calls.
const METHODS: &str = "GET, POST";
/// The request headers the package sends (JSON bodies).
const HEADERS: &str = "content-type";
/// Answer headers a page may read besides the simple ones.
const EXPOSED: &str = "x-request-id, retry-after";
/// How long a browser may cache a preflight, in seconds.
const MAX_AGE: &str = "600";

/// The origin, if `origin` is in the `allowed_origins` of the workspace the link query
/// `link_query` names. The link itself is verified by the route, not here.
pub(crate) async fn allowed_for_link(db: &Db, link_query: &str, origin: &str) -> Option<Origin> {
    let origin = Origin::parse(origin).ok()?;
    let workspace = ConnectLink::parse_query(link_query)
        .ok()?
        .workspace()
        .to_owned();
    let allowed = db
        .read(move |conn| Ok(workspaces::allowed_origins(conn, &workspace)?))
        .await
        .ok()?;
    allowed
        .iter()
        .any(|a| a == origin.as_str())
        .then_some(origin)
}

/// The answer to a browser whose origin is not allowed: no CORS headers.
fn refused() -> Response {
    let mut response = ApiError::new(
        403,
        crate::error_code::wire::OriginNotAllowed,
        "this page's origin is not among the allowed origins of the link's workspace \
         (allowed_origins, set with PATCH /v1/workspace/)",
    )
    .into_response();
    vary(response.headers_mut(), "origin");
    response
}

fn vary(headers: &mut HeaderMap, value: &'static str) {
    headers.append(header::VARY, HeaderValue::from_static(value));
}

/// The middleware of the connect endpoints (see the module docs).
pub(crate) async fn connect(State(db): State<Db>, req: Request, next: Next) -> Response {
    let Some(sent) = req.headers().get(header::ORIGIN) else {
        // The answer would differ with an `Origin`: caches must know.
        let mut response = next.run(req).await;
        vary(response.headers_mut(), "origin");
        return response;
    };
    let sent = sent.to_str().unwrap_or("").to_owned();
    let query = req.uri().query().unwrap_or("");
    // The echo must be byte for byte what the browser sent (browsers send the
    // canonical form).
    let allowed = allowed_for_link(&db, query, &sent)
        .await
        .filter(|origin| origin.as_str() == sent);
    let Some(origin) = allowed.and_then(|o| HeaderValue::from_str(o.as_str()).ok()) else {
        return refused();
    };
    let preflight = req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let mut response = if preflight {
        let mut response = StatusCode::NO_CONTENT.into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static(METHODS),
        );
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static(HEADERS),
        );
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static(MAX_AGE),
        );
        vary(headers, "access-control-request-method");
        vary(headers, "access-control-request-headers");
        response
    } else {
        let mut response = next.run(req).await;
        response.headers_mut().insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSED),
        );
        response
    };
    let headers = response.headers_mut();
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    vary(headers, "origin");
    response
}
