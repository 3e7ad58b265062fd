//! Tests of the cron engine, one file per capability.

mod convert;
mod describe;
mod errors;
mod grammar;
mod props;
mod runs;

use chrono::{DateTime, TimeZone, Utc};

use super::{Schedule, Tz};

/// A UTC instant; the tests only use valid dates.
fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

fn schedule(text: &str) -> Schedule {
    text.parse()
        .unwrap_or_else(|e| panic!("{text} should parse: {e}"))
}

/// Runs as `yyyy-mm-dd hh:mm` UTC, easy to compare in a table.
fn fmt(runs: Vec<DateTime<Utc>>) -> Vec<String> {
    runs.iter()
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .collect()
}

fn next(text: &str, after: DateTime<Utc>, count: usize, tz: Tz) -> Vec<String> {
    fmt(schedule(text).next_runs(after, count, tz))
}

fn prev(text: &str, before: DateTime<Utc>, count: usize, tz: Tz) -> Vec<String> {
    fmt(schedule(text).prev_runs(before, count, tz))
}
