//! The shell around the pure core: load the aggregate, transition, persist, answer.
//!
//! Handlers build a closure from the request (the command plus how to render the answer) and
//! call [`mutate`]; the store runs it on the loaded aggregate inside its write transaction, so
//! the answer a caller gets (and an idempotent replay returns) is exactly what was committed.

use amzpay_emulator_core::checkout::{self, Checkout, Command, Effect};
use amzpay_emulator_core::input::MerchantContext;
use amzpay_emulator_core::model::Merchant;
use amzpay_emulator_core::{ObjectKind, Simulation, Timestamp};
use amzpay_emulator_store::{
    Applied, IdempotencyRequest, Mutation, Outcome, StoredResponse, Target, Tenant,
};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::http::error::{ApiError, Reason};
use crate::state::AppState;

/// What a successful mutation answers.
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) body: Vec<u8>,
}

impl Answer {
    pub(crate) fn json(status: StatusCode, body: Vec<u8>) -> Answer {
        Answer { status, body }
    }
}

/// A stored answer as an HTTP response.
pub(crate) fn respond(r: StoredResponse) -> Response {
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, [(header::CONTENT_TYPE, "application/json")], r.body).into_response()
}

/// Runs `apply` on the target checkout inside the store's write transaction and answers with
/// its result (or the idempotent replay).
pub(crate) async fn mutate<F>(
    state: &AppState,
    tenant: Tenant,
    target: Target,
    idempotency: Option<IdempotencyRequest>,
    apply: F,
) -> Result<Response, ApiError>
where
    F: FnOnce(Option<Checkout>) -> Result<(Checkout, Answer), ApiError> + Send + 'static,
{
    let (stored, replayed) = execute(state, tenant, target, idempotency, apply).await?;
    let mut response = respond(stored);
    if replayed {
        response.headers_mut().insert(
            "x-amzpay-emulator-replayed",
            axum::http::HeaderValue::from_static("true"),
        );
    }
    Ok(response)
}

/// [`mutate`] returning the stored answer and whether it was a replay.
pub(crate) async fn execute<F>(
    state: &AppState,
    tenant: Tenant,
    target: Target,
    idempotency: Option<IdempotencyRequest>,
    apply: F,
) -> Result<(StoredResponse, bool), ApiError>
where
    F: FnOnce(Option<Checkout>) -> Result<(Checkout, Answer), ApiError> + Send + 'static,
{
    let outcome = state
        .store()
        .execute(Mutation {
            tenant,
            target,
            idempotency,
            apply: Box::new(move |loaded| match apply(loaded) {
                Ok((checkout, answer)) => Applied::Write {
                    checkout: Box::new(checkout),
                    response: StoredResponse {
                        status: answer.status.as_u16(),
                        body: answer.body,
                    },
                },
                Err(e) => Applied::Reject(e.to_stored()),
            }),
        })
        .await?;
    match outcome {
        Outcome::Executed(r) | Outcome::Rejected(r) => Ok((r, false)),
        Outcome::Replayed(r) => Ok((r, true)),
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
    let answer = refusal.map(|e| {
        let stored = e.to_stored();
        Answer::json(
            StatusCode::from_u16(stored.status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
            stored.body,
        )
    });
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
    kind: ObjectKind,
    id: &str,
    now: Timestamp,
) -> Result<Option<Checkout>, ApiError> {
    Ok(state
        .store()
        .checkout(tenant, kind, id)
        .await?
        .map(|c| c.advance_to(now).0))
}
