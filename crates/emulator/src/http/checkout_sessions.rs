//! Checkout Session API: Create, Get, Update, Complete, Finalize (spec §1.4 #1 to #5).

use amzpay_emulator_core::checkout::{self, Command, Effect};
use amzpay_emulator_core::ids::CheckoutSessionId;
use amzpay_emulator_core::{ObjectKind, Timestamp};
use amzpay_emulator_store::Target;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};

use crate::convert::{self, session_view, to_json};
use crate::http::error::ApiError;
use crate::http::extract::Signed;
use crate::service::{self, Answer, apply_simulated, merchant_context};
use crate::state::AppState;

const WHAT: &str = "Checkout Session";

/// The routes of this resource.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/v2/checkoutSessions", post(create))
        .route("/v2/checkoutSessions/{id}", get(read).patch(update))
        .route("/v2/checkoutSessions/{id}/complete", post(complete))
        .route("/v2/checkoutSessions/{id}/finalize", post(finalize))
}

fn session_id(id: &str) -> Result<CheckoutSessionId, ApiError> {
    CheckoutSessionId::parse(id).ok_or_else(|| ApiError::not_found(WHAT, id))
}

fn target(id: &CheckoutSessionId) -> Target {
    Target::Existing {
        kind: ObjectKind::CheckoutSession,
        id: id.to_string(),
    }
}

async fn create(State(state): State<AppState>, signed: Signed) -> Result<Response, ApiError> {
    signed.simulation(None)?;
    let idempotency = signed.idempotency(true)?;
    let input = convert::new_session(signed.json(false)?)?;
    let ctx = merchant_context(&signed.merchant, &signed.tenant);
    let base = state.settings().public_base_url.clone();
    let now = signed.now;
    service::mutate(&state, signed.tenant, Target::New, idempotency, move |_| {
        let (c, _) = checkout::create(&ctx, input, now, &mut rand::thread_rng())?;
        let body = to_json(&session_view(&c, &base));
        Ok((c, Answer::json(StatusCode::CREATED, body)))
    })
    .await
}

async fn read(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed: Signed,
) -> Result<Response, ApiError> {
    signed.simulation(None)?;
    let sid = session_id(&id)?;
    let c = service::read(
        &state,
        &signed.tenant,
        ObjectKind::CheckoutSession,
        sid.as_str(),
        signed.now,
    )
    .await?
    .filter(|c| c.session_visible(signed.now))
    .ok_or_else(|| ApiError::not_found(WHAT, &id))?;
    let body = to_json(&session_view(&c, &state.settings().public_base_url));
    Ok(service::respond(amzpay_emulator_store::StoredResponse {
        status: 200,
        body,
    }))
}

/// Runs a command on the session and answers with the session (200, or 202 when Complete or
/// Finalize left the authorization pending; a simulated cancel keeps the cancel and answers 422
/// `CheckoutSessionCanceled`).
async fn run(
    state: &AppState,
    signed: Signed,
    id: &str,
    idempotency: Option<amzpay_emulator_store::IdempotencyRequest>,
    command: Command,
) -> Result<Response, ApiError> {
    let simulation = signed.simulation(command.simulated_operation())?;
    let sid = session_id(id)?;
    let base = state.settings().public_base_url.clone();
    let now: Timestamp = signed.now;
    let id = id.to_owned();
    service::mutate(
        state,
        signed.tenant,
        target(&sid),
        idempotency,
        move |loaded| {
            let (c, effects, refusal) =
                apply_simulated(loaded, command, simulation, now, WHAT, &id)?;
            if let Some(answer) = refusal {
                return Ok((c, answer));
            }
            let status = if effects.contains(&Effect::AuthorizationPending) {
                StatusCode::ACCEPTED
            } else {
                StatusCode::OK
            };
            let body = to_json(&session_view(&c, &base));
            Ok((c, Answer::json(status, body)))
        },
    )
    .await
}

async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed: Signed,
) -> Result<Response, ApiError> {
    let update = convert::session_update(signed.json(false)?)?;
    run(&state, signed, &id, None, Command::Update(update)).await
}

async fn complete(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed: Signed,
) -> Result<Response, ApiError> {
    let idempotency = signed.idempotency(false)?;
    let request = convert::complete(signed.json(true)?)?;
    run(&state, signed, &id, idempotency, Command::Complete(request)).await
}

async fn finalize(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed: Signed,
) -> Result<Response, ApiError> {
    let idempotency = signed.idempotency(false)?;
    let request = convert::finalize(signed.json(false)?)?;
    run(&state, signed, &id, idempotency, Command::Finalize(request)).await
}
