//! Checkout Session operations: Create, Get, Update, Complete, Finalize (spec §1.4 #1 to #5),
//! and the creation the hosted button does for a buyer.

use amzpay_emulator_core::Simulation;
use amzpay_emulator_core::checkout::{self, Checkout, Command, Effect};
use amzpay_emulator_core::ids::CheckoutSessionId;
use amzpay_emulator_core::input::NewCheckoutSession;
use amzpay_emulator_store::{IdempotencyRequest, ObjectRef, Target};

use crate::convert::{complete_view, finalize_view, session_view, to_json};
use crate::error::ApiError;
use crate::service::auth::Caller;
use crate::service::write::{
    Answer, Call, Render, Written, execute, merchant_context, read, run_command,
};
use crate::state::AppState;

const WHAT: &str = "Checkout Session";

/// 404 for a session id that is malformed, unknown, gone, or another merchant's.
pub(crate) fn not_found(id: &str) -> ApiError {
    ApiError::not_found(WHAT, id)
}

/// Creates a session for `merchant` and answers 201 with what `render` makes of it.
async fn create_with(
    state: &AppState,
    caller: &Caller,
    idempotency: Option<IdempotencyRequest>,
    input: NewCheckoutSession,
    render: impl FnOnce(&Checkout) -> Vec<u8> + Send + 'static,
) -> Result<Written, ApiError> {
    let ctx = merchant_context(&caller.merchant, &caller.tenant);
    let now = caller.now;
    execute(
        state,
        caller.tenant.clone(),
        Target::New,
        idempotency,
        move |_| {
            let (c, _) = checkout::create(&ctx, input, now, &mut rand::thread_rng())?;
            let body = render(&c);
            Ok((c, Answer::created(body)))
        },
    )
    .await
}

/// Create Checkout Session: 201 with the session.
pub(crate) async fn create(
    state: &AppState,
    caller: &Caller,
    idempotency: Option<IdempotencyRequest>,
    input: NewCheckoutSession,
) -> Result<Written, ApiError> {
    let base = state.settings().public_base_url.clone();
    let render = move |c: &Checkout| to_json(&session_view(c, &base));
    create_with(state, caller, idempotency, input, render).await
}

/// The hosted button's creation: 201 with what `render` makes of the new session (its id and
/// where the buyer goes next).
pub(crate) async fn create_for_button(
    state: &AppState,
    caller: &Caller,
    input: NewCheckoutSession,
    render: impl FnOnce(&Checkout) -> Vec<u8> + Send + 'static,
) -> Result<Written, ApiError> {
    create_with(state, caller, None, input, render).await
}

/// Get Checkout Session: the session's JSON (404 once its data is deleted).
pub(crate) async fn get(
    state: &AppState,
    caller: &Caller,
    id: &CheckoutSessionId,
) -> Result<Vec<u8>, ApiError> {
    let now = caller.now;
    let c = read(
        state,
        &caller.tenant,
        &ObjectRef::CheckoutSession(id.clone()),
        now,
    )
    .await?
    .filter(|c| c.session_visible(now))
    .ok_or_else(|| not_found(id.as_str()))?;
    Ok(to_json(&session_view(
        &c,
        &state.settings().public_base_url,
    )))
}

/// Runs Update, Complete or Finalize on the session and answers with the session (Finalize: with
/// its payment details, buyer and billing address, see [`finalize_view`]; Complete: with the
/// billing address when the scopes ask for it, see [`complete_view`]) (200, or 202
/// when Complete or Finalize left the authorization pending; a simulated cancel keeps the
/// cancel and answers 422 `CheckoutSessionCanceled`).
pub(crate) async fn run(
    state: &AppState,
    caller: &Caller,
    id: &CheckoutSessionId,
    idempotency: Option<IdempotencyRequest>,
    command: Command,
    simulation: Option<Simulation>,
) -> Result<Written, ApiError> {
    let base = state.settings().public_base_url.clone();
    let call = Call {
        tenant: caller.tenant.clone(),
        now: caller.now,
        idempotency,
        simulation,
    };
    let object = (ObjectRef::CheckoutSession(id.clone()), WHAT);
    let view = match command {
        Command::Finalize(_) => finalize_view,
        Command::Complete(_) => complete_view,
        _ => session_view,
    };
    let render: Render = Box::new(move |c, effects| {
        let body = to_json(&view(c, &base));
        Ok(if effects.contains(&Effect::AuthorizationPending) {
            Answer::accepted(body)
        } else {
            Answer::ok(body)
        })
    });
    run_command(state, call, object, command, render).await
}
