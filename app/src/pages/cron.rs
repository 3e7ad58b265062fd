use super::Section;
use super::placeholder::NotBuilt;
use leptos::prelude::*;

/// The public cron playground. Until the playground lands it says plainly that it is not built.
#[component]
pub fn CronPage() -> impl IntoView {
    view! { <NotBuilt section=Section::CronPlayground /> }
}
