//! Enum conversions between the domain (`amzpay-emulator-core`) and the wire (`amzpay-types`),
//! generated from one list per enum by [`wire_enums!`].
//!
//! Domain to wire ([`WireEnum::to_wire`]) is an exhaustive `match` on the domain enum: a new
//! domain variant fails to compile until it has a wire form.
//! Wire to domain ([`WireEnum::from_wire`]) cannot be checked at compile time: the wire enums
//! are `#[non_exhaustive]` and end with `Unknown(String)` (the SDK must read values a newer
//! Amazon Pay sends), so outside `amzpay-types` a `match` on them always needs a fallback arm.
//! That arm is the request's 400 `InvalidParameterValue` ([`known`]); the unit tests below
//! check that every domain value survives the round trip and, where the domain accepts every
//! value the wire knows, that every known wire value maps to one.

use amzpay_emulator_core::Currency;
use amzpay_emulator_core::checkout::Constraint;
use amzpay_emulator_core::model::{
    BuyerScope, Channel, ChargeCanceledReason, ChargeDeclinedReason, ChargeInitiator,
    ChargePermissionType, ChargeState, CheckoutMode, Environment, FrequencyUnit,
    NonChargeableReason, PaymentIntent, PermissionClosedReason, PermissionState, ProductType,
    RefundDeclinedReason, RefundState, SessionCancelReason, SessionState,
};
use amzpay_types::enums as w;

use super::{R, invalid};

/// A domain enum with a wire form.
pub(crate) trait WireEnum: Sized + Copy {
    /// The `amzpay-types` enum.
    type Wire;
    /// The wire value of a domain value (exhaustive).
    fn to_wire(self) -> Self::Wire;
    /// The domain value of a wire value; `None` for a value the domain does not accept.
    fn from_wire(wire: &Self::Wire) -> Option<Self>;
    /// The wire string, for error messages.
    fn wire_str(wire: &Self::Wire) -> &str;
}

/// Implements [`WireEnum`] from one list of `Domain => Wire` variant pairs.
macro_rules! wire_enums {
    ($($domain:ident => $wire:ident { $($d:ident => $w:ident),+ $(,)? })+) => {
        $(
            impl WireEnum for $domain {
                type Wire = w::$wire;

                fn to_wire(self) -> w::$wire {
                    match self {
                        $($domain::$d => w::$wire::$w,)+
                    }
                }

                fn from_wire(wire: &w::$wire) -> Option<$domain> {
                    match wire {
                        $(w::$wire::$w => Some($domain::$d),)+
                        _ => None,
                    }
                }

                fn wire_str(wire: &w::$wire) -> &str {
                    wire.as_str()
                }
            }
        )+
    };
}

wire_enums! {
    CheckoutMode => CheckoutMode { ProcessOrder => ProcessOrder }
    PaymentIntent => PaymentIntent {
        Confirm => Confirm,
        Authorize => Authorize,
        AuthorizeWithCapture => AuthorizeWithCapture,
    }
    ChargePermissionType => ChargePermissionType {
        OneTime => OneTime,
        Recurring => Recurring,
        PaymentMethodOnFile => PaymentMethodOnFile,
    }
    ProductType => ProductType { PayAndShip => PayAndShip, PayOnly => PayOnly }
    FrequencyUnit => FrequencyUnit {
        Year => Year,
        Month => Month,
        Week => Week,
        Day => Day,
        Variable => Variable,
    }
    BuyerScope => Scope {
        Name => Name,
        Email => Email,
        PostalCode => PostalCode,
        ShippingAddress => ShippingAddress,
        PhoneNumber => PhoneNumber,
        PrimeStatus => PrimeStatus,
        BillingAddress => BillingAddress,
    }
    ChargeInitiator => ChargeInitiator { Citu => Citu, Mitu => Mitu, Citr => Citr, Mitr => Mitr }
    Channel => Channel {
        Web => Web,
        Phone => Phone,
        App => App,
        Alexa => Alexa,
        PointOfSale => PointOfSale,
        FireTv => FireTv,
        Offline => Offline,
        Amazon => Amazon,
    }
    Currency => Currency {
        Usd => Usd,
        Eur => Eur,
        Gbp => Gbp,
        Jpy => Jpy,
        Aud => Aud,
        Chf => Chf,
        Dkk => Dkk,
        Hkd => Hkd,
        Nok => Nok,
        Nzd => Nzd,
        Sek => Sek,
        Zar => Zar,
    }
    Environment => ReleaseEnvironment { Sandbox => Sandbox, Live => Live }
    Constraint => ConstraintId {
        BuyerNotAssociated => BuyerNotAssociated,
        ChargeAmountNotSet => ChargeAmountNotSet,
        CheckoutResultReturnUrlNotSet => CheckoutResultReturnUrlNotSet,
        PaymentIntentNotSet => PaymentIntentNotSet,
        RecurringFrequencyNotSet => RecurringFrequencyNotSet,
    }
    SessionCancelReason => ReasonCode {
        BuyerCanceled => BuyerCanceled,
        Declined => Declined,
        AmazonCanceled => AmazonCanceled,
        Expired => Expired,
    }
    NonChargeableReason => ReasonCode {
        PaymentMethodInvalid => PaymentMethodInvalid,
        PaymentMethodDeleted => PaymentMethodDeleted,
        BillingAddressDeleted => BillingAddressDeleted,
        PaymentMethodExpired => PaymentMethodExpired,
        PaymentMethodNotAllowed => PaymentMethodNotAllowed,
        PaymentMethodNotSet => PaymentMethodNotSet,
        ChargeInProgress => ChargeInProgress,
        MfaFailed => MfaFailed,
    }
    PermissionClosedReason => ReasonCode {
        MerchantClosed => MerchantClosed,
        BuyerClosed => BuyerClosed,
        AmazonCanceled => AmazonCanceled,
        AmazonClosed => AmazonClosed,
        Expired => Expired,
    }
    ChargeCanceledReason => ReasonCode {
        ExpiredUnused => ExpiredUnused,
        AmazonCanceled => AmazonCanceled,
        MerchantCanceled => MerchantCanceled,
        ChargePermissionCanceled => ChargePermissionCanceled,
        BuyerCanceled => BuyerCanceled,
    }
    ChargeDeclinedReason => ReasonCode {
        SoftDeclined => SoftDeclined,
        HardDeclined => HardDeclined,
        AmazonRejected => AmazonRejected,
        ProcessingFailure => ProcessingFailure,
        TransactionTimedOut => TransactionTimedOut,
    }
    RefundDeclinedReason => ReasonCode {
        AmazonRejected => AmazonRejected,
        ProcessingFailure => ProcessingFailure,
    }
}

/// The domain value of a request's wire value, or 400 `InvalidParameterValue` naming `field`.
pub(super) fn known<T: WireEnum>(field: &str, wire: &T::Wire) -> R<T> {
    T::from_wire(wire).ok_or_else(|| {
        let value = T::wire_str(wire);
        invalid(field, &format!("{value:?} is not an accepted value"))
    })
}

/// `statusDetails` of a Checkout Session: its state and cancel reason.
pub(super) fn session_state(
    s: &SessionState,
) -> (w::CheckoutSessionState, Option<SessionCancelReason>) {
    match s {
        SessionState::Open => (w::CheckoutSessionState::Open, None),
        SessionState::Completed { .. } => (w::CheckoutSessionState::Completed, None),
        SessionState::Canceled { reason, .. } => (w::CheckoutSessionState::Canceled, Some(*reason)),
    }
}

/// `statusDetails.state` of a Charge Permission.
pub(super) fn permission_state(s: &PermissionState) -> w::ChargePermissionState {
    match s {
        PermissionState::Chargeable => w::ChargePermissionState::Chargeable,
        PermissionState::NonChargeable(_) => w::ChargePermissionState::NonChargeable,
        PermissionState::Closed(_) => w::ChargePermissionState::Closed,
    }
}

/// `statusDetails.state` and `reasonCode` of a Charge.
pub(super) fn charge_state(s: &ChargeState) -> (w::ChargeState, Option<w::ReasonCode>) {
    match s {
        ChargeState::AuthorizationInitiated { .. } => {
            (w::ChargeState::AuthorizationInitiated, None)
        }
        ChargeState::Authorized => (w::ChargeState::Authorized, None),
        ChargeState::CaptureInitiated { .. } => (w::ChargeState::CaptureInitiated, None),
        ChargeState::Captured => (w::ChargeState::Captured, None),
        ChargeState::Canceled(r) => (w::ChargeState::Canceled, Some(r.to_wire())),
        ChargeState::Declined(r) => (w::ChargeState::Declined, Some(r.to_wire())),
    }
}

/// `statusDetails.state` and `reasonCode` of a Refund.
pub(super) fn refund_state(s: &RefundState) -> (w::RefundState, Option<w::ReasonCode>) {
    match s {
        RefundState::RefundInitiated { .. } => (w::RefundState::RefundInitiated, None),
        RefundState::Refunded => (w::RefundState::Refunded, None),
        RefundState::Declined(r) => (w::RefundState::Declined, Some(r.to_wire())),
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Debug;

    use super::*;

    /// Every domain value goes to the wire and back unchanged, with the same string as the
    /// domain's own name for it.
    fn round_trips<T: WireEnum + PartialEq + Debug>(all: &[T], name: impl Fn(T) -> &'static str) {
        for &d in all {
            let wire = d.to_wire();
            assert_eq!(T::wire_str(&wire), name(d), "{d:?}");
            assert_eq!(T::from_wire(&wire), Some(d), "{d:?}");
        }
    }

    /// Every value the wire enum knows has a domain value.
    fn covers<T: WireEnum>(known: &[T::Wire])
    where
        T::Wire: Debug,
    {
        for wire in known {
            assert!(T::from_wire(wire).is_some(), "{wire:?} has no domain value");
        }
    }

    #[test]
    fn checkout_mode_round_trips_and_covers_the_wire() {
        round_trips(CheckoutMode::ALL, CheckoutMode::as_str);
        covers::<CheckoutMode>(w::CheckoutMode::KNOWN);
    }

    #[test]
    fn payment_intent_round_trips_and_covers_the_wire() {
        round_trips(PaymentIntent::ALL, PaymentIntent::as_str);
        covers::<PaymentIntent>(w::PaymentIntent::KNOWN);
    }

    #[test]
    fn charge_permission_type_round_trips_and_covers_the_wire() {
        round_trips(ChargePermissionType::ALL, ChargePermissionType::as_str);
        covers::<ChargePermissionType>(w::ChargePermissionType::KNOWN);
    }

    #[test]
    fn product_type_round_trips() {
        // The emulator does not implement `SignIn` sessions, so the wire knows one more value.
        round_trips(ProductType::ALL, ProductType::as_str);
    }

    #[test]
    fn frequency_unit_round_trips_and_covers_the_wire() {
        round_trips(FrequencyUnit::ALL, FrequencyUnit::as_str);
        covers::<FrequencyUnit>(w::FrequencyUnit::KNOWN);
    }

    #[test]
    fn buyer_scope_round_trips_and_covers_the_wire() {
        round_trips(BuyerScope::ALL, BuyerScope::as_str);
        covers::<BuyerScope>(w::Scope::KNOWN);
    }

    #[test]
    fn charge_initiator_round_trips_and_covers_the_wire() {
        round_trips(ChargeInitiator::ALL, ChargeInitiator::as_str);
        covers::<ChargeInitiator>(w::ChargeInitiator::KNOWN);
    }

    #[test]
    fn channel_round_trips_and_covers_the_wire() {
        round_trips(Channel::ALL, Channel::as_str);
        covers::<Channel>(w::Channel::KNOWN);
    }

    #[test]
    fn currency_round_trips_and_covers_the_wire() {
        round_trips(&Currency::ALL, Currency::code);
        covers::<Currency>(w::Currency::KNOWN);
    }

    #[test]
    fn environment_round_trips_and_covers_the_wire() {
        round_trips(Environment::ALL, Environment::release_environment);
        covers::<Environment>(w::ReleaseEnvironment::KNOWN);
    }

    #[test]
    fn constraint_round_trips_and_covers_the_wire() {
        use Constraint as C;
        let all = [
            C::BuyerNotAssociated,
            C::ChargeAmountNotSet,
            C::CheckoutResultReturnUrlNotSet,
            C::PaymentIntentNotSet,
            C::RecurringFrequencyNotSet,
        ];
        round_trips(&all, C::id);
        covers::<Constraint>(w::ConstraintId::KNOWN);
    }

    // Reason codes: each domain reason enum is a subset of the wire's `ReasonCode`.
    #[test]
    fn reason_codes_round_trip() {
        round_trips(SessionCancelReason::ALL, SessionCancelReason::as_str);
        round_trips(NonChargeableReason::ALL, NonChargeableReason::as_str);
        round_trips(PermissionClosedReason::ALL, PermissionClosedReason::as_str);
        round_trips(ChargeCanceledReason::ALL, ChargeCanceledReason::as_str);
        round_trips(ChargeDeclinedReason::ALL, ChargeDeclinedReason::as_str);
        round_trips(RefundDeclinedReason::ALL, RefundDeclinedReason::as_str);
    }

    #[test]
    fn states_have_the_wire_names_of_the_domain() {
        use amzpay_emulator_core::model::{CaptureResolution, PendingResolution, RefundResolution};
        use amzpay_emulator_core::{Money, Timestamp};
        let at = Timestamp::parse("20300101T000000Z").unwrap();
        let sessions = [
            SessionState::Open,
            SessionState::Completed { at },
            SessionState::Canceled {
                at,
                reason: SessionCancelReason::Expired,
            },
        ];
        for s in &sessions {
            let (state, reason) = session_state(s);
            assert_eq!(state.as_str(), s.as_str());
            assert_eq!(reason.is_some(), matches!(s, SessionState::Canceled { .. }));
        }
        let permissions = [
            PermissionState::Chargeable,
            PermissionState::NonChargeable(vec![NonChargeableReason::MfaFailed]),
            PermissionState::Closed(PermissionClosedReason::Expired),
        ];
        for p in &permissions {
            assert_eq!(permission_state(p).as_str(), p.as_str());
        }
        let charges = [
            ChargeState::AuthorizationInitiated {
                resolves_at: at,
                resolves_to: PendingResolution::Authorized,
            },
            ChargeState::Authorized,
            ChargeState::CaptureInitiated {
                resolves_at: at,
                amount: Money::from_minor(100, Currency::Usd),
                resolves_to: CaptureResolution::Captured,
            },
            ChargeState::Captured,
            ChargeState::Canceled(ChargeCanceledReason::MerchantCanceled),
            ChargeState::Declined(ChargeDeclinedReason::SoftDeclined),
        ];
        for c in &charges {
            let (state, reason) = charge_state(c);
            assert_eq!(state.as_str(), c.as_str());
            assert_eq!(reason.as_ref().map(w::ReasonCode::as_str), c.reason_code());
        }
        let refunds = [
            RefundState::RefundInitiated {
                resolves_at: at,
                resolves_to: RefundResolution::Refunded,
            },
            RefundState::Refunded,
            RefundState::Declined(RefundDeclinedReason::AmazonRejected),
        ];
        for r in &refunds {
            let (state, reason) = refund_state(r);
            assert_eq!(state.as_str(), r.as_str());
            assert_eq!(reason.as_ref().map(w::ReasonCode::as_str), r.reason_code());
        }
    }

    #[test]
    fn an_unknown_wire_value_is_invalid_parameter_value() {
        let err =
            known::<PaymentIntent>("paymentIntent", &w::PaymentIntent::from("Later")).unwrap_err();
        assert!(
            format!("{err:?}").contains("\\\"Later\\\" is not an accepted value"),
            "{err:?}"
        );
    }
}
