//! Stand-ins for Amazon Pay's buyer-facing pages (spec §11, design.md §5), for a real browser.
//!
//! - `GET /checkout.js`: `amazon.Pay.renderButton`, `bindChangeAction`, `initCheckout` (the
//!   script is `assets/checkout.js`, written from the documented behaviour).
//! - `POST /checkout/start` (`button.rs`): the button's click; verifies the button signature over
//!   `payloadJSON` exactly as received and creates the Checkout Session from the payload.
//! - `GET|POST /checkout/signin`, `GET|POST /checkout/select`, `POST /checkout/cancel`
//!   (`pages.rs`): sign in as a test buyer, choose an address and a test instrument, or cancel.
//! - `GET /checkout/processing` (the `amazonPayRedirectUrl`): the payment page; its `POST` runs
//!   the payment step and sends the buyer to the merchant's result URL.
//!
//! A `GET` never changes anything. Every `POST` that changes a session must carry the session's
//! form token (an HMAC of its id with the emulator's secret, `service::buyers::form_token`, put
//! into every form of the pages) and must not come from another site (`Origin` other than the
//! host the request was sent to, or `Sec-Fetch-Site` other than `same-origin`/`none`): else a
//! 403 page and no change. So another site cannot sign a buyer in, change the address or card,
//! cancel, or run the payment step, even knowing the session id.
//!
//! Every change goes through `service::buyers::buyer_action`, the function behind the admin API's buyer
//! actions, so a browser and a headless test drive the same transitions. Pages are askama
//! templates (`templates/hosted/`), escaped by default; they load no external assets.

mod button;
mod pages;

use amzpay_emulator_core::checkout::{Command, with_session_id};
use amzpay_emulator_store::StoredResponse;
use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::http::error::{ApiError, Reason};
use crate::http::respond;
pub(crate) use crate::service::buyers::{form_token, form_token_ok, load, run_buyer_action};
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
        .route("/checkout/processing", get(processing).post(pay))
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
/// policy (the buyer's pages run no script and load nothing from elsewhere; the dashboard sets
/// its own with [`Page::csp`]).
pub(crate) struct Page<T> {
    status: StatusCode,
    template: T,
    csp: &'static str,
}

/// The buyer's pages' content security policy.
const PAGE_CSP: &str =
    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'";

impl<T: Template> Page<T> {
    pub(crate) fn ok(template: T) -> Page<T> {
        Page::with_status(StatusCode::OK, template)
    }

    pub(crate) fn with_status(status: StatusCode, template: T) -> Page<T> {
        Page {
            status,
            template,
            csp: PAGE_CSP,
        }
    }

    /// The same page under another content security policy.
    pub(crate) fn csp(self, csp: &'static str) -> Page<T> {
        Page { csp, ..self }
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
                    HeaderValue::from_static(self.csp),
                );
                // Other sites never see a page's URL (it names the session); the pages' own
                // forms keep their `Origin` (under `no-referrer` a browser sends `Origin: null`,
                // which the same-origin check must refuse).
                h.insert(
                    header::REFERRER_POLICY,
                    HeaderValue::from_static("same-origin"),
                );
                // `frame-ancestors` above is the modern form; older browsers read this one.
                h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
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

/// The page for a query the hosted pages cannot read (a repeated or malformed parameter).
pub(crate) fn bad_query(e: &QueryRejection) -> Response {
    error_page(
        StatusCode::BAD_REQUEST,
        "This checkout link is not valid",
        &format!("The link could not be read: {e}."),
    )
}

/// Why a state-changing request from a page is refused, if it is.
pub(crate) fn refused(
    state: &AppState,
    headers: &HeaderMap,
    uri: &Uri,
    session_id: &str,
    token: Option<&str>,
) -> Option<Response> {
    if cross_site(headers, uri) {
        return Some(error_page(
            StatusCode::FORBIDDEN,
            "This request came from another site",
            "Amazon Pay only accepts this form from its own pages. Start again from the merchant's Amazon Pay button.",
        ));
    }
    if !token.is_some_and(|t| form_token_ok(state, session_id, t)) {
        return Some(error_page(
            StatusCode::FORBIDDEN,
            "This form has expired",
            "The form is not from this checkout's page. Go back, reload the page and try again.",
        ));
    }
    None
}

/// Whether the browser says the request comes from another site: `Sec-Fetch-Site` other than
/// `same-origin` or `none` (typed in), or an `Origin` whose host and port are not those the
/// request was sent to (`Host`, or HTTP/2's `:authority`, which hyper puts into the URI). A
/// client that sends neither (not a browser) is not refused for it; the form token still is
/// required.
pub(crate) fn cross_site(headers: &HeaderMap, uri: &Uri) -> bool {
    let text = |name: header::HeaderName| headers.get(name).map(|v| v.to_str().unwrap_or("?"));
    if let Some(site) = text(header::HeaderName::from_static("sec-fetch-site"))
        && !matches!(site, "same-origin" | "none")
    {
        return true;
    }
    let Some(origin) = text(header::ORIGIN) else {
        return false;
    };
    let authority = origin
        .split_once("://")
        .map(|(_, rest)| rest.trim_end_matches('/'));
    let host = text(header::HOST).or_else(|| uri.authority().map(|a| a.as_str()));
    match (authority, host) {
        (Some(a), Some(h)) => !a.eq_ignore_ascii_case(h),
        // `Origin: null` (a sandboxed or opaque page), or no host to compare with.
        _ => true,
    }
}

/// The payment page: what the buyer confirms before the payment step runs.
#[derive(Template)]
#[template(path = "hosted/processing.html")]
struct PaymentPage {
    session_id: String,
    form_token: String,
    merchant: String,
    amount: Option<String>,
    buyer: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Processing {
    amazon_checkout_session_id: Option<String>,
}

/// The error of a request with no session id, as a page or as Amazon's JSON error.
fn missing_id(html: bool) -> Response {
    let e = ApiError::new(
        Reason::MissingParameterValue,
        "Value is missing for the required parameter amazonCheckoutSessionId.",
    );
    if html {
        error_page_for(&e.to_stored(), None)
    } else {
        e.into_response()
    }
}

/// `GET /checkout/processing`, the page behind `amazonPayRedirectUrl`: shows what the buyer is
/// about to pay and a button that posts the payment step. It changes nothing: the merchant sends
/// the buyer here with a redirect, so any site could make a browser load it.
async fn processing(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<Processing>, QueryRejection>,
) -> Result<Response, ApiError> {
    let html = wants_html(&headers);
    let Query(q) = match query {
        Ok(q) => q,
        Err(e) => return Ok(bad_query(&e)),
    };
    let Some(id) = q.amazon_checkout_session_id.filter(|s| !s.is_empty()) else {
        return Ok(missing_id(html));
    };
    let Some((c, _)) = load(&state, &id).await? else {
        let e = ApiError::not_found("Checkout Session", &id);
        return Ok(if html {
            error_page_for(&e.to_stored(), None)
        } else {
            e.into_response()
        });
    };
    if let Some(page) = pages::not_open(&c) {
        return Ok(page);
    }
    let session_id = c.session.id.to_string();
    Ok(Page::ok(PaymentPage {
        form_token: form_token(&state, &session_id),
        session_id,
        merchant: pages::merchant_name(&c),
        amount: pages::amount(&c),
        buyer: c.session.buyer.as_ref().map(|b| b.buyer.name.clone()),
    })
    .into_response())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PayForm {
    amazon_checkout_session_id: Option<String>,
    form_token: Option<String>,
}

/// `POST /checkout/processing`: runs the payment step and sends the buyer to the result URL.
/// Errors are a page for a browser and Amazon's JSON error for anything else.
async fn pay(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    form: Result<Form<PayForm>, FormRejection>,
) -> Result<Response, ApiError> {
    let html = wants_html(&headers);
    let Form(form) = match form {
        Ok(f) => f,
        Err(e) => return Ok(pages::bad_form(&e)),
    };
    let Some(id) = form.amazon_checkout_session_id.filter(|s| !s.is_empty()) else {
        return Ok(missing_id(html));
    };
    if let Some(page) = refused(&state, &headers, &uri, &id, form.form_token.as_deref()) {
        return Ok(page);
    }
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
