//! No `unsafe` in the crate's own code, kept so by the compiler: `Cargo.toml`'s
//! `[lints.rust] unsafe_code = "forbid"` applies to every target of the package (lib
//! and its unit tests, the `munity` binary, tests, benches, examples) and to the wasm32
//! build. wasm-bindgen's generated code needs no exception: rustc does not report this
//! lint inside the expansion of another crate's macro, while `unsafe` written by hand in
//! a `#[wasm_bindgen]` function is still refused.
//!
//! This test fails when the lint is weakened or dropped from `Cargo.toml`, when a
//! `.cargo/config.toml` passes flags that change it, or when any source file names the
//! lint in an attribute other than `forbid` (with `forbid` in place an `allow` does not
//! compile; this catches the pair "lint lowered to deny + an allow somewhere").

use std::path::{Path, PathBuf};

/// The lint's name, spelled so this file does not match its own search.
const LINT: &str = concat!("unsafe", "_code");

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The lines of the `[section]` of a TOML file, comments and blanks left out.
fn section<'a>(toml: &'a str, name: &str) -> Vec<&'a str> {
    let header = format!("[{name}]");
    toml.lines()
        .map(|line| line.split('#').next().unwrap_or("").trim())
        .skip_while(|line| *line != header)
        .skip(1)
        .take_while(|line| !line.starts_with('['))
        .filter(|line| !line.is_empty())
        .collect()
}

#[test]
fn cargo_toml_forbids_the_lint() {
    let toml = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let lints = section(&toml, "lints.rust");
    let setting: Vec<String> = lints
        .iter()
        .filter(|line| line.starts_with(LINT))
        .map(|line| line.replace(' ', ""))
        .collect();
    assert_eq!(
        setting,
        [format!("{LINT}=\"forbid\"")],
        "Cargo.toml's [lints.rust] must hold `{LINT} = \"forbid\"`, once: {lints:?}"
    );
    // `[lints] workspace = true` would replace the package's table.
    assert!(
        section(&toml, "lints").is_empty(),
        "a [lints] table overrides [lints.rust]"
    );
}

#[test]
fn no_cargo_config_flags_touch_the_lint() {
    for name in [".cargo/config.toml", ".cargo/config"] {
        let path = root().join(name);
        if let Ok(text) = std::fs::read_to_string(&path) {
            let text = text.replace('-', "_");
            assert!(!text.contains(LINT), "{} changes {LINT}", path.display());
            assert!(!text.contains("cap_lints"), "{} caps lints", path.display());
        }
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() && name != "target" && name != "node_modules" {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// True when `code` holds `allow(..)`, `expect(..)`, `warn(..)` or `deny(..)` naming the
/// lint (alone, in a list, or inside `cfg_attr`).
fn lowers(code: &str) -> bool {
    ["allow(", "expect(", "warn(", "deny("].iter().any(|level| {
        code.match_indices(level).any(|(at, _)| {
            let list = &code[at + level.len()..];
            list[..list.find(')').unwrap_or(list.len())].contains(LINT)
        })
    })
}

#[test]
fn no_source_file_lowers_the_lint() {
    let mut files = Vec::new();
    for dir in ["src", "tests", "benches", "examples", "fuzz"] {
        rust_files(&root().join(dir), &mut files);
    }
    files.push(root().join("build.rs"));
    assert!(files.len() > 50, "the sources were found: {}", files.len());
    let mut offending = Vec::new();
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        for (number, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if code.contains(LINT) && !code.contains(&format!("forbid({LINT})")) {
                offending.push(format!(
                    "{}:{}: {}",
                    file.display(),
                    number + 1,
                    line.trim()
                ));
            }
        }
    }
    assert!(
        offending.is_empty(),
        "only `forbid` may name {LINT} (Cargo.toml sets it for the whole crate):\n{}",
        offending.join("\n")
    );
}

/// The checks above catch what they claim: a lowered setting and each way to lower
/// the lint in code.
#[test]
fn the_checks_catch_a_lowered_lint() {
    let lowered = format!("[lints.rust]\n{LINT} = \"deny\"\nmissing_docs = \"warn\"\n");
    let lines = section(&lowered, "lints.rust");
    assert_eq!(
        lines,
        [
            format!("{LINT} = \"deny\""),
            "missing_docs = \"warn\"".to_owned()
        ]
    );
    for attribute in [
        format!("#[allow({LINT})]"),
        format!("#![allow(dead_code, {LINT})]"),
        format!("#[cfg_attr(target_arch = \"wasm32\", allow({LINT}))]"),
        format!("#[expect({LINT}, reason = \"ffi\")]"),
        format!("#![warn({LINT})]"),
    ] {
        assert!(lowers(&attribute), "{attribute}");
    }
    for fine in [
        format!("#![forbid({LINT})]"),
        format!("#[allow(dead_code)] fn {LINT}_probe() {{}}"),
        "#[allow(clippy::too_many_arguments)]".to_owned(),
    ] {
        assert!(!lowers(&fine), "{fine}");
    }
}
