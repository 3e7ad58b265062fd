//! Dates and times as Belfry writes them (`2026-12-24`, `09:00`, `2026-12-24 09:00:30`),
//! written field by field.
//!
//! chrono's `format("%Y-%m-%d")` reads its pattern when it runs, so the wasm carried chrono's
//! whole formatter (strftime's parser and every item it can print, RFC 2822 included: about
//! 9 KB in each section that formats a date). These print the same text for the years a
//! schedule can have (4 digits; chrono would add a sign beyond 9999).
use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use std::fmt;

/// `2026-12-24`.
pub fn date(date: NaiveDate) -> impl fmt::Display {
    Field(move |f: &mut fmt::Formatter<'_>| {
        write!(
            f,
            "{:04}-{:02}-{:02}",
            date.year(),
            date.month(),
            date.day()
        )
    })
}

/// `09:00`, or `09:00:30` with `seconds`.
pub fn time(time: NaiveTime, seconds: bool) -> impl fmt::Display {
    Field(move |f: &mut fmt::Formatter<'_>| {
        write!(f, "{:02}:{:02}", time.hour(), time.minute())?;
        if seconds {
            write!(f, ":{:02}", time.second())?;
        }
        Ok(())
    })
}

/// The date, `separator` (`' '` or ISO 8601's `'T'`), then the time.
pub fn date_time(at: NaiveDateTime, separator: char, seconds: bool) -> impl fmt::Display {
    Field(move |f: &mut fmt::Formatter<'_>| {
        write!(
            f,
            "{}{separator}{}",
            date(at.date()),
            time(at.time(), seconds)
        )
    })
}

struct Field<F>(F);

impl<F: Fn(&mut fmt::Formatter<'_>) -> fmt::Result> fmt::Display for Field<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (self.0)(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;
    use proptest::prelude::*;

    proptest! {
        /// The same text as chrono's patterns, for every instant from 1970 to 2199.
        #[test]
        fn as_chrono_writes_them(seconds in 0i64..7_258_118_400) {
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
