//! What went wrong in an expression, where, and how to fix it, in English and Korean.

use std::fmt;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::{Dialect, Field, Lang};

/// An invalid expression: what is wrong, in which field, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CronError {
    pub kind: ErrorKind,
    pub field: Option<Field>,
    /// Byte offsets into the original input. An empty span marks where something is missing.
    pub span: Range<usize>,
    /// The grammar that was being read: what a field allows depends on it.
    pub dialect: Dialect,
    /// The whole expression with the obvious fix applied, when there is one.
    pub fixed: Option<String>,
}

/// The kinds of mistakes. `code()` gives a stable identifier for APIs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum ErrorKind {
    Empty,
    /// Not `cron(...)`, `rate(...)` or `at(...)`; `looks_like` says what it resembles.
    UnknownForm {
        looks_like: Option<Dialect>,
    },
    UnclosedParen,
    TrailingText,
    FieldCount {
        found: usize,
    },
    EmptyPart,
    MissingValue,
    UnexpectedChar {
        found: char,
    },
    UnknownName {
        name: String,
    },
    OutOfRange {
        value: u64,
        min: u32,
        max: u32,
    },
    InvalidStep {
        value: u64,
        max: u32,
    },
    NthOutOfRange {
        value: u64,
    },
    ReversedRange,
    NotAllowedHere {
        symbol: char,
    },
    MustStandAlone {
        symbol: char,
    },
    NoSpecificMissing,
    NoSpecificTwice,
    RateForm,
    RateValue,
    RateUnit {
        found: String,
    },
    RateUnitNumber {
        value: u64,
    },
    AtFormat,
    AtInvalidDate,
    SecondsNotZero,
    UnknownNickname {
        name: String,
    },
}

impl ErrorKind {
    /// A stable machine-readable name, e.g. `out_of_range`.
    pub fn code(&self) -> &'static str {
        match self {
            ErrorKind::Empty => "empty",
            ErrorKind::UnknownForm { .. } => "unknown_form",
            ErrorKind::UnclosedParen => "unclosed_paren",
            ErrorKind::TrailingText => "trailing_text",
            ErrorKind::FieldCount { .. } => "field_count",
            ErrorKind::EmptyPart => "empty_part",
            ErrorKind::MissingValue => "missing_value",
            ErrorKind::UnexpectedChar { .. } => "unexpected_char",
            ErrorKind::UnknownName { .. } => "unknown_name",
            ErrorKind::OutOfRange { .. } => "out_of_range",
            ErrorKind::InvalidStep { .. } => "invalid_step",
            ErrorKind::NthOutOfRange { .. } => "nth_out_of_range",
            ErrorKind::ReversedRange => "reversed_range",
            ErrorKind::NotAllowedHere { .. } => "not_allowed_here",
            ErrorKind::MustStandAlone { .. } => "must_stand_alone",
            ErrorKind::NoSpecificMissing => "no_specific_missing",
            ErrorKind::NoSpecificTwice => "no_specific_twice",
            ErrorKind::RateForm => "rate_form",
            ErrorKind::RateValue => "rate_value",
            ErrorKind::RateUnit { .. } => "rate_unit",
            ErrorKind::RateUnitNumber { .. } => "rate_unit_number",
            ErrorKind::AtFormat => "at_format",
            ErrorKind::AtInvalidDate => "at_invalid_date",
            ErrorKind::SecondsNotZero => "seconds_not_zero",
            ErrorKind::UnknownNickname { .. } => "unknown_nickname",
        }
    }
}

impl CronError {
    pub(crate) fn new(kind: ErrorKind, span: Range<usize>, dialect: Dialect) -> Self {
        CronError {
            kind,
            field: None,
            span,
            dialect,
            fixed: None,
        }
    }

    pub(crate) fn in_field(mut self, field: Field) -> Self {
        self.field = Some(field);
        self
    }

    /// Records the fix that puts `replacement` in place of the span of `input`.
    pub(crate) fn fix(mut self, input: &str, replacement: &str) -> Self {
        let before = input.get(..self.span.start);
        let after = input.get(self.span.end..);
        if let (Some(before), Some(after)) = (before, after) {
            self.fixed = Some(format!("{before}{replacement}{after}").trim().to_string());
        }
        self
    }

    /// What is wrong and what is allowed there.
    pub fn message(&self, lang: Lang) -> String {
        let text = match lang {
            Lang::En => self.message_en(),
            Lang::Ko => self.message_ko(),
        };
        match (self.field, self.kind.is_about_field()) {
            (Some(field), true) => match lang {
                Lang::En => format!("{}: {text}", field.name(lang)),
                Lang::Ko => format!("{} 필드: {text}", field.name(lang)),
            },
            _ => text,
        }
    }

    /// How to fix it, when that is clear.
    pub fn suggestion(&self, lang: Lang) -> Option<String> {
        let ko = lang == Lang::Ko;
        let fixed = self.fixed.as_deref();
        let convert = |name: &str| match (ko, fixed) {
            (false, Some(f)) => format!("This looks like {name}. Convert it to AWS form: {f}?"),
            (false, None) => format!("This looks like {name}. Convert it to AWS form?"),
            (true, Some(f)) => format!("{name} 형식 같습니다. AWS 형식으로 변환할까요: {f}?"),
            (true, None) => format!("{name} 형식 같습니다. AWS 형식으로 변환할까요?"),
        };
        let quartz = if ko {
            "Quartz cron(초로 시작)"
        } else {
            "Quartz cron (it starts with seconds)"
        };
        match (&self.kind, self.dialect) {
            (ErrorKind::FieldCount { found: 5 }, Dialect::Aws)
            | (
                ErrorKind::UnknownForm {
                    looks_like: Some(Dialect::Unix),
                },
                _,
            ) => Some(convert("Unix cron")),
            (ErrorKind::FieldCount { found: 7 }, Dialect::Aws)
            | (
                ErrorKind::UnknownForm {
                    looks_like: Some(Dialect::Quartz),
                },
                _,
            ) => Some(convert(quartz)),
            (ErrorKind::OutOfRange { value: 0, .. }, Dialect::Aws | Dialect::Quartz)
                if self.field == Some(Field::DayOfWeek) =>
            {
                Some(if ko {
                    "AWS는 1-7 = SUN-SAT로 셉니다. 1(SUN)을 뜻했나요?".to_string()
                } else {
                    "AWS counts 1-7 = SUN-SAT; did you mean 1 (SUN)?".to_string()
                })
            }
            (ErrorKind::NoSpecificMissing, _) if fixed.is_none() => Some(if ko {
                "일 또는 요일 중 하나에 “?”를 쓰거나, 일정을 두 개로 나누세요.".to_string()
            } else {
                "Put “?” in day-of-month or day-of-week, or make two schedules.".to_string()
            }),
            _ => fixed.map(|f| {
                if ko {
                    format!("“{f}”을(를) 뜻했나요?")
                } else {
                    format!("Did you mean “{f}”?")
                }
            }),
        }
    }
}

impl ErrorKind {
    /// Whether the message reads as being about one field (and so starts with its name).
    fn is_about_field(&self) -> bool {
        !matches!(
            self,
            ErrorKind::NoSpecificMissing | ErrorKind::NoSpecificTwice | ErrorKind::SecondsNotZero
        )
    }
}

impl CronError {
    fn message_en(&self) -> String {
        let allowed = || allowed(self.field, self.dialect, Lang::En);
        match &self.kind {
            ErrorKind::Empty => {
                "The expression is empty. Write cron(...), rate(...) or at(...).".to_string()
            }
            ErrorKind::UnknownForm { .. } => {
                "Expected cron(...), rate(...) or at(...).".to_string()
            }
            ErrorKind::UnclosedParen => "The closing parenthesis “)” is missing.".to_string(),
            ErrorKind::TrailingText => "Unexpected text after the closing parenthesis.".to_string(),
            ErrorKind::FieldCount { found } => match self.dialect {
                Dialect::Aws => format!(
                    "AWS cron needs 6 fields (minutes hours day-of-month month day-of-week \
                     year); found {found}."
                ),
                Dialect::Unix => format!(
                    "Unix cron needs 5 fields (minute hour day-of-month month day-of-week); \
                     found {found}."
                ),
                Dialect::Quartz => format!(
                    "Quartz cron needs 6 or 7 fields (seconds minutes hours day-of-month month \
                     day-of-week [year]); found {found}."
                ),
            },
            ErrorKind::EmptyPart => {
                format!(
                    "an empty value between commas. Allowed here: {}.",
                    allowed()
                )
            }
            ErrorKind::MissingValue => {
                format!("a value is missing here. Allowed here: {}.", allowed())
            }
            ErrorKind::UnexpectedChar { found } => {
                format!("unexpected “{found}”. Allowed here: {}.", allowed())
            }
            ErrorKind::UnknownName { name } => {
                format!("unknown name “{name}”. Allowed here: {}.", allowed())
            }
            ErrorKind::OutOfRange { value, min, max } => {
                format!("{value} is out of range; allowed {min}-{max}.")
            }
            ErrorKind::InvalidStep { value, max } => {
                format!("the step after “/” must be 1-{max}; found {value}.")
            }
            ErrorKind::NthOutOfRange { value } => {
                format!("the occurrence after “#” must be 1-5; found {value}.")
            }
            ErrorKind::ReversedRange => {
                "a year range must go from the earlier to the later year.".to_string()
            }
            ErrorKind::NotAllowedHere { symbol } => {
                format!(
                    "“{symbol}” is not allowed here. Allowed here: {}.",
                    allowed()
                )
            }
            ErrorKind::MustStandAlone { symbol } => {
                format!("“{symbol}” must be the only value in the field, not part of a list.")
            }
            ErrorKind::NoSpecificMissing => "One of day-of-month and day-of-week must be “?”: \
                AWS can't match both at once."
                .to_string(),
            ErrorKind::NoSpecificTwice => "Only one of day-of-month and day-of-week can be “?”; \
                the other one says which days."
                .to_string(),
            ErrorKind::RateForm => {
                "A rate is written rate(value unit), e.g. rate(5 minutes).".to_string()
            }
            ErrorKind::RateValue => "The rate value must be a whole number, 1 or more.".to_string(),
            ErrorKind::RateUnit { found } => format!(
                "Unknown rate unit “{found}”. Allowed: minute, minutes, hour, hours, day, days."
            ),
            ErrorKind::RateUnitNumber { value: 1 } => {
                "With a value of 1 the unit is singular: minute, hour or day.".to_string()
            }
            ErrorKind::RateUnitNumber { .. } => {
                "With a value above 1 the unit is plural: minutes, hours or days.".to_string()
            }
            ErrorKind::AtFormat => "A one-time schedule is written at(yyyy-mm-ddThh:mm:ss), \
                e.g. at(2026-03-08T14:30:00), in the schedule's time zone."
                .to_string(),
            ErrorKind::AtInvalidDate => "This date or time does not exist.".to_string(),
            ErrorKind::SecondsNotZero => "Seconds must be 0 to convert: AWS cron has no \
                seconds field and runs at second 0."
                .to_string(),
            ErrorKind::UnknownNickname { name } => format!(
                "Unknown shortcut “{name}”. Allowed: @yearly, @annually, @monthly, @weekly, \
                 @daily, @midnight, @hourly."
            ),
        }
    }

    fn message_ko(&self) -> String {
        let allowed = || allowed(self.field, self.dialect, Lang::Ko);
        match &self.kind {
            ErrorKind::Empty => {
                "식이 비어 있습니다. cron(...), rate(...) 또는 at(...)으로 쓰세요.".to_string()
            }
            ErrorKind::UnknownForm { .. } => {
                "cron(...), rate(...) 또는 at(...) 형식이어야 합니다.".to_string()
            }
            ErrorKind::UnclosedParen => "닫는 괄호 “)”가 없습니다.".to_string(),
            ErrorKind::TrailingText => "닫는 괄호 뒤에 예상하지 못한 글자가 있습니다.".to_string(),
            ErrorKind::FieldCount { found } => match self.dialect {
                Dialect::Aws => format!(
                    "AWS cron에는 필드 6개(분 시 일 월 요일 연도)가 필요한데 {found}개가 있습니다."
                ),
                Dialect::Unix => format!(
                    "Unix cron에는 필드 5개(분 시 일 월 요일)가 필요한데 {found}개가 있습니다."
                ),
                Dialect::Quartz => format!(
                    "Quartz cron에는 필드 6개 또는 7개(초 분 시 일 월 요일 [연도])가 필요한데 \
                     {found}개가 있습니다."
                ),
            },
            ErrorKind::EmptyPart => {
                format!(
                    "쉼표 사이에 값이 비어 있습니다. 쓸 수 있는 값: {}.",
                    allowed()
                )
            }
            ErrorKind::MissingValue => {
                format!("여기에 값이 빠졌습니다. 쓸 수 있는 값: {}.", allowed())
            }
            ErrorKind::UnexpectedChar { found } => {
                format!(
                    "“{found}”은(는) 쓸 수 없는 글자입니다. 쓸 수 있는 값: {}.",
                    allowed()
                )
            }
            ErrorKind::UnknownName { name } => {
                format!(
                    "“{name}”은(는) 알 수 없는 이름입니다. 쓸 수 있는 값: {}.",
                    allowed()
                )
            }
            ErrorKind::OutOfRange { value, min, max } => {
                format!("{value}은(는) 범위를 벗어났습니다. 쓸 수 있는 범위: {min}-{max}.")
            }
            ErrorKind::InvalidStep { value, max } => {
                format!("“/” 뒤의 간격은 1-{max}이어야 하는데 {value}입니다.")
            }
            ErrorKind::NthOutOfRange { value } => {
                format!("“#” 뒤의 순번은 1-5여야 하는데 {value}입니다.")
            }
            ErrorKind::ReversedRange => {
                "연도 범위는 앞선 연도에서 나중 연도 순으로 써야 합니다.".to_string()
            }
            ErrorKind::NotAllowedHere { symbol } => {
                format!(
                    "“{symbol}”은(는) 여기에 쓸 수 없습니다. 쓸 수 있는 값: {}.",
                    allowed()
                )
            }
            ErrorKind::MustStandAlone { symbol } => {
                format!("“{symbol}”은(는) 목록에 섞지 말고 필드에 혼자 써야 합니다.")
            }
            ErrorKind::NoSpecificMissing => "일 필드와 요일 필드 중 하나는 “?”여야 합니다. \
                AWS는 둘을 함께 맞출 수 없습니다."
                .to_string(),
            ErrorKind::NoSpecificTwice => "일 필드와 요일 필드 중 하나만 “?”일 수 있습니다. \
                나머지 하나로 날짜를 정하세요."
                .to_string(),
            ErrorKind::RateForm => {
                "rate는 rate(값 단위)로 씁니다. 예: rate(5 minutes).".to_string()
            }
            ErrorKind::RateValue => "rate 값은 1 이상의 정수여야 합니다.".to_string(),
            ErrorKind::RateUnit { found } => format!(
                "“{found}”은(는) 알 수 없는 단위입니다. 쓸 수 있는 단위: minute, minutes, hour, \
                 hours, day, days."
            ),
            ErrorKind::RateUnitNumber { value: 1 } => {
                "값이 1이면 단위는 단수형(minute, hour, day)이어야 합니다.".to_string()
            }
            ErrorKind::RateUnitNumber { .. } => {
                "값이 1보다 크면 단위는 복수형(minutes, hours, days)이어야 합니다.".to_string()
            }
            ErrorKind::AtFormat => "일회성 일정은 일정의 시간대 기준으로 \
                at(yyyy-mm-ddThh:mm:ss)로 씁니다. 예: at(2026-03-08T14:30:00)."
                .to_string(),
            ErrorKind::AtInvalidDate => "존재하지 않는 날짜나 시각입니다.".to_string(),
            ErrorKind::SecondsNotZero => "변환하려면 초가 0이어야 합니다. AWS cron에는 초 \
                필드가 없고 0초에 실행됩니다."
                .to_string(),
            ErrorKind::UnknownNickname { name } => format!(
                "“{name}”은(는) 알 수 없는 단축 표현입니다. 쓸 수 있는 것: @yearly, @annually, \
                 @monthly, @weekly, @daily, @midnight, @hourly."
            ),
        }
    }
}

/// What a field accepts, for "Allowed here: ..." in messages.
fn allowed(field: Option<Field>, dialect: Dialect, lang: Lang) -> String {
    let (values, symbols) = match (field, dialect) {
        (Some(Field::DayOfWeek), Dialect::Unix) => (
            match lang {
                Lang::En => "0-7 or SUN-SAT (0 and 7 = SUN)",
                Lang::Ko => "0-7 또는 SUN-SAT(0과 7 = 일요일)",
            },
            ", - * / L #",
        ),
        (Some(Field::DayOfWeek), _) => (
            match lang {
                Lang::En => "1-7 or SUN-SAT (1 = SUN)",
                Lang::Ko => "1-7 또는 SUN-SAT(1 = 일요일)",
            },
            ", - * ? / L #",
        ),
        (Some(Field::Month), _) => (
            match lang {
                Lang::En => "1-12 or JAN-DEC",
                Lang::Ko => "1-12 또는 JAN-DEC",
            },
            ", - * /",
        ),
        (Some(Field::DayOfMonth), _) => ("1-31", ", - * ? / L W"),
        (Some(Field::Minutes), _) => ("0-59", ", - * /"),
        (Some(Field::Hours), _) => ("0-23", ", - * /"),
        (Some(Field::Year), _) => ("1970-2199", ", - * /"),
        (Some(Field::Seconds), _) => ("0", ""),
        (None, _) => return String::new(),
    };
    match (lang, symbols.is_empty()) {
        (_, true) => values.to_string(),
        (Lang::En, false) => format!("{values} and {symbols}"),
        (Lang::Ko, false) => format!("{values} 및 {symbols}"),
    }
}

impl fmt::Display for CronError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))?;
        if let Some(suggestion) = self.suggestion(Lang::En) {
            write!(f, " {suggestion}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CronError {}
