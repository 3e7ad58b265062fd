//! One case per grammar rule: what is accepted, the model it gives, and its canonical text.

use rstest::rstest;

use super::schedule;
use crate::cron::{CronExpr, FieldExpr, Part, Rate, RateUnit, Schedule, StepBase};

#[rstest]
#[case::basic("cron(0 12 * * ? *)", "cron(0 12 * * ? *)")]
#[case::surrounding_whitespace("  cron(0 12 * * ? *)\n", "cron(0 12 * * ? *)")]
#[case::runs_of_spaces("cron(0  12\t* * ?   *)", "cron(0 12 * * ? *)")]
#[case::question_in_day_of_month("cron(0 12 ? * 2 *)", "cron(0 12 ? * MON *)")]
#[case::list("cron(0,15,30,45 * * * ? *)", "cron(0,15,30,45 * * * ? *)")]
#[case::range("cron(0 9-17 * * ? *)", "cron(0 9-17 * * ? *)")]
#[case::step_from_value("cron(0/30 * * * ? *)", "cron(0/30 * * * ? *)")]
#[case::step_from_star("cron(*/5 * * * ? *)", "cron(*/5 * * * ? *)")]
#[case::step_over_range("cron(5-30/5 * * * ? *)", "cron(5-30/5 * * * ? *)")]
#[case::wrapping_hours("cron(0/30 20-2 ? * MON-FRI *)", "cron(0/30 20-2 ? * MON-FRI *)")]
#[case::wrapping_weekdays("cron(0 8 ? * FRI-MON *)", "cron(0 8 ? * FRI-MON *)")]
#[case::wrapping_months("cron(0 8 1 NOV-FEB ? *)", "cron(0 8 1 11-2 ? *)")]
#[case::month_names_any_case("cron(0 8 1 jan,Mar,DEC ? *)", "cron(0 8 1 1,3,12 ? *)")]
#[case::weekday_names_any_case("cron(0 8 ? * mon-Fri *)", "cron(0 8 ? * MON-FRI *)")]
#[case::weekday_numbers("cron(0 8 ? * 2-6 *)", "cron(0 8 ? * MON-FRI *)")]
#[case::last_day("cron(0 0 L * ? *)", "cron(0 0 L * ? *)")]
#[case::last_day_offset("cron(0 0 L-3 * ? *)", "cron(0 0 L-3 * ? *)")]
#[case::last_weekday("cron(0 0 LW * ? *)", "cron(0 0 LW * ? *)")]
#[case::nearest_weekday("cron(0 0 15W * ? *)", "cron(0 0 15W * ? *)")]
#[case::last_friday("cron(15 10 ? * 6L 2002-2025)", "cron(15 10 ? * 6L 2002-2025)")]
#[case::last_friday_by_name("cron(15 10 ? * FRIL *)", "cron(15 10 ? * 6L *)")]
#[case::last_in_day_of_week("cron(0 0 ? * L *)", "cron(0 0 ? * L *)")]
#[case::nth_weekday("cron(0 0 ? * 6#3 *)", "cron(0 0 ? * 6#3 *)")]
#[case::nth_weekday_by_name("cron(0 0 ? * fri#3 *)", "cron(0 0 ? * 6#3 *)")]
#[case::year_list("cron(0 0 1 1 ? 2025,2027)", "cron(0 0 1 1 ? 2025,2027)")]
#[case::year_step("cron(0 0 1 1 ? 2024/4)", "cron(0 0 1 1 ? 2024/4)")]
#[case::leading_zeros("cron(05 09 01 01 ? *)", "cron(5 9 1 1 ? *)")]
#[case::upper_bounds("cron(59 23 31 12 ? 2199)", "cron(59 23 31 12 ? 2199)")]
#[case::lower_bounds("cron(0 0 1 1 ? 1970)", "cron(0 0 1 1 ? 1970)")]
#[case::rate_one_minute("rate(1 minute)", "rate(1 minute)")]
#[case::rate_minutes("rate(5 minutes)", "rate(5 minutes)")]
#[case::rate_one_hour("rate(1 hour)", "rate(1 hour)")]
#[case::rate_hours(" rate(12  hours) ", "rate(12 hours)")]
#[case::rate_one_day("rate(1 day)", "rate(1 day)")]
#[case::rate_days("rate(7 days)", "rate(7 days)")]
#[case::at("at(2026-03-08T14:30:00)", "at(2026-03-08T14:30:00)")]
#[case::at_leap_day("at(2028-02-29T00:00:59)", "at(2028-02-29T00:00:59)")]
fn accepts_and_prints_canonically(#[case] input: &str, #[case] canonical: &str) {
    let parsed = schedule(input);
    assert_eq!(parsed.to_string(), canonical);
    assert_eq!(
        schedule(canonical),
        parsed,
        "canonical text reads back the same"
    );
}

fn cron_model(text: &str) -> CronExpr {
    match schedule(text) {
        Schedule::Cron(expr) => expr,
        other => panic!("{text} is not cron: {other:?}"),
    }
}

#[test]
fn steps_keep_their_three_forms() {
    let step = |text: &str| cron_model(text).minutes;
    let list = |part| FieldExpr::List(vec![part]);
    assert_eq!(
        step("cron(*/5 * * * ? *)"),
        list(Part::Step {
            base: StepBase::Every,
            step: 5
        })
    );
    assert_eq!(
        step("cron(0/30 * * * ? *)"),
        list(Part::Step {
            base: StepBase::From(0),
            step: 30
        })
    );
    assert_eq!(
        step("cron(5-30/5 * * * ? *)"),
        list(Part::Step {
            base: StepBase::Range { start: 5, end: 30 },
            step: 5
        })
    );
}

#[test]
fn day_specials_become_their_own_parts() {
    let dom = |text: &str| cron_model(text).day_of_month;
    let dow = |text: &str| cron_model(text).day_of_week;
    let list = |part| FieldExpr::List(vec![part]);
    assert_eq!(dom("cron(0 0 L * ? *)"), list(Part::Last));
    assert_eq!(dom("cron(0 0 L-3 * ? *)"), list(Part::LastOffset(3)));
    assert_eq!(dom("cron(0 0 LW * ? *)"), list(Part::LastWeekday));
    assert_eq!(dom("cron(0 0 3W * ? *)"), list(Part::NearestWeekday(3)));
    assert_eq!(dow("cron(0 0 ? * 6L *)"), list(Part::LastOfWeekday(6)));
    assert_eq!(
        dow("cron(0 0 ? * 2#1 *)"),
        list(Part::NthWeekday { weekday: 2, nth: 1 })
    );
    assert_eq!(dow("cron(0 0 ? * L *)"), list(Part::Last));
    assert_eq!(dom("cron(0 0 ? * L *)"), FieldExpr::NoSpecific);
}

#[test]
fn wrapping_ranges_keep_their_order() {
    assert_eq!(
        cron_model("cron(0 20-2 * * ? *)").hours,
        FieldExpr::List(vec![Part::Range { start: 20, end: 2 }])
    );
}

#[test]
fn rates_and_at_read_into_their_models() {
    assert_eq!(
        schedule("rate(15 minutes)"),
        Schedule::Rate(Rate {
            value: 15,
            unit: RateUnit::Minute
        })
    );
    let at = chrono::NaiveDate::from_ymd_opt(2026, 3, 8)
        .and_then(|d| d.and_hms_opt(14, 30, 5))
        .unwrap();
    assert_eq!(schedule("at(2026-03-08T14:30:05)"), Schedule::At(at));
}

#[test]
fn cron_expr_reads_only_cron() {
    assert!("cron(0 12 * * ? *)".parse::<CronExpr>().is_ok());
    assert!("rate(5 minutes)".parse::<CronExpr>().is_err());
}

#[test]
fn validate_checks_a_hand_built_model() {
    let mut expr = cron_model("cron(0 12 * * ? *)");
    assert_eq!(expr.validate(), Ok(()));
    expr.minutes = FieldExpr::List(vec![Part::Value(75)]);
    let error = expr.validate().unwrap_err();
    assert_eq!(error.field, Some(crate::cron::Field::Minutes));
    assert_eq!(error.span, 5..7, "points into the printed text");
    expr.minutes = FieldExpr::List(vec![Part::Last, Part::Value(3)]);
    assert!(
        expr.validate().is_err(),
        "L cannot be in minutes nor in a list"
    );
}
