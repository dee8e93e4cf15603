//! The credentials an end user submits, checked against the connector's fields.

use crate::envelope::Credentials;
use crate::model::Connector;
use crate::FieldError;

/// Checks `credentials` against `connector`'s field schema: a connector that connects
/// another way (OAuth 2.0, a module) takes none; otherwise every required field must be
/// present and not blank, and no field may be one the connector does not have.
///
/// Each error names its field as the credentials object does (`api_key`; the empty name
/// for the object itself); messages never quote values. The browser checks before
/// sealing, the platform again after opening: the same errors on both sides.
pub fn check_credentials(connector: &Connector, credentials: &Credentials) -> Vec<FieldError> {
    if let Some(why) = connector.auth_type.connects_without_credentials() {
        return vec![FieldError::new("", why)];
    }
    let mut errors = Vec::new();
    for spec in connector.fields.iter().filter(|spec| spec.required) {
        let filled = credentials
            .get(&spec.name)
            .is_some_and(|value| !value.expose().trim().is_empty());
        if !filled {
            errors.push(FieldError::new(&spec.name, "is required"));
        }
    }
    // A linear search: a connector has a handful of fields, and collecting them into a
    // set would bring a sort into the browser build.
    for name in credentials.names() {
        if !connector.fields.iter().any(|spec| spec.name == name) {
            errors.push(FieldError::new(name, "is not a field of this connector"));
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AuthType, FieldKind, FieldSpec};

    fn connector(auth_type: AuthType) -> Connector {
        Connector {
            name: "odoo".into(),
            display_name: "Odoo".into(),
            categories: Vec::new(),
            auth_type,
            fields: vec![
                FieldSpec::new("username", "Username", FieldKind::Text, true),
                FieldSpec::new("password", "Password", FieldKind::Password, true),
                FieldSpec::new("totp", "One-time code", FieldKind::Text, false),
            ],
        }
    }

    fn named(errors: &[FieldError]) -> Vec<(&str, &str)> {
        errors
            .iter()
            .map(|e| (e.field.as_str(), e.message.as_str()))
            .collect()
    }

    #[test]
    fn required_blank_and_foreign_fields_are_named() {
        let credentials = Credentials::new()
            .with("username", "ada")
            .with("password", "  ")
            .with("pin", "1234");
        assert_eq!(
            named(&check_credentials(
                &connector(AuthType::UserCredentials),
                &credentials
            )),
            [
                ("password", "is required"),
                ("pin", "is not a field of this connector")
            ]
        );
        let filled = Credentials::new()
            .with("username", "ada")
            .with("password", "hunter2");
        assert!(check_credentials(&connector(AuthType::UserCredentials), &filled).is_empty());
    }

    #[test]
    fn connectors_that_connect_another_way_take_no_credentials() {
        let none = Credentials::new();
        for (auth_type, way) in [
            (AuthType::Oauth2, "with OAuth 2.0"),
            (AuthType::Module, "as a module (the system registers it)"),
        ] {
            assert_eq!(
                named(&check_credentials(&connector(auth_type), &none)),
                [(
                    "",
                    format!("the connector connects {way} and takes no credentials").as_str()
                )]
            );
        }
    }
}
