//! Reading AWS `cron()`, `rate()` and `at()`, with byte spans into the original input.
//!
//! The field grammar is shared with the Unix and Quartz readers in `dialect`, which pass
//! their own [`FieldSpec`] (Unix counts day-of-week from 0).

use std::ops::Range;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use super::StepBase;
use super::dialect::{self, Dialect};
use super::expr::{DAY_NAMES, MONTH_NAMES};
use super::{CronError, CronExpr, ErrorKind, Field, FieldExpr, Part, Rate, RateUnit, Schedule};

/// One whitespace-separated word of the input and where it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token<'a> {
    pub text: &'a str,
    pub start: usize,
}

impl Token<'_> {
    pub fn span(&self) -> Range<usize> {
        self.start..self.start + self.text.len()
    }
}

/// Splits on ASCII whitespace. Those bytes never occur inside a multi-byte character, so
/// every slice stays on a character boundary.
pub(crate) fn tokens(text: &str, start: usize) -> Vec<Token<'_>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let begin = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        out.push(Token {
            text: &text[begin..i],
            start: start + begin,
        });
    }
    out
}

/// The input without surrounding whitespace, and the offset where it starts.
pub(crate) fn trimmed(input: &str) -> (usize, &str) {
    let start = input.len() - input.trim_start().len();
    (start, input.trim())
}

/// The span of a whole token list (or an empty span at `fallback` when there is none).
pub(crate) fn tokens_span(tokens: &[Token<'_>], fallback: usize) -> Range<usize> {
    match (tokens.first(), tokens.last()) {
        (Some(first), Some(last)) => first.start..last.span().end,
        _ => fallback..fallback,
    }
}

/// What one field accepts in the dialect being read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FieldSpec {
    pub field: Field,
    pub min: u16,
    pub max: u16,
    names: &'static [&'static str],
    /// The value of `names[0]`.
    first_name: u16,
}

impl FieldSpec {
    /// The AWS rules for a field (Quartz shares them).
    pub fn aws(field: Field) -> Self {
        let (min, max) = field.bounds();
        let names: &'static [&'static str] = match field {
            Field::Month => &MONTH_NAMES,
            Field::DayOfWeek => &DAY_NAMES,
            _ => &[],
        };
        FieldSpec {
            field,
            min,
            max,
            names,
            first_name: 1,
        }
    }

    /// Unix day-of-week: 0-7 with 0 and 7 both Sunday.
    pub fn unix_day_of_week() -> Self {
        FieldSpec {
            field: Field::DayOfWeek,
            min: 0,
            max: 7,
            names: &DAY_NAMES,
            first_name: 0,
        }
    }

    fn is_day(&self) -> bool {
        matches!(self.field, Field::DayOfMonth | Field::DayOfWeek)
    }

    /// Whether `symbol` has a meaning somewhere in this field.
    fn knows(&self, symbol: char) -> bool {
        match symbol {
            '?' => self.is_day(),
            'L' => self.is_day(),
            'W' => self.field == Field::DayOfMonth,
            '#' => self.field == Field::DayOfWeek,
            _ => true,
        }
    }
}

/// Reads fields of one input, so that errors can point into it and carry fixes.
pub(crate) struct Reader<'a> {
    pub input: &'a str,
    pub dialect: Dialect,
}

impl<'a> Reader<'a> {
    pub fn error(&self, kind: ErrorKind, span: Range<usize>) -> CronError {
        CronError::new(kind, span, self.dialect)
    }

    /// Reads one field.
    pub fn field(&self, token: Token<'_>, spec: FieldSpec) -> Result<FieldExpr, CronError> {
        match token.text {
            "*" => return Ok(FieldExpr::Every),
            "?" if spec.is_day() => return Ok(FieldExpr::NoSpecific),
            _ => {}
        }
        let mut parts: Vec<(Part, Range<usize>)> = Vec::new();
        let mut offset = 0;
        for piece in token.text.split(',') {
            let start = token.start + offset;
            if piece.is_empty() {
                // The comma after an empty piece, or before it when it ends the field.
                let span = if offset < token.text.len() {
                    start..start + 1
                } else {
                    start - 1..start
                };
                return Err(self.error(ErrorKind::EmptyPart, span).in_field(spec.field));
            }
            let mut reader = PartReader {
                reader: self,
                spec,
                text: piece,
                start,
                pos: 0,
            };
            parts.push((reader.part()?, start..start + piece.len()));
            offset += piece.len() + 1;
        }
        let special = parts.iter().find(|(part, _)| part.is_special());
        if parts.len() > 1
            && let Some((part, span)) = special
        {
            let kind = ErrorKind::MustStandAlone {
                symbol: part.symbol(),
            };
            return Err(self.error(kind, span.clone()).in_field(spec.field));
        }
        Ok(FieldExpr::List(
            parts.into_iter().map(|(part, _)| part).collect(),
        ))
    }

    /// AWS needs `?` in exactly one of the day fields. Fixes replace a `*` with `?`, or a
    /// second `?` with `*`.
    pub fn check_days(
        &self,
        (dom, dom_token): (&FieldExpr, Token<'_>),
        (dow, dow_token): (&FieldExpr, Token<'_>),
    ) -> Result<(), CronError> {
        let missing = |token: Token<'_>, field| {
            self.error(ErrorKind::NoSpecificMissing, token.span())
                .in_field(field)
        };
        match (dom, dow) {
            (FieldExpr::NoSpecific, FieldExpr::NoSpecific) => Err(self
                .error(ErrorKind::NoSpecificTwice, dom_token.span())
                .in_field(Field::DayOfMonth)
                .fix(self.input, "*")),
            (FieldExpr::NoSpecific, _) | (_, FieldExpr::NoSpecific) => Ok(()),
            (FieldExpr::Every, FieldExpr::List(_)) => {
                Err(missing(dom_token, Field::DayOfMonth).fix(self.input, "?"))
            }
            (_, FieldExpr::Every) => Err(missing(dow_token, Field::DayOfWeek).fix(self.input, "?")),
            (FieldExpr::List(_), FieldExpr::List(_)) => Err(missing(dow_token, Field::DayOfWeek)),
        }
    }

    /// Reads the six AWS fields (the caller has checked there are six).
    pub fn cron_fields(&self, tokens: &[Token<'_>; 6]) -> Result<CronExpr, CronError> {
        let read = |i: usize| self.field(tokens[i], FieldSpec::aws(Field::AWS[i]));
        let expr = CronExpr {
            minutes: read(0)?,
            hours: read(1)?,
            day_of_month: read(2)?,
            month: read(3)?,
            day_of_week: read(4)?,
            year: read(5)?,
        };
        self.check_days(
            (&expr.day_of_month, tokens[2]),
            (&expr.day_of_week, tokens[4]),
        )?;
        Ok(expr)
    }
}

/// A cursor over one comma-separated part of a field.
struct PartReader<'r, 'a> {
    reader: &'r Reader<'a>,
    spec: FieldSpec,
    text: &'r str,
    start: usize,
    pos: usize,
}

impl PartReader<'_, '_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        if found {
            self.pos += 1;
        }
        found
    }

    fn error(&self, kind: ErrorKind, from: usize, to: usize) -> CronError {
        self.reader
            .error(kind, self.start + from..self.start + to)
            .in_field(self.spec.field)
    }

    /// The error for whatever sits at the cursor. Only ASCII has been consumed before it,
    /// so the cursor is on a character boundary.
    fn unexpected(&self) -> CronError {
        let Some(found) = self
            .text
            .get(self.pos..)
            .and_then(|rest| rest.chars().next())
        else {
            return self.error(ErrorKind::MissingValue, self.pos, self.pos);
        };
        let end = self.pos + found.len_utf8();
        let upper = found.to_ascii_uppercase();
        if !self.spec.knows(found) {
            return self.error(ErrorKind::NotAllowedHere { symbol: found }, self.pos, end);
        }
        let error = self.error(ErrorKind::UnexpectedChar { found }, self.pos, end);
        // `l` and `w` where `L` and `W` would do.
        if upper != found && matches!(upper, 'L' | 'W') && self.spec.knows(upper) {
            return error.fix(self.reader.input, &upper.to_string());
        }
        error
    }

    fn finish(&self, part: Part) -> Result<Part, CronError> {
        if self.pos < self.text.len() {
            return Err(self.unexpected());
        }
        Ok(part)
    }

    fn part(&mut self) -> Result<Part, CronError> {
        match (self.spec.field, self.peek()) {
            (Field::DayOfMonth, Some(b'L')) => return self.last_in_month(),
            (Field::DayOfWeek, Some(b'L')) if self.text.len() == 1 => {
                self.pos = 1;
                return Ok(Part::Last);
            }
            (_, Some(b'*')) => {
                self.pos += 1;
                if self.eat(b'/') {
                    let step = self.step()?;
                    let base = StepBase::Every;
                    return self.finish(Part::Step { base, step });
                }
                if self.pos == self.text.len() {
                    let kind = ErrorKind::MustStandAlone { symbol: '*' };
                    return Err(self.error(kind, 0, 1));
                }
                return Err(self.unexpected());
            }
            (_, Some(b'?')) if self.spec.is_day() => {
                let kind = ErrorKind::MustStandAlone { symbol: '?' };
                return Err(self.error(kind, 0, 1));
            }
            _ => {}
        }
        let start = self.value()?;
        let part = match self.peek() {
            Some(b'-') => {
                self.pos += 1;
                let end = self.value()?;
                if self.spec.field == Field::Year && end < start {
                    return Err(self.error(ErrorKind::ReversedRange, 0, self.pos));
                }
                if self.eat(b'/') {
                    let base = StepBase::Range { start, end };
                    Part::Step {
                        base,
                        step: self.step()?,
                    }
                } else {
                    Part::Range { start, end }
                }
            }
            Some(b'/') => {
                self.pos += 1;
                let base = StepBase::From(start);
                Part::Step {
                    base,
                    step: self.step()?,
                }
            }
            Some(b'W') if self.spec.field == Field::DayOfMonth => {
                self.pos += 1;
                // Day-of-month values are 1-31, so they fit.
                Part::NearestWeekday(start as u8)
            }
            Some(b'L') if self.spec.field == Field::DayOfWeek => {
                self.pos += 1;
                Part::LastOfWeekday(start as u8)
            }
            Some(b'#') if self.spec.field == Field::DayOfWeek => {
                self.pos += 1;
                let from = self.pos;
                let nth = self.number()?;
                if !(1..=5).contains(&nth) {
                    let kind = ErrorKind::NthOutOfRange { value: nth };
                    return Err(self.error(kind, from, self.pos));
                }
                Part::NthWeekday {
                    weekday: start as u8,
                    nth: nth as u8,
                }
            }
            _ => Part::Value(start),
        };
        self.finish(part)
    }

    /// `L`, `LW` or `L-n` in day-of-month.
    fn last_in_month(&mut self) -> Result<Part, CronError> {
        self.pos = 1;
        let part = if self.eat(b'W') {
            Part::LastWeekday
        } else if self.eat(b'-') {
            let from = self.pos;
            let offset = self.number()?;
            if offset > 30 {
                let kind = ErrorKind::OutOfRange {
                    value: offset,
                    min: 0,
                    max: 30,
                };
                return Err(self.error(kind, from, self.pos));
            }
            Part::LastOffset(offset as u8)
        } else {
            Part::Last
        };
        self.finish(part)
    }

    /// Digits, saturating so that a huge number is reported as out of range.
    fn number(&mut self) -> Result<u64, CronError> {
        let from = self.pos;
        let mut value: u64 = 0;
        while let Some(digit @ b'0'..=b'9') = self.peek() {
            value = value
                .saturating_mul(10)
                .saturating_add(u64::from(digit - b'0'));
            self.pos += 1;
        }
        if self.pos == from {
            return Err(self.unexpected());
        }
        Ok(value)
    }

    fn step(&mut self) -> Result<u16, CronError> {
        let from = self.pos;
        let step = self.number()?;
        let max = u32::from(self.spec.max - self.spec.min) + 1;
        if step == 0 || step > u64::from(max) {
            let kind = ErrorKind::InvalidStep { value: step, max };
            return Err(self.error(kind, from, self.pos));
        }
        Ok(step as u16)
    }

    /// A number or a name, within the field's bounds.
    fn value(&mut self) -> Result<u16, CronError> {
        let from = self.pos;
        let value = match self.peek() {
            Some(b'0'..=b'9') => self.number()?,
            Some(c) if c.is_ascii_alphabetic() && !self.spec.names.is_empty() => {
                return self.name();
            }
            _ => return Err(self.unexpected()),
        };
        let (min, max) = (self.spec.min, self.spec.max);
        if value < u64::from(min) || value > u64::from(max) {
            let kind = ErrorKind::OutOfRange {
                value,
                min: min.into(),
                max: max.into(),
            };
            let error = self.error(kind, from, self.pos);
            let aws_weekday = self.spec.field == Field::DayOfWeek && min == 1;
            return Err(if aws_weekday && value == 0 {
                error.fix(self.reader.input, "1")
            } else {
                error
            });
        }
        Ok(value as u16)
    }

    fn name(&mut self) -> Result<u16, CronError> {
        let from = self.pos;
        let rest = &self.text.as_bytes()[from..];
        let mut len = rest.iter().take_while(|b| b.is_ascii_alphabetic()).count();
        // `FRIL` is `FRI` followed by `L` (the last Friday).
        if self.spec.field == Field::DayOfWeek && len == 4 && rest[3] == b'L' {
            len = 3;
        }
        self.pos += len;
        // ASCII letters only, so the slice is on character boundaries.
        let word = &self.text[from..self.pos];
        if let Some(index) = self.lookup(word) {
            return Ok(self.spec.first_name + index as u16);
        }
        let kind = ErrorKind::UnknownName {
            name: word.to_string(),
        };
        let error = self.error(kind, from, self.pos);
        // `MONDAY` or `January`: the first three letters are the name.
        match word.get(..3).and_then(|prefix| self.lookup(prefix)) {
            Some(index) => Err(error.fix(self.reader.input, self.spec.names[index])),
            None => Err(error),
        }
    }

    fn lookup(&self, word: &str) -> Option<usize> {
        self.spec
            .names
            .iter()
            .position(|name| name.eq_ignore_ascii_case(word))
    }
}

/// Reads any AWS form.
pub(crate) fn parse_schedule(input: &str) -> Result<Schedule, CronError> {
    let reader = Reader {
        input,
        dialect: Dialect::Aws,
    };
    let (start, text) = trimmed(input);
    if text.is_empty() {
        return Err(reader.error(ErrorKind::Empty, 0..input.len()));
    }
    if text.starts_with("cron(") {
        reader.cron(text, start).map(Schedule::Cron)
    } else if text.starts_with("rate(") {
        reader.rate(text, start).map(Schedule::Rate)
    } else if text.starts_with("at(") {
        reader.at(text, start).map(Schedule::At)
    } else {
        Err(reader.unknown_form(text, start))
    }
}

/// Reads `cron(...)` only.
pub(crate) fn parse_cron(input: &str) -> Result<CronExpr, CronError> {
    let reader = Reader {
        input,
        dialect: Dialect::Aws,
    };
    let (start, text) = trimmed(input);
    if text.starts_with("cron(") {
        reader.cron(text, start)
    } else {
        let kind = ErrorKind::UnknownForm { looks_like: None };
        Err(reader.error(kind, start..start + text.len()))
    }
}

impl Reader<'_> {
    /// The text between `name(` and `)`, and where it starts.
    fn enclosed<'t>(
        &self,
        text: &'t str,
        start: usize,
        name: &str,
    ) -> Result<(&'t str, usize), CronError> {
        let body_start = start + name.len() + 1;
        let inner = &text[name.len() + 1..];
        match inner.find(')') {
            None => {
                let end = start + text.len();
                Err(self
                    .error(ErrorKind::UnclosedParen, end..end)
                    .fix(self.input, ")"))
            }
            Some(close) if close + 1 < inner.len() => {
                let span = body_start + close + 1..start + text.len();
                Err(self
                    .error(ErrorKind::TrailingText, span)
                    .fix(self.input, ""))
            }
            Some(close) => Ok((&inner[..close], body_start)),
        }
    }

    fn cron(&self, text: &str, start: usize) -> Result<CronExpr, CronError> {
        let (body, body_start) = self.enclosed(text, start, "cron")?;
        let tokens = tokens(body, body_start);
        let Ok(fields) = <&[Token<'_>; 6]>::try_from(tokens.as_slice()) else {
            let span = tokens_span(&tokens, body_start);
            let error = self.error(
                ErrorKind::FieldCount {
                    found: tokens.len(),
                },
                span,
            );
            let other = match tokens.len() {
                5 => Some(Dialect::Unix),
                7 => Some(Dialect::Quartz),
                _ => None,
            };
            return Err(match other.and_then(|d| dialect::single_rule(body, d)) {
                Some(rule) => CronError {
                    fixed: Some(rule),
                    ..error
                },
                None => error,
            });
        };
        self.cron_fields(fields)
    }

    fn rate(&self, text: &str, start: usize) -> Result<Rate, CronError> {
        let (body, body_start) = self.enclosed(text, start, "rate")?;
        let tokens = tokens(body, body_start);
        let [value_token, unit_token] = tokens.as_slice() else {
            let span = tokens_span(&tokens, body_start);
            return Err(self.error(ErrorKind::RateForm, span));
        };
        let value = self.rate_value(*value_token)?;
        let unit = self.rate_unit(*unit_token, value)?;
        Ok(Rate { value, unit })
    }

    fn rate_value(&self, token: Token<'_>) -> Result<u32, CronError> {
        let digits = token.text.bytes().all(|b| b.is_ascii_digit());
        let value = digits
            .then(|| {
                token.text.bytes().fold(0u64, |acc, b| {
                    acc.saturating_mul(10).saturating_add(u64::from(b - b'0'))
                })
            })
            .filter(|value| *value >= 1);
        match value {
            None => Err(self.error(ErrorKind::RateValue, token.span())),
            Some(value) => u32::try_from(value).map_err(|_| {
                let kind = ErrorKind::OutOfRange {
                    value,
                    min: 1,
                    max: u32::MAX,
                };
                self.error(kind, token.span())
            }),
        }
    }

    fn rate_unit(&self, token: Token<'_>, value: u32) -> Result<RateUnit, CronError> {
        let value = u64::from(value);
        let units = [RateUnit::Minute, RateUnit::Hour, RateUnit::Day];
        let spelled = |word: &str, case_sensitive: bool| {
            units.into_iter().find(|unit| {
                [unit.word(1), unit.word(2)].into_iter().any(|w| {
                    if case_sensitive {
                        w == word
                    } else {
                        w.eq_ignore_ascii_case(word)
                    }
                })
            })
        };
        match spelled(token.text, true) {
            Some(unit) if unit.word(value) == token.text => Ok(unit),
            Some(unit) => Err(self
                .error(ErrorKind::RateUnitNumber { value }, token.span())
                .fix(self.input, unit.word(value))),
            None => {
                let found = token.text.to_string();
                let error = self.error(ErrorKind::RateUnit { found }, token.span());
                Err(match spelled(token.text, false) {
                    Some(unit) => error.fix(self.input, unit.word(value)),
                    None => error,
                })
            }
        }
    }

    fn at(&self, text: &str, start: usize) -> Result<NaiveDateTime, CronError> {
        let (body, body_start) = self.enclosed(text, start, "at")?;
        let tokens = tokens(body, body_start);
        let [token] = tokens.as_slice() else {
            let span = tokens_span(&tokens, body_start);
            return Err(self.error(ErrorKind::AtFormat, span));
        };
        let Some(fields) = at_fields(token.text) else {
            let error = self.error(ErrorKind::AtFormat, token.span());
            // A UTC marker: the time is already local to the schedule's zone.
            return Err(match token.text.strip_suffix('Z') {
                Some(local) if at_fields(local).is_some() => error.fix(self.input, local),
                _ => error,
            });
        };
        let [year, month, day, hour, minute, second] = fields;
        let date = NaiveDate::from_ymd_opt(year as i32, month, day);
        let time = NaiveTime::from_hms_opt(hour, minute, second);
        match (date, time) {
            (Some(date), Some(time)) => Ok(date.and_time(time)),
            _ => Err(self.error(ErrorKind::AtInvalidDate, token.span())),
        }
    }

    /// Not a known form: say what it looks like, and fix it when that is clear.
    fn unknown_form(&self, text: &str, start: usize) -> CronError {
        let word_end = text.find('(').unwrap_or(text.len());
        for form in ["cron(", "rate(", "at("] {
            let Some(prefix) = text.get(..form.len()) else {
                continue;
            };
            if prefix.eq_ignore_ascii_case(form) {
                let kind = ErrorKind::UnknownForm { looks_like: None };
                return self
                    .error(kind, start..start + form.len() - 1)
                    .fix(self.input, &form[..form.len() - 1]);
            }
        }
        let looks_like = dialect::looks_like(text);
        let kind = ErrorKind::UnknownForm { looks_like };
        let error = self.error(kind, start..start + word_end);
        match looks_like.and_then(|d| dialect::single_rule(text, d)) {
            Some(rule) => CronError {
                fixed: Some(rule),
                span: start..start + text.len(),
                ..error
            },
            None => error,
        }
    }
}

/// `yyyy-mm-ddThh:mm:ss` split into numbers, or `None` if the shape is wrong.
fn at_fields(text: &str) -> Option<[u32; 6]> {
    let bytes = text.as_bytes();
    if bytes.len() != 19 {
        return None;
    }
    let separators = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if separators.iter().any(|&(i, sep)| bytes[i] != sep) {
        return None;
    }
    let number = |from: usize, to: usize| {
        bytes[from..to].iter().try_fold(0u32, |acc, b| {
            b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
        })
    };
    Some([
        number(0, 4)?,
        number(5, 7)?,
        number(8, 10)?,
        number(11, 13)?,
        number(14, 16)?,
        number(17, 19)?,
    ])
}
