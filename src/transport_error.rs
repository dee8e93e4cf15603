//! One sentence for a request that got no answer: reqwest's message and each of its
//! causes (`connect error: Connection refused (os error 111)`...). The client's errors
//! and the sandbox's webhook delivery log both use it.

/// `what: <error>: <cause>: <cause>...`. Pass an error from `without_url()`: the URL may
/// carry a user name and password, and it is never part of the sentence.
pub(crate) fn describe(what: &str, err: &reqwest::Error) -> String {
    format!("{what}: {}", chain(err))
}

/// `<error>: <cause>: <cause>...`, for a caller that names the request elsewhere (the
/// client's errors carry their call as fields). Pass an error from `without_url()`.
pub(crate) fn chain(err: &reqwest::Error) -> String {
    let mut out = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        out.push_str(": ");
        out.push_str(&cause.to_string());
        source = cause.source();
    }
    out
}
