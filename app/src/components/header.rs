use crate::components::text::tr;
use crate::i18n::{Locale, use_i18n};
use leptos::ev::MouseEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

/// The bar on every page: the product name, the sections, and the language switch.
///
/// Its links start loading their page's section when the pointer comes over one, a finger
/// touches it, or the keyboard focuses it ([`warm_links`](crate::pages::lazy::warm_links)):
/// the router's links and the account corner's, which are the server's HTML, alike.
#[component]
pub fn Header() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <a class="skip-link" href="#main">{tr!(i18n, skip_to_content)}</a>
        <header class="site-header">
            <A href="/" attr:class="brand">{tr!(i18n, app_name)}</A>
            <nav aria-label=tr!(i18n, nav_label)>
                <ul>
                    <li><A href="/alarms">{tr!(i18n, nav_alarms)}</A></li>
                    <li><A href="/subscriptions">{tr!(i18n, nav_subscriptions)}</A></li>
                    <li><A href="/schedules">{tr!(i18n, nav_schedules)}</A></li>
                    <li><A href="/load-balancers">{tr!(i18n, nav_load_balancers)}</A></li>
                    <li><A href="/cron">{tr!(i18n, nav_cron)}</A></li>
                </ul>
            </nav>
            <Account />
            <LanguageSwitch />
        </header>
    }
}

/// Who is signed in, with the way out; or the way in.
///
/// The corner is HTML the server writes ([`account_html`]): the browser never decodes who is
/// signed in, so the main module, which every page loads first, carries no JSON reader, no
/// resource and no server function for it (measured with `scripts/bundle-size`: the main
/// module 206 → 151 KB brotli). The server looks the visitor up before the page renders
/// ([`Visitor`]); hydrating, the browser keeps the corner's HTML as it is (an `inner_html`
/// hydrates without writing). After a navigation in the browser (signing in or up ends in
/// one) or a change of language, it asks for the corner again (`GET /fragment/account`).
/// Its links are plain links, which the router follows in the page like any other (and the
/// header warms like the others), and logging out and switching teams are plain forms, which
/// reload the page.
#[component]
fn Account() -> impl IntoView {
    let html = RwSignal::new(String::new());
    #[cfg(feature = "ssr")]
    {
        let parts = use_context::<http::request::Parts>();
        let path = parts.as_ref().map_or("/", |parts| parts.uri.path());
        // Absent when the lookup failed: the way in, and the page's questions ask again.
        let visitor = parts
            .as_ref()
            .and_then(|parts| parts.extensions.get::<Visitor>());
        if let Some(visitor) = visitor {
            crate::api::guard::RequestMember::seed(visitor.me.clone());
        }
        let locale = use_i18n().get_locale_untracked();
        html.set(account_html(
            locale,
            visitor.unwrap_or(&Visitor::default()),
            path,
        ));
    }
    #[cfg(feature = "hydrate")]
    {
        let i18n = use_i18n();
        let location = use_location();
        // The latest request's number: an older answer arriving late is dropped.
        let asked = StoredValue::new(0_u32);
        Effect::new(move |previous: Option<(String, Locale)>| {
            let now = (location.pathname.get(), i18n.get_locale());
            if previous.is_some_and(|previous| previous != now) {
                let number = asked.get_value().wrapping_add(1);
                asked.set_value(number);
                let (path, locale) = now.clone();
                leptos::task::spawn_local(async move {
                    if let Some(fresh) = fetch_account(locale, &path).await
                        && asked.get_value() == number
                    {
                        html.set(fresh);
                    }
                });
            }
            now
        });
    }
    view! {
        <div class="account" inner_html=move || html.get()></div>
    }
}

/// The corner's HTML for the current visitor in `locale` on the page at `path`, from the
/// server; none when it could not say (the corner shown stays).
#[cfg(feature = "hydrate")]
async fn fetch_account(locale: Locale, path: &str) -> Option<String> {
    use leptos_i18n::Locale as _;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let window = web_sys::window()?;
    let url = format!(
        "{ACCOUNT_FRAGMENT}?lang={}&path={}",
        locale.as_str(),
        crate::pages::encode(path)
    );
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(&url))
        .await
        .ok()?
        .dyn_into()
        .ok()?;
    if !response.ok() {
        return None;
    }
    JsFuture::from(response.text().ok()?)
        .await
        .ok()?
        .as_string()
}

/// Where the browser asks for the account corner's HTML ([`account_html`]).
pub const ACCOUNT_FRAGMENT: &str = "/fragment/account";

/// Who the header's account corner is about: looked up by the server before a page renders
/// (it puts this in the request's extensions) and for [`ACCOUNT_FRAGMENT`].
#[cfg(feature = "ssr")]
#[derive(Clone, Default)]
pub struct Visitor {
    pub me: Option<crate::api::Me>,
    pub teams: Vec<crate::api::teams::TeamChoice>,
}

#[cfg(feature = "ssr")]
impl Visitor {
    /// Who holds `session`, with their teams; an error when the session store or the
    /// database failed, which is not the same as nobody: the page's own questions then ask
    /// again and answer the failure. Teams that cannot be read leave the switch out.
    pub async fn of(
        backend: &crate::api::guard::Backend,
        session: &tower_sessions::Session,
    ) -> Result<Visitor, crate::api::AppError> {
        let Some(me) = crate::api::guard::member_of(backend, session).await? else {
            return Ok(Visitor::default());
        };
        let teams = crate::api::teams::team_choices(&backend.pool, &me)
            .await
            .unwrap_or_else(|error| {
                tracing::warn!(%error, "the header could not read the visitor's teams");
                Vec::new()
            });
        Ok(Visitor {
            me: Some(me),
            teams,
        })
    }
}

/// `aria-current="page"` for a link to `href` when the page at `path` is that page or one
/// below it, as the router's own links mark themselves.
#[cfg(feature = "ssr")]
fn current(href: &str, path: &str) -> Option<&'static str> {
    let below = path
        .strip_prefix(href)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
    below.then_some("page")
}

/// The account corner's content for `visitor` in `locale`, on the page at `path`: who is
/// signed in, their other pages, the team switch and the way out; or the way in.
#[cfg(feature = "ssr")]
pub fn account_html(locale: Locale, visitor: &Visitor, path: &str) -> String {
    use crate::i18n::td_string;
    use leptos::server_fn::ServerFn;
    let Some(me) = &visitor.me else {
        return view! {
            <a href="/login" aria-current=current("/login", path)>{td_string!(locale, nav_login)}</a>
        }
        .to_html();
    };
    let teams = (visitor.teams.len() > 1).then(|| {
        view! {
            // A plain form: every page's data belongs to the team, so switching reloads.
            <form method="post" action=crate::api::teams::SwitchTeam::url() class="inline-form team-switch">
                <label for="team-switch" class="visually-hidden">{td_string!(locale, team_switch)}</label>
                <select id="team-switch" name="team_id">
                    {visitor.teams.iter().map(|team| view! {
                        <option value=team.id.to_string() selected=team.current>{team.name.clone()}</option>
                    }).collect_view()}
                </select>
                <button type="submit" class="link-button">{td_string!(locale, team_switch_go)}</button>
            </form>
        }
    });
    view! {
        <a href="/settings" aria-current=current("/settings", path)>{td_string!(locale, nav_settings)}</a>
        <a href="/activity" aria-current=current("/activity", path)>{td_string!(locale, nav_activity)}</a>
        {teams}
        <span class="who" data-testid="who">
            <span class="visually-hidden">{td_string!(locale, signed_in_as)} " "</span>
            {me.email.clone()} " · " {me.team_name.clone()} " (" {me.role.as_str()} ")"
        </span>
        // A plain form: logging out reloads the whole page, so nothing of the signed-in
        // state stays in the browser.
        <form method="post" action=crate::api::auth::Logout::url() class="inline-form">
            <button type="submit" class="link-button">{td_string!(locale, nav_logout)}</button>
        </form>
    }
    .to_html()
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
