//! `munity module-token`: print a connector module's registration token.

use std::process::ExitCode;

/// Print `hash_hmac('sha256', <api key>, <secret>)` in lowercase hex.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The API key sent in `register[apiKey]`.
    #[arg(long, env = "MUNITY_API_KEY", hide_env_values = true)]
    api_key: String,
    /// The module's secret.
    #[arg(long, env = "MUNITY_MODULE_SECRET", hide_env_values = true)]
    secret: String,
}

pub fn run(args: Args) -> ExitCode {
    let token = munity::module::registration_token(&args.api_key, &args.secret);
    println!("{}", token.expose());
    ExitCode::SUCCESS
}
