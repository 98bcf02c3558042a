//! Instants as people read and write them: `2025-03-01T00:00:00Z` (RFC 3339).

use std::fmt;
use std::time::{Duration, SystemTime};

/// Shows a [`SystemTime`] as an RFC 3339 UTC timestamp, to the second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Utc(pub SystemTime);

impl fmt::Display for Utc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match der::DateTime::from_system_time(self.0) {
            Ok(t) => write!(
                f,
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                t.year(),
                t.month(),
                t.day(),
                t.hour(),
                t.minutes(),
                t.seconds()
            ),
            // Outside 1970..=9999: show the raw offset rather than fail a message.
            Err(_) => write!(f, "{:?}", self.0),
        }
    }
}

/// Why a text is not an RFC 3339 date-time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
#[error("“{text}” is not an RFC 3339 date-time such as 2025-03-01T12:00:00Z: {reason}")]
pub struct TimeParseError {
    /// The text as given.
    pub text: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// Reads an RFC 3339 `date-time` (section 5.6):
///
/// ```text
/// date-time = full-date "T" full-time        ; "t", "T" or " " accepted
/// full-time = partial-time time-offset        ; time-offset = "Z" / ("+" / "-") HH ":" MM
/// ```
///
/// Fractional seconds are accepted and dropped (certificates and OCSP count whole seconds);
/// a leap second (`:60`) is refused.
pub fn parse_rfc3339(text: &str) -> Result<SystemTime, TimeParseError> {
    let fail = |reason| TimeParseError {
        text: text.to_owned(),
        reason,
    };
    let b = text.as_bytes();
    if b.len() < 20 || !text.is_ascii() {
        return Err(fail("too short"));
    }
    let num = |range: std::ops::Range<usize>| -> Result<u16, TimeParseError> {
        let part = &text[range];
        if !part.bytes().all(|c| c.is_ascii_digit()) {
            return Err(fail("a digit is expected"));
        }
        part.parse().map_err(|_| fail("a number is expected"))
    };
    let separators_ok = b[4] == b'-'
        && b[7] == b'-'
        && matches!(b[10], b'T' | b't' | b' ')
        && b[13] == b':'
        && b[16] == b':';
    if !separators_ok {
        return Err(fail("the separators are misplaced"));
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(fail("a fraction of a second needs digits"));
        }
        rest = &fraction[digits..];
    }
    let offset_secs: i64 = match rest {
        "Z" | "z" => 0,
        _ if rest.len() == 6 && rest.as_bytes()[3] == b':' => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return Err(fail("the offset must be Z or ±HH:MM")),
            };
            let hours = i64::from(num(text.len() - 5..text.len() - 3)?);
            let minutes = i64::from(num(text.len() - 2..text.len())?);
            if hours > 23 || minutes > 59 {
                return Err(fail("the offset is out of range"));
            }
            sign * (hours * 3600 + minutes * 60)
        }
        _ => return Err(fail("the offset must be Z or ±HH:MM")),
    };
    let (month, day, hour, minute, second) = (
        u8::try_from(month).map_err(|_| fail("month out of range"))?,
        u8::try_from(day).map_err(|_| fail("day out of range"))?,
        u8::try_from(hour).map_err(|_| fail("hour out of range"))?,
        u8::try_from(minute).map_err(|_| fail("minute out of range"))?,
        u8::try_from(second).map_err(|_| fail("second out of range"))?,
    );
    let local = der::DateTime::new(year, month, day, hour, minute, second)
        .map_err(|_| fail("the date or time is out of range"))?
        .to_system_time();
    let shift = Duration::from_secs(offset_secs.unsigned_abs());
    // A local time ahead of UTC (+02:00) is earlier in UTC.
    let utc = if offset_secs >= 0 {
        local.checked_sub(shift)
    } else {
        local.checked_add(shift)
    };
    utc.ok_or(fail("the date or time is out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rfc3339_with_offsets_and_fractions() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_740_787_200);
        assert_eq!(parse_rfc3339("2025-03-01T00:00:00Z").unwrap(), t);
        assert_eq!(parse_rfc3339("2025-03-01t02:00:00.123+02:00").unwrap(), t);
        assert_eq!(parse_rfc3339("2025-02-28T23:30:00-00:30").unwrap(), t);
        for bad in [
            "2025-03-01",
            "2025-03-01T00:00:00",
            "2025-13-01T00:00:00Z",
            "2025-03-01T00:00:60Z",
            "2025-03-01T00:00:00+2:00",
            "2025-03-01T00:00:00.Z",
            "2025/03/01T00:00:00Z",
        ] {
            assert!(parse_rfc3339(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn shows_rfc3339_utc() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_740_787_200);
        assert_eq!(Utc(t).to_string(), "2025-03-01T00:00:00Z");
    }
}
