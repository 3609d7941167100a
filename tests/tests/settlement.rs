//! `settle::compute` (per-line results borrowing the request's texts, what the JSON path writes) against
//! `settle::settle` (owned results): on every golden settle case, with the trace and the per-line results
//! on and off, the settlement made owned is the owned answer, and both are written to the same bytes.

use serde_json::json;
use yidi_core::policy::PackSet;
use yidi_core::settle::{SettleRequest, compute, settle};
use yidi_core::wire;
use yidi_tests::{case_files, golden_root, load_case};

/// The requests of the golden `settle` cases that use the shipped packs and catalogs, with their files.
fn golden_settle_requests() -> Vec<(std::path::PathBuf, serde_json::Value)> {
    case_files(&golden_root())
        .into_iter()
        .filter_map(|f| {
            let env = load_case(&f).ok()?.request;
            let shipped = env.get("packs").is_none() && env.get("catalogs").is_none();
            (env["op"] == "settle" && shipped).then(|| (f, env["request"].clone()))
        })
        .collect()
}

#[test]
fn compute_made_owned_is_settle_and_writes_the_same_bytes() {
    let packs = PackSet::embedded();
    let mut compared = 0;
    for (f, request) in golden_settle_requests() {
        for (trace, line_results) in [(false, true), (true, true), (false, false)] {
            let mut req = request.clone();
            req["trace"] = json!(trace);
            req["line_results"] = json!(line_results);
            let Ok(r) = serde_json::from_value::<SettleRequest>(req) else {
                continue;
            };
            match (compute(&packs, &r), settle(&packs, &r)) {
                (Ok(s), Ok(owned)) => {
                    assert_eq!(s.lines.len(), owned.lines.len(), "{}", f.display());
                    assert_eq!(
                        wire::settlement_reply(&s),
                        wire::settle_reply(&owned),
                        "{}",
                        f.display()
                    );
                    assert_eq!(wire::settlement_response(&s), wire::settle_response(&owned));
                    assert_eq!(s.into_response(), owned, "{}", f.display());
                    compared += 1;
                }
                (Err(a), Err(b)) => assert_eq!(a, b, "{}", f.display()),
                (a, b) => panic!(
                    "{}: compute {:?} vs settle {:?}",
                    f.display(),
                    a.is_ok(),
                    b.is_ok()
                ),
            }
        }
    }
    // 10 settling golden cases × 3 variants when this test was written.
    assert!(compared >= 24, "only {compared} settlements compared");
}

/// `compute` checks the lines while it splits them, after looking up the pack, coverage, catalog and
/// accumulators; a claim's own faults must still come first, as `check_claim` orders them. Every golden
/// settle case with a line fault, a duplicate serial number or an absurd balance, combined with a missing
/// pack, accumulators of a later year or nothing else wrong, answers the claim's fault.
#[test]
fn a_claims_own_faults_come_before_the_packs_and_accumulators() {
    use yidi_core::settle::check_claim;
    let packs = PackSet::embedded();
    let mut compared = 0;
    for (f, request) in golden_settle_requests() {
        let claim_faults: [fn(&mut serde_json::Value); 3] = [
            |r| {
                let n = r["lines"].as_array().map_or(0, Vec::len);
                r["lines"][n - 1]["det_item_fee_sumamt"] = json!("999999.99");
            },
            |r| {
                let first = r["lines"][0].clone();
                if let Some(v) = r["lines"].as_array_mut() {
                    v.push(first);
                }
            },
            |r| r["person"]["balc"] = json!("-1"),
        ];
        let context_faults: [fn(&mut serde_json::Value); 3] = [
            |_| {},
            |r| r["person"]["insuplc_admdvs"] = json!("110100"),
            |r| r["accumulators"] = json!({"year": 2099}),
        ];
        for claim_fault in claim_faults {
            for context_fault in context_faults {
                let mut req = request.clone();
                claim_fault(&mut req);
                context_fault(&mut req);
                let Ok(r) = serde_json::from_value::<SettleRequest>(req) else {
                    continue;
                };
                let Err(expected) = check_claim(&r) else { continue };
                match compute(&packs, &r) {
                    Err(got) => assert_eq!(got, expected, "{}", f.display()),
                    Ok(_) => panic!("{}: settled a claim check_claim refuses", f.display()),
                }
                compared += 1;
            }
        }
    }
    assert!(compared >= 50, "only {compared} damaged claims compared");
}
