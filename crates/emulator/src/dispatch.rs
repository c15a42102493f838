//! The notification dispatcher: claims due deliveries from the outbox, signs each as SNS does
//! ([`crate::sns`]), posts it to the merchant's endpoint and records the attempt.
//!
//! - **Order:** the store hands out a delivery only when its charge permission has no earlier
//!   pending delivery to the same endpoint, so one permission's notifications arrive in the
//!   order the changes committed, even with several dispatchers (or instances) at work.
//! - **Retries:** a non-2xx answer, a timeout or a refused connection is tried again after
//!   [`DeliverySettings::retry_base`], doubling up to [`DeliverySettings::retry_cap`], until
//!   [`DeliverySettings::max_attempts`] attempts failed; the delivery is `failed` then, and only
//!   a redelivery sends it again. Amazon's page does not give its own schedule reliably (the
//!   shared spec, §10, lists the conflicting sources); the defaults are the emulator's choice.
//! - **Exactly once across instances, at least once across crashes:** a claim is a lease in
//!   the database; an instance that dies after posting but before recording the attempt lets
//!   the lease run out, and another attempt follows. SNS promises at-least-once delivery too, so
//!   receivers deduplicate by `NotificationId` (docs/notifications.md).
//! - **Wake-up:** a write that commits wakes this process's dispatcher when some merchant has
//!   endpoints; otherwise (changes by other instances, retries coming due) it looks every
//!   [`DeliverySettings::poll`].
//!
//! This is the server's one HTTP client (reqwest with rustls; a merchant's own CA is added for
//! its endpoints only).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use amzpay_emulator_store::{
    AfterAttempt, AttemptRecord, FinishedAttempt, NotificationRecord, Store,
};
use tokio::sync::{Notify, OnceCell};

use crate::service::notifications::now_ms;
use crate::sns::SnsSigner;
use crate::state::AppState;

/// How many bytes of an endpoint's answer are kept with the attempt.
const RESPONSE_HEAD: usize = 512;

/// How notifications are delivered.
#[derive(Clone, Debug)]
pub struct DeliverySettings {
    /// How long one attempt may take (connect, send, answer).
    pub timeout: Duration,
    /// The wait after the first failed attempt; it doubles after each further failure.
    pub retry_base: Duration,
    /// The longest wait between two attempts.
    pub retry_cap: Duration,
    /// Attempts before a delivery is given up.
    pub max_attempts: u32,
    /// How long a claimed delivery stays invisible to other dispatchers (longer than `timeout`).
    pub lease: Duration,
    /// How often the dispatcher looks for due deliveries without being woken.
    pub poll: Duration,
    /// Deliveries in flight at once (of different charge permissions or endpoints).
    pub concurrency: usize,
}

impl Default for DeliverySettings {
    /// 15 s per attempt; retries after 10 s, 20 s, 40 s, ... at most an hour apart; 10
    /// attempts (about 2 h 15 min); polls every second.
    fn default() -> Self {
        DeliverySettings {
            timeout: Duration::from_secs(15),
            retry_base: Duration::from_secs(10),
            retry_cap: Duration::from_secs(3600),
            max_attempts: 10,
            lease: Duration::from_secs(60),
            poll: Duration::from_secs(1),
            concurrency: 8,
        }
    }
}

impl DeliverySettings {
    /// The wait after `failed` failed attempts (1 for the first).
    pub fn backoff(&self, failed: u32) -> Duration {
        let factor = 2u32.saturating_pow(failed.saturating_sub(1));
        self.retry_base.saturating_mul(factor).min(self.retry_cap)
    }
}

/// The dispatcher's shared parts, kept in [`AppState`].
#[derive(Default)]
pub struct Dispatch {
    signer: OnceCell<Arc<SnsSigner>>,
    wake: Notify,
    enabled: AtomicBool,
    clients: std::sync::Mutex<HashMap<Option<String>, reqwest::Client>>,
    /// One [`dispatch_due`] at a time in a process: a caller that asks for "everything due,
    /// now" (the admin API, tests) waits for a round in flight and then finds what it left.
    round: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for Dispatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dispatch")
            .field("enabled", &self.enabled.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl Dispatch {
    /// Wakes the dispatcher when notifications are in use in this process.
    pub(crate) fn wake_if_enabled(&self) {
        if self.enabled.load(Ordering::Relaxed) {
            self.wake.notify_one();
        }
    }

    /// Marks notifications as in use (a merchant set endpoints, or a delivery was found) and
    /// wakes the dispatcher.
    pub(crate) fn enable(&self) {
        self.enabled.store(true, Ordering::Relaxed);
        self.wake.notify_one();
    }

    /// The SNS signer, loaded (or created) on first use.
    pub(crate) async fn signer(&self, store: &dyn Store) -> anyhow::Result<Arc<SnsSigner>> {
        self.signer
            .get_or_try_init(|| async { SnsSigner::load_or_create(store).await.map(Arc::new) })
            .await
            .cloned()
    }

    /// The client for endpoints trusted with `ca` (public roots only without it).
    fn client(&self, ca: Option<&str>, timeout: Duration) -> anyhow::Result<reqwest::Client> {
        let key = ca.map(str::to_owned);
        let mut clients = self
            .clients
            .lock()
            .map_err(|_| anyhow::anyhow!("the client cache is poisoned"))?;
        if let Some(c) = clients.get(&key) {
            return Ok(c.clone());
        }
        let mut builder = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("Amazon Simple Notification Service Agent");
        if let Some(pem) = ca {
            builder = builder.add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes())?);
        }
        let client = builder.build()?;
        clients.insert(key, client.clone());
        Ok(client)
    }
}

/// Delivers one claimed delivery and records the attempt.
pub async fn deliver(state: &AppState, n: NotificationRecord) -> anyhow::Result<FinishedAttempt> {
    let settings = &state.settings().ipn;
    let store = state.store();
    let ipn = store.ipn_settings(&n.merchant_id).await?;
    let signer = state.dispatch().signer(store.as_ref()).await?;
    let envelope = signer.envelope(&n, &state.settings().public_base_url, ipn.signature_version);
    let body = serde_json::to_string(&envelope)?;
    let attempt = n.attempts.saturating_add(1);
    let started_at_ms = now_ms();
    let started = Instant::now();
    let result = match state
        .dispatch()
        .client(ipn.ca_pem.as_deref(), settings.timeout)
    {
        Ok(client) => post(&client, &n, &envelope, body).await,
        Err(e) => Err(format!("the merchant's IPN CA cannot be used: {e}")),
    };
    let latency_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    let (status, error, response_head) = match result {
        Ok((status, head)) => (Some(status), None, Some(head)),
        Err(e) => (None, Some(e), None),
    };
    let delivered = status.is_some_and(|s| (200..300).contains(&s));
    let next = if delivered {
        AfterAttempt::Delivered
    } else if attempt >= settings.max_attempts {
        AfterAttempt::GiveUp
    } else {
        let wait = i64::try_from(settings.backoff(attempt).as_millis()).unwrap_or(i64::MAX);
        AfterAttempt::RetryAt(now_ms().saturating_add(wait))
    };
    let done = FinishedAttempt {
        seq: n.seq,
        record: AttemptRecord {
            attempt,
            started_at_ms,
            latency_ms,
            status,
            error,
            response_head,
        },
        next,
    };
    store.finish_notification_attempt(&done).await?;
    tracing::info!(
        seq = n.seq,
        notification_id = %n.notification.notification_id,
        endpoint = %n.endpoint,
        attempt,
        status = ?done.record.status,
        error = ?done.record.error,
        "notification attempt"
    );
    Ok(done)
}

/// Posts the envelope; the status and the first bytes of the answer, or why there is none.
async fn post(
    client: &reqwest::Client,
    n: &NotificationRecord,
    envelope: &crate::sns::Envelope,
    body: String,
) -> Result<(u16, String), String> {
    let mut response = client
        .post(&n.endpoint)
        .header("content-type", "text/plain; charset=UTF-8")
        .header("x-amz-sns-message-type", "Notification")
        .header("x-amz-sns-message-id", &envelope.message_id)
        .header("x-amz-sns-topic-arn", &envelope.topic_arn)
        .header(
            "x-amz-sns-subscription-arn",
            format!("{}:{}", envelope.topic_arn, n.merchant_id),
        )
        .body(body)
        .send()
        .await
        .map_err(|e| describe(&e))?;
    let status = response.status().as_u16();
    let mut head = Vec::new();
    while head.len() < RESPONSE_HEAD {
        match response.chunk().await {
            Ok(Some(chunk)) => head.extend_from_slice(&chunk),
            Ok(None) | Err(_) => break,
        }
    }
    head.truncate(RESPONSE_HEAD);
    Ok((status, String::from_utf8_lossy(&head).into_owned()))
}

/// A transport error in one line, with its causes (reqwest's own message is terse).
fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    let mut text = format!("{kind}: {e}");
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Claims and delivers due deliveries until none is due, at most `concurrency` at a time;
/// returns how many attempts it made. Rounds in one process run one after the other, so when it
/// returns, nothing that was due when it was called is left in flight here.
pub async fn dispatch_due(state: &AppState) -> anyhow::Result<u64> {
    let settings = &state.settings().ipn;
    let lease = i64::try_from(settings.lease.as_millis()).unwrap_or(i64::MAX);
    let _round = state.dispatch().round.lock().await;
    let mut running = tokio::task::JoinSet::new();
    let mut attempts = 0;
    loop {
        while running.len() < settings.concurrency.max(1) {
            let Some(n) = state.store().claim_notification(now_ms(), lease).await? else {
                break;
            };
            state.dispatch().enabled.store(true, Ordering::Relaxed);
            let state = state.clone();
            running.spawn(async move { deliver(&state, n).await });
        }
        let Some(joined) = running.join_next().await else {
            return Ok(attempts);
        };
        attempts += 1;
        match joined {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                tracing::error!(error.cause_chain = ?e, error.message = %e, "a notification attempt could not be recorded");
            }
            Err(e) => tracing::error!(error.message = %e, "a notification task failed"),
        }
    }
}

/// Delivers notifications until `shutdown` resolves: whenever woken by a write, and every
/// [`DeliverySettings::poll`].
pub async fn dispatcher_loop(state: AppState, shutdown: impl std::future::Future<Output = ()>) {
    tokio::pin!(shutdown);
    loop {
        // Stopping drops the attempts in flight: their leases run out and another start (or
        // another instance) tries them again.
        tokio::select! {
            () = &mut shutdown => return,
            result = dispatch_due(&state) => {
                if let Err(e) = result {
                    tracing::error!(error.cause_chain = ?e, error.message = %e, "notification step failed");
                }
            }
        }
        tokio::select! {
            () = &mut shutdown => return,
            () = state.dispatch().wake.notified() => {}
            () = tokio::time::sleep(state.settings().ipn.poll) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_double_from_the_base_up_to_the_cap() {
        let s = DeliverySettings::default();
        let waits: Vec<u64> = (1..=11).map(|n| s.backoff(n).as_secs()).collect();
        assert_eq!(
            waits,
            [10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600]
        );
    }
}
