//! Load balancers: the list, the guided setup that follows the lab (a VPC, subnets in two
//! zones, a security group, a target group of instances, listeners), and each one's live
//! state and target health. Pages read Postgres only; the network to choose from and the
//! live health come from AWS after the page has rendered, in the browser.
use super::SignInFirst;
use super::alarms::{DeleteButtons, Status};
use super::rules::{FieldError, follow_save};
use crate::api::AppError;
use crate::api::balancers::{
    AdoptBalancer, SaveBalancer, importable_balancers, live_balancer, load_balancer_form,
    read_network,
};
use crate::api::resources::{DeleteResource, list_resources};
use crate::components::error::{ErrorNote, save_errors};
use crate::components::send_form::{Fields, ReadForm, SendForm};
use crate::components::text::tr;
use crate::domain::balancer::{
    BalancerForm, BalancerLive, NetworkChoices, SSL_POLICIES, own_group_name,
};
use crate::domain::plan::Kind;
use crate::i18n::{t_string, use_i18n};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use std::collections::HashMap;
use uuid::Uuid;

type Network = RwSignal<Option<Result<NetworkChoices, AppError>>>;

#[component]
pub fn LoadBalancersPage() -> impl IntoView {
    let i18n = use_i18n();
    let list = Resource::new(|| (), |_| list_resources(Kind::LoadBalancer));
    let delete = ServerAction::<DeleteResource>::new();
    Effect::new(move |_| {
        if delete.version().get() > 0 {
            list.refetch();
        }
    });
    let candidates = RwSignal::new(None::<Result<Vec<(String, String)>, AppError>>);
    let look = Action::new(move |_: &()| async move {
        candidates.set(Some(importable_balancers().await));
    });
    let adopt = ServerAction::<AdoptBalancer>::new();
    view! {
        <section class="resources">
            <h1>{tr!(i18n, nav_load_balancers)}</h1>
            <p class="hint">{tr!(i18n, lb_lede)}</p>
            <p class="actions">
                <A href="/load-balancers/new" attr:class="button primary">{tr!(i18n, lb_new)}</A>
                " "
                <button type="button" class="button" on:click=move |_| { look.dispatch(()); }>{tr!(i18n, lb_import)}</button>
                " "
                <A href="/plan" attr:class="button">{tr!(i18n, plan_link)}</A>
            </p>
            {move || look.pending().get().then(|| view! { <p role="status">{tr!(i18n, import_looking)}</p> })}
            {move || candidates.get().map(|found| match found {
                Ok(found) if found.is_empty() => view! { <p class="empty">{tr!(i18n, import_none)}</p> }.into_any(),
                Ok(found) => view! {
                    <ul class="plain" data-testid="importable-balancers">
                        {found.into_iter().map(|(arn, name)| view! {
                            <li>
                                <SendForm action=adopt input=AdoptBalancer { arn: arn.clone() } class="inline-fields">
                                    <input type="hidden" name="arn" value=arn.clone() />
                                    <strong>{name}</strong> " " <code>{arn.clone()}</code> " "
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
            <Suspense fallback=|| ()>
                {move || list.get().map(|list| match list {
                    Ok(list) if list.is_empty() => view! { <p class="empty">{tr!(i18n, lb_empty)}</p> }.into_any(),
                    Ok(list) => view! {
                        <table data-testid="balancers">
                            <thead><tr>
                                <th>{tr!(i18n, col_name)}</th><th>{tr!(i18n, lb_col_setup)}</th>
                                <th>{tr!(i18n, lb_col_dns)}</th><th>{tr!(i18n, col_status)}</th><th></th>
                            </tr></thead>
                            <tbody>
                                {list.into_iter().map(|lb| {
                                    let id = lb.id;
                                    let title = lb.name.clone();
                                    let row_name = lb.name.clone();
                                    let summary = lb.summary.clone();
                                    let dns = lb.dns_name.clone().unwrap_or_else(|| "—".into());
                                    view! {
                                        <tr data-name=row_name>
                                            <td><A href=format!("/load-balancers/{id}")>{title}</A></td>
                                            <td><code>{summary}</code></td>
                                            <td><code data-testid="dns-name">{dns}</code></td>
                                            <td><Status resource=lb /></td>
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
                })}
            </Suspense>
            <Show when=move || matches!(delete.value().get(), Some(Ok(()))) fallback=|| ()>
                <p class="form-ok" role="status">{tr!(i18n, alarm_deleted)} " " <A href="/plan">{tr!(i18n, plan_link)}</A></p>
            </Show>
            {move || delete.value().get().and_then(Result::err).map(|error| view! { <ErrorNote error=error /> })}
        </section>
    }
}

/// The guided setup: new, or one to change, with the live view of an applied one.
#[component]
pub fn BalancerFormPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| Uuid::parse_str(&id).ok())
    };
    let data = Resource::new(id, load_balancer_form);
    let save = ServerAction::<SaveBalancer>::new();
    let (errors, other_error) = save_errors(save.value());
    let saved = follow_save(
        save.value(),
        move || id().is_none(),
        "/load-balancers",
        move || data.refetch(),
    );
    // An AWS read: it starts once the page is in the browser.
    let network: Network = RwSignal::new(None);
    Effect::new(move |_| {
        leptos::task::spawn_local(async move {
            network.set(Some(read_network().await));
        });
    });
    view! {
        <section class="resource-form balancer-form">
            <h1>{move || if id().is_some() { t_string!(i18n, lb_edit_title) } else { t_string!(i18n, lb_new_title) }}</h1>
            <p class="hint">{tr!(i18n, lb_lede)}</p>
            {move || id().map(|id| view! { <LivePanel id /> })}
            <Suspense fallback=|| ()>
                {move || data.get().map(|data| match data {
                    Ok((form, version)) => view! { <BalancerEditor form version save errors network /> }.into_any(),
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

/// DNS name, state and each target's health with AWS's reason, read after the page shows
/// and on Refresh.
#[component]
fn LivePanel(id: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let live = RwSignal::new(None::<Result<BalancerLive, AppError>>);
    let refresh = Action::new(move |_: &()| async move {
        live.set(Some(live_balancer(id).await));
    });
    Effect::new(move |_| {
        refresh.dispatch(());
    });
    view! {
        <section class="live" aria-labelledby="live-title" data-testid="live">
            <h2 id="live-title">{tr!(i18n, lb_live)}</h2>
            <p class="actions">
                <button type="button" class="button small" on:click=move |_| { refresh.dispatch(()); }>{tr!(i18n, lb_refresh)}</button>
                " "
                {move || refresh.pending().get().then(|| view! { <span role="status">{tr!(i18n, lb_reading)}</span> })}
            </p>
            {move || live.get().map(|result| match result {
                Ok(live) => view! {
                    <p>
                        {tr!(i18n, lb_col_dns)} ": " <code data-testid="live-dns">{live.dns_name.clone()}</code>
                        " " <span class="badge" data-testid="live-state">{live.state.clone()}</span>
                    </p>
                    {live.groups.into_iter().map(|(name, targets)| view! {
                        <h3>{tr!(i18n, lb_group)} " " {name}</h3>
                        {if targets.is_empty() {
                            view! { <p class="empty">{tr!(i18n, lb_no_targets)}</p> }.into_any()
                        } else {
                            view! {
                                <table data-testid="target-health">
                                    <thead><tr>
                                        <th>{tr!(i18n, lb_target)}</th><th>{tr!(i18n, lb_port)}</th>
                                        <th>{tr!(i18n, lb_health)}</th><th>{tr!(i18n, lb_reason)}</th>
                                    </tr></thead>
                                    <tbody>
                                        {targets.into_iter().map(|target| {
                                            let class = format!("badge health-{}", target.state);
                                            view! {
                                                <tr data-target=target.id.clone()>
                                                    <td><code>{target.id.clone()}</code></td>
                                                    <td>{target.port}</td>
                                                    <td><span class=class>{target.state.clone()}</span></td>
                                                    <td>{target.reason.clone().unwrap_or_default()}</td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            }.into_any()
                        }}
                    }).collect_view()}
                }.into_any(),
                Err(AppError::Conflict(_)) => view! { <p class="hint">{tr!(i18n, lb_not_applied)}</p> }.into_any(),
                Err(error) => view! { <ErrorNote error=error /> }.into_any(),
            })}
        </section>
    }
}

#[component]
fn BalancerEditor(
    form: BalancerForm,
    version: Option<i32>,
    save: ServerAction<SaveBalancer>,
    errors: Signal<HashMap<String, String>>,
    network: Network,
) -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = params.read_untracked().get("id");
    let editing = id.is_some();
    let kind = RwSignal::new(form.kind.clone());
    let vpc = RwSignal::new(form.vpc.clone());
    let secure = RwSignal::new(form.secure);
    let chosen = StoredValue::new((
        form.subnets.clone(),
        form.security_groups.clone(),
        form.instances.clone(),
    ));
    let text = move |name: &'static str, key: &'static str, label: String, value: String| {
        let input_id = format!("lb-{name}");
        view! {
            <label for=input_id.clone()>{label}</label>
            <input id=input_id name=format!("form[{name}]") type="text" spellcheck="false" autocomplete="off" value=value />
            <FieldError field=key.to_owned() errors />
        }
    };
    let choices = move || network.get().and_then(Result::ok).unwrap_or_default();
    let group_protocols = move || match kind.get().as_str() {
        // The form's front listener is TCP, UDP or TCP_UDP like its group (a TLS group would
        // need a TLS listener with a certificate in front).
        "network" => vec!["TCP", "UDP", "TCP_UDP"],
        _ => vec!["HTTP", "HTTPS"],
    };
    let group_protocol = form.group_protocol.clone();
    let application = form.kind != "network";
    let internal = form.scheme == "internal";
    let policy = form.ssl_policy.clone();
    let own_name = form.name.clone();
    view! {
        <ReadForm action=save read=read_balancer_form class="stack" attr:novalidate=true>
            {id.map(|id| view! { <input type="hidden" name="id" value=id /> })}
            {version.map(|v| view! { <input type="hidden" name="version" value=v.to_string() /> })}
            <fieldset>
                <legend>{tr!(i18n, lb_step_balancer)}</legend>
                <label for="lb-name">{tr!(i18n, lb_name)}</label>
                // AWS cannot rename a load balancer.
                <input id="lb-name" name="form[name]" type="text" spellcheck="false" autocomplete="off" value=form.name.clone() readonly=editing aria-describedby="lb-name-hint" />
                <p id="lb-name-hint" class="hint" hidden=!editing>{tr!(i18n, lb_name_fixed)}</p>
                <FieldError field="name".into() errors />
                <label for="lb-kind">{tr!(i18n, lb_kind)}</label>
                <select id="lb-kind" name="form[kind]" on:change=move |ev| kind.set(event_target_value(&ev))>
                    <option value="application" selected=application>{tr!(i18n, lb_application)}</option>
                    <option value="network" selected=!application>{tr!(i18n, lb_network)}</option>
                </select>
                <label for="lb-scheme">{tr!(i18n, lb_scheme)}</label>
                <select id="lb-scheme" name="form[scheme]">
                    <option value="internet-facing" selected=!internal>{tr!(i18n, lb_internet_facing)}</option>
                    <option value="internal" selected=internal>{tr!(i18n, lb_internal)}</option>
                </select>
                <label for="lb-vpc">"VPC"</label>
                <select id="lb-vpc" name="form[vpc]" on:change=move |ev| vpc.set(event_target_value(&ev))>
                    <option value="">{tr!(i18n, lb_choose_vpc)}</option>
                    {move || {
                        let current = vpc.get_untracked();
                        choices().vpcs.into_iter().map(|(vpc_id, name, cidr)| {
                            let selected = vpc_id == current;
                            let label = format!("{name} {vpc_id} ({cidr})");
                            view! { <option value=vpc_id selected=selected>{label}</option> }
                        }).collect_view()
                    }}
                </select>
                <FieldError field="vpc".into() errors />
                {move || match network.get() {
                    None => view! { <p class="hint" role="status">{tr!(i18n, lb_reading_network)}</p> }.into_any(),
                    Some(Err(error)) => view! { <ErrorNote error=error /> }.into_any(),
                    Some(Ok(_)) => ().into_any(),
                }}
                <fieldset class="choices" data-testid="subnets">
                    <legend>{tr!(i18n, lb_subnets)}</legend>
                    <p class="hint">{tr!(i18n, lb_subnets_hint)}</p>
                    {move || {
                        let in_vpc = vpc.get();
                        let picked = chosen.with_value(|c| c.0.clone());
                        choices().subnets.into_iter().filter(|s| s.1 == in_vpc).enumerate().map(|(i, (subnet, _, zone, name))| {
                            let checked = picked.contains(&subnet);
                            let label = format!("{name} {subnet} · {zone}");
                            view! {
                                <label class="choice">
                                    <input type="checkbox" name=format!("form[subnets][{i}]") value=subnet checked=checked />
                                    " " {label}
                                </label>
                            }
                        }).collect_view()
                    }}
                </fieldset>
                <FieldError field="subnets".into() errors />
                <fieldset class="choices" data-testid="security-groups">
                    <legend>{tr!(i18n, lb_security_groups)}</legend>
                    <label class="choice">
                        <input type="checkbox" name="form[own_security_group]" value="true" checked=form.own_security_group />
                        " " {tr!(i18n, lb_own_group)}
                    </label>
                    {move || {
                        let in_vpc = vpc.get();
                        let picked = chosen.with_value(|c| c.1.clone());
                        // The group Belfry makes is the checkbox above, not one to pick.
                        let own = own_group_name(&own_name);
                        // (Unless the setup lists it by itself, as an adopted one may.)
                        choices().security_groups.into_iter().filter(|g| g.1 == in_vpc && (g.2 != own || picked.contains(&g.0))).enumerate().map(|(i, (group, _, name))| {
                            let checked = picked.contains(&group);
                            let label = format!("{name} {group}");
                            view! {
                                <label class="choice">
                                    <input type="checkbox" name=format!("form[security_groups][{i}]") value=group checked=checked />
                                    " " {label}
                                </label>
                            }
                        }).collect_view()
                    }}
                </fieldset>
                <FieldError field="security_groups".into() errors />
            </fieldset>
            <fieldset>
                <legend>{tr!(i18n, lb_step_group)}</legend>
                {text("group_name", "group-1.name", t_string!(i18n, lb_group_name).to_string(), form.group_name.clone())}
                <label for="lb-group_protocol">{tr!(i18n, lb_protocol)}</label>
                <select id="lb-group_protocol" name="form[group_protocol]">
                    {move || group_protocols().into_iter().map(|p| {
                        let selected = p == group_protocol;
                        view! { <option value=p selected=selected>{p}</option> }
                    }).collect_view()}
                </select>
                <FieldError field="group-1.protocol".into() errors />
                {text("group_port", "group-1.port", t_string!(i18n, lb_port).to_string(), form.group_port.clone())}
                {text("health_path", "group-1.health_path", t_string!(i18n, lb_health_path).to_string(), form.health_path.clone())}
                {text("health_interval", "group-1.health_timing", t_string!(i18n, lb_health_interval).to_string(), form.health_interval.clone())}
                {text("health_timeout", "group-1.health_timing_", t_string!(i18n, lb_health_timeout).to_string(), form.health_timeout.clone())}
                {text("healthy_threshold", "group-1.health_thresholds", t_string!(i18n, lb_healthy_threshold).to_string(), form.healthy_threshold.clone())}
                {text("unhealthy_threshold", "group-1.health_thresholds_", t_string!(i18n, lb_unhealthy_threshold).to_string(), form.unhealthy_threshold.clone())}
                {text("health_matcher", "group-1.health_matcher", t_string!(i18n, lb_matcher).to_string(), form.health_matcher.clone())}
                {text("deregistration_delay", "group-1.deregistration_delay", t_string!(i18n, lb_deregistration_delay).to_string(), form.deregistration_delay.clone())}
                <fieldset class="choices" data-testid="instances">
                    <legend>{tr!(i18n, lb_instances)}</legend>
                    {move || {
                        let in_vpc = vpc.get();
                        let picked = chosen.with_value(|c| c.2.clone());
                        let found: Vec<_> = choices().instances.into_iter().filter(|i| i.1 == in_vpc).collect();
                        if found.is_empty() {
                            return view! { <p class="empty">{tr!(i18n, lb_no_instances)}</p> }.into_any();
                        }
                        found.into_iter().enumerate().map(|(i, (instance, _, name, state))| {
                            let checked = picked.contains(&instance);
                            let label = format!("{name} {instance} ({state})");
                            view! {
                                <label class="choice">
                                    <input type="checkbox" name=format!("form[instances][{i}]") value=instance checked=checked />
                                    " " {label}
                                </label>
                            }
                        }).collect_view().into_any()
                    }}
                </fieldset>
                <FieldError field="group-1.instances".into() errors />
            </fieldset>
            <fieldset>
                <legend>{tr!(i18n, lb_step_listeners)}</legend>
                {text("listener_port", "listener-1.port", t_string!(i18n, lb_listener_port).to_string(), form.listener_port.clone())}
                <FieldError field="listener-1.action".into() errors />
                <FieldError field="listener-1.protocol".into() errors />
                <label class="choice">
                    <input type="checkbox" id="lb-secure" name="form[secure]" value="true" checked=form.secure on:change=move |ev| secure.set(event_target_checked(&ev)) />
                    " " {tr!(i18n, lb_secure)}
                </label>
                <div hidden=move || !secure.get()>
                    {text("certificate_arn", "listener-2.certificate_arn", t_string!(i18n, lb_certificate).to_string(), form.certificate_arn.clone())}
                    <label for="lb-ssl_policy">{tr!(i18n, lb_ssl_policy)}</label>
                    <select id="lb-ssl_policy" name="form[ssl_policy]">
                        {SSL_POLICIES.into_iter().map(|p| {
                            let selected = p == policy;
                            view! { <option value=p selected=selected>{p}</option> }
                        }).collect_view()}
                    </select>
                    <FieldError field="listener-2.ssl_policy".into() errors />
                    <label class="choice" hidden=move || kind.get() == "network">
                        <input type="checkbox" id="lb-redirect" name="form[redirect]" value="true" checked=form.redirect />
                        " " {tr!(i18n, lb_redirect)}
                    </label>
                </div>
            </fieldset>
            <button type="submit" class="button primary">{tr!(i18n, lb_save)}</button>
        </ReadForm>
    }
}

/// The load balancer form's fields, as the server function takes them (the names the form
/// gives them: `form[name]`, `form[subnets][0]`, …).
fn read_balancer_form(f: &Fields) -> SaveBalancer {
    let text = |name: &str| f.text(&format!("form[{name}]"));
    SaveBalancer {
        form: BalancerForm {
            name: text("name"),
            kind: text("kind"),
            scheme: text("scheme"),
            vpc: text("vpc"),
            subnets: f.list("form[subnets]"),
            security_groups: f.list("form[security_groups]"),
            own_security_group: f.checked("form[own_security_group]"),
            group_name: text("group_name"),
            group_protocol: text("group_protocol"),
            group_port: text("group_port"),
            health_path: text("health_path"),
            health_interval: text("health_interval"),
            health_timeout: text("health_timeout"),
            healthy_threshold: text("healthy_threshold"),
            unhealthy_threshold: text("unhealthy_threshold"),
            health_matcher: text("health_matcher"),
            deregistration_delay: text("deregistration_delay"),
            instances: f.list("form[instances]"),
            listener_port: text("listener_port"),
            secure: f.checked("form[secure]"),
            certificate_arn: text("certificate_arn"),
            ssl_policy: text("ssl_policy"),
            redirect: f.checked("form[redirect]"),
            ..BalancerForm::default()
        },
        id: f.parse("id"),
        version: f.parse("version"),
    }
}
