//! Next and previous runs: field semantics, month edges, year limits and daylight saving.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use super::{next, prev, schedule, utc};
use crate::cron::{Rate, RateUnit, Tz};

const UTC: Tz = Tz::UTC;

#[test]
fn last_friday_until_2025() {
    let text = "cron(15 10 ? * 6L 2002-2025)";
    assert_eq!(
        next(text, utc(2025, 10, 1, 0, 0), 5, UTC),
        ["2025-10-31 10:15", "2025-11-28 10:15", "2025-12-26 10:15"],
        "stops after 2025"
    );
    assert_eq!(
        next(text, utc(1990, 1, 1, 0, 0), 2, UTC),
        ["2002-01-25 10:15", "2002-02-22 10:15"],
        "starts in 2002"
    );
    assert_eq!(
        prev(text, utc(2030, 1, 1, 0, 0), 2, UTC),
        ["2025-12-26 10:15", "2025-11-28 10:15"]
    );
}

#[test]
fn wrapping_hours_run_on_the_weekday_of_each_date() {
    // 2025-10-31 is a Friday: its evening runs, then Saturday's early hours do not.
    let text = "cron(0/30 20-2 ? * MON-FRI *)";
    let runs = next(text, utc(2025, 10, 31, 22, 59), 4, UTC);
    assert_eq!(
        runs,
        [
            "2025-10-31 23:00",
            "2025-10-31 23:30",
            "2025-11-03 00:00",
            "2025-11-03 00:30"
        ]
    );
    let runs = next(text, utc(2025, 11, 3, 2, 0), 3, UTC);
    assert_eq!(
        runs,
        ["2025-11-03 02:30", "2025-11-03 20:00", "2025-11-03 20:30"]
    );
}

#[test]
fn last_day_of_february_around_2100() {
    let text = "cron(0 0 L 2 ? *)";
    assert_eq!(
        next(text, utc(2096, 1, 1, 0, 0), 9, UTC),
        [
            "2096-02-29 00:00",
            "2097-02-28 00:00",
            "2098-02-28 00:00",
            "2099-02-28 00:00",
            "2100-02-28 00:00",
            "2101-02-28 00:00",
            "2102-02-28 00:00",
            "2103-02-28 00:00",
            "2104-02-29 00:00"
        ],
        "2100 is not a leap year; 2096 and 2104 are"
    );
}

#[test]
fn nearest_weekday_never_leaves_the_month() {
    let first = |text: &str, y, m| next(text, utc(y, m, 1, 0, 0) - TimeDelta::minutes(1), 1, UTC);
    // 2025-11-01 is a Saturday: Monday the 3rd, not Friday October 31st.
    assert_eq!(first("cron(0 9 1W * ? *)", 2025, 11), ["2025-11-03 09:00"]);
    // 2026-02-01 is a Sunday: Monday the 2nd.
    assert_eq!(first("cron(0 9 1W * ? *)", 2026, 2), ["2026-02-02 09:00"]);
    // 2025-08-03 is a Sunday: Monday the 4th.
    assert_eq!(first("cron(0 9 3W * ? *)", 2025, 8), ["2025-08-04 09:00"]);
    // 2025-11-15 is a Saturday: Friday the 14th.
    assert_eq!(first("cron(0 9 15W * ? *)", 2025, 11), ["2025-11-14 09:00"]);
    // 2026-01-31 is a Saturday: Friday the 30th.
    assert_eq!(first("cron(0 9 31W * ? *)", 2026, 1), ["2026-01-30 09:00"]);
    // 2025-11-30 is a Sunday and the last day: Friday the 28th, not Monday December 1st.
    assert_eq!(first("cron(0 9 30W * ? *)", 2025, 11), ["2025-11-28 09:00"]);
    // A weekday stays where it is: 2025-12-03 is a Wednesday.
    assert_eq!(first("cron(0 9 3W * ? *)", 2025, 12), ["2025-12-03 09:00"]);
}

#[test]
fn nearest_weekday_skips_months_without_that_day() {
    // April has no 31st.
    assert_eq!(
        next("cron(0 9 31W * ? *)", utc(2026, 3, 31, 12, 0), 1, UTC),
        ["2026-05-29 09:00"],
        "2026-05-31 is a Sunday: Friday the 29th"
    );
}

#[test]
fn last_weekday_of_the_month() {
    assert_eq!(
        next("cron(0 9 LW * ? *)", utc(2025, 11, 1, 0, 0), 3, UTC),
        [
            "2025-11-28 09:00", // the 30th is a Sunday
            "2025-12-31 09:00", // a Wednesday
            "2026-01-30 09:00"  // the 31st is a Saturday
        ]
    );
}

#[test]
fn days_before_the_last_day() {
    assert_eq!(
        next("cron(0 0 L-3 * ? *)", utc(2026, 2, 1, 0, 0), 2, UTC),
        ["2026-02-25 00:00", "2026-03-28 00:00"]
    );
    // L-30 is the 1st of 31-day months only.
    assert_eq!(
        next("cron(0 0 L-30 * ? *)", utc(2026, 1, 2, 0, 0), 2, UTC),
        ["2026-03-01 00:00", "2026-05-01 00:00"]
    );
}

#[test]
fn fifth_thursday_only_in_months_that_have_one() {
    assert_eq!(
        next("cron(0 0 ? * 5#5 2026)", utc(2026, 1, 1, 0, 0), 10, UTC),
        [
            "2026-01-29 00:00",
            "2026-04-30 00:00",
            "2026-07-30 00:00",
            "2026-10-29 00:00",
            "2026-12-31 00:00"
        ]
    );
    assert_eq!(
        next("cron(0 0 ? 2 5#5 *)", utc(2025, 1, 1, 0, 0), 1, UTC),
        ["2052-02-29 00:00"],
        "a fifth Thursday in February needs a leap year starting on a Thursday"
    );
    assert_eq!(
        prev("cron(0 0 ? 2 5#5 *)", utc(2052, 1, 1, 0, 0), 1, UTC),
        ["2024-02-29 00:00"]
    );
}

#[test]
fn nth_and_last_weekday() {
    // The second Tuesday (3#2) and the last Monday (2L) of March 2026.
    assert_eq!(
        next("cron(0 12 ? 3 3#2 2026)", utc(2026, 1, 1, 0, 0), 2, UTC),
        ["2026-03-10 12:00"]
    );
    assert_eq!(
        next("cron(0 12 ? 3 2L 2026)", utc(2026, 1, 1, 0, 0), 2, UTC),
        ["2026-03-30 12:00"]
    );
    // `L` alone in day-of-week is Saturday.
    assert_eq!(
        next("cron(0 12 ? * L *)", utc(2026, 3, 1, 0, 0), 2, UTC),
        ["2026-03-07 12:00", "2026-03-14 12:00"]
    );
}

#[test]
fn wrapping_weekdays_and_months() {
    // 2026-03-05 is a Thursday.
    assert_eq!(
        next("cron(0 8 ? * FRI-MON *)", utc(2026, 3, 5, 0, 0), 5, UTC),
        [
            "2026-03-06 08:00",
            "2026-03-07 08:00",
            "2026-03-08 08:00",
            "2026-03-09 08:00",
            "2026-03-13 08:00"
        ]
    );
    assert_eq!(
        next("cron(0 0 1 NOV-FEB ? *)", utc(2026, 1, 15, 0, 0), 4, UTC),
        [
            "2026-02-01 00:00",
            "2026-11-01 00:00",
            "2026-12-01 00:00",
            "2027-01-01 00:00"
        ]
    );
}

#[test]
fn steps_follow_aws() {
    let from = utc(2026, 1, 1, 0, 2);
    assert_eq!(
        next("cron(5-30/10 0 * * ? *)", from, 4, UTC),
        [
            "2026-01-01 00:05",
            "2026-01-01 00:15",
            "2026-01-01 00:25",
            "2026-01-02 00:05"
        ]
    );
    assert_eq!(
        next("cron(*/20 0 * * ? *)", from, 3, UTC),
        ["2026-01-01 00:20", "2026-01-01 00:40", "2026-01-02 00:00"]
    );
    // A step over a wrapping range carries on across the wrap: 22, 1.
    assert_eq!(
        next("cron(0 22-2/3 * * ? *)", from, 3, UTC),
        ["2026-01-01 01:00", "2026-01-01 22:00", "2026-01-02 01:00"]
    );
}

#[test]
fn runs_are_strictly_after_and_before() {
    let text = "cron(15 10 * * ? *)";
    assert_eq!(
        next(text, utc(2026, 1, 1, 10, 15), 1, UTC),
        ["2026-01-02 10:15"]
    );
    assert_eq!(
        prev(text, utc(2026, 1, 2, 10, 15), 1, UTC),
        ["2026-01-01 10:15"]
    );
    let half_past = utc(2026, 1, 1, 10, 15) + TimeDelta::seconds(30);
    assert_eq!(next(text, half_past, 1, UTC), ["2026-01-02 10:15"]);
    assert_eq!(prev(text, half_past, 1, UTC), ["2026-01-01 10:15"]);
    assert!(
        schedule(text)
            .next_runs(utc(2026, 1, 1, 0, 0), 0, UTC)
            .is_empty()
    );
}

#[test]
fn impossible_dates_return_nothing_without_hanging() {
    let from = utc(2026, 1, 1, 0, 0);
    for text in [
        "cron(0 0 31 2 ? *)",
        "cron(0 0 30 2 ? *)",
        "cron(0 0 31 4,6,9,11 ? *)",
        "cron(0 0 ? 2 5#5 2025-2050)",
    ] {
        assert!(next(text, from, 5, UTC).is_empty(), "{text}");
        assert!(prev(text, from, 5, UTC).len() <= 5, "{text}");
    }
    assert!(prev("cron(0 0 31 2 ? *)", from, 5, UTC).is_empty());
}

#[test]
fn the_year_range_ends_the_search() {
    assert!(next("cron(0 0 1 1 ? 2199)", utc(2199, 6, 1, 0, 0), 3, UTC).is_empty());
    assert_eq!(
        next("cron(59 23 31 12 ? *)", utc(2199, 1, 1, 0, 0), 3, UTC),
        ["2199-12-31 23:59"]
    );
    assert_eq!(
        prev("cron(0 0 1 1 ? *)", utc(1971, 6, 1, 0, 0), 5, UTC),
        ["1971-01-01 00:00", "1970-01-01 00:00"]
    );
    assert!(next("cron(* * * * ? *)", utc(3000, 1, 1, 0, 0), 3, UTC).is_empty());
    assert_eq!(
        next("cron(0 0 1 1 ? *)", utc(1900, 1, 1, 0, 0), 1, UTC),
        ["1970-01-01 00:00"]
    );
}

#[test]
fn extreme_instants_do_not_panic() {
    let expr = schedule("cron(* * * * ? *)");
    for tz in [UTC, zone("Pacific/Kiritimati"), zone("Pacific/Pago_Pago")] {
        assert!(expr.next_runs(DateTime::<Utc>::MAX_UTC, 3, tz).is_empty());
        assert!(expr.prev_runs(DateTime::<Utc>::MIN_UTC, 3, tz).is_empty());
        assert_eq!(expr.next_runs(DateTime::<Utc>::MIN_UTC, 1, tz).len(), 1);
        assert_eq!(expr.prev_runs(DateTime::<Utc>::MAX_UTC, 1, tz).len(), 1);
    }
    let rate = schedule("rate(1 day)");
    assert!(rate.next_runs(DateTime::<Utc>::MAX_UTC, 3, UTC).is_empty());
    assert!(rate.prev_runs(DateTime::<Utc>::MIN_UTC, 3, UTC).is_empty());
}

fn zone(name: &str) -> Tz {
    name.parse().unwrap()
}

#[test]
fn los_angeles_spring_forward_skips_the_missing_time() {
    let la = zone("America/Los_Angeles");
    // 2026-03-08 02:30 does not exist in Los Angeles.
    assert_eq!(
        next("cron(30 2 * * ? *)", utc(2026, 3, 7, 0, 0), 3, la),
        [
            "2026-03-07 10:30", // 02:30 PST
            "2026-03-09 09:30", // 02:30 PDT
            "2026-03-10 09:30"
        ]
    );
    assert_eq!(
        prev("cron(30 2 * * ? *)", utc(2026, 3, 10, 0, 0), 2, la),
        ["2026-03-09 09:30", "2026-03-07 10:30"]
    );
    // Every half hour: 02:00 and 02:30 are skipped, 03:00 PDT follows 01:30 PST.
    assert_eq!(
        next("cron(0/30 * * * ? *)", utc(2026, 3, 8, 9, 0), 3, la),
        ["2026-03-08 09:30", "2026-03-08 10:00", "2026-03-08 10:30"]
    );
}

#[test]
fn los_angeles_fall_back_runs_once() {
    let la = zone("America/Los_Angeles");
    // 2026-11-01 01:30 happens twice; only the first (PDT, 08:30 UTC) runs.
    assert_eq!(
        next("cron(30 1 * * ? *)", utc(2026, 10, 31, 12, 0), 3, la),
        ["2026-11-01 08:30", "2026-11-02 09:30", "2026-11-03 09:30"]
    );
    // Every half hour through the repeated hour: nothing repeats.
    assert_eq!(
        next("cron(0/30 * * * ? *)", utc(2026, 11, 1, 7, 0), 5, la),
        [
            "2026-11-01 07:30", // 00:30 PDT
            "2026-11-01 08:00", // 01:00 PDT
            "2026-11-01 08:30", // 01:30 PDT
            "2026-11-01 10:00", // 02:00 PST
            "2026-11-01 10:30"
        ]
    );
    // From inside the second pass (01:15 PST), 01:30 already ran at its first occurrence.
    let second_pass = utc(2026, 11, 1, 9, 15);
    assert_eq!(
        next("cron(30 1 * * ? *)", second_pass, 1, la),
        ["2026-11-02 09:30"]
    );
    assert_eq!(
        prev("cron(30 1 * * ? *)", second_pass, 1, la),
        ["2026-11-01 08:30"]
    );
    assert_eq!(
        prev("cron(0/30 * * * ? *)", second_pass, 3, la),
        ["2026-11-01 08:30", "2026-11-01 08:00", "2026-11-01 07:30"]
    );
}

#[test]
fn paris_gap_and_overlap() {
    let paris = zone("Europe/Paris");
    assert_eq!(
        next("cron(30 2 * * ? *)", utc(2026, 3, 28, 0, 0), 2, paris),
        ["2026-03-28 01:30", "2026-03-30 00:30"],
        "2026-03-29 02:30 does not exist"
    );
    assert_eq!(
        next("cron(30 2 * * ? *)", utc(2026, 10, 24, 12, 0), 2, paris),
        ["2026-10-25 00:30", "2026-10-26 01:30"],
        "2026-10-25 02:30 runs once, in summer time"
    );
}

#[test]
fn at_runs_once_in_its_zone() {
    let la = zone("America/Los_Angeles");
    let at = schedule("at(2026-11-01T01:30:00)");
    let before = utc(2026, 1, 1, 0, 0);
    assert_eq!(
        super::fmt(at.next_runs(before, 5, la)),
        ["2026-11-01 08:30"]
    );
    assert_eq!(
        super::fmt(at.next_runs(before, 5, UTC)),
        ["2026-11-01 01:30"]
    );
    assert!(at.next_runs(utc(2027, 1, 1, 0, 0), 5, la).is_empty());
    assert_eq!(
        super::fmt(at.prev_runs(utc(2027, 1, 1, 0, 0), 5, la)),
        ["2026-11-01 08:30"]
    );
    let missing = schedule("at(2026-03-08T02:30:00)");
    assert!(
        missing.next_runs(before, 1, la).is_empty(),
        "a local time that does not exist never runs"
    );
    let far = crate::cron::Schedule::At(NaiveDate::MAX.and_hms_opt(23, 59, 59).unwrap());
    assert!(far.next_runs(before, 1, zone("Asia/Tokyo")).len() <= 1);
}

#[test]
fn rate_runs_every_interval_from_the_anchor() {
    let anchor = utc(2026, 1, 1, 10, 0);
    assert_eq!(
        super::fmt(schedule("rate(5 minutes)").next_runs(anchor, 3, UTC)),
        ["2026-01-01 10:05", "2026-01-01 10:10", "2026-01-01 10:15"]
    );
    assert_eq!(
        super::fmt(schedule("rate(1 day)").prev_runs(anchor, 2, UTC)),
        ["2025-12-31 10:00", "2025-12-30 10:00"]
    );
    let hourly = Rate {
        value: 2,
        unit: RateUnit::Hour,
    };
    // Started at 10:00: after 13:30 come 14:00 and 16:00; before it, 12:00 and 10:00.
    let at_1330 = utc(2026, 1, 1, 13, 30);
    assert_eq!(
        super::fmt(hourly.runs_after(anchor, at_1330, 2)),
        ["2026-01-01 14:00", "2026-01-01 16:00"]
    );
    assert_eq!(
        super::fmt(hourly.runs_before(anchor, at_1330, 5)),
        ["2026-01-01 12:00", "2026-01-01 10:00"],
        "nothing before the first run"
    );
    assert_eq!(
        super::fmt(hourly.runs_after(anchor, utc(2025, 1, 1, 0, 0), 1)),
        ["2026-01-01 10:00"],
        "the first run is the start"
    );
    assert_eq!(
        super::fmt(hourly.runs_after(anchor, anchor, 1)),
        ["2026-01-01 12:00"]
    );
    let never = Rate {
        value: 0,
        unit: RateUnit::Minute,
    };
    assert!(never.runs_after(anchor, anchor, 3).is_empty());
}

#[test]
fn dense_schedules_are_fast_enough() {
    // 100 000 runs of every minute, and a sparse schedule searched over two centuries.
    let every = schedule("cron(* * * * ? *)");
    assert_eq!(
        every.next_runs(utc(2026, 1, 1, 0, 0), 100_000, UTC).len(),
        100_000
    );
    let sparse = schedule("cron(0 0 29 2 ? *)");
    // Leap days from 1972 to 2196, without 2100.
    assert_eq!(sparse.next_runs(utc(1970, 1, 1, 0, 0), 100, UTC).len(), 56);
}
