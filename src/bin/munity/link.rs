//! `munity link`: print a signed connect link.

use std::process::ExitCode;
use std::time::Duration;

use munity::link::LinkBuilder;
use munity::ApiKey;

/// Print a signed connect link for one customer and connector.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Admin API key that signs the link (`<prefix>.<secret>`).
    #[arg(long, env = "MUNITY_API_KEY", hide_env_values = true)]
    api_key: String,
    /// Workspace id.
    #[arg(long)]
    workspace: String,
    /// The product's internal id of the customer.
    #[arg(long)]
    customer: String,
    /// Connector name (e.g. `jira`).
    #[arg(long)]
    connector: String,
    /// Lifetime in seconds (1 to 86400).
    #[arg(long, default_value_t = 600)]
    ttl: u64,
    /// Where to send the end user when done.
    #[arg(long)]
    redirect_uri: Option<String>,
    /// Scope to request (space-separated).
    #[arg(long)]
    scope: Option<String>,
    /// Base URL of the connect page.
    #[arg(long, default_value = munity::link::DEFAULT_BASE_URL)]
    base: String,
}

pub fn run(args: Args) -> ExitCode {
    let api_key = match ApiKey::parse(&args.api_key) {
        Ok(key) => key,
        Err(err) => return crate::fail(&err),
    };
    let mut builder = LinkBuilder::new(args.workspace, args.customer, args.connector)
        .ttl(Duration::from_secs(args.ttl))
        .base_url(args.base);
    if let Some(uri) = args.redirect_uri {
        builder = builder.redirect_uri(uri);
    }
    if let Some(scope) = args.scope {
        builder = builder.scope(scope);
    }
    match builder.sign(&api_key, munity::now_unix()) {
        Ok(signed) => {
            println!("{}", signed.url());
            ExitCode::SUCCESS
        }
        Err(err) => crate::fail(&err),
    }
}
