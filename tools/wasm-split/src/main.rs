//! `belfry-wasm-split INPUT.wasm PKG_DIR NAME`, then `belfry-wasm-split pack PKG_DIR`
//!
//! Splits the hydrate wasm (built with `-Clink-args=--emit-relocs`) at its `#[lazy]`
//! functions, which Leptos' `#[lazy_route]` makes of every page's view. It writes into
//! PKG_DIR, as cargo-leptos's `--split` does:
//! - `NAME_main.wasm`: the main module, for wasm-bindgen (`--keep-lld-exports`);
//! - one `.wasm` per page and per chunk that pages share;
//! - `__wasm_split.______________________.js`: the loader the main module imports, which
//!   fetches a page's modules the first time its view is needed;
//! - `__wasm_split_manifest.json`: which modules each lazy function needs. Leptos'
//!   `HydrationScripts` reads it on the server and puts a `<link rel="preload">` for the
//!   page's modules into the page, so they download beside the main module.
//!
//! cargo-leptos does the same in its own process; Belfry's scripts build without
//! cargo-leptos (see scripts/lib.sh), and the library's own CLI writes no manifest.
//!
//! `pack` then puts each section's modules into one download (see [`pack`]).
mod pack;

use std::{path::PathBuf, process::ExitCode};

/// The loader, as the main module imports it: beside it in /pkg, under the name Leptos'
/// `HydrationScripts` preloads (cargo-leptos's, whose underscores hold a place for a hash).
const LINK_NAME: &str = "./__wasm_split.______________________.js";
const MANIFEST: &str = "__wasm_split_manifest.json";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [command, pkg] = args.as_slice()
        && command == "pack"
    {
        return match pack::pack(pkg.as_ref()) {
            Ok(packs) => {
                println!("packed the modules of {packs} sections");
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("belfry-wasm-split pack: {error}");
                ExitCode::FAILURE
            }
        };
    }
    let [input, pkg, name] = args.as_slice() else {
        eprintln!(
            "usage: belfry-wasm-split INPUT.wasm PKG_DIR NAME | belfry-wasm-split pack PKG_DIR"
        );
        return ExitCode::from(2);
    };
    match split(input.into(), pkg.into(), name) {
        Ok(modules) => {
            println!("split into the main module and {modules} lazily loaded modules");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("belfry-wasm-split: {error:?}");
            ExitCode::FAILURE
        }
    }
}

fn split(input: PathBuf, pkg: PathBuf, name: &str) -> Result<usize, Box<dyn std::error::Error>> {
    let wasm = read(&input)?;
    let main_out = pkg.join(format!("{name}_main.wasm"));
    // The loader imports `initSync` from the page's own module URL (/pkg/NAME.js), so the
    // lazily loaded modules share the instance the hydration script started.
    let main_module = format!("./{name}.js");
    std::fs::create_dir_all(&pkg)?;
    let mut options = wasm_split_cli_support::Options::new(&wasm);
    options.output_dir = &pkg;
    options.main_out_path = &main_out;
    options.link_name = LINK_NAME;
    options.main_module = &main_module;
    options.target.web();
    let split = wasm_split_cli_support::transform(options)?;
    std::fs::write(
        pkg.join(MANIFEST),
        serde_json::to_string_pretty(&split.prefetch_map)?,
    )?;
    Ok(split.split_modules.len())
}

/// The bytes of `path`, or an error that names it.
fn read(path: &std::path::Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("reading {}: {e}", path.display()))
}
