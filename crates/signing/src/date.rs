//! The `x-amz-pay-date` header: `20180524T223710Z` (written by us, Java, .NET and PHP) or
//! `2018-05-24T22:37:10Z` (written by the Node.js SDK). Both are UTC with whole seconds.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use crate::algorithm::truncate_for_display;

/// Formats a time as `yyyyMMddTHHmmssZ` in UTC, dropping fractions of a second.
///
/// This is the form of `x-amz-pay-date` and of every timestamp in Amazon Pay bodies.
///
/// ```
/// let t = time::macros::datetime!(2018-05-24 22:37:10.999 UTC);
/// assert_eq!(amzpay_signing::format_amz_date(t), "20180524T223710Z");
/// ```
pub fn format_amz_date(time: OffsetDateTime) -> String {
    let t = time.to_offset(UtcOffset::UTC);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Parses an `x-amz-pay-date` value in either accepted form: compact `20180524T223710Z` or
/// ISO 8601 extended `2018-05-24T22:37:10Z`. Nothing else is accepted: no offsets other than `Z`,
/// no fractions, no surrounding whitespace.
///
/// ```
/// use amzpay_signing::parse_amz_date;
/// let compact = parse_amz_date("20180524T223710Z")?;
/// let extended = parse_amz_date("2018-05-24T22:37:10Z")?;
/// assert_eq!(compact, extended);
/// assert_eq!(compact, time::macros::datetime!(2018-05-24 22:37:10 UTC));
/// # Ok::<(), amzpay_signing::DateParseError>(())
/// ```
pub fn parse_amz_date(value: &str) -> Result<OffsetDateTime, DateParseError> {
    let err = || DateParseError {
        value: truncate_for_display(value),
    };
    let b = value.as_bytes();
    // Positions of the fields in each form, and the separators that must sit between them.
    let (year, month, day, hour, minute, second, separators): (_, _, _, _, _, _, &[(usize, u8)]) =
        match b.len() {
            16 => (
                0..4,
                4..6,
                6..8,
                9..11,
                11..13,
                13..15,
                &[(8, b'T'), (15, b'Z')],
            ),
            20 => (
                0..4,
                5..7,
                8..10,
                11..13,
                14..16,
                17..19,
                &[
                    (4, b'-'),
                    (7, b'-'),
                    (10, b'T'),
                    (13, b':'),
                    (16, b':'),
                    (19, b'Z'),
                ],
            ),
            _ => return Err(err()),
        };
    if separators.iter().any(|&(i, c)| b[i] != c) {
        return Err(err());
    }
    let number = |range: std::ops::Range<usize>| -> Result<u16, DateParseError> {
        b[range].iter().try_fold(0u16, |acc, &d| {
            if d.is_ascii_digit() {
                Ok(acc * 10 + u16::from(d - b'0'))
            } else {
                Err(err())
            }
        })
    };
    let small = |range| number(range).and_then(|n| u8::try_from(n).map_err(|_| err()));
    let year = i32::from(number(year)?);
    let month = Month::try_from(small(month)?).map_err(|_| err())?;
    let date = Date::from_calendar_date(year, month, small(day)?).map_err(|_| err())?;
    let time = Time::from_hms(small(hour)?, small(minute)?, small(second)?).map_err(|_| err())?;
    Ok(PrimitiveDateTime::new(date, time).assume_utc())
}

/// An `x-amz-pay-date` value that is not a valid date in either accepted form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid x-amz-pay-date {value:?}: expected UTC like \"20180524T223710Z\" or \"2018-05-24T22:37:10Z\""
)]
pub struct DateParseError {
    value: String,
}

impl DateParseError {
    /// The value that was given (at most 64 characters of it).
    pub fn value(&self) -> &str {
        &self.value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::datetime;

    #[test]
    fn formatting_converts_to_utc() {
        let t = datetime!(2018-05-25 00:37:10 +02:00);
        assert_eq!(format_amz_date(t), "20180524T223710Z");
    }

    #[test]
    fn impossible_or_badly_shaped_dates_are_rejected() {
        for bad in [
            "",
            "20180524T223710",
            "20180524 223710Z",
            "2018-05-24 22:37:10Z",
            "2018-05-24T22:37:10.000Z",
            "2018-05-24T22:37:10+00:00",
            "20181324T223710Z",
            "20180230T223710Z",
            "20180524T243710Z",
            "20180524T226010Z",
            "20180524T223760Z",
            "2018052AT223710Z",
            "+0180524T223710Z",
            " 20180524T223710Z",
            "2018-05-24T22:37:1Z ",
        ] {
            assert!(parse_amz_date(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn leap_days_parse() {
        assert_eq!(
            parse_amz_date("20240229T000000Z"),
            Ok(datetime!(2024-02-29 00:00:00 UTC))
        );
    }

    proptest! {
        #[test]
        fn format_then_parse_round_trips(secs in 0i64..253_402_300_799) {
            let t = OffsetDateTime::from_unix_timestamp(secs).expect("in range");
            let compact = format_amz_date(t);
            prop_assert_eq!(parse_amz_date(&compact), Ok(t));
            let extended = format!(
                "{}-{}-{}T{}:{}:{}Z",
                &compact[0..4], &compact[4..6], &compact[6..8], &compact[9..11], &compact[11..13], &compact[13..15]
            );
            prop_assert_eq!(parse_amz_date(&extended), Ok(t));
        }

        #[test]
        fn parsing_never_panics(s in "\\PC{0,24}") {
            let _ = parse_amz_date(&s);
        }
    }
}
