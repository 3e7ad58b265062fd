//! The next runs, in the chosen zone and in UTC, with daylight-saving shifts marked.
use super::{Reading, merged_runs};
use crate::components::text::tr;
use crate::cron::{Tz, stamp};
use crate::i18n::{Locale, t, use_i18n};
use chrono::{DateTime, Datelike, Offset, SecondsFormat, TimeZone, Utc, Weekday};
use leptos::prelude::*;

/// One run as the table shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRow {
    pub utc: DateTime<Utc>,
    /// The UTC offset in the chosen zone, in seconds.
    pub offset: i32,
    /// Set when this run's offset differs from the previous run's: the clocks changed.
    pub shift_from: Option<i32>,
}

pub fn rows(runs: &[DateTime<Utc>], tz: Tz) -> Vec<RunRow> {
    let mut previous: Option<i32> = None;
    runs.iter()
        .map(|run| {
            let offset = tz
                .offset_from_utc_datetime(&run.naive_utc())
                .fix()
                .local_minus_utc();
            let shift_from = previous.filter(|before| *before != offset);
            previous = Some(offset);
            RunRow {
                utc: *run,
                offset,
                shift_from,
            }
        })
        .collect()
}

/// `UTC+9`, `UTC−7`, `UTC+5:30`.
pub fn offset_label(seconds: i32) -> String {
    let sign = if seconds < 0 { '−' } else { '+' };
    let minutes = seconds.abs() / 60;
    match minutes % 60 {
        0 => format!("UTC{sign}{}", minutes / 60),
        rest => format!("UTC{sign}{}:{rest:02}", minutes / 60),
    }
}

fn weekday(day: Weekday, locale: Locale) -> &'static str {
    const EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const KO: [&str; 7] = ["월", "화", "수", "목", "금", "토", "일"];
    let index = day.num_days_from_monday() as usize;
    if locale == Locale::ko {
        KO[index]
    } else {
        EN[index]
    }
}

/// `2026-11-23 Mon 09:00` in the zone: unambiguous, whatever the reader's habits.
pub fn local_label(run: DateTime<Utc>, tz: Tz, locale: Locale) -> String {
    let local = run.with_timezone(&tz);
    format!(
        "{} {} {}",
        stamp::date(local.date_naive()),
        weekday(local.weekday(), locale),
        stamp::time(local.time(), false)
    )
}

#[component]
pub fn Runs(
    reading: Memo<Reading>,
    from: DateTime<Utc>,
    tz: RwSignal<Tz>,
    count: RwSignal<usize>,
) -> impl IntoView {
    let i18n = use_i18n();
    let table = Memo::new(move |_| {
        let schedules = reading.with(Reading::schedules);
        let tz = tz.get();
        rows(&merged_runs(&schedules, from, count.get(), tz), tz)
    });
    let has_schedule = move || !reading.with(Reading::schedules).is_empty();

    view! {
        <section class="runs" aria-labelledby="runs-title">
            <h2 id="runs-title">{tr!(i18n, cron_next_runs)}</h2>
            <p class="hint">
                {t!(i18n, cron_counted_from, from = move || from.to_rfc3339_opts(SecondsFormat::Secs, true))}
            </p>
            <Show
                when=move || has_schedule() && !table.with(Vec::is_empty)
                fallback=move || view! {
                    <p class="empty" data-testid="no-runs">
                        {move || if has_schedule() {
                            tr!(i18n, cron_never_runs).into_any()
                        } else {
                            tr!(i18n, cron_nothing_to_preview).into_any()
                        }}
                    </p>
                }
            >
                <table data-testid="runs">
                    <thead>
                        <tr>
                            <th scope="col">"#"</th>
                            <th scope="col">{move || tz.get().name()}</th>
                            <th scope="col">"UTC"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || {
                            let locale = i18n.get_locale();
                            let zone = tz.get();
                            table
                                .get()
                                .into_iter()
                                .enumerate()
                                .map(|(index, row)| {
                                    let datetime = row.utc.to_rfc3339_opts(SecondsFormat::Secs, true);
                                    let shift = row.shift_from.map(|before| {
                                        let text = format!("{} → {}", offset_label(before), offset_label(row.offset));
                                        view! {
                                            <span class="dst-shift" data-testid="dst-shift">
                                                {tr!(i18n, cron_clocks_change)} " " {text}
                                            </span>
                                        }
                                    });
                                    view! {
                                        <tr>
                                            <td>{index + 1}</td>
                                            <td>
                                                <time datetime=datetime.clone()>{local_label(row.utc, zone, locale)}</time>
                                                " " <span class="offset">{offset_label(row.offset)}</span>
                                                {shift}
                                            </td>
                                            <td class="utc">{stamp::date_time(row.utc.naive_utc(), ' ', false).to_string()}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()
                        }}
                    </tbody>
                </table>
            </Show>
        </section>
    }
}
