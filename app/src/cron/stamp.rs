//! Dates and times as Belfry writes them (`2026-12-24`, `09:00`, `2026-12-24 09:00:30`),
//! written field by field.
//!
//! chrono's `format("%Y-%m-%d")` reads its pattern when it runs, so the wasm carried chrono's
//! whole formatter (strftime's parser and every item it can print, RFC 2822 included: about
//! 9 KB in each section that formats a date). These print the same text as chrono's `%Y-%m-%d`,
//! `%H:%M` and `%H:%M:%S`, a year outside 0-9999 with its sign as chrono does.
//!
//! [`read_utc`] reads, likewise, what chrono's serde writes: an instant in RFC 3339. chrono's
//! own reader, behind its `Deserialize`, is its general parser (every item it can read, RFC
//! 2822 included): 7 KB brotli in each section that reads a date from the server.
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Timelike, Utc};
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

/// An instant in RFC 3339, as chrono's serde writes and reads one: `2026-12-24T09:00:30Z`,
/// with up to nine digits of a second's fraction, `Z` or an offset (`+09:00`), a year of four
/// digits or a signed one of more (`+10000`), and 60 for a leap second; `None` for anything
/// else.
pub fn read_utc(text: &str) -> Option<DateTime<Utc>> {
    let bytes = text.as_bytes();
    let signed = matches!(bytes.first(), Some(b'+' | b'-'));
    let sign = if bytes.first() == Some(&b'-') { -1 } else { 1 };
    let mut at = usize::from(signed);
    // The next byte, when it is one of `want`.
    let expect = |want: &[u8], at: &mut usize| -> Option<()> {
        let next = *bytes.get(*at)?;
        want.contains(&next).then(|| *at += 1)
    };
    // `width` ASCII digits (or more, up to nine, with `more`) as a number.
    let number = |at: &mut usize, width: usize, more: bool| -> Option<u32> {
        let count = bytes[*at..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if count < width || (!more && count > width) || count > 9 {
            return None;
        }
        let value = bytes[*at..*at + count]
            .iter()
            .fold(0, |n, b| n * 10 + u32::from(b - b'0'));
        *at += count;
        Some(value)
    };
    // A year of four digits, or signed and of four or more.
    let year = number(&mut at, 4, signed)?;
    expect(b"-", &mut at)?;
    let month = number(&mut at, 2, false)?;
    expect(b"-", &mut at)?;
    let day = number(&mut at, 2, false)?;
    expect(b"Tt ", &mut at)?;
    let hour = number(&mut at, 2, false)?;
    expect(b":", &mut at)?;
    let minute = number(&mut at, 2, false)?;
    expect(b":", &mut at)?;
    let second = number(&mut at, 2, false)?;
    let mut nano = 0;
    if expect(b".", &mut at).is_some() {
        let start = at;
        let fraction = number(&mut at, 1, true)?;
        nano = fraction * 10u32.pow(9 - u32::try_from(at - start).ok()?);
    }
    let offset = match *bytes.get(at)? {
        b'Z' | b'z' => {
            at += 1;
            0
        }
        b'+' | b'-' => {
            let east = if bytes[at] == b'-' { -1 } else { 1 };
            at += 1;
            let hours = number(&mut at, 2, false)?;
            expect(b":", &mut at)?;
            let minutes = number(&mut at, 2, false)?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            east * i64::from(hours * 60 + minutes)
        }
        _ => return None,
    };
    if at != bytes.len() {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(sign * i32::try_from(year).ok()?, month, day)?;
    // A leap second is the 59th's second thousand million nanoseconds, as chrono keeps it.
    let time = match second {
        60 => NaiveTime::from_hms_nano_opt(hour, minute, 59, 1_000_000_000 + nano)?,
        _ => NaiveTime::from_hms_nano_opt(hour, minute, second, nano)?,
    };
    let local = date.and_time(time);
    let utc = local.checked_sub_signed(TimeDelta::try_minutes(offset)?)?;
    Some(DateTime::from_naive_utc_and_offset(utc, Utc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;
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

        /// What chrono's serde writes, in UTC or at any offset, with or without a fraction of
        /// a second, reads back as the same instant, as chrono's own reader reads it.
        #[test]
        fn reads_what_chrono_writes(
            seconds in -71_000_000_000i64..316_500_000_000,
            nanos in prop_oneof![Just(0u32), 0u32..1_000_000_000],
            offset in -86_399i32..86_400,
        ) {
            let at = DateTime::from_timestamp(seconds, nanos).unwrap();
            let written = serde_json::to_string(&at).unwrap();
            prop_assert_eq!(read_utc(written.trim_matches('"')), Some(at));
            let there = at.with_timezone(&FixedOffset::east_opt(offset / 60 * 60).unwrap());
            let text = there.to_rfc3339();
            prop_assert_eq!(read_utc(&text), Some(at), "{}", text);
            // chrono's `FromStr`, which its `Deserialize` used.
            prop_assert_eq!(read_utc(&text), text.parse::<DateTime<Utc>>().ok());
        }

        /// Any text: what it reads is what chrono reads, and it never panics.
        #[test]
        fn reads_no_more_than_chrono(text in "[-+]?[0-9]{4,5}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?([Zz]|[-+][0-9]{2}:[0-9]{2})") {
            if let Some(at) = read_utc(&text) {
                let chrono: DateTime<Utc> = text.parse().unwrap();
                prop_assert_eq!(at, chrono);
            }
        }
    }

    #[test]
    fn reads_a_leap_second_and_refuses_what_is_no_instant() {
        let leap = read_utc("2016-12-31T23:59:60.5Z").unwrap();
        assert_eq!(leap.timestamp_subsec_nanos(), 1_500_000_000);
        assert_eq!(Some(leap), "2016-12-31T23:59:60.5Z".parse().ok());
        for bad in [
            "",
            "2026-12-24",
            "2026-12-24T09:00Z",
            "2026-12-24T09:00:00",
            "2026-02-30T09:00:00Z",
            "2026-12-24T24:00:00Z",
            "2026-12-24T09:00:00.Z",
            "2026-12-24T09:00:00+0900",
            "2026-12-24T09:00:00+24:00",
            "2026-12-24T09:00:00Z ",
            "26-12-24T09:00:00Z",
            "2026-1-24T09:00:00Z",
        ] {
            assert_eq!(read_utc(bad), None, "{bad}");
        }
        assert_eq!(
            read_utc("2026-12-24T09:00:00+09:00"),
            read_utc("2026-12-24T00:00:00Z")
        );
    }
}
