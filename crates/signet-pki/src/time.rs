//! Instants as people read them in messages: `2025-03-01T00:00:00Z`.

use std::fmt;
use std::time::SystemTime;

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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn shows_rfc3339_utc() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_740_787_200);
        assert_eq!(Utc(t).to_string(), "2025-03-01T00:00:00Z");
    }
}
