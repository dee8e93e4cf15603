//! A resource's path as the client calls it, with its template for tracing: the one
//! place an id becomes a path segment (percent-encoded by [`query::segment`]).

use super::query;
use crate::Result;

/// A resource's path and its template: `customers/cus_1/` and `customers/{id}/`. The
/// template names the call in its tracing span without the ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiPath {
    pub(crate) path: String,
    pub(crate) template: String,
}

impl From<&'static str> for ApiPath {
    /// A path without ids: its own template.
    fn from(path: &'static str) -> Self {
        ApiPath {
            path: path.to_owned(),
            template: path.to_owned(),
        }
    }
}

impl ApiPath {
    /// This path followed by `rest`.
    pub(crate) fn join(mut self, rest: ApiPath) -> ApiPath {
        self.path.push_str(&rest.path);
        self.template.push_str(&rest.template);
        self
    }
}

/// `prefix` + one encoded id segment + `suffix`, e.g. `customers/` `cus_1` `/`; the
/// template has `{id}` in its place.
pub(crate) fn path(prefix: &str, id: &str, suffix: &str) -> Result<ApiPath> {
    named(prefix, "{id}", id, suffix)
}

/// [`path`] with another placeholder in the template, e.g. `{name}`.
pub(crate) fn named(prefix: &str, placeholder: &str, id: &str, suffix: &str) -> Result<ApiPath> {
    Ok(ApiPath {
        path: format!("{prefix}{}{suffix}", query::segment(id)?),
        template: format!("{prefix}{placeholder}{suffix}"),
    })
}
