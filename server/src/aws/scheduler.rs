//! EventBridge Scheduler schedules. Scheduler keeps no tags on a schedule (only on groups),
//! so Belfry knows its own by the resource's stored name and its create marker.
use super::AwsError;
use app::domain::rule::RetryPolicy;
use app::domain::schedule::ScheduleSpec;
use aws_sdk_scheduler::Client;
use aws_sdk_scheduler::primitives::DateTime as AwsDateTime;
use aws_sdk_scheduler::types::{
    DeadLetterConfig, FlexibleTimeWindow, FlexibleTimeWindowMode, RetryPolicy as AwsRetry,
    ScheduleState, Target,
};
use chrono::{DateTime, Utc};

fn build_error(error: impl std::fmt::Display) -> AwsError {
    AwsError {
        code: None,
        message: error.to_string(),
    }
}

fn to_aws(date: DateTime<Utc>) -> AwsDateTime {
    AwsDateTime::from_secs(date.timestamp())
}

fn from_aws(date: &AwsDateTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(date.secs(), 0)
}

fn is_not_found(error: &AwsError) -> bool {
    error.code.as_deref() == Some("ResourceNotFoundException")
}

/// A schedule as Scheduler reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct ObservedSchedule {
    pub spec: ScheduleSpec,
    pub created: Option<DateTime<Utc>>,
    /// Settings Belfry does not model (an UpdateSchedule from Belfry would drop them).
    pub unmodeled: Vec<&'static str>,
}

/// The schedule in the group, read in full, or None.
pub async fn get(
    client: &Client,
    group: &str,
    name: &str,
) -> Result<Option<ObservedSchedule>, AwsError> {
    let output = match client
        .get_schedule()
        .group_name(group)
        .name(name)
        .send()
        .await
    {
        Ok(output) => output,
        Err(error) => {
            let error = AwsError::from_sdk(error);
            return if is_not_found(&error) {
                Ok(None)
            } else {
                Err(error)
            };
        }
    };
    let target = output.target();
    let retry = target.and_then(|t| t.retry_policy());
    let default = RetryPolicy::default();
    let mut unmodeled = Vec::new();
    if output.kms_key_arn().is_some_and(|k| !k.is_empty()) {
        unmodeled.push("KmsKeyArn");
    }
    if output
        .action_after_completion()
        .is_some_and(|a| a.as_str() != "NONE")
    {
        unmodeled.push("ActionAfterCompletion");
    }
    if let Some(t) = target {
        if t.sqs_parameters().is_some() {
            unmodeled.push("SqsParameters");
        }
        if t.ecs_parameters().is_some()
            || t.event_bridge_parameters().is_some()
            || t.kinesis_parameters().is_some()
            || t.sage_maker_pipeline_parameters().is_some()
        {
            unmodeled.push("target parameters");
        }
    }
    let created = output.creation_date().and_then(from_aws);
    let spec = ScheduleSpec {
        name: output.name().unwrap_or(name).to_owned(),
        group: output.group_name().unwrap_or(group).to_owned(),
        description: output.description().unwrap_or_default().to_owned(),
        expression: output.schedule_expression().unwrap_or_default().to_owned(),
        timezone: output
            .schedule_expression_timezone()
            .filter(|z| !z.is_empty())
            .unwrap_or("UTC")
            .to_owned(),
        start: output.start_date().and_then(from_aws),
        end: output.end_date().and_then(from_aws),
        flexible_minutes: output
            .flexible_time_window()
            .filter(|w| *w.mode() == FlexibleTimeWindowMode::Flexible)
            .and_then(|w| w.maximum_window_in_minutes())
            .map(|m| m.max(0) as u32),
        enabled: output.state() != Some(&ScheduleState::Disabled),
        target_arn: target.map(|t| t.arn().to_owned()).unwrap_or_default(),
        role_arn: target.map(|t| t.role_arn().to_owned()).unwrap_or_default(),
        input: target
            .and_then(|t| t.input())
            .filter(|i| !i.is_empty())
            .map(|i| {
                app::domain::rule::canonical_json(i)
                    .map(|(_, compact)| compact)
                    .unwrap_or_else(|_| i.to_owned())
            }),
        retry: RetryPolicy {
            max_attempts: retry
                .and_then(|r| r.maximum_retry_attempts())
                .map_or(default.max_attempts, |n| n.max(0) as u32),
            max_age_seconds: retry
                .and_then(|r| r.maximum_event_age_in_seconds())
                .map_or(default.max_age_seconds, |n| n.max(0) as u32),
        },
        dead_letter: target
            .and_then(|t| t.dead_letter_config())
            .and_then(|d| d.arn())
            .map(str::to_owned),
    };
    Ok(Some(ObservedSchedule {
        spec,
        created,
        unmodeled,
    }))
}

fn target(spec: &ScheduleSpec) -> Result<Target, AwsError> {
    let mut target = Target::builder()
        .arn(&spec.target_arn)
        .role_arn(&spec.role_arn)
        .retry_policy(
            AwsRetry::builder()
                .maximum_retry_attempts(spec.retry.max_attempts as i32)
                .maximum_event_age_in_seconds(spec.retry.max_age_seconds as i32)
                .build(),
        );
    if let Some(input) = &spec.input {
        target = target.input(input);
    }
    if let Some(dead_letter) = &spec.dead_letter {
        target = target.dead_letter_config(DeadLetterConfig::builder().arn(dead_letter).build());
    }
    target.build().map_err(build_error)
}

fn window(spec: &ScheduleSpec) -> Result<FlexibleTimeWindow, AwsError> {
    let builder = match spec.flexible_minutes {
        Some(minutes) => FlexibleTimeWindow::builder()
            .mode(FlexibleTimeWindowMode::Flexible)
            .maximum_window_in_minutes(minutes as i32),
        None => FlexibleTimeWindow::builder().mode(FlexibleTimeWindowMode::Off),
    };
    builder.build().map_err(build_error)
}

/// The same fields for CreateSchedule and UpdateSchedule, which replaces every field.
macro_rules! every_field {
    ($call:expr, $spec:expr) => {{
        let spec: &ScheduleSpec = $spec;
        $call
            .name(&spec.name)
            .group_name(&spec.group)
            .description(&spec.description)
            .schedule_expression(&spec.expression)
            .schedule_expression_timezone(&spec.timezone)
            .set_start_date(spec.start.map(to_aws))
            .set_end_date(spec.end.map(to_aws))
            .flexible_time_window(window(spec)?)
            .state(if spec.enabled {
                ScheduleState::Enabled
            } else {
                ScheduleState::Disabled
            })
            .target(target(spec)?)
    }};
}

/// Makes the schedule group when it is not there (`default` always is). Returns whether it
/// made one.
pub async fn ensure_group(client: &Client, group: &str) -> Result<bool, AwsError> {
    if group == "default" {
        return Ok(false);
    }
    match client.get_schedule_group().name(group).send().await {
        Ok(_) => Ok(false),
        Err(error) => {
            let error = AwsError::from_sdk(error);
            if !is_not_found(&error) {
                return Err(error);
            }
            match client.create_schedule_group().name(group).send().await {
                Ok(_) => Ok(true),
                Err(error) => {
                    let error = AwsError::from_sdk(error);
                    // Made by someone else in between: there it is.
                    if error.code.as_deref() == Some("ConflictException") {
                        Ok(false)
                    } else {
                        Err(error)
                    }
                }
            }
        }
    }
}

pub async fn create(client: &Client, spec: &ScheduleSpec) -> Result<(), AwsError> {
    every_field!(client.create_schedule(), spec)
        .send()
        .await
        .map_err(AwsError::from_sdk)?;
    Ok(())
}

pub async fn update(client: &Client, spec: &ScheduleSpec) -> Result<(), AwsError> {
    every_field!(client.update_schedule(), spec)
        .send()
        .await
        .map_err(AwsError::from_sdk)?;
    Ok(())
}

/// Deletes the schedule; one already gone is success.
pub async fn delete(client: &Client, group: &str, name: &str) -> Result<(), AwsError> {
    match client
        .delete_schedule()
        .group_name(group)
        .name(name)
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(error) => {
            let error = AwsError::from_sdk(error);
            if is_not_found(&error) {
                Ok(())
            } else {
                Err(error)
            }
        }
    }
}

/// Every schedule in every group: (group, name).
pub async fn list(client: &Client) -> Result<Vec<(String, String)>, AwsError> {
    let mut found = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let output = client
            .list_schedules()
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(AwsError::from_sdk)?;
        found.extend(
            output
                .schedules()
                .iter()
                .filter_map(|s| Some((s.group_name()?.to_owned(), s.name()?.to_owned()))),
        );
        match output.next_token() {
            Some(next) if !next.is_empty() && Some(next) != token.as_deref() => {
                token = Some(next.to_owned());
            }
            _ => return Ok(found),
        }
    }
}
