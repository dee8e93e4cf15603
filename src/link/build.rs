//! Building and signing links (the product's backend).

use std::time::Duration;

use ring::hmac;

use super::{fields, secs, ConnectLink, LinkKey, Nonce, DEFAULT_BASE_URL, DEFAULT_TTL, MAX_TTL};
use crate::error::{Error, ErrorKind, Result};
use crate::error_code::wire;
use crate::ApiKey;

/// Builds a signed connect link for one customer and one connector.
///
/// Nothing is checked until [`sign`](Self::sign), which reports the first problem.
///
/// ```
/// use std::time::Duration;
/// use munity::link::LinkBuilder;
/// use munity::ApiKey;
///
/// let key = ApiKey::parse("REM0aW39.NfO0123456789CNeHpF29wo012345678").unwrap();
/// let too_long = LinkBuilder::new("ws_1", "cus_42", "jira")
///     .ttl(Duration::from_secs(25 * 3600))
///     .sign(&key, 1_700_000_000)
///     .unwrap_err();
/// assert_eq!(too_long.code(), "link_ttl_invalid");
/// ```
#[derive(Debug, Clone)]
pub struct LinkBuilder {
    workspace: String,
    customer: String,
    connector: String,
    ttl: Duration,
    base_url: String,
    redirect_uri: Option<String>,
    scope: Option<String>,
}

impl LinkBuilder {
    /// A link for `customer` (the product's internal id) of `workspace` to connect
    /// `connector`, with the default TTL (10 minutes) and base URL.
    pub fn new(
        workspace: impl Into<String>,
        customer: impl Into<String>,
        connector: impl Into<String>,
    ) -> LinkBuilder {
        LinkBuilder {
            workspace: workspace.into(),
            customer: customer.into(),
            connector: connector.into(),
            ttl: DEFAULT_TTL,
            base_url: DEFAULT_BASE_URL.to_owned(),
            redirect_uri: None,
            scope: None,
        }
    }

    /// Sets the workspace id (the client learns it after the other settings).
    #[cfg(feature = "native")]
    pub(crate) fn set_workspace(&mut self, workspace: String) {
        self.workspace = workspace;
    }

    /// How long the link lives: 1 second to 24 hours (whole seconds; a fraction is
    /// dropped). Default 10 minutes.
    pub fn ttl(mut self, ttl: Duration) -> LinkBuilder {
        self.ttl = ttl;
        self
    }

    /// The URL the link points at (default [`DEFAULT_BASE_URL`]): `https://` or
    /// `http://`, without a query or fragment.
    pub fn base_url(mut self, base_url: impl Into<String>) -> LinkBuilder {
        self.base_url = base_url.into();
        self
    }

    /// Where the platform sends the end user when done.
    pub fn redirect_uri(mut self, redirect_uri: impl Into<String>) -> LinkBuilder {
        self.redirect_uri = Some(redirect_uri.into());
        self
    }

    /// The scope to request (space-separated scope tokens).
    pub fn scope(mut self, scope: impl Into<String>) -> LinkBuilder {
        self.scope = Some(scope.into());
        self
    }

    /// Signs with an admin API key at `now` (unix seconds), with a fresh random nonce.
    pub fn sign(&self, api_key: &ApiKey, now: i64) -> Result<SignedLink> {
        self.sign_with_nonce(api_key, now, Nonce::random())
    }

    /// Signs with a given nonce (known-answer tests; use [`sign`](Self::sign) otherwise:
    /// a nonce must never repeat).
    pub fn sign_with_nonce(&self, api_key: &ApiKey, now: i64, nonce: Nonce) -> Result<SignedLink> {
        self.sign_with_link_key(&LinkKey::derive(api_key), api_key.prefix(), now, nonce)
    }

    /// Signs with a link key already derived from the API key whose prefix is
    /// `key_prefix` (for servers that keep link keys rather than API keys).
    pub fn sign_with_link_key(
        &self,
        key: &LinkKey,
        key_prefix: &str,
        now: i64,
        nonce: Nonce,
    ) -> Result<SignedLink> {
        self.check()?;
        fields::check_key_prefix(key_prefix)?;
        let ttl = i64::try_from(self.ttl.as_secs()).unwrap_or(i64::MAX);
        let expires_at = now
            .checked_add(ttl)
            .filter(|exp| *exp >= 0)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Config,
                    wire::LinkTtlInvalid,
                    "`now + ttl` must be unix seconds from 0 to i64::MAX",
                )
            })?;
        let mut link = ConnectLink {
            workspace: self.workspace.clone(),
            customer: self.customer.clone(),
            connector: self.connector.clone(),
            key_prefix: key_prefix.to_owned(),
            expires_at,
            nonce,
            redirect_uri: self.redirect_uri.clone(),
            scope: self.scope.clone(),
            signature: [0; 32],
        };
        let tag = hmac::sign(&key.hmac_key(), &link.canonical_string());
        link.signature.copy_from_slice(tag.as_ref());
        let url = link.to_url(&self.base_url);
        Ok(SignedLink { url, link })
    }

    fn check(&self) -> Result<()> {
        if self.ttl.as_secs() == 0 || self.ttl.as_secs() > MAX_TTL.as_secs() {
            return Err(Error::new(
                ErrorKind::Config,
                wire::LinkTtlInvalid,
                format!(
                    "a link's TTL must be between 1 s and {} s (24 h)",
                    secs(MAX_TTL)
                ),
            ));
        }
        check_base_url(&self.base_url)?;
        fields::check_id("workspace", &self.workspace)?;
        fields::check_id("customer", &self.customer)?;
        fields::check_id("connector", &self.connector)?;
        if let Some(uri) = &self.redirect_uri {
            fields::check_redirect_uri(uri)?;
        }
        if let Some(scope) = &self.scope {
            fields::check_scope(scope)?;
        }
        Ok(())
    }
}

fn check_base_url(base: &str) -> Result<()> {
    let scheme_ok = fields::strip_prefix_ignore_case(base, "https://").is_some()
        || fields::strip_prefix_ignore_case(base, "http://").is_some();
    let clean =
        !base.contains(['?', '#']) && !base.chars().any(|c| c.is_control() || c.is_whitespace());
    if scheme_ok && clean {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::Config,
            "invalid_base_url",
            "the link base URL must be http(s):// without a query, fragment or whitespace",
        ))
    }
}

/// A freshly signed link: its URL and its parameters. Debug leaves the URL out (it
/// carries the signature).
#[derive(Clone)]
pub struct SignedLink {
    url: String,
    link: ConnectLink,
}

impl std::fmt::Debug for SignedLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedLink")
            .field("link", &self.link)
            .finish_non_exhaustive()
    }
}

impl SignedLink {
    /// The URL to give the end user. It is a bearer credential until it expires: do not
    /// log it.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The URL, owned.
    pub fn into_url(self) -> String {
        self.url
    }

    /// The link's parameters (expiry, nonce, ...).
    pub fn link(&self) -> &ConnectLink {
        &self.link
    }
}
