//! The request journal: what every request asked and got, kept in the database as a ring per
//! merchant (`--journal-size`, default 10,000 entries; 0 turns it off) and read back through
//! `/__admin/journal`, `amzpay emulator logs` and the dashboard.
//!
//! The HTTP layer captures each request and its answer (`http::journal`) and hands them to
//! [`Journal::record`], which never waits: the entry goes into a bounded queue, and when the
//! queue is full the entry is dropped and counted ([`JournalPage::dropped`]) rather than slow
//! the request down. One background task per process takes the queue in batches (waiting up to
//! [`LINGER`] for a batch to fill, so that a busy emulator writes few large batches), finishes each
//! entry (the merchant of an admin or hosted-page request found by the object it names, the
//! `reasonCode` read from the answer, the detail rendered as JSON) and appends the batch with one
//! store write, which keeps each ring at its size. Reads first wait for what this process has
//! queued ([`Journal::flush`]), so an answer's entry is there as soon as the answer is.
//!
//! A signature failure carries its diagnosis ([`diagnose`]): the step that failed, and the
//! canonical request and string to sign as the emulator built them.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use amzpay_emulator_core::Timestamp;
use amzpay_emulator_core::ids::{
    ChargeId, ChargePermissionId, CheckoutSessionId, MerchantId, PublicKeyId, RefundId,
};
use amzpay_emulator_core::model::Environment;
use amzpay_emulator_store::{JournalFilter, JournalRecord, NewJournalEntry, ObjectRef, Store};
use amzpay_signing::{ReceivedRequest, VerifyError, verify};
use tokio::sync::{mpsc, oneshot};

use crate::admin_api::{
    JournalBody, JournalDetail, JournalEntry, JournalPage, JournalSummary, SignatureDiagnosis,
};
use crate::error::{ApiError, Reason};
use crate::service::auth::{Caller, LegacyKey, key_owner};
use crate::service::operations::ApiOperation;
use crate::state::AppState;

/// The largest part of a body the journal keeps, in bytes.
pub(crate) const BODY_LIMIT: usize = 16 * 1024;

/// How many entries may wait for the background task; beyond that they are dropped.
const QUEUE: usize = 8192;

/// How many entries one store write takes at most.
const BATCH: usize = 512;

/// How long the background task waits for more entries before it writes a batch.
const LINGER: Duration = Duration::from_millis(100);

/// The default ring size per merchant.
pub(crate) const DEFAULT_SIZE: u32 = 10_000;

/// The handle requests record through (one per process, in `AppState`).
#[derive(Debug)]
pub(crate) struct Journal {
    queue: mpsc::Sender<Message>,
    dropped: AtomicU64,
    size: u32,
}

#[derive(Debug)]
enum Message {
    Entry(Box<Captured>),
    /// Answered once every entry queued before it is stored.
    Flush(oneshot::Sender<()>),
}

/// A request and its answer as the HTTP layer saw them.
#[derive(Debug)]
pub(crate) struct Captured {
    pub(crate) request_id: String,
    /// Real time of arrival, microseconds since the Unix epoch.
    pub(crate) at_us: i64,
    pub(crate) latency: Duration,
    pub(crate) method: String,
    /// The path as received.
    pub(crate) path: String,
    pub(crate) query: Option<String>,
    /// Header names and values, secrets already redacted ([`redact`]).
    pub(crate) request_headers: Vec<(String, String)>,
    /// At most [`BODY_LIMIT`] bytes, with the full length.
    pub(crate) request_body: (Vec<u8>, usize),
    pub(crate) status: u16,
    pub(crate) response_headers: Vec<(String, String)>,
    pub(crate) response_body: (Vec<u8>, usize),
    pub(crate) replayed: bool,
    /// What the layers below learned.
    pub(crate) noted: Noted,
}

/// What the request's handling learned about it, left in its [`JournalNote`].
#[derive(Clone, Debug, Default)]
pub(crate) struct Noted {
    pub(crate) merchant_id: Option<MerchantId>,
    pub(crate) virtual_now: Option<Timestamp>,
    pub(crate) idempotency_key: Option<String>,
    pub(crate) signature: Option<SignatureDiagnosis>,
    pub(crate) fault_rule: Option<String>,
}

/// Where the layers below the journal's middleware leave what they learn about a request.
#[derive(Clone, Debug, Default)]
pub(crate) struct JournalNote(Arc<Mutex<Noted>>);

impl JournalNote {
    fn with(&self, f: impl FnOnce(&mut Noted)) {
        f(&mut self.0.lock().unwrap_or_else(PoisonError::into_inner));
    }

    /// The authenticated caller and the request's idempotency key.
    pub(crate) fn caller(&self, caller: &Caller, idempotency_key: Option<&str>) {
        self.with(|n| {
            n.merchant_id = Some(caller.tenant.merchant_id.clone());
            n.virtual_now = Some(caller.now);
            n.idempotency_key = idempotency_key.map(str::to_owned);
        });
    }

    /// Why authentication failed, and whose key it was when the key is known.
    pub(crate) fn signature(&self, merchant: Option<MerchantId>, diagnosis: SignatureDiagnosis) {
        self.with(|n| {
            n.merchant_id = merchant;
            n.signature = Some(diagnosis);
        });
    }

    /// The fault rule that changed the answer.
    pub(crate) fn fault_rule(&self, rule_id: &str) {
        self.with(|n| n.fault_rule = Some(rule_id.to_owned()));
    }

    /// What was noted.
    pub(crate) fn take(&self) -> Noted {
        std::mem::take(&mut self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl Journal {
    /// Starts the background task that stores entries, keeping `size` per merchant; `None`
    /// when `size` is 0 or there is no tokio runtime to run the task on.
    pub(crate) fn start(store: Arc<dyn Store>, size: u32) -> Option<Journal> {
        if size == 0 {
            return None;
        }
        let runtime = tokio::runtime::Handle::try_current().ok()?;
        let (queue, rx) = mpsc::channel(QUEUE);
        runtime.spawn(store_entries(store, rx, size));
        Some(Journal {
            queue,
            dropped: AtomicU64::new(0),
            size,
        })
    }

    /// Queues an entry without waiting; a full queue drops it (and counts the drop).
    pub(crate) fn record(&self, captured: Captured) {
        if self
            .queue
            .try_send(Message::Entry(Box::new(captured)))
            .is_err()
        {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Waits until every entry queued so far is stored (or failed to be).
    pub(crate) async fn flush(&self) {
        let (tx, rx) = oneshot::channel();
        if self.queue.send(Message::Flush(tx)).await.is_ok() {
            let _ = rx.await;
        }
    }

    /// How many entries were dropped.
    pub(crate) fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// The ring size per merchant.
    pub(crate) fn size(&self) -> u32 {
        self.size
    }
}

/// The background task: batches of queued entries, finished and appended with one write each.
/// It ends when the last `Journal` handle is gone.
async fn store_entries(store: Arc<dyn Store>, mut rx: mpsc::Receiver<Message>, size: u32) {
    let mut batch = Vec::with_capacity(BATCH);
    while rx.recv_many(&mut batch, BATCH).await > 0 {
        // Under load, a batch per wake-up would be a store write per few requests, each a job
        // for SQLite's single writer; lingering gathers them into few large writes. A reader
        // waiting for a flush is not kept waiting.
        let flushing = |b: &[Message]| b.iter().any(|m| matches!(m, Message::Flush(_)));
        if !flushing(&batch) && batch.len() < BATCH {
            let deadline = tokio::time::Instant::now() + LINGER;
            while batch.len() < BATCH && !flushing(&batch) {
                let room = BATCH - batch.len();
                match tokio::time::timeout_at(deadline, rx.recv_many(&mut batch, room)).await {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
            }
        }
        let mut entries = Vec::with_capacity(batch.len());
        let mut flushes = Vec::new();
        for message in batch.drain(..) {
            match message {
                Message::Entry(c) => entries.push(finish(&*store, *c).await),
                Message::Flush(tx) => flushes.push(tx),
            }
        }
        if let Err(e) = store.append_journal(entries, size).await {
            tracing::warn!(error.message = %e, "cannot store journal entries");
        }
        for tx in flushes {
            let _ = tx.send(());
        }
    }
}

/// Turns what the HTTP layer captured into a stored entry.
async fn finish(store: &dyn Store, c: Captured) -> NewJournalEntry {
    let Captured {
        request_id,
        at_us,
        latency,
        method,
        path,
        query,
        request_headers,
        request_body,
        status,
        response_headers,
        response_body,
        replayed,
        noted,
    } = c;
    let mut merchant_id = noted.merchant_id;
    let mut virtual_at = noted.virtual_now;
    if merchant_id.is_none() {
        // An admin or hosted-page request names its merchant or an object; find the owner here,
        // off the request's path.
        if let Some(m) = merchant_named(store, &path, query.as_deref(), &request_body.0).await {
            if let Ok(Some(merchant)) = store.merchant(&m).await {
                let real = Timestamp::from_unix(at_us / 1_000_000);
                virtual_at = Some(merchant.clock.now(real));
            }
            merchant_id = Some(m);
        }
    }
    let reason_code = (status >= 400)
        .then(|| {
            serde_json::from_slice::<serde_json::Value>(&response_body.0)
                .ok()?
                .get("reasonCode")?
                .as_str()
                .map(str::to_owned)
        })
        .flatten();
    let detail = JournalDetail {
        query,
        request_headers,
        request_body: body(request_body),
        response_headers,
        response_body: body(response_body),
        signature: noted.signature,
        fault_rule: noted.fault_rule,
    };
    NewJournalEntry {
        operation: Some(operation_of(&method, &path)),
        request_id,
        merchant_id,
        at_us,
        virtual_at,
        method,
        path,
        status,
        reason_code,
        latency_us: u64::try_from(latency.as_micros()).unwrap_or(u64::MAX),
        idempotency_key: noted.idempotency_key,
        replayed,
        detail: serde_json::to_string(&detail).unwrap_or_else(|_| "{}".to_owned()),
    }
}

fn body((bytes, length): (Vec<u8>, usize)) -> JournalBody {
    JournalBody {
        text: String::from_utf8_lossy(&bytes).into_owned(),
        length: length as u64,
        truncated: length > bytes.len(),
    }
}

/// The merchant an admin or hosted-page request is about: the `merchants/{id}` of its path, or
/// the owner of the checkout session, charge permission, charge or refund its path, query or
/// form body names.
async fn merchant_named(
    store: &dyn Store,
    path: &str,
    query: Option<&str>,
    body: &[u8],
) -> Option<MerchantId> {
    let segments: Vec<&str> = path.split('/').collect();
    for pair in segments.windows(2) {
        let object = match pair[0] {
            "merchants" => return MerchantId::parse(pair[1]),
            // The dashboard's buyer buttons post to `/__dashboard/sessions/{id}/...`.
            "checkoutSessions" | "sessions" => {
                CheckoutSessionId::parse(pair[1]).map(ObjectRef::CheckoutSession)
            }
            "chargePermissions" => {
                ChargePermissionId::parse(pair[1]).map(ObjectRef::ChargePermission)
            }
            "charges" => ChargeId::parse(pair[1]).map(ObjectRef::Charge),
            "refunds" => RefundId::parse(pair[1]).map(ObjectRef::Refund),
            _ => None,
        };
        if let Some(object) = object {
            return owner(store, &object).await;
        }
    }
    let form = std::str::from_utf8(body).unwrap_or("");
    let session = [query.unwrap_or(""), form]
        .into_iter()
        .flat_map(|q| q.split('&'))
        .find_map(|pair| pair.strip_prefix("amazonCheckoutSessionId="))
        .and_then(CheckoutSessionId::parse)?;
    owner(store, &ObjectRef::CheckoutSession(session)).await
}

async fn owner(store: &dyn Store, object: &ObjectRef) -> Option<MerchantId> {
    store
        .locate(object)
        .await
        .ok()
        .flatten()
        .map(|t| t.merchant_id)
}

/// The operation of a request: Amazon's name for its API (`CompleteCheckoutSession`), else the
/// method and the path with its ids replaced by `{id}`.
pub(crate) fn operation_of(method: &str, path: &str) -> String {
    let mut normalized = path;
    for prefix in ["/sandbox", "/live"] {
        if let Some(rest) = path.strip_prefix(prefix)
            && rest.starts_with("/v2")
        {
            normalized = rest;
        }
    }
    let normalized = match normalized.strip_suffix('/') {
        Some(p) if !p.is_empty() => p,
        _ => normalized,
    };
    if let Some(op) = ApiOperation::of_request(method, normalized) {
        return op.name().to_owned();
    }
    let mut out = String::from(method);
    out.push(' ');
    let mut previous = "";
    for (i, segment) in normalized.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        let is_id = matches!(
            previous,
            "merchants"
                | "checkoutSessions"
                | "chargePermissions"
                | "faults"
                | "journal"
                | "sessions"
        );
        out.push_str(if is_id { "{id}" } else { segment });
        previous = segment;
    }
    out
}

/// A header value as the journal keeps it: the `authorization` signature is cut to its first
/// eight characters, bearer tokens and cookies are replaced, everything else is kept.
pub(crate) fn redact(name: &str, value: &[u8]) -> String {
    let value = String::from_utf8_lossy(value);
    match name {
        "authorization" | "proxy-authorization" => {
            if let Some(at) = value.find("Signature=") {
                let start = at + "Signature=".len();
                let kept: String = value[start..].chars().take(8).collect();
                format!("{}{kept}…", &value[..start])
            } else if let Some((scheme, _)) = value.split_once(' ') {
                format!("{scheme} [redacted]")
            } else {
                "[redacted]".to_owned()
            }
        }
        "cookie" | "set-cookie" => "[redacted]".to_owned(),
        _ => value.into_owned(),
    }
}

/// Why authentication refused a request, step by step as `auth::authenticate` checks it, for the
/// journal; the merchant owning the key when the key is registered. Runs only after a refusal.
pub(crate) async fn diagnose(
    state: &AppState,
    received: &ReceivedRequest<'_>,
    path_environment: Option<Environment>,
    refusal: &ApiError,
) -> (Option<MerchantId>, SignatureDiagnosis) {
    let message = match refusal {
        ApiError::Amazon { message, .. } => message.clone(),
        other => other.to_string(),
    };
    let mut d = SignatureDiagnosis {
        message,
        ..SignatureDiagnosis::default()
    };
    let step = |d: SignatureDiagnosis, step: &str| SignatureDiagnosis {
        step: step.to_owned(),
        ..d
    };
    let authorization = match received.authorization() {
        Ok(a) => a,
        Err(_) => return (None, step(d, "authorization header")),
    };
    d.public_key_id = Some(authorization.public_key_id().to_owned());
    d.algorithm = Some(authorization.algorithm().to_string());
    d.signed_headers = Some(authorization.signed_headers().join(";"));
    if PublicKeyId::parse(authorization.public_key_id()).is_none() {
        return (None, step(d, "public key"));
    }
    let Ok(owner) = key_owner(state, authorization.public_key_id()).await else {
        return (None, step(d, "public key"));
    };
    let merchant = Some(owner.merchant.merchant_id.clone());
    if owner
        .environment(LegacyKey::Path(path_environment))
        .is_err()
    {
        return (merchant, step(d, "environment"));
    }
    match verify(received, &authorization, &owner.public_key) {
        Err(VerifyError::BadSignature(bad)) => {
            d.canonical_request = Some(bad.diagnostics().canonical_request().to_owned());
            d.string_to_sign = Some(bad.diagnostics().string_to_sign().to_owned());
            (merchant, step(d, "signature"))
        }
        Err(VerifyError::InvalidDate(_)) => (merchant, step(d, "date")),
        Err(VerifyError::MissingSignedHeader(_) | VerifyError::RequiredHeaderNotSigned(_)) => {
            (merchant, step(d, "signed headers"))
        }
        Err(_) => (merchant, step(d, "authorization header")),
        Ok(verified) => {
            d.canonical_request = Some(verified.diagnostics().canonical_request().to_owned());
            d.string_to_sign = Some(verified.diagnostics().string_to_sign().to_owned());
            let name = match refusal {
                ApiError::Amazon {
                    reason: Reason::InvalidHeaderValue,
                    ..
                } => "region",
                _ => "clock skew",
            };
            (merchant, step(d, name))
        }
    }
}

/// The filters of `GET /__admin/journal`, as typed.
#[derive(Debug, Default)]
pub(crate) struct ListQuery {
    pub(crate) merchant: Option<String>,
    /// `2xx`..`5xx`, or one status.
    pub(crate) status: Option<String>,
    pub(crate) operation: Option<String>,
    /// RFC 3339 or Unix seconds.
    pub(crate) since: Option<String>,
    pub(crate) after: Option<i64>,
    pub(crate) before: Option<i64>,
    /// An object id the entry mentions.
    pub(crate) object: Option<String>,
    pub(crate) limit: Option<u32>,
}

fn bad(field: &str, why: &str) -> ApiError {
    ApiError::new(
        Reason::InvalidParameterValue,
        format!("The value provided for {field} is invalid: {why}."),
    )
}

/// A status filter: `4xx` is 400 to 499, `404` is 404.
pub(crate) fn status_range(text: &str) -> Option<(u16, u16)> {
    let t = text.trim().to_ascii_lowercase();
    if let Some(class) = t.strip_suffix("xx") {
        let c: u16 = class.parse().ok().filter(|c| (1..=5).contains(c))?;
        return Some((c * 100, c * 100 + 99));
    }
    let s: u16 = t.parse().ok().filter(|s| (100..=599).contains(s))?;
    Some((s, s))
}

/// A time filter: RFC 3339 or Unix seconds, as microseconds.
fn since_us(text: &str) -> Option<i64> {
    if let Ok(secs) = text.parse::<i64>() {
        return secs.checked_mul(1_000_000);
    }
    let at =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    i64::try_from(at.unix_timestamp_nanos() / 1000).ok()
}

/// `GET /__admin/journal`.
pub(crate) async fn list(state: &AppState, q: ListQuery) -> Result<JournalPage, ApiError> {
    let filter = JournalFilter {
        merchant_id: q
            .merchant
            .as_deref()
            .map(|m| MerchantId::parse(m).ok_or_else(|| bad("merchant", "not a merchant id")))
            .transpose()?,
        status: q
            .status
            .as_deref()
            .map(|s| status_range(s).ok_or_else(|| bad("status", "use 2xx to 5xx or a status")))
            .transpose()?,
        operation: q.operation.filter(|o| !o.is_empty()),
        since_us: q
            .since
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(|s| since_us(s).ok_or_else(|| bad("since", "use RFC 3339 or Unix seconds")))
            .transpose()?,
        after_id: q.after,
        before_id: q.before,
        mentions: q.object.filter(|o| !o.is_empty()),
        limit: match q.limit {
            None => 100,
            Some(n @ 1..=1000) => n,
            Some(_) => return Err(bad("limit", "use 1 to 1000")),
        },
    };
    let (dropped, size) = match state.journal() {
        Some(j) => {
            j.flush().await;
            (j.dropped(), j.size())
        }
        None => (0, 0),
    };
    let records = state.store().journal(&filter).await?;
    Ok(JournalPage {
        entries: records.iter().map(summary).collect(),
        dropped,
        journal_size: size,
    })
}

/// `GET /__admin/journal/{requestId}`.
pub(crate) async fn show(state: &AppState, request_id: &str) -> Result<JournalEntry, ApiError> {
    if let Some(j) = state.journal() {
        j.flush().await;
    }
    let record = state
        .store()
        .journal_entry(request_id)
        .await?
        .ok_or_else(|| {
            ApiError::new(
                Reason::ResourceNotFound,
                format!("The journal has no request {request_id}."),
            )
        })?;
    Ok(entry(&record))
}

/// A stored entry in full.
pub(crate) fn entry(record: &JournalRecord) -> JournalEntry {
    JournalEntry {
        summary: summary(record),
        detail: serde_json::from_str(&record.entry.detail).unwrap_or_default(),
    }
}

fn summary(record: &JournalRecord) -> JournalSummary {
    let e = &record.entry;
    JournalSummary {
        id: record.id,
        request_id: e.request_id.clone(),
        merchant_id: e.merchant_id.as_ref().map(|m| m.as_str().to_owned()),
        at: format_us(e.at_us),
        virtual_at: e.virtual_at.map(|t| t.to_string()),
        operation: e.operation.clone(),
        method: e.method.clone(),
        path: e.path.clone(),
        status: e.status,
        reason_code: e.reason_code.clone(),
        latency_us: e.latency_us,
        idempotency_key: e.idempotency_key.clone(),
        replayed: e.replayed,
    }
}

/// RFC 3339 with microseconds, UTC.
fn format_us(us: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// The real time now in microseconds since the Unix epoch.
pub(crate) fn now_us() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_of_an_authorization_header_is_cut_short() {
        let v = "AMZN-PAY-RSASSA-PSS-V2 PublicKeyId=SANDBOX-AB, SignedHeaders=x-amz-pay-date, Signature=abcdefghijklmnopqrstuvwxyz";
        assert_eq!(
            redact("authorization", v.as_bytes()),
            "AMZN-PAY-RSASSA-PSS-V2 PublicKeyId=SANDBOX-AB, SignedHeaders=x-amz-pay-date, Signature=abcdefgh…"
        );
        assert_eq!(
            redact("authorization", b"Bearer s3cret"),
            "Bearer [redacted]"
        );
        assert_eq!(redact("cookie", b"amzpay_dashboard=s3cret"), "[redacted]");
        assert_eq!(
            redact("x-amz-pay-date", b"20240101T000000Z"),
            "20240101T000000Z"
        );
    }

    #[test]
    fn operations_are_amazons_names_or_the_route_with_its_ids_hidden() {
        assert_eq!(
            operation_of("POST", "/sandbox/v2/checkoutSessions/abc/complete"),
            "CompleteCheckoutSession"
        );
        assert_eq!(operation_of("GET", "/v2/charges/S01-1/"), "GetCharge");
        assert_eq!(
            operation_of("POST", "/__admin/merchants/M1/clock/advance"),
            "POST /__admin/merchants/{id}/clock/advance"
        );
        assert_eq!(operation_of("GET", "/nope"), "GET /nope");
    }

    #[test]
    fn status_filters_take_a_class_or_a_status() {
        assert_eq!(status_range("4xx"), Some((400, 499)));
        assert_eq!(status_range("404"), Some((404, 404)));
        assert_eq!(status_range("6xx"), None);
        assert_eq!(status_range("teapot"), None);
    }
}
