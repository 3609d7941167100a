//! The sample month in tests/samples/clearing/: CSV and NDJSON read alike, the documented figures of the
//! README hold, and the rendered files are deterministic and carry the notices' marks.

use serde_json::{Value, json};
use std::path::Path;
use yidi_core::clearing::{parse_csv, parse_ndjson};

fn sample(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join("clearing")
        .join(name);
    std::fs::read_to_string(p).unwrap()
}

fn clear(records: Value, region: Option<&str>) -> Value {
    let mut req = json!({"month": "2026-10", "records": records, "printed_on": "2026-11-27", "render": true});
    if let Some(r) = region {
        req["region"] = json!(r);
    }
    let out = yidi_core::api::handle_json(
        &json!({"api_version": "1", "op": "clearing.month", "request": req}).to_string(),
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["ok"], true, "{out}");
    v["result"].clone()
}

#[test]
fn csv_and_ndjson_samples_agree() {
    let a = parse_ndjson(&sample("2026-10.ndjson")).unwrap();
    let b = parse_csv(&sample("2026-10.csv")).unwrap();
    assert_eq!(a.len(), 17);
    assert_eq!(a, b);
}

#[test]
fn sample_month_documented_figures() {
    let recs = serde_json::to_value(parse_ndjson(&sample("2026-10.ndjson")).unwrap()).unwrap();
    let r = clear(recs.clone(), None);
    assert_eq!(r["balanced"], true);
    assert_eq!(r["notices"].as_array().unwrap().len(), 25);
    let national = &r["netting"][0];
    let nets: Vec<(String, String)> = national["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["party"].as_str().unwrap().to_string(),
                l["net"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want = [
        ("110000", "40200.00"),
        ("230000", "-5400.00"),
        ("330000", "19800.00"),
        ("430000", "900.00"),
        ("610000", "-55500.00"),
    ];
    assert_eq!(nets, want.map(|(a, b)| (a.to_string(), b.to_string())).to_vec());
    let rendered = &r["rendered"];
    let html = rendered["notices_html"].as_str().unwrap();
    assert!(html.contains("省内异地就医费用收款通知书（就医地）"));
    assert!(html.contains("<td>铜川市*</td>"));
    assert!(html.contains("贰万陆仟捌佰壹拾元叁角"));
    assert!(html.contains("打印时间：2026-11-27"));
    let csv = rendered["notices_csv"].as_str().unwrap();
    assert!(csv.starts_with('\u{feff}'));
    assert!(csv.contains(
        "2026-10,receivable,intra_province,city,610100,西安市,610200,铜川市,*,1,600.00,0.00,600.00"
    ));
    // Same input, same bytes.
    assert_eq!(clear(recs.clone(), None), r);
    // The Xi'an view keeps its own notices and its province's tables.
    let xa = clear(recs, Some("610100"));
    assert_eq!(xa["notices"].as_array().unwrap().len(), 4);
    assert!(
        xa["journal"]
            .as_array()
            .unwrap()
            .iter()
            .all(|j| j["party"] == "610100")
    );
}
