//! [`Client::connect_link`]: a connect link signed with the client's own key.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use super::Client;
use crate::link::{LinkBuilder, SignedLink};
use crate::Result;

/// A connect link to sign: made by [`Client::connect_link`]; set options, then `.await`
/// it for a [`SignedLink`] (`.url()` is what the browser opens).
///
/// Options are checked when it is awaited; the first problem is the error
/// (`link_ttl_invalid`, `link_invalid`, `invalid_base_url`).
#[derive(Debug)]
#[must_use = "a connect link is signed when it is awaited"]
pub struct ConnectLinkRequest<'c> {
    client: &'c Client,
    builder: LinkBuilder,
    now: Option<i64>,
}

impl<'c> ConnectLinkRequest<'c> {
    pub(crate) fn new(client: &'c Client, customer: String, connector: String) -> Self {
        let builder = LinkBuilder::new(String::new(), customer, connector)
            .base_url(format!("{}connect", client.base_url()));
        ConnectLinkRequest {
            client,
            builder,
            now: None,
        }
    }

    /// How long the link lives: 1 second to 24 hours (default 10 minutes).
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.builder = self.builder.ttl(ttl);
        self
    }

    /// Where the platform sends the end user when done.
    pub fn redirect_uri(mut self, redirect_uri: impl Into<String>) -> Self {
        self.builder = self.builder.redirect_uri(redirect_uri);
        self
    }

    /// The scope to request (space-separated scope tokens).
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.builder = self.builder.scope(scope);
        self
    }

    /// The connect page the link points at, when it is not the API's own
    /// (`<base URL>connect`, e.g. `https://api.munityapps.com/v1/connect`).
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.builder = self.builder.base_url(base_url);
        self
    }

    /// Signs as of `now` (unix seconds) instead of the system clock (for tests).
    pub fn now(mut self, now: i64) -> Self {
        self.now = Some(now);
        self
    }

    async fn sign(mut self) -> Result<SignedLink> {
        let workspace = self.client.workspace_id().await?;
        self.builder.set_workspace(workspace.to_owned());
        let now = self.now.unwrap_or_else(crate::time::now_unix);
        self.builder.sign(&self.client.inner.key, now)
    }
}

impl<'c> IntoFuture for ConnectLinkRequest<'c> {
    type Output = Result<SignedLink>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<SignedLink>> + Send + 'c>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.sign())
    }
}

impl Client {
    /// A connect link for `customer` (the product's own internal id for its customer) to
    /// connect `connector` (e.g. `pipedrive`), signed with this client's API key (an
    /// admin key: the platform refuses links of read-only keys). Await it:
    ///
    /// ```no_run
    /// # async fn run(client: munity::Client) -> munity::Result<()> {
    /// use std::time::Duration;
    ///
    /// let link = client
    ///     .connect_link("user-8412", "pipedrive")
    ///     .ttl(Duration::from_secs(5 * 60))
    ///     .redirect_uri("https://app.example.com/integrations")
    ///     .await?;
    /// // A bearer credential until it expires: hand it to the browser, do not log it.
    /// let url = link.url();
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// The link points at the API's connect page (`<base URL>connect`). Signing needs the
    /// workspace id: the first link asks the API once (`GET workspace/`) and the client
    /// keeps it for every later link, so only the first call makes a request.
    pub fn connect_link(
        &self,
        customer: impl Into<String>,
        connector: impl Into<String>,
    ) -> ConnectLinkRequest<'_> {
        ConnectLinkRequest::new(self, customer.into(), connector.into())
    }

    /// The id of the API key's workspace, asked once (`GET workspace/`) and then kept.
    pub async fn workspace_id(&self) -> Result<&str> {
        self.inner
            .workspace_id
            .get_or_try_init(|| async { Ok(self.workspace().get().await?.id) })
            .await
            .map(String::as_str)
    }
}
