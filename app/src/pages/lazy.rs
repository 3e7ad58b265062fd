//! The pages as lazily loaded routes, in seven sections: the code of a section's views goes
//! into wasm modules of its own (scripts/lib.sh splits the wasm with tools/wasm-split), which
//! the browser fetches the first time it shows one of the section's pages. The main module
//! keeps the shell: the header, the router, the language switch and what the pages share with
//! them. So the cron playground, the public page most visitors open, does not download the
//! dashboard's forms, and a signed-in visitor downloads each section once.
//!
//! Why sections rather than one split per page (`#[lazy_route]` on each): the splitter puts
//! the code two splits share into a module of its own, one for each set of splits that share
//! something. With a split per page (19), the debug build had 290 modules and the playground
//! alone asked for 117 of them; with seven sections the release build has 53.
//!
//! The front door has a section of its own, apart from signing in: each public page's first
//! visit (main module and its section's pack) then stays under 300 KB brotli, where the home
//! page had carried the sign-in forms (measured with `scripts/bundle-size`: 314 → 264 KB).
//!
//! On the server nothing changes but one await: the view is rendered as before, and the page
//! carries a `<link rel="preload">` for its section's pack, the section's modules in one
//! download (tools/wasm-split/src/pack.rs), so the browser fetches them beside the main module
//! rather than after it. The pages still load their data in their views: on the first page
//! the data comes with the server's HTML.
//! A later navigation into a new section would wait for its modules, then its data; the
//! header's links start loading their section when the pointer comes over one or the
//! keyboard reaches it ([`warm`]), so by the click the modules are there or on their way.
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

/// Starts loading route `R`'s section, when a visitor shows they are heading there (the
/// pointer over a link to it, a finger on it, the keyboard's focus on it): the click then
/// waits for the page's data, not for its code as well. The splitter's loader fetches each
/// module once, however often this runs; a failed fetch is tried again by the next call, or
/// by the navigation itself. Nothing to do on the server.
pub fn warm<R: LazyRoute>() {
    #[cfg(target_arch = "wasm32")]
    leptos::task::spawn_local(R::preload());
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
            $($route:ident => $page:ident,)*
        }
    )*) => {$(
        $(#[$doc])*
        // The split call crosses an `extern "C"` boundary: a plain byte crosses it safely.
        #[repr(u8)]
        pub enum $pages {
            $($route,)*
        }

        $(#[$doc])*
        #[lazy]
        fn $section(page: $pages) -> AnyView {
            let page = match page {
                $($pages::$route => view! { <$page /> }.into_any(),)*
            };
            // The marker `load_current_section` reads before the page hydrates.
            view! { <span hidden data-section=stringify!($section)></span> {page} }.into_any()
        }

        $(
            #[doc = concat!("The route to [`", stringify!($page), "`], in `", stringify!($section), "`.")]
            pub struct $route;

            impl LazyRoute for $route {
                fn data() -> Self {
                    $route
                }

                async fn view(_this: Self) -> AnyView {
                    $section($pages::$route).await
                }

                async fn preload() {
                    // The split exists only in the browser's build.
                    #[cfg(target_arch = "wasm32")]
                    $preload().await;
                }
            }
        )*
    )*

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
    /// The team: settings, the AWS role, the password, the activity log, invitations.
    team_section, __preload_team_section: TeamPages {
        Settings => SettingsPage,
        AwsSettings => AwsSettingsPage,
        Password => PasswordPage,
        Activity => ActivityPage,
        Invite => InvitePage,
    }
    /// Alarms, their topics and subscriptions, and the plan.
    alarms_section, __preload_alarms_section: AlarmPages {
        Alarms => AlarmsPage,
        AlarmForm => AlarmFormPage,
        Import => ImportPage,
        Subscriptions => SubscriptionsPage,
        Plan => PlanPage,
    }
    /// EventBridge rules and Scheduler schedules.
    schedules_section, __preload_schedules_section: SchedulePages {
        Schedules => SchedulesPage,
        RuleForm => RuleFormPage,
        SchedulerForm => SchedulerFormPage,
    }
    /// Load balancers.
    balancers_section, __preload_balancers_section: BalancerPages {
        LoadBalancers => LoadBalancersPage,
        BalancerForm => BalancerFormPage,
    }
}
