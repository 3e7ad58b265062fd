//! Schedule expressions: parse, validate, evaluate and describe them.
//!
//! This module is pure (no IO, no clock, no threads) so that the browser (live preview,
//! form validation) and the server (authoritative validation) run the same code.
//!
//! # What it reads
//! - AWS EventBridge forms, through [`Schedule`]'s `FromStr`: `cron(minutes hours
//!   day-of-month month day-of-week year)` with `, - * ? / L W #`, `rate(value unit)` and
//!   the Scheduler's one-time `at(yyyy-mm-ddThh:mm:ss)`.
//! - Unix 5-field cron (with `@daily` and friends) and Quartz 6/7-field cron, through
//!   [`convert`], which returns AWS rules and a list of what changed and why.
//!
//! # Public API
//! - [`Schedule`]: `parse()` / `to_string()` (canonical AWS text),
//!   [`Schedule::next_runs`], [`Schedule::prev_runs`] (in UTC or any IANA zone, with the
//!   Scheduler's daylight-saving rules), [`Schedule::describe`] (English or Korean).
//! - [`CronExpr`] with [`FieldExpr`] / [`Part`] / [`StepBase`]: the builder model a UI edits
//!   field by field; `CronExpr::to_string()` prints it, [`CronExpr::validate`] checks it,
//!   and parsing the printed text gives the same model back.
//! - [`Rate`], [`RateUnit`]: `rate()`; [`Rate::runs_after`] / [`Rate::runs_before`] take
//!   the first run explicitly (for example a Scheduler schedule's start date).
//! - [`detect`], [`convert`], [`Dialect`], [`Conversion`], [`Change`], [`ChangeKind`].
//! - [`to_utc`]: a schedule written in a local zone as the UTC `cron()` an EventBridge
//!   rule needs, when one runs at exactly the same instants, or a [`ZoneError`] saying why
//!   none does (daylight saving, a day that cannot move across midnight).
//! - [`CronError`] with [`ErrorKind`], the [`Field`] and the byte span in the original
//!   input; [`CronError::message`] and [`CronError::suggestion`] in either [`Lang`].
//!
//! # Choices where AWS is silent (Quartz is followed)
//! - `L`, `L-n`, `LW`, `nW`, `dL` and `d#n` must be the only value of their field.
//! - `nW` never leaves the month; in a month without day `n` (e.g. `31W` in April) it does
//!   not run. `L-n` that would fall before the 1st does not run that month.
//! - Ranges wrap in every field but the year (`20-2` hours, `FRI-MON`, `NOV-FEB`), and a
//!   step over a wrapping range carries on across the wrap (`20-2/3` = 20, 23, 2).
//! - Day-of-week `L` alone means Saturday (7).
//! - Whitespace around the expression is accepted, and runs of spaces between fields.
//! - `rate()` intervals are fixed lengths of time; the time zone does not change them.
//! - `at()` follows the same daylight-saving rules as `cron()`: a local time that does
//!   not exist never runs, a repeated one runs at its first occurrence.

mod describe;
mod dialect;
mod error;
mod eval;
mod expr;
mod parse;
pub mod stamp;
mod tz;
mod zone;

#[cfg(test)]
mod tests;

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

pub use dialect::{Change, ChangeKind, Conversion, Dialect, convert, detect};
pub use error::{CronError, ErrorKind};
pub use expr::{CronExpr, Field, FieldExpr, Part, Rate, RateUnit, StepBase};
pub use tz::{Tz, TzOffset};
pub use zone::{ZoneError, fixed_offset_minutes, to_utc};

/// The language of messages and descriptions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    #[default]
    En,
    Ko,
}

/// An AWS schedule expression.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Schedule {
    /// `cron(...)`: calendar-based.
    Cron(CronExpr),
    /// `rate(...)`: every fixed interval.
    Rate(Rate),
    /// `at(...)`: once, at a local date and time (EventBridge Scheduler only).
    At(NaiveDateTime),
}

impl FromStr for Schedule {
    type Err = CronError;

    /// Reads the AWS forms only; use [`convert`] for Unix or Quartz input.
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        parse::parse_schedule(input)
    }
}

impl fmt::Display for Schedule {
    /// Canonical AWS text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Schedule::Cron(cron) => cron.fmt(f),
            Schedule::Rate(rate) => rate.fmt(f),
            Schedule::At(at) => write!(f, "at({})", stamp::date_time(*at, 'T', true)),
        }
    }
}

impl Schedule {
    /// Up to `count` runs strictly after `after`, earliest first, with the expression read
    /// in `tz`. A `rate()` is anchored at `after` (its runs are `after + k·interval`).
    /// Fewer runs come back when the schedule ends (year 2199, a past `at()`, a date that
    /// never exists); the search never hangs. `count` is not capped here: callers that take
    /// it from users should cap it.
    pub fn next_runs(&self, after: DateTime<Utc>, count: usize, tz: Tz) -> Vec<DateTime<Utc>> {
        match self {
            Schedule::Cron(cron) => eval::next_runs(cron, after, count, tz),
            Schedule::Rate(rate) => rate.runs_after(after, after, count),
            Schedule::At(at) => eval::at_run(*at, tz)
                .filter(|run| *run > after && count > 0)
                .into_iter()
                .collect(),
        }
    }

    /// Up to `count` runs strictly before `before`, latest first. A `rate()` is anchored at
    /// `before` (its runs are `before - k·interval`).
    pub fn prev_runs(&self, before: DateTime<Utc>, count: usize, tz: Tz) -> Vec<DateTime<Utc>> {
        match self {
            Schedule::Cron(cron) => eval::prev_runs(cron, before, count, tz),
            Schedule::Rate(rate) => eval::rate_back_from(rate, before, count),
            Schedule::At(at) => eval::at_run(*at, tz)
                .filter(|run| *run < before && count > 0)
                .into_iter()
                .collect(),
        }
    }

    /// One plain sentence saying when the schedule runs.
    pub fn describe(&self, lang: Lang) -> String {
        describe::describe(self, lang)
    }
}
