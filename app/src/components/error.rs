//! A server function's error in the reader's language. `AppError`'s `Display` is English for
//! logs and API clients; pages show it through here, and the server puts each problem into
//! words through here before it sends it (see [`problem_text`]).
use crate::api::{AppError, Problem};
#[cfg(feature = "ssr")]
use crate::domain::IdentityError;
#[cfg(feature = "ssr")]
use crate::domain::alarm::AlarmError;
#[cfg(feature = "ssr")]
use crate::domain::aws::ConnectionError;
use crate::domain::rule::{PatternError, RuleError};
#[cfg(feature = "ssr")]
use crate::domain::schedule::ScheduleError;
#[cfg(feature = "ssr")]
use crate::domain::topic::TopicError;
use crate::i18n::{Locale, td_string, use_i18n};
use leptos::prelude::*;
use std::collections::HashMap;

/// The message for `error` in `locale`.
pub fn localized(locale: Locale, error: &AppError) -> String {
    match error {
        AppError::Unauthenticated => td_string!(locale, err_unauthenticated).to_string(),
        AppError::Forbidden => td_string!(locale, err_forbidden).to_string(),
        AppError::NotFound => td_string!(locale, err_not_found).to_string(),
        AppError::WrongCredentials => td_string!(locale, err_wrong_credentials).to_string(),
        AppError::Throttled {
            retry_after_seconds,
        } => td_string!(locale, err_throttled, seconds = *retry_after_seconds).to_string(),
        AppError::Internal => td_string!(locale, err_internal).to_string(),
        AppError::Transport(_) => td_string!(locale, err_transport).to_string(),
        AppError::Invalid { problem, .. } | AppError::Conflict(problem) => {
            problem_text(locale, problem)
        }
        AppError::InvalidForm { errors } => errors
            .iter()
            .map(|e| problem_text(locale, &e.problem))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// A problem in `locale`'s words.
///
/// A problem reaches the browser as the server said it, in each language ([`Said`](crate::api::Said): see
/// `Problem`'s `Serialize`), so only the server translates the others, and the browser does
/// not carry every domain's texts and readers, which every page that asked the server
/// something used to download (each dashboard's and the sign-in pages'). The one problem the
/// browser makes itself is server_fn's report of arguments it could not send
/// ([`AppError`]'s `from_server_fn_error`), a malformed request.
#[cfg(not(feature = "ssr"))]
pub fn problem_text(locale: Locale, problem: &Problem) -> String {
    match problem {
        Problem::Said(said) => said.text(locale).to_owned(),
        Problem::Malformed(_) => td_string!(locale, err_malformed).to_string(),
        // Nothing else is made in the browser; if something were, saying so beats a guess.
        _ => {
            leptos::logging::error!("a problem the server did not put into words");
            td_string!(locale, err_internal).to_string()
        }
    }
}

/// On the server, where every problem but the browser's malformed request is found, and
/// put into words for the browser.
#[cfg(feature = "ssr")]
pub fn problem_text(locale: Locale, problem: &Problem) -> String {
    let lang = crate::pages::cron::lang_of(locale);
    match problem {
        Problem::Said(said) => said.text(locale).to_owned(),
        Problem::Identity(IdentityError::EmailInvalid) => {
            td_string!(locale, err_email_invalid).to_string()
        }
        Problem::Identity(IdentityError::PasswordTooShort { min }) => {
            td_string!(locale, err_password_too_short, min = *min).to_string()
        }
        Problem::Identity(IdentityError::PasswordTooLong { max }) => {
            td_string!(locale, err_password_too_long, max = *max).to_string()
        }
        Problem::Identity(IdentityError::TeamNameInvalid { max }) => {
            td_string!(locale, err_team_name_invalid, max = *max).to_string()
        }
        Problem::Identity(IdentityError::RoleUnknown) => {
            td_string!(locale, err_role_unknown).to_string()
        }
        Problem::Connection(ConnectionError::Region) => td_string!(locale, err_region).to_string(),
        Problem::Connection(ConnectionError::RoleArn) => {
            td_string!(locale, err_role_arn).to_string()
        }
        Problem::Connection(ConnectionError::Endpoint) => {
            td_string!(locale, err_endpoint).to_string()
        }
        Problem::CurrentPasswordWrong => td_string!(locale, err_current_password_wrong).to_string(),
        Problem::SignupClosed => td_string!(locale, err_signup_closed).to_string(),
        Problem::InvitationUnusable => td_string!(locale, err_invitation_unusable).to_string(),
        Problem::AccountExists => td_string!(locale, err_account_exists).to_string(),
        Problem::Malformed(_) => td_string!(locale, err_malformed).to_string(),
        Problem::Unmanaged(what) => td_string!(locale, err_unmanaged, what = what).to_string(),
        Problem::Claimed => td_string!(locale, err_claimed).to_string(),
        Problem::NameTaken => td_string!(locale, err_name_taken).to_string(),
        Problem::Stale => td_string!(locale, err_stale).to_string(),
        Problem::NotApplied => td_string!(locale, err_not_applied).to_string(),
        Problem::Alarm(error) => alarm_text(locale, error),
        Problem::Topic(error) => topic_text(locale, error),
        Problem::Rule(error) => rule_text(locale, error),
        Problem::Schedule(error) => schedule_text(locale, error),
        Problem::Balancer(error) => error.message(lang),
    }
}

#[cfg(feature = "ssr")]
fn alarm_text(locale: Locale, error: &AlarmError) -> String {
    match error {
        AlarmError::Name => td_string!(locale, err_alarm_name).to_string(),
        AlarmError::Description => td_string!(locale, err_alarm_description).to_string(),
        AlarmError::Namespace => td_string!(locale, err_alarm_namespace).to_string(),
        AlarmError::MetricName => td_string!(locale, err_alarm_metric).to_string(),
        AlarmError::Dimension { index } => {
            td_string!(locale, err_alarm_dimension, index = *index + 1).to_string()
        }
        AlarmError::TooManyDimensions => {
            td_string!(locale, err_alarm_too_many_dimensions).to_string()
        }
        AlarmError::Statistic => td_string!(locale, err_alarm_statistic).to_string(),
        AlarmError::Period => td_string!(locale, err_alarm_period).to_string(),
        AlarmError::EvaluationPeriods => {
            td_string!(locale, err_alarm_evaluation_periods).to_string()
        }
        AlarmError::DatapointsToAlarm => td_string!(locale, err_alarm_datapoints).to_string(),
        AlarmError::Threshold => td_string!(locale, err_alarm_threshold).to_string(),
        AlarmError::TooManyActions => td_string!(locale, err_alarm_too_many_actions).to_string(),
        AlarmError::Action => td_string!(locale, err_alarm_action).to_string(),
    }
}

#[cfg(feature = "ssr")]
fn topic_text(locale: Locale, error: &TopicError) -> String {
    match error {
        TopicError::Name => td_string!(locale, err_topic_name).to_string(),
        TopicError::DisplayName => td_string!(locale, err_topic_display_name).to_string(),
        TopicError::Email => td_string!(locale, err_topic_email).to_string(),
        TopicError::HttpsScheme => td_string!(locale, err_topic_https_scheme).to_string(),
        TopicError::HttpsHost => td_string!(locale, err_topic_https_host).to_string(),
        TopicError::SqsArn => td_string!(locale, err_topic_sqs).to_string(),
        TopicError::LambdaArn => td_string!(locale, err_topic_lambda).to_string(),
    }
}

pub fn rule_text(locale: Locale, error: &RuleError) -> String {
    match error {
        RuleError::Name => td_string!(locale, err_rule_name).to_string(),
        RuleError::Description => td_string!(locale, err_rule_description).to_string(),
        RuleError::Schedule(error) => error.message(crate::pages::cron::lang_of(locale)),
        RuleError::AtNotForRules => td_string!(locale, err_rule_at).to_string(),
        RuleError::NeverRuns => td_string!(locale, err_rule_never_runs).to_string(),
        RuleError::NoTrigger => td_string!(locale, err_rule_no_trigger).to_string(),
        RuleError::EventPattern(error) => pattern_text(locale, error),
        RuleError::TooManyTargets => td_string!(locale, err_rule_too_many_targets).to_string(),
        RuleError::TargetId { index } => {
            td_string!(locale, err_rule_target_id, index = *index).to_string()
        }
        RuleError::TargetArn { index, expected } if expected.starts_with("SQS") => {
            td_string!(locale, err_rule_target_sqs, index = *index).to_string()
        }
        RuleError::TargetArn { index, .. } => {
            td_string!(locale, err_rule_target_lambda, index = *index).to_string()
        }
        RuleError::TargetTopic { index } => {
            td_string!(locale, err_rule_target_topic, index = *index).to_string()
        }
        RuleError::Retry { index } => {
            td_string!(locale, err_rule_retry, index = *index).to_string()
        }
        RuleError::DeadLetter { index } => {
            td_string!(locale, err_rule_dead_letter, index = *index).to_string()
        }
        RuleError::Input { index, detail } => {
            td_string!(locale, err_rule_input, index = *index, detail = detail).to_string()
        }
        RuleError::UnknownZone => td_string!(locale, err_rule_zone).to_string(),
        RuleError::Zone(error) => error.message(crate::pages::cron::lang_of(locale)),
    }
}

#[cfg(feature = "ssr")]
pub fn schedule_text(locale: Locale, error: &ScheduleError) -> String {
    match error {
        ScheduleError::Name => td_string!(locale, err_sched_name).to_string(),
        ScheduleError::Group => td_string!(locale, err_sched_group).to_string(),
        ScheduleError::Description => td_string!(locale, err_sched_description).to_string(),
        ScheduleError::NeverRuns => td_string!(locale, err_sched_never_runs).to_string(),
        ScheduleError::Zone => td_string!(locale, err_sched_zone).to_string(),
        ScheduleError::Date => td_string!(locale, err_sched_date).to_string(),
        ScheduleError::EndBeforeStart => td_string!(locale, err_sched_end).to_string(),
        ScheduleError::Window => td_string!(locale, err_sched_window).to_string(),
        ScheduleError::Target => td_string!(locale, err_sched_target).to_string(),
        ScheduleError::Role => td_string!(locale, err_sched_role).to_string(),
        ScheduleError::Retry => td_string!(locale, err_sched_retry).to_string(),
        ScheduleError::DeadLetter => td_string!(locale, err_sched_dead_letter).to_string(),
        ScheduleError::StartPast => td_string!(locale, err_sched_start_past).to_string(),
        ScheduleError::DatesWithAt => td_string!(locale, err_sched_dates_at).to_string(),
        ScheduleError::Expression(error) => error.message(crate::pages::cron::lang_of(locale)),
        ScheduleError::Input(detail) => {
            td_string!(locale, err_sched_input, detail = detail).to_string()
        }
    }
}

pub fn pattern_text(locale: Locale, error: &PatternError) -> String {
    match error {
        PatternError::NotJson { line, column } => td_string!(
            locale,
            err_rule_pattern_json,
            line = *line,
            column = *column
        )
        .to_string(),
        PatternError::NotObject => td_string!(locale, err_rule_pattern_object).to_string(),
        PatternError::Empty => td_string!(locale, err_rule_pattern_empty).to_string(),
        PatternError::NotList { path } => {
            td_string!(locale, err_rule_pattern_not_list, path = path).to_string()
        }
        PatternError::EmptyList { path } => {
            td_string!(locale, err_rule_pattern_empty_list, path = path).to_string()
        }
        PatternError::TooLong => td_string!(locale, err_rule_pattern_long).to_string(),
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
                    .or_insert_with(|| problem_text(i18n.get_locale(), &e.problem));
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
    view! { <p class="form-error" role="alert">{move || localized(i18n.get_locale(), &error)}</p> }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::api::Said;
    use crate::domain::rule::RuleError;

    #[test]
    fn a_problem_crosses_the_wire_in_words_and_reads_the_same_in_both_languages() {
        let sent = AppError::InvalidForm {
            errors: vec![
                crate::api::FieldProblem::new("threshold", AlarmError::Threshold),
                crate::api::FieldProblem::new("schedule", RuleError::AtNotForRules),
            ],
        };
        let wire = serde_json::to_value(&sent).unwrap();
        let first = &wire["InvalidForm"]["errors"][0];
        assert_eq!(first["field"], "threshold");
        assert_eq!(
            first["problem"]["en"],
            td_string!(Locale::en, err_alarm_threshold).to_string()
        );
        assert_eq!(
            first["problem"]["ko"],
            td_string!(Locale::ko, err_alarm_threshold).to_string()
        );
        assert_ne!(first["problem"]["en"], first["problem"]["ko"]);
        // The English for API clients and logs is still there.
        assert_eq!(first["message"], AlarmError::Threshold.to_string());

        // What the browser reads: the words, which it shows as the server would have.
        let read: AppError = serde_json::from_value(wire.clone()).unwrap();
        let AppError::InvalidForm { errors } = &read else {
            panic!("{read:?}")
        };
        assert!(matches!(errors[1].problem, Problem::Said(Said { .. })));
        for locale in [Locale::en, Locale::ko] {
            assert_eq!(localized(locale, &read), localized(locale, &sent));
        }
        // Read and sent again, it is the same.
        assert_eq!(serde_json::to_value(&read).unwrap(), wire);
    }
}
