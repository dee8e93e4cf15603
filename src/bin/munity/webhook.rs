//! `munity webhook sign|verify`: Standard Webhooks signatures; the body is read from
//! stdin, byte for byte.

use std::io::Read;
use std::process::ExitCode;

use munity::webhook::{Webhook, WebhookHeaders, WebhookSecret};

/// Webhook subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Print the `webhook-signature` value for a body on stdin.
    Sign(SignArgs),
    /// Verify a `webhook-signature` for a body on stdin: exit 0 when valid, 1 when not.
    Verify(VerifyArgs),
}

/// Arguments of `munity webhook sign`.
#[derive(Debug, clap::Args)]
pub struct SignArgs {
    /// The secret, `whsec_<base64>`.
    #[arg(long, env = "MUNITY_WEBHOOK_SECRET", hide_env_values = true)]
    secret: String,
    /// The `webhook-id`.
    #[arg(long)]
    id: String,
    /// The `webhook-timestamp` (unix seconds).
    #[arg(long, allow_hyphen_values = true)]
    timestamp: i64,
}

/// Arguments of `munity webhook verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The secret, `whsec_<base64>`.
    #[arg(long, env = "MUNITY_WEBHOOK_SECRET", hide_env_values = true)]
    secret: String,
    /// The `webhook-id`.
    #[arg(long)]
    id: String,
    /// The `webhook-timestamp` (unix seconds), as received.
    #[arg(long, allow_hyphen_values = true)]
    timestamp: String,
    /// The `webhook-signature` header value.
    #[arg(long)]
    signature: String,
    /// Timestamp tolerance in seconds, both directions.
    #[arg(long, default_value_t = 300)]
    tolerance: u64,
}

pub fn run(command: Command) -> ExitCode {
    let mut body = Vec::new();
    if let Err(err) = std::io::stdin().read_to_end(&mut body) {
        eprintln!("munity: cannot read the body from stdin: {err}");
        return ExitCode::from(2);
    }
    match command {
        Command::Sign(args) => match WebhookSecret::parse(&args.secret) {
            Ok(secret) => {
                println!(
                    "{}",
                    Webhook::new(secret).sign(&args.id, args.timestamp, &body)
                );
                ExitCode::SUCCESS
            }
            Err(err) => crate::fail(&err),
        },
        Command::Verify(args) => {
            let secret = match WebhookSecret::parse(&args.secret) {
                Ok(secret) => secret,
                Err(err) => return crate::fail(&err),
            };
            let headers = WebhookHeaders {
                id: &args.id,
                timestamp: &args.timestamp,
                signature: &args.signature,
            };
            let hook =
                Webhook::new(secret).with_tolerance(std::time::Duration::from_secs(args.tolerance));
            match hook.verify(&headers, &body, munity::now_unix()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => {
                    eprintln!("munity: invalid webhook: {err}");
                    ExitCode::from(1)
                }
            }
        }
    }
}
