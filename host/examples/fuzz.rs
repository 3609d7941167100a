//! A long mutation-fuzz campaign (the oracle and mutations of `tests/fuzz.rs`, fresh seeds until the
//! time is up): `cargo run -p yidi-host --example fuzz -- [SECONDS] [SEED]`. Without `--release` the
//! native core keeps Rust's overflow checks, so an arithmetic overflow on hostile input shows as a
//! finding (the guest, always an optimised build, wraps silently); with `--release` it runs about ten
//! times as many cases. Each failing input is saved under `target/fuzz-findings/` for replay with
//! `yidi eval --native < FILE` and `yidi eval < FILE`, or with the whole oracle (the self-verification
//! included): `cargo run -p yidi-host --example fuzz -- replay FILE...`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a measurement tool: a failure should stop it loudly

use std::path::Path;
use std::time::{Duration, Instant};

use yidi_host::engine::{Limits, Runner};
use yidi_host::mutate;

fn main() {
    if std::env::args().nth(1).as_deref() == Some("replay") {
        return replay(std::env::args().skip(2));
    }
    let mut args = std::env::args().skip(1);
    let seconds: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(60);
    let mut seed: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let seeds = mutate::seeds(&repo, yidi_tests::case_requests(&yidi_tests::golden_root()));
    let out = repo.join("target/fuzz-findings");
    let wasm = Runner::new(false, Limits::default()).unwrap();
    let native = Runner::Native;
    let (start, end) = (Instant::now(), Instant::now() + Duration::from_secs(seconds));
    let (mut cases, mut found) = (0usize, 0usize);
    println!("{} seeds; findings go to {}", seeds.len(), out.display());
    while Instant::now() < end {
        let findings = mutate::campaign(&native, &wasm, &seeds, seed, 2_000);
        cases += 2_000;
        for (input, why) in findings {
            std::fs::create_dir_all(&out).unwrap();
            let file = out.join(format!("seed{seed}-{found}.json"));
            std::fs::write(&file, &input).unwrap();
            println!("FINDING {}: {why}", file.display());
            found += 1;
        }
        seed += 1;
        println!(
            "{cases} cases, {found} findings, {:.0} s",
            start.elapsed().as_secs_f64()
        );
    }
    if found > 0 {
        std::process::exit(1);
    }
}

/// Each saved input through the oracle again: "ok", or what it finds now.
fn replay(files: impl Iterator<Item = String>) {
    let wasm = Runner::new(false, Limits::default()).unwrap();
    let mut failed = false;
    for f in files {
        let input = std::fs::read(&f).unwrap();
        match mutate::check(&Runner::Native, &wasm, &input) {
            Ok(()) => println!("{f}: ok"),
            Err(why) => {
                failed = true;
                println!("{f}: {why}");
            }
        }
    }
    if failed {
        std::process::exit(1);
    }
}
