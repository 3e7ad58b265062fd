//! An EventBridge rule on the default bus (on a schedule, or on an event pattern) and its
//! targets, as a team declares them, in the form a person fills in, and in AWS's terms.
//!
//! Every schedule goes through the cron engine before anything reaches AWS: moto accepts
//! `cron(garbage)`, and AWS itself accepts some expressions that never fire. Event patterns
//! and constant inputs are JSON, checked here and stored in one canonical spelling, so that
//! what AWS hands back compares equal to what was sent.
use super::aws::is_arn_of;
use crate::cron::{CronError, Schedule, Tz, ZoneError, to_utc};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// AWS's limits.
pub const MAX_TARGETS: usize = 5;
pub const MAX_PATTERN_CHARS: usize = 4096;
pub const MAX_INPUT_CHARS: usize = 8192;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum RuleError {
    #[error("A rule name has 1 to 64 letters, digits, dots, hyphens or underscores.")]
    Name,
    #[error("The description may have at most 512 characters.")]
    Description,
    #[error("{0}")]
    Schedule(Box<CronError>),
    #[error("EventBridge rules take cron() or rate(); at() is for Scheduler schedules.")]
    AtNotForRules,
    #[error("This schedule never runs (no date matches it before 2199).")]
    NeverRuns,
    #[error("A rule runs on a schedule or on an event pattern: give one of them.")]
    NoTrigger,
    #[error("The event pattern: {0}")]
    EventPattern(PatternError),
    #[error("At most 5 targets per rule.")]
    TooManyTargets,
    #[error(
        "Target {index}: an id of 1 to 64 letters, digits, dots, hyphens or underscores, each id once."
    )]
    TargetId { index: usize },
    #[error("Target {index}: the ARN does not name a {expected}.")]
    TargetArn { index: usize, expected: String },
    #[error("Target {index}: that topic is not one of the team's.")]
    TargetTopic { index: usize },
    #[error("Target {index}: retry at most 185 times, for 60 to 86400 seconds.")]
    Retry { index: usize },
    #[error("Target {index}: the dead-letter queue must be an SQS queue ARN.")]
    DeadLetter { index: usize },
    #[error("Target {index}: the constant input is not JSON ({detail}).")]
    Input { index: usize, detail: String },
    #[error("Pick a time zone from the list.")]
    UnknownZone,
    #[error("{0}")]
    Zone(ZoneError),
}

impl RuleError {
    /// The same problem about target `number` (counted from 1).
    pub fn renumbered(self, number: usize) -> Self {
        match self {
            RuleError::TargetId { .. } => RuleError::TargetId { index: number },
            RuleError::TargetArn { expected, .. } => RuleError::TargetArn {
                index: number,
                expected,
            },
            RuleError::TargetTopic { .. } => RuleError::TargetTopic { index: number },
            RuleError::Retry { .. } => RuleError::Retry { index: number },
            RuleError::DeadLetter { .. } => RuleError::DeadLetter { index: number },
            RuleError::Input { detail, .. } => RuleError::Input {
                index: number,
                detail,
            },
            other => other,
        }
    }
}

/// What is wrong with an event pattern.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum PatternError {
    #[error("not JSON at line {line}, column {column}")]
    NotJson { line: usize, column: usize },
    #[error("it must be a JSON object, such as {{\"source\": [\"aws.ec2\"]}}")]
    NotObject,
    #[error("it matches every event: name at least one field")]
    Empty,
    #[error("{path} must be a list of values, such as [\"aws.ec2\"]")]
    NotList { path: String },
    #[error("{path} is an empty list, which matches nothing")]
    EmptyList { path: String },
    #[error("at most 4096 characters")]
    TooLong,
}

/// `text` as compact JSON, or where it stops being JSON (1-based line and column).
pub fn canonical_json(text: &str) -> Result<(Value, String), (usize, usize)> {
    let value: Value = serde_json::from_str(text).map_err(|e| (e.line(), e.column()))?;
    let compact = value.to_string();
    Ok((value, compact))
}

/// Checks an event pattern as EventBridge reads it: an object whose leaves are non-empty
/// lists of values (or of matchers such as `{"prefix": "i-"}`). Returns its canonical text.
pub fn check_event_pattern(text: &str) -> Result<String, PatternError> {
    let (value, compact) = canonical_json(text.trim())
        .map_err(|(line, column)| PatternError::NotJson { line, column })?;
    // AWS counts what it is sent: the compact form, whatever the spacing typed.
    if compact.chars().count() > MAX_PATTERN_CHARS {
        return Err(PatternError::TooLong);
    }
    let Value::Object(fields) = &value else {
        return Err(PatternError::NotObject);
    };
    if fields.is_empty() {
        return Err(PatternError::Empty);
    }
    fn walk(fields: &serde_json::Map<String, Value>, prefix: &str) -> Result<(), PatternError> {
        for (key, value) in fields {
            let path = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            match value {
                Value::Object(inner) if !inner.is_empty() => walk(inner, &path)?,
                Value::Array(list) if list.is_empty() => {
                    return Err(PatternError::EmptyList { path });
                }
                Value::Array(_) => {}
                _ => return Err(PatternError::NotList { path }),
            }
        }
        Ok(())
    }
    walk(fields, "")?;
    Ok(compact)
}

/// Where a rule sends its event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetRef {
    /// A Lambda function's ARN (Belfry also grants events.amazonaws.com the invoke).
    Lambda(String),
    /// One of the team's SNS topics.
    Topic(Uuid),
    /// An SQS queue's ARN.
    Sqs(String),
}

impl TargetRef {
    pub fn kind(&self) -> &'static str {
        match self {
            TargetRef::Lambda(_) => "lambda",
            TargetRef::Topic(_) => "topic",
            TargetRef::Sqs(_) => "sqs",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub max_age_seconds: u32,
}

impl Default for RetryPolicy {
    /// EventBridge's defaults.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 185,
            max_age_seconds: 86400,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetSpec {
    pub id: String,
    pub target: TargetRef,
    #[serde(default)]
    pub retry: RetryPolicy,
    /// An SQS queue ARN for events that could not be delivered.
    #[serde(default)]
    pub dead_letter: Option<String>,
    /// Constant JSON sent instead of the event, in canonical form.
    #[serde(default)]
    pub input: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleSpec {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The canonical AWS text of the schedule (`cron(0 10 * * ? *)`, `rate(5 minutes)`);
    /// empty for a rule on an event pattern.
    #[serde(default)]
    pub schedule: String,
    /// The event pattern, canonical JSON; None for a rule on a schedule.
    #[serde(default)]
    pub event_pattern: Option<String>,
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    pub targets: Vec<TargetSpec>,
    /// The schedule as the person wrote it, in their zone; `schedule` is its UTC twin, the
    /// one AWS gets. Kept to show and edit it the way it was written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub written_in: Option<WrittenIn>,
}

/// A schedule written in local time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrittenIn {
    /// An IANA zone name.
    pub zone: String,
    pub schedule: String,
}

fn yes() -> bool {
    true
}

fn id_ok(id: &str, max: usize) -> bool {
    !id.is_empty()
        && id.len() <= max
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

impl RuleSpec {
    /// The spec with its schedule in canonical form, or the first problem. `now` decides
    /// whether the schedule still runs (the core reads no clock).
    pub fn validate(self, now: DateTime<Utc>) -> Result<Self, RuleError> {
        self.check(now)
            .map_err(|mut problems| problems.swap_remove(0).1)
    }

    /// The spec in canonical form, or every problem with the form field it belongs to
    /// (`name`, `description`, `schedule`, `event_pattern`, `targets`, `target-N`).
    pub fn check(mut self, now: DateTime<Utc>) -> Result<Self, Vec<(String, RuleError)>> {
        let mut problems: Vec<(String, RuleError)> = Vec::new();
        let mut problem = |field: &str, error: RuleError| problems.push((field.to_owned(), error));
        self.name = self.name.trim().to_owned();
        if !id_ok(&self.name, 64) {
            problem("name", RuleError::Name);
        }
        if self.description.chars().count() > 512 {
            problem("description", RuleError::Description);
        }
        match self.event_pattern.as_deref().map(str::trim) {
            Some(pattern) if !pattern.is_empty() => match check_event_pattern(pattern) {
                Ok(canonical) => {
                    self.event_pattern = Some(canonical);
                    // A rule on a pattern has no schedule (EventBridge takes both only on
                    // the default bus, and Belfry keeps the two kinds apart).
                    self.schedule = String::new();
                }
                Err(error) => problem("event_pattern", RuleError::EventPattern(error)),
            },
            Some(_) => problem("event_pattern", RuleError::NoTrigger),
            None => {
                self.event_pattern = None;
                match check_schedule(&self.schedule, now) {
                    Ok(canonical) => self.schedule = canonical,
                    Err(error) => problem("schedule", error),
                }
            }
        }
        if self.targets.len() > MAX_TARGETS {
            problem("targets", RuleError::TooManyTargets);
        }
        for (index, target) in self.targets.iter_mut().enumerate() {
            let field = format!("target-{index}");
            let number = index + 1;
            target.id = target.id.trim().to_owned();
            let (ok, expected) = match &mut target.target {
                TargetRef::Lambda(arn) => {
                    *arn = arn.trim().to_owned();
                    (is_arn_of(arn, "lambda", "function:"), "Lambda function")
                }
                TargetRef::Sqs(arn) => {
                    *arn = arn.trim().to_owned();
                    (is_arn_of(arn, "sqs", ""), "SQS queue")
                }
                TargetRef::Topic(_) => (true, "topic"),
            };
            if !ok {
                problem(
                    &field,
                    RuleError::TargetArn {
                        index: number,
                        expected: expected.to_owned(),
                    },
                );
            }
            if let Some(arn) = &mut target.dead_letter {
                *arn = arn.trim().to_owned();
            }
            if target.dead_letter.as_deref() == Some("") {
                target.dead_letter = None;
            }
            if !target
                .dead_letter
                .as_deref()
                .is_none_or(|arn| is_arn_of(arn, "sqs", ""))
            {
                problem(&field, RuleError::DeadLetter { index: number });
            }
            let retry = &target.retry;
            if retry.max_attempts > 185 || !(60..=86400).contains(&retry.max_age_seconds) {
                problem(&field, RuleError::Retry { index: number });
            }
            match target.input.as_deref().map(str::trim) {
                None | Some("") => target.input = None,
                Some(text) if text.chars().count() > MAX_INPUT_CHARS => problem(
                    &field,
                    RuleError::Input {
                        index: number,
                        detail: format!("more than {MAX_INPUT_CHARS} characters"),
                    },
                ),
                Some(text) => match canonical_json(text) {
                    Ok((_, compact)) => target.input = Some(compact),
                    Err((line, column)) => problem(
                        &field,
                        RuleError::Input {
                            index: number,
                            detail: format!("line {line}, column {column}"),
                        },
                    ),
                },
            }
        }
        for (index, target) in self.targets.iter().enumerate() {
            let repeated = self.targets[..index].iter().any(|t| t.id == target.id);
            if repeated || !id_ok(&target.id, 64) {
                problems.push((
                    format!("target-{index}"),
                    RuleError::TargetId { index: index + 1 },
                ));
            }
        }
        if problems.is_empty() {
            Ok(self)
        } else {
            Err(problems)
        }
    }

    /// The next `count` runs after `now` (rules run in UTC); none for a pattern rule.
    pub fn next_runs(&self, now: DateTime<Utc>, count: usize) -> Vec<DateTime<Utc>> {
        if self.event_pattern.is_some() {
            return Vec::new();
        }
        self.schedule
            .parse::<Schedule>()
            .map(|s| s.next_runs(now, count, Tz::UTC))
            .unwrap_or_default()
    }
}

/// The canonical text of a rule's schedule, or why it cannot be one.
pub fn check_schedule(text: &str, now: DateTime<Utc>) -> Result<String, RuleError> {
    let schedule: Schedule = text
        .trim()
        .parse()
        .map_err(|e| RuleError::Schedule(Box::new(e)))?;
    if matches!(schedule, Schedule::At(_)) {
        return Err(RuleError::AtNotForRules);
    }
    // Rules run in UTC.
    if schedule.next_runs(now, 1, Tz::UTC).is_empty() {
        return Err(RuleError::NeverRuns);
    }
    Ok(schedule.to_string())
}

/// A target in AWS's terms: every reference an ARN.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TargetConfig {
    pub id: String,
    pub arn: String,
    pub max_attempts: u32,
    pub max_age_seconds: u32,
    pub dead_letter: Option<String>,
    #[serde(default)]
    pub input: Option<String>,
}

/// A rule in AWS's terms, targets sorted by id (AWS keeps no order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleConfig {
    pub name: String,
    pub description: String,
    /// Empty for a rule on an event pattern.
    pub schedule: String,
    #[serde(default)]
    pub event_pattern: Option<String>,
    pub enabled: bool,
    pub targets: Vec<TargetConfig>,
}

impl RuleConfig {
    /// Whether PutRule must be sent: the rule's own fields differ (not its targets).
    pub fn rule_differs(&self, observed: &RuleConfig) -> bool {
        self.description != observed.description
            || self.schedule != observed.schedule
            || !same_json(
                self.event_pattern.as_deref(),
                observed.event_pattern.as_deref(),
            )
            || self.enabled != observed.enabled
    }
}

impl TargetConfig {
    /// The same target, reading JSON inputs by value (AWS may space them differently).
    pub fn same_as(&self, other: &TargetConfig) -> bool {
        self.id == other.id
            && self.arn == other.arn
            && self.max_attempts == other.max_attempts
            && self.max_age_seconds == other.max_age_seconds
            && self.dead_letter == other.dead_letter
            && same_json(self.input.as_deref(), other.input.as_deref())
    }
}

fn parsed(text: Option<&str>) -> Option<Result<Value, &str>> {
    text.map(|t| serde_json::from_str::<Value>(t).map_err(|_| t))
}

fn same_json(a: Option<&str>, b: Option<&str>) -> bool {
    match (parsed(a), parsed(b)) {
        (Some(Ok(a)), Some(Ok(b))) => a == b,
        (None, None) => true,
        (Some(Err(a)), Some(Err(b))) => a == b,
        _ => false,
    }
}

impl RuleSpec {
    /// The rule in AWS's terms; None while a topic it targets has no ARN yet.
    pub fn resolve(&self, topic_arn: impl Fn(Uuid) -> Option<String>) -> Option<RuleConfig> {
        let mut targets = self
            .targets
            .iter()
            .map(|t| {
                let arn = match &t.target {
                    TargetRef::Lambda(arn) | TargetRef::Sqs(arn) => arn.clone(),
                    TargetRef::Topic(id) => topic_arn(*id)?,
                };
                Some(TargetConfig {
                    id: t.id.clone(),
                    arn,
                    max_attempts: t.retry.max_attempts,
                    max_age_seconds: t.retry.max_age_seconds,
                    dead_letter: t.dead_letter.clone(),
                    input: t.input.clone(),
                })
            })
            .collect::<Option<Vec<_>>>()?;
        targets.sort();
        Some(RuleConfig {
            name: self.name.clone(),
            description: self.description.clone(),
            schedule: self.schedule.clone(),
            event_pattern: self.event_pattern.clone(),
            enabled: self.enabled,
            targets,
        })
    }
}

/// How `observed` differs from `desired`: the rule's own fields (PutRule sends them all
/// together), then each target added, removed or changed, including targets added outside
/// Belfry.
pub fn diff_rule(desired: &RuleConfig, observed: &RuleConfig) -> Vec<super::alarm::FieldChange> {
    use super::alarm::FieldChange;
    let mut changes = Vec::new();
    let mut field =
        |name: String, from: String, to: String| FieldChange::note(&mut changes, name, from, to);
    field(
        "description".into(),
        observed.description.clone(),
        desired.description.clone(),
    );
    field(
        "schedule".into(),
        observed.schedule.clone(),
        desired.schedule.clone(),
    );
    if !same_json(
        desired.event_pattern.as_deref(),
        observed.event_pattern.as_deref(),
    ) {
        field(
            "event pattern".into(),
            observed.event_pattern.clone().unwrap_or_default(),
            desired.event_pattern.clone().unwrap_or_default(),
        );
    }
    let state = |on: bool| if on { "ENABLED" } else { "DISABLED" }.to_owned();
    field(
        "state".into(),
        state(observed.enabled),
        state(desired.enabled),
    );
    let show = |t: &TargetConfig| {
        format!(
            "{} (retry {}×, {}s{}{})",
            t.arn,
            t.max_attempts,
            t.max_age_seconds,
            t.dead_letter
                .as_deref()
                .map(|d| format!(", dead letters to {d}"))
                .unwrap_or_default(),
            t.input
                .as_deref()
                .map(|i| format!(", input {i}"))
                .unwrap_or_default()
        )
    };
    for want in &desired.targets {
        let have = observed.targets.iter().find(|t| t.id == want.id);
        if have.is_some_and(|have| have.same_as(want)) {
            continue;
        }
        field(
            format!("target {}", want.id),
            have.map(show).unwrap_or_else(|| "(none)".into()),
            show(want),
        );
    }
    for have in &observed.targets {
        if !desired.targets.iter().any(|t| t.id == have.id) {
            field(format!("target {}", have.id), show(have), "(none)".into());
        }
    }
    changes
}

/// One target row of the rule form, as typed.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetForm {
    /// Kept from the stored spec; a new row's id is made from what it targets.
    #[serde(default)]
    pub id: String,
    /// `lambda`, `topic` or `sqs`; empty for a row the person removed.
    #[serde(default)]
    pub kind: String,
    /// The Lambda function's or the SQS queue's ARN.
    #[serde(default)]
    pub arn: String,
    /// The team's topic, by id.
    #[serde(default)]
    pub topic: String,
    #[serde(default)]
    pub input: String,
    #[serde(default)]
    pub max_attempts: String,
    #[serde(default)]
    pub max_age_seconds: String,
    #[serde(default)]
    pub dead_letter: String,
}

/// The rule form as the browser sends it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// `schedule` (the default) or `pattern`.
    #[serde(default)]
    pub trigger: String,
    #[serde(default)]
    pub schedule: String,
    #[serde(default)]
    pub event_pattern: String,
    /// `true` (the default) or `false`.
    #[serde(default)]
    pub enabled: String,
    /// The IANA zone the schedule is written in; empty or `UTC` for UTC.
    #[serde(default)]
    pub zone: String,
    #[serde(default)]
    pub targets: Vec<TargetForm>,
}

/// A target id made from what the target names: `count` for a function `count`.
fn id_from(text: &str) -> String {
    let last = text
        .rsplit([':', '/'])
        .next()
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '-'
            }
        })
        .take(60)
        .collect::<String>();
    if last.is_empty() {
        "target".to_owned()
    } else {
        last
    }
}

impl RuleForm {
    /// The spec, or every field's problem. `topics` are the team's topics (id, name).
    pub fn parse(
        &self,
        topics: &[(Uuid, String)],
        now: DateTime<Utc>,
    ) -> Result<RuleSpec, Vec<(String, RuleError)>> {
        let mut problems = Vec::new();
        let mut targets: Vec<TargetSpec> = Vec::new();
        // Rows keep the numbers the form shows them under, removed rows (no kind) between
        // them included: `slots[n]` is the row of the spec's n-th target.
        let rows: Vec<(usize, &TargetForm)> = self
            .targets
            .iter()
            .enumerate()
            .filter(|(_, t)| !t.kind.trim().is_empty())
            .collect();
        let slots: Vec<usize> = rows.iter().map(|(slot, _)| *slot).collect();
        for &(index, row) in &rows {
            let number = index + 1;
            let field = format!("target-{index}");
            let (target, named) = match row.kind.trim() {
                "topic" => match Uuid::parse_str(row.topic.trim())
                    .ok()
                    .and_then(|id| topics.iter().find(|(t, _)| *t == id))
                {
                    Some((id, name)) => (TargetRef::Topic(*id), name.clone()),
                    None => {
                        // Kept in place, so that later rows keep their numbers.
                        problems.push((field.clone(), RuleError::TargetTopic { index: number }));
                        (TargetRef::Topic(Uuid::nil()), "topic".to_owned())
                    }
                },
                "sqs" => (TargetRef::Sqs(row.arn.trim().to_owned()), row.arn.clone()),
                _ => (
                    TargetRef::Lambda(row.arn.trim().to_owned()),
                    row.arn.clone(),
                ),
            };
            let default = RetryPolicy::default();
            let mut retry_ok = true;
            let mut number_or = |text: &str, fallback: u32| match text.trim() {
                "" => fallback,
                text => text.parse().unwrap_or_else(|_| {
                    retry_ok = false;
                    fallback
                }),
            };
            let retry = RetryPolicy {
                max_attempts: number_or(&row.max_attempts, default.max_attempts),
                max_age_seconds: number_or(&row.max_age_seconds, default.max_age_seconds),
            };
            if !retry_ok {
                problems.push((field.clone(), RuleError::Retry { index: number }));
            }
            let mut id = row.id.trim().to_owned();
            if id.is_empty() {
                let base = id_from(named.trim());
                id = base.clone();
                let mut n = 2;
                while targets.iter().any(|t| t.id == id)
                    || rows.iter().any(|(_, r)| r.id.trim() == id)
                {
                    id = format!("{base}-{n}");
                    n += 1;
                }
            }
            targets.push(TargetSpec {
                id,
                target,
                retry,
                dead_letter: Some(row.dead_letter.trim().to_owned()).filter(|d| !d.is_empty()),
                input: Some(row.input.trim().to_owned()).filter(|i| !i.is_empty()),
            });
        }
        let pattern = self.trigger.trim() == "pattern";
        // A schedule written in a zone becomes its UTC twin, or the reason there is none.
        let mut schedule = self.schedule.trim().to_owned();
        let mut written_in = None;
        match self.zone.trim() {
            _ if pattern => {}
            "" | "UTC" | "Etc/UTC" => {}
            zone => match zone.parse::<Tz>() {
                Err(_) => problems.push(("zone".to_owned(), RuleError::UnknownZone)),
                // A schedule that does not parse gets its own error from the check below.
                Ok(tz) => {
                    if let Ok(local) = schedule.parse::<Schedule>() {
                        match to_utc(&local, tz, now) {
                            Ok(utc) => {
                                written_in = Some(WrittenIn {
                                    zone: tz.name().to_owned(),
                                    schedule: local.to_string(),
                                });
                                schedule = utc.to_string();
                            }
                            Err(error) => {
                                problems.push(("schedule".to_owned(), RuleError::Zone(error)));
                            }
                        }
                    }
                }
            },
        }
        let spec = RuleSpec {
            name: self.name.trim().to_owned(),
            description: self.description.trim().to_owned(),
            written_in,
            schedule: if pattern { String::new() } else { schedule },
            event_pattern: if pattern {
                Some(self.event_pattern.trim().to_owned())
            } else {
                None
            },
            enabled: self.enabled.trim() != "false",
            targets,
        };
        match spec.check(now) {
            Ok(spec) if problems.is_empty() => Ok(spec),
            Ok(_) => Err(problems),
            Err(more) => {
                for (field, error) in more {
                    let (field, error) = match field
                        .strip_prefix("target-")
                        .and_then(|n| n.parse::<usize>().ok())
                        .and_then(|n| slots.get(n))
                    {
                        Some(&slot) => (format!("target-{slot}"), error.renumbered(slot + 1)),
                        None => (field, error),
                    };
                    if !problems.iter().any(|(f, _)| *f == field) {
                        problems.push((field, error));
                    }
                }
                Err(problems)
            }
        }
    }

    /// The form filled in from a spec, to edit it.
    pub fn from_spec(spec: &RuleSpec) -> Self {
        RuleForm {
            name: spec.name.clone(),
            description: spec.description.clone(),
            trigger: if spec.event_pattern.is_some() {
                "pattern"
            } else {
                "schedule"
            }
            .to_owned(),
            schedule: spec
                .written_in
                .as_ref()
                .map_or_else(|| spec.schedule.clone(), |w| w.schedule.clone()),
            zone: spec
                .written_in
                .as_ref()
                .map_or_else(|| "UTC".to_owned(), |w| w.zone.clone()),
            event_pattern: spec
                .event_pattern
                .as_deref()
                .and_then(|p| serde_json::from_str::<Value>(p).ok())
                .and_then(|v| serde_json::to_string_pretty(&v).ok())
                .unwrap_or_default(),
            enabled: spec.enabled.to_string(),
            targets: spec
                .targets
                .iter()
                .map(|t| {
                    let (arn, topic) = match &t.target {
                        TargetRef::Lambda(arn) | TargetRef::Sqs(arn) => {
                            (arn.clone(), String::new())
                        }
                        TargetRef::Topic(id) => (String::new(), id.to_string()),
                    };
                    TargetForm {
                        id: t.id.clone(),
                        kind: t.target.kind().to_owned(),
                        arn,
                        topic,
                        input: t.input.clone().unwrap_or_default(),
                        max_attempts: t.retry.max_attempts.to_string(),
                        max_age_seconds: t.retry.max_age_seconds.to_string(),
                        dead_letter: t.dead_letter.clone().unwrap_or_default(),
                    }
                })
                .collect(),
        }
    }
}

/// Ready-made rules to start from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleTemplate {
    /// Every day at 10:00 UTC, invoke a Lambda function.
    DailyLambda,
    /// Every 5 minutes on weekdays, 09:00 to 17:55 UTC.
    BusinessHours,
}

impl RuleTemplate {
    pub const ALL: [RuleTemplate; 2] = [RuleTemplate::DailyLambda, RuleTemplate::BusinessHours];

    pub fn key(self) -> &'static str {
        match self {
            RuleTemplate::DailyLambda => "daily-lambda",
            RuleTemplate::BusinessHours => "business-hours",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.key() == key)
    }

    pub fn form(self) -> RuleForm {
        let (name, description, schedule, kind) = match self {
            RuleTemplate::DailyLambda => (
                "daily-at-10-utc",
                "Every day at 10:00 UTC, invoke a Lambda function",
                "cron(0 10 * * ? *)",
                "lambda",
            ),
            RuleTemplate::BusinessHours => (
                "every-5-minutes-business-hours",
                "Every 5 minutes on weekdays, 09:00-17:55 UTC",
                "cron(0/5 9-17 ? * MON-FRI *)",
                "topic",
            ),
        };
        RuleForm {
            name: name.to_owned(),
            description: description.to_owned(),
            trigger: "schedule".to_owned(),
            schedule: schedule.to_owned(),
            event_pattern: String::new(),
            enabled: "true".to_owned(),
            zone: "UTC".to_owned(),
            targets: vec![TargetForm {
                kind: kind.to_owned(),
                ..TargetForm::default()
            }],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_795_000_000, 0).unwrap() // 2026-11-18 11:06 UTC
    }

    const COUNT: &str = "arn:aws:lambda:ap-northeast-2:123456789012:function:count";

    fn target(id: &str, target: TargetRef) -> TargetSpec {
        TargetSpec {
            id: id.to_owned(),
            target,
            retry: RetryPolicy::default(),
            dead_letter: None,
            input: None,
        }
    }

    fn rule(schedule: &str) -> RuleSpec {
        RuleSpec {
            name: "morning-count".to_owned(),
            description: String::new(),
            schedule: schedule.to_owned(),
            event_pattern: None,
            enabled: true,
            targets: vec![target("count", TargetRef::Lambda(COUNT.to_owned()))],
            written_in: None,
        }
    }

    #[test]
    fn the_labs_morning_rule_is_valid_and_canonical() {
        let spec = rule("  cron(0 10 * * ? *) ").validate(now()).unwrap();
        assert_eq!(spec.schedule, "cron(0 10 * * ? *)");
        assert!(rule("rate(5 minutes)").validate(now()).is_ok());
        let runs = spec.next_runs(now(), 3);
        assert_eq!(
            runs.iter().map(|r| r.to_rfc3339()).collect::<Vec<_>>(),
            [
                "2026-11-19T10:00:00+00:00",
                "2026-11-20T10:00:00+00:00",
                "2026-11-21T10:00:00+00:00"
            ]
        );
    }

    #[test]
    fn bad_schedules_are_refused_before_any_aws_call() {
        assert!(matches!(
            rule("cron(garbage)").validate(now()),
            Err(RuleError::Schedule(_))
        ));
        assert_eq!(
            rule("at(2027-01-01T09:00:00)").validate(now()),
            Err(RuleError::AtNotForRules)
        );
        // 30 February: accepted by AWS, never fires.
        assert_eq!(
            rule("cron(0 0 30 2 ? *)").validate(now()),
            Err(RuleError::NeverRuns)
        );
        // A year already past.
        assert_eq!(
            rule("cron(0 0 1 1 ? 2020)").validate(now()),
            Err(RuleError::NeverRuns)
        );
    }

    #[test]
    fn a_target_added_outside_belfry_is_a_difference() {
        let desired = rule("rate(1 hour)").resolve(|_| None).unwrap();
        let mut observed = desired.clone();
        assert!(diff_rule(&desired, &observed).is_empty());
        observed.targets.push(TargetConfig {
            id: "intruder".into(),
            arn: "arn:aws:sqs:ap-northeast-2:123456789012:q".into(),
            max_attempts: 185,
            max_age_seconds: 86400,
            dead_letter: None,
            input: None,
        });
        observed.enabled = false;
        let changes: Vec<String> = diff_rule(&desired, &observed)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            changes,
            [
                "state: DISABLED → ENABLED",
                "target intruder: arn:aws:sqs:ap-northeast-2:123456789012:q (retry 185×, 86400s) → (none)"
            ]
        );
    }

    #[test]
    fn targets_are_checked_and_numbered_from_one() {
        let mut spec = rule("rate(1 hour)");
        spec.targets[0].target = TargetRef::Sqs("arn:aws:sns:ap-northeast-2:123456789012:q".into());
        assert!(matches!(
            spec.clone().validate(now()),
            Err(RuleError::TargetArn { index: 1, .. })
        ));
        let mut spec = rule("rate(1 hour)");
        spec.targets.push(spec.targets[0].clone());
        assert_eq!(spec.validate(now()), Err(RuleError::TargetId { index: 2 }));
        let mut spec = rule("rate(1 hour)");
        spec.targets[0].retry.max_age_seconds = 30;
        assert_eq!(spec.validate(now()), Err(RuleError::Retry { index: 1 }));
        let mut spec = rule("rate(1 hour)");
        spec.targets[0].dead_letter = Some(COUNT.to_owned());
        assert_eq!(
            spec.validate(now()),
            Err(RuleError::DeadLetter { index: 1 })
        );
        let mut spec = rule("rate(1 hour)");
        spec.targets = (0..6)
            .map(|i| target(&format!("t{i}"), TargetRef::Topic(Uuid::from_u128(i))))
            .collect();
        assert_eq!(spec.validate(now()), Err(RuleError::TooManyTargets));
    }

    #[test]
    fn every_problem_comes_back_with_its_field() {
        let mut spec = rule("cron(0 10 * * *)");
        spec.name = "no spaces allowed".into();
        spec.targets[0].input = Some("{\"count\": }".into());
        let problems = spec.check(now()).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["name", "schedule", "target-0"]);
        assert_eq!(
            problems[2].1,
            RuleError::Input {
                index: 1,
                detail: "line 1, column 11".into()
            }
        );
    }

    #[test]
    fn constant_input_is_stored_as_compact_json_and_compared_by_value() {
        let mut spec = rule("rate(1 hour)");
        spec.targets[0].input = Some("{ \"count\" : 1,\n  \"from\": \"belfry\" }".into());
        let spec = spec.validate(now()).unwrap();
        let input = spec.targets[0].input.clone().unwrap();
        let (value, _) = canonical_json(&input).unwrap();
        assert_eq!(value, serde_json::json!({"count": 1, "from": "belfry"}));
        assert!(!input.contains(' '), "{input}");
        let desired = spec.resolve(|_| None).unwrap();
        let mut observed = desired.clone();
        observed.targets[0].input = Some("{\"from\":\"belfry\", \"count\":1}".into());
        assert!(diff_rule(&desired, &observed).is_empty());
        observed.targets[0].input = Some("{\"count\":2}".into());
        assert_eq!(diff_rule(&desired, &observed)[0].field, "target count");
    }

    #[test]
    fn event_patterns_are_json_objects_of_lists() {
        // Compact, keys in order: the same pattern always has the same text.
        assert_eq!(
            check_event_pattern(r#"{"source": ["aws.ec2"], "detail": {"state": ["stopped"]}}"#),
            Ok(r#"{"detail":{"state":["stopped"]},"source":["aws.ec2"]}"#.to_owned())
        );
        assert_eq!(
            check_event_pattern(r#"{"source": "aws.ec2"}"#),
            Err(PatternError::NotList {
                path: "source".into()
            })
        );
        assert_eq!(
            check_event_pattern(r#"{"detail": {"state": []}}"#),
            Err(PatternError::EmptyList {
                path: "detail.state".into()
            })
        );
        assert_eq!(check_event_pattern("{}"), Err(PatternError::Empty));
        assert_eq!(check_event_pattern("[1]"), Err(PatternError::NotObject));
        assert_eq!(
            check_event_pattern("{\n  \"source\": [\"aws.ec2\"\n}"),
            Err(PatternError::NotJson { line: 3, column: 1 })
        );
        let mut spec = rule("");
        spec.event_pattern = Some(r#"{"source": ["aws.ec2"]}"#.into());
        let spec = spec.validate(now()).unwrap();
        assert_eq!(spec.schedule, "");
        assert!(spec.next_runs(now(), 3).is_empty());
        let desired = spec.resolve(|_| None).unwrap();
        let mut observed = desired.clone();
        observed.event_pattern = Some("{ \"source\": [ \"aws.ec2\" ] }".into());
        assert!(
            !desired.rule_differs(&observed),
            "same pattern, other spacing"
        );
        observed.event_pattern = Some(r#"{"source":["aws.s3"]}"#.into());
        assert!(desired.rule_differs(&observed));
    }

    fn lambda_row(arn: &str) -> TargetForm {
        TargetForm {
            kind: "lambda".into(),
            arn: arn.into(),
            ..TargetForm::default()
        }
    }

    #[test]
    fn the_form_makes_target_ids_from_what_they_name_and_keeps_existing_ones() {
        let topic = Uuid::from_u128(7);
        let mut form = RuleTemplate::DailyLambda.form();
        form.targets = vec![
            lambda_row(COUNT),
            lambda_row(COUNT.replace("count", "count-2").as_str()),
            lambda_row(COUNT),
            TargetForm {
                kind: "topic".into(),
                topic: topic.to_string(),
                ..TargetForm::default()
            },
            TargetForm::default(), // a removed row
        ];
        // Two rows naming the same function: the second gets another id.
        form.targets[2].max_attempts = "3".into();
        let spec = form.parse(&[(topic, "ops".into())], now()).unwrap();
        let ids: Vec<&str> = spec.targets.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["count", "count-2", "count-3", "ops"]);
        assert_eq!(spec.targets[2].retry.max_attempts, 3);
        assert_eq!(spec.schedule, "cron(0 10 * * ? *)");
        // And back: the form of the spec parses to the same spec.
        let again = RuleForm::from_spec(&spec)
            .parse(&[(topic, "ops".into())], now())
            .unwrap();
        assert_eq!(again, spec);
    }

    #[test]
    fn a_schedule_written_in_seoul_is_saved_as_its_utc_twin_and_edited_as_written() {
        let mut form = RuleTemplate::DailyLambda.form();
        form.targets = vec![lambda_row(COUNT)];
        form.zone = "Asia/Seoul".into();
        form.schedule = "cron(0 9 ? * MON-FRI *)".into();
        let spec = form.parse(&[], now()).unwrap();
        assert_eq!(spec.schedule, "cron(0 0 ? * MON-FRI *)");
        assert_eq!(
            spec.written_in,
            Some(WrittenIn {
                zone: "Asia/Seoul".into(),
                schedule: "cron(0 9 ? * MON-FRI *)".into()
            })
        );
        let again = RuleForm::from_spec(&spec);
        assert_eq!(
            (again.zone.as_str(), again.schedule.as_str()),
            ("Asia/Seoul", "cron(0 9 ? * MON-FRI *)")
        );
        assert_eq!(again.parse(&[], now()).unwrap(), spec);
        // A zone with daylight saving has no UTC twin: the schedule field says why.
        form.zone = "America/New_York".into();
        let problems = form.parse(&[], now()).unwrap_err();
        assert_eq!(problems[0].0, "schedule");
        assert!(matches!(
            problems[0].1,
            RuleError::Zone(ZoneError::OffsetChanges { .. })
        ));
        form.zone = "Mars/Olympus".into();
        assert_eq!(
            form.parse(&[], now()).unwrap_err()[0],
            ("zone".into(), RuleError::UnknownZone)
        );
    }

    #[test]
    fn the_form_names_each_bad_field() {
        let mut form = RuleTemplate::BusinessHours.form();
        form.targets[0].topic = Uuid::from_u128(9).to_string(); // not the team's
        form.targets
            .push(lambda_row("arn:aws:lambda:ap-northeast-2:1:function:x"));
        form.targets[1].max_age_seconds = "soon".into();
        form.trigger = "pattern".into();
        let problems = form.parse(&[], now()).unwrap_err();
        let fields: Vec<(&str, &RuleError)> =
            problems.iter().map(|(f, e)| (f.as_str(), e)).collect();
        assert_eq!(
            fields,
            [
                ("target-0", &RuleError::TargetTopic { index: 1 }),
                ("target-1", &RuleError::Retry { index: 2 }),
                ("event_pattern", &RuleError::NoTrigger),
            ]
        );
        // A removed row keeps the numbers of the rows after it.
        let mut form = RuleTemplate::DailyLambda.form();
        form.targets = vec![
            TargetForm::default(),
            lambda_row(COUNT),
            lambda_row("arn:aws:sqs:ap-northeast-2:123456789012:q"),
        ];
        let problems = form.parse(&[], now()).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].0, "target-2");
        assert!(matches!(
            problems[0].1,
            RuleError::TargetArn { index: 3, .. }
        ));
        assert_eq!(
            RuleTemplate::from_key("business-hours"),
            Some(RuleTemplate::BusinessHours)
        );
        assert_eq!(
            RuleTemplate::BusinessHours
                .form()
                .parse(&[], now())
                .unwrap_err()[0]
                .1,
            RuleError::TargetTopic { index: 1 },
            "the template asks for a topic"
        );
    }

    #[test]
    fn a_pattern_with_a_long_number_reads_back_as_itself() {
        // Found by fuzz/form_parse: without exact float parsing, the canonical text of this
        // pattern was another number once read again.
        let first = check_event_pattern(
            r#"{"detail":{"count":[44444444444444444444444444444444444444444444444]}}"#,
        )
        .unwrap();
        assert_eq!(check_event_pattern(&first).unwrap(), first);
    }
}
