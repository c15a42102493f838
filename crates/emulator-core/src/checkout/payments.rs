//! What happens after Complete: charges, captures, cancels, refunds, permission updates and
//! closes, delivery trackers and buyer events on the permission (spec §3.2 to §3.4, §4.4 to
//! §4.8).
//!
//! Every operation checks in the same order: the request's own fields (400), the object's state
//! (422), currencies and amounts (400), counts (422); the simulation code comes last, so a code
//! never hides a real error.

use rand::RngCore;

use super::{
    CAPTURE_RESOLUTION_SECS, Checkout, Decline, EXTENDED_PERMISSION_EXPIRY_SECS, Effect,
    PENDING_RESOLUTION_SECS, REFUND_RESOLUTION_SECS, SYNCHRONOUS_CAPTURE_WINDOW_SECS, merge,
};
use crate::checkout::AUTHORIZATION_EXPIRY_SECS;
use crate::clock::Timestamp;
use crate::error::{DomainError, FieldError};
use crate::ids::{ChargeId, RefundId};
use crate::input::{
    CaptureRequest, CloseRequest, NewCharge, NewRefund, PermissionUpdate, Shipment, check_metadata,
    check_text,
};
use crate::limits::{self, MAX_REFUNDS_PER_CHARGE, MAX_SHIPMENTS, ONE_TIME_MAX_CHARGES};
use crate::model::{
    CaptureResolution, Charge, ChargeCanceledReason, ChargeDeclinedReason, ChargePermission,
    ChargePermissionType, ChargeState, DeliveryTracker, MerchantMetadata, NonChargeableReason,
    PendingResolution, PermissionClosedReason, PermissionEvent, PermissionState, Refund,
    RefundDeclinedReason, RefundResolution, RefundState,
};
use crate::money::Money;
use crate::simulation::Simulation;

/// `softDescriptor` is at most this long.
const SOFT_DESCRIPTOR_MAX: usize = 16;
/// `closureReason` and `cancellationReason` are at most this long.
const REASON_MAX: usize = 255;

/// How Create Charge authorizes.
enum Authorization {
    Approved,
    CaptureAsync,
    Pending(PendingResolution),
    Declined(Decline),
}

fn positive(field: &str, m: Money) -> Result<(), DomainError> {
    if m.minor() <= 0 {
        return Err(FieldError::invalid(field, "must be greater than zero").into());
    }
    Ok(())
}

fn soft_descriptor(field: &str, d: &Option<String>) -> Result<(), DomainError> {
    if let Some(d) = d {
        if d.trim().is_empty() {
            return Err(FieldError::invalid(field, "is empty").into());
        }
        check_text(field, d, SOFT_DESCRIPTOR_MAX)?;
    }
    Ok(())
}

fn not_applicable(sim: Simulation, why: &str) -> DomainError {
    DomainError::simulation(format!("The simulation code {} {why}.", sim.code()))
}

fn describe(state: &PermissionState) -> String {
    match state {
        PermissionState::Chargeable => "Chargeable".to_owned(),
        PermissionState::NonChargeable(reasons) => {
            let r: Vec<&str> = reasons.iter().map(|r| r.as_str()).collect();
            format!("NonChargeable ({})", r.join(", "))
        }
        PermissionState::Closed(r) => format!("Closed ({})", r.as_str()),
    }
}

fn describe_charge(state: &ChargeState) -> String {
    match state.reason_code() {
        Some(r) => format!("{} ({r})", state.as_str()),
        None => state.as_str().to_owned(),
    }
}

impl Checkout {
    fn permission_mut(&mut self) -> Result<&mut ChargePermission, DomainError> {
        self.permission.as_mut().ok_or(DomainError::NotFound)
    }

    fn charge_index(&self, id: &ChargeId) -> Result<usize, DomainError> {
        self.charges
            .iter()
            .position(|c| &c.id == id)
            .ok_or(DomainError::NotFound)
    }

    fn fresh_charge_id(&self, rng: &mut dyn RngCore) -> Result<ChargeId, DomainError> {
        let p = self.permission.as_ref().ok_or(DomainError::NotFound)?;
        loop {
            let id = ChargeId::generate(rng, &p.id);
            if self.charge(&id).is_none() {
                return Ok(id);
            }
        }
    }

    fn fresh_refund_id(&self, rng: &mut dyn RngCore) -> Result<RefundId, DomainError> {
        let p = self.permission.as_ref().ok_or(DomainError::NotFound)?;
        loop {
            let id = RefundId::generate(rng, &p.id);
            if self.refund(&id).is_none() {
                return Ok(id);
            }
        }
    }

    /// What the permission's charges created in `now`'s calendar month hold or took.
    fn charged_this_month(&self, now: Timestamp) -> i64 {
        let month = now.year_month();
        self.charges
            .iter()
            .filter(|c| c.created_at.year_month() == month)
            .map(|c| c.held_amount().minor())
            .sum()
    }

    /// Cancels every charge whose authorization is still open.
    fn cancel_open_charges(&mut self, reason: ChargeCanceledReason, now: Timestamp) {
        for ch in &mut self.charges {
            if ch.state.is_open_authorization() {
                ch.state = ChargeState::Canceled(reason);
                ch.updated_at = now;
            }
        }
    }

    fn close(&mut self, reason: PermissionClosedReason, now: Timestamp) {
        if let Some(p) = self.permission.as_mut() {
            p.state = PermissionState::Closed(reason);
            p.updated_at = now;
        }
    }

    pub(super) fn create_charge(
        &mut self,
        req: NewCharge,
        simulation: Option<Simulation>,
        now: Timestamp,
        rng: &mut dyn RngCore,
    ) -> Result<Vec<Effect>, DomainError> {
        let amount = req.charge_amount;
        positive("chargeAmount.amount", amount)?;
        soft_descriptor("softDescriptor", &req.soft_descriptor)?;
        check_metadata(&req.merchant_metadata)?;
        if let Some(id) = &req.platform_id {
            check_text("platformId", id, 64)?;
        }
        if let Some(id) = &req.provider_reference_id {
            check_text("providerMetadata.providerReferenceId", id, 256)?;
        }
        let p = self.permission.as_ref().ok_or(DomainError::NotFound)?;
        if p.state != PermissionState::Chargeable {
            return Err(DomainError::permission_status(format!(
                "The Charge Permission is {}; charges need a Chargeable permission.",
                describe(&p.state)
            )));
        }
        if amount.currency() != p.presentment_currency {
            return Err(FieldError::currency_mismatch("chargeAmount.currencyCode").into());
        }
        let max = limits::max_transaction(amount.currency());
        if amount.minor() > max.minor() {
            return Err(DomainError::amount_exceeded(format!(
                "The chargeAmount exceeds the maximum of {max} per charge."
            )));
        }
        let kind = p.charge_permission_type;
        if kind == ChargePermissionType::OneTime {
            if self.charges.len() >= ONE_TIME_MAX_CHARGES {
                return Err(DomainError::TransactionCountExceeded(format!(
                    "A OneTime Charge Permission allows at most {ONE_TIME_MAX_CHARGES} charges."
                )));
            }
            if let Some(balance) = self.amount_balance()
                && amount.minor() > balance.minor()
            {
                return Err(DomainError::amount_exceeded(format!(
                    "The chargeAmount exceeds the Charge Permission's amountBalance of {balance}."
                )));
            }
        }
        if let Some(limit) = limits::monthly_limit(kind, amount.currency()) {
            let used = self.charged_this_month(now);
            if used.saturating_add(amount.minor()) > limit.minor() {
                return Err(DomainError::PeriodicAmountExceeded(format!(
                    "The charge would exceed the monthly maximum of {limit} for a {} Charge Permission.",
                    kind.as_str()
                )));
            }
        }
        let authorization = match simulation {
            None => Authorization::Approved,
            Some(Simulation::SoftDeclined) => Authorization::Declined(Decline::SoftDeclined),
            Some(Simulation::HardDeclined) => Authorization::Declined(Decline::HardDeclined),
            Some(Simulation::AmazonRejected) => Authorization::Declined(Decline::AmazonRejected),
            Some(Simulation::TransactionTimedOut) => {
                Authorization::Declined(Decline::TransactionTimedOut)
            }
            Some(Simulation::PaymentMethodNotAllowed) => {
                Authorization::Declined(Decline::PaymentMethodNotAllowed)
            }
            Some(Simulation::MfaNotCompleted) => Authorization::Declined(Decline::MfaNotCompleted),
            Some(Simulation::ProcessingFailure) => {
                return Err(DomainError::ProcessingFailure(
                    "The charge could not be processed (simulated); retry while the Charge Permission is Chargeable.".to_owned(),
                ));
            }
            Some(sim @ Simulation::CaptureInitiated) => {
                if !req.capture_now {
                    return Err(not_applicable(sim, "needs captureNow true"));
                }
                Authorization::CaptureAsync
            }
            Some(
                sim @ (Simulation::PendingThenAuthorized
                | Simulation::PendingThenSoftDeclined
                | Simulation::PendingThenHardDeclined
                | Simulation::PendingThenTimedOut),
            ) => {
                if !req.can_handle_pending_authorization {
                    return Err(not_applicable(
                        sim,
                        "needs canHandlePendingAuthorization true",
                    ));
                }
                Authorization::Pending(match sim {
                    Simulation::PendingThenSoftDeclined => PendingResolution::SoftDeclined,
                    Simulation::PendingThenHardDeclined => PendingResolution::HardDeclined,
                    Simulation::PendingThenTimedOut => PendingResolution::TransactionTimedOut,
                    _ => PendingResolution::Authorized,
                })
            }
            Some(other) => {
                return Err(not_applicable(other, "does not apply to Create Charge"));
            }
        };
        if let Authorization::Declined(decline) = authorization {
            self.decline_charge(decline, now);
            return Ok(vec![Effect::Declined(decline)]);
        }
        let id = self.fresh_charge_id(rng)?;
        let (state, authorized_at) = match authorization {
            Authorization::Approved if req.capture_now => (ChargeState::Captured, Some(now)),
            Authorization::Approved => (ChargeState::Authorized, Some(now)),
            Authorization::CaptureAsync => (
                ChargeState::CaptureInitiated {
                    resolves_at: now.plus(CAPTURE_RESOLUTION_SECS),
                    amount,
                    resolves_to: CaptureResolution::Captured,
                },
                Some(now),
            ),
            Authorization::Pending(resolves_to) => (
                ChargeState::AuthorizationInitiated {
                    resolves_at: now.plus(PENDING_RESOLUTION_SECS),
                    resolves_to,
                },
                None,
            ),
            Authorization::Declined(_) => unreachable!("handled above"),
        };
        let captured = state == ChargeState::Captured;
        let p = self.permission.as_ref().ok_or(DomainError::NotFound)?;
        self.charges.push(Charge {
            id: id.clone(),
            charge_permission_id: p.id.clone(),
            charge_amount: amount,
            capture_amount: captured.then_some(amount),
            refunded_amount: captured.then_some(Money::zero(amount.currency())),
            soft_descriptor: req.soft_descriptor,
            provider_reference_id: req.provider_reference_id,
            merchant_metadata: req.merchant_metadata,
            platform_id: req.platform_id,
            can_handle_pending_authorization: req.can_handle_pending_authorization,
            capture_now: req.capture_now,
            charge_initiator: req.charge_initiator,
            channel: req.channel,
            authorized_at,
            cancellation_reason: None,
            state,
            created_at: now,
            updated_at: now,
            expires_at: now.plus(AUTHORIZATION_EXPIRY_SECS),
        });
        // A successful charge keeps a Recurring permission alive for another 13 months.
        if let Some(p) = self.permission.as_mut()
            && p.charge_permission_type == ChargePermissionType::Recurring
        {
            let renewed = now.plus(EXTENDED_PERMISSION_EXPIRY_SECS);
            p.expires_at = Some(p.expires_at.map_or(renewed, |at| at.max(renewed)));
        }
        self.refresh_permission_state(now);
        Ok(vec![Effect::ChargeCreated(id)])
    }

    /// The permission side of a synchronous decline (spec §3.3): soft declines and timeouts
    /// change nothing; the others mark the instrument or close the permission.
    fn decline_charge(&mut self, decline: Decline, now: Timestamp) {
        let issue = match decline {
            Decline::SoftDeclined | Decline::TransactionTimedOut => return,
            Decline::HardDeclined => NonChargeableReason::PaymentMethodInvalid,
            Decline::PaymentMethodNotAllowed => NonChargeableReason::PaymentMethodNotAllowed,
            Decline::MfaNotCompleted => NonChargeableReason::MfaFailed,
            Decline::AmazonRejected => {
                self.cancel_open_charges(ChargeCanceledReason::AmazonCanceled, now);
                self.close(PermissionClosedReason::AmazonCanceled, now);
                return;
            }
        };
        if let Some(p) = self.permission.as_mut() {
            p.instrument_issue = Some(issue);
        }
        self.refresh_permission_state(now);
    }

    pub(super) fn capture_charge(
        &mut self,
        id: &ChargeId,
        req: CaptureRequest,
        simulation: Option<Simulation>,
        now: Timestamp,
    ) -> Result<Vec<Effect>, DomainError> {
        let i = self.charge_index(id)?;
        let amount = req.capture_amount;
        positive("captureAmount.amount", amount)?;
        soft_descriptor("softDescriptor", &req.soft_descriptor)?;
        let ch = &self.charges[i];
        if ch.state != ChargeState::Authorized {
            return Err(DomainError::charge_status(format!(
                "The Charge is {}; only Authorized charges can be captured, once.",
                describe_charge(&ch.state)
            )));
        }
        if amount.currency() != ch.charge_amount.currency() {
            return Err(FieldError::currency_mismatch("captureAmount.currencyCode").into());
        }
        if amount.minor() > ch.charge_amount.minor() {
            return Err(DomainError::amount_exceeded(format!(
                "The captureAmount exceeds the chargeAmount of {}.",
                ch.charge_amount
            )));
        }
        let authorized_at = ch.authorized_at.unwrap_or(ch.created_at);
        let late = now > authorized_at.plus(SYNCHRONOUS_CAPTURE_WINDOW_SECS);
        let asynchronous = |resolves_to| ChargeState::CaptureInitiated {
            resolves_at: now.plus(CAPTURE_RESOLUTION_SECS),
            amount,
            resolves_to,
        };
        let mut effects = Vec::new();
        let state = match simulation {
            None if late => asynchronous(CaptureResolution::Captured),
            None => ChargeState::Captured,
            Some(Simulation::CaptureAsync) => asynchronous(CaptureResolution::Captured),
            Some(Simulation::CaptureDeclined) => asynchronous(CaptureResolution::Declined(
                ChargeDeclinedReason::ProcessingFailure,
            )),
            Some(Simulation::CaptureAmazonRejected) => {
                effects.push(Effect::Declined(Decline::AmazonRejected));
                ChargeState::Declined(ChargeDeclinedReason::AmazonRejected)
            }
            Some(Simulation::ProcessingFailure) => {
                return Err(DomainError::ProcessingFailure(
                    "The capture could not be processed (simulated); retry.".to_owned(),
                ));
            }
            Some(other) => {
                return Err(not_applicable(other, "does not apply to Capture Charge"));
            }
        };
        let ch = &mut self.charges[i];
        if state == ChargeState::Captured {
            ch.capture_amount = Some(amount);
            ch.refunded_amount = Some(Money::zero(amount.currency()));
        }
        merge(&mut ch.soft_descriptor, req.soft_descriptor);
        ch.state = state;
        ch.updated_at = now;
        self.refresh_permission_state(now);
        Ok(effects)
    }

    pub(super) fn cancel_charge(
        &mut self,
        id: &ChargeId,
        reason: String,
        now: Timestamp,
    ) -> Result<(), DomainError> {
        let i = self.charge_index(id)?;
        check_text("cancellationReason", &reason, REASON_MAX)?;
        let ch = &mut self.charges[i];
        if !ch.state.is_open_authorization() {
            return Err(DomainError::charge_status(format!(
                "The Charge is {}; only AuthorizationInitiated and Authorized charges can be canceled.",
                describe_charge(&ch.state)
            )));
        }
        ch.state = ChargeState::Canceled(ChargeCanceledReason::MerchantCanceled);
        ch.cancellation_reason = Some(reason);
        ch.updated_at = now;
        self.refresh_permission_state(now);
        Ok(())
    }

    pub(super) fn create_refund(
        &mut self,
        charge_id: &ChargeId,
        req: NewRefund,
        simulation: Option<Simulation>,
        now: Timestamp,
        rng: &mut dyn RngCore,
    ) -> Result<Vec<Effect>, DomainError> {
        let i = self.charge_index(charge_id)?;
        let amount = req.refund_amount;
        positive("refundAmount.amount", amount)?;
        soft_descriptor("softDescriptor", &req.soft_descriptor)?;
        let ch = &self.charges[i];
        if ch.state != ChargeState::Captured {
            return Err(DomainError::charge_status(format!(
                "The Charge is {}; only Captured charges can be refunded.",
                describe_charge(&ch.state)
            )));
        }
        if amount.currency() != ch.charge_amount.currency() {
            return Err(FieldError::currency_mismatch("refundAmount.currencyCode").into());
        }
        let max = limits::max_transaction(amount.currency());
        if amount.minor() > max.minor() {
            return Err(DomainError::amount_exceeded(format!(
                "The refundAmount exceeds the maximum of {max} per refund."
            )));
        }
        let refunds: Vec<&Refund> = self
            .refunds
            .iter()
            .filter(|r| &r.charge_id == charge_id)
            .collect();
        if refunds.len() >= MAX_REFUNDS_PER_CHARGE {
            return Err(DomainError::TransactionCountExceeded(format!(
                "A charge allows at most {MAX_REFUNDS_PER_CHARGE} refunds."
            )));
        }
        let captured = ch.capture_amount.unwrap_or(ch.charge_amount);
        let ceiling = limits::refund_ceiling(captured);
        let refunded: i64 = refunds
            .iter()
            .filter(|r| r.state.counts())
            .map(|r| r.refund_amount.minor())
            .sum();
        if refunded.saturating_add(amount.minor()) > ceiling.minor() {
            return Err(DomainError::amount_exceeded(format!(
                "Refunds of this charge may total at most {ceiling} (the captured amount plus the lesser of 15 % or the fixed cap); {} is already refunded or pending.",
                Money::from_minor(refunded, captured.currency())
            )));
        }
        let resolves_to = match simulation {
            None => RefundResolution::Refunded,
            Some(Simulation::RefundDeclined) => {
                RefundResolution::Declined(RefundDeclinedReason::AmazonRejected)
            }
            Some(Simulation::RefundProcessingFailure) => {
                RefundResolution::Declined(RefundDeclinedReason::ProcessingFailure)
            }
            Some(other) => {
                return Err(not_applicable(other, "does not apply to Create Refund"));
            }
        };
        let id = self.fresh_refund_id(rng)?;
        self.refunds.push(Refund {
            id: id.clone(),
            charge_id: charge_id.clone(),
            refund_amount: amount,
            soft_descriptor: req.soft_descriptor,
            state: RefundState::RefundInitiated {
                resolves_at: now.plus(REFUND_RESOLUTION_SECS),
                resolves_to,
            },
            created_at: now,
            updated_at: now,
        });
        Ok(vec![Effect::RefundCreated(id)])
    }

    pub(super) fn update_permission(&mut self, u: PermissionUpdate) -> Result<(), DomainError> {
        if let Some(m) = &u.merchant_metadata {
            check_metadata(m)?;
        }
        let p = self.permission_mut()?;
        let closed = matches!(p.state, PermissionState::Closed(_));
        if u.recurring_metadata.is_some() {
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
            if let Some(freq) = &r.frequency
                && !(freq.value.parse::<u32>().is_ok_and(|v| v > 0))
            {
                return Err(FieldError::invalid(
                    "recurringMetadata.frequency.value",
                    "must be a positive whole number",
                )
                .into());
            }
            if let Some(a) = r.amount
                && a.currency() != p.presentment_currency
            {
                return Err(FieldError::currency_mismatch("recurringMetadata.amount").into());
            }
        }
        if let Some(m) = u.merchant_metadata {
            let MerchantMetadata {
                merchant_reference_id,
                merchant_store_name,
                note_to_buyer,
                custom_information,
            } = m;
            let t = &mut p.merchant_metadata;
            merge(&mut t.merchant_reference_id, merchant_reference_id);
            merge(&mut t.merchant_store_name, merchant_store_name);
            merge(&mut t.note_to_buyer, note_to_buyer);
            merge(&mut t.custom_information, custom_information);
        }
        if let Some(r) = u.recurring_metadata {
            let t = p.recurring_metadata.get_or_insert_with(Default::default);
            merge(&mut t.frequency, r.frequency);
            merge(&mut t.amount, r.amount);
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
        let p = self.permission_mut()?;
        if let PermissionState::Closed(_) = p.state {
            return Err(DomainError::permission_status(format!(
                "The Charge Permission is already {}.",
                describe(&p.state)
            )));
        }
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
        if shipments.len() > MAX_SHIPMENTS {
            return Err(FieldError::invalid(
                "deliveryDetails",
                format!("has more than {MAX_SHIPMENTS} entries"),
            )
            .into());
        }
        let mut seen: Vec<String> = self
            .delivery_trackers
            .iter()
            .map(|t| t.tracking_number.to_ascii_uppercase())
            .collect();
        for (i, s) in shipments.iter().enumerate() {
            let field = |name: &str| format!("deliveryDetails[{i}].{name}");
            check_tracking_number(&field("trackingNumber"), &s.tracking_number)?;
            check_carrier_code(&field("carrierCode"), &s.carrier_code)?;
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
        let p = self.permission_mut()?;
        if let PermissionState::Closed(_) = p.state {
            return Err(DomainError::permission_status(format!(
                "The Charge Permission is already {}.",
                describe(&p.state)
            )));
        }
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

/// A tracking number: 1 to 64 characters of `[A-Za-z0-9-]` (carriers' numbers are
/// alphanumeric; some print dashes).
fn check_tracking_number(field: &str, value: &str) -> Result<(), DomainError> {
    let ok = !value.is_empty()
        && value.len() <= 64
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(FieldError::invalid(field, "must be 1 to 64 characters of A-Z, a-z, 0-9 and -").into())
    }
}

/// A carrier code of Amazon's carrier list: 2 to 50 characters of `[A-Za-z0-9_-]` (e.g. `UPS`,
/// `USPS`, `FEDEX`, `DHL`, `AMZN_US`, `ROYAL_MAIL`, `YAMATO`). The list itself is long and
/// changes, so the emulator checks the shape, not membership.
fn check_carrier_code(field: &str, value: &str) -> Result<(), DomainError> {
    let ok = (2..=50).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(FieldError::invalid(field, "is not a carrier code (e.g. UPS, USPS, FEDEX, DHL)").into())
    }
}
