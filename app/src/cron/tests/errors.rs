//! One case per mistake: the kind, the field, the exact span in the input and the fix.

use std::ops::Range;

use rstest::rstest;

use crate::cron::{CronError, Dialect, Field, Lang, Schedule, convert};

fn parse_error(input: &str) -> CronError {
    match input.parse::<Schedule>() {
        Ok(parsed) => panic!("{input} should fail, got {parsed}"),
        Err(error) => error,
    }
}

#[rstest]
#[case::empty("", "empty", None, 0..0, None)]
#[case::blank("   ", "empty", None, 0..3, None)]
#[case::unknown_form("hello", "unknown_form", None, 0..5, None)]
#[case::form_in_capitals("CRON(0 12 * * ? *)", "unknown_form", None, 0..4, Some("cron(0 12 * * ? *)"))]
#[case::bare_aws_fields("0 12 * * ? *", "unknown_form", None, 0..12, Some("cron(0 12 * * ? *)"))]
#[case::unclosed("cron(0 12 * * ? *", "unclosed_paren", None, 17..17, Some("cron(0 12 * * ? *)"))]
#[case::trailing("cron(0 12 * * ? *) x", "trailing_text", None, 18..20, Some("cron(0 12 * * ? *)"))]
#[case::unix_fields("cron(0 12 * * ?)", "field_count", None, 5..15, Some("cron(0 12 * * ? *)"))]
#[case::quartz_fields("cron(0 0 12 * * ? *)", "field_count", None, 5..19, Some("cron(0 12 * * ? *)"))]
#[case::no_fields("cron()", "field_count", None, 5..5, None)]
#[case::empty_between_commas("cron(0,,5 12 * * ? *)", "empty_part", Some(Field::Minutes), 7..8, None)]
#[case::trailing_comma("cron(0, 12 * * ? *)", "empty_part", Some(Field::Minutes), 6..7, None)]
#[case::range_without_end("cron(5- 12 * * ? *)", "missing_value", Some(Field::Minutes), 7..7, None)]
#[case::stray_letter("cron(1x 12 * * ? *)", "unexpected_char", Some(Field::Minutes), 6..7, None)]
#[case::multibyte_char("cron(1é 12 * * ? *)", "unexpected_char", Some(Field::Minutes), 6..8, None)]
#[case::lowercase_l("cron(0 12 ? * 6l *)", "unexpected_char", Some(Field::DayOfWeek), 15..16, Some("cron(0 12 ? * 6L *)"))]
#[case::unknown_day("cron(0 12 ? * FUNDAY *)", "unknown_name", Some(Field::DayOfWeek), 14..20, None)]
#[case::long_day_name("cron(0 12 ? * Monday *)", "unknown_name", Some(Field::DayOfWeek), 14..20, Some("cron(0 12 ? * MON *)"))]
#[case::long_month_name("cron(0 12 1 January ? *)", "unknown_name", Some(Field::Month), 12..19, Some("cron(0 12 1 JAN ? *)"))]
#[case::minute_60("cron(60 12 * * ? *)", "out_of_range", Some(Field::Minutes), 5..7, None)]
#[case::hour_24("cron(0 24 * * ? *)", "out_of_range", Some(Field::Hours), 7..9, None)]
#[case::day_32("cron(0 12 32 * ? *)", "out_of_range", Some(Field::DayOfMonth), 10..12, None)]
#[case::month_13("cron(0 12 * 13 ? *)", "out_of_range", Some(Field::Month), 12..14, None)]
#[case::weekday_0("cron(0 12 ? * 0 *)", "out_of_range", Some(Field::DayOfWeek), 14..15, Some("cron(0 12 ? * 1 *)"))]
#[case::weekday_8("cron(0 12 ? * 1-8 *)", "out_of_range", Some(Field::DayOfWeek), 16..17, None)]
#[case::year_1969("cron(0 12 * * ? 1969)", "out_of_range", Some(Field::Year), 16..20, None)]
#[case::year_2200("cron(0 12 * * ? 2025-2200)", "out_of_range", Some(Field::Year), 21..25, None)]
#[case::last_offset_31("cron(0 0 L-31 * ? *)", "out_of_range", Some(Field::DayOfMonth), 11..13, None)]
#[case::huge_number("cron(99999999999999999999999 * * * ? *)", "out_of_range", Some(Field::Minutes), 5..28, None)]
#[case::step_0("cron(*/0 * * * ? *)", "invalid_step", Some(Field::Minutes), 7..8, None)]
#[case::step_61("cron(*/61 * * * ? *)", "invalid_step", Some(Field::Minutes), 7..9, None)]
#[case::step_without_number("cron(*/ * * * ? *)", "missing_value", Some(Field::Minutes), 7..7, None)]
#[case::sixth_friday("cron(0 12 ? * 6#6 *)", "nth_out_of_range", Some(Field::DayOfWeek), 16..17, None)]
#[case::reversed_years("cron(0 12 * * ? 2025-2020)", "reversed_range", Some(Field::Year), 16..25, None)]
#[case::question_in_minutes("cron(? 12 * * ? *)", "not_allowed_here", Some(Field::Minutes), 5..6, None)]
#[case::l_in_year("cron(0 12 * * ? L)", "not_allowed_here", Some(Field::Year), 16..17, None)]
#[case::w_in_day_of_week("cron(0 12 ? * 2W *)", "not_allowed_here", Some(Field::DayOfWeek), 15..16, None)]
#[case::hash_in_day_of_month("cron(0 12 1#2 * ? *)", "not_allowed_here", Some(Field::DayOfMonth), 11..12, None)]
#[case::l_in_a_list("cron(0 12 L,15 * ? *)", "must_stand_alone", Some(Field::DayOfMonth), 10..11, None)]
#[case::two_hashes("cron(0 12 ? * 2#1,3#2 *)", "must_stand_alone", Some(Field::DayOfWeek), 14..17, None)]
#[case::star_in_a_list("cron(*,5 12 * * ? *)", "must_stand_alone", Some(Field::Minutes), 5..6, None)]
#[case::question_in_a_list("cron(0 12 ?,1 * ? *)", "must_stand_alone", Some(Field::DayOfMonth), 10..11, None)]
#[case::both_days_star("cron(0 12 * * * *)", "no_specific_missing", Some(Field::DayOfWeek), 14..15, Some("cron(0 12 * * ? *)"))]
#[case::star_and_weekday("cron(0 12 * * MON *)", "no_specific_missing", Some(Field::DayOfMonth), 10..11, Some("cron(0 12 ? * MON *)"))]
#[case::day_and_star("cron(0 12 1 * * *)", "no_specific_missing", Some(Field::DayOfWeek), 14..15, Some("cron(0 12 1 * ? *)"))]
#[case::both_days_set("cron(0 12 1 * MON *)", "no_specific_missing", Some(Field::DayOfWeek), 14..17, None)]
#[case::both_days_question("cron(0 12 ? * ? *)", "no_specific_twice", Some(Field::DayOfMonth), 10..11, Some("cron(0 12 * * ? *)"))]
#[case::rate_without_unit("rate(5)", "rate_form", None, 5..6, None)]
#[case::rate_empty("rate()", "rate_form", None, 5..5, None)]
#[case::rate_zero("rate(0 minutes)", "rate_value", None, 5..6, None)]
#[case::rate_fraction("rate(1.5 hours)", "rate_value", None, 5..8, None)]
#[case::rate_huge("rate(5000000000 minutes)", "out_of_range", None, 5..15, None)]
#[case::rate_seconds("rate(5 seconds)", "rate_unit", None, 7..14, None)]
#[case::rate_capital_unit("rate(5 Minutes)", "rate_unit", None, 7..14, Some("rate(5 minutes)"))]
#[case::rate_one_minutes("rate(1 minutes)", "rate_unit_number", None, 7..14, Some("rate(1 minute)"))]
#[case::rate_five_hour("rate(5 hour)", "rate_unit_number", None, 7..11, Some("rate(5 hours)"))]
#[case::at_with_space("at(2026-03-08 14:30:00)", "at_format", None, 3..22, None)]
#[case::at_without_seconds("at(2026-03-08T14:30)", "at_format", None, 3..19, None)]
#[case::at_in_utc("at(2026-03-08T14:30:00Z)", "at_format", None, 3..23, Some("at(2026-03-08T14:30:00)"))]
#[case::at_february_30("at(2026-02-30T10:00:00)", "at_invalid_date", None, 3..22, None)]
#[case::at_hour_24("at(2026-01-01T24:00:00)", "at_invalid_date", None, 3..22, None)]
fn rejects_with_field_span_and_fix(
    #[case] input: &str,
    #[case] code: &str,
    #[case] field: Option<Field>,
    #[case] span: Range<usize>,
    #[case] fixed: Option<&str>,
) {
    let error = parse_error(input);
    assert_eq!(error.kind.code(), code, "{error:?}");
    assert_eq!(error.field, field, "{error:?}");
    assert_eq!(error.span, span, "{error:?}");
    assert_eq!(error.fixed.as_deref(), fixed, "{error:?}");
    assert!(
        input.get(error.span.clone()).is_some(),
        "span on char boundaries"
    );
    for lang in [Lang::En, Lang::Ko] {
        assert!(!error.message(lang).is_empty());
    }
    if let Some(fixed) = fixed {
        assert!(fixed.parse::<Schedule>().is_ok(), "the fix parses: {fixed}");
    }
}

#[test]
fn weekday_zero_says_how_aws_counts() {
    let error = parse_error("cron(0 12 ? * 0 *)");
    assert_eq!(
        error.to_string(),
        "day-of-week: 0 is out of range; allowed 1-7. AWS counts 1-7 = SUN-SAT; did you mean 1 \
         (SUN)?"
    );
    assert_eq!(
        error.suggestion(Lang::Ko).as_deref(),
        Some("AWS는 1-7 = SUN-SAT로 셉니다. 1(SUN)을 뜻했나요?")
    );
}

#[test]
fn messages_say_what_is_allowed_in_the_field() {
    let error = parse_error("cron(1x 12 * * ? *)");
    assert_eq!(
        error.message(Lang::En),
        "minutes: unexpected “x”. Allowed here: 0-59 and , - * /."
    );
    assert_eq!(
        error.message(Lang::Ko),
        "분 필드: “x”은(는) 쓸 수 없는 글자입니다. 쓸 수 있는 값: 0-59 및 , - * /."
    );
    let error = parse_error("cron(0 12 ? * 2W *)");
    assert_eq!(
        error.message(Lang::En),
        "day-of-week: “W” is not allowed here. Allowed here: 1-7 or SUN-SAT (1 = SUN) and , - * ? \
         / L #."
    );
}

#[test]
fn singular_rate_unit_is_suggested() {
    let error = parse_error("rate(1 minutes)");
    assert_eq!(
        error.to_string(),
        "With a value of 1 the unit is singular: minute, hour or day. Did you mean “rate(1 \
         minute)”?"
    );
    assert_eq!(
        error.suggestion(Lang::Ko).as_deref(),
        Some("“rate(1 minute)”을(를) 뜻했나요?")
    );
}

#[test]
fn both_day_fields_star_suggests_question_mark_in_day_of_week() {
    let error = parse_error("cron(0 12 * * * *)");
    assert_eq!(error.field, Some(Field::DayOfWeek));
    assert_eq!(
        error.suggestion(Lang::En).as_deref(),
        Some("Did you mean “cron(0 12 * * ? *)”?")
    );
}

#[test]
fn five_fields_offer_to_convert_from_unix() {
    let error = parse_error("cron(0 9 * * 1-5)");
    assert_eq!(
        error.suggestion(Lang::En).as_deref(),
        Some("This looks like Unix cron. Convert it to AWS form: cron(0 9 ? * MON-FRI *)?")
    );
    let error = parse_error("0 9 * * 1-5");
    assert_eq!(
        error.suggestion(Lang::Ko).as_deref(),
        Some("Unix cron 형식 같습니다. AWS 형식으로 변환할까요: cron(0 9 ? * MON-FRI *)?")
    );
    // Two rules cannot replace the input, so the offer stays without a fix.
    let error = parse_error("0 9 1 * 1");
    assert_eq!(error.fixed, None);
    assert_eq!(
        error.suggestion(Lang::En).as_deref(),
        Some("This looks like Unix cron. Convert it to AWS form?")
    );
}

#[test]
fn both_day_fields_set_suggests_two_schedules() {
    let error = parse_error("cron(0 12 1 * MON *)");
    assert_eq!(
        error.suggestion(Lang::En).as_deref(),
        Some("Put “?” in day-of-month or day-of-week, or make two schedules.")
    );
}

#[test]
fn spans_count_bytes_of_the_original_input() {
    // Leading whitespace and a multi-byte character before the mistake.
    let input = " \u{a0}cron(0 12 * * ? 1969)";
    let error = parse_error(input);
    assert_eq!(&input[error.span.clone()], "1969");
}

fn convert_error(input: &str, from: Option<Dialect>) -> CronError {
    match convert(input, from) {
        Ok(conversion) => panic!("{input} should fail, got {conversion:?}"),
        Err(error) => error,
    }
}

#[test]
fn quartz_seconds_must_be_zero() {
    let error = convert_error("30 0 12 * * ?", Some(Dialect::Quartz));
    assert_eq!(error.kind.code(), "seconds_not_zero");
    assert_eq!(
        (error.field, error.span.clone()),
        (Some(Field::Seconds), 0..2)
    );
    assert_eq!(
        error.message(Lang::En),
        "Seconds must be 0 to convert: AWS cron has no seconds field and runs at second 0."
    );
}

#[test]
fn unknown_unix_shortcut() {
    let error = convert_error("@reboot", None);
    assert_eq!(
        (error.kind.code(), error.span.clone()),
        ("unknown_nickname", 0..7)
    );
    let error = convert_error(" @DAILY", None);
    assert_eq!(error.fixed.as_deref(), Some("@daily"));
}

#[test]
fn unix_errors_use_unix_rules() {
    let error = convert_error("0 12 * *", Some(Dialect::Unix));
    assert_eq!(
        (error.kind.code(), error.span.clone()),
        ("field_count", 0..8)
    );
    assert!(
        error
            .message(Lang::En)
            .starts_with("Unix cron needs 5 fields")
    );
    let error = convert_error("0 12 * * 8", Some(Dialect::Unix));
    assert_eq!(
        (error.field, error.span.clone()),
        (Some(Field::DayOfWeek), 9..10)
    );
    assert_eq!(
        error.message(Lang::En),
        "day-of-week: 8 is out of range; allowed 0-7."
    );
}

#[test]
fn quartz_with_both_days_set_is_rejected() {
    let error = convert_error("0 0 12 1 * MON", Some(Dialect::Quartz));
    assert_eq!(error.kind.code(), "no_specific_missing");
    assert_eq!(error.span, 11..14);
}
