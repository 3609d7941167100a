//! Structure-aware mutation of API requests and settlement files, for the fuzz test
//! (`tests/fuzz.rs`) and long campaigns (`examples/fuzz.rs`).
//!
//! Why not only random bytes: a flipped byte in a 10 KB claim nearly always gives a JSON syntax error,
//! which the core rejects at its first step; the paths that crash on a messy real file lie behind a
//! well-formed envelope (a null amount, `999997`, a date of 30 February, a number as a string, an
//! unknown member, a 1e30 price). So most mutations edit the parsed tree — one leaf or member at a
//! time, with values real records and hostile clients send — and the rest edit the text (truncation,
//! duplicated keys, splices), where the readers' own byte handling is tested. Deterministic: a seed
//! gives the same inputs on every machine, so a failure found in CI replays anywhere.

use serde_json::{Map, Value};
use std::path::Path;

use crate::claimgen::Rng;
use crate::engine::Runner;

/// Values that have broken or nearly broken parsers of real settlement data: wrong types, the
/// platform's sentinels, boundary amounts and dates, odd text.
const INTERESTING: &[&str] = &[
    "null",
    "true",
    "false",
    "0",
    "-0",
    "-1",
    "0.005",
    "-0.005",
    "0.0049999999999999999999999999",
    "1e30",
    "-1e30",
    "1e-30",
    "1.7976931348623157e308",
    "18446744073709551616",
    "-9223372036854775809",
    "79228162514264337593543950335",
    "79228162514264337593543950336",
    "999997",
    "\"999997\"",
    "\"\"",
    "\" \"",
    "\"0\"",
    "\"-0.00\"",
    "\"１２３\"",
    "\"1,000.00\"",
    "\"12.345\"",
    "\"1e5\"",
    "\"NaN\"",
    "\"Infinity\"",
    "\"null\"",
    "\"2026-02-30\"",
    "\"2026-13-01\"",
    "\"20260101\"",
    "\"2026/01/01\"",
    "\"2026-01-01 08:00:00\"",
    "\"9999-12-31\"",
    "\"0000-01-01\"",
    "\"-2026-01-01\"",
    "\"\\u0000\"",
    "\"\\ud800\"",
    "\"\\\"quoted\\\"\"",
    "\"医保\\n换行\"",
    "\"𠀀𠀁\"",
    "[]",
    "{}",
    "[null]",
    "[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]",
    "{\"\":{\"\":{\"\":{}}}}",
];

/// Member names the core and the national interface know: an unknown member with a known name from
/// another level reaches the readers' "which field is this" branches.
const NAMES: &[&str] = &[
    "setlinfo",
    "setldetail",
    "claim",
    "person",
    "visit",
    "filings",
    "lines",
    "fee_lines",
    "accumulators",
    "trace",
    "packs",
    "catalogs",
    "medfee_sumamt",
    "hifp_pay",
    "psn_cash_pay",
    "fund_pay_sumamt",
    "hosp_part_amt",
    "det_item_fee_sumamt",
    "pric",
    "cnt",
    "chrgitm_lv",
    "med_chrgitm_type",
    "fund_pay_type",
    "fund_payamt",
    "begndate",
    "enddate",
    "insuplc_admdvs",
    "mdtrtarea_admvs",
    "rloc_admdvs",
    "insutype",
    "psn_type",
    "med_type",
    "status",
    "op",
    "api_version",
    "request",
    "x_provincial_extra",
];

/// A mutated copy of `seed` (a JSON text): usually a tree edit, sometimes a text edit, sometimes
/// several of either.
pub fn mutate_request(rng: &mut Rng, seed: &str, other: &str) -> Vec<u8> {
    let rounds = match rng.below(10) {
        0..=5 => 1,
        6..=8 => 2,
        _ => 3,
    };
    let mut text = seed.to_string();
    for _ in 0..rounds {
        text = match (rng.below(100), serde_json::from_str::<Value>(&text)) {
            (0..=84, Ok(mut v)) => {
                // Mostly inside the envelope's request or inline packs and catalogs: an edit of `op`
                // or `api_version` only tests the first few lines of the dispatcher.
                let inner = rng.chance(90);
                let parts: Vec<String> = match &v {
                    Value::Object(m) => m
                        .iter()
                        .filter(|(_, x)| x.is_object() || x.is_array())
                        .map(|(k, _)| k.clone())
                        .collect(),
                    _ => Vec::new(),
                };
                let part = (!parts.is_empty()).then(|| parts[rng.below(parts.len() as u64) as usize].clone());
                match part.and_then(|k| v.get_mut(&k)) {
                    Some(r) if inner => mutate_tree(rng, r, other),
                    _ => mutate_tree(rng, &mut v, other),
                }
                v.to_string()
            }
            _ => {
                let bytes = mutate_text(rng, text.as_bytes(), other.as_bytes());
                match String::from_utf8(bytes) {
                    Ok(s) => s,
                    // Invalid UTF-8 goes out as is (the core must say so), no further rounds.
                    Err(e) => return e.into_bytes(),
                }
            }
        };
    }
    text.into_bytes()
}

/// Edit one node of the tree: replace it, drop or add a member, duplicate or drop an element,
/// turn a number into its text or back, scale an amount, or wrap it in nesting.
pub fn mutate_tree(rng: &mut Rng, v: &mut Value, other: &str) {
    let count = count_nodes(v);
    let target = rng.below(count as u64) as usize;
    let mut seen = 0;
    let Some(node) = nth_node(v, target, &mut seen) else {
        return;
    };
    match rng.below(12) {
        0..=3 => *node = interesting(rng),
        4 => match node {
            Value::Object(m) if !m.is_empty() => {
                let k = pick_key(rng, m);
                m.remove(&k);
            }
            Value::Array(a) if !a.is_empty() => {
                let i = rng.below(a.len() as u64) as usize;
                a.remove(i);
            }
            _ => *node = Value::Null,
        },
        5 => match node {
            Value::Object(m) => {
                let name = rng.pick(NAMES).to_string();
                m.insert(name, interesting(rng));
            }
            Value::Array(a) if !a.is_empty() => {
                let i = rng.below(a.len() as u64) as usize;
                let many = rng.chance(10);
                let copies = if many { 200 } else { 1 };
                for _ in 0..copies {
                    a.push(a[i].clone());
                }
            }
            _ => *node = interesting(rng),
        },
        6 => {
            // A number as its text, a numeric text as a number: hospitals send both.
            *node = match node.take() {
                Value::Number(n) => Value::String(n.to_string()),
                Value::String(s) => serde_json::from_str::<Value>(&s).unwrap_or(Value::String(s)),
                x => Value::String(x.to_string()),
            }
        }
        7 => {
            // An amount scaled or shifted by a little: off by one fen, ten thousand times bigger.
            if let Some(text) = numeric_text(node) {
                let changed = match rng.below(5) {
                    0 => format!("{text}1"),
                    1 => format!("{text}0000"),
                    2 => format!("-{}", text.trim_start_matches('-')),
                    3 => format!("{text}.001"),
                    _ => format!("0{text}"),
                };
                *node = if matches!(node, Value::Number(_)) {
                    serde_json::from_str(&changed).unwrap_or(Value::String(changed))
                } else {
                    Value::String(changed)
                };
            }
        }
        8 => {
            let deep = rng.chance(5);
            let depth = 1 + rng.below(if deep { 400 } else { 8 });
            for _ in 0..depth {
                *node = Value::Array(vec![node.take()]);
            }
        }
        9 => {
            // A subtree of the other seed in its place (a claim where a filing was, a fee line where
            // a person was): types that are well-formed but wrong.
            if let Ok(o) = serde_json::from_str::<Value>(other) {
                let n = count_nodes(&o);
                let mut o = o;
                let mut seen = 0;
                if let Some(sub) = nth_node(&mut o, rng.below(n as u64) as usize, &mut seen) {
                    *node = sub.take();
                }
            }
        }
        10 => {
            if let Value::String(s) = node {
                *s = match rng.below(6) {
                    0 => s.repeat(1 + rng.below(300) as usize),
                    1 => format!(" {s} "),
                    2 => s.to_uppercase(),
                    3 => s.chars().rev().collect(),
                    // Byte edits inside the text: an inline catalog's CSV, a date, a code.
                    _ => {
                        let edited = mutate_text(rng, s.as_bytes(), other.as_bytes());
                        String::from_utf8_lossy(&edited).into_owned()
                    }
                };
            } else {
                *node = interesting(rng);
            }
        }
        _ => {
            if let Value::Object(m) = node
                && !m.is_empty()
            {
                // Rename a member to a near miss ("hifp_pay " / "HIFP_PAY").
                let k = pick_key(rng, m);
                if let Some(x) = m.remove(&k) {
                    let renamed = if rng.chance(50) {
                        k.to_uppercase()
                    } else {
                        format!("{k} ")
                    };
                    m.insert(renamed, x);
                }
            } else {
                *node = interesting(rng);
            }
        }
    }
}

/// Byte-level edits of a text: truncation, a flipped byte, a deleted, repeated or spliced range, an
/// interesting token inserted, a key repeated.
pub fn mutate_text(rng: &mut Rng, s: &[u8], other: &[u8]) -> Vec<u8> {
    let mut b = s.to_vec();
    if b.is_empty() {
        return rng.pick(INTERESTING).as_bytes().to_vec();
    }
    let at = rng.below(b.len() as u64) as usize;
    match rng.below(8) {
        0 => b.truncate(at),
        1 => b[at] ^= 1 << rng.below(8),
        2 => {
            let end = (at + 1 + rng.below(32) as usize).min(b.len());
            b.drain(at..end);
        }
        3 => {
            let end = (at + 1 + rng.below(64) as usize).min(b.len());
            let piece = b[at..end].to_vec();
            b.splice(at..at, piece);
        }
        4 => {
            let token = rng.pick(INTERESTING).as_bytes();
            b.splice(at..at, token.iter().copied());
        }
        5 if !other.is_empty() => {
            // Splice: the head of this seed with the tail of the other.
            let from = rng.below(other.len() as u64) as usize;
            b.truncate(at);
            b.extend_from_slice(&other[from..]);
        }
        6 => {
            // Repeat the member that starts after the next comma: `{"a":1,"a":2}`.
            if let Some(c) = b[at..].iter().position(|&x| x == b',') {
                let start = at + c + 1;
                let end = b[start..]
                    .iter()
                    .position(|&x| x == b',' || x == b'}')
                    .map_or(b.len(), |e| start + e);
                let member = b[start..end].to_vec();
                b.splice(start..start, member.into_iter().chain([b',']));
            }
        }
        _ => {
            // Bytes the readers treat specially, and two that are never valid UTF-8 on their own.
            const BYTES: [u8; 11] = [0, b'"', b'\\', 0xff, b'\n', b'\r', b'{', b']', b',', b':', 0xef];
            b.insert(at, BYTES[rng.below(BYTES.len() as u64) as usize]);
        }
    }
    b
}

fn interesting(rng: &mut Rng) -> Value {
    let t = rng.pick(INTERESTING);
    serde_json::from_str(t).unwrap_or_else(|_| Value::String(t.to_string()))
}

fn pick_key(rng: &mut Rng, m: &Map<String, Value>) -> String {
    let i = rng.below(m.len() as u64) as usize;
    m.keys().nth(i).cloned().unwrap_or_default()
}

fn numeric_text(v: &Value) -> Option<String> {
    match v {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s)
            if !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit() || c == b'.' || c == b'-') =>
        {
            Some(s.clone())
        }
        _ => None,
    }
}

fn count_nodes(v: &Value) -> usize {
    1 + match v {
        Value::Array(a) => a.iter().map(count_nodes).sum(),
        Value::Object(m) => m.values().map(count_nodes).sum(),
        _ => 0,
    }
}

/// The `n`-th node in pre-order.
fn nth_node<'a>(v: &'a mut Value, n: usize, seen: &mut usize) -> Option<&'a mut Value> {
    if *seen == n {
        return Some(v);
    }
    *seen += 1;
    match v {
        Value::Array(a) => a.iter_mut().find_map(|x| nth_node(x, n, seen)),
        Value::Object(m) => m.values_mut().find_map(|x| nth_node(x, n, seen)),
        _ => None,
    }
}

/// The fuzz oracle for one input: neither engine may fail (a native panic or a guest trap is a bug in
/// the core, never an answer), both must answer byte for byte alike, and the answer must be an
/// envelope — `ok` true with a result, or `ok` false with a stable code and a message in both languages.
pub fn check(native: &Runner, wasm: &Runner, input: &[u8]) -> Result<(), String> {
    let a = native.try_call(input).map_err(|f| format!("native: {f:?}"))?;
    let b = wasm.try_call(input).map_err(|f| format!("wasmtime: {f:?}"))?;
    if a != b {
        let at = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
        let near = |s: &str| {
            s.get(at.saturating_sub(80)..(at + 80).min(s.len()))
                .unwrap_or("")
                .to_string()
        };
        return Err(format!(
            "answers differ at byte {at}: native …{}… wasmtime …{}…",
            near(&a),
            near(&b)
        ));
    }
    let v: Value = serde_json::from_str(&a).map_err(|e| format!("answer is not JSON ({e}): {a:.300}"))?;
    match v.get("ok") {
        Some(Value::Bool(true)) if v["op"] == "settle" => self_verifies(native, input, &v["result"]),
        Some(Value::Bool(true)) if v.get("result").is_some() => Ok(()),
        Some(Value::Bool(false)) => {
            let e = &v["error"];
            let code_ok = e["code"].as_str().is_some_and(|c| c.starts_with("E_"));
            let texts_ok = ["message_zh", "message_en"]
                .iter()
                .all(|k| e[*k].as_str().is_some_and(|m| !m.trim().is_empty()));
            if code_ok && texts_ok {
                Ok(())
            } else {
                Err(format!("error envelope without a code or a message: {a:.300}"))
            }
        }
        _ => Err(format!("not an answer envelope: {a:.300}")),
    }
}

/// A settlement the core accepted must pass the core's own `verify` against the same claim (with the
/// same inline packs and catalogs): every invariant of NATIONAL_SPEC §3 and every recomputed amount. This
/// turns "no crash" into "no wrong amount" for the mutated claims that settle.
fn self_verifies(native: &Runner, input: &[u8], result: &Value) -> Result<(), String> {
    let Ok(envelope) = serde_json::from_slice::<Value>(input) else {
        return Ok(()); // accepted by the core's own reader but not by serde_json: nothing to rebuild
    };
    let mut req = serde_json::json!({
        "api_version": "1",
        "op": "verify",
        "request": {"setlinfo": result["setlinfo"], "setldetail": result["setldetail"], "claim": envelope["request"]},
    });
    for k in ["packs", "catalogs"] {
        if let Some(x) = envelope.get(k) {
            req[k] = x.clone();
        }
    }
    let answer = native.call(req.to_string().as_bytes());
    if answer.contains("\"verdict\":\"consistent\"") {
        Ok(())
    } else {
        Err(format!(
            "the core's own settlement does not verify: {answer:.600}"
        ))
    }
}

/// Seeds for a campaign: the golden requests (`golden`, from `yidi_tests::case_requests`), generated claims
/// through settle and precheck, the sample files' records as verify and precheck requests, settle and
/// estimate cases with their pack and catalog inline, and a month's clearing files. `repo` is the checkout.
pub fn seeds(repo: &Path, golden: Vec<String>) -> Vec<String> {
    let samples = repo.join("host/samples");
    let mut out = golden;
    // Settle and estimate cases again with their insured place's pack and treatment place's catalog
    // inline (what a host loading packs from a path sends): the pack and catalog readers under mutation.
    let core = repo.join("core");
    let inline: Vec<String> = out
        .iter()
        .filter_map(|t| serde_json::from_str::<Value>(t).ok())
        .filter(|v| matches!(v["op"].as_str(), Some("settle" | "estimate")))
        .take(12)
        .filter_map(|mut v| {
            let insured = v["request"]["person"]["insuplc_admdvs"].as_str()?.to_string();
            let treated = v["request"]["visit"]["mdtrtarea_admvs"]
                .as_str()
                .unwrap_or("")
                .to_string();
            let pack = std::fs::read_to_string(core.join(format!("packs/{insured}.json"))).ok()?;
            v["packs"] = Value::Array(vec![serde_json::from_str(&pack).ok()?]);
            if let Ok(csv) = std::fs::read_to_string(core.join(format!("catalogs/{treated}.csv"))) {
                v["catalogs"] = serde_json::json!([{"name": format!("{treated}.csv"), "csv": csv}]);
            }
            Some(v.to_string())
        })
        .collect();
    out.extend(inline);
    let mut rng = Rng(0x5eed_f022);
    for i in 0..12 {
        let op = if i % 3 == 2 { "precheck" } else { "settle" };
        let claim = crate::claimgen::claim(&mut rng, i, None);
        out.push(serde_json::json!({"api_version": "1", "op": op, "request": claim}).to_string());
    }
    // A month's clearing files through `clearing.aggregate` (the text edits reach their rows).
    for (file, key) in [("2026-10.csv", "csv"), ("2026-10.ndjson", "ndjson")] {
        if let Ok(text) = std::fs::read_to_string(repo.join("tests/samples/clearing").join(file)) {
            out.push(
                serde_json::json!({"api_version": "1", "op": "clearing.aggregate",
                    "request": {"month": "2026-10", key: text, "line_offset": 0}})
                .to_string(),
            );
        }
    }
    for (file, check) in [
        ("settlements.ndjson", crate::verify::Check::Verify),
        ("settlements.csv", crate::verify::Check::Verify),
        ("precheck.ndjson", crate::verify::Check::Precheck),
    ] {
        let path = samples.join(file);
        let Ok(records) = crate::records::read(&path, crate::records::Format::of(&path)) else {
            continue;
        };
        for r in records {
            if let Ok(v) = &r.value {
                out.push(crate::verify::request_for(check, v, r.raw.as_deref()));
            }
        }
    }
    out
}

/// `cases` inputs mutated from `seeds` with the generator seeded by `seed`, checked on every core;
/// the inputs that failed [`check`], with what failed.
pub fn campaign(
    native: &Runner,
    wasm: &Runner,
    seeds: &[String],
    seed: u64,
    cases: usize,
) -> Vec<(Vec<u8>, String)> {
    if seeds.is_empty() {
        return Vec::new();
    }
    let mut rng = Rng(seed | 1);
    let inputs: Vec<Vec<u8>> = (0..cases)
        .map(|_| {
            let a = &seeds[rng.below(seeds.len() as u64) as usize];
            let b = &seeds[rng.below(seeds.len() as u64) as usize];
            mutate_request(&mut rng, a, b)
        })
        .collect();
    let verdicts = crate::batch::map_all(inputs.len(), "fuzz", false, |i| {
        check(native, wasm, &inputs[i]).err()
    });
    inputs
        .into_iter()
        .zip(verdicts)
        .filter_map(|(input, v)| v.map(|why| (input, why)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nth_node_walks_in_pre_order() {
        let mut v: Value = serde_json::from_str(r#"{"a":[1,{"b":2}],"c":3}"#).unwrap_or_default();
        assert_eq!(count_nodes(&v), 6);
        let mut seen = 0;
        assert_eq!(
            nth_node(&mut v, 4, &mut seen).cloned(),
            Some(serde_json::json!(2))
        );
        let mut seen = 0;
        assert_eq!(
            nth_node(&mut v, 5, &mut seen).cloned(),
            Some(serde_json::json!(3))
        );
        let mut seen = 0;
        assert_eq!(nth_node(&mut v, 6, &mut seen), None);
    }

    #[test]
    fn a_tampered_settlement_fails_the_self_verification() {
        let seed = yidi_tests::case_requests(&yidi_tests::golden_root().join("settle"))
            .into_iter()
            .next()
            .unwrap_or_default();
        let answer: Value = serde_json::from_str(&Runner::Native.call(seed.as_bytes())).unwrap_or_default();
        assert_eq!(answer["ok"], true, "{answer}");
        let result = &answer["result"];
        assert_eq!(self_verifies(&Runner::Native, seed.as_bytes(), result), Ok(()));
        let mut tampered = result.clone();
        tampered["setlinfo"]["hifp_pay"] = Value::String("0.01".into());
        let err = self_verifies(&Runner::Native, seed.as_bytes(), &tampered).unwrap_err();
        assert!(err.contains("hifp_pay"), "{err}");
    }

    #[test]
    fn mutation_is_deterministic_and_changes_the_input() {
        let seed = r#"{"api_version":"1","op":"settle","request":{"person":{"psn_no":"P1"},"lines":[{"pric":"1.00"}]}}"#;
        let run = |s: u64| {
            let mut rng = Rng(s);
            (0..50)
                .map(|_| mutate_request(&mut rng, seed, "{}"))
                .collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        let changed = run(7).iter().filter(|m| m.as_slice() != seed.as_bytes()).count();
        assert!(changed >= 45, "only {changed} of 50 mutations changed the input");
    }
}
