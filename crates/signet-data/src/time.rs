//! Instants in the protocol: RFC 3339 UTC timestamps to the second, `2025-03-01T12:00:00Z`.
//!
//! The Data Tracker specifications write "all times RFC 3339 with zone"; Signet writes them in
//! UTC with the `Z` suffix and reads any offset.

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An instant to the second, after 1970 and before 10000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
pub struct Timestamp(u64);

/// A text that is not an RFC 3339 timestamp.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not an RFC 3339 timestamp such as 2025-03-01T12:00:00Z")]
pub struct TimestampError {
    /// The text.
    pub text: String,
}

const MAX_SECS: u64 = 253_402_300_799; // 9999-12-31T23:59:59Z

impl Timestamp {
    /// The instant `secs` seconds after 1970-01-01T00:00:00Z (clamped to the year 9999).
    pub fn from_unix(secs: u64) -> Self {
        Self(secs.min(MAX_SECS))
    }

    /// A system time, truncated to the second (times before 1970 become 1970).
    pub fn from_system(at: SystemTime) -> Self {
        Self::from_unix(at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()))
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    pub fn unix(self) -> u64 {
        self.0
    }

    /// As a system time.
    pub fn to_system(self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(self.0)
    }
}

// Howard Hinnant's days-from-civil algorithm (public domain, "chrono-Compatible Low-Level Date
// Algorithms"), written out for the proleptic Gregorian calendar: what reading a timestamp needs.
// Writing one is signet_pki::time::Utc's, the one home of Signet's calendar formatting.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Always within 1970..=9999, where `Utc` writes RFC 3339.
        signet_pki::time::Utc(self.to_system()).fmt(f)
    }
}

impl FromStr for Timestamp {
    type Err = TimestampError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse(text).ok_or_else(|| TimestampError {
            text: text.chars().take(64).collect(),
        })
    }
}

fn parse(text: &str) -> Option<Timestamp> {
    let b = text.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = text.get(range)?;
        if !part.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut rest = &text[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = &frac[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let o = rest.get(1..)?;
            if o.len() != 5 || o.as_bytes()[2] != b':' {
                return None;
            }
            let (h, m): (i64, i64) = (o[..2].parse().ok()?, o[3..].parse().ok()?);
            if h > 23 || m > 59 {
                return None;
            }
            sign * (h * 3600 + m * 60)
        }
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let month_u = u32::try_from(month).ok()?;
    let day_u = u32::try_from(day).ok()?;
    let max_day = *month_days.get(usize::try_from(month).ok()?.checked_sub(1)?)?;
    if !(1..=max_day).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let days = days_from_civil(year, month_u, day_u);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second.min(59) - offset;
    u64::try_from(secs)
        .ok()
        .filter(|s| *s <= MAX_SECS)
        .map(Timestamp)
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for (secs, text) in [
            (0, "1970-01-01T00:00:00Z"),
            (951_782_400, "2000-02-29T00:00:00Z"),
            (1_696_161_600, "2023-10-01T12:00:00Z"),
            (MAX_SECS, "9999-12-31T23:59:59Z"),
        ] {
            let t = Timestamp::from_unix(secs);
            assert_eq!(t.to_string(), text);
            assert_eq!(text.parse::<Timestamp>().unwrap(), t);
        }
    }

    #[test]
    fn reads_offsets_and_fractions() {
        let t: Timestamp = "2023-10-01T15:00:00.123+03:00".parse().unwrap();
        assert_eq!(t.to_string(), "2023-10-01T12:00:00Z");
    }

    #[test]
    fn refuses_nonsense() {
        for bad in [
            "",
            "2023-10-01",
            "2023-02-29T00:00:00Z",
            "2023-13-01T00:00:00Z",
            "2023-10-01T24:00:00Z",
            "2023-10-01T12:00:00",
            "2023-10-01T12:00:00+3:00",
            "1969-12-31T23:59:59Z",
            "+023-10-01T12:00:00Z",
        ] {
            assert!(bad.parse::<Timestamp>().is_err(), "{bad}");
        }
    }
}
