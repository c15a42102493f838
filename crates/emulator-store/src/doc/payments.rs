//! The stored Charge Permission, Charges and Refunds.

use amzpay_emulator_core::ids::{ChargeId, ChargePermissionId, RefundId};
use amzpay_emulator_core::model::{
    Address, CaptureResolution, Channel, Charge, ChargeCanceledReason, ChargeDeclinedReason,
    ChargeInitiator, ChargePermission, ChargePermissionType, ChargeState, NonChargeableReason,
    PendingResolution, PermissionClosedReason, PermissionState, Refund, RefundDeclinedReason,
    RefundResolution, RefundState,
};
use amzpay_emulator_core::{Currency, Money, Timestamp};
use serde::{Deserialize, Serialize};

use super::{
    AddressRow, BuyerRow, MetadataRow, MoneyRow, R, RecurringRow, corrupt, money_opt, parse, ts,
};

stored_names! {
    /// How a pending authorization's resolution is stored (`resolves_to` of an
    /// `AuthorizationInitiated` charge).
    PendingResolution: pending_resolution_name, parse_pending_resolution {
        "authorized" => (PendingResolution::Authorized),
        "hard_declined" => (PendingResolution::HardDeclined),
        "soft_declined" => (PendingResolution::SoftDeclined),
        "timed_out" => (PendingResolution::TransactionTimedOut),
    }
}

/// `Captured`, or the decline reason (`resolves_to` of a `CaptureInitiated` charge).
fn capture_resolution_name(r: CaptureResolution) -> &'static str {
    match r {
        CaptureResolution::Captured => "Captured",
        CaptureResolution::Declined(d) => d.as_str(),
    }
}

fn parse_capture_resolution(s: &str) -> Option<CaptureResolution> {
    match s {
        "Captured" => Some(CaptureResolution::Captured),
        other => ChargeDeclinedReason::parse(other).map(CaptureResolution::Declined),
    }
}

/// `Refunded`, or the decline reason (`resolves_to` of a `RefundInitiated` refund).
fn refund_resolution_name(r: RefundResolution) -> &'static str {
    match r {
        RefundResolution::Refunded => "Refunded",
        RefundResolution::Declined(d) => d.as_str(),
    }
}

fn parse_refund_resolution(s: &str) -> Option<RefundResolution> {
    match s {
        "Refunded" => Some(RefundResolution::Refunded),
        other => RefundDeclinedReason::parse(other).map(RefundResolution::Declined),
    }
}

/// The stored name of a [`PermissionState`] (serde writes the variant name); its data is in
/// `PermissionRow::reasons`.
#[derive(Serialize, Deserialize, Clone, Copy)]
enum PermissionStateName {
    Chargeable,
    NonChargeable,
    Closed,
}

/// The stored name of a [`ChargeState`]; its data is in the other fields of `ChargeRow`.
#[derive(Serialize, Deserialize, Clone, Copy)]
enum ChargeStateName {
    AuthorizationInitiated,
    Authorized,
    CaptureInitiated,
    Captured,
    Canceled,
    Declined,
}

/// The stored name of a [`RefundState`]; its data is in the other fields of `RefundRow`.
#[derive(Serialize, Deserialize, Clone, Copy)]
enum RefundStateName {
    RefundInitiated,
    Refunded,
    Declined,
}

#[derive(Serialize, Deserialize)]
pub(super) struct PermissionRow {
    id: String,
    permission_type: String,
    buyer: Option<BuyerRow>,
    shipping: Option<AddressRow>,
    billing: Option<AddressRow>,
    descriptor: Option<String>,
    state: PermissionStateName,
    reasons: Vec<String>,
    metadata: MetadataRow,
    platform_id: Option<String>,
    amount_limit: Option<MoneyRow>,
    recurring: Option<RecurringRow>,
    currency: String,
    setup_only: Option<bool>,
    created_at: i64,
    updated_at: i64,
    expires_at: Option<i64>,
    #[serde(default)]
    instrument_issue: Option<String>,
    #[serde(default)]
    closure_reason: Option<String>,
}

impl From<&ChargePermission> for PermissionRow {
    fn from(p: &ChargePermission) -> Self {
        let (state, reasons) = match &p.state {
            PermissionState::Chargeable => (PermissionStateName::Chargeable, Vec::new()),
            PermissionState::NonChargeable(r) => (
                PermissionStateName::NonChargeable,
                r.iter().map(|x| x.as_str().to_owned()).collect(),
            ),
            PermissionState::Closed(r) => {
                (PermissionStateName::Closed, vec![r.as_str().to_owned()])
            }
        };
        PermissionRow {
            id: p.id.to_string(),
            permission_type: p.charge_permission_type.as_str().to_owned(),
            buyer: p.buyer.as_ref().map(BuyerRow::from),
            shipping: p.shipping_address.as_ref().map(AddressRow::from),
            billing: p.billing_address.as_ref().map(AddressRow::from),
            descriptor: p.payment_descriptor.clone(),
            state,
            reasons,
            metadata: (&p.merchant_metadata).into(),
            platform_id: p.platform_id.clone(),
            amount_limit: p.amount_limit.map(MoneyRow::from),
            recurring: p.recurring_metadata.as_ref().map(RecurringRow::from),
            currency: p.presentment_currency.code().to_owned(),
            setup_only: p.setup_only,
            created_at: p.created_at.unix(),
            updated_at: p.updated_at.unix(),
            expires_at: p.expires_at.map(Timestamp::unix),
            instrument_issue: p.instrument_issue.map(|r| r.as_str().to_owned()),
            closure_reason: p.closure_reason.clone(),
        }
    }
}

impl PermissionRow {
    pub(super) fn into_domain(self) -> R<ChargePermission> {
        let state = match self.state {
            PermissionStateName::Chargeable => PermissionState::Chargeable,
            PermissionStateName::NonChargeable => PermissionState::NonChargeable(
                self.reasons
                    .iter()
                    .map(|r| parse("reason", r, NonChargeableReason::parse))
                    .collect::<R<_>>()?,
            ),
            PermissionStateName::Closed => {
                let r = self.reasons.first().map(String::as_str).unwrap_or("");
                PermissionState::Closed(parse("reason", r, PermissionClosedReason::parse)?)
            }
        };
        Ok(ChargePermission {
            id: parse("charge permission id", &self.id, ChargePermissionId::parse)?,
            charge_permission_type: parse(
                "permission type",
                &self.permission_type,
                ChargePermissionType::parse,
            )?,
            buyer: self.buyer.map(BuyerRow::into_domain).transpose()?,
            shipping_address: self.shipping.map(Address::from),
            billing_address: self.billing.map(Address::from),
            payment_descriptor: self.descriptor,
            state,
            merchant_metadata: self.metadata.into(),
            platform_id: self.platform_id,
            amount_limit: money_opt(self.amount_limit)?,
            recurring_metadata: self.recurring.map(RecurringRow::into_domain).transpose()?,
            presentment_currency: parse("currency", &self.currency, Currency::parse)?,
            setup_only: self.setup_only,
            created_at: ts(self.created_at),
            updated_at: ts(self.updated_at),
            expires_at: self.expires_at.map(ts),
            instrument_issue: self
                .instrument_issue
                .map(|r| parse("reason", &r, NonChargeableReason::parse))
                .transpose()?,
            closure_reason: self.closure_reason,
        })
    }
}

#[derive(Serialize, Deserialize)]
pub(super) struct ChargeRow {
    id: String,
    permission_id: String,
    amount: MoneyRow,
    captured: Option<MoneyRow>,
    refunded: Option<MoneyRow>,
    soft_descriptor: Option<String>,
    provider_reference_id: Option<String>,
    metadata: MetadataRow,
    platform_id: Option<String>,
    can_handle_pending: bool,
    state: ChargeStateName,
    reason: Option<String>,
    resolves_at: Option<i64>,
    resolves_to: Option<String>,
    created_at: i64,
    updated_at: i64,
    expires_at: i64,
    #[serde(default)]
    capture_now: bool,
    #[serde(default)]
    initiator: Option<String>,
    #[serde(default)]
    channel: Option<String>,
    #[serde(default)]
    authorized_at: Option<i64>,
    #[serde(default)]
    cancellation_reason: Option<String>,
    /// The amount of a `CaptureInitiated` capture.
    #[serde(default)]
    capturing: Option<MoneyRow>,
}

impl From<&Charge> for ChargeRow {
    fn from(c: &Charge) -> Self {
        let (state, reason, resolves_at, resolves_to, capturing) = match c.state {
            ChargeState::AuthorizationInitiated {
                resolves_at,
                resolves_to,
            } => (
                ChargeStateName::AuthorizationInitiated,
                None,
                Some(resolves_at.unix()),
                Some(pending_resolution_name(resolves_to)),
                None,
            ),
            ChargeState::Authorized => (ChargeStateName::Authorized, None, None, None, None),
            ChargeState::CaptureInitiated {
                resolves_at,
                amount,
                resolves_to,
            } => (
                ChargeStateName::CaptureInitiated,
                None,
                Some(resolves_at.unix()),
                Some(capture_resolution_name(resolves_to)),
                Some(MoneyRow::from(amount)),
            ),
            ChargeState::Captured => (ChargeStateName::Captured, None, None, None, None),
            ChargeState::Canceled(r) => (
                ChargeStateName::Canceled,
                Some(r.as_str()),
                None,
                None,
                None,
            ),
            ChargeState::Declined(r) => (
                ChargeStateName::Declined,
                Some(r.as_str()),
                None,
                None,
                None,
            ),
        };
        ChargeRow {
            id: c.id.to_string(),
            permission_id: c.charge_permission_id.to_string(),
            amount: c.charge_amount.into(),
            captured: c.capture_amount.map(MoneyRow::from),
            refunded: c.refunded_amount.map(MoneyRow::from),
            soft_descriptor: c.soft_descriptor.clone(),
            provider_reference_id: c.provider_reference_id.clone(),
            metadata: (&c.merchant_metadata).into(),
            platform_id: c.platform_id.clone(),
            can_handle_pending: c.can_handle_pending_authorization,
            state,
            reason: reason.map(str::to_owned),
            resolves_at,
            resolves_to: resolves_to.map(str::to_owned),
            created_at: c.created_at.unix(),
            updated_at: c.updated_at.unix(),
            expires_at: c.expires_at.unix(),
            capture_now: c.capture_now,
            initiator: c.charge_initiator.map(|i| i.as_str().to_owned()),
            channel: c.channel.map(|x| x.as_str().to_owned()),
            authorized_at: c.authorized_at.map(Timestamp::unix),
            cancellation_reason: c.cancellation_reason.clone(),
            capturing,
        }
    }
}

impl ChargeRow {
    pub(super) fn into_domain(self) -> R<Charge> {
        let reason = self.reason.as_deref().unwrap_or("");
        let resolves_at = || {
            self.resolves_at
                .map(ts)
                .ok_or_else(|| corrupt("charge timer", &self.id))
        };
        let state = match self.state {
            ChargeStateName::AuthorizationInitiated => ChargeState::AuthorizationInitiated {
                resolves_at: resolves_at()?,
                resolves_to: parse(
                    "resolution",
                    self.resolves_to.as_deref().unwrap_or(""),
                    parse_pending_resolution,
                )?,
            },
            ChargeStateName::Authorized => ChargeState::Authorized,
            ChargeStateName::CaptureInitiated => ChargeState::CaptureInitiated {
                resolves_at: resolves_at()?,
                amount: match self.capturing {
                    Some(m) => m.into_domain()?,
                    None => Money::from_minor(
                        self.amount.m,
                        parse("currency", &self.amount.c, Currency::parse)?,
                    ),
                },
                resolves_to: match self.resolves_to.as_deref() {
                    None => CaptureResolution::Captured,
                    Some(r) => parse("capture resolution", r, parse_capture_resolution)?,
                },
            },
            ChargeStateName::Captured => ChargeState::Captured,
            ChargeStateName::Canceled => {
                ChargeState::Canceled(parse("reason", reason, ChargeCanceledReason::parse)?)
            }
            ChargeStateName::Declined => {
                ChargeState::Declined(parse("reason", reason, ChargeDeclinedReason::parse)?)
            }
        };
        Ok(Charge {
            id: parse("charge id", &self.id, ChargeId::parse)?,
            charge_permission_id: parse(
                "charge permission id",
                &self.permission_id,
                ChargePermissionId::parse,
            )?,
            charge_amount: self.amount.into_domain()?,
            capture_amount: money_opt(self.captured)?,
            refunded_amount: money_opt(self.refunded)?,
            soft_descriptor: self.soft_descriptor,
            provider_reference_id: self.provider_reference_id,
            merchant_metadata: self.metadata.into(),
            platform_id: self.platform_id,
            can_handle_pending_authorization: self.can_handle_pending,
            capture_now: self.capture_now,
            charge_initiator: self
                .initiator
                .map(|i| parse("charge initiator", &i, ChargeInitiator::parse))
                .transpose()?,
            channel: self
                .channel
                .map(|c| parse("channel", &c, Channel::parse))
                .transpose()?,
            authorized_at: self.authorized_at.map(ts),
            cancellation_reason: self.cancellation_reason,
            state,
            created_at: ts(self.created_at),
            updated_at: ts(self.updated_at),
            expires_at: ts(self.expires_at),
        })
    }
}

#[derive(Serialize, Deserialize)]
pub(super) struct RefundRow {
    id: String,
    charge_id: String,
    amount: MoneyRow,
    soft_descriptor: Option<String>,
    state: RefundStateName,
    reason: Option<String>,
    resolves_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
    #[serde(default)]
    resolves_to: Option<String>,
}

impl From<&Refund> for RefundRow {
    fn from(r: &Refund) -> Self {
        let (state, reason, resolves_at, resolves_to) = match r.state {
            RefundState::RefundInitiated {
                resolves_at,
                resolves_to,
            } => (
                RefundStateName::RefundInitiated,
                None,
                Some(resolves_at.unix()),
                Some(refund_resolution_name(resolves_to).to_owned()),
            ),
            RefundState::Refunded => (RefundStateName::Refunded, None, None, None),
            RefundState::Declined(d) => (
                RefundStateName::Declined,
                Some(d.as_str().to_owned()),
                None,
                None,
            ),
        };
        RefundRow {
            id: r.id.to_string(),
            charge_id: r.charge_id.to_string(),
            amount: r.refund_amount.into(),
            soft_descriptor: r.soft_descriptor.clone(),
            state,
            reason,
            resolves_at,
            created_at: r.created_at.unix(),
            updated_at: r.updated_at.unix(),
            resolves_to,
        }
    }
}

impl RefundRow {
    pub(super) fn into_domain(self) -> R<Refund> {
        let state = match self.state {
            RefundStateName::RefundInitiated => RefundState::RefundInitiated {
                resolves_at: ts(self
                    .resolves_at
                    .ok_or_else(|| corrupt("refund timer", &self.id))?),
                resolves_to: match self.resolves_to.as_deref() {
                    None => RefundResolution::Refunded,
                    Some(r) => parse("refund resolution", r, parse_refund_resolution)?,
                },
            },
            RefundStateName::Refunded => RefundState::Refunded,
            RefundStateName::Declined => RefundState::Declined(parse(
                "reason",
                self.reason.as_deref().unwrap_or(""),
                RefundDeclinedReason::parse,
            )?),
        };
        Ok(Refund {
            id: parse("refund id", &self.id, RefundId::parse)?,
            charge_id: parse("charge id", &self.charge_id, ChargeId::parse)?,
            refund_amount: self.amount.into_domain()?,
            soft_descriptor: self.soft_descriptor,
            state,
            created_at: ts(self.created_at),
            updated_at: ts(self.updated_at),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_resolutions_read_back_from_their_stored_names() {
        for r in [
            PendingResolution::Authorized,
            PendingResolution::HardDeclined,
            PendingResolution::SoftDeclined,
            PendingResolution::TransactionTimedOut,
        ] {
            assert_eq!(
                parse_pending_resolution(pending_resolution_name(r)),
                Some(r)
            );
        }
        assert_eq!(
            pending_resolution_name(PendingResolution::TransactionTimedOut),
            "timed_out"
        );
    }

    #[test]
    fn state_names_are_stored_as_the_wire_states() {
        // Documents written before the name enums existed hold these strings.
        let charge = [
            (
                ChargeStateName::AuthorizationInitiated,
                "AuthorizationInitiated",
            ),
            (ChargeStateName::Authorized, "Authorized"),
            (ChargeStateName::CaptureInitiated, "CaptureInitiated"),
            (ChargeStateName::Captured, "Captured"),
            (ChargeStateName::Canceled, "Canceled"),
            (ChargeStateName::Declined, "Declined"),
        ];
        for (name, text) in charge {
            assert_eq!(serde_json::to_value(name).unwrap(), text);
        }
        assert_eq!(
            serde_json::to_value(PermissionStateName::NonChargeable).unwrap(),
            "NonChargeable"
        );
        assert_eq!(
            serde_json::to_value(RefundStateName::RefundInitiated).unwrap(),
            "RefundInitiated"
        );
    }
}
