//! Benchmark: clearing one month of one million synthetic settlement records (NDJSON text → records →
//! notices, netting, journal). Target on the project's 2-core machine: ≤ 10 s; the measured figure is
//! recorded in core/src/clearing/README.md.

use criterion::{Criterion, criterion_group, criterion_main};
use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::Duration;
use yidi_core::clearing::{MonthRequest, clear_month, parse_ndjson};

const RECORDS: usize = 1_000_000;

/// Every city-level region the synthetic month draws from: 31 provinces × up to 6 cities.
fn regions() -> Vec<String> {
    let provinces = [
        11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53,
        54, 61, 62, 63, 64, 65,
    ];
    let mut out = Vec::new();
    for p in provinces {
        if [11, 12, 31, 50].contains(&p) {
            out.push(format!("{p}0105"));
        } else {
            for c in 1..=6 {
                out.push(format!("{p}{c:02}02"));
            }
        }
    }
    out
}

/// A deterministic month: a linear congruential generator picks regions and amounts; one record in
/// twenty is negative (a reversal or return), one in ten carries an audit deduction.
fn synthetic_ndjson(n: usize) -> String {
    let regions = regions();
    let mut s: u64 = 0x2026_1001;
    let mut next = || {
        s = s
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        s >> 33
    };
    let mut out = String::with_capacity(n * 220);
    for i in 0..n {
        let ins = &regions[next() as usize % regions.len()];
        let trt = &regions[next() as usize % regions.len()];
        let fen = (next() % 5_000_000) as i64 + 1;
        let fen = if i % 20 == 0 { -fen } else { fen };
        let deduct = if i % 10 == 3 {
            format!(",\"deduct_amt\":\"{}.{:02}\"", fen.abs() / 1000, fen.abs() % 100)
        } else {
            String::new()
        };
        let day = 1 + (next() % 31);
        out.push_str(&format!(
            "{{\"setl_id\":\"B{i:07}\",\"insuplc_admdvs\":\"{ins}\",\"mdtrtarea_admvs\":\"{trt}\",\"med_type\":\"21\",\"setl_time\":\"2026-10-{day:02} 10:00:00\",\"medfee_sumamt\":\"{}.{:02}\",\"fund_pay_sumamt\":\"{}{}.{:02}\"{deduct}}}\n",
            fen.abs() * 3 / 200,
            fen.abs() % 100,
            if fen < 0 { "-" } else { "" },
            fen.abs() / 100,
            fen.abs() % 100,
        ));
    }
    out
}

fn request(records: Vec<yidi_core::clearing::SettlementRecord>) -> MonthRequest {
    MonthRequest {
        month: "2026-10".into(),
        region: None,
        records,
        partials: Vec::new(),
        ndjson: None,
        csv: None,
        include_acct_pay: false,
        names: BTreeMap::new(),
        printed_on: None,
        extra_years: Vec::new(),
        prepayments: Vec::new(),
        render: true,
    }
}

fn bench(c: &mut Criterion) {
    let text = synthetic_ndjson(RECORDS);
    let mut g = c.benchmark_group("clearing_month_1m");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(20));
    g.bench_function("parse_ndjson_and_clear", |b| {
        b.iter(|| {
            let records = parse_ndjson(black_box(&text)).unwrap_or_default();
            let resp = clear_month(&request(records));
            black_box(resp.map(|r| r.notices.len()).unwrap_or_default())
        })
    });
    let records = parse_ndjson(&text).unwrap_or_default();
    g.bench_function("clear_parsed_records", |b| {
        b.iter(|| {
            black_box(
                clear_month(&request(records.clone()))
                    .map(|r| r.notices.len())
                    .unwrap_or_default(),
            )
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
