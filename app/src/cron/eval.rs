//! Finding runs. Each field compiles to a bitset, and the search jumps to the next set bit
//! of the year, month, day, hour and minute in turn, so whole non-matching spans are
//! skipped instead of scanned.
//!
//! The search walks local calendar time in the schedule's zone, then maps each candidate
//! to UTC with the EventBridge Scheduler rules: a local time that does not exist is
//! skipped, and a repeated one runs once, at its first occurrence. With that choice the
//! mapping from local time to UTC is strictly increasing, so walking local time in order
//! gives runs in order.

use chrono::{
    DateTime, Datelike, MappedLocalTime, NaiveDate, NaiveDateTime, TimeDelta, TimeZone, Timelike,
    Utc,
};

use super::{CronExpr, FieldExpr, Part, Rate, Tz};

const FIRST_YEAR: i32 = 1970;
const LAST_YEAR: i32 = 2199;
/// 1969-01-01T00:00:00Z and 2201-01-01T00:00:00Z: outside the cron years in every zone.
/// Clamping to them keeps local-time conversions within chrono's range.
const SEARCH_START: i64 = -31_536_000;
const SEARCH_END: i64 = 7_289_654_400;

/// A `cron()` compiled to bitsets. Bit n of `minutes` is minute n, and so on; months,
/// days and weekdays count from bit 1, years from bit 0 = 1970.
struct Matcher {
    minutes: u64,
    hours: u64,
    months: u64,
    years: [u64; 4],
    /// `None` when the field is `*` or `?`.
    day_of_month: Option<DayRule>,
    day_of_week: Option<DayRule>,
}

/// The plain values of a day field as a bitset, plus its `L`/`W`/`#` parts.
struct DayRule {
    plain: u64,
    special: Vec<Part>,
}

impl Matcher {
    fn new(expr: &CronExpr) -> Self {
        // Every year is the common case: fill it at once rather than bit by bit.
        let mut years = [u64::MAX, u64::MAX, u64::MAX, low_bits(229 - 192)];
        if let FieldExpr::List(parts) = &expr.year {
            years = [0; 4];
            for part in parts {
                part.for_each_value(1970, 2199, |year| {
                    let index = usize::from(year - 1970);
                    years[index / 64] |= 1 << (index % 64);
                });
            }
        }
        Matcher {
            minutes: mask(&expr.minutes, 0, 59),
            hours: mask(&expr.hours, 0, 23),
            months: mask(&expr.month, 1, 12),
            years,
            day_of_month: day_rule(&expr.day_of_month, 1, 31),
            day_of_week: day_rule(&expr.day_of_week, 1, 7).map(|mut rule| {
                // `L` alone in day-of-week is Saturday.
                if rule.special.contains(&Part::Last) {
                    rule.plain |= 1 << 7;
                }
                rule
            }),
        }
    }

    /// The matching days of a month, as bits 1-31.
    fn days(&self, year: i32, month: u32) -> u64 {
        let Some(month) = Month::new(year, month) else {
            return 0;
        };
        let all = month.all();
        let by_date = self.day_of_month.as_ref().map_or(all, |rule| {
            rule.special
                .iter()
                .filter_map(|part| month.date_special(part))
                .fold(rule.plain & all, |days, day| days | 1 << day)
        });
        let by_weekday = self.day_of_week.as_ref().map_or(all, |rule| {
            rule.special
                .iter()
                .filter_map(|part| month.weekday_special(part))
                .fold(month.weekdays(rule.plain), |days, day| days | 1 << day)
        });
        by_date & by_weekday
    }

    /// The first matching minute at or after `from`, in local calendar time.
    fn next_from(&self, from: NaiveDateTime) -> Option<NaiveDateTime> {
        let (mut year, mut month, mut day, mut hour, mut minute) = parts(from);
        if year < FIRST_YEAR {
            (year, month, day, hour, minute) = (FIRST_YEAR, 1, 1, 0, 0);
        }
        loop {
            let found = self.next_year(year)?;
            if found != year {
                (year, month, day, hour, minute) = (found, 1, 1, 0, 0);
            }
            while let Some(found) = next_bit(self.months, month) {
                if found != month {
                    (month, day, hour, minute) = (found, 1, 0, 0);
                }
                let days = self.days(year, month);
                while let Some(found) = next_bit(days, day) {
                    if found != day {
                        (day, hour, minute) = (found, 0, 0);
                    }
                    if let Some((hour, minute)) = self.next_time(hour, minute) {
                        return NaiveDate::from_ymd_opt(year, month, day)?
                            .and_hms_opt(hour, minute, 0);
                    }
                    (day, hour, minute) = (day + 1, 0, 0);
                }
                (month, day, hour, minute) = (month + 1, 1, 0, 0);
            }
            (year, month, day, hour, minute) = (year + 1, 1, 1, 0, 0);
        }
    }

    /// The last matching minute at or before `from`, in local calendar time.
    fn prev_from(&self, from: NaiveDateTime) -> Option<NaiveDateTime> {
        let (mut year, mut month, mut day, mut hour, mut minute) = parts(from);
        if year > LAST_YEAR {
            (year, month, day, hour, minute) = (LAST_YEAR, 12, 31, 23, 59);
        }
        loop {
            let found = self.prev_year(year)?;
            if found != year {
                (year, month, day, hour, minute) = (found, 12, 31, 23, 59);
            }
            while let Some(found) = prev_bit(self.months, month) {
                if found != month {
                    (month, day, hour, minute) = (found, 31, 23, 59);
                }
                let days = self.days(year, month);
                while let Some(found) = prev_bit(days, day) {
                    if found != day {
                        (day, hour, minute) = (found, 23, 59);
                    }
                    if let Some((hour, minute)) = self.prev_time(hour, minute) {
                        return NaiveDate::from_ymd_opt(year, month, day)?
                            .and_hms_opt(hour, minute, 0);
                    }
                    // Bit 0 is never set, so day 0 ends the loop.
                    (day, hour, minute) = (day - 1, 23, 59);
                }
                (month, day, hour, minute) = (month - 1, 31, 23, 59);
            }
            (year, month, day, hour, minute) = (year - 1, 12, 31, 23, 59);
        }
    }

    fn next_time(&self, hour: u32, minute: u32) -> Option<(u32, u32)> {
        let found = next_bit(self.hours, hour)?;
        if found == hour {
            if let Some(minute) = next_bit(self.minutes, minute) {
                return Some((hour, minute));
            }
            let later = next_bit(self.hours, hour + 1)?;
            return Some((later, next_bit(self.minutes, 0)?));
        }
        Some((found, next_bit(self.minutes, 0)?))
    }

    fn prev_time(&self, hour: u32, minute: u32) -> Option<(u32, u32)> {
        let found = prev_bit(self.hours, hour)?;
        if found == hour {
            if let Some(minute) = prev_bit(self.minutes, minute) {
                return Some((hour, minute));
            }
            let earlier = prev_bit(self.hours, hour.checked_sub(1)?)?;
            return Some((earlier, prev_bit(self.minutes, 59)?));
        }
        Some((found, prev_bit(self.minutes, 59)?))
    }

    fn next_year(&self, year: i32) -> Option<i32> {
        let from = usize::try_from(year.max(FIRST_YEAR) - FIRST_YEAR).ok()?;
        (from / 64..self.years.len()).find_map(|word| {
            let high = if word == from / 64 {
                u64::MAX << (from % 64)
            } else {
                u64::MAX
            };
            let bits = self.years[word] & high;
            (bits != 0).then(|| year_at(word * 64 + bits.trailing_zeros() as usize))
        })
    }

    fn prev_year(&self, year: i32) -> Option<i32> {
        let upto = usize::try_from(year.min(LAST_YEAR) - FIRST_YEAR).ok()?;
        (0..=upto / 64).rev().find_map(|word| {
            let low = if word == upto / 64 {
                low_bits(upto % 64)
            } else {
                u64::MAX
            };
            let bits = self.years.get(word)? & low;
            (bits != 0).then(|| year_at(word * 64 + 63 - bits.leading_zeros() as usize))
        })
    }
}

/// The year of a bit in `Matcher::years` (the index is below 256).
fn year_at(index: usize) -> i32 {
    FIRST_YEAR + index as i32
}

fn parts(t: NaiveDateTime) -> (i32, u32, u32, u32, u32) {
    (t.year(), t.month(), t.day(), t.hour(), t.minute())
}

/// The values a field allows as bits `min..=max` (all of them for `*` and `?`).
fn mask(expr: &FieldExpr, min: u16, max: u16) -> u64 {
    let FieldExpr::List(parts) = expr else {
        return low_bits(max.into()) & !low_bits(usize::from(min).wrapping_sub(1));
    };
    let mut bits = 0;
    for part in parts {
        part.for_each_value(min, max, |v| bits |= 1 << v);
    }
    bits
}

fn day_rule(expr: &FieldExpr, min: u16, max: u16) -> Option<DayRule> {
    let FieldExpr::List(parts) = expr else {
        return None;
    };
    Some(DayRule {
        plain: mask(expr, min, max),
        special: parts.iter().copied().filter(Part::is_special).collect(),
    })
}

/// Bits `0..=n` (none for `usize::MAX`, standing for -1).
fn low_bits(n: usize) -> u64 {
    match n {
        usize::MAX => 0,
        63.. => u64::MAX,
        _ => (1 << (n + 1)) - 1,
    }
}

/// The lowest set bit at or above `from`.
fn next_bit(mask: u64, from: u32) -> Option<u32> {
    let bits = mask.checked_shr(from)?.checked_shl(from)?;
    (bits != 0).then(|| bits.trailing_zeros())
}

/// The highest set bit at or below `upto`.
fn prev_bit(mask: u64, upto: u32) -> Option<u32> {
    let bits = mask & low_bits(upto as usize);
    (bits != 0).then(|| 63 - bits.leading_zeros())
}

/// The shape of one calendar month.
struct Month {
    days: u32,
    /// The weekday of the 1st, 1 = SUN.
    first_weekday: u32,
}

impl Month {
    fn new(year: i32, month: u32) -> Option<Self> {
        let first = NaiveDate::from_ymd_opt(year, month, 1)?;
        let days = match month {
            2 if first.leap_year() => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        Some(Month {
            days,
            first_weekday: first.weekday().num_days_from_sunday() + 1,
        })
    }

    /// Bits 1..=days.
    fn all(&self) -> u64 {
        low_bits(self.days as usize) & !1
    }

    /// The weekday of a day of this month, 1 = SUN.
    fn weekday(&self, day: u32) -> u32 {
        (self.first_weekday + day + 5) % 7 + 1
    }

    /// The first day of this month that falls on `weekday`.
    fn first(&self, weekday: u32) -> u32 {
        1 + (weekday + 7 - self.first_weekday) % 7
    }

    /// The days that fall on the weekdays in `weekdays` (bits 1-7).
    fn weekdays(&self, weekdays: u64) -> u64 {
        const WEEKLY: u64 = 1 | 1 << 7 | 1 << 14 | 1 << 21 | 1 << 28;
        (1..=7)
            .filter(|weekday| weekdays >> weekday & 1 == 1)
            .fold(0, |days, weekday| days | WEEKLY << self.first(weekday))
            & self.all()
    }

    /// The day that an `L`/`W` day-of-month part picks, if any, as Quartz does.
    fn date_special(&self, part: &Part) -> Option<u32> {
        let last = self.days;
        match *part {
            Part::Last => Some(last),
            Part::LastOffset(n) => last.checked_sub(u32::from(n)).filter(|day| *day >= 1),
            Part::LastWeekday => Some(match self.weekday(last) {
                7 => last - 1,
                1 => last - 2,
                _ => last,
            }),
            Part::NearestWeekday(day) => {
                let day = u32::from(day);
                if !(1..=last).contains(&day) {
                    return None;
                }
                // Never into another month: the 1st on a Saturday moves to Monday the 3rd,
                // the last day on a Sunday back to Friday.
                Some(match self.weekday(day) {
                    7 if day == 1 => 3,
                    7 => day - 1,
                    1 if day == last => day - 2,
                    1 => day + 1,
                    _ => day,
                })
            }
            _ => None,
        }
    }

    /// The day that a `#` or `dL` day-of-week part picks, if any.
    fn weekday_special(&self, part: &Part) -> Option<u32> {
        match *part {
            Part::NthWeekday { weekday, nth } if (1..=7).contains(&weekday) && nth >= 1 => {
                let day = self.first(weekday.into()) + 7 * (u32::from(nth) - 1);
                (day <= self.days).then_some(day)
            }
            Part::LastOfWeekday(weekday) if (1..=7).contains(&weekday) => {
                let back = (self.weekday(self.days) + 7 - u32::from(weekday)) % 7;
                Some(self.days - back)
            }
            _ => None,
        }
    }
}

/// The UTC instant of a local time under the Scheduler's rules: `None` in a gap, the first
/// occurrence in an overlap.
fn resolve(local: NaiveDateTime, tz: Tz) -> Option<DateTime<Utc>> {
    if tz == Tz::UTC {
        return Some(local.and_utc());
    }
    match tz.from_local_datetime(&local) {
        MappedLocalTime::Single(t) | MappedLocalTime::Ambiguous(t, _) => {
            Some(t.with_timezone(&Utc))
        }
        MappedLocalTime::None => None,
    }
}

fn floor_minute(t: NaiveDateTime) -> NaiveDateTime {
    t.with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(t)
}

fn instant(seconds: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(seconds, 0)
}

pub(crate) fn next_runs(
    expr: &CronExpr,
    after: DateTime<Utc>,
    count: usize,
    tz: Tz,
) -> Vec<DateTime<Utc>> {
    let mut runs = Vec::new();
    if count == 0 || after.timestamp() >= SEARCH_END {
        return runs;
    }
    let Some(from) = instant(SEARCH_START).map(|start| after.max(start)) else {
        return runs;
    };
    let matcher = Matcher::new(expr);
    let mut cursor = floor_minute(from.with_timezone(&tz).naive_local());
    while runs.len() < count {
        let Some(local) = matcher.next_from(cursor) else {
            break;
        };
        // Local times just after `after` can have first occurred before it (in a repeated
        // hour), hence the check.
        if let Some(run) = resolve(local, tz).filter(|run| *run > after) {
            runs.push(run);
        }
        let Some(next) = local.checked_add_signed(TimeDelta::minutes(1)) else {
            break;
        };
        cursor = next;
    }
    runs
}

pub(crate) fn prev_runs(
    expr: &CronExpr,
    before: DateTime<Utc>,
    count: usize,
    tz: Tz,
) -> Vec<DateTime<Utc>> {
    let mut runs = Vec::new();
    if count == 0 || before.timestamp() <= SEARCH_START {
        return runs;
    }
    let Some(to) = instant(SEARCH_END).map(|end| before.min(end)) else {
        return runs;
    };
    let matcher = Matcher::new(expr);
    let mut cursor = floor_minute(prev_start(to, tz));
    while runs.len() < count {
        let Some(local) = matcher.prev_from(cursor) else {
            break;
        };
        if let Some(run) = resolve(local, tz).filter(|run| *run < before) {
            runs.push(run);
        }
        let Some(earlier) = local.checked_sub_signed(TimeDelta::minutes(1)) else {
            break;
        };
        cursor = earlier;
    }
    runs
}

/// Where a backward search starts. Inside the second pass of a repeated hour, local times
/// up to one clock shift later first occurred before `to`, so start there.
fn prev_start(to: DateTime<Utc>, tz: Tz) -> NaiveDateTime {
    let local = to.with_timezone(&tz).naive_local();
    match tz.from_local_datetime(&local) {
        MappedLocalTime::Ambiguous(first, _) => {
            let shift = to.signed_duration_since(first.with_timezone(&Utc));
            local.checked_add_signed(shift).unwrap_or(local)
        }
        _ => local,
    }
}

/// The instant of a one-time `at()` schedule in `tz`, if that local time exists.
pub(crate) fn at_run(at: NaiveDateTime, tz: Tz) -> Option<DateTime<Utc>> {
    resolve(at, tz)
}

impl Rate {
    /// Up to `count` runs strictly after `after`, earliest first, of a rate whose first run
    /// was `start` (e.g. a Scheduler schedule's start date): `start + k·interval`, k ≥ 0.
    pub fn runs_after(
        &self,
        start: DateTime<Utc>,
        after: DateTime<Utc>,
        count: usize,
    ) -> Vec<DateTime<Utc>> {
        let Some(interval) = self.interval() else {
            return Vec::new();
        };
        let mut run = if after < start {
            Some(start)
        } else {
            last_at_or_before(start, after, interval)
        };
        if let Some(t) = run.filter(|t| *t <= after) {
            run = t.checked_add_signed(interval);
        }
        std::iter::successors(run, |t| t.checked_add_signed(interval))
            .take(count)
            .collect()
    }

    /// Up to `count` runs strictly before `before`, latest first, of a rate whose first run
    /// was `start`.
    pub fn runs_before(
        &self,
        start: DateTime<Utc>,
        before: DateTime<Utc>,
        count: usize,
    ) -> Vec<DateTime<Utc>> {
        let Some(interval) = self.interval().filter(|_| before > start) else {
            return Vec::new();
        };
        let mut run = last_at_or_before(start, before, interval);
        if let Some(t) = run.filter(|t| *t >= before) {
            run = t.checked_sub_signed(interval).filter(|t| *t >= start);
        }
        let earlier = |t: &DateTime<Utc>| t.checked_sub_signed(interval).filter(|t| *t >= start);
        std::iter::successors(run, earlier).take(count).collect()
    }
}

/// Runs every `interval` counting back from `before` (the anchor), latest first.
pub(crate) fn rate_back_from(
    rate: &Rate,
    before: DateTime<Utc>,
    count: usize,
) -> Vec<DateTime<Utc>> {
    let Some(interval) = rate.interval() else {
        return Vec::new();
    };
    let earlier = |t: &DateTime<Utc>| t.checked_sub_signed(interval);
    std::iter::successors(earlier(&before), earlier)
        .take(count)
        .collect()
}

/// The last run `start + k·interval` (k ≥ 0) at or before `t`, for `t >= start`.
fn last_at_or_before(
    start: DateTime<Utc>,
    t: DateTime<Utc>,
    interval: TimeDelta,
) -> Option<DateTime<Utc>> {
    // Whole seconds round toward zero, and `t - start` is not negative, so this floors.
    let steps = t.signed_duration_since(start).num_seconds() / interval.num_seconds();
    let offset = TimeDelta::try_seconds(steps.checked_mul(interval.num_seconds())?)?;
    start.checked_add_signed(offset)
}
