use serde::{Deserialize, Deserializer, Serialize};

use crate::error_code::wire;
use crate::webhook::WebhookSecret;

/// The workspace's webhook endpoint (`GET webhook/`). Its secret is shown only once,
/// when it is set ([`WebhookEndpointCreated`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WebhookEndpoint {
    /// Where deliveries are POSTed.
    pub url: String,
    /// When the endpoint (and its secret) was set (RFC 3339).
    pub created_at: String,
}

/// The answer to setting the endpoint (`PUT webhook/`): the only time its signing
/// secret is shown. Keep it to verify deliveries ([`Webhook::new`](crate::webhook::Webhook::new)).
///
/// `Debug` prints the secret as `WebhookSecret([redacted])`.
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct WebhookEndpointCreated {
    /// Where deliveries are POSTed.
    pub url: String,
    /// The new signing secret (every earlier secret stops working).
    #[serde(deserialize_with = "whsec")]
    pub secret: WebhookSecret,
    /// When it was set (RFC 3339).
    pub created_at: String,
}

fn whsec<'de, D: Deserializer<'de>>(deserializer: D) -> Result<WebhookSecret, D::Error> {
    let text = crate::Secret::new(String::deserialize(deserializer)?);
    WebhookSecret::parse(text.expose()).map_err(|e| serde::de::Error::custom(e.detail()))
}

/// The body of `PUT webhook/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WebhookEndpointUpdate {
    /// An `https://` (or, for local development, `http://`) URL.
    pub url: String,
}

impl WebhookEndpointUpdate {
    /// An endpoint at `url`.
    pub fn new(url: impl Into<String>) -> Self {
        WebhookEndpointUpdate { url: url.into() }
    }
}

/// One message in the delivery log (`GET webhook/deliveries/`) and how its delivery went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WebhookDelivery {
    /// The message id: the `webhook-id` header, the same on every attempt.
    pub id: String,
    /// The event's type, e.g. `connection.created`.
    pub event_type: String,
    /// The endpoint it was (or is to be) sent to.
    pub url: String,
    /// `pending`, `succeeded` or `failed`.
    pub status: DeliveryStatus,
    /// Attempts made so far.
    pub attempts: u32,
    /// The HTTP status of the last attempt, if it got an answer.
    pub last_response_status: Option<u16>,
    /// Why the last attempt failed, if it did.
    pub last_error: Option<String>,
    /// When the event was queued (RFC 3339).
    pub created_at: String,
    /// When the last attempt was made (RFC 3339).
    pub updated_at: String,
}

/// Where a message's delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DeliveryStatus {
    /// Waiting for its first or next attempt.
    Pending,
    /// An attempt got a 2xx answer.
    Succeeded,
    /// Every attempt failed.
    Failed,
}

/// Query parameters of `GET webhook/deliveries/`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WebhookDeliveryListParams {
    /// 1-based page number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// Items per page (1 to 100).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u32>,
}

/// The workspace's certificate as the API publishes it (`GET workspace/certificate/`):
/// what the browser seals credentials to. Parse it with [`parse`](Self::parse).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WorkspaceCertificatePem {
    /// The X.509 certificate, PEM.
    pub certificate: String,
    /// Its key id (a SHA-256 thumbprint), the `kid` of envelopes sealed to it.
    pub kid: String,
    /// Its public key as a JWK: what the browser package takes (`certificate` option,
    /// `encryptCredentials`), as JSON text. `None` from an API that does not send it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwk: Option<crate::envelope::PublicJwk>,
}

impl WorkspaceCertificatePem {
    /// Parses the certificate and checks that it is valid at `now` (unix seconds) and
    /// that its key id (and its JWK, when sent) are the ones published with it.
    pub fn parse(&self, now: i64) -> crate::Result<crate::envelope::WorkspaceCertificate> {
        let certificate = crate::envelope::WorkspaceCertificate::parse(&self.certificate, now)?;
        if certificate.kid() != self.kid {
            return Err(crate::Error::invalid(
                wire::CertificateInvalid,
                "the certificate's key id is not the `kid` published with it",
            ));
        }
        if self
            .jwk
            .as_ref()
            .is_some_and(|jwk| *jwk != certificate.jwk())
        {
            return Err(crate::Error::invalid(
                wire::CertificateInvalid,
                "the certificate's key is not the `jwk` published with it",
            ));
        }
        Ok(certificate)
    }
}
