//! `munity sandbox`: runs the local sandbox until Ctrl-C or SIGTERM.
//!
//! Stdout gets exactly one `NAME=value` line per setting (for `eval` or a parent
//! process); everything for humans, and the logs (`RUST_LOG`), goes to stderr.
//! `MUNITY_CERTIFICATE` is the path of the workspace certificate's PEM file:
//! `<data>/certificate.pem`, or with `--memory` a file in the temporary folder removed
//! when the sandbox stops.
//!
//! `--admin-key` and `--user-key` (or `MUNITY_SANDBOX_ADMIN_KEY` and
//! `MUNITY_SANDBOX_USER_KEY`, which other users of the machine cannot read in the process
//! list) seed the workspace with fixed keys instead of generated ones, for a team's CI.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use munity::sandbox::{Sandbox, SandboxOptions};
use munity::ApiKey;

/// Run the local sandbox of the API.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// TCP port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Folder of the database, server secret and keys.env.
    #[arg(long, default_value = ".munity-sandbox", conflicts_with = "memory")]
    data: PathBuf,
    /// Keep everything in memory; nothing is written to disk.
    #[arg(long)]
    memory: bool,
    /// At most N requests per second per API key (0 = no limit).
    #[arg(long, value_name = "N", default_value_t = 0)]
    rate_limit: u32,
    /// Fraction (0 to 1) of requests that fail on purpose (503 or dropped connection).
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = parse_fraction)]
    chaos: f64,
    /// An origin (`scheme://host[:port]`) of the product's frontend, added to the seeded
    /// workspace's allowed origins: its pages may use connect links (repeatable).
    #[arg(long = "allow-origin", value_name = "ORIGIN", value_parser = parse_origin)]
    allow_origin: Vec<munity::origin::Origin>,
    /// The seeded workspace's admin key (`<prefix>.<secret>`) instead of a generated one.
    #[arg(
        long,
        value_name = "KEY",
        env = "MUNITY_SANDBOX_ADMIN_KEY",
        hide_env_values = true
    )]
    admin_key: Option<String>,
    /// The seeded workspace's user (read-only) key instead of a generated one.
    #[arg(
        long,
        value_name = "KEY",
        env = "MUNITY_SANDBOX_USER_KEY",
        hide_env_values = true
    )]
    user_key: Option<String>,
}

fn parse_origin(text: &str) -> Result<munity::origin::Origin, String> {
    munity::origin::Origin::parse(text).map_err(|e| e.detail().to_owned())
}

fn parse_fraction(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err("must be a number from 0 to 1".to_owned()),
    }
}

fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("munity=info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

async fn stop_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = ctrl_c => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

/// The temporary certificate file of a sandbox in memory (the sandbox itself writes
/// `<data>/certificate.pem`, 0600, when it has a data folder).
fn temporary_certificate_path() -> PathBuf {
    std::env::temp_dir().join(format!(
        "munity-sandbox-{}-certificate.pem",
        std::process::id()
    ))
}

fn write_certificate(path: &Path, pem: &str) -> munity::Result<()> {
    std::fs::write(path, pem).map_err(|e| {
        munity::Error::new(
            munity::ErrorKind::Storage,
            "storage",
            format!("cannot write {}: {e}", path.display()),
        )
    })
}

async fn serve(args: Args) -> munity::Result<()> {
    let options = if args.memory {
        SandboxOptions::memory()
    } else {
        SandboxOptions::dir(&args.data)
    }
    .port(args.port)
    .rate_limit(args.rate_limit)
    .chaos(args.chaos);
    let options = match args.admin_key.as_deref() {
        Some(key) => options.admin_key(ApiKey::parse(key)?),
        None => options,
    };
    let options = match args.user_key.as_deref() {
        Some(key) => options.user_key(ApiKey::parse(key)?),
        None => options,
    };
    let options = args
        .allow_origin
        .iter()
        .cloned()
        .fold(options, SandboxOptions::allow_origin);
    let sandbox = Sandbox::start(options).await?;
    let (certificate, _temporary) = match sandbox.certificate_file() {
        Some(file) => (file.to_owned(), None),
        None => {
            let path = temporary_certificate_path();
            if let Err(err) = write_certificate(&path, sandbox.certificate_pem()) {
                sandbox.shutdown().await;
                return Err(err);
            }
            // A temporary certificate file goes when the sandbox stops (however `serve`
            // ends).
            (path.clone(), Some(RemoveOnDrop(path)))
        }
    };
    let mut out = std::io::stdout().lock();
    let printed = writeln!(out, "MUNITY_API_BASE={}", sandbox.base_url())
        .and_then(|()| writeln!(out, "MUNITY_WORKSPACE_ID={}", sandbox.workspace_id()))
        .and_then(|()| writeln!(out, "MUNITY_ADMIN_KEY={}", sandbox.admin_key().expose()))
        .and_then(|()| writeln!(out, "MUNITY_USER_KEY={}", sandbox.user_key().expose()))
        .and_then(|()| writeln!(out, "MUNITY_CERTIFICATE={}", certificate.display()))
        .and_then(|()| out.flush());
    drop(out);
    if let Err(err) = printed {
        sandbox.shutdown().await;
        return Err(munity::Error::new(
            munity::ErrorKind::Internal,
            "stdout",
            format!("cannot write to stdout: {err}"),
        ));
    }
    let where_ = if args.memory {
        "in memory".to_owned()
    } else {
        format!("in {}", args.data.display())
    };
    eprintln!(
        "munity sandbox: serving {} (data {where_}); Ctrl-C to stop",
        sandbox.base_url()
    );
    eprintln!(
        "munity sandbox: a fake RetailCRM marketplace (simple connection, docs/module.md) at {}/crm/marketplace",
        sandbox.base_url().trim_end_matches("/v1")
    );
    stop_signal().await;
    eprintln!("munity sandbox: stopping");
    sandbox.shutdown().await;
    Ok(())
}

/// Removes a file when dropped.
struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Runs the sandbox until Ctrl-C or SIGTERM.
pub fn run(args: Args) -> ExitCode {
    init_logs();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            return crate::fail(&munity::Error::new(
                munity::ErrorKind::Internal,
                "runtime",
                format!("cannot start the async runtime: {err}"),
            ))
        }
    };
    match runtime.block_on(serve(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => crate::fail(&err),
    }
}
