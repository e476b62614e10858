//! `DateTime`: XML-RPC's `dateTime.iso8601`, a calendar time with no zone of its own.

use std::fmt;
use std::str::FromStr;

/// An XML-RPC `dateTime.iso8601` value.
///
/// XML-RPC times carry no zone: the peers agree on one out of band. This type keeps what the
/// wire says. It is written strictly as `YYYYMMDDTHH:MM:SS`, and read leniently: with or
/// without dashes and colons, with a fraction of a second, with a zone (`Z`, `+02:00`,
/// `-0500`), or as a date alone. A fraction or zone that was read is kept and written back.
///
/// ```
/// use xmlrpc_kit::DateTime;
///
/// let t: DateTime = "2026-11-25T10:00:00".parse()?;
/// assert_eq!(t.to_string(), "20261125T10:00:00");
/// assert_eq!((t.year, t.month, t.day, t.hour), (2026, 11, 25, 10));
/// # Ok::<(), xmlrpc_kit::value::DateTimeError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DateTime {
    /// Year, 0 to 9999.
    pub year: u16,
    /// Month, 1 to 12.
    pub month: u8,
    /// Day of the month, 1 to 31.
    pub day: u8,
    /// Hour, 0 to 23.
    pub hour: u8,
    /// Minute, 0 to 59.
    pub minute: u8,
    /// Second, 0 to 60 (60 for a leap second).
    pub second: u8,
    /// Nanoseconds past the second; written only when not zero.
    pub nanosecond: u32,
    /// Offset from UTC in minutes when the wire named one; written only when present.
    pub offset_minutes: Option<i16>,
}

/// Why a text is not a `dateTime.iso8601`.
///
/// ```
/// let err = "2026-13-01T00:00:00".parse::<xmlrpc_kit::DateTime>().unwrap_err();
/// assert!(err.to_string().contains("month"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid dateTime.iso8601 `{text}`: {reason}")]
pub struct DateTimeError {
    text: String,
    reason: &'static str,
}

impl DateTimeError {
    #[cfg(any(feature = "chrono", feature = "time"))]
    pub(crate) fn new(text: String, reason: &'static str) -> Self {
        DateTimeError { text, reason }
    }
}

impl DateTime {
    /// A time from its parts, checked for range (the day against the month and leap years).
    ///
    /// ```
    /// use xmlrpc_kit::DateTime;
    /// assert!(DateTime::new(2024, 2, 29, 23, 59, 59).is_ok());
    /// assert!(DateTime::new(2023, 2, 29, 0, 0, 0).is_err());
    /// ```
    pub fn new(
        year: u16,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
    ) -> Result<Self, DateTimeError> {
        let t = DateTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
            nanosecond: 0,
            offset_minutes: None,
        };
        t.check().map_err(|reason| DateTimeError {
            text: t.to_string(),
            reason,
        })?;
        Ok(t)
    }

    fn check(&self) -> Result<(), &'static str> {
        if self.year > 9999 {
            return Err("year is beyond 9999");
        }
        if !(1..=12).contains(&self.month) {
            return Err("month is not in 1..=12");
        }
        if self.day == 0 || self.day > days_in_month(self.year, self.month) {
            return Err("day does not exist in that month");
        }
        if self.hour > 23 {
            return Err("hour is not in 0..=23");
        }
        if self.minute > 59 {
            return Err("minute is not in 0..=59");
        }
        if self.second > 60 {
            return Err("second is not in 0..=60");
        }
        if self.nanosecond > 999_999_999 {
            return Err("fraction is not below one second");
        }
        if let Some(offset) = self.offset_minutes {
            if offset.abs() >= 24 * 60 {
                return Err("zone offset is not within 24 hours");
            }
        }
        Ok(())
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for DateTime {
    /// The strict wire form `YYYYMMDDTHH:MM:SS`, plus a fraction and a zone when present.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}{:02}{:02}T{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )?;
        if self.nanosecond != 0 {
            let digits = format!("{:09}", self.nanosecond);
            write!(f, ".{}", digits.trim_end_matches('0'))?;
        }
        match self.offset_minutes {
            None => Ok(()),
            Some(0) => f.write_str("Z"),
            Some(m) => {
                let sign = if m < 0 { '-' } else { '+' };
                let m = m.unsigned_abs();
                write!(f, "{sign}{:02}:{:02}", m / 60, m % 60)
            }
        }
    }
}

impl FromStr for DateTime {
    type Err = DateTimeError;

    fn from_str(text: &str) -> Result<Self, DateTimeError> {
        let fail = |reason| DateTimeError {
            text: text.chars().take(64).collect(),
            reason,
        };
        let mut p = Cursor {
            rest: text.trim().as_bytes(),
        };
        let year = p.digits(4).ok_or_else(|| fail("expected a 4-digit year"))?;
        p.skip(b'-');
        let month = p
            .digits(2)
            .ok_or_else(|| fail("expected a 2-digit month"))?;
        p.skip(b'-');
        let day = p.digits(2).ok_or_else(|| fail("expected a 2-digit day"))?;
        let mut t = DateTime {
            year: year as u16,
            month: month as u8,
            day: day as u8,
            hour: 0,
            minute: 0,
            second: 0,
            nanosecond: 0,
            offset_minutes: None,
        };
        if p.skip(b'T') || p.skip(b't') || p.skip(b' ') {
            t.hour = p.digits(2).ok_or_else(|| fail("expected a 2-digit hour"))? as u8;
            p.skip(b':');
            t.minute = p
                .digits(2)
                .ok_or_else(|| fail("expected 2-digit minutes"))? as u8;
            p.skip(b':');
            t.second = p
                .digits(2)
                .ok_or_else(|| fail("expected 2-digit seconds"))? as u8;
            if p.skip(b'.') || p.skip(b',') {
                t.nanosecond = p
                    .fraction()
                    .ok_or_else(|| fail("expected fraction digits"))?;
            }
            t.offset_minutes = p.zone().map_err(fail)?;
        }
        if !p.rest.is_empty() {
            return Err(fail("unexpected text after the time"));
        }
        t.check().map_err(fail)?;
        Ok(t)
    }
}

/// A tiny byte cursor for the date grammar.
struct Cursor<'a> {
    rest: &'a [u8],
}

impl Cursor<'_> {
    fn skip(&mut self, byte: u8) -> bool {
        match self.rest.split_first() {
            Some((&b, rest)) if b == byte => {
                self.rest = rest;
                true
            }
            _ => false,
        }
    }

    fn digits(&mut self, n: usize) -> Option<u32> {
        let (head, rest) = self.rest.split_at_checked(n)?;
        let mut v = 0u32;
        for &b in head {
            if !b.is_ascii_digit() {
                return None;
            }
            v = v * 10 + u32::from(b - b'0');
        }
        self.rest = rest;
        Some(v)
    }

    fn fraction(&mut self) -> Option<u32> {
        let len = self.rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if len == 0 {
            return None;
        }
        let mut nanos = 0u32;
        for i in 0..9 {
            let digit = self.rest.get(i).filter(|_| i < len).map_or(0, |b| b - b'0');
            nanos = nanos * 10 + u32::from(digit);
        }
        self.rest = &self.rest[len..];
        Some(nanos)
    }

    fn zone(&mut self) -> Result<Option<i16>, &'static str> {
        if self.skip(b'Z') || self.skip(b'z') {
            return Ok(Some(0));
        }
        let sign = if self.skip(b'+') {
            1
        } else if self.skip(b'-') {
            -1
        } else {
            return Ok(None);
        };
        let hours = self.digits(2).ok_or("expected 2-digit zone hours")?;
        self.skip(b':');
        let minutes = if self.rest.is_empty() {
            0
        } else {
            self.digits(2).ok_or("expected 2-digit zone minutes")?
        };
        if hours > 23 || minutes > 59 {
            return Err("zone offset is out of range");
        }
        Ok(Some(sign * (hours * 60 + minutes) as i16))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> DateTime {
        match s.parse() {
            Ok(t) => t,
            Err(e) => panic!("{s}: {e}"),
        }
    }

    #[test]
    fn reads_every_common_spelling() {
        let plain = parse("20261125T10:11:12");
        assert_eq!(plain.to_string(), "20261125T10:11:12");
        for s in [
            "2026-11-25T10:11:12",
            "20261125T101112",
            " 20261125T10:11:12\n",
            "2026-11-25 10:11:12",
        ] {
            assert_eq!(parse(s), plain, "{s}");
        }
        assert_eq!(parse("20261125").to_string(), "20261125T00:00:00");
    }

    #[test]
    fn keeps_fraction_and_zone() {
        let t = parse("2026-11-25T10:11:12.250+02:00");
        assert_eq!(t.nanosecond, 250_000_000);
        assert_eq!(t.offset_minutes, Some(120));
        assert_eq!(t.to_string(), "20261125T10:11:12.25+02:00");
        assert_eq!(parse("20261125T10:11:12Z").offset_minutes, Some(0));
        assert_eq!(parse("20261125T10:11:12-0530").offset_minutes, Some(-330));
    }

    #[test]
    fn refuses_impossible_times() {
        for s in [
            "",
            "2026",
            "20261325T00:00:00",
            "20260230T00:00:00",
            "20261125T24:00:00",
            "20261125T10:60:00",
            "20261125T10:00:00junk",
            "2026112xT00:00:00",
            "20261125T10:00:00+25:00",
        ] {
            assert!(s.parse::<DateTime>().is_err(), "{s} was accepted");
        }
    }
}
