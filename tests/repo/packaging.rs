//! What ships: the crate's file list (`cargo package --list`) and the npm package's
//! (`npm pack --dry-run` of a folder laid out by `scripts/pkg-metadata`, the step
//! `scripts/build-pkg` uses, with placeholder build outputs): the licenses and README
//! in, local state (`.munity-sandbox/`, `target/`, `node_modules/`) out.

use std::path::Path;
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Folders of local state that must never ship.
const LOCAL_STATE: &[&str] = &[
    ".munity-sandbox/",
    "target/",
    "node_modules/",
    "pkg/",
    ".tools/",
];

fn run(command: &mut Command) -> String {
    let output = command.output().expect("the command starts");
    assert!(
        output.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn the_crate_ships_its_licenses_and_no_local_state() {
    let list = run(Command::new(env!("CARGO"))
        .args(["package", "--list", "--allow-dirty", "--offline"])
        .current_dir(ROOT));
    let files: Vec<&str> = list.lines().collect();
    for needed in [
        "LICENSE-MIT",
        "LICENSE-APACHE",
        "README.md",
        "CHANGELOG.md",
        "Cargo.toml",
        "src/lib.rs",
    ] {
        assert!(
            files.contains(&needed),
            "{needed} is not in the crate: {files:?}"
        );
    }
    for file in &files {
        for state in LOCAL_STATE {
            assert!(!file.starts_with(state), "{file} would ship in the crate");
        }
    }
    // Also what the sandbox and the demo leave behind, were they run here: the exclude
    // list itself, not only git's ignore file, keeps it out.
    let manifest = std::fs::read_to_string(Path::new(ROOT).join("Cargo.toml")).unwrap();
    let exclude = manifest
        .lines()
        .find(|l| l.starts_with("exclude = "))
        .expect("Cargo.toml has an exclude list");
    for state in [".munity-sandbox/", "target/", "node_modules/"] {
        assert!(
            exclude.contains(state),
            "{state} is not excluded: {exclude}"
        );
    }
}

#[test]
fn the_licenses_the_manifests_name_exist() {
    let manifest = std::fs::read_to_string(Path::new(ROOT).join("Cargo.toml")).unwrap();
    assert!(manifest.contains("license = \"MIT OR Apache-2.0\""));
    let package: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(ROOT).join("pkg-template/package.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(package["license"], "MIT OR Apache-2.0");
    for file in ["LICENSE-MIT", "LICENSE-APACHE"] {
        let text = std::fs::read_to_string(Path::new(ROOT).join(file)).unwrap();
        assert!(text.len() > 1000, "{file} is not a license text");
        assert!(
            package["files"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f == file),
            "package.json's files do not name {file}"
        );
    }
}

#[test]
fn the_npm_package_ships_its_licenses_and_only_its_files() {
    if Command::new("npm").arg("--version").output().is_err() {
        // scripts/test-all installs Node first; a machine without it cannot pack.
        panic!("npm is needed to check the npm package's contents");
    }
    let dir = tempfile::tempdir().unwrap();
    let pkg = dir.path();
    run(Command::new(Path::new(ROOT).join("scripts/pkg-metadata"))
        .arg(pkg)
        .current_dir(ROOT));
    // What the build adds, and local state that must stay out.
    for file in [
        "web/munity_connect.js",
        "web/munity_connect_bg.wasm",
        "web/munity_connect.d.ts",
        "bundler/munity_connect.js",
        ".munity-sandbox/sandbox.db",
        "target/npm/old.tgz",
        "node_modules/x/index.js",
        "notes.txt",
    ] {
        let path = pkg.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "x").unwrap();
    }
    let answer = run(Command::new("npm")
        .args(["pack", "--dry-run", "--json", "--ignore-scripts"])
        .current_dir(pkg));
    let packed: serde_json::Value = serde_json::from_str(&answer).expect("npm pack --json");
    let mut files: Vec<String> = packed[0]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "LICENSE-APACHE",
            "LICENSE-MIT",
            "README.md",
            "bundler/munity_connect.js",
            "package.json",
            "web/munity_connect.d.ts",
            "web/munity_connect.js",
            "web/munity_connect_bg.wasm",
        ]
    );
}
