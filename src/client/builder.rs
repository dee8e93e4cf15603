//! [`ClientBuilder`]: every setting of a [`Client`], checked once at `build()`.

use std::sync::Arc;
use std::time::Duration;

use http::HeaderValue;

use super::{CallOptions, Client, Inner, RetryPolicy};
use crate::{ApiKey, Error, ErrorKind, Result};

/// The production API.
pub const DEFAULT_BASE_URL: &str = crate::link::DEFAULT_API_BASE;
/// Environment variable read by [`Client::from_env`] for the API key.
pub const ENV_API_KEY: &str = "MUNITY_API_KEY";
/// Environment variable read by [`Client::from_env`] for the base URL.
pub const ENV_API_BASE: &str = "MUNITY_API_BASE";

const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

const DEFAULT_USER_AGENT: &str = concat!("munity-rust/", env!("CARGO_PKG_VERSION"));

/// Anything [`ClientBuilder::api_key`] accepts: an [`ApiKey`] or its text.
pub trait IntoApiKey {
    /// The parsed key, or why it is not one (the error never repeats the key).
    fn into_api_key(self) -> Result<ApiKey>;
}

impl IntoApiKey for ApiKey {
    fn into_api_key(self) -> Result<ApiKey> {
        Ok(self)
    }
}

impl IntoApiKey for &ApiKey {
    fn into_api_key(self) -> Result<ApiKey> {
        Ok(self.clone())
    }
}

impl IntoApiKey for &str {
    fn into_api_key(self) -> Result<ApiKey> {
        ApiKey::parse(self)
    }
}

impl IntoApiKey for String {
    fn into_api_key(self) -> Result<ApiKey> {
        // The text is wiped when `text` drops.
        let text = crate::Secret::new(self);
        ApiKey::parse(text.expose())
    }
}

impl IntoApiKey for &String {
    fn into_api_key(self) -> Result<ApiKey> {
        ApiKey::parse(self)
    }
}

/// Builds a [`Client`]. Made by [`Client::builder`].
///
/// Setters never fail; [`build`](Self::build) reports the first problem as an
/// [`ErrorKind::Config`] error that names the setting.
///
/// | setting | default |
/// |---|---|
/// | [`api_key`](Self::api_key) | required |
/// | [`base_url`](Self::base_url) | `https://api.munityapps.com/v1` |
/// | [`http_client`](Self::http_client) | one munity builds: rustls with the webpki roots, no redirects |
/// | [`connect_timeout`](Self::connect_timeout) (only for munity's own HTTP client) | 10 s |
/// | [`timeout`](Self::timeout) (whole call, retries included) | 60 s |
/// | [`retry`](Self::retry) | [`RetryPolicy::default()`] |
/// | [`user_agent`](Self::user_agent) | `munity-rust/<version>` |
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder {
    api_key: Option<Result<ApiKey>>,
    base_url: Option<String>,
    http_client: Option<reqwest::Client>,
    /// `None`: the default (10 s), or the caller's own HTTP client's setting.
    connect_timeout: Option<Duration>,
    timeout: Duration,
    retry: RetryPolicy,
    user_agent: Option<String>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            api_key: None,
            base_url: None,
            http_client: None,
            connect_timeout: None,
            timeout: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            user_agent: None,
        }
    }
}

impl ClientBuilder {
    /// The API key: `<prefix>.<secret>`, as text or an [`ApiKey`].
    pub fn api_key(mut self, key: impl IntoApiKey) -> Self {
        self.api_key = Some(key.into_api_key());
        self
    }

    /// The API's base URL, e.g. the sandbox's `http://127.0.0.1:8080/v1`.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Sends every request through your own `reqwest::Client`: your proxy, extra root
    /// certificates, client certificate (mTLS), pool and timeout policy. Build it with
    /// [`munity::reqwest`](crate::reqwest), the reqwest this crate is compiled with.
    ///
    /// munity still adds its own headers to each request (`Authorization`,
    /// `User-Agent`, `Accept`, `Idempotency-Key`) and applies its call timeout and retry
    /// policy around it. [`connect_timeout`](Self::connect_timeout) is then yours to set
    /// on your client (setting both is a `config` error). A client that follows redirects
    /// is allowed; reqwest drops the `Authorization` header when a redirect leaves the
    /// API's host.
    ///
    /// ```
    /// use munity::reqwest;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let http = reqwest::Client::builder()
    ///     // .proxy(reqwest::Proxy::https("http://proxy.internal:3128")?)
    ///     // .add_root_certificate(reqwest::Certificate::from_pem(&company_ca)?)
    ///     .pool_idle_timeout(std::time::Duration::from_secs(30))
    ///     .build()?;
    /// let client = munity::Client::builder()
    ///     .api_key("REM0aW39.NfO0123456789CNeHpF29wo012345678")
    ///     .http_client(http)
    ///     .build()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// The longest wait for a TCP (and TLS) connection, for the HTTP client munity
    /// builds (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// The longest time one call may take, all its retries and waits included.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How failed calls are retried; [`RetryPolicy::none()`] for never.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Reads `MUNITY_API_KEY` and, when set, `MUNITY_API_BASE` through `lookup`.
    pub(crate) fn env_lookup(mut self, lookup: impl Fn(&str) -> Option<String>) -> Self {
        self.api_key = Some(match lookup(ENV_API_KEY) {
            Some(key) => key.into_api_key(),
            None => Err(config(
                "missing_api_key",
                "no API key: the environment variable MUNITY_API_KEY is not set",
            )),
        });
        if let Some(base) = lookup(ENV_API_BASE).filter(|b| !b.trim().is_empty()) {
            self.base_url = Some(base);
        }
        self
    }

    /// Checks every setting and makes the client. Never panics.
    pub fn build(self) -> Result<Client> {
        let key = match self.api_key {
            Some(Ok(key)) => key,
            Some(Err(e)) => return Err(e),
            None => {
                return Err(config(
                    "missing_api_key",
                    "no API key: call ClientBuilder::api_key (or set MUNITY_API_KEY and use Client::from_env)",
                ))
            }
        };
        let base = normalize_base_url(self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL))?;
        check_timeout(self.timeout, "the timeout")?;
        if let Some(timeout) = self.connect_timeout {
            check_timeout(timeout, "the connect timeout")?;
        }
        check_retry(&self.retry)?;
        let user_agent = self.user_agent.as_deref().unwrap_or(DEFAULT_USER_AGENT);
        let user_agent = HeaderValue::from_str(user_agent).map_err(|_| {
            config(
                "invalid_user_agent",
                "the user agent must be visible ASCII text",
            )
        })?;
        let mut authorization = HeaderValue::from_str(key.authorization_value().expose())
            .map_err(|_| config("invalid_api_key", "the API key is not a valid header value"))?;
        authorization.set_sensitive(true);
        let http = match (self.http_client, self.connect_timeout) {
            (Some(_), Some(_)) => {
                return Err(config(
                    "config",
                    "connect_timeout applies only to the HTTP client munity builds: set it on the reqwest::Client given to http_client",
                ))
            }
            (Some(http), None) => http,
            (None, connect_timeout) => reqwest::Client::builder()
                .connect_timeout(connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| {
                    config("http_client", "the HTTP client could not be made")
                        .with_source(e.without_url())
                })?,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base,
                authorization,
                user_agent,
                key,
                timeout: self.timeout,
                retry: self.retry,
                workspace_id: tokio::sync::OnceCell::new(),
            }),
            call: CallOptions::default(),
        })
    }
}

/// A call timeout must be longer than zero (`what`: "the timeout", ...).
pub(crate) fn check_timeout(timeout: Duration, what: &str) -> Result<()> {
    if timeout.is_zero() {
        return Err(Error::new(
            ErrorKind::Config,
            "invalid_timeout",
            format!("{what} must be longer than zero"),
        ));
    }
    Ok(())
}

/// A retry policy must be able to work.
pub(crate) fn check_retry(policy: &RetryPolicy) -> Result<()> {
    policy
        .check()
        .map_err(|why| config("invalid_retry_policy", why))
}

fn config(code: &'static str, detail: &'static str) -> Error {
    Error::new(ErrorKind::Config, code, detail)
}

/// Checks a base URL and returns it with exactly one trailing slash.
///
/// Errors do not repeat the URL: it might carry credentials.
fn normalize_base_url(raw: &str) -> Result<String> {
    let invalid = |why: &'static str| config("invalid_base_url", why);
    let url = url::Url::parse(raw.trim())
        .map_err(|_| invalid("the base URL is not a valid absolute URL"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("the base URL must start with http:// or https://"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("the base URL has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "the base URL must not contain a user name or password",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("the base URL must not have a query or fragment"));
    }
    let mut s = url.to_string();
    while s.ends_with('/') {
        s.pop();
    }
    s.push('/');
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "REM0aW39.NfO0123456789CNeHpF29wo012345678";

    #[test]
    fn base_urls_are_normalized() {
        assert_eq!(
            normalize_base_url(DEFAULT_BASE_URL).unwrap(),
            "https://api.munityapps.com/v1/"
        );
        assert_eq!(
            normalize_base_url("http://127.0.0.1:8080/v1//").unwrap(),
            "http://127.0.0.1:8080/v1/"
        );
        for bad in [
            "",
            "api.munityapps.com/v1",
            "ftp://x/v1",
            "https://user:pw@x/v1",
            "https://x/v1?k=1",
            "https://x/v1#f",
        ] {
            let err = normalize_base_url(bad).unwrap_err();
            assert_eq!(err.code(), "invalid_base_url", "{bad}");
            assert_eq!(err.kind(), ErrorKind::Config);
        }
        let err = normalize_base_url("https://user:hunter2@x/v1").unwrap_err();
        assert!(!format!("{err} {err:?}").contains("hunter2"));
    }

    #[test]
    fn build_names_the_first_problem() {
        let err = Client::builder().build().unwrap_err();
        assert_eq!(
            (err.kind(), err.code()),
            (ErrorKind::Config, "missing_api_key")
        );
        let err = Client::builder().api_key("nope").build().unwrap_err();
        assert_eq!(
            (err.kind(), err.code()),
            (ErrorKind::Config, "invalid_api_key")
        );
        let err = Client::builder()
            .api_key(KEY)
            .base_url("nope")
            .build()
            .unwrap_err();
        assert_eq!(err.code(), "invalid_base_url");
        let err = Client::builder()
            .api_key(KEY)
            .timeout(Duration::ZERO)
            .build()
            .unwrap_err();
        assert_eq!(err.code(), "invalid_timeout");
        let err = Client::builder()
            .api_key(KEY)
            .retry(RetryPolicy::default().max_attempts(0))
            .build()
            .unwrap_err();
        assert_eq!(err.code(), "invalid_retry_policy");
        let err = Client::builder()
            .api_key(KEY)
            .user_agent("bad\nagent")
            .build()
            .unwrap_err();
        assert_eq!(err.code(), "invalid_user_agent");
        let err = Client::builder()
            .api_key(KEY)
            .http_client(reqwest::Client::new())
            .connect_timeout(Duration::from_secs(1))
            .build()
            .unwrap_err();
        assert_eq!((err.kind(), err.code()), (ErrorKind::Config, "config"));
        assert!(err.detail().contains("http_client"), "{err}");
        assert!(Client::builder()
            .api_key(KEY)
            .http_client(reqwest::Client::new())
            .build()
            .is_ok());
        assert!(Client::builder().api_key(KEY).build().is_ok());
        assert!(Client::builder()
            .api_key(ApiKey::parse(KEY).unwrap())
            .build()
            .is_ok());
    }

    #[test]
    fn env_lookup() {
        let env = |k: &str| match k {
            ENV_API_KEY => Some(KEY.to_owned()),
            ENV_API_BASE => Some("http://127.0.0.1:9/v1".to_owned()),
            _ => None,
        };
        let client = ClientBuilder::default().env_lookup(env).build().unwrap();
        assert_eq!(client.base_url(), "http://127.0.0.1:9/v1/");
        let err = ClientBuilder::default()
            .env_lookup(|_| None)
            .build()
            .unwrap_err();
        assert_eq!(err.code(), "missing_api_key");
        assert!(err.detail().contains("MUNITY_API_KEY"));
        let only_key = |k: &str| (k == ENV_API_KEY).then(|| KEY.to_owned());
        let client = ClientBuilder::default()
            .env_lookup(only_key)
            .build()
            .unwrap();
        assert_eq!(client.base_url(), "https://api.munityapps.com/v1/");
    }

    #[test]
    fn debug_shows_no_key() {
        let builder = Client::builder().api_key(KEY);
        let client = Client::builder().api_key(KEY).build().unwrap();
        for text in [
            format!("{builder:?}"),
            format!("{client:?}"),
            format!("{client:#?}"),
        ] {
            assert!(!text.contains(&KEY[9..]), "{text}");
            assert!(text.contains("REM0aW39"), "{text}");
        }
    }
}
