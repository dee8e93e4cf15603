use std::process::ExitCode;

/// Webhook subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Print the `webhook-signature` value for a body on stdin.
    Sign,
    /// Verify a `webhook-signature` for a body on stdin.
    Verify,
}

pub fn run(_command: Command) -> ExitCode {
    crate::fail(&munity::Error::from_kind(
        munity::ErrorKind::Internal,
        "this command is not built yet",
    ))
}
