//! One plain sentence per schedule, in English or Korean.
//!
//! English reads from small to large (time, day, month, year): "At 10:15 AM, on the last
//! Friday of the month, 2002 through 2025". Korean reads from large to small:
//! "2002년부터 2025년까지 매월 마지막 금요일 오전 10:15에".

use chrono::{Datelike, NaiveDateTime, Timelike};

use super::{CronExpr, FieldExpr, Lang, Part, Rate, RateUnit, Schedule, StepBase};

pub(crate) fn describe(schedule: &Schedule, lang: Lang) -> String {
    match (schedule, lang) {
        (Schedule::Cron(cron), Lang::En) => en::cron(cron),
        (Schedule::Cron(cron), Lang::Ko) => ko::cron(cron),
        (Schedule::Rate(rate), Lang::En) => en::rate(rate),
        (Schedule::Rate(rate), Lang::Ko) => ko::rate(rate),
        (Schedule::At(at), Lang::En) => en::at(at),
        (Schedule::At(at), Lang::Ko) => ko::at(at),
    }
}

/// The common shapes of a field, which read better than a list of parts.
#[derive(Debug, PartialEq)]
enum Shape<'a> {
    Every,
    One(u16),
    Values(Vec<u16>),
    Range(u16, u16),
    /// `start` is the field's first value for `*/n`.
    Step {
        start: u16,
        end: Option<u16>,
        step: u16,
    },
    Other(&'a [Part]),
}

fn shape(expr: &FieldExpr, min: u16) -> Shape<'_> {
    let FieldExpr::List(parts) = expr else {
        return Shape::Every;
    };
    match parts.as_slice() {
        [Part::Value(v)] => Shape::One(*v),
        [Part::Range { start, end }] => Shape::Range(*start, *end),
        [Part::Step { base, step }] => {
            let (start, end) = match *base {
                StepBase::Every => (min, None),
                StepBase::From(start) => (start, None),
                StepBase::Range { start, end } => (start, Some(end)),
            };
            if *step == 1 && start == min && end.is_none() {
                return Shape::Every;
            }
            Shape::Step {
                start,
                end,
                step: *step,
            }
        }
        parts => {
            let values: Option<Vec<u16>> = parts
                .iter()
                .map(|part| match part {
                    Part::Value(v) => Some(*v),
                    _ => None,
                })
                .collect();
            values.map_or(Shape::Other(parts), Shape::Values)
        }
    }
}

/// The set of values of a field's plain parts, as bits (`L` alone in day-of-week is 7).
fn value_set(expr: &FieldExpr, min: u16, max: u16) -> u64 {
    let FieldExpr::List(parts) = expr else {
        return 0;
    };
    let mut bits = 0u64;
    for part in parts {
        if *part == Part::Last {
            bits |= 1 << max;
        }
        part.for_each_value(min, max, |v| bits |= 1 << v);
    }
    bits
}

fn set_values(bits: u64, min: u16, max: u16) -> impl Iterator<Item = u16> {
    (min..=max).filter(move |v| bits >> v & 1 == 1)
}

/// 12-hour parts of an hour: (1-12, is PM).
fn twelve(hour: u16) -> (u16, bool) {
    let h = hour % 12;
    (if h == 0 { 12 } else { h }, hour % 24 >= 12)
}

/// The 1-based `value`th name (a weekday, a month, an ordinal), or the number itself when
/// the list has no such entry.
fn named(names: &[&'static str], value: impl Into<usize>) -> String {
    let value = value.into();
    match value.checked_sub(1).and_then(|i| names.get(i)) {
        Some(name) => name.to_string(),
        None => value.to_string(),
    }
}

mod en {
    use super::*;

    const WEEKDAYS: [&str; 7] = [
        "Sunday",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
    ];
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    const ORDINALS: [&str; 5] = ["first", "second", "third", "fourth", "fifth"];

    /// "a", "a and b", "a, b and c".
    fn list(items: impl IntoIterator<Item = String>) -> String {
        let items: Vec<String> = items.into_iter().collect();
        match items.split_last() {
            None => String::new(),
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        }
    }

    fn clock(hour: u16, minute: u16) -> String {
        let (h, pm) = twelve(hour);
        format!("{h:02}:{minute:02} {}", if pm { "PM" } else { "AM" })
    }

    fn capitalized(text: &str) -> String {
        let mut chars = text.chars();
        chars
            .next()
            .map(|first| first.to_uppercase().chain(chars).collect())
            .unwrap_or_default()
    }

    fn hour_label(hour: u16) -> String {
        let (h, pm) = twelve(hour);
        format!("{h} {}", if pm { "PM" } else { "AM" })
    }

    fn plural(n: u16, one: &str, many: &str) -> String {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {many}")
        }
    }

    /// A fallback for unusual lists: each part in words.
    fn parts(parts: &[Part], value: impl Fn(u16) -> String) -> String {
        list(parts.iter().map(|part| match *part {
            Part::Value(v) => value(v),
            Part::Range { start, end } => format!("{} through {}", value(start), value(end)),
            Part::Step { base, step } => match base {
                StepBase::Every => format!("every {step}"),
                StepBase::From(start) => format!("every {step} from {}", value(start)),
                StepBase::Range { start, end } => {
                    format!("every {step} from {} through {}", value(start), value(end))
                }
            },
            _ => String::new(),
        }))
    }

    pub(super) fn cron(cron: &CronExpr) -> String {
        let mut sentence = vec![time(cron)];
        sentence.extend(day_of_month(&cron.day_of_month));
        sentence.extend(day_of_week(&cron.day_of_week));
        sentence.extend(month(&cron.month));
        sentence.extend(year(&cron.year));
        sentence.join(", ")
    }

    fn time(cron: &CronExpr) -> String {
        let minutes = shape(&cron.minutes, 0);
        let hours = shape(&cron.hours, 0);
        match (&minutes, &hours) {
            (Shape::One(m), Shape::One(h)) => format!("At {}", clock(*h, *m)),
            (Shape::One(m), Shape::Values(hs)) => {
                format!("At {}", list(hs.iter().map(|h| clock(*h, *m))))
            }
            (Shape::Every, Shape::Every) => "Every minute".to_string(),
            (Shape::One(0), Shape::Every) => "Every hour".to_string(),
            (Shape::One(0), Shape::Step { .. }) => {
                // On the hour needs no minute phrase: "Every 2 hours, ...".
                capitalized(&hour_phrase(&hours).unwrap_or_default())
            }
            (Shape::One(0), Shape::Range(a, b)) => {
                format!("Every hour from {} to {}", clock(*a, 0), clock(*b, 0))
            }
            (Shape::One(m), Shape::Range(a, b)) => format!(
                "At {} past the hour, from {} to {}",
                plural(*m, "minute", "minutes"),
                clock(*a, *m),
                clock(*b, *m)
            ),
            _ => match hour_phrase(&hours) {
                Some(hours) => format!("{}, {hours}", minute_phrase(&minutes)),
                None => minute_phrase(&minutes),
            },
        }
    }

    fn minute_phrase(minutes: &Shape<'_>) -> String {
        match minutes {
            Shape::Every => "Every minute".to_string(),
            Shape::One(m) => format!("At {} past the hour", plural(*m, "minute", "minutes")),
            Shape::Values(ms) => format!(
                "At {} minutes past the hour",
                list(ms.iter().map(u16::to_string))
            ),
            Shape::Range(a, b) => {
                format!("Every minute, minutes {a} through {b} past the hour")
            }
            Shape::Step {
                start,
                end: None,
                step,
            } => {
                let every = format!("Every {}", plural(*step, "minute", "minutes"));
                match start {
                    0 => every,
                    m => format!(
                        "{every}, starting at {} past the hour",
                        plural(*m, "minute", "minutes")
                    ),
                }
            }
            Shape::Step {
                start,
                end: Some(end),
                step,
            } => format!(
                "Every {}, minutes {start} through {end} past the hour",
                plural(*step, "minute", "minutes")
            ),
            Shape::Other(ps) => {
                format!("At minutes {} past the hour", parts(ps, |v| v.to_string()))
            }
        }
    }

    fn hour_phrase(hours: &Shape<'_>) -> Option<String> {
        Some(match hours {
            Shape::Every => return None,
            Shape::One(h) => format!("between {} and {}", clock(*h, 0), clock(*h, 59)),
            Shape::Range(a, b) => format!("between {} and {}", clock(*a, 0), clock(*b, 59)),
            Shape::Values(hs) => format!(
                "during the {} hours",
                list(hs.iter().map(|h| hour_label(*h)))
            ),
            Shape::Step {
                start,
                end: None,
                step,
            } => {
                let every = format!("every {}", plural(*step, "hour", "hours"));
                match start {
                    0 => every,
                    h => format!("{every}, starting at {}", clock(*h, 0)),
                }
            }
            Shape::Step {
                start,
                end: Some(end),
                step,
            } => format!(
                "every {}, between {} and {}",
                plural(*step, "hour", "hours"),
                clock(*start, 0),
                clock(*end, 59)
            ),
            Shape::Other(ps) => format!("during hours {}", parts(ps, hour_label)),
        })
    }

    fn day_of_month(expr: &FieldExpr) -> Option<String> {
        if let FieldExpr::List(ps) = expr {
            match ps.as_slice() {
                [Part::Last] | [Part::LastOffset(0)] => {
                    return Some("on the last day of the month".to_string());
                }
                [Part::LastOffset(n)] => {
                    return Some(format!(
                        "{} before the last day of the month",
                        plural((*n).into(), "day", "days")
                    ));
                }
                [Part::LastWeekday] => return Some("on the last weekday of the month".to_string()),
                [Part::NearestWeekday(n)] => {
                    return Some(format!("on the weekday nearest day {n} of the month"));
                }
                _ => {}
            }
        }
        Some(match shape(expr, 1) {
            Shape::Every => return None,
            Shape::One(d) => format!("on day {d} of the month"),
            Shape::Values(ds) => format!(
                "on days {} of the month",
                list(ds.iter().map(u16::to_string))
            ),
            Shape::Range(a, b) => format!("on days {a} through {b} of the month"),
            Shape::Step {
                start: 1,
                end: None,
                step,
            } => format!("every {}", plural(step, "day", "days")),
            Shape::Step {
                start,
                end: None,
                step,
            } => format!(
                "every {}, starting on day {start} of the month",
                plural(step, "day", "days")
            ),
            Shape::Step {
                start,
                end: Some(end),
                step,
            } => format!(
                "every {}, on days {start} through {end} of the month",
                plural(step, "day", "days")
            ),
            Shape::Other(ps) => format!("on days {} of the month", parts(ps, |d| d.to_string())),
        })
    }

    fn day_of_week(expr: &FieldExpr) -> Option<String> {
        let FieldExpr::List(ps) = expr else {
            return None;
        };
        match ps.as_slice() {
            [Part::NthWeekday { weekday, nth }] => {
                let ordinal = named(&ORDINALS, *nth);
                let day = named(&WEEKDAYS, *weekday);
                Some(format!("on the {ordinal} {day} of the month"))
            }
            [Part::LastOfWeekday(weekday)] => Some(format!(
                "on the last {} of the month",
                named(&WEEKDAYS, *weekday)
            )),
            [Part::Range { start, end }] if start != end => Some(format!(
                "{} through {}",
                named(&WEEKDAYS, *start),
                named(&WEEKDAYS, *end)
            )),
            _ => {
                let days = value_set(expr, 1, 7);
                let names = set_values(days, 1, 7).map(|d| named(&WEEKDAYS, d));
                Some(format!("only on {}", list(names)))
            }
        }
    }

    fn month(expr: &FieldExpr) -> Option<String> {
        match shape(expr, 1) {
            Shape::Every => None,
            Shape::Range(a, b) if a != b => Some(format!(
                "{} through {}",
                named(&MONTHS, a),
                named(&MONTHS, b)
            )),
            _ => {
                let months = value_set(expr, 1, 12);
                let names = set_values(months, 1, 12).map(|m| named(&MONTHS, m));
                Some(format!("only in {}", list(names)))
            }
        }
    }

    fn year(expr: &FieldExpr) -> Option<String> {
        Some(match shape(expr, 1970) {
            Shape::Every => return None,
            Shape::One(y) => format!("only in {y}"),
            Shape::Values(ys) => format!("only in {}", list(ys.iter().map(u16::to_string))),
            Shape::Range(a, b) => format!("{a} through {b}"),
            Shape::Step {
                start,
                end: None,
                step,
            } => format!("every {} from {start}", plural(step, "year", "years")),
            Shape::Step {
                start,
                end: Some(end),
                step,
            } => format!(
                "every {}, {start} through {end}",
                plural(step, "year", "years")
            ),
            Shape::Other(ps) => format!("in {}", parts(ps, |y| y.to_string())),
        })
    }

    pub(super) fn rate(rate: &Rate) -> String {
        let (one, many) = match rate.unit {
            RateUnit::Minute => ("minute", "minutes"),
            RateUnit::Hour => ("hour", "hours"),
            RateUnit::Day => ("day", "days"),
        };
        match rate.value {
            1 => format!("Every {one}"),
            n => format!("Every {n} {many}"),
        }
    }

    pub(super) fn at(at: &NaiveDateTime) -> String {
        let (h, pm) = twelve(at.hour() as u16);
        let seconds = match at.second() {
            0 => String::new(),
            s => format!(":{s:02}"),
        };
        format!(
            "Once, at {h:02}:{:02}{seconds} {} on {} {}, {}",
            at.minute(),
            if pm { "PM" } else { "AM" },
            named(&MONTHS, at.month() as usize),
            at.day(),
            at.year()
        )
    }
}

mod ko {
    use super::*;

    const WEEKDAYS: [&str; 7] = [
        "일요일",
        "월요일",
        "화요일",
        "수요일",
        "목요일",
        "금요일",
        "토요일",
    ];
    const ORDINALS: [&str; 5] = ["첫째", "둘째", "셋째", "넷째", "다섯째"];

    fn list(items: impl IntoIterator<Item = String>) -> String {
        items.into_iter().collect::<Vec<_>>().join(", ")
    }

    fn clock(hour: u16, minute: u16) -> String {
        let (h, pm) = twelve(hour);
        format!("{} {h}:{minute:02}", if pm { "오후" } else { "오전" })
    }

    fn hour_label(hour: u16) -> String {
        let (h, pm) = twelve(hour);
        format!("{} {h}시", if pm { "오후" } else { "오전" })
    }

    /// A fallback for unusual lists: each part in words, with the unit after each number.
    fn parts(parts: &[Part], value: impl Fn(u16) -> String) -> String {
        list(parts.iter().map(|part| match *part {
            Part::Value(v) => value(v),
            Part::Range { start, end } => format!("{}부터 {}까지", value(start), value(end)),
            Part::Step { base, step } => match base {
                StepBase::Every => format!("{}마다", value(step)),
                StepBase::From(start) => format!("{}부터 {}마다", value(start), value(step)),
                StepBase::Range { start, end } => format!(
                    "{}부터 {}까지 {}마다",
                    value(start),
                    value(end),
                    value(step)
                ),
            },
            _ => String::new(),
        }))
    }

    pub(super) fn cron(cron: &CronExpr) -> String {
        let mut sentence = Vec::new();
        sentence.extend(year(&cron.year));
        let month = month(&cron.month);
        let day = day_of_month(&cron.day_of_month).or_else(|| day_of_week(&cron.day_of_week));
        match (month, day) {
            (Some(month), Some((day, _))) => sentence.push(format!("{month} {day}")),
            (Some(month), None) => sentence.push(month),
            (None, Some((day, Some(every)))) => sentence.push(format!("{every} {day}")),
            (None, Some((day, None))) => sentence.push(day),
            (None, None) => {}
        }
        sentence.push(time(cron));
        sentence.join(" ")
    }

    fn time(cron: &CronExpr) -> String {
        let minutes = shape(&cron.minutes, 0);
        let hours = shape(&cron.hours, 0);
        match (&minutes, &hours) {
            (Shape::One(m), Shape::One(h)) => format!("{}에", clock(*h, *m)),
            (Shape::One(m), Shape::Values(hs)) => {
                format!("{}에", list(hs.iter().map(|h| clock(*h, *m))))
            }
            (Shape::Every, Shape::Every) => "매분".to_string(),
            (Shape::One(0), Shape::Every) => "매시 정각에".to_string(),
            (Shape::One(m), Shape::Every) => format!("매시 {m}분에"),
            (Shape::One(0), Shape::Step { .. }) => hour_phrase(&hours).unwrap_or_default(),
            (Shape::One(0), Shape::Range(a, b)) => {
                format!("{}부터 {}까지 매시 정각에", clock(*a, 0), clock(*b, 0))
            }
            (Shape::One(m), Shape::Range(a, b)) => {
                format!("{}부터 {}까지 매시 {m}분에", clock(*a, *m), clock(*b, *m))
            }
            _ => {
                let minutes_shape = minutes;
                let minutes = minute_phrase(&minutes_shape);
                match hour_phrase(&hours) {
                    Some(hours) => format!("{hours} {minutes}"),
                    None if every_few_minutes(&minutes_shape) => minutes,
                    None => format!("매시 {minutes}"),
                }
            }
        }
    }

    /// "매분" and "n분마다" read alone; anything else is "매시 ..." (past every hour).
    fn every_few_minutes(minutes: &Shape<'_>) -> bool {
        matches!(
            minutes,
            Shape::Every
                | Shape::Step {
                    start: 0,
                    end: None,
                    ..
                }
        )
    }

    fn minute_phrase(minutes: &Shape<'_>) -> String {
        match minutes {
            Shape::Every => "매분".to_string(),
            Shape::One(m) => format!("{m}분에"),
            Shape::Values(ms) => format!("{}에", list(ms.iter().map(|m| format!("{m}분")))),
            Shape::Range(a, b) => format!("{a}분부터 {b}분까지 매분"),
            Shape::Step {
                start: 0,
                end: None,
                step,
            } => format!("{step}분마다"),
            Shape::Step {
                start,
                end: None,
                step,
            } => format!("{start}분부터 {step}분마다"),
            Shape::Step {
                start,
                end: Some(end),
                step,
            } => format!("{start}분부터 {end}분까지 {step}분마다"),
            Shape::Other(ps) => {
                let parts = parts(ps, |m| format!("{m}분"));
                // "…20분마다" already says when; "…10분" needs "에".
                if parts.ends_with("마다") {
                    parts
                } else {
                    format!("{parts}에")
                }
            }
        }
    }

    fn hour_phrase(hours: &Shape<'_>) -> Option<String> {
        Some(match hours {
            Shape::Every => return None,
            Shape::One(h) => format!("{}부터 {}까지", clock(*h, 0), clock(*h, 59)),
            Shape::Range(a, b) => format!("{}부터 {}까지", clock(*a, 0), clock(*b, 59)),
            Shape::Values(hs) => format!("{}에", list(hs.iter().map(|h| hour_label(*h)))),
            Shape::Step {
                start: 0,
                end: None,
                step,
            } => format!("{step}시간마다"),
            Shape::Step {
                start,
                end: None,
                step,
            } => format!("{}부터 {step}시간마다", clock(*start, 0)),
            Shape::Step {
                start,
                end: Some(end),
                step,
            } => format!(
                "{}부터 {}까지 {step}시간마다",
                clock(*start, 0),
                clock(*end, 59)
            ),
            Shape::Other(ps) => format!("{}에", parts(ps, |h| format!("{h}시"))),
        })
    }

    /// The day phrase, and the word ("매월" or "매주") it needs when no month is named.
    type Day = (String, Option<&'static str>);

    fn day_of_month(expr: &FieldExpr) -> Option<Day> {
        let monthly = |text: String| Some((text, Some("매월")));
        if let FieldExpr::List(ps) = expr {
            match ps.as_slice() {
                [Part::Last] | [Part::LastOffset(0)] => return monthly("마지막 날".to_string()),
                [Part::LastOffset(n)] => return monthly(format!("마지막 날 {n}일 전")),
                [Part::LastWeekday] => return monthly("마지막 평일".to_string()),
                [Part::NearestWeekday(n)] => return monthly(format!("{n}일에서 가장 가까운 평일")),
                _ => {}
            }
        }
        match shape(expr, 1) {
            Shape::Every => None,
            Shape::One(d) => monthly(format!("{d}일")),
            Shape::Values(ds) => monthly(list(ds.iter().map(|d| format!("{d}일")))),
            Shape::Range(a, b) => monthly(format!("{a}일부터 {b}일까지")),
            Shape::Step {
                start: 1,
                end: None,
                step,
            } => Some((format!("{step}일마다"), None)),
            Shape::Step {
                start,
                end: None,
                step,
            } => monthly(format!("{start}일부터 {step}일마다")),
            Shape::Step {
                start,
                end: Some(end),
                step,
            } => monthly(format!("{start}일부터 {end}일까지 {step}일마다")),
            Shape::Other(ps) => monthly(parts(ps, |d| format!("{d}일"))),
        }
    }

    fn day_of_week(expr: &FieldExpr) -> Option<Day> {
        let FieldExpr::List(ps) = expr else {
            return None;
        };
        Some(match ps.as_slice() {
            [Part::NthWeekday { weekday, nth }] => (
                format!("{} {}", named(&ORDINALS, *nth), named(&WEEKDAYS, *weekday)),
                Some("매월"),
            ),
            [Part::LastOfWeekday(weekday)] => (
                format!("마지막 {}", named(&WEEKDAYS, *weekday)),
                Some("매월"),
            ),
            [Part::Range { start, end }] if start != end => (
                format!(
                    "{}부터 {}까지",
                    named(&WEEKDAYS, *start),
                    named(&WEEKDAYS, *end)
                ),
                Some("매주"),
            ),
            _ => {
                let days = value_set(expr, 1, 7);
                let names = set_values(days, 1, 7).map(|d| named(&WEEKDAYS, d));
                (list(names), Some("매주"))
            }
        })
    }

    fn month(expr: &FieldExpr) -> Option<String> {
        match shape(expr, 1) {
            Shape::Every => None,
            Shape::Range(a, b) if a != b => Some(format!("{a}월부터 {b}월까지")),
            _ => {
                let months = value_set(expr, 1, 12);
                Some(list(set_values(months, 1, 12).map(|m| format!("{m}월"))))
            }
        }
    }

    fn year(expr: &FieldExpr) -> Option<String> {
        Some(match shape(expr, 1970) {
            Shape::Every => return None,
            Shape::One(y) => format!("{y}년"),
            Shape::Values(ys) => list(ys.iter().map(|y| format!("{y}년"))),
            Shape::Range(a, b) => format!("{a}년부터 {b}년까지"),
            Shape::Step {
                start,
                end: None,
                step,
            } => format!("{start}년부터 {step}년마다"),
            Shape::Step {
                start,
                end: Some(end),
                step,
            } => format!("{start}년부터 {end}년까지 {step}년마다"),
            Shape::Other(ps) => parts(ps, |y| format!("{y}년")),
        })
    }

    pub(super) fn rate(rate: &Rate) -> String {
        match (rate.value, rate.unit) {
            (1, RateUnit::Minute) => "매분".to_string(),
            (1, RateUnit::Hour) => "매시간".to_string(),
            (1, RateUnit::Day) => "매일".to_string(),
            (n, RateUnit::Minute) => format!("{n}분마다"),
            (n, RateUnit::Hour) => format!("{n}시간마다"),
            (n, RateUnit::Day) => format!("{n}일마다"),
        }
    }

    pub(super) fn at(at: &NaiveDateTime) -> String {
        let time = clock(at.hour() as u16, at.minute() as u16);
        let seconds = match at.second() {
            0 => String::new(),
            s => format!(":{s:02}"),
        };
        format!(
            "{}년 {}월 {}일 {time}{seconds}에 한 번",
            at.year(),
            at.month(),
            at.day()
        )
    }
}
