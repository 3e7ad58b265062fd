//! A server function's error in the reader's language. `AppError`'s `Display` is English for
//! logs and API clients; pages show it through here.
use crate::api::{AppError, Problem};
use crate::domain::IdentityError;
use crate::domain::alarm::AlarmError;
use crate::domain::aws::ConnectionError;
use crate::domain::rule::{PatternError, RuleError};
use crate::domain::schedule::ScheduleError;
use crate::domain::topic::TopicError;
use crate::i18n::{Locale, t_string, use_i18n};
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use std::collections::HashMap;

/// The message for `error` in the current UI language.
pub fn localized(i18n: I18nContext<Locale>, error: &AppError) -> String {
    match error {
        AppError::Unauthenticated => t_string!(i18n, err_unauthenticated).to_string(),
        AppError::Forbidden => t_string!(i18n, err_forbidden).to_string(),
        AppError::NotFound => t_string!(i18n, err_not_found).to_string(),
        AppError::WrongCredentials => t_string!(i18n, err_wrong_credentials).to_string(),
        AppError::Throttled {
            retry_after_seconds,
        } => t_string!(i18n, err_throttled, seconds = *retry_after_seconds).to_string(),
        AppError::Internal => t_string!(i18n, err_internal).to_string(),
        AppError::Transport(_) => t_string!(i18n, err_transport).to_string(),
        AppError::Invalid { problem, .. } | AppError::Conflict(problem) => {
            problem_text(i18n, problem)
        }
        AppError::InvalidForm { errors } => errors
            .iter()
            .map(|e| problem_text(i18n, &e.problem))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

pub fn problem_text(i18n: I18nContext<Locale>, problem: &Problem) -> String {
    match problem {
        Problem::Identity(IdentityError::EmailInvalid) => {
            t_string!(i18n, err_email_invalid).to_string()
        }
        Problem::Identity(IdentityError::PasswordTooShort { min }) => {
            t_string!(i18n, err_password_too_short, min = *min).to_string()
        }
        Problem::Identity(IdentityError::PasswordTooLong { max }) => {
            t_string!(i18n, err_password_too_long, max = *max).to_string()
        }
        Problem::Identity(IdentityError::TeamNameInvalid { max }) => {
            t_string!(i18n, err_team_name_invalid, max = *max).to_string()
        }
        Problem::Identity(IdentityError::RoleUnknown) => {
            t_string!(i18n, err_role_unknown).to_string()
        }
        Problem::Connection(ConnectionError::Region) => t_string!(i18n, err_region).to_string(),
        Problem::Connection(ConnectionError::RoleArn) => t_string!(i18n, err_role_arn).to_string(),
        Problem::Connection(ConnectionError::Endpoint) => t_string!(i18n, err_endpoint).to_string(),
        Problem::CurrentPasswordWrong => t_string!(i18n, err_current_password_wrong).to_string(),
        Problem::SignupClosed => t_string!(i18n, err_signup_closed).to_string(),
        Problem::InvitationUnusable => t_string!(i18n, err_invitation_unusable).to_string(),
        Problem::AccountExists => t_string!(i18n, err_account_exists).to_string(),
        Problem::Malformed(_) => t_string!(i18n, err_malformed).to_string(),
        Problem::NameTaken => t_string!(i18n, err_name_taken).to_string(),
        Problem::Stale => t_string!(i18n, err_stale).to_string(),
        Problem::NotApplied => t_string!(i18n, err_not_applied).to_string(),
        Problem::Alarm(error) => alarm_text(i18n, error),
        Problem::Topic(error) => topic_text(i18n, error),
        Problem::Rule(error) => rule_text(i18n, error),
        Problem::Schedule(error) => schedule_text(i18n, error),
        Problem::Balancer(error) => error.message(crate::pages::cron::lang_of(i18n.get_locale())),
    }
}

fn alarm_text(i18n: I18nContext<Locale>, error: &AlarmError) -> String {
    match error {
        AlarmError::Name => t_string!(i18n, err_alarm_name).to_string(),
        AlarmError::Description => t_string!(i18n, err_alarm_description).to_string(),
        AlarmError::Namespace => t_string!(i18n, err_alarm_namespace).to_string(),
        AlarmError::MetricName => t_string!(i18n, err_alarm_metric).to_string(),
        AlarmError::Dimension { index } => {
            t_string!(i18n, err_alarm_dimension, index = *index + 1).to_string()
        }
        AlarmError::TooManyDimensions => t_string!(i18n, err_alarm_too_many_dimensions).to_string(),
        AlarmError::Statistic => t_string!(i18n, err_alarm_statistic).to_string(),
        AlarmError::Period => t_string!(i18n, err_alarm_period).to_string(),
        AlarmError::EvaluationPeriods => t_string!(i18n, err_alarm_evaluation_periods).to_string(),
        AlarmError::DatapointsToAlarm => t_string!(i18n, err_alarm_datapoints).to_string(),
        AlarmError::Threshold => t_string!(i18n, err_alarm_threshold).to_string(),
        AlarmError::TooManyActions => t_string!(i18n, err_alarm_too_many_actions).to_string(),
        AlarmError::Action => t_string!(i18n, err_alarm_action).to_string(),
    }
}

fn topic_text(i18n: I18nContext<Locale>, error: &TopicError) -> String {
    match error {
        TopicError::Name => t_string!(i18n, err_topic_name).to_string(),
        TopicError::DisplayName => t_string!(i18n, err_topic_display_name).to_string(),
        TopicError::Email => t_string!(i18n, err_topic_email).to_string(),
        TopicError::HttpsScheme => t_string!(i18n, err_topic_https_scheme).to_string(),
        TopicError::HttpsHost => t_string!(i18n, err_topic_https_host).to_string(),
        TopicError::SqsArn => t_string!(i18n, err_topic_sqs).to_string(),
        TopicError::LambdaArn => t_string!(i18n, err_topic_lambda).to_string(),
    }
}

pub fn rule_text(i18n: I18nContext<Locale>, error: &RuleError) -> String {
    match error {
        RuleError::Name => t_string!(i18n, err_rule_name).to_string(),
        RuleError::Description => t_string!(i18n, err_rule_description).to_string(),
        RuleError::Schedule(error) => error.message(crate::pages::cron::lang_of(i18n.get_locale())),
        RuleError::AtNotForRules => t_string!(i18n, err_rule_at).to_string(),
        RuleError::NeverRuns => t_string!(i18n, err_rule_never_runs).to_string(),
        RuleError::NoTrigger => t_string!(i18n, err_rule_no_trigger).to_string(),
        RuleError::EventPattern(error) => pattern_text(i18n, error),
        RuleError::TooManyTargets => t_string!(i18n, err_rule_too_many_targets).to_string(),
        RuleError::TargetId { index } => {
            t_string!(i18n, err_rule_target_id, index = *index).to_string()
        }
        RuleError::TargetArn { index, expected } if expected.starts_with("SQS") => {
            t_string!(i18n, err_rule_target_sqs, index = *index).to_string()
        }
        RuleError::TargetArn { index, .. } => {
            t_string!(i18n, err_rule_target_lambda, index = *index).to_string()
        }
        RuleError::TargetTopic { index } => {
            t_string!(i18n, err_rule_target_topic, index = *index).to_string()
        }
        RuleError::Retry { index } => t_string!(i18n, err_rule_retry, index = *index).to_string(),
        RuleError::DeadLetter { index } => {
            t_string!(i18n, err_rule_dead_letter, index = *index).to_string()
        }
        RuleError::Input { index, detail } => {
            t_string!(i18n, err_rule_input, index = *index, detail = detail).to_string()
        }
        RuleError::UnknownZone => t_string!(i18n, err_rule_zone).to_string(),
        RuleError::Zone(error) => error.message(crate::pages::cron::lang_of(i18n.get_locale())),
    }
}

pub fn schedule_text(i18n: I18nContext<Locale>, error: &ScheduleError) -> String {
    match error {
        ScheduleError::Name => t_string!(i18n, err_sched_name).to_string(),
        ScheduleError::Group => t_string!(i18n, err_sched_group).to_string(),
        ScheduleError::Description => t_string!(i18n, err_sched_description).to_string(),
        ScheduleError::NeverRuns => t_string!(i18n, err_sched_never_runs).to_string(),
        ScheduleError::Zone => t_string!(i18n, err_sched_zone).to_string(),
        ScheduleError::Date => t_string!(i18n, err_sched_date).to_string(),
        ScheduleError::EndBeforeStart => t_string!(i18n, err_sched_end).to_string(),
        ScheduleError::Window => t_string!(i18n, err_sched_window).to_string(),
        ScheduleError::Target => t_string!(i18n, err_sched_target).to_string(),
        ScheduleError::Role => t_string!(i18n, err_sched_role).to_string(),
        ScheduleError::Retry => t_string!(i18n, err_sched_retry).to_string(),
        ScheduleError::DeadLetter => t_string!(i18n, err_sched_dead_letter).to_string(),
        ScheduleError::StartPast => t_string!(i18n, err_sched_start_past).to_string(),
        ScheduleError::DatesWithAt => t_string!(i18n, err_sched_dates_at).to_string(),
        ScheduleError::Expression(error) => {
            error.message(crate::pages::cron::lang_of(i18n.get_locale()))
        }
        ScheduleError::Input(detail) => {
            t_string!(i18n, err_sched_input, detail = detail).to_string()
        }
    }
}

pub fn pattern_text(i18n: I18nContext<Locale>, error: &PatternError) -> String {
    match error {
        PatternError::NotJson { line, column } => {
            t_string!(i18n, err_rule_pattern_json, line = *line, column = *column).to_string()
        }
        PatternError::NotObject => t_string!(i18n, err_rule_pattern_object).to_string(),
        PatternError::Empty => t_string!(i18n, err_rule_pattern_empty).to_string(),
        PatternError::NotList { path } => {
            t_string!(i18n, err_rule_pattern_not_list, path = path).to_string()
        }
        PatternError::EmptyList { path } => {
            t_string!(i18n, err_rule_pattern_empty_list, path = path).to_string()
        }
        PatternError::TooLong => t_string!(i18n, err_rule_pattern_long).to_string(),
    }
}

/// A form's problems by field from its last save, in the UI language (the first one per
/// field), and the save's error that belongs to no field.
pub fn save_errors<T, S>(value: S) -> (Signal<HashMap<String, String>>, Signal<Option<AppError>>)
where
    T: Clone + Send + Sync + 'static,
    S: Get<Value = Option<Result<T, AppError>>> + Copy + Send + Sync + 'static,
{
    let i18n = use_i18n();
    let fields = Signal::derive(move || {
        let mut map = HashMap::new();
        if let Some(Err(AppError::InvalidForm { errors })) = value.get() {
            for e in errors {
                map.entry(e.field.clone())
                    .or_insert_with(|| problem_text(i18n, &e.problem));
            }
        }
        map
    });
    let other = Signal::derive(move || match value.get() {
        Some(Err(AppError::InvalidForm { .. })) | None | Some(Ok(_)) => None,
        Some(Err(error)) => Some(error),
    });
    (fields, other)
}

/// A form's error, announced to screen readers. Reactive: it follows a language switch.
#[component]
pub fn ErrorNote(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="form-error" role="alert">{move || localized(i18n, &error)}</p> }
}
