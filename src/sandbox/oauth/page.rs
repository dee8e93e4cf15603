//! The HTML pages of the OAuth2 flow: the provider's consent page and the platform's
//! callback page, which hands the result to the opener with `postMessage` aimed at the
//! opener's origin only, then closes the popup.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// Escapes text for HTML element content and double-quoted attributes.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// JSON that is safe inside a `<script>` element (no `<`, `>`, `&` or line separators
/// that could end it or change its meaning).
pub(crate) fn script_json(value: &serde_json::Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// A complete page with the shared style.
pub(crate) fn html(status: StatusCode, title: &str, body: &str) -> Response {
    let page = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>{STYLE}</style></head><body><main>{body}</main></body></html>\n",
        title = escape(title),
    );
    let mut response = (status, page).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    response
}

const STYLE: &str =
    "body{font-family:system-ui,sans-serif;margin:0;background:#f4f5f7;color:#172b4d}\
main{max-width:26rem;margin:3rem auto;padding:1.5rem;background:#fff;border-radius:8px;\
box-shadow:0 1px 3px rgba(0,0,0,.2)}h1{font-size:1.3rem}.actions{display:flex;gap:.75rem}\
button{font-size:1rem;padding:.6rem 1.2rem;border-radius:4px;border:1px solid #888;cursor:pointer}\
button.primary{background:#0052cc;color:#fff;border-color:#0052cc}\
button:focus-visible{outline:3px solid #ffab00;outline-offset:2px}";

/// The consent page: Approve or Deny, posting the authorization request back.
pub(crate) fn consent(provider: &str, hidden: &[(&str, &str)]) -> Response {
    let fields: String = hidden
        .iter()
        .map(|(name, value)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                escape(name),
                escape(value)
            )
        })
        .collect();
    let provider = escape(provider);
    let body = format!(
        "<h1>Sign in to {provider} (sandbox)</h1>\
         <p>The Munity sandbox application asks to access your {provider} account: \
         read your projects and tasks.</p>\
         <form method=\"post\" action=\"/oauth/provider/decide\">{fields}\
         <div class=\"actions\">\
         <button class=\"primary\" type=\"submit\" name=\"decision\" value=\"approve\" autofocus>Approve</button>\
         <button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>\
         </div></form>"
    );
    html(StatusCode::OK, &format!("{provider} – authorize"), &body)
}

/// The callback page: posts `message` to the opener at `origin` only, then closes.
pub(crate) fn post_to_opener(origin: &str, message: &serde_json::Value) -> Response {
    let origin_json = script_json(&serde_json::Value::String(origin.to_owned()));
    let message_json = script_json(message);
    let body = format!(
        "<p role=\"status\">Returning to the application…</p>\
         <script>(function(){{var m={message_json};var o={origin_json};\
         if(window.opener){{window.opener.postMessage(m,o);}}window.close();}})();</script>"
    );
    html(StatusCode::OK, "Munity sandbox", &body)
}

/// A page for a request that cannot be answered to any opener.
pub(crate) fn failure(status: StatusCode, detail: &str) -> Response {
    html(
        status,
        "Munity sandbox: error",
        &format!(
            "<h1>The request cannot be completed</h1><p>{}</p>",
            escape(detail)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(
            escape("<a href=\"x\">'&"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;"
        );
        let json = script_json(&serde_json::json!({"x": "</script><b>&"}));
        assert!(!json.contains('<') && !json.contains('>') && !json.contains('&'));
    }
}
