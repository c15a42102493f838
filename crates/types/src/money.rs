//! Money on the wire: [`Amount`] (an exact, non-negative decimal) and [`Price`] (amount + currency).
//!
//! Amazon Pay writes amounts as decimal strings in major units (`"14.00"`, JPY `"500"`), and clients
//! may send either strings or JSON numbers (`12.99`, `50`). This module reads both from their exact
//! text, never through floating point (the workspace enables serde_json's `arbitrary_precision`), and
//! writes a string with the currency's number of decimals.
//!
//! Rules (design.md §4 "Responses", "Amounts"):
//! - Allowed text: ASCII digits with an optional `.` followed by at least one digit (`14`, `14.5`,
//!   `0.10`). A leading `-` is rejected as negative; exponents (`1e2`, `1E-2`) are rejected, even
//!   though JSON allows them, because no Amazon Pay client writes them and accepting them invites
//!   surprises such as `1e-30`; anything else (`+1`, ` 1`, `.5`, `1.`, `NaN`) is not a number.
//! - At most 28 significant digits, and the amount in minor units must fit an `i64`.
//! - A [`Price`] refuses more decimal places than its currency allows, counting trailing zeros as
//!   written: `"14.001"` USD and `"705.00"` JPY are errors, `"14.1"` USD is fine.
//! - Zero is allowed (business rules belong to the server); negative amounts are not.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::enums::Currency;

/// Why an amount or price is invalid. The message names the amount and the rule it breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct AmountError {
    message: String,
}

impl AmountError {
    fn new(message: String) -> Self {
        Self { message }
    }
}

/// The most significant digits an [`Amount`] may have (the limit of `rust_decimal`).
const MAX_DIGITS: usize = 28;

/// An exact, non-negative decimal amount in major units (`14.00` is fourteen dollars).
///
/// Equality is numeric (`14` equals `14.00`), but the number of decimal places as written is kept
/// (see [`Amount::decimal_places`]) so that [`Price`] can reject `"705.00"` JPY.
/// Serializes as a string with the decimal places it was written with; inside a [`Price`] it is
/// written with the currency's scale instead.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Amount(Decimal);

impl Amount {
    /// Zero.
    pub const ZERO: Amount = Amount(Decimal::ZERO);

    /// Parses decimal text such as `"14"`, `"14.00"` or `"0.1"` (rules in the module docs).
    pub fn parse(text: &str) -> Result<Self, AmountError> {
        if text.contains(['e', 'E']) && text.bytes().any(|b| b.is_ascii_digit()) {
            return Err(AmountError::new(format!(
                "amount {text:?} uses an exponent; write it as a plain decimal such as \"14.00\""
            )));
        }
        if text.starts_with('-') {
            return Err(AmountError::new(format!(
                "amount {text:?} is negative; amounts must be zero or more"
            )));
        }
        let not_a_number = || {
            AmountError::new(format!(
                "amount {text:?} is not a decimal number (expected digits with an optional fraction, e.g. \"14.00\")"
            ))
        };
        let (whole, fraction) = match text.split_once('.') {
            Some((whole, fraction)) => (whole, fraction),
            None => (text, ""),
        };
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(whole) || (text.contains('.') && !all_digits(fraction)) {
            return Err(not_a_number());
        }
        let significant = whole.trim_start_matches('0').len() + fraction.len();
        if significant > MAX_DIGITS || fraction.len() > MAX_DIGITS {
            return Err(AmountError::new(format!(
                "amount {text:?} has more than {MAX_DIGITS} significant digits"
            )));
        }
        let mantissa = whole
            .bytes()
            .chain(fraction.bytes())
            .fold(0_i128, |acc, b| acc * 10 + i128::from(b - b'0'));
        // Both limits were checked above: the mantissa is below 10^28 (< 2^96) and the scale at most 28.
        let scale = fraction.len() as u32;
        Ok(Self(Decimal::from_i128_with_scale(mantissa, scale)))
    }

    /// The amount as a `rust_decimal::Decimal`.
    pub fn to_decimal(self) -> Decimal {
        self.0
    }

    /// The number of decimal places as written (`"14.00"` has 2, `"14"` has 0).
    pub fn decimal_places(self) -> u32 {
        self.0.scale()
    }

    /// Whether the amount is zero.
    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }
}

impl TryFrom<Decimal> for Amount {
    type Error = AmountError;

    fn try_from(value: Decimal) -> Result<Self, Self::Error> {
        if value.is_sign_negative() && !value.is_zero() {
            return Err(AmountError::new(format!(
                "amount \"{value}\" is negative; amounts must be zero or more"
            )));
        }
        Ok(Self(value.abs()))
    }
}

impl From<u32> for Amount {
    fn from(value: u32) -> Self {
        Self(Decimal::from(value))
    }
}

impl From<u64> for Amount {
    fn from(value: u64) -> Self {
        Self(Decimal::from(value))
    }
}

impl FromStr for Amount {
    type Err = AmountError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = deserializer.deserialize_any(DecimalTextVisitor)?;
        Self::parse(&text).map_err(de::Error::custom)
    }
}

impl Currency {
    /// The number of decimal places the currency allows (its ISO 4217 exponent).
    ///
    /// JPY allows 0, the other known currencies 2. For an `Unknown` code the ISO 4217 tables are
    /// consulted for the zero-decimal (e.g. KRW) and three-decimal (e.g. KWD) currencies; anything
    /// else is assumed to use 2.
    pub fn exponent(&self) -> u32 {
        match self {
            Currency::Jpy => 0,
            Currency::Unknown(code) => match code.as_str() {
                "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
                | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
                "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
                _ => 2,
            },
            _ => 2,
        }
    }
}

/// `{ "amount": string, "currencyCode": string }` (spec §2.1).
///
/// Reads `amount` from a JSON string or number, exactly, and writes it as a string with the
/// currency's scale (`14` USD becomes `"14.00"`, JPY `500` stays `"500"`). Construction checks the
/// rules of the [module docs](self): not negative, no more decimals than the currency allows, and
/// representable as `i64` minor units.
///
/// Equality is numeric: `"14"` USD equals `"14.00"` USD.
///
/// ```
/// use amzpay_types::{Currency, Price};
///
/// let price: Price = serde_json::from_str(r#"{"amount": 14, "currencyCode": "USD"}"#)?;
/// assert_eq!(price.minor_units(), 1400);
/// assert_eq!(price, Price::parse("14.00", Currency::Usd)?);
/// assert_eq!(serde_json::to_string(&price)?, r#"{"amount":"14.00","currencyCode":"USD"}"#);
///
/// let error = serde_json::from_str::<Price>(r#"{"amount": "705.00", "currencyCode": "JPY"}"#)
///     .unwrap_err();
/// assert!(error.to_string().contains(r#"amount "705.00" has 2 decimal places but JPY allows 0"#));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Price {
    amount: Amount,
    currency: Currency,
}

impl Price {
    /// Builds a price, checking the amount against the currency's exponent.
    pub fn new(amount: Amount, currency: Currency) -> Result<Self, AmountError> {
        let allowed = currency.exponent();
        let places = amount.decimal_places();
        if places > allowed {
            return Err(AmountError::new(format!(
                "amount \"{amount}\" has {places} decimal places but {currency} allows {allowed}"
            )));
        }
        let price = Self { amount, currency };
        if price.checked_minor_units().is_none() {
            return Err(AmountError::new(format!(
                "amount \"{amount}\" {} is too large",
                price.currency
            )));
        }
        Ok(price)
    }

    /// Parses the amount text and builds a price: `Price::parse("14.00", Currency::Usd)`.
    pub fn parse(amount: &str, currency: Currency) -> Result<Self, AmountError> {
        Self::new(Amount::parse(amount)?, currency)
    }

    /// Builds a price from an amount in minor units (cents; yen for JPY): `1400` USD is `14.00`.
    ///
    /// Fails for negative amounts.
    pub fn from_minor_units(minor_units: i64, currency: Currency) -> Result<Self, AmountError> {
        if minor_units < 0 {
            return Err(AmountError::new(format!(
                "amount of {minor_units} minor units is negative; amounts must be zero or more"
            )));
        }
        let amount = Amount(Decimal::new(minor_units, currency.exponent()));
        Self::new(amount, currency)
    }

    /// The amount in major units.
    pub fn amount(&self) -> Amount {
        self.amount
    }

    /// The currency.
    pub fn currency(&self) -> &Currency {
        &self.currency
    }

    /// The amount in the currency's minor units (`14.00` USD is `1400`, `500` JPY is `500`).
    pub fn minor_units(&self) -> i64 {
        // `new` refuses prices whose minor units do not fit, so this cannot fail.
        self.checked_minor_units().unwrap_or(i64::MAX)
    }

    /// The amount written with the currency's scale, as on the wire (`"14.00"`, JPY `"500"`).
    pub fn amount_string(&self) -> String {
        let mut decimal = self.amount.0;
        decimal.rescale(self.currency.exponent());
        decimal.to_string()
    }

    fn checked_minor_units(&self) -> Option<i64> {
        let mut decimal = self.amount.0;
        decimal.rescale(self.currency.exponent());
        // After rescaling, the scale equals the exponent when the value fits, so the mantissa is the
        // amount in minor units.
        if decimal.scale() != self.currency.exponent() {
            return None;
        }
        i64::try_from(decimal.mantissa()).ok()
    }
}

impl fmt::Display for Price {
    /// `14.00 USD`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount_string(), self.currency)
    }
}

impl Serialize for Price {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut state = serializer.serialize_struct("Price", 2)?;
        state.serialize_field("amount", &self.amount_string())?;
        state.serialize_field("currencyCode", &self.currency)?;
        state.end()
    }
}

impl<'de> Deserialize<'de> for Price {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Wire {
            amount: DecimalText,
            currency_code: Currency,
        }
        let wire = Wire::deserialize(deserializer)?;
        Price::parse(&wire.amount.0, wire.currency_code).map_err(de::Error::custom)
    }
}

/// The exact text of a decimal that arrived as a JSON string or number.
#[derive(Debug)]
pub(crate) struct DecimalText(pub(crate) String);

impl<'de> Deserialize<'de> for DecimalText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(DecimalTextVisitor)
            .map(DecimalText)
    }
}

/// Reads a string, or the exact text of a number, without going through `f64`.
pub(crate) struct DecimalTextVisitor;

impl<'de> Visitor<'de> for DecimalTextVisitor {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a decimal amount as a string or a number")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<String, E> {
        Ok(v.to_string())
    }

    // This is never used for arithmetic: it only recovers the number's text. With
    // `arbitrary_precision`, `serde_json::Value` calls `visit_f64` only when the float's shortest
    // representation (serde_json's own formatter, or Rust's `Display`) equals the original text
    // exactly, and otherwise falls back to `visit_map` below. Both formatters agree except that one
    // writes exponents (`1e-7`) and integral floats as `100.0`; a text `100` would have been visited
    // as an integer, so a formatted text without an exponent is the original, and with one the
    // original was the plain `Display` form.
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        match serde_json::Number::from_f64(v).map(|n| n.to_string()) {
            Some(text) if !text.contains(['e', 'E']) => Ok(text),
            _ => Ok(v.to_string()),
        }
    }

    // With `arbitrary_precision`, serde_json hands every number to the visitor as a one-entry map
    // holding its exact text; `serde_json::Number` knows how to read that map back.
    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<String, A::Error> {
        let number = serde_json::Number::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(number.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parse_keeps_the_written_scale() {
        assert_eq!(Amount::parse("14.00").unwrap().decimal_places(), 2);
        assert_eq!(Amount::parse("14").unwrap().decimal_places(), 0);
        assert_eq!(
            Amount::parse("14").unwrap(),
            Amount::parse("14.00").unwrap()
        );
    }

    #[test]
    fn parse_rejects_everything_but_plain_decimals() {
        for bad in [
            "", ".", "1.", ".5", "+1", " 1", "1 ", "1,5", "NaN", "1e2", "1E-2", "-1", "0x10",
        ] {
            assert!(Amount::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn minor_units_follow_the_currency_exponent() {
        assert_eq!(
            Price::parse("14", Currency::Usd).unwrap().minor_units(),
            1400
        );
        assert_eq!(
            Price::parse("500", Currency::Jpy).unwrap().minor_units(),
            500
        );
        assert_eq!(
            Price::parse("1.234", Currency::Unknown("KWD".into()))
                .unwrap()
                .minor_units(),
            1234
        );
    }

    #[test]
    fn prices_whose_minor_units_overflow_i64_are_refused() {
        assert!(Price::parse("92233720368547758.08", Currency::Usd).is_err());
        assert!(Price::parse("92233720368547758.07", Currency::Usd).is_ok());
    }

    proptest! {
        #[test]
        fn minor_units_round_trip(units in 0_i64..=i64::MAX, jpy in any::<bool>()) {
            let currency = if jpy { Currency::Jpy } else { Currency::Usd };
            let price = Price::from_minor_units(units, currency.clone()).unwrap();
            prop_assert_eq!(price.minor_units(), units);
            let reparsed = Price::parse(&price.amount_string(), currency).unwrap();
            prop_assert_eq!(reparsed, price);
        }

        #[test]
        fn parsing_arbitrary_text_never_panics(text in "\\PC{0,40}") {
            let _ = Amount::parse(&text);
        }

        #[test]
        fn digit_strings_parse_exactly(whole in "[0-9]{1,12}", fraction in "[0-9]{0,6}") {
            let text = if fraction.is_empty() { whole.clone() } else { format!("{whole}.{fraction}") };
            let amount = Amount::parse(&text).unwrap();
            prop_assert_eq!(amount.to_decimal(), Decimal::from_str_exact(&text).unwrap());
        }
    }
}
