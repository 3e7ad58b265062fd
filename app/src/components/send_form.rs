//! Forms that send a server action without `ActionForm`, which reads the submitted fields
//! with serde_qs's deserializer: 15 KB of code (about 4.5 KB brotli) in the first download of
//! every section that has one. [`SendForm`] sends input known as the page renders (a row's
//! Delete, Orphan, Test and Adopt); [`ReadForm`] reads a few text fields by name. Without
//! JavaScript both are the same form, posted to the server function.
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// Sends `input` to `action`'s server function when submitted, as `ActionForm` would, without
/// reading it back out of the form: a row's buttons always send the same thing. Its hidden
/// fields are for the form without JavaScript.
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
    server_form::<A>(class, move |_| Some(input.clone()), action, children)
}

/// The `<form>` both kinds are: posted to `A`'s server function without JavaScript; with it,
/// `input` makes the input from the submitted form, and `action` sends it.
fn server_form<A>(
    class: &'static str,
    input: impl Fn(&leptos::web_sys::HtmlFormElement) -> Option<A> + 'static,
    action: ServerAction<A>,
    children: Children,
) -> impl IntoView
where
    A: ServerFn + Clone + Send + Sync + 'static,
    A::Output: Send + Sync + 'static,
    A::Error: Send + Sync + 'static,
{
    let submit = move |ev: leptos::ev::SubmitEvent| {
        use leptos::wasm_bindgen::JsCast;
        ev.prevent_default();
        let input = ev
            .target()
            .and_then(|form| form.dyn_into::<leptos::web_sys::HtmlFormElement>().ok())
            .and_then(|form| input(&form));
        if let Some(input) = input {
            action.dispatch(input);
        }
    };
    view! {
        <form action=A::url() method="post" class=class on:submit=submit>
            {children()}
        </form>
    }
}

/// A submitted form's fields, by name.
pub struct Fields(leptos::web_sys::FormData);

impl Fields {
    /// The field's text, or `None` when the form has no such field (as serde_qs reads an
    /// `Option<String>`: a field that is there, empty, is `Some("")`).
    pub fn get(&self, name: &str) -> Option<String> {
        self.0.get(name).as_string()
    }

    /// The field's text read as a `T` (an id, a version), or `None` when it is missing or is
    /// not one.
    pub fn parse<T: std::str::FromStr>(&self, name: &str) -> Option<T> {
        self.get(name)?.parse().ok()
    }

    /// The field's text, empty when the form has no such field.
    pub fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or_default()
    }

    /// Whether the form sends a field `name`: a ticked checkbox.
    pub fn checked(&self, name: &str) -> bool {
        self.0.has(name)
    }

    /// The texts of the fields `name[0]`, `name[1]`, … in the form's order (the ticked ones
    /// of a list of checkboxes), as serde_qs reads them into a `Vec`.
    pub fn list(&self, name: &str) -> Vec<String> {
        use leptos::wasm_bindgen::JsCast;
        let prefix = format!("{name}[");
        let Ok(Some(entries)) = leptos::web_sys::js_sys::try_iter(&self.0) else {
            return Vec::new();
        };
        entries
            .flatten()
            .filter_map(|entry| entry.dyn_into::<leptos::web_sys::js_sys::Array>().ok())
            .filter(|pair| {
                pair.get(0)
                    .as_string()
                    .is_some_and(|key| key.starts_with(&prefix))
            })
            .filter_map(|pair| pair.get(1).as_string())
            .collect()
    }
}

/// Sends `action` the input `read` makes of the form's fields when submitted: for a form of
/// a few text fields (the AWS connection, the password, an invitation), where `ActionForm`
/// would bring serde_qs's reader for them.
#[component]
pub fn ReadForm<A>(
    action: ServerAction<A>,
    read: fn(&Fields) -> A,
    #[prop(optional)] class: &'static str,
    children: Children,
) -> impl IntoView
where
    A: ServerFn + Clone + Send + Sync + 'static,
    A::Output: Send + Sync + 'static,
    A::Error: Send + Sync + 'static,
{
    let input = move |form: &leptos::web_sys::HtmlFormElement| {
        let fields = leptos::web_sys::FormData::new_with_form(form).ok()?;
        Some(read(&Fields(fields)))
    };
    server_form::<A>(class, input, action, children)
}
