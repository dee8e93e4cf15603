//! Serving: binds 127.0.0.1, serves each connection with hyper (HTTP/1.1) around the axum
//! router, so that an injected "dropped connection" really closes it, and stops
//! gracefully when told to (in-flight requests finish, idle connections close).

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, Request, Response};
use axum::response::IntoResponse;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tower::ServiceExt;

use crate::sandbox::chaos::{Failure, How, When};
use crate::sandbox::error::ApiError;
use crate::sandbox::http::extract::BODY_LIMIT;
use crate::sandbox::http::rate_limit::ClientAddr;
use crate::sandbox::http::state::AppState;
use crate::sandbox::http::{authenticate, cors, idempotency, rate_limit, routes};
use crate::sandbox::oauth;

/// How long shutdown waits for in-flight requests.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// The whole application: `/v1` routes behind the body limit, authentication, the rate
/// limit and idempotency; JSON 404 for anything else.
pub(crate) fn app(state: Arc<AppState>) -> Router {
    Router::new()
        .nest(
            "/v1",
            routes::api()
                .method_not_allowed_fallback(|| async {
                    ApiError::new(
                        405,
                        "method_not_allowed",
                        "this resource does not support this method",
                    )
                })
                .fallback(|| async { ApiError::not_found("resource") }),
        )
        .fallback(|| async { ApiError::not_found("resource") })
        .layer(axum::middleware::from_fn_with_state(
            state.db.clone(),
            idempotency::prepare,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.limiter.clone(),
            rate_limit::limit,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.api_keys.clone(),
            authenticate::authenticate,
        ))
        // Connect links are their own credential: outside the API-key authentication,
        // with CORS for the origins the link's workspace allows (and only there).
        .merge(
            routes::connect().layer(axum::middleware::from_fn_with_state(
                state.db.clone(),
                cors::connect,
            )),
        )
        // The fake OAuth2 provider and the platform's popup pages (navigations, no
        // CORS): outside the API-key authentication.
        .merge(oauth::routes())
        // Simple connection: called by the system's server (configuration, registration)
        // and reached by the user's navigation from the system (the account page, a form
        // POST from the system's origin): no CORS, and no origin check.
        .merge(routes::connect_module::routes())
        // The fake RetailCRM (navigations and its own calls).
        .merge(crate::sandbox::fake_crm::routes())
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

/// The error that makes hyper close a connection without answering.
#[derive(Debug)]
struct DroppedOnPurpose;

impl std::fmt::Display for DroppedOnPurpose {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped on purpose (chaos)")
    }
}

impl std::error::Error for DroppedOnPurpose {}

fn new_request_id() -> String {
    format!("req_{}", hex::encode(crate::random::bytes::<12>()))
}

/// Serves one request: request id, chaos, logging.
async fn handle(
    app: Router,
    state: Arc<AppState>,
    req: Request<Incoming>,
) -> Result<Response<Body>, DroppedOnPurpose> {
    let started = Instant::now();
    let request_id = new_request_id();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let failure = state.chaos.decide();
    let outcome = match failure {
        Some(Failure {
            when: When::Before,
            how,
        }) => Err(how),
        _ => {
            let response = match app.oneshot(req.map(Body::new)).await {
                Ok(response) => response,
                Err(never) => match never {},
            };
            match failure {
                Some(Failure {
                    when: When::After,
                    how,
                }) => {
                    tracing::debug!(
                        request_id,
                        status = response.status().as_u16(),
                        "answer discarded (chaos)"
                    );
                    Err(how)
                }
                _ => Ok(response),
            }
        }
    };
    let mut response = match outcome {
        Ok(response) => response,
        Err(How::Unavailable) => {
            ApiError::unavailable("failure injected by --chaos").into_response()
        }
        Err(How::Drop) => {
            tracing::info!(request_id, %method, path, chaos = ?failure, "connection dropped (chaos)");
            return Err(DroppedOnPurpose);
        }
    };
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-request-id", value);
    }
    tracing::info!(
        request_id,
        %method,
        path,
        status = response.status().as_u16(),
        micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        "request"
    );
    Ok(response)
}

/// Accepts connections until `shutdown` changes (or its sender is dropped), then lets
/// in-flight requests finish (up to [`DRAIN_TIMEOUT`]).
pub(crate) async fn serve(
    listener: TcpListener,
    state: Arc<AppState>,
    mut shutdown: watch::Receiver<bool>,
) {
    let app = app(Arc::clone(&state));
    let mut connections = JoinSet::new();
    loop {
        while connections.try_join_next().is_some() {}
        let accepted = tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(err) => {
                tracing::warn!(error = %err, "accept failed");
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let state = Arc::clone(&state);
        let mut stop = shutdown.clone();
        connections.spawn(async move {
            let service = hyper::service::service_fn(move |mut req: hyper::Request<_>| {
                req.extensions_mut().insert(ClientAddr(peer.ip()));
                handle(app.clone(), Arc::clone(&state), req)
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service);
            let mut conn = std::pin::pin!(conn);
            tokio::select! {
                result = conn.as_mut() => {
                    if let Err(err) = result {
                        tracing::debug!(error = %err, "connection ended with an error");
                    }
                }
                _ = stop.changed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
    }
    drop(listener);
    let drained = tokio::time::timeout(DRAIN_TIMEOUT, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!("shutdown: connections still open after the drain timeout");
        connections.abort_all();
    }
    tracing::info!("sandbox stopped");
}
