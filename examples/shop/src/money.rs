//! Money in the shop: integer minor units plus a currency code in the database, an
//! [`amzpay::types::Price`] at the SDK edge, and a display string for pages.

use amzpay::types::{Currency, Price};

/// The shop's amounts as a `Price` (minor units of `currency`).
pub fn price(minor: i64, currency: &str) -> anyhow::Result<Price> {
    Ok(Price::from_minor_units(minor, Currency::from(currency))?)
}

/// `14.00 USD`, for pages.
pub fn display(minor: i64, currency: &str) -> String {
    match price(minor, currency) {
        Ok(p) => format!("{} {}", p.amount_string(), p.currency()),
        Err(_) => format!("{minor} (minor units) {currency}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_display_with_the_currency_scale() {
        assert_eq!(display(1400, "USD"), "14.00 USD");
        assert_eq!(display(500, "JPY"), "500 JPY");
        assert_eq!(price(4999, "USD").unwrap().amount_string(), "49.99");
    }
}
