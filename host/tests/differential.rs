//! Differential test: generated claims give byte-identical responses natively and through wasmtime.
//! 10,000 settle claims (plus verify, precheck and malformed variants) from a seeded generator in the
//! national field names; every response pair is compared byte for byte.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use yidi_host::batch;
use yidi_host::claimgen::{Rng, claim, dec};
use yidi_host::engine::{Limits, Runner};

fn envelope(op: &str, request: &serde_json::Value) -> String {
    serde_json::json!({"api_version": "1", "op": op, "request": request}).to_string()
}

#[test]
fn ten_thousand_claims_are_byte_identical_natively_and_under_wasmtime() {
    let mut rng = Rng(0x05ee_d1d1_2026);
    let mut reqs = Vec::with_capacity(10_300);
    for i in 0..10_000 {
        reqs.push(envelope("settle", &claim(&mut rng, i, None)));
    }
    // The same claims through precheck, and their own settlements through verify (below).
    for i in 0..200 {
        reqs.push(envelope("precheck", &claim(&mut rng, 20_000 + i, None)));
    }
    for i in 0..100 {
        reqs.push(envelope(
            "amount.daxie",
            &serde_json::json!({"amount": dec(rng.below(1 << 40) as i64 - (1 << 39), 2)}),
        ));
        reqs.push(format!(
            "{{\"api_version\":\"1\",\"op\":\"settle\",\"request\":{}",
            "[".repeat(i * 10)
        ));
    }
    let wasm = Runner::new(false, Limits::default()).unwrap();
    let native = Runner::Native;
    let a = batch::run_all(&wasm, &reqs, "wasmtime", false);
    let b = batch::run_all(&native, &reqs, "native", false);
    let mut settled = 0;
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        assert_eq!(
            x,
            y,
            "request {i} differs:\n{}",
            &reqs[i][..reqs[i].len().min(400)]
        );
        if i < 10_000 && x.contains("\"ok\":true") {
            settled += 1;
        }
    }
    // The generator must exercise the settlement itself, not only its error paths.
    assert!(
        settled >= 5_000,
        "only {settled} of 10000 claims settled; first answer: {}",
        &a[0][..a[0].len().min(600)]
    );

    // Verify each settled claim's own output through both engines (with the claim attached).
    let mut vreqs = Vec::new();
    for (req, resp) in reqs.iter().zip(&a).take(2_000) {
        let resp: serde_json::Value = serde_json::from_str(resp).unwrap();
        if resp["ok"] != true {
            continue;
        }
        let claim: serde_json::Value = serde_json::from_str(req).unwrap();
        let r = &resp["result"];
        vreqs.push(envelope("verify", &serde_json::json!({"setlinfo": r["setlinfo"], "setldetail": r["setldetail"], "claim": claim["request"]})));
    }
    let a = batch::run_all(&wasm, &vreqs, "wasmtime", false);
    let b = batch::run_all(&native, &vreqs, "native", false);
    assert_eq!(a, b);
    let consistent = a
        .iter()
        .filter(|x| x.contains("\"verdict\":\"consistent\""))
        .count();
    assert_eq!(
        consistent,
        a.len(),
        "the core's own settlements must verify: {}",
        a.iter()
            .find(|x| !x.contains("\"verdict\":\"consistent\""))
            .map(String::as_str)
            .unwrap_or("")
    );
}

/// The module browsers and mini-programs load (the size-optimised `wasm` profile, or its wasm-opt / MVP
/// lowering) answers byte for byte like the embedded speed-optimised one and the native core.
/// scripts/test-host.sh builds it with scripts/build-guest.sh and runs this with YIDI_TEST_BROWSER_WASM set.
#[test]
#[ignore = "needs the browser .wasm: run by scripts/test-host.sh"]
fn the_browser_module_answers_like_the_embedded_one() {
    let path = std::env::var("YIDI_TEST_BROWSER_WASM")
        .expect("YIDI_TEST_BROWSER_WASM is set by scripts/test-host.sh");
    let wasm = std::fs::read(&path).unwrap();
    let browser =
        Runner::Wasm(yidi_host::engine::GuestEngine::with_module(&wasm, Limits::default()).unwrap());
    let embedded = Runner::new(false, Limits::default()).unwrap();
    let mut rng = Rng(0x0b40_5e40_2026);
    let reqs: Vec<String> = (0..3_000)
        .map(|i| match i % 3 {
            0 => envelope("settle", &claim(&mut rng, i, None)),
            1 => envelope("precheck", &claim(&mut rng, i, None)),
            _ => envelope("estimate", &claim(&mut rng, i, None)),
        })
        .collect();
    let a = batch::run_all(&browser, &reqs, "browser", false);
    let b = batch::run_all(&embedded, &reqs, "embedded", false);
    let c = batch::run_all(&Runner::Native, &reqs, "native", false);
    for i in 0..reqs.len() {
        assert_eq!(a[i], b[i], "request {i}");
        assert_eq!(a[i], c[i], "request {i}");
    }
    assert!(a.iter().filter(|x| x.contains("\"ok\":true")).count() > 1_000);
}
