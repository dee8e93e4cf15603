//! The module's one call to the system: `POST
//! {systemUrl}/api/v5/integration-modules/{code}/edit` with the key the registration
//! brought (`X-API-KEY`, a sensitive header) and the form field `integrationModule`.
//!
//! The call has a bounded timeout and follows no redirect: a 3xx is a refusal (the key
//! would otherwise be sent wherever the system, or whoever answers in its name, points).

use std::time::Duration;

use super::integration::{edit_path, read_edit_answer, IntegrationModule};
use crate::error::{Error, ErrorKind, Result};
use crate::error_code::wire;
use crate::Secret;

/// The largest answer of the system read (its answer is a small JSON object).
const ANSWER_MAX: usize = 64 * 1024;

/// Sends the `edit` call to systems. Cheap to clone; build one and keep it.
#[derive(Debug, Clone)]
pub struct SystemClient {
    http: reqwest::Client,
}

impl SystemClient {
    /// The default total time for one `edit` call.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

    /// A client with [`DEFAULT_TIMEOUT`](Self::DEFAULT_TIMEOUT).
    pub fn new() -> Result<SystemClient> {
        SystemClient::with_timeout(SystemClient::DEFAULT_TIMEOUT)
    }

    /// A client whose `edit` call gives up after `timeout` (connect, send and answer).
    pub fn with_timeout(timeout: Duration) -> Result<SystemClient> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| {
                Error::new(
                    ErrorKind::Config,
                    "config",
                    crate::transport_error::describe("cannot build the HTTP client", &e),
                )
            })?;
        Ok(SystemClient { http })
    }

    /// The HTTP client (bounded timeout, no redirects), for the sandbox's fake system.
    #[cfg(feature = "sandbox")]
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Registers `module` in the system at `system_url` (as checked by
    /// [`RegistrationRequest::system_url`](super::RegistrationRequest::system_url)) with
    /// the account's `api_key`.
    ///
    /// Errors: `module_edit_refused` (the system answered, but not `{"success": true}`;
    /// its `errorMsg` is quoted), `module_system_timeout` ([`ErrorKind::Timeout`]),
    /// `module_system_unreachable` ([`ErrorKind::Network`]). No message holds the key.
    pub async fn edit(
        &self,
        system_url: &str,
        api_key: &Secret<String>,
        module: &IntegrationModule,
    ) -> Result<()> {
        let url = format!(
            "{}{}",
            system_url.trim_end_matches('/'),
            edit_path(&module.code)
        );
        let mut key = reqwest::header::HeaderValue::from_str(api_key.expose()).map_err(|_| {
            Error::invalid(
                wire::ModuleRequestInvalid,
                "`register[apiKey]` is not a valid HTTP header value",
            )
        })?;
        key.set_sensitive(true);
        let sent = self
            .http
            .post(&url)
            .header("X-API-KEY", key)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(module.to_form())
            .send()
            .await;
        let mut response = sent.map_err(|e| transport(system_url, e))?;
        let status = response.status().as_u16();
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > ANSWER_MAX {
                        break;
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return Err(transport(system_url, e)),
            }
        }
        read_edit_answer(status, &body)
    }
}

/// A call that got no (complete) answer, named for a CRM user.
fn transport(system_url: &str, err: reqwest::Error) -> Error {
    // A checked system URL holds no user name or password (see `system_url`).
    let shown = system_url;
    if err.is_timeout() {
        Error::new(
            ErrorKind::Timeout,
            wire::ModuleSystemTimeout,
            format!("the system at {shown} did not answer the module's registration in time"),
        )
    } else {
        let cause = crate::transport_error::describe("request failed", &err.without_url());
        Error::new(
            ErrorKind::Network,
            wire::ModuleSystemUnreachable,
            format!("the module could not reach the system at {shown} ({cause})"),
        )
    }
}
