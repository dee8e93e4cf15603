//! The rules an authentication must follow to be applied, field by field: what
//! [`apply`](super::apply) refuses before it touches a request, and what a server
//! checks when a credential record is stored (the sandbox), with the same functions.

use super::{
    bearer_value, check_basic_password, check_basic_username, header_name, hmac_sha256,
    secret_value, sigv4,
};
use crate::error::Error;
use crate::model::Authentication;
use crate::FieldError;

/// A field an authentication's scheme refuses, and the error [`apply`](super::apply)
/// gives for it.
#[derive(Debug)]
pub(crate) struct Refusal {
    /// The field, as the authentication's JSON names it (`username`, `secret_key`).
    pub(crate) field: &'static str,
    /// The error, with the scheme's code (`invalid_username`, `invalid_aws_scope`...).
    pub(crate) error: Error,
}

/// Every field of `auth` its scheme refuses, in the order of the fields.
pub(crate) fn refusals(auth: &Authentication) -> Vec<Refusal> {
    let mut refused = Vec::new();
    let mut rule = |field: &'static str, outcome: crate::Result<()>| {
        if let Err(error) = outcome {
            refused.push(Refusal { field, error });
        }
    };
    match auth {
        Authentication::Headers { key, value } => {
            rule("key", header_name(key, "invalid_auth_header").map(drop));
            rule(
                "value",
                secret_value(value.expose(), "header value").map(drop),
            );
        }
        Authentication::Basic { username, password } => {
            rule("username", check_basic_username(username));
            rule("password", check_basic_password(password.expose()));
        }
        Authentication::Bearer { key, value } => {
            if !key.is_empty() {
                rule("key", header_name(key, "invalid_auth_header").map(drop));
            }
            rule(
                "value",
                bearer_value(value.expose())
                    .and_then(|v| secret_value(v.expose(), "token").map(drop)),
            );
        }
        Authentication::Aws4 {
            access_key,
            region,
            service,
            session_token,
            ..
        } => {
            rule("access_key", sigv4::check_access_key(access_key));
            rule("region", sigv4::check_scope_part(region));
            rule("service", sigv4::check_scope_part(service));
            if let Some(token) = session_token {
                rule("session_token", sigv4::check_session_token(token.expose()));
            }
        }
        Authentication::HmacSha256 {
            client_id,
            client_secret,
        } => {
            rule("client_id", hmac_sha256::check_client_id(client_id));
            rule(
                "client_secret",
                hmac_sha256::check_client_secret(client_secret.expose()),
            );
        }
        Authentication::None => {}
    }
    refused
}

/// Checks an authentication by the rules of its scheme, as [`apply`](super::apply) does
/// before signing a request: every field it would refuse, named as the
/// authentication's JSON names it (`username`, `region`), with the reason. Empty when
/// `apply` would take it. Messages never quote a secret.
///
/// ```
/// use munity::model::Authentication;
///
/// let auth = Authentication::Basic { username: "a:b".into(), password: "p".into() };
/// let refused = munity::auth::check(&auth);
/// assert_eq!(refused[0].field, "username");
/// assert!(munity::auth::check(&Authentication::None).is_empty());
/// ```
pub fn check(auth: &Authentication) -> Vec<FieldError> {
    refusals(auth)
        .into_iter()
        .map(|r| FieldError::new(r.field, r.error.detail()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{apply, Options, Selected};
    use crate::model::{ContentType, CredentialRecordInput, Environment};

    /// What `apply` answers for `auth` on a plain request.
    fn applied(auth: &Authentication) -> crate::Result<()> {
        let record = CredentialRecordInput::new(
            "r",
            "https://api.acme.test",
            Environment::Test,
            ContentType::Json,
            auth.clone(),
        );
        let selected = Selected::from_record(&record, None)?;
        let mut request = http::Request::get("/x").body(Vec::<u8>::new()).unwrap();
        apply(&selected, &mut request, &Options::at(1_700_000_000))
    }

    fn aws(access_key: &str, region: &str, service: &str, token: Option<&str>) -> Authentication {
        Authentication::Aws4 {
            access_key: access_key.into(),
            secret_key: "secret".into(),
            region: region.into(),
            service: service.into(),
            base_endpoint: String::new(),
            session_token: token.map(Into::into),
        }
    }

    /// Each refused field is named once, with `apply`'s own message; `apply` fails with
    /// the first, and takes what `check` takes.
    #[test]
    fn check_names_the_fields_apply_refuses() {
        let cases: Vec<(Authentication, Vec<&str>, &str)> = vec![
            (
                Authentication::Headers {
                    key: "X Key".into(),
                    value: "a\nb".into(),
                },
                vec!["key", "value"],
                "invalid_auth_header",
            ),
            (
                Authentication::Basic {
                    username: "a:b".into(),
                    password: "p\u{7}".into(),
                },
                vec!["username", "password"],
                "invalid_username",
            ),
            (
                Authentication::Bearer {
                    key: String::new(),
                    value: "  ".into(),
                },
                vec!["value"],
                "empty_token",
            ),
            (
                aws("AK/ID", "us east", "s3", Some("")),
                vec!["access_key", "region", "session_token"],
                "invalid_aws_access_key",
            ),
            (
                aws("AKID", "us-east-1", "", None),
                vec!["service"],
                "invalid_aws_scope",
            ),
            (
                Authentication::HmacSha256 {
                    client_id: "id;1".into(),
                    client_secret: "".into(),
                },
                vec!["client_id", "client_secret"],
                "invalid_client_id",
            ),
        ];
        for (auth, fields, first_code) in cases {
            let refused = check(&auth);
            let named: Vec<&str> = refused.iter().map(|f| f.field.as_str()).collect();
            assert_eq!(named, fields, "{}", auth.type_name());
            let err = applied(&auth).unwrap_err();
            assert_eq!(err.code(), first_code, "{}", auth.type_name());
            assert_eq!(err.detail(), refused[0].message);
        }
        for fine in [
            Authentication::None,
            aws("AKID", "eu-west-3", "execute-api", Some("token")),
            Authentication::Basic {
                username: "ada".into(),
                password: String::new().into(),
            },
        ] {
            assert!(check(&fine).is_empty(), "{}", fine.type_name());
            applied(&fine).unwrap();
        }
    }

    #[test]
    fn messages_never_quote_secrets() {
        let auth = Authentication::Headers {
            key: "X-Key".into(),
            value: "hunter2\r\nx".into(),
        };
        let refused = check(&auth);
        assert_eq!(refused.len(), 1);
        assert!(!refused[0].message.contains("hunter2"));
    }
}
