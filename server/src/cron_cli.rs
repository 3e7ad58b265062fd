//! `belfry cron …`: the cron engine on the command line, for scripts and for checking a
//! schedule before it goes anywhere near AWS.
use app::cron::Tz;
use app::cron::{CronError, Dialect, Lang, Schedule, convert};
use chrono::{DateTime, SecondsFormat, Utc};
use clap::{Args, Subcommand, ValueEnum};
use serde_json::json;
use std::io::Write;
use std::process::ExitCode;

/// The most runs one call lists: enough for any preview, small enough to answer at once.
pub const MAX_COUNT: usize = 1000;

#[derive(Debug, Subcommand)]
pub enum CronCommand {
    /// The next runs of an AWS expression, as RFC 3339 instants in UTC, one a line.
    Next(NextArgs),
    /// Check an AWS expression: exit 0 when valid, 1 with the error when not.
    Check(CheckArgs),
    /// Say in plain words when an AWS expression runs.
    Describe(DescribeArgs),
    /// Convert a Unix (5-field, @daily) or Quartz (6/7-field) expression to AWS form.
    Convert(ConvertArgs),
    /// The UTC rule that runs when an expression written in a zone does, for EventBridge
    /// rules (which run in UTC): exit 1 with the reason when there is none.
    Utc(UtcArgs),
}

#[derive(Debug, Args)]
pub struct UtcArgs {
    /// cron(…), rate(…) or at(…), in local time
    pub expr: String,
    /// The IANA zone it is written in.
    #[arg(long)]
    pub tz: Tz,
    /// Whether the zone's offset stays the same is judged from this instant; now when left out.
    #[arg(long)]
    pub from: Option<DateTime<chrono::FixedOffset>>,
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    pub lang: LangArg,
}

#[derive(Debug, Args)]
pub struct NextArgs {
    /// cron(…), rate(…) or at(…)
    pub expr: String,
    /// Start after this instant (RFC 3339); now when left out. rate() counts from it.
    #[arg(long)]
    pub from: Option<DateTime<chrono::FixedOffset>>,
    /// How many runs (1 to 1000).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=MAX_COUNT as i64))]
    pub count: u16,
    /// Read the expression in this IANA time zone (EventBridge Scheduler); rules use UTC.
    #[arg(long, default_value = "UTC")]
    pub tz: Tz,
    /// A JSON array of strings instead of lines.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    pub expr: String,
    /// The error as JSON (field, span, message) on standard output.
    #[arg(long)]
    pub json: bool,
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    pub lang: LangArg,
}

#[derive(Debug, Args)]
pub struct DescribeArgs {
    pub expr: String,
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    pub lang: LangArg,
}

#[derive(Debug, Args)]
pub struct ConvertArgs {
    pub expr: String,
    /// The input's dialect; detected when left out.
    #[arg(long, value_enum)]
    pub from: Option<DialectArg>,
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    pub lang: LangArg,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangArg {
    En,
    Ko,
}

impl From<LangArg> for Lang {
    fn from(lang: LangArg) -> Self {
        match lang {
            LangArg::En => Lang::En,
            LangArg::Ko => Lang::Ko,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DialectArg {
    Aws,
    Unix,
    Quartz,
}

impl From<DialectArg> for Dialect {
    fn from(dialect: DialectArg) -> Self {
        match dialect {
            DialectArg::Aws => Dialect::Aws,
            DialectArg::Unix => Dialect::Unix,
            DialectArg::Quartz => Dialect::Quartz,
        }
    }
}

/// Runs one subcommand, writing results to `out` and errors to `err`.
pub fn run(command: CronCommand, out: &mut dyn Write, err: &mut dyn Write) -> ExitCode {
    let result = match command {
        CronCommand::Next(args) => next(args, out, err),
        CronCommand::Check(args) => check(args, out, err),
        CronCommand::Describe(args) => describe(args, out, err),
        CronCommand::Convert(args) => convert_cmd(args, out, err),
        CronCommand::Utc(args) => utc(args, out, err),
    };
    result.unwrap_or_else(|io| {
        let _ = writeln!(err, "belfry: {io}");
        ExitCode::FAILURE
    })
}

fn rfc3339(instant: &DateTime<Utc>) -> String {
    instant.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn next(args: NextArgs, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<ExitCode> {
    let schedule = match args.expr.parse::<Schedule>() {
        Ok(schedule) => schedule,
        Err(error) => return report(&args.expr, &error, Lang::En, err),
    };
    let from = args
        .from
        .map_or_else(Utc::now, |from| from.with_timezone(&Utc));
    let runs = schedule.next_runs(from, usize::from(args.count), args.tz);
    if args.json {
        let runs: Vec<String> = runs.iter().map(rfc3339).collect();
        writeln!(out, "{}", serde_json::Value::from(runs))?;
    } else {
        for run in &runs {
            writeln!(out, "{}", rfc3339(run))?;
        }
    }
    if runs.len() < usize::from(args.count) {
        writeln!(
            err,
            "note: only {} runs: the schedule has no more after {}",
            runs.len(),
            rfc3339(&from)
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn utc(args: UtcArgs, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<ExitCode> {
    let lang = Lang::from(args.lang);
    let schedule = match args.expr.parse::<Schedule>() {
        Ok(schedule) => schedule,
        Err(error) => return report(&args.expr, &error, lang, err),
    };
    let from = args
        .from
        .map_or_else(Utc::now, |from| from.with_timezone(&Utc));
    match app::cron::to_utc(&schedule, args.tz, from) {
        Ok(rule) => {
            writeln!(out, "{rule}")?;
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            writeln!(err, "belfry: {}", error.message(lang))?;
            Ok(ExitCode::FAILURE)
        }
    }
}

fn check(args: CheckArgs, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<ExitCode> {
    let lang = Lang::from(args.lang);
    match args.expr.parse::<Schedule>() {
        Ok(schedule) => {
            if args.json {
                writeln!(
                    out,
                    "{}",
                    json!({ "valid": true, "expression": schedule.to_string() })
                )?;
            } else {
                writeln!(out, "valid: {schedule}")?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(error) if args.json => {
            writeln!(
                out,
                "{}",
                json!({ "valid": false, "error": error_json(&error, lang) })
            )?;
            Ok(ExitCode::FAILURE)
        }
        Err(error) => report(&args.expr, &error, lang, err),
    }
}

fn describe(
    args: DescribeArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<ExitCode> {
    let lang = Lang::from(args.lang);
    match args.expr.parse::<Schedule>() {
        Ok(schedule) => {
            writeln!(out, "{}", schedule.describe(lang))?;
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => report(&args.expr, &error, lang, err),
    }
}

fn convert_cmd(
    args: ConvertArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<ExitCode> {
    let lang = Lang::from(args.lang);
    let conversion = match convert(&args.expr, args.from.map(Dialect::from)) {
        Ok(conversion) => conversion,
        Err(error) if args.json => {
            writeln!(out, "{}", json!({ "error": error_json(&error, lang) }))?;
            return Ok(ExitCode::FAILURE);
        }
        Err(error) => return report(&args.expr, &error, lang, err),
    };
    if args.json {
        let rules: Vec<String> = conversion.rules.iter().map(ToString::to_string).collect();
        let changes: Vec<_> = conversion
            .changes
            .iter()
            .map(|change| json!({ "code": change.kind.code(), "message": change.message(lang) }))
            .collect();
        writeln!(out, "{}", json!({ "rules": rules, "changes": changes }))?;
    } else {
        for rule in &conversion.rules {
            writeln!(out, "{rule}")?;
        }
        for change in &conversion.changes {
            writeln!(out, "# {}", change.message(lang))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn error_json(error: &CronError, lang: Lang) -> serde_json::Value {
    json!({
        "code": error.kind.code(),
        "field": error.field,
        "span": [error.span.start, error.span.end],
        "message": error.message(lang),
        "suggestion": error.suggestion(lang),
        "fixed": error.fixed,
    })
}

/// The error as a person reads it: the message, the input with the span underlined, the fix.
fn report(
    input: &str,
    error: &CronError,
    lang: Lang,
    err: &mut dyn Write,
) -> std::io::Result<ExitCode> {
    writeln!(err, "error: {}", error.message(lang))?;
    writeln!(err, "  {input}")?;
    let before = input
        .get(..error.span.start)
        .map_or(0, |text| text.chars().count());
    let width = input
        .get(error.span.clone())
        .map_or(1, |text| text.chars().count().max(1));
    writeln!(err, "  {}{}", " ".repeat(before), "^".repeat(width))?;
    if let Some(suggestion) = error.suggestion(lang) {
        writeln!(err, "help: {suggestion}")?;
    }
    Ok(ExitCode::FAILURE)
}
