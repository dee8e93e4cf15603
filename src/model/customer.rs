use serde::{Deserialize, Serialize};

/// A customer of the product: the end user's organisation whose data is read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Customer {
    /// Munity's id (a UUID; opaque). Not the id connect links carry: that is
    /// [`external_id`](Self::external_id).
    pub id: String,
    /// The product's own ("internal") id for this customer; unique in a workspace. A
    /// connect link's `customer` is this id: the first connection through a link for an
    /// id never seen creates the customer with it (named after it).
    pub external_id: String,
    /// Display name.
    pub name: String,
    /// Contact email, if known.
    #[serde(default)]
    pub email: Option<String>,
    /// When it was created (RFC 3339).
    pub created_at: String,
    /// When it was last changed (RFC 3339).
    pub updated_at: String,
}

/// The body of `POST customers/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerCreate {
    /// The product's own id for this customer, unique in the workspace: 1 to 256 bytes
    /// of UTF-8 without control characters (the rule of a connect link's `customer`).
    pub external_id: String,
    /// Display name (1 to 200 characters).
    pub name: String,
    /// Contact email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

impl CustomerCreate {
    /// A customer with the product's id and a display name.
    pub fn new(external_id: impl Into<String>, name: impl Into<String>) -> Self {
        CustomerCreate {
            external_id: external_id.into(),
            name: name.into(),
            email: None,
        }
    }

    /// Sets the contact email.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }
}

/// The body of `PATCH customers/{id}/`: only the fields that are set change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerUpdate {
    /// New display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New contact email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// Query of `GET customers/`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerListParams {
    /// Only the customer with this external id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// 1-based page number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// Items per page (1 to 100, default 20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u32>,
}
