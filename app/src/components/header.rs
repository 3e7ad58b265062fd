use crate::components::text::tr;
use crate::i18n::{Locale, use_i18n};
use crate::pages::lazy::{self, warm};
use leptos::ev::MouseEvent;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

/// The bar on every page: the product name, the sections, and the language switch.
#[component]
pub fn Header() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <a class="skip-link" href="#main">{tr!(i18n, skip_to_content)}</a>
        <header class="site-header">
            <SectionLink href="/" warm={warm::<lazy::Home>} attr:class="brand">{tr!(i18n, app_name)}</SectionLink>
            <nav aria-label=tr!(i18n, nav_label)>
                <ul>
                    <li><SectionLink href="/alarms" warm={warm::<lazy::Alarms>}>{tr!(i18n, nav_alarms)}</SectionLink></li>
                    <li><SectionLink href="/subscriptions" warm={warm::<lazy::Subscriptions>}>{tr!(i18n, nav_subscriptions)}</SectionLink></li>
                    <li><SectionLink href="/schedules" warm={warm::<lazy::Schedules>}>{tr!(i18n, nav_schedules)}</SectionLink></li>
                    <li><SectionLink href="/load-balancers" warm={warm::<lazy::LoadBalancers>}>{tr!(i18n, nav_load_balancers)}</SectionLink></li>
                    <li><SectionLink href="/cron" warm={warm::<lazy::Cron>}>{tr!(i18n, nav_cron)}</SectionLink></li>
                </ul>
            </nav>
            <Account />
            <LanguageSwitch />
        </header>
    }
}

/// A link to a page in a lazily loaded section, which starts loading the section's code when
/// the pointer comes over it, a finger touches it, or the keyboard focuses it (see
/// [`warm`]). `warm` is `warm::<R>` for the page's route `R`.
#[component]
fn SectionLink(href: &'static str, warm: fn(), children: Children) -> impl IntoView {
    view! {
        <A href=href on:pointerenter=move |_| warm() on:focus=move |_| warm()>
            {children()}
        </A>
    }
}

/// Who is signed in, with the way out; or the way in.
#[component]
fn Account() -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    let me = Resource::new(|| (), |_| crate::api::auth::whoami());
    let teams = Resource::new(|| (), |_| crate::api::teams::my_teams());
    // Asked again after each client-side navigation (login and sign-up end in one), so the
    // header never misses someone who arrived; logging out reloads the whole page. Created
    // here, outside the Transition, so server and browser number them alike.
    Effect::new(move |previous: Option<String>| {
        let path = location.pathname.get();
        if previous.is_some_and(|previous| previous != path) {
            me.refetch();
            teams.refetch();
        }
        path
    });
    view! {
        <div class="account">
            <Transition fallback=|| ()>
                // Both resources are read here, under one Transition: a Suspense or Transition
                // nested inside another's content failed to hydrate.
                {move || Some((me.get()?, teams.get()?)).map(|(me, teams)| match me {
                    Ok(Some(me)) => view! {
                        <SectionLink href="/settings" warm={warm::<lazy::Settings>}>{tr!(i18n, nav_settings)}</SectionLink>
                        <SectionLink href="/activity" warm={warm::<lazy::Activity>}>{tr!(i18n, nav_activity)}</SectionLink>
                        <TeamSwitcher teams=teams.unwrap_or_default() />
                        <span class="who" data-testid="who">
                            <span class="visually-hidden">{tr!(i18n, signed_in_as)} " "</span>
                            {me.email.clone()} " · " {me.team_name.clone()} " (" {me.role.as_str()} ")"
                        </span>
                        // A plain form, not an ActionForm: logging out reloads the whole page,
                        // so nothing of the signed-in state stays in the browser.
                        <form method="post" action=crate::api::auth::Logout::url() class="inline-form">
                            <button type="submit" class="link-button">{tr!(i18n, nav_logout)}</button>
                        </form>
                    }.into_any(),
                    _ => view! { <SectionLink href="/login" warm={warm::<lazy::Login>}>{tr!(i18n, nav_login)}</SectionLink> }.into_any(),
                })}
            </Transition>
        </div>
    }
}

/// The user's teams; choosing one makes it current. Shown when there is more than one.
#[component]
fn TeamSwitcher(teams: Vec<crate::api::teams::TeamChoice>) -> impl IntoView {
    let i18n = use_i18n();
    (teams.len() > 1).then(|| {
        view! {
                // A plain form: every page's data belongs to the team, so switching reloads.
                <form method="post" action=crate::api::teams::SwitchTeam::url() class="inline-form team-switch">
                    <label for="team-switch" class="visually-hidden">{tr!(i18n, team_switch)}</label>
                    <select id="team-switch" name="team_id">
                        {teams.into_iter().map(|team| view! {
                            <option value=team.id.to_string() selected=team.current>{team.name}</option>
                        }).collect_view()}
                    </select>
                    <button type="submit" class="link-button">{tr!(i18n, team_switch_go)}</button>
                </form>
        }
    })
}

/// Switches the UI language. Hydrated, it changes the page in place (and the cookie);
/// without JavaScript the same buttons post to `/lang`, which sets the cookie and comes back.
#[component]
fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    let back = move || location.pathname.get() + &location.search.get();
    let choose = move |locale: Locale| {
        move |ev: MouseEvent| {
            ev.prevent_default();
            i18n.set_locale(locale);
            remember_locale(locale);
        }
    };
    let pressed = move |locale: Locale| move || (i18n.get_locale() == locale).to_string();

    view! {
        <form class="lang-switch" method="post" action="/lang">
            <fieldset>
                <legend class="visually-hidden">{tr!(i18n, language)}</legend>
                <input type="hidden" name="back" value=back />
                <button
                    type="submit"
                    name="lang"
                    value="en"
                    lang="en"
                    aria-pressed=pressed(Locale::en)
                    on:click=choose(Locale::en)
                >
                    {tr!(i18n, lang_en)}
                </button>
                <button
                    type="submit"
                    name="lang"
                    value="ko"
                    lang="ko"
                    aria-pressed=pressed(Locale::ko)
                    on:click=choose(Locale::ko)
                >
                    {tr!(i18n, lang_ko)}
                </button>
            </fieldset>
        </form>
    }
}

/// Writes the language cookie, so that the server renders the next page in this language.
fn remember_locale(locale: Locale) {
    #[cfg(feature = "hydrate")]
    {
        use leptos_i18n::Locale as _;
        use wasm_bindgen::JsCast;
        if let Some(document) = web_sys::window()
            .and_then(|window| window.document())
            .and_then(|document| document.dyn_into::<web_sys::HtmlDocument>().ok())
        {
            let _ = document.set_cookie(&crate::lang_cookie(locale.as_str()));
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = locale;
}
