//! Carrying out fault rules (`service::faults` decides): what only the HTTP layer can do.
//!
//! [`carry_out`] is a middleware around the router: it hands the request a [`FaultSlot`], the
//! `Signed` extractor asks the service layer for a decision once the caller is authenticated
//! ([`before`]: a delay or an error answer happen right there), and after the handler the
//! middleware applies what is left to the answer: the `x-amzpay-emulator-fault` header, a lost
//! answer or a reset (the connection is closed before a byte of the answer is written), a slow
//! body, a skewed `Date`.
//!
//! How a connection is closed without an answer: the answer's body fails on its first poll.
//! hyper's HTTP/1 server writes the status line and headers only together with the first bytes
//! of the body, so a body that fails at once makes it drop the connection with nothing written;
//! the client sees the connection closed before any answer (over HTTP/2 the stream is reset).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, post};
use axum::{Json, Router};
use futures::StreamExt as _;

use crate::admin_api::{AddFault, FaultRules, FaultsCleared};
use crate::error::{ApiError, Reason};
use crate::http::extract::{parse_json, read_body};
use crate::service::auth::Caller;
use crate::service::faults::{self, Action, Injection};
use crate::state::AppState;

/// The response header naming the rule that changed an answer.
pub const FAULT_HEADER: &str = "x-amzpay-emulator-fault";

/// What is left to do to the answer once the handler has run.
#[derive(Debug)]
enum After {
    /// Only the header.
    Mark,
    /// Close the connection instead of answering (a reset or a lost answer).
    Close,
    /// Trickle the body.
    SlowBody { chunk: usize, every: Duration },
    /// Skew the `Date` header by this many seconds.
    SkewDate(i64),
}

/// Where the extractor leaves the rule and what is left to do for the middleware.
#[derive(Clone, Debug, Default)]
pub(crate) struct FaultSlot(Arc<Mutex<Option<(String, After)>>>);

impl FaultSlot {
    fn put(&self, rule_id: String, after: After) {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some((rule_id, after));
    }

    /// The rule that changed the request's answer, if any (the journal names it).
    pub(crate) fn rule_id(&self) -> Option<String> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_ref()
            .map(|(rule_id, _)| rule_id.clone())
    }

    fn take(&self) -> Option<(String, After)> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
    }
}

/// Asks the service layer what to do with an authenticated request and does what must happen
/// before its handler: wait, or refuse (an error answer, or a reset, which the middleware turns
/// into a closed connection). The rest is left in the request's [`FaultSlot`] for [`carry_out`].
pub(crate) async fn before(
    state: &AppState,
    caller: &Caller,
    parts: &axum::http::request::Parts,
) -> Result<(), ApiError> {
    let Some(Injection { rule_id, action }) =
        faults::decide(state, caller, parts.method.as_str(), parts.uri.path()).await?
    else {
        return Ok(());
    };
    let (outcome, after) = match action {
        Action::Delay(d) => {
            tokio::time::sleep(d).await;
            (Ok(()), After::Mark)
        }
        Action::Fail(e) => (Err(e), After::Mark),
        // Refused so that the handler does not run; the middleware drops this answer.
        Action::Reset => (
            Err(ApiError::new(
                Reason::InternalServerError,
                "The connection is reset by a fault rule.",
            )),
            After::Close,
        ),
        Action::LoseAnswer => (Ok(()), After::Close),
        Action::SlowBody { chunk, every } => (Ok(()), After::SlowBody { chunk, every }),
        Action::SkewDate(seconds) => (Ok(()), After::SkewDate(seconds)),
    };
    if let Some(slot) = parts.extensions.get::<FaultSlot>() {
        slot.put(rule_id, after);
    }
    outcome
}

/// Middleware: gives the request a [`FaultSlot`] and applies what the decision left in it to
/// the answer.
pub(crate) async fn carry_out(mut request: Request, next: Next) -> Response {
    let slot = FaultSlot::default();
    request.extensions_mut().insert(slot.clone());
    let response = next.run(request).await;
    let Some((rule_id, after)) = slot.take() else {
        return response;
    };
    let (mut parts, body) = response.into_parts();
    if let Ok(value) = HeaderValue::from_str(&rule_id) {
        parts.headers.insert(FAULT_HEADER, value);
    }
    let body = match after {
        After::Mark => body,
        After::Close => {
            tracing::info!(fault.rule_id = %rule_id, "closing the connection without an answer");
            closed_connection()
        }
        After::SlowBody { chunk, every } => {
            parts.headers.remove(header::CONTENT_LENGTH);
            trickle(body, chunk.max(1), every).await
        }
        After::SkewDate(seconds) => {
            if let Some(value) = http_date(seconds) {
                parts.headers.insert(header::DATE, value);
            }
            body
        }
    };
    Response::from_parts(parts, body)
}

/// The admin routes of the fault rules: `POST /__admin/faults` (add), `GET` (list), `DELETE`
/// (clear every rule) and `DELETE /__admin/faults/{id}` (one rule); the admin router puts its
/// token check in front.
pub(crate) fn admin_routes() -> Router<AppState> {
    Router::new()
        .route("/__admin/faults", post(add).get(list).delete(clear_all))
        .route("/__admin/faults/{id}", delete(clear_one))
}

async fn add(State(state): State<AppState>, request: Request) -> Result<Response, ApiError> {
    let (_, bytes) = read_body(request, state.settings().body_limit).await?;
    let rule: AddFault = parse_json(&bytes, false)?;
    let added = faults::add(&state, rule).await?;
    Ok((StatusCode::CREATED, Json(added)).into_response())
}

async fn list(State(state): State<AppState>) -> Result<Json<FaultRules>, ApiError> {
    faults::list(&state).await.map(Json)
}

async fn clear_all(State(state): State<AppState>) -> Result<Json<FaultsCleared>, ApiError> {
    faults::clear(&state, None).await.map(Json)
}

async fn clear_one(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<FaultsCleared>, ApiError> {
    faults::clear(&state, Some(&id)).await.map(Json)
}

/// A body that fails on its first poll: hyper then closes the connection without writing the
/// answer (see the module docs).
fn closed_connection() -> Body {
    Body::from_stream(futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "the answer is lost by a fault rule",
        ))
    }))
}

/// The answer's bytes, `chunk` at a time with a pause of `every` before each chunk after the
/// first (tokio time, so paused-time tests run at once).
async fn trickle(body: Body, chunk: usize, every: Duration) -> Body {
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(error.message = %e, "cannot read an answer to trickle it");
            return closed_connection();
        }
    };
    let chunks: Vec<Bytes> = bytes.chunks(chunk).map(Bytes::copy_from_slice).collect();
    let stream =
        futures::stream::iter(chunks.into_iter().enumerate()).then(move |(i, c)| async move {
            if i > 0 {
                tokio::time::sleep(every).await;
            }
            Ok::<Bytes, std::io::Error>(c)
        });
    Body::from_stream(stream)
}

/// An HTTP date (IMF-fixdate) `seconds` away from the real time.
fn http_date(seconds: i64) -> Option<HeaderValue> {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    let at = time::OffsetDateTime::now_utc() + time::Duration::seconds(seconds);
    HeaderValue::from_str(&at.format(&format).ok()?).ok()
}
