//! Signed requests over reqwest: [`SigningClient`].

use super::{apply, Options, Selected};
use crate::error::{Error, ErrorKind, Result};
use crate::model::Authentication;

/// How many redirects within one origin a signed request follows.
const MAX_REDIRECTS: usize = 10;

/// A reqwest client for requests signed with a credential record ([`SigningClient::sign`]).
///
/// A plain reqwest client follows up to ten redirects and, when one leaves the host,
/// strips only `Authorization`, `Cookie` and `Proxy-Authorization`: a credential in any
/// other header (`headers`, `bearer` with a custom key, the `hmac_sha256` and `aws4`
/// headers) would go wherever a `307` points, with the body. A `SigningClient` follows
/// redirects within the origin (scheme, host, port) of the signed request only, up to
/// ten; a redirect to another origin is not followed: the caller gets the `3xx` answer
/// and decides (and signs again, explicitly, if the other host is meant to have the
/// credentials).
///
/// ```no_run
/// # async fn demo() -> munity::Result<()> {
/// use munity::auth::{select, Options, SigningClient};
/// use munity::model::{Authentication, ContentType, CredentialRecordInput, Environment};
///
/// let records = [CredentialRecordInput::new(
///     "Acme",
///     "https://api.acme.test/v2",
///     Environment::Production,
///     ContentType::Json,
///     Authentication::Bearer { key: "X-Api-Token".into(), value: "tok".into() },
/// )];
/// let chosen = select(&records, None, None)?;
/// let signer = SigningClient::new()?;
/// let request = signer.client().get("https://api.acme.test/v2/orders");
/// let response = signer
///     .sign(&chosen, request, &Options::at(munity::now_unix()))?
///     .send()
///     .await;
/// # let _ = response;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct SigningClient {
    client: reqwest::Client,
}

impl SigningClient {
    /// A client with reqwest's defaults and the same-origin redirect rule.
    pub fn new() -> Result<SigningClient> {
        SigningClient::from_builder(reqwest::Client::builder())
    }

    /// A client with `builder`'s settings (timeouts, proxy, TLS roots...) and the
    /// same-origin redirect rule in place of the builder's redirect policy.
    pub fn from_builder(builder: reqwest::ClientBuilder) -> Result<SigningClient> {
        let client = builder
            .redirect(same_origin_redirects())
            .build()
            .map_err(|e| {
                Error::new(
                    ErrorKind::Config,
                    "client_build_failed",
                    "the HTTP client could not be built",
                )
                .with_source(e.without_url())
            })?;
        Ok(SigningClient { client })
    }

    /// The underlying reqwest client (for building requests).
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// Applies the record to the request (see [`apply`]: the base URL, its origin,
    /// extra headers, content type, the authentication) and returns it ready to send
    /// with this client, whichever client built it. The body must be in memory (not a
    /// stream) for the `aws4` and `hmac_sha256` schemes.
    pub fn sign(
        &self,
        selected: &Selected<'_>,
        builder: reqwest::RequestBuilder,
        options: &Options,
    ) -> Result<reqwest::RequestBuilder> {
        let (_, request) = builder.build_split();
        let mut request = request.map_err(|e| {
            Error::invalid("invalid_request", "the reqwest request could not be built")
                .with_source(e.without_url())
        })?;
        let body_bytes: Vec<u8> = match request.body() {
            None => Vec::new(),
            Some(body) => match body.as_bytes() {
                Some(bytes) => bytes.to_vec(),
                None if matches!(
                    selected.auth,
                    Authentication::Aws4 { .. } | Authentication::HmacSha256 { .. }
                ) =>
                {
                    return Err(Error::invalid(
                        "body_not_buffered",
                        "signing needs the whole body: build the request with bytes, not a stream",
                    ))
                }
                None => Vec::new(),
            },
        };
        let uri: http::Uri = request
            .url()
            .as_str()
            .parse()
            .map_err(|_| Error::invalid("invalid_url", "the request URL is not a valid URI"))?;
        let mut signed = http::Request::new(body_bytes);
        *signed.method_mut() = request.method().clone();
        *signed.uri_mut() = uri;
        *signed.headers_mut() = request.headers().clone();
        apply(selected, &mut signed, options)?;
        let url = reqwest::Url::parse(&signed.uri().to_string())
            .map_err(|_| Error::invalid("invalid_url", "the signed URL is not a valid URL"))?;
        *request.url_mut() = url;
        *request.headers_mut() = std::mem::take(signed.headers_mut());
        Ok(reqwest::RequestBuilder::from_parts(
            self.client.clone(),
            request,
        ))
    }
}

/// Follow a redirect only to the origin of the first request, at most
/// [`MAX_REDIRECTS`] times; stop (answer the `3xx`) at one to another origin.
fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let same_origin = attempt
            .previous()
            .first()
            .is_some_and(|first| first.origin() == attempt.url().origin());
        if !same_origin {
            attempt.stop()
        } else if attempt.previous().len() > MAX_REDIRECTS {
            attempt.error("too many redirects")
        } else {
            attempt.follow()
        }
    })
}
