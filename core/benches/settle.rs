//! Settle a 40-line inpatient claim: JSON in → JSON out through the API, and the computation alone on an
//! already-decoded request (`settle::compute`, and `settle::settle`, which also copies the request's texts
//! into owned per-line results), each with the trace off and on. Targets (trace off, one core): ≤ 15 µs and
//! ≤ 3 µs per claim. Run: `cargo bench -p yidi-core --bench settle`.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use yidi_core::api::handle_json;
use yidi_core::policy::PackSet;
use yidi_core::settle::{SettleRequest, compute, settle};

include!("support/claim.rs");

fn request(trace: bool) -> SettleRequest {
    let v: serde_json::Value = serde_json::from_str(&claim(trace)).unwrap_or_default();
    serde_json::from_value(v["request"].clone())
        .unwrap_or_else(|e| panic!("bench claim does not decode: {e}"))
}

fn bench(c: &mut Criterion) {
    let packs = PackSet::embedded();
    // The lean answer a batch checker asks for: no trace, no per-line results.
    let lean = claim(false).replace(r#""trace":false"#, r#""trace":false,"line_results":false"#);
    assert!(handle_json(&lean).contains(r#""ok":true"#));
    c.bench_function("settle_40_lines_json/lean", |b| {
        b.iter(|| handle_json(black_box(&lean)))
    });
    for trace in [false, true] {
        let text = claim(trace);
        let out = handle_json(&text);
        assert!(out.contains(r#""ok":true"#), "bench claim must settle: {out}");
        let name = if trace { "trace_on" } else { "trace_off" };
        c.bench_function(&format!("settle_40_lines_json/{name}"), |b| {
            b.iter(|| handle_json(black_box(&text)))
        });
        let req = request(trace);
        // The computation: per-line results borrow the request's texts (what the JSON path writes).
        c.bench_function(&format!("settle_40_lines_compute/{name}"), |b| {
            b.iter(|| compute(black_box(&packs), black_box(&req)))
        });
        // The same made owned (`settle`: the per-line results copy the request's texts).
        c.bench_function(&format!("settle_40_lines_compute_owned/{name}"), |b| {
            b.iter(|| settle(black_box(&packs), black_box(&req)))
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(60).measurement_time(std::time::Duration::from_secs(3)).warm_up_time(std::time::Duration::from_secs(1));
    targets = bench
}
criterion_main!(benches);
