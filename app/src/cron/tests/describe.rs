//! Descriptions in English and Korean.

use rstest::rstest;

use super::schedule;
use crate::cron::Lang;

#[rstest]
#[case(
    "cron(15 10 ? * 6L 2002-2025)",
    "At 10:15 AM, on the last Friday of the month, 2002 through 2025",
    "2002년부터 2025년까지 매월 마지막 금요일 오전 10:15에"
)]
#[case("cron(0/15 * * * ? *)", "Every 15 minutes", "15분마다")]
#[case(
    "cron(0/5 9-17 ? * MON-FRI *)",
    "Every 5 minutes, between 09:00 AM and 05:59 PM, Monday through Friday",
    "매주 월요일부터 금요일까지 오전 9:00부터 오후 5:59까지 5분마다"
)]
#[case("cron(0 12 * * ? *)", "At 12:00 PM", "오후 12:00에")]
#[case("cron(* * * * ? *)", "Every minute", "매분")]
#[case("cron(0 * * * ? *)", "Every hour", "매시 정각에")]
#[case(
    "cron(30 8,20 1 * ? *)",
    "At 08:30 AM and 08:30 PM, on day 1 of the month",
    "매월 1일 오전 8:30, 오후 8:30에"
)]
#[case(
    "cron(0/30 20-2 ? * MON-FRI *)",
    "Every 30 minutes, between 08:00 PM and 02:59 AM, Monday through Friday",
    "매주 월요일부터 금요일까지 오후 8:00부터 오전 2:59까지 30분마다"
)]
#[case(
    "cron(0 0 L 2 ? *)",
    "At 12:00 AM, on the last day of the month, only in February",
    "2월 마지막 날 오전 12:00에"
)]
#[case(
    "cron(0 9 LW * ? *)",
    "At 09:00 AM, on the last weekday of the month",
    "매월 마지막 평일 오전 9:00에"
)]
#[case(
    "cron(0 9 15W * ? *)",
    "At 09:00 AM, on the weekday nearest day 15 of the month",
    "매월 15일에서 가장 가까운 평일 오전 9:00에"
)]
#[case(
    "cron(0 9 L-3 * ? *)",
    "At 09:00 AM, 3 days before the last day of the month",
    "매월 마지막 날 3일 전 오전 9:00에"
)]
#[case(
    "cron(0 18 ? * 6#3 *)",
    "At 06:00 PM, on the third Friday of the month",
    "매월 셋째 금요일 오후 6:00에"
)]
#[case(
    "cron(0 0 ? * 2,4,6 *)",
    "At 12:00 AM, only on Monday, Wednesday and Friday",
    "매주 월요일, 수요일, 금요일 오전 12:00에"
)]
#[case(
    "cron(15 */2 * JAN-MAR ? 2026)",
    "At 15 minutes past the hour, every 2 hours, January through March, only in 2026",
    "2026년 1월부터 3월까지 2시간마다 15분에"
)]
#[case("cron(0 */6 * * ? *)", "Every 6 hours", "6시간마다")]
#[case(
    "cron(0 9-17/2 * * ? *)",
    "Every 2 hours, between 09:00 AM and 05:59 PM",
    "오전 9:00부터 오후 5:59까지 2시간마다"
)]
#[case(
    "cron(*/15 9,12,17 ? * FRI-MON *)",
    "Every 15 minutes, during the 9 AM, 12 PM and 5 PM hours, Friday through Monday",
    "매주 금요일부터 월요일까지 오전 9시, 오후 12시, 오후 5시에 15분마다"
)]
#[case(
    "cron(5-30/5 * * * ? *)",
    "Every 5 minutes, minutes 5 through 30 past the hour",
    "매시 5분부터 30분까지 5분마다"
)]
#[case(
    "cron(0 9-17 1,15 * ? *)",
    "Every hour from 09:00 AM to 05:00 PM, on days 1 and 15 of the month",
    "매월 1일, 15일 오전 9:00부터 오후 5:00까지 매시 정각에"
)]
#[case(
    "cron(0 10 ? 1/3 L 2025/2)",
    "At 10:00 AM, only on Saturday, only in January, April, July and October, every 2 years from 2025",
    "2025년부터 2년마다 1월, 4월, 7월, 10월 토요일 오전 10:00에"
)]
#[case("rate(1 minute)", "Every minute", "매분")]
#[case("rate(5 minutes)", "Every 5 minutes", "5분마다")]
#[case("rate(1 hour)", "Every hour", "매시간")]
#[case("rate(2 days)", "Every 2 days", "2일마다")]
#[case(
    "at(2026-03-08T14:30:00)",
    "Once, at 02:30 PM on March 8, 2026",
    "2026년 3월 8일 오후 2:30에 한 번"
)]
fn describes_in_english_and_korean(#[case] text: &str, #[case] en: &str, #[case] ko: &str) {
    let parsed = schedule(text);
    assert_eq!(parsed.describe(Lang::En), en);
    assert_eq!(parsed.describe(Lang::Ko), ko);
}
