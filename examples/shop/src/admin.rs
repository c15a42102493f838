//! The back office: orders and what a merchant does after checkout, each through the SDK.
//!
//! - capture an `Authorize` order (Capture Charge), charge a `Confirm` order later (Create Charge
//!   with `captureNow`), refund with the stored `chargeId` (Create Refund), close the charge
//!   permission, ship (Delivery Tracker with tracking number and carrier code);
//! - refresh a pending order from Get Charge (and its refund from Get Refund);
//! - the charge permission as Amazon Pay returns it, with the 30-day rule for `OneTime`.
//!
//! Every action adds a line to the order's history, with Amazon Pay's error when it fails. There
//! is no login: this is a demo bound to localhost.

use amzpay::types::{
    CaptureChargeRequest, Charge, CloseChargePermissionRequest, CreateChargeRequest,
    CreateDeliveryTrackerRequest, CreateRefundRequest, DeliveryDetail,
};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::AppState;
use crate::checkout::{in_progress, status_text};
use crate::db::{Order, OrderEvent};
use crate::money;
use crate::pages::{AppError, Page, error, see_other};

/// The back-office routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/orders", get(orders))
        .route("/admin/orders/{reference}", get(order))
        .route("/admin/orders/{reference}/permission", get(permission))
        .route("/admin/orders/{reference}/capture", post(capture))
        .route("/admin/orders/{reference}/charge", post(charge_later))
        .route("/admin/orders/{reference}/refund", post(refund))
        .route("/admin/orders/{reference}/close", post(close))
        .route("/admin/orders/{reference}/ship", post(ship))
        .route("/admin/orders/{reference}/refresh", post(refresh))
        .route("/admin/products", get(products))
        .route("/admin/products/{id}", post(set_product))
}

/// An order row for the list.
#[derive(Debug)]
struct OrderRow {
    reference: String,
    created_at: String,
    buyer: String,
    total: String,
    status: String,
    payment_intent: String,
}

#[derive(Template, Debug)]
#[template(path = "admin_orders.html")]
struct OrdersPage {
    store_name: String,
    orders: Vec<OrderRow>,
}

async fn orders(State(state): State<AppState>) -> Result<Response, AppError> {
    let orders = state.db().orders().await?;
    Ok(Page::ok(OrdersPage {
        store_name: state.settings().store_name.clone(),
        orders: orders
            .iter()
            .map(|o| OrderRow {
                reference: o.reference.clone(),
                created_at: crate::pages::display_time(&o.created_at),
                buyer: o.buyer_name.clone().unwrap_or_default(),
                total: money::display(o.total_minor, &o.currency),
                status: status_text(o).to_owned(),
                payment_intent: o.payment_intent.clone(),
            })
            .collect(),
    })
    .into_response())
}

#[derive(Template, Debug)]
#[template(path = "admin_order.html")]
struct OrderPage {
    store_name: String,
    o: Order,
    status: String,
    total: String,
    captured: String,
    refunded: String,
    refundable: String,
    can_capture: bool,
    can_charge: bool,
    can_refund: bool,
    can_refresh: bool,
    /// Amazon Pay is still deciding: the page reloads itself.
    in_progress: bool,
    events: Vec<OrderEvent>,
}

async fn load(state: &AppState, reference: &str) -> Result<Result<Order, Response>, AppError> {
    Ok(match state.db().order(reference).await? {
        Some(o) => Ok(o),
        None => Err(error(
            StatusCode::NOT_FOUND,
            "No such order",
            "There is no order with this reference.",
        )),
    })
}

async fn order(
    State(state): State<AppState>,
    Path(reference): Path<String>,
) -> Result<Response, AppError> {
    let o = match load(&state, &reference).await? {
        Ok(o) => o,
        Err(page) => return Ok(page),
    };
    let mut events = state.db().events(o.id).await?;
    for e in &mut events {
        e.at = crate::pages::display_time(&e.at);
    }
    let state_is = |s: &str| o.charge_state.as_deref() == Some(s);
    let refundable = o.captured_minor - o.refunded_minor;
    let page = OrderPage {
        store_name: state.settings().store_name.clone(),
        status: status_text(&o).to_owned(),
        total: money::display(o.total_minor, &o.currency),
        captured: money::display(o.captured_minor, &o.currency),
        refunded: money::display(o.refunded_minor, &o.currency),
        refundable: money::price(refundable.max(0), &o.currency)
            .map(|p| p.amount_string())
            .unwrap_or_default(),
        can_capture: state_is("Authorized"),
        can_charge: o.charge_id.is_none() && o.payment_intent == "Confirm" && !o.permission_closed,
        can_refund: refundable > 0,
        can_refresh: o.charge_id.is_some() || o.refund_id.is_some(),
        in_progress: in_progress(&o),
        events,
        o,
    };
    Ok(Page::ok(page).into_response())
}

/// Records an SDK failure in the history and goes back to the order.
async fn failed(
    state: &AppState,
    o: &Order,
    what: &str,
    e: &amzpay::Error,
) -> Result<Response, AppError> {
    tracing::warn!(error = %e, reference = %o.reference, "{what} failed");
    state
        .db()
        .add_event(o.id, &format!("{what} failed: {e}"))
        .await?;
    Ok(back(o))
}

fn back(o: &Order) -> Response {
    see_other(&format!("/admin/orders/{}", o.reference))
}

fn captured_minor(c: &Charge) -> i64 {
    c.capture_amount.as_ref().map_or(0, |p| p.minor_units())
}

async fn capture(
    State(state): State<AppState>,
    Path(reference): Path<String>,
) -> Result<Response, AppError> {
    let o = match load(&state, &reference).await? {
        Ok(o) => o,
        Err(page) => return Ok(page),
    };
    let Some(charge_id) = o.charge_id.clone() else {
        state
            .db()
            .add_event(o.id, "Capture: the order has no charge.")
            .await?;
        return Ok(back(&o));
    };
    let amount = money::price(o.total_minor, &o.currency)?;
    match state
        .client()
        .capture_charge(&charge_id, &CaptureChargeRequest::new(amount.clone()))
        .await
    {
        Ok(r) => {
            let c = r.into_inner();
            let st = c.status_details.state.as_str().to_owned();
            state
                .db()
                .set_charge(o.id, &charge_id, &st, captured_minor(&c))
                .await?;
            state
                .db()
                .add_event(
                    o.id,
                    &format!("Captured {amount} on charge {charge_id}: {st}."),
                )
                .await?;
            Ok(back(&o))
        }
        Err(e) => failed(&state, &o, "Capture", &e).await,
    }
}

async fn charge_later(
    State(state): State<AppState>,
    Path(reference): Path<String>,
) -> Result<Response, AppError> {
    let o = match load(&state, &reference).await? {
        Ok(o) => o,
        Err(page) => return Ok(page),
    };
    let amount = money::price(o.total_minor, &o.currency)?;
    let request = CreateChargeRequest {
        capture_now: Some(true),
        can_handle_pending_authorization: Some(false),
        ..CreateChargeRequest::new(o.charge_permission_id.clone().into(), amount.clone())
    };
    match state.client().create_charge(&request).await {
        Ok(r) => {
            let c = r.into_inner();
            let st = c.status_details.state.as_str().to_owned();
            state
                .db()
                .set_charge(o.id, c.charge_id.as_str(), &st, captured_minor(&c))
                .await?;
            state
                .db()
                .add_event(
                    o.id,
                    &format!("Charged {amount}: charge {} {st}.", c.charge_id),
                )
                .await?;
            Ok(back(&o))
        }
        Err(e) => failed(&state, &o, "Charge", &e).await,
    }
}

#[derive(Deserialize, Debug)]
struct RefundForm {
    amount: String,
}

async fn refund(
    State(state): State<AppState>,
    Path(reference): Path<String>,
    Form(form): Form<RefundForm>,
) -> Result<Response, AppError> {
    let o = match load(&state, &reference).await? {
        Ok(o) => o,
        Err(page) => return Ok(page),
    };
    let Some(charge_id) = o.charge_id.clone() else {
        state
            .db()
            .add_event(o.id, "Refund: the order has no charge.")
            .await?;
        return Ok(back(&o));
    };
    let amount = match amzpay::types::Price::parse(form.amount.trim(), o.currency.as_str().into()) {
        Ok(p) if p.minor_units() > 0 => p,
        _ => {
            state
                .db()
                .add_event(
                    o.id,
                    &format!("Refund: {:?} is not an amount.", form.amount),
                )
                .await?;
            return Ok(back(&o));
        }
    };
    let request = CreateRefundRequest::new(charge_id.clone().into(), amount.clone());
    match state.client().create_refund(&request).await {
        Ok(r) => {
            let refund = r.into_inner();
            let st = refund.status_details.state.as_str().to_owned();
            let total = o.refunded_minor + amount.minor_units();
            state
                .db()
                .set_refund(o.id, refund.refund_id.as_str(), &st, total)
                .await?;
            state
                .db()
                .add_event(
                    o.id,
                    &format!(
                        "Refund {} of {amount} on charge {charge_id}: {st}.",
                        refund.refund_id
                    ),
                )
                .await?;
            Ok(back(&o))
        }
        Err(e) => failed(&state, &o, "Refund", &e).await,
    }
}

#[derive(Deserialize, Debug)]
struct CloseForm {
    reason: String,
}

async fn close(
    State(state): State<AppState>,
    Path(reference): Path<String>,
    Form(form): Form<CloseForm>,
) -> Result<Response, AppError> {
    let o = match load(&state, &reference).await? {
        Ok(o) => o,
        Err(page) => return Ok(page),
    };
    let reason = match form.reason.trim() {
        "" => "Order closed by the merchant",
        r => r,
    };
    let request = CloseChargePermissionRequest {
        cancel_pending_charges: Some(true),
        ..CloseChargePermissionRequest::new(reason)
    };
    match state
        .client()
        .close_charge_permission(&o.charge_permission_id, &request)
        .await
    {
        Ok(r) => {
            let p = r.into_inner();
            state.db().set_permission_closed(o.id).await?;
            state
                .db()
                .add_event(
                    o.id,
                    &format!(
                        "Closed charge permission {}: {}.",
                        o.charge_permission_id,
                        p.status_details.state.as_str()
                    ),
                )
                .await?;
            Ok(back(&o))
        }
        Err(e) => failed(&state, &o, "Close", &e).await,
    }
}

#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
struct ShipForm {
    tracking_number: String,
    carrier_code: String,
}

async fn ship(
    State(state): State<AppState>,
    Path(reference): Path<String>,
    Form(form): Form<ShipForm>,
) -> Result<Response, AppError> {
    let o = match load(&state, &reference).await? {
        Ok(o) => o,
        Err(page) => return Ok(page),
    };
    let (tracking, carrier) = (form.tracking_number.trim(), form.carrier_code.trim());
    if tracking.is_empty() || carrier.is_empty() {
        state
            .db()
            .add_event(o.id, "Ship: give a tracking number and a carrier code.")
            .await?;
        return Ok(back(&o));
    }
    let request = CreateDeliveryTrackerRequest::new(
        o.charge_permission_id.clone().into(),
        vec![DeliveryDetail::new(tracking, carrier)],
    );
    match state.client().create_delivery_tracker(&request).await {
        Ok(_) => {
            state.db().set_tracking(o.id, tracking, carrier).await?;
            state
                .db()
                .add_event(
                    o.id,
                    &format!("Shipped: {carrier} {tracking} sent to Amazon Pay."),
                )
                .await?;
            Ok(back(&o))
        }
        Err(e) => failed(&state, &o, "Delivery tracker", &e).await,
    }
}

/// A charge's or refund's state as Amazon Pay returned it, after the order was updated with it.
#[derive(Debug)]
pub(crate) struct Synced {
    /// `statusDetails.state`.
    pub(crate) state: String,
    /// `statusDetails.reasonCode`, if any.
    pub(crate) reason: Option<String>,
    /// Whether the order knew another state before.
    pub(crate) changed: bool,
}

impl Synced {
    /// `Authorized`, or `Declined (SoftDeclined)`.
    pub(crate) fn describe(&self) -> String {
        match &self.reason {
            Some(r) => format!("{} ({r})", self.state),
            None => self.state.clone(),
        }
    }
}

/// Reads a charge with Get Charge and stores its state and captured amount in the order: what
/// "Refresh from Amazon Pay" does, and what a notification about the charge does (`ipn.rs`).
/// The outer error is the shop's own (its database); the inner one is Amazon Pay's.
pub(crate) async fn sync_charge(
    state: &AppState,
    o: &Order,
    charge_id: &str,
) -> anyhow::Result<Result<Synced, amzpay::Error>> {
    let c = match state.client().get_charge(charge_id).await {
        Ok(r) => r.into_inner(),
        Err(e) => return Ok(Err(e)),
    };
    let synced = Synced {
        state: c.status_details.state.as_str().to_owned(),
        reason: c
            .status_details
            .reason_code
            .as_ref()
            .map(|r| r.as_str().to_owned()),
        changed: o.charge_id.as_deref() != Some(charge_id)
            || o.charge_state.as_deref() != Some(c.status_details.state.as_str()),
    };
    state
        .db()
        .set_charge(o.id, charge_id, &synced.state, captured_minor(&c))
        .await?;
    Ok(Ok(synced))
}

/// Reads a refund with Get Refund and stores its state in the order (see [`sync_charge`]).
pub(crate) async fn sync_refund(
    state: &AppState,
    o: &Order,
    refund_id: &str,
) -> anyhow::Result<Result<Synced, amzpay::Error>> {
    let refund = match state.client().get_refund(refund_id).await {
        Ok(r) => r.into_inner(),
        Err(e) => return Ok(Err(e)),
    };
    let synced = Synced {
        state: refund.status_details.state.as_str().to_owned(),
        reason: refund
            .status_details
            .reason_code
            .as_ref()
            .map(|r| r.as_str().to_owned()),
        changed: o.refund_id.as_deref() != Some(refund_id)
            || o.refund_state.as_deref() != Some(refund.status_details.state.as_str()),
    };
    state
        .db()
        .set_refund(o.id, refund_id, &synced.state, o.refunded_minor)
        .await?;
    Ok(Ok(synced))
}

async fn refresh(
    State(state): State<AppState>,
    Path(reference): Path<String>,
) -> Result<Response, AppError> {
    let o = match load(&state, &reference).await? {
        Ok(o) => o,
        Err(page) => return Ok(page),
    };
    if let Some(charge_id) = o.charge_id.clone() {
        match sync_charge(&state, &o, &charge_id).await? {
            Ok(s) if s.changed => {
                state
                    .db()
                    .add_event(
                        o.id,
                        &format!("Charge {charge_id} is now {}.", s.describe()),
                    )
                    .await?;
            }
            Ok(_) => {}
            Err(e) => return failed(&state, &o, "Refresh", &e).await,
        }
    }
    if let Some(refund_id) = o.refund_id.clone() {
        match sync_refund(&state, &o, &refund_id).await? {
            Ok(s) if s.changed => {
                state
                    .db()
                    .add_event(o.id, &format!("Refund {refund_id} is now {}.", s.state))
                    .await?;
            }
            Ok(_) => {}
            Err(e) => return failed(&state, &o, "Refresh", &e).await,
        }
    }
    Ok(back(&o))
}

#[derive(Template, Debug)]
#[template(path = "admin_permission.html")]
struct PermissionPage {
    store_name: String,
    o: Order,
    /// Pretty JSON of Get Charge Permission (escaped by the template).
    json: Option<String>,
    state: Option<String>,
    permission_type: String,
    one_time: bool,
    created: Option<String>,
    expires: Option<String>,
    buyer_visible: bool,
    error: Option<String>,
}

async fn permission(
    State(state): State<AppState>,
    Path(reference): Path<String>,
) -> Result<Response, AppError> {
    let o = match load(&state, &reference).await? {
        Ok(o) => o,
        Err(page) => return Ok(page),
    };
    let mut page = PermissionPage {
        store_name: state.settings().store_name.clone(),
        permission_type: o.charge_permission_type.clone(),
        one_time: o.charge_permission_type == "OneTime",
        json: None,
        state: None,
        created: None,
        expires: None,
        buyer_visible: false,
        error: None,
        o,
    };
    match state
        .client()
        .get_charge_permission(&page.o.charge_permission_id)
        .await
    {
        Ok(r) => {
            let p = r.into_inner();
            page.state = Some(p.status_details.state.as_str().to_owned());
            page.created = p.creation_timestamp.as_ref().map(|t| t.to_string());
            page.expires = p.expiration_timestamp.as_ref().map(|t| t.to_string());
            page.buyer_visible = p.buyer.is_some();
            page.json = serde_json::to_string_pretty(&p).ok();
        }
        Err(e) => page.error = Some(e.to_string()),
    }
    Ok(Page::ok(page).into_response())
}

/// A product row of the products page.
#[derive(Debug)]
struct ProductRow {
    id: String,
    name: String,
    price: String,
    payment_intent: String,
    can_handle_pending: bool,
}

#[derive(Template, Debug)]
#[template(path = "admin_products.html")]
struct ProductsPage {
    store_name: String,
    products: Vec<ProductRow>,
}

async fn products(State(state): State<AppState>) -> Result<Response, AppError> {
    let products = state.db().products().await?;
    Ok(Page::ok(ProductsPage {
        store_name: state.settings().store_name.clone(),
        products: products
            .into_iter()
            .map(|p| ProductRow {
                price: money::display(p.price_minor, &p.currency),
                id: p.id,
                name: p.name,
                payment_intent: p.payment_intent,
                can_handle_pending: p.can_handle_pending,
            })
            .collect(),
    })
    .into_response())
}

#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
struct ProductForm {
    payment_intent: String,
    can_handle_pending: Option<String>,
}

async fn set_product(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(form): Form<ProductForm>,
) -> Result<Response, AppError> {
    let intent = match form.payment_intent.as_str() {
        i @ ("AuthorizeWithCapture" | "Authorize" | "Confirm") => i,
        _ => {
            return Ok(error(
                StatusCode::BAD_REQUEST,
                "Unknown payment intent",
                "Choose AuthorizeWithCapture, Authorize or Confirm.",
            ));
        }
    };
    let pending = form.can_handle_pending.is_some() && intent == "Authorize";
    if !state.db().set_product_payment(&id, intent, pending).await? {
        return Ok(error(
            StatusCode::NOT_FOUND,
            "No such product",
            "This product is not in the catalog.",
        ));
    }
    Ok(see_other("/admin/products"))
}
