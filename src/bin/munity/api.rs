//! The API commands: `munity customers|connections|pm-projects ...` and
//! `munity api METHOD PATH`, each a thin shell over [`munity::Client`].
//!
//! They read `MUNITY_API_KEY` and `MUNITY_API_BASE` (or `--api-key`, `--base`), print a
//! table by default and the API's JSON with `--json`. Errors go to stderr as
//! `munity: <code>: <detail>`; the exit code is 1 when the API answered with an error
//! and 2 for anything else (no key, a bad argument, no connection).

use std::future::Future;
use std::process::ExitCode;

use munity::client::{Client, Method};
use munity::model::{CustomerCreate, CustomerListParams, Page, PmProjectListParams, ProjectStatus};
use serde::Serialize;

/// How to reach the API, and how to print.
#[derive(Debug, clap::Args)]
pub struct Conn {
    /// API key (`<prefix>.<secret>`).
    #[arg(long, env = "MUNITY_API_KEY", hide_env_values = true, global = true)]
    api_key: Option<String>,
    /// The API's base URL (production when unset), e.g. the sandbox's.
    #[arg(long = "base", env = "MUNITY_API_BASE", global = true)]
    base: Option<String>,
    /// Print the API's JSON instead of a table.
    #[arg(long, global = true)]
    json: bool,
}

impl Conn {
    fn client(&self) -> munity::Result<Client> {
        let key = self.api_key.as_deref().filter(|k| !k.trim().is_empty());
        let Some(key) = key else {
            return Err(munity::Error::new(
                munity::ErrorKind::Config,
                munity::ErrorCode::MissingApiKey,
                "no API key: set MUNITY_API_KEY (or pass --api-key)",
            ));
        };
        let mut builder = Client::builder().api_key(key);
        if let Some(base) = self.base.as_deref().filter(|b| !b.trim().is_empty()) {
            builder = builder.base_url(base);
        }
        builder.build()
    }
}

/// `munity customers ...`
#[derive(Debug, clap::Args)]
pub struct CustomersArgs {
    #[command(flatten)]
    conn: Conn,
    #[command(subcommand)]
    command: CustomersCommand,
}

#[derive(Debug, clap::Subcommand)]
enum CustomersCommand {
    /// List the workspace's customers (one page).
    List {
        #[command(flatten)]
        page: PageArgs,
        /// Only the customer with this external id (the product's own id).
        #[arg(long)]
        external_id: Option<String>,
    },
    /// Show one customer by its Munity id.
    Get {
        /// The customer's id.
        id: String,
    },
    /// Create a customer.
    Create {
        /// The product's own id for the customer (unique in the workspace).
        #[arg(long)]
        external_id: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// Contact email.
        #[arg(long)]
        email: Option<String>,
    },
}

/// `munity connections list --customer ID`
#[derive(Debug, clap::Args)]
pub struct ConnectionsArgs {
    #[command(flatten)]
    conn: Conn,
    #[command(subcommand)]
    command: ConnectionsCommand,
}

#[derive(Debug, clap::Subcommand)]
enum ConnectionsCommand {
    /// List one customer's connections.
    List {
        /// The customer's id.
        #[arg(long)]
        customer: String,
    },
}

/// `munity pm-projects list --customer ID`
#[derive(Debug, clap::Args)]
pub struct PmProjectsArgs {
    #[command(flatten)]
    conn: Conn,
    #[command(subcommand)]
    command: PmProjectsCommand,
}

#[derive(Debug, clap::Subcommand)]
enum PmProjectsCommand {
    /// List one customer's project-management projects (one page).
    List {
        /// The customer's id.
        #[arg(long)]
        customer: String,
        /// Only projects from this connector.
        #[arg(long)]
        connector: Option<String>,
        /// Only archived projects.
        #[arg(long)]
        archived: bool,
        #[command(flatten)]
        page: PageArgs,
    },
}

/// Which page of a list.
#[derive(Debug, clap::Args)]
struct PageArgs {
    /// 1-based page number.
    #[arg(long)]
    page: Option<u32>,
    /// Items per page (1 to 100).
    #[arg(long)]
    page_size: Option<u32>,
}

/// `munity api METHOD PATH [--data JSON]`
#[derive(Debug, clap::Args)]
pub struct ApiArgs {
    #[command(flatten)]
    conn: Conn,
    /// HTTP method: GET, POST, PUT, PATCH, DELETE.
    method: String,
    /// Path relative to the base URL, e.g. `customers/` or `/customers/?page=2`.
    path: String,
    /// JSON request body.
    #[arg(long, short = 'd')]
    data: Option<String>,
}

/// Runs `call` with a client on a fresh runtime; prints the error and picks the exit
/// code when it fails.
fn with_client<F, Fut>(conn: &Conn, call: F) -> ExitCode
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = munity::Result<()>>,
{
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("munity: cannot start the async runtime: {err}");
            return ExitCode::from(2);
        }
    };
    let result = conn.client().map(|client| runtime.block_on(call(client)));
    match result.and_then(|r| r) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if err.status().is_some() => {
            eprintln!("munity: {err}");
            ExitCode::from(1)
        }
        Err(err) => crate::fail(&err),
    }
}

/// Prints `value` as the API's JSON (pretty), or as a table of `rows` under `headers`.
fn show<T: Serialize>(json: bool, value: &T, headers: &[&str], rows: Vec<Vec<String>>) {
    if json {
        match serde_json::to_string_pretty(value) {
            Ok(text) => println!("{text}"),
            Err(err) => eprintln!("munity: cannot print JSON: {err}"),
        }
    } else {
        print!("{}", table(headers, &rows));
    }
}

/// A table: columns padded to their widest cell, two spaces apart, no trailing spaces.
fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let header: Vec<String> = headers.iter().map(|h| h.to_uppercase()).collect();
    for row in std::iter::once(&header).chain(rows) {
        let mut line = String::new();
        for (i, (cell, width)) in row.iter().zip(&widths).enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            line.push_str(cell);
            line.extend(std::iter::repeat_n(' ', width - cell.chars().count()));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The footer under a page's table: how many of how many.
fn page_footer<T>(page: &Page<T>) {
    let more = if page.next.is_some() {
        " (more: --page N)"
    } else {
        ""
    };
    eprintln!("{} of {}{more}", page.results.len(), page.count);
}

/// A field's JSON spelling (`in_progress`), for enums in tables.
fn spelled<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

pub fn customers(args: CustomersArgs) -> ExitCode {
    let json = args.conn.json;
    with_client(&args.conn, |client| async move {
        let headers = ["id", "external_id", "name", "email", "created_at"];
        let row = |c: &munity::model::Customer| {
            vec![
                c.id.clone(),
                c.external_id.clone(),
                c.name.clone(),
                c.email.clone().unwrap_or_default(),
                c.created_at.clone(),
            ]
        };
        match args.command {
            CustomersCommand::List { page, external_id } => {
                let params = CustomerListParams {
                    external_id,
                    page: page.page,
                    page_size: page.page_size,
                };
                let list = client.customers().list(&params).await?;
                show(
                    json,
                    &list,
                    &headers,
                    list.results.iter().map(row).collect(),
                );
                if !json {
                    page_footer(&list);
                }
            }
            CustomersCommand::Get { id } => {
                let customer = client.customers().get(&id).await?;
                show(json, &customer, &headers, vec![row(&customer)]);
            }
            CustomersCommand::Create {
                external_id,
                name,
                email,
            } => {
                let mut new = CustomerCreate::new(external_id, name);
                if let Some(email) = email {
                    new = new.email(email);
                }
                let customer = client.customers().create(&new).await?;
                show(json, &customer, &headers, vec![row(&customer)]);
            }
        }
        Ok(())
    })
}

pub fn connections(args: ConnectionsArgs) -> ExitCode {
    let json = args.conn.json;
    with_client(&args.conn, |client| async move {
        let ConnectionsCommand::List { customer } = args.command;
        let list = client.customer(customer).connections().list().await?;
        let rows = list
            .results
            .iter()
            .map(|c| {
                vec![
                    c.id.clone(),
                    c.connector.clone(),
                    spelled(&c.status),
                    c.created_at.clone(),
                ]
            })
            .collect();
        show(
            json,
            &list,
            &["id", "connector", "status", "created_at"],
            rows,
        );
        if !json {
            page_footer(&list);
        }
        Ok(())
    })
}

pub fn pm_projects(args: PmProjectsArgs) -> ExitCode {
    let json = args.conn.json;
    with_client(&args.conn, |client| async move {
        let PmProjectsCommand::List {
            customer,
            connector,
            archived,
            page,
        } = args.command;
        let params = PmProjectListParams {
            status: archived.then_some(ProjectStatus::Archived),
            connector,
            page: page.page,
            page_size: page.page_size,
        };
        let list = client
            .customer(customer)
            .pm_projects()
            .list(&params)
            .await?;
        let rows = list
            .results
            .iter()
            .map(|p| {
                vec![
                    p.id.clone(),
                    p.remote_id.clone(),
                    p.connector.clone(),
                    spelled(&p.status),
                    p.name.clone(),
                ]
            })
            .collect();
        show(
            json,
            &list,
            &["id", "remote_id", "connector", "status", "name"],
            rows,
        );
        if !json {
            page_footer(&list);
        }
        Ok(())
    })
}

pub fn api(args: ApiArgs) -> ExitCode {
    with_client(&args.conn, |client| async move {
        let method =
            Method::from_bytes(args.method.to_ascii_uppercase().as_bytes()).map_err(|_| {
                munity::Error::invalid(
                    "invalid_method",
                    "METHOD must be an HTTP method such as GET",
                )
            })?;
        let (path, query) = args.path.split_once('?').unwrap_or((&args.path, ""));
        let mut params: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            params
                .entry(name.into_owned())
                .or_default()
                .push(value.into_owned());
        }
        let mut request = client.request(method, path).query(&params);
        if let Some(data) = &args.data {
            let body: serde_json::Value = serde_json::from_str(data).map_err(|e| {
                munity::Error::invalid("invalid_body", format!("--data is not JSON: {e}"))
            })?;
            request = request.json(&body);
        }
        let answer = request.send_raw().await?;
        // The API's JSON, pretty-printed; any other body as it came.
        match serde_json::from_slice::<serde_json::Value>(answer.body()) {
            Ok(value) => println!("{}", serde_json::to_string_pretty(&value)?),
            Err(_) if answer.body().is_empty() => {}
            Err(_) => println!("{}", String::from_utf8_lossy(answer.body())),
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_pad_columns_and_trim_lines() {
        let rows = vec![
            vec!["cus_1".to_owned(), "acme".to_owned(), "".to_owned()],
            vec!["cus_22".to_owned(), "b".to_owned(), "x".to_owned()],
        ];
        assert_eq!(
            table(&["id", "external_id", "email"], &rows),
            "ID      EXTERNAL_ID  EMAIL\ncus_1   acme\ncus_22  b            x\n"
        );
    }
}
