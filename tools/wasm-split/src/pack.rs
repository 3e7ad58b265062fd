//! `belfry-wasm-split pack PKG_DIR`: one download for the modules of a page's own section.
//!
//! A section needs 16 to 26 modules (its own and the chunks it shares with other sections),
//! and the server sends each compressed on its own: brotli over a section's modules together
//! is 11 to 16 % smaller than the sum of each one compressed alone (the playground's: 171 →
//! 148 KB). So for each section this writes a pack, `pack_<section>_<hash>.wasm`: its modules
//! one after another behind a small index. The name ends in `.wasm` because Leptos names what
//! it preloads `<module>.wasm`; the file is not a module itself. The hash is of the pack's
//! content: the modules inside are named by their place (`chunk_7`), so a pack cached from an
//! earlier build must never be taken for this build's.
//!
//! Run after the splitter and after wasm-opt (a pack holds the modules as they are served):
//! - the splitter's manifest (section → modules) moves to `__belfry_sections.json`, and
//!   `__wasm_split_manifest.json`, which Leptos' `HydrationScripts` reads to write the page's
//!   `<link rel="preload">` tags, names each section's pack instead: a first visit downloads
//!   the main module and one pack;
//! - the loader takes a module from the page's pack when it holds it, and otherwise fetches
//!   the module alone, as before. So a later section downloads only the modules it does not
//!   have yet, and a page whose preload link is lost still loads, module by module.
//!
//! A pack is: the index's length (4 bytes, little-endian), the index (JSON, `[[name, offset,
//! length], …]`, offsets from the end of the index), then the modules.
use std::collections::BTreeMap;
use std::path::Path;

use crate::{LINK_NAME, MANIFEST};

/// The splitter's manifest, as the pack step found it: which modules each section loads.
pub const SECTIONS: &str = "__belfry_sections.json";
/// What a pack's file name starts with; the loader finds the page's pack by it.
const PACK_PREFIX: &str = "pack_";
/// Marks a loader this step has already changed.
const PACKED_MARK: &str = "/* belfry: packs */";

type Manifest = BTreeMap<String, Vec<String>>;

/// Writes the packs, the two manifests and the loader; returns how many packs. Everything is
/// made before anything is written, so a failure leaves the split as it was.
pub fn pack(pkg: &Path) -> Result<usize, Box<dyn std::error::Error>> {
    let loader_path = pkg.join(LINK_NAME.trim_start_matches("./"));
    let loader = String::from_utf8(crate::read(&loader_path)?)?;
    if loader.contains(PACKED_MARK) || pkg.join(SECTIONS).exists() {
        return Err(format!("{} is already packed: split again first", pkg.display()).into());
    }
    let manifest: Manifest = serde_json::from_slice(&crate::read(&pkg.join(MANIFEST))?)?;
    let loader = packed_loader(&loader)?;

    let mut packs = Vec::new();
    let mut preloads = Manifest::new();
    for (section, modules) in &manifest {
        let bytes = pack_bytes(pkg, modules)?;
        let name = format!("{PACK_PREFIX}{section}_{:016x}", fnv1a(&bytes));
        packs.push((pkg.join(format!("{name}.wasm")), bytes));
        preloads.insert(section.clone(), vec![name]);
    }
    let sections = serde_json::to_string_pretty(&manifest)?;
    let preloads = serde_json::to_string_pretty(&preloads)?;
    for (path, bytes) in packs {
        std::fs::write(path, bytes)?;
    }
    std::fs::write(pkg.join(SECTIONS), sections)?;
    std::fs::write(pkg.join(MANIFEST), preloads)?;
    std::fs::write(&loader_path, loader)?;
    Ok(manifest.len())
}

/// FNV-1a, 64 bits: a name that changes with the content, the same on every machine.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// One section's modules behind their index.
fn pack_bytes(pkg: &Path, modules: &[String]) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let mut index = Vec::new();
    let mut data = Vec::new();
    for module in modules {
        if index.iter().any(|(name, _, _)| name == module) {
            continue;
        }
        let path = pkg.join(format!("{module}.wasm"));
        let bytes = crate::read(&path)?;
        index.push((module.clone(), data.len(), bytes.len()));
        data.extend_from_slice(&bytes);
    }
    let index = serde_json::to_vec(&index)?;
    let mut pack = Vec::with_capacity(4 + index.len() + data.len());
    pack.extend_from_slice(&u32::try_from(index.len())?.to_le_bytes());
    pack.extend_from_slice(&index);
    pack.extend_from_slice(&data);
    Ok(pack)
}

/// The loader, each module's fetch going through `belfryFetch`. Fails when the loader no
/// longer fetches its modules the way this expects (a new wasm_split_cli_support), rather
/// than leaving some modules unpacked without a word.
fn packed_loader(loader: &str) -> Result<String, Box<dyn std::error::Error>> {
    const FETCH: &str = "fetch(new URL(\"./";
    const END: &str = ".wasm\", import.meta.url))";
    let mut out = String::with_capacity(loader.len() + HELPER.len());
    let mut rest = loader;
    let mut replaced = 0;
    while let Some(start) = rest.find(FETCH) {
        let after = &rest[start + FETCH.len()..];
        let end = after
            .find(END)
            .ok_or("the loader fetches a module in an unexpected way")?;
        let module = &after[..end];
        if module.contains(['"', '\\', '\n']) {
            return Err(format!("unexpected module name in the loader: {module}").into());
        }
        out.push_str(&rest[..start]);
        out.push_str(&format!("belfryFetch(\"{module}\")"));
        rest = &after[end + END.len()..];
        replaced += 1;
    }
    out.push_str(rest);
    let mut out: String = out
        .split_inclusive('\n')
        .filter(|line| !is_sections_comment(line))
        .collect();
    // Every module the loader fetches now comes through belfryFetch: no other fetch is left.
    if replaced == 0 || out.contains("fetch(") {
        return Err("the loader fetches its modules in a form the pack step does not know".into());
    }
    // After the loader's import of the main module, which must stay first.
    let import_end = out
        .find(";\n")
        .filter(|end| out[..*end].starts_with("import "))
        .ok_or("the loader does not begin with its import")?;
    out.insert_str(
        import_end + 2,
        &HELPER.replace("{PACK_PREFIX}", PACK_PREFIX),
    );
    Ok(out)
}

/// Whether `line` is one of the comments the splitter writes above each module's loader, the
/// sections that need it (`/* a_section_1, b_section_1 */`). No browser reads them, and
/// `__belfry_sections.json` says the same; yet they were most of the loader every page
/// downloads: with 13 sections, 1.2 of its 4.3 KB of brotli (53 of 123 KB raw).
fn is_sections_comment(line: &str) -> bool {
    line.trim_end()
        .strip_prefix("/* ")
        .and_then(|names| names.strip_suffix(" */"))
        .is_some_and(|names| {
            names.split(", ").all(|name| {
                !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            })
        })
}

/// The loader's way to a module: from the page's pack, taken once, or fetched alone. It finds
/// the pack by its name, `{PACK_PREFIX}` standing for [`PACK_PREFIX`].
const HELPER: &str = r#"
/* belfry: packs */
// The page's section arrives as one pack (tools/wasm-split/src/pack.rs), which the server
// names in a <link rel="preload"> beside the main module. Each module is taken from it once;
// a module not in it, or any module when the pack is missing or fails, is fetched alone.
let belfryPack;
function belfryOpenPack() {
    if (belfryPack === undefined) {
        const link = document.querySelector('link[rel="preload"][href*="/{PACK_PREFIX}"]');
        belfryPack = link === null ? Promise.resolve(null) : fetch(link.href)
            .then((response) => (response.ok ? response.arrayBuffer() : null))
            .then((buffer) => {
                if (buffer === null) return null;
                const indexLength = new DataView(buffer).getUint32(0, true);
                const index = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, indexLength)));
                const modules = new Map();
                for (const [name, offset, length] of index) {
                    modules.set(name, new Uint8Array(buffer, 4 + indexLength + offset, length));
                }
                return modules;
            })
            .catch(() => null);
    }
    return belfryPack;
}
async function belfryFetch(name) {
    const modules = await belfryOpenPack();
    const bytes = modules === null ? undefined : modules.get(name);
    if (bytes !== undefined) {
        modules.delete(name);
        // The last module out lets the pack's buffer go.
        if (modules.size === 0) belfryPack = Promise.resolve(null);
        return new Response(bytes, { headers: { "Content-Type": "application/wasm" } });
    }
    return fetch(new URL(`./${name}.wasm`, import.meta.url));
}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    const LOADER: &str = "import { initSync } from \"./belfry.js\";\n\
        function makeLoad(fetcher, deps) {}\n\
        /* cron_section_1, alarms_section_1 */\n\
        const __chunk_7 = makeLoad(() => {\n    \
        const src = fetch(new URL(\"./chunk_7.wasm\", import.meta.url));\n}, []);\n\
        const __split = makeLoad(() => {\n    \
        const src = fetch(new URL(\"./split_cron_section_1.wasm\", import.meta.url));\n}, [__chunk_7]);\n";

    #[test]
    fn every_module_fetch_goes_through_the_pack() {
        let packed = packed_loader(LOADER).unwrap();
        assert!(
            packed.starts_with("import { initSync } from \"./belfry.js\";\n\n/* belfry: packs */")
        );
        assert!(packed.contains("const src = belfryFetch(\"chunk_7\");"));
        assert!(packed.contains("[href*=\"/pack_\"]"));
        assert!(packed.contains("const src = belfryFetch(\"split_cron_section_1\");"));
        assert!(!packed.contains("fetch(new URL(\"./"));
        // The splitter's note of who needs a module is gone; the pack step's own mark stays.
        assert!(!packed.contains("cron_section_1, alarms_section_1"));
        assert!(packed.contains("/* belfry: packs */"));
        assert!(packed.contains("function makeLoad(fetcher, deps) {}\nconst __chunk_7"));
    }

    #[test]
    fn a_loader_that_fetches_another_way_is_refused() {
        let changed = LOADER.replace(
            "fetch(new URL(\"./chunk_7.wasm\", import.meta.url))",
            "fetch(moduleUrl(\"chunk_7\"))",
        );
        assert!(packed_loader(&changed).is_err());
        assert!(packed_loader("import { initSync } from \"./belfry.js\";\n").is_err());
    }

    #[test]
    fn a_module_with_nothing_to_fetch_is_left_alone() {
        let empty =
            format!("{LOADER}const __empty = makeLoad(() => async (_imp) => ({{}}), []);\n");
        let packed = packed_loader(&empty).unwrap();
        assert!(packed.contains("makeLoad(() => async (_imp) => ({}), [])"));
    }

    #[test]
    fn a_pack_is_named_by_its_content() {
        // FNV-1a's published 64-bit values: the offset basis, and "a".
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_ne!(fnv1a(b"chunk_7"), fnv1a(b"chunk_8"));
    }

    #[test]
    fn a_pack_holds_each_module_once_behind_its_index() {
        let dir = std::env::temp_dir().join(format!("belfry-pack-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.wasm"), b"AAA").unwrap();
        std::fs::write(dir.join("b.wasm"), b"BB").unwrap();
        let pack = pack_bytes(&dir, &["a".into(), "b".into(), "a".into()]).unwrap();
        let length = u32::from_le_bytes(pack[..4].try_into().unwrap()) as usize;
        let index: Vec<(String, usize, usize)> =
            serde_json::from_slice(&pack[4..4 + length]).unwrap();
        assert_eq!(index, [("a".into(), 0, 3), ("b".into(), 3, 2)]);
        assert_eq!(&pack[4 + length..], b"AAABB");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
