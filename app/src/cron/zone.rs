//! A schedule written in local time, as the UTC `cron()` an EventBridge rule needs.
//!
//! EventBridge rules run in UTC only. In a zone whose offset never changes (Asia/Seoul is
//! UTC+9 all year, Asia/Kolkata UTC+5:30) every local time is one UTC time, so a local
//! schedule has a UTC twin when the shifted times still make one cron pattern: the minutes and
//! hours move, and when the shift crosses midnight the days move with them (weekdays, the 1st
//! becoming the last day of the month before, `L` becoming `L-1`, and so on). A zone with
//! daylight saving has no twin, since its offset changes twice a year and a cron expression
//! cannot; neither do the parts tied to a day's place in the month (`W`, `#`, `dL`). Each
//! translation is also checked by comparing runs before it is returned.
use super::eval::at_run;
use super::{CronExpr, Field, FieldExpr, Lang, Part, Schedule, StepBase, Tz};
use chrono::{DateTime, Datelike, Offset, TimeDelta, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// How many runs the check compares from now.
const CHECKED_RUNS: usize = 200;
/// And from a few days before each month's turn.
const PROBE_RUNS: usize = 40;
/// How far ahead the zone's offset must stay the same.
const OFFSET_YEARS: i64 = 3;

/// Why a local schedule has no UTC `cron()` twin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ZoneError {
    #[error(
        "{zone} changes its offset from UTC (daylight saving), so no UTC rule runs at the same local time all year. An EventBridge Scheduler schedule can run in {zone} itself."
    )]
    OffsetChanges { zone: String },
    #[error(
        "In UTC these times fall on two different days, and one cron() cannot move only some of them to the day before or after."
    )]
    SplitDays,
    #[error("In UTC these minutes and hours no longer make one cron() pattern.")]
    Times,
    #[error(
        "{symbol} in the {field:?} field names a day by its place in the month, which cannot move to the day before or after."
    )]
    Special { field: Field, symbol: char },
    #[error(
        "Day {day} of the month has no fixed day before or after it in every month (months have 28 to 31 days)."
    )]
    MonthEdge { day: u16 },
    #[error("A limit on the months cannot move across the end of a month.")]
    Months,
    #[error("A limit on the years cannot move across New Year.")]
    Year,
    #[error("This local time never happens in that zone.")]
    NeverHappens,
    #[error("No UTC cron() runs at exactly the same moments.")]
    NotExact,
}

impl ZoneError {
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.to_string(),
            Lang::Ko => match self {
                ZoneError::OffsetChanges { zone } => format!(
                    "{zone}은(는) 일광 절약 시간 때문에 UTC와의 시차가 바뀌어, 일 년 내내 같은 현지 시각에 실행되는 UTC 규칙이 없습니다. EventBridge Scheduler 일정은 {zone} 시간대 그대로 실행할 수 있습니다."
                ),
                ZoneError::SplitDays => "UTC로 옮기면 이 시각들이 서로 다른 날짜에 걸쳐, cron() 하나로는 일부만 전날이나 다음 날로 옮길 수 없습니다.".to_owned(),
                ZoneError::Times => "UTC로 옮기면 이 분과 시가 더 이상 cron() 패턴 하나로 표현되지 않습니다.".to_owned(),
                ZoneError::Special { field, symbol } => format!(
                    "{} 필드의 {symbol}은(는) 한 달 안에서의 위치로 날짜를 정하므로 전날이나 다음 날로 옮길 수 없습니다.",
                    field.name(Lang::Ko)
                ),
                ZoneError::MonthEdge { day } => format!(
                    "{day}일은 달마다 날수(28~31일)가 달라 모든 달에서 같은 전날이나 다음 날이 없습니다."
                ),
                ZoneError::Months => "월 제한은 월말을 넘어 옮길 수 없습니다.".to_owned(),
                ZoneError::Year => "연도 제한은 새해를 넘어 옮길 수 없습니다.".to_owned(),
                ZoneError::NeverHappens => "이 현지 시각은 그 시간대에 존재하지 않습니다.".to_owned(),
                ZoneError::NotExact => "정확히 같은 순간에 실행되는 UTC cron()이 없습니다.".to_owned(),
            },
        }
    }
}

/// The zone's offset from UTC in minutes when it stays the same from `now` for the next
/// few years, or None.
pub fn fixed_offset_minutes(tz: Tz, now: DateTime<Utc>) -> Option<i32> {
    let offset_at = |t: DateTime<Utc>| tz.offset_from_utc_datetime(&t.naive_utc()).fix();
    let first = offset_at(now).local_minus_utc();
    let days = OFFSET_YEARS * 366;
    let same =
        (0..=days).all(|day| offset_at(now + TimeDelta::days(day)).local_minus_utc() == first);
    (same && first % 60 == 0).then_some(first / 60)
}

/// The schedule that runs at the same instants in UTC as `schedule` read in `tz`: the same
/// `rate()`, the UTC `at()`, or the UTC `cron()` when one exists exactly.
pub fn to_utc(schedule: &Schedule, tz: Tz, now: DateTime<Utc>) -> Result<Schedule, ZoneError> {
    match schedule {
        Schedule::Rate(_) => Ok(schedule.clone()),
        Schedule::At(at) => at_run(*at, tz)
            .map(|run| Schedule::At(run.naive_utc()))
            .ok_or(ZoneError::NeverHappens),
        Schedule::Cron(cron) => {
            let offset = fixed_offset_minutes(tz, now).ok_or_else(|| ZoneError::OffsetChanges {
                zone: tz.name().to_owned(),
            })?;
            let utc = Schedule::Cron(shift(cron, -offset)?);
            // The next runs, and the runs around every month's turn for four years: where a
            // moved day could go wrong (short months, New Year) even for a schedule that runs
            // every few minutes and would use up any count of runs in days.
            let probes = std::iter::once(now).chain(month_turns(now, 48));
            for (index, probe) in probes.enumerate() {
                let count = if index == 0 { CHECKED_RUNS } else { PROBE_RUNS };
                if schedule.next_runs(probe, count, tz) != utc.next_runs(probe, count, Tz::UTC) {
                    return Err(ZoneError::NotExact);
                }
            }
            Ok(utc)
        }
    }
}

/// Three days before each of the next `count` months' first days.
fn month_turns(now: DateTime<Utc>, count: u32) -> impl Iterator<Item = DateTime<Utc>> {
    let (year, month) = (now.year(), now.month());
    (1..=count).filter_map(move |k| {
        let index = month - 1 + k;
        let first = chrono::NaiveDate::from_ymd_opt(year + (index / 12) as i32, index % 12 + 1, 1)?;
        Some(first.and_hms_opt(0, 0, 0)?.and_utc() - TimeDelta::days(3))
    })
}

/// A set of small numbers (below `64 * N`), smallest first: a bit for each rather than a
/// `BTreeSet`, whose tree and sort code the browser would download for this alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Bits<const N: usize>([u64; N]);

/// A field's values: minutes, hours, days, months and weekdays are all below 64 (the year is
/// never shifted).
type Values = Bits<1>;

/// The minutes of one day (0 to 1439) at which something runs.
type DayMinutes = Bits<23>;

impl<const N: usize> Default for Bits<N> {
    fn default() -> Self {
        Bits([0; N])
    }
}

impl<const N: usize> Bits<N> {
    fn insert(&mut self, value: u16) {
        let value = usize::from(value);
        assert!(value < 64 * N, "{value} is out of this set's range");
        self.0[value / 64] |= 1 << (value % 64);
    }

    fn contains(&self, value: u16) -> bool {
        let value = usize::from(value);
        value < 64 * N && self.0[value / 64] & (1 << (value % 64)) != 0
    }

    fn is_empty(&self) -> bool {
        self.0.iter().all(|word| *word == 0)
    }

    fn len(&self) -> usize {
        self.0.iter().map(|word| word.count_ones() as usize).sum()
    }

    fn iter(&self) -> impl Iterator<Item = u16> + '_ {
        (0..(64 * N) as u16).filter(|value| self.contains(*value))
    }

    fn union(mut self, other: &Self) -> Self {
        for (word, more) in self.0.iter_mut().zip(other.0) {
            *word |= more;
        }
        self
    }
}

impl<const N: usize> FromIterator<u16> for Bits<N> {
    fn from_iter<I: IntoIterator<Item = u16>>(values: I) -> Self {
        let mut set = Bits::default();
        values.into_iter().for_each(|value| set.insert(value));
        set
    }
}

/// Every value a field takes; special parts are refused.
fn values(expr: &FieldExpr, field: Field) -> Result<Values, ZoneError> {
    let (min, max) = field.bounds();
    match expr {
        FieldExpr::Every | FieldExpr::NoSpecific => Ok((min..=max).collect()),
        FieldExpr::List(parts) => {
            let mut set = Values::default();
            for part in parts {
                match part {
                    // Day-of-week `L` alone is Saturday.
                    Part::Last if field == Field::DayOfWeek => {
                        set.insert(7);
                    }
                    part if part.is_special() => {
                        return Err(ZoneError::Special {
                            field,
                            symbol: part.symbol(),
                        });
                    }
                    part => part.for_each_value(min, max, |v| {
                        set.insert(v);
                    }),
                }
            }
            Ok(set)
        }
    }
}

/// The shortest field for a set of values: `*`, a step, or values and ranges.
fn compress(set: Values, field: Field) -> FieldExpr {
    let (min, max) = field.bounds();
    if set.len() == usize::from(max - min + 1) {
        return FieldExpr::Every;
    }
    let sorted: Vec<u16> = set.iter().collect();
    if sorted.len() >= 3 {
        let step = sorted[1] - sorted[0];
        let even = sorted.windows(2).all(|w| w[1] - w[0] == step);
        let last = sorted[sorted.len() - 1];
        if even && step > 1 {
            // `0/15` rather than `*/15`: the form the AWS documentation uses.
            let base = if last + step > max {
                StepBase::From(sorted[0])
            } else {
                StepBase::Range {
                    start: sorted[0],
                    end: last,
                }
            };
            return FieldExpr::List(vec![Part::Step { base, step }]);
        }
    }
    let mut parts = Vec::new();
    let mut start = sorted[0];
    let mut end = start;
    for &v in &sorted[1..] {
        if v == end + 1 {
            end = v;
        } else {
            parts.push(run(start, end));
            start = v;
            end = v;
        }
    }
    parts.push(run(start, end));
    FieldExpr::List(parts)
}

fn run(start: u16, end: u16) -> Part {
    if start == end {
        Part::Value(start)
    } else {
        Part::Range { start, end }
    }
}

/// `value + by` within the field's cycle (months 1-12, weekdays 1-7).
fn turn(value: u16, by: i32, field: Field) -> u16 {
    let (min, max) = field.bounds();
    let span = i32::from(max - min) + 1;
    let turned = (i32::from(value) - i32::from(min) + by).rem_euclid(span) + i32::from(min);
    turned as u16
}

fn is_every(expr: &FieldExpr) -> bool {
    matches!(expr, FieldExpr::Every)
}

/// The months moved by one (the 1st and the last day of the month trade places); a year
/// limit cannot follow a move across New Year.
fn shift_months(cron: &CronExpr, by: i32) -> Result<FieldExpr, ZoneError> {
    let months = values(&cron.month, Field::Month)?;
    let crosses_year = months.contains(if by < 0 { 1 } else { 12 });
    if crosses_year && !is_every(&cron.year) {
        return Err(ZoneError::Year);
    }
    if is_every(&cron.month) {
        return Ok(FieldExpr::Every);
    }
    let moved: Values = months.iter().map(|m| turn(m, by, Field::Month)).collect();
    Ok(compress(moved, Field::Month))
}

/// The expression `by` minutes later (negative: earlier), when cron can say it.
pub fn shift(cron: &CronExpr, by: i32) -> Result<CronExpr, ZoneError> {
    let minutes = values(&cron.minutes, Field::Minutes)?;
    let hours = values(&cron.hours, Field::Hours)?;
    // Each minute of the day, moved, by the day it lands on: the day before, the same day or
    // the day after (no zone is a day or more from UTC).
    let mut by_day: [DayMinutes; 3] = Default::default();
    for h in hours.iter() {
        for m in minutes.iter() {
            let t = i32::from(h) * 60 + i32::from(m) + by;
            let day = usize::try_from(t.div_euclid(1440) + 1)
                .ok()
                .filter(|day| *day < by_day.len())
                .ok_or(ZoneError::NotExact)?;
            // 0 to 1439: a u16.
            by_day[day].insert(t.rem_euclid(1440) as u16);
        }
    }
    let days_every = (is_every(&cron.day_of_month)
        && matches!(cron.day_of_week, FieldExpr::NoSpecific | FieldExpr::Every))
        || (matches!(cron.day_of_month, FieldExpr::NoSpecific) && is_every(&cron.day_of_week));
    let calendar_free = days_every && is_every(&cron.month) && is_every(&cron.year);
    let mut days = (-1..).zip(&by_day).filter(|(_, times)| !times.is_empty());
    let (carry, times) = if calendar_free {
        let every = by_day.iter().fold(DayMinutes::default(), DayMinutes::union);
        (0, every)
    } else if let (Some((carry, times)), None) = (days.next(), days.next()) {
        (carry, *times)
    } else {
        return Err(ZoneError::SplitDays);
    };
    let new_minutes: Values = times.iter().map(|t| t % 60).collect();
    let new_hours: Values = times.iter().map(|t| t / 60).collect();
    if new_minutes.len() * new_hours.len() != times.len() {
        return Err(ZoneError::Times);
    }
    let mut out = CronExpr {
        minutes: compress(new_minutes, Field::Minutes),
        hours: compress(new_hours, Field::Hours),
        ..cron.clone()
    };
    if carry == 0 {
        return Ok(out);
    }
    if !is_every(&cron.year) && !matches!(cron.day_of_month, FieldExpr::List(_)) {
        // Days by weekday, or every day: some run moves across New Year's Eve.
        return Err(ZoneError::Year);
    }
    match (&cron.day_of_month, &cron.day_of_week) {
        (FieldExpr::NoSpecific, dow) | (FieldExpr::Every, dow @ FieldExpr::NoSpecific) => {
            // By weekday (or every day in some months): the weekdays turn, the months cannot.
            if !is_every(&cron.month) {
                return Err(ZoneError::Months);
            }
            if !matches!(dow, FieldExpr::NoSpecific | FieldExpr::Every) {
                let days = values(dow, Field::DayOfWeek)?;
                let moved: Values = days
                    .iter()
                    .map(|d| turn(d, carry, Field::DayOfWeek))
                    .collect();
                out.day_of_week = compress(moved, Field::DayOfWeek);
            }
        }
        (FieldExpr::List(parts), _) => {
            let special = parts.iter().find(|p| p.is_special());
            match (special, carry) {
                // `L-0` is `L`.
                (Some(Part::Last | Part::LastOffset(0)), -1) => {
                    out.day_of_month = list(Part::LastOffset(1));
                }
                // L-27 is the 1st in a February of 28 days: the day before it is in
                // another month there, which L-28 cannot say.
                (Some(Part::LastOffset(n)), -1) if *n < 27 => {
                    out.day_of_month = list(Part::LastOffset(n + 1));
                }
                (Some(Part::LastOffset(n)), -1) => {
                    return Err(ZoneError::MonthEdge { day: u16::from(*n) });
                }
                (Some(Part::Last | Part::LastOffset(0)), _) => {
                    // The day after the last: the 1st of the next month.
                    out.day_of_month = list(Part::Value(1));
                    out.month = shift_months(cron, 1)?;
                }
                (Some(Part::LastOffset(1)), _) => out.day_of_month = list(Part::Last),
                // L-28 and beyond fall before the 1st in short months, where the day after
                // them would still run.
                (Some(Part::LastOffset(n)), _) if *n < 28 => {
                    out.day_of_month = list(Part::LastOffset(n - 1));
                }
                (Some(Part::LastOffset(n)), _) => {
                    return Err(ZoneError::MonthEdge { day: u16::from(*n) });
                }
                (Some(part), _) => {
                    return Err(ZoneError::Special {
                        field: Field::DayOfMonth,
                        symbol: part.symbol(),
                    });
                }
                (None, _) => {
                    let days = values(&cron.day_of_month, Field::DayOfMonth)?;
                    if carry < 0 && days.len() == 1 && days.contains(1) {
                        // The day before the 1st: the last day of the month before.
                        out.day_of_month = list(Part::Last);
                        out.month = shift_months(cron, -1)?;
                    } else {
                        // Days 2-28 have a day before, and 1-27 a day after, in every month.
                        let bad = days.iter().find(|&d| {
                            if carry < 0 {
                                !(2..=28).contains(&d)
                            } else {
                                d > 27
                            }
                        });
                        if let Some(day) = bad {
                            return Err(ZoneError::MonthEdge { day });
                        }
                        let moved: Values =
                            days.iter().map(|d| (i32::from(d) + carry) as u16).collect();
                        out.day_of_month = compress(moved, Field::DayOfMonth);
                    }
                }
            }
        }
        _ => return Err(ZoneError::NotExact),
    }
    out.validate().map_err(|_| ZoneError::NotExact)?;
    Ok(out)
}

fn list(part: Part) -> FieldExpr {
    FieldExpr::List(vec![part])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_795_000_000, 0).unwrap() // 2026-11-18
    }

    fn utc(local: &str, zone: &str) -> Result<String, ZoneError> {
        let schedule: Schedule = local.parse().unwrap();
        let tz: Tz = zone.parse().unwrap();
        let translated = to_utc(&schedule, tz, now())?;
        // Beyond the built-in check: the same instants over more than two years.
        let until = now() + TimeDelta::days(800);
        let mut local_runs = Vec::new();
        let mut from = now();
        loop {
            let batch = schedule.next_runs(from, 500, tz);
            let Some(&last) = batch.last() else { break };
            local_runs.extend(batch.into_iter().filter(|r| *r <= until));
            if last > until {
                break;
            }
            from = last;
        }
        let mut utc_runs = Vec::new();
        let mut from = now();
        loop {
            let batch = translated.next_runs(from, 500, Tz::UTC);
            let Some(&last) = batch.last() else { break };
            utc_runs.extend(batch.into_iter().filter(|r| *r <= until));
            if last > until {
                break;
            }
            from = last;
        }
        assert!(!local_runs.is_empty());
        assert_eq!(local_runs, utc_runs, "{local} in {zone} vs {translated}");
        Ok(translated.to_string())
    }

    #[test]
    fn seoul_schedules_have_utc_twins_with_their_days_moved() {
        let table = [
            ("cron(0 9 * * ? *)", "cron(0 0 * * ? *)"),
            ("cron(0 8 ? * MON *)", "cron(0 23 ? * SUN *)"),
            ("cron(0 5 1 * ? *)", "cron(0 20 L * ? *)"),
            ("cron(0 9 ? * MON-FRI *)", "cron(0 0 ? * MON-FRI *)"),
            ("cron(30 7 ? * MON-FRI *)", "cron(30 22 ? * SUN-THU *)"),
            ("cron(0 6 L * ? *)", "cron(0 21 L-1 * ? *)"),
            ("cron(0 6 15 * ? *)", "cron(0 21 14 * ? *)"),
            ("cron(0 5 1 1,7 ? *)", "cron(0 20 L 6,12 ? *)"),
            (
                "cron(0/15 9-17 ? * MON-FRI *)",
                "cron(0/15 0-8 ? * MON-FRI *)",
            ),
            ("cron(0 0-23/3 * * ? *)", "cron(0 0/3 * * ? *)"),
            ("rate(5 minutes)", "rate(5 minutes)"),
        ];
        for (local, expected) in table {
            assert_eq!(utc(local, "Asia/Seoul").as_deref(), Ok(expected), "{local}");
        }
    }

    #[test]
    fn half_hour_zones_move_the_minutes() {
        assert_eq!(
            utc("cron(0 9 * * ? *)", "Asia/Kolkata").as_deref(),
            Ok("cron(30 3 * * ? *)")
        );
        assert_eq!(
            utc("cron(15 4 ? * MON *)", "Asia/Kolkata").as_deref(),
            Ok("cron(45 22 ? * SUN *)")
        );
    }

    #[test]
    fn west_of_greenwich_the_days_move_forward() {
        // UTC-10 all year: the evening is the next morning in UTC.
        assert_eq!(
            utc("cron(0 20 ? * FRI *)", "Pacific/Honolulu").as_deref(),
            Ok("cron(0 6 ? * SAT *)")
        );
        assert_eq!(
            utc("cron(0 20 L * ? *)", "Pacific/Honolulu").as_deref(),
            Ok("cron(0 6 1 * ? *)")
        );
        // L-0 is L, either way.
        assert_eq!(
            utc("cron(0 20 L-0 * ? *)", "Pacific/Honolulu").as_deref(),
            Ok("cron(0 6 1 * ? *)")
        );
        assert_eq!(
            utc("cron(0 6 L-0 * ? *)", "Asia/Seoul").as_deref(),
            Ok("cron(0 21 L-1 * ? *)")
        );
        assert_eq!(
            utc("cron(0 6 L-26 * ? *)", "Asia/Seoul").as_deref(),
            Ok("cron(0 21 L-27 * ? *)")
        );
    }

    #[test]
    fn every_translation_runs_at_the_same_moments_for_two_years() {
        // `utc()` compares 800 days of runs whenever a translation is given.
        let expressions = [
            "cron(0 0 * * ? *)",
            "cron(30 23 * * ? *)",
            "cron(0/20 * * * ? *)",
            "cron(5 1-3 ? * SAT,SUN *)",
            "cron(0 12 ? * 1-7 *)",
            "cron(45 2 10-12 * ? *)",
            "cron(0 3 L-2 * ? *)",
            "cron(15 22 L * ? *)",
            "cron(0 4 1 3-5 ? *)",
            "cron(0 23 27 * ? *)",
            "cron(0 6 ? * L *)",
            "cron(0 0 ? * 6L *)",
            "cron(10 10 10 10 ? *)",
        ];
        let zones = [
            "Asia/Seoul",
            "Asia/Kolkata",
            "Asia/Kathmandu",
            "Pacific/Honolulu",
            "America/Sao_Paulo",
            "UTC",
        ];
        let mut translated = 0;
        for zone in zones {
            for expression in expressions {
                if utc(expression, zone).is_ok() {
                    translated += 1;
                }
            }
        }
        assert!(translated > 40, "{translated} of 78");
    }

    #[test]
    fn what_has_no_twin_says_why() {
        assert_eq!(
            utc("cron(0 9 * * ? *)", "America/New_York"),
            Err(ZoneError::OffsetChanges {
                zone: "America/New_York".into()
            })
        );
        assert_eq!(
            utc("cron(0 8,10 ? * MON *)", "Asia/Seoul"),
            Err(ZoneError::SplitDays)
        );
        assert_eq!(
            utc("cron(0 5 15W * ? *)", "Asia/Seoul"),
            Err(ZoneError::Special {
                field: Field::DayOfMonth,
                symbol: 'W'
            })
        );
        assert_eq!(
            utc("cron(0 5 ? * 2#1 *)", "Asia/Seoul"),
            Err(ZoneError::Special {
                field: Field::DayOfWeek,
                symbol: '#'
            })
        );
        assert_eq!(
            utc("cron(0 5 31 * ? *)", "Asia/Seoul"),
            Err(ZoneError::MonthEdge { day: 31 })
        );
        assert_eq!(
            utc("cron(0 5 * 1 ? *)", "Asia/Seoul"),
            Err(ZoneError::Months)
        );
        assert_eq!(
            utc("cron(0 5 1 1 ? 2027)", "Asia/Seoul"),
            Err(ZoneError::Year)
        );
        // Every month's 1st, within 2027 only: the first runs would be on 31 December 2026.
        assert_eq!(
            utc("cron(0/5 0-8 1 * ? 2027)", "Asia/Seoul"),
            Err(ZoneError::Year)
        );
        // L-27 is the 1st in February, L-28 falls before it: neither moves a day.
        assert_eq!(
            utc("cron(0/5 0-8 L-27 * ? *)", "Asia/Seoul"),
            Err(ZoneError::MonthEdge { day: 27 })
        );
        assert_eq!(
            utc("cron(0/5 20-23 L-28 * ? *)", "Pacific/Honolulu"),
            Err(ZoneError::MonthEdge { day: 28 })
        );
        // A one-time run moves whatever the zone.
        assert_eq!(
            utc("at(2027-03-14T09:00:00)", "America/New_York").as_deref(),
            Ok("at(2027-03-14T13:00:00)")
        );
    }
}
