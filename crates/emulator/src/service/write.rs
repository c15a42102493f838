//! The write path: load the aggregate, transition, persist, answer.
//!
//! A service function builds a closure from a typed command (the transition plus how to render
//! the answer) and calls [`execute`]; the store runs it on the loaded aggregate inside its write
//! transaction, so the answer a caller gets (and an idempotent replay returns) is exactly what
//! was committed.

use crate::error::{ApiError, Reason};
use crate::service::notifications;
use crate::state::AppState;
use amzpay_emulator_core::checkout::{self, Checkout, Command, Effect};
use amzpay_emulator_core::input::MerchantContext;
use amzpay_emulator_core::model::Merchant;
use amzpay_emulator_core::{Simulation, Timestamp};
use amzpay_emulator_store::{
    Applied, IdempotencyRequest, Mutation, ObjectRef, Outcome, StoredResponse, Target, Tenant,
};

/// What a successful transition answers: a status of Amazon's API and the JSON body.
pub(crate) struct Answer {
    status: u16,
    body: Vec<u8>,
}

impl Answer {
    /// 201: an object was created.
    pub(crate) fn created(body: Vec<u8>) -> Answer {
        Answer { status: 201, body }
    }

    /// 200.
    pub(crate) fn ok(body: Vec<u8>) -> Answer {
        Answer { status: 200, body }
    }

    /// 202: accepted, the authorization is still pending.
    pub(crate) fn accepted(body: Vec<u8>) -> Answer {
        Answer { status: 202, body }
    }

    /// A state change answered with an error (a decline or a simulated cancel keeps its change).
    pub(crate) fn refusal(error: &ApiError) -> Answer {
        let stored = error.to_stored();
        Answer {
            status: stored.status,
            body: stored.body,
        }
    }
}

/// The committed (or replayed) answer of a write.
#[derive(Debug)]
pub(crate) struct Written {
    /// Status and body, exactly as stored under the idempotency key.
    pub(crate) answer: StoredResponse,
    /// Whether it is the replay of an earlier request with the same key.
    pub(crate) replayed: bool,
}

/// Runs `apply` on the target checkout inside the store's write transaction and returns the
/// stored answer (or the idempotent replay).
///
/// The notifications the change causes ([`notifications::between`] the loaded and the new
/// aggregate) are enqueued in the same transaction.
pub(crate) async fn execute<F>(
    state: &AppState,
    tenant: Tenant,
    target: Target,
    idempotency: Option<IdempotencyRequest>,
    apply: F,
) -> Result<Written, ApiError>
where
    F: FnOnce(Option<Checkout>) -> Result<(Checkout, Answer), ApiError> + Send + 'static,
{
    execute_noting(state, tenant, target, idempotency, move |loaded| {
        apply(loaded).map(|(c, answer)| (c, answer, Vec::new()))
    })
    .await
}

/// [`execute`] for a write whose closure also names notifications of its own (beside those of
/// its state changes), such as a simulated chargeback.
pub(crate) async fn execute_noting<F>(
    state: &AppState,
    tenant: Tenant,
    target: Target,
    idempotency: Option<IdempotencyRequest>,
    apply: F,
) -> Result<Written, ApiError>
where
    F: FnOnce(Option<Checkout>) -> Result<(Checkout, Answer, Vec<notifications::Notice>), ApiError>
        + Send
        + 'static,
{
    let outcome = state
        .store()
        .execute(Mutation {
            tenant,
            target,
            idempotency,
            apply: Box::new(move |loaded| {
                let before = loaded.as_ref().map(notifications::Snapshot::of);
                match apply(loaded) {
                    Ok((checkout, answer, extra)) => {
                        let mut notices = notifications::notices(before.as_ref(), &checkout);
                        notices.extend(extra);
                        let notifications =
                            notifications::records(&checkout, notices, notifications::now_ms());
                        Applied::Write {
                            checkout: Box::new(checkout),
                            response: StoredResponse {
                                status: answer.status,
                                body: answer.body,
                            },
                            notifications,
                        }
                    }
                    Err(e) => Applied::Reject(e.to_stored()),
                }
            }),
        })
        .await?;
    if matches!(outcome, Outcome::Executed(_)) {
        state.notify_dispatcher();
    }
    match outcome {
        Outcome::Executed(answer) | Outcome::Rejected(answer) => Ok(Written {
            answer,
            replayed: false,
        }),
        Outcome::Replayed(answer) => Ok(Written {
            answer,
            replayed: true,
        }),
        Outcome::KeyReused => Err(ApiError::new(
            Reason::DuplicateIdempotencyKey,
            "The idempotency key was already used for a different request.",
        )),
    }
}

/// Applies `command` to a loaded checkout (404 when there is none) at `now`.
pub(crate) fn apply_command(
    loaded: Option<Checkout>,
    command: Command,
    now: Timestamp,
    what: &str,
    id: &str,
) -> Result<(Checkout, Vec<Effect>), ApiError> {
    let c = loaded.ok_or_else(|| ApiError::not_found(what, id))?;
    checkout::transition(&c, command, now, &mut rand::thread_rng()).map_err(|e| match e {
        amzpay_emulator_core::DomainError::NotFound => ApiError::not_found(what, id),
        other => other.into(),
    })
}

/// Applies `command` with an optional simulation code to a loaded checkout (404 `what` `id`
/// when there is none, or when the command's object is not in it) at `now`.
///
/// A synchronous decline or a simulated cancel is a success of the core (its state change is
/// kept) answered with an error: this returns that answer as `Err(Some(answer))` next to the
/// new checkout, so the caller can store both.
pub(crate) fn apply_simulated(
    loaded: Option<Checkout>,
    command: Command,
    simulation: Option<Simulation>,
    now: Timestamp,
    what: &str,
    id: &str,
) -> Result<(Checkout, Vec<Effect>, Option<Answer>), ApiError> {
    let c = loaded.ok_or_else(|| ApiError::not_found(what, id))?;
    let (next, effects) =
        checkout::transition_with(&c, command, simulation, now, &mut rand::thread_rng()).map_err(
            |e| match e {
                amzpay_emulator_core::DomainError::NotFound => ApiError::not_found(what, id),
                other => other.into(),
            },
        )?;
    let refusal = effects.iter().find_map(|e| match e {
        Effect::Declined(d) => Some(ApiError::declined(*d)),
        Effect::SessionCanceled(reason) => {
            Some(amzpay_emulator_core::DomainError::CheckoutSessionCanceled(*reason).into())
        }
        _ => None,
    });
    let answer = refusal.map(|e| Answer::refusal(&e));
    Ok((next, effects, answer))
}

/// The merchant a command runs for.
pub(crate) fn merchant_context(m: &Merchant, tenant: &Tenant) -> MerchantContext {
    MerchantContext {
        merchant_id: m.merchant_id.clone(),
        store_id: m.store_id.clone(),
        region: m.region,
        environment: tenant.environment,
    }
}

/// Reads a checkout for a GET, with every due timer applied in memory (a read never shows a
/// stale state; persisting is the background step's job).
pub(crate) async fn read(
    state: &AppState,
    tenant: &Tenant,
    object: &ObjectRef,
    now: Timestamp,
) -> Result<Option<Checkout>, ApiError> {
    Ok(state
        .store()
        .checkout(tenant, object)
        .await?
        .map(|c| c.advance_to(now).0))
}

/// Who writes, when, with which key and simulation code.
#[derive(Debug)]
pub(crate) struct Call {
    pub(crate) tenant: Tenant,
    pub(crate) now: Timestamp,
    pub(crate) idempotency: Option<IdempotencyRequest>,
    pub(crate) simulation: Option<Simulation>,
}

/// How a successful command is answered, from the new aggregate and the effects.
pub(crate) type Render = Box<dyn FnOnce(&Checkout, &[Effect]) -> Result<Answer, ApiError> + Send>;

/// Runs `command` on the aggregate holding `object` (`what` names it in a 404): the command with its simulation code, then
/// `render` (or the decline's error answer, with the decline's state change kept).
pub(crate) async fn run_command(
    state: &AppState,
    call: Call,
    (object, what): (ObjectRef, &'static str),
    command: Command,
    render: Render,
) -> Result<Written, ApiError> {
    let Call {
        tenant,
        now,
        idempotency,
        simulation,
    } = call;
    let id = object.id().to_owned();
    let target = Target::Existing(object);
    execute(state, tenant, target, idempotency, move |loaded| {
        let (c, effects, refusal) = apply_simulated(loaded, command, simulation, now, what, &id)?;
        if let Some(answer) = refusal {
            return Ok((c, answer));
        }
        let answer = render(&c, &effects)?;
        Ok((c, answer))
    })
    .await
}
