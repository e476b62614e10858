//! Conversions between `DateTime` and the `chrono` and `time` crates (behind features).
//!
//! XML-RPC times have no zone, so they map to the zone-less types: chrono's
//! `NaiveDateTime` and time's `PrimitiveDateTime`. A zone read from the wire is dropped
//! by the conversion (the local time is kept); leap seconds are refused.

#[cfg(any(feature = "chrono", feature = "time"))]
use super::{DateTime, DateTimeError};

#[cfg(any(feature = "chrono", feature = "time"))]
fn out_of_range(t: impl std::fmt::Display, reason: &'static str) -> DateTimeError {
    DateTimeError::new(t.to_string(), reason)
}

#[cfg(feature = "chrono")]
mod chrono_impl {
    use super::*;
    use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

    impl TryFrom<NaiveDateTime> for DateTime {
        type Error = DateTimeError;
        /// ```
        /// let t = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap().and_hms_opt(10, 0, 0).unwrap();
        /// assert_eq!(xmlrpc_kit::DateTime::try_from(t)?.to_string(), "20261125T10:00:00");
        /// # Ok::<(), xmlrpc_kit::value::DateTimeError>(())
        /// ```
        fn try_from(t: NaiveDateTime) -> Result<Self, DateTimeError> {
            let year =
                u16::try_from(t.year()).map_err(|_| out_of_range(t, "year is not in 0..=9999"))?;
            let mut out = DateTime::new(
                year,
                t.month() as u8,
                t.day() as u8,
                t.hour() as u8,
                t.minute() as u8,
                t.second() as u8,
            )?;
            out.nanosecond = t.nanosecond().min(999_999_999);
            Ok(out)
        }
    }

    impl TryFrom<DateTime> for NaiveDateTime {
        type Error = DateTimeError;
        /// ```
        /// let t: xmlrpc_kit::DateTime = "20261125T10:00:00".parse()?;
        /// let n = chrono::NaiveDateTime::try_from(t)?;
        /// assert_eq!(n.to_string(), "2026-11-25 10:00:00");
        /// # Ok::<(), xmlrpc_kit::value::DateTimeError>(())
        /// ```
        fn try_from(t: DateTime) -> Result<Self, DateTimeError> {
            NaiveDate::from_ymd_opt(t.year.into(), t.month.into(), t.day.into())
                .and_then(|d| {
                    d.and_hms_nano_opt(
                        t.hour.into(),
                        t.minute.into(),
                        t.second.into(),
                        t.nanosecond,
                    )
                })
                .ok_or_else(|| out_of_range(t, "not representable in chrono (a leap second?)"))
        }
    }
}

#[cfg(feature = "time")]
mod time_impl {
    use super::*;
    use time::{Date, Month, PrimitiveDateTime, Time};

    impl TryFrom<PrimitiveDateTime> for DateTime {
        type Error = DateTimeError;
        /// ```
        /// let t = time::PrimitiveDateTime::new(
        ///     time::Date::from_calendar_date(2026, time::Month::November, 25).unwrap(),
        ///     time::Time::from_hms(10, 0, 0).unwrap(),
        /// );
        /// assert_eq!(xmlrpc_kit::DateTime::try_from(t)?.to_string(), "20261125T10:00:00");
        /// # Ok::<(), xmlrpc_kit::value::DateTimeError>(())
        /// ```
        fn try_from(t: PrimitiveDateTime) -> Result<Self, DateTimeError> {
            let year =
                u16::try_from(t.year()).map_err(|_| out_of_range(t, "year is not in 0..=9999"))?;
            let mut out = DateTime::new(
                year,
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second(),
            )?;
            out.nanosecond = t.nanosecond();
            Ok(out)
        }
    }

    impl TryFrom<DateTime> for PrimitiveDateTime {
        type Error = DateTimeError;
        /// ```
        /// let t: xmlrpc_kit::DateTime = "20261125T10:00:00".parse()?;
        /// let p = time::PrimitiveDateTime::try_from(t)?;
        /// assert_eq!((p.year(), p.hour()), (2026, 10));
        /// # Ok::<(), xmlrpc_kit::value::DateTimeError>(())
        /// ```
        fn try_from(t: DateTime) -> Result<Self, DateTimeError> {
            let month =
                Month::try_from(t.month).map_err(|_| out_of_range(t, "month is not in 1..=12"))?;
            let date = Date::from_calendar_date(t.year.into(), month, t.day)
                .map_err(|_| out_of_range(t, "date not representable in time"))?;
            let clock = Time::from_hms_nano(t.hour, t.minute, t.second, t.nanosecond)
                .map_err(|_| out_of_range(t, "not representable in time (a leap second?)"))?;
            Ok(PrimitiveDateTime::new(date, clock))
        }
    }
}
