//! Money as integer minor units plus a currency.
//!
//! Amazon Pay's wire format is a decimal string in major units (`"14.00"`, JPY `"500"`).
//! [`Money::parse_decimal`] and [`Money::to_decimal_string`] are the only converters between the two,
//! and they know each currency's exponent.

use std::fmt;

/// An ISO 4217 currency the emulator accepts (ledger and presentment currencies of spec §2.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Currency {
    /// US dollar.
    Usd,
    /// Euro.
    Eur,
    /// Pound sterling.
    Gbp,
    /// Japanese yen (no minor unit).
    Jpy,
    /// Australian dollar.
    Aud,
    /// Swiss franc.
    Chf,
    /// Danish krone.
    Dkk,
    /// Hong Kong dollar.
    Hkd,
    /// Norwegian krone.
    Nok,
    /// New Zealand dollar.
    Nzd,
    /// Swedish krona.
    Sek,
    /// South African rand.
    Zar,
}

impl Currency {
    /// Every currency, in declaration order.
    pub const ALL: [Currency; 12] = [
        Currency::Usd,
        Currency::Eur,
        Currency::Gbp,
        Currency::Jpy,
        Currency::Aud,
        Currency::Chf,
        Currency::Dkk,
        Currency::Hkd,
        Currency::Nok,
        Currency::Nzd,
        Currency::Sek,
        Currency::Zar,
    ];

    /// Parses an ISO code (`"USD"`); exact upper case, as on the wire.
    pub fn parse(code: &str) -> Option<Currency> {
        Currency::ALL.into_iter().find(|c| c.code() == code)
    }

    /// The ISO code.
    pub fn code(self) -> &'static str {
        match self {
            Currency::Usd => "USD",
            Currency::Eur => "EUR",
            Currency::Gbp => "GBP",
            Currency::Jpy => "JPY",
            Currency::Aud => "AUD",
            Currency::Chf => "CHF",
            Currency::Dkk => "DKK",
            Currency::Hkd => "HKD",
            Currency::Nok => "NOK",
            Currency::Nzd => "NZD",
            Currency::Sek => "SEK",
            Currency::Zar => "ZAR",
        }
    }

    /// Number of decimal places of the currency (its scale on the wire).
    pub fn exponent(self) -> u32 {
        match self {
            Currency::Jpy => 0,
            _ => 2,
        }
    }

    /// The most one charge or refund may move (design.md §4), in minor units.
    ///
    /// The documentation names limits for USD, GBP, EUR and JPY; other presentment currencies
    /// use the same nominal 150,000 major units.
    pub fn max_transaction(self) -> i64 {
        match self {
            Currency::Jpy => 10_000_000,
            _ => 150_000 * 100,
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Why a decimal amount could not become [`Money`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    /// Not a plain decimal number.
    #[error("is not a decimal number")]
    Malformed,
    /// More decimals than the currency allows.
    #[error("has more decimal places than the currency allows")]
    TooManyDecimals,
    /// Below zero.
    #[error("is negative")]
    Negative,
    /// Too large to represent.
    #[error("is too large")]
    TooLarge,
}

/// Operations on two amounts of different currencies are refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("cannot combine {0} with {1}")]
pub struct CurrencyMismatch(pub Currency, pub Currency);

/// An amount in integer minor units of a currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    /// An amount from minor units (cents, or yen for JPY).
    pub fn from_minor(minor: i64, currency: Currency) -> Money {
        Money { minor, currency }
    }

    /// Zero in `currency`.
    pub fn zero(currency: Currency) -> Money {
        Money { minor: 0, currency }
    }

    /// Parses a decimal in major units (`"14"`, `"14.5"`, `"14.00"`) into minor units.
    ///
    /// Trailing zeros beyond the currency's scale are accepted (`"14.000"` is 14 USD), since
    /// numerically they change nothing; a non-zero digit beyond the scale is an error.
    pub fn parse_decimal(text: &str, currency: Currency) -> Result<Money, AmountError> {
        let text = text.trim();
        if let Some(rest) = text.strip_prefix('-') {
            return match Money::parse_decimal(rest, currency) {
                Ok(m) if m.minor == 0 => Ok(m),
                Ok(_) => Err(AmountError::Negative),
                Err(e) => Err(e),
            };
        }
        let text = text.strip_prefix('+').unwrap_or(text);
        let (int, frac) = match text.split_once('.') {
            Some((i, f)) => (i, f),
            None => (text, ""),
        };
        if int.is_empty() && frac.is_empty() {
            return Err(AmountError::Malformed);
        }
        if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AmountError::Malformed);
        }
        if text.ends_with('.') && frac.is_empty() && int.is_empty() {
            return Err(AmountError::Malformed);
        }
        let scale = currency.exponent() as usize;
        let frac_trimmed = frac.trim_end_matches('0');
        if frac_trimmed.len() > scale {
            return Err(AmountError::TooManyDecimals);
        }
        let int = int.trim_start_matches('0');
        if int.len() > 15 {
            return Err(AmountError::TooLarge);
        }
        let mut minor: i64 = if int.is_empty() {
            0
        } else {
            int.parse().map_err(|_| AmountError::Malformed)?
        };
        for i in 0..scale {
            let digit = frac_trimmed
                .as_bytes()
                .get(i)
                .map_or(0, |b| i64::from(b - b'0'));
            minor = minor
                .checked_mul(10)
                .and_then(|m| m.checked_add(digit))
                .ok_or(AmountError::TooLarge)?;
        }
        Ok(Money { minor, currency })
    }

    /// The amount in minor units.
    pub fn minor(self) -> i64 {
        self.minor
    }

    /// The currency.
    pub fn currency(self) -> Currency {
        self.currency
    }

    /// The wire string: major units with exactly the currency's scale (`"14.00"`, `"500"`).
    pub fn to_decimal_string(self) -> String {
        let scale = self.currency.exponent();
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        if scale == 0 {
            return format!("{sign}{abs}");
        }
        let div = 10u64.pow(scale);
        format!(
            "{sign}{}.{:0width$}",
            abs / div,
            abs % div,
            width = scale as usize
        )
    }

    /// `self + other`, refusing to mix currencies.
    pub fn checked_add(self, other: Money) -> Result<Money, CurrencyMismatch> {
        self.same_currency(other)?;
        Ok(Money {
            minor: self.minor.saturating_add(other.minor),
            currency: self.currency,
        })
    }

    /// `self - other`, refusing to mix currencies.
    pub fn checked_sub(self, other: Money) -> Result<Money, CurrencyMismatch> {
        self.same_currency(other)?;
        Ok(Money {
            minor: self.minor.saturating_sub(other.minor),
            currency: self.currency,
        })
    }

    fn same_currency(self, other: Money) -> Result<(), CurrencyMismatch> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(CurrencyMismatch(self.currency, other.currency))
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.to_decimal_string(), self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn usd(s: &str) -> Result<i64, AmountError> {
        Money::parse_decimal(s, Currency::Usd).map(Money::minor)
    }

    #[test]
    fn decimals_parse_into_minor_units_with_the_currency_scale() {
        assert_eq!(usd("14"), Ok(1400));
        assert_eq!(usd("14.0"), Ok(1400));
        assert_eq!(usd("14.00"), Ok(1400));
        assert_eq!(usd("14.000"), Ok(1400));
        assert_eq!(usd("0.01"), Ok(1));
        assert_eq!(usd(".5"), Ok(50));
        assert_eq!(usd("14.001"), Err(AmountError::TooManyDecimals));
        assert_eq!(usd("-1"), Err(AmountError::Negative));
        assert_eq!(usd("1e3"), Err(AmountError::Malformed));
        assert_eq!(usd(""), Err(AmountError::Malformed));
        assert_eq!(usd("."), Err(AmountError::Malformed));
        assert_eq!(usd("99999999999999999999"), Err(AmountError::TooLarge));
        assert_eq!(
            Money::parse_decimal("500.5", Currency::Jpy),
            Err(AmountError::TooManyDecimals)
        );
    }

    #[test]
    fn amounts_print_with_the_currency_scale() {
        assert_eq!(
            Money::from_minor(1400, Currency::Usd).to_decimal_string(),
            "14.00"
        );
        assert_eq!(
            Money::from_minor(140, Currency::Eur).to_decimal_string(),
            "1.40"
        );
        assert_eq!(
            Money::from_minor(500, Currency::Jpy).to_decimal_string(),
            "500"
        );
    }

    #[test]
    fn arithmetic_refuses_to_mix_currencies() {
        let a = Money::from_minor(1, Currency::Usd);
        let b = Money::from_minor(1, Currency::Eur);
        assert!(a.checked_add(b).is_err());
        assert_eq!(a.checked_add(a).unwrap().minor(), 2);
    }

    proptest! {
        #[test]
        fn printing_then_parsing_round_trips(minor in 0i64..1_000_000_000_000, jpy in any::<bool>()) {
            let currency = if jpy { Currency::Jpy } else { Currency::Gbp };
            let m = Money::from_minor(minor, currency);
            prop_assert_eq!(Money::parse_decimal(&m.to_decimal_string(), currency), Ok(m));
        }

        #[test]
        fn parsing_never_panics(s in "\\PC{0,24}") {
            let _ = Money::parse_decimal(&s, Currency::Usd);
        }
    }
}
