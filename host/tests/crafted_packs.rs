//! Hostile inline policy packs (the envelope's `packs` member) through the real guest under wasmtime: packs
//! blown up beyond the core's size bounds (`yidi_core::policy::limits`, refused before any work), packs at
//! those bounds (real work, finished given time), as many packs as a request of at most 8 MiB can carry (the
//! deadline), and malformed packs. (The memory cap is tested with a module built to exhaust it: sandbox.rs.) Each gets its exact error code, nothing panics, and the
//! very next ordinary request on the same engine is answered byte-identically to the native core. The same
//! over real HTTP is in `server.rs` (`crafted_inline_packs_over_http`).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod common;

use common::packs::*;
use std::time::Duration;
use yidi_host::engine::{GuestEngine, GuestFault, Limits, Runner};

/// A flat 50 ms per call (no per-MiB allowance): every heavy pack below needs many times that in the guest.
fn tight() -> Limits {
    Limits {
        memory_bytes: 64 << 20,
        deadline: Duration::from_millis(50),
        deadline_per_mib: Duration::ZERO,
        fuel: None,
        pool_instances: 4,
    }
}

/// Time enough for any of the packs; only the memory cap can stop a call.
fn roomy() -> Limits {
    Limits {
        deadline: Duration::from_secs(20),
        ..tight()
    }
}

fn code(out: &str) -> String {
    let v: serde_json::Value =
        serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {}", &out[..out.len().min(300)]));
    assert_eq!(v["ok"], false, "{}", &out[..out.len().min(300)]);
    v["error"]["code"].as_str().unwrap_or_default().to_string()
}

/// After any hostile call the engine answers an ordinary claim exactly as the native core does.
fn still_serves(g: &GuestEngine) {
    let normal = settle_envelope(None);
    let expected = Runner::Native.call(normal.as_bytes());
    assert!(expected.contains("\"ok\":true"));
    assert_eq!(g.call(normal.as_bytes()).unwrap(), expected);
}

#[test]
fn oversized_packs_are_refused_before_any_work() {
    // Each of these once made the guest work past any deadline (or, for the long note repeated by every
    // rider's trace entry, ask for an answer of gigabytes); the core's size bounds refuse them once parsed
    // (reading 8 MiB of pack takes longer than the tight deadline, hence the roomy one).
    let g = GuestEngine::new(roomy()).unwrap();
    for (name, pack, key) in [
        ("250,000 tier bands", pack_with_bands(250_000), "tiers[0].bands"),
        ("20,000 riders", pack_with_riders(20_000, ""), "`riders`"),
        ("40,000 effective dates", pack_with_dates(40_000), ".tiers"),
        (
            "7,000 rows of long selectors",
            pack_with_rows(7_000),
            "`benefits`",
        ),
        (
            "a 350,000-character note on 3,000 riders",
            pack_with_riders(3_000, &"注".repeat(350_000)),
            "`unverified_note`",
        ),
    ] {
        let req = settle_envelope(Some(vec![pack]));
        assert!(
            req.len() < yidi_host::engine::MAX_REQUEST_BYTES,
            "{name}: {} bytes",
            req.len()
        );
        let out = g.call(req.as_bytes()).unwrap();
        assert_eq!(code(&out), "E_PACK", "{name}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["error"]["path"], "packs[0]", "{name}");
        assert!(
            v["error"]["message_en"].as_str().unwrap().contains(key),
            "{name}: {out}"
        );
        assert_eq!(out, Runner::Native.call(req.as_bytes()), "{name}");
        still_serves(&g);
    }
}

#[test]
fn as_many_packs_as_a_request_carries_stop_at_the_deadline() {
    // As many inline packs as the request limit lets through, each within the bounds: linear work, but
    // several times the 50 ms deadline (300 packs took 0.11 s and once finished inside it on a loaded
    // machine, whose epoch ticker got fewer turns; a faster core only shortens the work).
    let one = settle_envelope(Some(vec![base_pack()])).len();
    let n = (yidi_host::engine::MAX_REQUEST_BYTES - one) / (one - settle_envelope(None).len()) * 95 / 100;
    assert!(n > 400, "{n} packs");
    let req = settle_envelope(Some(vec![base_pack(); n]));
    assert!(req.len() < yidi_host::engine::MAX_REQUEST_BYTES);
    let g = GuestEngine::new(tight()).unwrap();
    assert_eq!(g.call(req.as_bytes()), Err(GuestFault::Deadline), "{n} packs");
    assert_eq!(code(&Runner::Wasm(g.clone()).call(req.as_bytes())), "E_DEADLINE");
    still_serves(&g);
}

#[test]
fn packs_at_the_bounds_are_legitimate_work_given_time() {
    // At the bounds the guest finishes, byte-identically to the native core, with an answer of bounded size
    // (every rider's trace entry repeats a note of the longest length allowed).
    let g = GuestEngine::new(Limits {
        memory_bytes: 256 << 20,
        ..roomy()
    })
    .unwrap();
    let max_note = "注".repeat(yidi_core::policy::limits::TEXT_CHARS);
    for pack in [
        pack_with_rows(yidi_core::policy::limits::BENEFIT_ROWS - 60),
        pack_with_dates(yidi_core::policy::limits::DATED_VALUES - 1),
        pack_with_bands(yidi_core::policy::limits::BANDS - 1),
        pack_with_riders(yidi_core::policy::limits::RIDERS, &max_note),
    ] {
        let req = settle_envelope(Some(vec![pack]));
        let out = g.call(req.as_bytes()).unwrap();
        assert!(
            out.starts_with(r#"{"api_version":"1","op":"settle","ok":true"#),
            "{}",
            &out[..out.len().min(300)]
        );
        assert!(out.len() < 4 << 20, "{} bytes", out.len());
        assert_eq!(out, Runner::Native.call(req.as_bytes()));
    }
}

#[test]
fn malformed_packs_are_refused_with_the_key_at_fault() {
    let g = GuestEngine::new(roomy()).unwrap();
    let r = Runner::Wasm(g.clone());
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "500,000-deep JSON inside a pack",
            settle_envelope(None).replacen(
                r#""request":"#,
                &format!(
                    r#""packs":[{{"schema":"yidi-pack/1","summary":{}{}}}],"request":"#,
                    "[".repeat(500_000),
                    "]".repeat(500_000)
                ),
                1,
            ),
            "summary",
        ),
        (
            "500,000-deep JSON as a benefit row",
            settle_envelope(Some(vec![{
                let mut p = base_pack();
                p["benefits"] = serde_json::Value::Null;
                p
            }]))
            .replacen(
                r#""benefits":null"#,
                &format!(r#""benefits":[{}{}]"#, "[".repeat(500_000), "]".repeat(500_000)),
                1,
            ),
            "benefits",
        ),
        (
            "deductible of \"1e30\"",
            settle_with_deductible("\"1e30\""),
            "deductible",
        ),
        (
            "deductible of 1e30 as a JSON number",
            settle_with_deductible("1e30"),
            "deductible",
        ),
        (
            "deductible of 10^30 as a JSON integer",
            settle_with_deductible(&format!("1{}", "0".repeat(30))),
            "deductible",
        ),
        (
            "band bound of 10^30",
            settle_envelope(Some(vec![{
                let mut p = pack_with_bands(1);
                let bands = tiers_of_last_row(&mut p);
                bands[0]["upto"] = serde_json::json!(format!("1{}", "0".repeat(30)));
                p
            }])),
            "upto",
        ),
    ];
    for (name, req, key) in cases {
        let out = r.call(req.as_bytes());
        assert_eq!(code(&out), "E_PACK", "{name}: {}", &out[..out.len().min(400)]);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["error"]["path"], "packs[0]", "{name}");
        assert!(
            v["error"]["message_en"].as_str().unwrap().contains(key),
            "{name}: {out}"
        );
        assert_eq!(
            out,
            Runner::Native.call(req.as_bytes()),
            "{name}: byte-identical natively"
        );
        still_serves(&g);
    }
}
