//! The async backend client of the Munity API (feature `native`).
//!
//! ```no_run
//! use futures_util::TryStreamExt;
//! use munity::client::Client;
//! use munity::model::{CustomerCreate, PmProjectListParams};
//!
//! # async fn run() -> munity::Result<()> {
//! // MUNITY_API_KEY, and MUNITY_API_BASE for another server than production.
//! let client = Client::from_env()?;
//!
//! let workspace = client.workspace().get().await?;
//! println!("workspace {}", workspace.name);
//!
//! // Creates carry an idempotency key: a retry after a lost answer creates nothing twice.
//! let acme = client
//!     .customers()
//!     .create(&CustomerCreate::new("acme", "Acme Inc."))
//!     .await?;
//!
//! // Every project of the customer, fetched page by page as the stream is read.
//! let mut projects = client
//!     .customer(&acme.id)
//!     .pm_projects()
//!     .list_all(&PmProjectListParams::default());
//! while let Some(project) = projects.try_next().await? {
//!     println!("{} {}", project.remote_id, project.name);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # What every call does
//! - sends `Authorization: X-Api-Key <key>` (a sensitive header: reqwest never prints it);
//! - retries HTTP 429, 502, 503, 504 and broken connections with exponential backoff and
//!   full jitter, honouring `Retry-After` (seconds or HTTP date), within the
//!   [`RetryPolicy`]'s attempts and budget and the client's total
//!   [`timeout`](ClientBuilder::timeout);
//! - retries only what is safe to repeat: GET, PUT, DELETE, the typed PATCH updates
//!   (their bodies set fields to given values, so a repeat leaves the same state), and
//!   POSTs with an `Idempotency-Key`. Every typed create sets a random one (128 bits)
//!   and reuses it across its retries; [`Create::idempotency_key`] sets your own;
//! - treats a DELETE as done when an earlier attempt's answer was lost (a broken
//!   connection, 502, 503, 504) and the retry finds the object gone (404): the lost
//!   attempt deleted it;
//! - never waits past its deadline: a retry whose wait (`Retry-After` or backoff) would
//!   end after the retry budget is not made, and the call fails at once;
//! - gives up with an error that says why: the last answer's kind, code and status with
//!   "gave up after N attempts" in the detail when the attempts ran out;
//!   [`ErrorKind::Timeout`](crate::ErrorKind::Timeout) `retry_budget_exhausted` (with
//!   the last status) when the budget did; `timeout` when an attempt was still unanswered
//!   at the call's timeout. Every error of a call names it in fields:
//!   [`Error::method`](crate::Error::method), [`path`](crate::Error::path) (no query)
//!   and [`attempts`](crate::Error::attempts), which its `Display` shows;
//! - runs in one `tracing` span (INFO, target `munity::client`, name `munity.request`)
//!   with the OpenTelemetry HTTP client field names: `otel.name` (`GET customers/{id}/`),
//!   `otel.kind`, `otel.status_code`, `http.request.method`, `url.template` (the path
//!   with `{id}` for ids; a raw [`Client::request`] gives its path), `server.address`,
//!   `server.port`, `http.response.status_code`, `http.request.resend_count`,
//!   `error.type` (the error's code), and `munity.request_id` (`X-Request-Id`),
//!   `munity.attempts`, `munity.duration_ms`. No field holds the key, a query or a body;
//! - logs each retry as a `tracing` event at debug level inside that span (the call as
//!   `METHOD path`, attempt, code, status, wait), never with the key;
//! - uses the timeout and retry policy of the [`ClientBuilder`], or those of
//!   [`Client::with_timeout`], [`Client::with_retry`], [`RequestBuilder::timeout`] and
//!   [`RequestBuilder::retry`] for one call or a group of calls;
//! - turns error answers into [`Error`](crate::Error)s with the API's code, detail,
//!   fields, status, `X-Request-Id` and `Retry-After`; messages never contain the key
//!   or a full URL.
//!
//! # Endpoints the crate does not model
//! [`Client::request`] sends anything through the same path:
//!
//! ```no_run
//! # async fn run(client: munity::client::Client) -> munity::Result<()> {
//! use munity::client::Method;
//! let page: serde_json::Value = client
//!     .request(Method::GET, "customers/")
//!     .query(&[("page_size", "5")])
//!     .send()
//!     .await?;
//! # Ok(())
//! # }
//! ```

mod api_path;
mod builder;
mod connect_link;
mod query;
mod request;
mod resources;
mod response;
mod retry;
mod stream;

use std::sync::Arc;
use std::time::Duration;

use http::HeaderValue;

pub use builder::{ClientBuilder, IntoApiKey, DEFAULT_BASE_URL, ENV_API_BASE, ENV_API_KEY};
pub use connect_link::ConnectLinkRequest;
pub use http::Method;
pub use request::{Create, RequestBuilder, IDEMPOTENCY_KEY};
pub use resources::{
    ConnectionsHandler, ConnectorConfigHandler, ConnectorsHandler, CredentialsHandler,
    CustomerHandler, CustomersHandler, PmProjectsHandler, PmTasksHandler, WebhookHandler,
    WorkspaceHandler,
};
pub use response::RawResponse;
pub use retry::RetryPolicy;
pub use stream::ItemStream;

use crate::{ApiKey, Result};

/// The Munity API client. Cheap to clone (the state is shared); safe to use from many
/// tasks at once.
///
/// `Debug` shows the base URL and the key's public prefix, never the key.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    /// Per-call overrides of the timeout and retry policy ([`Client::with_timeout`]).
    call: CallOptions,
}

struct Inner {
    http: reqwest::Client,
    /// The base URL with one trailing slash.
    base: String,
    /// `X-Api-Key <key>`, marked sensitive.
    authorization: HeaderValue,
    user_agent: HeaderValue,
    key: ApiKey,
    timeout: Duration,
    retry: RetryPolicy,
    /// The workspace id, learned by the first [`Client::connect_link`].
    workspace_id: tokio::sync::OnceCell<String>,
}

/// Overrides of the client's settings for the calls of one [`Client`] value.
#[derive(Debug, Clone, Copy, Default)]
struct CallOptions {
    timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base)
            .field("api_key", &self.inner.key)
            .field("timeout", &self.call_timeout())
            .field("retry", &self.call_retry())
            .finish()
    }
}

impl Client {
    /// A builder for a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment: `MUNITY_API_KEY` (required) and
    /// `MUNITY_API_BASE` (optional; production when unset).
    pub fn from_env() -> Result<Client> {
        ClientBuilder::default()
            .env_lookup(|name| std::env::var(name).ok())
            .build()
    }

    /// This client with another timeout for its calls (all retries and waits included),
    /// e.g. for one slow export. The connection pool and everything else are shared;
    /// a timeout of zero makes the calls fail with `invalid_timeout`.
    ///
    /// ```no_run
    /// # async fn run(client: munity::Client) -> munity::Result<()> {
    /// use std::time::Duration;
    /// use munity::client::RetryPolicy;
    ///
    /// let quick = client
    ///     .with_timeout(Duration::from_secs(2))
    ///     .with_retry(RetryPolicy::none());
    /// let workspace = quick.workspace().get().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_timeout(&self, timeout: Duration) -> Client {
        let mut client = self.clone();
        client.call.timeout = Some(timeout);
        client
    }

    /// This client with another retry policy for its calls (attempts, backoff and the
    /// retry budget). An invalid policy makes the calls fail with
    /// `invalid_retry_policy`.
    pub fn with_retry(&self, policy: RetryPolicy) -> Client {
        let mut client = self.clone();
        client.call.retry = Some(policy);
        client
    }

    /// The timeout of this client's calls.
    pub(crate) fn call_timeout(&self) -> Duration {
        self.call.timeout.unwrap_or(self.inner.timeout)
    }

    /// The retry policy of this client's calls.
    pub(crate) fn call_retry(&self) -> RetryPolicy {
        self.call.retry.unwrap_or(self.inner.retry)
    }

    /// Checks the per-call overrides as [`ClientBuilder::build`] checks the settings.
    pub(crate) fn check_call_options(&self) -> Result<()> {
        if let Some(timeout) = self.call.timeout {
            builder::check_timeout(timeout, "the timeout")?;
        }
        if let Some(retry) = self.call.retry {
            builder::check_retry(&retry)?;
        }
        Ok(())
    }

    /// The base URL requests are sent to, with a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base
    }

    /// A request to `path` (relative to the base URL, e.g. `customers/`), for
    /// endpoints the crate does not model. It goes through the same retry logic as the
    /// typed calls.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        RequestBuilder::new(self.clone(), method, path)
    }

    /// The workspace of the API key.
    pub fn workspace(&self) -> WorkspaceHandler<'_> {
        WorkspaceHandler { client: self }
    }

    /// The workspace's customers.
    pub fn customers(&self) -> CustomersHandler<'_> {
        CustomersHandler { client: self }
    }

    /// One customer's connections, projects and tasks.
    pub fn customer(&self, id: impl Into<String>) -> CustomerHandler<'_> {
        CustomerHandler {
            client: self,
            id: id.into(),
        }
    }

    /// The connector catalog and the workspace's connector configurations.
    pub fn connectors(&self) -> ConnectorsHandler<'_> {
        ConnectorsHandler { client: self }
    }

    /// The workspace's webhook endpoint and its delivery log.
    pub fn webhook(&self) -> WebhookHandler<'_> {
        WebhookHandler { client: self }
    }

    /// The workspace's credential records.
    pub fn credentials(&self) -> CredentialsHandler<'_> {
        CredentialsHandler { client: self }
    }
}
