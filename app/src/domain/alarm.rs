//! A CloudWatch metric alarm as a team declares it, and the plan that brings AWS in line.
//!
//! `AlarmSpec` is what Belfry stores (actions may name Belfry topics by resource id);
//! `AlarmConfig` is the same alarm in AWS's terms (every action an ARN), which is what the
//! diff compares: the desired one resolved, the observed one read from DescribeAlarms.
use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

/// What is wrong with an alarm, naming the field so a form can point at it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum AlarmError {
    #[error("Give the alarm a name of 1 to 255 characters, without control characters.")]
    Name,
    #[error("The description may have at most 1024 characters.")]
    Description,
    #[error("Give the metric's namespace, such as AWS/EBS (1 to 255 characters).")]
    Namespace,
    #[error("Give the metric's name, such as VolumeWriteBytes (1 to 255 characters).")]
    MetricName,
    #[error("Dimension {}: a name of 1 to 255 and a value of 1 to 1024 characters, each name once.", .index + 1)]
    Dimension { index: usize },
    #[error("At most 30 dimensions.")]
    TooManyDimensions,
    #[error(
        "A statistic is SampleCount, Average, Sum, Minimum, Maximum, or a percentile from p0 to p100 such as p99."
    )]
    Statistic,
    #[error("The period is 10, 20 or 30 seconds, or a multiple of 60 seconds.")]
    Period,
    #[error("Evaluate over at least 1 period, and at most 7 days in all.")]
    EvaluationPeriods,
    #[error("Datapoints to alarm is from 1 to the number of evaluation periods.")]
    DatapointsToAlarm,
    #[error("The threshold must be a number.")]
    Threshold,
    #[error("At most 5 actions for each state.")]
    TooManyActions,
    #[error(
        "An action is one of the team's topics or an ARN such as arn:aws:sns:ap-northeast-2:123456789012:ops."
    )]
    Action,
}

/// How the metric compares with the threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Comparison {
    GreaterThanOrEqualToThreshold,
    GreaterThanThreshold,
    LessThanThreshold,
    LessThanOrEqualToThreshold,
}

impl Comparison {
    pub const ALL: [Comparison; 4] = [
        Comparison::GreaterThanThreshold,
        Comparison::GreaterThanOrEqualToThreshold,
        Comparison::LessThanThreshold,
        Comparison::LessThanOrEqualToThreshold,
    ];

    /// AWS's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Comparison::GreaterThanOrEqualToThreshold => "GreaterThanOrEqualToThreshold",
            Comparison::GreaterThanThreshold => "GreaterThanThreshold",
            Comparison::LessThanThreshold => "LessThanThreshold",
            Comparison::LessThanOrEqualToThreshold => "LessThanOrEqualToThreshold",
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::GreaterThanOrEqualToThreshold => ">=",
            Comparison::GreaterThanThreshold => ">",
            Comparison::LessThanThreshold => "<",
            Comparison::LessThanOrEqualToThreshold => "<=",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Comparison::ALL
            .into_iter()
            .find(|c| c.as_str() == input || c.symbol() == input)
    }
}

/// What the alarm does when data points are missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum MissingData {
    Breaching,
    NotBreaching,
    Ignore,
    /// AWS's default.
    #[default]
    Missing,
}

impl MissingData {
    pub const ALL: [MissingData; 4] = [
        MissingData::Missing,
        MissingData::NotBreaching,
        MissingData::Breaching,
        MissingData::Ignore,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MissingData::Breaching => "breaching",
            MissingData::NotBreaching => "notBreaching",
            MissingData::Ignore => "ignore",
            MissingData::Missing => "missing",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        MissingData::ALL.into_iter().find(|m| m.as_str() == input)
    }
}

/// A plain statistic or a percentile (AWS's `ExtendedStatistic`, such as `p99`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Statistic {
    SampleCount,
    Average,
    Sum,
    Minimum,
    Maximum,
    /// `p` followed by 0 to 100, kept as written (`p99.9`).
    Percentile(String),
}

impl Statistic {
    pub const SIMPLE: [Statistic; 5] = [
        Statistic::Average,
        Statistic::Sum,
        Statistic::Minimum,
        Statistic::Maximum,
        Statistic::SampleCount,
    ];

    pub fn parse(input: &str) -> Result<Self, AlarmError> {
        let input = input.trim();
        Ok(match input {
            "SampleCount" => Statistic::SampleCount,
            "Average" => Statistic::Average,
            "Sum" => Statistic::Sum,
            "Minimum" => Statistic::Minimum,
            "Maximum" => Statistic::Maximum,
            _ => {
                let number = input.strip_prefix('p').ok_or(AlarmError::Statistic)?;
                let well_formed = !number.is_empty()
                    && number.chars().all(|c| c.is_ascii_digit() || c == '.')
                    && number.matches('.').count() <= 1
                    && !number.starts_with('.')
                    && !number.ends_with('.');
                match number.parse::<f64>() {
                    Ok(value) if well_formed && (0.0..=100.0).contains(&value) => {
                        Statistic::Percentile(input.to_owned())
                    }
                    _ => return Err(AlarmError::Statistic),
                }
            }
        })
    }

    pub fn as_str(&self) -> &str {
        match self {
            Statistic::SampleCount => "SampleCount",
            Statistic::Average => "Average",
            Statistic::Sum => "Sum",
            Statistic::Minimum => "Minimum",
            Statistic::Maximum => "Maximum",
            Statistic::Percentile(p) => p,
        }
    }

    pub fn is_percentile(&self) -> bool {
        matches!(self, Statistic::Percentile(_))
    }
}

impl TryFrom<String> for Statistic {
    type Error = AlarmError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Statistic::parse(&value)
    }
}

impl From<Statistic> for String {
    fn from(value: Statistic) -> Self {
        value.as_str().to_owned()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Dimension {
    pub name: String,
    pub value: String,
}

/// Where a state change notifies: one of the team's Belfry topics, or any ARN.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Topic(Uuid),
    Arn(String),
}

impl Action {
    pub fn parse_arn(input: &str) -> Result<Self, AlarmError> {
        let arn = input.trim();
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        let valid = parts.len() == 6
            && parts[0] == "arn"
            && !parts[1].is_empty()
            && !parts[2].is_empty()
            && !parts[5].is_empty()
            && arn.len() <= 1024
            && !arn.chars().any(|c| c.is_whitespace() || c.is_control());
        if valid {
            Ok(Action::Arn(arn.to_owned()))
        } else {
            Err(AlarmError::Action)
        }
    }
}

/// An alarm as the team wants it. Built only through [`AlarmSpec::validate`] on input paths;
/// stored as JSON and validated again when read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlarmSpec {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub namespace: String,
    pub metric_name: String,
    #[serde(default)]
    pub dimensions: Vec<Dimension>,
    pub statistic: Statistic,
    pub period_seconds: u32,
    pub evaluation_periods: u32,
    #[serde(default)]
    pub datapoints_to_alarm: Option<u32>,
    pub threshold: f64,
    pub comparison: Comparison,
    #[serde(default)]
    pub treat_missing_data: MissingData,
    #[serde(default = "yes")]
    pub actions_enabled: bool,
    #[serde(default)]
    pub alarm_actions: Vec<Action>,
    #[serde(default)]
    pub ok_actions: Vec<Action>,
    #[serde(default)]
    pub insufficient_data_actions: Vec<Action>,
}

fn yes() -> bool {
    true
}

const SEVEN_DAYS: u64 = 7 * 24 * 60 * 60;

fn text_ok(text: &str, max: usize) -> bool {
    !text.is_empty() && text.chars().count() <= max && !text.chars().any(char::is_control)
}

impl AlarmSpec {
    /// Every problem, in field order, so a form can mark them all at once.
    pub fn problems(&self) -> Vec<AlarmError> {
        let mut problems = Vec::new();
        if !text_ok(&self.name, 255) || self.name.trim() != self.name {
            problems.push(AlarmError::Name);
        }
        if self.description.chars().count() > 1024 {
            problems.push(AlarmError::Description);
        }
        if !text_ok(&self.namespace, 255) {
            problems.push(AlarmError::Namespace);
        }
        if !text_ok(&self.metric_name, 255) {
            problems.push(AlarmError::MetricName);
        }
        if self.dimensions.len() > 30 {
            problems.push(AlarmError::TooManyDimensions);
        }
        for (index, dimension) in self.dimensions.iter().enumerate() {
            let repeated = self.dimensions[..index]
                .iter()
                .any(|d| d.name == dimension.name);
            if repeated || !text_ok(&dimension.name, 255) || !text_ok(&dimension.value, 1024) {
                problems.push(AlarmError::Dimension { index });
            }
        }
        let period = self.period_seconds;
        if !(matches!(period, 10 | 20 | 30) || (period >= 60 && period.is_multiple_of(60))) {
            problems.push(AlarmError::Period);
        }
        if self.evaluation_periods == 0
            || u64::from(self.evaluation_periods) * u64::from(period.max(1)) > SEVEN_DAYS
        {
            problems.push(AlarmError::EvaluationPeriods);
        }
        if let Some(n) = self.datapoints_to_alarm
            && (n == 0 || n > self.evaluation_periods)
        {
            problems.push(AlarmError::DatapointsToAlarm);
        }
        if !self.threshold.is_finite() {
            problems.push(AlarmError::Threshold);
        }
        for actions in [
            &self.alarm_actions,
            &self.ok_actions,
            &self.insufficient_data_actions,
        ] {
            if actions.len() > 5 {
                problems.push(AlarmError::TooManyActions);
            }
            if actions
                .iter()
                .any(|a| matches!(a, Action::Arn(arn) if Action::parse_arn(arn).is_err()))
            {
                problems.push(AlarmError::Action);
            }
        }
        problems
    }

    pub fn validate(self) -> Result<Self, AlarmError> {
        match self.problems().into_iter().next() {
            Some(problem) => Err(problem),
            None => Ok(self),
        }
    }

    /// The topics the alarm notifies, for resolving to ARNs (and ordering applies).
    pub fn topics(&self) -> impl Iterator<Item = Uuid> + '_ {
        self.alarm_actions
            .iter()
            .chain(&self.ok_actions)
            .chain(&self.insufficient_data_actions)
            .filter_map(|a| match a {
                Action::Topic(id) => Some(*id),
                Action::Arn(_) => None,
            })
    }

    /// The spec in AWS's terms, with each topic replaced by its ARN. `None` when a topic has
    /// no ARN yet (it has not been created): the alarm must wait for it.
    pub fn resolve(&self, topic_arn: impl Fn(Uuid) -> Option<String>) -> Option<AlarmConfig> {
        let resolve = |actions: &[Action]| -> Option<Vec<String>> {
            let mut arns = actions
                .iter()
                .map(|a| match a {
                    Action::Topic(id) => topic_arn(*id),
                    Action::Arn(arn) => Some(arn.clone()),
                })
                .collect::<Option<Vec<_>>>()?;
            arns.sort();
            arns.dedup();
            Some(arns)
        };
        let mut dimensions = self.dimensions.clone();
        dimensions.sort();
        Some(AlarmConfig {
            name: self.name.clone(),
            description: self.description.clone(),
            namespace: self.namespace.clone(),
            metric_name: self.metric_name.clone(),
            dimensions,
            statistic: self.statistic.clone(),
            period_seconds: self.period_seconds,
            evaluation_periods: self.evaluation_periods,
            datapoints_to_alarm: self.datapoints_to_alarm.unwrap_or(self.evaluation_periods),
            threshold: self.threshold,
            comparison: self.comparison,
            treat_missing_data: self.treat_missing_data,
            actions_enabled: self.actions_enabled,
            alarm_actions: resolve(&self.alarm_actions)?,
            ok_actions: resolve(&self.ok_actions)?,
            insufficient_data_actions: resolve(&self.insufficient_data_actions)?,
        })
    }
}

/// An alarm in AWS's terms, normalised so that two configs that AWS treats as the same compare
/// equal: dimensions and actions sorted (AWS keeps neither order), datapoints-to-alarm filled
/// in with AWS's default, an absent description empty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlarmConfig {
    pub name: String,
    pub description: String,
    pub namespace: String,
    pub metric_name: String,
    pub dimensions: Vec<Dimension>,
    pub statistic: Statistic,
    pub period_seconds: u32,
    pub evaluation_periods: u32,
    pub datapoints_to_alarm: u32,
    pub threshold: f64,
    pub comparison: Comparison,
    pub treat_missing_data: MissingData,
    pub actions_enabled: bool,
    pub alarm_actions: Vec<String>,
    pub ok_actions: Vec<String>,
    pub insufficient_data_actions: Vec<String>,
}

impl AlarmConfig {
    /// Sorts what AWS does not keep in order. The AWS adapter calls it on what it reads.
    pub fn normalised(mut self) -> Self {
        self.dimensions.sort();
        for actions in [
            &mut self.alarm_actions,
            &mut self.ok_actions,
            &mut self.insufficient_data_actions,
        ] {
            actions.sort();
            actions.dedup();
        }
        self
    }

    /// The spec that would produce this config, for adopting an alarm made outside Belfry.
    /// Actions stay ARNs (the caller may map ARNs of its own topics back to them).
    pub fn to_spec(&self) -> AlarmSpec {
        let arns = |v: &[String]| v.iter().cloned().map(Action::Arn).collect();
        AlarmSpec {
            name: self.name.clone(),
            description: self.description.clone(),
            namespace: self.namespace.clone(),
            metric_name: self.metric_name.clone(),
            dimensions: self.dimensions.clone(),
            statistic: self.statistic.clone(),
            period_seconds: self.period_seconds,
            evaluation_periods: self.evaluation_periods,
            datapoints_to_alarm: Some(self.datapoints_to_alarm),
            threshold: self.threshold,
            comparison: self.comparison,
            treat_missing_data: self.treat_missing_data,
            actions_enabled: self.actions_enabled,
            alarm_actions: arns(&self.alarm_actions),
            ok_actions: arns(&self.ok_actions),
            insufficient_data_actions: arns(&self.insufficient_data_actions),
        }
    }
}

/// One field that differs, as a person reads it: "threshold: 100000 → 200000".
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub from: String,
    pub to: String,
}

impl FieldChange {
    /// Adds `field: from → to` to `changes` when the two differ: how every diff is built.
    pub fn note(
        changes: &mut Vec<FieldChange>,
        field: impl Into<String>,
        from: String,
        to: String,
    ) {
        if from != to {
            changes.push(FieldChange {
                field: field.into(),
                from,
                to,
            });
        }
    }
}

impl fmt::Display for FieldChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} → {}", self.field, self.from, self.to)
    }
}

/// Formats a number the way a person writes it: 100000, 0.5, 1e-7.
pub fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

fn list(values: &[String]) -> String {
    if values.is_empty() {
        "(none)".to_owned()
    } else {
        values.join(", ")
    }
}

fn dimensions(values: &[Dimension]) -> String {
    if values.is_empty() {
        "(none)".to_owned()
    } else {
        values
            .iter()
            .map(|d| format!("{}={}", d.name, d.value))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Thresholds equal up to the float noise of a JSON round trip.
fn same_number(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
}

/// The fields in which `observed` differs from `desired`, in a fixed order. Empty: in sync.
pub fn diff(desired: &AlarmConfig, observed: &AlarmConfig) -> Vec<FieldChange> {
    let mut changes = Vec::new();
    let mut field =
        |name: &str, from: String, to: String| FieldChange::note(&mut changes, name, from, to);
    let (d, o) = (desired, observed);
    field("description", o.description.clone(), d.description.clone());
    field("namespace", o.namespace.clone(), d.namespace.clone());
    field("metric", o.metric_name.clone(), d.metric_name.clone());
    field(
        "dimensions",
        dimensions(&o.dimensions),
        dimensions(&d.dimensions),
    );
    field(
        "statistic",
        o.statistic.as_str().to_owned(),
        d.statistic.as_str().to_owned(),
    );
    field(
        "period",
        format!("{}s", o.period_seconds),
        format!("{}s", d.period_seconds),
    );
    field(
        "evaluation periods",
        o.evaluation_periods.to_string(),
        d.evaluation_periods.to_string(),
    );
    field(
        "datapoints to alarm",
        o.datapoints_to_alarm.to_string(),
        d.datapoints_to_alarm.to_string(),
    );
    if !same_number(o.threshold, d.threshold) {
        field("threshold", number(o.threshold), number(d.threshold));
    }
    field(
        "comparison",
        o.comparison.symbol().to_owned(),
        d.comparison.symbol().to_owned(),
    );
    field(
        "missing data",
        o.treat_missing_data.as_str().to_owned(),
        d.treat_missing_data.as_str().to_owned(),
    );
    field(
        "actions enabled",
        o.actions_enabled.to_string(),
        d.actions_enabled.to_string(),
    );
    field(
        "alarm actions",
        list(&o.alarm_actions),
        list(&d.alarm_actions),
    );
    field("OK actions", list(&o.ok_actions), list(&d.ok_actions));
    field(
        "insufficient data actions",
        list(&o.insufficient_data_actions),
        list(&d.insufficient_data_actions),
    );
    changes
}

/// The lab Belfry grew from, and the other starting points the form offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Template {
    EbsWriteBytes,
    Ec2Cpu,
    LambdaErrors,
    LambdaThrottles,
    AlbUnhealthyHosts,
}

impl Template {
    pub const ALL: [Template; 5] = [
        Template::EbsWriteBytes,
        Template::Ec2Cpu,
        Template::LambdaErrors,
        Template::LambdaThrottles,
        Template::AlbUnhealthyHosts,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Template::EbsWriteBytes => "ebs-write-bytes",
            Template::Ec2Cpu => "ec2-cpu",
            Template::LambdaErrors => "lambda-errors",
            Template::LambdaThrottles => "lambda-throttles",
            Template::AlbUnhealthyHosts => "alb-unhealthy-hosts",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Template::ALL.into_iter().find(|t| t.key() == key)
    }

    /// The template's alarm; the dimension values are left for the person to pick.
    pub fn spec(self) -> AlarmSpec {
        let (namespace, metric, dimension, statistic, period, threshold, comparison) = match self {
            Template::EbsWriteBytes => (
                "AWS/EBS",
                "VolumeWriteBytes",
                "VolumeId",
                Statistic::Sum,
                300,
                100000.0,
                Comparison::GreaterThanThreshold,
            ),
            Template::Ec2Cpu => (
                "AWS/EC2",
                "CPUUtilization",
                "InstanceId",
                Statistic::Average,
                300,
                80.0,
                Comparison::GreaterThanThreshold,
            ),
            Template::LambdaErrors => (
                "AWS/Lambda",
                "Errors",
                "FunctionName",
                Statistic::Sum,
                60,
                0.0,
                Comparison::GreaterThanThreshold,
            ),
            Template::LambdaThrottles => (
                "AWS/Lambda",
                "Throttles",
                "FunctionName",
                Statistic::Sum,
                60,
                0.0,
                Comparison::GreaterThanThreshold,
            ),
            Template::AlbUnhealthyHosts => (
                "AWS/ApplicationELB",
                "UnHealthyHostCount",
                "TargetGroup",
                Statistic::Maximum,
                60,
                0.0,
                Comparison::GreaterThanThreshold,
            ),
        };
        AlarmSpec {
            name: String::new(),
            description: String::new(),
            namespace: namespace.to_owned(),
            metric_name: metric.to_owned(),
            dimensions: vec![Dimension {
                name: dimension.to_owned(),
                value: String::new(),
            }],
            statistic,
            period_seconds: period,
            evaluation_periods: 1,
            datapoints_to_alarm: None,
            threshold,
            comparison,
            treat_missing_data: if matches!(self, Template::EbsWriteBytes | Template::Ec2Cpu) {
                MissingData::Missing
            } else {
                MissingData::NotBreaching
            },
            actions_enabled: true,
            alarm_actions: Vec::new(),
            ok_actions: Vec::new(),
            insufficient_data_actions: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lab() -> AlarmSpec {
        let mut spec = Template::EbsWriteBytes.spec();
        spec.name = "ebs-write-bytes".to_owned();
        spec.dimensions[0].value = "vol-0123456789abcdef0".to_owned();
        spec
    }

    fn resolved(spec: &AlarmSpec) -> AlarmConfig {
        spec.resolve(|id| Some(format!("arn:aws:sns:ap-northeast-2:123456789012:{id}")))
            .unwrap()
    }

    #[test]
    fn the_lab_alarm_is_valid() {
        assert_eq!(lab().problems(), vec![]);
    }

    #[test]
    fn every_bad_field_is_named() {
        let mut spec = lab();
        spec.name = " padded".to_owned();
        spec.period_seconds = 45;
        spec.evaluation_periods = 0;
        spec.threshold = f64::NAN;
        spec.dimensions.push(spec.dimensions[0].clone());
        spec.alarm_actions = vec![Action::Arn("sns:topic".to_owned())];
        assert_eq!(
            spec.problems(),
            vec![
                AlarmError::Name,
                AlarmError::Dimension { index: 1 },
                AlarmError::Period,
                AlarmError::EvaluationPeriods,
                AlarmError::Threshold,
                AlarmError::Action,
            ]
        );
    }

    #[test]
    fn datapoints_cannot_exceed_the_evaluation_periods() {
        let mut spec = lab();
        spec.evaluation_periods = 3;
        spec.datapoints_to_alarm = Some(4);
        assert_eq!(spec.problems(), vec![AlarmError::DatapointsToAlarm]);
        spec.datapoints_to_alarm = Some(2);
        assert!(spec.problems().is_empty());
    }

    #[test]
    fn at_most_seven_days_of_evaluation() {
        let mut spec = lab();
        spec.period_seconds = 3600;
        spec.evaluation_periods = 168;
        assert!(spec.problems().is_empty());
        spec.evaluation_periods = 169;
        assert_eq!(spec.problems(), vec![AlarmError::EvaluationPeriods]);
    }

    #[test]
    fn statistics_and_percentiles() {
        for good in ["Average", "SampleCount", "p99", "p99.9", "p0", "p100"] {
            assert!(Statistic::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "average", "p", "p101", "p-1", "p9.", "p.9", "p9..9", "tm99", "",
        ] {
            assert_eq!(Statistic::parse(bad), Err(AlarmError::Statistic), "{bad}");
        }
    }

    #[test]
    fn six_actions_are_too_many() {
        let mut spec = lab();
        spec.ok_actions = (0..6).map(|n| Action::Topic(Uuid::from_u128(n))).collect();
        assert_eq!(spec.problems(), vec![AlarmError::TooManyActions]);
    }

    #[test]
    fn the_spec_survives_json() {
        let mut spec = lab();
        spec.statistic = Statistic::parse("p99.9").unwrap();
        spec.alarm_actions = vec![
            Action::Topic(Uuid::nil()),
            Action::parse_arn("arn:aws:sns:ap-northeast-2:123456789012:ops").unwrap(),
        ];
        let json = serde_json::to_string(&spec).unwrap();
        assert!(json.contains(r#""statistic":"p99.9""#), "{json}");
        assert_eq!(serde_json::from_str::<AlarmSpec>(&json).unwrap(), spec);
        // A stored spec with a statistic the domain rejects does not parse.
        let bad = json.replace("p99.9", "p200");
        assert!(serde_json::from_str::<AlarmSpec>(&bad).is_err());
    }

    #[test]
    fn a_config_read_back_in_another_order_is_in_sync() {
        let mut spec = lab();
        spec.dimensions.push(Dimension {
            name: "AutoScalingGroupName".to_owned(),
            value: "web".to_owned(),
        });
        spec.alarm_actions = vec![
            Action::Arn("arn:aws:sns:ap-northeast-2:123456789012:b".to_owned()),
            Action::Arn("arn:aws:sns:ap-northeast-2:123456789012:a".to_owned()),
        ];
        let desired = resolved(&spec);
        let mut observed = desired.clone();
        observed.dimensions.reverse();
        observed.alarm_actions.reverse();
        // AWS fills in datapoints-to-alarm as the evaluation periods when it was not given.
        assert_eq!(spec.datapoints_to_alarm, None);
        observed.datapoints_to_alarm = spec.evaluation_periods;
        assert_eq!(diff(&desired, &observed.normalised()), vec![]);
    }

    #[test]
    fn the_diff_says_what_changes_in_plain_terms() {
        let before = resolved(&lab());
        let mut spec = lab();
        spec.threshold = 200000.0;
        spec.comparison = Comparison::GreaterThanOrEqualToThreshold;
        let after = resolved(&spec);
        let changes = diff(&after, &before);
        let text: Vec<String> = changes.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            vec!["threshold: 100000 → 200000", "comparison: > → >="]
        );
    }

    #[test]
    fn a_threshold_after_a_json_round_trip_is_the_same() {
        let mut spec = lab();
        spec.threshold = 0.1 + 0.2;
        let desired = resolved(&spec);
        let mut observed = desired.clone();
        observed.threshold = 0.30000000000000004_f64;
        assert!(diff(&desired, &observed).is_empty());
        observed.threshold = 0.31;
        assert_eq!(diff(&desired, &observed).len(), 1);
    }

    #[test]
    fn an_alarm_waits_for_its_topic() {
        let mut spec = lab();
        let topic = Uuid::from_u128(7);
        spec.alarm_actions = vec![Action::Topic(topic)];
        assert!(spec.resolve(|_| None).is_none());
        let config = spec
            .resolve(|_| Some("arn:aws:sns:r:1:t".to_owned()))
            .unwrap();
        assert_eq!(config.alarm_actions, vec!["arn:aws:sns:r:1:t"]);
        assert_eq!(spec.topics().collect::<Vec<_>>(), vec![topic]);
    }

    #[test]
    fn adopting_gives_a_spec_that_plans_no_change() {
        let observed = resolved(&lab());
        let spec = observed.to_spec();
        assert!(spec.problems().is_empty());
        assert_eq!(diff(&resolved(&spec), &observed), vec![]);
    }

    #[test]
    fn every_template_is_valid_once_named_and_pointed_at_something() {
        for template in Template::ALL {
            let mut spec = template.spec();
            spec.name = template.key().to_owned();
            spec.dimensions[0].value = "x".to_owned();
            assert_eq!(spec.problems(), vec![], "{template:?}");
            assert_eq!(Template::from_key(template.key()), Some(template));
        }
    }
}

/// The alarm form as the browser sends it: every field as typed. Dimensions are lines of
/// `Name=Value`; actions are lines, each a topic of the team (by name) or an ARN.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AlarmForm {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub namespace: String,
    pub metric_name: String,
    #[serde(default)]
    pub dimensions: String,
    pub statistic: String,
    pub period_seconds: String,
    pub evaluation_periods: String,
    #[serde(default)]
    pub datapoints_to_alarm: String,
    pub threshold: String,
    pub comparison: String,
    #[serde(default)]
    pub treat_missing_data: String,
    #[serde(default)]
    pub alarm_actions: String,
    #[serde(default)]
    pub ok_actions: String,
    #[serde(default)]
    pub insufficient_data_actions: String,
}

/// A form field and what is wrong with it.
pub type FieldError = (&'static str, AlarmError);

impl AlarmForm {
    /// The spec, or every field's problem. `topics` are the team's topics (id, name), for
    /// actions that name one.
    pub fn parse(&self, topics: &[(Uuid, String)]) -> Result<AlarmSpec, Vec<FieldError>> {
        let mut errors: Vec<FieldError> = Vec::new();
        let mut number = |field: &'static str, text: &str, error: AlarmError| -> u32 {
            text.trim().parse::<u32>().unwrap_or_else(|_| {
                errors.push((field, error));
                0
            })
        };
        let period_seconds = number("period_seconds", &self.period_seconds, AlarmError::Period);
        let evaluation_periods = number(
            "evaluation_periods",
            &self.evaluation_periods,
            AlarmError::EvaluationPeriods,
        );
        let datapoints_to_alarm = match self.datapoints_to_alarm.trim() {
            "" => None,
            text => Some(number(
                "datapoints_to_alarm",
                text,
                AlarmError::DatapointsToAlarm,
            )),
        };
        let threshold = self.threshold.trim().parse::<f64>().unwrap_or_else(|_| {
            errors.push(("threshold", AlarmError::Threshold));
            0.0
        });
        let statistic = Statistic::parse(&self.statistic).unwrap_or_else(|e| {
            errors.push(("statistic", e));
            Statistic::Average
        });
        let comparison = Comparison::parse(self.comparison.trim()).unwrap_or_else(|| {
            errors.push(("comparison", AlarmError::Threshold));
            Comparison::GreaterThanThreshold
        });
        let treat_missing_data = match self.treat_missing_data.trim() {
            "" => MissingData::default(),
            text => MissingData::parse(text).unwrap_or_default(),
        };
        let mut dimensions = Vec::new();
        for (index, line) in lines(&self.dimensions).enumerate() {
            match line.split_once('=') {
                Some((name, value)) => dimensions.push(Dimension {
                    name: name.trim().to_owned(),
                    value: value.trim().to_owned(),
                }),
                None => errors.push(("dimensions", AlarmError::Dimension { index })),
            }
        }
        let mut actions = |field: &'static str, text: &str| -> Vec<Action> {
            lines(text)
                .filter_map(|line| {
                    if let Some((id, _)) = topics.iter().find(|(_, name)| name == line) {
                        Some(Action::Topic(*id))
                    } else {
                        Action::parse_arn(line)
                            .map_err(|e| errors.push((field, e)))
                            .ok()
                    }
                })
                .collect()
        };
        let alarm_actions = actions("alarm_actions", &self.alarm_actions);
        let ok_actions = actions("ok_actions", &self.ok_actions);
        let insufficient_data_actions =
            actions("insufficient_data_actions", &self.insufficient_data_actions);
        let spec = AlarmSpec {
            name: self.name.trim().to_owned(),
            description: self.description.trim().to_owned(),
            namespace: self.namespace.trim().to_owned(),
            metric_name: self.metric_name.trim().to_owned(),
            dimensions,
            statistic,
            period_seconds,
            evaluation_periods,
            datapoints_to_alarm,
            threshold,
            comparison,
            treat_missing_data,
            actions_enabled: true,
            alarm_actions,
            ok_actions,
            insufficient_data_actions,
        };
        // What parsed is checked too, so every field's problem comes back at once.
        for problem in spec.problems() {
            if !errors.iter().any(|(field, _)| *field == problem.field()) {
                errors.push((problem.field(), problem));
            }
        }
        if errors.is_empty() {
            Ok(spec)
        } else {
            Err(errors)
        }
    }

    /// The form filled in from a spec (to edit it), naming topics by their names.
    pub fn from_spec(spec: &AlarmSpec, topics: &[(Uuid, String)]) -> Self {
        let actions = |list: &[Action]| {
            list.iter()
                .map(|a| match a {
                    Action::Topic(id) => topics
                        .iter()
                        .find(|(t, _)| t == id)
                        .map_or_else(|| id.to_string(), |(_, name)| name.clone()),
                    Action::Arn(arn) => arn.clone(),
                })
                .collect::<Vec<_>>()
                .join("\n")
        };
        AlarmForm {
            name: spec.name.clone(),
            description: spec.description.clone(),
            namespace: spec.namespace.clone(),
            metric_name: spec.metric_name.clone(),
            dimensions: spec
                .dimensions
                .iter()
                .map(|d| format!("{}={}", d.name, d.value))
                .collect::<Vec<_>>()
                .join("\n"),
            statistic: spec.statistic.as_str().to_owned(),
            period_seconds: spec.period_seconds.to_string(),
            evaluation_periods: spec.evaluation_periods.to_string(),
            datapoints_to_alarm: spec
                .datapoints_to_alarm
                .map(|n| n.to_string())
                .unwrap_or_default(),
            threshold: number(spec.threshold),
            comparison: spec.comparison.as_str().to_owned(),
            treat_missing_data: spec.treat_missing_data.as_str().to_owned(),
            alarm_actions: actions(&spec.alarm_actions),
            ok_actions: actions(&spec.ok_actions),
            insufficient_data_actions: actions(&spec.insufficient_data_actions),
        }
    }
}

fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.split(['\n', ','])
        .map(str::trim)
        .filter(|line| !line.is_empty())
}

impl AlarmError {
    /// The form field the problem belongs to.
    pub fn field(&self) -> &'static str {
        match self {
            AlarmError::Name => "name",
            AlarmError::Description => "description",
            AlarmError::Namespace => "namespace",
            AlarmError::MetricName => "metric_name",
            AlarmError::Dimension { .. } | AlarmError::TooManyDimensions => "dimensions",
            AlarmError::Statistic => "statistic",
            AlarmError::Period => "period_seconds",
            AlarmError::EvaluationPeriods => "evaluation_periods",
            AlarmError::DatapointsToAlarm => "datapoints_to_alarm",
            AlarmError::Threshold => "threshold",
            AlarmError::TooManyActions | AlarmError::Action => "alarm_actions",
        }
    }
}

#[cfg(test)]
mod form_tests {
    use super::*;

    fn lab_form() -> AlarmForm {
        AlarmForm {
            name: "ebs-write-bytes".into(),
            namespace: "AWS/EBS".into(),
            metric_name: "VolumeWriteBytes".into(),
            dimensions: "VolumeId=vol-0123".into(),
            statistic: "Sum".into(),
            period_seconds: "300".into(),
            evaluation_periods: "1".into(),
            threshold: "100000".into(),
            comparison: "GreaterThanThreshold".into(),
            alarm_actions: "ops".into(),
            ..AlarmForm::default()
        }
    }

    #[test]
    fn the_lab_form_parses_and_names_its_topic() {
        let ops = Uuid::from_u128(1);
        let spec = lab_form().parse(&[(ops, "ops".into())]).unwrap();
        assert_eq!(spec.alarm_actions, vec![Action::Topic(ops)]);
        assert_eq!(spec.threshold, 100000.0);
        assert_eq!(
            AlarmForm::from_spec(&spec, &[(ops, "ops".into())]).alarm_actions,
            "ops"
        );
    }

    #[test]
    fn every_field_error_comes_back_at_once() {
        let mut form = lab_form();
        form.period_seconds = "five".into();
        form.threshold = "lots".into();
        form.dimensions = "VolumeId".into();
        form.alarm_actions = "no-such-topic".into();
        let errors = form.parse(&[]).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|(f, _)| *f).collect();
        assert_eq!(
            fields,
            ["period_seconds", "threshold", "dimensions", "alarm_actions"]
        );
    }
}
