//! The dashboard (`/__dashboard`): the emulator's merchants, request journal, checkouts and
//! buyer buttons in a browser, server-rendered with askama from `templates/dashboard`.
//!
//! Access: the admin token, typed once into the login form, becomes a cookie
//! (`amzpay_dashboard`: `HttpOnly`, `SameSite=Strict`, `Secure` when the emulator is reached over
//! HTTPS, `Path=/__dashboard`) whose value is an HMAC of the token under the emulator's secret,
//! so the token itself never sits in the browser and a new token signs every browser out. Every
//! page and the live-update API refuse without it: a page view is sent to the login form (303),
//! anything else is 401. Only the login form and the two static assets (a stylesheet and a
//! script, which hold no data) answer without it.
//!
//! Changes (clock, buyer buttons, logout) are `POST` forms, refused (403) when the browser says
//! they come from another site (`Sec-Fetch-Site`, `Origin`: the hosted pages' same-origin check)
//! or when their `csrf` field is not the HMAC of the cookie's value; the login form has the
//! origin check. Every merchant- or buyer-controlled string reaches the page through askama's
//! HTML escaping; the script adds live rows with `textContent` only.

mod pages;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::error::{ApiError, Reason};
use crate::http::hosted::Page;
use crate::state::AppState;

/// The cookie that holds a signed-in browser's session.
const COOKIE: &str = "amzpay_dashboard";
/// The purposes of the dashboard's HMAC tags (see [`crate::secret::Secret`]).
const SESSION: &str = "dashboard-session";
const CSRF: &str = "dashboard-csrf";

const CSS: &str = include_str!("../../../assets/dashboard.css");
const JS: &str = include_str!("../../../assets/dashboard.js");

/// The dashboard's routes.
pub(crate) fn router(state: AppState) -> Router<AppState> {
    let signed_in = Router::new()
        .route("/__dashboard", get(pages::merchants))
        .route("/__dashboard/journal", get(pages::journal))
        .route("/__dashboard/journal.json", get(pages::journal_json))
        .route("/__dashboard/requests/{id}", get(pages::request))
        .route("/__dashboard/sessions/{id}", get(pages::session))
        .route(
            "/__dashboard/sessions/{id}/{action}",
            post(pages::buyer_button),
        )
        .route(
            "/__dashboard/merchants/{id}/clock/advance",
            post(pages::advance_clock),
        )
        .route(
            "/__dashboard/notifications/{id}/redeliver",
            post(pages::redeliver),
        )
        .route("/__dashboard/search", get(pages::search))
        .route("/__dashboard/logout", post(pages::logout))
        .route_layer(axum::middleware::from_fn_with_state(state, require_login));
    Router::new()
        .merge(signed_in)
        .route(
            "/__dashboard/login",
            get(pages::login_form).post(pages::login),
        )
        .route("/__dashboard/assets/dashboard.css", get(css))
        .route("/__dashboard/assets/dashboard.js", get(js))
}

async fn css() -> Response {
    asset("text/css; charset=utf-8", CSS)
}

async fn js() -> Response {
    asset("text/javascript; charset=utf-8", JS)
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

/// The cookie value of a signed-in browser: an HMAC of the admin token.
fn session_value(state: &AppState) -> String {
    use secrecy::ExposeSecret as _;
    let token = state.settings().admin_token.expose_secret();
    state.settings().secret.tag(SESSION, &[token.as_bytes()])
}

/// The session cookie's value, when the request carries a valid one.
fn session(state: &AppState, headers: &HeaderMap) -> Option<String> {
    use secrecy::ExposeSecret as _;
    let token = state.settings().admin_token.expose_secret();
    if token.is_empty() {
        return None;
    }
    let value = cookie(headers, COOKIE)?;
    state
        .settings()
        .secret
        .verify(SESSION, &[token.as_bytes()], &value)
        .then_some(value)
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (n, v) = pair.trim().split_once('=')?;
            (n == name).then(|| v.to_owned())
        })
}

/// The CSRF token of the forms of a signed-in browser.
fn csrf_token(state: &AppState, session: &str) -> String {
    state.settings().secret.tag(CSRF, &[session.as_bytes()])
}

/// Whether a state-changing form may run: same site, and its `csrf` field matches the session.
fn form_allowed(state: &AppState, parts: &RequestFacts, csrf: Option<&str>) -> bool {
    let Some(session) = session(state, &parts.headers) else {
        return false;
    };
    !parts.cross_site
        && csrf.is_some_and(|t| {
            state
                .settings()
                .secret
                .verify(CSRF, &[session.as_bytes()], t)
        })
}

/// What the form handlers need to know of the request besides the form.
#[derive(Debug)]
pub(crate) struct RequestFacts {
    headers: HeaderMap,
    cross_site: bool,
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for RequestFacts {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<RequestFacts, Self::Rejection> {
        Ok(RequestFacts {
            cross_site: crate::http::hosted::cross_site(&parts.headers, &parts.uri),
            headers: parts.headers.clone(),
        })
    }
}

/// The `Set-Cookie` value that signs a browser in (or out, with an empty value).
fn set_cookie(state: &AppState, value: Option<&str>) -> HeaderValue {
    let secure = if state.settings().public_base_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let text = match value {
        Some(v) => format!("{COOKIE}={v}; Path=/__dashboard; HttpOnly; SameSite=Strict{secure}"),
        None => {
            format!("{COOKIE}=; Path=/__dashboard; HttpOnly; SameSite=Strict{secure}; Max-Age=0")
        }
    };
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Middleware: only a signed-in browser passes; a page view goes to the login form, anything
/// else is 401.
async fn require_login(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if session(&state, request.headers()).is_some() {
        return next.run(request).await;
    }
    let page_view = request.method() == Method::GET && !request.uri().path().ends_with(".json");
    if page_view {
        Redirect::to("/__dashboard/login").into_response()
    } else {
        ApiError::new(
            Reason::UnauthorizedAccess,
            "The dashboard needs the emulator's admin token: sign in at /__dashboard/login.",
        )
        .into_response()
    }
}

/// The dashboard's pages: the buyer's pages' [`Page`] under a content security policy that
/// allows only the dashboard's own script, style and requests.
pub(crate) struct Html;

const DASHBOARD_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

impl Html {
    fn ok<T: askama::Template>(template: T) -> Page<T> {
        Page::ok(template).csp(DASHBOARD_CSP)
    }

    fn with_status<T: askama::Template>(status: StatusCode, template: T) -> Page<T> {
        Page::with_status(status, template).csp(DASHBOARD_CSP)
    }
}
