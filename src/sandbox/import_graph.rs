//! The sandbox's modules must not import each other in a loop (one file per module; a
//! `mod.rs` that only declares its children does not depend on them). This reads every
//! file under `src/sandbox/`, outside comments and `#[cfg(test)]` modules, finds each
//! path that names another sandbox module (`crate::sandbox::…`, `super::…`, a child
//! module's `name::…`, with `{…}` groups expanded), and fails on any cycle, naming it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A module's path below `crate::sandbox` (`["http", "routes", "connect"]`).
type ModPath = Vec<String>;

/// The module a file under `src/sandbox/` defines (`http/mod.rs` is `["http"]`).
fn module_of(relative: &str) -> ModPath {
    let trimmed = relative.trim_end_matches(".rs");
    let mut parts: ModPath = trimmed.split('/').map(str::to_owned).collect();
    if parts.last().map(String::as_str) == Some("mod") {
        parts.pop();
    }
    parts
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

/// The deepest known module a path names, starting from `base`.
fn resolve(modules: &BTreeSet<ModPath>, mut base: ModPath, segments: &[String]) -> Option<ModPath> {
    for segment in segments {
        match segment.as_str() {
            "super" => {
                base.pop()?;
            }
            "self" => {}
            name => {
                let mut child = base.clone();
                child.push(name.to_owned());
                if modules.contains(&child) {
                    base = child;
                } else {
                    break;
                }
            }
        }
    }
    Some(base)
}

/// Which sandbox modules each module's code names.
fn imports(files: &BTreeMap<String, String>) -> BTreeMap<ModPath, BTreeSet<ModPath>> {
    let modules: BTreeSet<ModPath> = files.keys().map(|f| module_of(f)).collect();
    let mut graph = BTreeMap::new();
    for (file, text) in files {
        let own = module_of(file);
        let code = code_of(text);
        let children: Vec<&String> = modules
            .iter()
            .filter(|m| m.len() == own.len() + 1 && m.starts_with(&own))
            .map(|m| m.last().expect("a child has a name"))
            .collect();
        let mut named = BTreeSet::new();
        for (at, _) in code.match_indices("::") {
            // The path's first segment: the identifier before this `::`.
            let head_start = code[..at]
                .rfind(|c: char| !is_ident(c))
                .map_or(0, |i| i + 1);
            let before = &code[..head_start];
            if before.ends_with("::") {
                continue; // not the first segment of its path
            }
            let head = &code[head_start..at];
            let base = match head {
                "crate" => {
                    if !code[at + 2..].starts_with("sandbox::") {
                        continue;
                    }
                    vec![]
                }
                "super" | "self" => own.clone(),
                name if children.iter().any(|c| c.as_str() == name) => own.clone(),
                _ => continue,
            };
            let (tails, _) = paths_at(&code[at + 2..]);
            for tail in tails {
                let mut segments: Vec<String> = Vec::new();
                match head {
                    "crate" => segments.extend(tail.into_iter().skip(1)),
                    "self" => segments.extend(tail),
                    _ => {
                        segments.push(head.to_owned());
                        segments.extend(tail);
                    }
                }
                if let Some(target) = resolve(&modules, base.clone(), &segments) {
                    if target != own {
                        named.insert(target);
                    }
                }
            }
        }
        graph.insert(own, named);
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
    for entry in std::fs::read_dir(dir).expect("the sandbox's sources are readable") {
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
fn no_import_cycle_between_sandbox_modules() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/sandbox");
    let mut files = BTreeMap::new();
    read_tree(&root, &root, &mut files);
    files.remove("import_graph.rs"); // this check's own test code
    let graph = imports(&files);
    let edges: usize = graph.values().map(BTreeSet::len).sum();
    let found = cycles(&graph);
    for cycle in &found {
        println!("import cycle: {}", cycle.join(" -> "));
    }
    println!(
        "src/sandbox: {} modules, {edges} imports between them, {} cycles",
        graph.len(),
        found.len()
    );
    assert!(
        found.is_empty(),
        "sandbox modules import each other in a loop: {found:?}"
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
            "// use crate::sandbox::a;\nfn f() { crate::sandbox::a::inner::g() }\n",
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
    assert_eq!(
        graph[&of(&[])],
        BTreeSet::from([of(&["a"])]),
        "root: child `a::`"
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
