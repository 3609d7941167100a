//! Builds the guest (`guest/`, the core behind the C ABI) for wasm32-unknown-unknown and hands it to the host
//! through `OUT_DIR/yidi_guest.wasm` (embedded with `include_bytes!`).
//!
//! The host embeds the speed-optimised build (`--release`, opt-level 3, here with fat LTO, one codegen unit,
//! `+simd128` and the guest's per-call `arena` allocator): same source, same core, same answers as the
//! size-optimised `wasm` profile module that browsers and mini-programs load, at well under half the cost per
//! claim under wasmtime. scripts/test-host.sh proves the two modules answer byte for byte alike.
//!
//! The nested cargo uses its own target dir (`<target>/yidi-guest-build`) so it never waits on the outer
//! build's lock, and it is shared by debug, release and clippy builds so the guest compiles once.
//! `YIDI_GUEST_WASM=/path/to.wasm` skips the nested build (e.g. to embed a wasm-opt output).

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    if let Err(e) = run() {
        eprintln!("yidi-host build.rs: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let manifest = PathBuf::from(env("CARGO_MANIFEST_DIR")?);
    let workspace = manifest
        .parent()
        .ok_or("host/ has no parent directory")?
        .to_path_buf();
    let out_dir = PathBuf::from(env("OUT_DIR")?);
    let dest = out_dir.join("yidi_guest.wasm");

    println!("cargo:rerun-if-env-changed=YIDI_GUEST_WASM");
    println!("cargo:rerun-if-changed=build.rs");
    if let Ok(prebuilt) = std::env::var("YIDI_GUEST_WASM") {
        println!("cargo:rerun-if-changed={prebuilt}");
        std::fs::copy(&prebuilt, &dest).map_err(|e| format!("copy {prebuilt}: {e}"))?;
        return Ok(());
    }
    for p in [
        "guest/src",
        "guest/Cargo.toml",
        "core/src",
        "core/Cargo.toml",
        "core/packs",
        "core/catalogs",
        "Cargo.lock",
    ] {
        println!("cargo:rerun-if-changed={}", workspace.join(p).display());
    }

    ensure_wasm_target()?;
    let nested = target_root(&out_dir).join("yidi-guest-build");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(&workspace)
        // `cargo rustc --crate-type cdylib`, not `cargo build`: for a crate that is also an rlib (the host's
        // --native path links it) cargo leaves the profile's `-C lto` out, so the module was never
        // whole-program optimised.
        .args([
            "rustc",
            "-p",
            "yidi-guest",
            "--lib",
            "--crate-type",
            "cdylib",
            "--target",
            "wasm32-unknown-unknown",
            "--release",
            "--features",
            "arena",
            "--target-dir",
        ])
        .arg(&nested)
        // The guest is one small crate graph built once: whole-program optimisation is cheap here and makes
        // the code Cranelift receives faster than the workspace's thin-LTO release profile does.
        .env("CARGO_PROFILE_RELEASE_LTO", "fat")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "1")
        // wasmtime runs SIMD on every x86-64 and aarch64 host; LLVM vectorises some of the core's loops with it.
        // (Browsers' and mini-programs' module, from scripts/build-guest.sh, stays without it.)
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
            "-C target-feature=+simd128",
        );
    // The outer build's flags and wrappers (clippy-driver, host RUSTFLAGS) must not leak into the guest build.
    for var in [
        "RUSTC_WORKSPACE_WRAPPER",
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET",
        "CARGO_BUILD_TARGET_DIR",
        "CARGO_PRIMARY_PACKAGE",
    ] {
        cmd.env_remove(var);
    }
    let status = cmd
        .status()
        .map_err(|e| format!("cannot run cargo for the guest: {e}"))?;
    if !status.success() {
        return Err(format!(
            "building the guest failed ({status}); run scripts/build-guest.sh to see why"
        ));
    }
    let built = nested.join("wasm32-unknown-unknown/release/yidi_guest.wasm");
    std::fs::copy(&built, &dest).map_err(|e| format!("copy {}: {e}", built.display()))?;
    Ok(())
}

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("{name} is not set"))
}

/// The cargo target dir the outer build uses: the nearest ancestor of OUT_DIR holding CACHEDIR.TAG.
fn target_root(out_dir: &Path) -> PathBuf {
    out_dir
        .ancestors()
        .find(|p| p.join("CACHEDIR.TAG").is_file())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| out_dir.to_path_buf())
}

/// A fresh machine has only the host target: add the wasm one through rustup (what scripts/setup-host.sh does).
fn ensure_wasm_target() -> Result<(), String> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let libdir = Command::new(&rustc)
        .args(["--print", "target-libdir", "--target", "wasm32-unknown-unknown"])
        .output()
        .map_err(|e| format!("cannot run {rustc}: {e}"))?;
    let dir = String::from_utf8_lossy(&libdir.stdout).trim().to_string();
    if libdir.status.success() && Path::new(&dir).join("libcore-").parent().is_some_and(has_rlibs) {
        return Ok(());
    }
    let added = Command::new("rustup")
        .args(["target", "add", "wasm32-unknown-unknown"])
        .status();
    match added {
        Ok(s) if s.success() => Ok(()),
        _ => Err("the wasm32-unknown-unknown target is missing and `rustup target add` failed; run scripts/setup-host.sh".into()),
    }
}

fn has_rlibs(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .is_ok_and(|mut it| it.any(|e| e.is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".rlib"))))
}
