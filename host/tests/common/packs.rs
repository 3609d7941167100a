//! Crafted inline policy packs for the sandbox tests: each is the shipped Hangzhou pack (330100, the insured
//! place of the claim below) with one part blown up to what an 8 MiB request allows.

use serde_json::{Value, json};

/// The shipped pack of the claim's insured place.
pub fn base_pack() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../core/packs/330100.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A 40-line inpatient claim of a Hangzhou employee (the first claim `yidi bench` settles).
pub fn claim() -> Value {
    let mut rng = yidi_host::claimgen::Rng(0x05ee_d1d1_2026);
    let c = yidi_host::claimgen::claim(&mut rng, 0, Some(40));
    assert_eq!(c["person"]["insuplc_admdvs"], "330100");
    c
}

/// `settle` of [`claim`], with inline packs when given.
pub fn settle_envelope(packs: Option<Vec<Value>>) -> String {
    let mut e = json!({"api_version": "1", "op": "settle", "request": claim()});
    if let Some(p) = packs {
        e["packs"] = Value::Array(p);
    }
    e.to_string()
}

fn dated(value: Value) -> Value {
    json!([{"from": "2000-01-01", "value": value, "cite": "c", "verified": false}])
}

/// Replace every row with tiers by one row for everyone, with these tiers.
fn with_tiers(dated_tiers: Value) -> Value {
    let mut p = base_pack();
    let mut rows: Vec<Value> = p["benefits"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.get("tiers").is_none())
        .cloned()
        .collect();
    rows.push(json!({"select": {}, "tiers": dated_tiers}));
    p["benefits"] = Value::Array(rows);
    p
}

/// `n` bands one yuan wide, then an unbounded one: the trace spells every band out.
pub fn pack_with_bands(n: usize) -> Value {
    let mut bands: Vec<Value> = (1..=n)
        .map(|i| json!({"upto": i.to_string(), "ratio": "0.5"}))
        .collect();
    bands.push(json!({"ratio": "0.9"}));
    with_tiers(dated(json!({"basis": "per_claim", "bands": bands})))
}

/// The band list of the row `with_tiers` added.
pub fn tiers_of_last_row(p: &mut Value) -> &mut Vec<Value> {
    p["benefits"].as_array_mut().unwrap().last_mut().unwrap()["tiers"][0]["value"]["bands"]
        .as_array_mut()
        .unwrap()
}

/// `n` riders that all apply to every visit and pay nothing, each unverified; with a pack-level
/// `unverified_note` every one of them repeats the note in the trace.
pub fn pack_with_riders(n: usize, note: &str) -> Value {
    let mut p = base_pack();
    p["riders"] = (0..n)
        .map(|i| {
            json!({"id": format!("r{i}"), "fund_pay_type": "610100", "name_zh": "补充", "name_en": "rider",
                "base": "personal_inscope", "tiers": dated(json!([{"ratio": "0"}]))})
        })
        .collect();
    if !note.is_empty() {
        p["unverified_note"] = json!(note);
    }
    p
}

/// Tiers with `n` one-day effective periods (every other day from 1700), the value in force found last.
pub fn pack_with_dates(n: usize) -> Value {
    // Days 1, 3, …, 27 of each month: 168 a year.
    let day = |i: usize| {
        format!(
            "{:04}-{:02}-{:02}",
            1700 + i / 168,
            1 + i % 168 / 14,
            1 + 2 * (i % 14)
        )
    };
    let tiers = json!({"basis": "per_claim", "bands": [{"ratio": "0.9"}]});
    let mut periods: Vec<Value> = (0..n)
        .map(|i| json!({"from": day(i), "to": day(i), "value": tiers, "cite": "c", "verified": true}))
        .collect();
    periods.push(json!({"from": day(n), "value": tiers, "cite": "c", "verified": true}));
    assert!(day(n).as_str() < "2025-01-01");
    with_tiers(Value::Array(periods))
}

/// `n` extra rows whose selectors list the same classes and levels over and over.
pub fn pack_with_rows(n: usize) -> Value {
    let mut p = base_pack();
    let levels = ["1", "2", "3"].repeat(20);
    let row = json!({"select": {"med_class": vec!["outpatient"; 60], "hosp_lv": levels}, "pool": "x"});
    p["benefits"]
        .as_array_mut()
        .unwrap()
        .extend(std::iter::repeat_n(row, n));
    p
}

/// `settle` with a pack whose every deductible amount is this JSON text (`"\"1e30\""`, `1e30`, `1000…`),
/// spliced in as text so that numbers beyond f64 reach the core exactly as written.
pub fn settle_with_deductible(raw: &str) -> String {
    const MARK: &str = "__yidi_amount__";
    let mut p = base_pack();
    for row in p["benefits"].as_array_mut().unwrap() {
        if let Some(d) = row.get_mut("deductible") {
            for v in d.as_array_mut().unwrap() {
                v["value"]["amount"] = json!(MARK);
            }
        }
    }
    settle_envelope(Some(vec![p])).replace(&format!("\"{MARK}\""), raw)
}
