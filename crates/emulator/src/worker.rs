//! The background step: apply timers that came due (session expiry, pending authorizations, ...)
//! and persist them, and delete what Amazon no longer keeps. [`try_execute_task`] is the single
//! public step; [`worker_loop`] adds the waiting; tests and the clock endpoints call [`run_due`]
//! directly instead of sleeping.
//!
//! Storage does not grow without end:
//! - a checkout that never got a charge permission is nothing but its session, which Amazon
//!   deletes 30 days after creation: the step deletes the whole aggregate then (the store makes
//!   that instant part of the checkout's due time, so it costs one indexed lookup like any timer);
//!   a checkout with a permission keeps it, its charges and refunds;
//! - idempotency records are deleted [`IDEMPOTENCY_RETENTION_SECS`] (30 days, real time) after
//!   they were written, by [`forget_idempotency_keys`] every [`FORGET_EVERY`]. Amazon documents
//!   no end (its idempotency page says keys are stored indefinitely); 30 days is the project's
//!   documented minimum (design §4) and the session's own retention, so a retry of any request
//!   about a session that still exists replays.

use std::sync::Arc;
use std::time::Duration;

use amzpay_emulator_core::Timestamp;
use amzpay_emulator_core::checkout::{self, Command};
use amzpay_emulator_core::ids::MerchantId;
use amzpay_emulator_store::{Applied, Mutation, ObjectRef, Store, StoredResponse, Target};
use anyhow::Context;

use crate::service::notifications;

/// How long an idempotency record is kept (real time): 30 days.
pub const IDEMPOTENCY_RETENTION_SECS: i64 = 30 * 24 * 60 * 60;

/// How often [`worker_loop`] deletes old idempotency records.
pub const FORGET_EVERY: Duration = Duration::from_secs(10 * 60);

/// How many idempotency records one statement deletes at most (a short write at a time).
const FORGET_BATCH: u32 = 500;

/// What one step did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExecutionOutcome {
    /// Applied the due timers of one checkout.
    TaskCompleted {
        /// The checkout (its session id).
        checkout_id: String,
    },
    /// Nothing was due.
    EmptyQueue,
}

/// Applies the due timers of one checkout whose timer is due on its merchant's virtual clock at
/// real time `real_now` (optionally only for one merchant), in one transaction.
#[tracing::instrument(skip_all)]
pub async fn try_execute_task(
    store: &Arc<dyn Store>,
    real_now: Timestamp,
    merchant: Option<&MerchantId>,
) -> anyhow::Result<ExecutionOutcome> {
    let Some(due) = store.next_due(real_now, merchant).await? else {
        return Ok(ExecutionOutcome::EmptyQueue);
    };
    let owner = store
        .merchant(&due.tenant.merchant_id)
        .await?
        .context("a checkout's merchant is missing")?;
    let now = owner.clock.now(real_now);
    let checkout_id = due.checkout_id.to_string();
    store
        .execute(Mutation {
            tenant: due.tenant,
            target: Target::Existing(ObjectRef::CheckoutSession(due.checkout_id)),
            idempotency: None,
            apply: Box::new(move |loaded| {
                let empty = StoredResponse {
                    status: 200,
                    body: Vec::new(),
                };
                let Some(c) = loaded else {
                    return Applied::Reject(empty);
                };
                if c.retention_ends().is_some_and(|end| now >= end) {
                    tracing::info!(checkout_id = %c.session.id, "retention ended: checkout deleted");
                    return Applied::Delete(empty);
                }
                let before = notifications::Snapshot::of(&c);
                match checkout::transition(&c, Command::ApplyDue, now, &mut rand::thread_rng()) {
                    Ok((next, effects)) => {
                        for e in &effects {
                            tracing::info!(checkout_id = %next.session.id, effect = ?e, "timer applied");
                        }
                        // Changes made by timers notify like any other, in the same transaction.
                        let notifications =
                            notifications::between(Some(&before), &next, notifications::now_ms());
                        Applied::Write {
                            checkout: Box::new(next),
                            response: empty,
                            notifications,
                        }
                    }
                    Err(_) => Applied::Reject(empty),
                }
            }),
        })
        .await?;
    Ok(ExecutionOutcome::TaskCompleted { checkout_id })
}

/// Runs [`try_execute_task`] until nothing is due; returns how many checkouts it changed.
pub async fn run_due(
    store: &Arc<dyn Store>,
    real_now: Timestamp,
    merchant: Option<&MerchantId>,
) -> anyhow::Result<u64> {
    let mut applied = 0;
    let mut last = None;
    loop {
        match try_execute_task(store, real_now, merchant).await? {
            ExecutionOutcome::EmptyQueue => return Ok(applied),
            ExecutionOutcome::TaskCompleted { checkout_id } => {
                // A checkout that stays due after its timers ran would loop forever; stop.
                if last.as_ref() == Some(&checkout_id) {
                    anyhow::bail!("checkout {checkout_id} stays due after applying its timers");
                }
                last = Some(checkout_id);
                applied += 1;
            }
        }
    }
}

/// Deletes the idempotency records written more than [`IDEMPOTENCY_RETENTION_SECS`] before
/// real time `real_now`, a batch at a time; returns how many.
pub async fn forget_idempotency_keys(
    store: &Arc<dyn Store>,
    real_now: Timestamp,
) -> anyhow::Result<u64> {
    let before = real_now.plus(-IDEMPOTENCY_RETENTION_SECS);
    let mut total = 0;
    loop {
        let n = store.forget_idempotency_keys(before, FORGET_BATCH).await?;
        total += n;
        if n < u64::from(FORGET_BATCH) {
            return Ok(total);
        }
    }
}

/// Applies due timers every `interval`, and deletes old idempotency records every
/// [`FORGET_EVERY`], until `shutdown` resolves.
pub async fn worker_loop(
    store: Arc<dyn Store>,
    interval: Duration,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let mut forget_at = tokio::time::Instant::now();
    loop {
        if let Err(e) = run_due(&store, crate::state::real_now(), None).await {
            tracing::error!(error.cause_chain = ?e, error.message = %e, "timer step failed");
        }
        if tokio::time::Instant::now() >= forget_at {
            forget_at += FORGET_EVERY;
            match forget_idempotency_keys(&store, crate::state::real_now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(deleted = n, "old idempotency records deleted"),
                Err(e) => {
                    tracing::error!(error.cause_chain = ?e, error.message = %e, "deleting old idempotency records failed");
                }
            }
        }
        tokio::select! {
            () = &mut shutdown => return,
            () = tokio::time::sleep(interval) => {}
        }
    }
}
