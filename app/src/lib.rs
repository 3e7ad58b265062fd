//! Belfry's Leptos application: the pages and components, rendered on the server and hydrated
//! in the browser, plus the pure core (`cron`, `domain`) that both sides share.
#![recursion_limit = "512"]

pub mod api;
pub mod components;
pub mod cron;
#[cfg(feature = "ssr")]
pub mod db;
pub mod domain;
pub mod pages;

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

use crate::i18n::{I18nContextProvider, Locale};
use leptos::prelude::*;
use leptos_i18n::context::CookieOptions;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::Lazy;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;
use pages::lazy;

/// The cookie that remembers the UI language. The server's no-JavaScript fallback
/// (`POST /lang`) writes the same cookie, so both ways of switching agree.
pub const LANG_COOKIE: &str = "belfry-lang";

/// The `Set-Cookie` value that remembers `lang` for a year, site-wide. The server's
/// `POST /lang` sends it; in the browser the language switch writes it to
/// `document.cookie` (leptos_i18n's own cookie support is compiled into the server only).
pub fn lang_cookie(lang: &str) -> String {
    format!("{LANG_COOKIE}={lang}; Path=/; Max-Age=31536000; SameSite=Lax")
}

/// The UI language for a list of language tags, most wanted first: a browser's languages, or
/// a request's `Accept-Language` as leptos-use splits it (`ko-KR`, ` en-US`). The first tag
/// whose language is one of the UI's wins; otherwise English. The generated `Locale` chooses
/// with this (see build.rs, `choose_locales_without_icu`).
pub fn locale_for<T: AsRef<[u8]>>(tags: &[T]) -> Locale {
    use crate::i18n::I18nLocaleTrait;
    tags.iter()
        .find_map(|tag| {
            let tag = std::str::from_utf8(tag.as_ref()).ok()?;
            let language = tag.trim().split(['-', '_']).next()?;
            Locale::get_all()
                .iter()
                .copied()
                .find(|locale| language.eq_ignore_ascii_case(locale.as_str()))
        })
        .unwrap_or_default()
}

/// The HTML document around [`App`]; the server renders it for every page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let cookie_options = CookieOptions::<Locale>::default()
        .path("/")
        .max_age(365 * 24 * 60 * 60 * 1000_i64);
    // Effects run only in the browser, after hydration: the attribute tells tests (and CSS)
    // that the page is interactive.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));

    view! {
        <Stylesheet id="leptos" href="/pkg/belfry.css" />
        <Title text="Belfry" />
        <I18nContextProvider cookie_name=LANG_COOKIE cookie_options>
            <Router>
                <components::header::Header />
                <main id="main" tabindex="-1" data-hydrated=move || hydrated.get().to_string()>
                    <Routes fallback=pages::not_found::NotFound>
                        <Route path=path!("/") view={Lazy::<lazy::Home>::new()} />
                        <Route path=path!("/cron") view={Lazy::<lazy::Cron>::new()} />
                        <Route path=path!("/login") view={Lazy::<lazy::Login>::new()} />
                        <Route path=path!("/signup") view={Lazy::<lazy::Signup>::new()} />
                        <Route path=path!("/settings") view={Lazy::<lazy::Settings>::new()} />
                        <Route path=path!("/settings/aws") view={Lazy::<lazy::AwsSettings>::new()} />
                        <Route path=path!("/settings/password") view={Lazy::<lazy::Password>::new()} />
                        <Route path=path!("/activity") view={Lazy::<lazy::Activity>::new()} />
                        <Route path=path!("/invite/:token") view={Lazy::<lazy::Invite>::new()} />
                        <Route path=path!("/alarms") view={Lazy::<lazy::Alarms>::new()} />
                        <Route path=path!("/alarms/new") view={Lazy::<lazy::AlarmForm>::new()} />
                        <Route path=path!("/alarms/import") view={Lazy::<lazy::Import>::new()} />
                        <Route path=path!("/alarms/:id") view={Lazy::<lazy::AlarmForm>::new()} />
                        <Route path=path!("/subscriptions") view={Lazy::<lazy::Subscriptions>::new()} />
                        <Route path=path!("/plan") view={Lazy::<lazy::Plan>::new()} />
                        <Route path=path!("/schedules") view={Lazy::<lazy::Schedules>::new()} />
                        <Route path=path!("/schedules/new") view={Lazy::<lazy::RuleForm>::new()} />
                        <Route path=path!("/schedules/:id") view={Lazy::<lazy::RuleForm>::new()} />
                        <Route path=path!("/schedules/scheduler/new") view={Lazy::<lazy::SchedulerForm>::new()} />
                        <Route path=path!("/schedules/scheduler/:id") view={Lazy::<lazy::SchedulerForm>::new()} />
                        <Route path=path!("/load-balancers") view={Lazy::<lazy::LoadBalancers>::new()} />
                        <Route path=path!("/load-balancers/new") view={Lazy::<lazy::BalancerForm>::new()} />
                        <Route path=path!("/load-balancers/:id") view={Lazy::<lazy::BalancerForm>::new()} />
                    </Routes>
                </main>
            </Router>
        </I18nContextProvider>
    }
}

/// The browser's entry point: attaches the reactive app to the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // The first page's section must arrive before its view can hydrate; with it loaded, the
    // page hydrates synchronously (see `lazy::load_current_section`).
    wasm_bindgen_futures::spawn_local(async {
        lazy::load_current_section().await;
        leptos::mount::hydrate_body(App);
        lazy::warm_links();
    });
}

#[cfg(test)]
mod tests {
    use super::locale_for;
    use crate::i18n::{I18nLocaleTrait, Locale};

    #[test]
    fn the_first_of_a_visitors_languages_that_the_ui_speaks_is_chosen() {
        assert_eq!(locale_for(&["ko-KR", "en-US"]), Locale::ko);
        assert_eq!(locale_for(&[" en-US", "ko"]), Locale::en);
        assert_eq!(locale_for(&["fr-FR", "ko_KR", "en"]), Locale::ko);
        assert_eq!(locale_for(&["KO"]), Locale::ko);
        // None it speaks, or none at all: English.
        assert_eq!(locale_for(&["fr", "de-DE", "kor", "*"]), Locale::en);
        assert_eq!(locale_for::<&str>(&[]), Locale::en);
        // The generated `Locale` chooses the same way (build.rs puts it there), for the
        // browser's languages and for a request's Accept-Language.
        // leptos-use splits Accept-Language at its commas only: `fr-FR, ko` is
        // `["fr-FR", " ko"]`, where leptos_i18n's own choice (icu_locale's parser) dropped
        // " ko" and chose English.
        assert_eq!(Locale::find_locale(&["fr-FR", " ko"]), Locale::ko);
        assert_eq!(Locale::find_locale(&["en-GB", "ko-KR"]), Locale::en);
    }
}
