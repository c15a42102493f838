//! Price and Amount: exact decimals from strings or numbers, per-currency scale, clear errors.

use amzpay_types::{Amount, CompleteCheckoutSessionRequest, Currency, Price};
use expect_test::{Expect, expect};
use rust_decimal::Decimal;

use crate::helpers::parse_outcome;

/// Parses a Price from JSON and snapshots the re-serialized JSON or the error.
fn check(json: &str, expect: Expect) {
    expect.assert_eq(&parse_outcome::<Price>(json));
}

#[test]
fn price_parsing_table() {
    check(
        r#"{"amount":14,"currencyCode":"USD"}"#,
        expect![[r#"{"amount":"14.00","currencyCode":"USD"}"#]],
    );
    check(
        r#"{"amount":"14","currencyCode":"USD"}"#,
        expect![[r#"{"amount":"14.00","currencyCode":"USD"}"#]],
    );
    check(
        r#"{"amount":12.99,"currencyCode":"USD"}"#,
        expect![[r#"{"amount":"12.99","currencyCode":"USD"}"#]],
    );
    check(
        r#"{"amount":"0.1","currencyCode":"EUR"}"#,
        expect![[r#"{"amount":"0.10","currencyCode":"EUR"}"#]],
    );
    check(
        r#"{"amount":500,"currencyCode":"JPY"}"#,
        expect![[r#"{"amount":"500","currencyCode":"JPY"}"#]],
    );
    check(
        r#"{"currencyCode":"USD","amount":"0"}"#,
        expect![[r#"{"amount":"0.00","currencyCode":"USD"}"#]],
    );
    check(
        r#"{"amount":"1.234","currencyCode":"KWD"}"#,
        expect![[r#"{"amount":"1.234","currencyCode":"KWD"}"#]],
    );
    check(
        r#"{"amount":"705.00","currencyCode":"JPY"}"#,
        expect![[r#"error: amount "705.00" has 2 decimal places but JPY allows 0"#]],
    );
    check(
        r#"{"amount":"14.001","currencyCode":"USD"}"#,
        expect![[r#"error: amount "14.001" has 3 decimal places but USD allows 2"#]],
    );
    check(
        r#"{"amount":14.001,"currencyCode":"USD"}"#,
        expect![[r#"error: amount "14.001" has 3 decimal places but USD allows 2"#]],
    );
    check(
        r#"{"amount":1e2,"currencyCode":"USD"}"#,
        expect![[
            r#"error: amount "1e+2" uses an exponent; write it as a plain decimal such as "14.00""#
        ]],
    );
    check(
        r#"{"amount":"-5.00","currencyCode":"USD"}"#,
        expect![[r#"error: amount "-5.00" is negative; amounts must be zero or more"#]],
    );
    check(
        r#"{"amount":-5,"currencyCode":"USD"}"#,
        expect![[r#"error: amount "-5" is negative; amounts must be zero or more"#]],
    );
    check(
        r#"{"amount":"ten","currencyCode":"USD"}"#,
        expect![[
            r#"error: amount "ten" is not a decimal number (expected digits with an optional fraction, e.g. "14.00")"#
        ]],
    );
    check(
        r#"{"amount":true,"currencyCode":"USD"}"#,
        expect![[
            r#"error: invalid type: boolean `true`, expected a decimal amount as a string or a number at line 1 column 14"#
        ]],
    );
    check(
        r#"{"amount":"14.00"}"#,
        expect![[r#"error: missing field `currencyCode` at line 1 column 18"#]],
    );
    check(
        r#"{"amount":"92233720368547758.08","currencyCode":"USD"}"#,
        expect![[r#"error: amount "92233720368547758.08" USD is too large"#]],
    );
}

#[test]
fn a_string_amount_equals_the_same_amount_with_more_zeros() {
    let short = Price::parse("14", Currency::Usd).unwrap();
    let long = Price::parse("14.00", Currency::Usd).unwrap();

    assert_eq!(short, long);
    assert_eq!(short.amount(), long.amount());
    assert_eq!(short.minor_units(), 1400);
}

#[test]
fn numbers_are_read_from_their_exact_text_not_through_f64() {
    // 2^53 + 1 is the first integer an f64 cannot hold.
    let json = r#"{"amount":9007199254740993,"currencyCode":"JPY"}"#;

    let price: Price = serde_json::from_str(json).unwrap();

    assert_eq!(price.minor_units(), 9_007_199_254_740_993);
    assert_eq!(price.amount_string(), "9007199254740993");
}

#[test]
fn twelve_ninety_nine_as_a_number_is_exact() {
    let price: Price = serde_json::from_str(r#"{"amount":12.99,"currencyCode":"USD"}"#).unwrap();

    assert_eq!(price.minor_units(), 1299);
    assert_eq!(price.amount().to_decimal(), Decimal::new(1299, 2));
}

#[test]
fn zero_point_one_stays_exact() {
    let amount: Amount = serde_json::from_str(r#""0.1""#).unwrap();
    let from_number: Amount = serde_json::from_str("0.1").unwrap();

    assert_eq!(amount.to_decimal(), Decimal::new(1, 1));
    assert_eq!(from_number, amount);
    assert_eq!(serde_json::to_string(&amount).unwrap(), r#""0.1""#);
    // 0.1 + 0.2 is exactly 0.3, which it is not in binary floating point.
    let sum = amount.to_decimal() + Decimal::new(2, 1);
    assert_eq!(sum, Decimal::new(3, 1));
}

#[test]
fn prices_are_also_read_through_serde_json_value() {
    let value: serde_json::Value =
        serde_json::from_str(r#"{"amount":12.99,"currencyCode":"USD"}"#).unwrap();

    let price: Price = serde_json::from_value(value).unwrap();

    assert_eq!(price.minor_units(), 1299);
}

#[test]
fn the_value_path_keeps_the_scale_and_exactness_of_numbers() {
    let read = |json: &str| -> Result<Price, serde_json::Error> {
        serde_json::from_value(serde_json::from_str(json).unwrap())
    };

    assert!(read(r#"{"amount":705.00,"currencyCode":"JPY"}"#).is_err());
    assert!(read(r#"{"amount":100.0,"currencyCode":"JPY"}"#).is_err());
    assert!(read(r#"{"amount":1e2,"currencyCode":"USD"}"#).is_err());
    assert!(
        read(r#"{"amount":0.1000000000000000055511151231257827,"currencyCode":"USD"}"#).is_err()
    );
    assert_eq!(
        read(r#"{"amount":0.1,"currencyCode":"USD"}"#)
            .unwrap()
            .minor_units(),
        10
    );
    assert_eq!(
        read(r#"{"amount":9007199254740993,"currencyCode":"JPY"}"#)
            .unwrap()
            .minor_units(),
        9_007_199_254_740_993
    );
}

#[test]
fn too_many_decimals_inside_a_request_body_is_an_error_naming_the_rule() {
    let json = r#"{"chargeAmount":{"amount":"705.00","currencyCode":"JPY"}}"#;

    let error = serde_json::from_str::<CompleteCheckoutSessionRequest>(json).unwrap_err();

    assert!(
        error
            .to_string()
            .contains(r#"amount "705.00" has 2 decimal places but JPY allows 0"#),
        "{error}"
    );
}

#[test]
fn minor_units_convert_both_ways_with_the_currency_exponent() {
    let usd = Price::from_minor_units(1400, Currency::Usd).unwrap();
    let jpy = Price::from_minor_units(500, Currency::Jpy).unwrap();

    assert_eq!(usd.amount_string(), "14.00");
    assert_eq!(jpy.amount_string(), "500");
    assert_eq!(usd.to_string(), "14.00 USD");
    assert_eq!(Currency::Jpy.exponent(), 0);
    assert_eq!(Currency::Gbp.exponent(), 2);
    assert!(Price::from_minor_units(-1, Currency::Usd).is_err());
}

#[test]
fn prices_with_different_currencies_are_not_equal() {
    assert_ne!(
        Price::parse("14.00", Currency::Usd).unwrap(),
        Price::parse("14.00", Currency::Eur).unwrap()
    );
}
