//! The stored Checkout Session.

use amzpay_emulator_core::Currency;
use amzpay_emulator_core::ids::{CheckoutSessionId, StoreId};
use amzpay_emulator_core::model::{
    Address, BuyerScope, BuyerSelection, ChargePermissionType, CheckoutMode, CheckoutSession,
    Instrument, OpaqueJson, PaymentDetails, PaymentIntent, PaymentStep, PendingResolution,
    ProductType, SessionCancelReason, SessionState, StepAuthorization, WebCheckoutDetails,
};
use serde::{Deserialize, Serialize};

use super::{AddressRow, BuyerRow, MetadataRow, MoneyRow, R, RecurringRow, money_opt, parse, ts};

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

stored_names! {
    /// How the payment step's authorization is stored.
    StepAuthorization: step_authorization_name, parse_step_authorization {
        "not_needed" => (StepAuthorization::NotNeeded),
        "approved" => (StepAuthorization::Approved),
        "pending_authorized" => (StepAuthorization::Pending {
            resolves_to: PendingResolution::Authorized,
        }),
        "pending_declined" => (StepAuthorization::Pending {
            resolves_to: PendingResolution::HardDeclined,
        }),
        "pending_soft_declined" => (StepAuthorization::Pending {
            resolves_to: PendingResolution::SoftDeclined,
        }),
        "pending_timed_out" => (StepAuthorization::Pending {
            resolves_to: PendingResolution::TransactionTimedOut,
        }),
        "canceled" => (StepAuthorization::Canceled),
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
pub(super) struct SessionRow {
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
                    auth: step_authorization_name(authorization).to_owned(),
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
    pub(super) fn into_domain(self) -> R<CheckoutSession> {
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
                    authorization: parse("step authorization", &auth, parse_step_authorization)?,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_authorization_reads_back_from_its_stored_name() {
        let all = [
            StepAuthorization::NotNeeded,
            StepAuthorization::Approved,
            StepAuthorization::Canceled,
        ]
        .into_iter()
        .chain(
            [
                PendingResolution::Authorized,
                PendingResolution::HardDeclined,
                PendingResolution::SoftDeclined,
                PendingResolution::TransactionTimedOut,
            ]
            .map(|resolves_to| StepAuthorization::Pending { resolves_to }),
        );
        for a in all {
            let name = step_authorization_name(a);
            assert_eq!(parse_step_authorization(name), Some(a), "{name}");
        }
        assert_eq!(parse_step_authorization("Approved"), None);
    }
}
