use serde::{Deserialize, Serialize};

use crate::error::FieldError;

/// One page of a list: `{"count", "next", "previous", "results"}`.
///
/// `next` and `previous` are absolute URLs of the neighbouring pages, or `null`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Page<T> {
    /// The number of items in the whole list (all pages).
    pub count: u64,
    /// The URL of the next page, if any.
    pub next: Option<String>,
    /// The URL of the previous page, if any.
    pub previous: Option<String>,
    /// This page's items.
    pub results: Vec<T>,
}

impl<T> Page<T> {
    /// A page.
    pub fn new(
        count: u64,
        next: Option<String>,
        previous: Option<String>,
        results: Vec<T>,
    ) -> Self {
        Page {
            count,
            next,
            previous,
            results,
        }
    }
}

/// The body of every error answer: `{"code", "detail"}`, plus `fields` for validation
/// errors (HTTP 400).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiErrorBody {
    /// Stable machine code, e.g. `permission_denied`.
    pub code: String,
    /// Human-readable explanation.
    pub detail: String,
    /// Per-field errors, for validation failures.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}
