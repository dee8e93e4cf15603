//! List a customer's project-management projects, as a product's backend would.
//!
//! ```sh
//! MUNITY_API_KEY=<admin key> MUNITY_API_BASE=http://127.0.0.1:8080/v1 \
//!     cargo run --example backend -- acme
//! ```
//!
//! The argument is the customer's external id (the product's own id); `acme` when
//! omitted. Without `MUNITY_API_BASE` the production API is used.

use std::process::ExitCode;

use futures_util::TryStreamExt;
use munity::client::Client;
use munity::model::PmProjectListParams;

#[tokio::main]
async fn main() -> ExitCode {
    let external_id = std::env::args().nth(1).unwrap_or_else(|| "acme".to_owned());
    match run(&external_id).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // Errors never contain the API key.
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run(external_id: &str) -> munity::Result<()> {
    let client = Client::from_env()?;
    let Some(customer) = client.customers().find_by_external_id(external_id).await? else {
        return Err(munity::Error::new(
            munity::ErrorKind::NotFound,
            "not_found",
            format!("no customer has the external id {external_id:?}"),
        ));
    };
    println!(
        "{} ({}, {})",
        customer.name, customer.external_id, customer.id
    );

    let params = PmProjectListParams {
        page_size: Some(100),
        ..PmProjectListParams::default()
    };
    let mut projects = client
        .customer(&customer.id)
        .pm_projects()
        .list_all(&params);
    let mut count = 0;
    while let Some(project) = projects.try_next().await? {
        count += 1;
        println!(
            "  {:<10} {:<8} {:<10} {}",
            project.remote_id,
            project.connector,
            format!("{:?}", project.status).to_lowercase(),
            project.name
        );
    }
    println!("{count} project(s)");
    Ok(())
}
