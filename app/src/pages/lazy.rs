//! The pages as lazily loaded routes, in thirteen sections: the code of a section's views goes
//! into wasm modules of its own (scripts/lib.sh splits the wasm with tools/wasm-split), which
//! the browser fetches the first time it shows one of the section's pages. The main module
//! keeps the shell: the header, the router, the language switch and what the pages share with
//! them. So the cron playground, the public page most visitors open, does not download the
//! dashboard's forms, and a signed-in visitor downloads each section once.
//!
//! Why sections rather than one split per page (`#[lazy_route]` on each): the splitter puts
//! the code two splits share into a module of its own, one for each set of splits that share
//! something, and every module and every split costs the first download of every page (the
//! loader's table in the JS, the split's stub in the main module). With a split per page
//! (19), the debug build had 290 modules and the playground alone asked for 117 of them.
//!
//! Which sections, measured with `scripts/bundle-size` (the first visit: the main module, its
//! JS and the section's pack, brotli):
//! - the front door has a section of its own, apart from signing in: each public page's first
//!   visit then stays under 300 KB, where the home page had carried the sign-in forms (314 →
//!   264 KB);
//! - each dashboard's list is a section apart from its forms, whose code (the cron builder
//!   and every zone's rules, the metric graph, the forms' readers) a list does not need: the
//!   schedules' first visit went from 498 to 368 KB, the alarms' from 425 to 336 KB, the load
//!   balancers' from 349 to 298 and the team's from 319 to 279;
//! - but every section costs every page a little (its split in the main module, its modules
//!   in the loader's JS, about 0.4 KB brotli each): thirteen sections had put the playground's
//!   first visit over 300 KB before the main module lost icu_locale (see
//!   `crate::locale_for`). With that room the alarm form (with the adoption from AWS) became a
//!   section apart from the subscriptions and the plan: the three had shared one, whose first
//!   visit was 354 KB; apart, 305 each, and 299 once the browser read the server's dates
//!   without chrono's parser (`crate::api::when`);
//! - the rule form and the Scheduler form are sections apart (317.6 → 307.7 and 278.2), and
//!   neither holds the cron engine: their live panel is a split of its own, loaded when the
//!   visitor turns to the schedule (`super::cron::panel`).
//!
//! On the server nothing changes but one await: the view is rendered as before, and the page
//! carries a `<link rel="preload">` for its section's pack, the section's modules in one
//! download (tools/wasm-split/src/pack.rs), so the browser fetches them beside the main module
//! rather than after it. The pages still load their data in their views: on the first page
//! the data comes with the server's HTML.
//! A later navigation into a new section would wait for its modules, then its data; a link
//! starts loading its section when the pointer comes over it or the keyboard reaches it
//! ([`warm_links`]), so by the click the modules are there or on their way.
use leptos::lazy;
use leptos::prelude::*;
use leptos_router::LazyRoute;

use super::alarms::{AlarmFormPage, AlarmsPage, ImportPage, PlanPage, SubscriptionsPage};
use super::auth::{LoginPage, SignupPage};
use super::balancers::{BalancerFormPage, LoadBalancersPage};
use super::cron::CronPage;
use super::home::HomePage;
use super::rules::{RuleFormPage, SchedulerFormPage, SchedulesPage};
use super::team::{ActivityPage, AwsSettingsPage, InvitePage, PasswordPage, SettingsPage};

/// Starts loading a link's section when a visitor shows they are heading there: the pointer
/// over the link, a finger on it, the keyboard's focus on it. The click then waits for the
/// page's data, not for its code as well. One listener on the document, for `pointerover` and
/// `focusin`, serves every link: the header's, the account corner's (the server's HTML) and
/// those in the pages, such as a list's link to its form. Called once, as the page hydrates;
/// a listener of its own rather than `on:` handlers in the views, whose code would be in the
/// main module once for each element that had one. The splitter's loader fetches each module
/// once, however often this runs; a failed fetch is tried again by the next call, or by the
/// navigation itself.
#[cfg(feature = "hydrate")]
pub fn warm_links() {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    let Some(document) = web_sys::window().and_then(|window| window.document()) else {
        return;
    };
    let warm = Closure::<dyn Fn(web_sys::Event)>::new(|ev: web_sys::Event| {
        let route = ev
            .target()
            .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
            .and_then(|element| element.closest("a[href]").ok().flatten())
            // A link that leaves the page (a template's, `rel="external"`), opens another
            // window or downloads loads its page anew: warming would download the section
            // twice, module by module and then in the new page's pack.
            .filter(|link| {
                !link.has_attribute("target")
                    && !link.has_attribute("download")
                    && !link
                        .get_attribute("rel")
                        .is_some_and(|rel| rel.split_whitespace().any(|r| r == "external"))
            })
            .and_then(|link| link.get_attribute("href"))
            .and_then(|href| route_of(&href));
        // A schedule form's live panel is a split of its own, which a form rendered in the
        // browser loads at once (`crate::pages::cron::panel`).
        if matches!(route, Some("RuleForm" | "SchedulerForm")) {
            leptos::task::spawn_local(super::cron::panel::preload());
        }
        if let Some(section) = route.and_then(section_of) {
            leptos::task::spawn_local(load_section(section));
        }
    });
    for event in ["pointerover", "focusin"] {
        let _ = document.add_event_listener_with_callback(event, warm.as_ref().unchecked_ref());
    }
    // It listens for as long as the page is open.
    warm.forget();
}

/// Which route (the name of its type in this module) shows the page at `href`, as the
/// router in `App` would choose it: a path of this site, with any query or fragment. The
/// test below reads `App`'s routes and checks that each one's path comes back to it.
pub fn route_of(href: &str) -> Option<&'static str> {
    let path = href.split(['?', '#']).next()?.strip_prefix('/')?;
    let mut parts = path.split('/');
    let route = match (parts.next()?, parts.next(), parts.next(), parts.next()) {
        ("", None, ..) => "Home",
        ("cron", None, ..) => "Cron",
        ("login", None, ..) => "Login",
        ("signup", None, ..) => "Signup",
        ("settings", None, ..) => "Settings",
        ("settings", Some("aws"), None, _) => "AwsSettings",
        ("settings", Some("password"), None, _) => "Password",
        ("activity", None, ..) => "Activity",
        ("invite", Some(token), None, _) if !token.is_empty() => "Invite",
        ("alarms", None, ..) => "Alarms",
        ("alarms", Some("import"), None, _) => "Import",
        ("alarms", Some(id), None, _) if !id.is_empty() => "AlarmForm",
        ("subscriptions", None, ..) => "Subscriptions",
        ("plan", None, ..) => "Plan",
        ("schedules", None, ..) => "Schedules",
        ("schedules", Some("scheduler"), Some(id), None) if !id.is_empty() => "SchedulerForm",
        ("schedules", Some(id), None, _) if !id.is_empty() => "RuleForm",
        ("load-balancers", None, ..) => "LoadBalancers",
        ("load-balancers", Some(id), None, _) if !id.is_empty() => "BalancerForm",
        _ => return None,
    };
    Some(route)
}

/// Loads the section of the page the server rendered, before the page hydrates. Each
/// section's view begins with a hidden marker naming it (`<span hidden data-section=…>`),
/// rendered by the section itself, so a page of a section always says which; the server has
/// also named the section's pack in a `<link rel="preload">`, so the browser has its modules
/// or is fetching them. With its section loaded, the route's view is ready at once and the
/// page hydrates in one synchronous pass (`hydrate_body`) rather than through tachys'
/// asynchronous hydration, whose code was a second copy of every view's hydration (see
/// `patched_tachys_config` in scripts/lib.sh). A page outside every section (the fallback for
/// an unknown path) has no marker and loads nothing.
#[cfg(feature = "hydrate")]
pub async fn load_current_section() {
    let marker = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| {
            document
                .query_selector("main [data-section]")
                .ok()
                .flatten()
        })
        .and_then(|marker| marker.get_attribute("data-section"));
    if let Some(name) = marker {
        load_section(&name).await;
    }
}

/// `sections!`: for each section, an enum of its pages and a lazily loaded function that
/// shows one; then for each route, a type whose view is its page of its section. The router
/// asks the route for its view; the section's function is the split point.
macro_rules! sections {
    ($(
        $(#[$doc:meta])*
        $section:ident, $preload:ident: $pages:ident {
            $($page_name:ident => $page:ident,)*
        }
    )*) => {$(
        $(#[$doc])*
        // The split call crosses an `extern "C"` boundary: a plain byte crosses it safely.
        #[repr(u8)]
        pub enum $pages {
            $($page_name,)*
        }

        $(#[$doc])*
        #[lazy]
        fn $section(page: $pages) -> AnyView {
            let page = match page {
                $($pages::$page_name => view! { <$page /> }.into_any(),)*
            };
            // The marker `load_current_section` reads before the page hydrates.
            view! { <span hidden data-section=stringify!($section)></span> {page} }.into_any()
        }

        $(
            #[doc = concat!("The route to [`", stringify!($page), "`], in `", stringify!($section), "`.")]
            pub struct $page_name;

            impl LazyRoute for $page_name {
                fn data() -> Self {
                    $page_name
                }

                async fn view(_this: Self) -> AnyView {
                    $section($pages::$page_name).await
                }

                async fn preload() {
                    // The split exists only in the browser's build.
                    #[cfg(target_arch = "wasm32")]
                    $preload().await;
                }
            }
        )*
    )*

        /// The section (the name of its lazily loaded function) of the page called `route`.
        pub fn section_of(route: &str) -> Option<&'static str> {
            $($(
                if route == stringify!($page_name) {
                    return Some(stringify!($section));
                }
            )*)*
            None
        }

        /// Loads the section whose function is called `name`. The split, and so the loading,
        /// exists only in the browser's build.
        #[cfg(feature = "hydrate")]
        async fn load_section(name: &str) {
            $(
                if name == stringify!($section) {
                    #[cfg(target_arch = "wasm32")]
                    $preload().await;
                    return;
                }
            )*
            leptos::logging::error!("no section is called {name}: the page may not hydrate");
        }
    };
}

sections! {
    /// The front door.
    home_section, __preload_home_section: HomePages {
        Home => HomePage,
    }
    /// Signing in, and the first sign-up.
    entry_section, __preload_entry_section: EntryPages {
        Login => LoginPage,
        Signup => SignupPage,
    }
    /// The cron playground: the engine, the builder and every time zone's rules.
    cron_section, __preload_cron_section: CronPages {
        Cron => CronPage,
    }
    /// The team's settings and members.
    team_section, __preload_team_section: TeamPages {
        Settings => SettingsPage,
    }
    /// The team's other pages: the AWS role, the password, the activity log, invitations.
    team_more_section, __preload_team_more_section: TeamMorePages {
        AwsSettings => AwsSettingsPage,
        Password => PasswordPage,
        Activity => ActivityPage,
        Invite => InvitePage,
    }
    /// The list of alarms.
    alarms_section, __preload_alarms_section: AlarmPages {
        Alarms => AlarmsPage,
    }
    /// An alarm's form, with its metric's graph, and adopting alarms from AWS.
    alarm_edit_section, __preload_alarm_edit_section: AlarmEditPages {
        AlarmForm => AlarmFormPage,
        Import => ImportPage,
    }
    /// Topics and their subscriptions, and the plan.
    alarms_more_section, __preload_alarms_more_section: AlarmMorePages {
        Subscriptions => SubscriptionsPage,
        Plan => PlanPage,
    }
    /// The list of EventBridge rules and Scheduler schedules.
    schedules_section, __preload_schedules_section: SchedulePages {
        Schedules => SchedulesPage,
    }
    /// A rule's form. Its live schedule panel (the builder, the preview, every zone) is a
    /// split of its own, loaded when the visitor turns to it (`super::cron::panel`).
    rule_edit_section, __preload_rule_edit_section: RuleEditPages {
        RuleForm => RuleFormPage,
    }
    /// A Scheduler schedule's form, with the same panel.
    scheduler_edit_section, __preload_scheduler_edit_section: SchedulerEditPages {
        SchedulerForm => SchedulerFormPage,
    }
    /// The list of load balancers.
    balancers_section, __preload_balancers_section: BalancerPages {
        LoadBalancers => LoadBalancersPage,
    }
    /// A load balancer's form.
    balancer_edit_section, __preload_balancer_edit_section: BalancerEditPages {
        BalancerForm => BalancerFormPage,
    }
}

#[cfg(test)]
mod tests {
    use super::{route_of, section_of};

    /// `App`'s routes, read from its source: each `path!` and the lazy route it shows.
    fn routes() -> Vec<(String, String)> {
        let source = include_str!("../lib.rs");
        let routes: Vec<_> = source
            .lines()
            .filter_map(|line| {
                let path = line.split("path!(\"").nth(1)?.split('"').next()?;
                let route = line.split("Lazy::<lazy::").nth(1)?.split('>').next()?;
                Some((path.to_string(), route.to_string()))
            })
            .collect();
        // Every route, each on a line of its own: one the reading missed would go unchecked.
        assert_eq!(routes.len(), source.matches("path!(").count(), "{routes:?}");
        assert!(routes.len() > 20, "App's routes were not found in lib.rs");
        routes
    }

    #[test]
    fn every_route_of_the_app_warms_its_own_section() {
        for (path, route) in routes() {
            // A parameter (`:id`, `:token`) as a link would fill it.
            let href: String = path
                .split('/')
                .map(|part| if part.starts_with(':') { "0b9e" } else { part })
                .collect::<Vec<_>>()
                .join("/");
            // The route's view is its page, and the header warms the page's section by it.
            let page = route_of(&href).unwrap_or_else(|| panic!("{href} is no page"));
            assert_eq!(page, route, "{href}");
            assert!(section_of(page).is_some(), "{page} is in no section");
            assert_eq!(
                route_of(&format!("{href}?page=2#top")),
                Some(page),
                "{href}"
            );
        }
    }

    #[test]
    fn links_that_are_no_page_of_the_app_warm_nothing() {
        for href in [
            "?page=2",
            "#main",
            "https://example.com/alarms",
            "/no-such-page",
            "/alarms/1/2",
            "/settings/other",
            "/pkg/belfry.css",
        ] {
            assert_eq!(route_of(href), None, "{href}");
        }
        assert_eq!(section_of("NoSuchRoute"), None);
    }

    #[test]
    fn a_list_and_its_form_are_sections_apart() {
        // The list is what a visitor opens first; the form's code (the builder, the
        // preview) waits for the way there.
        for (list, form) in [
            ("/alarms", "/alarms/new"),
            ("/schedules", "/schedules/scheduler/new"),
            ("/schedules", "/schedules/new"),
            ("/load-balancers", "/load-balancers/new"),
            ("/settings", "/settings/aws"),
        ] {
            let section = |href| route_of(href).and_then(section_of);
            assert_ne!(section(list), section(form), "{list} and {form}");
        }
        assert_eq!(route_of("/schedules/scheduler/new"), Some("SchedulerForm"));
        assert_eq!(route_of("/alarms/import"), Some("Import"));
    }
}
