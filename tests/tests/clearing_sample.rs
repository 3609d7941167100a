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

#[test]
fn text_chunks_through_the_api_equal_records() {
    // The host's `yidi clear` path: NDJSON chunks → clearing.aggregate → partials → clearing.month.
    let text = sample("2026-10.ndjson");
    let lines: Vec<&str> = text.lines().collect();
    let mut partials = Vec::new();
    for (i, chunk) in lines.chunks(5).enumerate() {
        let req = json!({"month": "2026-10", "ndjson": chunk.join("\n"), "line_offset": i * 5});
        let out = yidi_core::api::handle_json(
            &json!({"api_version": "1", "op": "clearing.aggregate", "request": req}).to_string(),
        );
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["ok"], true, "{out}");
        partials.extend(v["result"]["partials"].as_array().unwrap().iter().cloned());
    }
    let via_partials = {
        let req =
            json!({"month": "2026-10", "partials": partials, "printed_on": "2026-11-27", "render": true});
        let out = yidi_core::api::handle_json(
            &json!({"api_version": "1", "op": "clearing.month", "request": req}).to_string(),
        );
        serde_json::from_str::<Value>(&out).unwrap()["result"].clone()
    };
    let recs = serde_json::to_value(parse_ndjson(&text).unwrap()).unwrap();
    let direct = clear(recs, None);
    assert_eq!(via_partials["notices"], direct["notices"]);
    assert_eq!(
        via_partials["rendered"]["notices_html"],
        direct["rendered"]["notices_html"]
    );
    // A bad line in a later chunk is named by its line in the file.
    let bad = json!({"month": "2026-10", "ndjson": "{\"insuplc_admdvs\":\"x\"}", "line_offset": 40});
    let out = yidi_core::api::handle_json(
        &json!({"api_version": "1", "op": "clearing.aggregate", "request": bad}).to_string(),
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["error"]["path"], "request.ndjson.line 41");
}

/// The files `yidi clear 2026-10 tests/samples/clearing/2026-10.ndjson --printed-on 2026-11-27` must write,
/// byte for byte (regenerate with `YIDI_BLESS=1` after a deliberate change, and review the diff).
#[test]
fn sample_month_expected_files() {
    let recs = serde_json::to_value(parse_ndjson(&sample("2026-10.ndjson")).unwrap()).unwrap();
    let r = clear(recs, None);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join("clearing")
        .join("expected");
    let files = [
        ("2026-10.notices.csv", "notices_csv"),
        ("2026-10.notices.html", "notices_html"),
        ("2026-10.netting.csv", "netting_csv"),
        ("2026-10.journal.csv", "journal_csv"),
    ];
    for (name, key) in files {
        let got = r["rendered"][key].as_str().unwrap();
        let path = dir.join(name);
        if std::env::var_os("YIDI_BLESS").is_some() {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, got).unwrap();
        }
        let want = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(got, want, "{name} differs from the committed expected file");
    }
}
