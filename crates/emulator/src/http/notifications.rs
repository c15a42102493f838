//! Instant Payment Notifications over HTTP: the admin API of IPN settings, deliveries and the
//! chargeback simulation (behind the admin token), and the public SNS certificate endpoints
//! receivers fetch (`SigningCertURL`).

use amzpay_emulator_core::ids::{ChargeId, MerchantId};
use amzpay_emulator_core::model::Environment;
use amzpay_emulator_store::{AttemptRecord, DeliveryState, IpnSettings, NotificationRecord};
use axum::extract::{Path, Query, Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

use crate::admin_api::{
    AttemptInfo, ChargebackCreated, Dispatched, IpnInfo, NotificationDetail, NotificationInfo,
    UpdateIpn,
};
use crate::http::error::{ApiError, Reason};
use crate::http::extract::{parse_json, read_body};
use crate::http::respond;
use crate::service::notifications::{self, SettingsUpdate};
use crate::sns::{CERT_FILE, sns_timestamp};
use crate::state::AppState;

/// The admin routes (the caller adds the token check).
pub(crate) fn admin_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/__admin/merchants/{id}/ipn",
            get(get_settings).put(put_settings),
        )
        .route("/__admin/notifications", get(list))
        .route("/__admin/notifications/dispatch", post(dispatch_now))
        .route("/__admin/notifications/{id}", get(show))
        .route("/__admin/notifications/{id}/redeliver", post(redeliver))
        .route("/__admin/charges/{id}/chargeback", post(chargeback))
}

/// The public routes: what an SNS receiver fetches.
pub(crate) fn public_routes() -> Router<AppState> {
    Router::new()
        .route("/__sns/ca.pem", get(ca))
        .route("/__sns/unsubscribe", get(unsubscribe))
        .route("/__sns/{file}", get(certificate))
}

fn merchant_id(id: &str) -> Result<MerchantId, ApiError> {
    MerchantId::parse(id).ok_or_else(|| ApiError::not_found("merchant", id))
}

fn info_of(state: &AppState, merchant: &MerchantId, s: &IpnSettings) -> IpnInfo {
    let urls = |env| {
        s.endpoints
            .iter()
            .filter(|e| e.environment == env)
            .map(|e| e.url.clone())
            .collect()
    };
    let base = &state.settings().public_base_url;
    IpnInfo {
        merchant_id: merchant.to_string(),
        sandbox: urls(Environment::Sandbox),
        live: urls(Environment::Live),
        signature_version: s.signature_version,
        ca_pem: s.ca_pem.clone(),
        signing_cert_url: format!("{base}/__sns/{CERT_FILE}"),
        signing_ca_url: format!("{base}/__sns/ca.pem"),
    }
}

async fn get_settings(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<IpnInfo>, ApiError> {
    let merchant = merchant_id(&id)?;
    if state.store().merchant(&merchant).await?.is_none() {
        return Err(ApiError::not_found("merchant", &id));
    }
    let settings = state.store().ipn_settings(&merchant).await?;
    Ok(Json(info_of(&state, &merchant, &settings)))
}

async fn put_settings(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Result<Json<IpnInfo>, ApiError> {
    let merchant = merchant_id(&id)?;
    let (_, bytes) = read_body(request, state.settings().body_limit).await?;
    let body: UpdateIpn = parse_json(&bytes, true)?;
    let update = update_of(body)?;
    let settings = notifications::update_settings(&state, &merchant, update).await?;
    Ok(Json(info_of(&state, &merchant, &settings)))
}

/// The service's update from the admin body.
pub(crate) fn update_of(body: UpdateIpn) -> Result<SettingsUpdate, ApiError> {
    let mut endpoints = Vec::new();
    if let Some(urls) = body.sandbox {
        endpoints.push((Environment::Sandbox, urls));
    }
    if let Some(urls) = body.live {
        endpoints.push((Environment::Live, urls));
    }
    let ca_pem = match (body.ca_pem, body.clear_ca) {
        (Some(_), Some(true)) => {
            return Err(ApiError::new(
                Reason::InvalidParameterValue,
                "Give caPem or clearCa, not both.",
            ));
        }
        (Some(pem), _) => Some(Some(pem)),
        (None, Some(true)) => Some(None),
        (None, _) => None,
    };
    Ok(SettingsUpdate {
        endpoints,
        signature_version: body.signature_version,
        ca_pem,
    })
}

fn notification_info(n: &NotificationRecord) -> NotificationInfo {
    NotificationInfo {
        id: n.seq,
        notification_id: n.notification.notification_id.clone(),
        message_id: n.notification.message_id.clone(),
        merchant_id: n.merchant_id.to_string(),
        environment: n.environment.as_str().to_owned(),
        endpoint: n.endpoint.clone(),
        object_type: n.notification.object_type.clone(),
        object_id: n.notification.object_id.clone(),
        charge_permission_id: n.notification.charge_permission_id.clone(),
        notification_type: n.notification.notification_type.clone(),
        state: n.state.as_str().to_owned(),
        attempts: n.attempts,
        created_at: sns_timestamp(n.notification.created_at_ms),
        next_attempt_at: (n.state == DeliveryState::Pending)
            .then(|| sns_timestamp(n.next_attempt_at_ms)),
        delivered_at: n.delivered_at_ms.map(sns_timestamp),
        message: n.notification.message.clone(),
    }
}

fn attempt_info(a: &AttemptRecord) -> AttemptInfo {
    AttemptInfo {
        attempt: a.attempt,
        started_at: sns_timestamp(a.started_at_ms),
        latency_ms: a.latency_ms,
        status: a.status,
        error: a.error.clone(),
        response_head: a.response_head.clone(),
    }
}

/// `GET /__admin/notifications?merchantId=&limit=`.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ListQuery {
    merchant_id: Option<String>,
    limit: Option<u32>,
}

async fn list(
    State(state): State<AppState>,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<NotificationInfo>>, ApiError> {
    let Query(q) = query.map_err(|e| {
        ApiError::new(
            Reason::InvalidParameterValue,
            format!("The query is invalid: {}.", e.body_text()),
        )
    })?;
    let merchant = q.merchant_id.as_deref().map(merchant_id).transpose()?;
    let rows = notifications::list(&state, merchant.as_ref(), q.limit.unwrap_or(100)).await?;
    Ok(Json(rows.iter().map(notification_info).collect()))
}

fn delivery_id(id: &str) -> Result<u64, ApiError> {
    id.parse()
        .map_err(|_| ApiError::not_found("notification", id))
}

async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<NotificationDetail>, ApiError> {
    let seq = delivery_id(&id)?;
    let (n, attempts) = state
        .store()
        .notification(seq)
        .await?
        .ok_or_else(|| ApiError::not_found("notification", &id))?;
    Ok(Json(NotificationDetail {
        notification: notification_info(&n),
        attempts: attempts.iter().map(attempt_info).collect(),
    }))
}

async fn redeliver(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<NotificationDetail>, ApiError> {
    notifications::redeliver(&state, delivery_id(&id)?).await?;
    show(State(state), Path(id)).await
}

async fn dispatch_now(State(state): State<AppState>) -> Result<Json<Dispatched>, ApiError> {
    let attempts = crate::dispatch::dispatch_due(&state)
        .await
        .map_err(ApiError::Internal)?;
    Ok(Json(Dispatched { attempts }))
}

async fn chargeback(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let charge = ChargeId::parse(&id).ok_or_else(|| ApiError::not_found("Charge", &id))?;
    let answer = notifications::chargeback(&state, charge).await?;
    if answer.status == 200 {
        let created: ChargebackCreated =
            serde_json::from_slice(&answer.body).map_err(|e| ApiError::Internal(e.into()))?;
        return Ok(Json(created).into_response());
    }
    Ok(respond(answer))
}

async fn signer(state: &AppState) -> Result<std::sync::Arc<crate::sns::SnsSigner>, ApiError> {
    state
        .dispatch()
        .signer(state.store().as_ref())
        .await
        .map_err(ApiError::Internal)
}

fn pem(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/x-pem-file")], body).into_response()
}

async fn certificate(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, ApiError> {
    if file != CERT_FILE {
        return Err(ApiError::new(
            Reason::ResourceNotFound,
            format!("No certificate {file:?}; the emulator signs with {CERT_FILE}."),
        ));
    }
    Ok(pem(signer(&state).await?.cert_pem().to_owned()))
}

async fn ca(State(state): State<AppState>) -> Result<Response, ApiError> {
    Ok(pem(signer(&state).await?.ca_pem().to_owned()))
}

async fn unsubscribe() -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "The amzpay emulator does not unsubscribe endpoints: change them with \
         `amzpay emulator merchant update --ipn-url` or PUT /__admin/merchants/{id}/ipn.\n",
    )
        .into_response()
}
