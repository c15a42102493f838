//! The admin API (`/__admin/...`, bearer token): merchants, virtual clocks, buyer actions,
//! timers. Buyer actions are what the hosted pages do for a browser.

use amzpay_emulator_core::checkout::Command;
use amzpay_emulator_core::ids::MerchantId;
use amzpay_emulator_core::input::{Choose, SignIn};
use amzpay_emulator_core::model::{Address, Environment, Instrument, Merchant, Region};
use amzpay_emulator_core::{Timestamp, VirtualClock};
use amzpay_emulator_store::ObjectKind;
use axum::extract::{Path, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use secrecy::ExposeSecret;
use subtle::ConstantTimeEq;

use crate::admin_api::{
    AddressInput, AdvanceClock, BuyerSignIn, BuyerSignedIn, ChooseBody, ClockInfo, CreateMerchant,
    MerchantCreated, MerchantInfo, PermissionEventBody, SetClock, SignInBody, TimersRun,
    parse_duration,
};
use crate::convert;
use crate::http::error::{ApiError, Reason};
use crate::http::extract::{parse_json, read_body};
use crate::http::respond;
use crate::service::buyers;
use crate::service::merchants::{self, NewKey, NewMerchant};
use crate::state::{AppState, real_now};
use crate::worker;

/// The admin routes, behind the bearer token.
pub(crate) fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route(
            "/__admin/merchants",
            post(create_merchant).get(list_merchants),
        )
        .route("/__admin/merchants/{id}", get(get_merchant))
        .route("/__admin/merchants/{id}/objects", get(object_counts))
        .route(
            "/__admin/merchants/{id}/clock",
            get(get_clock).put(set_clock),
        )
        .route("/__admin/merchants/{id}/clock/advance", post(advance_clock))
        .route("/__admin/checkoutSessions/{id}/sign-in", post(sign_in))
        .route("/__admin/checkoutSessions/{id}/choose", post(choose))
        .route("/__admin/checkoutSessions/{id}/pay", post(pay))
        .route("/__admin/checkoutSessions/{id}/cancel", post(cancel))
        .route("/__admin/timers/run", post(run_timers))
        .route("/__admin/merchants/{id}/sign-in", post(buyer_sign_in))
        .route(
            "/__admin/chargePermissions/{id}/events",
            post(permission_event),
        )
        .merge(crate::http::faults::admin_routes())
        .merge(crate::http::notifications::admin_routes())
        .merge(crate::http::journal::admin_routes())
        .route_layer(axum::middleware::from_fn_with_state(state, require_token))
}

async fn require_token(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let expected = state.settings().admin_token.expose_secret().as_bytes();
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if bool::from(given.as_bytes().ct_eq(expected)) && !expected.is_empty() {
        next.run(request).await
    } else {
        ApiError::new(
            Reason::UnauthorizedAccess,
            "The admin API needs the emulator's admin token as a bearer token.",
        )
        .into_response()
    }
}

async fn body<T: serde::de::DeserializeOwned>(
    state: &AppState,
    request: Request,
) -> Result<T, ApiError> {
    let (_, bytes) = read_body(request, state.settings().body_limit).await?;
    parse_json(&bytes, true)
}

fn bad(field: &str, why: &str) -> ApiError {
    ApiError::new(
        Reason::InvalidParameterValue,
        format!("The value provided for {field} is invalid: {why}."),
    )
}

async fn create_merchant(
    State(state): State<AppState>,
    request: Request,
) -> Result<Response, ApiError> {
    let req: CreateMerchant = body(&state, request).await?;
    let region = match req.region.as_deref() {
        None => Region::Na,
        Some(r) => Region::parse_alias(r).ok_or_else(|| bad("region", "use na, eu or jp"))?,
    };
    let environment = match req.environment.as_deref().map(str::to_ascii_lowercase) {
        None => Environment::Sandbox,
        Some(e) => {
            Environment::parse(&e).ok_or_else(|| bad("environment", "use sandbox or live"))?
        }
    };
    let key = match req.public_key_pem {
        Some(pem) => NewKey::Upload(
            amzpay_signing::PublicKey::from_pem(&pem)
                .map_err(|e| bad("publicKeyPem", &e.to_string()))?,
        ),
        None => NewKey::Generate,
    };
    // IPN settings are checked before the merchant exists, so a bad one creates nothing.
    let ipn = if req.ipn_urls.is_some() || req.ipn_signature_version.is_some() {
        let update = crate::http::notifications::update_of(crate::admin_api::UpdateIpn {
            sandbox: req
                .ipn_urls
                .clone()
                .filter(|_| environment == Environment::Sandbox),
            live: req
                .ipn_urls
                .clone()
                .filter(|_| environment == Environment::Live),
            signature_version: req.ipn_signature_version,
            ..Default::default()
        })?;
        crate::service::notifications::validate(&update)?;
        Some(update)
    } else {
        None
    };
    let made = merchants::create(
        &state,
        NewMerchant {
            region,
            environment,
            key,
            legacy_key_id: req.legacy_key_id == Some(true),
        },
    )
    .await?;
    if let Some(update) = ipn {
        crate::service::notifications::update_settings(&state, &made.merchant.merchant_id, update)
            .await?;
    }
    let created = MerchantCreated {
        merchant_id: made.merchant.merchant_id.to_string(),
        store_id: made.merchant.store_id.to_string(),
        public_key_id: made.public_key_id.to_string(),
        region: region.as_str().to_owned(),
        environment: environment.as_str().to_owned(),
        private_key_pem: made.private_key_pem,
    };
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

fn clock_info(m: &Merchant, applied: u64) -> ClockInfo {
    ClockInfo {
        merchant_id: m.merchant_id.to_string(),
        now: m.clock.now(real_now()).to_compact(),
        frozen: m.clock.is_frozen(),
        offset_seconds: match m.clock {
            VirtualClock::Running { offset_secs } => Some(offset_secs),
            VirtualClock::Frozen { .. } => None,
        },
        applied_timers: applied,
    }
}

fn info(m: &Merchant) -> MerchantInfo {
    MerchantInfo {
        merchant_id: m.merchant_id.to_string(),
        store_id: m.store_id.to_string(),
        region: m.region.as_str().to_owned(),
        environment: m.environment.as_str().to_owned(),
        clock: clock_info(m, 0),
    }
}

async fn merchant(state: &AppState, id: &str) -> Result<Merchant, ApiError> {
    let mid = MerchantId::parse(id).ok_or_else(|| ApiError::not_found("merchant", id))?;
    state
        .store()
        .merchant(&mid)
        .await?
        .ok_or_else(|| ApiError::not_found("merchant", id))
}

/// The page of `GET /__admin/merchants`: `limit` merchants (default [`MERCHANT_PAGE`], at most
/// [`MAX_MERCHANT_PAGE`]) after the merchant `after`, oldest first. A page shorter than `limit` is
/// the last.
#[derive(Debug, serde::Deserialize)]
struct MerchantPage {
    after: Option<String>,
    limit: Option<u32>,
}

/// Merchants per page when the request does not say.
const MERCHANT_PAGE: u32 = 100;
/// The largest page.
const MAX_MERCHANT_PAGE: u32 = 1000;

async fn list_merchants(
    State(state): State<AppState>,
    page: Result<axum::extract::Query<MerchantPage>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let axum::extract::Query(page) = page.map_err(|e| bad("query", &e.body_text()))?;
    let limit = page.limit.unwrap_or(MERCHANT_PAGE);
    if !(1..=MAX_MERCHANT_PAGE).contains(&limit) {
        return Err(bad(
            "limit",
            &format!("must be between 1 and {MAX_MERCHANT_PAGE}"),
        ));
    }
    let after = match page.after.as_deref() {
        None | Some("") => None,
        Some(id) => {
            Some(MerchantId::parse(id).ok_or_else(|| bad("after", "is not a merchant id"))?)
        }
    };
    let merchants = state.store().merchants_page(after.as_ref(), limit).await?;
    let all: Vec<MerchantInfo> = merchants.iter().map(info).collect();
    Ok(Json(all).into_response())
}

async fn get_merchant(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(Json(info(&merchant(&state, &id).await?)).into_response())
}

/// How many objects of each kind a merchant has stored (both environments of its keys).
async fn object_counts(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let m = merchant(&state, &id).await?;
    let count = |kind| state.store().count_objects(&m.merchant_id, kind);
    let counts = crate::admin_api::ObjectCounts {
        merchant_id: m.merchant_id.to_string(),
        checkout_sessions: count(ObjectKind::CheckoutSession).await?,
        charge_permissions: count(ObjectKind::ChargePermission).await?,
        charges: count(ObjectKind::Charge).await?,
        refunds: count(ObjectKind::Refund).await?,
    };
    Ok(Json(counts).into_response())
}

async fn get_clock(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(Json(clock_info(&merchant(&state, &id).await?, 0)).into_response())
}

/// Stores a new clock and applies every timer that came due on it.
async fn change_clock(
    state: &AppState,
    m: Merchant,
    clock: VirtualClock,
) -> Result<Response, ApiError> {
    state.store().set_clock(&m.merchant_id, clock).await?;
    let applied = worker::run_due(state.store(), real_now(), Some(&m.merchant_id))
        .await
        .map_err(ApiError::Internal)?;
    state.notify_dispatcher();
    let m = Merchant { clock, ..m };
    Ok(Json(clock_info(&m, applied)).into_response())
}

async fn advance_clock(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, ApiError> {
    let m = merchant(&state, &id).await?;
    let req: AdvanceClock = body(&state, request).await?;
    let secs = match (req.seconds, req.duration.as_deref()) {
        (Some(s), None) => s,
        (None, Some(d)) => parse_duration(d)
            .ok_or_else(|| bad("duration", "use e.g. 90s, 15m, 24h, 30d or 1h30m"))?,
        _ => return Err(bad("seconds", "give exactly one of seconds and duration")),
    };
    if secs < 0 {
        return Err(bad(
            "seconds",
            "the clock only moves forward; use set to go back",
        ));
    }
    change_clock(&state, m.clone(), m.clock.advanced(secs)).await
}

async fn set_clock(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, ApiError> {
    let m = merchant(&state, &id).await?;
    let req: SetClock = body(&state, request).await?;
    let at = Timestamp::parse(&req.now)
        .ok_or_else(|| bad("now", "use yyyyMMddTHHmmssZ or yyyy-MM-ddTHH:mm:ssZ"))?;
    let clock = VirtualClock::set(at, real_now(), req.frozen.unwrap_or(false));
    change_clock(&state, m, clock).await
}

fn address(a: Option<AddressInput>) -> Option<Address> {
    a.map(convert::address)
}

fn instrument(text: Option<String>) -> Result<Option<Instrument>, ApiError> {
    text.map(|t| {
        Instrument::parse(&t).ok_or_else(|| {
            bad(
                "instrument",
                "use a test card's last four digits (1111, 0005, 4444, 9424, 0000, 3064, 3434, 0701, 4354) or success, buyer-cancels, declined, pending-then-authorized, pending-then-declined",
            )
        })
    })
    .transpose()
}

async fn sign_in(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, ApiError> {
    let req: SignInBody = body(&state, request).await?;
    let mut s = SignIn::test_buyer();
    if let Some(n) = req.name {
        s.name = n;
    }
    if let Some(e) = req.email {
        s.email = e;
    }
    if req.phone_number.is_some() {
        s.phone_number = req.phone_number;
    }
    if let Some(a) = address(req.shipping_address) {
        s.shipping_address = a;
    }
    if let Some(a) = address(req.billing_address) {
        s.billing_address = a;
    }
    s.instrument = instrument(req.instrument)?;
    Ok(respond(
        buyers::buyer_action(&state, &id, Command::SignIn(s)).await?,
    ))
}

async fn choose(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, ApiError> {
    let req: ChooseBody = body(&state, request).await?;
    let command = Command::Choose(Choose {
        instrument: instrument(req.instrument)?,
        shipping_address: address(req.shipping_address),
    });
    Ok(respond(buyers::buyer_action(&state, &id, command).await?))
}

async fn pay(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, ApiError> {
    Ok(respond(
        buyers::buyer_action(&state, &id, Command::RunPaymentStep).await?,
    ))
}

async fn cancel(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(respond(
        buyers::buyer_action(&state, &id, Command::CancelAsBuyer).await?,
    ))
}

async fn run_timers(State(state): State<AppState>) -> Result<Response, ApiError> {
    let applied = worker::run_due(state.store(), real_now(), None)
        .await
        .map_err(ApiError::Internal)?;
    state.notify_dispatcher();
    Ok(Json(TimersRun { applied }).into_response())
}

/// Amazon Sign-in without a browser: issues the buyer token a `signInReturnUrl` would carry.
async fn buyer_sign_in(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, ApiError> {
    let m = merchant(&state, &id).await?;
    let req: BuyerSignIn = body(&state, request).await?;
    let mut s = SignIn::test_buyer();
    let b = &req;
    if let Some(n) = b.name.clone() {
        s.name = n;
    }
    if let Some(e) = b.email.clone() {
        s.email = e;
    }
    if b.phone_number.is_some() {
        s.phone_number = b.phone_number.clone();
    }
    if let Some(a) = address(b.shipping_address.clone()) {
        s.shipping_address = a;
    }
    if let Some(a) = address(b.billing_address.clone()) {
        s.billing_address = a;
    }
    let scopes = req
        .scopes
        .clone()
        .unwrap_or_default()
        .iter()
        .map(|x| {
            amzpay_emulator_core::model::BuyerScope::parse(x)
                .ok_or_else(|| bad("scopes", &format!("{x:?} is not a sign-in scope")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let now = m.clock.now(real_now());
    let secret = &state.settings().secret;
    let token = crate::buyer_token::issue(secret, &m, m.environment, &s, &scopes, now);
    let redirect_url = req.sign_in_return_url.map(|url| {
        let sep = if url.contains('?') { '&' } else { '?' };
        format!("{url}{sep}buyerToken={token}")
    });
    let answer = BuyerSignedIn {
        buyer_id: crate::buyer_token::buyer_id_for(&s.email),
        buyer_token: token,
        redirect_url,
    };
    Ok(Json(answer).into_response())
}

fn permission_event_of(name: &str) -> Option<amzpay_emulator_core::model::PermissionEvent> {
    use amzpay_emulator_core::model::{NonChargeableReason, PermissionEvent};
    Some(match name {
        "PaymentMethodUpdated" => PermissionEvent::InstrumentFixed,
        "BuyerClosed" => PermissionEvent::BuyerClosed,
        "AmazonCanceled" => PermissionEvent::AmazonCanceled,
        "ChargeInProgress" => return None,
        other => PermissionEvent::InstrumentIssue(NonChargeableReason::parse(other)?),
    })
}

/// A buyer or Amazon event on a Charge Permission; answers with the permission.
async fn permission_event(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, ApiError> {
    let req: PermissionEventBody = body(&state, request).await?;
    let event = permission_event_of(&req.event).ok_or_else(|| {
        bad(
            "event",
            "use PaymentMethodInvalid, PaymentMethodDeleted, BillingAddressDeleted, PaymentMethodExpired, PaymentMethodNotAllowed, PaymentMethodNotSet, MFAFailed, PaymentMethodUpdated, BuyerClosed or AmazonCanceled",
        )
    })?;
    Ok(respond(buyers::permission_event(&state, &id, event).await?))
}
