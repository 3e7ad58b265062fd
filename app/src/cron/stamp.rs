//! Dates and times as Belfry writes them (`2026-12-24`, `09:00`, `2026-12-24 09:00:30`),
//! written field by field.
//!
//! chrono's `format("%Y-%m-%d")` reads its pattern when it runs, so the wasm carried chrono's
//! whole formatter (strftime's parser and every item it can print, RFC 2822 included: about
//! 9 KB in each section that formats a date). These print the same text as chrono's `%Y-%m-%d`,
//! `%H:%M` and `%H:%M:%S`, a year outside 0-9999 with its sign as chrono does.
use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use std::fmt;

/// `2026-12-24`.
pub fn date(date: NaiveDate) -> impl fmt::Display {
    fmt::from_fn(move |f: &mut fmt::Formatter<'_>| {
        let year = date.year();
        if (0..=9999).contains(&year) {
            write!(f, "{year:04}")?;
        } else {
            write!(f, "{year:+05}")?;
        }
        write!(f, "-{:02}-{:02}", date.month(), date.day())
    })
}

/// `09:00`, or `09:00:30` with `seconds`.
pub fn time(time: NaiveTime, seconds: bool) -> impl fmt::Display {
    fmt::from_fn(move |f: &mut fmt::Formatter<'_>| {
        write!(f, "{:02}:{:02}", time.hour(), time.minute())?;
        if seconds {
            write!(f, ":{:02}", time.second())?;
        }
        Ok(())
    })
}

/// The date, `separator` (`' '` or ISO 8601's `'T'`), then the time.
pub fn date_time(at: NaiveDateTime, separator: char, seconds: bool) -> impl fmt::Display {
    fmt::from_fn(move |f: &mut fmt::Formatter<'_>| {
        write!(
            f,
            "{}{separator}{}",
            date(at.date()),
            time(at.time(), seconds)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;
    use proptest::prelude::*;

    proptest! {
        /// The same text as chrono's patterns, for every instant from the year -300 to 12000
        /// (a schedule's are 1970 to 2199, an `at()` moved to UTC any 4-digit year and a day).
        #[test]
        fn as_chrono_writes_them(seconds in -71_000_000_000i64..316_500_000_000) {
            let at = DateTime::from_timestamp(seconds, 0).unwrap().naive_utc();
            prop_assert_eq!(date(at.date()).to_string(), at.format("%Y-%m-%d").to_string());
            prop_assert_eq!(time(at.time(), false).to_string(), at.format("%H:%M").to_string());
            prop_assert_eq!(
                date_time(at, 'T', true).to_string(),
                at.format("%Y-%m-%dT%H:%M:%S").to_string()
            );
            prop_assert_eq!(
                date_time(at, ' ', false).to_string(),
                at.format("%Y-%m-%d %H:%M").to_string()
            );
        }
    }
}
