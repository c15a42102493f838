//! Timers: the due timestamps on the aggregate's objects and the transitions that apply when
//! `now` passes them (session expiry, pending authorizations, asynchronous captures,
//! authorization expiry, refunds, permission expiry).

use super::{Checkout, Effect, SESSION_EXPIRY_SECS};
use crate::clock::Timestamp;
use crate::model::{
    CaptureResolution, ChargeCanceledReason, ChargeDeclinedReason, ChargeState,
    NonChargeableReason, PendingResolution, PermissionClosedReason, PermissionState,
    RefundResolution, RefundState, SessionCancelReason, SessionState,
};

/// Which timer fired.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimerKind {
    /// An `Open` session expired.
    SessionExpired,
    /// A pending authorization resolved.
    AuthorizationResolved,
    /// An authorization expired unused.
    AuthorizationExpired,
    /// An asynchronous capture completed.
    CaptureCompleted,
    /// A refund completed.
    RefundCompleted,
    /// A charge permission expired.
    PermissionExpired,
}

impl Checkout {
    /// When the next timer comes due (`None`: nothing pending).
    pub fn next_due(&self) -> Option<Timestamp> {
        let mut due: Vec<Timestamp> = Vec::new();
        if self.session.state == SessionState::Open {
            due.push(self.session.created_at.plus(SESSION_EXPIRY_SECS));
        }
        for c in &self.charges {
            match c.state {
                ChargeState::AuthorizationInitiated { resolves_at, .. } => due.push(resolves_at),
                ChargeState::CaptureInitiated { resolves_at, .. } => due.push(resolves_at),
                ChargeState::Authorized => due.push(c.expires_at),
                _ => {}
            }
        }
        for r in &self.refunds {
            if let RefundState::RefundInitiated { resolves_at, .. } = r.state {
                due.push(resolves_at);
            }
        }
        if let Some(p) = &self.permission
            && !matches!(p.state, PermissionState::Closed(_))
            && let Some(at) = p.expires_at
        {
            due.push(at);
        }
        due.into_iter().min()
    }

    /// The checkout with every timer due at `now` applied, and what fired.
    pub fn advance_to(&self, now: Timestamp) -> (Checkout, Vec<Effect>) {
        let mut c = self.clone();
        let mut effects = Vec::new();
        // Session expiry: 24 h after creation, cancel any authorization of the payment step.
        let expiry = c.session.created_at.plus(SESSION_EXPIRY_SECS);
        if c.session.state == SessionState::Open && now >= expiry {
            c.cancel_session(expiry, SessionCancelReason::Expired);
            effects.push(Effect::TimerFired(TimerKind::SessionExpired));
        }
        let mut permission_touched = false;
        let mut hard_declined = false;
        for ch in &mut c.charges {
            match ch.state {
                ChargeState::AuthorizationInitiated {
                    resolves_at,
                    resolves_to,
                } if now >= resolves_at => {
                    ch.state = match resolves_to {
                        PendingResolution::Authorized if ch.capture_now => {
                            ch.record_capture(ch.charge_amount);
                            ChargeState::Captured
                        }
                        PendingResolution::Authorized => ChargeState::Authorized,
                        PendingResolution::HardDeclined => {
                            hard_declined = true;
                            ChargeState::Declined(ChargeDeclinedReason::HardDeclined)
                        }
                        PendingResolution::SoftDeclined => {
                            ChargeState::Declined(ChargeDeclinedReason::SoftDeclined)
                        }
                        PendingResolution::TransactionTimedOut => {
                            ChargeState::Declined(ChargeDeclinedReason::TransactionTimedOut)
                        }
                    };
                    if resolves_to == PendingResolution::Authorized {
                        ch.authorized_at = Some(resolves_at);
                    }
                    ch.updated_at = resolves_at;
                    permission_touched = true;
                    effects.push(Effect::TimerFired(TimerKind::AuthorizationResolved));
                }
                ChargeState::CaptureInitiated {
                    resolves_at,
                    amount,
                    resolves_to,
                } if now >= resolves_at => {
                    ch.state = match resolves_to {
                        CaptureResolution::Captured => {
                            ch.record_capture(amount);
                            ChargeState::Captured
                        }
                        CaptureResolution::Declined(r) => ChargeState::Declined(r),
                    };
                    ch.updated_at = resolves_at;
                    permission_touched = true;
                    effects.push(Effect::TimerFired(TimerKind::CaptureCompleted));
                }
                _ => {}
            }
            if ch.state == ChargeState::Authorized && now >= ch.expires_at {
                ch.state = ChargeState::Canceled(ChargeCanceledReason::ExpiredUnused);
                ch.updated_at = ch.expires_at;
                permission_touched = true;
                effects.push(Effect::TimerFired(TimerKind::AuthorizationExpired));
            }
        }
        let mut refunds_touched = false;
        for r in &mut c.refunds {
            if let RefundState::RefundInitiated {
                resolves_at,
                resolves_to,
            } = r.state
                && now >= resolves_at
            {
                r.state = match resolves_to {
                    RefundResolution::Refunded => RefundState::Refunded,
                    RefundResolution::Declined(reason) => RefundState::Declined(reason),
                };
                r.updated_at = resolves_at;
                refunds_touched = true;
                effects.push(Effect::TimerFired(TimerKind::RefundCompleted));
            }
        }
        if refunds_touched {
            c.sync_refunded_amounts();
        }
        if hard_declined && let Some(p) = c.permission.as_mut() {
            p.instrument_issue = Some(NonChargeableReason::PaymentMethodInvalid);
        }
        if permission_touched {
            c.refresh_permission_state(now);
        }
        if let Some(p) = c.permission.as_mut()
            && !matches!(p.state, PermissionState::Closed(_))
            && let Some(at) = p.expires_at
            && now >= at
        {
            p.state = PermissionState::Closed(PermissionClosedReason::Expired);
            p.updated_at = at;
            effects.push(Effect::TimerFired(TimerKind::PermissionExpired));
        }
        (c, effects)
    }
}
