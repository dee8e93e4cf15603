//! `munity seal`: encrypt credentials (JSON on stdin) into an envelope for a workspace
//! certificate.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use munity::envelope::{self, Credentials, SessionBinding, WorkspaceCertificate};
use munity::link::ConnectLink;
use munity::{Error, ErrorKind};
use zeroize::Zeroizing;

/// Encrypt a credential JSON object read from stdin (e.g. `{"api_key": "..."}`) for the
/// workspace certificate, bound to one connect session (`--link`), and print the
/// compact JWE.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The workspace certificate: X.509 PEM, PEM public key, or public JWK.
    #[arg(long, value_name = "FILE")]
    certificate: PathBuf,
    /// The connect link (URL or query string) the credentials are for: its workspace,
    /// customer, connector and nonce form the session binding. The link is read, not
    /// verified (only the platform holds its key).
    #[arg(long, value_name = "URL", required_unless_present_all = ["customer", "connector", "nonce"])]
    link: Option<String>,
    /// Instead of --link: the workspace id.
    #[arg(long, conflicts_with = "link")]
    workspace: Option<String>,
    /// Instead of --link: the customer id.
    #[arg(long, conflicts_with = "link", requires_all = ["connector", "nonce"])]
    customer: Option<String>,
    /// Instead of --link: the connector name.
    #[arg(long, conflicts_with = "link", requires_all = ["customer", "nonce"])]
    connector: Option<String>,
    /// Instead of --link: the link's nonce.
    #[arg(long, conflicts_with = "link", requires_all = ["customer", "connector"])]
    nonce: Option<String>,
    /// Lifetime of the envelope in seconds (1 to 3600).
    #[arg(long, default_value_t = envelope::DEFAULT_TTL_SECS)]
    ttl: i64,
}

pub fn run(args: Args) -> ExitCode {
    match seal(args) {
        Ok(jwe) => {
            println!("{jwe}");
            ExitCode::SUCCESS
        }
        Err(err) => crate::fail(&err),
    }
}

fn seal(args: Args) -> munity::Result<String> {
    let now = munity::now_unix();
    let certificate = WorkspaceCertificate::parse(&read_file(&args.certificate)?, now)?;
    let stdin = read_stdin()?;
    let credentials = Credentials::from_json(&stdin)?;
    let binding = binding(&args)?;
    envelope::seal_with_ttl(&certificate, &binding, &credentials, now, args.ttl)
}

/// The session binding from `--link`, or from the separate flags.
fn binding(args: &Args) -> munity::Result<SessionBinding> {
    if let Some(link) = &args.link {
        return Ok(munity::connect::binding(&ConnectLink::parse(link)?));
    }
    match (&args.customer, &args.connector, &args.nonce) {
        (Some(customer), Some(connector), Some(nonce)) => Ok(SessionBinding {
            workspace: args.workspace.clone(),
            customer: customer.clone(),
            connector: connector.clone(),
            nonce: nonce.clone(),
        }),
        _ => Err(Error::invalid(
            "invalid_arguments",
            "give --link, or --customer, --connector and --nonce",
        )),
    }
}

/// Reads a text file of at most 64 KiB.
pub(crate) fn read_file(path: &Path) -> munity::Result<Zeroizing<String>> {
    let bytes = std::fs::read(path).map_err(|e| {
        Error::new(
            ErrorKind::InvalidInput,
            "file_unreadable",
            format!("cannot read {}: {e}", path.display()),
        )
    })?;
    text(bytes, &path.display().to_string())
}

/// Reads stdin (at most 64 KiB) into a buffer wiped after use.
pub(crate) fn read_stdin() -> munity::Result<Zeroizing<String>> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .take(envelope::MAX_ENVELOPE_LEN as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| {
            Error::new(
                ErrorKind::InvalidInput,
                "stdin_unreadable",
                format!("cannot read stdin: {e}"),
            )
        })?;
    text(bytes, "stdin")
}

fn text(bytes: Vec<u8>, what: &str) -> munity::Result<Zeroizing<String>> {
    let bytes = Zeroizing::new(bytes);
    if bytes.len() > envelope::MAX_ENVELOPE_LEN {
        return Err(Error::invalid(
            "input_too_large",
            format!(
                "{what} holds more than {} bytes",
                envelope::MAX_ENVELOPE_LEN
            ),
        ));
    }
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| Error::invalid("input_not_utf8", format!("{what} is not UTF-8 text")))?;
    Ok(Zeroizing::new(text.to_owned()))
}
