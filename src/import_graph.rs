//! The crate's modules must not import each other in a loop (one file per module; a
//! module using its own parts, the modules it declares, is not a dependency on them,
//! so `super::` from a child is no loop; and a re-export
//! (`pub use a::Item;`) is a name, not a dependency: a path through it counts as a path
//! to where the item lives). This reads every file under `src/` (the `munity` binary in
//! `src/bin/` is another crate), outside comments and `#[cfg(test)]` modules, finds each
//! path that names another module (`crate::…`, `super::…`, a child module's `name::…`,
//! with `{…}` groups expanded), and fails on any cycle, naming it. A test-only module.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A module's path below `crate` (`["sandbox", "http", "routes", "connect"]`).
type ModPath = Vec<String>;

/// The module a file under `src/` defines (`sandbox/http/mod.rs` is
/// `["sandbox", "http"]`, `lib.rs` the root).
fn module_of(relative: &str) -> ModPath {
    let trimmed = relative.trim_end_matches(".rs");
    let mut parts: ModPath = trimmed.split('/').map(str::to_owned).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

/// Whether the statement starting at `at` in `code` is a re-export (`pub use`,
/// `pub(crate) use`, `pub(super) use`), and where it ends (after its `;`).
fn reexport_at(code: &str, at: usize) -> Option<usize> {
    let rest = &code[at..];
    let after_pub = rest.strip_prefix("pub")?;
    let after_vis = match after_pub.strip_prefix('(') {
        Some(inner) => &inner[inner.find(')')? + 1..],
        None => after_pub,
    };
    after_vis.trim_start().strip_prefix("use ")?;
    Some(at + rest.find(';')? + 1)
}

/// The re-exports of one module's code: each exported name (or `as` alias) with the
/// path after `use` that it names, and the code with those statements removed.
fn split_reexports(code: &str) -> (Vec<(String, Vec<String>)>, String) {
    let mut names = Vec::new();
    let mut rest = String::new();
    let mut at = 0;
    while at < code.len() {
        let line_start = at == 0 || code.as_bytes()[at - 1] == b'\n';
        let indent = code[at..].len() - code[at..].trim_start_matches([' ', '\t']).len();
        if line_start {
            if let Some(end) = reexport_at(code, at + indent) {
                let statement = &code[at + indent..end];
                let path = &statement[statement.find("use ").unwrap_or(0) + 4..];
                let (paths, _) = paths_at(path.trim_end_matches(';'));
                for path in paths {
                    if let Some(last) = path.last() {
                        names.push((last.clone(), path.clone()));
                    }
                }
                // `pub use a::B as C;`: the alias is the name the module exports.
                if let Some(alias) = statement.trim_end_matches(';').rsplit_once(" as ") {
                    if let Some((_, path)) = names.last() {
                        let path = path.clone();
                        names.push((alias.1.trim().to_owned(), path));
                    }
                }
                at = end;
                continue;
            }
        }
        let next = code[at..].find('\n').map_or(code.len(), |i| at + i + 1);
        rest.push_str(&code[at..next]);
        at = next;
    }
    (names, rest)
}

/// The text of a file without comments and without its `#[cfg(test)]` modules (they
/// may use anything).
fn code_of(text: &str) -> String {
    let mut out = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("//") {
            continue;
        }
        if trimmed.starts_with("#[cfg(test)]") {
            let next = lines.peek().map(|l| l.trim_start()).unwrap_or("");
            if next.starts_with("mod ") && next.trim_end().ends_with('{') {
                // Skip the module up to its closing brace at the same indentation.
                let indent = line.len() - trimmed.len();
                let close = format!("{}}}", " ".repeat(indent));
                for inner in lines.by_ref() {
                    if inner.trim_end() == close {
                        break;
                    }
                }
            } else if next.starts_with("mod ") {
                lines.next();
            }
            continue;
        }
        let code = match line.find("//") {
            Some(at) if !line[..at].contains('"') => &line[..at],
            _ => line,
        };
        out.push_str(code);
        out.push('\n');
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The paths of a `use`-style tree starting at `text` (after a `::`): `a::b`,
/// `{a, b::{c, d}}`; returns each full path and how many bytes were read.
fn paths_at(text: &str) -> (Vec<Vec<String>>, usize) {
    let bytes = text.as_bytes();
    let mut at = 0;
    let skip_space = |at: &mut usize| {
        while *at < bytes.len() && (bytes[*at] as char).is_whitespace() {
            *at += 1;
        }
    };
    skip_space(&mut at);
    if at < bytes.len() && bytes[at] == b'{' {
        at += 1;
        let mut all = Vec::new();
        loop {
            skip_space(&mut at);
            if at >= bytes.len() {
                break;
            }
            match bytes[at] {
                b'}' => {
                    at += 1;
                    break;
                }
                b',' => at += 1,
                _ => {
                    let (paths, read) = paths_at(&text[at..]);
                    if read == 0 {
                        at += 1;
                    }
                    at += read;
                    all.extend(paths);
                }
            }
        }
        return (all, at);
    }
    let start = at;
    while at < bytes.len() && is_ident(bytes[at] as char) {
        at += 1;
    }
    let segment = text[start..at].to_owned();
    if segment.is_empty() {
        return (vec![vec![]], at);
    }
    if text[at..].starts_with("::") {
        let (rest, read) = paths_at(&text[at + 2..]);
        let paths = rest
            .into_iter()
            .map(|mut p| {
                p.insert(0, segment.clone());
                p
            })
            .collect();
        (paths, at + 2 + read)
    } else {
        (vec![vec![segment]], at)
    }
}

/// The modules, and each module's re-exports (name -> the module the name lives in).
struct Tree {
    modules: BTreeSet<ModPath>,
    reexports: BTreeMap<ModPath, BTreeMap<String, ModPath>>,
}

/// The deepest known module a path names, starting from `base`; a name a module
/// re-exports leads to the module it comes from.
fn resolve(tree: &Tree, mut base: ModPath, segments: &[String]) -> Option<ModPath> {
    for segment in segments {
        match segment.as_str() {
            "super" => {
                base.pop()?;
            }
            "self" => {}
            name => {
                let mut child = base.clone();
                child.push(name.to_owned());
                if tree.modules.contains(&child) {
                    base = child;
                } else if let Some(source) = tree.reexports.get(&base).and_then(|r| r.get(name)) {
                    base = source.clone();
                } else {
                    break;
                }
            }
        }
    }
    Some(base)
}

/// Where a path whose first segment is `head` starts, and the segments to walk from
/// there (`crate::a::B` is `([], [a, B])`, `child::X` is `(own, [child, X])`); `None`
/// for a path into another crate.
fn path_start(
    head: &str,
    tail: Vec<String>,
    own: &ModPath,
    children: &[&String],
) -> Option<(ModPath, Vec<String>)> {
    let base = match head {
        "crate" => vec![],
        "super" | "self" => own.clone(),
        name if children.iter().any(|c| c.as_str() == name) => own.clone(),
        _ => return None,
    };
    let mut segments = Vec::new();
    if !matches!(head, "crate" | "self") {
        segments.push(head.to_owned());
    }
    segments.extend(tail);
    Some((base, segments))
}

/// The paths in `code` that may name other modules, as [`path_start`] gives them.
fn named_paths(code: &str, own: &ModPath, children: &[&String]) -> Vec<(ModPath, Vec<String>)> {
    let mut found = Vec::new();
    for (at, _) in code.match_indices("::") {
        // The path's first segment: the identifier before this `::`.
        let head_start = code[..at]
            .rfind(|c: char| !is_ident(c))
            .map_or(0, |i| i + 1);
        if code[..head_start].ends_with("::") {
            continue; // not the first segment of its path
        }
        let head = &code[head_start..at];
        let (tails, _) = paths_at(&code[at + 2..]);
        found.extend(
            tails
                .into_iter()
                .filter_map(|tail| path_start(head, tail, own, children)),
        );
    }
    found
}

/// Which modules each module's code names (re-exports followed to their source).
fn imports(files: &BTreeMap<String, String>) -> BTreeMap<ModPath, BTreeSet<ModPath>> {
    let modules: BTreeSet<ModPath> = files.keys().map(|f| module_of(f)).collect();
    let children_of = |own: &ModPath| -> Vec<&String> {
        modules
            .iter()
            .filter(|m| m.len() == own.len() + 1 && m.starts_with(own))
            .map(|m| m.last().expect("a child has a name"))
            .collect()
    };
    let mut codes = BTreeMap::new();
    let mut tree = Tree {
        modules: modules.clone(),
        reexports: BTreeMap::new(),
    };
    let mut raw_reexports = Vec::new();
    for (file, text) in files {
        let own = module_of(file);
        let (names, code) = split_reexports(&code_of(text));
        raw_reexports.push((own.clone(), names));
        codes.insert(own, code);
    }
    // Re-exports may go through other re-exports: resolve them in rounds until stable.
    for _ in 0..4 {
        for (own, names) in &raw_reexports {
            let children = children_of(own);
            for (name, path) in names {
                let Some((head, tail)) = path.split_first() else {
                    continue;
                };
                let Some((base, segments)) = path_start(head, tail.to_vec(), own, &children) else {
                    continue;
                };
                let items = &segments[..segments.len().saturating_sub(1)];
                if let Some(source) = resolve(&tree, base, items) {
                    if &source != own {
                        tree.reexports
                            .entry(own.clone())
                            .or_default()
                            .insert(name.clone(), source);
                    }
                }
            }
        }
    }
    let mut graph = BTreeMap::new();
    for (own, code) in &codes {
        let children = children_of(own);
        let mut named = BTreeSet::new();
        for (base, segments) in named_paths(code, own, &children) {
            if let Some(target) = resolve(&tree, base, &segments) {
                // A module may use its own parts (what it declares); its parts using
                // it back is the usual `super::` and no loop. Everything else counts.
                if !target.starts_with(own) {
                    named.insert(target);
                }
            }
        }
        graph.insert(own.clone(), named);
    }
    graph
}

/// Every cycle's modules (one strongly connected component of two or more modules,
/// each written `a/b`), found with Tarjan's algorithm.
fn cycles(graph: &BTreeMap<ModPath, BTreeSet<ModPath>>) -> Vec<Vec<String>> {
    struct Walk<'a> {
        graph: &'a BTreeMap<ModPath, BTreeSet<ModPath>>,
        index: BTreeMap<&'a ModPath, usize>,
        low: BTreeMap<&'a ModPath, usize>,
        stack: Vec<&'a ModPath>,
        on_stack: BTreeSet<&'a ModPath>,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(w: &mut Walk<'a>, node: &'a ModPath) {
        let n = w.index.len();
        w.index.insert(node, n);
        w.low.insert(node, n);
        w.stack.push(node);
        w.on_stack.insert(node);
        for next in w.graph.get(node).into_iter().flatten() {
            let Some((next, _)) = w.graph.get_key_value(next) else {
                continue;
            };
            if !w.index.contains_key(next) {
                visit(w, next);
                let low = w.low[node].min(w.low[next]);
                w.low.insert(node, low);
            } else if w.on_stack.contains(next) {
                let low = w.low[node].min(w.index[next]);
                w.low.insert(node, low);
            }
        }
        if w.low[node] == w.index[node] {
            let mut component = Vec::new();
            while let Some(top) = w.stack.pop() {
                w.on_stack.remove(top);
                component.push(name(top));
                if top == node {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                w.found.push(component);
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for node in graph.keys() {
        if !walk.index.contains_key(node) {
            visit(&mut walk, node);
        }
    }
    walk.found
}

/// A module as a newcomer finds it in the tree (`http/routes/connect`, `(root)`).
fn name(module: &ModPath) -> String {
    if module.is_empty() {
        "(root)".to_owned()
    } else {
        module.join("/")
    }
}

/// Every `.rs` file below `dir`, by its path relative to `root` (`/` separated).
fn read_tree(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
    for entry in std::fs::read_dir(dir).expect("the crate's sources are readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            read_tree(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let relative = path.strip_prefix(root).expect("below the root");
            let key = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            out.insert(key, std::fs::read_to_string(&path).expect("UTF-8 source"));
        }
    }
}

#[test]
fn no_import_cycle_between_modules_of_the_crate() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = BTreeMap::new();
    read_tree(&root, &root, &mut files);
    // The `munity` binary is another crate; this file is the check's own test code.
    files.retain(|file, _| !file.starts_with("bin/") && file != "import_graph.rs");
    let graph = imports(&files);
    let edges: usize = graph.values().map(BTreeSet::len).sum();
    let found = cycles(&graph);
    for cycle in &found {
        println!("import cycle: {}", cycle.join(" -> "));
    }
    println!(
        "src: {} modules, {edges} imports between them, {} cycles",
        graph.len(),
        found.len()
    );
    assert!(
        found.is_empty(),
        "modules import each other in a loop: {found:?}"
    );
}

#[test]
fn finds_a_loop_through_super_use_groups_and_child_modules() {
    let files: BTreeMap<String, String> = [
        ("mod.rs", "mod a;\nmod b;\nuse a::Thing;\n"),
        ("a/mod.rs", "mod inner;\n"),
        ("a/inner.rs", "use super::super::{b::{self, Other}, c};\n"),
        (
            "b.rs",
            "// use crate::a;\nfn f() { crate::a::inner::g() }\n",
        ),
        (
            "c.rs",
            "#[cfg(test)]\nmod tests {\n    use super::super::b;\n}\n",
        ),
    ]
    .into_iter()
    .map(|(f, t)| (f.to_owned(), t.to_owned()))
    .collect();
    let graph = imports(&files);
    let of = |m: &[&str]| m.iter().map(|s| s.to_string()).collect::<ModPath>();
    assert!(
        graph[&of(&[])].is_empty(),
        "root: using its own part `a::` is no dependency"
    );
    assert_eq!(
        graph[&of(&["a", "inner"])],
        BTreeSet::from([of(&["b"]), of(&["c"])]),
        "a/inner: a `super::super::{{…}}` group"
    );
    assert_eq!(
        graph[&of(&["b"])],
        BTreeSet::from([of(&["a", "inner"])]),
        "b"
    );
    assert!(
        graph[&of(&["c"])].is_empty(),
        "test modules and comments do not count"
    );
    assert_eq!(
        cycles(&graph),
        vec![vec!["a/inner".to_owned(), "b".to_owned()]]
    );
}

#[test]
fn follows_a_reexport_to_the_module_the_item_lives_in() {
    let files: BTreeMap<String, String> = [
        (
            "lib.rs",
            "mod error;\nmod model;\npub use error::{Error, Kind as ErrorKind};\n",
        ),
        ("error.rs", "pub struct Error;\npub struct Kind;\n"),
        ("model.rs", "use crate::{Error, ErrorKind};\n"),
    ]
    .into_iter()
    .map(|(f, t)| (f.to_owned(), t.to_owned()))
    .collect();
    let graph = imports(&files);
    let of = |m: &[&str]| m.iter().map(|s| s.to_string()).collect::<ModPath>();
    assert_eq!(
        graph[&of(&["model"])],
        BTreeSet::from([of(&["error"])]),
        "`crate::Error` is `error::Error`"
    );
    assert!(
        graph[&of(&[])].is_empty(),
        "a re-export is a name, not a dependency of the facade"
    );
    assert!(cycles(&graph).is_empty());
}
