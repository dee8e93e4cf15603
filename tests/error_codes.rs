//! Every error code the documentation promises (the protocol pages' tables, the npm
//! package's README, the module docs' tables) has an `ErrorCode` variant: a code added to
//! a table without a variant fails here.

use munity::ErrorCode;

/// The documents whose tables have a `code` column, as compiled in.
const DOCUMENTS: &[(&str, &str)] = &[
    (
        "docs/connect-link.md",
        include_str!("../docs/connect-link.md"),
    ),
    ("docs/webhooks.md", include_str!("../docs/webhooks.md")),
    ("docs/module.md", include_str!("../docs/module.md")),
    ("docs/envelope.md", include_str!("../docs/envelope.md")),
    ("docs/topology.md", include_str!("../docs/topology.md")),
    (
        "pkg-template/README.md",
        include_str!("../pkg-template/README.md"),
    ),
    ("src/link/mod.rs", include_str!("../src/link/mod.rs")),
    ("src/webhook.rs", include_str!("../src/webhook.rs")),
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
