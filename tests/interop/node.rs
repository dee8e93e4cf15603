//! Runs the Node scripts of `tests/interop/` (npm `jose`), for the interop tests and the
//! envelope benchmark. Included with `#[path]` by both.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Installs npm jose into `.tools/node` (idempotent), once per process.
pub fn setup() -> Result<(), String> {
    static SETUP: OnceLock<Result<(), String>> = OnceLock::new();
    SETUP
        .get_or_init(|| {
            let status = Command::new(root().join("scripts/setup-node-tools"))
                .status()
                .map_err(|e| format!("cannot run scripts/setup-node-tools: {e}"))?;
            if status.success() {
                Ok(())
            } else {
                Err("scripts/setup-node-tools failed: node, npm or the registry is missing".into())
            }
        })
        .clone()
}

/// Runs `tests/interop/<script>` with `input` as JSON on stdin; its stdout, or its
/// stderr when it fails.
pub fn run(script: &str, input: &serde_json::Value) -> Result<String, String> {
    setup()?;
    let mut child = Command::new("node")
        .arg(root().join("tests/interop").join(script))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run node (Debian: apt-get install nodejs): {e}"))?;
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    stdin
        .write_all(input.to_string().as_bytes())
        .map_err(|e| format!("cannot write to node: {e}"))?;
    drop(stdin);
    let out = child
        .wait_with_output()
        .map_err(|e| format!("node failed: {e}"))?;
    if out.status.success() {
        String::from_utf8(out.stdout).map_err(|_| "node printed non-UTF-8".into())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}
