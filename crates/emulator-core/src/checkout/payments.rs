//! Charges after Complete: Create Charge, Capture Charge, Cancel Charge and the permission side
//! of a synchronous decline (spec §3.3, §4.4 to §4.6).
//!
//! Every operation checks in the same order: the request's own fields (400), the object's state
//! (422), currencies and amounts (400), counts (422); the simulation code comes last, so a code
//! never hides a real error. Refunds (`refunds.rs`) and the permission (`permission.rs`) follow
//! the same order and share the helpers here.

use rand::RngCore;

use super::permission::describe;
use super::{Checkout, EXTENDED_PERMISSION_EXPIRY_SECS, Effect, merge};
use crate::clock::{DAY, Timestamp};
use crate::error::{DomainError, FieldError};
use crate::ids::{ChargeId, ChargePermissionId};
use crate::input::{CaptureRequest, NewCharge, check_metadata, check_text};
use crate::limits::{self, ONE_TIME_MAX_CHARGES};
use crate::model::{
    CaptureResolution, Charge, ChargeCanceledReason, ChargeDeclinedReason, ChargePermissionType,
    ChargeState, NonChargeableReason, PendingResolution, PermissionClosedReason, PermissionState,
};
use crate::money::Money;
use crate::simulation::Simulation;

/// Pending authorizations (and captures, refunds) resolve this long after they start.
pub const PENDING_RESOLUTION_SECS: i64 = 30;
/// An asynchronous capture (`CaptureInitiated`) completes this long after it starts.
pub const CAPTURE_RESOLUTION_SECS: i64 = 30;
/// A capture more than this long after the authorization is asynchronous (`CaptureInitiated`).
pub const SYNCHRONOUS_CAPTURE_WINDOW_SECS: i64 = 7 * DAY;
/// A charge's authorization expires this long after creation.
pub const AUTHORIZATION_EXPIRY_SECS: i64 = 30 * DAY;

/// `softDescriptor` is at most this long.
const SOFT_DESCRIPTOR_MAX: usize = 16;
/// `closureReason` and `cancellationReason` are at most this long.
pub(super) const REASON_MAX: usize = 255;

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

pub(super) fn not_applicable(sim: Simulation, why: &str) -> DomainError {
    DomainError::simulation(format!("The simulation code {} {why}.", sim.code()))
}

fn describe_charge(state: &ChargeState) -> String {
    match state.reason_code() {
        Some(r) => format!("{} ({r})", state.as_str()),
        None => state.as_str().to_owned(),
    }
}

/// A synchronous decline: Create Charge (or Capture) answers with this error and the state
/// change it caused is stored (spec §4.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decline {
    /// 422 `SoftDeclined`.
    SoftDeclined,
    /// 422 `HardDeclined`.
    HardDeclined,
    /// 422 `AmazonRejected`.
    AmazonRejected,
    /// 422 `TransactionTimedOut`.
    TransactionTimedOut,
    /// 422 `PaymentMethodNotAllowed`.
    PaymentMethodNotAllowed,
    /// 422 `MFANotCompleted`.
    MfaNotCompleted,
}

impl Decline {
    /// The `reasonCode` of the error answer.
    pub fn code(self) -> &'static str {
        match self {
            Decline::SoftDeclined => "SoftDeclined",
            Decline::HardDeclined => "HardDeclined",
            Decline::AmazonRejected => "AmazonRejected",
            Decline::TransactionTimedOut => "TransactionTimedOut",
            Decline::PaymentMethodNotAllowed => "PaymentMethodNotAllowed",
            Decline::MfaNotCompleted => "MFANotCompleted",
        }
    }
}

/// A new Charge made from `req` in `state`: Create Charge makes one, and so does Complete (from
/// the session's payment details). A `Captured` one starts with its capture recorded.
pub(super) fn new_charge(
    id: ChargeId,
    charge_permission_id: ChargePermissionId,
    req: NewCharge,
    state: ChargeState,
    authorized_at: Option<Timestamp>,
    now: Timestamp,
) -> Charge {
    // Destructured so that a new field of Create Charge fails to compile here.
    let NewCharge {
        charge_amount,
        capture_now,
        can_handle_pending_authorization,
        soft_descriptor,
        merchant_metadata,
        platform_id,
        provider_reference_id,
        charge_initiator,
        channel,
    } = req;
    let mut charge = Charge {
        id,
        charge_permission_id,
        charge_amount,
        capture_amount: None,
        refunded_amount: None,
        soft_descriptor,
        provider_reference_id,
        merchant_metadata,
        platform_id,
        can_handle_pending_authorization,
        capture_now,
        charge_initiator,
        channel,
        authorized_at,
        cancellation_reason: None,
        state,
        created_at: now,
        updated_at: now,
        expires_at: now.plus(AUTHORIZATION_EXPIRY_SECS),
    };
    if charge.state == ChargeState::Captured {
        charge.record_capture(charge_amount);
    }
    charge
}

impl Charge {
    /// Records a completed capture of `amount`: `captureAmount` is set and `refundedAmount`
    /// starts at zero. Every way to `Captured` (synchronous, asynchronous, after a pending
    /// authorization, at creation) goes through here.
    pub(super) fn record_capture(&mut self, amount: Money) {
        self.capture_amount = Some(amount);
        self.refunded_amount = Some(Money::zero(amount.currency()));
    }
}

impl Checkout {
    /// A charge of the checkout by id.
    pub fn charge(&self, id: &ChargeId) -> Option<&Charge> {
        self.charges.iter().find(|c| &c.id == id)
    }

    pub(super) fn charge_index(&self, id: &ChargeId) -> Result<usize, DomainError> {
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
    /// The checks Capture Charge and Create Refund share, in the order of the module doc: the
    /// charge exists, the amount (`field`) is positive, the `softDescriptor` fits, the charge is
    /// in the `required` state (else `only` says which state is), and the amount is in the
    /// charge's currency. Returns the charge's index.
    pub(super) fn check_amount_on_charge(
        &self,
        id: &ChargeId,
        field: &str,
        amount: Money,
        descriptor: &Option<String>,
        required: ChargeState,
        only: &str,
    ) -> Result<usize, DomainError> {
        let i = self.charge_index(id)?;
        positive(&format!("{field}.amount"), amount)?;
        soft_descriptor("softDescriptor", descriptor)?;
        let ch = &self.charges[i];
        if ch.state != required {
            return Err(DomainError::charge_status(format!(
                "The Charge is {}; {only}.",
                describe_charge(&ch.state)
            )));
        }
        if amount.currency() != ch.charge_amount.currency() {
            return Err(FieldError::currency_mismatch(format!("{field}.currencyCode")).into());
        }
        Ok(i)
    }

    pub(super) fn cancel_open_charges(&mut self, reason: ChargeCanceledReason, now: Timestamp) {
        for ch in &mut self.charges {
            if ch.state.is_open_authorization() {
                ch.state = ChargeState::Canceled(reason);
                ch.updated_at = now;
            }
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
        // The Charge reference (amazon-pay-api-v2/charge.html, Create Charge request,
        // `softDescriptor`) says the parameter may only be used when `captureNow` is true: the
        // descriptor names the capture on the buyer's statement, and a plain authorization has no
        // capture yet. Amazon does not name the error; the emulator answers as it does for the
        // same rule on the session's `paymentDetails` (docs/fidelity.md).
        if req.soft_descriptor.is_some() && !req.capture_now {
            return Err(FieldError::invalid(
                "softDescriptor",
                "is only allowed with captureNow true",
            )
            .into());
        }
        check_metadata(&req.merchant_metadata)?;
        if let Some(id) = &req.platform_id {
            check_text("platformId", id, limits::own::PLATFORM_ID_MAX)?;
        }
        if let Some(id) = &req.provider_reference_id {
            check_text(
                "providerMetadata.providerReferenceId",
                id,
                limits::own::PROVIDER_REFERENCE_ID_MAX,
            )?;
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
        let p = self.permission.as_ref().ok_or(DomainError::NotFound)?;
        self.charges.push(new_charge(
            id.clone(),
            p.id.clone(),
            req,
            state,
            authorized_at,
            now,
        ));
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
        let amount = req.capture_amount;
        let i = self.check_amount_on_charge(
            id,
            "captureAmount",
            amount,
            &req.soft_descriptor,
            ChargeState::Authorized,
            "only Authorized charges can be captured, once",
        )?;
        let ch = &self.charges[i];
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
            ch.record_capture(amount);
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
}
