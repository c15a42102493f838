//! The dashboard's pages and forms: each parses, calls one `service::dashboard` (or
//! `service::journal`) function and renders a template of `templates/dashboard`.

use askama::Template;
use axum::Form;
use axum::Json;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use subtle::ConstantTimeEq as _;

use super::{
    Html, RequestFacts, csrf_token, form_allowed, session as signed_in_session, session_value,
    set_cookie,
};
use crate::admin_api::{JournalEntry, JournalPage, JournalSummary, parse_duration};
use crate::error::{ApiError, Reason};
use crate::service::dashboard::{self, BuyerButton, Found, MerchantOverview, SessionPage};
use crate::service::journal::{self, ListQuery};
use crate::state::AppState;

/// The CSRF token of the signed-in browser (the middleware let only those through).
fn csrf(state: &AppState, headers: &HeaderMap) -> String {
    signed_in_session(state, headers)
        .map(|s| csrf_token(state, &s))
        .unwrap_or_default()
}

fn refused() -> Response {
    let mut response = ApiError::new(
        Reason::UnauthorizedAccess,
        "This form did not come from the dashboard (another site, or a missing or stale csrf token); reload the page.",
    )
    .into_response();
    *response.status_mut() = StatusCode::FORBIDDEN;
    response
}

/// The class of a status for its colour: `ok`, `redirect`, `client`, `server`.
pub(crate) fn status_class(status: u16) -> &'static str {
    match status {
        200..=299 => "ok",
        300..=399 => "redirect",
        400..=499 => "client",
        _ => "server",
    }
}

fn latency(us: u64) -> String {
    if us >= 10_000 {
        format!("{} ms", us / 1000)
    } else {
        format!("{:.1} ms", us as f64 / 1000.0)
    }
}

// ---- login ----

#[derive(Template)]
#[template(path = "dashboard/login.html")]
struct LoginPage {
    csrf: String,
    error: Option<String>,
}

pub(super) async fn login_form() -> Response {
    Html::ok(LoginPage {
        csrf: String::new(),
        error: None,
    })
    .into_response()
}

#[derive(Deserialize)]
pub(super) struct LoginForm {
    token: String,
}

pub(super) async fn login(
    State(state): State<AppState>,
    facts: RequestFacts,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    use secrecy::ExposeSecret as _;
    if facts.cross_site {
        return refused();
    }
    let given = form.map(|Form(f)| f.token).unwrap_or_default();
    let expected = state.settings().admin_token.expose_secret().as_bytes();
    if expected.is_empty() || !bool::from(given.trim().as_bytes().ct_eq(expected)) {
        return Html::with_status(
            StatusCode::UNAUTHORIZED,
            LoginPage {
                csrf: String::new(),
                error: Some("That is not this emulator's admin token.".to_owned()),
            },
        )
        .into_response();
    }
    let value = session_value(&state);
    let mut response = Redirect::to("/__dashboard").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, set_cookie(&state, Some(&value)));
    response
}

#[derive(Deserialize)]
pub(super) struct CsrfForm {
    csrf: Option<String>,
}

pub(super) async fn logout(
    State(state): State<AppState>,
    facts: RequestFacts,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    let csrf = form.ok().and_then(|Form(f)| f.csrf);
    if !form_allowed(&state, &facts, csrf.as_deref()) {
        return refused();
    }
    let mut response = Redirect::to("/__dashboard/login").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, set_cookie(&state, None));
    response
}

// ---- merchants ----

#[derive(Template)]
#[template(path = "dashboard/merchants.html")]
struct MerchantsPage {
    csrf: String,
    merchants: Vec<MerchantOverview>,
    /// The steps of the clock buttons: `(value, label)`.
    steps: Vec<(&'static str, &'static str)>,
}

const STEPS: [(&str, &str); 5] = [
    ("1m", "+1 min"),
    ("1h", "+1 hour"),
    ("1d", "+1 day"),
    ("7d", "+7 days"),
    ("30d", "+30 days"),
];

pub(super) async fn merchants(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let merchants = dashboard::overview(&state).await?;
    Ok(Html::ok(MerchantsPage {
        csrf: csrf(&state, &headers),
        merchants,
        steps: STEPS.to_vec(),
    })
    .into_response())
}

#[derive(Deserialize)]
pub(super) struct AdvanceForm {
    csrf: Option<String>,
    duration: String,
}

pub(super) async fn advance_clock(
    State(state): State<AppState>,
    Path(id): Path<String>,
    facts: RequestFacts,
    form: Result<Form<AdvanceForm>, FormRejection>,
) -> Result<Response, ApiError> {
    let Ok(Form(form)) = form else {
        return Ok(refused());
    };
    if !form_allowed(&state, &facts, form.csrf.as_deref()) {
        return Ok(refused());
    }
    let secs = parse_duration(&form.duration).ok_or_else(|| {
        ApiError::new(
            Reason::InvalidParameterValue,
            "The duration is not one like 1h or 30d.",
        )
    })?;
    dashboard::advance_clock(&state, &id, secs).await?;
    Ok(Redirect::to(&format!("/__dashboard#m-{}", urlencode(&id))).into_response())
}

pub(super) async fn redeliver(
    State(state): State<AppState>,
    Path(id): Path<String>,
    facts: RequestFacts,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response, ApiError> {
    let csrf = form.ok().and_then(|Form(f)| f.csrf);
    if !form_allowed(&state, &facts, csrf.as_deref()) {
        return Ok(refused());
    }
    let seq = id
        .parse::<u64>()
        .map_err(|_| ApiError::not_found("notification", &id))?;
    dashboard::redeliver(&state, seq).await?;
    Ok(Redirect::to("/__dashboard").into_response())
}

// ---- journal ----

/// One row of the journal table.
#[derive(Debug)]
struct Row {
    id: i64,
    request_id: String,
    at: String,
    merchant: String,
    operation: String,
    method: String,
    path: String,
    status: u16,
    class: &'static str,
    reason: String,
    latency: String,
    replayed: bool,
}

impl From<&JournalSummary> for Row {
    fn from(e: &JournalSummary) -> Row {
        Row {
            id: e.id,
            request_id: e.request_id.clone(),
            at: e.at.clone(),
            merchant: e.merchant_id.clone().unwrap_or_default(),
            operation: e.operation.clone().unwrap_or_default(),
            method: e.method.clone(),
            path: e.path.clone(),
            status: e.status,
            class: status_class(e.status),
            reason: e.reason_code.clone().unwrap_or_default(),
            latency: latency(e.latency_us),
            replayed: e.replayed,
        }
    }
}

/// The journal's filters, as the form sends them.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Filters {
    #[serde(default)]
    merchant: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    operation: String,
    #[serde(default)]
    since: String,
    #[serde(default)]
    object: String,
    after: Option<i64>,
    before: Option<i64>,
}

impl Filters {
    fn query(&self, limit: u32) -> ListQuery {
        let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        ListQuery {
            merchant: some(&self.merchant),
            status: some(&self.status),
            operation: some(&self.operation),
            since: some(&self.since),
            after: self.after,
            before: self.before,
            object: some(&self.object),
            limit: Some(limit),
        }
    }
}

#[derive(Template)]
#[template(path = "dashboard/journal.html")]
struct JournalTable {
    csrf: String,
    rows: Vec<Row>,
    filters: Filters,
    error: Option<String>,
    /// The largest id shown (where the live update continues).
    last_id: i64,
    /// The smallest id shown (where the next page starts).
    first_id: Option<i64>,
    dropped: u64,
    size: u32,
    statuses: [&'static str; 4],
}

/// Entries per page.
const PAGE: u32 = 100;

pub(super) async fn journal(
    State(state): State<AppState>,
    headers: HeaderMap,
    filters: Result<Query<Filters>, QueryRejection>,
) -> Result<Response, ApiError> {
    let filters = filters.map(|Query(f)| f).unwrap_or_default();
    let (page, error) = match journal::list(&state, filters.query(PAGE)).await {
        Ok(page) => (page, None),
        Err(ApiError::Amazon { message, .. }) => (
            JournalPage {
                entries: Vec::new(),
                dropped: 0,
                journal_size: 0,
            },
            Some(message),
        ),
        Err(e) => return Err(e),
    };
    let rows: Vec<Row> = page.entries.iter().map(Row::from).collect();
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    Ok(Html::with_status(
        status,
        JournalTable {
            csrf: csrf(&state, &headers),
            last_id: rows.iter().map(|r| r.id).max().unwrap_or(0),
            first_id: (rows.len() == PAGE as usize)
                .then(|| rows.iter().map(|r| r.id).min())
                .flatten(),
            rows,
            filters,
            error,
            dropped: page.dropped,
            size: page.journal_size,
            statuses: ["2xx", "3xx", "4xx", "5xx"],
        },
    )
    .into_response())
}

/// The live update: entries after `?after=` with the page's filters, oldest first (JSON).
pub(super) async fn journal_json(
    State(state): State<AppState>,
    filters: Result<Query<Filters>, QueryRejection>,
) -> Result<Json<JournalPage>, ApiError> {
    let filters = filters
        .map(|Query(f)| f)
        .map_err(|e| ApiError::new(Reason::InvalidParameterValue, e.body_text()))?;
    journal::list(&state, filters.query(500)).await.map(Json)
}

// ---- one request ----

#[derive(Template)]
#[template(path = "dashboard/request.html")]
struct RequestPage {
    csrf: String,
    row: Row,
    e: JournalEntry,
    session: Option<String>,
}

pub(super) async fn request(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let e = match journal::show(&state, &id).await {
        Ok(e) => e,
        Err(ApiError::Amazon { message, .. }) => {
            return Ok(not_found(&state, &headers, &message));
        }
        Err(e) => return Err(e),
    };
    let session = dashboard::session_of_request(&state, &e).await?;
    Ok(Html::ok(RequestPage {
        csrf: csrf(&state, &headers),
        row: Row::from(&e.summary),
        e,
        session,
    })
    .into_response())
}

// ---- checkout session ----

#[derive(Template)]
#[template(path = "dashboard/session.html")]
struct SessionTemplate {
    csrf: String,
    page: SessionPage,
    instruments: Vec<(String, String)>,
    error: Option<String>,
    classes: Vec<&'static str>,
}

pub(super) async fn session(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    session_response(&state, &headers, &id, StatusCode::OK, None).await
}

async fn session_response(
    state: &AppState,
    headers: &HeaderMap,
    id: &str,
    status: StatusCode,
    error: Option<String>,
) -> Result<Response, ApiError> {
    let Some(page) = dashboard::session_page(state, id).await? else {
        return Ok(not_found(
            state,
            headers,
            &format!("There is no Checkout Session {id}."),
        ));
    };
    let classes = page
        .timeline
        .iter()
        .map(|e| e.request.as_ref().map_or("", |r| status_class(r.status)))
        .collect();
    Ok(Html::with_status(
        status,
        SessionTemplate {
            csrf: csrf(state, headers),
            page,
            instruments: dashboard::instruments(),
            error,
            classes,
        },
    )
    .into_response())
}

#[derive(Deserialize)]
pub(super) struct BuyerForm {
    csrf: Option<String>,
    instrument: Option<String>,
}

pub(super) async fn buyer_button(
    State(state): State<AppState>,
    Path((id, action)): Path<(String, String)>,
    facts: RequestFacts,
    form: Result<Form<BuyerForm>, FormRejection>,
) -> Result<Response, ApiError> {
    let Ok(Form(form)) = form else {
        return Ok(refused());
    };
    if !form_allowed(&state, &facts, form.csrf.as_deref()) {
        return Ok(refused());
    }
    let button = match action.as_str() {
        "sign-in" => BuyerButton::SignIn(form.instrument.unwrap_or_else(|| "1111".to_owned())),
        "pay" => BuyerButton::Pay,
        "cancel" => BuyerButton::Cancel,
        _ => return Err(ApiError::new(Reason::ResourceNotFound, "No such button.")),
    };
    let done = match dashboard::buyer_button(&state, &id, button).await {
        Ok(done) => done,
        Err(ApiError::Amazon { message, .. }) => Err(message),
        Err(e) => return Err(e),
    };
    match done {
        Ok(_) => {
            Ok(Redirect::to(&format!("/__dashboard/sessions/{}", urlencode(&id))).into_response())
        }
        Err(message) => {
            session_response(
                &state,
                &facts.headers,
                &id,
                StatusCode::CONFLICT,
                Some(message),
            )
            .await
        }
    }
}

// ---- search ----

#[derive(Deserialize)]
pub(super) struct SearchQuery {
    #[serde(default)]
    q: String,
}

pub(super) async fn search(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<SearchQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let q = query.map(|Query(q)| q.q).unwrap_or_default();
    let to = match dashboard::search(&state, &q).await? {
        Found::Session(id) => format!("/__dashboard/sessions/{}", urlencode(&id)),
        Found::Request(id) => format!("/__dashboard/requests/{}", urlencode(&id)),
        Found::Merchant(id) => format!("/__dashboard#m-{}", urlencode(&id)),
        Found::Nothing => {
            return Ok(not_found(
                &state,
                &headers,
                &format!("Nothing has the id {:?}.", q.trim()),
            ));
        }
    };
    Ok(Redirect::to(&to).into_response())
}

// ---- not found ----

#[derive(Template)]
#[template(path = "dashboard/not_found.html")]
struct NotFound {
    csrf: String,
    message: String,
}

fn not_found(state: &AppState, headers: &HeaderMap, message: &str) -> Response {
    Html::with_status(
        StatusCode::NOT_FOUND,
        NotFound {
            csrf: csrf(state, headers),
            message: message.to_owned(),
        },
    )
    .into_response()
}

/// Percent-encodes a path segment or fragment (ids are URL-safe; anything else is encoded).
fn urlencode(s: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}
