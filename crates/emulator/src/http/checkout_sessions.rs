//! Checkout Session API: Create, Get, Update, Complete, Finalize (spec §1.4 #1 to #5): parse,
//! call `service::sessions`, answer.

use amzpay_emulator_core::checkout::Command;
use amzpay_emulator_core::ids::CheckoutSessionId;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};

use crate::convert;
use crate::http::error::ApiError;
use crate::http::extract::Signed;
use crate::http::{ok, reply};
use crate::service::sessions;
use crate::state::AppState;

/// The routes of this resource.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/v2/checkoutSessions", post(create))
        .route("/v2/checkoutSessions/{id}", get(read).patch(update))
        .route("/v2/checkoutSessions/{id}/complete", post(complete))
        .route("/v2/checkoutSessions/{id}/finalize", post(finalize))
}

fn session_id(id: &str) -> Result<CheckoutSessionId, ApiError> {
    CheckoutSessionId::parse(id).ok_or_else(|| sessions::not_found(id))
}

async fn create(State(state): State<AppState>, signed: Signed) -> Result<Response, ApiError> {
    signed.simulation(None)?;
    let idempotency = signed.idempotency(true)?;
    let input = convert::new_session(signed.json(false)?)?;
    sessions::create(&state, &signed.caller, idempotency, input)
        .await
        .map(reply)
}

async fn read(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed: Signed,
) -> Result<Response, ApiError> {
    signed.simulation(None)?;
    let sid = session_id(&id)?;
    Ok(ok(sessions::get(&state, &signed.caller, &sid).await?))
}

async fn run(
    state: &AppState,
    signed: Signed,
    id: &str,
    idempotency: Option<amzpay_emulator_store::IdempotencyRequest>,
    command: Command,
) -> Result<Response, ApiError> {
    let simulation = signed.simulation(command.simulated_operation())?;
    let sid = session_id(id)?;
    sessions::run(
        state,
        &signed.caller,
        &sid,
        idempotency,
        command,
        simulation,
    )
    .await
    .map(reply)
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
