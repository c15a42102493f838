//! The stored form of a [`Checkout`]: one JSON document per aggregate.
//!
//! These row types mirror the domain by hand (domain types never derive serde). The document is
//! versioned by `v`; enums are stored as their wire strings and money as integer minor units.
//! Decoding validates ids and enum values, so a corrupt row surfaces as
//! [`StoreError::Corrupt`](crate::StoreError::Corrupt) instead of a panic.

use amzpay_emulator_core::checkout::Checkout;
use amzpay_emulator_core::ids::{
    BuyerId, ChargeId, ChargePermissionId, CheckoutSessionId, MerchantId, RefundId, StoreId,
};
use amzpay_emulator_core::model::{
    Address, Buyer, BuyerScope, BuyerSelection, CaptureResolution, Channel, Charge,
    ChargeCanceledReason, ChargeDeclinedReason, ChargeInitiator, ChargePermission,
    ChargePermissionType, ChargeState, CheckoutMode, CheckoutSession, DeliveryTracker, Environment,
    Frequency, FrequencyUnit, Instrument, MerchantMetadata, NonChargeableReason, OpaqueJson,
    PaymentDetails, PaymentIntent, PaymentStep, PendingResolution, PermissionClosedReason,
    PermissionState, ProductType, RecurringMetadata, Refund, RefundDeclinedReason,
    RefundResolution, RefundState, Region, SessionCancelReason, SessionState, StepAuthorization,
    WebCheckoutDetails,
};
use amzpay_emulator_core::{Currency, Money, Timestamp};
use serde::{Deserialize, Serialize};

use crate::StoreError;

const VERSION: u32 = 1;

type R<T> = Result<T, StoreError>;

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("bad {what} {value:?} in a stored checkout"))
}

fn parse<T>(what: &str, value: &str, f: impl Fn(&str) -> Option<T>) -> R<T> {
    f(value).ok_or_else(|| corrupt(what, value))
}

#[derive(Serialize, Deserialize)]
struct MoneyRow {
    m: i64,
    c: String,
}

impl From<Money> for MoneyRow {
    fn from(m: Money) -> Self {
        MoneyRow {
            m: m.minor(),
            c: m.currency().code().to_owned(),
        }
    }
}

impl MoneyRow {
    fn into_domain(self) -> R<Money> {
        let c = parse("currency", &self.c, Currency::parse)?;
        Ok(Money::from_minor(self.m, c))
    }
}

fn money_opt(m: Option<MoneyRow>) -> R<Option<Money>> {
    m.map(MoneyRow::into_domain).transpose()
}

fn ts(t: i64) -> Timestamp {
    Timestamp::from_unix(t)
}

#[derive(Serialize, Deserialize, Default)]
struct AddressRow {
    name: Option<String>,
    l1: Option<String>,
    l2: Option<String>,
    l3: Option<String>,
    city: Option<String>,
    county: Option<String>,
    district: Option<String>,
    state: Option<String>,
    postal: Option<String>,
    country: Option<String>,
    phone: Option<String>,
}

impl From<&Address> for AddressRow {
    fn from(a: &Address) -> Self {
        AddressRow {
            name: a.name.clone(),
            l1: a.address_line1.clone(),
            l2: a.address_line2.clone(),
            l3: a.address_line3.clone(),
            city: a.city.clone(),
            county: a.county.clone(),
            district: a.district.clone(),
            state: a.state_or_region.clone(),
            postal: a.postal_code.clone(),
            country: a.country_code.clone(),
            phone: a.phone_number.clone(),
        }
    }
}

impl From<AddressRow> for Address {
    fn from(a: AddressRow) -> Self {
        Address {
            name: a.name,
            address_line1: a.l1,
            address_line2: a.l2,
            address_line3: a.l3,
            city: a.city,
            county: a.county,
            district: a.district,
            state_or_region: a.state,
            postal_code: a.postal,
            country_code: a.country,
            phone_number: a.phone,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct BuyerRow {
    id: String,
    name: String,
    email: String,
    phone: Option<String>,
}

impl From<&Buyer> for BuyerRow {
    fn from(b: &Buyer) -> Self {
        BuyerRow {
            id: b.buyer_id.to_string(),
            name: b.name.clone(),
            email: b.email.clone(),
            phone: b.phone_number.clone(),
        }
    }
}

impl BuyerRow {
    fn into_domain(self) -> R<Buyer> {
        Ok(Buyer {
            buyer_id: parse("buyer id", &self.id, BuyerId::parse)?,
            name: self.name,
            email: self.email,
            phone_number: self.phone,
        })
    }
}

#[derive(Serialize, Deserialize, Default)]
struct MetadataRow {
    reference: Option<String>,
    store_name: Option<String>,
    note: Option<String>,
    custom: Option<String>,
}

impl From<&MerchantMetadata> for MetadataRow {
    fn from(m: &MerchantMetadata) -> Self {
        MetadataRow {
            reference: m.merchant_reference_id.clone(),
            store_name: m.merchant_store_name.clone(),
            note: m.note_to_buyer.clone(),
            custom: m.custom_information.clone(),
        }
    }
}

impl From<MetadataRow> for MerchantMetadata {
    fn from(m: MetadataRow) -> Self {
        MerchantMetadata {
            merchant_reference_id: m.reference,
            merchant_store_name: m.store_name,
            note_to_buyer: m.note,
            custom_information: m.custom,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct RecurringRow {
    unit: Option<String>,
    value: Option<String>,
    amount: Option<MoneyRow>,
}

impl From<&RecurringMetadata> for RecurringRow {
    fn from(r: &RecurringMetadata) -> Self {
        RecurringRow {
            unit: r.frequency.as_ref().map(|f| f.unit.as_str().to_owned()),
            value: r.frequency.as_ref().map(|f| f.value.clone()),
            amount: r.amount.map(MoneyRow::from),
        }
    }
}

impl RecurringRow {
    fn into_domain(self) -> R<RecurringMetadata> {
        let frequency = match (self.unit, self.value) {
            (Some(u), Some(value)) => Some(Frequency {
                unit: parse("frequency unit", &u, FrequencyUnit::parse)?,
                value,
            }),
            _ => None,
        };
        Ok(RecurringMetadata {
            frequency,
            amount: money_opt(self.amount)?,
        })
    }
}

#[derive(Serialize, Deserialize)]
struct SelectionRow {
    buyer: BuyerRow,
    shipping: Option<AddressRow>,
    billing: Option<AddressRow>,
    instrument: String,
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "t")]
enum StepRow {
    NotRun,
    Ran { at: i64, auth: String },
}

fn step_auth_str(a: StepAuthorization) -> &'static str {
    match a {
        StepAuthorization::NotNeeded => "not_needed",
        StepAuthorization::Approved => "approved",
        StepAuthorization::Pending {
            resolves_to: PendingResolution::Authorized,
        } => "pending_authorized",
        StepAuthorization::Pending {
            resolves_to: PendingResolution::HardDeclined,
        } => "pending_declined",
        StepAuthorization::Pending {
            resolves_to: PendingResolution::SoftDeclined,
        } => "pending_soft_declined",
        StepAuthorization::Pending {
            resolves_to: PendingResolution::TransactionTimedOut,
        } => "pending_timed_out",
        StepAuthorization::Canceled => "canceled",
    }
}

fn step_auth_parse(s: &str) -> Option<StepAuthorization> {
    Some(match s {
        "not_needed" => StepAuthorization::NotNeeded,
        "approved" => StepAuthorization::Approved,
        "pending_authorized" => StepAuthorization::Pending {
            resolves_to: PendingResolution::Authorized,
        },
        "pending_declined" => StepAuthorization::Pending {
            resolves_to: PendingResolution::HardDeclined,
        },
        "pending_soft_declined" => StepAuthorization::Pending {
            resolves_to: PendingResolution::SoftDeclined,
        },
        "pending_timed_out" => StepAuthorization::Pending {
            resolves_to: PendingResolution::TransactionTimedOut,
        },
        "canceled" => StepAuthorization::Canceled,
        _ => return None,
    })
}

fn resolution_str(r: PendingResolution) -> &'static str {
    match r {
        PendingResolution::Authorized => "authorized",
        PendingResolution::HardDeclined => "hard_declined",
        PendingResolution::SoftDeclined => "soft_declined",
        PendingResolution::TransactionTimedOut => "timed_out",
    }
}

fn resolution_parse(s: &str) -> Option<PendingResolution> {
    match s {
        "authorized" => Some(PendingResolution::Authorized),
        "hard_declined" => Some(PendingResolution::HardDeclined),
        "soft_declined" => Some(PendingResolution::SoftDeclined),
        "timed_out" => Some(PendingResolution::TransactionTimedOut),
        _ => None,
    }
}

/// `Captured`, or the decline reason.
fn capture_resolution_str(r: CaptureResolution) -> String {
    match r {
        CaptureResolution::Captured => "Captured".to_owned(),
        CaptureResolution::Declined(d) => d.as_str().to_owned(),
    }
}

fn capture_resolution_parse(s: &str) -> Option<CaptureResolution> {
    match s {
        "Captured" => Some(CaptureResolution::Captured),
        other => ChargeDeclinedReason::parse(other).map(CaptureResolution::Declined),
    }
}

/// `Refunded`, or the decline reason.
fn refund_resolution_str(r: RefundResolution) -> String {
    match r {
        RefundResolution::Refunded => "Refunded".to_owned(),
        RefundResolution::Declined(d) => d.as_str().to_owned(),
    }
}

fn refund_resolution_parse(s: &str) -> Option<RefundResolution> {
    match s {
        "Refunded" => Some(RefundResolution::Refunded),
        other => RefundDeclinedReason::parse(other).map(RefundResolution::Declined),
    }
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "t")]
enum SessionStateRow {
    Open,
    Completed { at: i64 },
    Canceled { at: i64, reason: String },
}

#[derive(Serialize, Deserialize)]
struct SessionRow {
    id: String,
    store_id: String,
    review_url: Option<String>,
    result_url: Option<String>,
    cancel_url: Option<String>,
    checkout_mode: Option<String>,
    product_type: String,
    intent: Option<String>,
    can_handle_pending: bool,
    charge_amount: Option<MoneyRow>,
    total_order_amount: Option<MoneyRow>,
    presentment_currency: Option<String>,
    soft_descriptor: Option<String>,
    allow_overcharge: Option<bool>,
    extend_expiration: Option<bool>,
    permission_type: String,
    recurring: Option<RecurringRow>,
    setup_only: Option<bool>,
    metadata: MetadataRow,
    supplementary_data: Option<String>,
    platform_id: Option<String>,
    provider_reference_id: Option<String>,
    delivery_specifications: Option<String>,
    scopes: Option<Vec<String>>,
    address_details: Option<AddressRow>,
    selection: Option<SelectionRow>,
    step: StepRow,
    state: SessionStateRow,
    created_at: i64,
    updated_at: i64,
}

impl From<&CheckoutSession> for SessionRow {
    fn from(s: &CheckoutSession) -> Self {
        let w = &s.web_checkout_details;
        let p = &s.payment_details;
        SessionRow {
            id: s.id.to_string(),
            store_id: s.store_id.to_string(),
            review_url: w.checkout_review_return_url.clone(),
            result_url: w.checkout_result_return_url.clone(),
            cancel_url: w.checkout_cancel_url.clone(),
            checkout_mode: w.checkout_mode.map(|m| m.as_str().to_owned()),
            product_type: s.product_type.as_str().to_owned(),
            intent: p.payment_intent.map(|i| i.as_str().to_owned()),
            can_handle_pending: p.can_handle_pending_authorization,
            charge_amount: p.charge_amount.map(MoneyRow::from),
            total_order_amount: p.total_order_amount.map(MoneyRow::from),
            presentment_currency: p.presentment_currency.map(|c| c.code().to_owned()),
            soft_descriptor: p.soft_descriptor.clone(),
            allow_overcharge: p.allow_overcharge,
            extend_expiration: p.extend_expiration,
            permission_type: s.charge_permission_type.as_str().to_owned(),
            recurring: s.recurring_metadata.as_ref().map(RecurringRow::from),
            setup_only: s.setup_only,
            metadata: (&s.merchant_metadata).into(),
            supplementary_data: s.supplementary_data.clone(),
            platform_id: s.platform_id.clone(),
            provider_reference_id: s.provider_reference_id.clone(),
            delivery_specifications: s.delivery_specifications.as_ref().map(|d| d.0.clone()),
            scopes: s
                .scopes
                .as_ref()
                .map(|v| v.iter().map(|x| x.as_str().to_owned()).collect()),
            address_details: s.address_details.as_ref().map(AddressRow::from),
            selection: s.buyer.as_ref().map(|b| SelectionRow {
                buyer: (&b.buyer).into(),
                shipping: b.shipping_address.as_ref().map(AddressRow::from),
                billing: b.billing_address.as_ref().map(AddressRow::from),
                instrument: b.instrument.last_four().to_owned(),
            }),
            step: match s.payment_step {
                PaymentStep::NotRun => StepRow::NotRun,
                PaymentStep::Ran { at, authorization } => StepRow::Ran {
                    at: at.unix(),
                    auth: step_auth_str(authorization).to_owned(),
                },
            },
            state: match &s.state {
                SessionState::Open => SessionStateRow::Open,
                SessionState::Completed { at } => SessionStateRow::Completed { at: at.unix() },
                SessionState::Canceled { at, reason } => SessionStateRow::Canceled {
                    at: at.unix(),
                    reason: reason.as_str().to_owned(),
                },
            },
            created_at: s.created_at.unix(),
            updated_at: s.updated_at.unix(),
        }
    }
}

impl SessionRow {
    fn into_domain(self) -> R<CheckoutSession> {
        Ok(CheckoutSession {
            id: parse("checkout session id", &self.id, CheckoutSessionId::parse)?,
            store_id: parse("store id", &self.store_id, StoreId::parse)?,
            web_checkout_details: WebCheckoutDetails {
                checkout_review_return_url: self.review_url,
                checkout_result_return_url: self.result_url,
                checkout_cancel_url: self.cancel_url,
                checkout_mode: self
                    .checkout_mode
                    .map(|m| parse("checkout mode", &m, CheckoutMode::parse))
                    .transpose()?,
            },
            product_type: parse("product type", &self.product_type, ProductType::parse)?,
            payment_details: PaymentDetails {
                payment_intent: self
                    .intent
                    .map(|i| parse("payment intent", &i, PaymentIntent::parse))
                    .transpose()?,
                can_handle_pending_authorization: self.can_handle_pending,
                charge_amount: money_opt(self.charge_amount)?,
                total_order_amount: money_opt(self.total_order_amount)?,
                presentment_currency: self
                    .presentment_currency
                    .map(|c| parse("currency", &c, Currency::parse))
                    .transpose()?,
                soft_descriptor: self.soft_descriptor,
                allow_overcharge: self.allow_overcharge,
                extend_expiration: self.extend_expiration,
            },
            charge_permission_type: parse(
                "permission type",
                &self.permission_type,
                ChargePermissionType::parse,
            )?,
            recurring_metadata: self.recurring.map(RecurringRow::into_domain).transpose()?,
            setup_only: self.setup_only,
            merchant_metadata: self.metadata.into(),
            supplementary_data: self.supplementary_data,
            platform_id: self.platform_id,
            provider_reference_id: self.provider_reference_id,
            delivery_specifications: self.delivery_specifications.map(OpaqueJson),
            scopes: self
                .scopes
                .map(|v| {
                    v.iter()
                        .map(|s| parse("scope", s, BuyerScope::parse))
                        .collect::<R<Vec<_>>>()
                })
                .transpose()?,
            address_details: self.address_details.map(Address::from),
            buyer: self
                .selection
                .map(|s| -> R<BuyerSelection> {
                    Ok(BuyerSelection {
                        buyer: s.buyer.into_domain()?,
                        shipping_address: s.shipping.map(Address::from),
                        billing_address: s.billing.map(Address::from),
                        instrument: parse("instrument", &s.instrument, Instrument::parse)?,
                    })
                })
                .transpose()?,
            payment_step: match self.step {
                StepRow::NotRun => PaymentStep::NotRun,
                StepRow::Ran { at, auth } => PaymentStep::Ran {
                    at: ts(at),
                    authorization: parse("step authorization", &auth, step_auth_parse)?,
                },
            },
            state: match self.state {
                SessionStateRow::Open => SessionState::Open,
                SessionStateRow::Completed { at } => SessionState::Completed { at: ts(at) },
                SessionStateRow::Canceled { at, reason } => SessionState::Canceled {
                    at: ts(at),
                    reason: parse("cancel reason", &reason, SessionCancelReason::parse)?,
                },
            },
            created_at: ts(self.created_at),
            updated_at: ts(self.updated_at),
        })
    }
}

#[derive(Serialize, Deserialize)]
struct PermissionRow {
    id: String,
    permission_type: String,
    buyer: Option<BuyerRow>,
    shipping: Option<AddressRow>,
    billing: Option<AddressRow>,
    descriptor: Option<String>,
    state: String,
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
        let reasons = match &p.state {
            PermissionState::Chargeable => Vec::new(),
            PermissionState::NonChargeable(r) => r.iter().map(|x| x.as_str().to_owned()).collect(),
            PermissionState::Closed(r) => vec![r.as_str().to_owned()],
        };
        PermissionRow {
            id: p.id.to_string(),
            permission_type: p.charge_permission_type.as_str().to_owned(),
            buyer: p.buyer.as_ref().map(BuyerRow::from),
            shipping: p.shipping_address.as_ref().map(AddressRow::from),
            billing: p.billing_address.as_ref().map(AddressRow::from),
            descriptor: p.payment_descriptor.clone(),
            state: p.state.as_str().to_owned(),
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
    fn into_domain(self) -> R<ChargePermission> {
        let state = match self.state.as_str() {
            "Chargeable" => PermissionState::Chargeable,
            "NonChargeable" => PermissionState::NonChargeable(
                self.reasons
                    .iter()
                    .map(|r| parse("reason", r, NonChargeableReason::parse))
                    .collect::<R<_>>()?,
            ),
            "Closed" => {
                let r = self.reasons.first().map(String::as_str).unwrap_or("");
                PermissionState::Closed(parse("reason", r, PermissionClosedReason::parse)?)
            }
            other => return Err(corrupt("permission state", other)),
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
struct ChargeRow {
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
    state: String,
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
        let (resolves_at, resolves_to, capturing) = match c.state {
            ChargeState::AuthorizationInitiated {
                resolves_at,
                resolves_to,
            } => (
                Some(resolves_at.unix()),
                Some(resolution_str(resolves_to).to_owned()),
                None,
            ),
            ChargeState::CaptureInitiated {
                resolves_at,
                amount,
                resolves_to,
            } => (
                Some(resolves_at.unix()),
                Some(capture_resolution_str(resolves_to)),
                Some(MoneyRow::from(amount)),
            ),
            _ => (None, None, None),
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
            state: c.state.as_str().to_owned(),
            reason: c.state.reason_code().map(str::to_owned),
            resolves_at,
            resolves_to,
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
    fn into_domain(self) -> R<Charge> {
        let reason = self.reason.as_deref().unwrap_or("");
        let resolves_at = || {
            self.resolves_at
                .map(ts)
                .ok_or_else(|| corrupt("charge timer", &self.id))
        };
        let state = match self.state.as_str() {
            "AuthorizationInitiated" => ChargeState::AuthorizationInitiated {
                resolves_at: resolves_at()?,
                resolves_to: parse(
                    "resolution",
                    self.resolves_to.as_deref().unwrap_or(""),
                    resolution_parse,
                )?,
            },
            "Authorized" => ChargeState::Authorized,
            "CaptureInitiated" => ChargeState::CaptureInitiated {
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
                    Some(r) => parse("capture resolution", r, capture_resolution_parse)?,
                },
            },
            "Captured" => ChargeState::Captured,
            "Canceled" => {
                ChargeState::Canceled(parse("reason", reason, ChargeCanceledReason::parse)?)
            }
            "Declined" => {
                ChargeState::Declined(parse("reason", reason, ChargeDeclinedReason::parse)?)
            }
            other => return Err(corrupt("charge state", other)),
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
struct RefundRow {
    id: String,
    charge_id: String,
    amount: MoneyRow,
    soft_descriptor: Option<String>,
    state: String,
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
                "RefundInitiated",
                None,
                Some(resolves_at.unix()),
                Some(refund_resolution_str(resolves_to)),
            ),
            RefundState::Refunded => ("Refunded", None, None, None),
            RefundState::Declined(d) => ("Declined", Some(d.as_str().to_owned()), None, None),
        };
        RefundRow {
            id: r.id.to_string(),
            charge_id: r.charge_id.to_string(),
            amount: r.refund_amount.into(),
            soft_descriptor: r.soft_descriptor.clone(),
            state: state.to_owned(),
            reason,
            resolves_at,
            created_at: r.created_at.unix(),
            updated_at: r.updated_at.unix(),
            resolves_to,
        }
    }
}

impl RefundRow {
    fn into_domain(self) -> R<Refund> {
        let state = match self.state.as_str() {
            "RefundInitiated" => RefundState::RefundInitiated {
                resolves_at: ts(self
                    .resolves_at
                    .ok_or_else(|| corrupt("refund timer", &self.id))?),
                resolves_to: match self.resolves_to.as_deref() {
                    None => RefundResolution::Refunded,
                    Some(r) => parse("refund resolution", r, refund_resolution_parse)?,
                },
            },
            "Refunded" => RefundState::Refunded,
            "Declined" => RefundState::Declined(parse(
                "reason",
                self.reason.as_deref().unwrap_or(""),
                RefundDeclinedReason::parse,
            )?),
            other => return Err(corrupt("refund state", other)),
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

#[derive(Serialize, Deserialize)]
struct CheckoutRow {
    v: u32,
    merchant_id: String,
    environment: String,
    region: String,
    session: SessionRow,
    permission: Option<PermissionRow>,
    charges: Vec<ChargeRow>,
    refunds: Vec<RefundRow>,
    #[serde(default)]
    trackers: Vec<TrackerRow>,
}

#[derive(Serialize, Deserialize)]
struct TrackerRow {
    number: String,
    carrier: String,
    at: i64,
}

/// Encodes a checkout as its stored JSON document.
pub(crate) fn encode(c: &Checkout) -> String {
    let row = CheckoutRow {
        v: VERSION,
        merchant_id: c.merchant_id.to_string(),
        environment: c.environment.as_str().to_owned(),
        region: c.region.as_str().to_owned(),
        session: (&c.session).into(),
        permission: c.permission.as_ref().map(PermissionRow::from),
        charges: c.charges.iter().map(ChargeRow::from).collect(),
        refunds: c.refunds.iter().map(RefundRow::from).collect(),
        trackers: c
            .delivery_trackers
            .iter()
            .map(|t| TrackerRow {
                number: t.tracking_number.clone(),
                carrier: t.carrier_code.clone(),
                at: t.created_at.unix(),
            })
            .collect(),
    };
    // Serializing plain structs of strings and numbers into a String cannot fail.
    serde_json::to_string(&row).unwrap_or_default()
}

/// Decodes a stored JSON document.
pub(crate) fn decode(text: &str) -> R<Checkout> {
    let row: CheckoutRow = serde_json::from_str(text)
        .map_err(|e| StoreError::Corrupt(format!("undecodable checkout document: {e}")))?;
    if row.v != VERSION {
        return Err(StoreError::Corrupt(format!(
            "checkout document version {} is not {VERSION}",
            row.v
        )));
    }
    Ok(Checkout {
        merchant_id: parse("merchant id", &row.merchant_id, MerchantId::parse)?,
        environment: parse("environment", &row.environment, Environment::parse)?,
        region: parse("region", &row.region, Region::parse)?,
        session: row.session.into_domain()?,
        permission: row.permission.map(PermissionRow::into_domain).transpose()?,
        charges: row
            .charges
            .into_iter()
            .map(ChargeRow::into_domain)
            .collect::<R<_>>()?,
        refunds: row
            .refunds
            .into_iter()
            .map(RefundRow::into_domain)
            .collect::<R<_>>()?,
        delivery_trackers: row
            .trackers
            .into_iter()
            .map(|t| DeliveryTracker {
                tracking_number: t.number,
                carrier_code: t.carrier,
                created_at: ts(t.at),
            })
            .collect(),
    })
}
