//! Differential test: generated claims give byte-identical responses natively and through wasmtime.
//! 10,000 settle claims (plus verify, precheck and malformed variants) from a seeded generator in the
//! national field names; every response pair is compared byte for byte.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use yidi_host::batch;
use yidi_host::engine::{Limits, Runner};

/// xorshift64*: a fixed seed gives the same claims on every machine.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// Fixed-point decimal text of `units` with `scale` digits after the point.
fn dec(units: i64, scale: u32) -> String {
    let p = 10i64.pow(scale);
    let sign = if units < 0 { "-" } else { "" };
    let u = units.abs();
    if scale == 0 {
        format!("{sign}{u}")
    } else {
        format!("{sign}{}.{:0w$}", u / p, u % p, w = scale as usize)
    }
}

const REGIONS: [&str; 8] = [
    "610100", "430100", "230100", "330100", "110000", "310000", "440300", "610400",
];

fn claim(r: &mut Rng, i: usize) -> serde_json::Value {
    let insutype = r.pick(&["310", "390"]);
    let psn_type = if insutype == "310" {
        r.pick(&["1101", "1102", "1201", "1202"])
    } else {
        r.pick(&["1401", "1501", "1601"])
    };
    let insuplc = r.pick(&REGIONS[..4]);
    let area = r.pick(&REGIONS);
    let med_type = r.pick(&["11", "13", "14", "21", "21", "21", "22", "24", "28", "41"]);
    let inpatient = med_type.starts_with('2');
    let (y, m, d) = (
        2025 + r.below(2) as i32,
        1 + r.below(10) as u32,
        1 + r.below(27) as u32,
    );
    let begndate = format!("{y:04}-{m:02}-{d:02}");
    let mut visit = serde_json::json!({
        "mdtrt_id": format!("MD{i:06}"),
        "med_type": med_type,
        "mdtrtarea_admvs": area,
        "hosp_lv": r.pick(&["1", "2", "3", "3"]),
        "begndate": begndate,
        "emergency_flag": if r.chance(10) { "1" } else { "0" },
        "trauma_flag": r.chance(5),
    });
    if inpatient {
        let stay = r.below(28) as u32;
        let end_d = d + stay;
        let (em, ed) = if end_d > 28 {
            (m + 1, end_d - 28)
        } else {
            (m, end_d)
        };
        visit["enddate"] = format!("{y:04}-{em:02}-{ed:02}").into();
    }
    if r.chance(5) {
        visit["no_third_party_commitment"] = true.into();
    }
    let n_lines = 1 + r.below(40) as usize;
    let mut lines = Vec::with_capacity(n_lines);
    for k in 0..n_lines {
        let lv = r.pick(&["01", "02", "02", "03"]);
        let selfpay = match lv {
            "01" => "0",
            "03" => "1",
            _ => r.pick(&["0.05", "0.1", "0.2", "0.3"]),
        };
        let cnt = 1 + r.below(12) as i64;
        // Prices with up to four decimals; the line total rounds half up to the fen like the platform.
        let pric_units = 1 + r.below(2_000_000) as i64; // 0.0001 … 200.0000
        let total_units = cnt * pric_units; // scale 4
        let total_fen = (total_units + 50) / 100;
        let ceiling = if r.chance(70) {
            "999999".to_string()
        } else {
            dec(pric_units * (80 + r.below(40) as i64) / 100, 4)
        };
        let mut line = serde_json::json!({
            "feedetl_sn": format!("{k:04}"),
            "med_list_codg": format!("{}{:08}", r.pick(&["XA", "XB", "ZA", "F", "C"]), r.below(100_000_000)),
            "med_chrgitm_type": r.pick(&["01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14"]),
            "chrgitm_lv": lv,
            "cnt": dec(cnt, 0),
            "pric": dec(pric_units, 4),
            "det_item_fee_sumamt": dec(total_fen, 2),
            "selfpay_prop": selfpay,
            "pric_uplmt_amt": ceiling,
        });
        if r.chance(3) {
            line["lmt_used_flag"] = "1".into();
            line["hosp_appr_flag"] = r.pick(&["0", "1", "2"]).into();
        }
        // Real records send numbers as often as strings.
        if r.chance(20) {
            line["det_item_fee_sumamt"] = serde_json::from_str(&dec(total_fen, 2)).unwrap();
            line["pric"] = serde_json::from_str(&dec(pric_units, 4)).unwrap();
        }
        lines.push(line);
    }
    let mut req = serde_json::json!({
        "setl_id": format!("S{i:06}"),
        "person": {"psn_no": format!("P{:08}", r.below(1 << 30)), "insutype": insutype, "psn_type": psn_type,
                   "insuplc_admdvs": insuplc, "cvlserv_flag": if r.chance(10) { "1" } else { "0" }, "balc": dec(r.below(500_000) as i64, 2)},
        "visit": visit,
        "lines": lines,
    });
    // A few malformed claims: the error paths must agree too.
    match r.below(50) {
        0 => req["lines"][0]["det_item_fee_sumamt"] = "0.01".into(),
        1 => req["person"]["insutype"] = "999".into(),
        2 => req["lines"][0]["cnt"] = "1e30".into(),
        3 => req["visit"]["enddate"] = "2019-01-01".into(),
        _ => {}
    }
    req
}

fn envelope(op: &str, request: &serde_json::Value) -> String {
    serde_json::json!({"api_version": "1", "op": op, "request": request}).to_string()
}

#[test]
fn ten_thousand_claims_are_byte_identical_natively_and_under_wasmtime() {
    let mut rng = Rng(0x05ee_d1d1_2026);
    let mut reqs = Vec::with_capacity(10_300);
    for i in 0..10_000 {
        reqs.push(envelope("settle", &claim(&mut rng, i)));
    }
    // The same claims through precheck, and their own settlements through verify (below).
    for i in 0..200 {
        reqs.push(envelope("precheck", &claim(&mut rng, 20_000 + i)));
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
