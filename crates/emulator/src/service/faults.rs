//! Fault injection and throttling: the one place that decides what happens to an Amazon Pay API
//! request besides its operation.
//!
//! [`decide`] runs for every authenticated API request, before its handler's work: first the
//! throttle (`--throttle`, see [`throttle`](super::throttle)), then the fault rules of
//! `/__admin/faults` in the order they were added; the first rule whose filters match, whose
//! probability draw says yes and that has hits left applies. Its [`Action`] is carried out by the
//! HTTP layer, because most actions are about the connection (a reset, a lost answer, a slow
//! body, the `Date` header), which this layer knows nothing about.
//!
//! Rules live in the store, so they survive a restart and every instance on a shared PostgreSQL
//! database applies the same rules with the same counters. A request reads them from
//! [`RuleCache`], not from the table: the list is read again when this process adds or clears a
//! rule, and at most [`RuleCache::FRESH_FOR`] after the last read otherwise, so a rule added
//! through another instance applies here within that time. Counts and hits are claimed in the
//! store either way, so a stale list never injects a fault too many. A probability draw is a pure function
//! of the rule's seed and the number of the match (the store counts matches atomically), so a
//! run with the same seed and the same requests injects the same faults.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use amzpay_emulator_core::ids::MerchantId;
use amzpay_emulator_store::{FaultRuleRecord, NewFaultRule, Store, StoreError};
use rand::Rng;

use crate::admin_api::{AddFault, FaultRuleInfo, FaultRules, FaultSpec, FaultsCleared};
use crate::error::{ApiError, Reason};
use crate::service::auth::Caller;
use crate::service::operations::ApiOperation;
use crate::state::{AppState, real_now};

/// What the HTTP layer must do to a request a rule applies to.
#[derive(Debug)]
pub(crate) enum Action {
    /// Wait this long, then process the request.
    Delay(Duration),
    /// Answer with this error without processing the request.
    Fail(ApiError),
    /// Close the connection without an answer, without processing the request.
    Reset,
    /// Process the request, then close the connection before the answer is written.
    LoseAnswer,
    /// Process the request, then send the answer `chunk` bytes at a time, one chunk `every`.
    SlowBody {
        /// Bytes per chunk (at least 1).
        chunk: usize,
        /// The pause between chunks.
        every: Duration,
    },
    /// Process the request and answer with a `Date` header this many seconds off.
    SkewDate(i64),
}

/// A rule's decision for one request.
#[derive(Debug)]
pub(crate) struct Injection {
    /// The rule that applies.
    pub(crate) rule_id: String,
    /// What to do.
    pub(crate) action: Action,
}

/// Throttles the request (429 `TooManyRequests`, nothing changes) or finds the fault rule that
/// applies to it, counting the match and the hit.
pub(crate) async fn decide(
    state: &AppState,
    caller: &Caller,
    method: &str,
    path: &str,
) -> Result<Option<Injection>, ApiError> {
    let operation = ApiOperation::of_request(method, path);
    if let Some(op) = operation {
        state.throttle().admit(&caller.tenant.merchant_id, op)?;
    }
    let rules = state.fault_rules().rules(state.store().as_ref()).await?;
    let merchant = &caller.tenant.merchant_id;
    for record in rules
        .iter()
        .filter(|r| r.rule.merchant_id.as_ref().is_none_or(|m| m == merchant))
    {
        let Some(rule) = Rule::from_record(record) else {
            continue;
        };
        if !rule.matches(operation, method, path)
            || record.rule.max_hits.is_some_and(|m| record.hits >= m)
        {
            continue;
        }
        let store = state.store();
        let Some(n) = store.fault_rule_matched(&rule.id).await? else {
            continue;
        };
        if !rule.probability.is_none_or(|p| draw(rule.seed, n) < p) {
            continue;
        }
        if !store.claim_fault_hit(&rule.id).await? {
            continue;
        }
        let action = rule.action(n);
        tracing::info!(
            fault.rule_id = %rule.id,
            fault.kind = rule.kind(),
            operation = operation.map_or("-", ApiOperation::name),
            merchant_id = %caller.tenant.merchant_id,
            "injecting a fault"
        );
        return Ok(Some(Injection {
            rule_id: rule.id,
            action,
        }));
    }
    Ok(None)
}

/// Adds a rule (`POST /__admin/faults`): the filters and the fault are checked here, once.
pub(crate) async fn add(state: &AppState, mut body: AddFault) -> Result<FaultRuleInfo, ApiError> {
    let merchant_id = match &body.merchant_id {
        Some(id) => {
            let m = MerchantId::parse(id).ok_or_else(|| ApiError::not_found("merchant", id))?;
            if state.store().merchant(&m).await?.is_none() {
                return Err(ApiError::not_found("merchant", id));
            }
            Some(m)
        }
        None => None,
    };
    if body.seed.is_none() && body.probability.is_some() {
        body.seed = Some(rand::thread_rng().r#gen());
    }
    let id = format!("fault-{}", random_suffix());
    // Checks every field (the same parse `decide` runs on the stored form).
    Rule::parse(id.clone(), &body)?;
    let spec = serde_json::to_string(&body)
        .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context("writing a fault rule")))?;
    state
        .store()
        .insert_fault_rule(&NewFaultRule {
            rule_id: id.clone(),
            merchant_id,
            spec,
            max_hits: body.count,
            created_at: real_now(),
        })
        .await?;
    state.fault_rules().invalidate();
    tracing::info!(fault.rule_id = %id, "fault rule added");
    Ok(FaultRuleInfo {
        id,
        rule: body,
        matched: 0,
        hits: 0,
    })
}

/// Every rule with its counters (`GET /__admin/faults`).
pub(crate) async fn list(state: &AppState) -> Result<FaultRules, ApiError> {
    let records = state.store().fault_rules(None).await?;
    let rules = records
        .into_iter()
        .filter_map(|r| {
            let rule = serde_json::from_str(&r.rule.spec).ok()?;
            Some(FaultRuleInfo {
                id: r.rule.rule_id,
                rule,
                matched: r.matched,
                hits: r.hits,
            })
        })
        .collect();
    Ok(FaultRules { rules })
}

/// Deletes one rule (404 when it does not exist) or every rule (`DELETE /__admin/faults[/{id}]`).
pub(crate) async fn clear(state: &AppState, id: Option<&str>) -> Result<FaultsCleared, ApiError> {
    let deleted = state.store().delete_fault_rules(id).await?;
    state.fault_rules().invalidate();
    if let (Some(id), 0) = (id, deleted) {
        return Err(ApiError::not_found("fault rule", id));
    }
    tracing::info!(deleted, "fault rules cleared");
    Ok(FaultsCleared { deleted })
}

/// The fault rules as last read from the store, shared by every request of this process.
#[derive(Debug, Default)]
pub(crate) struct RuleCache {
    /// The list and when it was read.
    entry: Mutex<Option<(Instant, Arc<Vec<FaultRuleRecord>>)>>,
    /// Bumped by [`RuleCache::invalidate`]: a read that started before a change does not keep
    /// its (older) list.
    generation: AtomicU64,
}

impl RuleCache {
    /// How long a list read from the store is used before it is read again.
    pub(crate) const FRESH_FOR: Duration = Duration::from_secs(1);

    /// Every rule (all merchants), from the cache while it is fresh.
    pub(crate) async fn rules(
        &self,
        store: &dyn Store,
    ) -> Result<Arc<Vec<FaultRuleRecord>>, StoreError> {
        if let Some((read_at, rules)) = &*self.lock()
            && read_at.elapsed() < Self::FRESH_FOR
        {
            return Ok(rules.clone());
        }
        let generation = self.generation.load(Ordering::Acquire);
        let rules = Arc::new(store.fault_rules(None).await?);
        let mut entry = self.lock();
        if self.generation.load(Ordering::Acquire) == generation {
            *entry = Some((Instant::now(), rules.clone()));
        }
        Ok(rules)
    }

    /// Forgets the list: this process changed the rules.
    pub(crate) fn invalidate(&self) {
        let mut entry = self.lock();
        self.generation.fetch_add(1, Ordering::AcqRel);
        *entry = None;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(Instant, Arc<Vec<FaultRuleRecord>>)>> {
        // A panic while holding the lock cannot leave the list half-written: take it as it is.
        self.entry.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A stored rule, parsed.
#[derive(Debug)]
struct Rule {
    id: String,
    operation: Option<ApiOperation>,
    method: Option<String>,
    path: Option<String>,
    probability: Option<f64>,
    seed: u64,
    fault: FaultSpec,
}

fn invalid(message: String) -> ApiError {
    ApiError::new(Reason::InvalidParameterValue, message)
}

impl Rule {
    fn from_record(record: &FaultRuleRecord) -> Option<Rule> {
        let parsed = serde_json::from_str::<AddFault>(&record.rule.spec)
            .ok()
            .and_then(|body| Rule::parse(record.rule.rule_id.clone(), &body).ok());
        if parsed.is_none() {
            tracing::warn!(fault.rule_id = %record.rule.rule_id, "skipping an unreadable fault rule");
        }
        parsed
    }

    fn parse(id: String, body: &AddFault) -> Result<Rule, ApiError> {
        let operation = body
            .operation
            .as_deref()
            .map(|name| {
                ApiOperation::parse(name).ok_or_else(|| {
                    invalid(format!(
                        "The value provided for operation is invalid: {name} is not an operation of Amazon Pay's API."
                    ))
                })
            })
            .transpose()?;
        if let Some(p) = body.probability
            && !(0.0..=1.0).contains(&p)
        {
            return Err(invalid(format!(
                "The value provided for probability is invalid: {p} is not between 0 and 1."
            )));
        }
        if body.count == Some(0) {
            return Err(invalid(
                "The value provided for count is invalid: it must be at least 1.".into(),
            ));
        }
        match &body.fault {
            FaultSpec::Latency {
                ms,
                max_ms: Some(max),
            } if max < ms => {
                return Err(invalid(
                    "The value provided for fault.maxMs is invalid: it is below fault.ms.".into(),
                ));
            }
            FaultSpec::Error {
                status: Some(s), ..
            } if !(400..=599).contains(s) => {
                return Err(invalid(format!(
                    "The value provided for fault.status is invalid: {s} is not an error status (400 to 599)."
                )));
            }
            FaultSpec::SlowBody {
                chunk_bytes: Some(0),
                ..
            } => {
                return Err(invalid(
                    "The value provided for fault.chunkBytes is invalid: it must be at least 1."
                        .into(),
                ));
            }
            _ => {}
        }
        Ok(Rule {
            id,
            operation,
            method: body.method.as_deref().map(str::to_ascii_uppercase),
            path: body.path.clone(),
            probability: body.probability,
            seed: body.seed.unwrap_or(0),
            fault: body.fault.clone(),
        })
    }

    /// Whether the rule's filters (besides the merchant, which the store filtered on) match.
    fn matches(&self, operation: Option<ApiOperation>, method: &str, path: &str) -> bool {
        self.operation.is_none_or(|o| Some(o) == operation)
            && self.method.as_deref().is_none_or(|m| m == method)
            && self.path.as_deref().is_none_or(|p| glob(p, path))
    }

    fn kind(&self) -> &'static str {
        match self.fault {
            FaultSpec::Latency { .. } => "latency",
            FaultSpec::Error { .. } => "error",
            FaultSpec::Reset => "reset",
            FaultSpec::LostAnswer => "lostAnswer",
            FaultSpec::SlowBody { .. } => "slowBody",
            FaultSpec::ClockSkew { .. } => "clockSkew",
        }
    }

    /// The action for the `n`-th match.
    fn action(&self, n: u64) -> Action {
        match &self.fault {
            FaultSpec::Latency { ms, max_ms } => {
                let max = max_ms.unwrap_or(*ms);
                // A uniform draw in [ms, max], reproducible from the seed like the probability.
                let spread = (max - ms) as f64;
                let extra = (draw(self.seed ^ 0x5bd1_e995, n) * (spread + 1.0)) as u64;
                Action::Delay(Duration::from_millis(ms + extra.min(max - ms)))
            }
            FaultSpec::Error {
                status,
                reason_code,
                message,
            } => Action::Fail(error_answer(
                &self.id,
                *status,
                reason_code.as_deref(),
                message.as_deref(),
            )),
            FaultSpec::Reset => Action::Reset,
            FaultSpec::LostAnswer => Action::LoseAnswer,
            FaultSpec::SlowBody {
                chunk_bytes,
                interval_ms,
            } => Action::SlowBody {
                chunk: usize::try_from(chunk_bytes.unwrap_or(16)).unwrap_or(usize::MAX),
                every: Duration::from_millis(interval_ms.unwrap_or(100)),
            },
            FaultSpec::ClockSkew { seconds } => Action::SkewDate(*seconds),
        }
    }
}

/// The error answer of an error rule: a missing status follows from the reason code and a
/// missing reason code from the status (Amazon's codes for 500, 503 and 429).
fn error_answer(
    rule_id: &str,
    status: Option<u16>,
    reason_code: Option<&str>,
    message: Option<&str>,
) -> ApiError {
    let status = status.unwrap_or(match reason_code {
        Some("TooManyRequests") => 429,
        Some("ServiceUnavailable") => 503,
        Some("RequestTimeout") => 408,
        _ => 500,
    });
    let reason_code = reason_code.unwrap_or(match status {
        429 => "TooManyRequests",
        503 => "ServiceUnavailable",
        408 => "RequestTimeout",
        400..=499 => "InvalidRequest",
        _ => "InternalServerError",
    });
    let message = message.map_or_else(
        || format!("Injected by the emulator's fault rule {rule_id}."),
        str::to_owned,
    );
    ApiError::Injected {
        status,
        reason_code: reason_code.to_owned(),
        message,
    }
}

/// Whether `path` matches `pattern`, where `*` stands for any run of characters.
fn glob(pattern: &str, path: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = path.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

/// A number in `[0, 1)` from a seed and the number of the match: SplitMix64 of their mix, so the
/// draws are reproducible across runs, platforms and versions of every dependency.
fn draw(seed: u64, n: u64) -> f64 {
    let mut z = seed ^ n.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

fn random_suffix() -> String {
    use rand::distributions::Alphanumeric;
    rand::thread_rng()
        .sample_iter(Alphanumeric)
        .take(10)
        .map(|b| char::from(b).to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_runs_of_characters() {
        assert!(glob(
            "/v2/checkoutSessions/*/complete",
            "/v2/checkoutSessions/abc/complete"
        ));
        assert!(!glob(
            "/v2/checkoutSessions/*/complete",
            "/v2/checkoutSessions/abc"
        ));
        assert!(glob("/v2/charges*", "/v2/charges/x/capture"));
        assert!(glob("/v2/charges", "/v2/charges"));
        assert!(!glob("/v2/charges", "/v2/charges/x"));
    }

    #[test]
    fn draws_are_reproducible_and_spread_over_the_unit_interval() {
        let a: Vec<f64> = (1..=1000).map(|n| draw(42, n)).collect();
        let b: Vec<f64> = (1..=1000).map(|n| draw(42, n)).collect();
        assert_eq!(a, b);
        assert!(a.iter().all(|x| (0.0..1.0).contains(x)));
        let below_half = a.iter().filter(|x| **x < 0.5).count();
        assert!((400..600).contains(&below_half), "{below_half}");
        assert_ne!(draw(42, 1), draw(43, 1));
    }

    #[test]
    fn error_answers_default_to_amazons_codes() {
        let cases = [
            (None, None, 500, "InternalServerError"),
            (Some(503), None, 503, "ServiceUnavailable"),
            (Some(429), None, 429, "TooManyRequests"),
            (None, Some("TooManyRequests"), 429, "TooManyRequests"),
            (Some(502), Some("BadGateway"), 502, "BadGateway"),
        ];
        for (status, reason, want_status, want_reason) in cases {
            let e = error_answer("fault-x", status, reason, None);
            assert_eq!(e.status_code(), want_status);
            let body: serde_json::Value = serde_json::from_slice(&e.body()).unwrap();
            assert_eq!(body["reasonCode"], want_reason);
        }
    }
}
