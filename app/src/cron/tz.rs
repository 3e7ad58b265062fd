//! IANA time zones for the engine and the pages: a zone by its name, whose rules (the UTC
//! offset at each instant) come from chrono-tz's table everywhere but in the browser, which
//! asks its own time zone database through `Intl.DateTimeFormat` instead ([`browser`]).
//!
//! Why: chrono-tz's table of every zone's transitions is 885 KB of the browser's wasm (65 KB
//! brotli), a quarter of what the cron playground downloads on a first visit, and the browser
//! already holds the same IANA database. The engine reads a zone only through chrono's
//! [`TimeZone`], so it does not know which rules it is given; the server, the CLI, the tests
//! and the fuzzers read chrono-tz's. The two databases can differ where the IANA data changed
//! between their releases, for a zone's past or a newly announced change; a page rendered by
//! the server is then corrected by the browser when it hydrates.
use chrono::{FixedOffset, MappedLocalTime, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone};
use std::fmt;
use std::str::FromStr;

/// An IANA time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tz(chrono_tz::Tz);

impl Tz {
    pub const UTC: Tz = Tz(chrono_tz::Tz::UTC);

    /// The IANA name: `Asia/Seoul`.
    pub fn name(self) -> &'static str {
        self.0.name()
    }

    /// Every zone, in the IANA database's order of names.
    pub fn all() -> impl Iterator<Item = Tz> {
        chrono_tz::TZ_VARIANTS.iter().map(|zone| Tz(*zone))
    }
}

impl From<chrono_tz::Tz> for Tz {
    fn from(zone: chrono_tz::Tz) -> Self {
        Tz(zone)
    }
}

impl FromStr for Tz {
    type Err = chrono_tz::ParseError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        name.parse().map(Tz)
    }
}

impl fmt::Display for Tz {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A zone's offset from UTC at some instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TzOffset {
    zone: Tz,
    fixed: FixedOffset,
}

impl Offset for TzOffset {
    fn fix(&self) -> FixedOffset {
        self.fixed
    }
}

impl fmt::Display for TzOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.fixed, f)
    }
}

impl TimeZone for Tz {
    type Offset = TzOffset;

    fn from_offset(offset: &TzOffset) -> Self {
        offset.zone
    }

    fn offset_from_local_date(&self, local: &NaiveDate) -> MappedLocalTime<TzOffset> {
        self.offset_from_local_datetime(&local.and_time(NaiveTime::MIN))
    }

    fn offset_from_local_datetime(&self, local: &NaiveDateTime) -> MappedLocalTime<TzOffset> {
        rules::from_local(self.0, *local).map(|fixed| TzOffset { zone: *self, fixed })
    }

    fn offset_from_utc_date(&self, utc: &NaiveDate) -> TzOffset {
        self.offset_from_utc_datetime(&utc.and_time(NaiveTime::MIN))
    }

    fn offset_from_utc_datetime(&self, utc: &NaiveDateTime) -> TzOffset {
        TzOffset {
            zone: *self,
            fixed: rules::offset_at(self.0, *utc),
        }
    }
}

/// chrono-tz's table.
#[cfg(not(all(target_arch = "wasm32", feature = "hydrate")))]
mod rules {
    use super::*;

    pub fn offset_at(zone: chrono_tz::Tz, utc: NaiveDateTime) -> FixedOffset {
        zone.offset_from_utc_datetime(&utc).fix()
    }

    pub fn from_local(zone: chrono_tz::Tz, local: NaiveDateTime) -> MappedLocalTime<FixedOffset> {
        zone.offset_from_local_datetime(&local)
            .map(|offset| offset.fix())
    }
}

#[cfg(all(target_arch = "wasm32", feature = "hydrate"))]
use browser as rules;

/// The browser's time zone database, through `Intl.DateTimeFormat`. A formatter with
/// `timeZoneName: "longOffset"` prints an instant's offset in the zone (`GMT+09:00`); the
/// rules for a UTC day are read once (its offset at the start and the end, and where they
/// differ, the second the clocks changed, by bisection) and kept for the page's life, so a
/// preview asks the browser a couple of times for each day it touches, once.
#[cfg(all(target_arch = "wasm32", feature = "hydrate"))]
mod browser {
    use super::*;
    use std::cell::RefCell;
    use std::collections::HashMap;
    use wasm_bindgen::{JsCast, JsValue};

    const DAY: i64 = 86_400;

    /// One UTC day's rules: the offset at its start and at its end, and the second it
    /// changed, if it did. No zone changes its offset twice in a day.
    #[derive(Clone, Copy)]
    struct Day {
        start: i32,
        end: i32,
        change: Option<i64>,
    }

    struct Zone {
        /// The formatter's `format`; None when the browser does not know the zone.
        format: Option<js_sys::Function>,
        days: HashMap<i64, Day>,
    }

    thread_local! {
        static ZONES: RefCell<HashMap<chrono_tz::Tz, Zone>> = RefCell::new(HashMap::new());
    }

    impl Zone {
        fn new(zone: chrono_tz::Tz) -> Zone {
            let options = js_sys::Object::new();
            for (key, value) in [("timeZone", zone.name()), ("timeZoneName", "longOffset")] {
                let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
            }
            let locales = js_sys::Array::of1(&"en-US".into());
            // `new Intl.DateTimeFormat(…)` through Reflect: it throws a RangeError for a zone
            // the browser does not know, which js-sys' binding would not catch.
            let format = js_sys::Reflect::get(&js_sys::global(), &"Intl".into())
                .and_then(|intl| js_sys::Reflect::get(&intl, &"DateTimeFormat".into()))
                .and_then(|class| {
                    js_sys::Reflect::construct(
                        class.unchecked_ref::<js_sys::Function>(),
                        &js_sys::Array::of2(&locales, &options),
                    )
                })
                .ok()
                .map(|formatter| {
                    formatter
                        .unchecked_into::<js_sys::Intl::DateTimeFormat>()
                        .format()
                });
            Zone {
                format,
                days: HashMap::new(),
            }
        }

        /// The offset in seconds at `second` (Unix time), as the browser says.
        fn ask(&self, second: i64) -> i32 {
            let Some(format) = &self.format else {
                return 0;
            };
            let date = js_sys::Date::new(&JsValue::from_f64(second as f64 * 1000.0));
            format
                .call1(&JsValue::NULL, &date)
                .ok()
                .and_then(|text| text.as_string())
                .and_then(|text| parse_gmt(&text))
                .unwrap_or(0)
        }

        fn day(&mut self, day: i64) -> Day {
            if let Some(rules) = self.days.get(&day) {
                return *rules;
            }
            let (from, to) = (day * DAY, (day + 1) * DAY);
            // A day ends at the offset the next one starts with: a scan over days asks once a day.
            let start = match self.days.get(&(day - 1)) {
                Some(before) => before.end,
                None => self.ask(from),
            };
            let end = match self.days.get(&(day + 1)) {
                Some(after) => after.start,
                None => self.ask(to),
            };
            let change = (start != end).then(|| {
                // The old offset holds at lo, the new one at hi.
                let (mut lo, mut hi) = (from, to);
                while hi - lo > 1 {
                    let mid = lo + (hi - lo) / 2;
                    if self.ask(mid) == start {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                hi
            });
            let rules = Day { start, end, change };
            self.days.insert(day, rules);
            rules
        }

        fn offset(&mut self, second: i64) -> i32 {
            let rules = self.day(second.div_euclid(DAY));
            match rules.change {
                Some(at) if second >= at => rules.end,
                _ => rules.start,
            }
        }
    }

    fn with_zone<T>(zone: chrono_tz::Tz, f: impl FnOnce(&mut Zone) -> T) -> T {
        ZONES.with(|zones| {
            let mut zones = zones.borrow_mut();
            f(zones.entry(zone).or_insert_with(|| Zone::new(zone)))
        })
    }

    fn fixed(seconds: i32) -> FixedOffset {
        FixedOffset::east_opt(seconds).unwrap_or_else(|| chrono::Utc.fix())
    }

    pub fn offset_at(zone: chrono_tz::Tz, utc: NaiveDateTime) -> FixedOffset {
        if zone == chrono_tz::Tz::UTC {
            return fixed(0);
        }
        fixed(with_zone(zone, |rules| {
            rules.offset(utc.and_utc().timestamp())
        }))
    }

    /// The offsets that map `local` to an instant: those in force a day before and a day
    /// after it (no zone is more than 14 hours from UTC), each kept if the instant it gives
    /// has that offset. None in a gap; in an overlap, the earlier instant first.
    pub fn from_local(zone: chrono_tz::Tz, local: NaiveDateTime) -> MappedLocalTime<FixedOffset> {
        if zone == chrono_tz::Tz::UTC {
            return MappedLocalTime::Single(fixed(0));
        }
        let wall = local.and_utc().timestamp();
        with_zone(zone, |rules| {
            let (before, after) = (rules.offset(wall - DAY), rules.offset(wall + DAY));
            let mut holds = |offset: i32| rules.offset(wall - i64::from(offset)) == offset;
            // The larger offset is the earlier instant.
            let (earlier, later) = (before.max(after), before.min(after));
            match (holds(earlier), later != earlier && holds(later)) {
                (false, false) => MappedLocalTime::None,
                (true, false) => MappedLocalTime::Single(fixed(earlier)),
                (false, true) => MappedLocalTime::Single(fixed(later)),
                (true, true) => MappedLocalTime::Ambiguous(fixed(earlier), fixed(later)),
            }
        })
    }
}

/// What the browser's formatter prints of an offset (`…, GMT+09:00`), in seconds east of
/// UTC: `GMT` alone is UTC; `GMT-03:30` and `GMT+05:53:28` (a local mean time before 1900)
/// read too.
#[cfg(any(test, all(target_arch = "wasm32", feature = "hydrate")))]
fn parse_gmt(text: &str) -> Option<i32> {
    let rest = &text[text.rfind("GMT")? + 3..];
    let mut chars = rest.chars();
    let sign = match chars.next() {
        None => return Some(0),
        Some('+') => 1,
        Some('-' | '\u{2212}') => -1,
        Some(_) => return None,
    };
    let mut seconds = 0;
    for (part, scale) in chars.as_str().split(':').zip([3600, 60, 1]) {
        seconds += part.trim().parse::<i32>().ok()? * scale;
    }
    Some(sign * seconds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    #[test]
    fn offsets_read_from_the_browsers_formatter() {
        assert_eq!(parse_gmt("12/7/2026, GMT+09:00"), Some(32_400));
        assert_eq!(parse_gmt("12/7/2026, GMT"), Some(0));
        assert_eq!(parse_gmt("3/8/2026, GMT-05:00"), Some(-18_000));
        assert_eq!(parse_gmt("3/8/2026, GMT\u{2212}03:30"), Some(-12_600));
        assert_eq!(parse_gmt("1/1/1890, GMT+05:53:28"), Some(21_208));
        assert_eq!(parse_gmt("no offset here"), None);
    }

    #[test]
    fn a_zone_reads_as_chrono_tz_does() {
        let seoul: Tz = "Asia/Seoul".parse().unwrap();
        assert_eq!(seoul.to_string(), "Asia/Seoul");
        let at: DateTime<Utc> = "2026-03-08T12:00:00Z".parse().unwrap();
        let local = at.with_timezone(&seoul);
        assert_eq!(local.to_rfc3339(), "2026-03-08T21:00:00+09:00");
        let new_york: Tz = chrono_tz::America::New_York.into();
        // 02:30 on 8 March 2026 does not happen in New York; 01:30 on 1 November twice.
        let gap = "2026-03-08T02:30:00".parse::<NaiveDateTime>().unwrap();
        assert_eq!(new_york.from_local_datetime(&gap), MappedLocalTime::None);
        let twice = "2026-11-01T01:30:00".parse::<NaiveDateTime>().unwrap();
        let MappedLocalTime::Ambiguous(first, second) = new_york.from_local_datetime(&twice) else {
            panic!("01:30 on 1 November 2026 is not ambiguous in New York");
        };
        assert!(first < second);
        assert_eq!(first.offset().fix().local_minus_utc(), -4 * 3600);
    }
}
