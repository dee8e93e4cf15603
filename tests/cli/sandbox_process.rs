//! `munity sandbox` as a child process: starts the built binary and reads the five
//! `NAME=value` lines it prints on stdout.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};

use crate::sandbox_support::Api;

/// A running `munity sandbox`; dropping it kills it (SIGKILL) and reaps it.
pub struct Running {
    pub child: Child,
    pub vars: Vec<(String, String)>,
    /// Held open for the child's lifetime: the sandbox stops when it cannot write its
    /// settings, so a reader that hung up early would kill it.
    _stdout: BufReader<ChildStdout>,
}

impl Running {
    /// The value of one of the five settings (`MUNITY_API_BASE`...).
    pub fn var(&self, name: &str) -> &str {
        &self.vars.iter().find(|(k, _)| k == name).unwrap().1
    }

    /// Raw API calls with the admin key.
    pub fn api(&self) -> Api {
        self.api_with("MUNITY_ADMIN_KEY")
    }

    /// Raw API calls with the key of the setting `key_var` (`MUNITY_USER_KEY`...).
    pub fn api_with(&self, key_var: &str) -> Api {
        let key = munity::ApiKey::parse(self.var(key_var)).unwrap();
        Api::new(self.var("MUNITY_API_BASE"), &key)
    }

    /// SIGKILL now (no graceful shutdown), and waits for the process to be gone.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `munity sandbox <args>` in `cwd` and reads its six settings.
pub fn start(args: &[&str], cwd: &Path) -> Running {
    start_with_env(args, &[], cwd)
}

/// [`start`] with environment variables `env` set for the child.
pub fn start_with_env(args: &[&str], env: &[(&str, &str)], cwd: &Path) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_munity"))
        .arg("sandbox")
        .args(args)
        .envs(env.iter().copied())
        .current_dir(cwd)
        .env("RUST_LOG", "munity=info")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut vars = Vec::new();
    for _ in 0..5 {
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let (name, value) = line.trim_end().split_once('=').expect("NAME=value");
        vars.push((name.to_owned(), value.to_owned()));
    }
    Running {
        child,
        vars,
        _stdout: stdout,
    }
}
