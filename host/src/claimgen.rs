//! Seeded generator of settle claims in the national field names (person, visit, fee lines), used by the
//! differential test and `yidi bench`. Deterministic: a seed gives the same claims on every machine.
//! Claims mix strings and numbers for amounts, line counts 1–40 (or fixed), four-decimal prices rounded
//! half-up to the fen like the platform, and (with random line counts) a few malformed variants.

/// xorshift64*: a fixed seed gives the same claims on every machine.
pub struct Rng(pub u64);
impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
    pub fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// A decimal text as a JSON number (what many hospital systems send).
fn number(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|_| serde_json::Value::String(text.to_string()))
}

/// Fixed-point decimal text of `units` with `scale` digits after the point.
pub fn dec(units: i64, scale: u32) -> String {
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

pub fn claim(r: &mut Rng, i: usize, n_lines: Option<usize>) -> serde_json::Value {
    let n_lines_given = n_lines.is_some();
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
    let n_lines = n_lines.unwrap_or_else(|| 1 + r.below(40) as usize);
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
            line["det_item_fee_sumamt"] = number(&dec(total_fen, 2));
            line["pric"] = number(&dec(pric_units, 4));
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
    // A few malformed claims (random line counts only): the error paths must agree too.
    if n_lines_given {
        return req;
    }
    match r.below(50) {
        0 => req["lines"][0]["det_item_fee_sumamt"] = "0.01".into(),
        1 => req["person"]["insutype"] = "999".into(),
        2 => req["lines"][0]["cnt"] = "1e30".into(),
        3 => req["visit"]["enddate"] = "2019-01-01".into(),
        _ => {}
    }
    req
}
