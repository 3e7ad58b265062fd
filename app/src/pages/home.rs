use crate::api::resources::overview;
use crate::components::text::tr;
use crate::i18n::{t, use_i18n};
use leptos::prelude::*;
use leptos_router::components::A;

/// The front door: what Belfry does, and the way to the public cron playground.
#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let counts = Resource::new(|| (), |_| overview());
    view! {
        <Suspense fallback=|| ()>
            {move || counts.get().and_then(Result::ok).flatten().map(|o| view! {
                <section class="overview" data-testid="overview">
                    <h2>{tr!(i18n, home_overview)}</h2>
                    <table>
                        <thead><tr>
                            <th>{tr!(i18n, col_kind)}</th><th>{tr!(i18n, status_in_sync)}</th><th>{tr!(i18n, status_pending)}</th>
                            <th>{tr!(i18n, status_drifted)}</th><th>{tr!(i18n, status_error)}</th><th>{tr!(i18n, status_deleting)}</th>
                        </tr></thead>
                        <tbody>{o.by_kind.into_iter().map(|(kind, c)| view! {
                            <tr data-kind=kind.as_str()>
                                <td>{kind.as_str()}</td><td>{c.in_sync}</td><td>{c.pending}</td>
                                <td>{c.drifted}</td><td>{c.error}</td><td>{c.deleting}</td>
                            </tr>
                        }).collect_view()}</tbody>
                    </table>
                    {(o.planned > 0).then(|| view! {
                        <p><A href="/plan">{t!(i18n, home_planned, count = move || o.planned)}</A></p>
                    })}
                </section>
            })}
        </Suspense>
        <section class="hero">
            <h1>{tr!(i18n, home_title)}</h1>
            <p class="tagline">{tr!(i18n, tagline)}</p>
            <p>
                <A href="/cron" attr:class="button primary">{tr!(i18n, home_playground)}</A>
            </p>
        </section>
        <section class="sections" aria-labelledby="sections-title">
            <h2 id="sections-title">{tr!(i18n, home_sections)}</h2>
            <ul class="cards">
                <li><A href="/alarms"><strong>{tr!(i18n, nav_alarms)}</strong><span>{tr!(i18n, home_alarms)}</span></A></li>
                <li><A href="/subscriptions"><strong>{tr!(i18n, nav_subscriptions)}</strong><span>{tr!(i18n, home_subscriptions)}</span></A></li>
                <li><A href="/schedules"><strong>{tr!(i18n, nav_schedules)}</strong><span>{tr!(i18n, home_schedules)}</span></A></li>
                <li><A href="/load-balancers"><strong>{tr!(i18n, nav_load_balancers)}</strong><span>{tr!(i18n, home_load_balancers)}</span></A></li>
            </ul>
        </section>
    }
}
