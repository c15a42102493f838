//! Fault-injection rules as stored: the emulator's service layer owns what a rule means (its
//! JSON `spec`); the store keeps it with the columns it filters on and the counters it updates
//! atomically.

use amzpay_emulator_core::Timestamp;
use amzpay_emulator_core::ids::MerchantId;
use sqlx::FromRow;

use crate::StoreError;

/// A rule to add.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewFaultRule {
    /// The rule's id (unique).
    pub rule_id: String,
    /// The merchant the rule is limited to; `None` for every merchant.
    pub merchant_id: Option<MerchantId>,
    /// The rule as the service layer wrote it (JSON).
    pub spec: String,
    /// How many faults the rule injects at most; `None` for no limit.
    pub max_hits: Option<u64>,
    /// When the rule was added (real time).
    pub created_at: Timestamp,
}

/// A stored rule with its counters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultRuleRecord {
    /// The rule as added.
    pub rule: NewFaultRule,
    /// How many requests its filters matched.
    pub matched: u64,
    /// How many faults it injected.
    pub hits: u64,
}

/// A row of `fault_rules`.
#[derive(Debug, FromRow)]
pub(crate) struct FaultRuleRow {
    rule_id: String,
    merchant_id: Option<String>,
    spec: String,
    max_hits: Option<i64>,
    matched: i64,
    hits: i64,
    created_at: i64,
}

impl TryFrom<FaultRuleRow> for FaultRuleRecord {
    type Error = StoreError;

    fn try_from(r: FaultRuleRow) -> Result<FaultRuleRecord, StoreError> {
        let merchant_id = r
            .merchant_id
            .map(|m| {
                MerchantId::parse(&m)
                    .ok_or_else(|| StoreError::Corrupt("bad merchant id in a fault rule".into()))
            })
            .transpose()?;
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        Ok(FaultRuleRecord {
            rule: NewFaultRule {
                rule_id: r.rule_id,
                merchant_id,
                spec: r.spec,
                max_hits: r.max_hits.map(count),
                created_at: Timestamp::from_unix(r.created_at),
            },
            matched: count(r.matched),
            hits: count(r.hits),
        })
    }
}
