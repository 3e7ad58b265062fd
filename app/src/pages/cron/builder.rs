//! The visual builder: one editor per field of a `cron()`, or the value and unit of a
//! `rate()`. It edits the parsed model and prints it back into the text box, so text and
//! builder always say the same thing.
use super::{Reading, lang_of};
use crate::components::text::tr;
use crate::cron::{CronExpr, Field, FieldExpr, Lang, Part, Rate, RateUnit, Schedule, StepBase};
use crate::i18n::{t_string, use_i18n};
use leptos::prelude::*;

/// How a field is set, as the builder offers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Every,
    NoSpecific,
    Values,
    Range,
    Step,
    Last,
    LastOffset,
    LastWeekday,
    NearestWeekday,
    NthWeekday,
    LastOfWeekday,
    /// Anything else (a list mixing ranges and steps, say): edited as text.
    Custom,
}

impl Mode {
    const ALL: [Mode; 12] = [
        Mode::Every,
        Mode::NoSpecific,
        Mode::Values,
        Mode::Range,
        Mode::Step,
        Mode::Last,
        Mode::LastOffset,
        Mode::LastWeekday,
        Mode::NearestWeekday,
        Mode::NthWeekday,
        Mode::LastOfWeekday,
        Mode::Custom,
    ];

    fn id(self) -> &'static str {
        match self {
            Mode::Every => "every",
            Mode::NoSpecific => "no-specific",
            Mode::Values => "values",
            Mode::Range => "range",
            Mode::Step => "step",
            Mode::Last => "last",
            Mode::LastOffset => "last-offset",
            Mode::LastWeekday => "last-weekday",
            Mode::NearestWeekday => "nearest-weekday",
            Mode::NthWeekday => "nth-weekday",
            Mode::LastOfWeekday => "last-of-weekday",
            Mode::Custom => "custom",
        }
    }

    fn from_id(id: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|mode| mode.id() == id)
    }
}

/// The modes that make sense for a field.
pub fn modes_for(field: Field) -> Vec<Mode> {
    let mut modes = vec![Mode::Every, Mode::Values, Mode::Range, Mode::Step];
    match field {
        Field::DayOfMonth => modes.extend([
            Mode::NoSpecific,
            Mode::Last,
            Mode::LastOffset,
            Mode::LastWeekday,
            Mode::NearestWeekday,
        ]),
        Field::DayOfWeek => modes.extend([
            Mode::NoSpecific,
            Mode::Last,
            Mode::NthWeekday,
            Mode::LastOfWeekday,
        ]),
        _ => {}
    }
    modes.push(Mode::Custom);
    modes
}

pub fn mode_of(expr: &FieldExpr) -> Mode {
    match expr {
        FieldExpr::Every => Mode::Every,
        FieldExpr::NoSpecific => Mode::NoSpecific,
        FieldExpr::List(parts) => match parts.as_slice() {
            [Part::Range { .. }] => Mode::Range,
            [Part::Step { .. }] => Mode::Step,
            [Part::Last] => Mode::Last,
            [Part::LastOffset(_)] => Mode::LastOffset,
            [Part::LastWeekday] => Mode::LastWeekday,
            [Part::NearestWeekday(_)] => Mode::NearestWeekday,
            [Part::NthWeekday { .. }] => Mode::NthWeekday,
            [Part::LastOfWeekday(_)] => Mode::LastOfWeekday,
            parts
                if !parts.is_empty() && parts.iter().all(|part| matches!(part, Part::Value(_))) =>
            {
                Mode::Values
            }
            _ => Mode::Custom,
        },
    }
}

/// A sensible field expression to start a newly chosen mode with.
pub fn default_for(mode: Mode, field: Field, current: &FieldExpr) -> FieldExpr {
    let (min, max) = field.bounds();
    let first = match current {
        FieldExpr::List(parts) => parts.iter().find_map(|part| match part {
            Part::Value(v) | Part::Range { start: v, .. } => Some(*v),
            _ => None,
        }),
        _ => None,
    }
    .unwrap_or(if field == Field::Year { 2026 } else { min });
    let one = |part| FieldExpr::List(vec![part]);
    match mode {
        Mode::Every => FieldExpr::Every,
        Mode::NoSpecific => FieldExpr::NoSpecific,
        Mode::Values | Mode::Custom => one(Part::Value(first)),
        Mode::Range => one(Part::Range {
            start: first,
            end: (first + 1).min(max),
        }),
        Mode::Step => one(Part::Step {
            base: StepBase::From(if field == Field::Year { first } else { min }),
            step: match field {
                Field::Minutes => 15,
                Field::Hours => 2,
                _ => 2,
            },
        }),
        Mode::Last => one(Part::Last),
        Mode::LastOffset => one(Part::LastOffset(1)),
        Mode::LastWeekday => one(Part::LastWeekday),
        Mode::NearestWeekday => one(Part::NearestWeekday(15)),
        Mode::NthWeekday => one(Part::NthWeekday { weekday: 2, nth: 1 }),
        Mode::LastOfWeekday => one(Part::LastOfWeekday(6)),
    }
}

fn set_field(cron: &mut CronExpr, field: Field, value: FieldExpr) {
    match field {
        Field::Minutes => cron.minutes = value,
        Field::Hours => cron.hours = value,
        Field::DayOfMonth => cron.day_of_month = value,
        Field::Month => cron.month = value,
        Field::DayOfWeek => cron.day_of_week = value,
        Field::Year => cron.year = value,
        Field::Seconds => {}
    }
}

/// The printed text of one field of a cron expression.
fn field_text(cron: &CronExpr, field: Field) -> String {
    let index = Field::AWS.iter().position(|f| *f == field).unwrap_or(0);
    let text = cron.to_string();
    let inner = text.trim_start_matches("cron(").trim_end_matches(')');
    inner
        .split_whitespace()
        .nth(index)
        .unwrap_or("*")
        .to_owned()
}

/// The text with one field replaced: for the "as text" mode.
fn with_field_text(cron: &CronExpr, field: Field, replacement: &str) -> String {
    let index = Field::AWS.iter().position(|f| *f == field).unwrap_or(0);
    let text = cron.to_string();
    let inner = text.trim_start_matches("cron(").trim_end_matches(')');
    let fields: Vec<String> = inner
        .split_whitespace()
        .enumerate()
        .map(|(i, f)| {
            if i == index {
                replacement.trim().to_owned()
            } else {
                f.to_owned()
            }
        })
        .collect();
    format!("cron({})", fields.join(" "))
}

const DAY_NAMES_EN: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const DAY_NAMES_KO: [&str; 7] = ["일", "월", "화", "수", "목", "금", "토"];
const MONTH_NAMES_EN: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];

fn value_label(field: Field, value: u16, lang: Lang) -> String {
    let index = usize::from(value.saturating_sub(1));
    match (field, lang) {
        (Field::DayOfWeek, Lang::En) => DAY_NAMES_EN
            .get(index)
            .map_or_else(|| value.to_string(), |s| (*s).to_owned()),
        (Field::DayOfWeek, Lang::Ko) => DAY_NAMES_KO
            .get(index)
            .map_or_else(|| value.to_string(), |s| (*s).to_owned()),
        (Field::Month, Lang::En) => MONTH_NAMES_EN
            .get(index)
            .map_or_else(|| value.to_string(), |s| (*s).to_owned()),
        (Field::Month, Lang::Ko) => format!("{value}월"),
        _ => value.to_string(),
    }
}

#[component]
pub fn Builder(expr: RwSignal<String>, reading: Memo<Reading>) -> impl IntoView {
    let i18n = use_i18n();
    let schedule = Memo::new(move |_| match reading.get() {
        Reading::Aws(schedule) => Some(schedule),
        _ => None,
    });
    let cron = Memo::new(move |_| match schedule.get() {
        Some(Schedule::Cron(cron)) => Some(cron),
        _ => None,
    });
    let rate = Memo::new(move |_| match schedule.get() {
        Some(Schedule::Rate(rate)) => Some(rate),
        _ => None,
    });
    let update = move |field: Field, value: FieldExpr| {
        if let Some(mut next) = cron.get_untracked() {
            set_field(&mut next, field, value);
            expr.set(Schedule::Cron(next).to_string());
        }
    };
    let kind = move || match schedule.get() {
        Some(Schedule::Cron(_)) => "cron",
        Some(Schedule::Rate(_)) => "rate",
        Some(Schedule::At(_)) => "at",
        None => "",
    };
    let switch_kind = move |ev| {
        let next = match event_target_value(&ev).as_str() {
            "rate" => "rate(15 minutes)",
            "at" => "at(2026-12-24T09:00:00)",
            _ => "cron(0 10 * * ? *)",
        };
        expr.set(next.to_owned());
    };
    // Either-or: AWS needs `?` in exactly one of the day fields.
    let by_weekday = move || {
        cron.with(|c| {
            c.as_ref()
                .is_some_and(|c| c.day_of_month == FieldExpr::NoSpecific)
        })
    };
    let choose_days = move |weekday: bool| {
        if let Some(mut next) = cron.get_untracked() {
            if weekday {
                next.day_of_month = FieldExpr::NoSpecific;
                if next.day_of_week == FieldExpr::NoSpecific {
                    next.day_of_week = FieldExpr::List(vec![Part::Range { start: 2, end: 6 }]);
                }
            } else {
                next.day_of_week = FieldExpr::NoSpecific;
                if next.day_of_month == FieldExpr::NoSpecific {
                    next.day_of_month = FieldExpr::Every;
                }
            }
            expr.set(Schedule::Cron(next).to_string());
        }
    };

    view! {
        <section class="builder" aria-labelledby="builder-title">
            <h2 id="builder-title">{tr!(i18n, cron_builder)}</h2>
            <Show
                when=move || schedule.with(Option::is_some)
                fallback=move || view! { <p class="hint">{tr!(i18n, cron_builder_needs_valid)}</p> }
            >
                <div class="field">
                    <label for="kind">{tr!(i18n, cron_kind)}</label>
                    <select id="kind" on:change=switch_kind prop:value=kind>
                        <option value="cron" selected=move || kind() == "cron">"cron()"</option>
                        <option value="rate" selected=move || kind() == "rate">"rate()"</option>
                        <option value="at" selected=move || kind() == "at">"at()"</option>
                    </select>
                </div>
                <Show when=move || cron.with(Option::is_some)>
                    <div class="fields">
                        <FieldEditor field=Field::Minutes cron expr update />
                        <FieldEditor field=Field::Hours cron expr update />
                        <fieldset class="days">
                            <legend>{tr!(i18n, cron_days)}</legend>
                            <label>
                                <input type="radio" name="days" value="month" prop:checked=move || !by_weekday() on:change=move |_| choose_days(false) />
                                {tr!(i18n, cron_days_by_month)}
                            </label>
                            <label>
                                <input type="radio" name="days" value="week" prop:checked=by_weekday on:change=move |_| choose_days(true) />
                                {tr!(i18n, cron_days_by_week)}
                            </label>
                            <p class="hint">{tr!(i18n, cron_days_either_or)}</p>
                            {move || if by_weekday() {
                                view! { <FieldEditor field=Field::DayOfWeek cron expr update /> }.into_any()
                            } else {
                                view! { <FieldEditor field=Field::DayOfMonth cron expr update /> }.into_any()
                            }}
                        </fieldset>
                        <FieldEditor field=Field::Month cron expr update />
                        <FieldEditor field=Field::Year cron expr update />
                    </div>
                </Show>
                <Show when=move || rate.with(Option::is_some)>
                    <RateEditor rate expr />
                </Show>
            </Show>
        </section>
    }
}

#[component]
fn RateEditor(rate: Memo<Option<Rate>>, expr: RwSignal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let value = move || rate.with(|r| r.as_ref().map_or(1, |r| r.value));
    let unit = move || rate.with(|r| r.as_ref().map_or(RateUnit::Minute, |r| r.unit));
    let unit_id = |unit: RateUnit| match unit {
        RateUnit::Minute => "minute",
        RateUnit::Hour => "hour",
        RateUnit::Day => "day",
    };
    let set = move |value: u32, unit: RateUnit| {
        expr.set(
            Schedule::Rate(Rate {
                value: value.max(1),
                unit,
            })
            .to_string(),
        );
    };
    view! {
        <div class="rate-editor">
            <label for="rate-value">{tr!(i18n, cron_rate_every)}</label>
            <input
                id="rate-value"
                type="number"
                min="1"
                prop:value=move || value().to_string()
                on:change=move |ev| {
                    if let Ok(v) = event_target_value(&ev).parse::<u32>() {
                        set(v, unit());
                    }
                }
            />
            <select aria-label=tr!(i18n, rate_unit) on:change=move |ev| {
                let unit = match event_target_value(&ev).as_str() {
                    "hour" => RateUnit::Hour,
                    "day" => RateUnit::Day,
                    _ => RateUnit::Minute,
                };
                set(value(), unit);
            }>
                {[RateUnit::Minute, RateUnit::Hour, RateUnit::Day]
                    .into_iter()
                    .map(|u| view! {
                        <option value=unit_id(u) selected=move || unit() == u>
                            {move || match u {
                                RateUnit::Minute => t_string!(i18n, unit_minutes),
                                RateUnit::Hour => t_string!(i18n, unit_hours),
                                RateUnit::Day => t_string!(i18n, unit_days),
                            }}
                        </option>
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

/// One field: a mode and the inputs that mode needs.
#[component]
fn FieldEditor<U>(
    field: Field,
    cron: Memo<Option<CronExpr>>,
    expr: RwSignal<String>,
    update: U,
) -> impl IntoView
where
    U: Fn(Field, FieldExpr) + Copy + Send + Sync + 'static,
{
    let i18n = use_i18n();
    let lang = move || lang_of(i18n.get_locale());
    let mode_label = move |mode: Mode| match mode {
        Mode::Every => t_string!(i18n, mode_every),
        Mode::NoSpecific => t_string!(i18n, mode_no_specific),
        Mode::Values => t_string!(i18n, mode_values),
        Mode::Range => t_string!(i18n, mode_range),
        Mode::Step => t_string!(i18n, mode_step),
        Mode::Last if field == Field::DayOfWeek => t_string!(i18n, mode_saturday),
        Mode::Last => t_string!(i18n, mode_last_day),
        Mode::LastOffset => t_string!(i18n, mode_last_offset),
        Mode::LastWeekday => t_string!(i18n, mode_last_weekday),
        Mode::NearestWeekday => t_string!(i18n, mode_nearest_weekday),
        Mode::NthWeekday => t_string!(i18n, mode_nth_weekday),
        Mode::LastOfWeekday => t_string!(i18n, mode_last_of_weekday),
        Mode::Custom => t_string!(i18n, mode_custom),
    };
    let current = Memo::new(move |_| {
        cron.with(|c| c.as_ref().and_then(|c| c.field(field).cloned()))
            .unwrap_or(FieldExpr::Every)
    });
    let mode = Memo::new(move |_| current.with(mode_of));
    let id = match field {
        Field::Minutes => "minutes",
        Field::Hours => "hours",
        Field::DayOfMonth => "day-of-month",
        Field::Month => "month",
        Field::DayOfWeek => "day-of-week",
        Field::Year => "year",
        Field::Seconds => "seconds",
    };
    let select_id = format!("mode-{id}");
    let (min, max) = field.bounds();
    let set_part = move |part: Part| update(field, FieldExpr::List(vec![part]));

    let number = move |label: &'static str,
                       value: u16,
                       lo: u16,
                       hi: u16,
                       on: Box<dyn Fn(u16) + Send + Sync>| {
        view! {
            <label class="inline">
                {label} " "
                <input
                    type="number"
                    min=lo.to_string()
                    max=hi.to_string()
                    prop:value=value.to_string()
                    on:change=move |ev| {
                        if let Ok(v) = event_target_value(&ev).parse::<u16>() {
                            on(v.clamp(lo, hi));
                        }
                    }
                />
            </label>
        }
    };

    let inputs = move || {
        let lang = lang();
        match current.get() {
            FieldExpr::List(parts) => match (mode.get(), parts.as_slice()) {
                (Mode::Values, _) if field != Field::Year => {
                    let chosen: Vec<u16> = parts.iter().filter_map(|p| if let Part::Value(v) = p { Some(*v) } else { None }).collect();
                    view! {
                        <div class="values" role="group">
                            {(min..=max).map(|value| {
                                let on = chosen.contains(&value);
                                let chosen = chosen.clone();
                                view! {
                                    <button
                                        type="button"
                                        class="value"
                                        aria-pressed=on.to_string()
                                        on:click=move |_| {
                                            let mut next = chosen.clone();
                                            if on { next.retain(|v| *v != value) } else { next.push(value) }
                                            next.sort_unstable();
                                            if next.is_empty() {
                                                update(field, FieldExpr::Every);
                                            } else {
                                                update(field, FieldExpr::List(next.into_iter().map(Part::Value).collect()));
                                            }
                                        }
                                    >
                                        {value_label(field, value, lang)}
                                    </button>
                                }
                            }).collect_view()}
                        </div>
                    }.into_any()
                }
                (Mode::Range, [Part::Range { start, end }]) => {
                    let (start, end) = (*start, *end);
                    view! {
                        <div class="inputs">
                            {number(t_string!(i18n, builder_from), start, min, max, Box::new(move |v| set_part(Part::Range { start: v, end })))}
                            {number(t_string!(i18n, builder_to), end, min, max, Box::new(move |v| set_part(Part::Range { start, end: v })))}
                        </div>
                    }.into_any()
                }
                (Mode::Step, [Part::Step { base, step }]) => {
                    let (base, step) = (*base, *step);
                    let start = match base {
                        StepBase::Every => min,
                        StepBase::From(v) | StepBase::Range { start: v, .. } => v,
                    };
                    let with_start = move |v: u16| match base {
                        StepBase::Range { end, .. } => StepBase::Range { start: v, end },
                        _ => StepBase::From(v),
                    };
                    view! {
                        <div class="inputs">
                            {number(t_string!(i18n, builder_every), step, 1, max.saturating_sub(min).max(1), Box::new(move |v| set_part(Part::Step { base, step: v })))}
                            {number(t_string!(i18n, builder_starting_at), start, min, max, Box::new(move |v| set_part(Part::Step { base: with_start(v), step })))}
                        </div>
                    }.into_any()
                }
                (Mode::LastOffset, [Part::LastOffset(n)]) => {
                    number(t_string!(i18n, builder_days_before), u16::from(*n), 1, 30, Box::new(move |v| set_part(Part::LastOffset(v as u8)))).into_any()
                }
                (Mode::NearestWeekday, [Part::NearestWeekday(day)]) => {
                    number(t_string!(i18n, builder_day), u16::from(*day), 1, 31, Box::new(move |v| set_part(Part::NearestWeekday(v as u8)))).into_any()
                }
                (Mode::NthWeekday, [Part::NthWeekday { weekday, nth }]) => {
                    let (weekday, nth) = (*weekday, *nth);
                    view! {
                        <div class="inputs">
                            <WeekdaySelect value=weekday on=move |d| set_part(Part::NthWeekday { weekday: d, nth }) />
                            {number(t_string!(i18n, builder_nth), u16::from(nth), 1, 5, Box::new(move |v| set_part(Part::NthWeekday { weekday, nth: v as u8 })))}
                        </div>
                    }.into_any()
                }
                (Mode::LastOfWeekday, [Part::LastOfWeekday(weekday)]) => {
                    view! { <WeekdaySelect value=*weekday on=move |d| set_part(Part::LastOfWeekday(d)) /> }.into_any()
                }
                (Mode::Values | Mode::Custom, _) => {
                    let text = cron.with(|c| c.as_ref().map(|c| field_text(c, field))).unwrap_or_default();
                    view! {
                        <label class="inline">
                            {t_string!(i18n, builder_as_text)} " "
                            <input
                                type="text"
                                class="field-text"
                                prop:value=text
                                on:change=move |ev| {
                                    if let Some(c) = cron.get_untracked() {
                                        // Goes through the text box, so a mistake is shown where it is.
                                        let replaced = with_field_text(&c, field, &event_target_value(&ev));
                                        expr.set(replaced);
                                    }
                                }
                            />
                        </label>
                    }.into_any()
                }
                _ => ().into_any(),
            },
            _ => ().into_any(),
        }
    };

    view! {
        <div class="field-editor" data-field=id>
            <label for=select_id.clone()>{move || field.name(lang())}</label>
            <select
                id=select_id
                on:change=move |ev| {
                    if let Some(mode) = Mode::from_id(&event_target_value(&ev)) {
                        update(field, default_for(mode, field, &current.get_untracked()));
                    }
                }
            >
                {modes_for(field)
                    .into_iter()
                    .map(|m| view! {
                        <option value=m.id() selected=move || mode.get() == m>{move || mode_label(m)}</option>
                    })
                    .collect_view()}
            </select>
            <code class="field-value">{move || cron.with(|c| c.as_ref().map(|c| field_text(c, field)))}</code>
            {inputs}
        </div>
    }
}

#[component]
fn WeekdaySelect<F>(value: u8, on: F) -> impl IntoView
where
    F: Fn(u8) + Send + Sync + 'static,
{
    let i18n = use_i18n();
    view! {
        <select on:change=move |ev| {
            if let Ok(d) = event_target_value(&ev).parse::<u8>() {
                on(d);
            }
        }>
            {(1..=7u8)
                .map(|d| view! {
                    <option value=d.to_string() selected=d == value>
                        {move || value_label(Field::DayOfWeek, u16::from(d), lang_of(i18n.get_locale()))}
                    </option>
                })
                .collect_view()}
        </select>
    }
}
