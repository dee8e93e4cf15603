//! What handlers take from a request (the authenticated caller, JSON bodies, list
//! queries) and what they give back ([`Reply`]), with errors shaped as the API's.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, OriginalUri, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::model::open_enum::OpenEnum;
use crate::model::Page;
use crate::sandbox::error::ApiError;
use crate::sandbox::store::rows::Paging;
use crate::FieldError;

/// The largest request body accepted (1 MiB).
pub(crate) const BODY_LIMIT: usize = 1 << 20;

/// The authenticated caller, put in the request by the auth middleware.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    /// The API key's public prefix (its id).
    pub(crate) key_prefix: String,
    /// The key's workspace.
    pub(crate) workspace_id: String,
}

/// An `Idempotency-Key` with the hash of the request it came with, put in the request by
/// the idempotency middleware.
#[derive(Debug, Clone)]
pub(crate) struct IdempotencyRequest {
    pub(crate) key: String,
    pub(crate) request_hash: Vec<u8>,
}

/// What a handler knows about who is asking.
#[derive(Debug, Clone)]
pub(crate) struct Ctx {
    pub(crate) caller: Caller,
    pub(crate) idempotency: Option<IdempotencyRequest>,
}

impl Ctx {
    /// The caller's workspace.
    pub(crate) fn workspace(&self) -> &str {
        &self.caller.workspace_id
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let caller = parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or_else(|| ApiError::unauthenticated("no API key was checked"))?;
        Ok(Ctx {
            caller,
            idempotency: parts.extensions.get::<IdempotencyRequest>().cloned(),
        })
    }
}

/// The field a missing- or duplicate-field error names (`missing field `name``).
fn missing_field(message: &str) -> Option<&str> {
    let rest = message
        .strip_prefix("missing field `")
        .or_else(|| message.strip_prefix("duplicate field `"))?;
    rest.split('`').next()
}

/// Whether a body is a JSON array: serde reads a struct from an array of its fields in
/// order, which the API does not accept (its bodies are objects).
fn is_array(bytes: &[u8]) -> bool {
    bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[')
}

/// Parses a JSON body: malformed JSON is 400 `invalid_json`; JSON of the wrong shape is
/// 400 `validation` naming the field.
pub(crate) fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if is_array(bytes) {
        return Err(ApiError::field("body", "must be a JSON object"));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let parsed: Result<T, _> = serde_path_to_error::deserialize(&mut de);
    let value = match parsed {
        Ok(value) => value,
        Err(err) => {
            let path = err.path().to_string();
            let inner = err.into_inner();
            let message = crate::redact::json_message(&inner);
            if inner.is_data() {
                let field = match (path.as_str(), missing_field(&message)) {
                    (".", Some(name)) => name.to_owned(),
                    (parent, Some(name)) => format!("{parent}.{name}"),
                    (".", None) => "body".to_owned(),
                    (path, None) => path.to_owned(),
                };
                return Err(ApiError::validation(vec![FieldError::new(field, message)]));
            }
            return Err(ApiError::new(400, "invalid_json", message));
        }
    };
    de.end()
        .map_err(|e| ApiError::new(400, "invalid_json", crate::redact::json_message(&e)))?;
    Ok(value)
}

/// A JSON request body of type `T`.
#[derive(Debug)]
pub(crate) struct JsonBody<T>(pub(crate) T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::payload_too_large(BODY_LIMIT)
            } else {
                ApiError::new(400, "invalid_json", "the request body could not be read")
            }
        })?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// A path parameter (`{id}`, or a tuple of them). An id whose percent-decoding is not
/// UTF-8 names no object: 404 `not_found` in JSON (axum's own rejection is plain text).
#[derive(Debug)]
pub(crate) struct Path<T>(pub(crate) T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| Path(value))
            .map_err(|_| ApiError::not_found("resource"))
    }
}

/// The query of a list request: `page`, `page_size` and the filters.
#[derive(Debug)]
pub(crate) struct ListQuery {
    path: String,
    pairs: Vec<(String, String)>,
    pub(crate) paging: Paging,
    errors: Vec<FieldError>,
}

/// The default page size.
pub(crate) const DEFAULT_PAGE_SIZE: u32 = 20;
/// The largest page size.
pub(crate) const MAX_PAGE_SIZE: u32 = 100;

impl ListQuery {
    fn parse(path: &str, query: &str) -> ListQuery {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let mut q = ListQuery {
            path: path.to_owned(),
            pairs,
            paging: Paging {
                page: 1,
                page_size: DEFAULT_PAGE_SIZE,
            },
            errors: Vec::new(),
        };
        if let Some(page) = q.get("page") {
            match page.parse::<u32>() {
                Ok(page) if page >= 1 => q.paging.page = page,
                _ => q
                    .errors
                    .push(FieldError::new("page", "must be a whole number from 1")),
            }
        }
        if let Some(size) = q.get("page_size") {
            match size.parse::<u32>() {
                Ok(size) if (1..=MAX_PAGE_SIZE).contains(&size) => q.paging.page_size = size,
                _ => q.errors.push(FieldError::new(
                    "page_size",
                    format!("must be a whole number from 1 to {MAX_PAGE_SIZE}"),
                )),
            }
        }
        q
    }

    /// A query parameter's value (the last one if repeated).
    pub(crate) fn get(&self, name: &str) -> Option<String> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }

    /// An enum parameter; a value the API does not know is a field error.
    pub(crate) fn get_enum<T: OpenEnum>(&mut self, name: &str) -> Option<T> {
        let text = self.get(name)?;
        let parsed = T::from(text.as_str());
        if parsed.is_known() {
            Some(parsed)
        } else {
            self.errors.push(FieldError::new(
                name,
                crate::sandbox::http::validate::unknown_value_message::<T>(),
            ));
            None
        }
    }

    /// Fails with 400 `validation` if any parameter was invalid.
    pub(crate) fn check(&mut self) -> Result<Paging, ApiError> {
        if self.errors.is_empty() {
            Ok(self.paging)
        } else {
            Err(ApiError::validation(std::mem::take(&mut self.errors)))
        }
    }

    fn url_of_page(&self, origin: &str, page: u32) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        let mut placed = false;
        for (k, v) in &self.pairs {
            if k == "page" {
                if !placed {
                    query.append_pair("page", &page.to_string());
                    placed = true;
                }
            } else {
                query.append_pair(k, v);
            }
        }
        if !placed {
            query.append_pair("page", &page.to_string());
        }
        format!("{origin}{}?{}", self.path, query.finish())
    }

    /// The page of `count` items in all whose items on this page are `results`.
    pub(crate) fn page<T>(&self, origin: &str, count: u64, results: Vec<T>) -> Page<T> {
        let Paging { page, page_size } = self.paging;
        let seen = u64::from(page) * u64::from(page_size);
        let next = (seen < count).then(|| self.url_of_page(origin, page.saturating_add(1)));
        let previous = (page > 1).then(|| self.url_of_page(origin, page - 1));
        Page::new(count, next, previous, results)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ListQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let uri = parts
            .extensions
            .get::<OriginalUri>()
            .map(|o| o.0.clone())
            .unwrap_or_else(|| parts.uri.clone());
        Ok(ListQuery::parse(uri.path(), uri.query().unwrap_or("")))
    }
}

/// A successful answer: a status and a JSON body (or none, for 204).
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) body: Vec<u8>,
    pub(crate) replayed: bool,
}

impl Reply {
    /// An answer with a JSON body.
    pub(crate) fn json<T: Serialize>(status: StatusCode, value: &T) -> Result<Reply, ApiError> {
        let body = serde_json::to_vec(value).map_err(|e| ApiError::internal(&e))?;
        Ok(Reply {
            status,
            body,
            replayed: false,
        })
    }

    /// 200 with a JSON body.
    pub(crate) fn ok<T: Serialize>(value: &T) -> Result<Reply, ApiError> {
        Reply::json(StatusCode::OK, value)
    }

    /// 201 with a JSON body.
    pub(crate) fn created<T: Serialize>(value: &T) -> Result<Reply, ApiError> {
        Reply::json(StatusCode::CREATED, value)
    }

    /// 204 without a body.
    pub(crate) fn no_content() -> Reply {
        Reply {
            status: StatusCode::NO_CONTENT,
            body: Vec::new(),
            replayed: false,
        }
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let mut response = if self.status == StatusCode::NO_CONTENT {
            self.status.into_response()
        } else {
            (
                self.status,
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                )],
                self.body,
            )
                .into_response()
        };
        if self.replayed {
            response
                .headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(json: &str) -> String {
        /// A closed enum (the API model's are open: they read any string).
        #[derive(Debug, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        enum Kind {
            Test,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Body {
            count: u32,
            tags: Vec<String>,
            kind: Kind,
        }
        match parse_json::<Body>(json.as_bytes()) {
            Ok(body) => panic!("parsed {body:?}"),
            Err(err) => format!("{err:?}"),
        }
    }

    #[test]
    fn serde_messages_leave_the_values_out() {
        let secret = "tok-Zq9vX2mK7tPfL4wR8nYc";
        for (json, expected) in [
            (
                format!(r#"{{"count": "{secret}", "tags": [], "kind": "test"}}"#),
                "invalid type: string, expected u32",
            ),
            (
                format!(r#"{{"count": 1, "tags": "{secret}", "kind": "test"}}"#),
                "invalid type: string, expected a sequence",
            ),
            (
                format!(r#"{{"count": 1, "tags": [], "kind": "{secret}"}}"#),
                "unknown variant, expected ",
            ),
            (
                r#"{"count": -7, "tags": [], "kind": "test"}"#.to_owned(),
                "invalid value: integer, expected u32",
            ),
        ] {
            let message = message(&json);
            assert!(!message.contains(secret), "{message}");
            assert!(!message.contains("-7"), "{message}");
            assert!(message.contains(expected), "{json}: {message}");
        }
    }
}
