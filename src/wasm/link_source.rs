//! Where a flow gets its connect link: a string, or a function returning a Promise of a
//! fresh link. With a function, a flow that fails with `link_expired` or `link_used`
//! asks it once more for a new link and goes on (a link sits in a page for a while
//! before the end user acts; the product's backend can mint a new one).

use std::future::Future;

use js_sys::{Function, Promise};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::error::from_js;
use crate::error_code::wire;
use crate::{Error, ErrorKind, Result};

/// A link, or the product's function that makes a fresh one.
#[derive(Debug, Clone)]
pub(crate) enum LinkSource {
    /// A fixed link: used as is, never renewed.
    Fixed(String),
    /// `() => Promise<string>` (or a function returning a string directly).
    Fresh(Function),
}

/// Codes after which a fresh link may succeed where the old one failed.
fn renewable(err: &Error) -> bool {
    err.needs_new_link()
}

impl LinkSource {
    /// Reads a `LinkSource` argument.
    pub(crate) fn from_js(value: &JsValue) -> Result<LinkSource> {
        if let Some(link) = value.as_string() {
            return Ok(LinkSource::Fixed(link));
        }
        match value.dyn_ref::<Function>() {
            Some(function) => Ok(LinkSource::Fresh(function.clone())),
            None => Err(Error::invalid(
                wire::LinkInvalid,
                "a link must be a string or a function returning a Promise of one",
            )),
        }
    }

    /// The link: the fixed one, or a new one from the function.
    pub(crate) async fn get(&self) -> Result<String> {
        let function = match self {
            LinkSource::Fixed(link) => return Ok(link.clone()),
            LinkSource::Fresh(function) => function,
        };
        let failed = |err: &JsValue| {
            from_js(
                err,
                ErrorKind::InvalidInput,
                wire::LinkInvalid,
                "the link function failed",
            )
        };
        let returned = function.call0(&JsValue::NULL).map_err(|e| failed(&e))?;
        let value = match returned.dyn_into::<Promise>() {
            Ok(promise) => JsFuture::from(promise).await.map_err(|e| failed(&e))?,
            Err(value) => value,
        };
        value.as_string().ok_or_else(|| {
            Error::invalid(
                wire::LinkInvalid,
                "the link function's Promise did not resolve to a string",
            )
        })
    }

    /// Runs `flow` with a link; if it fails with `link_expired` or `link_used` and the
    /// source is a function, runs it once more with a fresh link.
    pub(crate) async fn run<T, F, Fut>(&self, mut flow: F) -> Result<T>
    where
        F: FnMut(String) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let link = self.get().await?;
        match flow(link).await {
            Err(err) if renewable(&err) && matches!(self, LinkSource::Fresh(_)) => {
                let link = self.get().await?;
                flow(link).await
            }
            other => other,
        }
    }
}
