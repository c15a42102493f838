//! [`Timestamp`]: the compact UTC timestamp of the wire format, `yyyyMMddTHHmmssZ`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// A point in time in UTC with second precision, written `yyyyMMddTHHmmssZ` (e.g. `20191015T204327Z`).
///
/// SDK-dotnet parses timestamps with exactly that format, so this type neither reads nor writes any
/// other form (no ISO-extended `2019-10-15T20:43:27Z`, no fractions, no offsets).
/// Years are limited to 0000..=9999, the range the four-digit format can express.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp(OffsetDateTime);

/// Why a timestamp could not be parsed or built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TimestampError {
    message: String,
}

impl TimestampError {
    fn new(message: String) -> Self {
        Self { message }
    }
}

impl Timestamp {
    /// Converts any date-time to UTC and drops the sub-second part.
    ///
    /// Fails when the year is outside 0000..=9999.
    pub fn new(datetime: OffsetDateTime) -> Result<Self, TimestampError> {
        let utc = datetime.to_offset(UtcOffset::UTC);
        if !(0..=9999).contains(&utc.year()) {
            return Err(TimestampError::new(format!(
                "timestamp year {} is outside 0000..=9999",
                utc.year()
            )));
        }
        // `replace_nanosecond(0)` cannot fail: 0 is always a valid nanosecond.
        let truncated = utc.replace_nanosecond(0).unwrap_or(utc);
        Ok(Self(truncated))
    }

    /// Builds a timestamp from seconds since the Unix epoch.
    pub fn from_unix_timestamp(seconds: i64) -> Result<Self, TimestampError> {
        let datetime = OffsetDateTime::from_unix_timestamp(seconds).map_err(|e| {
            TimestampError::new(format!("unix timestamp {seconds} is out of range: {e}"))
        })?;
        Self::new(datetime)
    }

    /// Parses `yyyyMMddTHHmmssZ`.
    pub fn parse(text: &str) -> Result<Self, TimestampError> {
        let shape_error = || {
            TimestampError::new(format!(
                "timestamp {text:?} is not in the form yyyyMMddTHHmmssZ (e.g. 20191015T204327Z)"
            ))
        };
        let bytes = text.as_bytes();
        if bytes.len() != 16 || bytes[8] != b'T' || bytes[15] != b'Z' {
            return Err(shape_error());
        }
        let digits = |range: std::ops::Range<usize>| -> Result<u32, TimestampError> {
            let part = &bytes[range];
            if !part.iter().all(u8::is_ascii_digit) {
                return Err(shape_error());
            }
            Ok(part.iter().fold(0, |acc, b| acc * 10 + u32::from(b - b'0')))
        };
        let (year, month, day) = (digits(0..4)?, digits(4..6)?, digits(6..8)?);
        let (hour, minute, second) = (digits(9..11)?, digits(11..13)?, digits(13..15)?);
        let invalid = |e: &dyn fmt::Display| {
            TimestampError::new(format!(
                "timestamp {text:?} is not a valid date and time: {e}"
            ))
        };
        let month = u8::try_from(month)
            .ok()
            .and_then(|m| Month::try_from(m).ok())
            .ok_or_else(|| invalid(&format_args!("month {month} is out of range")))?;
        // Every component has at most four digits, so these narrowing conversions cannot overflow.
        let date =
            Date::from_calendar_date(year as i32, month, day as u8).map_err(|e| invalid(&e))?;
        let time =
            Time::from_hms(hour as u8, minute as u8, second as u8).map_err(|e| invalid(&e))?;
        Ok(Self(PrimitiveDateTime::new(date, time).assume_utc()))
    }

    /// The date-time, in UTC.
    pub fn as_offset_date_time(&self) -> OffsetDateTime {
        self.0
    }

    /// Seconds since the Unix epoch.
    pub fn unix_timestamp(&self) -> i64 {
        self.0.unix_timestamp()
    }

    /// This timestamp moved by `duration` (sub-second parts are dropped), or `None` when the result
    /// leaves the supported range.
    pub fn checked_add(&self, duration: time::Duration) -> Option<Self> {
        self.0
            .checked_add(duration)
            .and_then(|datetime| Self::new(datetime).ok())
    }

    /// This timestamp moved back by `duration`, or `None` when the result leaves the supported range.
    pub fn checked_sub(&self, duration: time::Duration) -> Option<Self> {
        self.0
            .checked_sub(duration)
            .and_then(|datetime| Self::new(datetime).ok())
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        write!(
            f,
            "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
            d.year(),
            u8::from(d.month()),
            d.day(),
            d.hour(),
            d.minute(),
            d.second()
        )
    }
}

impl FromStr for Timestamp {
    type Err = TimestampError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<OffsetDateTime> for Timestamp {
    type Error = TimestampError;

    fn try_from(datetime: OffsetDateTime) -> Result<Self, Self::Error> {
        Self::new(datetime)
    }
}

impl From<Timestamp> for OffsetDateTime {
    fn from(timestamp: Timestamp) -> Self {
        timestamp.0
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn sub_second_parts_are_dropped_and_offsets_converted_to_utc() {
        let datetime = time::macros::datetime!(2019-10-15 22:43:27.999 +02:00);
        let timestamp = Timestamp::new(datetime).unwrap();
        assert_eq!(timestamp.to_string(), "20191015T204327Z");
    }

    #[test]
    fn years_beyond_four_digits_are_refused() {
        let datetime = time::macros::datetime!(-0001-01-01 00:00:00 UTC);
        assert!(Timestamp::new(datetime).is_err());
    }

    proptest! {
        #[test]
        fn every_second_in_range_round_trips(seconds in -62_167_219_200_i64..253_402_300_799) {
            let timestamp = Timestamp::from_unix_timestamp(seconds).unwrap();
            let text = timestamp.to_string();
            prop_assert_eq!(Timestamp::parse(&text).unwrap(), timestamp);
            prop_assert_eq!(timestamp.unix_timestamp(), seconds);
        }

        #[test]
        fn parsing_arbitrary_text_never_panics(text in "\\PC{0,20}") {
            let _ = Timestamp::parse(&text);
        }
    }
}
