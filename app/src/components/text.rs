//! A translated text that follows the UI language, compiled once for every key.
//!
//! leptos_i18n's `t!(i18n, key)` expands to its own `move || …` closure at each place it is
//! written, and Leptos compiles a reactive view (build, hydrate, rebuild, a render effect) for
//! each closure type: about a kilobyte of wasm for every one of the app's 334 plain texts.
//! [`tr!`] passes the key as a plain function pointer (`|locale| td_string!(locale, key)`)
//! to [`text`], whose one closure type every text shares, so that code is in the wasm once.
//! Measured with `scripts/bundle-size`: all modules 850 → 801 KB brotli.
//!
//! `t!` stays for texts with interpolated values, whose builders differ key by key.
use crate::i18n::Locale;
use leptos_i18n::I18nContext;

/// The text `key` gives in the context's language, as a view or an attribute value, read
/// again when the language changes.
pub fn text(
    i18n: I18nContext<Locale>,
    key: fn(Locale) -> &'static str,
) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    move || key(i18n.get_locale())
}

/// `tr!(i18n, key)`: the translation `key` in `i18n`'s language, as [`text`] makes it; use
/// it where `t!(i18n, key)` would go, or as an attribute (`aria-label=tr!(i18n, key)`).
macro_rules! tr {
    ($i18n:expr, $key:ident) => {
        $crate::components::text::text($i18n, |locale| $crate::i18n::td_string!(locale, $key))
    };
}
pub(crate) use tr;
