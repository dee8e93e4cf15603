//! `munity open`: open an envelope (JWE on stdin) with a workspace private key.

use std::path::PathBuf;
use std::process::ExitCode;

use munity::envelope::{SessionBinding, WorkspacePrivateKey};
use munity::Error;

use crate::seal::{read_file, read_stdin};

/// Open a compact JWE read from stdin with the workspace private key and print its
/// payload JSON (credentials included). With `--customer`, `--connector` and `--nonce`
/// (and `--workspace` when the link has one) the envelope must belong to that connect
/// session; without them the binding is printed unchecked.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The workspace private key: PKCS#8 PEM (P-256 or X25519) or SEC1 PEM (P-256).
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    /// The expected workspace id.
    #[arg(long)]
    workspace: Option<String>,
    /// The expected customer id.
    #[arg(long, requires_all = ["connector", "nonce"])]
    customer: Option<String>,
    /// The expected connector name.
    #[arg(long, requires_all = ["customer", "nonce"])]
    connector: Option<String>,
    /// The expected connect link nonce.
    #[arg(long, requires_all = ["customer", "connector"])]
    nonce: Option<String>,
}

pub fn run(args: Args) -> ExitCode {
    match open(args) {
        Ok(json) => {
            println!("{}", json.expose());
            ExitCode::SUCCESS
        }
        Err(err) => crate::fail(&err),
    }
}

fn open(args: Args) -> munity::Result<munity::Secret<String>> {
    let now = munity::now_unix();
    let key = WorkspacePrivateKey::from_pem(&read_file(&args.key)?)?;
    let jwe = read_stdin()?;
    let opened = match (args.customer, args.connector, args.nonce) {
        (Some(customer), Some(connector), Some(nonce)) => {
            let expected = SessionBinding {
                workspace: args.workspace,
                customer,
                connector,
                nonce,
            };
            key.open(&jwe, &expected, now)?
        }
        (None, None, None) if args.workspace.is_none() => {
            key.open_without_binding_check(&jwe, now)?
        }
        _ => return Err(Error::invalid(
            "invalid_arguments",
            "give --customer, --connector and --nonce together (and --workspace only with them)",
        )),
    };
    opened.to_payload_json()
}
