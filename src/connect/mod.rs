//! The connect session's rules, written once for both sides of it: the browser package
//! (which reads the link, checks the end user's credentials and seals them) and the
//! platform (the sandbox, which verifies the link, opens the envelope and checks the
//! credentials again).
//!
//! - [`read_link`]: a link as the browser takes it, its form and its time
//!   ([`check_unexpired`], the link module's one expiry rule);
//! - [`binding`]: the session an envelope for a link is bound to;
//! - [`check_credentials`]: the credentials against the connector's fields.
//!
//! The session's wire format is [`model::ConnectSession`](crate::model::ConnectSession).
//! Core code: no I/O, no clock (`now` is a parameter), builds for `wasm32`.
//!
//! ```
//! use munity::connect::{binding, check_credentials};
//! use munity::envelope::Credentials;
//! use munity::link::{ConnectLink, LinkBuilder};
//! use munity::model::Connector;
//! use munity::ApiKey;
//!
//! # fn main() -> munity::Result<()> {
//! let key = ApiKey::parse("REM0aW39.NfO0123456789CNeHpF29wo012345678")?;
//! let now = 1_700_000_000;
//! let url = LinkBuilder::new("ws_1", "cus_42", "pipedrive").sign(&key, now)?.into_url();
//! let link = munity::connect::read_link(&url, now)?;
//! let bound = binding(&link);
//! assert_eq!((bound.customer.as_str(), bound.workspace.as_deref()), ("cus_42", Some("ws_1")));
//! # Ok(())
//! # }
//! ```

mod fields;

use crate::envelope::SessionBinding;
use crate::link::{check_unexpired, ConnectLink};
use crate::Result;

pub use fields::check_credentials;

/// Reads a connect link as the browser does (the signature is the platform's to check):
/// its form ([`ConnectLink::parse`]), then its expiry at `now` (unix seconds) by the
/// rule the platform verifies it with ([`check_unexpired`]).
///
/// Errors: `link_invalid`, `link_expired`.
pub fn read_link(url: &str, now: i64) -> Result<ConnectLink> {
    let link = ConnectLink::parse(url)?;
    check_unexpired(link.expires_at(), now)?;
    Ok(link)
}

/// The session binding of a connect link: what an envelope sealed for the link carries
/// (workspace, customer, connector, the link's nonce) and what the platform requires of
/// an envelope submitted with it.
pub fn binding(link: &ConnectLink) -> SessionBinding {
    SessionBinding::new(
        link.customer(),
        link.connector(),
        link.nonce().to_base64url(),
    )
    .with_workspace(link.workspace())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::{LinkBuilder, Nonce, CLOCK_SKEW, DEFAULT_TTL};
    use crate::ApiKey;

    const NOW: i64 = 1_700_000_000;

    fn api_key() -> ApiKey {
        ApiKey::parse("REM0aW39.NfO0123456789CNeHpF29wo012345678").unwrap()
    }

    fn link_url() -> String {
        LinkBuilder::new("ws_1", "cus_42", "jira")
            .sign_with_nonce(&api_key(), NOW, Nonce::from_bytes([7; 16]))
            .unwrap()
            .into_url()
    }

    #[test]
    fn the_binding_names_the_links_session() {
        let link = ConnectLink::parse(&link_url()).unwrap();
        assert_eq!(
            binding(&link),
            SessionBinding::new("cus_42", "jira", Nonce::from_bytes([7; 16]).to_base64url())
                .with_workspace("ws_1")
        );
    }

    /// The browser refuses an expired link exactly when the platform's `verify` does:
    /// one rule, at the edges of the skew allowance.
    #[test]
    fn read_link_expires_with_the_platforms_rule() {
        let url = link_url();
        let link = ConnectLink::parse(&url).unwrap();
        let ttl = i64::try_from(DEFAULT_TTL.as_secs()).unwrap();
        let skew = i64::try_from(CLOCK_SKEW.as_secs()).unwrap();
        let key = crate::link::LinkKey::derive(&api_key());
        for now in [NOW, NOW + ttl + skew, NOW + ttl + skew + 1, NOW + 86_400] {
            let read = read_link(&url, now)
                .map(|_| ())
                .map_err(|e| e.code().to_string());
            let verified = link.verify(&key, now).map_err(|e| e.code().to_string());
            assert_eq!(read, verified, "{now}");
        }
        assert_eq!(
            read_link(&url, NOW + ttl + skew + 1).unwrap_err().code(),
            "link_expired"
        );
        assert!(read_link(&url, NOW + ttl + skew).is_ok());
    }
}
