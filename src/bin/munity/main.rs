//! `munity`: the command line of the munity crate. Each subcommand is a thin shell over
//! the library, for people trying things out and for scripts.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod api;
mod link;
mod module_token;
mod open;
mod sandbox;
mod seal;
mod sign_request;
mod webhook;

/// munity: the Munity unified API's SDK and local sandbox.
#[derive(Debug, Parser)]
#[command(name = "munity", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the local sandbox of the API (HTTP on 127.0.0.1, data in SQLite).
    Sandbox(sandbox::Args),
    /// Print a signed connect link.
    Link(link::Args),
    /// Sign or verify a webhook (Standard Webhooks).
    #[command(subcommand)]
    Webhook(webhook::Command),
    /// Print a connector module's registration token.
    ModuleToken(module_token::Args),
    /// Encrypt credentials (JSON on stdin) into an envelope for a workspace certificate.
    Seal(seal::Args),
    /// Open an envelope (JWE on stdin) with a workspace private key.
    Open(open::Args),
    /// Sign an HTTP request with a connector credential record and print its headers.
    SignRequest(sign_request::Args),
    /// The workspace's customers: list, get, create (MUNITY_API_KEY, MUNITY_API_BASE).
    Customers(api::CustomersArgs),
    /// A customer's connections: list.
    Connections(api::ConnectionsArgs),
    /// A customer's project-management projects: list.
    PmProjects(api::PmProjectsArgs),
    /// Send any request to the API and print its JSON answer.
    Api(api::ApiArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Sandbox(args) => sandbox::run(args),
        Command::Link(args) => link::run(args),
        Command::Webhook(command) => webhook::run(command),
        Command::ModuleToken(args) => module_token::run(args),
        Command::Seal(args) => seal::run(args),
        Command::Open(args) => open::run(args),
        Command::SignRequest(args) => sign_request::run(args),
        Command::Customers(args) => api::customers(args),
        Command::Connections(args) => api::connections(args),
        Command::PmProjects(args) => api::pm_projects(args),
        Command::Api(args) => api::api(args),
    }
}

/// Prints an error as `munity: <message>` on stderr and returns exit code 2.
pub(crate) fn fail(err: &munity::Error) -> ExitCode {
    eprintln!("munity: {err}");
    ExitCode::from(2)
}
