//! `munity sign-request`: applies a connector credential record to a request and prints
//! the signed request's headers (and, with `--presign`, the presigned URL).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use munity::auth::{apply, select, Options};
use munity::model::{CredentialRecordInput, Environment};
use munity::{Error, ErrorKind, Result};

/// Sign an HTTP request with a credential record; prints `Name: value` lines.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Credential record(s) as JSON: one record, or an array of records to choose from.
    #[arg(long, value_name = "FILE.json")]
    credential: PathBuf,
    /// HTTP method, e.g. GET.
    #[arg(long, value_name = "M")]
    method: String,
    /// Absolute URL (on the record's base URL's origin), or a path resolved against
    /// the record's base URL.
    #[arg(long)]
    url: String,
    /// Sign even when --url is on another origin than the record's base URL (the
    /// credentials go to that host).
    #[arg(long)]
    allow_other_origin: bool,
    /// A request header, `Name: value` (repeatable).
    #[arg(long = "header", value_name = "'K: V'")]
    headers: Vec<String>,
    /// File holding the request body.
    #[arg(long, value_name = "F")]
    body_file: Option<PathBuf>,
    /// Signing time (RFC 3339); now by default.
    #[arg(long, value_name = "RFC3339")]
    time: Option<String>,
    /// Which record to use when the file holds several.
    #[arg(long, value_enum)]
    environment: Option<EnvironmentArg>,
    /// Organization id, for organization-specific records.
    #[arg(long, value_name = "ID")]
    organization: Option<String>,
    /// AWS only: print a presigned URL valid for this many seconds.
    #[arg(long, value_name = "SECONDS")]
    presign: Option<u64>,
    /// AWS only: send UNSIGNED-PAYLOAD instead of the body's hash.
    #[arg(long)]
    unsigned_payload: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum EnvironmentArg {
    Test,
    Production,
}

pub fn run(args: Args) -> ExitCode {
    match sign(&args) {
        Ok(lines) => {
            for line in lines {
                println!("{line}");
            }
            ExitCode::SUCCESS
        }
        Err(err) => crate::fail(&err),
    }
}

fn read_file(path: &Path, what: &str) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        Error::new(
            ErrorKind::InvalidInput,
            "unreadable_file",
            format!("cannot read the {what} {}: {e}", path.display()),
        )
    })
}

/// Reads one record or an array of records. serde's messages can quote values (secrets):
/// they go through the crate's redaction (`munity::Error`'s `From<serde_json::Error>`).
fn read_records(path: &Path) -> Result<Vec<CredentialRecordInput>> {
    let bytes = read_file(path, "credential file")?;
    let not_records = |what: &str, e: serde_json::Error| {
        Error::invalid(
            "invalid_credential",
            format!(
                "{} is not {what}: {}",
                path.display(),
                Error::from(e).detail()
            ),
        )
    };
    let value: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| not_records("a credential record or an array of them", e))?;
    if value.is_array() {
        serde_json::from_value(value).map_err(|e| not_records("an array of credential records", e))
    } else {
        serde_json::from_value(value)
            .map(|r| vec![r])
            .map_err(|e| not_records("a credential record", e))
    }
}

fn sign(args: &Args) -> Result<Vec<String>> {
    let records = read_records(&args.credential)?;
    let environment = args.environment.map(|e| match e {
        EnvironmentArg::Test => Environment::Test,
        EnvironmentArg::Production => Environment::Production,
    });
    let selected = select(&records, environment, args.organization.as_deref())?;
    let now = match &args.time {
        Some(text) => munity::parse_rfc3339(text)?,
        None => munity::now_unix(),
    };
    let body = match &args.body_file {
        Some(path) => read_file(path, "body file")?,
        None => Vec::new(),
    };
    let method = http::Method::from_bytes(args.method.as_bytes())
        .map_err(|_| Error::invalid("invalid_method", "the method is not an HTTP token"))?;
    let uri: http::Uri = args
        .url
        .parse()
        .map_err(|_| Error::invalid("invalid_url", "--url is not a valid URL or path"))?;
    let mut request = http::Request::new(body);
    *request.method_mut() = method;
    *request.uri_mut() = uri;
    for header in &args.headers {
        let invalid = || {
            Error::invalid(
                "invalid_header",
                "a --header is not `Name: value` with a valid name and value",
            )
        };
        let (name, value) = header.split_once(':').ok_or_else(invalid)?;
        let name = http::HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| invalid())?;
        let value = http::HeaderValue::from_str(value.trim_start()).map_err(|_| invalid())?;
        request.headers_mut().append(name, value);
    }

    let mut options = Options::at(now);
    if let Some(seconds) = args.presign {
        options = options.presigned(seconds);
    }
    if args.unsigned_payload {
        options = options.unsigned_payload();
    }
    if args.allow_other_origin {
        options = options.allowing_other_origins();
    }
    apply(&selected, &mut request, &options)?;

    let mut lines: Vec<String> = request
        .headers()
        .iter()
        .map(|(name, value)| format!("{name}: {}", String::from_utf8_lossy(value.as_bytes())))
        .collect();
    if args.presign.is_some() {
        lines.push(request.uri().to_string());
    }
    Ok(lines)
}
