//! Timestamps: `yyyyMMddTHHmmssZ` in and out, nothing else.

use amzpay_types::Timestamp;
use expect_test::{Expect, expect};

/// Parses a timestamp and snapshots its written form or the error.
fn check(text: &str, expect: Expect) {
    let outcome = match Timestamp::parse(text) {
        Ok(timestamp) => timestamp.to_string(),
        Err(e) => format!("error: {e}"),
    };
    expect.assert_eq(&outcome);
}

#[test]
fn timestamp_parsing_table() {
    check("20191015T204327Z", expect!["20191015T204327Z"]);
    check("20000229T000000Z", expect!["20000229T000000Z"]);
    check("99991231T235959Z", expect!["99991231T235959Z"]);
    check(
        "2019-10-15T20:43:27Z",
        expect![[
            r#"error: timestamp "2019-10-15T20:43:27Z" is not in the form yyyyMMddTHHmmssZ (e.g. 20191015T204327Z)"#
        ]],
    );
    check(
        "20191015T204327",
        expect![[
            r#"error: timestamp "20191015T204327" is not in the form yyyyMMddTHHmmssZ (e.g. 20191015T204327Z)"#
        ]],
    );
    check(
        "20191015t204327z",
        expect![[
            r#"error: timestamp "20191015t204327z" is not in the form yyyyMMddTHHmmssZ (e.g. 20191015T204327Z)"#
        ]],
    );
    check(
        "2019101xT204327Z",
        expect![[
            r#"error: timestamp "2019101xT204327Z" is not in the form yyyyMMddTHHmmssZ (e.g. 20191015T204327Z)"#
        ]],
    );
    check(
        "20191315T204327Z",
        expect![[
            r#"error: timestamp "20191315T204327Z" is not a valid date and time: month 13 is out of range"#
        ]],
    );
    check(
        "20190230T000000Z",
        expect![[
            r#"error: timestamp "20190230T000000Z" is not a valid date and time: day must be in the range 1..=28 for the given month and year"#
        ]],
    );
    check(
        "20191015T246000Z",
        expect![[
            r#"error: timestamp "20191015T246000Z" is not a valid date and time: hour must be in the range 0..=23"#
        ]],
    );
    check(
        "",
        expect![[
            r#"error: timestamp "" is not in the form yyyyMMddTHHmmssZ (e.g. 20191015T204327Z)"#
        ]],
    );
}

#[test]
fn timestamps_round_trip_through_json() {
    let json = r#""20201023T211909Z""#;

    let timestamp: Timestamp = serde_json::from_str(json).unwrap();

    assert_eq!(serde_json::to_string(&timestamp).unwrap(), json);
    assert_eq!(timestamp.unix_timestamp(), 1_603_487_949);
}

#[test]
fn a_timestamp_that_is_not_a_string_is_rejected() {
    assert!(serde_json::from_str::<Timestamp>("20201023").is_err());
}

#[test]
fn adding_a_day_gives_the_sample_expiration() {
    let created: Timestamp = "20201023T211909Z".parse().unwrap();

    let expires = created.checked_add(time::Duration::hours(24)).unwrap();

    assert_eq!(expires.to_string(), "20201024T211909Z");
}
