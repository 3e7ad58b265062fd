//! EventBridge rules on the default bus, and their targets.
use super::{AwsError, Tags};
use app::domain::rule::{RuleConfig, TargetConfig};
use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::types::{DeadLetterConfig, RetryPolicy, RuleState, Tag, Target};

/// A rule as EventBridge reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObservedRule {
    pub arn: String,
    pub config: RuleConfig,
}

/// JSON as Belfry stores it (compact, keys in order), so that AWS's spelling compares equal.
fn canonical(text: Option<&str>) -> Option<String> {
    let text = text?.trim();
    if text.is_empty() {
        return None;
    }
    Some(
        app::domain::rule::canonical_json(text)
            .map(|(_, compact)| compact)
            .unwrap_or_else(|_| text.to_owned()),
    )
}

/// The rule with its targets, or None when there is no rule of that name.
pub async fn describe(client: &Client, name: &str) -> Result<Option<ObservedRule>, AwsError> {
    let rule = match client.describe_rule().name(name).send().await {
        Ok(rule) => rule,
        Err(error) => {
            let error = AwsError::from_sdk(error);
            return if error.code.as_deref() == Some("ResourceNotFoundException") {
                Ok(None)
            } else {
                Err(error)
            };
        }
    };
    let mut targets = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let output = client
            .list_targets_by_rule()
            .rule(name)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(AwsError::from_sdk)?;
        targets.extend(output.targets().iter().map(|t| {
            TargetConfig {
                id: t.id().to_owned(),
                arn: t.arn().to_owned(),
                max_attempts: t
                    .retry_policy()
                    .and_then(|r| r.maximum_retry_attempts())
                    .map_or(185, |n| n.max(0) as u32),
                max_age_seconds: t
                    .retry_policy()
                    .and_then(|r| r.maximum_event_age_in_seconds())
                    .map_or(86400, |n| n.max(0) as u32),
                dead_letter: t
                    .dead_letter_config()
                    .and_then(|d| d.arn())
                    .map(str::to_owned),
                input: canonical(t.input()),
            }
        }));
        match output.next_token() {
            Some(next) if Some(next) != token.as_deref() && !next.is_empty() => {
                token = Some(next.to_owned());
            }
            _ => break,
        }
    }
    targets.sort();
    Ok(Some(ObservedRule {
        arn: rule.arn().unwrap_or_default().to_owned(),
        config: RuleConfig {
            name: rule.name().unwrap_or(name).to_owned(),
            description: rule.description().unwrap_or_default().to_owned(),
            schedule: rule.schedule_expression().unwrap_or_default().to_owned(),
            event_pattern: canonical(rule.event_pattern()),
            enabled: rule.state() != Some(&RuleState::Disabled),
            targets,
        },
    }))
}

/// Creates or replaces the rule. PutRule replaces every field, so every field is sent.
/// Tags take effect when the rule is new.
pub async fn put_rule(client: &Client, rule: &RuleConfig, tags: &Tags) -> Result<String, AwsError> {
    let tags = tags
        .pairs()
        .into_iter()
        .map(|(k, v)| {
            Tag::builder()
                .key(k)
                .value(v)
                .build()
                .map_err(|e| AwsError {
                    code: None,
                    message: e.to_string(),
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let output = client
        .put_rule()
        .name(&rule.name)
        .description(&rule.description)
        .set_schedule_expression(Some(rule.schedule.clone()).filter(|s| !s.is_empty()))
        .set_event_pattern(rule.event_pattern.clone())
        .state(if rule.enabled {
            RuleState::Enabled
        } else {
            RuleState::Disabled
        })
        .set_tags(Some(tags))
        .send()
        .await
        .map_err(AwsError::from_sdk)?;
    Ok(output.rule_arn().unwrap_or_default().to_owned())
}

/// Puts the targets. PutTargets reports a partial failure in `FailedEntries`, not as an
/// error: each failed entry is returned as an error here.
pub async fn put_targets(
    client: &Client,
    rule: &str,
    targets: &[TargetConfig],
) -> Result<(), AwsError> {
    if targets.is_empty() {
        return Ok(());
    }
    let targets = targets
        .iter()
        .map(|t| {
            let mut target = Target::builder().id(&t.id).arn(&t.arn).retry_policy(
                RetryPolicy::builder()
                    .maximum_retry_attempts(t.max_attempts as i32)
                    .maximum_event_age_in_seconds(t.max_age_seconds as i32)
                    .build(),
            );
            if let Some(input) = &t.input {
                target = target.input(input);
            }
            if let Some(dead_letter) = &t.dead_letter {
                target =
                    target.dead_letter_config(DeadLetterConfig::builder().arn(dead_letter).build());
            }
            target.build().map_err(|e| AwsError {
                code: None,
                message: e.to_string(),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let output = client
        .put_targets()
        .rule(rule)
        .set_targets(Some(targets))
        .send()
        .await
        .map_err(AwsError::from_sdk)?;
    if output.failed_entry_count() > 0 || !output.failed_entries().is_empty() {
        let failed: Vec<String> = output
            .failed_entries()
            .iter()
            .map(|e| {
                format!(
                    "{}: {} {}",
                    e.target_id().unwrap_or("?"),
                    e.error_code().unwrap_or_default(),
                    e.error_message().unwrap_or_default()
                )
            })
            .collect();
        return Err(AwsError {
            code: Some("FailedEntries".to_owned()),
            message: format!("PutTargets refused: {}", failed.join("; ")),
        });
    }
    Ok(())
}

pub async fn remove_targets(client: &Client, rule: &str, ids: &[String]) -> Result<(), AwsError> {
    if ids.is_empty() {
        return Ok(());
    }
    client
        .remove_targets()
        .rule(rule)
        .set_ids(Some(ids.to_vec()))
        .send()
        .await
        .map_err(AwsError::from_sdk)?;
    Ok(())
}

/// Deletes the rule; its targets must be gone first (AWS refuses otherwise).
pub async fn delete_rule(client: &Client, name: &str) -> Result<(), AwsError> {
    match client.delete_rule().name(name).send().await {
        Ok(_) => Ok(()),
        Err(error) => {
            let error = AwsError::from_sdk(error);
            if error.code.as_deref() == Some("ResourceNotFoundException") {
                Ok(())
            } else {
                Err(error)
            }
        }
    }
}
