//! The demo page and the npm package, served from folders: `www/` at `/` (`/` itself is
//! `index.html`, a path ending in `/` its folder's `index.html`) and the built package at
//! `/pkg/`.
//!
//! Only `GET` and `HEAD`; a path is served only when every segment is plain (letters,
//! digits, `.`, `-`, `_`, not starting with `.`): no `..`, no percent-encoding, no hidden
//! files; and the file, symbolic links resolved, must lie inside its folder. Anything
//! else is the API's JSON 404.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderValue, Method, Response, StatusCode, Uri};
use axum::response::IntoResponse;

use super::error::ApiError;
use super::state::AppState;

/// The URL prefix of the package.
const PKG_PREFIX: &str = "/pkg/";

/// The folders served (either may be absent).
#[derive(Debug, Clone, Default)]
pub(crate) struct StaticRoots {
    www: Option<PathBuf>,
    pkg: Option<PathBuf>,
}

impl StaticRoots {
    /// `www` at `/`, `pkg` at `/pkg/`.
    pub(crate) fn new(www: Option<PathBuf>, pkg: Option<PathBuf>) -> StaticRoots {
        StaticRoots { www, pkg }
    }

    /// The folder and the relative path a URL path names, if it names one.
    fn locate(&self, path: &str) -> Option<(&Path, String)> {
        let (root, rest) = match path.strip_prefix(PKG_PREFIX) {
            Some(rest) => (self.pkg.as_deref()?, rest),
            None => (self.www.as_deref()?, path.strip_prefix('/')?),
        };
        let mut relative = rest.to_owned();
        if relative.is_empty() || relative.ends_with('/') {
            relative.push_str("index.html");
        }
        relative
            .split('/')
            .all(plain_segment)
            .then_some((root, relative))
    }
}

/// A segment that names a file or folder inside its parent and nothing else.
fn plain_segment(segment: &str) -> bool {
    !segment.is_empty()
        && !segment.starts_with('.')
        && segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

/// The `Content-Type` of a file name.
pub(crate) fn content_type(name: &str) -> &'static str {
    let extension = name.rsplit_once('.').map(|(_, ext)| ext).unwrap_or("");
    match extension.to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" | "md" => "text/plain; charset=utf-8",
        "ts" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Reads `relative` inside `root`, refusing anything that resolves outside it.
fn read_inside(root: &Path, relative: &str) -> Option<Vec<u8>> {
    let root = root.canonicalize().ok()?;
    let file = root.join(relative).canonicalize().ok()?;
    if !file.starts_with(&root) || !file.is_file() {
        return None;
    }
    std::fs::read(file).ok()
}

/// The fallback handler: a file of `www/` or of the package, or a JSON 404.
pub(crate) async fn serve(
    State(state): State<Arc<AppState>>,
    method: Method,
    uri: Uri,
) -> Response<Body> {
    if method != Method::GET && method != Method::HEAD {
        return ApiError::not_found("resource").into_response();
    }
    let Some((root, relative)) = state.statics.locate(uri.path()) else {
        return ApiError::not_found("resource").into_response();
    };
    let root = root.to_path_buf();
    let name = relative.clone();
    let bytes = tokio::task::spawn_blocking(move || read_inside(&root, &relative))
        .await
        .ok()
        .flatten();
    let Some(bytes) = bytes else {
        return ApiError::not_found("file").into_response();
    };
    let length = bytes.len();
    let body = if method == Method::HEAD {
        Body::empty()
    } else {
        Body::from(bytes)
    };
    let mut response = Response::new(body);
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(&name)),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types() {
        assert_eq!(content_type("a.wasm"), "application/wasm");
        assert_eq!(content_type("a.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("a.mjs"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("x"), "application/octet-stream");
    }

    #[test]
    fn locate_refuses_traversal_and_hidden_files() {
        let roots = StaticRoots::new(Some("/w".into()), Some("/p".into()));
        assert_eq!(
            roots.locate("/").map(|(r, p)| (r.to_path_buf(), p)),
            Some(("/w".into(), "index.html".to_owned()))
        );
        assert_eq!(
            roots
                .locate("/pkg/a.wasm")
                .map(|(r, p)| (r.to_path_buf(), p)),
            Some(("/p".into(), "a.wasm".to_owned()))
        );
        for bad in [
            "/../etc/passwd",
            "/a/../../b",
            "/pkg/../x",
            "/%2e%2e/x",
            "/.git/config",
            "//etc/passwd",
            "/a\\b",
            "/a/./b",
        ] {
            assert!(roots.locate(bad).is_none(), "{bad}");
        }
        assert!(StaticRoots::default().locate("/index.html").is_none());
    }
}
