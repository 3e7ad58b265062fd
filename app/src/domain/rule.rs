//! An EventBridge rule with a schedule, and its targets, as a team declares them (issue 7's
//! pure core; the reconciler does not apply rules yet).
//!
//! Every schedule goes through the cron engine before anything reaches AWS: moto accepts
//! `cron(garbage)`, and AWS itself accepts some expressions that never fire.
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

fn arn_of(arn: &str, service: &str, resource_prefix: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    matches!(parts[..], [ "arn", partition, svc, region, account, resource ]
        if partition.starts_with("aws")
            && svc == service
            && !region.is_empty()
            && account.len() == 12
            && account.chars().all(|c| c.is_ascii_digit())
            && resource.len() > resource_prefix.len()
            && resource.starts_with(resource_prefix))
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
                TargetRef::Lambda(arn) => (arn_of(arn, "lambda", "function:"), "Lambda function"),
                TargetRef::Sqs(arn) => (arn_of(arn, "sqs", ""), "SQS queue"),
                TargetRef::Topic(_) => (true, "topic"),
            };
            let dead_letter_ok = target
                .dead_letter
                .as_deref()
                .is_none_or(|arn| arn_of(arn, "sqs", ""));
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
