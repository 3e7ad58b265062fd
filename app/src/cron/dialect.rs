//! Other cron dialects in: Unix 5-field and Quartz 6/7-field, detected or named, converted
//! to AWS rules with a list of what changed and why.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::expr::FieldText;
use super::parse::{self, FieldSpec, Reader, Token, tokens, tokens_span, trimmed};
use super::{CronError, CronExpr, ErrorKind, Field, FieldExpr, Lang, Part, Schedule};

/// A cron dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dialect {
    /// AWS EventBridge: `cron()` with 6 fields (1 = SUN), `rate()`, `at()`.
    #[default]
    Aws,
    /// `m h dom mon dow` (0 and 7 = SUN), or `@daily` and friends.
    Unix,
    /// `s m h dom mon dow [year]` (1 = SUN).
    Quartz,
}

/// AWS rules equivalent to the input, and what had to change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversion {
    /// One rule, or two when a Unix expression restricted both day fields.
    pub rules: Vec<Schedule>,
    pub changes: Vec<Change>,
}

/// One thing that changed on the way to AWS form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub kind: ChangeKind,
    pub field: Option<Field>,
    /// Byte offsets of the affected text in the original input.
    pub span: Option<Range<usize>>,
}

/// What changed, with what it was and what it became.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum ChangeKind {
    /// Bare AWS fields got their `cron(...)`.
    WrappedInCron,
    /// A Unix shortcut such as `@daily` was written out.
    Nickname { name: String, rule: String },
    /// Unix day-of-week numbers (0 = SUN) became AWS ones (1 = SUN).
    DayOfWeekRenumbered { from: String, to: String },
    /// A day field became `?`, which AWS needs in one of them.
    NoSpecific { field: Field, from: String },
    /// Unix ran when either day field matched; AWS gets one rule for each.
    SplitInTwo,
    /// Unix ran when either day field matched, and one allowed every day.
    EveryDay,
    /// AWS has a year field; `*` was added.
    YearAdded,
    /// Quartz's seconds field (0) was dropped.
    SecondsDropped,
}

impl ChangeKind {
    /// A stable machine-readable name, e.g. `split_in_two` (the serde tag).
    pub fn code(&self) -> &'static str {
        match self {
            ChangeKind::WrappedInCron => "wrapped_in_cron",
            ChangeKind::Nickname { .. } => "nickname",
            ChangeKind::DayOfWeekRenumbered { .. } => "day_of_week_renumbered",
            ChangeKind::NoSpecific { .. } => "no_specific",
            ChangeKind::SplitInTwo => "split_in_two",
            ChangeKind::EveryDay => "every_day",
            ChangeKind::YearAdded => "year_added",
            ChangeKind::SecondsDropped => "seconds_dropped",
        }
    }
}

impl Change {
    fn new(kind: ChangeKind, field: Option<Field>, span: Option<Range<usize>>) -> Self {
        Change { kind, field, span }
    }

    /// Why it changed, in one sentence.
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.message_en(),
            Lang::Ko => self.message_ko(),
        }
    }

    fn message_en(&self) -> String {
        match &self.kind {
            ChangeKind::WrappedInCron => {
                "Wrapped the six fields in cron(...), as AWS expects.".to_string()
            }
            ChangeKind::Nickname { name, rule } => format!("“{name}” written out as {rule}."),
            ChangeKind::DayOfWeekRenumbered { from, to } => format!(
                "day-of-week {from} → {to}: AWS counts Sunday as 1 (1-7 = SUN-SAT); Unix \
                 counts it as 0 or 7."
            ),
            ChangeKind::NoSpecific { field, from } => format!(
                "{} {from} → ?: AWS needs “?” in one of the two day fields; the schedule runs \
                 on the same days.",
                field.name(Lang::En)
            ),
            ChangeKind::SplitInTwo => "Both day fields were set: AWS needs “?” in one; Unix ran \
                on either, so this becomes two rules (one by day of month, one by day of week). \
                A day that matches both runs once for each rule."
                .to_string(),
            ChangeKind::EveryDay => "Both day fields were set and one of them allows every day; \
                Unix ran on either, so this runs every day."
                .to_string(),
            ChangeKind::YearAdded => {
                "Added the year field “*” (every year): AWS cron has six fields.".to_string()
            }
            ChangeKind::SecondsDropped => "Dropped the seconds field “0”: AWS cron has none and \
                runs at second 0."
                .to_string(),
        }
    }

    fn message_ko(&self) -> String {
        match &self.kind {
            ChangeKind::WrappedInCron => {
                "AWS 형식에 맞게 여섯 필드를 cron(...)으로 감쌌습니다.".to_string()
            }
            ChangeKind::Nickname { name, rule } => {
                format!("“{name}”을(를) {rule}(으)로 풀어 썼습니다.")
            }
            ChangeKind::DayOfWeekRenumbered { from, to } => format!(
                "요일 {from} → {to}: AWS는 일요일을 1로 셉니다(1-7 = SUN-SAT). Unix는 0 또는 7로 \
                 셉니다."
            ),
            ChangeKind::NoSpecific { field, from } => format!(
                "{} {from} → ?: AWS는 두 날짜 필드 중 하나에 “?”가 있어야 합니다. 실행되는 날은 \
                 같습니다.",
                field.name(Lang::Ko)
            ),
            ChangeKind::SplitInTwo => "두 날짜 필드가 모두 지정되어 있습니다. AWS는 하나에 “?”가 \
                있어야 하고 Unix는 둘 중 하나만 맞아도 실행했으므로, 규칙 두 개(일 기준, 요일 \
                기준)로 나눴습니다. 둘 다 맞는 날에는 규칙마다 한 번씩 실행됩니다."
                .to_string(),
            ChangeKind::EveryDay => "두 날짜 필드가 모두 지정되었고 그중 하나가 모든 날을 \
                허용합니다. Unix는 둘 중 하나만 맞아도 실행했으므로 매일 실행됩니다."
                .to_string(),
            ChangeKind::YearAdded => {
                "AWS cron은 필드가 6개이므로 연도 필드 “*”(매년)를 추가했습니다.".to_string()
            }
            ChangeKind::SecondsDropped => "초 필드 “0”을 뺐습니다. AWS cron에는 초 필드가 없고 \
                0초에 실행됩니다."
                .to_string(),
        }
    }
}

/// Which dialect the input looks like. `cron(`, `rate(` and `at(` are AWS; `@...` and 5
/// fields are Unix; 7 fields are Quartz; 6 fields are told apart by where `?` is (AWS has
/// it in the 3rd or 5th field, Quartz in the 4th or 6th), else by which reading converts,
/// else by whether the last field is a year. Anything else is AWS, so that its error
/// explains the AWS form.
pub fn detect(input: &str) -> Dialect {
    let (_, text) = trimmed(input);
    let is_form = ["cron(", "rate(", "at("].iter().any(|form| {
        text.get(..form.len())
            .is_some_and(|prefix| prefix.eq_ignore_ascii_case(form))
    });
    if is_form {
        return Dialect::Aws;
    }
    looks_like(text).unwrap_or(Dialect::Aws)
}

/// What a (trimmed) text that is not an AWS form looks like, if anything.
pub(crate) fn looks_like(text: &str) -> Option<Dialect> {
    if text.starts_with('@') {
        return Some(Dialect::Unix);
    }
    let tokens = tokens(text, 0);
    let is = |i: usize, text: &str| tokens.get(i).is_some_and(|t| t.text == text);
    match tokens.len() {
        5 => Some(Dialect::Unix),
        7 => Some(Dialect::Quartz),
        6 if is(3, "?") || is(5, "?") => Some(Dialect::Quartz),
        6 if is(2, "?") || is(4, "?") => Some(Dialect::Aws),
        // No `?` to go by: the reading that works, else whether the last field is a year.
        6 if convert_aws(text).is_ok() => Some(Dialect::Aws),
        6 if convert_quartz(text).is_ok() => Some(Dialect::Quartz),
        6 if tokens.get(5).is_some_and(|t| is_years(t.text)) => Some(Dialect::Aws),
        6 => Some(Dialect::Quartz),
        _ => None,
    }
}

/// `*`, or numbers of four digits with `, - /` between them.
fn is_years(text: &str) -> bool {
    text == "*"
        || text
            .split([',', '-', '/'])
            .all(|n| n.len() == 4 && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Converts any dialect (detected when `from` is `None`) to AWS rules.
pub fn convert(input: &str, from: Option<Dialect>) -> Result<Conversion, CronError> {
    match from.unwrap_or_else(|| detect(input)) {
        Dialect::Aws => convert_aws(input),
        Dialect::Unix => convert_unix(input),
        Dialect::Quartz => convert_quartz(input),
    }
}

/// The canonical text of the conversion when it is a single rule (for error fixes).
pub(crate) fn single_rule(input: &str, dialect: Dialect) -> Option<String> {
    let conversion = convert(input, Some(dialect)).ok()?;
    match conversion.rules.as_slice() {
        [rule] => Some(rule.to_string()),
        _ => None,
    }
}

fn convert_aws(input: &str) -> Result<Conversion, CronError> {
    let (start, text) = trimmed(input);
    let tokens = tokens(text, start);
    let bare = ["cron(", "rate(", "at("]
        .iter()
        .all(|form| !text.starts_with(form));
    if let (true, Ok(fields)) = (bare, <&[Token<'_>; 6]>::try_from(tokens.as_slice())) {
        let reader = Reader {
            input,
            dialect: Dialect::Aws,
        };
        let expr = reader.cron_fields(fields)?;
        let span = tokens_span(&tokens, start);
        return Ok(Conversion {
            rules: vec![Schedule::Cron(expr)],
            changes: vec![Change::new(ChangeKind::WrappedInCron, None, Some(span))],
        });
    }
    Ok(Conversion {
        rules: vec![parse::parse_schedule(input)?],
        changes: Vec::new(),
    })
}

fn convert_unix(input: &str) -> Result<Conversion, CronError> {
    let reader = Reader {
        input,
        dialect: Dialect::Unix,
    };
    let (start, text) = trimmed(input);
    if text.is_empty() {
        return Err(reader.error(ErrorKind::Empty, 0..input.len()));
    }
    if text.starts_with('@') {
        return nickname(&reader, text, start);
    }
    let tokens = tokens(text, start);
    let Ok(fields) = <&[Token<'_>; 5]>::try_from(tokens.as_slice()) else {
        let kind = ErrorKind::FieldCount {
            found: tokens.len(),
        };
        return Err(reader.error(kind, tokens_span(&tokens, start)));
    };
    let read = |i: usize, spec| reader.field(fields[i], spec);
    let minutes = read(0, FieldSpec::aws(Field::Minutes))?;
    let hours = read(1, FieldSpec::aws(Field::Hours))?;
    let day_of_month = read(2, FieldSpec::aws(Field::DayOfMonth))?;
    let month = read(3, FieldSpec::aws(Field::Month))?;
    let unix_day_of_week = read(4, FieldSpec::unix_day_of_week())?;

    let mut changes = Vec::new();
    let day_of_week = renumber(&unix_day_of_week);
    let dow_token = fields[4];
    let printed = FieldText(Field::DayOfWeek, &day_of_week).to_string();
    if dow_token.text.bytes().any(|b| b.is_ascii_digit()) && printed != dow_token.text {
        let kind = ChangeKind::DayOfWeekRenumbered {
            from: dow_token.text.to_string(),
            to: printed,
        };
        changes.push(Change::new(
            kind,
            Some(Field::DayOfWeek),
            Some(dow_token.span()),
        ));
    }
    let template = CronExpr {
        minutes,
        hours,
        day_of_month: FieldExpr::Every,
        month,
        day_of_week: FieldExpr::NoSpecific,
        year: FieldExpr::Every,
    };
    let days = unix_days(
        (day_of_month, fields[2]),
        (day_of_week, dow_token),
        &mut changes,
    );
    changes.push(Change::new(ChangeKind::YearAdded, Some(Field::Year), None));
    let rules = days
        .into_iter()
        .map(|(day_of_month, day_of_week)| {
            Schedule::Cron(CronExpr {
                day_of_month,
                day_of_week,
                ..template.clone()
            })
        })
        .collect();
    Ok(Conversion { rules, changes })
}

/// The AWS day fields for Unix ones: a Unix `*` (or `?`) leaves the other field in charge;
/// when both are restricted Unix runs on either, which takes two AWS rules.
fn unix_days(
    (dom, dom_token): (FieldExpr, Token<'_>),
    (dow, dow_token): (FieldExpr, Token<'_>),
    changes: &mut Vec<Change>,
) -> Vec<(FieldExpr, FieldExpr)> {
    let star = |expr: &FieldExpr| matches!(expr, FieldExpr::Every | FieldExpr::NoSpecific);
    let no_specific = |field, token: Token<'_>| {
        let kind = ChangeKind::NoSpecific {
            field,
            from: token.text.to_string(),
        };
        Change::new(kind, Some(field), Some(token.span()))
    };
    match (star(&dom), star(&dow)) {
        (true, true) => {
            changes.push(no_specific(Field::DayOfWeek, dow_token));
            vec![(FieldExpr::Every, FieldExpr::NoSpecific)]
        }
        (false, true) => {
            changes.push(no_specific(Field::DayOfWeek, dow_token));
            vec![(dom, FieldExpr::NoSpecific)]
        }
        (true, false) => {
            changes.push(no_specific(Field::DayOfMonth, dom_token));
            vec![(FieldExpr::NoSpecific, dow)]
        }
        (false, false) => {
            let span = dom_token.start..dow_token.span().end;
            if covers(&dom, 1, 31) || covers(&dow, 1, 7) {
                changes.push(Change::new(ChangeKind::EveryDay, None, Some(span)));
                return vec![(FieldExpr::Every, FieldExpr::NoSpecific)];
            }
            changes.push(Change::new(ChangeKind::SplitInTwo, None, Some(span)));
            vec![(dom, FieldExpr::NoSpecific), (FieldExpr::NoSpecific, dow)]
        }
    }
}

/// Whether the plain parts of a field cover every value from `min` to `max`.
fn covers(expr: &FieldExpr, min: u16, max: u16) -> bool {
    let FieldExpr::List(parts) = expr else {
        return true;
    };
    let mut seen = 0u64;
    for part in parts {
        part.for_each_value(min, max, |v| seen |= 1 << v);
    }
    (min..=max).all(|v| seen >> v & 1 == 1)
}

/// Unix day-of-week (0-7, 0 and 7 = SUN) to AWS (1-7, 1 = SUN). Plain values become the
/// set of days they name, written as ranges without wrapping.
fn renumber(expr: &FieldExpr) -> FieldExpr {
    let FieldExpr::List(parts) = expr else {
        return expr.clone();
    };
    let aws = |day: u8| day % 7 + 1;
    let mut days = 0u8;
    let mut out = Vec::new();
    for part in parts {
        match *part {
            Part::NthWeekday { weekday, nth } => out.push(Part::NthWeekday {
                weekday: aws(weekday),
                nth,
            }),
            Part::LastOfWeekday(weekday) => out.push(Part::LastOfWeekday(aws(weekday))),
            Part::Last => out.push(Part::Last),
            plain => plain.for_each_value(0, 7, |day| days |= 1 << aws(day as u8)),
        }
    }
    out.extend(runs(days));
    FieldExpr::List(out)
}

/// Bits 1-7 as values and ranges, in order.
fn runs(days: u8) -> Vec<Part> {
    let mut out = Vec::new();
    let mut day: u16 = 1;
    while day <= 7 {
        if days >> day & 1 == 0 {
            day += 1;
            continue;
        }
        let start = day;
        while day < 7 && days >> (day + 1) & 1 == 1 {
            day += 1;
        }
        out.push(if start == day {
            Part::Value(start)
        } else {
            Part::Range { start, end: day }
        });
        day += 1;
    }
    out
}

fn nickname(reader: &Reader<'_>, text: &str, start: usize) -> Result<Conversion, CronError> {
    let rule = match text {
        "@yearly" | "@annually" => "cron(0 0 1 1 ? *)",
        "@monthly" => "cron(0 0 1 * ? *)",
        "@weekly" => "cron(0 0 ? * SUN *)",
        "@daily" | "@midnight" => "cron(0 0 * * ? *)",
        "@hourly" => "cron(0 * * * ? *)",
        _ => {
            let name = text.to_string();
            let error = reader.error(
                ErrorKind::UnknownNickname { name },
                start..start + text.len(),
            );
            let lower = text.to_ascii_lowercase();
            return Err(
                if lower != text && single_rule(&lower, Dialect::Unix).is_some() {
                    error.fix(reader.input, &lower)
                } else {
                    error
                },
            );
        }
    };
    let expr = parse::parse_cron(rule)?;
    let kind = ChangeKind::Nickname {
        name: text.to_string(),
        rule: rule.to_string(),
    };
    Ok(Conversion {
        rules: vec![Schedule::Cron(expr)],
        changes: vec![Change::new(kind, None, Some(start..start + text.len()))],
    })
}

fn convert_quartz(input: &str) -> Result<Conversion, CronError> {
    let reader = Reader {
        input,
        dialect: Dialect::Quartz,
    };
    let (start, text) = trimmed(input);
    if text.is_empty() {
        return Err(reader.error(ErrorKind::Empty, 0..input.len()));
    }
    let tokens = tokens(text, start);
    if !(6..=7).contains(&tokens.len()) {
        let kind = ErrorKind::FieldCount {
            found: tokens.len(),
        };
        return Err(reader.error(kind, tokens_span(&tokens, start)));
    }
    let seconds = tokens[0];
    if !seconds.text.bytes().all(|b| b == b'0') {
        return Err(reader
            .error(ErrorKind::SecondsNotZero, seconds.span())
            .in_field(Field::Seconds));
    }
    let mut changes = vec![Change::new(
        ChangeKind::SecondsDropped,
        Some(Field::Seconds),
        Some(seconds.span()),
    )];
    let read = |i: usize, field| reader.field(tokens[i], FieldSpec::aws(field));
    let mut expr = CronExpr {
        minutes: read(1, Field::Minutes)?,
        hours: read(2, Field::Hours)?,
        day_of_month: read(3, Field::DayOfMonth)?,
        month: read(4, Field::Month)?,
        day_of_week: read(5, Field::DayOfWeek)?,
        year: match tokens.get(6) {
            Some(token) => reader.field(*token, FieldSpec::aws(Field::Year))?,
            None => FieldExpr::Every,
        },
    };
    let days = (&expr.day_of_month, tokens[3]);
    if let Err(error) = reader.check_days(days, (&expr.day_of_week, tokens[5])) {
        // Quartz needs `?` too, but a `*` where it belongs is an easy, safe fix.
        let (true, Some(field)) = (error.kind == ErrorKind::NoSpecificMissing, error.field) else {
            return Err(error);
        };
        if error.fixed.is_none() {
            return Err(error);
        }
        let token = if field == Field::DayOfMonth {
            expr.day_of_month = FieldExpr::NoSpecific;
            tokens[3]
        } else {
            expr.day_of_week = FieldExpr::NoSpecific;
            tokens[5]
        };
        let kind = ChangeKind::NoSpecific {
            field,
            from: token.text.to_string(),
        };
        changes.push(Change::new(kind, Some(field), Some(token.span())));
    }
    if tokens.len() == 6 {
        changes.push(Change::new(ChangeKind::YearAdded, Some(Field::Year), None));
    }
    Ok(Conversion {
        rules: vec![Schedule::Cron(expr)],
        changes,
    })
}
