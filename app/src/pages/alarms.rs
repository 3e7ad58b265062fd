//! Alarms, topics and subscriptions, and the plan that applies them. Pages read Postgres only;
//! the alarms' live state comes from AWS after the page has rendered, in the browser.
use super::{SignInFirst, encode};
use crate::api::AppError;
use crate::api::resources::{
    AdoptAlarm, AdoptTopic, ApplyPlan, CreateSubscription, CreateTopic, DeleteResource, EditTopic,
    ResendConfirmation, ResourcePage, ResourceView, SaveAlarm, SendTestNotification, alarm_graph,
    alarm_states, importable_alarms, importable_topics, list_page, list_resources, load_alarm_form,
    metric_choices, plan,
};
use crate::components::error::{ErrorNote, save_errors};
use crate::components::graph::MetricGraph;
use crate::components::send_form::{Fields, ReadForm, SendForm};
use crate::components::text::tr;
use crate::domain::alarm::{AlarmForm, Comparison, MissingData, Template};
use crate::domain::plan::{Kind, Op};
use crate::domain::topic::{CONFIRMATION_TTL_HOURS, Protocol};
use crate::i18n::{t, t_string, use_i18n};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};
use std::collections::HashMap;
use uuid::Uuid;

/// A resource's status as a badge, with its last error under it.
#[component]
pub fn Status(resource: ResourceView) -> impl IntoView {
    let i18n = use_i18n();
    let status = resource.status.clone();
    let label = move || match status.as_str() {
        "in_sync" => t_string!(i18n, status_in_sync).to_string(),
        "drifted" => t_string!(i18n, status_drifted).to_string(),
        "error" => t_string!(i18n, status_error).to_string(),
        "deleting" => t_string!(i18n, status_deleting).to_string(),
        _ => t_string!(i18n, status_pending).to_string(),
    };
    let drift = resource
        .drift
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ");
    view! {
        <span class=format!("badge status-{}", resource.status) data-testid="status">{label}</span>
        {resource.planned.then(|| view! { " " <span class="badge planned">{tr!(i18n, status_planned)}</span> })}
        {resource.last_error.map(|e| view! { <div class="hint error-text">{e}</div> })}
        {(!drift.is_empty()).then(|| view! { <div class="hint" data-testid="drift">{tr!(i18n, drift_label)} " " {drift}</div> })}
    }
}

/// A row's Delete (from AWS at the next apply) and Orphan (forgotten, left in AWS) buttons.
#[component]
pub fn DeleteButtons(id: Uuid, delete: ServerAction<DeleteResource>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <SendForm action=delete input=DeleteResource { id, orphan: None } class="inline-form">
            <input type="hidden" name="id" value=id.to_string() />
            <button type="submit" class="button small">{tr!(i18n, alarm_delete)}</button>
        </SendForm>
        <SendForm action=delete input=DeleteResource { id, orphan: Some(true) } class="inline-form">
            <input type="hidden" name="id" value=id.to_string() />
            <input type="hidden" name="orphan" value="true" />
            <button type="submit" class="button small">{tr!(i18n, alarm_orphan)}</button>
        </SendForm>
    }
}

#[component]
pub fn AlarmsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let page = move || query.read().get("page").and_then(|p| p.parse::<u32>().ok());
    let alarms = Resource::new(page, |page| list_page(Kind::Alarm, page));
    // The live state is an AWS call: it starts in the browser once the page is there.
    let live = RwSignal::new(HashMap::<String, String>::new());
    Effect::new(move |_| {
        let page = page();
        leptos::task::spawn_local(async move {
            if let Ok(states) = alarm_states(page).await {
                live.set(states.into_iter().collect());
            }
        });
    });
    let test = ServerAction::<SendTestNotification>::new();
    let delete = ServerAction::<DeleteResource>::new();
    Effect::new(move |_| {
        if delete.version().get() > 0 {
            alarms.refetch();
        }
    });
    view! {
        <section class="resources">
            <h1>{tr!(i18n, nav_alarms)}</h1>
            <p class="actions">
                <A href="/alarms/new" attr:class="button primary">{tr!(i18n, alarm_new)}</A>
                " "
                <A href="/alarms/import" attr:class="button">{tr!(i18n, alarm_import)}</A>
                " "
                <A href="/plan" attr:class="button">{tr!(i18n, plan_link)}</A>
            </p>
            <Suspense fallback=|| ()>
                {move || alarms.get().map(|list| match list {
                    Ok(list) if list.items.is_empty() => view! { <p class="empty">{tr!(i18n, alarms_empty)}</p> }.into_any(),
                    Ok(ResourcePage { items: list, page, pages, total }) => view! {
                        <Pager page pages total base="/alarms" />
                        <table data-testid="alarms">
                            <thead><tr>
                                <th>{tr!(i18n, col_name)}</th><th>{tr!(i18n, col_condition)}</th>
                                <th>{tr!(i18n, col_status)}</th><th>{tr!(i18n, col_live)}</th><th></th>
                            </tr></thead>
                            <tbody>
                                {list.into_iter().map(|alarm| {
                                    let name = alarm.aws_id.clone().unwrap_or_default();
                                    let id = alarm.id;
                                    let title = alarm.name.clone();
                                    let summary = alarm.summary.clone();
                                    view! {
                                        <tr>
                                            <td><A href=format!("/alarms/{id}")>{title}</A></td>
                                            <td><code>{summary}</code></td>
                                            <td><Status resource=alarm /></td>
                                            <td data-testid="live">{move || live.read().get(&name).cloned().unwrap_or_default()}</td>
                                            <td>
                                                <SendForm action=test input=SendTestNotification { id } class="inline-form">
                                                    <input type="hidden" name="id" value=id.to_string() />
                                                    <button type="submit" class="button small">{tr!(i18n, alarm_test)}</button>
                                                </SendForm>
                                                <DeleteButtons id delete />
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                        <Pager page pages total base="/alarms" />
                    }.into_any(),
                    Err(AppError::Unauthenticated) => view! { <SignInFirst /> }.into_any(),
                    Err(error) => view! { <ErrorNote error=error /> }.into_any(),
                })}
            </Suspense>
            <Show when=move || matches!(test.value().get(), Some(Ok(()))) fallback=|| ()>
                <p class="form-ok" role="status">{tr!(i18n, alarm_test_sent)}</p>
            </Show>
            <Show when=move || matches!(delete.value().get(), Some(Ok(()))) fallback=|| ()>
                <p class="form-ok" role="status">{tr!(i18n, alarm_deleted)} " " <A href="/plan">{tr!(i18n, plan_link)}</A></p>
            </Show>
            {move || delete.value().get().and_then(Result::err).map(|error| view! { <ErrorNote error=error /> })}
            {move || test.value().get().and_then(Result::err).map(|error| view! { <ErrorNote error=error /> })}
        </section>
    }
}

/// "Page 2 of 200 · 10000 in all", with links to the previous and next pages. Nothing when
/// everything fits on one page.
#[component]
fn Pager(page: u32, pages: u32, total: u64, base: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    (pages > 1).then(|| {
        view! {
            <nav class="pager" aria-label=tr!(i18n, pager_label)>
                {(page > 1).then(|| view! {
                    <A href=format!("{base}?page={}", page - 1) attr:rel="prev">{tr!(i18n, pager_previous)}</A>
                })}
                " "
                <span data-testid="page">{t!(i18n, pager_position, page = page, pages = pages, total = total)}</span>
                " "
                {(page < pages).then(|| view! {
                    <A href=format!("{base}?page={}", page + 1) attr:rel="next">{tr!(i18n, pager_next)}</A>
                })}
            </nav>
        }
    })
}

/// One field of the alarm form, with its label and its error.
#[component]
fn Field(
    name: &'static str,
    label: String,
    value: String,
    #[prop(optional)] hint: Option<String>,
    #[prop(optional)] multiline: bool,
    errors: Signal<HashMap<String, String>>,
) -> impl IntoView {
    let id = format!("alarm-{name}");
    let error_id = format!("{id}-error");
    let input_name = format!("form[{name}]");
    let error = move || errors.read().get(name).cloned();
    let described = error_id.clone();
    view! {
        <label for=id.clone()>{label}</label>
        {if multiline {
            view! { <textarea id=id.clone() name=input_name rows="2" aria-describedby=described.clone()>{value}</textarea> }.into_any()
        } else {
            view! { <input id=id.clone() name=input_name type="text" value=value aria-describedby=described.clone() /> }.into_any()
        }}
        {hint.map(|h| view! { <p class="hint">{h}</p> })}
        <p id=error_id class="form-error field-error" role="alert">{error}</p>
    }
}

/// A new alarm (optionally from a template), or an existing one to change.
#[component]
pub fn AlarmFormPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| Uuid::parse_str(&id).ok())
    };
    let template = move || {
        query
            .read()
            .get("template")
            .and_then(|t| Template::from_key(&t))
    };
    let existing = Resource::new(id, |id| async move {
        match id {
            Some(id) => load_alarm_form(id).await.map(Some),
            None => Ok(None),
        }
    });
    let save = ServerAction::<SaveAlarm>::new();
    let (errors, other_error) = save_errors(save.value());
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    // After a save the form is read again, with the version the next save must name.
    Effect::new(move |_| {
        if save.version().get() > 0 && id().is_some() {
            existing.refetch();
        }
    });
    // A metric picked from CloudWatch comes back as query parameters over the template.
    let picked = move |mut form: AlarmForm| {
        let query = query.read();
        if let Some(namespace) = query.get("namespace") {
            form.namespace = namespace;
        }
        if let Some(metric) = query.get("metric") {
            form.metric_name = metric;
        }
        if let Some(dimensions) = query.get("dimensions") {
            form.dimensions = dimensions;
        }
        form
    };
    let choices = RwSignal::new(None::<Result<Vec<crate::api::resources::MetricChoice>, AppError>>);
    let find = Action::new(move |namespace: &String| {
        let namespace = namespace.clone();
        async move {
            choices.set(Some(metric_choices(Some(namespace)).await));
        }
    });
    // The graph is an AWS read: it starts in the browser once the page is there.
    let graph = RwSignal::new(None::<Result<crate::api::resources::MetricSeries, AppError>>);
    Effect::new(move |_| {
        if let Some(id) = id() {
            leptos::task::spawn_local(async move {
                graph.set(Some(alarm_graph(id).await));
            });
        }
    });
    view! {
        <section class="resource-form">
            <h1>{move || if id().is_some() { t_string!(i18n, alarm_edit_title) } else { t_string!(i18n, alarm_new_title) }}</h1>
            <Show when=move || id().is_none() fallback=|| ()>
                <nav class="templates" aria-label=tr!(i18n, alarm_templates)>
                    {tr!(i18n, alarm_templates)} ": "
                    {Template::ALL.into_iter().map(|t| view! {
                        <a href=format!("/alarms/new?template={}", t.key()) rel="external" class="button small">{template_label(t)}</a> " "
                    }).collect_view()}
                </nav>
            </Show>
            <Show when=move || id().is_none() fallback=|| ()>
                <div class="picker">
                    <button type="button" class="button small" on:click=move |_| {
                        let namespace = query.read().get("namespace").unwrap_or_else(|| {
                            template().unwrap_or(Template::EbsWriteBytes).spec().namespace
                        });
                        find.dispatch(namespace);
                    }>{tr!(i18n, metric_find)}</button>
                    {move || find.pending().get().then(|| view! { <p role="status">{tr!(i18n, metric_finding)}</p> })}
                    {move || choices.get().map(|found| match found {
                        Ok(list) if list.is_empty() => view! { <p class="empty">{tr!(i18n, metric_none)}</p> }.into_any(),
                        Ok(list) => {
                            let template = template().unwrap_or(Template::EbsWriteBytes);
                            view! {
                                <p class="hint">{tr!(i18n, metric_pick_hint)}</p>
                                <ul class="plain" data-testid="metric-choices">
                                    {list.into_iter().map(|m| {
                                        let dimensions = m.dimensions.iter().map(|d| format!("{}={}", d.name, d.value)).collect::<Vec<_>>().join("\n");
                                        let href = format!(
                                            "/alarms/new?template={}&namespace={}&metric={}&dimensions={}",
                                            template.key(), encode(&m.namespace), encode(&m.metric_name), encode(&dimensions)
                                        );
                                        let label = format!("{} {} {}", m.namespace, m.metric_name, dimensions.replace('\n', ", "));
                                        view! { <li><a href=href rel="external">{label}</a></li> }
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorNote error=error /> }.into_any(),
                    })}
                </div>
            </Show>
            {move || graph.get().map(|g| match g {
                Ok(g) => view! { <MetricGraph graph=g /> }.into_any(),
                Err(error) => view! { <ErrorNote error=error /> }.into_any(),
            })}
            <Suspense fallback=|| ()>
                {move || existing.get().map(|existing| match existing {
                    Err(AppError::Unauthenticated) => view! { <SignInFirst /> }.into_any(),
                    Err(error) => view! { <ErrorNote error=error /> }.into_any(),
                    Ok(existing) => {
                        let (form, version) = match existing {
                            Some((form, version)) => (form, Some(version)),
                            None => (picked(AlarmForm::from_spec(&template().unwrap_or(Template::EbsWriteBytes).spec(), &[])), None::<i32>),
                        };
                        view! {
                            <ReadForm action=save read=read_alarm_form class="stack" attr:novalidate=true>
                                {id().map(|id| view! { <input type="hidden" name="id" value=id.to_string() /> })}
                                {version.map(|v| view! { <input type="hidden" name="version" value=v.to_string() /> })}
                                <Field name="name" label=t_string!(i18n, alarm_name).to_string() value=form.name.clone() errors=errors />
                                <Field name="description" label=t_string!(i18n, alarm_description).to_string() value=form.description.clone() errors=errors />
                                <fieldset>
                                    <legend>{tr!(i18n, alarm_metric)}</legend>
                                    <Field name="namespace" label=t_string!(i18n, alarm_namespace).to_string() value=form.namespace.clone() errors=errors />
                                    <Field name="metric_name" label=t_string!(i18n, alarm_metric_name).to_string() value=form.metric_name.clone() errors=errors />
                                    <Field name="dimensions" label=t_string!(i18n, alarm_dimensions).to_string() value=form.dimensions.clone() multiline=true hint=t_string!(i18n, alarm_dimensions_hint).to_string() errors=errors />
                                    <Field name="statistic" label=t_string!(i18n, alarm_statistic).to_string() value=form.statistic.clone() hint="Average, Sum, Minimum, Maximum, SampleCount, p99".to_owned() errors=errors />
                                    <Field name="period_seconds" label=t_string!(i18n, alarm_period).to_string() value=form.period_seconds.clone() errors=errors />
                                </fieldset>
                                <fieldset>
                                    <legend>{tr!(i18n, alarm_condition)}</legend>
                                    <label for="alarm-comparison">{tr!(i18n, alarm_comparison)}</label>
                                    <select id="alarm-comparison" name="form[comparison]">
                                        {Comparison::ALL.into_iter().map(|c| view! {
                                            <option value=c.as_str() selected={form.comparison == c.as_str()}>{c.symbol()} " (" {c.as_str()} ")"</option>
                                        }).collect_view()}
                                    </select>
                                    <Field name="threshold" label=t_string!(i18n, alarm_threshold).to_string() value=form.threshold.clone() errors=errors />
                                    <Field name="evaluation_periods" label=t_string!(i18n, alarm_evaluation_periods).to_string() value=form.evaluation_periods.clone() errors=errors />
                                    <Field name="datapoints_to_alarm" label=t_string!(i18n, alarm_datapoints).to_string() value=form.datapoints_to_alarm.clone() errors=errors />
                                    <label for="alarm-missing">{tr!(i18n, alarm_missing)}</label>
                                    <select id="alarm-missing" name="form[treat_missing_data]">
                                        {MissingData::ALL.into_iter().map(|m| view! {
                                            <option value=m.as_str() selected={form.treat_missing_data == m.as_str()}>{m.as_str()}</option>
                                        }).collect_view()}
                                    </select>
                                </fieldset>
                                <fieldset>
                                    <legend>{tr!(i18n, alarm_actions)}</legend>
                                    <p class="hint">{tr!(i18n, alarm_actions_hint)}</p>
                                    <Field name="alarm_actions" label=t_string!(i18n, alarm_on_alarm).to_string() value=form.alarm_actions.clone() multiline=true errors=errors />
                                    <Field name="ok_actions" label=t_string!(i18n, alarm_on_ok).to_string() value=form.ok_actions.clone() multiline=true errors=errors />
                                    <Field name="insufficient_data_actions" label=t_string!(i18n, alarm_on_insufficient).to_string() value=form.insufficient_data_actions.clone() multiline=true errors=errors />
                                </fieldset>
                                <button type="submit" class="button primary">{tr!(i18n, alarm_save)}</button>
                            </ReadForm>
                        }.into_any()
                    }
                })}
            </Suspense>
            <Show when=saved fallback=|| ()>
                <p class="form-ok" role="status">{tr!(i18n, alarm_saved)} " " <A href="/plan">{tr!(i18n, plan_link)}</A></p>
            </Show>
            {move || other_error.get().map(|error| view! { <ErrorNote error=error /> })}
        </section>
    }
}

fn template_label(template: Template) -> &'static str {
    match template {
        Template::EbsWriteBytes => "EBS VolumeWriteBytes > 100000",
        Template::Ec2Cpu => "EC2 CPUUtilization > 80",
        Template::LambdaErrors => "Lambda Errors > 0",
        Template::LambdaThrottles => "Lambda Throttles > 0",
        Template::AlbUnhealthyHosts => "ALB UnHealthyHostCount > 0",
    }
}

/// Alarms in AWS that Belfry does not manage, to adopt as they are.
#[component]
pub fn ImportPage() -> impl IntoView {
    let i18n = use_i18n();
    let candidates =
        RwSignal::new(None::<Result<Vec<crate::api::resources::ImportCandidate>, AppError>>);
    let look = Action::new(move |_: &()| async move {
        candidates.set(Some(importable_alarms().await));
    });
    let adopt = ServerAction::<AdoptAlarm>::new();
    let topics = RwSignal::new(None::<Result<Vec<(String, String)>, AppError>>);
    let look_topics = Action::new(move |_: &()| async move {
        topics.set(Some(importable_topics().await));
    });
    let adopt_topic = ServerAction::<AdoptTopic>::new();
    view! {
        <section class="resources">
            <h1>{tr!(i18n, alarm_import)}</h1>
            <p class="hint">{tr!(i18n, import_hint)}</p>
            <button class="button" on:click=move |_| { look.dispatch(()); }>{tr!(i18n, import_look)}</button>
            {move || look.pending().get().then(|| view! { <p role="status">{tr!(i18n, import_looking)}</p> })}
            {move || candidates.get().map(|found| match found {
                Ok(list) if list.is_empty() => view! { <p class="empty">{tr!(i18n, import_none)}</p> }.into_any(),
                Ok(list) => view! {
                    <ul class="plain" data-testid="importable">
                        {list.into_iter().map(|c| view! {
                            <li>
                                <ReadForm action=adopt read=|f| AdoptAlarm { name: f.text("name") } class="inline-fields">
                                    <input type="hidden" name="name" value=c.name.clone() />
                                    <strong>{c.name.clone()}</strong> " " <code>{c.summary.clone()}</code> " "
                                    <button type="submit" class="button small">{tr!(i18n, import_adopt)}</button>
                                </ReadForm>
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
            <h2>{tr!(i18n, topics_title)}</h2>
            <button class="button" on:click=move |_| { look_topics.dispatch(()); }>{tr!(i18n, import_look_topics)}</button>
            {move || look_topics.pending().get().then(|| view! { <p role="status">{tr!(i18n, import_looking)}</p> })}
            {move || topics.get().map(|found| match found {
                Ok(list) if list.is_empty() => view! { <p class="empty">{tr!(i18n, import_no_topics)}</p> }.into_any(),
                Ok(list) => view! {
                    <ul class="plain" data-testid="importable-topics">
                        {list.into_iter().map(|(arn, display)| view! {
                            <li>
                                <ReadForm action=adopt_topic read=|f| AdoptTopic { arn: f.text("arn") } class="inline-fields">
                                    <input type="hidden" name="arn" value=arn.clone() />
                                    <code>{arn.clone()}</code> " " {display} " "
                                    <button type="submit" class="button small">{tr!(i18n, import_adopt)}</button>
                                </ReadForm>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any(),
                Err(error) => view! { <ErrorNote error=error /> }.into_any(),
            })}
            <Show when=move || matches!(adopt_topic.value().get(), Some(Ok(_))) fallback=|| ()>
                <p class="form-ok" role="status">{tr!(i18n, import_adopted)} " " <A href="/plan">{tr!(i18n, plan_link)}</A></p>
            </Show>
            {move || adopt_topic.value().get().and_then(Result::err).map(|error| view! { <ErrorNote error=error /> })}
        </section>
    }
}

#[component]
pub fn SubscriptionsPage() -> impl IntoView {
    let i18n = use_i18n();
    // One resource for both lists: a Suspense nested in another's content does not hydrate
    // reliably.
    let lists = Resource::new(
        || (),
        |_| async {
            let topics = list_resources(Kind::Topic).await?;
            let subscriptions = list_resources(Kind::Subscription).await?;
            Ok::<_, AppError>((topics, subscriptions))
        },
    );
    let create_topic = ServerAction::<CreateTopic>::new();
    let edit_topic = ServerAction::<EditTopic>::new();
    let subscribe = ServerAction::<CreateSubscription>::new();
    let resend = ServerAction::<ResendConfirmation>::new();
    let delete = ServerAction::<DeleteResource>::new();
    // Lists are read again after a change; not keyed on the actions, which would differ
    // between the server's render and the browser's.
    Effect::new(move |_| {
        let changed = create_topic.version().get()
            + edit_topic.version().get()
            + subscribe.version().get()
            + resend.version().get()
            + delete.version().get();
        if changed > 0 {
            lists.refetch();
        }
    });
    view! {
        <section class="resources">
            <h1>{tr!(i18n, nav_subscriptions)}</h1>
            <p class="actions"><A href="/plan" attr:class="button">{tr!(i18n, plan_link)}</A></p>
            <Suspense fallback=|| ()>
                {move || lists.get().map(|loaded| match loaded {
                    Err(AppError::Unauthenticated) => view! { <SignInFirst /> }.into_any(),
                    Err(error) => view! { <ErrorNote error=error /> }.into_any(),
                    Ok((topic_list, subscription_list)) => {
                        let options = topic_list.clone();
                        view! {
                            <h2>{tr!(i18n, topics_title)}</h2>
                            {if topic_list.is_empty() {
                                view! { <p class="empty">{tr!(i18n, topics_empty)}</p> }.into_any()
                            } else {
                                view! {
                                    <table data-testid="topics">
                                        <thead><tr><th>{tr!(i18n, col_name)}</th><th>{tr!(i18n, topic_display_name)}</th><th>"ARN"</th><th>{tr!(i18n, col_status)}</th><th></th></tr></thead>
                                        <tbody>{topic_list.into_iter().map(|topic| {
                                            let id = topic.id.to_string();
                                            let field = format!("topic-display-{id}");
                                            let name = topic.name.clone();
                                            let edit_id = id.clone();
                                            let version = topic.version.to_string();
                                            let display_name = topic.summary.clone();
                                            view! {
                                                <tr>
                                                    <td>{topic.name.clone()}</td>
                                                    <td>
                                                        // The one thing about a topic that changes: saved at
                                                        // the version this list was read at.
                                                        <ReadForm
                                                            action=edit_topic
                                                            read=|f| EditTopic {
                                                                id: f.parse("id").unwrap_or_default(),
                                                                display_name: f.text("display_name"),
                                                                version: f.parse("version").unwrap_or_default(),
                                                            }
                                                            class="inline-form"
                                                        >
                                                            <input type="hidden" name="id" value=edit_id />
                                                            <input type="hidden" name="version" value=version />
                                                            <label for=field.clone() class="visually-hidden">
                                                                {t!(i18n, topic_display_of, name = move || name.clone())}
                                                            </label>
                                                            <input id=field name="display_name" type="text" maxlength="100" value=display_name />
                                                            <button type="submit" class="button small">{tr!(i18n, topic_save)}</button>
                                                        </ReadForm>
                                                    </td>
                                                    <td><code>{topic.aws_id.clone().unwrap_or_default()}</code></td>
                                                    <td><Status resource=topic /></td>
                                                    <td>
                                                        <ReadForm action=delete read=read_delete class="inline-form">
                                                            <input type="hidden" name="id" value=id />
                                                            <button type="submit" class="button small">{tr!(i18n, alarm_delete)}</button>
                                                        </ReadForm>
                                                    </td>
                                                </tr>
                                            }
                                        }).collect_view()}</tbody>
                                    </table>
                                }.into_any()
                            }}
                            <ReadForm action=create_topic read=|f| CreateTopic { name: f.text("name"), display_name: f.get("display_name") } class="inline-fields">
                                <label for="topic-name">{tr!(i18n, topic_name)}</label>
                                <input id="topic-name" name="name" type="text" required pattern="[A-Za-z0-9_-]{1,256}" />
                                <label for="topic-display">{tr!(i18n, topic_display_name)}</label>
                                <input id="topic-display" name="display_name" type="text" maxlength="100" />
                                <button type="submit" class="button">{tr!(i18n, topic_create)}</button>
                            </ReadForm>
                            {move || edit_topic.value().get().and_then(Result::err).map(|error| view! { <ErrorNote error=error /> })}
                            {move || create_topic.value().get().and_then(Result::err).map(|error| view! { <ErrorNote error=error /> })}

                            <h2>{tr!(i18n, subscriptions_title)}</h2>
                            {
                                    let list = subscription_list;
                                    if list.is_empty() {
                                        view! { <p class="empty">{tr!(i18n, subscriptions_empty)}</p> }.into_any()
                                    } else { view! {
                                        <table data-testid="subscriptions">
                                            <thead><tr><th>{tr!(i18n, col_endpoint)}</th><th>{tr!(i18n, col_status)}</th><th></th></tr></thead>
                                            <tbody>{list.into_iter().map(|s| {
                                                let id = s.id.to_string();
                                                let resend_id = id.clone();
                                                let pending = s.pending_hours.map(|hours| {
                                                    (hours, hours >= CONFIRMATION_TTL_HOURS)
                                                });
                                                view! {
                                                    <tr>
                                                        <td>{s.summary.clone()}</td>
                                                        <td>
                                                            <Status resource=s.clone() />
                                                            {pending.map(|(hours, expired)| view! {
                                                                <div class="badge pending" data-testid="pending">
                                                                    {if expired { t_string!(i18n, sub_expired).to_string() } else { t_string!(i18n, sub_pending).to_string() }}
                                                                    " · " {t!(i18n, sub_age, hours = move || hours)}
                                                                </div>
                                                                <p class="hint">{tr!(i18n, sub_pending_hint)}</p>
                                                            })}
                                                        </td>
                                                        <td>
                                                            {pending.map(|_| view! {
                                                                <ReadForm action=resend read=|f| ResendConfirmation { id: f.parse("id").unwrap_or_default() }>
                                                                    <input type="hidden" name="id" value=resend_id.clone() />
                                                                    <button type="submit" class="button small">{tr!(i18n, sub_resend)}</button>
                                                                </ReadForm>
                                                            })}
                                                            <ReadForm action=delete read=read_delete>
                                                                <input type="hidden" name="id" value=id.clone() />
                                                                <button type="submit" class="button small">{tr!(i18n, sub_unsubscribe)}</button>
                                                            </ReadForm>
                                                        </td>
                                                    </tr>
                                                }
                                            }).collect_view()}</tbody>
                                        </table>
                                    }.into_any() }
                            }
                            {(!options.is_empty()).then(|| view! {
                                <ReadForm
                                    action=subscribe
                                    read=|f| CreateSubscription {
                                        topic: f.parse("topic").unwrap_or_default(),
                                        protocol: f.text("protocol"),
                                        endpoint: f.text("endpoint"),
                                    }
                                    class="inline-fields"
                                >
                                    <label for="sub-topic">{tr!(i18n, sub_topic)}</label>
                                    <select id="sub-topic" name="topic">
                                        {options.iter().map(|t| view! { <option value=t.id.to_string()>{t.name.clone()}</option> }).collect_view()}
                                    </select>
                                    <label for="sub-protocol">{tr!(i18n, sub_protocol)}</label>
                                    <select id="sub-protocol" name="protocol">
                                        {Protocol::ALL.into_iter().map(|p| view! { <option value=p.as_str()>{p.as_str()}</option> }).collect_view()}
                                    </select>
                                    <label for="sub-endpoint">{tr!(i18n, sub_endpoint)}</label>
                                    <input id="sub-endpoint" name="endpoint" type="text" required />
                                    <button type="submit" class="button">{tr!(i18n, sub_create)}</button>
                                </ReadForm>
                            })}
                            {move || subscribe.value().get().and_then(Result::err).map(|error| view! { <ErrorNote error=error /> })}
                            {move || resend.value().get().and_then(Result::err).map(|error| view! { <ErrorNote error=error /> })}
                            {move || delete.value().get().and_then(Result::err).map(|error| view! { <ErrorNote error=error /> })}
                        }.into_any()
                    }
                })}
            </Suspense>
        </section>
    }
}

/// The plan, the apply, and each resource's progress while the workers run.
#[component]
pub fn PlanPage() -> impl IntoView {
    let i18n = use_i18n();
    let current = Resource::new(|| (), |_| plan());
    let apply = ServerAction::<ApplyPlan>::new();
    let resources = Resource::new(
        || (),
        |_| async move {
            let mut all = Vec::new();
            for kind in Kind::ALL {
                all.extend(list_resources(kind).await?);
            }
            Ok::<_, AppError>(all)
        },
    );
    // After apply: read the plan and the statuses again every second until nothing is
    // pending, so the page shows each resource's progress.
    let poller = StoredValue::new(None::<leptos::prelude::IntervalHandle>);
    Effect::new(move |_| {
        if apply.version().get() == 0 {
            return;
        }
        current.refetch();
        resources.refetch();
        // One poller at a time, however often Apply is pressed.
        if let Some(previous) = poller.get_value() {
            previous.clear();
        }
        let handle = leptos::prelude::set_interval_with_handle(
            move || {
                resources.refetch();
                current.refetch();
            },
            std::time::Duration::from_secs(1),
        )
        .ok();
        poller.set_value(handle);
        if let Some(handle) = handle {
            // Stop after two minutes at the latest; the list stays readable.
            leptos::prelude::set_timeout(
                move || handle.clear(),
                std::time::Duration::from_secs(120),
            );
        }
    });
    view! {
        <section class="plan">
            <h1>{tr!(i18n, plan_title)}</h1>
            <Suspense fallback=|| ()>
                {move || current.get().map(|p| match p {
                    Err(AppError::Unauthenticated) => view! { <SignInFirst /> }.into_any(),
                    Err(error) => view! { <ErrorNote error=error /> }.into_any(),
                    Ok(p) if p.summary.is_empty() => view! { <p class="empty" data-testid="plan-summary">{tr!(i18n, plan_nothing)}</p> }.into_any(),
                    Ok(p) => {
                        let s = p.summary;
                        view! {
                            <p class="plan-summary" data-testid="plan-summary">
                                {t!(i18n, plan_counts, create = move || s.create, change = move || s.change, delete = move || s.delete, adopt = move || s.adopt)}
                            </p>
                            <ul class="plan-steps" data-testid="plan-steps">
                                {p.steps.into_iter().map(|step| {
                                    let (sign, class) = match &step.op {
                                        Op::Create => ("+", "create"),
                                        Op::Update(_) => ("~", "update"),
                                        Op::Delete | Op::Orphan => ("−", "delete"),
                                        Op::Adopt(_) => ("=", "adopt"),
                                    };
                                    let changes = match &step.op {
                                        Op::Update(c) | Op::Adopt(c) => c.iter().map(ToString::to_string).collect::<Vec<_>>(),
                                        _ => Vec::new(),
                                    };
                                    view! {
                                        <li class=class>
                                            <code>{sign}</code> " " {step.kind.as_str()} " " <strong>{step.name.clone()}</strong>
                                            {(!changes.is_empty()).then(|| view! {
                                                <ul>{changes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}</ul>
                                            })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                            <SendForm action=apply input=ApplyPlan {}>
                                <button type="submit" class="button primary">{tr!(i18n, plan_apply)}</button>
                            </SendForm>
                        }.into_any()
                    }
                })}
            </Suspense>
            {move || apply.pending().get().then(|| view! { <p role="status">{tr!(i18n, plan_applying)}</p> })}
            {move || apply.value().get().and_then(Result::err).map(|error| view! { <ErrorNote error=error /> })}
            <h2>{tr!(i18n, plan_progress)}</h2>
            <Suspense fallback=|| ()>
                {move || resources.get().map(|list| {
                    let list = list.unwrap_or_default();
                    view! {
                        <table data-testid="progress">
                            <thead><tr><th>{tr!(i18n, col_kind)}</th><th>{tr!(i18n, col_name)}</th><th>{tr!(i18n, col_status)}</th></tr></thead>
                            <tbody>{list.into_iter().map(|r| {
                                let name = r.name.clone();
                                let label = r.name.clone();
                                view! {
                                    <tr data-name=name>
                                        <td>{r.kind.as_str()}</td>
                                        <td>{label}</td>
                                        <td><Status resource=r /></td>
                                    </tr>
                                }
                            }).collect_view()}</tbody>
                        </table>
                    }
                })}
            </Suspense>
        </section>
    }
}

/// A Delete or Unsubscribe button's form: the row's id (the nil id, which the server finds
/// nowhere, if the field were missing).
fn read_delete(f: &Fields) -> DeleteResource {
    DeleteResource {
        id: f.parse("id").unwrap_or_default(),
        orphan: f.get("orphan").map(|orphan| orphan == "true"),
    }
}

/// The alarm form's fields (`form[name]`, …), as the server function takes them.
fn read_alarm_form(f: &Fields) -> SaveAlarm {
    let text = |name: &str| f.text(&format!("form[{name}]"));
    SaveAlarm {
        form: AlarmForm {
            name: text("name"),
            description: text("description"),
            namespace: text("namespace"),
            metric_name: text("metric_name"),
            dimensions: text("dimensions"),
            statistic: text("statistic"),
            period_seconds: text("period_seconds"),
            evaluation_periods: text("evaluation_periods"),
            datapoints_to_alarm: text("datapoints_to_alarm"),
            threshold: text("threshold"),
            comparison: text("comparison"),
            treat_missing_data: text("treat_missing_data"),
            alarm_actions: text("alarm_actions"),
            ok_actions: text("ok_actions"),
            insufficient_data_actions: text("insufficient_data_actions"),
        },
        id: f.parse("id"),
        version: f.parse("version"),
    }
}
