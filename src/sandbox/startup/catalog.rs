//! The connector catalog the sandbox seeds: a few real-world connectors (one per way of
//! connecting) and one custom connector per credential-record authentication.

use crate::model::{AuthScheme, AuthType, Connector, FieldKind, FieldSpec};

fn connector(
    name: &str,
    display_name: &str,
    categories: &[&str],
    auth_type: AuthType,
    fields: Vec<FieldSpec>,
) -> Connector {
    Connector {
        name: name.to_owned(),
        display_name: display_name.to_owned(),
        categories: categories.iter().map(|c| (*c).to_owned()).collect(),
        auth_type,
        fields,
    }
}

fn text(name: &str, label: &str) -> FieldSpec {
    FieldSpec::new(name, label, FieldKind::Text, true)
}

fn secret(name: &str, label: &str) -> FieldSpec {
    FieldSpec::new(name, label, FieldKind::Password, true)
}

fn url(name: &str, label: &str) -> FieldSpec {
    FieldSpec::new(name, label, FieldKind::Url, true)
}

/// The seeded catalog, in the order `GET connectors/` lists it.
pub(crate) fn catalog() -> Vec<Connector> {
    const PM: &[&str] = &["project_management"];
    const CUSTOM: &[&str] = &["custom"];
    vec![
        connector("jira", "Jira", PM, AuthType::Oauth2, Vec::new()),
        connector("asana", "Asana", PM, AuthType::Oauth2, Vec::new()),
        connector(
            "pipedrive",
            "Pipedrive",
            &["crm"],
            AuthType::ApiKey,
            vec![
                secret("api_key", "API token").help("Settings > Personal preferences > API"),
                text("company_domain", "Company domain"),
            ],
        ),
        connector(
            "odoo",
            "Odoo",
            &["erp", "crm"],
            AuthType::UserCredentials,
            vec![
                url("url", "Odoo URL"),
                text("database", "Database"),
                text("username", "Username"),
                secret("password", "Password"),
            ],
        ),
        connector(
            "retailcrm",
            "RetailCRM",
            &["crm", "ecommerce"],
            AuthType::Module,
            Vec::new(),
        ),
        connector(
            "custom_headers",
            "Custom API (header)",
            CUSTOM,
            AuthScheme::Headers.into(),
            vec![text("key", "Header name"), secret("value", "Header value")],
        ),
        connector(
            "custom_basic",
            "Custom API (Basic)",
            CUSTOM,
            AuthScheme::Basic.into(),
            vec![text("username", "Username"), secret("password", "Password")],
        ),
        connector(
            "custom_bearer",
            "Custom API (bearer token)",
            CUSTOM,
            AuthScheme::Bearer.into(),
            vec![
                FieldSpec::new("key", "Header name", FieldKind::Text, false)
                    .help("Authorization when empty"),
                secret("value", "Token"),
            ],
        ),
        connector(
            "custom_aws4",
            "Custom API (AWS Signature V4)",
            CUSTOM,
            AuthScheme::Aws4.into(),
            vec![
                text("access_key", "Access key id"),
                secret("secret_key", "Secret access key"),
                text("region", "Region"),
                text("service", "Service"),
                url("base_endpoint", "Base endpoint"),
                FieldSpec::new("session_token", "Session token", FieldKind::Password, false),
            ],
        ),
        connector(
            "custom_hmac_sha256",
            "Custom API (HMAC-SHA256)",
            CUSTOM,
            AuthScheme::HmacSha256.into(),
            vec![
                text("client_id", "Client id"),
                secret("client_secret", "Client secret"),
            ],
        ),
        connector(
            "custom_none",
            "Custom API (no authentication)",
            CUSTOM,
            AuthScheme::None.into(),
            Vec::new(),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scheme added to the table gets its custom connector here, or this fails.
    #[test]
    fn every_record_scheme_has_a_custom_connector() {
        let catalog = catalog();
        for scheme in AuthScheme::ALL {
            let custom = catalog
                .iter()
                .find(|c| c.auth_type == AuthType::Record(*scheme));
            assert_eq!(
                custom.map(|c| c.name.as_str()),
                Some(format!("custom_{scheme}").as_str())
            );
        }
    }
}
