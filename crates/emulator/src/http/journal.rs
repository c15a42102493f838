//! The request journal's HTTP side: [`record`], the middleware that captures every request and
//! its answer for `service::journal`, and the admin routes that read the journal
//! (`GET /__admin/journal`, `GET /__admin/journal/{requestId}`).
//!
//! The middleware sits inside the fault middleware, so it sees the answer the emulator made
//! (a fault's closed connection or trickled body is applied after it) and names the fault rule.
//! It copies at most `service::journal::BODY_LIMIT` bytes of each body as they pass, and hands
//! the capture to the journal's queue without waiting. Nothing is captured when the journal is
//! off, nor for the journal's own routes, the dashboard, static assets and page views.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use axum::body::{Body, HttpBody as _};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use futures::StreamExt as _;
use serde::Deserialize;

use crate::admin_api::{JournalEntry, JournalPage};
use crate::error::{ApiError, Reason};
use crate::http::REQUEST_ID;
use crate::http::faults::FaultSlot;
use crate::service::journal::{self, BODY_LIMIT, Captured, JournalNote, ListQuery, redact};
use crate::state::AppState;

/// Whether a request goes into the journal: API calls, the hosted pages' form posts, the admin
/// API, the dashboard's buttons; not the journal's own reads (a follower would fill the journal
/// with itself), page views and assets, the dashboard's sign-in and sign-out (the form holds
/// the admin token), the OpenAPI document.
fn journaled(method: &Method, path: &str) -> bool {
    let read = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    let page_view = read && (path.starts_with("/checkout") || path.starts_with("/__dashboard"));
    !(page_view
        || path.starts_with("/__admin/journal")
        || path == "/__dashboard/login"
        || path == "/__dashboard/logout"
        || path == "/__openapi.json"
        || path == "/favicon.ico")
}

/// Whether the request body is kept: not for the dashboard's forms, whose `csrf` field is a
/// credential of the browser's session.
fn keeps_body(path: &str) -> bool {
    !path.starts_with("/__dashboard")
}

fn headers(map: &HeaderMap) -> Vec<(String, String)> {
    map.iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                redact(name.as_str(), value.as_bytes()),
            )
        })
        .collect()
}

type Tee = Arc<Mutex<(Vec<u8>, usize)>>;

fn keep(tee: &Tee, chunk: &[u8]) {
    let mut t = tee.lock().unwrap_or_else(PoisonError::into_inner);
    t.1 += chunk.len();
    let room = BODY_LIMIT.saturating_sub(t.0.len()).min(chunk.len());
    t.0.extend_from_slice(&chunk[..room]);
}

/// Middleware: captures the request and its answer into the journal (see the module docs).
pub(crate) async fn record(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let Some(journal) = state.journal() else {
        return next.run(request).await;
    };
    if !journaled(request.method(), request.uri().path()) {
        return next.run(request).await;
    }
    let started = Instant::now();
    let at_us = journal::now_us();
    let (mut parts, body) = request.into_parts();
    let note = JournalNote::default();
    parts.extensions.insert(note.clone());
    let fault = parts.extensions.get::<FaultSlot>().cloned();
    let request_id = parts
        .headers
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let method = parts.method.as_str().to_owned();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().map(str::to_owned);
    let request_headers = headers(&parts.headers);
    let tee: Tee = Arc::default();
    let copy = Arc::clone(&tee);
    let body = if keeps_body(&path) {
        Body::from_stream(body.into_data_stream().map(move |chunk| {
            if let Ok(c) = &chunk {
                keep(&copy, c);
            }
            chunk
        }))
    } else {
        body
    };

    let response = next.run(Request::from_parts(parts, body)).await;

    let (parts, body) = response.into_parts();
    // Every answer made below this layer is a complete body; one that is not (none today) is
    // passed on untouched and journaled without its body.
    let (body, response_body) = if body.size_hint().exact().is_some() {
        match axum::body::to_bytes(body, usize::MAX).await {
            Ok(bytes) => {
                let kept = bytes[..bytes.len().min(BODY_LIMIT)].to_vec();
                let length = bytes.len();
                (Body::from(bytes), (kept, length))
            }
            Err(_) => (Body::empty(), (Vec::new(), 0)),
        }
    } else {
        (body, (Vec::new(), 0))
    };
    if let Some(rule) = fault.and_then(|f| f.rule_id()) {
        note.fault_rule(&rule);
    }
    let request_body = std::mem::take(&mut *tee.lock().unwrap_or_else(PoisonError::into_inner));
    journal.record(Captured {
        request_id,
        at_us,
        latency: started.elapsed(),
        method,
        path,
        query,
        request_headers,
        request_body,
        status: parts.status.as_u16(),
        replayed: parts.headers.contains_key("x-amzpay-emulator-replayed"),
        response_headers: headers(&parts.headers),
        response_body,
        noted: note.take(),
    });
    Response::from_parts(parts, body)
}

/// The journal's admin routes; the admin router puts its token check in front.
pub(crate) fn admin_routes() -> Router<AppState> {
    Router::new()
        .route("/__admin/journal", get(list))
        .route("/__admin/journal/{id}", get(show))
}

/// The query of `GET /__admin/journal`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListParams {
    merchant: Option<String>,
    status: Option<String>,
    operation: Option<String>,
    since: Option<String>,
    after: Option<i64>,
    before: Option<i64>,
    object: Option<String>,
    limit: Option<u32>,
}

impl From<ListParams> for ListQuery {
    fn from(p: ListParams) -> ListQuery {
        ListQuery {
            merchant: p.merchant.filter(|m| !m.is_empty()),
            status: p.status.filter(|s| !s.is_empty()),
            operation: p.operation,
            since: p.since,
            after: p.after,
            before: p.before,
            object: p.object,
            limit: p.limit,
        }
    }
}

async fn list(
    State(state): State<AppState>,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<Json<JournalPage>, ApiError> {
    let Query(params) = params.map_err(|e| {
        ApiError::new(
            Reason::InvalidParameterValue,
            format!("The query is invalid: {}.", e.body_text()),
        )
    })?;
    journal::list(&state, params.into()).await.map(Json)
}

async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<JournalEntry>, ApiError> {
    journal::show(&state, &id).await.map(Json)
}
