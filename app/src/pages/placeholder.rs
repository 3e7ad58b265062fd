use super::Section;
use crate::i18n::{t, t_string, use_i18n};
use leptos::prelude::*;
use leptos_router::components::A;

/// A screen that is planned but not built: it says so plainly instead of pretending.
#[component]
pub fn NotBuilt(section: Section) -> impl IntoView {
    let i18n = use_i18n();
    let name = move || match section {
        Section::LoadBalancers => t_string!(i18n, nav_load_balancers),
    };
    view! {
        <section class="not-built" data-testid="not-built">
            <h1>{t!(i18n, not_built_title, section = name)}</h1>
            <p>{t!(i18n, not_built_body)}</p>
            <p><A href="/">{t!(i18n, back_home)}</A></p>
        </section>
    }
}
