//! The team's settings (members, invitations, a new team), an invitation link, and the
//! activity (audit) log.
use super::SignInFirst;
use crate::api::AppError;
use crate::api::auth::{ChangePassword, whoami};
use crate::api::resources::{SetSelfHeal, self_heal};
use crate::api::teams::{
    AcceptInvitation, CreateInvitation, CreateTeam, SaveAwsConnection, audit_log, aws_connection,
    invitation_info, team_members,
};
use crate::components::error::ErrorNote;
use crate::components::send_form::{ReadForm, SendForm};
use crate::components::text::tr;
use crate::cron::stamp;
use crate::domain::Role;
use crate::i18n::{t_string, use_i18n};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn SettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let invite = ServerAction::<CreateInvitation>::new();
    // One resource for the page: a Suspense nested in another's content failed to hydrate
    // once the team had more than one member.
    let page = Resource::new(
        || (),
        |_| async {
            let me = whoami().await?;
            let (members, heal) = match me {
                Some(_) => (team_members().await?, self_heal().await?),
                None => (Vec::new(), false),
            };
            Ok::<_, AppError>((me, members, heal))
        },
    );
    let query = use_query_map();
    let link = move || {
        invite.value().get().and_then(Result::ok).or_else(|| {
            query
                .read()
                .get("invitation")
                .map(|token| format!("/invite/{token}"))
        })
    };
    let invite_error = move || invite.value().get().and_then(Result::err);
    let set_heal = ServerAction::<SetSelfHeal>::new();
    Effect::new(move |_| {
        if set_heal.version().get() > 0 {
            page.refetch();
        }
    });
    view! {
        <section class="settings">
            <h1>{tr!(i18n, settings_title)}</h1>
            <Suspense fallback=|| ()>
                {move || page.get().map(|loaded| match loaded {
                    Ok((Some(me), members, heal)) => view! {
                        <h2>{tr!(i18n, members)} " · " {me.team_name.clone()}</h2>
                        <ul class="members" data-testid="members">
                            {members.into_iter().map(|m| view! {
                                <li>{m.email} " (" {m.role.as_str()} ")"</li>
                            }).collect_view()}
                        </ul>
                        <Show when=move || me.role.allows(Role::Admin) fallback=|| ()>
                            <h2>{tr!(i18n, invite_title)}</h2>
                            <ReadForm
                                action=invite
                                read=|f| CreateInvitation { role: f.text("role") }
                                class="inline-fields"
                            >
                                <label for="invite-role">{tr!(i18n, role)}</label>
                                <select id="invite-role" name="role">
                                    <option value="viewer">"viewer"</option>
                                    <option value="editor" selected>"editor"</option>
                                    <option value="admin">"admin"</option>
                                </select>
                                <button type="submit" class="button">{tr!(i18n, invite_create)}</button>
                            </ReadForm>
                            {move || link().map(|path| view! {
                                <p class="hint">{tr!(i18n, invite_share)}</p>
                                <p><code data-testid="invite-link">{path.clone()}</code></p>
                            })}
                            {move || invite_error().map(|e| view! { <ErrorNote error=e /> })}
                        </Show>
                        <h2>{tr!(i18n, self_heal_title)}</h2>
                        <p data-testid="self-heal">
                            {if heal { t_string!(i18n, self_heal_on) } else { t_string!(i18n, self_heal_off) }}
                        </p>
                        <Show when=move || me.role.allows(Role::Admin) fallback=|| ()>
                            <SendForm action=set_heal input=SetSelfHeal { on: !heal }>
                                <input type="hidden" name="on" value=(!heal).to_string() />
                                <button type="submit" class="button">
                                    {if heal { t_string!(i18n, self_heal_turn_off) } else { t_string!(i18n, self_heal_turn_on) }}
                                </button>
                            </SendForm>
                        </Show>
                        <ul class="links">
                            <Show when=move || me.role.allows(Role::Admin) fallback=|| ()>
                                <li><A href="/settings/aws">{tr!(i18n, settings_aws_link)}</A></li>
                            </Show>
                            <li><A href="/settings/password">{tr!(i18n, settings_password_link)}</A></li>
                        </ul>
                        <h2>{tr!(i18n, new_team_title)}</h2>
                        // A plain form, like the team switcher: the new team becomes the current
                        // one, and everything on the page belongs to the team, so it reloads.
                        <form method="post" action=CreateTeam::url() class="inline-fields">
                            <label for="new-team">{tr!(i18n, team_name)}</label>
                            <input id="new-team" name="name" type="text" maxlength="80" required />
                            <button type="submit" class="button">{tr!(i18n, new_team_create)}</button>
                        </form>
                    }.into_any(),
                    _ => view! { <SignInFirst /> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

/// The team's AWS connection: region, optional role to assume, optional emulator endpoint.
/// Admins only; the server says so to anyone else.
#[component]
pub fn AwsSettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let current = Resource::new(|| (), |_| aws_connection());
    let save = ServerAction::<SaveAwsConnection>::new();
    // The external id exists once the connection is first saved: read it again after a save.
    Effect::new(move |_| {
        if save.version().get() > 0 {
            current.refetch();
        }
    });
    let saved = move || matches!(save.value().get(), Some(Ok(())));
    let error = move || save.value().get().and_then(Result::err);
    view! {
        <section class="settings">
            <h1>{tr!(i18n, aws_title)}</h1>
            <p class="hint">{tr!(i18n, aws_hint)}</p>
            <Suspense fallback=|| ()>
                {move || current.get().map(|current| match current {
                    Ok(current) => {
                        let region = current.as_ref().map_or_else(String::new, |c| c.region.clone());
                        let role = current.as_ref().and_then(|c| c.role_arn.clone()).unwrap_or_default();
                        let endpoint = current.as_ref().and_then(|c| c.endpoint_url.clone()).unwrap_or_default();
                        let external_id = current.map(|c| c.external_id);
                        view! {
                            <ReadForm
                                action=save
                                read=|f| SaveAwsConnection {
                                    region: f.text("region"),
                                    role_arn: f.get("role_arn"),
                                    endpoint_url: f.get("endpoint_url"),
                                }
                                class="stack"
                            >
                                <label for="aws-region">{tr!(i18n, aws_region)}</label>
                                <input id="aws-region" name="region" type="text" required placeholder="ap-northeast-2" value=region />
                                <label for="aws-role">{tr!(i18n, aws_role)}</label>
                                <input id="aws-role" name="role_arn" type="text" placeholder="arn:aws:iam::123456789012:role/belfry" value=role />
                                <label for="aws-endpoint">{tr!(i18n, aws_endpoint)}</label>
                                <input id="aws-endpoint" name="endpoint_url" type="url" placeholder="http://127.0.0.1:5000" value=endpoint />
                                <button type="submit" class="button primary">{tr!(i18n, save)}</button>
                            </ReadForm>
                            {external_id.map(|id| view! {
                                <p>{tr!(i18n, aws_external_id)} " " <code data-testid="external-id">{id}</code></p>
                            })}
                        }.into_any()
                    }
                    Err(AppError::Unauthenticated) => view! { <SignInFirst /> }.into_any(),
                    Err(error) => view! { <ErrorNote error=error /> }.into_any(),
                })}
            </Suspense>
            <Show when=saved fallback=|| ()>
                <p class="form-ok" role="status">{tr!(i18n, saved)}</p>
            </Show>
            {move || error().map(|error| view! { <ErrorNote error=error /> })}
        </section>
    }
}

/// Any member's own password. The server ends the member's other sessions.
#[component]
pub fn PasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let me = Resource::new(|| (), |_| whoami());
    let change = ServerAction::<ChangePassword>::new();
    let changed = move || matches!(change.value().get(), Some(Ok(())));
    let error = move || change.value().get().and_then(Result::err);
    view! {
        <section class="auth">
            <h1>{tr!(i18n, password_title)}</h1>
            <Suspense fallback=|| ()>
                {move || me.get().map(|me| match me {
                    Ok(Some(me)) => view! {
                        <ReadForm
                            action=change
                            read=|f| ChangePassword { current: f.text("current"), new: f.text("new") }
                            class="stack"
                        >
                            // For password managers: whose password this is.
                            <input type="hidden" name="username" autocomplete="username" value=me.email />
                            <label for="current">{tr!(i18n, password_current)}</label>
                            <input id="current" name="current" type="password" autocomplete="current-password" required />
                            <label for="new">{tr!(i18n, password_new)}</label>
                            <input id="new" name="new" type="password" autocomplete="new-password" minlength="12" required aria-describedby="password-hint" />
                            <p id="password-hint" class="hint">{tr!(i18n, password_hint)}</p>
                            <button type="submit" class="button primary">{tr!(i18n, password_change)}</button>
                        </ReadForm>
                    }.into_any(),
                    _ => view! { <SignInFirst /> }.into_any(),
                })}
            </Suspense>
            <Show when=changed fallback=|| ()>
                <p class="form-ok" role="status">{tr!(i18n, password_changed)}</p>
            </Show>
            {move || error().map(|error| view! { <ErrorNote error=error /> })}
        </section>
    }
}

#[component]
pub fn InvitePage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let info = Resource::new(token, invitation_info);
    let me = Resource::new(|| (), |_| whoami());
    let accept = ServerAction::<AcceptInvitation>::new();
    let error = move || accept.value().get().and_then(Result::err);
    view! {
        <section class="auth">
            <h1>{tr!(i18n, invite_page_title)}</h1>
            <Suspense fallback=|| ()>
                {move || info.get().map(|info| match info {
                    Ok(info) if info.usable => {
                        let signed_in = me.get().and_then(Result::ok).flatten();
                        view! {
                            <p data-testid="invitation">{tr!(i18n, invite_offer)} " " <strong>{info.team_name.clone()}</strong> " (" {info.role.as_str()} ")"</p>
                            <ReadForm
                                action=accept
                                read=|f| AcceptInvitation {
                                    token: f.text("token"),
                                    email: f.get("email"),
                                    password: f.get("password"),
                                }
                                class="stack"
                            >
                                <input type="hidden" name="token" prop:value=token />
                                {match signed_in {
                                    Some(me) => view! { <p>{tr!(i18n, signed_in_as)} " " {me.email}</p> }.into_any(),
                                    None => view! {
                                        <label for="email">{tr!(i18n, email)}</label>
                                        <input id="email" name="email" type="email" autocomplete="username" required />
                                        <label for="password">{tr!(i18n, password)}</label>
                                        <input id="password" name="password" type="password" autocomplete="new-password" minlength="12" required />
                                        <p class="hint">{tr!(i18n, password_hint)}</p>
                                    }.into_any(),
                                }}
                                <button type="submit" class="button primary">{tr!(i18n, invite_accept)}</button>
                            </ReadForm>
                        }.into_any()
                    }
                    _ => view! { <p class="form-error">{tr!(i18n, invite_unusable)}</p> }.into_any(),
                })}
            </Suspense>
            {move || error().map(|e| view! { <ErrorNote error=e /> })}
        </section>
    }
}

#[component]
pub fn ActivityPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let action = move || query.read().get("action");
    let log = Resource::new(action, audit_log);
    view! {
        <section class="activity">
            <h1>{tr!(i18n, activity_title)}</h1>
            <form method="get" action="/activity" class="inline-fields">
                <label for="action-filter">{tr!(i18n, activity_filter)}</label>
                <select id="action-filter" name="action">
                    <option value="">{tr!(i18n, activity_all)}</option>
                    <option value="user." selected=move || action().as_deref() == Some("user.")>"user."</option>
                    <option value="team." selected=move || action().as_deref() == Some("team.")>"team."</option>
                    <option value="member." selected=move || action().as_deref() == Some("member.")>"member."</option>
                    <option value="invitation." selected=move || action().as_deref() == Some("invitation.")>"invitation."</option>
                </select>
                <button type="submit" class="button">{tr!(i18n, activity_apply)}</button>
            </form>
            <Suspense fallback=|| ()>
                {move || log.get().map(|log| match log {
                    Ok(rows) if rows.is_empty() => view! { <p class="empty">{tr!(i18n, activity_empty)}</p> }.into_any(),
                    Ok(rows) => view! {
                        <table data-testid="audit">
                            <thead><tr><th>{tr!(i18n, activity_when)}</th><th>{tr!(i18n, activity_who)}</th><th>{tr!(i18n, activity_what)}</th><th>{tr!(i18n, activity_change)}</th></tr></thead>
                            <tbody>
                                {rows.into_iter().map(|row| view! {
                                    <tr>
                                        <td><time datetime=row.at.to_rfc3339()>{format!("{} UTC", stamp::date_time(row.at.naive_utc(), ' ', true))}</time></td>
                                        <td>{row.who.unwrap_or_default()}</td>
                                        <td><code>{row.action}</code></td>
                                        <td><code>{row.before.unwrap_or_default()}</code> " → " <code>{row.after.unwrap_or_default()}</code></td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(_) => view! { <SignInFirst /> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}
