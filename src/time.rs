//! Calendar arithmetic on unix seconds, shared by every module that formats or reads a
//! date (API timestamps, AWS `x-amz-date`, certificate validity), so there is one
//! implementation. Crate-private: the crate root re-exports what users need,
//! [`now_unix`](crate::now_unix) and [`parse_rfc3339`](crate::parse_rfc3339).
//!
//! Core code never reads the clock itself: it takes `now` as a parameter, because
//! `SystemTime::now()` panics on `wasm32-unknown-unknown`. [`now_unix`] is for native
//! callers.

use crate::error::{Error, Result};

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

/// The date of a day number since 1970-01-01: (year, month, day).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Broken-down UTC time of unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Civil {
    /// Year, e.g. 2026.
    pub year: i64,
    /// Month, 1 to 12.
    pub month: u32,
    /// Day of month, 1 to 31.
    pub day: u32,
    /// Hour, 0 to 23.
    pub hour: u32,
    /// Minute, 0 to 59.
    pub minute: u32,
    /// Second, 0 to 59.
    pub second: u32,
}

impl Civil {
    /// The UTC calendar time of `unix` seconds.
    pub(crate) fn from_unix(unix: i64) -> Civil {
        let days = unix.div_euclid(86_400);
        let secs = unix.rem_euclid(86_400) as u32;
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: secs / 3600,
            minute: secs / 60 % 60,
            second: secs % 60,
        }
    }

    /// Unix seconds of this calendar time.
    pub(crate) fn to_unix(self) -> i64 {
        days_from_civil(self.year, self.month, self.day) * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
    }
}

/// `2026-11-23T12:00:00Z`
pub(crate) fn format_rfc3339(unix: i64) -> String {
    let c = Civil::from_unix(unix);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

/// `20261123T120000Z`, the form of AWS's `x-amz-date`.
pub(crate) fn format_basic(unix: i64) -> String {
    let c = Civil::from_unix(unix);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

/// Reads an RFC 3339 date-time (`2026-11-23T12:00:00Z`, with optional fraction and a
/// `Z` or `±hh:mm` offset) as unix seconds; fractions are dropped.
///
/// ```
/// assert_eq!(munity::parse_rfc3339("2015-08-30T12:36:00Z").unwrap(), 1_440_938_160);
/// assert_eq!(munity::parse_rfc3339("2015-08-30T14:36:00+02:00").unwrap(), 1_440_938_160);
/// ```
pub fn parse_rfc3339(text: &str) -> Result<i64> {
    let bad = || {
        Error::invalid(
            "invalid_time",
            "expected an RFC 3339 date-time such as 2026-11-23T12:00:00Z",
        )
    };
    let b = text.as_bytes();
    if !text.is_ascii()
        || b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return Err(bad());
    }
    let num = |range: std::ops::Range<usize>| -> Result<u32> {
        let s = &text[range];
        if s.bytes().all(|c| c.is_ascii_digit()) {
            s.parse().map_err(|_| bad())
        } else {
            Err(bad())
        }
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
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
    if !(1..=12).contains(&month)
        || day == 0
        || day > month_days[month as usize - 1]
        || hour > 23
        || minute > 59
        || second > 60
    {
        return Err(bad());
    }
    let mut rest = &text[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(bad());
        }
        rest = &frac[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ if rest.len() == 6 && matches!(&rest[..1], "+" | "-") && &rest[3..4] == ":" => {
            let h = num(text.len() - 5..text.len() - 3)? as i64;
            let m = num(text.len() - 2..text.len())? as i64;
            if h > 23 || m > 59 {
                return Err(bad());
            }
            let off = h * 3600 + m * 60;
            if rest.starts_with('+') {
                off
            } else {
                -off
            }
        }
        _ => return Err(bad()),
    };
    let civil = Civil {
        year: i64::from(year),
        month,
        day,
        hour,
        minute,
        second: second.min(59),
    };
    Ok(civil.to_unix() - offset)
}

/// The current unix time in seconds: the `now` that signing and verifying take. Not
/// available on wasm32 (take `now` from `js_sys::Date` there).
///
/// ```
/// assert!(munity::now_unix() > 1_700_000_000);
/// ```
#[cfg(not(target_arch = "wasm32"))]
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_known_dates() {
        for (unix, text) in [
            (0, "1970-01-01T00:00:00Z"),
            (951_782_400, "2000-02-29T00:00:00Z"),
            (1_440_938_160, "2015-08-30T12:36:00Z"),
            (4_102_444_799, "2099-12-31T23:59:59Z"),
            (-1, "1969-12-31T23:59:59Z"),
        ] {
            assert_eq!(format_rfc3339(unix), text);
            assert_eq!(parse_rfc3339(text).unwrap(), unix);
        }
        assert_eq!(format_basic(1_440_938_160), "20150830T123600Z");
    }

    #[test]
    fn offsets_and_fractions() {
        assert_eq!(
            parse_rfc3339("2015-08-30T14:36:00.123+02:00").unwrap(),
            1_440_938_160
        );
        assert_eq!(
            parse_rfc3339("2015-08-30T10:36:00-02:00").unwrap(),
            1_440_938_160
        );
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "2015-02-30T00:00:00Z",
            "2015-13-01T00:00:00Z",
            "2015-08-30T12:36:00",
            "2015-08-30T12:36:00+2",
            "２015-08-30T12:36:00Z",
            "2015-08-30T12:36:00.Z",
        ] {
            assert!(parse_rfc3339(bad).is_err(), "{bad}");
        }
    }
}
