use serde::{Deserialize, Serialize};

use super::json::push_string;

/// A workspace's public key as a JWK (RFC 7517) with exactly the members RFC 7638 hashes
/// for its key id: `{"kty":"EC","crv":"P-256","x":…,"y":…}` or
/// `{"kty":"OKP","crv":"X25519","x":…}`.
///
/// The form the browser package seals to: the connect session and
/// `GET /v1/workspace/certificate/` carry the certificate's key as `jwk`, so the page
/// needs no X.509 reader. Read and check it with
/// [`WorkspaceCertificate::from_public_jwk`](crate::envelope::WorkspaceCertificate::from_public_jwk).
///
/// ```
/// use munity::envelope::WorkspaceCertificate;
/// use munity::envelope::PublicJwk;
///
/// let jwk: PublicJwk = serde_json::from_str(
///     r#"{"kty":"OKP","crv":"X25519","x":"3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08"}"#,
/// )?;
/// let key = WorkspaceCertificate::from_public_jwk(&jwk)?;
/// assert_eq!(key.jwk(), jwk);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PublicJwk {
    /// The key type: `EC` or `OKP`.
    pub kty: String,
    /// The curve: `P-256` (with `EC`) or `X25519` (with `OKP`).
    pub crv: String,
    /// The x coordinate (P-256) or the key (X25519), base64url without padding.
    pub x: String,
    /// The y coordinate of a P-256 key, base64url without padding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
}

impl PublicJwk {
    /// A JWK of these members, e.g. from a JavaScript object.
    pub fn new(kty: String, crv: String, x: String, y: Option<String>) -> PublicJwk {
        PublicJwk { kty, crv, x, y }
    }

    /// The JWK as JSON text (members escaped as JSON requires).
    pub fn to_json(&self) -> String {
        let mut out = String::from("{\"kty\":");
        push_string(&mut out, &self.kty);
        out.push_str(",\"crv\":");
        push_string(&mut out, &self.crv);
        out.push_str(",\"x\":");
        push_string(&mut out, &self.x);
        if let Some(y) = &self.y {
            out.push_str(",\"y\":");
            push_string(&mut out, y);
        }
        out.push('}');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::{KeyType, WorkspaceCertificate};

    const X25519: &str =
        r#"{"kty":"OKP","crv":"X25519","x":"3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08"}"#;

    #[test]
    fn reads_back_what_a_key_writes() {
        let key = WorkspaceCertificate::parse_jwk(X25519).unwrap();
        let jwk = key.jwk();
        assert_eq!(jwk.to_json(), X25519);
        assert_eq!(serde_json::to_string(&jwk).unwrap(), X25519);
        let again = WorkspaceCertificate::from_public_jwk(&jwk).unwrap();
        assert_eq!(
            (again.kid(), again.key_type()),
            (key.kid(), KeyType::X25519)
        );
    }

    #[test]
    fn members_are_written_as_json_strings() {
        let jwk = PublicJwk::new("OKP".into(), "X25519".into(), "a\"}\n\\".into(), None);
        assert_eq!(
            jwk.to_json(),
            r#"{"kty":"OKP","crv":"X25519","x":"a\"}\n\\"}"#
        );
        let err = WorkspaceCertificate::from_public_jwk(&jwk).unwrap_err();
        assert_eq!(err.code(), "certificate_invalid");
        let curve = PublicJwk::new("EC".into(), "P-384".into(), "AA".into(), Some("AA".into()));
        let err = WorkspaceCertificate::from_public_jwk(&curve).unwrap_err();
        assert_eq!(err.code(), "unsupported_key");
    }

    #[test]
    fn a_pem_is_refused_saying_where_the_jwk_is() {
        for text in [
            "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
            "",
            "[]",
        ] {
            let err = WorkspaceCertificate::parse_jwk(text).unwrap_err();
            assert_eq!(err.code(), "certificate_invalid", "{text}");
        }
        let err = WorkspaceCertificate::parse_jwk("-----BEGIN PUBLIC KEY-----").unwrap_err();
        assert!(err.detail().contains("`jwk`"), "{err}");
    }
}
