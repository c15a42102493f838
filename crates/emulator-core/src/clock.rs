//! Timestamps and the per-merchant virtual clock.
//!
//! The core never reads a clock: every function that needs the time takes a [`Timestamp`].
//! [`VirtualClock`] turns the real time (given by the caller) into a merchant's virtual time.

use std::fmt;

/// A point in (virtual) time: whole seconds since the Unix epoch, UTC.
///
/// The wire format has second precision (`yyyyMMddTHHmmssZ`), so the core does too.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

/// One second, in the unit of [`Timestamp`] arithmetic.
pub const SECOND: i64 = 1;
/// One hour in seconds.
pub const HOUR: i64 = 3600;
/// One day in seconds.
pub const DAY: i64 = 24 * HOUR;

impl Timestamp {
    /// From seconds since the Unix epoch.
    pub const fn from_unix(secs: i64) -> Timestamp {
        Timestamp(secs)
    }

    /// Seconds since the Unix epoch.
    pub const fn unix(self) -> i64 {
        self.0
    }

    /// `self + secs` (saturating).
    pub const fn plus(self, secs: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(secs))
    }

    /// The calendar month (UTC) the instant falls in, as `(year, month)`; monthly charge
    /// limits reset when it changes.
    pub fn year_month(self) -> (i32, u8) {
        match time::OffsetDateTime::from_unix_timestamp(self.0) {
            Ok(t) => (t.year(), u8::from(t.month())),
            Err(_) => (9999, 12),
        }
    }

    /// The wire form `yyyyMMddTHHmmssZ` (e.g. `20201023T211909Z`).
    pub fn to_compact(self) -> String {
        match time::OffsetDateTime::from_unix_timestamp(self.0) {
            Ok(t) => format!(
                "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            ),
            // Out of the calendar's range: only reachable by setting an absurd virtual clock.
            Err(_) => "99991231T235959Z".to_owned(),
        }
    }

    /// Parses `yyyyMMddTHHmmssZ` or the ISO form `yyyy-MM-ddTHH:mm:ssZ`.
    pub fn parse(text: &str) -> Option<Timestamp> {
        let compact: String = text.chars().filter(|c| *c != '-' && *c != ':').collect();
        let b = compact.as_bytes();
        if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
            return None;
        }
        let digits = |r: std::ops::Range<usize>| -> Option<u32> {
            let s = compact.get(r)?;
            if s.bytes().all(|c| c.is_ascii_digit()) {
                s.parse().ok()
            } else {
                None
            }
        };
        let year = i32::try_from(digits(0..4)?).ok()?;
        let month = time::Month::try_from(u8::try_from(digits(4..6)?).ok()?).ok()?;
        let day = u8::try_from(digits(6..8)?).ok()?;
        let date = time::Date::from_calendar_date(year, month, day).ok()?;
        let t = time::Time::from_hms(
            u8::try_from(digits(9..11)?).ok()?,
            u8::try_from(digits(11..13)?).ok()?,
            u8::try_from(digits(13..15)?).ok()?,
        )
        .ok()?;
        Some(Timestamp(
            time::PrimitiveDateTime::new(date, t)
                .assume_utc()
                .unix_timestamp(),
        ))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_compact())
    }
}

/// A merchant's virtual clock: real time shifted by an offset, or frozen at one instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VirtualClock {
    /// Runs with real time, shifted by `offset_secs` (0 for a fresh merchant).
    Running {
        /// Virtual minus real time, in seconds.
        offset_secs: i64,
    },
    /// Stands still at this instant until advanced or set again.
    Frozen {
        /// The virtual now.
        at: Timestamp,
    },
}

impl Default for VirtualClock {
    fn default() -> Self {
        VirtualClock::Running { offset_secs: 0 }
    }
}

impl VirtualClock {
    /// The virtual now, given the real now.
    pub fn now(self, real: Timestamp) -> Timestamp {
        match self {
            VirtualClock::Running { offset_secs } => real.plus(offset_secs),
            VirtualClock::Frozen { at } => at,
        }
    }

    /// The clock moved forward by `secs` (negative values are refused by the caller's parser).
    pub fn advanced(self, secs: i64) -> VirtualClock {
        match self {
            VirtualClock::Running { offset_secs } => VirtualClock::Running {
                offset_secs: offset_secs.saturating_add(secs),
            },
            VirtualClock::Frozen { at } => VirtualClock::Frozen { at: at.plus(secs) },
        }
    }

    /// A clock that reads `at` now: frozen there, or running on from there.
    pub fn set(at: Timestamp, real: Timestamp, frozen: bool) -> VirtualClock {
        if frozen {
            VirtualClock::Frozen { at }
        } else {
            VirtualClock::Running {
                offset_secs: at.unix() - real.unix(),
            }
        }
    }

    /// Whether the clock stands still.
    pub fn is_frozen(self) -> bool {
        matches!(self, VirtualClock::Frozen { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_print_and_parse_in_both_wire_forms() {
        let t = Timestamp::parse("20201023T211909Z").unwrap();
        assert_eq!(t.to_compact(), "20201023T211909Z");
        assert_eq!(Timestamp::parse("2020-10-23T21:19:09Z"), Some(t));
        assert_eq!(t.plus(DAY).to_compact(), "20201024T211909Z");
        assert_eq!(Timestamp::parse("20201323T211909Z"), None);
        assert_eq!(Timestamp::parse("2020-10-23T21:19:09"), None);
    }

    #[test]
    fn a_virtual_clock_runs_with_real_time_or_stands_still() {
        let real = Timestamp::from_unix(1_000);
        let running = VirtualClock::default().advanced(HOUR);
        assert_eq!(running.now(real), Timestamp::from_unix(1_000 + HOUR));
        let frozen = VirtualClock::set(Timestamp::from_unix(5), real, true);
        assert_eq!(frozen.now(real.plus(100)), Timestamp::from_unix(5));
        assert_eq!(frozen.advanced(10).now(real), Timestamp::from_unix(15));
    }
}
