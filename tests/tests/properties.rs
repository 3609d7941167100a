//! Property tests over generated claims, all through the JSON API:
//! - every settlement satisfies the invariants of NATIONAL_SPEC.md §3 (checked independently here and by
//!   the core's own `verify`);
//! - across a year of claims fed their own accumulators, no annual cap is ever exceeded;
//! - a reversal is the exact negation of the settlement;
//! - the per-line split adds up and keeps the line's sign;
//! - metamorphic: the order of the fee lines changes nothing; a filing to another place changes nothing;
//!   a fully self-paid line adds exactly its amount to the total, 全自费 and the person's part, and
//!   nothing to any fund column; one more unit of a line never lowers the fund's part or the person's;
//! - no input, however malformed, makes the core panic.

use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use std::str::FromStr;

const REGIONS: [&str; 4] = ["610100", "330100", "430100", "230100"];
const PLACES: [&str; 8] = [
    "610100", "330100", "430100", "230100", "610300", "330200", "110105", "460100",
];
/// (code, price near its ceiling) from the shipped sample catalogs; one code is in no catalog.
const ITEMS: [(&str, i64); 12] = [
    ("001103000010000", 50),
    ("002100000010000", 300),
    ("002200000010000", 600),
    ("002500000010000", 25),
    ("003310000010000", 1200),
    ("003314000010000", 3000),
    ("C1304010000000000098765432", 15000),
    ("XC10AAA055A001010101445", 5),
    ("XB05AAR002B002010100335", 400),
    ("T000800100", 300),
    ("001101000010000", 10),
    ("NOT-IN-ANY-CATALOG", 80),
];
const MED_TYPES: [&str; 8] = ["11", "13", "14", "21", "21", "22", "24", "41"];

fn call(op: &str, request: Value) -> Value {
    let out =
        yidi_core::api::handle_json(&json!({"api_version": "1", "op": op, "request": request}).to_string());
    serde_json::from_str(&out).expect("the core always answers JSON")
}

fn d(v: &Value) -> Decimal {
    Decimal::from_str(v.as_str().unwrap_or("0")).unwrap_or_else(|_| panic!("not an amount: {v}"))
}

fn line_strategy() -> impl Strategy<Value = Value> {
    (0..ITEMS.len(), 1i64..20, 70i64..130, 0u8..3).prop_map(|(i, cnt, pct, appr)| {
        let (code, base) = ITEMS[i];
        // Price between 70 % and 130 % of the ceiling, to the fen.
        let pric = Decimal::new(base * pct, 2);
        let det = (pric * Decimal::from(cnt)).round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
        json!({"med_list_codg": code, "cnt": cnt, "pric": pric.to_string(), "det_item_fee_sumamt": det.to_string(),
               "hosp_appr_flag": appr.to_string()})
    })
}

/// Whether a sample catalog ships for the place (the four packs' cities; `PLACES`' others have none).
fn has_catalog(place: &str) -> bool {
    REGIONS.contains(&place)
}

fn claim_strategy() -> impl Strategy<Value = Value> {
    (
        0..REGIONS.len(),
        any::<bool>(),
        0..PLACES.len(),
        0..MED_TYPES.len(),
        0u8..4,
        0u8..5,
        prop::collection::vec(line_strategy(), 1..40),
        0i64..3000,
        any::<bool>(),
        1u32..28,
    )
        .prop_map(|(r, employee, p, m, lv, filing, lines, balc, cvl, day)| {
            let place = PLACES[p];
            let lines: Vec<Value> = lines
                .into_iter()
                .enumerate()
                .map(|(i, mut l)| {
                    l["feedetl_sn"] = json!(format!("{}", i + 1));
                    // No catalog ships for these places: the lines carry the treatment place's catalog
                    // fields, as claims returned by the national platform do (without them a claim is refused).
                    if !has_catalog(place) {
                        let (lv, prop) = [("01", "0"), ("02", "0.1"), ("03", "1")][i % 3];
                        l["chrgitm_lv"] = json!(lv);
                        l["selfpay_prop"] = json!(prop);
                    }
                    l
                })
                .collect();
            let filings = match filing {
                0 => json!([]),
                1 => json!([{"rloc_admdvs": place, "category": "long_term_resident", "begndate": "2024-01-01", "applied_date": "2024-01-01"}]),
                2 => json!([{"rloc_admdvs": place, "category": "referral", "begndate": "2025-01-01", "enddate": "2025-06-30", "applied_date": "2025-01-01"}]),
                3 => json!([{"rloc_admdvs": place, "category": "other_temporary", "begndate": "2025-02-01", "enddate": "2026-01-31", "applied_date": "2025-02-01"}]),
                _ => json!([{"rloc_admdvs": place, "category": "retiree_resettled", "begndate": "2025-05-01", "applied_date": "2025-05-01"}]),
            };
            json!({
                "person": {"insutype": if employee {"310"} else {"390"}, "psn_type": if employee {"1201"} else {"1501"},
                           "insuplc_admdvs": REGIONS[r], "balc": balc.to_string(), "cvlserv_flag": cvl && employee,
                           "maf_class": if cvl && !employee { json!("dibao") } else { Value::Null }},
                "visit": {"med_type": MED_TYPES[m], "mdtrtarea_admvs": place, "hosp_lv": lv.to_string(),
                          "begndate": format!("2025-03-{day:02}"), "enddate": "2025-03-28",
                          "third_party_flag": "0", "no_third_party_commitment": m % 2},
                "filings": filings,
                "lines": lines,
                "trace": false
            })
        })
}

/// The invariants of NATIONAL_SPEC §3, checked here independently of the core's `verify`.
fn assert_invariants(s: &Value, detail: &[Value], lines: &[Value]) {
    let f = |k: &str| d(&s[k]);
    assert_eq!(
        f("medfee_sumamt"),
        f("fulamt_ownpay_amt") + f("overlmt_selfpay") + f("preselfpay_amt") + f("inscp_scp_amt"),
        "(1) {s}"
    );
    let funds = f("hifp_pay")
        + f("cvlserv_pay")
        + f("hifes_pay")
        + f("hifmi_pay")
        + f("hifob_pay")
        + f("maf_pay")
        + f("oth_pay");
    assert_eq!(f("fund_pay_sumamt"), funds, "(2) {s}");
    assert_eq!(
        f("psn_part_amt"),
        f("medfee_sumamt") - f("fund_pay_sumamt") - f("hosp_part_amt"),
        "(3) {s}"
    );
    assert_eq!(f("psn_part_amt"), f("acct_pay") + f("psn_cash_pay"), "(4) {s}");
    let dsum: Decimal = detail.iter().map(|x| d(&x["fund_payamt"])).sum();
    assert_eq!(
        dsum,
        f("fund_pay_sumamt") + f("acct_pay") + f("hosp_part_amt"),
        "(5) {s}"
    );
    assert!(f("act_pay_dedc") <= f("inscp_scp_amt"), "(6) {s}");
    for k in [
        "medfee_sumamt",
        "inscp_scp_amt",
        "act_pay_dedc",
        "hifp_pay",
        "fund_pay_sumamt",
        "psn_part_amt",
        "acct_pay",
        "psn_cash_pay",
    ] {
        assert!(f(k) >= Decimal::ZERO, "(6) {k} negative: {s}");
        assert_eq!(
            f(k),
            f(k).round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero),
            "{k} below the fen"
        );
    }
    for (col, key) in [
        ("det_item_fee_sumamt", "medfee_sumamt"),
        ("inscp_scp_amt", "inscp_scp_amt"),
        ("preselfpay_amt", "preselfpay_amt"),
    ] {
        let sum: Decimal = lines.iter().map(|l| d(&l[col])).sum();
        assert_eq!(sum, f(key), "(7) {key}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn settlements_satisfy_the_national_invariants(claim in claim_strategy()) {
        let r = call("settle", claim.clone());
        if r["ok"] == json!(false) {
            // The only refusals a well-formed generated claim may get: a med class a pack has no row for.
            prop_assert_eq!(&r["error"]["code"], &json!("E_NO_PACK"), "{}", r);
            return Ok(());
        }
        let res = &r["result"];
        let detail = res["setldetail"].as_array().cloned().unwrap_or_default();
        let lines = res["lines"].as_array().cloned().unwrap_or_default();
        assert_invariants(&res["setlinfo"], &detail, &lines);
        // The core's own checker agrees, with the claim recomputed.
        let v = call("verify", json!({"setlinfo": res["setlinfo"], "setldetail": detail, "lines": lines, "claim": claim}));
        prop_assert_eq!(&v["result"]["verdict"], &json!("consistent"), "{}", v);
    }

    /// A bill's lines may come in any order (hospital systems sort by time, by item or not at all): the
    /// settlement's totals, fund columns and per-line splits must not depend on it.
    #[test]
    fn fee_line_order_does_not_change_the_settlement(claim in claim_strategy(), rotate in 0usize..40) {
        let r = call("settle", claim.clone());
        prop_assume!(r["ok"] == json!(true));
        let mut shuffled = claim.clone();
        let lines = shuffled["lines"].as_array_mut().unwrap();
        let k = rotate % lines.len();
        lines.rotate_left(k);
        lines.reverse();
        let s = call("settle", shuffled);
        prop_assert_eq!(&s["ok"], &json!(true), "{}", s);
        prop_assert_eq!(&s["result"]["setlinfo"], &r["result"]["setlinfo"]);
        prop_assert_eq!(&s["result"]["setldetail"], &r["result"]["setldetail"]);
        let by_sn = |v: &Value| {
            let mut l: Vec<Value> = v["result"]["lines"].as_array().cloned().unwrap_or_default();
            l.sort_by_key(|x| x["feedetl_sn"].as_str().unwrap_or("").to_string());
            l
        };
        prop_assert_eq!(by_sn(&s).len(), claim["lines"].as_array().map_or(0, Vec::len));
        prop_assert_eq!(by_sn(&s), by_sn(&r));
    }

    /// A line the fund never pays (an item in no catalog: 全自费) adds exactly its amount to the total, to
    /// 全自费 and to what the person pays, and leaves every fund column as it was.
    #[test]
    fn a_fully_self_paid_line_moves_no_fund_amount(claim in claim_strategy(), fen in 1i64..500_000) {
        let r = call("settle", claim.clone());
        prop_assume!(r["ok"] == json!(true));
        let amount = Decimal::new(fen, 2);
        let mut more = claim.clone();
        let lines = more["lines"].as_array_mut().unwrap();
        let sn = lines.len() + 1;
        let mut extra = json!({"med_list_codg": "NOT-IN-ANY-CATALOG", "cnt": 1, "pric": amount.to_string(),
                               "det_item_fee_sumamt": amount.to_string(), "feedetl_sn": sn.to_string()});
        if !has_catalog(claim["visit"]["mdtrtarea_admvs"].as_str().unwrap_or("")) {
            // Without a catalog the line says itself that the fund never pays it (丙类).
            extra["chrgitm_lv"] = json!("03");
        }
        lines.push(extra);
        let s = call("settle", more);
        prop_assert_eq!(&s["ok"], &json!(true), "{}", s);
        let (a, b) = (&r["result"]["setlinfo"], &s["result"]["setlinfo"]);
        for k in ["medfee_sumamt", "fulamt_ownpay_amt", "psn_part_amt"] {
            prop_assert_eq!(d(&b[k]) - d(&a[k]), amount, "{}", k);
        }
        for k in ["overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt", "act_pay_dedc", "hifp_pay", "cvlserv_pay",
                  "hifmi_pay", "hifob_pay", "maf_pay", "fund_pay_sumamt"] {
            prop_assert_eq!(&b[k], &a[k], "{}", k);
        }
        prop_assert_eq!(d(&b["acct_pay"]) + d(&b["psn_cash_pay"]) - d(&a["acct_pay"]) - d(&a["psn_cash_pay"]), amount);
    }

    /// More of a covered item never makes the fund pay less, nor the person (a cap can stop the fund's
    /// part from growing; then the person pays all of the increase).
    #[test]
    fn one_more_unit_never_lowers_either_part(claim in claim_strategy(), pick in 0usize..40) {
        let r = call("settle", claim.clone());
        prop_assume!(r["ok"] == json!(true));
        let mut more = claim.clone();
        let lines = more["lines"].as_array_mut().unwrap();
        let i = pick % lines.len();
        let l = &mut lines[i];
        let pric = d(&l["pric"]);
        let cnt = l["cnt"].as_i64().unwrap() + 1;
        l["cnt"] = json!(cnt);
        l["det_item_fee_sumamt"] = json!((pric * Decimal::from(cnt))
            .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero).to_string());
        let s = call("settle", more);
        prop_assert_eq!(&s["ok"], &json!(true), "{}", s);
        let (a, b) = (&r["result"]["setlinfo"], &s["result"]["setlinfo"]);
        prop_assert!(d(&b["fund_pay_sumamt"]) >= d(&a["fund_pay_sumamt"]), "fund {} -> {}", a["fund_pay_sumamt"], b["fund_pay_sumamt"]);
        prop_assert!(d(&b["psn_part_amt"]) >= d(&a["psn_part_amt"]), "person {} -> {}", a["psn_part_amt"], b["psn_part_amt"]);
        prop_assert_eq!(d(&b["medfee_sumamt"]) - d(&a["medfee_sumamt"]),
            d(&s["result"]["lines"][i]["det_item_fee_sumamt"]) - d(&r["result"]["lines"][i]["det_item_fee_sumamt"]));
    }

    /// A filing to some other place (here 重庆, where no generated visit happens) neither covers the visit
    /// nor takes anything away: the settlement is the same with or without it.
    #[test]
    fn a_filing_elsewhere_does_not_change_the_settlement(claim in claim_strategy(), long_term in any::<bool>()) {
        let r = call("settle", claim.clone());
        prop_assume!(r["ok"] == json!(true));
        let mut more = claim.clone();
        let elsewhere = if long_term {
            json!({"rloc_admdvs": "500000", "category": "long_term_resident", "begndate": "2024-06-01", "applied_date": "2024-06-01"})
        } else {
            json!({"rloc_admdvs": "500000", "category": "other_temporary", "begndate": "2025-03-01", "enddate": "2025-08-31", "applied_date": "2025-03-01"})
        };
        more["filings"].as_array_mut().unwrap().push(elsewhere);
        let s = call("settle", more);
        prop_assert_eq!(&s["ok"], &json!(true), "{}", s);
        prop_assert_eq!(&s["result"]["setlinfo"], &r["result"]["setlinfo"]);
        prop_assert_eq!(&s["result"]["setldetail"], &r["result"]["setldetail"]);
    }

    #[test]
    fn reversal_is_the_exact_negation(claim in claim_strategy()) {
        let r = call("settle", claim);
        prop_assume!(r["ok"] == json!(true));
        let res = &r["result"];
        let rev = call("settle.reverse", json!({"setlinfo": res["setlinfo"], "setldetail": res["setldetail"], "lines": res["lines"], "accumulators_delta": res["accumulators_delta"]}));
        prop_assert_eq!(&rev["ok"], &json!(true), "{}", rev);
        let a = &res["setlinfo"];
        let b = &rev["result"]["setlinfo"];
        for k in ["medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt", "act_pay_dedc", "hifp_pay",
                  "cvlserv_pay", "hifmi_pay", "hifob_pay", "maf_pay", "fund_pay_sumamt", "psn_part_amt", "acct_pay", "psn_cash_pay"] {
            prop_assert_eq!(d(&a[k]) + d(&b[k]), Decimal::ZERO, "{} does not cancel", k);
        }
        for (x, y) in res["setldetail"].as_array().unwrap().iter().zip(rev["result"]["setldetail"].as_array().unwrap()) {
            prop_assert_eq!(d(&x["fund_payamt"]) + d(&y["fund_payamt"]), Decimal::ZERO);
        }
        // The reversal verifies as a reversal, and reversing it gives the settlement back.
        let v = call("verify", json!({"setlinfo": b, "setldetail": rev["result"]["setldetail"]}));
        prop_assert_eq!(&v["result"]["verdict"], &json!("consistent"), "{}", v);
        prop_assert_eq!(&v["result"]["reversal"], &json!(a["medfee_sumamt"] != json!("0.00")));
        let back = call("settle.reverse", json!({"setlinfo": b, "setldetail": rev["result"]["setldetail"]}));
        prop_assert_eq!(&back["result"]["setlinfo"], a);
    }

    #[test]
    fn a_year_of_claims_never_exceeds_a_cap(claims in prop::collection::vec(claim_strategy(), 5..25), region in 0..REGIONS.len(), employee in any::<bool>()) {
        // One person, one year: each claim settles against the accumulators the previous one returned.
        let mut acc = json!({"year": 2025});
        let pack = call("pack.get", json!({"region": REGIONS[region]}))["result"].clone();
        let mut paid_by_pool: std::collections::BTreeMap<String, Decimal> = Default::default();
        for (i, mut c) in claims.into_iter().enumerate() {
            c["person"]["insuplc_admdvs"] = json!(REGIONS[region]);
            c["person"]["insutype"] = json!(if employee { "310" } else { "390" });
            c["person"]["psn_type"] = json!(if employee { "1101" } else { "1501" });
            c["visit"]["med_type"] = json!("21");
            c["visit"]["begndate"] = json!(format!("2025-{:02}-01", i % 12 + 1));
            c["visit"]["enddate"] = json!(format!("2025-{:02}-10", i % 12 + 1));
            c["visit"]["emergency_flag"] = json!(1);
            // Scale the bill up so that caps are actually reached.
            for l in c["lines"].as_array_mut().unwrap() {
                l["cnt"] = json!((d(&l["cnt"]) * Decimal::from(20)).to_string());
                let det = (d(&l["cnt"]) * Decimal::from_str(l["pric"].as_str().unwrap()).unwrap())
                    .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
                l["det_item_fee_sumamt"] = json!(det.to_string());
            }
            c["accumulators"] = acc.clone();
            let r = call("settle", c);
            prop_assert_eq!(&r["ok"], &json!(true), "{}", r);
            let res = &r["result"];
            for (pool, v) in res["accumulators_delta"]["pools"].as_object().unwrap() {
                *paid_by_pool.entry(pool.clone()).or_default() += d(&v["hifp_paid"]);
            }
            acc = res["accumulators_after"].clone();
        }
        // Every cap in the pack that applies to this person's inpatient stays bounds the year's payments.
        let it = if employee { "310" } else { "390" };
        for row in pack["benefits"].as_array().unwrap() {
            let sel = &row["select"];
            if sel["insutype"] == json!(it)
                && sel["med_class"] == json!(["inpatient"])
                && let Some(cap) = row["annual_cap"].as_array().and_then(|c| c.first())
            {
                let paid = paid_by_pool.get("inpatient").copied().unwrap_or_default();
                prop_assert!(paid <= d(&cap["value"]), "inpatient fund paid {} over the cap {}", paid, cap["value"]);
                prop_assert_eq!(paid, d(&acc["pools"]["inpatient"]["hifp_paid"]));
            }
        }
        for rider in pack["riders"].as_array().unwrap() {
            let id = rider["id"].as_str().unwrap();
            if let (Some(cap), Some(got)) = (rider["annual_cap"].as_array().and_then(|c| c.first()), acc["riders"].get(id)) {
                prop_assert!(d(&got["paid"]) <= d(&cap["value"]), "rider {} paid {} over its cap", id, got["paid"]);
            }
        }
    }

    #[test]
    fn line_split_adds_up(line in line_strategy(), place in 0..4usize, refund in any::<bool>()) {
        let mut l = line;
        l["feedetl_sn"] = json!("1");
        if refund {
            l["cnt"] = json!((-d(&json!(l["cnt"].to_string()))).to_string());
            l["det_item_fee_sumamt"] = json!((-d(&l["det_item_fee_sumamt"])).to_string());
            l["init_feedetl_sn"] = json!("0");
        }
        let r = call("lines.split", json!({"mdtrtarea_admvs": REGIONS[place], "lines": [l]}));
        prop_assert_eq!(&r["ok"], &json!(true), "{}", r);
        let s = &r["result"][0];
        let parts = [d(&s["fulamt_ownpay_amt"]), d(&s["overlmt_amt"]), d(&s["preselfpay_amt"]), d(&s["inscp_scp_amt"])];
        prop_assert_eq!(parts.iter().copied().sum::<Decimal>(), d(&s["det_item_fee_sumamt"]));
        for p in parts {
            prop_assert!(if refund { p <= Decimal::ZERO } else { p >= Decimal::ZERO }, "sign of {} in {}", p, s);
        }
    }

    #[test]
    fn junk_never_panics(s in ".{0,200}") {
        let out = yidi_core::api::handle_json(&s);
        let v: Value = serde_json::from_str(&out).unwrap();
        prop_assert_eq!(&v["ok"], &json!(false));
    }

    #[test]
    fn mangled_claims_get_clear_errors(claim in claim_strategy(), key in 0usize..6, junk in prop_oneof![Just(json!(null)), Just(json!(-5)), Just(json!("x")), Just(json!(1e300)), Just(json!([]))]) {
        let mut c = claim;
        let targets = ["/person/insutype", "/visit/begndate", "/lines/0/cnt", "/lines/0/det_item_fee_sumamt", "/visit/hosp_lv", "/person/balc"];
        if let Some(slot) = c.pointer_mut(targets[key]) {
            *slot = junk;
        }
        let r = call("settle", c);
        if r["ok"] == json!(false) {
            let code = r["error"]["code"].as_str().unwrap();
            prop_assert!(code.starts_with("E_"));
            prop_assert!(!r["error"]["message_zh"].as_str().unwrap().is_empty());
            prop_assert!(!r["error"]["message_en"].as_str().unwrap().is_empty());
        }
    }
}
