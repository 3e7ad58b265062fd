//! The team's settings (members, invitations, a new team), an invitation link, and the
//! activity (audit) log.
use crate::api::auth::whoami;
use crate::api::teams::{
    AcceptInvitation, CreateInvitation, CreateTeam, audit_log, invitation_info, team_members,
};
use crate::domain::Role;
use crate::i18n::{t, use_i18n};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

/// Shown instead of a page's content when nobody is signed in.
#[component]
fn SignInFirst() -> impl IntoView {
    let i18n = use_i18n();
    view! { <p><A href="/login">{t!(i18n, sign_in_first)}</A></p> }
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let invite = ServerAction::<CreateInvitation>::new();
    let me = Resource::new(|| (), |_| whoami());
    let members = Resource::new(|| (), |_| team_members());
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
    view! {
        <section class="settings">
            <h1>{t!(i18n, settings_title)}</h1>
            <Suspense fallback=|| ()>
                {move || me.get().map(|me| match me {
                    Ok(Some(me)) => view! {
                        <h2>{t!(i18n, members)} " · " {me.team_name.clone()}</h2>
                        <ul class="members" data-testid="members">
                            <Suspense fallback=|| ()>
                                {move || members.get().map(|list| list.unwrap_or_default().into_iter().map(|m| view! {
                                    <li>{m.email} " (" {m.role.as_str()} ")"</li>
                                }).collect_view())}
                            </Suspense>
                        </ul>
                        <Show when=move || me.role.allows(Role::Admin) fallback=|| ()>
                            <h2>{t!(i18n, invite_title)}</h2>
                            <ActionForm action=invite attr:class="inline-fields">
                                <label for="invite-role">{t!(i18n, role)}</label>
                                <select id="invite-role" name="role">
                                    <option value="viewer">"viewer"</option>
                                    <option value="editor" selected>"editor"</option>
                                    <option value="admin">"admin"</option>
                                </select>
                                <button type="submit" class="button">{t!(i18n, invite_create)}</button>
                            </ActionForm>
                            {move || link().map(|path| view! {
                                <p class="hint">{t!(i18n, invite_share)}</p>
                                <p><code data-testid="invite-link">{path.clone()}</code></p>
                            })}
                            {move || invite_error().map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
                        </Show>
                        <h2>{t!(i18n, new_team_title)}</h2>
                        // A plain form, like the team switcher: the new team becomes the current
                        // one, and everything on the page belongs to the team, so it reloads.
                        <form method="post" action=CreateTeam::url() class="inline-fields">
                            <label for="new-team">{t!(i18n, team_name)}</label>
                            <input id="new-team" name="name" type="text" maxlength="80" required />
                            <button type="submit" class="button">{t!(i18n, new_team_create)}</button>
                        </form>
                    }.into_any(),
                    _ => view! { <SignInFirst /> }.into_any(),
                })}
            </Suspense>
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
            <h1>{t!(i18n, invite_page_title)}</h1>
            <Suspense fallback=|| ()>
                {move || info.get().map(|info| match info {
                    Ok(info) if info.usable => {
                        let signed_in = me.get().and_then(Result::ok).flatten();
                        view! {
                            <p data-testid="invitation">{t!(i18n, invite_offer)} " " <strong>{info.team_name.clone()}</strong> " (" {info.role.as_str()} ")"</p>
                            <ActionForm action=accept attr:class="stack">
                                <input type="hidden" name="token" prop:value=token />
                                {match signed_in {
                                    Some(me) => view! { <p>{t!(i18n, signed_in_as)} " " {me.email}</p> }.into_any(),
                                    None => view! {
                                        <label for="email">{t!(i18n, email)}</label>
                                        <input id="email" name="email" type="email" autocomplete="username" required />
                                        <label for="password">{t!(i18n, password)}</label>
                                        <input id="password" name="password" type="password" autocomplete="new-password" minlength="12" required />
                                        <p class="hint">{t!(i18n, password_hint)}</p>
                                    }.into_any(),
                                }}
                                <button type="submit" class="button primary">{t!(i18n, invite_accept)}</button>
                            </ActionForm>
                        }.into_any()
                    }
                    _ => view! { <p class="form-error">{t!(i18n, invite_unusable)}</p> }.into_any(),
                })}
            </Suspense>
            {move || error().map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
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
            <h1>{t!(i18n, activity_title)}</h1>
            <form method="get" action="/activity" class="inline-fields">
                <label for="action-filter">{t!(i18n, activity_filter)}</label>
                <select id="action-filter" name="action">
                    <option value="">{t!(i18n, activity_all)}</option>
                    <option value="user." selected=move || action().as_deref() == Some("user.")>"user."</option>
                    <option value="team." selected=move || action().as_deref() == Some("team.")>"team."</option>
                    <option value="member." selected=move || action().as_deref() == Some("member.")>"member."</option>
                    <option value="invitation." selected=move || action().as_deref() == Some("invitation.")>"invitation."</option>
                </select>
                <button type="submit" class="button">{t!(i18n, activity_apply)}</button>
            </form>
            <Suspense fallback=|| ()>
                {move || log.get().map(|log| match log {
                    Ok(rows) if rows.is_empty() => view! { <p class="empty">{t!(i18n, activity_empty)}</p> }.into_any(),
                    Ok(rows) => view! {
                        <table data-testid="audit">
                            <thead><tr><th>{t!(i18n, activity_when)}</th><th>{t!(i18n, activity_who)}</th><th>{t!(i18n, activity_what)}</th><th>{t!(i18n, activity_change)}</th></tr></thead>
                            <tbody>
                                {rows.into_iter().map(|row| view! {
                                    <tr>
                                        <td><time datetime=row.at.to_rfc3339()>{row.at.format("%Y-%m-%d %H:%M:%S UTC").to_string()}</time></td>
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
