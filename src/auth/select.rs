//! Choosing the authentication of a call: the record of the wanted environment and, for
//! an organization-specific record, the organization's entry.

use crate::error::{Error, ErrorKind, Result};
use crate::model::{Authentication, CredentialRecordInput, Environment};

/// A record and the authentication chosen in it: what [`crate::auth::apply`] needs.
#[derive(Debug, Clone, Copy)]
pub struct Selected<'a> {
    /// The record (base URL, content type, extra headers).
    pub record: &'a CredentialRecordInput,
    /// The authentication to apply.
    pub auth: &'a Authentication,
}

impl<'a> Selected<'a> {
    /// The authentication of one record: its `auth`, or for an organization-specific
    /// record the entry of `organization`.
    ///
    /// Errors: `organization_required` when the record is organization-specific and no
    /// organization is given, `organization_not_found` when it has no entry for it,
    /// `credential_without_auth` when the record holds no authentication at all.
    pub fn from_record(
        record: &'a CredentialRecordInput,
        organization: Option<&str>,
    ) -> Result<Selected<'a>> {
        let auth = if record.is_organization_specific() {
            let organization = organization.ok_or_else(|| {
                Error::invalid(
                    "organization_required",
                    format!(
                        "credential record `{}` is organization-specific: name the organization",
                        record.name
                    ),
                )
            })?;
            &record
                .organizations
                .iter()
                .find(|o| o.organization_id == organization)
                .ok_or_else(|| {
                    Error::new(
                        ErrorKind::NotFound,
                        "organization_not_found",
                        format!(
                            "credential record `{}` has no entry for organization `{organization}`",
                            record.name
                        ),
                    )
                })?
                .auth
        } else {
            record.auth.as_ref().ok_or_else(|| {
                Error::new(
                    ErrorKind::Config,
                    "credential_without_auth",
                    format!(
                        "credential record `{}` holds no authentication",
                        record.name
                    ),
                )
            })?
        };
        Ok(Selected { record, auth })
    }
}

/// Chooses among `records` the one for `environment` (any, when `None`) and in it the
/// authentication for `organization` (see [`Selected::from_record`]).
///
/// Errors: `credential_not_found` when no record is for the environment,
/// `credential_ambiguous` when several are, plus those of [`Selected::from_record`].
///
/// ```
/// use munity::auth::select;
/// use munity::model::{Authentication, ContentType, CredentialRecordInput, Environment};
///
/// let records = vec![
///     CredentialRecordInput::new("Acme (test)", "https://sandbox.acme.test", Environment::Test, ContentType::Json, Authentication::None),
///     CredentialRecordInput::new("Acme", "https://api.acme.test", Environment::Production, ContentType::Json, Authentication::None),
/// ];
/// let chosen = select(&records, Some(Environment::Production), None).unwrap();
/// assert_eq!(chosen.record.name, "Acme");
/// assert_eq!(select(&records, None, None).unwrap_err().code(), "credential_ambiguous");
/// ```
pub fn select<'a>(
    records: &'a [CredentialRecordInput],
    environment: Option<Environment>,
    organization: Option<&str>,
) -> Result<Selected<'a>> {
    let mut matching = records
        .iter()
        .filter(|r| environment.as_ref().is_none_or(|e| r.environment == *e));
    let record = match (matching.next(), matching.next()) {
        (Some(record), None) => record,
        (None, _) => {
            return Err(Error::new(
                ErrorKind::NotFound,
                "credential_not_found",
                match &environment {
                    Some(e) => format!("no credential record is for the {} environment", e),
                    None => "there is no credential record".to_owned(),
                },
            ))
        }
        (Some(_), Some(_)) => {
            return Err(Error::invalid(
                "credential_ambiguous",
                match &environment {
                    Some(e) => format!("several credential records are for the {} environment", e),
                    None => "several credential records match: name the environment".to_owned(),
                },
            ))
        }
    };
    Selected::from_record(record, organization)
}
