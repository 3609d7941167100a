//! Hostile inline policy packs (the envelope's `packs` member) through the real guest under wasmtime: packs
//! built to make the core work as long and as hard as a request of at most 8 MiB can, packs the core must
//! refuse, and a pack that makes the core's answer grow without bound. Each gets its exact error code, nothing
//! panics, and the very next ordinary request on the same engine is answered byte-identically to the native
//! core. The same over real HTTP is in `server.rs` (`crafted_inline_packs_over_http`).
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
fn packs_that_make_the_core_work_hard_stop_at_the_deadline() {
    let g = GuestEngine::new(tight()).unwrap();
    still_serves(&g);
    for (name, pack) in [
        ("250,000 tier bands", pack_with_bands(250_000)),
        ("20,000 riders", pack_with_riders(20_000, "")),
        ("40,000 effective dates", pack_with_dates(40_000)),
        ("7,000 rows of long selectors", pack_with_rows(7_000)),
    ] {
        let req = settle_envelope(Some(vec![pack]));
        assert!(
            req.len() < yidi_host::engine::MAX_REQUEST_BYTES,
            "{name}: {} bytes",
            req.len()
        );
        assert_eq!(g.call(req.as_bytes()), Err(GuestFault::Deadline), "{name}");
        still_serves(&g);
    }
    // Three hundred inline packs for one call.
    let req = settle_envelope(Some(vec![base_pack(); 300]));
    assert_eq!(g.call(req.as_bytes()), Err(GuestFault::Deadline), "300 packs");
    still_serves(&g);
}

#[test]
fn the_heavy_packs_are_legitimate_work_given_time() {
    // With time to spare the guest finishes them, byte-identically to the native core: the deadline above
    // stopped real (linear) work, not a fault.
    let g = GuestEngine::new(Limits {
        memory_bytes: 256 << 20,
        ..roomy()
    })
    .unwrap();
    for pack in [pack_with_rows(7_000), pack_with_dates(40_000)] {
        let req = settle_envelope(Some(vec![pack]));
        let out = g.call(req.as_bytes()).unwrap();
        assert!(out.starts_with(r#"{"api_version":"1","op":"settle","ok":true"#));
        assert_eq!(out, Runner::Native.call(req.as_bytes()));
    }
}

#[test]
fn a_pack_whose_answer_grows_without_bound_hits_the_memory_cap() {
    // Every unverified value used in the trace carries the pack's `unverified_note`: a 1 MB note and 3,000
    // riders ask for an answer of about 3 GB from a 1.3 MB request. Natively that exhausts the host's memory
    // (see the report in host/README.md); the sandbox stops it at the instance's cap.
    let g = GuestEngine::new(roomy()).unwrap();
    let req = settle_envelope(Some(vec![pack_with_riders(3_000, &"注".repeat(350_000))]));
    assert_eq!(g.call(req.as_bytes()), Err(GuestFault::Memory));
    still_serves(&g);
    assert_eq!(code(&Runner::Wasm(g.clone()).call(req.as_bytes())), "E_MEMORY");
    still_serves(&g);
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
