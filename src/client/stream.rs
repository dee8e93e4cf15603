//! A lazy stream of a list's items across its pages.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use futures_util::StreamExt as _;
use http::Method;
use serde::de::DeserializeOwned;

use super::api_path::ApiPath;
use super::query;
use super::Client;
use crate::model::Page;
use crate::Result;

/// The items of a list, page after page, fetched only when the consumer reaches them.
///
/// It holds at most one page: the next page is requested when the previous page's
/// items have all been yielded, so memory does not grow with the number of pages. An
/// error ends the stream after being yielded once. Pages follow each other by `page`
/// number, with the list's other query parameters unchanged, until the server says there
/// is no `next` page.
#[must_use = "streams do nothing unless polled"]
pub struct ItemStream<T> {
    inner: Pin<Box<dyn Stream<Item = Result<T>> + Send>>,
}

impl<T> std::fmt::Debug for ItemStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ItemStream { .. }")
    }
}

struct State<T> {
    client: Client,
    path: ApiPath,
    query: Vec<(String, String)>,
    next_page: Option<u64>,
    items: std::vec::IntoIter<T>,
}

impl<T: DeserializeOwned + Send + 'static> ItemStream<T> {
    /// A stream over the list at `path` (relative), starting at the `page` in `query`
    /// (or 1).
    pub(crate) fn new(client: Client, path: ApiPath, query: Vec<(String, String)>) -> Self {
        let first = query
            .iter()
            .find(|(k, _)| k == "page")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(1);
        let state = State {
            client,
            path,
            query,
            next_page: Some(first),
            items: Vec::new().into_iter(),
        };
        let inner = futures_util::stream::unfold(state, |mut st| async move {
            loop {
                if let Some(item) = st.items.next() {
                    return Some((Ok(item), st));
                }
                let page_no = st.next_page.take()?;
                // Free the spent page before fetching the next one.
                st.items = Vec::new().into_iter();
                query::set(&mut st.query, "page", page_no.to_string());
                let page: Result<Page<T>> = st
                    .client
                    .request(Method::GET, &st.path.path)
                    .template(st.path.template.clone())
                    .query_pairs(st.query.clone())
                    .send()
                    .await;
                match page {
                    Ok(page) => {
                        // An empty page with a `next` link would loop forever: stop.
                        if page.next.is_some() && !page.results.is_empty() {
                            st.next_page = Some(page_no + 1);
                        }
                        st.items = page.results.into_iter();
                    }
                    Err(e) => return Some((Err(e), st)),
                }
            }
        });
        ItemStream {
            inner: Box::pin(inner),
        }
    }

    /// A stream that yields `err` and ends.
    pub(crate) fn failed(err: crate::Error) -> Self {
        ItemStream {
            inner: Box::pin(futures_util::stream::once(async move { Err(err) })),
        }
    }

    /// Reads the whole list into a `Vec`, or returns the first error.
    pub async fn try_collect_all(mut self) -> Result<Vec<T>> {
        let mut out = Vec::new();
        while let Some(item) = self.inner.next().await {
            out.push(item?);
        }
        Ok(out)
    }
}

impl<T> Stream for ItemStream<T> {
    type Item = Result<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}
