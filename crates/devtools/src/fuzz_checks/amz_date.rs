//! The `amz_date` target.

use amzpay_signing::{format_amz_date, parse_amz_date};
use amzpay_types::Timestamp;
use time::OffsetDateTime;

/// `x-amz-pay-date` parsing ([`parse_amz_date`]) and formatting ([`format_amz_date`]), checked
/// against [`Timestamp`] of `amzpay-types`, which reads and writes the compact form.
///
/// The input is read as UTF-8, lossily. Properties:
/// - parsing never panics; a parsed date is UTC with whole seconds;
/// - formatting a parsed date gives the compact form of the input (the input itself when it was
///   compact), which parses to the same instant;
/// - [`Timestamp::parse`] accepts exactly the compact inputs that [`parse_amz_date`] accepts, with
///   the same instant, and writes the same text;
/// - the first 12 bytes, read as seconds since the epoch and nanoseconds, give a date-time whose
///   formatted text (for years 0..=9999) parses back to it without the fraction, and equals
///   [`Timestamp`]'s text.
pub fn check_amz_date(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let parsed = parse_amz_date(&text);
    let compact = text.len() == 16;
    let timestamp = Timestamp::parse(&text);
    if compact {
        assert_eq!(
            timestamp.as_ref().ok().map(Timestamp::as_offset_date_time),
            parsed.as_ref().ok().copied(),
            "Timestamp::parse and parse_amz_date disagree on {text:?}"
        );
    } else {
        assert!(timestamp.is_err(), "Timestamp::parse accepted {text:?}");
    }
    if let Ok(date) = parsed {
        assert!(
            date.offset().is_utc() && date.nanosecond() == 0,
            "{text:?} -> {date}"
        );
        let formatted = format_amz_date(date);
        let expected = if compact {
            text.to_string()
        } else {
            text.replace(['-', ':'], "")
        };
        assert_eq!(formatted, expected, "format(parse({text:?}))");
        assert_eq!(
            parse_amz_date(&formatted),
            Ok(date),
            "parse(format(parse({text:?})))"
        );
        if let Ok(timestamp) = timestamp {
            assert_eq!(timestamp.to_string(), formatted);
        }
    }

    if let Some(head) = data.get(..12) {
        let (secs, nanos) = head.split_at(8);
        let secs = i64::from_le_bytes(secs.try_into().expect("8 bytes"));
        let nanos = u32::from_le_bytes(nanos.try_into().expect("4 bytes")) % 1_000_000_000;
        let Ok(date) = OffsetDateTime::from_unix_timestamp(secs) else {
            return;
        };
        let Ok(date) = date.replace_nanosecond(nanos) else {
            return;
        };
        let formatted = format_amz_date(date);
        if (0..=9999).contains(&date.year()) {
            let whole = date.replace_nanosecond(0).expect("0 is a valid nanosecond");
            assert_eq!(
                parse_amz_date(&formatted),
                Ok(whole),
                "parse(format({date}))"
            );
            let timestamp = Timestamp::new(date).expect("years 0..=9999 are timestamps");
            assert_eq!(timestamp.to_string(), formatted);
        } else {
            assert!(parse_amz_date(&formatted).is_err(), "{formatted:?} parsed");
        }
    }
}
