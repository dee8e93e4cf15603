//! [`ErrorCode`]: the machine codes of [`Error`](crate::Error) as one enum, so code that
//! reacts to an error matches a variant the compiler checks instead of a string.
//!
//! The wire spelling (`link_expired`, `permission_denied`, ...) is what the API sends in
//! `{"code", "detail"}`, what the JavaScript package puts in `MunityError.code`, and what
//! [`Error::code`](crate::Error::code) returns; it never changes for a variant. A code
//! this version does not know (a newer server's) is kept as [`ErrorCode::Unknown`] with
//! its text, so nothing is lost and `as_str` still gives it back.
//!
//! ```
//! use munity::{Error, ErrorCode, ErrorKind};
//!
//! let err = Error::new(ErrorKind::Expired, "link_expired", "the link expired");
//! assert_eq!(err.error_code(), ErrorCode::LinkExpired);
//! assert!(err.error_code().needs_new_link());
//!
//! // A code from a newer server is kept as it was sent.
//! let newer = ErrorCode::from("quota_exceeded");
//! assert_eq!(newer, ErrorCode::Unknown("quota_exceeded".into()));
//! assert_eq!(newer.as_str(), "quota_exceeded");
//! ```

use std::borrow::Cow;
use std::fmt;

/// One table: variant, wire code, and what it means. The enum, `as_str`, the parser and
/// [`ErrorCode::KNOWN`] are all generated from it, so they cannot disagree.
macro_rules! error_codes {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, )*) => {
        /// A machine code of an [`Error`](crate::Error): the API's, the client's and the
        /// JavaScript package's codes, with their wire spelling in [`as_str`](Self::as_str).
        ///
        /// New variants may be added in minor versions; a code without a variant is kept in
        /// [`Unknown`](Self::Unknown). Converting from text ([`From<&str>`]) never fails.
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $( $(#[$doc])* #[doc = concat!("\n\nWire code: `", $code, "`.")] $variant, )*
            /// A code this version of the crate has no variant for, as it was received.
            Unknown(Box<str>),
        }

        /// The wire codes as `&'static str` constants named like the variants: what the
        /// crate's own code passes when it makes an error. A constant costs nothing at run
        /// time, where an `ErrorCode` passed through a function that is not inlined would
        /// link the table of every code into the browser build.
        #[allow(non_upper_case_globals, dead_code)]
        pub(crate) mod wire {
            $( #[doc = concat!("`", $code, "`")] pub(crate) const $variant: &str = $code; )*
        }

        impl ErrorCode {
            /// Every code with a variant, in declaration order (for documentation and
            /// tests).
            pub const KNOWN: &'static [ErrorCode] = &[ $( ErrorCode::$variant, )* ];

            /// The wire spelling, e.g. `"link_expired"`.
            // Always inlined: `ErrorCode::LinkExpired.as_str()` then folds to the one
            // literal, and the browser build links no table of every code.
            #[inline(always)]
            pub fn as_str(&self) -> &str {
                match self {
                    $( ErrorCode::$variant => $code, )*
                    ErrorCode::Unknown(code) => code,
                }
            }

            /// The wire spelling of a known code (`""` for `Unknown`, which has none).
            #[inline(always)]
            fn static_str(&self) -> &'static str {
                match self {
                    $( ErrorCode::$variant => $code, )*
                    ErrorCode::Unknown(_) => "",
                }
            }

            /// The variant of a known wire code, or `None`.
            fn known(code: &str) -> Option<ErrorCode> {
                match code {
                    $( $code => Some(ErrorCode::$variant), )*
                    _ => None,
                }
            }
        }
    };
}

error_codes! {
    // The default code of each `ErrorKind`.
    /// Malformed input with no finer code.
    InvalidInput = "invalid_input",
    /// A misconfiguration with no finer code.
    Config = "config",
    /// Missing or wrong API key (HTTP 401).
    Unauthenticated = "unauthenticated",
    /// A write with a read-only (user) key, or another refused action (HTTP 403).
    PermissionDenied = "permission_denied",
    /// The object does not exist (HTTP 404).
    NotFound = "not_found",
    /// The request conflicts with the current state (HTTP 409).
    Conflict = "conflict",
    /// Too many requests (HTTP 429); the error carries `Retry-After`.
    RateLimited = "rate_limited",
    /// Something valid once no longer is.
    Expired = "expired",
    /// A signature or MAC did not verify.
    VerificationFailed = "verification_failed",
    /// An unsupported algorithm, curve or key type.
    Unsupported = "unsupported",
    /// Encryption or decryption failed.
    Crypto = "crypto",
    /// The server failed (HTTP 5xx) or answered something unreadable.
    Server = "server",
    /// The server could not be reached or the connection broke.
    Network = "network",
    /// No answer within the call's timeout.
    Timeout = "timeout",
    /// A value could not be decoded.
    Decode = "decode",
    /// Local storage failed (sandbox database, files).
    Storage = "storage",
    /// A bug inside munity.
    Internal = "internal",

    // The API's answers.
    /// A request field is invalid; see `Error::fields` (HTTP 400).
    Validation = "validation",
    /// An object with this unique value exists, e.g. a customer's external id (HTTP 409).
    AlreadyExists = "already_exists",
    /// An `Idempotency-Key` was reused with another request (HTTP 409/422).
    IdempotencyKeyReused = "idempotency_key_reused",
    /// The request body is not JSON, or not the expected JSON (HTTP 400).
    InvalidJson = "invalid_json",
    /// The request body is too large (HTTP 413).
    PayloadTooLarge = "payload_too_large",
    /// The request's `Content-Type` is not accepted (HTTP 415).
    UnsupportedMediaType = "unsupported_media_type",
    /// The path exists but not with this method (HTTP 405).
    MethodNotAllowed = "method_not_allowed",
    /// The service is temporarily unavailable (HTTP 503).
    Unavailable = "unavailable",

    // The client's own.
    /// The client was built without an API key.
    MissingApiKey = "missing_api_key",
    /// The API key is not `<prefix>.<secret>`.
    InvalidApiKey = "invalid_api_key",
    /// A base URL is not an http(s) URL without credentials, query or fragment.
    InvalidBaseUrl = "invalid_base_url",
    /// A timeout of zero.
    InvalidTimeout = "invalid_timeout",
    /// A retry policy that cannot work (no attempts, `max_delay < base_delay`).
    InvalidRetryPolicy = "invalid_retry_policy",
    /// The user agent is not a valid header value.
    InvalidUserAgent = "invalid_user_agent",
    /// An `Idempotency-Key` that is not 1 to 255 printable ASCII characters.
    InvalidIdempotencyKey = "invalid_idempotency_key",
    /// A request path that is not relative to the base URL, or not a valid URL.
    InvalidPath = "invalid_path",
    /// An id that is empty, `.` or `..`.
    InvalidId = "invalid_id",
    /// Query parameters that are not flat.
    InvalidQuery = "invalid_query",
    /// A request body that does not serialize to JSON.
    InvalidBody = "invalid_body",
    /// A success answer that is not the expected JSON.
    InvalidResponse = "invalid_response",
    /// The call's retries would run past its retry budget.
    RetryBudgetExhausted = "retry_budget_exhausted",
    /// The HTTP client could not be made.
    HttpClient = "http_client",

    // Connect links (`docs/connect-link.md`).
    /// A malformed link.
    LinkInvalid = "link_invalid",
    /// The link's signature does not match its key.
    LinkInvalidSignature = "link_invalid_signature",
    /// The link's time is up: make a new one.
    LinkExpired = "link_expired",
    /// The link was used already (each link connects once).
    LinkUsed = "link_used",
    /// A link TTL outside 1 s to 24 h.
    LinkTtlInvalid = "link_ttl_invalid",
    /// The link is not on the origin of the API the browser package is pinned to
    /// (`apiBase`); nothing was sent (`docs/topology.md`).
    LinkForeignHost = "link_foreign_host",

    // Origins of a workspace's frontends (`docs/topology.md`).
    /// Not a web origin the API accepts: `https://host[:port]`, or `http` on loopback.
    OriginInvalid = "origin_invalid",
    /// The page's origin is not among the allowed origins of the link's workspace.
    OriginNotAllowed = "origin_not_allowed",

    // Workspace certificates and credential envelopes (`docs/envelope.md`).
    /// The certificate is missing, malformed, or of an unsupported key type.
    CertificateInvalid = "certificate_invalid",
    /// The certificate's validity has ended.
    CertificateExpired = "certificate_expired",
    /// The certificate is not valid yet.
    CertificateNotYetValid = "certificate_not_yet_valid",
    /// A key of an unsupported algorithm or curve.
    UnsupportedKey = "unsupported_key",
    /// A private key that cannot be read.
    PrivateKeyInvalid = "private_key_invalid",
    /// An envelope that is not a well-formed compact JWE.
    EnvelopeMalformed = "envelope_malformed",
    /// An envelope larger than the limit.
    EnvelopeTooLarge = "envelope_too_large",
    /// An envelope `alg`/`enc` other than `ECDH-ES` + `A256GCM`.
    EnvelopeAlgorithmUnsupported = "envelope_algorithm_unsupported",
    /// An envelope version this crate does not read.
    EnvelopeVersionUnsupported = "envelope_version_unsupported",
    /// The envelope was sealed for another key (`kid`).
    EnvelopeWrongKey = "envelope_wrong_key",
    /// The envelope does not decrypt.
    EnvelopeDecryptionFailed = "envelope_decryption_failed",
    /// The decrypted payload is not the expected JSON.
    EnvelopePayloadInvalid = "envelope_payload_invalid",
    /// The envelope's `exp` has passed.
    EnvelopeExpired = "envelope_expired",
    /// The envelope's `iat` is in the future.
    EnvelopeNotYetValid = "envelope_not_yet_valid",
    /// The envelope is bound to another session (connector, customer or nonce).
    EnvelopeBindingMismatch = "envelope_binding_mismatch",
    /// The binding given to seal or open is not valid.
    EnvelopeBindingInvalid = "envelope_binding_invalid",
    /// An envelope TTL out of range.
    EnvelopeTtlInvalid = "envelope_ttl_invalid",

    // Webhooks (`docs/webhooks.md`).
    /// A webhook header is missing or malformed.
    WebhookInvalid = "webhook_invalid",
    /// The webhook timestamp is older than the tolerance.
    WebhookTimestampTooOld = "webhook_timestamp_too_old",
    /// The webhook timestamp is further ahead than the tolerance.
    WebhookTimestampTooNew = "webhook_timestamp_too_new",
    /// No `v1` webhook signature matches.
    WebhookInvalidSignature = "webhook_invalid_signature",
    /// A webhook secret that is not `whsec_<base64 of 24..64 bytes>`.
    InvalidWebhookSecret = "invalid_webhook_secret",
    /// A webhook payload that is not a known event's JSON.
    WebhookPayloadInvalid = "webhook_payload_invalid",

    // The browser package (`pkg-template/README.md`).
    /// The browser blocked the OAuth2 popup.
    PopupBlocked = "popup_blocked",
    /// The end user closed the OAuth2 popup.
    WindowClosed = "window_closed",
    /// The page is not a secure context (https or loopback): WebCrypto, which seals the
    /// credentials, is missing.
    InsecureContext = "insecure_context",
    /// An option of `new MunityConnect(options)` is malformed.
    InvalidOption = "invalid_option",
    /// The session's workspace certificate is not the pinned one (`certificateKid`).
    CertificateMismatch = "certificate_mismatch",
    /// The OAuth2 flow failed at the provider.
    OauthFailed = "oauth_failed",
    /// The end user denied the OAuth2 consent.
    AccessDenied = "access_denied",
    /// A browser-only call ran without a window or document (e.g. server-side rendering).
    NoWindow = "no_window",
    /// The JavaScript environment has no WebCrypto (`crypto.subtle`) at all.
    WebcryptoUnavailable = "webcrypto_unavailable",

    // Connector credentials and request signing.
    /// A credential record that cannot be applied.
    InvalidCredential = "invalid_credential",
    /// No credential record matches.
    CredentialNotFound = "credential_not_found",
    /// An organization-specific record used without an organization.
    OrganizationRequired = "organization_required",
    /// The record has no authentication for this organization.
    OrganizationNotFound = "organization_not_found",
    /// An HMAC-SHA256 signed request failed verification.
    HmacSignatureMismatch = "hmac_signature_mismatch",

    // Simple connection modules.
    /// A registration token that does not match.
    ModuleTokenInvalid = "module_token_invalid",
    /// A module registration request that is malformed.
    ModuleRequestInvalid = "module_request_invalid",
    /// The system answered the module's `integration-modules/{code}/edit` call, but not
    /// with success.
    ModuleEditRefused = "module_edit_refused",
    /// The system did not answer the module's `edit` call in time.
    ModuleSystemTimeout = "module_system_timeout",
    /// The module could not reach the system (connection refused, DNS, TLS).
    ModuleSystemUnreachable = "module_system_unreachable",
    /// The workspace has not set up the module connector's code and secret.
    ModuleNotConfigured = "module_not_configured",
    /// The link names a connector that does not connect as a module.
    ModuleConnectorInvalid = "module_connector_invalid",
    /// A registration of the same link is under way.
    ModuleRegistrationInProgress = "module_registration_in_progress",
}

/// The codes of a link the end user cannot use any more, where a new link is the fix
/// (as text: the browser build checks them without any table of codes).
pub(crate) const NEEDS_NEW_LINK: [&str; 2] = [wire::LinkExpired, wire::LinkUsed];

impl ErrorCode {
    /// The code of a link the end user cannot use any more, where the fix is a new link:
    /// expired or already used.
    pub fn needs_new_link(&self) -> bool {
        NEEDS_NEW_LINK.contains(&self.as_str())
    }

    /// Any connect-link code (`link_*`).
    pub fn is_link(&self) -> bool {
        self.as_str().starts_with("link_")
    }

    /// Any webhook verification code (`webhook_*`, `invalid_webhook_secret`).
    pub fn is_webhook(&self) -> bool {
        self.as_str().starts_with("webhook_") || *self == ErrorCode::InvalidWebhookSecret
    }

    /// Any credential-envelope or certificate code (`envelope_*`, `certificate_*`).
    pub fn is_envelope(&self) -> bool {
        let s = self.as_str();
        s.starts_with("envelope_") || s.starts_with("certificate_")
    }

    /// The API key is missing, wrong, or not allowed to do this.
    pub fn is_auth(&self) -> bool {
        matches!(
            self,
            ErrorCode::Unauthenticated
                | ErrorCode::PermissionDenied
                | ErrorCode::MissingApiKey
                | ErrorCode::InvalidApiKey
        )
    }

    /// A code this version knows (not [`Unknown`](Self::Unknown)).
    pub fn is_known(&self) -> bool {
        !matches!(self, ErrorCode::Unknown(_))
    }
}

impl From<&str> for ErrorCode {
    fn from(code: &str) -> Self {
        ErrorCode::known(code).unwrap_or_else(|| ErrorCode::Unknown(code.into()))
    }
}

impl From<String> for ErrorCode {
    fn from(code: String) -> Self {
        ErrorCode::known(&code).unwrap_or_else(|| ErrorCode::Unknown(code.into_boxed_str()))
    }
}

impl From<Cow<'_, str>> for ErrorCode {
    fn from(code: Cow<'_, str>) -> Self {
        ErrorCode::from(code.as_ref())
    }
}

impl From<ErrorCode> for Cow<'static, str> {
    /// The wire spelling, for [`Error::new`](crate::Error::new) and friends.
    #[inline(always)]
    fn from(code: ErrorCode) -> Self {
        match code {
            ErrorCode::Unknown(code) => Cow::Owned(code.into()),
            known => Cow::Borrowed(known.static_str()),
        }
    }
}

impl From<&ErrorCode> for ErrorCode {
    fn from(code: &ErrorCode) -> Self {
        code.clone()
    }
}

impl std::str::FromStr for ErrorCode {
    type Err = std::convert::Infallible;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        Ok(ErrorCode::from(code))
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for ErrorCode {
    /// `LinkExpired`, or `Unknown("quota_exceeded")`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorCode::Unknown(code) => f.debug_tuple("Unknown").field(code).finish(),
            known => {
                // The variant name from the wire code: `link_expired` -> `LinkExpired`.
                for word in known.as_str().split('_') {
                    let mut chars = word.chars();
                    if let Some(first) = chars.next() {
                        write!(f, "{}{}", first.to_ascii_uppercase(), chars.as_str())?;
                    }
                }
                Ok(())
            }
        }
    }
}

impl PartialEq<str> for ErrorCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<ErrorCode> for str {
    fn eq(&self, other: &ErrorCode) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<ErrorCode> for &str {
    fn eq(&self, other: &ErrorCode) -> bool {
        *self == other.as_str()
    }
}

impl serde::Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for ErrorCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = Cow::<'de, str>::deserialize(deserializer)?;
        Ok(ErrorCode::from(code))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_code_round_trips() {
        let mut seen = std::collections::BTreeSet::new();
        for code in ErrorCode::KNOWN {
            let text = code.as_str();
            assert!(seen.insert(text), "{text} is listed twice");
            assert_eq!(&ErrorCode::from(text), code, "{text}");
            assert!(code.is_known());
            assert!(
                text.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{text} is not snake_case"
            );
            // Debug is the variant's name: CamelCase of the wire code.
            let debug = format!("{code:?}");
            assert_eq!(debug.to_lowercase(), text.replace('_', ""), "{debug}");
        }
    }

    #[test]
    fn unknown_codes_are_kept() {
        let code = ErrorCode::from("quota_exceeded".to_owned());
        assert_eq!(code, ErrorCode::Unknown("quota_exceeded".into()));
        assert_eq!(code.to_string(), "quota_exceeded");
        assert_eq!(format!("{code:?}"), r#"Unknown("quota_exceeded")"#);
        assert!(!code.is_known());
        let json: ErrorCode = serde_json::from_str(r#""link_used""#).unwrap();
        assert_eq!(json, ErrorCode::LinkUsed);
        assert_eq!(serde_json::to_string(&code).unwrap(), r#""quota_exceeded""#);
    }

    #[test]
    fn predicates() {
        assert!(ErrorCode::LinkExpired.needs_new_link());
        let cow: Cow<'static, str> = ErrorCode::LinkUsed.into();
        assert!(matches!(cow, Cow::Borrowed("link_used")));
        let cow: Cow<'static, str> = ErrorCode::from("new_code").into();
        assert_eq!(cow, "new_code");
        assert!(ErrorCode::LinkUsed.needs_new_link());
        assert!(!ErrorCode::LinkInvalidSignature.needs_new_link());
        assert!(ErrorCode::LinkInvalidSignature.is_link());
        assert!(ErrorCode::WebhookTimestampTooOld.is_webhook());
        assert!(ErrorCode::InvalidWebhookSecret.is_webhook());
        assert!(ErrorCode::CertificateExpired.is_envelope());
        assert!(ErrorCode::EnvelopeWrongKey.is_envelope());
        assert!(ErrorCode::PermissionDenied.is_auth());
        assert!(!ErrorCode::NotFound.is_auth());
        assert!(!ErrorCode::from("link_new_thing").needs_new_link());
        assert!(ErrorCode::from("link_new_thing").is_link());
    }
}
