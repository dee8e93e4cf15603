//! Delivering webhooks: events are queued in the delivery log inside the transaction
//! that caused them ([`enqueue`]); a background task POSTs each, signed per Standard
//! Webhooks with the core's [`Webhook`], and retries failures with exponential backoff
//! (1, 2, 4, 8 s; 5 attempts), recording every attempt in the log.

use std::sync::Arc;
use std::time::Duration;

use rusqlite::Transaction;
use serde::Serialize;
use tokio::sync::watch;

use super::db::webhooks::{self, Due};
use super::state::AppState;
use crate::webhook::{Webhook, WebhookSecret};

/// Attempts per message before it is marked `failed`.
pub(crate) const MAX_ATTEMPTS: i64 = 5;
/// How often the task looks for due deliveries.
const POLL: Duration = Duration::from_millis(200);
/// How long one attempt may take.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

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

/// The delivery task: runs until `stop` changes or its sender is dropped.
pub(crate) async fn run(state: Arc<AppState>, mut stop: watch::Receiver<bool>) {
    let client = match reqwest::Client::builder().timeout(ATTEMPT_TIMEOUT).build() {
        Ok(client) => client,
        Err(err) => {
            tracing::error!(error = %err, "webhook delivery disabled: no HTTP client");
            return;
        }
    };
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            _ = tokio::time::sleep(POLL) => {}
        }
        let now = now_ms();
        let due = state
            .db
            .read(move |conn| Ok(webhooks::due(conn, now, 20)?))
            .await;
        match due {
            Ok(due) => {
                for delivery in due {
                    attempt(&client, &state, delivery).await;
                }
            }
            Err(err) => tracing::warn!(error = %err.0, "cannot read due webhook deliveries"),
        }
    }
}

/// One attempt, recorded in the log.
async fn attempt(client: &reqwest::Client, state: &AppState, delivery: Due) {
    let result = send(client, &delivery).await;
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
    let id = delivery.id;
    let written = state
        .db
        .write(move |tx| {
            Ok(webhooks::record_attempt(
                tx,
                &id,
                status,
                response_status,
                error.as_deref(),
                next,
            )?)
        })
        .await;
    if let Err(err) = written {
        tracing::warn!(error = %err.0, "cannot record a webhook attempt");
    }
}

/// POSTs the signed message; the HTTP status, or why there is none.
async fn send(client: &reqwest::Client, delivery: &Due) -> Result<u16, String> {
    let secret = delivery
        .secret
        .clone()
        .ok_or_else(|| "the workspace has no webhook endpoint any more".to_owned())
        .and_then(|bytes| WebhookSecret::from_bytes(bytes).map_err(|e| e.to_string()))?;
    let hook = Webhook::new(secret);
    let now = crate::time::now_unix();
    let mut request = client
        .post(&delivery.url)
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
    #[test]
    fn backoff_doubles() {
        let waits: Vec<i64> = (1..=4).map(super::backoff_ms).collect();
        assert_eq!(waits, [1000, 2000, 4000, 8000]);
    }
}
