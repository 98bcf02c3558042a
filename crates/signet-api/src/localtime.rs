//! Times as a person reads them: RFC 3339 with the offset of their time zone
//! (`2026-12-07T04:53:46+02:00`), never UTC they must convert. The zone is `$TZ` (a zone name
//! such as `Europe/Tallinn`, or a TZif file's path) or else `/etc/localtime`, read from the
//! system's time zone data (TZif, RFC 8536): its transitions, and past the last one the POSIX
//! rule of its footer (`EET-2EEST,M3.5.0/3,M10.5.0/4`). Where none can be read the time is
//! shown in UTC (`…Z`), as it is in `--json` always.

use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

/// `text`, an RFC 3339 time, in the person's time zone; a text that is not one is given back.
pub fn local_rfc3339(text: &str) -> String {
    match signet_pki::time::parse_rfc3339(text) {
        Ok(at) => local(at),
        Err(_) => text.to_owned(),
    }
}

/// `text` with every UTC time in it (`2026-12-07T02:53:46Z`) shown in the person's time zone:
/// for a line the engine composed ("good (OCSP, 2026-12-07T02:53:47Z)").
pub fn local_times_in(text: &str) -> String {
    let b = text.as_bytes();
    let is_utc = |i: usize| {
        b.get(i..i + 20).is_some_and(|w| {
            w.iter().enumerate().all(|(k, c)| match k {
                4 | 7 => *c == b'-',
                10 => *c == b'T',
                13 | 16 => *c == b':',
                19 => *c == b'Z',
                _ => c.is_ascii_digit(),
            })
        })
    };
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut copied = 0;
    while i < b.len() {
        if is_utc(i) {
            out.push_str(&text[copied..i]);
            out.push_str(&local_rfc3339(&text[i..i + 20]));
            i += 20;
            copied = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// `at` as RFC 3339 in the person's time zone.
pub fn local(at: SystemTime) -> String {
    let unix = match at.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    };
    let offset = zone().as_ref().map_or(0, |z| z.offset_at(unix));
    format_at(unix, offset)
}

fn zone() -> &'static Option<Zone> {
    static ZONE: OnceLock<Option<Zone>> = OnceLock::new();
    ZONE.get_or_init(|| {
        let path = match std::env::var("TZ") {
            Ok(tz) if !tz.is_empty() => {
                let tz = tz.trim_start_matches(':');
                if tz.starts_with('/') {
                    tz.into()
                } else if tz.contains("..") {
                    return None;
                } else {
                    std::path::Path::new("/usr/share/zoneinfo").join(tz)
                }
            }
            _ => "/etc/localtime".into(),
        };
        let zone = std::fs::read(&path).ok().and_then(|b| Zone::parse(&b));
        if zone.is_none() {
            tracing::debug!(path = %path.display(), "no time zone data: times in UTC");
        }
        zone
    })
}

/// `unix` seconds shown at `offset` seconds east of UTC.
fn format_at(unix: i64, offset: i32) -> String {
    let local = unix + i64::from(offset);
    let (days, secs) = (local.div_euclid(86_400), local.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    let zone = if offset == 0 {
        "Z".to_owned()
    } else {
        let sign = if offset < 0 { '-' } else { '+' };
        let o = offset.unsigned_abs();
        format!("{sign}{:02}:{:02}", o / 3600, o % 3600 / 60)
    };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}{zone}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// A time zone: its transitions (instant, offset after it), the offset before the first, and
/// the rule after the last.
#[derive(Debug, Clone, PartialEq)]
struct Zone {
    transitions: Vec<(i64, i32)>,
    initial: i32,
    rule: Option<Rule>,
}

impl Zone {
    fn offset_at(&self, unix: i64) -> i32 {
        match self.transitions.partition_point(|(at, _)| *at <= unix) {
            0 => self.initial,
            n if n == self.transitions.len() => self
                .rule
                .as_ref()
                .map_or(self.transitions[n - 1].1, |r| r.offset_at(unix)),
            n => self.transitions[n - 1].1,
        }
    }

    /// Reads TZif data (versions 1 to 4; the 64-bit part and the footer when there).
    fn parse(bytes: &[u8]) -> Option<Self> {
        let header = |at: usize| -> Option<(u8, [usize; 6])> {
            let h = bytes.get(at..at + 44)?;
            if &h[..4] != b"TZif" {
                return None;
            }
            let mut counts = [0usize; 6];
            for (i, c) in counts.iter_mut().enumerate() {
                let b = &h[20 + 4 * i..24 + 4 * i];
                *c = u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize;
            }
            Some((h[4], counts))
        };
        let (version, c) = header(0)?;
        let size = |c: [usize; 6], time: usize| {
            let [isut, isstd, leap, time_count, types, chars] = c;
            time_count * time + time_count + types * 6 + chars + leap * (time + 4) + isstd + isut
        };
        let (start, c, time) = if version >= b'2' {
            let second = 44 + size(c, 4);
            (second + 44, header(second)?.1, 8)
        } else {
            (44, c, 4)
        };
        let [_, _, _, time_count, type_count, _] = c;
        let data = bytes.get(start..start + size(c, time))?;
        let times = &data[..time_count * time];
        let indices = &data[time_count * time..time_count * (time + 1)];
        let types = &data[time_count * (time + 1)..time_count * (time + 1) + type_count * 6];
        let utoff = |i: usize| -> Option<i32> {
            let t = types.get(i * 6..i * 6 + 4)?;
            Some(i32::from_be_bytes([t[0], t[1], t[2], t[3]]))
        };
        let mut transitions = Vec::with_capacity(time_count);
        for (i, index) in indices.iter().enumerate() {
            let raw = &times[i * time..(i + 1) * time];
            let at = if time == 8 {
                i64::from_be_bytes(raw.try_into().ok()?)
            } else {
                i64::from(i32::from_be_bytes(raw.try_into().ok()?))
            };
            transitions.push((at, utoff(usize::from(*index))?));
        }
        let rule = (version >= b'2')
            .then(|| {
                let footer = bytes.get(start + size(c, time)..)?;
                let text = std::str::from_utf8(footer).ok()?.trim_matches('\n');
                Rule::parse(text)
            })
            .flatten();
        Some(Self {
            transitions,
            initial: utoff(0)?,
            rule,
        })
    }
}

/// A POSIX TZ rule (`EET-2EEST,M3.5.0/3,M10.5.0/4`): standard offset, and summer time between
/// two `Mm.w.d` days when it has one.
#[derive(Debug, Clone, PartialEq)]
struct Rule {
    std: i32,
    dst: Option<(i32, Change, Change)>,
}

/// A change day, `Mm.w.d/time`: the `w`th (5: last) weekday `d` (0: Sunday) of month `m`, at
/// `time` seconds after local midnight.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Change {
    month: u32,
    week: u32,
    weekday: i64,
    time: i64,
}

impl Rule {
    fn parse(text: &str) -> Option<Self> {
        let (std_offset, rest) = offset_after_name(text)?;
        let std = -std_offset;
        if rest.is_empty() {
            return Some(Self { std, dst: None });
        }
        let (dst_part, rules) = rest.split_once(',')?;
        let dst = if dst_part.is_empty() || name_len(dst_part) == dst_part.len() {
            std + 3600
        } else {
            -offset_after_name(dst_part)?.0
        };
        let (start, end) = rules.split_once(',')?;
        Some(Self {
            std,
            dst: Some((dst, Change::parse(start)?, Change::parse(end)?)),
        })
    }

    fn offset_at(&self, unix: i64) -> i32 {
        let Some((dst, start, end)) = self.dst else {
            return self.std;
        };
        let (year, _, _) = civil_from_days((unix + i64::from(self.std)).div_euclid(86_400));
        let begins = start.at(year) - i64::from(self.std);
        let ends = end.at(year) - i64::from(dst);
        let summer = if begins < ends {
            begins <= unix && unix < ends
        } else {
            !(ends <= unix && unix < begins)
        };
        if summer { dst } else { self.std }
    }
}

impl Change {
    fn parse(text: &str) -> Option<Self> {
        let (day, time) = text.split_once('/').unwrap_or((text, "2"));
        let mut parts = day.strip_prefix('M')?.split('.');
        let mut next = || parts.next()?.parse::<u32>().ok();
        let (month, week, weekday) = (next()?, next()?, next()?);
        if !(1..=12).contains(&month) || !(1..=5).contains(&week) || weekday > 6 {
            return None;
        }
        Some(Self {
            month,
            week,
            weekday: i64::from(weekday),
            time: hms(time)?,
        })
    }

    /// The change in `year`, in seconds from the epoch, local (the caller removes the offset).
    fn at(self, year: i64) -> i64 {
        let first = days_from_civil(year, self.month, 1);
        // 1970-01-01 was a Thursday (4).
        let first_weekday = (first + 4).rem_euclid(7);
        let mut day =
            1 + (self.weekday - first_weekday).rem_euclid(7) + 7 * i64::from(self.week - 1);
        let (next_year, next_month) = if self.month == 12 {
            (year + 1, 1)
        } else {
            (year, self.month + 1)
        };
        let month_days = days_from_civil(next_year, next_month, 1) - first;
        while day > month_days {
            day -= 7;
        }
        (first + day - 1) * 86_400 + self.time
    }
}

/// The length of a zone name at the start of `text`: letters, or `<…>`.
fn name_len(text: &str) -> usize {
    if text.starts_with('<') {
        text.find('>').map_or(text.len(), |i| i + 1)
    } else {
        text.find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(text.len())
    }
}

/// The POSIX offset (seconds, west positive) after the name at the start of `text`, and what
/// follows it.
fn offset_after_name(text: &str) -> Option<(i32, &str)> {
    let rest = &text[name_len(text)..];
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '+' | '-' | ':')))
        .unwrap_or(rest.len());
    let offset = i32::try_from(hms(&rest[..end])?).ok()?;
    Some((offset, &rest[end..]))
}

/// `[+-]hh[:mm[:ss]]` in seconds.
fn hms(text: &str) -> Option<i64> {
    let (sign, text) = match text.strip_prefix('-') {
        Some(t) => (-1, t),
        None => (1, text.strip_prefix('+').unwrap_or(text)),
    };
    let mut total = 0;
    for (i, part) in text.split(':').enumerate() {
        if i > 2 || part.is_empty() {
            return None;
        }
        total += part.parse::<i64>().ok()? * [3600, 60, 1][i];
    }
    Some(sign * total)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TALLINN: &str = "EET-2EEST,M3.5.0/3,M10.5.0/4";

    #[test]
    fn the_posix_rule_gives_summer_and_winter_time() {
        let rule = Rule::parse(TALLINN).unwrap();
        let at = |text: &str| {
            let t = signet_pki::time::parse_rfc3339(text).unwrap();
            t.duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
        };
        // 2026: summer time from 29 March 01:00 UTC to 25 October 01:00 UTC.
        assert_eq!(rule.offset_at(at("2026-12-07T02:53:46Z")), 7200);
        assert_eq!(rule.offset_at(at("2026-07-01T12:00:00Z")), 10_800);
        assert_eq!(rule.offset_at(at("2026-03-29T00:59:59Z")), 7200);
        assert_eq!(rule.offset_at(at("2026-03-29T01:00:00Z")), 10_800);
        assert_eq!(rule.offset_at(at("2026-10-25T00:59:59Z")), 10_800);
        assert_eq!(rule.offset_at(at("2026-10-25T01:00:00Z")), 7200);
        assert_eq!(Rule::parse("UTC0").unwrap().offset_at(0), 0);
        assert_eq!(Rule::parse("<-03>3").unwrap().offset_at(0), -10_800);
    }

    #[test]
    fn an_instant_is_shown_with_its_offset_and_utc_as_z() {
        let unix = 1_796_612_026; // 2026-12-07T02:53:46Z
        assert_eq!(format_at(unix, 7200), "2026-12-07T04:53:46+02:00");
        assert_eq!(format_at(unix, -12_600), "2026-12-06T23:23:46-03:30");
        assert_eq!(format_at(unix, 0), "2026-12-07T02:53:46Z");
        assert_eq!(local_rfc3339("not a time"), "not a time");
        // In UTC (the tests' zone), a composed line stays as it is, byte for byte.
        let line = "good (OCSP, 2026-12-07T02:53:47Z) — ü";
        if zone().as_ref().is_none_or(|z| z.offset_at(unix) == 0) {
            assert_eq!(local_times_in(line), line);
        }
    }

    #[test]
    fn tzif_data_is_read_with_its_transitions_and_footer() {
        // A version 2 file: one transition in 2000 to +02:00 (type 1), type 0 +01:00, the rule.
        let mut v1 = Vec::new();
        v1.extend_from_slice(b"TZif2");
        v1.extend_from_slice(&[0; 15]);
        let counts = |time: u32| {
            let mut c = Vec::new();
            for n in [0u32, 0, 0, time, 2, 8] {
                c.extend_from_slice(&n.to_be_bytes());
            }
            c
        };
        let types = |out: &mut Vec<u8>| {
            out.extend_from_slice(&3600i32.to_be_bytes());
            out.extend_from_slice(&[0, 0]);
            out.extend_from_slice(&7200i32.to_be_bytes());
            out.extend_from_slice(&[0, 4]);
            out.extend_from_slice(b"CET\0EET\0");
        };
        let mut file = v1.clone();
        file.extend(counts(1));
        file.extend_from_slice(&946_684_800i32.to_be_bytes());
        file.push(1);
        types(&mut file);
        file.extend_from_slice(&v1);
        file.extend(counts(1));
        file.extend_from_slice(&946_684_800i64.to_be_bytes());
        file.push(1);
        types(&mut file);
        file.extend_from_slice(format!("\n{TALLINN}\n").as_bytes());
        let zone = Zone::parse(&file).unwrap();
        assert_eq!(zone.offset_at(0), 3600);
        assert_eq!(zone.offset_at(946_684_800), 7200);
        // After the last transition, the footer's rule: summer time in July 2026.
        assert_eq!(zone.offset_at(1_782_907_200), 10_800);
        assert!(Zone::parse(b"not tzif").is_none());
    }
}
