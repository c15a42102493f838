//! Stand-ins for Amazon Pay's buyer-facing pages (spec §11, design.md §5), for a real browser.
//!
//! - `GET /checkout.js`: `amazon.Pay.renderButton`, `bindChangeAction`, `initCheckout` (the
//!   script is `assets/checkout.js`, written from the documented behaviour).
//! - `POST /checkout/start` (`button.rs`): the button's click; verifies the button signature over
//!   `payloadJSON` exactly as received and creates the Checkout Session from the payload.
//! - `GET|POST /checkout/signin`, `GET|POST /checkout/select`, `POST /checkout/cancel`
//!   (`pages.rs`): sign in as a test buyer, choose an address and a test instrument, or cancel.
//! - `GET /checkout/processing` (the `amazonPayRedirectUrl`): runs the payment step and sends the
//!   buyer to the merchant's result URL.
//!
//! Every change goes through `service::buyers::buyer_action`, the function behind the admin API's buyer
//! actions, so a browser and a headless test drive the same transitions. Pages are askama
//! templates (`templates/hosted/`), escaped by default; they load no external assets.

mod button;
mod pages;

use amzpay_emulator_core::checkout::{Command, with_session_id};
use amzpay_emulator_store::StoredResponse;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::http::error::{ApiError, Reason};
use crate::http::respond;
pub(crate) use crate::service::buyers::{load, run_buyer_action};
use crate::state::AppState;

const CHECKOUT_JS: &str = include_str!("../../../assets/checkout.js");
const HOSTED_CSS: &str = include_str!("../../../assets/hosted.css");

/// The hosted routes.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/checkout.js", get(checkout_js))
        .route("/checkout/assets/hosted.css", get(hosted_css))
        .route(
            "/checkout/start",
            post(button::start).options(button::preflight),
        )
        .route(
            "/checkout/signin",
            get(pages::signin).post(pages::signin_submit),
        )
        .route(
            "/checkout/select",
            get(pages::select).post(pages::select_submit),
        )
        .route("/checkout/cancel", post(pages::cancel))
        .route("/checkout/processing", get(processing))
}

async fn checkout_js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        CHECKOUT_JS,
    )
        .into_response()
}

async fn hosted_css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        HOSTED_CSS,
    )
        .into_response()
}

/// A rendered page: a template with its status, as `text/html`, with a strict content security
/// policy (the pages run no script and load nothing from elsewhere).
pub(crate) struct Page<T> {
    status: StatusCode,
    template: T,
}

impl<T: Template> Page<T> {
    pub(crate) fn ok(template: T) -> Page<T> {
        Page {
            status: StatusCode::OK,
            template,
        }
    }

    pub(crate) fn with_status(status: StatusCode, template: T) -> Page<T> {
        Page { status, template }
    }
}

impl<T: Template> IntoResponse for Page<T> {
    fn into_response(self) -> Response {
        match self.template.render() {
            Ok(body) => {
                let mut response = (self.status, body).into_response();
                let h = response.headers_mut();
                h.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                );
                h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                h.insert(
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(
                        "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'",
                    ),
                );
                h.insert(
                    header::REFERRER_POLICY,
                    HeaderValue::from_static("no-referrer"),
                );
                response
            }
            Err(e) => ApiError::Internal(anyhow::Error::new(e).context("rendering a page"))
                .into_response(),
        }
    }
}

/// The friendly error page.
#[derive(Template)]
#[template(path = "hosted/error.html")]
pub(crate) struct ErrorPage {
    pub(crate) title: String,
    pub(crate) message: String,
    pub(crate) reason: Option<String>,
    /// Where "Return to the merchant" goes, when the emulator knows.
    pub(crate) back_url: Option<String>,
}

/// An error page with a status.
pub(crate) fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    Page::with_status(
        status,
        ErrorPage {
            title: title.to_owned(),
            message: message.to_owned(),
            reason: None,
            back_url: None,
        },
    )
    .into_response()
}

/// An API error (or a rejected buyer action's stored answer) as an error page.
pub(crate) fn error_page_for(stored: &StoredResponse, back_url: Option<String>) -> Response {
    let body: serde_json::Value = serde_json::from_slice(&stored.body).unwrap_or_default();
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let message = body["message"]
        .as_str()
        .unwrap_or("Something went wrong.")
        .to_owned();
    Page::with_status(
        status,
        ErrorPage {
            title: title_for(status).to_owned(),
            message,
            reason: body["reasonCode"].as_str().map(str::to_owned),
            back_url,
        },
    )
    .into_response()
}

fn title_for(status: StatusCode) -> &'static str {
    match status.as_u16() {
        404 => "We can't find this checkout",
        422 => "This checkout can't continue",
        400..=499 => "Something is wrong with this checkout",
        _ => "Amazon Pay is not available right now",
    }
}

/// Whether the client is a browser asking for a page (rather than an API client).
pub(crate) fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// A 303 to `url`.
pub(crate) fn see_other(url: &str) -> Response {
    match HeaderValue::from_str(url) {
        Ok(v) => (StatusCode::SEE_OTHER, [(header::LOCATION, v)]).into_response(),
        Err(_) => error_page(
            StatusCode::BAD_GATEWAY,
            "The merchant's return address is not valid",
            "Amazon Pay cannot send you back to the merchant because its return address is not a valid URL.",
        ),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Processing {
    amazon_checkout_session_id: Option<String>,
}

/// The page behind `amazonPayRedirectUrl`: runs the payment step and sends the buyer to the
/// result URL. Errors are a page for a browser and Amazon's JSON error for anything else.
async fn processing(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<Processing>,
) -> Result<Response, ApiError> {
    let html = wants_html(&headers);
    let Some(id) = q.amazon_checkout_session_id.filter(|s| !s.is_empty()) else {
        let e = ApiError::new(
            Reason::MissingParameterValue,
            "Value is missing for the required parameter amazonCheckoutSessionId.",
        );
        return Ok(if html {
            error_page_for(&e.to_stored(), None)
        } else {
            e.into_response()
        });
    };
    match run_buyer_action(&state, &id, Command::RunPaymentStep).await? {
        Ok(result) => Ok(see_other(&result.redirect_url)),
        Err(stored) if html => {
            let back = load(&state, &id).await?.and_then(|(c, _)| {
                let w = &c.session.web_checkout_details;
                w.checkout_review_return_url
                    .as_deref()
                    .map(|u| with_session_id(u, &c.session.id))
            });
            Ok(error_page_for(&stored, back))
        }
        Err(stored) => Ok(respond(stored)),
    }
}
