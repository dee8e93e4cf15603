//! Field checks for request bodies: each failed check adds a per-field message, and the
//! request fails with 400 `validation` listing them all.

use crate::model::open_enum::OpenEnum;
use crate::sandbox::error::ApiError;
use crate::FieldError;

/// The most origins a workspace lists.
pub(crate) const MAX_ALLOWED_ORIGINS: usize = 32;

/// Collects field errors.
#[derive(Debug, Default)]
pub(crate) struct Checks(Vec<FieldError>);

impl Checks {
    pub(crate) fn new() -> Checks {
        Checks::default()
    }

    /// Adds an error.
    pub(crate) fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    /// Adds an error unless `field` has one already (two rules refusing one value say
    /// it once).
    pub(crate) fn fail_once(&mut self, field: &str, message: impl Into<String>) {
        if !self.0.iter().any(|e| e.field == field) {
            self.fail(field, message);
        }
    }

    /// `value` must have `min..=max` characters and not be blank.
    pub(crate) fn text(&mut self, field: &str, value: &str, min: usize, max: usize) {
        let len = value.chars().count();
        if min > 0 && value.trim().is_empty() {
            self.fail(field, "must not be blank");
        } else if len < min || len > max {
            self.fail(field, format!("must have {min} to {max} characters"));
        }
    }

    /// Like [`Checks::text`] for an optional field.
    pub(crate) fn opt_text(&mut self, field: &str, value: Option<&str>, min: usize, max: usize) {
        if let Some(value) = value {
            self.text(field, value, min, max);
        }
    }

    /// An optional value of one of the API's enums: the sandbox, like the API it
    /// models, takes only the values it knows (the model keeps others as `Unknown` so
    /// that clients read newer answers).
    pub(crate) fn known<T: OpenEnum>(&mut self, field: &str, value: Option<&T>) {
        if value.is_some_and(|v| !v.is_known()) {
            self.fail(field, unknown_value_message::<T>());
        }
    }

    /// An optional email address: `local@domain`, at most 254 characters.
    pub(crate) fn email(&mut self, field: &str, value: Option<&str>) {
        let Some(value) = value else { return };
        let ok = value.len() <= 254
            && value.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
            })
            && !value.chars().any(char::is_whitespace);
        if !ok {
            self.fail(field, "must be an email address");
        }
    }

    /// An optional calendar date `YYYY-MM-DD`.
    pub(crate) fn date(&mut self, field: &str, value: Option<&str>) {
        let Some(value) = value else { return };
        let ok =
            crate::time::parse_rfc3339(&format!("{value}T00:00:00Z")).is_ok() && value.len() == 10;
        if !ok {
            self.fail(field, "must be a date YYYY-MM-DD");
        }
    }

    /// An `http://` or `https://` URL with a host.
    pub(crate) fn url(&mut self, field: &str, value: &str) {
        let rest = value
            .strip_prefix("https://")
            .or_else(|| value.strip_prefix("http://"));
        let ok = rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
            && value.len() <= 2048
            && !value.chars().any(|c| c.is_whitespace() || c.is_control());
        if !ok {
            self.fail(field, "must be an http:// or https:// URL");
        }
    }

    /// A list of web origins ([`Origin`](crate::origin::Origin)'s rules), at most
    /// [`MAX_ALLOWED_ORIGINS`]: their canonical forms, without repeats (each bad entry
    /// fails as `field[i]`).
    pub(crate) fn origins(&mut self, field: &str, values: &[String]) -> Vec<String> {
        if values.len() > MAX_ALLOWED_ORIGINS {
            self.fail(
                field,
                format!("must list at most {MAX_ALLOWED_ORIGINS} origins"),
            );
        }
        let mut canonical: Vec<String> = Vec::with_capacity(values.len());
        for (i, value) in values.iter().enumerate() {
            match crate::origin::Origin::parse(value) {
                Ok(origin) if !canonical.iter().any(|c| c == origin.as_str()) => {
                    canonical.push(origin.as_str().to_owned());
                }
                Ok(_) => {}
                Err(err) => self.fail(&format!("{field}[{i}]"), err.detail().to_owned()),
            }
        }
        canonical
    }

    /// Succeeds if no check failed.
    pub(crate) fn finish(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::validation(self.0))
        }
    }
}

/// The message for a value of `T` that is not one of its known values.
pub(crate) fn unknown_value_message<T: OpenEnum>() -> String {
    format!("must be one of: {}", T::WIRE_NAMES.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_every_failure() {
        let mut c = Checks::new();
        c.text("name", " ", 1, 10);
        c.email("email", Some("nope"));
        c.date("due_date", Some("2026-02-30"));
        c.url("base_url", "ftp://x");
        c.email("ok", Some("ada@example.com"));
        c.date("ok", Some("2026-02-28"));
        c.url("ok", "https://api.example.com/v2");
        let err = c.finish().unwrap_err();
        let fields: Vec<_> = err.0.fields().iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["name", "email", "due_date", "base_url"]);
    }
}
