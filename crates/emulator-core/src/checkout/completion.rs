//! Complete and Finalize Checkout Session: the state and amount checks they share, their
//! simulation codes, and the Charge Permission and first Charge they create (design.md §3).

use rand::RngCore;

use super::payments::new_charge;
use super::{Checkout, Effect, PENDING_RESOLUTION_SECS};
use crate::clock::{DAY, Timestamp};
use crate::error::{DomainError, FieldError};
use crate::ids::{ChargeId, ChargePermissionId};
use crate::input::{CompleteRequest, FinalizeRequest, NewCharge};
use crate::limits;
use crate::model::{
    ChargePermission, ChargePermissionType, ChargeState, PaymentIntent, PaymentStep,
    PendingResolution, PermissionState, ProductType, SessionCancelReason, SessionState,
    StepAuthorization,
};
use crate::money::Money;
use crate::simulation::Simulation;

/// OneTime charge permissions expire this long after creation.
pub const ONE_TIME_PERMISSION_EXPIRY_SECS: i64 = 180 * DAY;
/// OneTime permissions with `extendExpiration`, and Recurring ones, last about 13 months.
pub const EXTENDED_PERMISSION_EXPIRY_SECS: i64 = 395 * DAY;

impl Checkout {
    /// The charge Complete created, if any.
    pub fn completion_charge_id(&self) -> Option<&ChargeId> {
        match &self.session.state {
            SessionState::Completed { .. } => self.charges.first().map(|c| &c.id),
            _ => None,
        }
    }

    /// The state checks shared by Complete and Finalize (design.md §3).
    ///
    /// Which code a session that is not Open gets: Amazon's FAQ answers
    /// `InvalidCheckoutSessionStatus` for a Completed or Canceled session, while the checkout
    /// guides (developer.amazon.com/docs/amazon-pay-checkout/verify-and-complete-checkout.html,
    /// "Error response") say Complete returns an error when "the buyer either canceled checkout
    /// or was unable to provide a valid payment instrument", the case the error table calls
    /// `CheckoutSessionCanceled`. The emulator reads both: a session the hosted step canceled
    /// (`BuyerCanceled`, `Declined`, `AmazonCanceled`) answers `CheckoutSessionCanceled`; one
    /// that expired unconfirmed, or was completed, answers `InvalidCheckoutSessionStatus`
    /// (docs/fidelity.md).
    fn require_completable(&self) -> Result<StepAuthorization, DomainError> {
        match &self.session.state {
            SessionState::Canceled {
                reason: SessionCancelReason::Expired,
                ..
            } => Err(DomainError::status(
                "The Checkout Session expired (Canceled/Expired) before it was completed.",
            )),
            SessionState::Canceled { reason, .. } => {
                Err(DomainError::CheckoutSessionCanceled(*reason))
            }
            SessionState::Completed { .. } => Err(DomainError::status(
                "The Checkout Session is already Completed.",
            )),
            SessionState::Open => match self.session.payment_step {
                PaymentStep::Ran { authorization, .. } => Ok(authorization),
                PaymentStep::NotRun => Err(DomainError::status(
                    "The buyer has not been redirected to amazonPayRedirectUrl yet; the Checkout Session cannot be completed.",
                )),
            },
        }
    }

    /// The amount rules shared by Complete and Finalize (design.md §3).
    fn check_amounts(
        &self,
        charge_amount: Option<Money>,
        total_order_amount: Option<Money>,
    ) -> Result<(), DomainError> {
        let p = &self.session.payment_details;
        repeated_amount("chargeAmount", p.charge_amount, charge_amount)?;
        repeated_amount("totalOrderAmount", p.total_order_amount, total_order_amount)
    }

    pub(super) fn complete(
        &mut self,
        req: CompleteRequest,
        simulation: Option<Simulation>,
        now: Timestamp,
        rng: &mut dyn RngCore,
    ) -> Result<Vec<Effect>, DomainError> {
        let authorization = self.require_completable()?;
        self.check_amounts(req.charge_amount, req.total_order_amount)?;
        self.finish_simulated(authorization, simulation, now, rng)
    }

    /// Applies a Complete/Finalize simulation code, then completes (spec §9.2).
    fn finish_simulated(
        &mut self,
        authorization: StepAuthorization,
        simulation: Option<Simulation>,
        now: Timestamp,
        rng: &mut dyn RngCore,
    ) -> Result<Vec<Effect>, DomainError> {
        let reason = match simulation {
            None => return Ok(self.finish(authorization, now, rng)),
            Some(Simulation::BuyerCanceled) => SessionCancelReason::BuyerCanceled,
            Some(Simulation::AmazonCanceled) => SessionCancelReason::AmazonCanceled,
            Some(Simulation::Declined) => SessionCancelReason::Declined,
            Some(Simulation::AuthorizationInitiated) => {
                // A pending authorization is one the merchant said it can handle: the sandbox
                // page's prerequisite for its pending instruments (0701, 4354) is paymentIntent
                // Authorize and canHandlePendingAuthorization true on the Checkout Session, "or
                // using this payment method will result in an error"
                // (developer.amazon.com/docs/amazon-pay-checkout/sandbox-simulations.html,
                // "Using simulated payment methods"). The code forces the same outcome, so it has
                // the same prerequisite.
                let p = &self.session.payment_details;
                let pending_ok = p.charge_amount.is_some()
                    && p.payment_intent == Some(PaymentIntent::Authorize)
                    && p.can_handle_pending_authorization;
                if !pending_ok {
                    return Err(DomainError::simulation(
                        "AuthorizationInitiated needs a Checkout Session with paymentIntent Authorize, a chargeAmount and canHandlePendingAuthorization true.",
                    ));
                }
                let pending = StepAuthorization::Pending {
                    resolves_to: PendingResolution::Authorized,
                };
                return Ok(self.finish(pending, now, rng));
            }
            Some(other) => {
                return Err(DomainError::simulation(format!(
                    "The simulation code {} does not apply to Complete Checkout Session.",
                    other.code()
                )));
            }
        };
        self.cancel_session(now, reason);
        Ok(vec![Effect::SessionCanceled(reason)])
    }

    pub(super) fn finalize(
        &mut self,
        req: FinalizeRequest,
        simulation: Option<Simulation>,
        now: Timestamp,
        rng: &mut dyn RngCore,
    ) -> Result<Vec<Effect>, DomainError> {
        let intent = req.payment_intent;
        let authorization = self.require_completable()?;
        let s = &self.session;
        if s.payment_details.payment_intent != Some(intent) {
            return Err(FieldError::invalid(
                "paymentIntent",
                "does not match the Checkout Session",
            )
            .into());
        }
        if let Some(b) = req.can_handle_pending_authorization
            && b != s.payment_details.can_handle_pending_authorization
        {
            return Err(FieldError::invalid(
                "canHandlePendingAuthorization",
                "does not match the Checkout Session",
            )
            .into());
        }
        if s.supplementary_data.is_some() && req.supplementary_data != s.supplementary_data {
            return Err(FieldError::invalid(
                "supplementaryData",
                "does not match the Checkout Session",
            )
            .into());
        }
        let sel = s.buyer.as_ref();
        let (field, given, held) = match s.product_type {
            ProductType::PayAndShip => (
                "shippingAddress",
                &req.shipping_address,
                sel.and_then(|b| b.shipping_address.as_ref()),
            ),
            ProductType::PayOnly => (
                "billingAddress",
                &req.billing_address,
                sel.and_then(|b| b.billing_address.as_ref()),
            ),
        };
        match given {
            None => return Err(FieldError::missing(field).into()),
            Some(a) if Some(a) != held => {
                return Err(FieldError::invalid(
                    field,
                    "does not match the address the buyer selected",
                )
                .into());
            }
            Some(_) => {}
        }
        self.check_amounts(Some(req.charge_amount), req.total_order_amount)?;
        self.finish_simulated(authorization, simulation, now, rng)
    }

    /// Completes the session: creates the Charge Permission and (for Authorize and
    /// AuthorizeWithCapture) the Charge, per the table in design.md §3.
    fn finish(
        &mut self,
        authorization: StepAuthorization,
        now: Timestamp,
        rng: &mut dyn RngCore,
    ) -> Vec<Effect> {
        let s = &self.session;
        let p = &s.payment_details;
        let kind = s.charge_permission_type;
        let intent = p.payment_intent.unwrap_or(PaymentIntent::Confirm);
        let currency = p
            .presentment_currency
            .or(p.charge_amount.map(Money::currency))
            .unwrap_or(self.region.default_currency());
        let permission_id = ChargePermissionId::generate(
            rng,
            self.region,
            self.environment,
            kind == ChargePermissionType::PaymentMethodOnFile,
        );
        let sel = s.buyer.clone();
        let expires_at = match kind {
            ChargePermissionType::OneTime if p.extend_expiration == Some(true) => {
                Some(now.plus(EXTENDED_PERMISSION_EXPIRY_SECS))
            }
            ChargePermissionType::OneTime => Some(now.plus(ONE_TIME_PERMISSION_EXPIRY_SECS)),
            ChargePermissionType::Recurring => Some(now.plus(EXTENDED_PERMISSION_EXPIRY_SECS)),
            ChargePermissionType::PaymentMethodOnFile => None,
        };
        let order_amount = p.total_order_amount.or(p.charge_amount);
        let amount_limit = match kind {
            ChargePermissionType::OneTime if p.allow_overcharge == Some(true) => {
                order_amount.map(limits::overcharge_limit)
            }
            ChargePermissionType::OneTime => order_amount,
            _ => None,
        };
        self.permission = Some(ChargePermission {
            id: permission_id.clone(),
            charge_permission_type: kind,
            buyer: sel.as_ref().map(|b| b.buyer.clone()),
            shipping_address: sel.as_ref().and_then(|b| b.shipping_address.clone()),
            billing_address: sel.as_ref().and_then(|b| b.billing_address.clone()),
            payment_descriptor: sel.as_ref().map(|b| b.instrument.descriptor()),
            state: PermissionState::Chargeable,
            merchant_metadata: s.merchant_metadata.clone(),
            platform_id: s.platform_id.clone(),
            amount_limit,
            recurring_metadata: s.recurring_metadata.clone(),
            presentment_currency: currency,
            setup_only: s.setup_only,
            created_at: now,
            updated_at: now,
            expires_at,
            instrument_issue: None,
            closure_reason: None,
        });

        let mut effects = Vec::new();
        let capture_now = intent == PaymentIntent::AuthorizeWithCapture;
        let charge_state = match (intent, p.charge_amount) {
            (PaymentIntent::Confirm, _) | (_, None) => None,
            (_, Some(_)) => Some(match authorization {
                StepAuthorization::Pending { resolves_to } => {
                    effects.push(Effect::AuthorizationPending);
                    ChargeState::AuthorizationInitiated {
                        resolves_at: now.plus(PENDING_RESOLUTION_SECS),
                        resolves_to,
                    }
                }
                _ if capture_now => ChargeState::Captured,
                _ => ChargeState::Authorized,
            }),
        };
        if let (Some(state), Some(amount)) = (charge_state, p.charge_amount) {
            let authorized = !matches!(state, ChargeState::AuthorizationInitiated { .. });
            // The charge Complete makes is the Create Charge the session's payment details
            // describe.
            let request = NewCharge {
                charge_amount: amount,
                capture_now,
                can_handle_pending_authorization: p.can_handle_pending_authorization,
                soft_descriptor: p.soft_descriptor.clone(),
                merchant_metadata: s.merchant_metadata.clone(),
                platform_id: s.platform_id.clone(),
                provider_reference_id: s.provider_reference_id.clone(),
                charge_initiator: None,
                channel: None,
            };
            let id = ChargeId::generate(rng, &permission_id);
            self.charges.push(new_charge(
                id,
                permission_id,
                request,
                state,
                authorized.then_some(now),
                now,
            ));
        }
        self.session.state = SessionState::Completed { at: now };
        self.session.updated_at = now;
        self.refresh_permission_state(now);
        effects
    }
}

/// One amount Complete or Finalize must repeat: required when the session has it, and equal to
/// it; an amount the session does not have is a mismatch too.
fn repeated_amount(
    field: &'static str,
    held: Option<Money>,
    given: Option<Money>,
) -> Result<(), DomainError> {
    match (held, given) {
        (Some(_), None) => Err(FieldError::missing(field).into()),
        (Some(want), Some(got)) if want != got => Err(DomainError::AmountMismatch { field }),
        (None, Some(_)) => Err(DomainError::AmountMismatch { field }),
        _ => Ok(()),
    }
}
