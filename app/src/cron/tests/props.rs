//! Property tests: random builder models against a brute-force oracle, round trips, and
//! random text that must never panic.
//!
//! The oracle reads the model directly (no bitsets, no jumps): it walks local days and
//! minutes one by one and keeps the local times that match and exist, at their first
//! occurrence, exactly as the engine promises.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeDelta, TimeZone, Utc};
use proptest::prelude::*;

use crate::cron::{CronExpr, Dialect, FieldExpr, Lang, Part, Schedule, StepBase, Tz, convert};

const ZONES: [&str; 6] = [
    "UTC",
    "America/Los_Angeles",
    "Europe/Paris",
    "Australia/Lord_Howe", // a 30-minute shift
    "Asia/Kathmandu",      // +05:45
    "America/Santiago",    // shifts at midnight
];
/// How far the oracle looks when the engine returned fewer runs than asked.
const WINDOW_DAYS: i64 = 400;
const RUNS: usize = 12;

/// No regression files: the tests must not write outside `src/cron`, and a failure
/// prints its minimal input to copy into a table test.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ---- generating models ---------------------------------------------------------------

fn plain_part(min: u16, max: u16, wrap: bool) -> impl Strategy<Value = Part> {
    let value = min..=max;
    let span = max - min + 1;
    let range = (value.clone(), value.clone()).prop_map(move |(a, b)| {
        let (start, end) = if wrap { (a, b) } else { (a.min(b), a.max(b)) };
        Part::Range { start, end }
    });
    let base = prop_oneof![
        Just(StepBase::Every),
        value.clone().prop_map(StepBase::From),
        range.clone().prop_map(|part| match part {
            Part::Range { start, end } => StepBase::Range { start, end },
            _ => StepBase::Every,
        }),
    ];
    let step = (base, 1..=span).prop_map(|(base, step)| Part::Step { base, step });
    prop_oneof![value.prop_map(Part::Value), range, step]
}

fn plain_field(min: u16, max: u16, wrap: bool) -> impl Strategy<Value = FieldExpr> {
    prop_oneof![
        1 => Just(FieldExpr::Every),
        3 => prop::collection::vec(plain_part(min, max, wrap), 1..=3).prop_map(FieldExpr::List),
    ]
}

fn alone(part: impl Strategy<Value = Part>) -> impl Strategy<Value = FieldExpr> {
    part.prop_map(|part| FieldExpr::List(vec![part]))
}

fn day_of_month() -> impl Strategy<Value = FieldExpr> {
    prop_oneof![
        4 => plain_field(1, 31, true),
        1 => alone(Just(Part::Last)),
        1 => alone(edge_day(0, 30).prop_map(Part::LastOffset)),
        1 => alone(Just(Part::LastWeekday)),
        2 => alone(edge_day(1, 31).prop_map(Part::NearestWeekday)),
    ]
}

/// A day number, often at the edges where months differ.
fn edge_day(min: u8, max: u8) -> impl Strategy<Value = u8> {
    prop_oneof![min..=min + 2, max - 3..=max, min..=max]
}

fn day_of_week() -> impl Strategy<Value = FieldExpr> {
    prop_oneof![
        4 => plain_field(1, 7, true),
        1 => alone(Just(Part::Last)),
        1 => alone((1u8..=7).prop_map(Part::LastOfWeekday)),
        1 => alone((1u8..=7, 1u8..=5).prop_map(|(weekday, nth)| Part::NthWeekday { weekday, nth })),
    ]
}

/// Years mostly around the test instants, sometimes anywhere (to reach the end of time).
fn year() -> impl Strategy<Value = FieldExpr> {
    prop_oneof![
        4 => Just(FieldExpr::Every),
        3 => plain_field(2019, 2031, false).prop_map(|field| match field {
            FieldExpr::Every => FieldExpr::Every,
            // Steps from `*` start at 1970 in the real field.
            FieldExpr::List(parts) => FieldExpr::List(
                parts.into_iter().map(|part| match part {
                    Part::Step { base: StepBase::Every, step } => Part::Step { base: StepBase::From(2020), step },
                    part => part,
                }).collect(),
            ),
            other => other,
        }),
        1 => plain_field(1970, 2199, false),
    ]
}

fn cron_expr() -> impl Strategy<Value = CronExpr> {
    let days = prop_oneof![
        day_of_month().prop_map(|dom| (dom, FieldExpr::NoSpecific)),
        day_of_week().prop_map(|dow| (FieldExpr::NoSpecific, dow)),
    ];
    (
        plain_field(0, 59, true),
        plain_field(0, 23, true),
        days,
        plain_field(1, 12, true),
        year(),
    )
        .prop_map(
            |(minutes, hours, (day_of_month, day_of_week), month, year)| CronExpr {
                minutes,
                hours,
                day_of_month,
                month,
                day_of_week,
                year,
            },
        )
}

/// A zone and an instant: half anywhere in 2020-2030, half within hours of one of that
/// zone's clock changes (including inside a repeated hour).
fn moment() -> impl Strategy<Value = (Tz, DateTime<Utc>)> {
    let changes = vec![
        ("America/Los_Angeles", 1_772_964_000i64), // 2026-03-08T10:00Z, forward
        ("America/Los_Angeles", 1_793_523_600),    // 2026-11-01T09:00Z, back
        ("Europe/Paris", 1_774_746_000),           // 2026-03-29T01:00Z, forward
        ("Europe/Paris", 1_792_890_000),           // 2026-10-25T01:00Z, back
        ("Australia/Lord_Howe", 1_775_314_800),    // 2026-04-04T15:00Z, back 30 minutes
        ("Australia/Lord_Howe", 1_791_041_400),    // 2026-10-03T15:30Z, forward 30 minutes
        ("America/Santiago", 1_775_358_000),       // 2026-04-05T03:00Z, back at midnight
        ("America/Santiago", 1_788_667_200),       // 2026-09-06T04:00Z, forward at midnight
    ];
    let near = (prop::sample::select(changes), -10_800i64..7_200)
        .prop_map(|((name, at), offset)| (zone(name), at + offset));
    let anywhere = (
        prop::sample::select(ZONES.to_vec()),
        1_577_836_800i64..1_893_456_000,
    )
        .prop_map(|(name, at)| (zone(name), at));
    prop_oneof![near, anywhere].prop_filter_map("in range", |(tz, secs)| {
        DateTime::from_timestamp(secs, 0).map(|t| (tz, t))
    })
}

fn zone(name: &str) -> Tz {
    name.parse().unwrap_or(Tz::UTC)
}

// ---- the oracle ------------------------------------------------------------------------

/// Whether a plain part holds `v`, straight from the definitions.
fn part_holds(part: &Part, v: u16, min: u16, max: u16) -> bool {
    let span = max - min + 1;
    // How far `v` lies after `from`, going round the field.
    let after = |from: u16| (v + span - from) % span;
    let in_range = |start: u16, end: u16| {
        if start <= end {
            (start..=end).contains(&v)
        } else {
            v >= start || v <= end
        }
    };
    match *part {
        Part::Value(a) => v == a,
        Part::Range { start, end } => in_range(start, end),
        Part::Step { base, step } => match base {
            StepBase::Every => (v - min).is_multiple_of(step),
            StepBase::From(start) => v >= start && (v - start).is_multiple_of(step),
            StepBase::Range { start, end } => {
                in_range(start, end) && after(start).is_multiple_of(step)
            }
        },
        Part::Last => v == max,
        _ => false,
    }
}

fn field_holds(expr: &FieldExpr, v: u16, min: u16, max: u16) -> bool {
    match expr {
        FieldExpr::Every | FieldExpr::NoSpecific => true,
        FieldExpr::List(parts) => parts.iter().any(|part| part_holds(part, v, min, max)),
    }
}

fn last_day(date: NaiveDate) -> u32 {
    (28..=31)
        .rev()
        .find(|d| date.with_day(*d).is_some())
        .unwrap_or(28)
}

fn is_weekday(date: NaiveDate) -> bool {
    date.weekday().number_from_monday() <= 5
}

fn day_holds(expr: &CronExpr, date: NaiveDate) -> bool {
    let (day, last) = (date.day(), last_day(date));
    let on = |d: u32| day == d;
    let dom = match &expr.day_of_month {
        FieldExpr::List(parts) => parts.iter().any(|part| match *part {
            Part::Last => on(last),
            Part::LastOffset(n) => last > u32::from(n) && on(last - u32::from(n)),
            Part::LastWeekday => {
                let last_weekday = (1..=last)
                    .rev()
                    .find(|d| date.with_day(*d).is_some_and(is_weekday));
                last_weekday == Some(day)
            }
            Part::NearestWeekday(n) => {
                // The weekday of this month closest to day n (never a tie).
                let n = u32::from(n);
                let nearest = (1..=last)
                    .filter(|d| date.with_day(*d).is_some_and(is_weekday))
                    .min_by_key(|d| d.abs_diff(n));
                n <= last && nearest == Some(day)
            }
            plain => part_holds(&plain, day as u16, 1, 31),
        }),
        other => field_holds(other, day as u16, 1, 31),
    };
    let weekday = date.weekday().num_days_from_sunday() as u16 + 1;
    let dow = match &expr.day_of_week {
        FieldExpr::List(parts) => parts.iter().any(|part| match *part {
            Part::NthWeekday { weekday: w, nth } => {
                weekday == u16::from(w) && (day - 1) / 7 + 1 == u32::from(nth)
            }
            Part::LastOfWeekday(w) => weekday == u16::from(w) && day + 7 > last,
            plain => part_holds(&plain, weekday, 1, 7),
        }),
        other => field_holds(other, weekday, 1, 7),
    };
    let year = date.year();
    (1970..=2199).contains(&year)
        && field_holds(&expr.year, year as u16, 1970, 2199)
        && field_holds(&expr.month, date.month() as u16, 1, 12)
        && dom
        && dow
}

/// Every run in `(from, to)`, found by walking local days and minutes one by one.
fn oracle(expr: &CronExpr, tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let first_day = from.with_timezone(&tz).date_naive() - TimeDelta::days(1);
    let last_day = to.with_timezone(&tz).date_naive() + TimeDelta::days(1);
    let mut runs = Vec::new();
    let days = first_day.iter_days().take_while(|d| *d <= last_day);
    for date in days.filter(|date| day_holds(expr, *date)) {
        for minute_of_day in 0..1440u16 {
            let (hour, minute) = (minute_of_day / 60, minute_of_day % 60);
            if !field_holds(&expr.hours, hour, 0, 23) || !field_holds(&expr.minutes, minute, 0, 59)
            {
                continue;
            }
            let local: Option<NaiveDateTime> = date.and_hms_opt(hour.into(), minute.into(), 0);
            let run = local.and_then(|local| tz.from_local_datetime(&local).earliest());
            if let Some(run) = run.map(|run| run.with_timezone(&Utc))
                && run > from
                && run < to
            {
                runs.push(run);
            }
        }
    }
    runs.sort();
    runs
}

fn strictly_increasing(runs: &[DateTime<Utc>]) -> bool {
    runs.windows(2).all(|pair| pair[0] < pair[1])
}

// ---- properties ------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(600))]

    #[test]
    fn printing_then_parsing_gives_the_model_back(expr in cron_expr()) {
        let text = expr.to_string();
        let parsed: CronExpr = text.parse().map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(&parsed, &expr);
        prop_assert_eq!(expr.validate(), Ok(()));
        for lang in [Lang::En, Lang::Ko] {
            prop_assert!(!Schedule::Cron(expr.clone()).describe(lang).is_empty());
        }
    }

    #[test]
    fn next_runs_are_exactly_the_matching_minutes(
        expr in cron_expr(), (tz, after) in moment()
    ) {
        let runs = Schedule::Cron(expr.clone()).next_runs(after, RUNS, tz);
        prop_assert!(strictly_increasing(&runs));
        prop_assert!(runs.iter().all(|run| *run > after));
        let window_end = after + TimeDelta::days(WINDOW_DAYS);
        let end = match runs.last() {
            Some(last) if runs.len() == RUNS => *last + TimeDelta::seconds(1),
            _ => window_end,
        };
        let in_window: Vec<_> = runs.iter().copied().filter(|run| *run < end).collect();
        prop_assert_eq!(in_window, oracle(&expr, tz, after, end), "{} in {}", expr, tz);
    }

    #[test]
    fn prev_runs_are_exactly_the_matching_minutes(
        expr in cron_expr(), (tz, before) in moment()
    ) {
        let mut runs = Schedule::Cron(expr.clone()).prev_runs(before, RUNS, tz);
        prop_assert!(runs.windows(2).all(|pair| pair[0] > pair[1]), "latest first");
        prop_assert!(runs.iter().all(|run| *run < before));
        let start = match runs.last() {
            Some(last) if runs.len() == RUNS => *last - TimeDelta::seconds(1),
            _ => before - TimeDelta::days(WINDOW_DAYS),
        };
        runs.reverse();
        let in_window: Vec<_> = runs.into_iter().filter(|run| *run > start).collect();
        prop_assert_eq!(in_window, oracle(&expr, tz, start, before), "{} in {}", expr, tz);
    }
}

/// Text made of cron's own characters, which reaches deeper into the parser than noise.
fn cron_like() -> impl Strategy<Value = String> {
    let field = "[0-9*?/,LW#A-Za-z-]{1,6}";
    (
        prop::sample::select(vec!["cron(", "rate(", "at(", "", "@", "CRON("]),
        prop::collection::vec(field, 0..8),
        prop::sample::select(vec![")", "", ") x", "))"]),
    )
        .prop_map(|(open, fields, close)| format!("{open}{}{close}", fields.join(" ")))
}

fn check_text(text: &str) -> Result<(), TestCaseError> {
    match text.parse::<Schedule>() {
        Ok(parsed) => {
            let printed = parsed.to_string();
            prop_assert_eq!(printed.parse::<Schedule>().ok(), Some(parsed.clone()));
            let _ = parsed.describe(Lang::Ko);
            let from = DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default();
            let _ = parsed.next_runs(from, 3, Tz::from(chrono_tz::Tz::Europe__Paris));
            let _ = parsed.prev_runs(from, 3, Tz::from(chrono_tz::Tz::Europe__Paris));
        }
        Err(error) => {
            prop_assert!(
                text.get(error.span.clone()).is_some(),
                "span {:?} in {:?}",
                error.span,
                text
            );
            prop_assert!(!error.to_string().is_empty());
            let _ = error.message(Lang::Ko);
        }
    }
    for dialect in [
        None,
        Some(Dialect::Unix),
        Some(Dialect::Quartz),
        Some(Dialect::Aws),
    ] {
        match convert(text, dialect) {
            Ok(conversion) => {
                for rule in &conversion.rules {
                    let reread = rule.to_string().parse::<Schedule>().ok();
                    prop_assert_eq!(reread.as_ref(), Some(rule));
                }
                for change in &conversion.changes {
                    let _ = change.message(Lang::Ko);
                    if let Some(span) = &change.span {
                        prop_assert!(text.get(span.clone()).is_some());
                    }
                }
            }
            Err(error) => prop_assert!(text.get(error.span.clone()).is_some()),
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn any_text_is_handled_without_panicking(text in any::<String>()) {
        check_text(&text)?;
    }

    #[test]
    fn cron_like_text_is_handled_without_panicking(text in cron_like()) {
        check_text(&text)?;
    }
}
