//! The background step: apply timers that came due (session expiry, pending authorizations, ...)
//! and persist them. [`try_execute_task`] is the single public step; [`worker_loop`] adds the
//! waiting; tests and the clock endpoints call [`run_due`] directly instead of sleeping.

use std::sync::Arc;
use std::time::Duration;

use amzpay_emulator_core::Timestamp;
use amzpay_emulator_core::checkout::{self, Command};
use amzpay_emulator_core::ids::MerchantId;
use amzpay_emulator_store::{Applied, Mutation, ObjectRef, Store, StoredResponse, Target};
use anyhow::Context;

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
                match checkout::transition(&c, Command::ApplyDue, now, &mut rand::thread_rng()) {
                    Ok((next, effects)) => {
                        for e in &effects {
                            tracing::info!(checkout_id = %next.session.id, effect = ?e, "timer applied");
                        }
                        Applied::Write {
                            checkout: Box::new(next),
                            response: empty,
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

/// Applies due timers every `interval` until `shutdown` resolves.
pub async fn worker_loop(
    store: Arc<dyn Store>,
    interval: Duration,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    loop {
        if let Err(e) = run_due(&store, crate::state::real_now(), None).await {
            tracing::error!(error.cause_chain = ?e, error.message = %e, "timer step failed");
        }
        tokio::select! {
            () = &mut shutdown => return,
            () = tokio::time::sleep(interval) => {}
        }
    }
}
