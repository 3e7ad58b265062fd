//! An EventBridge Scheduler schedule: the second kind of schedule, for what a rule cannot do.
//! It runs in a time zone of its own (daylight saving included), takes `at()` for one run,
//! start and end dates and a flexible window, and sends to one target through an IAM role.
//!
//! The expression goes through the cron engine in the schedule's zone before anything
//! reaches AWS, as a rule's does.
use super::alarm::FieldChange;
use super::aws::{RoleArn, is_arn_of};
use super::rule::{RetryPolicy, canonical_json};
use crate::cron::{Schedule, Tz, stamp};
use chrono::{DateTime, NaiveDateTime, Timelike, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum ScheduleError {
    #[error("A schedule name has 1 to 64 letters, digits, dots, hyphens or underscores.")]
    Name,
    #[error("A group name has 1 to 64 letters, digits, dots, hyphens or underscores.")]
    Group,
    #[error("The description may have at most 512 characters.")]
    Description,
    #[error("{0}")]
    Expression(Box<crate::cron::CronError>),
    #[error("This schedule never runs again (after its start, before its end).")]
    NeverRuns,
    #[error("Pick a time zone from the list.")]
    Zone,
    #[error("A date looks like 2027-01-31T09:00 (UTC).")]
    Date,
    #[error("The end must come after the start.")]
    EndBeforeStart,
    #[error("The start must not be in the past.")]
    StartPast,
    #[error("A one-time at() schedule takes no start or end.")]
    DatesWithAt,
    #[error("The flexible window is off (0) or 1 to 1440 minutes.")]
    Window,
    #[error("The target is a Lambda function, SNS topic or SQS queue ARN.")]
    Target,
    #[error(
        "The role is an IAM role ARN such as arn:aws:iam::123456789012:role/scheduler, which Scheduler assumes to reach the target."
    )]
    Role,
    #[error("The constant input is not JSON ({0}).")]
    Input(String),
    #[error("Retry at most 185 times, for 60 to 86400 seconds.")]
    Retry,
    #[error("The dead-letter queue must be an SQS queue ARN.")]
    DeadLetter,
}

/// A schedule as the team declares it, and as Belfry applies it: every reference is an ARN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleSpec {
    pub name: String,
    /// The schedule group; `default` unless the team uses its own.
    pub group: String,
    #[serde(default)]
    pub description: String,
    /// `cron(…)`, `rate(…)` or `at(…)`, canonical, read in `timezone`.
    pub expression: String,
    /// An IANA zone name.
    pub timezone: String,
    #[serde(default)]
    pub start: Option<DateTime<Utc>>,
    #[serde(default)]
    pub end: Option<DateTime<Utc>>,
    /// Minutes of flexible window; None when off.
    #[serde(default)]
    pub flexible_minutes: Option<u32>,
    pub enabled: bool,
    pub target_arn: String,
    pub role_arn: String,
    #[serde(default)]
    pub input: Option<String>,
    #[serde(default)]
    pub retry: RetryPolicy,
    #[serde(default)]
    pub dead_letter: Option<String>,
}

/// Every target Scheduler can reach that Belfry offers.
pub fn is_target(arn: &str) -> bool {
    is_arn_of(arn, "lambda", "function:") || is_arn_of(arn, "sns", "") || is_arn_of(arn, "sqs", "")
}

fn name_ok(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

impl ScheduleSpec {
    /// `group/name`: how Scheduler names a schedule, and Belfry's resource name and AWS id.
    pub fn id(&self) -> String {
        format!("{}/{}", self.group, self.name)
    }

    /// The spec in canonical form, or every problem with its form field.
    pub fn check(mut self, now: DateTime<Utc>) -> Result<Self, Vec<(&'static str, ScheduleError)>> {
        let mut problems = Vec::new();
        self.name = self.name.trim().to_owned();
        self.group = match self.group.trim() {
            "" => "default".to_owned(),
            group => group.to_owned(),
        };
        if !name_ok(&self.name) {
            problems.push(("name", ScheduleError::Name));
        }
        if !name_ok(&self.group) {
            problems.push(("group", ScheduleError::Group));
        }
        if self.description.chars().count() > 512 {
            problems.push(("description", ScheduleError::Description));
        }
        let tz = self.timezone.trim().parse::<Tz>().ok();
        match tz {
            Some(tz) => self.timezone = tz.name().to_owned(),
            None => problems.push(("timezone", ScheduleError::Zone)),
        }
        if let (Some(start), Some(end)) = (self.start, self.end)
            && end <= start
        {
            problems.push(("end", ScheduleError::EndBeforeStart));
        }
        match self.expression.trim().parse::<Schedule>() {
            Err(error) => problems.push(("expression", ScheduleError::Expression(Box::new(error)))),
            Ok(schedule) => {
                self.expression = schedule.to_string();
                if matches!(schedule, Schedule::At(_))
                    && (self.start.is_some() || self.end.is_some())
                {
                    problems.push(("start", ScheduleError::DatesWithAt));
                }
                if let Some(tz) = tz {
                    // Dates bound a recurring schedule only (AWS ignores them for at()).
                    let at = matches!(schedule, Schedule::At(_));
                    let (start, end) = if at {
                        (None, None)
                    } else {
                        (self.start, self.end)
                    };
                    let from = start.map_or(now, |start| start.max(now));
                    let next = schedule.next_runs(from, 1, tz);
                    let runs = next
                        .first()
                        .is_some_and(|run| end.is_none_or(|end| *run < end));
                    // A rate() runs from its start whatever the clock: only its end can stop it.
                    let runs = runs
                        || matches!(schedule, Schedule::Rate(_))
                            && self.end.is_none_or(|end| end > now);
                    if !runs {
                        problems.push(("expression", ScheduleError::NeverRuns));
                    }
                }
            }
        }
        if self
            .flexible_minutes
            .is_some_and(|m| !(1..=1440).contains(&m))
        {
            problems.push(("flexible_minutes", ScheduleError::Window));
        }
        self.target_arn = self.target_arn.trim().to_owned();
        if !is_target(&self.target_arn) {
            problems.push(("target_arn", ScheduleError::Target));
        }
        match RoleArn::parse(&self.role_arn) {
            Ok(role) => self.role_arn = role.as_str().to_owned(),
            Err(_) => problems.push(("role_arn", ScheduleError::Role)),
        }
        match self.input.as_deref().map(str::trim) {
            None | Some("") => self.input = None,
            Some(text) => match canonical_json(text) {
                Ok((_, compact)) => self.input = Some(compact),
                Err((line, column)) => problems.push((
                    "input",
                    ScheduleError::Input(format!("line {line}, column {column}")),
                )),
            },
        }
        if self.retry.max_attempts > 185 || !(60..=86400).contains(&self.retry.max_age_seconds) {
            problems.push(("retry", ScheduleError::Retry));
        }
        self.dead_letter = self
            .dead_letter
            .map(|d| d.trim().to_owned())
            .filter(|d| !d.is_empty());
        if !self
            .dead_letter
            .as_deref()
            .is_none_or(|arn| is_arn_of(arn, "sqs", ""))
        {
            problems.push(("dead_letter", ScheduleError::DeadLetter));
        }
        if problems.is_empty() {
            Ok(self)
        } else {
            Err(problems)
        }
    }

    /// The next `count` runs after `now`, within the start and end dates.
    pub fn next_runs(&self, now: DateTime<Utc>, count: usize) -> Vec<DateTime<Utc>> {
        let (Ok(schedule), Ok(tz)) = (
            self.expression.parse::<Schedule>(),
            self.timezone.parse::<Tz>(),
        ) else {
            return Vec::new();
        };
        if matches!(schedule, Schedule::At(_)) {
            return schedule.next_runs(now, count, tz);
        }
        // A run exactly at the start counts: look from just before it.
        let from = self.start.map_or(now, |start| {
            (start - chrono::TimeDelta::seconds(1)).max(now)
        });
        let runs = match (&schedule, self.start) {
            // A rate() counts from its start date when it has one.
            (Schedule::Rate(rate), Some(start)) => rate.runs_after(start, now, count),
            _ => schedule.next_runs(from, count, tz),
        };
        runs.into_iter()
            .filter(|run| self.end.is_none_or(|end| *run < end))
            .collect()
    }

    /// The spec as it is sent and compared at `now`: a start already passed is left out
    /// (AWS refuses a start more than minutes old, and it no longer changes anything).
    pub fn as_sent(&self, now: DateTime<Utc>) -> ScheduleSpec {
        let mut sent = self.clone();
        if sent.start.is_some_and(|start| start <= now) {
            sent.start = None;
        }
        sent
    }

    /// What differs between this spec and `observed` (from AWS), as `from → to` where `from`
    /// is AWS's value.
    pub fn diff(&self, observed: &ScheduleSpec) -> Vec<FieldChange> {
        let mut changes = Vec::new();
        let mut field =
            |name: &str, from: String, to: String| FieldChange::note(&mut changes, name, from, to);
        let date = |d: &Option<DateTime<Utc>>| {
            d.map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                .unwrap_or_else(|| "(none)".into())
        };
        let opt = |o: &Option<String>| o.clone().unwrap_or_else(|| "(none)".into());
        field(
            "description",
            observed.description.clone(),
            self.description.clone(),
        );
        field(
            "expression",
            observed.expression.clone(),
            self.expression.clone(),
        );
        field(
            "time zone",
            observed.timezone.clone(),
            self.timezone.clone(),
        );
        field("start", date(&observed.start), date(&self.start));
        field("end", date(&observed.end), date(&self.end));
        field(
            "flexible window",
            observed
                .flexible_minutes
                .map_or("off".into(), |m| format!("{m} min")),
            self.flexible_minutes
                .map_or("off".into(), |m| format!("{m} min")),
        );
        let state = |on: bool| if on { "ENABLED" } else { "DISABLED" }.to_owned();
        field("state", state(observed.enabled), state(self.enabled));
        field(
            "target",
            observed.target_arn.clone(),
            self.target_arn.clone(),
        );
        field("role", observed.role_arn.clone(), self.role_arn.clone());
        let same_input = match (&observed.input, &self.input) {
            (Some(a), Some(b)) => {
                canonical_json(a).ok().map(|v| v.0) == canonical_json(b).ok().map(|v| v.0)
            }
            (a, b) => a == b,
        };
        if !same_input {
            field("input", opt(&observed.input), opt(&self.input));
        }
        field(
            "retry",
            format!(
                "{}×, {}s",
                observed.retry.max_attempts, observed.retry.max_age_seconds
            ),
            format!(
                "{}×, {}s",
                self.retry.max_attempts, self.retry.max_age_seconds
            ),
        );
        field(
            "dead letters",
            opt(&observed.dead_letter),
            opt(&self.dead_letter),
        );
        changes
    }
}

/// The schedule form as the browser sends it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub expression: String,
    #[serde(default)]
    pub timezone: String,
    /// `YYYY-MM-DDTHH:MM` in UTC, or empty.
    #[serde(default)]
    pub start: String,
    #[serde(default)]
    pub end: String,
    /// Minutes; empty or 0 for off.
    #[serde(default)]
    pub flexible_minutes: String,
    /// `true` (the default) or `false`.
    #[serde(default)]
    pub enabled: String,
    #[serde(default)]
    pub target_arn: String,
    #[serde(default)]
    pub role_arn: String,
    #[serde(default)]
    pub input: String,
    #[serde(default)]
    pub max_attempts: String,
    #[serde(default)]
    pub max_age_seconds: String,
    #[serde(default)]
    pub dead_letter: String,
}

/// `2027-01-31T09:00`, `2027-01-31T09:00:00` or RFC 3339.
fn parse_date(text: &str) -> Option<Option<DateTime<Utc>>> {
    let text = text.trim();
    if text.is_empty() {
        return Some(None);
    }
    if let Ok(date) = DateTime::parse_from_rfc3339(text) {
        // Whole seconds, as Scheduler keeps them: a fraction would not survive the form
        // made back from the spec (found by fuzz/form_parse).
        let date = date.with_timezone(&Utc);
        return Some(Some(date.with_nanosecond(0).unwrap_or(date)));
    }
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .map(|naive| Some(naive.and_utc()))
}

impl ScheduleForm {
    pub fn parse(
        &self,
        now: DateTime<Utc>,
    ) -> Result<ScheduleSpec, Vec<(&'static str, ScheduleError)>> {
        let mut problems = Vec::new();
        let mut date = |field: &'static str, text: &str| {
            parse_date(text).unwrap_or_else(|| {
                problems.push((field, ScheduleError::Date));
                None
            })
        };
        let start = date("start", &self.start);
        let end = date("end", &self.end);
        // A few minutes' grace, as AWS gives: the time it takes to fill in the form.
        if start.is_some_and(|start| start < now - chrono::TimeDelta::minutes(5)) {
            problems.push(("start", ScheduleError::StartPast));
        }
        let flexible_minutes = match self.flexible_minutes.trim() {
            "" | "0" => None,
            text => match text.parse::<u32>() {
                Ok(m) => Some(m),
                Err(_) => {
                    problems.push(("flexible_minutes", ScheduleError::Window));
                    None
                }
            },
        };
        let default = RetryPolicy::default();
        let mut retry_ok = true;
        let mut number = |text: &str, fallback: u32| match text.trim() {
            "" => fallback,
            text => text.parse().unwrap_or_else(|_| {
                retry_ok = false;
                fallback
            }),
        };
        let retry = RetryPolicy {
            max_attempts: number(&self.max_attempts, default.max_attempts),
            max_age_seconds: number(&self.max_age_seconds, default.max_age_seconds),
        };
        if !retry_ok {
            problems.push(("retry", ScheduleError::Retry));
        }
        let spec = ScheduleSpec {
            name: self.name.clone(),
            group: self.group.clone(),
            description: self.description.trim().to_owned(),
            expression: self.expression.clone(),
            timezone: self.timezone.clone(),
            start,
            end,
            flexible_minutes,
            enabled: self.enabled.trim() != "false",
            target_arn: self.target_arn.clone(),
            role_arn: self.role_arn.clone(),
            input: Some(self.input.clone()),
            retry,
            dead_letter: Some(self.dead_letter.clone()),
        };
        match spec.check(now) {
            Ok(spec) if problems.is_empty() => Ok(spec),
            Ok(_) => Err(problems),
            Err(more) => {
                for (field, error) in more {
                    if !problems.iter().any(|(f, _)| *f == field) {
                        problems.push((field, error));
                    }
                }
                Err(problems)
            }
        }
    }

    pub fn from_spec(spec: &ScheduleSpec) -> Self {
        // Seconds only when there are some (an adopted schedule's), so a save keeps them.
        let date = |d: &Option<DateTime<Utc>>| {
            d.map(|d| stamp::date_time(d.naive_utc(), 'T', d.timestamp() % 60 != 0).to_string())
                .unwrap_or_default()
        };
        ScheduleForm {
            name: spec.name.clone(),
            group: spec.group.clone(),
            description: spec.description.clone(),
            expression: spec.expression.clone(),
            timezone: spec.timezone.clone(),
            start: date(&spec.start),
            end: date(&spec.end),
            flexible_minutes: spec
                .flexible_minutes
                .map(|m| m.to_string())
                .unwrap_or_default(),
            enabled: spec.enabled.to_string(),
            target_arn: spec.target_arn.clone(),
            role_arn: spec.role_arn.clone(),
            input: spec.input.clone().unwrap_or_default(),
            max_attempts: spec.retry.max_attempts.to_string(),
            max_age_seconds: spec.retry.max_age_seconds.to_string(),
            dead_letter: spec.dead_letter.clone().unwrap_or_default(),
        }
    }

    /// A new schedule: New York mornings on weekdays, the case a rule cannot do.
    pub fn example() -> Self {
        ScheduleForm {
            name: "new-york-mornings".into(),
            group: "default".into(),
            expression: "cron(0 9 ? * MON-FRI *)".into(),
            timezone: "America/New_York".into(),
            enabled: "true".into(),
            ..ScheduleForm::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_795_000_000, 0).unwrap() // 2026-11-18 11:06 UTC
    }

    fn form() -> ScheduleForm {
        ScheduleForm {
            target_arn: "arn:aws:lambda:ap-northeast-2:123456789012:function:count".into(),
            role_arn: "arn:aws:iam::123456789012:role/scheduler".into(),
            ..ScheduleForm::example()
        }
    }

    #[test]
    fn a_new_york_schedule_keeps_its_zone_and_runs_at_nine_local_through_daylight_saving() {
        let spec = form().parse(now()).unwrap();
        assert_eq!(spec.timezone, "America/New_York");
        assert_eq!(spec.group, "default");
        // 09:00 EST is 14:00 UTC; after 14 March 2027, 09:00 EDT is 13:00 UTC.
        let runs = spec.next_runs(now(), 100);
        assert!(
            runs.iter()
                .any(|r| r.format("%H:%M").to_string() == "14:00")
        );
        assert!(
            runs.iter()
                .any(|r| r.format("%H:%M").to_string() == "13:00")
        );
        assert_eq!(ScheduleForm::from_spec(&spec).parse(now()).unwrap(), spec);
    }

    #[test]
    fn a_start_with_a_fraction_of_a_second_is_kept_to_the_second_and_the_form_comes_back() {
        let mut with_fraction = form();
        with_fraction.start = "2027-03-01T08:00:30.75Z".into();
        let spec = with_fraction.parse(now()).unwrap();
        assert_eq!(
            spec.start.map(|start| start.to_rfc3339()),
            Some("2027-03-01T08:00:30+00:00".to_owned())
        );
        assert_eq!(ScheduleForm::from_spec(&spec).parse(now()), Ok(spec));
    }

    #[test]
    fn every_bad_field_is_named() {
        let mut bad = form();
        bad.name = "no spaces".into();
        bad.timezone = "Mars/Olympus".into();
        bad.start = "tomorrow".into();
        bad.target_arn = "arn:aws:iam::123456789012:role/x".into();
        bad.role_arn = "scheduler".into();
        bad.input = "{".into();
        bad.flexible_minutes = "2000".into();
        let fields: Vec<&str> = bad
            .parse(now())
            .unwrap_err()
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        assert_eq!(
            fields,
            [
                "start",
                "name",
                "timezone",
                "flexible_minutes",
                "target_arn",
                "role_arn",
                "input"
            ]
        );
    }

    #[test]
    fn a_one_time_run_in_the_past_or_after_the_end_never_runs() {
        let mut once = form();
        once.expression = "at(2020-01-01T09:00:00)".into();
        assert_eq!(
            once.parse(now()).unwrap_err(),
            [("expression", ScheduleError::NeverRuns)]
        );
        once.expression = "at(2027-01-01T09:00:00)".into();
        assert!(once.parse(now()).is_ok());
        // AWS ignores dates on a one-time schedule: Belfry refuses them rather than pretend.
        once.end = "2026-12-01T00:00".into();
        assert_eq!(
            once.parse(now()).unwrap_err(),
            [("start", ScheduleError::DatesWithAt)]
        );
        let mut dated = form();
        dated.start = "2026-12-02T00:00".into();
        dated.end = "2026-12-01T00:00".into();
        assert_eq!(dated.parse(now()).unwrap_err()[0].0, "end");
        dated.start = "2026-11-01T00:00".into();
        dated.end = String::new();
        assert_eq!(
            dated.parse(now()).unwrap_err(),
            [("start", ScheduleError::StartPast)]
        );
        // A rate() from a start runs at the start itself.
        let mut hourly = form();
        hourly.expression = "rate(1 hour)".into();
        hourly.start = "2026-12-02T00:00:30".into();
        let spec = hourly.parse(now()).unwrap();
        assert_eq!(
            spec.next_runs(now(), 2)
                .iter()
                .map(|r| r.to_rfc3339())
                .collect::<Vec<_>>(),
            ["2026-12-02T00:00:30+00:00", "2026-12-02T01:00:30+00:00"]
        );
        assert_eq!(ScheduleForm::from_spec(&spec).start, "2026-12-02T00:00:30");
        assert_eq!(spec.as_sent(now()).start, spec.start);
        let later = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        assert_eq!(
            spec.as_sent(later).start,
            None,
            "a passed start is not sent"
        );
    }

    #[test]
    fn a_difference_in_aws_names_each_field() {
        let desired = form().parse(now()).unwrap();
        let mut observed = desired.clone();
        assert!(desired.diff(&observed).is_empty());
        observed.timezone = "UTC".into();
        observed.input = Some("{\"a\": 1}".into());
        let changes: Vec<String> = desired
            .diff(&observed)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            changes,
            [
                "time zone: UTC → America/New_York",
                "input: {\"a\": 1} → (none)"
            ]
        );
    }
}
