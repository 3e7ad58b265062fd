//! Fuzzes the cron engine's readers with arbitrary text, and everything a successful parse
//! leads to. See ../README.md for how to run it.
//!
//! For every input (bytes read as UTF-8, lossily):
//! - `Schedule` parse. On success: the printed form parses back to an equal value and
//!   prints the same again; next and previous runs (5) in UTC and in a daylight-saving zone,
//!   from a fixed instant, are strictly ordered and on the right side of it; both
//!   descriptions are produced. On failure: the error span lies within the input, on char
//!   boundaries, and messages and suggestions in both languages do not panic.
//! - `CronExpr` parse, with the same checks on its errors, and `validate()` on success.
//! - `detect`, and `convert` with the dialect detected and with each dialect named: every
//!   rule it returns prints text that parses back to the same rule; change spans lie within
//!   the input; change messages and error messages do not panic.

#![no_main]

use chrono::{DateTime, TimeZone, Utc};
use libfuzzer_sys::fuzz_target;

// The engine is pure and depends only on chrono, chrono-tz and serde, so it is mounted
// directly instead of through the `app` crate (which would pull in Leptos).
#[allow(dead_code, unused_imports)]
#[path = "../../app/src/cron/mod.rs"]
mod cron;

use cron::{CronError, CronExpr, Dialect, Lang, Schedule, Tz};

const LANGS: [Lang; 2] = [Lang::En, Lang::Ko];
const COUNT: usize = 5;

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    check(&input);
});

fn check(input: &str) {
    match input.parse::<Schedule>() {
        Ok(schedule) => check_schedule(input, &schedule),
        Err(error) => check_error(input, &error),
    }

    match input.parse::<CronExpr>() {
        Ok(expr) => {
            if let Err(error) = expr.validate() {
                panic!("{input:?} parsed as {expr:?}, which does not validate: {error:?}");
            }
            let printed = expr.to_string();
            let again: CronExpr = printed
                .parse()
                .unwrap_or_else(|e| panic!("{input:?} printed {printed:?}, which fails: {e:?}"));
            assert_eq!(again, expr, "{input:?} printed {printed:?}");
        }
        Err(error) => check_error(input, &error),
    }

    let _ = cron::detect(input);
    for from in [
        None,
        Some(Dialect::Aws),
        Some(Dialect::Unix),
        Some(Dialect::Quartz),
    ] {
        match cron::convert(input, from) {
            Ok(conversion) => {
                assert!(
                    !conversion.rules.is_empty(),
                    "{input:?} ({from:?}) converted to no rules"
                );
                for rule in &conversion.rules {
                    let printed = rule.to_string();
                    let again: Schedule = printed.parse().unwrap_or_else(|e| {
                        panic!("{input:?} ({from:?}) converted to {printed:?}, which fails: {e:?}")
                    });
                    assert_eq!(
                        &again, rule,
                        "{input:?} ({from:?}) converted to {printed:?}"
                    );
                }
                for change in &conversion.changes {
                    if let Some(span) = &change.span {
                        check_span(input, span, "change");
                    }
                    for lang in LANGS {
                        let _ = change.message(lang);
                        let _ = change.kind.code();
                    }
                }
            }
            Err(error) => check_error(input, &error),
        }
    }
}

fn check_schedule(input: &str, schedule: &Schedule) {
    let printed = schedule.to_string();
    let again: Schedule = printed
        .parse()
        .unwrap_or_else(|e| panic!("{input:?} printed {printed:?}, which fails: {e:?}"));
    assert_eq!(&again, schedule, "{input:?} printed {printed:?}");
    assert_eq!(
        again.to_string(),
        printed,
        "{input:?}: printing is not stable"
    );

    // Just before the US spring-forward gap (2026-03-08 02:00 local = 07:00 UTC).
    let from = Utc.with_ymd_and_hms(2026, 3, 8, 6, 30, 17).unwrap();
    for tz in [Tz::UTC, chrono_tz::Tz::America__New_York.into()] {
        let next = schedule.next_runs(from, COUNT, tz);
        assert!(
            next.len() <= COUNT,
            "{printed} in {tz}: {} runs",
            next.len()
        );
        assert!(
            next.iter().all(|t| *t > from),
            "{printed} in {tz}: {next:?}"
        );
        assert!(ordered(&next, |a, b| a < b), "{printed} in {tz}: {next:?}");

        let prev = schedule.prev_runs(from, COUNT, tz);
        assert!(
            prev.len() <= COUNT,
            "{printed} in {tz}: {} runs",
            prev.len()
        );
        assert!(
            prev.iter().all(|t| *t < from),
            "{printed} in {tz}: {prev:?}"
        );
        assert!(ordered(&prev, |a, b| a > b), "{printed} in {tz}: {prev:?}");
    }
    for lang in LANGS {
        let description = schedule.describe(lang);
        assert!(!description.is_empty(), "{printed}: empty description");
    }
}

fn ordered(
    runs: &[DateTime<Utc>],
    before: impl Fn(&DateTime<Utc>, &DateTime<Utc>) -> bool,
) -> bool {
    runs.windows(2).all(|pair| before(&pair[0], &pair[1]))
}

fn check_error(input: &str, error: &CronError) {
    check_span(input, &error.span, "error");
    let _ = error.kind.code();
    for lang in LANGS {
        let message = error.message(lang);
        assert!(
            !message.is_empty(),
            "{input:?}: empty message for {error:?}"
        );
        let _ = error.suggestion(lang);
    }
}

fn check_span(input: &str, span: &std::ops::Range<usize>, what: &str) {
    assert!(
        span.start <= span.end && span.end <= input.len(),
        "{input:?}: {what} span {span:?} is outside the input (length {})",
        input.len()
    );
    assert!(
        input.is_char_boundary(span.start) && input.is_char_boundary(span.end),
        "{input:?}: {what} span {span:?} is not on char boundaries"
    );
}
