//! The examples a backend copies from, run against the sandbox (in process on
//! 127.0.0.1:0): `examples/backend.rs`'s `run`, and the connect link it makes opens a
//! session as the browser would.

use crate::backend_example as backend;

use munity::client::Client;
use munity::sandbox::{Sandbox, SandboxOptions};

async fn session_status(sb: &Sandbox, url: &str) -> u16 {
    let query = url.split_once('?').unwrap().1;
    munity::reqwest::get(format!("{}/connect/session?{query}", sb.base_url()))
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn backend_example_links_an_existing_and_a_new_customer() {
    let sb = Sandbox::start(SandboxOptions::memory()).await.unwrap();
    let client = Client::builder()
        .api_key(sb.admin_key())
        .base_url(sb.base_url())
        .build()
        .unwrap();

    let acme = backend::run(&client, "acme", "pipedrive").await.unwrap();
    assert_eq!(acme.customer.external_id, "acme");
    assert_eq!(
        acme.projects.len(),
        2,
        "the sandbox seeds two projects for acme"
    );
    assert_eq!(acme.link.link().customer(), "acme");
    assert_eq!(acme.link.link().connector(), "pipedrive");
    assert_eq!(session_status(&sb, acme.link.url()).await, 200);

    let new = backend::run(&client, "user-8412", "jira").await.unwrap();
    assert_eq!(new.customer.external_id, "user-8412");
    assert!(new.projects.is_empty());
    assert_eq!(session_status(&sb, new.link.url()).await, 200);
    sb.shutdown().await;
}
