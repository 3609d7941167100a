//! Property tests of monthly clearing: netting preserves totals to the fen (003 §38, 四(二)), every
//! receivable has its payable twin (002 附件16/17, §56), and chunked aggregation equals one pass.

use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::json;
use std::collections::BTreeMap;
use yidi_core::clearing::month::{AggregateRequest, Level, MonthRequest, Scope, aggregate, clear_month};
use yidi_core::clearing::records::SettlementRecord;

/// Regions: cities of three provinces, counties inside them (same pooling area as their city) and two
/// municipalities (city and province at once).
const REGIONS: [&str; 10] = [
    "610100", "610113", "610200", "610300", "330100", "330200", "230100", "110105", "110108", "500101",
];

fn record(i: usize, ins: usize, trt: usize, fen: i64, deduct_fen: i64) -> SettlementRecord {
    let v = json!({
        "setl_id": format!("P{i}"),
        "insuplc_admdvs": REGIONS[ins],
        "mdtrtarea_admvs": REGIONS[trt],
        "setl_time": "2026-10-15 10:00:00",
        "fund_pay_sumamt": Decimal::new(fen, 2).to_string(),
        "deduct_amt": Decimal::new(deduct_fen, 2).to_string(),
    });
    serde_json::from_value(v).unwrap()
}

fn records() -> impl Strategy<Value = Vec<SettlementRecord>> {
    prop::collection::vec(
        (
            0..REGIONS.len(),
            0..REGIONS.len(),
            -500_000i64..5_000_000,
            0i64..100_000,
        ),
        0..60,
    )
    .prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (a, b, fen, d))| record(i, a, b, fen, if fen > 0 { d.min(fen) } else { 0 }))
            .collect()
    })
}

fn month_req(records: Vec<SettlementRecord>) -> MonthRequest {
    serde_json::from_value(json!({"month": "2026-10", "records": records})).unwrap()
}

fn city(code: &str) -> String {
    let a = yidi_core::codes::Admdvs::parse(code).unwrap();
    a.city().code().to_string()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn netting_preserves_totals(recs in records()) {
        let resp = clear_month(&month_req(recs.clone())).unwrap();
        prop_assert!(resp.balanced);
        for r in &resp.reconciliation {
            prop_assert_eq!(r.receivable_total, r.payable_total);
        }
        // Independent recomputation of each party's net from the records.
        let mut prov_net: BTreeMap<String, Decimal> = BTreeMap::new();
        let mut city_net: BTreeMap<String, Decimal> = BTreeMap::new();
        for r in &recs {
            let (i, t) = (city(r.insuplc_admdvs.code()), city(r.mdtrtarea_admvs.code()));
            if i == t {
                continue;
            }
            let actual = r.fund_pay_sumamt.unwrap().dec() - r.deduct_amt.unwrap().dec();
            if i[..2] == t[..2] {
                *city_net.entry(t).or_default() += actual;
                *city_net.entry(i).or_default() -= actual;
            } else {
                *prov_net.entry(format!("{}0000", &t[..2])).or_default() += actual;
                *prov_net.entry(format!("{}0000", &i[..2])).or_default() -= actual;
            }
        }
        for t in &resp.netting {
            let closed = t.scope == Scope::IntraProvince || t.level == Level::Province;
            if closed {
                prop_assert!(t.net_total.is_zero(), "table {:?} {:?} nets to {}", t.scope, t.level, t.net_total);
            }
            for l in &t.lines {
                let want = match (t.scope, t.level) {
                    (Scope::CrossProvince, Level::Province) => prov_net.get(&l.party).copied(),
                    (Scope::IntraProvince, _) => city_net.get(&l.party).copied(),
                    _ => None,
                };
                if let Some(w) = want {
                    prop_assert_eq!(l.net.dec(), w, "party {}", &l.party);
                }
            }
        }
        // Each notice's total is the sum of its rows, and starred rows are positive returns.
        for n in &resp.notices {
            let s: Decimal = n.rows.iter().map(|r| r.amounts.actual_pay.dec()).sum();
            prop_assert_eq!(s, n.total.actual_pay.dec());
            for r in &n.rows {
                prop_assert!(!r.amounts.actual_pay.is_negative());
            }
        }
    }

    #[test]
    fn chunked_aggregation_equals_one_pass(recs in records(), cut in 0usize..60) {
        let cut = cut.min(recs.len());
        let whole = clear_month(&month_req(recs.clone())).unwrap();
        let mut partials = Vec::new();
        for chunk in [&recs[..cut], &recs[cut..]] {
            let req: AggregateRequest = serde_json::from_value(json!({"month": "2026-10", "records": chunk})).unwrap();
            let a = aggregate(&req).unwrap();
            partials.extend(a.partials);
        }
        let req: MonthRequest = serde_json::from_value(json!({"month": "2026-10", "partials": partials})).unwrap();
        let chunked = clear_month(&req).unwrap();
        prop_assert_eq!(whole.notices, chunked.notices);
        prop_assert_eq!(whole.netting, chunked.netting);
        prop_assert_eq!(whole.journal, chunked.journal);
    }
}

#[test]
fn journal_entries_balance_per_movement() {
    let recs = (0..40)
        .map(|i| {
            record(
                i,
                i % REGIONS.len(),
                (i * 7 + 3) % REGIONS.len(),
                10_000 + i as i64,
                0,
            )
        })
        .collect();
    let resp = clear_month(&month_req(recs)).unwrap();
    assert!(!resp.journal.is_empty());
    // Money that leaves the provincial fiscal account equals money that arrives, per scope and province.
    let mut fiscal: BTreeMap<(String, String), Decimal> = BTreeMap::new();
    for j in &resp.journal {
        assert!(!j.amount.is_negative() && !j.amount.is_zero());
        assert_ne!(j.debit_zh, j.credit_zh);
        if j.book_zh == "全省异地就医财政专户" {
            let key = (
                j.movement.split('_').take(2).collect::<Vec<_>>().join("_"),
                j.party[..2].to_string(),
            );
            let sign = if j.debit_zh.starts_with("财政专户存款") {
                Decimal::ONE
            } else {
                -Decimal::ONE
            };
            *fiscal.entry(key).or_default() += sign * j.amount.dec();
        }
    }
    let intra: BTreeMap<String, Decimal> = fiscal.iter().filter(|((m, _), _)| m == "intra_province").fold(
        BTreeMap::new(),
        |mut acc, ((_, p), v)| {
            *acc.entry(p.clone()).or_default() += *v;
            acc
        },
    );
    for (p, v) in intra {
        assert!(
            v.is_zero(),
            "province {p}: intra-province fiscal account moves {v}"
        );
    }
}
