//! Unix and Quartz in, AWS out, with the reasons.

use rstest::rstest;

use super::{fmt, utc};
use crate::cron::{ChangeKind, Conversion, Dialect, Field, Lang, convert, detect};

fn converted(input: &str, from: Option<Dialect>) -> Conversion {
    convert(input, from).unwrap_or_else(|e| panic!("{input} should convert: {e}"))
}

fn rules(conversion: &Conversion) -> Vec<String> {
    conversion.rules.iter().map(ToString::to_string).collect()
}

fn codes(conversion: &Conversion) -> Vec<String> {
    conversion
        .changes
        .iter()
        .map(|change| change.kind.code().to_string())
        .collect()
}

#[rstest]
#[case::aws_form("cron(0 12 * * ? *)", Dialect::Aws)]
#[case::aws_rate(" rate(5 minutes)", Dialect::Aws)]
#[case::aws_at("at(2026-01-01T00:00:00)", Dialect::Aws)]
#[case::bare_aws("0 12 * * ? *", Dialect::Aws)]
#[case::bare_aws_with_year("0 12 1 * ? 2026", Dialect::Aws)]
#[case::unix("*/5 * * * *", Dialect::Unix)]
#[case::unix_nickname("@daily", Dialect::Unix)]
#[case::quartz_six("0 0 12 * * ?", Dialect::Quartz)]
#[case::quartz_six_weekday("0 0 12 ? * MON", Dialect::Quartz)]
#[case::quartz_seven("0 0 12 * * ? 2026", Dialect::Quartz)]
#[case::nonsense("hello", Dialect::Aws)]
fn detects_the_dialect(#[case] input: &str, #[case] dialect: Dialect) {
    assert_eq!(detect(input), dialect);
}

#[rstest]
#[case::daily("@daily", "cron(0 0 * * ? *)")]
#[case::midnight("@midnight", "cron(0 0 * * ? *)")]
#[case::hourly("@hourly", "cron(0 * * * ? *)")]
#[case::weekly("@weekly", "cron(0 0 ? * SUN *)")]
#[case::monthly("@monthly", "cron(0 0 1 * ? *)")]
#[case::yearly("@yearly", "cron(0 0 1 1 ? *)")]
#[case::annually(" @annually ", "cron(0 0 1 1 ? *)")]
fn unix_shortcuts_are_written_out(#[case] input: &str, #[case] rule: &str) {
    let conversion = converted(input, None);
    assert_eq!(rules(&conversion), [rule]);
    assert_eq!(
        conversion.changes[0].message(Lang::En),
        format!("“{}” written out as {rule}.", input.trim())
    );
}

#[rstest]
#[case::every_five_minutes("*/5 * * * *", "cron(*/5 * * * ? *)")]
#[case::sunday_as_0("0 9 * * 0", "cron(0 9 ? * SUN *)")]
#[case::sunday_as_7("0 9 * * 7", "cron(0 9 ? * SUN *)")]
#[case::weekdays("30 8 * * 1-5", "cron(30 8 ? * MON-FRI *)")]
#[case::friday_to_sunday("0 9 * * 5-7", "cron(0 9 ? * SUN,FRI-SAT *)")]
#[case::every_other_day("0 9 * * */2", "cron(0 9 ? * SUN,TUE,THU,SAT *)")]
#[case::names("0 9 * * mon,wed", "cron(0 9 ? * MON,WED *)")]
#[case::day_of_month("0 0 1,15 * *", "cron(0 0 1,15 * ? *)")]
#[case::months("0 0 1 jan-jun *", "cron(0 0 1 1-6 ? *)")]
#[case::nth_friday("0 9 * * 5#2", "cron(0 9 ? * 6#2 *)")]
fn unix_converts_to_one_rule(#[case] input: &str, #[case] rule: &str) {
    assert_eq!(rules(&converted(input, None)), [rule]);
}

#[test]
fn unix_weekday_numbers_are_explained() {
    let conversion = converted("0 9 * * 0", None);
    assert_eq!(
        codes(&conversion),
        ["day_of_week_renumbered", "no_specific", "year_added"]
    );
    let renumbered = &conversion.changes[0];
    assert_eq!(renumbered.field, Some(Field::DayOfWeek));
    assert_eq!(renumbered.span, Some(8..9));
    assert_eq!(
        renumbered.message(Lang::En),
        "day-of-week 0 → SUN: AWS counts Sunday as 1 (1-7 = SUN-SAT); Unix counts it as 0 or 7."
    );
    assert_eq!(
        renumbered.message(Lang::Ko),
        "요일 0 → SUN: AWS는 일요일을 1로 셉니다(1-7 = SUN-SAT). Unix는 0 또는 7로 셉니다."
    );
    assert_eq!(
        conversion.changes[1].message(Lang::En),
        "day-of-month * → ?: AWS needs “?” in one of the two day fields; the schedule runs on \
         the same days."
    );
    // Names need no renumbering.
    assert_eq!(
        codes(&converted("0 9 * * MON", None)),
        ["no_specific", "year_added"]
    );
}

#[test]
fn unix_star_in_both_day_fields_becomes_star_and_question_mark() {
    let conversion = converted("0 12 * * *", None);
    assert_eq!(rules(&conversion), ["cron(0 12 * * ? *)"]);
    let change = &conversion.changes[0];
    assert_eq!(
        change.kind,
        ChangeKind::NoSpecific {
            field: Field::DayOfWeek,
            from: "*".to_string()
        }
    );
    assert_eq!(
        conversion.changes[1].message(Lang::En),
        "Added the year field “*” (every year): AWS cron has six fields."
    );
}

#[test]
fn unix_with_both_day_fields_becomes_two_rules() {
    let conversion = converted("0 9 1,15 * MON", None);
    assert_eq!(
        rules(&conversion),
        ["cron(0 9 1,15 * ? *)", "cron(0 9 ? * MON *)"]
    );
    assert_eq!(codes(&conversion), ["split_in_two", "year_added"]);
    assert_eq!(
        conversion.changes[0].message(Lang::En),
        "Both day fields were set: AWS needs “?” in one; Unix ran on either, so this becomes two \
         rules (one by day of month, one by day of week). A day that matches both runs once for \
         each rule."
    );
    assert_eq!(conversion.changes[0].span, Some(4..14));
    // Together the two rules run on the 1st, the 15th and every Monday; Monday the 15th
    // (2026-06-15) is matched by both rules, as the message says.
    let mut runs: Vec<_> = conversion
        .rules
        .iter()
        .flat_map(|rule| rule.next_runs(utc(2026, 6, 1, 12, 0), 5, crate::cron::Tz::UTC))
        .collect();
    runs.sort();
    assert_eq!(
        fmt(runs)[..6],
        [
            "2026-06-08 09:00",
            "2026-06-15 09:00",
            "2026-06-15 09:00",
            "2026-06-22 09:00",
            "2026-06-29 09:00",
            "2026-07-01 09:00"
        ]
    );
}

#[test]
fn unix_day_field_covering_every_day_means_every_day() {
    let conversion = converted("0 9 1-31 * MON", None);
    assert_eq!(rules(&conversion), ["cron(0 9 * * ? *)"]);
    assert!(codes(&conversion).contains(&"every_day".to_string()));
}

#[rstest]
#[case::noon_daily("0 0 12 * * ?", "cron(0 12 * * ? *)", &["seconds_dropped", "year_added"])]
#[case::weekdays("0 15 10 ? * MON-FRI", "cron(15 10 ? * MON-FRI *)", &["seconds_dropped", "year_added"])]
#[case::with_year("0 15 10 ? * 6L 2002-2005", "cron(15 10 ? * 6L 2002-2005)", &["seconds_dropped"])]
#[case::star_in_both("0 0 12 * * *", "cron(0 12 * * ? *)", &["seconds_dropped", "no_specific", "year_added"])]
#[case::star_and_weekday("00 0 12 * * 2", "cron(0 12 ? * MON *)", &["seconds_dropped", "no_specific", "year_added"])]
fn quartz_converts(#[case] input: &str, #[case] rule: &str, #[case] expected: &[&str]) {
    let conversion = converted(input, None);
    assert_eq!(rules(&conversion), [rule]);
    assert_eq!(codes(&conversion), expected);
}

#[test]
fn quartz_seconds_change_is_explained() {
    let conversion = converted("0 0 12 * * ?", Some(Dialect::Quartz));
    assert_eq!(
        conversion.changes[0].message(Lang::En),
        "Dropped the seconds field “0”: AWS cron has none and runs at second 0."
    );
    assert_eq!(
        conversion.changes[0].message(Lang::Ko),
        "초 필드 “0”을 뺐습니다. AWS cron에는 초 필드가 없고 0초에 실행됩니다."
    );
    assert_eq!(conversion.changes[0].span, Some(0..1));
}

#[test]
fn aws_input_converts_to_itself() {
    let conversion = converted("cron(0 12 * * ? *)", None);
    assert_eq!(rules(&conversion), ["cron(0 12 * * ? *)"]);
    assert!(conversion.changes.is_empty());
    let bare = converted("0 12 * * ? *", None);
    assert_eq!(rules(&bare), ["cron(0 12 * * ? *)"]);
    assert_eq!(codes(&bare), ["wrapped_in_cron"]);
}

#[test]
fn a_forced_dialect_is_used() {
    // Six fields read as Quartz: the first is seconds.
    let conversion = converted("0 30 9 * * ?", Some(Dialect::Quartz));
    assert_eq!(rules(&conversion), ["cron(30 9 * * ? *)"]);
    assert!(convert("0 30 9 * * ?", Some(Dialect::Unix)).is_err());
}
