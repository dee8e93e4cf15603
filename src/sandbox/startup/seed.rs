//! What a new sandbox starts with: the connector catalog, a workspace with its owner, an
//! admin key and a user key, and sample project-management data (customer `acme` with a
//! Jira connection exposing projects and tasks, and the RetailCRM module's code and secret).

use rusqlite::Transaction;

use crate::model::{ConnectorConfigUpdate, CustomerCreate, PmTaskCreate, TaskStatus};
use crate::sandbox::api_keys::{KeyHasher, KeyRecord, Privilege};
use crate::sandbox::options::FixedKeys;
use crate::sandbox::startup::catalog::catalog;
use crate::sandbox::store::pm::NewProject;
use crate::sandbox::store::workspace_keys::{self, StoredCertificate};
use crate::sandbox::store::{connections, connectors, customers, pm, workspaces};

/// The seeded workspace's code of the RetailCRM module.
pub(crate) const SANDBOX_MODULE_CODE: &str = "munity-sandbox";
use crate::ApiKey;

/// A new workspace's id, keys, and the stored records of the keys.
#[derive(Debug)]
pub(crate) struct NewWorkspace {
    pub(crate) workspace_id: String,
    pub(crate) admin_key: ApiKey,
    pub(crate) user_key: ApiKey,
    pub(crate) records: Vec<KeyRecord>,
    /// The workspace's envelope certificate (its private key stays in the database).
    pub(crate) certificate: StoredCertificate,
}

/// Adds the catalog's connectors that are not there yet.
pub(crate) fn seed_catalog(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    for connector in catalog() {
        connectors::insert(tx, &connector)?;
    }
    Ok(())
}

/// Creates a workspace, its owner, an admin key and a user key (the given ones, or
/// generated), and its envelope key and certificate.
pub(crate) fn seed_workspace(
    tx: &Transaction<'_>,
    hasher: &KeyHasher,
    name: &str,
    keys: &FixedKeys,
) -> rusqlite::Result<NewWorkspace> {
    let workspace = workspaces::insert(tx, name)?;
    let owner = workspaces::insert_user(tx, &workspace.id, "owner@example.com", "owner")?;
    let admin_key = keys.admin.clone().unwrap_or_else(ApiKey::generate);
    let user_key = keys.user.clone().unwrap_or_else(ApiKey::generate);
    let records = vec![
        workspaces::insert_key(
            tx,
            hasher,
            &workspace.id,
            &owner,
            &admin_key,
            Privilege::Admin,
        )?,
        workspaces::insert_key(
            tx,
            hasher,
            &workspace.id,
            &owner,
            &user_key,
            Privilege::User,
        )?,
    ];
    let certificate = workspace_keys::issue(tx, &workspace.id, crate::time::now_unix())?;
    Ok(NewWorkspace {
        workspace_id: workspace.id,
        admin_key,
        user_key,
        records,
        certificate,
    })
}

/// A sample task: project key, title, status, assignee, due date.
type SampleTask = (
    &'static str,
    &'static str,
    TaskStatus,
    Option<&'static str>,
    Option<&'static str>,
);

/// Customer `acme` with a Jira connection, two projects and their tasks.
pub(crate) fn seed_sample_data(tx: &Transaction<'_>, workspace_id: &str) -> rusqlite::Result<()> {
    let acme = customers::insert(
        tx,
        workspace_id,
        &CustomerCreate::new("acme", "Acme Corporation").email("it@acme.example"),
    )?;
    connections::insert(tx, workspace_id, &acme.id, "jira")?;
    // The RetailCRM module set up, so that the fake system under `/crm/` connects it: a
    // code and a random secret (the sandbox plays the module's partner account).
    let module_secret = crate::base64_strict::encode_url(&crate::random::bytes::<32>());
    connectors::put_config(
        tx,
        workspace_id,
        "retailcrm",
        &ConnectorConfigUpdate {
            module_code: Some(SANDBOX_MODULE_CODE.to_owned()),
            module_secret: Some(crate::Secret::new(module_secret)),
            ..ConnectorConfigUpdate::default()
        },
    )?;
    let projects = [
        ("OPS", "Operations", "Keeping the lights on"),
        ("WEB", "Website", "The public website"),
    ];
    let tasks: [SampleTask; 6] = [
        (
            "OPS",
            "Rotate TLS certificates",
            TaskStatus::Todo,
            Some("ada@acme.example"),
            Some("2026-12-01"),
        ),
        (
            "OPS",
            "Upgrade the database",
            TaskStatus::InProgress,
            Some("grace@acme.example"),
            None,
        ),
        (
            "OPS",
            "Write the on-call runbook",
            TaskStatus::Done,
            Some("ada@acme.example"),
            None,
        ),
        (
            "WEB",
            "Redesign the landing page",
            TaskStatus::InProgress,
            Some("linus@acme.example"),
            Some("2026-12-15"),
        ),
        ("WEB", "Fix broken links", TaskStatus::Todo, None, None),
        (
            "WEB",
            "Publish the pricing page",
            TaskStatus::Done,
            Some("grace@acme.example"),
            None,
        ),
    ];
    for (key, name, description) in projects {
        let project = pm::insert_project(
            tx,
            workspace_id,
            &NewProject {
                customer_id: &acme.id,
                connector: "jira",
                remote_id: key,
                name,
                description: Some(description),
            },
        )?;
        for (_, title, status, assignee, due) in tasks.iter().filter(|t| t.0 == key) {
            let mut task = PmTaskCreate::new(project.id.clone(), *title);
            task.status = Some(status.clone());
            task.assignee = assignee.map(str::to_owned);
            task.due_date = due.map(str::to_owned);
            pm::insert_task(tx, workspace_id, &acme.id, &task)?;
        }
    }
    Ok(())
}
