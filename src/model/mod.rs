//! The API's request and response types, shared by the client and the sandbox so the
//! two cannot drift apart.
//!
//! Timestamps are RFC 3339 strings in UTC (`2026-11-23T12:00:00Z`). Identifiers are
//! opaque strings with a type prefix (`cus_`, `con_`, `cred_`, `prj_`, `tsk_`).

mod common;
mod connection;
mod connector;
mod credential;
mod customer;
mod pm;
mod webhook;
mod workspace;

pub use common::{ApiErrorBody, Page};
pub use connection::{Connection, ConnectionStatus};
pub use connector::{
    AuthType, Connector, ConnectorConfig, ConnectorConfigUpdate, FieldKind, FieldSpec,
};
#[cfg(feature = "sandbox")]
pub(crate) use credential::hint;
pub use credential::{
    Authentication, AuthenticationSummary, ContentType, CredentialRecord, CredentialRecordInput,
    Environment, ExtraHeader, OrganizationAuthentication, OrganizationAuthenticationSummary,
};
pub use customer::{Customer, CustomerCreate, CustomerListParams, CustomerUpdate};
pub use pm::{
    PmProject, PmProjectCreate, PmProjectListParams, PmProjectUpdate, PmTask, PmTaskCreate,
    PmTaskListParams, PmTaskUpdate, ProjectStatus, TaskStatus,
};
pub use webhook::{
    DeliveryStatus, WebhookDelivery, WebhookDeliveryListParams, WebhookEndpoint,
    WebhookEndpointCreated, WebhookEndpointUpdate, WorkspaceCertificatePem,
};
pub use workspace::Workspace;
