//! Delivering webhooks: events are queued in the delivery log inside the transaction
//! that caused them ([`enqueue`]); a background task POSTs each, signed per Standard
//! Webhooks with the core's [`Webhook`], and retries failures with exponential backoff
//! (1, 2, 4, 8 s; 5 attempts), recording every attempt in the log.
//!
//! Endpoints are served concurrently: each workspace with due deliveries gets a worker
//! that sends them one at a time, oldest first (one attempt in flight per endpoint), and
//! at most [`MAX_IN_FLIGHT`] workers run at once, so a slow endpoint delays only its own
//! deliveries. An attempt goes to the endpoint as it is when the attempt starts, its URL
//! and secret read together; no redirect is followed (a 3xx is a failed attempt: the
//! signed body and headers go to the configured URL only).

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rusqlite::Transaction;
use serde::Serialize;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::sandbox::store::webhooks::{self, Due};
use crate::sandbox::store::Db;
use crate::webhook::{Webhook, WebhookSecret};

/// Attempts per message before it is marked `failed`.
pub(crate) const MAX_ATTEMPTS: i64 = 5;
/// How often the task looks for due deliveries.
const POLL: Duration = Duration::from_millis(200);
/// How long one attempt may take.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// How many endpoints are delivered to at once.
pub(crate) const MAX_IN_FLIGHT: usize = 16;

/// The wait after failed attempt `n` (1-based), in milliseconds: 1, 2, 4, 8 s.
pub(crate) fn backoff_ms(attempt: i64) -> i64 {
    1000_i64 << (attempt - 1).clamp(0, 10)
}

/// Milliseconds since the Unix epoch (the sandbox is native: the system clock is fine).
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Queues `event_type` (`connection.created`, `connection.deleted`) with `data` for the
/// workspace's endpoint, if it has one, in the caller's transaction.
pub(crate) fn enqueue<T: Serialize>(
    tx: &Transaction<'_>,
    workspace_id: &str,
    event_type: &str,
    data: &T,
) -> rusqlite::Result<()> {
    let now = crate::time::now_unix();
    let payload = serde_json::json!({
        "type": event_type,
        "timestamp": crate::time::format_rfc3339(now),
        "data": data,
    });
    webhooks::enqueue(tx, workspace_id, event_type, &payload.to_string(), now_ms())
}

/// The workspaces whose endpoint has a worker: at most one each, at most `capacity` in
/// all. A [`Claim`] frees its workspace when dropped, even if its worker panics.
#[derive(Debug)]
struct InFlight {
    busy: Mutex<HashSet<String>>,
    capacity: usize,
}

impl InFlight {
    fn new(capacity: usize) -> Arc<InFlight> {
        Arc::new(InFlight {
            busy: Mutex::default(),
            capacity,
        })
    }

    /// The right to deliver to `workspace`'s endpoint, unless a worker has it already or
    /// all slots are taken.
    fn claim(self: &Arc<Self>, workspace: &str) -> Option<Claim> {
        let mut busy = self.busy.lock().unwrap_or_else(PoisonError::into_inner);
        if busy.len() >= self.capacity || !busy.insert(workspace.to_owned()) {
            return None;
        }
        Some(Claim {
            set: Arc::clone(self),
            workspace: workspace.to_owned(),
        })
    }
}

/// One worker's hold on one workspace's endpoint.
#[derive(Debug)]
struct Claim {
    set: Arc<InFlight>,
    workspace: String,
}

impl Drop for Claim {
    fn drop(&mut self) {
        self.set
            .busy
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.workspace);
    }
}

/// The delivery task: runs until `stop` changes or its sender is dropped, then waits for
/// its workers, so that when it ends nothing of it holds the database any more.
pub(crate) async fn run(db: Db, mut stop: watch::Receiver<bool>) {
    let client = match reqwest::Client::builder()
        .timeout(ATTEMPT_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(client) => client,
        Err(err) => {
            tracing::error!(error = %err, "webhook delivery disabled: no HTTP client");
            return;
        }
    };
    let in_flight = InFlight::new(MAX_IN_FLIGHT);
    let mut workers = JoinSet::new();
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            _ = tokio::time::sleep(POLL) => {}
        }
        while workers.try_join_next().is_some() {}
        let now = now_ms();
        let due = db
            .read(move |conn| Ok(webhooks::due_workspaces(conn, now)?))
            .await;
        match due {
            Ok(workspaces) => {
                for workspace in workspaces {
                    if let Some(claim) = in_flight.claim(&workspace) {
                        let worker = deliver_all(client.clone(), db.clone(), claim, stop.clone());
                        workers.spawn(worker);
                    }
                }
            }
            Err(err) => tracing::warn!(error = %err.0, "cannot read due webhook deliveries"),
        }
    }
    // Workers see the same stop: each ends after at most one database write.
    while workers.join_next().await.is_some() {}
}

/// A worker: attempts the workspace's due deliveries one by one, oldest first, until
/// none is due or the sandbox stops.
async fn deliver_all(
    client: reqwest::Client,
    db: Db,
    claim: Claim,
    mut stop: watch::Receiver<bool>,
) {
    while !*stop.borrow() {
        let workspace = claim.workspace.clone();
        let now = now_ms();
        let next = db
            .read(move |conn| Ok(webhooks::next_due(conn, &workspace, now)?))
            .await;
        match next {
            Ok(Some(delivery)) => {
                if !attempt(&client, &db, delivery, &mut stop).await {
                    // Unrecorded, the delivery would be due again at once: the next poll
                    // (or the next start, if the sandbox is stopping) retries.
                    return;
                }
            }
            Ok(None) => return,
            Err(err) => {
                tracing::warn!(error = %err.0, "cannot read due webhook deliveries");
                return;
            }
        }
    }
}

/// One attempt, recorded in the log; false when the record could not be written, or when
/// the sandbox stopped while waiting for the endpoint (the attempt is then not recorded:
/// receivers deduplicate by message id, so sending it again on the next start is safe).
async fn attempt(
    client: &reqwest::Client,
    db: &Db,
    delivery: Due,
    stop: &mut watch::Receiver<bool>,
) -> bool {
    let result = tokio::select! {
        result = send(client, &delivery) => result,
        _ = stop.changed() => return false,
    };
    let attempts = delivery.attempts + 1;
    let (status, response_status, error) = match result {
        Ok(code) if (200..300).contains(&code) => ("succeeded", Some(code), None),
        Ok(code) => (
            "pending",
            Some(code),
            Some(format!("the endpoint answered HTTP {code}")),
        ),
        Err(err) => ("pending", None, Some(err)),
    };
    let status = if status == "pending" && attempts >= MAX_ATTEMPTS {
        "failed"
    } else {
        status
    };
    let next = now_ms().saturating_add(backoff_ms(attempts));
    let Due { id, endpoint, .. } = delivery;
    let url = endpoint.map(|(url, _)| url);
    let written = db
        .write(move |tx| {
            Ok(webhooks::record_attempt(
                tx,
                &id,
                url.as_deref(),
                status,
                response_status,
                error.as_deref(),
                next,
            )?)
        })
        .await;
    match written {
        Ok(()) => true,
        Err(err) => {
            tracing::warn!(error = %err.0, "cannot record a webhook attempt");
            false
        }
    }
}

/// POSTs the signed message to the endpoint; the HTTP status, or why there is none.
async fn send(client: &reqwest::Client, delivery: &Due) -> Result<u16, String> {
    let (url, secret) = delivery
        .endpoint
        .as_ref()
        .ok_or_else(|| "the workspace has no webhook endpoint any more".to_owned())?;
    let secret = WebhookSecret::from_bytes(secret.clone()).map_err(|e| e.to_string())?;
    let hook = Webhook::new(secret);
    let now = crate::time::now_unix();
    let mut request = client
        .post(url)
        .header("content-type", "application/json")
        .body(delivery.payload.clone());
    for (name, value) in hook.headers(&delivery.id, now, delivery.payload.as_bytes()) {
        request = request.header(name, value);
    }
    match request.send().await {
        Ok(response) => Ok(response.status().as_u16()),
        Err(err) => Err(failure(err)),
    }
}

/// Why a delivery got no answer, for the log: reqwest's message and its causes, without
/// the endpoint URL (which may carry a user name and password).
fn failure(err: reqwest::Error) -> String {
    crate::transport_error::describe("request failed", &err.without_url())
}

#[cfg(test)]
mod tests {
    use super::InFlight;

    #[test]
    fn one_worker_per_endpoint_and_a_bounded_number_in_all() {
        let set = InFlight::new(2);
        let a = set.claim("ws_a").expect("a free slot");
        assert!(set.claim("ws_a").is_none(), "one worker per endpoint");
        let b = set.claim("ws_b").expect("a second slot");
        assert!(set.claim("ws_c").is_none(), "at most two in all");
        drop(a);
        assert!(
            set.claim("ws_a").is_some(),
            "a finished worker frees its slot"
        );
        drop(b);
        let _c = set.claim("ws_c").expect("freed");
    }

    #[test]
    fn backoff_doubles() {
        let waits: Vec<i64> = (1..=4).map(super::backoff_ms).collect();
        assert_eq!(waits, [1000, 2000, 4000, 8000]);
    }
}
