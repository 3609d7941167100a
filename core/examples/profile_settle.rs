//! Settle the benchmark's 40-line claim many times, for profilers (callgrind, perf):
//! `cargo run --release -p yidi-core --example profile_settle -- 2000 [json|compute|owned|print]`
//! (`compute`: `settle::compute`, lines borrowing the request; `owned`: `settle::settle`).
use yidi_core::api::handle_json;
use yidi_core::policy::PackSet;
use yidi_core::settle::{SettleRequest, compute, settle};
include!("../benches/support/claim.rs");

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let mode = args.next().unwrap_or_else(|| "json".into());
    if mode == "print" {
        print!("{}", claim(false));
        return;
    }
    // `json-trace`: the JSON path with the trace on.
    let text = claim(mode == "json-trace");
    let mut bytes = 0;
    if mode == "compute" || mode == "owned" {
        let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        let req: SettleRequest = match serde_json::from_value(v["request"].clone()) {
            Ok(r) => r,
            Err(e) => panic!("bench claim does not decode: {e}"),
        };
        let packs = PackSet::embedded();
        for _ in 0..n {
            bytes += if mode == "owned" {
                settle(&packs, &req).map_or(0, |r| r.lines.len())
            } else {
                compute(&packs, &req).map_or(0, |r| r.lines.len())
            };
        }
        println!("{n} claims computed, {bytes} lines");
    } else {
        for _ in 0..n {
            bytes += handle_json(&text).len();
        }
        println!("{n} claims, {bytes} bytes out");
    }
}
