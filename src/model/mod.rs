//! The API's request and response types, shared by the client and the sandbox so the
//! two cannot drift apart.
//!
//! Timestamps are RFC 3339 strings in UTC (`2026-11-23T12:00:00Z`). Identifiers are
//! opaque strings: compare them, store them, send them back, never parse them.
//!
//! Forward compatible: answers may hold fields this version does not know (they are
//! ignored), and every enum the API returns ([`AuthType`], [`FieldKind`],
//! [`ConnectionStatus`], [`ProjectStatus`], [`TaskStatus`], [`Environment`],
//! [`ContentType`]) keeps a value it does not know as `Unknown(String)`, so one new
//! value never fails a page.

mod auth_scheme;
mod common;
mod connect_session;
mod connection;
mod connector;
mod credential;
mod customer;
pub(crate) mod open_enum;
mod pm;
mod webhook;
mod workspace;

pub use auth_scheme::AuthScheme;
pub use common::{ApiErrorBody, Page};
pub use connect_session::{ConnectSession, ConnectSessionCustomer};
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
pub use workspace::{Workspace, WorkspaceUpdate};
