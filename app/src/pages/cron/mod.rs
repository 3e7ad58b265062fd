//! The public cron playground: type or build an AWS schedule expression and see, as you type,
//! what is wrong with it, what it means in plain words, and when it runs in any time zone.
//! Everything is computed in the browser by the same `crate::cron` code the server uses; the
//! server renders the same view for the URL's expression, so a shared link works without
//! JavaScript.
pub mod builder;
pub mod panel;
pub mod runs;

use super::encode;
use crate::components::text::tr;
use crate::cron::{self, Conversion, CronError, Dialect, Lang, Schedule, Tz};
use crate::i18n::{Locale, t, t_string, use_i18n};
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// How many runs the preview lists at most.
pub const MAX_RUNS: usize = 50;
const DEFAULT_RUNS: usize = 10;
const DEFAULT_EXPRESSION: &str = "cron(0 10 * * ? *)";

/// What the text box holds, read.
#[derive(Debug, Clone, PartialEq)]
pub enum Reading {
    Empty,
    /// An AWS expression, as it is.
    Aws(Schedule),
    /// Unix or Quartz input, with its AWS form (one or two rules) and what changed.
    Converted(Dialect, Conversion),
    Invalid(CronError),
}

impl Reading {
    pub fn of(input: &str) -> Self {
        if input.trim().is_empty() {
            return Reading::Empty;
        }
        match input.parse::<Schedule>() {
            Ok(schedule) => Reading::Aws(schedule),
            Err(aws_error) => match cron::detect(input) {
                Dialect::Aws => Reading::Invalid(aws_error),
                dialect => match cron::convert(input, Some(dialect)) {
                    Ok(conversion) => Reading::Converted(dialect, conversion),
                    Err(error) => Reading::Invalid(error),
                },
            },
        }
    }

    /// The AWS schedules to preview.
    pub fn schedules(&self) -> Vec<Schedule> {
        match self {
            Reading::Aws(schedule) => vec![schedule.clone()],
            Reading::Converted(_, conversion) => conversion.rules.clone(),
            Reading::Empty | Reading::Invalid(_) => Vec::new(),
        }
    }
}

pub fn lang_of(locale: Locale) -> Lang {
    match locale {
        Locale::en => Lang::En,
        Locale::ko => Lang::Ko,
    }
}

/// The next `count` runs of all `schedules` together (two rules from a Unix conversion run
/// as one schedule would), earliest first, without duplicates. Each schedule's runs come
/// earliest first, so they are merged, not sorted (a sort's code is kilobytes of wasm).
pub fn merged_runs(
    schedules: &[Schedule],
    from: DateTime<Utc>,
    count: usize,
    tz: Tz,
) -> Vec<DateTime<Utc>> {
    schedules.iter().fold(Vec::new(), |merged, schedule| {
        let mut runs = schedule.next_runs(from, count, tz).into_iter().peekable();
        let mut merged = merged.into_iter().peekable();
        let mut out = Vec::with_capacity(count);
        while out.len() < count {
            let next = match (merged.peek(), runs.peek()) {
                (Some(a), Some(b)) if a <= b => merged.next(),
                (Some(_), Some(_)) | (None, Some(_)) => runs.next(),
                (Some(_), None) => merged.next(),
                (None, None) => break,
            };
            if let Some(run) = next
                && out.last() != Some(&run)
            {
                out.push(run);
            }
        }
        out
    })
}

#[derive(Clone, Copy)]
enum Example {
    Daily10,
    Weekdays18,
    Every15Minutes,
    BusinessHours,
    LastFriday,
    FirstMonday,
    AwsDocs,
}

/// One-click examples: the AWS documentation's and the labs'.
const EXAMPLES: [(Example, &str); 7] = [
    (Example::Daily10, "cron(0 10 * * ? *)"),
    (Example::Weekdays18, "cron(0 18 ? * MON-FRI *)"),
    (Example::Every15Minutes, "rate(15 minutes)"),
    (Example::BusinessHours, "cron(0/5 8-17 ? * MON-FRI *)"),
    (Example::LastFriday, "cron(0 10 ? * 6L *)"),
    (Example::FirstMonday, "cron(0 10 ? * 2#1 *)"),
    (Example::AwsDocs, "cron(15 10 ? * 6L 2002-2025)"),
];

#[component]
pub fn CronPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let initial = query.with_untracked(|query| {
        (
            query
                .get("expr")
                .unwrap_or_else(|| DEFAULT_EXPRESSION.to_owned()),
            query.get("tz").and_then(|tz| tz.parse::<Tz>().ok()),
            query
                .get("count")
                .and_then(|count| count.parse::<usize>().ok())
                .map_or(DEFAULT_RUNS, |count| count.clamp(1, MAX_RUNS)),
            query
                .get("from")
                .and_then(|from| DateTime::parse_from_rfc3339(&from).ok())
                .map(|from| from.with_timezone(&Utc)),
        )
    });
    let (initial_expr, initial_tz, initial_count, fixed_from) = initial;
    let tz_from_url = initial_tz.is_some();

    let expr = RwSignal::new(initial_expr);
    let tz = RwSignal::new(initial_tz.unwrap_or(Tz::UTC));
    let count = RwSignal::new(initial_count);
    // The instant the preview counts from: the URL's `from`, or the server's clock carried
    // into the page, so that hydration sees exactly what the server rendered.
    let now = crate::pages::server_now();
    let from =
        fixed_from.unwrap_or_else(|| DateTime::<Utc>::from_timestamp(now, 0).unwrap_or_default());

    let reading = Memo::new(move |_| expr.with(|text| Reading::of(text)));
    let lang = move || lang_of(i18n.get_locale());

    // In the browser: the zone defaults to the browser's own, and the address bar follows
    // the expression so that a copied link reproduces the view. No request is made.
    #[cfg(feature = "hydrate")]
    {
        Effect::new(move |_| {
            if !tz_from_url && let Some(zone) = browser_time_zone() {
                tz.set(zone);
            }
        });
        Effect::new(move |_| {
            let mut url = share_path(&expr.get(), tz.get(), count.get());
            if let Some(from) = fixed_from {
                url.push_str(&format!(
                    "&from={}",
                    encode(&from.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                ));
            }
            if let Some(history) = web_sys::window().and_then(|window| window.history().ok()) {
                let _ =
                    history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = tz_from_url;

    let description = move || {
        let lang = lang();
        match reading.get() {
            Reading::Aws(schedule) => Some(schedule.describe(lang)),
            Reading::Converted(_, conversion) => Some(
                conversion
                    .rules
                    .iter()
                    .map(|rule| rule.describe(lang))
                    .collect::<Vec<_>>()
                    .join(if lang == Lang::Ko { " / " } else { "; and " }),
            ),
            _ => None,
        }
    };

    // leptos_meta reads the title while the server streams the page, outside the page's
    // reactive arena, where reading the language signal panics now and then (a 500 for
    // /cron, seen once in the browser tests): the server's title is the language the page
    // is rendered in, read now; the browser's follows a switch.
    #[cfg(feature = "ssr")]
    let title = {
        let locale = i18n.get_locale_untracked();
        move || crate::i18n::td_string!(locale, cron_title)
    };
    #[cfg(not(feature = "ssr"))]
    let title = tr!(i18n, cron_title);
    view! {
        <leptos_meta::Title text=title />
        <section class="playground">
            <h1>{tr!(i18n, cron_title)}</h1>
            <p class="lede">{tr!(i18n, cron_lede)}</p>

            <form class="expr-form" method="get" action="/cron" on:submit=|ev| ev.prevent_default()>
                <div class="field expr-field">
                    <label for="expr">{tr!(i18n, cron_expression)}</label>
                    <input
                        id="expr"
                        name="expr"
                        type="text"
                        spellcheck="false"
                        autocomplete="off"
                        autocapitalize="off"
                        prop:value=move || expr.get()
                        value=move || expr.get_untracked()
                        on:input=move |ev| expr.set(event_target_value(&ev))
                        aria-invalid=move || matches!(reading.get(), Reading::Invalid(_)).to_string()
                        aria-describedby="expr-feedback expr-description"
                    />
                </div>
                <div class="field">
                    <label for="tz">{tr!(i18n, cron_time_zone)}</label>
                    <select id="tz" name="tz" prop:value=move || tz.get().name() on:change=move |ev| {
                        if let Ok(zone) = event_target_value(&ev).parse::<Tz>() {
                            tz.set(zone);
                        }
                    }>
                        {zone_options(tz.get_untracked().name())}
                    </select>
                </div>
                <div class="field narrow">
                    <label for="count">{tr!(i18n, cron_count)}</label>
                    <input
                        id="count"
                        name="count"
                        type="number"
                        min="1"
                        max=MAX_RUNS.to_string()
                        prop:value=move || count.get().to_string()
                        value=move || count.get_untracked().to_string()
                        on:input=move |ev| {
                            if let Ok(value) = event_target_value(&ev).parse::<usize>() {
                                count.set(value.clamp(1, MAX_RUNS));
                            }
                        }
                    />
                </div>
                <noscript>
                    <button type="submit" class="button primary">{tr!(i18n, cron_show)}</button>
                </noscript>
            </form>

            <div id="expr-feedback" class="feedback" aria-live="polite">
                {move || match reading.get() {
                    Reading::Invalid(error) => view! { <ErrorView error expr /> }.into_any(),
                    Reading::Converted(dialect, conversion) => view! { <ConversionView dialect conversion expr /> }.into_any(),
                    Reading::Empty => view! { <p class="hint">{tr!(i18n, cron_empty)}</p> }.into_any(),
                    Reading::Aws(_) => ().into_any(),
                }}
            </div>
            <p id="expr-description" class="description" data-testid="description">
                {description}
            </p>

            <UtcRule reading tz from />

            <builder::Builder expr reading />

            <section class="examples" aria-labelledby="examples-title">
                <h2 id="examples-title">{tr!(i18n, cron_examples)}</h2>
                <ul>
                    {EXAMPLES
                        .iter()
                        .map(|(key, example)| {
                            let key = *key;
                            let label = move || match key {
                                Example::Daily10 => t_string!(i18n, example_daily_10),
                                Example::Weekdays18 => t_string!(i18n, example_weekdays_18),
                                Example::Every15Minutes => t_string!(i18n, example_every_15_minutes),
                                Example::BusinessHours => t_string!(i18n, example_business_hours),
                                Example::LastFriday => t_string!(i18n, example_last_friday),
                                Example::FirstMonday => t_string!(i18n, example_first_monday),
                                Example::AwsDocs => t_string!(i18n, example_aws_docs),
                            };
                            view! {
                                <li>
                                    <a
                                        href=share_path(example, Tz::UTC, DEFAULT_RUNS)
                                        on:click=move |ev| {
                                            ev.prevent_default();
                                            expr.set((*example).to_owned());
                                        }
                                    >
                                        <span>{label}</span>
                                        <code>{*example}</code>
                                    </a>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </section>

            <runs::Runs reading from tz count />
        </section>
    }
}

/// An expression read in a zone other than UTC, as an EventBridge rule would have to be: the
/// UTC rule that runs at the same moments, or why there is none; and a warning of what the
/// expression itself would do in a rule, which reads it in UTC.
#[component]
pub fn UtcRule(reading: Memo<Reading>, tz: RwSignal<Tz>, from: DateTime<Utc>) -> impl IntoView {
    let i18n = use_i18n();
    let cron = Memo::new(move |_| match reading.get() {
        Reading::Aws(schedule @ Schedule::Cron(_)) => Some(schedule),
        _ => None,
    });
    let shown = move || tz.get() != Tz::UTC && cron.with(Option::is_some);
    let translated = Memo::new(move |_| {
        let zone = tz.get();
        cron.get()
            .filter(|_| zone != Tz::UTC)
            .map(|schedule| cron::to_utc(&schedule, zone, from).map(|utc| utc.to_string()))
    });
    // The expression's own next run in a rule (read in UTC), when it is not the local one.
    let misread = Memo::new(move |_| {
        let zone = tz.get();
        let schedule = cron.get().filter(|_| zone != Tz::UTC)?;
        let as_rule = schedule.next_runs(from, 1, Tz::UTC).first().copied()?;
        let as_written = schedule.next_runs(from, 1, zone).first().copied();
        (as_written != Some(as_rule)).then_some(as_rule)
    });
    let zone_name = move || tz.get().name();
    view! {
        <Show when=shown fallback=|| ()>
            <section class="utc-rule" aria-labelledby="utc-rule-title" data-testid="utc-rule">
                <h2 id="utc-rule-title">{tr!(i18n, cron_rule_title)}</h2>
                {move || match translated.get() {
                    Some(Ok(rule)) => {
                        let href = share_path(&rule, Tz::UTC, DEFAULT_RUNS);
                        view! {
                            <p>{t!(i18n, cron_rule_same, zone = zone_name)}</p>
                            <p>
                                <code data-testid="utc-expression">{rule}</code> " "
                                <a href=href rel="external" data-testid="open-utc">{tr!(i18n, cron_rule_open)}</a>
                            </p>
                        }
                            .into_any()
                    }
                    Some(Err(error)) => {
                        let offset_changes = matches!(error, cron::ZoneError::OffsetChanges { .. });
                        view! {
                            <p class="warning" data-testid="utc-none">
                                {tr!(i18n, cron_rule_none)} " "
                                {move || error.message(lang_of(i18n.get_locale()))}
                            </p>
                            {(!offset_changes).then(|| view! { <p>{t!(i18n, cron_rule_scheduler, zone = zone_name)}</p> })}
                        }
                            .into_any()
                    }
                    None => ().into_any(),
                }}
                {move || misread.get().map(|run| view! {
                    <p class="hint warning" data-testid="utc-warning">
                        {t!(i18n, cron_rule_warning,
                            when = move || runs::local_label(run, tz.get(), i18n.get_locale()),
                            zone = zone_name)}
                    </p>
                })}
            </section>
        </Show>
    }
}

/// Every IANA zone as the options of a select, the one called `chosen` selected in the
/// server's HTML. In the browser the select follows its zone through its `value` property
/// (`prop:value=move || tz.get().name()` on the select): one effect, not one for each of the
/// 597 options, to hydrate and to run again at every change.
pub fn zone_options(chosen: &str) -> impl IntoView + use<> {
    Tz::all()
        .map(|zone| {
            let name = zone.name();
            view! { <option value=name selected=name == chosen>{name}</option> }
        })
        .collect_view()
}

/// `/cron?expr=…&tz=…&count=…`, the address that reproduces a view.
pub fn share_path(expr: &str, tz: Tz, count: usize) -> String {
    let mut path = format!("/cron?expr={}&tz={}", encode(expr), encode(tz.name()));
    if count != DEFAULT_RUNS {
        path.push_str(&format!("&count={count}"));
    }
    path
}

#[cfg(feature = "hydrate")]
fn browser_time_zone() -> Option<Tz> {
    let options = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
        .resolved_options();
    let zone = js_sys::Reflect::get(&options, &"timeZone".into())
        .ok()?
        .as_string()?;
    zone.parse().ok()
}

/// The mistake, underlined where it is, with what is allowed and the fix when there is one.
#[component]
pub fn ErrorView(error: CronError, expr: RwSignal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let input = expr.get_untracked();
    let span = error.span.clone();
    let start = span.start.min(input.len());
    let end = span.end.clamp(start, input.len());
    let (before, marked, after) =
        match (input.get(..start), input.get(start..end), input.get(end..)) {
            (Some(before), Some(marked), Some(after)) => {
                (before.to_owned(), marked.to_owned(), after.to_owned())
            }
            _ => (input.clone(), String::new(), String::new()),
        };
    // An empty span marks where something is missing: show a visible gap there.
    let missing = marked.is_empty();
    let fixed = error.fixed.clone();
    let error_for_text = error.clone();
    let message = move || error_for_text.message(lang_of(i18n.get_locale()));
    let error_for_hint = error.clone();
    let suggestion = move || error_for_hint.suggestion(lang_of(i18n.get_locale()));
    view! {
        <div class="error" role="alert" data-testid="error">
            <pre class="echo" aria-hidden="true">
                {before}
                <mark class:missing=missing data-testid="error-span" data-start=start data-end=end>
                    {if missing { " ".to_owned() } else { marked }}
                </mark>
                {after}
            </pre>
            <p class="message">{message}</p>
            {move || suggestion().map(|text| view! { <p class="suggestion">{text}</p> })}
            {fixed.map(|fixed| {
                let label = fixed.clone();
                view! {
                    <button type="button" class="button" on:click=move |_| expr.set(fixed.clone())>
                        {tr!(i18n, cron_apply_fix)} " " <code>{label}</code>
                    </button>
                }
            })}
        </div>
    }
}

/// Unix or Quartz input: the AWS form, and each change explained.
#[component]
pub fn ConversionView(
    dialect: Dialect,
    conversion: Conversion,
    expr: RwSignal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let dialect_name = match dialect {
        Dialect::Unix => "Unix cron",
        Dialect::Quartz => "Quartz cron",
        Dialect::Aws => "AWS",
    };
    let rules: Vec<String> = conversion.rules.iter().map(ToString::to_string).collect();
    let single = (rules.len() == 1).then(|| rules[0].clone());
    let changes = conversion.changes.clone();
    view! {
        <div class="conversion" data-testid="conversion">
            <p>{t!(i18n, cron_converted, dialect = move || dialect_name)}</p>
            <ul class="rules">
                {rules.into_iter().map(|rule| view! { <li><code data-testid="aws-form">{rule}</code></li> }).collect_view()}
            </ul>
            <ul class="changes">
                {move || {
                    let lang = lang_of(i18n.get_locale());
                    changes.iter().map(|change| view! { <li>{change.message(lang)}</li> }).collect_view()
                }}
            </ul>
            {single.map(|rule| view! {
                <button type="button" class="button" on:click=move |_| expr.set(rule.clone())>
                    {tr!(i18n, cron_use_aws_form)}
                </button>
            })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What merging must give: every rule's runs, sorted, each once, the first `count`.
    fn all_sorted(
        schedules: &[Schedule],
        from: DateTime<Utc>,
        count: usize,
        tz: Tz,
    ) -> Vec<DateTime<Utc>> {
        let mut runs: Vec<_> = schedules
            .iter()
            .flat_map(|schedule| schedule.next_runs(from, count, tz))
            .collect();
        runs.sort();
        runs.dedup();
        runs.truncate(count);
        runs
    }

    #[test]
    fn two_rules_of_a_unix_cron_run_as_one_schedule() {
        let from = DateTime::from_timestamp(1_795_000_000, 0).unwrap();
        let zones: [Tz; 3] = ["UTC", "Asia/Seoul", "America/New_York"].map(|z| z.parse().unwrap());
        for input in [
            "0 9 1 * MON",
            "30 8 1-7 * 1",
            "0 0 13 * FRI",
            "*/20 6 * * *",
        ] {
            let schedules = Reading::of(input).schedules();
            assert!(!schedules.is_empty(), "{input}");
            for tz in zones {
                for count in [1, 7, MAX_RUNS] {
                    let merged = merged_runs(&schedules, from, count, tz);
                    assert_eq!(
                        merged,
                        all_sorted(&schedules, from, count, tz),
                        "{input} in {tz:?}"
                    );
                    assert_eq!(merged.len(), count, "{input}");
                }
            }
        }
        // Day 1 or a Monday: two rules, whose runs interleave.
        assert_eq!(Reading::of("0 9 1 * MON").schedules().len(), 2);
        // A run both rules have is listed once.
        let daily: Schedule = "cron(0 10 * * ? *)".parse().unwrap();
        let twice = merged_runs(&[daily.clone(), daily.clone()], from, 10, Tz::UTC);
        assert_eq!(twice, daily.next_runs(from, 10, Tz::UTC));
    }
}
