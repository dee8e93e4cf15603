//! The credential-record schemes: the one table of their names.

/// Declares [`AuthScheme`] from its table: each scheme's variant and wire name.
macro_rules! auth_schemes {
    ( $( $(#[$meta:meta])* $variant:ident = $wire:literal, )+ ) => {
        /// The authentication scheme of a credential record: what
        /// [`Authentication`](super::Authentication) holds and
        /// [`crate::auth::apply`] does with a request.
        ///
        /// The table in `model/auth_scheme.rs` is the one list of the schemes' wire names:
        /// [`Authentication`](super::Authentication)'s `type` tag, a custom connector's
        /// [`AuthType::Record`](super::AuthType::Record), the browser package's TypeScript
        /// `AuthType` (tested against it) all follow it. A scheme added there is a match
        /// arm missing wherever a scheme is handled.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum AuthScheme {
            $( $(#[$meta])* $variant, )+
        }

        impl AuthScheme {
            /// Every scheme, in the table's order.
            pub const ALL: &'static [AuthScheme] = &[$(AuthScheme::$variant),+];

            /// The wire name, e.g. `aws4`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( AuthScheme::$variant => $wire, )+
                }
            }

            /// The scheme of a wire name; `None` for any other text.
            pub fn from_wire(name: &str) -> Option<AuthScheme> {
                match name {
                    $( $wire => Some(AuthScheme::$variant), )+
                    _ => None,
                }
            }
        }
    };
}

auth_schemes! {
    /// A header: key and value.
    Headers = "headers",
    /// HTTP Basic (RFC 7617): username and password.
    Basic = "basic",
    /// A bearer token: header key and value.
    Bearer = "bearer",
    /// AWS Signature Version 4: access key, secret key, region, service, base endpoint.
    Aws4 = "aws4",
    /// HMAC-SHA256 request signing (`docs/hmac-sha256.md`): client id and secret.
    HmacSha256 = "hmac_sha256",
    /// No authentication.
    None = "none",
}

impl std::fmt::Display for AuthScheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_distinct() {
        for scheme in AuthScheme::ALL {
            assert_eq!(AuthScheme::from_wire(scheme.as_str()), Some(*scheme));
        }
        let mut names: Vec<&str> = AuthScheme::ALL.iter().map(|s| s.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), AuthScheme::ALL.len());
        assert_eq!(AuthScheme::from_wire("oauth2"), None);
    }
}
