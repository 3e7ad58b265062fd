//! Generates the `i18n` module from `locales/*.json` (leptos_i18n), so a missing or misspelt
//! translation key is a compile error rather than a blank on the page.
use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};
use std::error::Error;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=Cargo.toml");

    let out_dir = std::env::var_os("OUT_DIR").ok_or("cargo did not set OUT_DIR")?;
    let i18n_mod_directory = PathBuf::from(out_dir).join("i18n");

    // interpolate_display: error messages interpolate numbers ("at least {{ min }}
    // characters") into plain strings, not only into views.
    let options = ParseOptions::new().interpolate_display(true);
    let cfg = Config::new("en")?.add_locale("ko")?.parse_options(options);
    let translations = TranslationsInfos::parse(cfg)?;
    translations.emit_diagnostics();
    translations.rerun_if_locales_changed();
    translations.generate_i18n_module(i18n_mod_directory.clone())?;
    choose_locales_without_icu(&i18n_mod_directory.join("mod.rs"))
}

/// Makes the generated `Locale` choose from a browser's languages (or a request's
/// `Accept-Language`) with `crate::locale_for`, not with leptos_i18n's default, which parses
/// every tag with icu_locale and matches it with `LanguageIdentifier`s: that parser was 10 KB
/// of the main module's code, which every page downloads, to tell `ko-KR` from `en-US`.
fn choose_locales_without_icu(module: &std::path::Path) -> Result<(), Box<dyn Error>> {
    const LAST_METHOD: &str = "fn from_base_locale (locale : Self) -> Self { locale }";
    const FIND_LOCALE: &str = " fn find_locale < T : AsRef < [u8] > > (accepted_languages : & [T]) -> Self { crate :: locale_for (accepted_languages) }";
    let code = std::fs::read_to_string(module)?;
    let Some(at) = code.find(LAST_METHOD) else {
        return Err(format!(
            "{}: leptos_i18n_build no longer writes `{LAST_METHOD}`; see choose_locales_without_icu",
            module.display()
        )
        .into());
    };
    let at = at + LAST_METHOD.len();
    std::fs::write(
        module,
        format!("{}{FIND_LOCALE}{}", &code[..at], &code[at..]),
    )?;
    Ok(())
}
