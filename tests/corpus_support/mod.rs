//! Reading the bad-input corpus (`tests/corpus/<kind>/*.case`, format in
//! `tests/corpus/README.md`): a case's expectations, request headers and input bytes,
//! with `${...}` templates expanded against the values the running test supplies.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;

/// The corpus folder.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// What the sandbox must answer: status, code (`None`: no JSON body expected, the
/// connection layer answered), and optionally a field named in `fields`.
#[derive(Debug, Clone)]
pub struct HttpExpect {
    pub status: u16,
    pub code: Option<String>,
    pub field: Option<String>,
}

/// One case file.
#[derive(Debug, Clone)]
pub struct Case {
    /// `<kind>/<file name>`, for assertion messages.
    pub name: String,
    /// `expect:` the library's error code.
    pub expect: Option<String>,
    /// `kind:` the library error's `ErrorKind` (its Debug name).
    pub kind: Option<String>,
    /// `http:` the sandbox's answer.
    pub http: Option<HttpExpect>,
    /// The other `key: value` lines (`request`, `auth`, `raw`, `file`...).
    pub meta: BTreeMap<String, String>,
    /// `> Name: value` lines, templates not yet expanded.
    pub headers: Vec<(String, String)>,
    /// The input, templates not yet expanded (or the contents of `file:`).
    pub body: Vec<u8>,
}

impl Case {
    fn parse(name: String, bytes: &[u8]) -> Case {
        let (head, body) = split_head(bytes);
        let head = std::str::from_utf8(head)
            .unwrap_or_else(|_| panic!("{name}: the head of a case must be UTF-8"));
        let mut case = Case {
            name,
            expect: None,
            kind: None,
            http: None,
            meta: BTreeMap::new(),
            headers: Vec::new(),
            body: body.to_vec(),
        };
        let mut http = None;
        for line in head.lines() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(header) = line.strip_prefix("> ") {
                let (k, v) = header
                    .split_once(':')
                    .unwrap_or_else(|| panic!("{}: header line {line:?}", case.name));
                case.headers
                    .push((k.trim().to_owned(), v.trim().to_owned()));
                continue;
            }
            let (key, value) = line
                .split_once(':')
                .unwrap_or_else(|| panic!("{}: line {line:?} is not `key: value`", case.name));
            let value = value.trim().to_owned();
            match key.trim() {
                "expect" => case.expect = Some(value),
                "kind" => case.kind = Some(value),
                "http" => http = Some(value),
                other => {
                    case.meta.insert(other.to_owned(), value);
                }
            }
        }
        case.http = http.map(|value| case.parse_http(&value));
        if let Some(file) = case.meta.get("file") {
            case.body = std::fs::read(root().join(file))
                .unwrap_or_else(|e| panic!("{}: file {file}: {e}", case.name));
        }
        case
    }

    /// `<status> [code|-] [field]`; the code defaults to `expect:`.
    fn parse_http(&self, value: &str) -> HttpExpect {
        let mut words = value.split_whitespace();
        let status = words
            .next()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("{}: `http:` needs a status", self.name));
        let code = match words.next() {
            Some("-") => None,
            Some(code) => Some(code.to_owned()),
            None => Some(self.expect.clone().unwrap_or_else(|| {
                panic!("{}: `http:` without a code and no `expect:`", self.name)
            })),
        };
        HttpExpect {
            status,
            code,
            field: words.next().map(str::to_owned),
        }
    }

    /// A `key:` line's value.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.meta.get(key).map(String::as_str)
    }

    /// The input with its templates expanded (a `file:` input is taken as it is).
    pub fn input(&self, vars: &Vars) -> Vec<u8> {
        if self.meta.contains_key("file") {
            return self.body.clone();
        }
        vars.expand(&self.name, &self.body)
    }

    /// The input as text (for the entry points that take `&str`).
    pub fn text(&self, vars: &Vars) -> String {
        String::from_utf8(self.input(vars))
            .unwrap_or_else(|_| panic!("{}: this kind's input must be UTF-8", self.name))
    }

    /// The request headers with their templates expanded.
    pub fn headers(&self, vars: &Vars) -> Vec<(String, Vec<u8>)> {
        self.headers
            .iter()
            .map(|(k, v)| (k.clone(), vars.expand(&self.name, v.as_bytes())))
            .collect()
    }
}

/// Head and body: the body starts after the first empty line; one final newline is
/// not part of it.
fn split_head(bytes: &[u8]) -> (&[u8], &[u8]) {
    let (head, body) = match bytes.windows(2).position(|w| w == b"\n\n") {
        Some(at) => (&bytes[..at], &bytes[at + 2..]),
        None => (bytes, &[][..]),
    };
    (head, body.strip_suffix(b"\n").unwrap_or(body))
}

/// Every case of a kind, by file name.
pub fn load(kind: &str) -> Vec<Case> {
    let dir = root().join(kind);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "case"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no cases in {}", dir.display());
    paths
        .iter()
        .map(|path| {
            let file = path.file_name().unwrap_or_default().to_string_lossy();
            let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            Case::parse(format!("{kind}/{file}"), &bytes)
        })
        .collect()
}

/// Checks a library error against a case's `expect:` (and `kind:`); `None` when it
/// matches, else the message naming the case.
pub fn check_error(case: &Case, err: &munity::Error) -> Option<String> {
    let expect = case.expect.as_deref().unwrap_or("<none>");
    let kind = format!("{:?}", err.kind());
    if err.code() != expect || case.kind.as_deref().is_some_and(|k| k != kind) {
        return Some(format!(
            "{}: expected {expect} ({}), got {} ({kind}): {err}",
            case.name,
            case.kind.as_deref().unwrap_or("any kind"),
            err.code()
        ));
    }
    if err.detail().is_empty() {
        return Some(format!("{}: the error has no detail", case.name));
    }
    None
}

/// Fails with every message at once, so one run lists every wrong case.
pub fn assert_all(kind: &str, count: usize, failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} of {count} {kind} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("{kind}: {count} cases");
}

/// The values templates refer to.
#[derive(Debug, Default, Clone)]
pub struct Vars(BTreeMap<String, Vec<u8>>);

impl Vars {
    pub fn new() -> Vars {
        Vars::default()
    }

    pub fn set(&mut self, name: &str, value: impl AsRef<[u8]>) -> &mut Vars {
        self.0.insert(name.to_owned(), value.as_ref().to_vec());
        self
    }

    /// Every value, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    /// Expands `${name}` and `${fn args}` (see the README), innermost first.
    pub fn expand(&self, case: &str, input: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(input.len());
        let mut rest = input;
        while let Some(at) = rest.windows(2).position(|w| w == b"${") {
            out.extend_from_slice(&rest[..at]);
            let inner_start = at + 2;
            let mut depth = 1usize;
            let mut end = None;
            for (i, b) in rest[inner_start..].iter().enumerate() {
                match b {
                    b'{' => depth += 1,
                    b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(inner_start + i);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let end = end.unwrap_or_else(|| panic!("{case}: unclosed `${{`"));
            let inner = self.expand(case, &rest[inner_start..end]);
            out.extend(self.call(case, &inner));
            rest = &rest[end + 1..];
        }
        out.extend_from_slice(rest);
        out
    }

    fn call(&self, case: &str, inner: &[u8]) -> Vec<u8> {
        let text = String::from_utf8_lossy(inner);
        let (name, arg) = match inner.iter().position(|b| *b == b' ') {
            Some(at) => (&text[..at], &inner[at + 1..]),
            None => (&*text, &[][..]),
        };
        match name {
            "b64url" => URL_SAFE_NO_PAD.encode(arg).into_bytes(),
            "b64" => STANDARD.encode(arg).into_bytes(),
            "hex" => String::from_utf8_lossy(arg)
                .split_whitespace()
                .map(|h| {
                    u8::from_str_radix(h, 16).unwrap_or_else(|_| panic!("{case}: hex byte {h}"))
                })
                .collect(),
            "repeat" => {
                let arg = String::from_utf8_lossy(arg);
                let (count, what) = arg.split_once(' ').unwrap_or((&arg, ""));
                let count: usize = count
                    .parse()
                    .unwrap_or_else(|_| panic!("{case}: repeat count {count}"));
                what.repeat(count).into_bytes()
            }
            "sp" => b" ".to_vec(),
            "nl" => b"\n".to_vec(),
            "crlf" => b"\r\n".to_vec(),
            var => self
                .0
                .get(var)
                .cloned()
                .unwrap_or_else(|| panic!("{case}: unknown template `${{{var}}}`")),
        }
    }
}

pub mod inputs;
