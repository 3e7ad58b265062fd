//! Sign-up (the first user of a fresh install) and login. Both are plain forms posting to
//! server functions, so they work before the page is hydrated, and without JavaScript.
use crate::api::auth::{Login, Signup, needs_first_user};
use crate::components::error::ErrorNote;
use crate::components::send_form::ReadForm;
use crate::components::text::tr;
use crate::i18n::use_i18n;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let login = ServerAction::<Login>::new();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let error = move || login.value().get().and_then(Result::err);
    view! {
        <section class="auth">
            <h1>{tr!(i18n, login_title)}</h1>
            <ReadForm
                action=login
                read=|f| Login { email: f.text("email"), password: f.text("password"), next: f.get("next") }
                class="stack"
            >
                <label for="email">{tr!(i18n, email)}</label>
                <input id="email" name="email" type="email" autocomplete="username" required />
                <label for="password">{tr!(i18n, password)}</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required />
                <input type="hidden" name="next" prop:value=next />
                <button type="submit" class="button primary">{tr!(i18n, login_submit)}</button>
            </ReadForm>
            {move || error().map(|error| view! { <ErrorNote error=error /> })}
            <p class="hint"><A href="/signup">{tr!(i18n, signup_link)}</A></p>
        </section>
    }
}

#[component]
pub fn SignupPage() -> impl IntoView {
    let i18n = use_i18n();
    let signup = ServerAction::<Signup>::new();
    let open = Resource::new(|| (), |_| needs_first_user());
    let error = move || signup.value().get().and_then(Result::err);
    view! {
        <section class="auth">
            <h1>{tr!(i18n, signup_title)}</h1>
            <Suspense fallback=|| ()>
                {move || open.get().map(|open| match open {
                    Ok(true) => view! {
                        <p>{tr!(i18n, signup_first_user)}</p>
                        <ReadForm
                            action=signup
                            read=|f| Signup { email: f.text("email"), password: f.text("password"), team: f.text("team") }
                            class="stack"
                        >
                            <label for="email">{tr!(i18n, email)}</label>
                            <input id="email" name="email" type="email" autocomplete="username" required />
                            <label for="password">{tr!(i18n, password)}</label>
                            <input id="password" name="password" type="password" autocomplete="new-password" minlength="12" required aria-describedby="password-hint" />
                            <p id="password-hint" class="hint">{tr!(i18n, password_hint)}</p>
                            <label for="team">{tr!(i18n, team_name)}</label>
                            <input id="team" name="team" type="text" maxlength="80" required />
                            <button type="submit" class="button primary">{tr!(i18n, signup_submit)}</button>
                        </ReadForm>
                    }.into_any(),
                    Ok(false) => view! { <p>{tr!(i18n, signup_closed)}</p> }.into_any(),
                    Err(error) => view! { <ErrorNote error=error /> }.into_any(),
                })}
            </Suspense>
            {move || error().map(|error| view! { <ErrorNote error=error /> })}
            <p class="hint"><A href="/login">{tr!(i18n, login_link)}</A></p>
        </section>
    }
}
