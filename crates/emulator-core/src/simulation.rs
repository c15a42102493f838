//! Sandbox simulation codes: the `x-amz-pay-simulation-code` header (spec §9.2).
//!
//! Amazon's codes keep Amazon's names; the emulator's own outcomes (refund and capture results,
//! pending authorizations, the rarer Create Charge declines) carry the `Emulator:` prefix, so a
//! test written against the emulator can never be mistaken for one that passes on Amazon's
//! sandbox. [`Simulation::parse`] reads a code, [`Simulation::applies_to`] says which operations
//! accept it; whether it fits the object's state (say `CaptureInitiated` without `captureNow`) is
//! decided by the transition, which answers [`crate::DomainError::InvalidSimulation`].

/// An operation of Amazon's API, as far as simulations are concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operation {
    /// Complete Checkout Session.
    CompleteCheckoutSession,
    /// Finalize Checkout Session.
    FinalizeCheckoutSession,
    /// Create Charge.
    CreateCharge,
    /// Capture Charge.
    CaptureCharge,
    /// Create Refund.
    CreateRefund,
    /// Close Charge Permission.
    CloseChargePermission,
}

impl Operation {
    /// The operation's name in Amazon's documentation.
    pub fn name(self) -> &'static str {
        match self {
            Operation::CompleteCheckoutSession => "Complete Checkout Session",
            Operation::FinalizeCheckoutSession => "Finalize Checkout Session",
            Operation::CreateCharge => "Create Charge",
            Operation::CaptureCharge => "Capture Charge",
            Operation::CreateRefund => "Create Refund",
            Operation::CloseChargePermission => "Close Charge Permission",
        }
    }
}

macro_rules! simulations {
    ($($(#[$doc:meta])* $variant:ident = $code:literal for [$($op:ident),+];)+) => {
        /// A simulation code (closed set).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Simulation {
            $($(#[$doc])* $variant,)+
        }

        impl Simulation {
            /// Every code, in documentation order.
            pub const ALL: &'static [Simulation] = &[$(Simulation::$variant),+];

            /// The header value.
            pub fn code(self) -> &'static str {
                match self { $(Simulation::$variant => $code,)+ }
            }

            /// The operations that accept the code.
            pub fn operations(self) -> &'static [Operation] {
                match self { $(Simulation::$variant => &[$(Operation::$op),+],)+ }
            }
        }
    };
}

simulations! {
    /// Complete/Finalize: the session ends `Canceled`/`BuyerCanceled` (422 `CheckoutSessionCanceled`).
    BuyerCanceled = "BuyerCanceled" for [CompleteCheckoutSession, FinalizeCheckoutSession];
    /// Complete/Finalize: the session ends `Canceled`/`AmazonCanceled` (422 `CheckoutSessionCanceled`).
    AmazonCanceled = "AmazonCanceled" for [CompleteCheckoutSession, FinalizeCheckoutSession];
    /// Complete/Finalize: the session ends `Canceled`/`Declined` (422 `CheckoutSessionCanceled`).
    Declined = "Declined" for [CompleteCheckoutSession, FinalizeCheckoutSession];
    /// Complete/Finalize: the charge starts `AuthorizationInitiated` and is `Authorized` 30 s later (202).
    AuthorizationInitiated = "AuthorizationInitiated" for [CompleteCheckoutSession, FinalizeCheckoutSession];
    /// Create Charge: 422 `SoftDeclined`; the permission stays `Chargeable`.
    SoftDeclined = "SoftDeclined" for [CreateCharge];
    /// Create Charge: 422 `HardDeclined`; the permission becomes `NonChargeable`/`PaymentMethodInvalid`.
    HardDeclined = "HardDeclined" for [CreateCharge];
    /// Create Charge: 422 `AmazonRejected`; the permission becomes `Closed`/`AmazonCanceled`.
    AmazonRejected = "AmazonRejected" for [CreateCharge];
    /// Create Charge: 422 `TransactionTimedOut`; the permission stays `Chargeable`.
    TransactionTimedOut = "TransactionTimedOut" for [CreateCharge];
    /// Create Charge with `captureNow`: the charge starts `CaptureInitiated`, `Captured` 30 s later.
    CaptureInitiated = "CaptureInitiated" for [CreateCharge];
    /// Create Charge: 422 `PaymentMethodNotAllowed`; the permission becomes `NonChargeable`/`PaymentMethodNotAllowed`.
    PaymentMethodNotAllowed = "Emulator:PaymentMethodNotAllowed" for [CreateCharge];
    /// Create Charge: 422 `MFANotCompleted`; the permission becomes `NonChargeable`/`MFAFailed`.
    MfaNotCompleted = "Emulator:MFANotCompleted" for [CreateCharge];
    /// Create Charge or Capture Charge: 500 `ProcessingFailure`; nothing changes (retry).
    ProcessingFailure = "Emulator:ProcessingFailure" for [CreateCharge, CaptureCharge];
    /// Create Charge with `canHandlePendingAuthorization`: `AuthorizationInitiated`, then `Authorized` after 30 s.
    PendingThenAuthorized = "Emulator:PendingThenAuthorized" for [CreateCharge];
    /// Create Charge with `canHandlePendingAuthorization`: `AuthorizationInitiated`, then `Declined`/`SoftDeclined`.
    PendingThenSoftDeclined = "Emulator:PendingThenSoftDeclined" for [CreateCharge];
    /// Create Charge with `canHandlePendingAuthorization`: `AuthorizationInitiated`, then `Declined`/`HardDeclined`.
    PendingThenHardDeclined = "Emulator:PendingThenHardDeclined" for [CreateCharge];
    /// Create Charge with `canHandlePendingAuthorization`: `AuthorizationInitiated`, then `Declined`/`TransactionTimedOut`.
    PendingThenTimedOut = "Emulator:PendingThenTimedOut" for [CreateCharge];
    /// Capture Charge: `CaptureInitiated` (as after 7 days), `Captured` 30 s later.
    CaptureAsync = "Emulator:CaptureInitiated" for [CaptureCharge];
    /// Capture Charge: `CaptureInitiated`, then `Declined`/`ProcessingFailure` 30 s later.
    CaptureDeclined = "Emulator:CaptureDeclined" for [CaptureCharge];
    /// Capture Charge: 422 `AmazonRejected`; the charge becomes `Declined`/`AmazonRejected`.
    CaptureAmazonRejected = "Emulator:CaptureAmazonRejected" for [CaptureCharge];
    /// Create Refund: `RefundInitiated`, then `Declined`/`AmazonRejected` 30 s later.
    RefundDeclined = "Emulator:RefundDeclined" for [CreateRefund];
    /// Create Refund: `RefundInitiated`, then `Declined`/`ProcessingFailure` 30 s later.
    RefundProcessingFailure = "Emulator:RefundProcessingFailure" for [CreateRefund];
    /// Close Charge Permission: closed with reason `AmazonClosed` instead of `MerchantClosed`.
    AmazonClosed = "AmazonClosed" for [CloseChargePermission];
}

impl Simulation {
    /// Parses a header value (exact, case-sensitive, surrounding whitespace ignored).
    pub fn parse(code: &str) -> Option<Simulation> {
        let code = code.trim();
        Simulation::ALL.iter().copied().find(|s| s.code() == code)
    }

    /// Whether `operation` accepts the code.
    pub fn applies_to(self, operation: Operation) -> bool {
        self.operations().contains(&operation)
    }

    /// The code for a request of `operation` (`None`: an operation that accepts no code), or
    /// the message saying why it does not apply. The one applicability check: the server's
    /// request check and [`crate::checkout::transition_with`] both call it.
    pub fn for_operation(self, operation: Option<Operation>) -> Result<Simulation, String> {
        match operation {
            Some(op) if self.applies_to(op) => Ok(self),
            Some(op) => Err(format!(
                "The simulation code {} does not apply to {}.",
                self.code(),
                op.name()
            )),
            None => Err(format!(
                "The simulation code {} does not apply to this operation.",
                self.code()
            )),
        }
    }

    /// Whether the code is the emulator's own (not one of Amazon's).
    pub fn is_emulator_only(self) -> bool {
        self.code().starts_with("Emulator:")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_parses_back_and_names_at_least_one_operation() {
        for s in Simulation::ALL {
            assert_eq!(Simulation::parse(s.code()), Some(*s));
            assert!(!s.operations().is_empty());
        }
        assert_eq!(Simulation::parse("softdeclined"), None);
        assert!(Simulation::RefundDeclined.is_emulator_only());
        assert!(!Simulation::HardDeclined.is_emulator_only());
        assert!(Simulation::AmazonClosed.applies_to(Operation::CloseChargePermission));
        assert!(!Simulation::AmazonClosed.applies_to(Operation::CreateCharge));
    }
}
