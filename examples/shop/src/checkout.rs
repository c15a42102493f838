//! The checkout after the button: review page, placing the order, and the result page with the
//! completion step (design.md §3) done exactly:
//!
//! - the result page first looks the order up by session id, so a reload (or a second tab)
//!   shows the confirmation again and never completes twice;
//! - an unknown session id (another merchant's, or made up) shows an error and stores nothing;
//! - otherwise it completes for the amount the shop asked for and stores `chargePermissionId`
//!   (always), `chargeId` (when a charge exists) and the permission type, or sends the buyer
//!   back to the cart with "Your payment was not successful. Please try another payment
//!   method." The SDK helper recovers when two completions race or an answer is lost.

use amzpay::completion::{CompletionOutcome, Retention};
use amzpay::types::{
    Address, CheckoutSession, CheckoutSessionState, MerchantMetadataInput, PaymentDetailsInput,
    PaymentIntent, UpdateCheckoutSessionRequest, WebCheckoutDetailsInput,
};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::AppState;
use crate::db::{CompletedOrder, NewCheckout, Order};
use crate::money;
use crate::pages::{AppError, Page, error, see_other};
use crate::shop::{LineView, current_cart, line_views};

/// The checkout routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/checkout/review", get(review))
        .route("/checkout/place", post(place))
        .route("/checkout/result", get(result))
}

#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
struct SessionParam {
    amazon_checkout_session_id: Option<String>,
}

/// A session id as the shop accepts it from a URL: Amazon's ids are UUIDs; anything else is
/// not worth a call.
fn session_id(p: SessionParam) -> Option<String> {
    p.amazon_checkout_session_id.filter(|id| {
        !id.is_empty()
            && id.len() <= 64
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    })
}

fn missing_session() -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "Checkout link incomplete",
        "This page needs an amazonCheckoutSessionId. Start again from your cart.",
    )
}

fn one_line(a: &Address) -> String {
    [
        &a.name,
        &a.address_line1,
        &a.address_line2,
        &a.address_line3,
        &a.city,
        &a.state_or_region,
        &a.postal_code,
        &a.country_code,
    ]
    .iter()
    .filter_map(|f| f.as_deref())
    .filter(|s| !s.is_empty())
    .collect::<Vec<_>>()
    .join(", ")
}

fn descriptor(s: &CheckoutSession) -> Option<String> {
    s.payment_preferences
        .as_ref()
        .and_then(|p| p.first())
        .and_then(|p| p.payment_descriptor.clone())
}

/// Reads the session for the review page; `Err` is the page to show instead.
async fn open_session(state: &AppState, id: &str) -> Result<CheckoutSession, Response> {
    match state.client().get_checkout_session(id).await {
        Ok(r) => {
            let s = r.into_inner();
            if s.status_details.state == CheckoutSessionState::Open {
                Ok(s)
            } else {
                Err(see_other("/cart?checkout=error"))
            }
        }
        Err(e) if e.as_api().is_some_and(|a| a.status() == 404) => Err(error(
            StatusCode::NOT_FOUND,
            "We can't find this checkout",
            "This Amazon Pay checkout does not belong to this shop or has expired. Start again from your cart.",
        )),
        Err(e) => {
            tracing::error!(error = %e, "reading the checkout session failed");
            Err(error(
                StatusCode::SERVICE_UNAVAILABLE,
                "Amazon Pay is not available",
                "We could not read your Amazon Pay checkout. Please reload this page in a moment.",
            ))
        }
    }
}

#[derive(Template, Debug)]
#[template(path = "review.html")]
struct ReviewPage {
    store_name: String,
    session_id: String,
    buyer_name: String,
    buyer_email: String,
    shipping_address: Option<String>,
    payment_descriptor: String,
    lines: Vec<LineView>,
    subtotal: String,
    shipping: String,
    total: String,
    payment_intent: String,
    checkout_js_url: String,
}

async fn review(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<SessionParam>,
) -> Result<Response, AppError> {
    let Some(id) = session_id(q) else {
        return Ok(missing_session());
    };
    let Some((_, summary)) = current_cart(&state, &headers).await? else {
        return Ok(see_other("/cart"));
    };
    let session = match open_session(&state, &id).await {
        Ok(s) => s,
        Err(page) => return Ok(page),
    };
    let buyer = session.buyer.clone().unwrap_or_default();
    Ok(Page::ok(ReviewPage {
        store_name: state.settings().store_name.clone(),
        session_id: id,
        buyer_name: buyer.name.unwrap_or_default(),
        buyer_email: buyer.email.unwrap_or_default(),
        shipping_address: session.shipping_address.as_ref().map(one_line),
        payment_descriptor: descriptor(&session).unwrap_or_else(|| "Amazon Pay".to_owned()),
        lines: line_views(&summary),
        subtotal: money::display(summary.subtotal_minor, &summary.currency),
        shipping: money::display(summary.shipping_minor, &summary.currency),
        total: money::display(summary.total_minor, &summary.currency),
        payment_intent: summary.payment_intent.to_owned(),
        checkout_js_url: state.settings().checkout_js_url.clone(),
    })
    .into_response())
}

#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
struct PlaceForm {
    amazon_checkout_session_id: Option<String>,
}

fn new_reference() -> String {
    let id = uuid::Uuid::new_v4().simple().to_string().to_uppercase();
    format!("SHOP-{}", &id[..10])
}

/// "Place your order": sets what to charge and where to return, then on to Amazon's payment
/// step.
async fn place(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<PlaceForm>,
) -> Result<Response, AppError> {
    let Some(id) = session_id(SessionParam {
        amazon_checkout_session_id: form.amazon_checkout_session_id,
    }) else {
        return Ok(missing_session());
    };
    let Some((cart_id, summary)) = current_cart(&state, &headers).await? else {
        return Ok(see_other("/cart"));
    };
    let session = match open_session(&state, &id).await {
        Ok(s) => s,
        Err(page) => return Ok(page),
    };
    // Placing again (back button) keeps the first reference.
    let reference = match state.db().checkout(&id).await? {
        Some(existing) if existing.status != "redirected" => {
            return Ok(see_other(&format!(
                "/checkout/result?amazonCheckoutSessionId={id}"
            )));
        }
        Some(existing) => existing.reference,
        None => new_reference(),
    };
    let total = money::price(summary.total_minor, &summary.currency)?;
    let buyer = session.buyer.clone().unwrap_or_default();
    state
        .db()
        .upsert_checkout(&NewCheckout {
            checkout_session_id: id.clone(),
            reference: reference.clone(),
            cart_id,
            payment_intent: summary.payment_intent.to_owned(),
            can_handle_pending: summary.can_handle_pending,
            currency: summary.currency.clone(),
            subtotal_minor: summary.subtotal_minor,
            shipping_minor: summary.shipping_minor,
            total_minor: summary.total_minor,
            items: summary.items(),
            buyer_name: buyer.name,
            buyer_email: buyer.email,
            shipping_address: session.shipping_address.as_ref().map(one_line),
            payment_descriptor: descriptor(&session),
        })
        .await?;
    let update = UpdateCheckoutSessionRequest {
        web_checkout_details: Some(WebCheckoutDetailsInput {
            checkout_result_return_url: Some(format!("{}/checkout/result", state.base_url())),
            ..Default::default()
        }),
        payment_details: Some(PaymentDetailsInput {
            payment_intent: Some(PaymentIntent::from(summary.payment_intent)),
            can_handle_pending_authorization: Some(summary.can_handle_pending),
            charge_amount: Some(total),
            ..Default::default()
        }),
        merchant_metadata: Some(MerchantMetadataInput {
            merchant_reference_id: Some(reference),
            merchant_store_name: Some(state.settings().store_name.clone()),
            note_to_buyer: Some("Thank you for your order.".to_owned()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let updated = match state.client().update_checkout_session(&id, &update).await {
        Ok(r) => r.into_inner(),
        Err(e) => {
            tracing::error!(error = %e, "updating the checkout session failed");
            // A throttled or unavailable Amazon Pay (after the SDK's own retries) changed
            // nothing: tell the buyer to try again in a moment rather than that something broke.
            let busy = match &e {
                amzpay::Error::Api(a) => a.status() == 429 || a.status() >= 500,
                amzpay::Error::Timeout(_) | amzpay::Error::Transport(_) => true,
                _ => false,
            };
            return Ok(see_other(if busy {
                "/cart?checkout=busy"
            } else {
                "/cart?checkout=error"
            }));
        }
    };
    match updated
        .web_checkout_details
        .and_then(|w| w.amazon_pay_redirect_url)
    {
        Some(url) => Ok(see_other(&url)),
        None => {
            let constraints: Vec<String> = updated
                .constraints
                .unwrap_or_default()
                .iter()
                .map(|c| c.constraint_id.as_str().to_owned())
                .collect();
            tracing::error!(
                ?constraints,
                "the session still has constraints after Update"
            );
            Ok(see_other("/cart?checkout=error"))
        }
    }
}

#[derive(Template, Debug)]
#[template(path = "confirmation.html")]
struct ConfirmationPage {
    store_name: String,
    reference: String,
    subtotal: String,
    shipping: String,
    total: String,
    status: String,
    pending: bool,
    shipping_address: Option<String>,
    payment_descriptor: Option<String>,
    lines: Vec<LineView>,
}

/// Whether Amazon Pay is still deciding something about the order: a charge or refund in an
/// `…Initiated` state. Its pages reload themselves meanwhile, since a notification will change
/// it.
pub fn in_progress(o: &Order) -> bool {
    o.charge_state
        .as_deref()
        .is_some_and(|s| s.ends_with("Initiated"))
        || o.refund_state.as_deref() == Some("RefundInitiated")
}

/// The buyer-facing status of an order.
pub fn status_text(o: &Order) -> &'static str {
    if o.refunded_minor > 0 && o.refunded_minor >= o.captured_minor {
        return "Refunded";
    }
    match o.charge_state.as_deref() {
        None if o.payment_intent == "Confirm" => "Confirmed: paid when it ships",
        Some("AuthorizationInitiated") => "Payment pending",
        Some("Authorized") => "Payment authorized",
        Some("CaptureInitiated") => "Payment being captured",
        Some("Captured") => "Paid",
        Some("Declined") => "Payment declined",
        Some("Canceled") => "Payment canceled",
        _ => "Received",
    }
}

fn confirmation(state: &AppState, o: &Order) -> Response {
    let items = o.items();
    // The order keeps its total; what is not the items is the shipping charge.
    let subtotal_minor: i64 = items.iter().map(|i| i.unit_minor * i.quantity).sum();
    let lines = items
        .into_iter()
        .map(|i| LineView {
            product_id: i.product_id,
            name: i.name,
            quantity: i.quantity,
            total: money::display(i.unit_minor * i.quantity, &o.currency),
        })
        .collect();
    Page::ok(ConfirmationPage {
        store_name: state.settings().store_name.clone(),
        reference: o.reference.clone(),
        subtotal: money::display(subtotal_minor, &o.currency),
        shipping: money::display(o.total_minor - subtotal_minor, &o.currency),
        total: money::display(o.total_minor, &o.currency),
        status: status_text(o).to_owned(),
        pending: o.charge_state.as_deref() == Some("AuthorizationInitiated"),
        shipping_address: o.shipping_address.clone(),
        payment_descriptor: o.payment_descriptor.clone(),
        lines,
    })
    .into_response()
}

/// The result page (`checkoutResultReturnUrl`): the completion step.
async fn result(
    State(state): State<AppState>,
    Query(q): Query<SessionParam>,
) -> Result<Response, AppError> {
    let Some(id) = session_id(q) else {
        return Ok(missing_session());
    };
    // A reload, or a race with another tab: the order is already stored.
    if let Some(order) = state.db().order_by_session(&id).await? {
        return Ok(confirmation(&state, &order));
    }
    let Some(checkout) = state.db().checkout(&id).await? else {
        tracing::warn!(checkout_session_id = %id, "result page for a checkout this shop did not start");
        return Ok(error(
            StatusCode::NOT_FOUND,
            "We can't find this order",
            "This shop did not start this Amazon Pay checkout, so there is nothing to complete. If you paid, please contact us with your Amazon Pay receipt.",
        ));
    };
    if checkout.status == "failed" {
        return Ok(see_other("/cart?payment=failed"));
    }
    let amount = money::price(checkout.total_minor, &checkout.currency)?;
    let outcome = match state.client().complete_checkout(&id, amount, None).await {
        Ok(outcome) => outcome,
        Err(e) => {
            // The outcome is unknown: do not tell the buyer the payment failed; a reload
            // completes (or recovers) again.
            tracing::error!(error = %e, "completing the checkout failed");
            return Ok(error(
                StatusCode::SERVICE_UNAVAILABLE,
                "We are confirming your payment",
                "We could not confirm your payment with Amazon Pay yet. Please reload this page in a moment; you will not be charged twice.",
            ));
        }
    };
    match outcome {
        CompletionOutcome::Completed(done) => {
            let charge_id = done.charge.as_ref().map(|c| c.charge_id.to_string());
            let charge_state = done
                .charge
                .as_ref()
                .and_then(|c| c.state.as_ref())
                .map(|s| s.as_str().to_owned());
            let stored = CompletedOrder {
                charge_permission_id: done.charge_permission_id.to_string(),
                charge_permission_type: done.charge_permission_type.as_str().to_owned(),
                charge_id: charge_id.clone(),
                charge_state: charge_state.clone(),
            };
            let mut event = format!(
                "Checkout completed: charge permission {} ({}), charge {}{}.",
                stored.charge_permission_id,
                stored.charge_permission_type,
                charge_id
                    .as_deref()
                    .unwrap_or("none (Confirm: charge later)"),
                charge_state
                    .as_deref()
                    .map(|s| format!(" {s}"))
                    .unwrap_or_default(),
            );
            if done.authorization_pending {
                event.push_str(
                    " The authorization is pending: do not ship before it is Authorized.",
                );
            }
            if let Retention::OneTime { .. } = done.retention {
                event.push_str(" OneTime permission: buyer data is kept in this order (Amazon Pay shows it for 30 days only).");
            }
            let order = state
                .db()
                .complete_checkout(&checkout, &stored, &event)
                .await?;
            tracing::info!(reference = %order.reference, charge_permission_id = %order.charge_permission_id, "order stored");
            Ok(confirmation(&state, &order))
        }
        CompletionOutcome::NotCompleted(failed) => {
            tracing::info!(reason = ?failed.reason, "checkout not completed");
            state
                .db()
                .fail_checkout(&id, &format!("{:?}", failed.reason))
                .await?;
            if failed.reason.is_buyer_facing() {
                Ok(see_other("/cart?payment=failed"))
            } else {
                Ok(see_other("/cart?checkout=error"))
            }
        }
        _ => Ok(see_other("/cart?checkout=error")),
    }
}
