//! One module per screen.
pub mod alarms;
pub mod auth;
pub mod balancers;
pub mod cron;
pub mod home;
pub mod lazy;
pub mod not_found;
pub mod rules;
pub mod team;

use crate::components::text::tr;
use crate::i18n::use_i18n;
use leptos::prelude::*;
use leptos_router::components::A;

/// Shown instead of a page's content when nobody is signed in.
#[component]
pub fn SignInFirst() -> impl IntoView {
    let i18n = use_i18n();
    view! { <p><A href="/login">{tr!(i18n, sign_in_first)}</A></p> }
}

/// The server's clock (seconds since the epoch) as it rendered the page, carried into the
/// page so that hydration computes from the same instant. Carried as a plain number
/// (`FromToStringCodec`) rather than JSON (`SharedValue::new`): the playground reads nothing
/// else from the server, and a JSON reader would have been most of its own for one integer.
pub fn server_now() -> i64 {
    use leptos::server::codee::string::FromToStringCodec;
    SharedValue::<i64, FromToStringCodec>::new_with_encoding(|| chrono::Utc::now().timestamp())
        .into_inner()
}

/// Percent-encodes everything but unreserved characters (RFC 3986), for query parameters.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}
