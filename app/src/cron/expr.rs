//! The builder model of an AWS schedule and its canonical text.

use std::fmt;
use std::str::FromStr;

use chrono::TimeDelta;
use serde::{Deserialize, Serialize};

use super::{CronError, Lang, parse};

pub(crate) const MONTH_NAMES: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
/// Day names in AWS order: index 0 is day 1 (SUN).
pub(crate) const DAY_NAMES: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// A field of a cron expression. `Seconds` only appears in Quartz input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Seconds,
    Minutes,
    Hours,
    DayOfMonth,
    Month,
    DayOfWeek,
    Year,
}

impl Field {
    /// The six fields of AWS `cron()`, in order.
    pub const AWS: [Field; 6] = [
        Field::Minutes,
        Field::Hours,
        Field::DayOfMonth,
        Field::Month,
        Field::DayOfWeek,
        Field::Year,
    ];

    /// The field's name for messages.
    pub fn name(self, lang: Lang) -> &'static str {
        match (lang, self) {
            (Lang::En, Field::Seconds) => "seconds",
            (Lang::En, Field::Minutes) => "minutes",
            (Lang::En, Field::Hours) => "hours",
            (Lang::En, Field::DayOfMonth) => "day-of-month",
            (Lang::En, Field::Month) => "month",
            (Lang::En, Field::DayOfWeek) => "day-of-week",
            (Lang::En, Field::Year) => "year",
            (Lang::Ko, Field::Seconds) => "초",
            (Lang::Ko, Field::Minutes) => "분",
            (Lang::Ko, Field::Hours) => "시",
            (Lang::Ko, Field::DayOfMonth) => "일",
            (Lang::Ko, Field::Month) => "월",
            (Lang::Ko, Field::DayOfWeek) => "요일",
            (Lang::Ko, Field::Year) => "연도",
        }
    }

    /// The smallest and largest value AWS allows in this field.
    pub fn bounds(self) -> (u16, u16) {
        match self {
            Field::Seconds | Field::Minutes => (0, 59),
            Field::Hours => (0, 23),
            Field::DayOfMonth => (1, 31),
            Field::Month => (1, 12),
            Field::DayOfWeek => (1, 7),
            Field::Year => (1970, 2199),
        }
    }
}

/// What one field of a `cron()` says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldExpr {
    /// `*`
    Every,
    /// `?` (day-of-month or day-of-week only)
    NoSpecific,
    /// Comma-separated parts. `L`, `W` and `#` parts stand alone.
    List(Vec<Part>),
}

/// One comma-separated part of a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// `5`, `MON`, `JAN`
    Value(u16),
    /// `a-b`; wraps around when `start > end` (not in the year field).
    Range { start: u16, end: u16 },
    /// `*/b`, `a/b`, `a-b/c`
    Step { base: StepBase, step: u16 },
    /// `L`: the last day of the month; in day-of-week, Saturday.
    Last,
    /// `L-n`: n days before the last day of the month.
    LastOffset(u8),
    /// `LW`: the last weekday (Monday-Friday) of the month.
    LastWeekday,
    /// `nW`: the weekday nearest day n, within the same month.
    NearestWeekday(u8),
    /// `d#n`: the nth weekday d (1 = SUN) of the month.
    NthWeekday { weekday: u8, nth: u8 },
    /// `dL`: the last weekday d (1 = SUN) of the month.
    LastOfWeekday(u8),
}

/// Where a step starts and stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepBase {
    /// `*/b`: from the field's first value.
    Every,
    /// `a/b`: from a to the field's last value.
    From(u16),
    /// `a-b/c`: from a to b (wrapping when `start > end`).
    Range { start: u16, end: u16 },
}

impl Part {
    /// `L`, `W` and `#` parts, which must be the only part of their field.
    pub fn is_special(&self) -> bool {
        !matches!(
            self,
            Part::Value(_) | Part::Range { .. } | Part::Step { .. }
        )
    }

    /// The character that marks a special part, for messages.
    pub(crate) fn symbol(&self) -> char {
        match self {
            Part::NearestWeekday(_) => 'W',
            Part::NthWeekday { .. } => '#',
            _ => 'L',
        }
    }

    /// Calls `f` with each value of a plain part (value, range, step) between `min` and
    /// `max`, as Quartz expands it: ranges wrap, and a step over a wrapping range carries on
    /// across the wrap. Special parts and out-of-bounds parts yield nothing.
    pub(crate) fn for_each_value(&self, min: u16, max: u16, mut f: impl FnMut(u16)) {
        let (start, end, step) = match *self {
            Part::Value(v) => (v, v, 1),
            Part::Range { start, end } => (start, end, 1),
            Part::Step { base, step } => match base {
                StepBase::Every => (min, max, step),
                StepBase::From(start) => (start, max, step),
                StepBase::Range { start, end } => (start, end, step),
            },
            _ => return,
        };
        let in_bounds = |v: u16| (min..=max).contains(&v);
        if step == 0 || !in_bounds(start) || !in_bounds(end) {
            return;
        }
        let (min, span) = (u32::from(min), u32::from(max - min) + 1);
        let stop = if end >= start {
            u32::from(end)
        } else {
            u32::from(end) + span
        };
        let mut k = u32::from(start);
        while k <= stop {
            // `k - min < 2 * span`, so the value fits back into u16.
            f((min + (k - min) % span) as u16);
            k += u32::from(step);
        }
    }
}

/// The six fields of an AWS `cron()` expression: the model a builder UI edits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CronExpr {
    pub minutes: FieldExpr,
    pub hours: FieldExpr,
    pub day_of_month: FieldExpr,
    pub month: FieldExpr,
    pub day_of_week: FieldExpr,
    pub year: FieldExpr,
}

impl CronExpr {
    /// The expression of one field (`None` for `Seconds`).
    pub fn field(&self, field: Field) -> Option<&FieldExpr> {
        match field {
            Field::Seconds => None,
            Field::Minutes => Some(&self.minutes),
            Field::Hours => Some(&self.hours),
            Field::DayOfMonth => Some(&self.day_of_month),
            Field::Month => Some(&self.month),
            Field::DayOfWeek => Some(&self.day_of_week),
            Field::Year => Some(&self.year),
        }
    }

    /// Checks a model built by hand (e.g. in the builder UI) against every AWS rule. The
    /// error's span points into the printed text, `self.to_string()`.
    pub fn validate(&self) -> Result<(), CronError> {
        self.to_string().parse::<CronExpr>().map(|_| ())
    }
}

impl FromStr for CronExpr {
    type Err = CronError;

    /// Reads `cron(...)` only.
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        parse::parse_cron(input)
    }
}

impl fmt::Display for CronExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("cron(")?;
        for (i, field) in Field::AWS.into_iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            if let Some(expr) = self.field(field) {
                write_field(f, field, expr)?;
            }
        }
        f.write_str(")")
    }
}

/// The canonical text of one field, e.g. `MON-FRI`.
pub(crate) struct FieldText<'a>(pub Field, pub &'a FieldExpr);

impl fmt::Display for FieldText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_field(f, self.0, self.1)
    }
}

fn write_field(f: &mut fmt::Formatter<'_>, field: Field, expr: &FieldExpr) -> fmt::Result {
    match expr {
        FieldExpr::Every => f.write_str("*"),
        FieldExpr::NoSpecific => f.write_str("?"),
        FieldExpr::List(parts) => {
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    f.write_str(",")?;
                }
                write_part(f, field, part)?;
            }
            Ok(())
        }
    }
}

fn write_part(f: &mut fmt::Formatter<'_>, field: Field, part: &Part) -> fmt::Result {
    match *part {
        Part::Value(v) => write_value(f, field, v),
        Part::Range { start, end } => {
            write_value(f, field, start)?;
            f.write_str("-")?;
            write_value(f, field, end)
        }
        Part::Step { base, step } => match base {
            StepBase::Every => write!(f, "*/{step}"),
            StepBase::From(start) => write!(f, "{start}/{step}"),
            StepBase::Range { start, end } => write!(f, "{start}-{end}/{step}"),
        },
        Part::Last => f.write_str("L"),
        Part::LastOffset(n) => write!(f, "L-{n}"),
        Part::LastWeekday => f.write_str("LW"),
        Part::NearestWeekday(day) => write!(f, "{day}W"),
        Part::NthWeekday { weekday, nth } => write!(f, "{weekday}#{nth}"),
        Part::LastOfWeekday(weekday) => write!(f, "{weekday}L"),
    }
}

/// Day-of-week values print as names: AWS counts 1 = SUN where Unix counts 0 = SUN, and a
/// name cannot be misread either way.
fn write_value(f: &mut fmt::Formatter<'_>, field: Field, value: u16) -> fmt::Result {
    match day_name(field, value) {
        Some(name) => f.write_str(name),
        None => write!(f, "{value}"),
    }
}

fn day_name(field: Field, value: u16) -> Option<&'static str> {
    if field != Field::DayOfWeek {
        return None;
    }
    DAY_NAMES.get(usize::from(value).checked_sub(1)?).copied()
}

/// `rate(value unit)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rate {
    pub value: u32,
    pub unit: RateUnit,
}

/// The unit of a `rate()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RateUnit {
    Minute,
    Hour,
    Day,
}

impl RateUnit {
    /// The word AWS expects: singular for a value of 1, plural otherwise.
    pub fn word(self, value: u64) -> &'static str {
        match (self, value == 1) {
            (RateUnit::Minute, true) => "minute",
            (RateUnit::Minute, false) => "minutes",
            (RateUnit::Hour, true) => "hour",
            (RateUnit::Hour, false) => "hours",
            (RateUnit::Day, true) => "day",
            (RateUnit::Day, false) => "days",
        }
    }

    fn seconds(self) -> i64 {
        match self {
            RateUnit::Minute => 60,
            RateUnit::Hour => 3_600,
            RateUnit::Day => 86_400,
        }
    }
}

impl Rate {
    /// The time between runs; `None` for a value of 0, which AWS rejects.
    pub fn interval(&self) -> Option<TimeDelta> {
        if self.value == 0 {
            return None;
        }
        TimeDelta::try_seconds(i64::from(self.value) * self.unit.seconds())
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let word = self.unit.word(u64::from(self.value));
        write!(f, "rate({} {word})", self.value)
    }
}
