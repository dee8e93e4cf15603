//! The module's description the system stores: the body of `POST
//! {systemUrl}/api/v5/integration-modules/{code}/edit`, and the reading of its answer
//! (pure: [`SystemClient`](super::SystemClient) sends it).

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Result};
use crate::error_code::wire;

/// The longest part of the system's own message an error quotes.
const QUOTED_MESSAGE_MAX: usize = 300;

/// `integrationModule`: what the module registers in the system (RetailCRM API v5).
///
/// `Debug` leaves out `client_id`: it opens the module's account page.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct IntegrationModule {
    /// The module's code in the system (from the module's partner account).
    pub code: String,
    /// Whether the module is switched on.
    pub active: bool,
    /// The name shown in the system.
    pub name: String,
    /// The module's base URL.
    pub base_url: String,
    /// The module's id of this account: the system sends it back to `account_url`.
    pub client_id: String,
    /// Where the system sends the user (a POST with `clientId`).
    pub account_url: String,
    /// A logo URL (SVG), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo: Option<String>,
}

impl std::fmt::Debug for IntegrationModule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IntegrationModule")
            .field("code", &self.code)
            .field("active", &self.active)
            .field("name", &self.name)
            .field("base_url", &self.base_url)
            .field("client_id", &format_args!("[redacted]"))
            .field("account_url", &self.account_url)
            .field("logo", &self.logo)
            .finish()
    }
}

impl IntegrationModule {
    /// An active module `code` named `name` at `base_url`, for the account `client_id`
    /// shown at `account_url`.
    pub fn new(
        code: impl Into<String>,
        name: impl Into<String>,
        base_url: impl Into<String>,
        client_id: impl Into<String>,
        account_url: impl Into<String>,
    ) -> IntegrationModule {
        IntegrationModule {
            code: code.into(),
            active: true,
            name: name.into(),
            base_url: base_url.into(),
            client_id: client_id.into(),
            account_url: account_url.into(),
            logo: None,
        }
    }

    /// The form body: `integrationModule=<JSON>`.
    pub fn to_form(&self) -> String {
        // Strings and a bool always serialize.
        let json = serde_json::to_string(self).unwrap_or_default();
        form_urlencoded::Serializer::new(String::new())
            .append_pair("integrationModule", &json)
            .finish()
    }
}

/// `/api/v5/integration-modules/{code}/edit`, the code percent-encoded as one path
/// segment.
pub fn edit_path(code: &str) -> String {
    let segment = percent_encoding::utf8_percent_encode(code, percent_encoding::NON_ALPHANUMERIC);
    format!("/api/v5/integration-modules/{segment}/edit")
}

/// Reads the system's answer to the `edit` call (HTTP status and body), for a module
/// that sends the call with its own HTTP client (`SystemClient` does it with the native
/// features): a 2xx with `{"success": true}` is a registration; anything else is
/// `module_edit_refused`, quoting the system's `errorMsg` (shortened, control characters
/// removed) so the user sees the system's own reason.
pub fn read_edit_answer(status: u16, body: &[u8]) -> Result<()> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Answer {
        success: Option<bool>,
        error_msg: Option<String>,
    }
    let answer: Option<Answer> = serde_json::from_slice(body).ok();
    let success = answer.as_ref().and_then(|a| a.success);
    if (200..300).contains(&status) && success == Some(true) {
        return Ok(());
    }
    let reason = answer
        .and_then(|a| a.error_msg)
        .map(|msg| quote(&msg))
        .filter(|msg| !msg.is_empty());
    let detail = match (status, reason) {
        (_, Some(reason)) => format!("the system refused the module's registration: {reason}"),
        (401 | 403, None) => format!(
            "the system refused the module's registration (HTTP {status}): the API key was not accepted"
        ),
        (_, None) => format!(
            "the system refused the module's registration (HTTP {status}, no success in the answer)"
        ),
    };
    Err(Error::new(ErrorKind::Api, wire::ModuleEditRefused, detail).with_status(status))
}

/// The system's message, made safe to show: no control characters, at most
/// [`QUOTED_MESSAGE_MAX`] characters.
fn quote(message: &str) -> String {
    let clean: String = message
        .chars()
        .filter(|c| !c.is_control())
        .take(QUOTED_MESSAGE_MAX)
        .collect();
    clean.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_is_one_path_segment() {
        assert_eq!(
            edit_path("munity"),
            "/api/v5/integration-modules/munity/edit"
        );
        assert_eq!(
            edit_path("a/../b"),
            "/api/v5/integration-modules/a%2F%2E%2E%2Fb/edit"
        );
    }

    #[test]
    fn answers_of_the_system() {
        assert!(read_edit_answer(200, br#"{"success":true}"#).is_ok());
        let refused = read_edit_answer(
            400,
            br#"{"success":false,"errorMsg":"Module code\nis wrong"}"#,
        )
        .unwrap_err();
        assert_eq!(refused.code(), wire::ModuleEditRefused);
        assert_eq!(
            refused.detail(),
            "the system refused the module's registration: Module codeis wrong"
        );
        let key = read_edit_answer(401, b"").unwrap_err();
        assert!(key.detail().contains("API key was not accepted"), "{key}");
        // 200 without success is not a registration.
        assert!(read_edit_answer(200, b"<html>").is_err());
        assert!(read_edit_answer(200, br#"{"success":false}"#).is_err());
    }

    #[test]
    fn debug_leaves_out_the_client_id() {
        let module = IntegrationModule::new("c", "n", "https://b", "cid-secret", "https://a");
        assert!(!format!("{module:?}").contains("cid-secret"));
        assert_eq!(
            module.to_form(),
            "integrationModule=%7B%22code%22%3A%22c%22%2C%22active%22%3Atrue%2C%22name%22%3A%22n%22%2C%22baseUrl%22%3A%22https%3A%2F%2Fb%22%2C%22clientId%22%3A%22cid-secret%22%2C%22accountUrl%22%3A%22https%3A%2F%2Fa%22%7D"
        );
    }
}
