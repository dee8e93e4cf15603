//! The one path from untrusted input to an error message.
//!
//! Input may hold a secret: a token pasted where an object belongs, a password in a
//! decrypted envelope of the wrong shape, an API key in a module's registration body.
//! serde quotes the values it rejects (`invalid type: string "<value>"`, ``unknown
//! variant `<value>` ``), so no message is built from a serde error's text directly: every
//! caller goes through [`json_error`] (or [`serde_message`] for serde errors of other
//! formats), and names taken from input (a `kid`, an `alg`) through [`printable`]. A
//! server's answer goes through `without_key` (the client's API key, should the server
//! echo it), a configured URL through `url_without_credentials`.

/// serde's message with the offending value left out: `invalid type: string "<value>",
/// expected X` becomes `invalid type: string, expected X`, `unknown variant `<value>`,
/// expected ...` becomes `unknown variant, expected ...`. Other messages (`missing field
/// `url``, syntax errors) name no input value and pass unchanged.
pub(crate) fn serde_message(message: &str) -> String {
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = message.strip_prefix(prefix) {
            let (unexpected, expected) = rest.rsplit_once(", expected ").unwrap_or((rest, ""));
            let kind = unexpected
                .split_once([' ', '"', '`'])
                .map_or(unexpected, |(kind, _)| kind);
            return match expected {
                "" => format!("{prefix}{kind}"),
                expected => format!("{prefix}{kind}, expected {expected}"),
            };
        }
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        return match rest.rsplit_once("`, expected ") {
            Some((_, expected)) => format!("unknown variant, expected {expected}"),
            None => "unknown variant".to_owned(),
        };
    }
    message.to_owned()
}

/// A serde_json error's message without input values and without its position: what
/// a per-field validation error says.
pub(crate) fn json_message(err: &serde_json::Error) -> String {
    let text = err.to_string();
    let text = match (err.line(), text.rfind(" at line ")) {
        (1.., Some(at)) => &text[..at],
        _ => text.as_str(),
    };
    serde_message(text)
}

/// A serde_json error as a message: what was wrong, without input values, and where
/// (`invalid type: string, expected u32 at line 1 column 12`).
pub(crate) fn json_error(err: &serde_json::Error) -> String {
    let message = json_message(err);
    match err.line() {
        0 => message,
        line => format!("{message} at line {line} column {}", err.column()),
    }
}

/// A name taken from input (a key id, an algorithm), made short and printable for a
/// message: at most 40 characters, anything but printable ASCII as `?`.
pub(crate) fn printable(text: &str) -> String {
    let mut out: String = text
        .chars()
        .take(40)
        .map(|c| if c.is_ascii_graphic() { c } else { '?' })
        .collect();
    if text.chars().count() > 40 {
        out.push_str("...");
    }
    out
}

/// `text` with every occurrence of the API key (`whole`, as `ApiKey::expose` gives it)
/// or its secret part replaced, so that a server echoing the key back cannot make the
/// client print it.
#[cfg(feature = "native")]
pub(crate) fn without_key(text: String, whole: &str) -> String {
    let secret = whole.split_once('.').map_or(whole, |(_, s)| s);
    if secret.is_empty() || !text.contains(secret) {
        return text;
    }
    text.replace(whole, "[redacted]")
        .replace(secret, "[redacted]")
}

/// A URL without its user name and password (`https://user:pass@host/p` becomes
/// `https://host/p`): what an API answer or a log may show of a URL a user configured.
/// Text that is no URL is shown as `[redacted]`, since where its credentials are cannot
/// be told.
#[cfg(feature = "sandbox")]
pub(crate) fn url_without_credentials(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.username().is_empty() && parsed.password().is_none() {
                // As the user wrote it (not normalized).
                return url.to_owned();
            }
            // Fails only for URLs that cannot have credentials (`mailto:`), which have none.
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
            parsed.into()
        }
        Err(_) => "[redacted]".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "tok-Zq9vX2mK7tPfL4wR8nYc";

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    enum Kind {
        Test,
    }

    #[test]
    fn serde_messages_lose_their_values() {
        let quoted = format!("\"{SECRET}\"");
        let cases = [
            (
                serde_json::from_str::<u32>(&quoted).map(drop),
                "invalid type: string, expected u32",
            ),
            (
                serde_json::from_str::<Kind>(&quoted).map(drop),
                "unknown variant, expected `Test`",
            ),
            (
                serde_json::from_str::<u8>("-7").map(drop),
                "invalid value: integer, expected u8",
            ),
            (
                serde_json::from_str::<Vec<u8>>(&quoted).map(drop),
                "invalid type: string, expected a sequence",
            ),
        ];
        for (result, expected) in cases {
            let err = result.unwrap_err();
            assert_eq!(json_message(&err), expected);
            assert_eq!(
                json_error(&err),
                format!("{expected} at line 1 column {}", err.column())
            );
        }
        let other = "missing field `url`";
        assert_eq!(serde_message(other), other);
    }

    #[test]
    fn errors_without_a_position_have_none() {
        let value = serde_json::Value::String(SECRET.to_owned());
        let err = serde_json::from_value::<u32>(value).unwrap_err();
        assert_eq!(json_error(&err), "invalid type: string, expected u32");
    }

    #[test]
    fn syntax_errors_keep_their_position() {
        let err = serde_json::from_str::<u32>(&format!("{{\"{SECRET}")).unwrap_err();
        let message = json_error(&err);
        assert!(!message.contains(SECRET), "{message}");
        assert!(message.contains(" at line 1 column "), "{message}");
    }

    #[test]
    #[cfg(feature = "sandbox")]
    fn urls_lose_their_credentials() {
        let cases = [
            (
                "https://u:p@example.com/hook?x=1",
                "https://example.com/hook?x=1",
            ),
            (
                "http://only-user@127.0.0.1:8080/h",
                "http://127.0.0.1:8080/h",
            ),
            ("https://example.com/hook", "https://example.com/hook"),
            ("HTTPS://Example.com", "HTTPS://Example.com"),
            ("https://a:b@c@example.com/", "https://example.com/"),
            ("not a url u:p@x", "[redacted]"),
        ];
        for (url, shown) in cases {
            assert_eq!(url_without_credentials(url), shown, "{url}");
        }
    }

    #[test]
    fn printable_is_short_and_ascii() {
        assert_eq!(printable("ES256"), "ES256");
        assert_eq!(printable("a\u{7f}é\n"), "a???");
        assert_eq!(printable(&"x".repeat(50)), format!("{}...", "x".repeat(40)));
    }
}
