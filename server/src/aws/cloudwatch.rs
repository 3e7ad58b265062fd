//! CloudWatch alarms: reading them into `AlarmConfig`, writing one from it.
use super::{AwsError, Tags};
use app::domain::alarm::{AlarmConfig, Comparison, Dimension, MissingData, Statistic};
use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::types::{
    AlarmType, ComparisonOperator, Dimension as AwsDimension, MetricAlarm, StateValue, Tag,
};

/// An alarm as AWS reports it: its configuration and its live state.
#[derive(Debug, Clone)]
pub struct ObservedAlarm {
    pub config: AlarmConfig,
    pub arn: Option<String>,
    /// OK, ALARM or INSUFFICIENT_DATA.
    pub state: Option<String>,
    pub state_reason: Option<String>,
}

/// DescribeAlarms takes at most 100 names per call.
pub const DESCRIBE_BATCH: usize = 100;

/// The alarms with these names that exist, in batches of [`DESCRIBE_BATCH`] names: one call
/// per batch. (moto ignores `MaxRecords` and `NextToken`, so Belfry never relies on paging
/// for the alarms it manages: it asks by name.)
pub async fn describe(client: &Client, names: &[String]) -> Result<Vec<ObservedAlarm>, AwsError> {
    let mut found = Vec::with_capacity(names.len());
    for batch in names.chunks(DESCRIBE_BATCH) {
        let output = client
            .describe_alarms()
            .set_alarm_names(Some(batch.to_vec()))
            .alarm_types(AlarmType::MetricAlarm)
            .max_records(DESCRIBE_BATCH as i32)
            .send()
            .await
            .map_err(AwsError::from_sdk)?;
        found.extend(output.metric_alarms().iter().filter_map(observed));
    }
    Ok(found)
}

/// Every metric alarm in the account and region, for import. Follows `NextToken`, and stops
/// if a token repeats (an emulator that ignores paging would otherwise loop).
pub async fn list_all(client: &Client) -> Result<Vec<ObservedAlarm>, AwsError> {
    let mut found = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let output = client
            .describe_alarms()
            .alarm_types(AlarmType::MetricAlarm)
            .max_records(DESCRIBE_BATCH as i32)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(AwsError::from_sdk)?;
        found.extend(output.metric_alarms().iter().filter_map(observed));
        match output.next_token() {
            Some(next) if Some(next) != token.as_deref() && !next.is_empty() => {
                token = Some(next.to_owned());
            }
            _ => break,
        }
    }
    let mut seen = std::collections::HashSet::new();
    found.retain(|alarm| seen.insert(alarm.config.name.clone()));
    Ok(found)
}

fn observed(alarm: &MetricAlarm) -> Option<ObservedAlarm> {
    let statistic = match (alarm.extended_statistic(), alarm.statistic()) {
        (Some(extended), _) => Statistic::parse(extended).ok()?,
        (None, Some(simple)) => Statistic::parse(simple.as_str()).ok()?,
        (None, None) => return None, // a metric-math alarm: not one Belfry manages
    };
    let evaluation_periods = u32::try_from(alarm.evaluation_periods()?).ok()?;
    let config = AlarmConfig {
        name: alarm.alarm_name()?.to_owned(),
        description: alarm.alarm_description().unwrap_or_default().to_owned(),
        namespace: alarm.namespace()?.to_owned(),
        metric_name: alarm.metric_name()?.to_owned(),
        dimensions: alarm
            .dimensions()
            .iter()
            .map(|d| Dimension {
                name: d.name().unwrap_or_default().to_owned(),
                value: d.value().unwrap_or_default().to_owned(),
            })
            .collect(),
        statistic,
        period_seconds: u32::try_from(alarm.period()?).ok()?,
        evaluation_periods,
        datapoints_to_alarm: alarm
            .datapoints_to_alarm()
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(evaluation_periods),
        threshold: alarm.threshold()?,
        comparison: Comparison::parse(alarm.comparison_operator()?.as_str())?,
        treat_missing_data: alarm
            .treat_missing_data()
            .and_then(MissingData::parse)
            .unwrap_or_default(),
        actions_enabled: alarm.actions_enabled().unwrap_or(true),
        alarm_actions: alarm.alarm_actions().to_vec(),
        ok_actions: alarm.ok_actions().to_vec(),
        insufficient_data_actions: alarm.insufficient_data_actions().to_vec(),
    }
    .normalised();
    Some(ObservedAlarm {
        config,
        arn: alarm.alarm_arn().map(str::to_owned),
        state: alarm.state_value().map(|s| s.as_str().to_owned()),
        state_reason: alarm.state_reason().map(str::to_owned),
    })
}

/// Creates or replaces the alarm (PutMetricAlarm is idempotent by name: the same call twice
/// leaves one alarm). Tags apply only when the alarm is new; [`tag`] tags an existing one.
pub async fn put(client: &Client, config: &AlarmConfig, tags: &Tags) -> Result<(), AwsError> {
    let mut call = client
        .put_metric_alarm()
        .alarm_name(&config.name)
        .alarm_description(&config.description)
        .namespace(&config.namespace)
        .metric_name(&config.metric_name)
        .set_dimensions(Some(aws_dimensions(&config.dimensions)))
        .period(config.period_seconds as i32)
        .evaluation_periods(config.evaluation_periods as i32)
        .datapoints_to_alarm(config.datapoints_to_alarm as i32)
        .threshold(config.threshold)
        .comparison_operator(ComparisonOperator::from(config.comparison.as_str()))
        .treat_missing_data(config.treat_missing_data.as_str())
        .actions_enabled(config.actions_enabled)
        .set_alarm_actions(Some(config.alarm_actions.clone()))
        .set_ok_actions(Some(config.ok_actions.clone()))
        .set_insufficient_data_actions(Some(config.insufficient_data_actions.clone()))
        .set_tags(Some(aws_tags(tags)));
    call = if config.statistic.is_percentile() {
        call.extended_statistic(config.statistic.as_str())
    } else {
        call.statistic(aws_sdk_cloudwatch::types::Statistic::from(
            config.statistic.as_str(),
        ))
    };
    call.send().await.map_err(AwsError::from_sdk)?;
    Ok(())
}

/// The alarm's tags, as (key, value).
pub async fn tags(client: &Client, arn: &str) -> Result<Vec<(String, String)>, AwsError> {
    let output = client
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .map_err(AwsError::from_sdk)?;
    Ok(output
        .tags()
        .iter()
        .map(|t| {
            (
                t.key().unwrap_or_default().to_owned(),
                t.value().unwrap_or_default().to_owned(),
            )
        })
        .collect())
}

/// Tags an existing alarm as Belfry's (when adopting it).
pub async fn tag(client: &Client, arn: &str, tags: &Tags) -> Result<(), AwsError> {
    client
        .tag_resource()
        .resource_arn(arn)
        .set_tags(Some(aws_tags(tags)))
        .send()
        .await
        .map_err(AwsError::from_sdk)?;
    Ok(())
}

fn aws_dimensions(dimensions: &[Dimension]) -> Vec<AwsDimension> {
    dimensions
        .iter()
        .map(|d| {
            AwsDimension::builder()
                .name(&d.name)
                .value(&d.value)
                .build()
        })
        .collect()
}

fn aws_tags(tags: &Tags) -> Vec<Tag> {
    tags.pairs()
        .into_iter()
        .map(|(key, value)| Tag::builder().key(key).value(value).build())
        .collect()
}

/// Deletes the alarms; names that do not exist are no error (AWS ignores them).
pub async fn delete(client: &Client, names: &[String]) -> Result<(), AwsError> {
    for batch in names.chunks(DESCRIBE_BATCH) {
        client
            .delete_alarms()
            .set_alarm_names(Some(batch.to_vec()))
            .send()
            .await
            .map_err(AwsError::from_sdk)?;
    }
    Ok(())
}

/// Sets the alarm's state for a moment: AWS runs the state's actions (a test notification)
/// and puts the real state back at the next evaluation.
pub async fn set_state(
    client: &Client,
    name: &str,
    state: &str,
    reason: &str,
) -> Result<(), AwsError> {
    client
        .set_alarm_state()
        .alarm_name(name)
        .state_value(StateValue::from(state))
        .state_reason(reason)
        .send()
        .await
        .map_err(AwsError::from_sdk)?;
    Ok(())
}

/// The metrics CloudWatch has, for the form's picker: one namespace (or every one), at most
/// `limit`. Follows `NextToken`, guarded against an emulator that repeats it.
pub async fn list_metrics(
    client: &Client,
    namespace: Option<&str>,
    limit: usize,
) -> Result<Vec<(String, String, Vec<Dimension>)>, AwsError> {
    let mut found = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let output = client
            .list_metrics()
            .set_namespace(namespace.filter(|n| !n.is_empty()).map(str::to_owned))
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(AwsError::from_sdk)?;
        for metric in output.metrics() {
            let mut dimensions: Vec<Dimension> = metric
                .dimensions()
                .iter()
                .map(|d| Dimension {
                    name: d.name().unwrap_or_default().to_owned(),
                    value: d.value().unwrap_or_default().to_owned(),
                })
                .collect();
            dimensions.sort();
            found.push((
                metric.namespace().unwrap_or_default().to_owned(),
                metric.metric_name().unwrap_or_default().to_owned(),
                dimensions,
            ));
        }
        match output.next_token() {
            Some(next)
                if found.len() < limit && Some(next) != token.as_deref() && !next.is_empty() =>
            {
                token = Some(next.to_owned());
            }
            _ => break,
        }
    }
    found.sort();
    found.dedup();
    found.truncate(limit);
    Ok(found)
}

/// The alarm's metric over the last `hours`, one point per period, oldest first
/// (GetMetricData with the alarm's statistic).
pub async fn metric_data(
    client: &Client,
    config: &AlarmConfig,
    hours: i64,
) -> Result<Vec<(chrono::DateTime<chrono::Utc>, f64)>, AwsError> {
    use aws_sdk_cloudwatch::types::{Metric, MetricDataQuery, MetricStat};
    let end = chrono::Utc::now();
    let start = end - chrono::Duration::hours(hours);
    let metric = Metric::builder()
        .namespace(&config.namespace)
        .metric_name(&config.metric_name)
        .set_dimensions(Some(aws_dimensions(&config.dimensions)))
        .build();
    let query = MetricDataQuery::builder()
        .id("m")
        .metric_stat(
            MetricStat::builder()
                .metric(metric)
                .period(config.period_seconds as i32)
                .stat(config.statistic.as_str())
                .build(),
        )
        .return_data(true)
        .build();
    let output = client
        .get_metric_data()
        .metric_data_queries(query)
        .start_time(aws_sdk_cloudwatch::primitives::DateTime::from_secs(
            start.timestamp(),
        ))
        .end_time(aws_sdk_cloudwatch::primitives::DateTime::from_secs(
            end.timestamp(),
        ))
        .send()
        .await
        .map_err(AwsError::from_sdk)?;
    let mut points: Vec<(chrono::DateTime<chrono::Utc>, f64)> = output
        .metric_data_results()
        .iter()
        .flat_map(|result| {
            result
                .timestamps()
                .iter()
                .zip(result.values())
                .filter_map(|(at, value)| {
                    chrono::DateTime::from_timestamp(at.secs(), 0).map(|at| (at, *value))
                })
        })
        .collect();
    points.sort_by_key(|(at, _)| *at);
    Ok(points)
}
