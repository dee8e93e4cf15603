//! A product's backend: its own HTTP client, a customer, a signed connect link for the
//! browser, and the customer's projects.
//!
//! ```sh
//! munity sandbox --memory            # prints MUNITY_API_BASE and MUNITY_ADMIN_KEY
//! MUNITY_API_KEY=<admin key> MUNITY_API_BASE=http://127.0.0.1:8080/v1 \
//!     cargo run --example backend -- acme pipedrive
//! ```
//!
//! The arguments are the product's own id for its customer (`acme` when omitted) and
//! the connector to connect (`pipedrive`). Without `MUNITY_API_BASE` the production API
//! is used. `tests/client/examples.rs` runs [`run`] against the sandbox in CI.

use std::process::ExitCode;
use std::time::Duration;

use futures_util::TryStreamExt;
use munity::client::Client;
use munity::link::SignedLink;
use munity::model::{Customer, CustomerCreate, PmProject, PmProjectListParams};
use munity::reqwest;

/// What [`run`] did: the customer, the link for the browser, the customer's projects.
#[derive(Debug)]
pub struct Report {
    /// The customer, found by or created with the product's own id.
    pub customer: Customer,
    /// The link to send the browser to.
    pub link: SignedLink,
    /// Every project of the customer.
    pub projects: Vec<PmProject>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let internal_id = args.next().unwrap_or_else(|| "acme".to_owned());
    let connector = args.next().unwrap_or_else(|| "pipedrive".to_owned());
    match client_from_env() {
        Ok(client) => match run(&client, &internal_id, &connector).await {
            Ok(report) => {
                print(&report);
                ExitCode::SUCCESS
            }
            Err(err) => fail(&err),
        },
        Err(err) => fail(&err),
    }
}

fn fail(err: &munity::Error) -> ExitCode {
    // Errors never contain the API key; the request id is what support asks for.
    eprintln!("error: {err}");
    ExitCode::FAILURE
}

/// The client on the product's own `reqwest::Client` (here: its timeouts and pool; a
/// company adds its proxy, root certificates or client certificate the same way).
fn client_from_env() -> munity::Result<Client> {
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .pool_idle_timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| munity::Error::new(munity::ErrorKind::Config, "http_client", e.to_string()))?;
    let key = std::env::var("MUNITY_API_KEY").map_err(|_| {
        munity::Error::new(
            munity::ErrorKind::Config,
            "missing_api_key",
            "set MUNITY_API_KEY to an admin key",
        )
    })?;
    let mut builder = Client::builder().api_key(key).http_client(http);
    if let Ok(base) = std::env::var("MUNITY_API_BASE") {
        builder = builder.base_url(base);
    }
    builder.build()
}

/// Finds (or creates) the customer the product knows as `internal_id`, makes a connect
/// link for `connector`, and lists the customer's projects.
pub async fn run(client: &Client, internal_id: &str, connector: &str) -> munity::Result<Report> {
    let customer = match client.customers().find_by_external_id(internal_id).await? {
        Some(customer) => customer,
        None => {
            let new = CustomerCreate::new(internal_id, format!("Customer {internal_id}"));
            client.customers().create(&new).await?
        }
    };

    // Signed with the client's own key; the workspace id is asked once per client.
    let link = client
        .connect_link(internal_id, connector)
        .ttl(Duration::from_secs(10 * 60))
        .await?;

    let params = PmProjectListParams {
        page_size: Some(100),
        ..PmProjectListParams::default()
    };
    let projects = client
        .customer(&customer.id)
        .pm_projects()
        .list_all(&params)
        .try_collect()
        .await?;
    Ok(Report {
        customer,
        link,
        projects,
    })
}

fn print(report: &Report) {
    let c = &report.customer;
    println!("{} ({}, {})", c.name, c.external_id, c.id);
    // In a real backend this URL goes to the browser only, never to a log.
    println!("connect link: {}", report.link.url());
    for project in &report.projects {
        println!(
            "  {:<10} {:<8} {}",
            project.remote_id, project.connector, project.name
        );
    }
    println!("{} project(s)", report.projects.len());
}
