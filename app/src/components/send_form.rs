//! A form whose button sends a server action with input known as the page renders (a row's
//! id): a list's Delete, Orphan, Test and Adopt.
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// Sends `input` to `action`'s server function when submitted, as `ActionForm` would, but
/// without reading the input back out of the form's fields: `ActionForm` reads them with
/// serde_qs's deserializer, 15 KB of code (about 4.5 KB brotli) in the first download of every
/// list that had one, though a row's buttons always send the same thing. Without JavaScript it
/// is the same form, posted to the server function with its hidden fields.
#[component]
pub fn SendForm<A>(
    action: ServerAction<A>,
    input: A,
    #[prop(optional)] class: &'static str,
    children: Children,
) -> impl IntoView
where
    A: ServerFn + Clone + Send + Sync + 'static,
    A::Output: Send + Sync + 'static,
    A::Error: Send + Sync + 'static,
{
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        action.dispatch(input.clone());
    };
    view! {
        <form action=A::url() method="post" class=class on:submit=submit>
            {children()}
        </form>
    }
}
