//! Next-10-runs benchmark: Belfry's cron engine side by side with the `croner` and `cron`
//! crates.
//!
//! Run with `cargo bench -p app --bench cron --features ssr` (add an argument to keep only
//! the expressions containing it, e.g. `-- '#'`). For every expression of the suite it
//! times "the next 10 runs after a fixed instant, in UTC" in each engine that can express
//! the schedule, and prints nanoseconds per next-10 and the ratio of the faster other
//! engine's time to Belfry's (above 1 means Belfry is faster).
//!
//! Each AWS expression is translated by hand into croner's and cron's syntax in `SUITE`;
//! "n/a" marks what an engine cannot express (`rate()`, `at()`, `L-n` in croner, any
//! `L`/`W`/`#` in cron). Before timing, the 10 instants of every engine are compared: a
//! disagreement is a correctness bug (in a translation or an engine), so the bench exits
//! non-zero. Timings never fail the bench.
//!
//! How the others are driven: croner by chaining `find_next_occurrence` (cheaper than
//! `iter_after`, which clones the pattern), cron by `Schedule::after(..).take(10)`; every
//! engine collects its 10 instants into a `Vec`, and parsing is outside the timed loop for
//! all three. Rounds interleave the engines and each takes its fastest round, which keeps
//! the figures steady on a busy machine.

use std::hint::black_box;
use std::process::ExitCode;
use std::str::FromStr;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};

use app::cron::{Schedule, Tz};

/// How many runs each engine computes per timed call.
const RUNS: usize = 10;
/// Timed rounds per expression; each engine keeps its fastest.
const ROUNDS: usize = 15;
/// The length one timed round aims for.
const ROUND_TARGET: Duration = Duration::from_millis(2);

/// (AWS expression, croner pattern, cron pattern). croner reads Unix weekdays (0 = SUN)
/// and an optional leading seconds field and trailing year; cron reads
/// `sec min hour dom month dow [year]` with 1 = SUN, as AWS does. Wrapping ranges
/// (`20-2`, `FRI-MON`) become lists, because neither crate wraps.
#[rustfmt::skip]
const SUITE: &[(&str, Option<&str>, Option<&str>)] = &[
    // Minutes and hours: `*`, values, lists, ranges, steps.
    ("cron(* * * * ? *)", Some("* * * * *"), Some("0 * * * * ?")),
    ("cron(*/5 * * * ? *)", Some("*/5 * * * *"), Some("0 */5 * * * ?")),
    ("cron(0/15 * * * ? *)", Some("0-59/15 * * * *"), Some("0 0/15 * * * ?")),
    ("cron(5/20 8-18 * * ? *)", Some("5-59/20 8-18 * * *"), Some("0 5/20 8-18 * * ?")),
    ("cron(0,15,30,45 * * * ? *)", Some("0,15,30,45 * * * *"), Some("0 0,15,30,45 * * * ?")),
    ("cron(10-20 3 * * ? *)", Some("10-20 3 * * *"), Some("0 10-20 3 * * ?")),
    ("cron(0 * * * ? *)", Some("0 * * * *"), Some("0 0 * * * ?")),
    ("cron(30 9 * * ? *)", Some("30 9 * * *"), Some("0 30 9 * * ?")),
    ("cron(0 0-23/6 * * ? *)", Some("0 0-23/6 * * *"), Some("0 0 0-23/6 * * ?")),
    ("cron(0 8,12-14,20/2 * * ? *)", Some("0 8,12-14,20-23/2 * * *"), Some("0 0 8,12-14,20/2 * * ?")),
    // Wrapping ranges and a step across the wrap.
    ("cron(0 20-2 * * ? *)", Some("0 0-2,20-23 * * *"), Some("0 0 0-2,20-23 * * ?")),
    ("cron(0 20-2/3 * * ? *)", Some("0 2,20,23 * * *"), Some("0 0 2,20,23 * * ?")),
    ("cron(0 9 ? * FRI-MON *)", Some("0 9 * * 0,1,5,6"), Some("0 0 9 ? * Sun,Mon,Fri,Sat")),
    ("cron(0 0 1 NOV-FEB ? *)", Some("0 0 1 1,2,11,12 *"), Some("0 0 0 1 1,2,11,12 ?")),
    // Day of week: names, numbers (1 = SUN), lists, ranges, lower case.
    ("cron(0/30 9-17 ? * MON-FRI *)", Some("0-59/30 9-17 * * 1-5"), Some("0 0/30 9-17 ? * Mon-Fri")),
    ("cron(0 8 ? * MON,WED,FRI *)", Some("0 8 * * 1,3,5"), Some("0 0 8 ? * Mon,Wed,Fri")),
    ("cron(15 10 ? * 2-6 *)", Some("15 10 * * 1-5"), Some("0 15 10 ? * 2-6")),
    ("cron(0 12 ? * SUN *)", Some("0 12 * * 0"), Some("0 0 12 ? * 1")),
    ("cron(0 12 ? mar-oct sat *)", Some("0 12 * 3-10 6"), Some("0 0 12 ? Mar-Oct Sat")),
    ("cron(0 12 ? * * *)", Some("0 12 * * *"), Some("0 0 12 ? * *")),
    // Day of month and month: values, lists, ranges, steps, names, sparse dates.
    ("cron(0 12 1 * ? *)", Some("0 12 1 * *"), Some("0 0 12 1 * ?")),
    ("cron(0 0 1,15 * ? *)", Some("0 0 1,15 * *"), Some("0 0 0 1,15 * ?")),
    ("cron(0 6 1-7 * ? *)", Some("0 6 1-7 * *"), Some("0 0 6 1-7 * ?")),
    ("cron(0 0 1/5 * ? *)", Some("0 0 1-31/5 * *"), Some("0 0 0 1/5 * ?")),
    ("cron(0 0 1 */3 ? *)", Some("0 0 1 */3 *"), Some("0 0 0 1 */3 ?")),
    ("cron(0 0 1 JAN ? *)", Some("0 0 1 1 *"), Some("0 0 0 1 Jan ?")),
    ("cron(0 0 31 * ? *)", Some("0 0 31 * *"), Some("0 0 0 31 * ?")),
    ("cron(0 12 29 2 ? *)", Some("0 12 29 2 *"), Some("0 0 12 29 2 ?")),
    ("cron(59 23 31 12 ? *)", Some("59 23 31 12 *"), Some("0 59 23 31 12 ?")),
    // L, W and #.
    ("cron(0 10 L * ? *)", Some("0 10 L * *"), None),
    ("cron(0 10 L-3 * ? *)", None, None),
    ("cron(0 18 LW * ? *)", Some("0 18 LW * *"), None),
    ("cron(0 9 15W * ? *)", Some("0 9 15W * *"), None),
    ("cron(0 9 1W * ? *)", Some("0 9 1W * *"), None),
    ("cron(0 10 ? * 6#3 *)", Some("0 10 * * 5#3"), None),
    ("cron(0 10 ? * MON#1 *)", Some("0 10 * * 1#1"), None),
    ("cron(15 10 ? * 6L *)", Some("15 10 * * 5#L"), None),
    ("cron(0 0 ? * L *)", Some("0 0 * * 6"), Some("0 0 0 ? * 7")),
    // Year: values, ranges, steps, lists, and a schedule that ends.
    ("cron(0 12 * * ? 2027)", Some("0 0 12 * * * 2027"), Some("0 0 12 * * ? 2027")),
    ("cron(0 0 1 1 ? 2030-2035)", Some("0 0 0 1 1 * 2030-2035"), Some("0 0 0 1 1 ? 2030-2035")),
    ("cron(0 0 29 2 ? 2028/4)", Some("0 0 0 29 2 * 2028-2199/4"), Some("0 0 0 29 2 ? 2028/4")),
    ("cron(0 9 ? * MON-FRI 2026,2028)", Some("0 0 9 * * 1-5 2026,2028"), Some("0 0 9 ? * Mon-Fri 2026,2028")),
    ("cron(0 9 ? * 2#2 2026-2099/3)", Some("0 0 9 * * 1#2 2026-2099/3"), None),
    // rate() and at(): Belfry only.
    ("rate(5 minutes)", None, None),
    ("rate(1 day)", None, None),
    ("at(2026-06-01T12:00:00)", None, None),
];

/// The fixed instant every search starts after: a Saturday afternoon, not on a minute.
fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 14, 15, 9, 26).unwrap()
}

fn belfry_next(schedule: &Schedule, after: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    schedule.next_runs(after, RUNS, Tz::UTC)
}

fn croner_next(cron: &croner::Cron, after: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let mut runs = Vec::with_capacity(RUNS);
    let mut at = after;
    while runs.len() < RUNS {
        match cron.find_next_occurrence(&at, false) {
            Ok(next) => {
                runs.push(next);
                at = next;
            }
            Err(_) => break,
        }
    }
    runs
}

fn cron_next(schedule: &cron::Schedule, after: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    schedule.after(&after).take(RUNS).collect()
}

/// One timed batch: nanoseconds per call.
fn batch(iters: u64, f: &mut dyn FnMut() -> usize) -> f64 {
    let started = Instant::now();
    for _ in 0..iters {
        black_box(f());
    }
    started.elapsed().as_nanos() as f64 / iters as f64
}

/// A timed engine: its calls per round (set by calibration) and its fastest round so far.
struct Timer<'a> {
    run: Box<dyn FnMut() -> usize + 'a>,
    iters: u64,
    best: f64,
}

impl<'a> Timer<'a> {
    fn new(mut run: Box<dyn FnMut() -> usize + 'a>) -> Self {
        // Double the batch until one takes a tenth of a round, then scale up to a round.
        let mut iters = 1;
        loop {
            let per_call = batch(iters, &mut run);
            let took = per_call * iters as f64;
            if took >= ROUND_TARGET.as_nanos() as f64 / 10.0 || iters >= 1 << 24 {
                let wanted = ROUND_TARGET.as_nanos() as f64 / per_call.max(1.0);
                iters = (wanted as u64).max(1);
                break;
            }
            iters *= 2;
        }
        Timer {
            run,
            iters,
            best: f64::INFINITY,
        }
    }

    fn round(&mut self) {
        self.best = self.best.min(batch(self.iters, &mut self.run));
    }
}

fn cell(ns: Option<f64>) -> String {
    ns.map_or_else(|| "n/a".to_string(), |ns| format!("{ns:.0}"))
}

fn show(runs: &[DateTime<Utc>]) -> String {
    let shown: Vec<String> = runs
        .iter()
        .map(|t| t.format("%Y-%m-%dT%H:%MZ").to_string())
        .collect();
    format!("[{}]", shown.join(", "))
}

fn main() -> ExitCode {
    // `cargo bench` passes `--bench`; any other argument filters the suite.
    let filter: Option<String> = std::env::args().skip(1).find(|arg| !arg.starts_with("--"));
    let after = start();
    let mut disagreements = 0;
    let (mut belfry_total, mut others_total, mut compared) = (0.0, 0.0, 0);

    println!(
        "next {RUNS} runs after {} (UTC), ns per next-{RUNS}, fastest of {ROUNDS} rounds",
        after.format("%Y-%m-%dT%H:%M:%SZ")
    );
    println!(
        "{:<34} {:>9} {:>9} {:>9} {:>8}",
        "expression", "belfry", "croner", "cron", "ratio"
    );
    for &(aws, croner_text, cron_text) in SUITE {
        if filter.as_deref().is_some_and(|f| !aws.contains(f)) {
            continue;
        }
        let schedule: Schedule = match aws.parse() {
            Ok(schedule) => schedule,
            Err(error) => {
                println!("{aws:<34} Belfry cannot parse it: {error:?}");
                disagreements += 1;
                continue;
            }
        };
        let croner = croner_text.map(|text| {
            croner::Cron::from_str(text).unwrap_or_else(|e| panic!("croner `{text}`: {e}"))
        });
        let cron = cron_text.map(|text| {
            cron::Schedule::from_str(text).unwrap_or_else(|e| panic!("cron `{text}`: {e}"))
        });

        // Correctness first: every engine that can express it gives the same instants.
        let expected = belfry_next(&schedule, after);
        let mut agree = true;
        let mut check = |engine: &str, text: &str, got: Vec<DateTime<Utc>>| {
            if got != expected {
                agree = false;
                println!("DISAGREE {aws} vs {engine} `{text}`");
                println!("  belfry: {}", show(&expected));
                println!("  {engine}: {}", show(&got));
            }
        };
        if let (Some(c), Some(text)) = (&croner, croner_text) {
            check("croner", text, croner_next(c, after));
        }
        if let (Some(c), Some(text)) = (&cron, cron_text) {
            check("cron", text, cron_next(c, after));
        }
        if !agree {
            disagreements += 1;
            continue;
        }

        let mut belfry = Timer::new(Box::new(|| {
            belfry_next(black_box(&schedule), black_box(after)).len()
        }));
        let mut theirs: Vec<Option<Timer>> = vec![
            croner.as_ref().map(|c| {
                Timer::new(Box::new(move || {
                    croner_next(black_box(c), black_box(after)).len()
                }))
            }),
            cron.as_ref().map(|c| {
                Timer::new(Box::new(move || {
                    cron_next(black_box(c), black_box(after)).len()
                }))
            }),
        ];
        for _ in 0..ROUNDS {
            belfry.round();
            for timer in theirs.iter_mut().flatten() {
                timer.round();
            }
        }
        let [croner_ns, cron_ns] = [0, 1].map(|i| theirs[i].as_ref().map(|t| t.best));
        let best_other = [croner_ns, cron_ns].into_iter().flatten().reduce(f64::min);
        let ratio = match best_other {
            Some(other) => {
                belfry_total += belfry.best;
                others_total += other;
                compared += 1;
                format!("{:.1}x", other / belfry.best)
            }
            None => "n/a".to_string(),
        };
        println!(
            "{aws:<34} {:>9} {:>9} {:>9} {ratio:>8}",
            cell(Some(belfry.best)),
            cell(croner_ns),
            cell(cron_ns)
        );
    }

    if compared > 0 {
        println!(
            "TOTAL over {compared} comparable expressions: belfry {:.0} ns, faster other {:.0} ns, suite ratio {:.2}x (goal: 2x)",
            belfry_total,
            others_total,
            others_total / belfry_total
        );
    }
    if disagreements > 0 {
        println!("FAILED: {disagreements} expression(s) where the engines disagree");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
