//! Settle `yidi bench`'s generated 40-line claims on one engine only, for profilers (`perf record` with
//! `YIDI_PERFMAP=1`, callgrind on `native`), without the bench's other engines and set-up in the samples:
//! `cargo run --release -p yidi-host --example profile_guest -- ENGINE [ROUNDS] [trace|notrace] [GUEST.wasm]`
//! with ENGINE `wasm` (epoch deadline, as served), `nodeadline` (measurement only) or `native`.
use yidi_host::engine::{GuestEngine, Limits, Runner};

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let engine = args.first().map_or("wasm", String::as_str);
    let rounds: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(10);
    let trace = args.get(2).is_none_or(|a| a != "notrace");
    let wasm = match args.get(3) {
        Some(path) => std::fs::read(path).map_err(|e| format!("{path}: {e}"))?,
        None => yidi_host::engine::GUEST_WASM.to_vec(),
    };
    let runner = match engine {
        "native" => Runner::Native,
        "nodeadline" => Runner::Wasm(GuestEngine::without_deadline_for_measurement(
            &wasm,
            Limits::default(),
        )?),
        _ => Runner::Wasm(GuestEngine::with_module(&wasm, Limits::default())?),
    };
    // The bench's claims (same seed), generated before the timed loop.
    let mut rng = yidi_host::claimgen::Rng(0x05ee_d1d1_2026);
    let reqs: Vec<String> = (0..200)
        .map(|i| {
            let mut c = yidi_host::claimgen::claim(&mut rng, i, Some(40));
            c["trace"] = trace.into();
            serde_json::json!({"api_version": "1", "op": "settle", "request": c}).to_string()
        })
        .collect();
    let t = std::time::Instant::now();
    let mut bytes = 0;
    for _ in 0..rounds {
        for r in &reqs {
            bytes += runner.call(r.as_bytes()).len();
        }
    }
    let n = rounds * reqs.len();
    println!(
        "{engine}: {n} claims, {:.1} us/claim, {bytes} bytes out",
        t.elapsed().as_secs_f64() * 1e6 / n as f64
    );
    Ok(())
}
