//! An EventBridge rule with a schedule, and its targets, as a team declares them (issue 7's
//! pure core; the reconciler does not apply rules yet).
//!
//! Every schedule goes through the cron engine before anything reaches AWS: moto accepts
//! `cron(garbage)`, and AWS itself accepts some expressions that never fire.
use super::aws::is_arn_of;
use crate::cron::Schedule;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum RuleError {
    #[error("A rule name has 1 to 64 letters, digits, dots, hyphens or underscores.")]
    Name,
    #[error("The description may have at most 512 characters.")]
    Description,
    #[error("{0}")]
    Schedule(String),
    #[error("EventBridge rules take cron() or rate(); at() is for Scheduler schedules.")]
    AtNotForRules,
    #[error("This schedule never runs (no date matches it before 2199).")]
    NeverRuns,
    #[error("At most 5 targets per rule.")]
    TooManyTargets,
    #[error(
        "Target {index}: an id of 1 to 64 letters, digits, dots, hyphens or underscores, each id once."
    )]
    TargetId { index: usize },
    #[error("Target {index}: the ARN does not name a {expected}.")]
    TargetArn { index: usize, expected: String },
    #[error("Target {index}: retry at most 185 times, for 60 to 86400 seconds.")]
    Retry { index: usize },
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
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleSpec {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The canonical AWS text of the schedule (`cron(0 10 * * ? *)`, `rate(5 minutes)`).
    pub schedule: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    pub targets: Vec<TargetSpec>,
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
    pub fn validate(mut self, now: DateTime<Utc>) -> Result<Self, RuleError> {
        if !id_ok(&self.name, 64) {
            return Err(RuleError::Name);
        }
        if self.description.chars().count() > 512 {
            return Err(RuleError::Description);
        }
        let schedule: Schedule = self
            .schedule
            .trim()
            .parse()
            .map_err(|e: crate::cron::CronError| RuleError::Schedule(e.to_string()))?;
        if matches!(schedule, Schedule::At(_)) {
            return Err(RuleError::AtNotForRules);
        }
        // Rules run in UTC.
        if schedule.next_runs(now, 1, Tz::UTC).is_empty() {
            return Err(RuleError::NeverRuns);
        }
        self.schedule = schedule.to_string();
        if self.targets.len() > 5 {
            return Err(RuleError::TooManyTargets);
        }
        for (index, target) in self.targets.iter().enumerate() {
            let repeated = self.targets[..index].iter().any(|t| t.id == target.id);
            if repeated || !id_ok(&target.id, 64) {
                return Err(RuleError::TargetId { index });
            }
            let (ok, expected) = match &target.target {
                TargetRef::Lambda(arn) => {
                    (is_arn_of(arn, "lambda", "function:"), "Lambda function")
                }
                TargetRef::Sqs(arn) => (is_arn_of(arn, "sqs", ""), "SQS queue"),
                TargetRef::Topic(_) => (true, "topic"),
            };
            let dead_letter_ok = target
                .dead_letter
                .as_deref()
                .is_none_or(|arn| is_arn_of(arn, "sqs", ""));
            if !ok || !dead_letter_ok {
                let expected = if ok { "SQS queue" } else { expected };
                return Err(RuleError::TargetArn {
                    index,
                    expected: expected.to_owned(),
                });
            }
            let retry = &target.retry;
            if retry.max_attempts > 185 || !(60..=86400).contains(&retry.max_age_seconds) {
                return Err(RuleError::Retry { index });
            }
        }
        Ok(self)
    }
}

/// A target in AWS's terms: every reference an ARN.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TargetConfig {
    pub id: String,
    pub arn: String,
    pub max_attempts: u32,
    pub max_age_seconds: u32,
    pub dead_letter: Option<String>,
}

/// A rule in AWS's terms, targets sorted by id (AWS keeps no order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleConfig {
    pub name: String,
    pub description: String,
    pub schedule: String,
    pub enabled: bool,
    pub targets: Vec<TargetConfig>,
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
                })
            })
            .collect::<Option<Vec<_>>>()?;
        targets.sort();
        Some(RuleConfig {
            name: self.name.clone(),
            description: self.description.clone(),
            schedule: self.schedule.clone(),
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
    let mut field = |name: String, from: String, to: String| {
        if from != to {
            changes.push(FieldChange {
                field: name,
                from,
                to,
            });
        }
    };
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
    let state = |on: bool| if on { "ENABLED" } else { "DISABLED" }.to_owned();
    field(
        "state".into(),
        state(observed.enabled),
        state(desired.enabled),
    );
    let show = |t: &TargetConfig| {
        format!(
            "{} (retry {}×, {}s{})",
            t.arn,
            t.max_attempts,
            t.max_age_seconds,
            t.dead_letter
                .as_deref()
                .map(|d| format!(", dead letters to {d}"))
                .unwrap_or_default()
        )
    };
    for want in &desired.targets {
        let have = observed.targets.iter().find(|t| t.id == want.id);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_795_000_000, 0).unwrap() // 2026-11-18
    }

    fn rule(schedule: &str) -> RuleSpec {
        RuleSpec {
            name: "morning-count".to_owned(),
            description: String::new(),
            schedule: schedule.to_owned(),
            enabled: true,
            targets: vec![TargetSpec {
                id: "count".to_owned(),
                target: TargetRef::Lambda(
                    "arn:aws:lambda:ap-northeast-2:123456789012:function:count".to_owned(),
                ),
                retry: RetryPolicy::default(),
                dead_letter: None,
            }],
        }
    }

    #[test]
    fn the_labs_morning_rule_is_valid_and_canonical() {
        let spec = rule("  cron(0 10 * * ? *) ").validate(now()).unwrap();
        assert_eq!(spec.schedule, "cron(0 10 * * ? *)");
        assert!(rule("rate(5 minutes)").validate(now()).is_ok());
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
    fn targets_are_checked() {
        let mut spec = rule("rate(1 hour)");
        spec.targets[0].target = TargetRef::Sqs("arn:aws:sns:ap-northeast-2:123456789012:q".into());
        assert!(matches!(
            spec.clone().validate(now()),
            Err(RuleError::TargetArn { index: 0, .. })
        ));
        let mut spec = rule("rate(1 hour)");
        spec.targets.push(spec.targets[0].clone());
        assert_eq!(spec.validate(now()), Err(RuleError::TargetId { index: 1 }));
        let mut spec = rule("rate(1 hour)");
        spec.targets[0].retry.max_age_seconds = 30;
        assert_eq!(spec.validate(now()), Err(RuleError::Retry { index: 0 }));
        let mut spec = rule("rate(1 hour)");
        spec.targets = (0..6)
            .map(|i| TargetSpec {
                id: format!("t{i}"),
                target: TargetRef::Topic(Uuid::from_u128(i)),
                retry: RetryPolicy::default(),
                dead_letter: None,
            })
            .collect();
        assert_eq!(spec.validate(now()), Err(RuleError::TooManyTargets));
    }
}
