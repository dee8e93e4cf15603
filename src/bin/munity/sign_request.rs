use std::process::ExitCode;

/// (not yet available)
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> ExitCode {
    crate::fail(&munity::Error::from_kind(
        munity::ErrorKind::Internal,
        "this command is not built yet",
    ))
}
