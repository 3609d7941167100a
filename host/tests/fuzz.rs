//! Mutation fuzzing, differential: requests mutated from the golden cases, generated claims and the
//! sample files (null amounts, 999997, 30 February, numbers as strings, unknown members, 1e30, deep
//! nesting, truncations, duplicated keys, invalid UTF-8) must never panic natively nor trap under
//! wasmtime, must answer byte for byte alike on both, and must answer with an envelope (a result, or an
//! error with a stable code and a message in both languages). The same for the host's file readers and
//! `verify`/`precheck` over mutated sample files. A fixed seed and budget here; `examples/fuzz.rs` runs
//! long campaigns with fresh seeds.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use std::path::{Path, PathBuf};

use yidi_host::claimgen::Rng;
use yidi_host::engine::{Limits, Runner};
use yidi_host::mutate;
use yidi_host::records;
use yidi_host::verify::{self, Check};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Cases per run: `YIDI_FUZZ_CASES` overrides (a longer local run; `YIDI_FUZZ_SEED` another seed), the
/// default fits CI's budget.
fn cases(default: usize) -> usize {
    std::env::var("YIDI_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn report(findings: &[(Vec<u8>, String)]) -> String {
    let dir = std::env::temp_dir().join("yidi-fuzz-findings");
    let _ = std::fs::create_dir_all(&dir);
    findings
        .iter()
        .take(10)
        .enumerate()
        .map(|(i, (input, why))| {
            let file = dir.join(format!("finding-{i}.json"));
            let _ = std::fs::write(&file, input);
            format!(
                "{why}\n  input ({} bytes, saved as {}): {:.400}",
                input.len(),
                file.display(),
                String::from_utf8_lossy(input)
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn mutated_requests_never_crash_and_answer_alike_on_both_engines() {
    let seeds = mutate::seeds(&repo(), yidi_tests::case_requests(&yidi_tests::golden_root()));
    assert!(seeds.len() >= 150, "only {} seeds", seeds.len());
    let wasm = Runner::new(false, Limits::default()).unwrap();
    let native = Runner::Native;
    let n = cases(4_000);
    let seed = std::env::var("YIDI_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x00f0_22ed_2026_1123);
    let findings = mutate::campaign(&native, &wasm, &seeds, seed, n);
    assert!(
        findings.is_empty(),
        "{} of {n} mutated requests failed:\n{}",
        findings.len(),
        report(&findings)
    );
}

/// The mutations must reach past the envelope: a good share of mutated requests still gets a result,
/// and the refusals are spread over many error codes (not one syntax error for everything).
#[test]
fn mutations_reach_the_rules_not_only_the_parser() {
    let seeds = mutate::seeds(&repo(), yidi_tests::case_requests(&yidi_tests::golden_root()));
    let mut rng = Rng(0x0dd5);
    let mut ok = 0;
    let mut codes = std::collections::BTreeSet::new();
    for _ in 0..1_000 {
        let a = &seeds[rng.below(seeds.len() as u64) as usize];
        let b = &seeds[rng.below(seeds.len() as u64) as usize];
        let input = mutate::mutate_request(&mut rng, a, b);
        let answer: serde_json::Value = serde_json::from_str(&Runner::Native.call(&input)).unwrap();
        if answer["ok"] == true {
            ok += 1;
        } else {
            codes.insert(answer["error"]["code"].as_str().unwrap().to_string());
        }
    }
    // Measured at the seed below: 176 results, 11 error codes (E_JSON, mostly wrong types, half the rest).
    assert!(
        ok >= 120,
        "only {ok} of 1000 mutated requests were answered with a result"
    );
    assert!(
        codes.len() >= 8,
        "refusals of only {} kinds: {codes:?}",
        codes.len()
    );
}

#[test]
fn mutated_files_never_crash_the_readers_and_verify_alike_on_both_engines() {
    let wasm = Runner::new(false, Limits::default()).unwrap();
    let native = Runner::Native;
    let samples = repo().join("host/samples");
    let files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&samples)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv" || x == "ndjson"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    assert!(files.len() >= 5, "samples: {}", files.len());
    let mut rng = Rng(0xf11e_5eed);
    let mut records_seen = 0;
    for round in 0..cases(4_000) / 20 {
        let (name, bytes) = &files[round % files.len()];
        let other = &files[rng.below(files.len() as u64) as usize].1;
        let mut b = bytes.clone();
        for _ in 0..1 + rng.below(4) {
            b = mutate::mutate_text(&mut rng, &b, other);
        }
        let csv = name.ends_with(".csv");
        let recs = if csv {
            records::csv_records(&b)
        } else {
            records::ndjson(&b)
        };
        records_seen += recs.len();
        let check = if name.starts_with("precheck") {
            Check::Precheck
        } else {
            Check::Verify
        };
        let x = verify::run(&native, check, name, &recs, false);
        let y = verify::run(&wasm, check, name, &recs, false);
        let text = |r: &verify::Report| serde_json::to_string(&r.records).unwrap();
        assert_eq!(
            text(&x),
            text(&y),
            "{name} mutated (round {round}) verifies differently:\n{:.600}",
            String::from_utf8_lossy(&b)
        );
        // The reports are written either way: neither writer may fail on what the readers let through.
        verify::to_csv(&x).unwrap();
        let _ = verify::render(&x, true);
        // No record is lost: every readable line or row is in the report, in order.
        assert_eq!(x.records.len(), recs.len());
        assert!(
            x.records
                .iter()
                .all(|o| o.items.iter().all(|i| !i.message_en.is_empty()))
        );
    }
    assert!(records_seen > 500, "only {records_seen} records read");
}

/// A month's clearing file, mutated: `clearing.aggregate` over the text, then `clearing.month` over its
/// partials, on both engines through the request oracle.
#[test]
fn mutated_clearing_files_aggregate_and_clear_alike_on_both_engines() {
    let wasm = Runner::new(false, Limits::default()).unwrap();
    let native = Runner::Native;
    let dir = repo().join("tests/samples/clearing");
    let files: Vec<(bool, Vec<u8>)> = ["2026-10.csv", "2026-10.ndjson"]
        .iter()
        .map(|f| (f.ends_with(".csv"), std::fs::read(dir.join(f)).unwrap()))
        .collect();
    let mut rng = Rng(0xc1ea_5eed);
    let (mut answered, mut cleared) = (0, 0);
    let mut failures = Vec::new();
    for round in 0..cases(4_000) / 10 {
        let (csv, bytes) = &files[round % 2];
        let other = &files[(round + 1) % 2].1;
        let mut b = bytes.clone();
        for _ in 0..1 + rng.below(3) {
            b = mutate::mutate_text(&mut rng, &b, other);
        }
        let text = String::from_utf8_lossy(&b);
        let key = if *csv { "csv" } else { "ndjson" };
        let req = serde_json::json!({"api_version": "1", "op": "clearing.aggregate",
            "request": {"month": "2026-10", key: text, "line_offset": 0}})
        .to_string();
        if let Err(why) = mutate::check(&native, &wasm, req.as_bytes()) {
            failures.push((req.into_bytes(), why));
            continue;
        }
        let a: serde_json::Value = serde_json::from_str(&native.call(req.as_bytes())).unwrap();
        if a["ok"] != true {
            continue;
        }
        answered += 1;
        let month = serde_json::json!({"api_version": "1", "op": "clearing.month",
            "request": {"month": "2026-10", "partials": a["result"]["partials"], "render": true}})
        .to_string();
        if let Err(why) = mutate::check(&native, &wasm, month.as_bytes()) {
            failures.push((month.into_bytes(), why));
            continue;
        }
        cleared += native.call(month.as_bytes()).contains("\"ok\":true") as usize;
    }
    assert!(failures.is_empty(), "{}", report(&failures));
    // A row the core cannot read refuses the whole month with its line number (clearing a month without
    // one of its records would misstate the money), so most mutated files are refused; those still read
    // (60 of 400 at this seed: edits in ignored columns, records moved outside the month) must clear.
    assert!(
        answered >= 40 && cleared == answered,
        "aggregated {answered}, cleared {cleared} of 400"
    );
}
