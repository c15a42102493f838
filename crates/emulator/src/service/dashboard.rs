//! What the dashboard (`/__dashboard`) reads and does, below HTTP: the merchants overview, a
//! checkout's page with its timeline, search by any id, the clock buttons and the buyer buttons.
//!
//! Everything here is a read of the store or a call of the service functions the admin API
//! uses (`buyers::run_buyer_action`, the clock change and its timers), so a button does
//! exactly what `amzpay emulator buyer ...` or `clock advance` does. The objects are shown as
//! Amazon's API would answer them (`convert::views`), so the page and the API cannot disagree.

use amzpay_emulator_core::Timestamp;
use amzpay_emulator_core::checkout::{Checkout, Command};
use amzpay_emulator_core::ids::{
    ChargeId, ChargePermissionId, CheckoutSessionId, MerchantId, RefundId,
};
use amzpay_emulator_core::input::SignIn;
use amzpay_emulator_core::model::{Instrument, Merchant};
use amzpay_emulator_store::{JournalFilter, ObjectRef};
use serde_json::Value;

use crate::admin_api::{BuyerActionResult, FaultRuleInfo, JournalSummary};
use crate::convert::{charge_view, permission_view, refund_view, session_view};
use crate::error::{ApiError, Reason};
use crate::service::{buyers, faults, journal};
use crate::state::{AppState, real_now};
use crate::worker;

/// The merchants the overview shows at most.
const MERCHANTS: u32 = 200;

/// One merchant on the overview.
#[derive(Debug)]
pub(crate) struct MerchantOverview {
    pub(crate) merchant_id: String,
    pub(crate) store_id: String,
    pub(crate) region: String,
    pub(crate) environment: String,
    pub(crate) public_key_ids: Vec<String>,
    /// The virtual now, RFC 3339.
    pub(crate) now: String,
    pub(crate) frozen: bool,
    /// Virtual minus real time, in seconds (running clocks).
    pub(crate) offset_seconds: Option<i64>,
    /// The fault rules that apply to this merchant (its own and those for every merchant).
    pub(crate) fault_rules: Vec<FaultRuleInfo>,
    /// IPN endpoints: `(environment, url)`.
    pub(crate) ipn_endpoints: Vec<(String, String)>,
    /// The SNS signature version of its notifications.
    pub(crate) ipn_signature_version: u8,
    /// The newest deliveries (at most [`DELIVERIES`]).
    pub(crate) deliveries: Vec<Delivery>,
}

/// How many of a merchant's newest notification deliveries the merchants page lists.
pub(crate) const DELIVERIES: u32 = 10;

/// One notification delivery as the merchants page shows it.
#[derive(Debug)]
pub(crate) struct Delivery {
    pub(crate) id: u64,
    pub(crate) object: String,
    pub(crate) object_id: String,
    pub(crate) kind: String,
    pub(crate) state: String,
    pub(crate) attempts: u32,
    pub(crate) endpoint: String,
    /// When it was published, RFC 3339 (real time).
    pub(crate) at: String,
}

/// Every merchant (the first [`MERCHANTS`]) with its keys, clock and fault rules.
pub(crate) async fn overview(state: &AppState) -> Result<Vec<MerchantOverview>, ApiError> {
    let merchants = state.store().merchants_page(None, MERCHANTS).await?;
    let rules = faults::list(state).await?.rules;
    let mut out = Vec::with_capacity(merchants.len());
    for m in merchants {
        out.push(merchant_overview(state, &m, &rules).await?);
    }
    Ok(out)
}

async fn merchant_overview(
    state: &AppState,
    m: &Merchant,
    rules: &[FaultRuleInfo],
) -> Result<MerchantOverview, ApiError> {
    let keys = state.store().public_key_ids(&m.merchant_id).await?;
    let ipn = state.store().ipn_settings(&m.merchant_id).await?;
    let deliveries = state
        .store()
        .notifications(Some(&m.merchant_id), DELIVERIES)
        .await?
        .into_iter()
        .map(|n| Delivery {
            id: n.seq,
            object: n.notification.object_type,
            object_id: n.notification.object_id,
            kind: n.notification.notification_type,
            state: n.state.as_str().to_owned(),
            attempts: n.attempts,
            endpoint: n.endpoint,
            at: crate::sns::sns_timestamp(n.notification.created_at_ms),
        })
        .collect();
    let id = m.merchant_id.as_str();
    Ok(MerchantOverview {
        merchant_id: id.to_owned(),
        store_id: m.store_id.to_string(),
        region: m.region.as_str().to_owned(),
        environment: m.environment.as_str().to_owned(),
        public_key_ids: keys.iter().map(ToString::to_string).collect(),
        now: readable(m.clock.now(real_now())),
        frozen: m.clock.is_frozen(),
        offset_seconds: match m.clock {
            amzpay_emulator_core::VirtualClock::Running { offset_secs } => Some(offset_secs),
            amzpay_emulator_core::VirtualClock::Frozen { .. } => None,
        },
        fault_rules: rules
            .iter()
            .filter(|r| r.rule.merchant_id.as_deref().is_none_or(|m| m == id))
            .cloned()
            .collect(),
        ipn_endpoints: ipn
            .endpoints
            .iter()
            .map(|e| (e.environment.as_str().to_owned(), e.url.clone()))
            .collect(),
        ipn_signature_version: ipn.signature_version,
        deliveries,
    })
}

/// Moves a merchant's clock forward by `secs` and applies the timers that came due, as
/// `POST /__admin/merchants/{id}/clock/advance` does; returns how many it applied.
pub(crate) async fn advance_clock(
    state: &AppState,
    merchant_id: &str,
    secs: i64,
) -> Result<u64, ApiError> {
    let not_found = || ApiError::not_found("merchant", merchant_id);
    let mid = MerchantId::parse(merchant_id).ok_or_else(not_found)?;
    let m = state.store().merchant(&mid).await?.ok_or_else(not_found)?;
    if secs < 0 {
        return Err(ApiError::new(
            Reason::InvalidParameterValue,
            "The clock only moves forward.",
        ));
    }
    state
        .store()
        .set_clock(&mid, m.clock.advanced(secs))
        .await?;
    worker::run_due(state.store(), real_now(), Some(&mid))
        .await
        .map_err(ApiError::Internal)
}

/// One line of a checkout's timeline.
#[derive(Debug)]
pub(crate) struct Event {
    /// When (virtual time of the merchant), RFC 3339.
    pub(crate) at: String,
    /// What happened (`Charge S01-... Captured`, or a request's operation).
    pub(crate) what: String,
    /// The object it is about.
    pub(crate) object: Option<String>,
    /// The request behind it, for a journal entry.
    pub(crate) request: Option<JournalSummary>,
}

/// An object of a checkout as Amazon's API shows it.
#[derive(Debug)]
pub(crate) struct ObjectView {
    pub(crate) kind: &'static str,
    pub(crate) id: String,
    pub(crate) state: String,
    /// The object's JSON, pretty-printed.
    pub(crate) json: String,
}

/// A Checkout Session's page: its objects, its timeline and the requests that touched it.
#[derive(Debug)]
pub(crate) struct SessionPage {
    pub(crate) session_id: String,
    pub(crate) merchant_id: String,
    pub(crate) state: String,
    /// The merchant's virtual now.
    pub(crate) now: String,
    /// Session first, then the permission, charges, refunds.
    pub(crate) objects: Vec<ObjectView>,
    /// `(tracking number, carrier, reported at)`.
    pub(crate) trackers: Vec<(String, String, String)>,
    /// Oldest first.
    pub(crate) timeline: Vec<Event>,
    /// Whether the buyer buttons apply (the session still waits for the buyer).
    pub(crate) buyer_can_act: bool,
}

fn text(v: &Value, path: &[&str]) -> String {
    let mut v = v;
    for p in path {
        v = &v[*p];
    }
    v.as_str().unwrap_or("").to_owned()
}

fn json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// A time as the pages show it (`2024-01-01 12:00:00Z`, which also sorts).
fn readable(t: Timestamp) -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]Z");
    time::OffsetDateTime::from_unix_timestamp(t.unix())
        .ok()
        .and_then(|at| at.format(&format).ok())
        .unwrap_or_else(|| t.to_string())
}

/// Amazon's timestamps (`20240101T120000Z`) as [`readable`] ones.
fn rfc3339(compact: &str) -> String {
    Timestamp::parse(compact).map_or_else(|| compact.to_owned(), readable)
}

/// The page of the checkout holding session `id`; `None` when there is none.
pub(crate) async fn session_page(
    state: &AppState,
    id: &str,
) -> Result<Option<SessionPage>, ApiError> {
    let Some((c, now)) = buyers::load(state, id).await? else {
        return Ok(None);
    };
    let base = &state.settings().public_base_url;
    let mut objects = Vec::new();
    let mut timeline = Vec::new();
    let mut add = |kind: &'static str, id: String, value: Value| {
        let state = text(&value, &["statusDetails", "state"]);
        let created = text(&value, &["creationTimestamp"]);
        let updated = text(&value, &["statusDetails", "lastUpdatedTimestamp"]);
        if !created.is_empty() {
            timeline.push(Event {
                at: rfc3339(&created),
                what: format!("{kind} created"),
                object: Some(id.clone()),
                request: None,
            });
        }
        if !updated.is_empty() {
            timeline.push(Event {
                at: rfc3339(&updated),
                what: format!("{kind} {state}"),
                object: Some(id.clone()),
                request: None,
            });
        }
        objects.push(ObjectView {
            kind,
            id,
            state,
            json: serde_json::to_string_pretty(&value).unwrap_or_default(),
        });
    };
    add(
        "Checkout Session",
        c.session.id.to_string(),
        json(&session_view(&c, base)),
    );
    if let (Some(p), Some(view)) = (&c.permission, permission_view(&c, now)) {
        add("Charge Permission", p.id.to_string(), json(&view));
    }
    for ch in &c.charges {
        add("Charge", ch.id.to_string(), json(&charge_view(&c, ch)));
    }
    for r in &c.refunds {
        add("Refund", r.id.to_string(), json(&refund_view(&c, r)));
    }
    let trackers = c
        .delivery_trackers
        .iter()
        .map(|t| {
            timeline.push(Event {
                at: t.created_at.to_string(),
                what: format!(
                    "Delivery tracker {} ({})",
                    t.tracking_number, t.carrier_code
                ),
                object: None,
                request: None,
            });
            (
                t.tracking_number.clone(),
                t.carrier_code.clone(),
                readable(t.created_at),
            )
        })
        .collect();
    // A request comes before what it did: objects carry times to the second only, so at one
    // second the requests (oldest first) lead.
    let mut events = Vec::new();
    let mut requests = touching(state, &c).await?;
    requests.sort_by_key(|r| r.id);
    for request in requests {
        events.push(Event {
            at: request
                .virtual_at
                .as_deref()
                .map_or_else(|| request.at.clone(), rfc3339),
            what: request
                .operation
                .clone()
                .unwrap_or_else(|| format!("{} {}", request.method, request.path)),
            object: None,
            request: Some(request),
        });
    }
    events.append(&mut timeline);
    // Stable: at one second, the order above holds.
    events.sort_by(|a, b| a.at.cmp(&b.at));
    let timeline = events;
    let session_state = c.session.state.as_str().to_owned();
    Ok(Some(SessionPage {
        session_id: c.session.id.to_string(),
        merchant_id: c.merchant_id.to_string(),
        buyer_can_act: matches!(session_state.as_str(), "Open"),
        state: session_state,
        now: readable(now),
        objects,
        trackers,
        timeline,
    }))
}

/// The journal's entries about any object of the checkout (newest 200 per object).
async fn touching(state: &AppState, c: &Checkout) -> Result<Vec<JournalSummary>, ApiError> {
    if let Some(j) = state.journal() {
        j.flush().await;
    }
    let mut ids = vec![c.session.id.to_string()];
    ids.extend(c.permission.iter().map(|p| p.id.to_string()));
    ids.extend(c.charges.iter().map(|ch| ch.id.to_string()));
    ids.extend(c.refunds.iter().map(|r| r.id.to_string()));
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for id in ids {
        let filter = JournalFilter {
            merchant_id: Some(c.merchant_id.clone()),
            mentions: Some(id),
            limit: 200,
            ..JournalFilter::default()
        };
        for record in state.store().journal(&filter).await? {
            if seen.insert(record.id) {
                out.push(journal::entry(&record).summary);
            }
        }
    }
    Ok(out)
}

/// Where a search for an id leads.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Found {
    /// The checkout holding the object: its session id.
    Session(String),
    /// A request of the journal.
    Request(String),
    /// A merchant.
    Merchant(String),
    Nothing,
}

/// Finds what an id names: an object of a checkout, a request, or a merchant.
pub(crate) async fn search(state: &AppState, q: &str) -> Result<Found, ApiError> {
    let q = q.trim();
    let object = CheckoutSessionId::parse(q)
        .map(ObjectRef::CheckoutSession)
        .or_else(|| ChargePermissionId::parse(q).map(ObjectRef::ChargePermission))
        .or_else(|| ChargeId::parse(q).map(ObjectRef::Charge))
        .or_else(|| RefundId::parse(q).map(ObjectRef::Refund));
    if let Some(object) = object
        && let Some(tenant) = state.store().locate(&object).await?
        && let Some(c) = state.store().checkout(&tenant, &object).await?
    {
        return Ok(Found::Session(c.session.id.to_string()));
    }
    if let Some(m) = MerchantId::parse(q)
        && state.store().merchant(&m).await?.is_some()
    {
        return Ok(Found::Merchant(m.to_string()));
    }
    if !q.is_empty() {
        if let Some(j) = state.journal() {
            j.flush().await;
        }
        if state.store().journal_entry(q).await?.is_some() {
            return Ok(Found::Request(q.to_owned()));
        }
    }
    Ok(Found::Nothing)
}

/// A buyer button.
#[derive(Debug)]
pub(crate) enum BuyerButton {
    /// Sign in as the test buyer with this instrument (a test card or an outcome name).
    SignIn(String),
    Pay,
    Cancel,
}

/// Runs a buyer button on session `id`: what the admin API's buyer actions run.
pub(crate) async fn buyer_button(
    state: &AppState,
    id: &str,
    button: BuyerButton,
) -> Result<Result<BuyerActionResult, String>, ApiError> {
    let command = match button {
        BuyerButton::SignIn(instrument) => {
            let mut s = SignIn::test_buyer();
            s.instrument = Some(Instrument::parse(&instrument).ok_or_else(|| {
                ApiError::new(
                    Reason::InvalidParameterValue,
                    format!("{instrument:?} is not a test instrument."),
                )
            })?);
            Command::SignIn(s)
        }
        BuyerButton::Pay => Command::RunPaymentStep,
        BuyerButton::Cancel => Command::CancelAsBuyer,
    };
    Ok(buyers::run_buyer_action(state, id, command)
        .await?
        .map_err(|stored| {
            serde_json::from_slice::<Value>(&stored.body)
                .ok()
                .and_then(|v| v["message"].as_str().map(str::to_owned))
                .unwrap_or_else(|| format!("The action was refused ({}).", stored.status))
        }))
}

/// The test instruments the sign-in button offers: `(value, label)`.
pub(crate) fn instruments() -> Vec<(String, String)> {
    Instrument::TEST_CARDS
        .iter()
        .map(|(four, behaviour)| {
            (
                (*four).to_owned(),
                format!("card …{four} ({})", behaviour.name()),
            )
        })
        .collect()
}

/// The checkout session a journal entry is about, when its path or its answer names an object
/// that still exists.
pub(crate) async fn session_of_request(
    state: &AppState,
    entry: &crate::admin_api::JournalEntry,
) -> Result<Option<String>, ApiError> {
    let mut candidates: Vec<String> = Vec::new();
    let segments: Vec<&str> = entry.summary.path.split('/').collect();
    for pair in segments.windows(2) {
        if matches!(
            pair[0],
            "checkoutSessions" | "chargePermissions" | "charges" | "refunds"
        ) {
            candidates.push(pair[1].to_owned());
        }
    }
    for body in [
        &entry.detail.response_body.text,
        &entry.detail.request_body.text,
    ] {
        if let Ok(v) = serde_json::from_str::<Value>(body) {
            for key in [
                "checkoutSessionId",
                "chargePermissionId",
                "chargeId",
                "refundId",
            ] {
                if let Some(id) = v[key].as_str() {
                    candidates.push(id.to_owned());
                }
            }
        }
    }
    if let Some(q) = &entry.detail.query {
        for pair in q.split('&') {
            if let Some(id) = pair.strip_prefix("amazonCheckoutSessionId=") {
                candidates.push(id.to_owned());
            }
        }
    }
    for id in candidates {
        if let Found::Session(s) = search(state, &id).await? {
            return Ok(Some(s));
        }
    }
    Ok(None)
}

/// Sends a notification delivery again now (the dashboard's button).
pub(crate) async fn redeliver(state: &AppState, seq: u64) -> Result<(), ApiError> {
    crate::service::notifications::redeliver(state, seq).await
}
