//! Create Refund and `refundedAmount` (spec §3.4, §4.8).

use rand::RngCore;

use super::payments::not_applicable;
use super::{Checkout, Effect};
use crate::clock::Timestamp;
use crate::error::DomainError;
use crate::ids::{ChargeId, RefundId};
use crate::input::NewRefund;
use crate::limits::{self, MAX_REFUNDS_PER_CHARGE};
use crate::model::{
    Charge, ChargeState, Refund, RefundDeclinedReason, RefundResolution, RefundState,
};
use crate::money::Money;
use crate::simulation::Simulation;

/// A refund (`RefundInitiated`) completes this long after it starts.
pub const REFUND_RESOLUTION_SECS: i64 = 30;

impl Checkout {
    /// A refund of the checkout by id.
    pub fn refund(&self, id: &RefundId) -> Option<&Refund> {
        self.refunds.iter().find(|r| &r.id == id)
    }

    /// `refundedAmount` of a charge: what its completed refunds returned (`None` until it is
    /// captured).
    pub fn refunded_amount(&self, charge: &Charge) -> Option<Money> {
        charge.capture_amount?;
        let total = self
            .refunds
            .iter()
            .filter(|r| r.charge_id == charge.id && r.state == RefundState::Refunded)
            .map(|r| r.refund_amount.minor())
            .sum::<i64>();
        Some(Money::from_minor(total, charge.charge_amount.currency()))
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

    /// Sets every captured charge's `refundedAmount` to what its completed refunds returned.
    pub(super) fn sync_refunded_amounts(&mut self) {
        let amounts: Vec<Option<Money>> = self
            .charges
            .iter()
            .map(|ch| self.refunded_amount(ch))
            .collect();
        for (ch, amount) in self.charges.iter_mut().zip(amounts) {
            if amount.is_some() {
                ch.refunded_amount = amount;
            }
        }
    }

    pub(super) fn create_refund(
        &mut self,
        charge_id: &ChargeId,
        req: NewRefund,
        simulation: Option<Simulation>,
        now: Timestamp,
        rng: &mut dyn RngCore,
    ) -> Result<Vec<Effect>, DomainError> {
        let amount = req.refund_amount;
        let i = self.check_amount_on_charge(
            charge_id,
            "refundAmount",
            amount,
            &req.soft_descriptor,
            ChargeState::Captured,
            "only Captured charges can be refunded",
        )?;
        let ch = &self.charges[i];
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
}
