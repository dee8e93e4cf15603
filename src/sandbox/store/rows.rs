//! What every table's queries share: resource ids, timestamps, enum and JSON columns,
//! and paged, filtered listing.

use rusqlite::Connection;

/// A new resource id: a random UUID (version 4, RFC 9562), lower-case and hyphenated,
/// as the API's documentation shows ids (`f87cc67d-b594-4407-a90d-b26cfdae8f14`). No
/// type prefix: clients treat ids as opaque strings.
pub(crate) fn new_id() -> String {
    let mut b = crate::random::bytes::<16>();
    b[6] = (b[6] & 0x0f) | 0x40; // version 4
    b[8] = (b[8] & 0x3f) | 0x80; // variant 10 (RFC 9562)
    let hex = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// Whether `text` is an id as [`new_id`] writes it (any UUID version, lower case).
#[cfg(test)]
pub(crate) fn is_uuid(text: &str) -> bool {
    text.len() == 36
        && text.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_digit() || (b'a'..=b'f').contains(&b),
        })
}

/// The current time as the API writes it (RFC 3339, UTC).
pub(crate) fn now() -> String {
    crate::time::format_rfc3339(crate::time::now_unix())
}

/// The wire name of a `snake_case` enum (`in_progress`), for a TEXT column.
pub(crate) fn enum_text<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        _ => String::new(),
    }
}

/// Reads an enum column (a value this version does not know reads as `Unknown`).
pub(crate) fn enum_column<T: for<'a> From<&'a str>>(
    row: &rusqlite::Row<'_>,
    index: usize,
) -> rusqlite::Result<T> {
    let text: String = row.get(index)?;
    Ok(T::from(text.as_str()))
}

/// Reads a JSON column.
pub(crate) fn json_column<T: serde::de::DeserializeOwned>(
    row: &rusqlite::Row<'_>,
    index: usize,
) -> rusqlite::Result<T> {
    let text: String = row.get(index)?;
    // The column may hold secrets (credential records): the error goes through the
    // crate's redaction, which leaves serde's quoted values out.
    serde_json::from_str(&text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(
            index,
            rusqlite::types::Type::Text,
            Box::new(crate::Error::from(e)),
        )
    })
}

/// A page request: 1-based page and page size.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Paging {
    pub(crate) page: u32,
    pub(crate) page_size: u32,
}

impl Paging {
    fn offset(self) -> i64 {
        i64::from(self.page.saturating_sub(1)) * i64::from(self.page_size)
    }
}

/// A `WHERE` clause built from optional filters, with its parameters.
#[derive(Debug, Default)]
pub(crate) struct Filter {
    clauses: Vec<&'static str>,
    params: Vec<rusqlite::types::Value>,
}

impl Filter {
    /// Adds `clause` (with one `?`) bound to `value`.
    pub(crate) fn and(mut self, clause: &'static str, value: impl Into<String>) -> Self {
        self.clauses.push(clause);
        self.params.push(rusqlite::types::Value::Text(value.into()));
        self
    }

    /// Adds `clause` bound to `value` when it is set.
    pub(crate) fn and_opt(self, clause: &'static str, value: Option<String>) -> Self {
        match value {
            Some(value) => self.and(clause, value),
            None => self,
        }
    }

    /// Counts the matching rows of `table` and reads one page of them (in creation
    /// order) with `columns`, mapping each with `map`.
    pub(crate) fn page<T>(
        &self,
        conn: &Connection,
        table: &str,
        columns: &str,
        paging: Paging,
        map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<(u64, Vec<T>)> {
        let where_sql = if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        };
        let count: i64 = conn.query_row(
            &format!("SELECT COUNT(*) FROM {table}{where_sql}"),
            rusqlite::params_from_iter(self.params.iter()),
            |row| row.get(0),
        )?;
        let mut params = self.params.clone();
        params.push(rusqlite::types::Value::Integer(i64::from(paging.page_size)));
        params.push(rusqlite::types::Value::Integer(paging.offset()));
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {columns} FROM {table}{where_sql} ORDER BY seq LIMIT ? OFFSET ?"
        ))?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(params.iter()), map)?
            .collect::<rusqlite::Result<Vec<T>>>()?;
        Ok((u64::try_from(count).unwrap_or(0), rows))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_random_version_4_uuids() {
        let a = super::new_id();
        let b = super::new_id();
        assert_ne!(a, b);
        for id in [&a, &b] {
            assert!(super::is_uuid(id), "{id}");
            assert_eq!(&id[14..15], "4", "{id}");
            assert!("89ab".contains(&id[19..20]), "{id}");
        }
        assert!(!super::is_uuid("cus_aQTohzMRoBNBTKwoM4n2"));
        assert!(!super::is_uuid("F87CC67D-B594-4407-A90D-B26CFDAE8F14"));
    }
}
