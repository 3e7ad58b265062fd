//! The schedule forms' live half: what the rule form and the Scheduler form show under their
//! expression field (what is wrong with it, what it means, the builder, the next runs), all
//! of it the cron engine's work. In the browser that code is a lazily loaded split of its own,
//! fetched when the visitor turns to the schedule, not with the form.
//!
//! Why: the engine, the builder and the preview are 95 KB of brotli, which a first visit to a
//! schedule form downloaded beside the form's own code: 409 KB in all, against the 300 KB
//! every other page keeps to (`scripts/bundle-size`). Many visits to a form never touch the
//! schedule (a rule on an event pattern, a change of target or name).
//!
//! How it works on a first visit: the server renders the panel in full, so the page shows
//! the description, the builder and the preview as they are. The browser hydrates the form
//! without them (the panel's element, left with the server's content) and marks the
//! content's controls `inert` (seen, not yet usable). When the pointer comes over the schedule part of the form
//! or the keyboard's focus enters it ([`Panel::wake`]), the split loads and its live view
//! takes the place of the server's, marked `data-live`. The zone's select and the expression
//! field come before the panel, so a keyboard reaches one of them, and starts the load, before
//! the builder. When the form is rendered in the browser (a link followed from another page)
//! there is no server content to show: the split loads at once (a link to a schedule form
//! starts loading it when the pointer comes over the link, as its section does: see
//! `crate::pages::lazy::warm_links`).
//!
//! The zone's select is the same kind of thing ([`ZoneSelect`]): the names of every zone
//! (with chrono-tz's table to read a name, 15 KB of brotli) are the split's. The form keeps
//! the zone's name, which the panel reads.
use super::builder::Builder;
use super::runs::Runs;
use super::{ConversionView, ErrorView, Reading, UtcRule, lang_of, zone_options};
use crate::components::error::rule_text;
use crate::cron::{Schedule, Tz};
use crate::domain::rule::RuleError;
use crate::i18n::use_i18n;
use chrono::{DateTime, Utc};
use leptos::prelude::*;

/// What the panel reads and writes of its form.
#[derive(Clone, Copy)]
pub struct Panel {
    /// The expression field's text: the panel reads it, and the builder writes it.
    pub expr: RwSignal<String>,
    /// The name of the zone the expression is read in (the zone's select).
    pub zone: RwSignal<String>,
    /// The instant the preview counts from (the server's clock, carried into the page).
    pub from: DateTime<Utc>,
    /// A rule's form: `at()` is no rule's schedule, and a zone's rule is shown in UTC, as
    /// EventBridge runs it. The Scheduler form runs its expression in its zone.
    pub rule: bool,
    /// Whether the expression fails to read: the field's `aria-invalid`, which the panel keeps.
    pub invalid: RwSignal<bool>,
    /// Set when the visitor turns to the schedule: the browser then loads the live panel.
    pub wake: RwSignal<bool>,
}

impl Panel {
    /// A form's panel over its saved `expression`, read in `zone` (none is UTC).
    pub fn new(expression: &str, zone: &str, from: DateTime<Utc>, rule: bool) -> Self {
        let zone = match zone.trim() {
            "" => "UTC",
            zone => zone,
        };
        Panel {
            expr: RwSignal::new(expression.to_owned()),
            zone: RwSignal::new(zone.to_owned()),
            from,
            rule,
            invalid: RwSignal::new(Self::invalid_at_first(expression)),
            wake: RwSignal::new(false),
        }
    }

    /// `invalid`'s first value, for the field's `aria-invalid` as the server renders it. The
    /// browser's first value is `false`: hydration keeps the server's attribute, and the live
    /// panel corrects it.
    fn invalid_at_first(text: &str) -> bool {
        #[cfg(not(feature = "hydrate"))]
        return matches!(Reading::of(text), Reading::Invalid(_));
        #[cfg(feature = "hydrate")]
        {
            let _ = text;
            false
        }
    }

    /// For the schedule part of the form's `on:pointerover` and `on:focusin`.
    pub fn waker<E>(self) -> impl Fn(E) + Copy + 'static {
        move |_| {
            if !self.wake.get_untracked() {
                self.wake.set(true);
            }
        }
    }
}

/// The panel, live: the engine reads the expression as it changes.
fn live(panel: Panel) -> impl IntoView {
    let i18n = use_i18n();
    let Panel {
        expr,
        zone,
        from,
        rule,
        invalid,
        ..
    } = panel;
    let reading = Memo::new(move |_| expr.with(|text| Reading::of(text)));
    // The zone as the preview reads it, following the select. (A signal of its own rather
    // than a memo: the playground's preview takes one, and a second type for it would be a
    // second copy of the preview's code in the playground's download.)
    let read = move |name: &str| name.parse::<Tz>().unwrap_or(Tz::UTC);
    let tz = RwSignal::new(zone.with_untracked(|name| read(name)));
    Effect::new(move |_| {
        let chosen = zone.with(|name| read(name));
        if tz.get_untracked() != chosen {
            tz.set(chosen);
        }
    });
    Effect::new(move |_| {
        let wrong = reading.with(|reading| matches!(reading, Reading::Invalid(_)));
        if invalid.get_untracked() != wrong {
            invalid.set(wrong);
        }
    });
    let count = RwSignal::new(3usize);
    let description = move || match reading.get() {
        Reading::Aws(Schedule::At(_)) if rule => None,
        Reading::Aws(schedule) => Some(schedule.describe(lang_of(i18n.get_locale()))),
        _ => None,
    };
    view! {
        <div id="expr-feedback" class="feedback" aria-live="polite">
            {move || match reading.get() {
                Reading::Invalid(error) => view! { <ErrorView error expr /> }.into_any(),
                Reading::Converted(dialect, conversion) => view! { <ConversionView dialect conversion expr /> }.into_any(),
                Reading::Aws(Schedule::At(_)) if rule => view! {
                    <p class="form-error" role="alert">{move || rule_text(i18n.get_locale(), &RuleError::AtNotForRules)}</p>
                }.into_any(),
                Reading::Aws(_) | Reading::Empty => ().into_any(),
            }}
        </div>
        <p class="description" data-testid="description">{description}</p>
        {rule.then(|| view! { <UtcRule reading tz from /> })}
        <Builder expr reading />
        <Runs reading from tz count />
    }
}

/// What the split holds: the live panel, every zone as a select's options, and the rule
/// form's check of its event pattern (with serde_json's reading of any JSON).
#[cfg(feature = "hydrate")]
struct Live {
    panel: fn(Panel) -> AnyView,
    zones: fn(&str) -> AnyView,
    pattern: fn(RwSignal<String>) -> AnyView,
}

/// The live panel's code, the split the browser loads when the visitor turns to the schedule.
#[cfg(feature = "hydrate")]
#[leptos::lazy]
fn schedule_panel() -> Live {
    Live {
        panel: |panel| live(panel).into_any(),
        zones: |chosen| zone_options(chosen).into_any(),
        pattern: |pattern| crate::pages::rules::pattern_check(pattern).into_any(),
    }
}

/// Starts loading the live panel's code (a link to a schedule form is about to be followed).
#[cfg(feature = "hydrate")]
pub async fn preload() {
    #[cfg(target_arch = "wasm32")]
    __preload_schedule_panel().await;
}

/// Builds `view` (under `owner`, whose cleanup ends it) in place of what `element` holds, and
/// keeps it in `kept` for as long as the form is shown.
#[cfg(feature = "hydrate")]
fn mount_in(
    element: &web_sys::Element,
    owner: Option<&Owner>,
    view: impl FnOnce() -> AnyView,
    kept: StoredValue<Option<AnyViewState>, LocalStorage>,
) {
    use leptos::tachys::view::{Mountable, Render};
    let view = match owner {
        Some(owner) => owner.with(view),
        None => view(),
    };
    let mut state = view.build();
    element.set_inner_html("");
    state.mount(element, None);
    kept.set_value(Some(state));
}

/// Marks an element the server rendered with its content: the browser's view of the element
/// does not name the attribute, so hydration leaves it, and an element the browser renders
/// lacks it. (Whether the element has children cannot tell: the browser's empty element holds
/// a placeholder, and the server's can be empty, as the pattern's check is for no pattern.)
#[cfg(feature = "hydrate")]
const SERVER_MARK: &str = "data-server";

/// In the browser, the element `host` as the split makes it (`make`): at once when the browser
/// rendered it (see [`SERVER_MARK`]), else once `wake` is set. Until then the server's content stands,
/// its controls `inert` (seen, not yet usable); the live view, when it is there, is marked
/// `data-live`.
#[cfg(feature = "hydrate")]
fn deferred(
    host: NodeRef<leptos::html::Div>,
    wake: RwSignal<bool>,
    make: impl FnOnce(&Live) -> AnyView + Clone + 'static,
) {
    use wasm_bindgen::JsCast;
    let owner = Owner::current();
    let kept = StoredValue::new_local(None);
    let started = StoredValue::new(false);
    Effect::new(move |_| {
        let Some(element) = host.get() else {
            return;
        };
        let element: web_sys::Element = element.unchecked_into();
        if element.has_attribute(SERVER_MARK) && !wake.get() {
            if let Ok(controls) = element.query_selector_all("button, input, select, textarea") {
                for index in 0..controls.length() {
                    if let Some(control) = controls
                        .item(index)
                        .and_then(|node| node.dyn_into::<web_sys::Element>().ok())
                    {
                        let _ = control.set_attribute("inert", "");
                    }
                }
            }
            return;
        }
        if started.get_value() {
            return;
        }
        started.set_value(true);
        let owner = owner.clone();
        let make = make.clone();
        leptos::task::spawn_local(async move {
            let live = schedule_panel().await;
            mount_in(&element, owner.as_ref(), || make(&live), kept);
            let _ = element.set_attribute("data-live", "true");
        });
    });
}

/// The panel under a schedule form's expression field.
#[component]
pub fn SchedulePanel(panel: Panel) -> impl IntoView {
    #[cfg(not(feature = "hydrate"))]
    {
        view! { <div class="schedule-panel" data-server="">{live(panel)}</div> }
    }
    #[cfg(feature = "hydrate")]
    {
        let host = NodeRef::new();
        deferred(host, panel.wake, move |live| (live.panel)(panel));
        view! { <div class="schedule-panel" node_ref=host></div> }
    }
}

/// The rule form's check of its event pattern, as the visitor types it, under the field
/// (`wake`: see [`Panel::wake`]).
#[component]
pub fn PatternCheck(pattern: RwSignal<String>, wake: RwSignal<bool>) -> impl IntoView {
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = wake;
        view! {
            <div id="rule-pattern-check" aria-live="polite" data-testid="pattern-check" data-server="">
                {crate::pages::rules::pattern_check(pattern)}
            </div>
        }
    }
    #[cfg(feature = "hydrate")]
    {
        let host = NodeRef::new();
        deferred(host, wake, move |live| (live.pattern)(pattern));
        view! { <div id="rule-pattern-check" aria-live="polite" data-testid="pattern-check" node_ref=host></div> }
    }
}

/// A schedule form's select of every time zone, whose choice is `zone`'s name. The server
/// renders its options; the browser keeps them as it hydrates, and a select the browser
/// renders takes them from the split.
#[component]
pub fn ZoneSelect(
    id: &'static str,
    name: &'static str,
    zone: RwSignal<String>,
    #[prop(optional)] describedby: Option<&'static str>,
) -> impl IntoView {
    let change = move |ev| zone.set(event_target_value(&ev));
    #[cfg(not(feature = "hydrate"))]
    {
        view! {
            <select id=id name=name aria-describedby=describedby prop:value=move || zone.get() on:change=change data-server="">
                {zone_options(&zone.read_untracked())}
            </select>
        }
    }
    #[cfg(feature = "hydrate")]
    {
        let host = NodeRef::<leptos::html::Select>::new();
        let owner = Owner::current();
        let kept = StoredValue::new_local(None);
        Effect::new(move |_| {
            let Some(element) = host.get() else {
                return;
            };
            if element.has_attribute(SERVER_MARK) {
                return;
            }
            let owner = owner.clone();
            leptos::task::spawn_local(async move {
                let live = schedule_panel().await;
                let chosen = zone.get_untracked();
                mount_in(&element, owner.as_ref(), || (live.zones)(&chosen), kept);
                element.set_value(&chosen);
            });
        });
        view! {
            <select id=id name=name aria-describedby=describedby prop:value=move || zone.get() on:change=change node_ref=host></select>
        }
    }
}

#[cfg(feature = "hydrate")]
type AnyViewState = <AnyView as leptos::tachys::view::Render>::State;
