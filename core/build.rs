//! Minify the shipped policy packs (JSON) for embedding, and list them with the catalogs, so that adding a
//! region is adding files: `packs/<region>.json` and `catalogs/<region>.csv`. Whitespace in the readable
//! source files would otherwise cost the mini-program wasm budget.
use std::error::Error;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

// src/lz.rs (included below) takes `Vec` from `alloc`, as the core does when built without std.
extern crate alloc;

// The embedded data's coding (its decoder is the core's): compiled packs and catalogs go in coded.
#[allow(dead_code)]
#[path = "src/lz.rs"]
mod lz;

fn files(dir: &Path, ext: &str) -> Result<Vec<PathBuf>, Box<dyn Error>> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    v.sort();
    Ok(v)
}

fn file_name(p: &Path) -> Result<String, Box<dyn Error>> {
    Ok(p.file_name()
        .and_then(|n| n.to_str())
        .ok_or("bad file name")?
        .to_string())
}

fn main() -> Result<(), Box<dyn Error>> {
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    // `csv_catalogs`: the build reads catalogs from CSV (given with a request; the shipped ones too when it
    // takes packs at runtime). The phone's filing and estimate modules do not: without `runtime-packs` they
    // read the shipped catalogs from the compiled form and refuse catalogs with a request. The hospital's
    // module keeps the reader: a hospital prices against its own catalog.
    println!("cargo:rustc-check-cfg=cfg(csv_catalogs)");
    let feature = |f: &str| std::env::var_os(format!("CARGO_FEATURE_{f}")).is_some();
    if feature("RUNTIME_PACKS") || feature("HOSPITAL_OPS") || !feature("EMBEDDED_PACKS") {
        println!("cargo:rustc-cfg=csv_catalogs");
    }
    println!("cargo:rerun-if-changed=packs");
    println!("cargo:rerun-if-changed=catalogs");
    let mut code = String::from("const EMBEDDED_PACKS: &[(&str, &str)] = &[\n");
    for p in files(&root.join("packs"), "json")? {
        println!("cargo:rerun-if-changed={}", p.display());
        let name = file_name(&p)?;
        let text = fs::read_to_string(&p)?;
        // A syntax error here fails the build with the file named; key-level checks happen at load time.
        let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("packs/{name}: {e}"))?;
        let min = out.join(&name);
        fs::write(&min, serde_json::to_string(&v)?)?;
        writeln!(
            code,
            "    ({name:?}, include_str!({:?})),",
            min.display().to_string()
        )?;
    }
    // The catalogs, one after another, coded as one text (`lz`), with each file's name and length in bytes.
    code.push_str("];\nconst EMBEDDED_CATALOG_FILES: &[(&str, usize)] = &[\n");
    let mut all = Vec::new();
    for p in files(&root.join("catalogs"), "csv")? {
        println!("cargo:rerun-if-changed={}", p.display());
        let name = file_name(&p)?;
        let text = fs::read_to_string(&p)?;
        writeln!(code, "    ({name:?}, {}),", text.len())?;
        all.extend_from_slice(text.as_bytes());
    }
    fs::write(out.join("catalogs.lz"), lz::encode(&all))?;
    writeln!(
        code,
        "];\nconst EMBEDDED_CATALOGS_LZ: &[u8] = include_bytes!({:?});",
        out.join("catalogs.lz").display().to_string()
    )?;
    // The compiled packs and catalogs (`src/policy/compiled.bin`) and the packs' JSON trees for `pack.get`
    // (`compiled-trees.bin`), kept in step with the sources by a core test, each coded.
    for name in ["compiled", "compiled-trees"] {
        let compiled = root.join(format!("src/policy/{name}.bin"));
        println!("cargo:rerun-if-changed={}", compiled.display());
        fs::write(out.join(format!("{name}.lz")), lz::encode(&fs::read(&compiled)?))?;
    }
    // Each shipped catalog's number of items (its lines that are neither comments, blank, nor the header),
    // so `packs.list` can report it in builds that carry no catalog (the filing page's module). A native
    // test holds each count equal to the parsed catalog's length.
    code.push_str("const EMBEDDED_CATALOG_ITEMS: &[(&str, usize)] = &[\n");
    for p in files(&root.join("catalogs"), "csv")? {
        let name = file_name(&p)?;
        let text = fs::read_to_string(&p)?;
        let rows = text
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .count();
        writeln!(code, "    ({name:?}, {}),", rows.saturating_sub(1))?;
    }
    code.push_str("];\n");
    fs::write(out.join("embedded.rs"), code)?;
    Ok(())
}
