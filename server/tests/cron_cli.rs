//! `belfry cron …` as a script would call it: the real binary, its output and exit codes.
use serde_json::Value;
use std::process::{Command, Output};

fn belfry(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_belfry"))
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .expect("belfry runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("UTF-8 output")
}

#[test]
fn next_prints_utc_instants_one_a_line() {
    let output = belfry(&[
        "cron",
        "next",
        "cron(0 10 * * ? *)",
        "--from",
        "2026-11-22T00:00:00Z",
        "--count",
        "3",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "2026-11-22T10:00:00Z\n2026-11-23T10:00:00Z\n2026-11-24T10:00:00Z\n"
    );
}

#[test]
fn next_reads_the_expression_in_a_time_zone_and_prints_json() {
    // 09:00 in Seoul is 00:00 UTC. From Friday 09:00 KST exactly, the next weekday runs are
    // Monday, Tuesday, Wednesday: the start instant itself is excluded.
    let output = belfry(&[
        "cron",
        "next",
        "cron(0 9 ? * MON-FRI *)",
        "--from",
        "2026-11-20T00:00:00Z",
        "--count",
        "3",
        "--tz",
        "Asia/Seoul",
        "--json",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let runs: Vec<String> = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(
        runs,
        [
            "2026-11-23T00:00:00Z",
            "2026-11-24T00:00:00Z",
            "2026-11-25T00:00:00Z"
        ]
    );
}

#[test]
fn next_counts_a_rate_from_the_start_instant_in_any_offset() {
    let output = belfry(&[
        "cron",
        "next",
        "rate(5 minutes)",
        "--from",
        "2026-11-22T09:00:00+09:00",
        "--count",
        "2",
    ]);
    assert_eq!(
        stdout(&output),
        "2026-11-22T00:05:00Z\n2026-11-22T00:10:00Z\n"
    );
}

#[test]
fn next_says_so_when_a_schedule_never_runs() {
    let output = belfry(&[
        "cron",
        "next",
        "cron(0 0 31 2 ? *)",
        "--from",
        "2026-01-01T00:00:00Z",
    ]);
    assert!(output.status.success());
    assert_eq!(stdout(&output), "");
    assert!(
        stderr(&output).contains("only 0 runs"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn next_refuses_a_count_outside_1_to_1000() {
    for count in ["0", "1001"] {
        let output = belfry(&["cron", "next", "rate(1 day)", "--count", count]);
        assert_eq!(output.status.code(), Some(2), "count {count}");
        assert!(stderr(&output).contains("1..=1000"));
    }
}

#[test]
fn check_accepts_a_valid_expression() {
    let output = belfry(&["cron", "check", "cron(0/30 20-2 ? * MON-FRI *)"]);
    assert!(output.status.success());
    assert_eq!(stdout(&output), "valid: cron(0/30 20-2 ? * MON-FRI *)\n");
}

#[test]
fn check_points_at_the_mistake_and_suggests_the_fix() {
    let output = belfry(&["cron", "check", "cron(0 12 ? * 0 *)"]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("error: day-of-week:"), "{text}");
    assert_eq!(lines[1], "  cron(0 12 ? * 0 *)");
    // The caret sits under the 0 in the day-of-week field.
    assert_eq!(
        lines[2],
        format!("  {}^", " ".repeat("cron(0 12 ? * ".len()))
    );
    assert!(lines[3].contains("did you mean 1 (SUN)"), "{text}");
}

#[test]
fn check_json_gives_field_span_and_message() {
    let output = belfry(&["cron", "check", "rate(1 minutes)", "--json"]);
    assert_eq!(output.status.code(), Some(1));
    let body: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(body["valid"], false);
    let error = &body["error"];
    let span = error["span"].as_array().unwrap();
    let (start, end) = (
        span[0].as_u64().unwrap() as usize,
        span[1].as_u64().unwrap() as usize,
    );
    assert_eq!(&"rate(1 minutes)"[start..end], "minutes");
    assert_eq!(error["fixed"], "rate(1 minute)");
    assert!(!error["message"].as_str().unwrap().is_empty());
}

#[test]
fn check_speaks_korean_when_asked() {
    let output = belfry(&["cron", "check", "cron(0 12 ? * 0 *)", "--lang", "ko"]);
    assert!(stderr(&output).contains("요일"), "{}", stderr(&output));
}

#[test]
fn describe_in_english_and_korean() {
    let en = belfry(&["cron", "describe", "cron(15 10 ? * 6L 2002-2025)"]);
    assert_eq!(
        stdout(&en),
        "At 10:15 AM, on the last Friday of the month, 2002 through 2025\n"
    );
    let ko = belfry(&[
        "cron",
        "describe",
        "cron(15 10 ? * 6L 2002-2025)",
        "--lang",
        "ko",
    ]);
    assert_eq!(
        stdout(&ko),
        "2002년부터 2025년까지 매월 마지막 금요일 오전 10:15에\n"
    );
}

#[test]
fn an_aws_command_given_unix_cron_offers_the_conversion() {
    let output = belfry(&["cron", "check", "*/5 * * * *"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("cron(*/5 * * * ? *)"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn convert_unix_to_aws_and_says_what_changed() {
    let output = belfry(&["cron", "convert", "0 9 * * 1-5", "--json"]);
    assert!(output.status.success());
    let body: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(
        body["rules"],
        serde_json::json!(["cron(0 9 ? * MON-FRI *)"])
    );
    let codes: Vec<&str> = body["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"day_of_week_renumbered"), "{codes:?}");
}

#[test]
fn convert_unix_with_both_day_fields_makes_two_rules() {
    let output = belfry(&["cron", "convert", "0 9 1 * 1"]);
    let text = stdout(&output);
    let rules: Vec<&str> = text.lines().filter(|line| !line.starts_with('#')).collect();
    assert_eq!(rules, ["cron(0 9 1 * ? *)", "cron(0 9 ? * MON *)"]);
}

#[test]
fn utc_prints_the_rule_for_a_seoul_schedule_and_refuses_new_york_with_the_reason() {
    let output = belfry(&[
        "cron",
        "utc",
        "cron(0 8 ? * MON *)",
        "--tz",
        "Asia/Seoul",
        "--from",
        "2026-11-22T00:00:00Z",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "cron(0 23 ? * SUN *)\n");

    let output = belfry(&["cron", "utc", "cron(0 5 1 * ? *)", "--tz", "Asia/Seoul"]);
    assert_eq!(stdout(&output), "cron(0 20 L * ? *)\n");

    let output = belfry(&[
        "cron",
        "utc",
        "cron(0 9 ? * MON-FRI *)",
        "--tz",
        "America/New_York",
        "--lang",
        "ko",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).is_empty());
    assert!(
        stderr(&output).contains("일광 절약 시간"),
        "{}",
        stderr(&output)
    );
}
