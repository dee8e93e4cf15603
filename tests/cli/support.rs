//! Runs the built `munity` binary for the command-line tests: one helper for all of them.

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

/// Runs `munity <args>` with `stdin` on its standard input and waits for it. The
/// `MUNITY_API_KEY` and `MUNITY_WEBHOOK_SECRET` of the test's own environment are removed
/// (so a developer's shell cannot change a test's outcome); `env` is set instead.
pub fn run_munity(args: &[&str], env: &[(&str, &str)], stdin: &[u8]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_munity"));
    command
        .args(args)
        .env_remove("MUNITY_API_KEY")
        .env_remove("MUNITY_WEBHOOK_SECRET")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("start the munity binary");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(stdin)
        .expect("write munity's stdin");
    child.wait_with_output().expect("wait for munity")
}
