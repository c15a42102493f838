//! Amount limits of spec §4.6 and design.md §4, as pure functions on [`Money`].

use crate::model::ChargePermissionType;
use crate::money::{Currency, Money};

/// At most this many charges per OneTime permission (422 `TransactionCountExceeded`).
pub const ONE_TIME_MAX_CHARGES: usize = 25;

/// At most this many refunds per charge (422 `TransactionCountExceeded`).
///
/// Amazon documents that a limit exists but not its value; the emulator uses MWS's 10 per
/// capture, and a charge has one capture.
pub const MAX_REFUNDS_PER_CHARGE: usize = 10;

/// Length limits (characters) Amazon documents nowhere: the emulator's own, so that a stored
/// document stays small. Each is listed in docs/fidelity.md; the documented ones (the
/// `merchantMetadata` children, the address lines, `softDescriptor`) sit with their checks.
pub mod own {
    /// `supplementaryData` (Create and Update Checkout Session).
    pub const SUPPLEMENTARY_DATA_MAX: usize = 4096;
    /// `platformId` (Checkout Session, Create Charge).
    pub const PLATFORM_ID_MAX: usize = 64;
    /// `providerMetadata.providerReferenceId` (Checkout Session, Create Charge).
    pub const PROVIDER_REFERENCE_ID_MAX: usize = 256;
    /// An address's `stateOrRegion`.
    pub const STATE_OR_REGION_MAX: usize = 50;
    /// An address's `postalCode`.
    pub const POSTAL_CODE_MAX: usize = 20;
    /// An address's `phoneNumber`.
    pub const PHONE_NUMBER_MAX: usize = 20;
}

/// A OneTime Charge Permission's `amountLimit` with `allowOvercharge`: the greater of 900 % of
/// the order amount and 500 USD/GBP/EUR or 70,000 JPY
/// (developer.amazon.com/docs/amazon-pay-checkout/advanced-one-time-payment-options.html,
/// "Charging more than the original order amount"). Amazon names no floor for the other
/// presentment currencies; there the limit is 900 % alone (docs/fidelity.md).
pub fn overcharge_limit(order: Money) -> Money {
    let currency = order.currency();
    let floor = match currency {
        Currency::Usd | Currency::Gbp | Currency::Eur => 50_000,
        Currency::Jpy => 70_000,
        _ => 0,
    };
    let nine_fold = order.minor().saturating_mul(9);
    Money::from_minor(nine_fold.max(floor), currency)
}

/// The most one charge or refund may move.
pub fn max_transaction(currency: Currency) -> Money {
    Money::from_minor(currency.max_transaction(), currency)
}

/// The fixed part of the refund overage: 75 USD/GBP/EUR (and other two-decimal currencies),
/// 8,400 JPY.
fn overage_cap(currency: Currency) -> i64 {
    match currency {
        Currency::Jpy => 8_400,
        _ => 75 * 100,
    }
}

/// The most that may be refunded in total on a charge that captured `captured`: the captured
/// amount plus the lesser of 15 % of it (rounded down to the minor unit) or the fixed cap.
pub fn refund_ceiling(captured: Money) -> Money {
    let fifteen = captured.minor().saturating_mul(15) / 100;
    let extra = fifteen.min(overage_cap(captured.currency()));
    Money::from_minor(captured.minor().saturating_add(extra), captured.currency())
}

/// The calendar-month maximum of all charges on one permission (spec §4.6), or `None` when the
/// permission type has none (OneTime: its `amountLimit` applies instead).
///
/// PaymentMethodOnFile follows the documented table. Recurring is documented only for the US
/// (USD 1,000); the emulator uses the PaymentMethodOnFile figures for the other currencies.
pub fn monthly_limit(kind: ChargePermissionType, currency: Currency) -> Option<Money> {
    let major: i64 = match kind {
        ChargePermissionType::OneTime => return None,
        ChargePermissionType::Recurring if currency == Currency::Usd => 1_000,
        _ => match currency {
            Currency::Jpy => 2_000_000,
            Currency::Dkk | Currency::Hkd | Currency::Nok | Currency::Sek | Currency::Zar => {
                150_000
            }
            Currency::Usd
            | Currency::Eur
            | Currency::Gbp
            | Currency::Aud
            | Currency::Chf
            | Currency::Nzd => 15_000,
        },
    };
    let scale = 10i64.pow(currency.exponent());
    Some(Money::from_minor(major * scale, currency))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_overcharge_limit_is_nine_times_the_order_or_the_floor_whichever_is_more() {
        let cases = [
            (Money::from_minor(1_000, Currency::Usd), 50_000),
            (Money::from_minor(10_000, Currency::Eur), 90_000),
            (Money::from_minor(5_000, Currency::Gbp), 50_000),
            (Money::from_minor(1_000, Currency::Jpy), 70_000),
            (Money::from_minor(10_000, Currency::Jpy), 90_000),
            (Money::from_minor(1_000, Currency::Chf), 9_000),
        ];
        for (order, limit) in cases {
            assert_eq!(
                overcharge_limit(order),
                Money::from_minor(limit, order.currency())
            );
        }
    }
    use proptest::prelude::*;

    #[test]
    fn the_refund_overage_is_the_lesser_of_15_percent_and_the_cap() {
        let usd = |m| Money::from_minor(m, Currency::Usd);
        assert_eq!(refund_ceiling(usd(10_000)), usd(11_500));
        assert_eq!(refund_ceiling(usd(100_000)), usd(107_500));
        assert_eq!(refund_ceiling(usd(1)), usd(1));
        let jpy = |m| Money::from_minor(m, Currency::Jpy);
        assert_eq!(refund_ceiling(jpy(10_000)), jpy(11_500));
        assert_eq!(refund_ceiling(jpy(1_000_000)), jpy(1_008_400));
    }

    #[test]
    fn monthly_limits_follow_the_table() {
        assert_eq!(
            monthly_limit(ChargePermissionType::PaymentMethodOnFile, Currency::Usd)
                .map(Money::to_decimal_string),
            Some("15000.00".to_owned())
        );
        assert_eq!(
            monthly_limit(ChargePermissionType::Recurring, Currency::Usd)
                .map(Money::to_decimal_string),
            Some("1000.00".to_owned())
        );
        assert_eq!(
            monthly_limit(ChargePermissionType::PaymentMethodOnFile, Currency::Jpy)
                .map(Money::to_decimal_string),
            Some("2000000".to_owned())
        );
        assert_eq!(
            monthly_limit(ChargePermissionType::OneTime, Currency::Usd),
            None
        );
    }

    proptest! {
        #[test]
        fn the_refund_ceiling_is_never_below_the_capture_nor_above_115_percent(
            minor in 0i64..=15_000_000, jpy in any::<bool>()
        ) {
            let c = if jpy { Currency::Jpy } else { Currency::Eur };
            let captured = Money::from_minor(minor, c);
            let ceiling = refund_ceiling(captured);
            prop_assert!(ceiling.minor() >= captured.minor());
            prop_assert!(ceiling.minor() - captured.minor() <= overage_cap(c));
            prop_assert!((ceiling.minor() - captured.minor()) * 100 <= captured.minor() * 15);
        }
    }
}
