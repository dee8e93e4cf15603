//! Every error code the documentation promises (the protocol pages' tables, the npm
//! package's README, the module docs' tables) has an `ErrorCode` variant: a code added to
//! a table without a variant fails here.

use std::collections::{BTreeMap, BTreeSet};

use munity::ErrorCode;

/// The documents whose tables have a `code` column, as compiled in.
const DOCUMENTS: &[(&str, &str)] = &[
    (
        "docs/connect-link.md",
        include_str!("../../docs/connect-link.md"),
    ),
    ("docs/webhooks.md", include_str!("../../docs/webhooks.md")),
    ("docs/module.md", include_str!("../../docs/module.md")),
    ("docs/envelope.md", include_str!("../../docs/envelope.md")),
    ("docs/topology.md", include_str!("../../docs/topology.md")),
    (
        "pkg-template/README.md",
        include_str!("../../pkg-template/README.md"),
    ),
    ("src/link/mod.rs", include_str!("../../src/link/mod.rs")),
    ("src/webhook.rs", include_str!("../../src/webhook.rs")),
];

/// The backticked `snake_case` words in the `code` column of every Markdown table
/// (rust module docs too: their `//! ` is stripped first).
fn documented_codes(text: &str) -> Vec<String> {
    let mut codes = Vec::new();
    let mut column: Option<usize> = None;
    for line in text.lines() {
        let line = line.trim_start_matches("//!").trim();
        if !line.starts_with('|') {
            column = None;
            continue;
        }
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        match column {
            None => column = cells.iter().position(|c| *c == "code"),
            Some(i) => {
                let Some(cell) = cells.get(i) else { continue };
                for word in cell.split('`').skip(1).step_by(2) {
                    let snake = !word.is_empty()
                        && word.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
                    if snake {
                        codes.push(word.to_owned());
                    }
                }
            }
        }
    }
    codes
}

#[test]
fn every_documented_code_has_a_variant() {
    let mut checked = 0;
    for (name, text) in DOCUMENTS {
        let codes = documented_codes(text);
        assert!(!codes.is_empty(), "{name}: no code table found");
        for code in codes {
            let typed = ErrorCode::from(code.as_str());
            assert!(
                typed.is_known(),
                "{name}: `{code}` has no ErrorCode variant"
            );
            assert_eq!(typed.as_str(), code);
            checked += 1;
        }
    }
    assert!(
        checked >= 20,
        "only {checked} codes found: is the table reader broken?"
    );
}

#[test]
fn the_reader_finds_codes_and_only_in_code_columns() {
    let text = "| code | kind |\n|---|---|\n| `link_used` | `Conflict` |\n\n| name | x |\n| `not_a_code` | y |\n";
    assert_eq!(documented_codes(text), ["link_used"]);
}

/// The package's sources: where its errors are made (src/wasm/), compiled in.
const PACKAGE_SOURCES: &[(&str, &str)] = &[
    ("src/wasm/mod.rs", include_str!("../../src/wasm/mod.rs")),
    (
        "src/wasm/connect.rs",
        include_str!("../../src/wasm/connect.rs"),
    ),
    ("src/wasm/error.rs", include_str!("../../src/wasm/error.rs")),
    ("src/wasm/flow.rs", include_str!("../../src/wasm/flow.rs")),
    ("src/wasm/http.rs", include_str!("../../src/wasm/http.rs")),
    (
        "src/wasm/link_source.rs",
        include_str!("../../src/wasm/link_source.rs"),
    ),
    ("src/wasm/popup.rs", include_str!("../../src/wasm/popup.rs")),
    (
        "src/wasm/subtle.rs",
        include_str!("../../src/wasm/subtle.rs"),
    ),
    ("src/wasm/types.rs", include_str!("../../src/wasm/types.rs")),
    ("src/wasm/ui.rs", include_str!("../../src/wasm/ui.rs")),
];

/// The codes of the package's `MunityErrorCode` TypeScript union (its declared
/// contract, which also lists the codes the core and the API's connect routes give it).
fn declared_package_codes() -> BTreeSet<String> {
    let mod_rs = include_str!("../../src/wasm/mod.rs");
    let start = mod_rs
        .find("export type MunityErrorCode =")
        .expect("src/wasm/mod.rs declares MunityErrorCode");
    let union = &mod_rs[start..];
    let union = &union[..union.find(';').expect("the union ends with ;")];
    union
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// `LinkInvalid` -> `link_invalid`.
fn snake(variant: &str) -> String {
    let mut out = String::new();
    for (i, c) in variant.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// The first string literal after `at` in `text`, if only whitespace and `,` come before.
fn literal_after(text: &str) -> Option<&str> {
    let rest = text.trim_start_matches(|c: char| c.is_whitespace() || c == ',');
    let rest = rest.strip_prefix('"')?;
    rest.split('"').next()
}

/// The codes the package's sources make errors with: `wire::Variant` constants and the
/// literal codes of `Error::new(ErrorKind::_, "code", ..)`, `Error::invalid("code", ..)`
/// and `from_js(.., ErrorKind::_, "code", ..)`.
fn codes_in_package_sources() -> BTreeMap<String, &'static str> {
    let mut codes = BTreeMap::new();
    for (name, text) in PACKAGE_SOURCES {
        let mut found = Vec::new();
        for tail in text.split("ErrorKind::").skip(1) {
            let kind_end = tail
                .find(|c: char| !c.is_ascii_alphanumeric())
                .unwrap_or(tail.len());
            found.extend(literal_after(&tail[kind_end..]));
        }
        for tail in text.split("Error::invalid(").skip(1) {
            found.extend(literal_after(tail));
        }
        for tail in text.split("wire::").skip(1) {
            let variant: String = tail
                .chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect();
            if !variant.is_empty() {
                codes.entry(snake(&variant)).or_insert(*name);
            }
        }
        for code in found {
            codes.entry(code.to_owned()).or_insert(*name);
        }
    }
    codes
}

#[test]
fn the_package_declares_every_code_its_sources_make() {
    let declared = declared_package_codes();
    assert!(declared.len() >= 15, "the union reader found {declared:?}");
    let made = codes_in_package_sources();
    assert!(made.len() >= 10, "the source reader found {made:?}");
    let mut problems = Vec::new();
    for (code, file) in made {
        if !ErrorCode::from(code.as_str()).is_known() {
            problems.push(format!(
                "{file} makes `{code}`, which has no ErrorCode variant"
            ));
        }
        if !declared.contains(&code) {
            problems.push(format!(
                "{file} makes `{code}`, which MunityErrorCode (src/wasm/mod.rs) does not list"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_package_readme_documents_exactly_the_codes_the_package_emits() {
    let documented: BTreeSet<String> =
        documented_codes(include_str!("../../pkg-template/README.md"))
            .into_iter()
            .collect();
    let emitted = declared_package_codes();
    let undocumented: Vec<_> = emitted.difference(&documented).collect();
    let stale: Vec<_> = documented.difference(&emitted).collect();
    assert!(
        undocumented.is_empty() && stale.is_empty(),
        "pkg-template/README.md's code table: missing {undocumented:?}, never emitted {stale:?}"
    );
}
