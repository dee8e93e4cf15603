//! The parameters of a query or a form body, as the OAuth2 endpoints read them.

use std::collections::HashMap;

/// Parses `a=1&b=2` (query or form body): each name at most once.
pub(crate) fn params(text: &str) -> Result<HashMap<String, String>, String> {
    let mut out = HashMap::new();
    for (name, value) in form_urlencoded::parse(text.as_bytes()) {
        if out.insert(name.to_string(), value.into_owned()).is_some() {
            return Err(format!("the parameter `{name}` is repeated"));
        }
    }
    Ok(out)
}
