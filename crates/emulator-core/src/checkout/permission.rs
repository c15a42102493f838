//! The Charge Permission after Complete: its derived state, Update and Close Charge Permission,
//! the buyer's and Amazon's events, and Create Delivery Tracker (spec §3.2, §4.7).

use super::payments::{REASON_MAX, not_applicable};
use super::{Checkout, merge_merchant_metadata, merge_recurring_metadata};
use crate::clock::{DAY, Timestamp};
use crate::error::{DomainError, FieldError};
use crate::ids::ChargePermissionId;
use crate::input::{
    CloseRequest, PermissionUpdate, Shipment, check_frequency, check_metadata, check_text,
};
use crate::model::{
    ChargeCanceledReason, ChargePermission, ChargePermissionType, DeliveryTracker,
    NonChargeableReason, PermissionClosedReason, PermissionEvent, PermissionState, Region,
};
use crate::money::Money;
use crate::simulation::Simulation;

/// OneTime charge permissions show buyer details for this long.
pub const ONE_TIME_BUYER_DATA_SECS: i64 = 30 * DAY;

pub(super) fn describe(state: &PermissionState) -> String {
    match state {
        PermissionState::Chargeable => "Chargeable".to_owned(),
        PermissionState::NonChargeable(reasons) => {
            let r: Vec<&str> = reasons.iter().map(|r| r.as_str()).collect();
            format!("NonChargeable ({})", r.join(", "))
        }
        PermissionState::Closed(r) => format!("Closed ({})", r.as_str()),
    }
}

impl Checkout {
    /// Whether a OneTime permission still shows buyer details at `now`.
    pub fn permission_buyer_visible(&self, now: Timestamp) -> bool {
        match &self.permission {
            Some(p) if p.charge_permission_type == ChargePermissionType::OneTime => {
                now < p.created_at.plus(ONE_TIME_BUYER_DATA_SECS)
            }
            Some(_) => true,
            None => false,
        }
    }

    /// `limits.amountBalance`: the limit minus what charges hold or took.
    pub fn amount_balance(&self) -> Option<Money> {
        let limit = self.permission.as_ref()?.amount_limit?;
        let used = self
            .charges
            .iter()
            .map(|c| c.held_amount().minor())
            .sum::<i64>();
        Some(Money::from_minor(
            (limit.minor() - used).max(0),
            limit.currency(),
        ))
    }

    /// The charge permission id, once completed.
    pub fn charge_permission_id(&self) -> Option<&ChargePermissionId> {
        self.permission.as_ref().map(|p| &p.id)
    }

    fn permission_mut(&mut self) -> Result<&mut ChargePermission, DomainError> {
        self.permission.as_mut().ok_or(DomainError::NotFound)
    }

    /// The permission, unless it is `Closed`: Close Charge Permission and the buyer's events
    /// need an open one.
    fn open_permission_mut(&mut self) -> Result<&mut ChargePermission, DomainError> {
        let p = self.permission_mut()?;
        if let PermissionState::Closed(_) = p.state {
            return Err(DomainError::permission_status(format!(
                "The Charge Permission is already {}.",
                describe(&p.state)
            )));
        }
        Ok(p)
    }

    pub(super) fn close(&mut self, reason: PermissionClosedReason, now: Timestamp) {
        if let Some(p) = self.permission.as_mut() {
            p.state = PermissionState::Closed(reason);
            p.updated_at = now;
        }
    }

    /// Recomputes a permission's state after its charges or instrument changed (not for
    /// `Closed` ones): `NonChargeable` with every reason that holds (a charge in progress that
    /// blocks the next one, an instrument issue), else `Closed`/`AmazonClosed` for a OneTime
    /// permission with nothing left to charge, else `Chargeable`.
    ///
    /// A OneTime permission stays `Chargeable` while open charges leave part of its
    /// `amountBalance`: Amazon's guides let a merchant create up to 25 charges within
    /// `amountLimit` and keep the permission `Chargeable` until `totalOrderAmount` is captured
    /// (developer.amazon.com/docs/amazon-pay-checkout/one-time-payment-scenarios.html,
    /// "Partial authorization or capture at checkout": with `Authorize` the merchant captures the
    /// checkout's charge "and can also" call Create Charge; deferred-transactions.html,
    /// "Deferred authorizations"), which a split shipment needs while the first shipment's
    /// authorization is still open. `ChargeInProgress` ("You cannot initiate a new charge unless
    /// previous charge is canceled", the reason's text in Amazon's answers) is kept for a OneTime
    /// permission whose open charges hold everything that is left, where canceling one is
    /// indeed the only way to charge again, and for a permission without `amountLimit`
    /// (Recurring, PaymentMethodOnFile) while any of its charges is open, as the text reads.
    /// docs/fidelity.md lists the stricter reading (any open charge blocks a OneTime one too).
    pub(super) fn refresh_permission_state(&mut self, now: Timestamp) {
        let balance = self.amount_balance();
        let in_progress = self.charges.iter().any(|c| c.state.in_progress());
        let blocked = in_progress && balance.is_none_or(|b| b.minor() == 0);
        let Some(p) = self.permission.as_mut() else {
            return;
        };
        if matches!(p.state, PermissionState::Closed(_)) {
            return;
        }
        let mut reasons = Vec::new();
        if blocked {
            reasons.push(NonChargeableReason::ChargeInProgress);
        }
        if let Some(issue) = p.instrument_issue {
            reasons.push(issue);
        }
        let new_state = if !reasons.is_empty() {
            PermissionState::NonChargeable(reasons)
        } else if p.charge_permission_type == ChargePermissionType::OneTime
            && balance.is_some_and(|b| b.minor() == 0)
        {
            PermissionState::Closed(PermissionClosedReason::AmazonClosed)
        } else {
            PermissionState::Chargeable
        };
        if new_state != p.state {
            p.state = new_state;
            p.updated_at = now;
        }
    }

    pub(super) fn update_permission(&mut self, u: PermissionUpdate) -> Result<(), DomainError> {
        if let Some(m) = &u.merchant_metadata {
            check_metadata(m)?;
        }
        let region = self.region;
        let p = self.permission_mut()?;
        let closed = matches!(p.state, PermissionState::Closed(_));
        if u.recurring_metadata.is_some() {
            // EU and UK merchants under PSD2 must tell the issuer about a changed frequency or
            // amount, which only a new checkout can do: they close the permission and check out
            // again instead of updating it (developer.amazon.com/docs/amazon-pay-checkout/
            // advanced-subscription-use-cases.html, "Changing subscription plans"). Amazon lets
            // an EU/UK merchant to whom PSD2 does not apply update it; the emulator cannot tell,
            // so it applies the PSD2 rule to every EU/UK merchant (docs/fidelity.md).
            if region == Region::Eu {
                return Err(DomainError::ChargePermissionNotModifiable(
                    "EU and UK merchants cannot change recurringMetadata; close the Charge Permission and ask the buyer to check out again."
                        .to_owned(),
                ));
            }
            if closed {
                return Err(DomainError::ChargePermissionNotModifiable(
                    "The recurringMetadata of a Closed Charge Permission cannot be changed."
                        .to_owned(),
                ));
            }
            if p.charge_permission_type != ChargePermissionType::Recurring {
                return Err(FieldError::invalid(
                    "recurringMetadata",
                    "can only be set on a Recurring Charge Permission",
                )
                .into());
            }
        }
        if let Some(m) = &u.merchant_metadata
            && closed
        {
            if p.charge_permission_type != ChargePermissionType::OneTime {
                return Err(DomainError::ChargePermissionNotModifiable(format!(
                    "A Closed {} Charge Permission cannot be updated.",
                    p.charge_permission_type.as_str()
                )));
            }
            // Closed OneTime permissions: only children that are still empty (spec §4.7).
            let current = &p.merchant_metadata;
            let pairs: [(&str, &Option<String>, &Option<String>); 4] = [
                (
                    "merchantReferenceId",
                    &m.merchant_reference_id,
                    &current.merchant_reference_id,
                ),
                (
                    "merchantStoreName",
                    &m.merchant_store_name,
                    &current.merchant_store_name,
                ),
                ("noteToBuyer", &m.note_to_buyer, &current.note_to_buyer),
                (
                    "customInformation",
                    &m.custom_information,
                    &current.custom_information,
                ),
            ];
            for (name, supplied, held) in pairs {
                if supplied.is_some() && held.as_deref().is_some_and(|v| !v.is_empty()) {
                    return Err(DomainError::ChargePermissionNotModifiable(format!(
                        "merchantMetadata.{name} is already set and the Charge Permission is Closed."
                    )));
                }
            }
        }
        if let Some(r) = &u.recurring_metadata {
            check_frequency(r)?;
            if let Some(a) = r.amount
                && a.currency() != p.presentment_currency
            {
                return Err(FieldError::currency_mismatch("recurringMetadata.amount").into());
            }
        }
        if let Some(m) = u.merchant_metadata {
            merge_merchant_metadata(&mut p.merchant_metadata, m);
        }
        if let Some(r) = u.recurring_metadata {
            merge_recurring_metadata(p.recurring_metadata.get_or_insert_with(Default::default), r);
        }
        Ok(())
    }

    pub(super) fn close_permission(
        &mut self,
        req: CloseRequest,
        simulation: Option<Simulation>,
        now: Timestamp,
    ) -> Result<(), DomainError> {
        if req.closure_reason.trim().is_empty() {
            return Err(FieldError::missing("closureReason").into());
        }
        check_text("closureReason", &req.closure_reason, REASON_MAX)?;
        let p = self.open_permission_mut()?;
        let reason = match simulation {
            None => PermissionClosedReason::MerchantClosed,
            Some(Simulation::AmazonClosed) => PermissionClosedReason::AmazonClosed,
            Some(other) => {
                return Err(not_applicable(
                    other,
                    "does not apply to Close Charge Permission",
                ));
            }
        };
        p.closure_reason = Some(req.closure_reason);
        if req.cancel_pending_charges {
            self.cancel_open_charges(ChargeCanceledReason::ChargePermissionCanceled, now);
        }
        self.close(reason, now);
        Ok(())
    }

    pub(super) fn track_delivery(
        &mut self,
        shipments: Vec<Shipment>,
        now: Timestamp,
    ) -> Result<(), DomainError> {
        if self.permission.is_none() {
            return Err(DomainError::NotFound);
        }
        if shipments.is_empty() {
            return Err(FieldError::missing("deliveryDetails").into());
        }
        let mut seen: Vec<String> = self
            .delivery_trackers
            .iter()
            .map(|t| t.tracking_number.to_ascii_uppercase())
            .collect();
        for (i, s) in shipments.iter().enumerate() {
            let field = |name: &str| format!("deliveryDetails[{i}].{name}");
            check_shipment_text(&field("trackingNumber"), &s.tracking_number)?;
            check_shipment_text(&field("carrierCode"), &s.carrier_code)?;
            let key = s.tracking_number.to_ascii_uppercase();
            if seen.contains(&key) {
                return Err(FieldError::invalid(
                    field("trackingNumber"),
                    "was already used; a tracking number is accepted once",
                )
                .into());
            }
            seen.push(key);
        }
        self.delivery_trackers
            .extend(shipments.into_iter().map(|s| DeliveryTracker {
                tracking_number: s.tracking_number,
                carrier_code: s.carrier_code,
                created_at: now,
            }));
        Ok(())
    }

    pub(super) fn permission_event(
        &mut self,
        event: PermissionEvent,
        now: Timestamp,
    ) -> Result<(), DomainError> {
        let p = self.open_permission_mut()?;
        match event {
            PermissionEvent::InstrumentIssue(NonChargeableReason::ChargeInProgress) => {
                return Err(FieldError::invalid(
                    "event",
                    "ChargeInProgress follows from the charges, it is not an instrument issue",
                )
                .into());
            }
            PermissionEvent::InstrumentIssue(reason) => p.instrument_issue = Some(reason),
            PermissionEvent::InstrumentFixed => p.instrument_issue = None,
            PermissionEvent::BuyerClosed => {
                self.cancel_open_charges(ChargeCanceledReason::BuyerCanceled, now);
                self.close(PermissionClosedReason::BuyerClosed, now);
                return Ok(());
            }
            PermissionEvent::AmazonCanceled => {
                self.cancel_open_charges(ChargeCanceledReason::AmazonCanceled, now);
                self.close(PermissionClosedReason::AmazonCanceled, now);
                return Ok(());
            }
        }
        self.refresh_permission_state(now);
        Ok(())
    }
}

/// A tracking number or carrier code: required, so not blank, and without control characters.
/// Amazon documents no shape or length for either (developer.amazon.com/docs/amazon-pay-api-v2/
/// delivery-tracker.html, `deliveryDetail`); the carrier code comes from Amazon's downloadable
/// carrier list, which changes, so the emulator does not check membership. Control characters
/// are refused because no carrier prints one and PostgreSQL's text cannot hold a NUL
/// (docs/fidelity.md lists this as the emulator's own rule).
fn check_shipment_text(field: &str, value: &str) -> Result<(), DomainError> {
    if value.trim().is_empty() {
        return Err(FieldError::invalid(field, "is empty").into());
    }
    if value.chars().any(char::is_control) {
        return Err(FieldError::invalid(field, "contains a control character").into());
    }
    Ok(())
}
