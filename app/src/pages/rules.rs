//! EventBridge rules: the list with each rule's next runs and last apply, and the form with the
//! cron playground's builder, preview and description embedded. Pages read Postgres only; the
//! Lambda functions to pick from come from AWS after the form has rendered, in the browser.
use super::SignInFirst;
use super::alarms::{DeleteButtons, Status};
use super::cron::panel::{Panel, PatternCheck, SchedulePanel, ZoneSelect};
use crate::api::AppError;
use crate::api::resources::{
    AdoptSchedule, DeleteResource, ResourceView, RuleFormData, SaveRule, SaveSchedule,
    importable_schedules, lambda_functions, list_resources, load_rule_form, load_schedule_form,
};
use crate::components::error::{ErrorNote, pattern_text, save_errors};
use crate::components::send_form::{Fields, ReadForm, SendForm};
use crate::components::text::tr;
use crate::cron::stamp;
use crate::domain::plan::Kind;
use crate::domain::rule::{MAX_TARGETS, RuleForm, RuleTemplate, TargetForm, check_event_pattern};
use crate::domain::schedule::ScheduleForm;
use crate::i18n::{t, t_string, use_i18n};
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use std::collections::HashMap;
use uuid::Uuid;

fn template_label(template: RuleTemplate) -> impl Fn() -> String + Copy {
    let i18n = use_i18n();
    move || match template {
        RuleTemplate::DailyLambda => t_string!(i18n, template_daily_lambda).to_string(),
        RuleTemplate::BusinessHours => t_string!(i18n, template_business_hours).to_string(),
    }
}

#[component]
fn Templates() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <nav class="templates" aria-label=tr!(i18n, alarm_templates)>
            {tr!(i18n, alarm_templates)} ": "
            {RuleTemplate::ALL
                .into_iter()
                .map(|t| {
                    view! {
                        <a href=format!("/schedules/new?template={}", t.key()) rel="external" class="button small">
                            {template_label(t)}
                        </a>
                        " "
                    }
                })
                .collect_view()}
        </nav>
    }
}

/// The team's rules: when each runs next (counted on the server when the list was read) and
/// how its last apply went.
#[component]
pub fn SchedulesPage() -> impl IntoView {
    let i18n = use_i18n();
    // One read for both kinds of schedule.
    let rules = Resource::new(
        || (),
        |_| async {
            Ok::<_, AppError>((
                list_resources(Kind::Rule).await?,
                list_resources(Kind::Schedule).await?,
            ))
        },
    );
    let delete = ServerAction::<DeleteResource>::new();
    Effect::new(move |_| {
        if delete.version().get() > 0 {
            rules.refetch();
        }
    });
    view! {
        <section class="resources">
            <h1>{tr!(i18n, nav_schedules)}</h1>
            <p class="actions">
                <A href="/schedules/new" attr:class="button primary">{tr!(i18n, rule_new)}</A>
                " "
                <A href="/plan" attr:class="button">{tr!(i18n, plan_link)}</A>
            </p>
            <Templates />
            <Suspense fallback=|| ()>
                {move || rules.get().map(|both| {
                    let (list, scheduled) = match both {
                        Ok((rules, scheduled)) => (Ok(rules), Some(scheduled)),
                        Err(error) => (Err(error), None),
                    };
                    view! {
                    {match list {
                    Ok(list) if list.is_empty() => view! { <p class="empty">{tr!(i18n, rules_empty)}</p> }.into_any(),
                    Ok(list) => view! {
                        <table data-testid="rules">
                            <thead><tr>
                                <th>{tr!(i18n, col_name)}</th><th>{tr!(i18n, col_schedule)}</th>
                                <th>{tr!(i18n, col_next_runs)}</th><th>{tr!(i18n, col_status)}</th><th></th>
                            </tr></thead>
                            <tbody>
                                {list.into_iter().map(|rule| {
                                    let id = rule.id;
                                    let title = rule.name.clone();
                                    let row_name = rule.name.clone();
                                    let disabled = rule.disabled;
                                    let schedule = rule.schedule.clone();
                                    let has_schedule = schedule.is_some();
                                    let described = rule.described.clone();
                                    let runs = rule.next_runs.clone();
                                    let written = rule.written_in.clone();
                                    view! {
                                        <tr data-name=row_name>
                                            <td><A href=format!("/schedules/{id}")>{title}</A></td>
                                            <td>
                                                {match schedule {
                                                    Some(schedule) => view! { <code>{schedule}</code> }.into_any(),
                                                    None => view! { <span>{tr!(i18n, rule_on_events)}</span> }.into_any(),
                                                }}
                                                {written.map(|(zone, local)| view! {
                                                    <div class="hint" data-testid="written-in">
                                                        {t!(i18n, rule_written_in, schedule = move || local.clone(), zone = move || zone.clone())}
                                                    </div>
                                                })}
                                                {described.map(|said| view! {
                                                    <div class="hint" data-testid="rule-description">
                                                        {move || said.text(i18n.get_locale()).to_owned()}
                                                    </div>
                                                })}
                                                {disabled.then(|| view! { " " <span class="badge">{tr!(i18n, rule_is_disabled)}</span> })}
                                            </td>
                                            <td>
                                                {if runs.is_empty() && disabled {
                                                    view! { <span class="hint">"—"</span> }.into_any()
                                                } else if !has_schedule {
                                                    view! { <span class="hint">{tr!(i18n, rule_no_runs)}</span> }.into_any()
                                                } else if runs.is_empty() {
                                                    view! { <span class="hint">{tr!(i18n, cron_never_runs)}</span> }.into_any()
                                                } else {
                                                    view! {
                                                        <ol class="plain runs-inline" data-testid="next-runs">
                                                            {runs.into_iter().map(|run| view! {
                                                                <li><time datetime=run.to_rfc3339()>{stamp::date_time(run.naive_utc(), ' ', false).to_string()}</time></li>
                                                            }).collect_view()}
                                                        </ol>
                                                    }.into_any()
                                                }}
                                            </td>
                                            <td><Status resource=rule /></td>
                                            <td>
                                                <DeleteButtons id delete />
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(AppError::Unauthenticated) => view! { <SignInFirst /> }.into_any(),
                    Err(error) => view! { <ErrorNote error=error /> }.into_any(),
                    }}
                    {scheduled.map(|list| view! { <SchedulerList list delete /> })}
                    }
                })}
            </Suspense>
            <Show when=move || matches!(delete.value().get(), Some(Ok(()))) fallback=|| ()>
                <p class="form-ok" role="status">{tr!(i18n, alarm_deleted)} " " <A href="/plan">{tr!(i18n, plan_link)}</A></p>
            </Show>
            {move || delete.value().get().and_then(Result::err).map(|error| view! { <ErrorNote error=error /> })}
        </section>
    }
}

/// The Scheduler schedules: each in its own zone, with its next runs and last apply.
#[component]
fn SchedulerList(list: Vec<ResourceView>, delete: ServerAction<DeleteResource>) -> impl IntoView {
    let i18n = use_i18n();
    let candidates = RwSignal::new(None::<Result<Vec<(String, String)>, AppError>>);
    let look = Action::new(move |_: &()| async move {
        candidates.set(Some(importable_schedules().await));
    });
    let adopt = ServerAction::<AdoptSchedule>::new();
    view! {
        <section class="scheduler" aria-labelledby="scheduler-title">
            <h2 id="scheduler-title">{tr!(i18n, scheduler_title)}</h2>
            <p class="hint">{tr!(i18n, scheduler_lede)}</p>
            <p class="actions">
                <A href="/schedules/scheduler/new" attr:class="button">{tr!(i18n, scheduler_new)}</A>
                " "
                <button type="button" class="button" on:click=move |_| { look.dispatch(()); }>{tr!(i18n, scheduler_import)}</button>
            </p>
            {move || look.pending().get().then(|| view! { <p role="status">{tr!(i18n, import_looking)}</p> })}
            {move || candidates.get().map(|found| match found {
                Ok(found) if found.is_empty() => view! { <p class="empty">{tr!(i18n, import_none)}</p> }.into_any(),
                Ok(found) => view! {
                    <ul class="plain" data-testid="importable-schedules">
                        {found.into_iter().map(|(id, summary)| view! {
                            <li>
                                <SendForm action=adopt input=AdoptSchedule { id: id.clone() } class="inline-fields">
                                    <input type="hidden" name="id" value=id.clone() />
                                    <strong>{id.clone()}</strong> " " <code>{summary}</code> " "
                                    <button type="submit" class="button small">{tr!(i18n, import_adopt)}</button>
                                </SendForm>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any(),
                Err(error) => view! { <ErrorNote error=error /> }.into_any(),
            })}
            <Show when=move || matches!(adopt.value().get(), Some(Ok(_))) fallback=|| ()>
                <p class="form-ok" role="status">{tr!(i18n, import_adopted)} " " <A href="/plan">{tr!(i18n, plan_link)}</A></p>
            </Show>
            {move || adopt.value().get().and_then(Result::err).map(|error| view! { <ErrorNote error=error /> })}
            {if list.is_empty() {
                view! { <p class="empty">{tr!(i18n, scheduler_empty)}</p> }.into_any()
            } else {
                view! {
                    <table data-testid="scheduler-schedules">
                        <thead><tr>
                            <th>{tr!(i18n, col_name)}</th><th>{tr!(i18n, col_schedule)}</th>
                            <th>{tr!(i18n, col_next_runs)}</th><th>{tr!(i18n, col_status)}</th><th></th>
                        </tr></thead>
                        <tbody>
                            {list.into_iter().map(|schedule| {
                                let id = schedule.id;
                                let title = schedule.name.clone();
                                let row_name = schedule.name.clone();
                                let summary = schedule.summary.clone();
                                let runs = schedule.next_runs.clone();
                                view! {
                                    <tr data-name=row_name>
                                        <td><A href=format!("/schedules/scheduler/{id}")>{title}</A></td>
                                        <td><code>{summary}</code></td>
                                        <td>
                                            <ol class="plain runs-inline" data-testid="next-runs">
                                                {runs.into_iter().map(|run| view! {
                                                    <li><time datetime=run.to_rfc3339()>{stamp::date_time(run.naive_utc(), ' ', false).to_string()} " UTC"</time></li>
                                                }).collect_view()}
                                            </ol>
                                        </td>
                                        <td><Status resource=schedule /></td>
                                        <td>
                                            <DeleteButtons id delete />
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

/// A new rule (from a template), or an existing one to change.
#[component]
pub fn RuleFormPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| Uuid::parse_str(&id).ok())
    };
    let data = Resource::new(
        move || (id(), query.read().get("template")),
        |(id, template)| load_rule_form(id, template),
    );
    let save = ServerAction::<SaveRule>::new();
    let (errors, other_error) = save_errors(save.value());
    let saved = follow_save(
        save.value(),
        move || id().is_none(),
        "/schedules",
        move || data.refetch(),
    );
    let (functions, functions_error) = lambda_choices();
    // The preview counts from the server's clock, carried into the page for hydration.
    let now = crate::pages::server_now();
    let from = DateTime::<Utc>::from_timestamp(now, 0).unwrap_or_default();
    view! {
        <section class="resource-form rule-form">
            <h1>{move || if id().is_some() { t_string!(i18n, rule_edit_title) } else { t_string!(i18n, rule_new_title) }}</h1>
            <Show when=move || id().is_none() fallback=|| ()>
                <Templates />
            </Show>
            <FunctionList functions />
            <Suspense fallback=|| ()>
                {move || data.get().map(|data| match data {
                    Ok(data) => view! { <RuleEditor data save errors from functions_error /> }.into_any(),
                    Err(AppError::Unauthenticated) => view! { <SignInFirst /> }.into_any(),
                    Err(error) => view! { <ErrorNote error=error /> }.into_any(),
                })}
            </Suspense>
            <Show when=saved fallback=|| ()>
                <p class="form-ok" role="status">{tr!(i18n, alarm_saved)} " " <A href="/plan">{tr!(i18n, plan_link)}</A></p>
            </Show>
            {move || other_error.get().map(|error| view! { <ErrorNote error=error /> })}
        </section>
    }
}

/// After a save: a new resource is edited at its own address (`{base}/{id}?saved=1`); an
/// edited one is read again, with the version the next save must name. The result says when
/// to show "saved": right after this page's save, or after the address says one happened.
pub(super) fn follow_save<S>(
    value: S,
    is_new: impl Fn() -> bool + Copy + 'static,
    base: &'static str,
    refetch: impl Fn() + 'static,
) -> impl Fn() -> bool + Copy + Send + Sync + 'static
where
    S: Get<Value = Option<Result<Uuid, AppError>>> + Copy + Send + Sync + 'static,
{
    let query = use_query_map();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(saved_id)) = value.get() {
            if is_new() {
                navigate(&format!("{base}/{saved_id}?saved=1"), Default::default());
            } else {
                refetch();
            }
        }
    });
    move || match value.get() {
        Some(result) => result.is_ok(),
        None => query.read().get("saved").is_some(),
    }
}

/// Lambda functions as (name, ARN).
type Functions = RwSignal<Vec<(String, String)>>;

/// The account's Lambda functions (name, ARN) for the target fields' suggestions. An AWS
/// read: it starts once the page is in the browser; a failure is kept to show.
fn lambda_choices() -> (Functions, RwSignal<Option<AppError>>) {
    let functions = RwSignal::new(Vec::new());
    let failed = RwSignal::new(None::<AppError>);
    Effect::new(move |_| {
        leptos::task::spawn_local(async move {
            match lambda_functions().await {
                Ok(list) => functions.set(list),
                Err(error) => failed.set(Some(error)),
            }
        });
    });
    (functions, failed)
}

/// The suggestions an ARN field names with `list="lambda-functions"`.
#[component]
fn FunctionList(functions: Functions) -> impl IntoView {
    view! {
        <datalist id="lambda-functions">
            {move || functions.get().into_iter().map(|(name, arn)| view! { <option value=arn>{name}</option> }).collect_view()}
        </datalist>
    }
}

/// A field's error under it, announced.
#[component]
pub(super) fn FieldError(field: String, errors: Signal<HashMap<String, String>>) -> impl IntoView {
    let id = format!("rule-{field}-error");
    view! { <p id=id class="form-error field-error" role="alert">{move || errors.read().get(&field).cloned()}</p> }
}

#[component]
fn RuleEditor(
    data: RuleFormData,
    save: ServerAction<SaveRule>,
    errors: Signal<HashMap<String, String>>,
    from: DateTime<Utc>,
    functions_error: RwSignal<Option<AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let RuleFormData {
        form,
        version,
        topics,
    } = data;
    let params = use_params_map();
    let id = params.read_untracked().get("id");
    let trigger = RwSignal::new(if form.trigger == "pattern" {
        "pattern"
    } else {
        "schedule"
    });
    let pattern = RwSignal::new(form.event_pattern.clone());
    // The zone the schedule is written in: the preview reads it there, as the saved UTC
    // rule will run.
    let panel = Panel::new(&form.schedule, &form.zone, from, true);
    let Panel {
        expr,
        zone,
        invalid,
        ..
    } = panel;
    let slots: Vec<(RwSignal<bool>, RwSignal<String>, TargetForm)> = (0..MAX_TARGETS)
        .map(|i| {
            let row = form.targets.get(i).cloned().unwrap_or_default();
            let shown = !row.kind.is_empty();
            (RwSignal::new(shown), RwSignal::new(row.kind.clone()), row)
        })
        .collect();
    let shown: Vec<RwSignal<bool>> = slots.iter().map(|(s, _, _)| *s).collect();
    let kinds: Vec<RwSignal<String>> = slots.iter().map(|(_, k, _)| *k).collect();
    let all_shown = {
        let shown = shown.clone();
        move || shown.iter().all(|s| s.get())
    };
    let add = move |_| {
        if let Some(index) = shown.iter().position(|s| !s.get_untracked()) {
            shown[index].set(true);
            kinds[index].set("lambda".to_owned());
            focus(&format!("target-{index}-kind"));
        }
    };
    let enabled = form.enabled != "false";
    let topics_empty = topics.is_empty();
    view! {
        <ReadForm action=save read=read_rule_form class="stack" attr:novalidate=true>
            {id.map(|id| view! { <input type="hidden" name="id" value=id /> })}
            {version.map(|v| view! { <input type="hidden" name="version" value=v.to_string() /> })}
            <label for="rule-name">{tr!(i18n, rule_name)}</label>
            <input id="rule-name" name="form[name]" type="text" value=form.name.clone() aria-describedby="rule-name-error" autocomplete="off" />
            <FieldError field="name".into() errors />
            <label for="rule-description">{tr!(i18n, rule_description)}</label>
            <input id="rule-description" name="form[description]" type="text" value=form.description.clone() aria-describedby="rule-description-error" />
            <FieldError field="description".into() errors />

            <fieldset class="trigger">
                <legend>{tr!(i18n, rule_trigger)}</legend>
                <label>
                    <input type="radio" name="form[trigger]" value="schedule" checked=trigger.get_untracked() == "schedule" on:change=move |_| trigger.set("schedule") />
                    {tr!(i18n, rule_on_schedule)}
                </label>
                <label>
                    <input type="radio" name="form[trigger]" value="pattern" checked=trigger.get_untracked() == "pattern" on:change=move |_| trigger.set("pattern") />
                    {tr!(i18n, rule_on_pattern)}
                </label>
            </fieldset>

            <div class="schedule" hidden=move || trigger.get() != "schedule" on:pointerover=panel.waker() on:focusin=panel.waker()>
                <label for="rule-zone">{tr!(i18n, rule_zone)}</label>
                <ZoneSelect id="rule-zone" name="form[zone]" zone describedby="rule-zone-hint rule-zone-error" />
                <p id="rule-zone-hint" class="hint">{tr!(i18n, rule_zone_hint)}</p>
                <FieldError field="zone".into() errors />
                <label for="rule-schedule">{tr!(i18n, rule_schedule)}</label>
                <input
                    id="rule-schedule"
                    name="form[schedule]"
                    type="text"
                    spellcheck="false"
                    autocomplete="off"
                    autocapitalize="off"
                    prop:value=move || expr.get()
                    value=move || expr.get_untracked()
                    on:input=move |ev| expr.set(event_target_value(&ev))
                    aria-invalid=move || invalid.get().to_string()
                    aria-describedby="rule-schedule-hint expr-feedback rule-schedule-error"
                />
                <p id="rule-schedule-hint" class="hint">{tr!(i18n, rule_schedule_hint)}</p>
                <FieldError field="schedule".into() errors />
                <SchedulePanel panel />
            </div>

            <div class="pattern" hidden=move || trigger.get() != "pattern" on:pointerover=panel.waker() on:focusin=panel.waker()>
                <label for="rule-event_pattern">{tr!(i18n, rule_pattern)}</label>
                <textarea
                    id="rule-event_pattern"
                    name="form[event_pattern]"
                    rows="6"
                    spellcheck="false"
                    aria-describedby="rule-pattern-hint rule-pattern-check rule-event_pattern-error"
                    on:input=move |ev| pattern.set(event_target_value(&ev))
                >{form.event_pattern.clone()}</textarea>
                <p id="rule-pattern-hint" class="hint">{tr!(i18n, rule_pattern_hint)}</p>
                <PatternCheck pattern wake=panel.wake />
                <FieldError field="event_pattern".into() errors />
            </div>

            <label for="rule-enabled">{tr!(i18n, rule_state)}</label>
            <select id="rule-enabled" name="form[enabled]">
                <option value="true" selected=enabled>{tr!(i18n, rule_enabled)}</option>
                <option value="false" selected=!enabled>{tr!(i18n, rule_disabled)}</option>
            </select>

            <fieldset class="targets">
                <legend>{tr!(i18n, rule_targets)}</legend>
                <p class="hint">{tr!(i18n, rule_targets_hint)}</p>
                {move || functions_error.get().map(|error| view! { <ErrorNote error=error /> })}
                {topics_empty.then(|| view! { <p class="hint">{tr!(i18n, target_no_topics)}</p> })}
                {slots
                    .into_iter()
                    .enumerate()
                    .map(|(index, (shown, kind, row))| {
                        view! { <TargetRow index row shown kind topics=topics.clone() errors /> }
                    })
                    .collect_view()}
                <FieldError field="targets".into() errors />
                <button type="button" class="button" disabled=all_shown on:click=add>{tr!(i18n, rule_add_target)}</button>
            </fieldset>
            <button type="submit" class="button primary">{tr!(i18n, rule_save)}</button>
        </ReadForm>
    }
}

/// One of the five target slots. A removed or unused slot sends no kind, and the server skips
/// it; the slots keep their numbers so that an error names the one on screen. A slot removed
/// and added again starts blank (a new target, with a new id).
#[component]
fn TargetRow(
    index: usize,
    row: TargetForm,
    shown: RwSignal<bool>,
    kind: RwSignal<String>,
    topics: Vec<(Uuid, String)>,
    errors: Signal<HashMap<String, String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let field = format!("target-{index}");
    let error_id = format!("rule-{field}-error");
    // Bumped by Remove: the fields render again, empty.
    let epoch = RwSignal::new(0u32);
    let remove = move |_| {
        shown.set(false);
        kind.set(String::new());
        epoch.update(|e| *e += 1);
    };
    let name = move |field: &str| format!("form[targets][{index}][{field}]");
    view! {
        <fieldset class="target" hidden=move || !shown.get() data-testid=field.clone() aria-describedby=error_id>
            <legend>{t!(i18n, rule_target_n, n = move || index + 1)}</legend>
            <input type="hidden" name=name("kind") prop:value=move || if shown.get() { kind.get() } else { String::new() } value=row.kind.clone() />
            {move || {
                let row = if epoch.get() == 0 { row.clone() } else { TargetForm::default() };
                view! { <TargetFields index row kind topics=topics.clone() /> }
            }}
            <FieldError field=field.clone() errors />
            <button type="button" class="button small" on:click=remove>{tr!(i18n, rule_remove_target)}</button>
        </fieldset>
    }
}

#[component]
fn TargetFields(
    index: usize,
    row: TargetForm,
    kind: RwSignal<String>,
    topics: Vec<(Uuid, String)>,
) -> impl IntoView {
    let i18n = use_i18n();
    let name = move |field: &str| format!("form[targets][{index}][{field}]");
    let id = move |field: &str| format!("target-{index}-{field}");
    let is = move |k: &'static str| move || kind.get() == k;
    let selected_topic = row.topic.clone();
    view! {
        <input type="hidden" name=name("id") value=row.id.clone() />
        <label for=id("kind")>{tr!(i18n, target_kind)}</label>
        <select id=id("kind") prop:value=move || kind.get() on:change=move |ev| kind.set(event_target_value(&ev))>
            <option value="lambda" selected=is("lambda")>{tr!(i18n, target_lambda)}</option>
            <option value="topic" selected=is("topic")>{tr!(i18n, target_topic)}</option>
            <option value="sqs" selected=is("sqs")>{tr!(i18n, target_sqs)}</option>
        </select>
        <div hidden=is("topic")>
            <label for=id("arn")>
                {move || if kind.get() == "sqs" { t_string!(i18n, target_sqs) } else { t_string!(i18n, target_lambda) }}
                " " {tr!(i18n, target_arn)}
            </label>
            <input
                id=id("arn")
                name=name("arn")
                type="text"
                spellcheck="false"
                autocomplete="off"
                value=row.arn.clone()
                list=move || if kind.get() == "lambda" { "lambda-functions" } else { "" }
            />
            <p class="hint" hidden=move || kind.get() != "lambda">{tr!(i18n, target_functions_hint)}</p>
        </div>
        <div hidden=move || kind.get() != "topic">
            <label for=id("topic")>{tr!(i18n, target_topic)}</label>
            <select id=id("topic") name=name("topic")>
                <option value="">{tr!(i18n, target_choose_topic)}</option>
                {topics.into_iter().map(|(topic, topic_name)| {
                    let value = topic.to_string();
                    let selected = value == selected_topic;
                    view! { <option value=value selected=selected>{topic_name}</option> }
                }).collect_view()}
            </select>
        </div>
        <details>
            <summary>{tr!(i18n, target_advanced)}</summary>
            <label for=id("input")>{tr!(i18n, target_input)}</label>
            <textarea id=id("input") name=name("input") rows="3" spellcheck="false">{row.input.clone()}</textarea>
            <label for=id("max_attempts")>{tr!(i18n, target_max_attempts)}</label>
            <input id=id("max_attempts") name=name("max_attempts") type="text" inputmode="numeric" value=row.max_attempts.clone() placeholder="185" />
            <label for=id("max_age_seconds")>{tr!(i18n, target_max_age)}</label>
            <input id=id("max_age_seconds") name=name("max_age_seconds") type="text" inputmode="numeric" value=row.max_age_seconds.clone() placeholder="86400" />
            <label for=id("dead_letter")>{tr!(i18n, target_dead_letter)}</label>
            <input id=id("dead_letter") name=name("dead_letter") type="text" spellcheck="false" value=row.dead_letter.clone() />
        </details>
    }
}

/// Moves the keyboard focus to the element, once it is shown (a new target's first field).
fn focus(id: &str) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let id = id.to_owned();
        request_animation_frame(move || {
            if let Some(element) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id(&id))
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = element.focus();
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
}

/// A new EventBridge Scheduler schedule, or one to change: its expression read in its own
/// zone, with the playground's builder, errors, description and preview.
#[component]
pub fn SchedulerFormPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| Uuid::parse_str(&id).ok())
    };
    let data = Resource::new(id, load_schedule_form);
    let save = ServerAction::<SaveSchedule>::new();
    let (errors, other_error) = save_errors(save.value());
    let saved = follow_save(
        save.value(),
        move || id().is_none(),
        "/schedules/scheduler",
        move || data.refetch(),
    );
    let (functions, _) = lambda_choices();
    let now = crate::pages::server_now();
    let from = DateTime::<Utc>::from_timestamp(now, 0).unwrap_or_default();
    view! {
        <section class="resource-form rule-form">
            <h1>{move || if id().is_some() { t_string!(i18n, scheduler_edit_title) } else { t_string!(i18n, scheduler_new_title) }}</h1>
            <p class="hint">{tr!(i18n, scheduler_lede)}</p>
            <FunctionList functions />
            <Suspense fallback=|| ()>
                {move || data.get().map(|data| match data {
                    Ok((form, version)) => view! { <SchedulerEditor form version save errors from /> }.into_any(),
                    Err(AppError::Unauthenticated) => view! { <SignInFirst /> }.into_any(),
                    Err(error) => view! { <ErrorNote error=error /> }.into_any(),
                })}
            </Suspense>
            <Show when=saved fallback=|| ()>
                <p class="form-ok" role="status">{tr!(i18n, alarm_saved)} " " <A href="/plan">{tr!(i18n, plan_link)}</A></p>
            </Show>
            {move || other_error.get().map(|error| view! { <ErrorNote error=error /> })}
        </section>
    }
}

#[component]
fn SchedulerEditor(
    form: ScheduleForm,
    version: Option<i32>,
    save: ServerAction<SaveSchedule>,
    errors: Signal<HashMap<String, String>>,
    from: DateTime<Utc>,
) -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = params.read_untracked().get("id");
    let panel = Panel::new(&form.expression, &form.timezone, from, false);
    let Panel {
        expr,
        zone,
        invalid,
        ..
    } = panel;
    let enabled = form.enabled != "false";
    let text = move |name: &'static str, label: String, value: String| {
        let input_id = format!("schedule-{name}");
        view! {
            <label for=input_id.clone()>{label}</label>
            <input id=input_id name=format!("form[{name}]") type="text" spellcheck="false" autocomplete="off" value=value />
            <FieldError field=name.to_owned() errors />
        }
    };
    view! {
        <ReadForm action=save read=read_schedule_form class="stack" attr:novalidate=true>
            {id.map(|id| view! { <input type="hidden" name="id" value=id /> })}
            {version.map(|v| view! { <input type="hidden" name="version" value=v.to_string() /> })}
            {text("name", t_string!(i18n, rule_name).to_string(), form.name.clone())}
            {text("group", t_string!(i18n, sched_group).to_string(), form.group.clone())}
            {text("description", t_string!(i18n, rule_description).to_string(), form.description.clone())}
            <div class="schedule stack" on:pointerover=panel.waker() on:focusin=panel.waker()>
            <label for="schedule-timezone">{tr!(i18n, sched_timezone)}</label>
            <ZoneSelect id="schedule-timezone" name="form[timezone]" zone />
            <FieldError field="timezone".into() errors />
            <label for="schedule-expression">{tr!(i18n, sched_expression)}</label>
            <input
                id="schedule-expression"
                name="form[expression]"
                type="text"
                spellcheck="false"
                autocomplete="off"
                prop:value=move || expr.get()
                value=move || expr.get_untracked()
                on:input=move |ev| expr.set(event_target_value(&ev))
                aria-invalid=move || invalid.get().to_string()
                aria-describedby="expr-feedback schedule-expression-error"
            />
            <p id="schedule-expression-error" class="form-error field-error" role="alert">{move || errors.read().get("expression").cloned()}</p>
            <SchedulePanel panel />
            </div>
            {text("start", t_string!(i18n, sched_start).to_string(), form.start.clone())}
            {text("end", t_string!(i18n, sched_end).to_string(), form.end.clone())}
            {text("flexible_minutes", t_string!(i18n, sched_window).to_string(), form.flexible_minutes.clone())}
            <label for="schedule-enabled">{tr!(i18n, rule_state)}</label>
            <select id="schedule-enabled" name="form[enabled]">
                <option value="true" selected=enabled>{tr!(i18n, rule_enabled)}</option>
                <option value="false" selected=!enabled>{tr!(i18n, rule_disabled)}</option>
            </select>
            <label for="schedule-target_arn">{tr!(i18n, sched_target)}</label>
            <input id="schedule-target_arn" name="form[target_arn]" type="text" spellcheck="false" autocomplete="off" list="lambda-functions" value=form.target_arn.clone() />
            <FieldError field="target_arn".into() errors />
            {text("role_arn", t_string!(i18n, sched_role).to_string(), form.role_arn.clone())}
            <details>
                <summary>{tr!(i18n, target_advanced)}</summary>
                <label for="schedule-input">{tr!(i18n, target_input)}</label>
                <textarea id="schedule-input" name="form[input]" rows="3" spellcheck="false">{form.input.clone()}</textarea>
                <FieldError field="input".into() errors />
                {text("max_attempts", t_string!(i18n, target_max_attempts).to_string(), form.max_attempts.clone())}
                {text("max_age_seconds", t_string!(i18n, target_max_age).to_string(), form.max_age_seconds.clone())}
                <FieldError field="retry".into() errors />
                {text("dead_letter", t_string!(i18n, target_dead_letter).to_string(), form.dead_letter.clone())}
            </details>
            <button type="submit" class="button primary">{tr!(i18n, sched_save)}</button>
        </ReadForm>
    }
}

/// What the rule form says of its event pattern as it is typed: what is wrong, or that it
/// reads. Nothing while the field is empty.
pub(super) fn pattern_check(pattern: RwSignal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let problem = Memo::new(move |_| {
        pattern.with(|p| (!p.trim().is_empty()).then(|| check_event_pattern(p).err()))
    });
    move || {
        problem.get().map(|problem| match problem {
            Some(problem) => view! { <span class="form-error">{pattern_text(i18n.get_locale(), &problem)}</span> }.into_any(),
            None => view! { <span class="form-ok">{tr!(i18n, rule_pattern_ok)}</span> }.into_any(),
        })
    }
}

/// The rule form's fields (`form[name]`, `form[targets][0][kind]`, …), as the server function
/// takes them. Every target slot the form has is read, in order, shown or not (a hidden one
/// sends no kind, and the server skips it), so that an error names the slot on screen.
fn read_rule_form(f: &Fields) -> SaveRule {
    let text = |name: &str| f.text(&format!("form[{name}]"));
    let targets = (0..MAX_TARGETS)
        .map_while(|index| {
            let field = |name: &str| f.get(&format!("form[targets][{index}][{name}]"));
            let kind = field("kind")?;
            let text = |name| field(name).unwrap_or_default();
            Some(TargetForm {
                id: text("id"),
                kind,
                arn: text("arn"),
                topic: text("topic"),
                input: text("input"),
                max_attempts: text("max_attempts"),
                max_age_seconds: text("max_age_seconds"),
                dead_letter: text("dead_letter"),
            })
        })
        .collect();
    SaveRule {
        form: RuleForm {
            name: text("name"),
            description: text("description"),
            trigger: text("trigger"),
            schedule: text("schedule"),
            event_pattern: text("event_pattern"),
            enabled: text("enabled"),
            zone: text("zone"),
            targets,
        },
        id: f.parse("id"),
        version: f.parse("version"),
    }
}

/// The Scheduler form's fields (`form[name]`, …), as the server function takes them.
fn read_schedule_form(f: &Fields) -> SaveSchedule {
    let text = |name: &str| f.text(&format!("form[{name}]"));
    SaveSchedule {
        form: ScheduleForm {
            name: text("name"),
            group: text("group"),
            description: text("description"),
            expression: text("expression"),
            timezone: text("timezone"),
            start: text("start"),
            end: text("end"),
            flexible_minutes: text("flexible_minutes"),
            enabled: text("enabled"),
            target_arn: text("target_arn"),
            role_arn: text("role_arn"),
            input: text("input"),
            max_attempts: text("max_attempts"),
            max_age_seconds: text("max_age_seconds"),
            dead_letter: text("dead_letter"),
        },
        id: f.parse("id"),
        version: f.parse("version"),
    }
}
