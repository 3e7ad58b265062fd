use crate::components::text::tr;
use crate::i18n::use_i18n;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let i18n = use_i18n();
    view! {
        <section class="not-found">
            <h1>{tr!(i18n, not_found_title)}</h1>
            <p>{tr!(i18n, not_found_body)}</p>
            <p><A href="/">{tr!(i18n, back_home)}</A></p>
        </section>
    }
}
