//! `verify` and `precheck` over files: one core call per record (through wasmtime unless `--native`),
//! a verdict per record with every failing field, a summary table and CSV/JSON reports.
//!
//! The core decides; this module only frames requests and reads the core's answer. A record that cannot
//! be read (bad JSON, bad CSV row) or that the core refuses (error envelope) is reported as such, never
//! silently dropped, and makes the exit status non-zero.

use crate::batch;
use crate::engine::Runner;
use crate::records::Record;
use serde::Serialize;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Which check runs: the agency's verification of a returned split, or the hospital's pre-submission check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    Verify,
    Precheck,
}

impl Check {
    pub fn op(self) -> &'static str {
        match self {
            Check::Verify => "verify",
            Check::Precheck => "precheck",
        }
    }
}

/// The verdict on one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// verify: every invariant holds. precheck: nothing to fix before submission.
    Consistent,
    /// verify: at least one field fails. precheck: at least one finding.
    Inconsistent,
    /// The core refused the record (missing field, unknown code …): see the item.
    Refused,
    /// The record could not be read from the file.
    Unreadable,
}

impl Status {
    fn label(self, check: Check) -> &'static str {
        match (self, check) {
            (Status::Consistent, Check::Verify) => "consistent",
            (Status::Inconsistent, Check::Verify) => "inconsistent",
            (Status::Consistent, Check::Precheck) => "clean",
            (Status::Inconsistent, Check::Precheck) => "findings",
            (Status::Refused, _) => "refused",
            (Status::Unreadable, _) => "unreadable",
        }
    }
}

/// One failing field (verify), one finding (precheck) or the reason a record was refused.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Item {
    pub field: String,
    pub expected: String,
    pub got: String,
    pub difference: String,
    pub rule: String,
    pub citation: String,
    pub severity: String,
    pub message_zh: String,
    pub message_en: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub line: usize,
    pub id: String,
    pub status: Status,
    pub items: Vec<Item>,
}

/// A whole run.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub check: &'static str,
    pub engine: &'static str,
    pub file: String,
    /// The tolerance the agency set for every record (`--tolerance`); absent: the core's default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tolerance: Option<String>,
    pub summary: BTreeMap<&'static str, usize>,
    /// Records whose text was GB18030 rather than UTF-8 and was decoded (see `records`).
    #[serde(skip_serializing_if = "is_zero")]
    pub gb18030_records: usize,
    pub records: Vec<Outcome>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Report {
    /// Whether every record passed (exit status 0).
    pub fn all_clean(&self) -> bool {
        self.records.iter().all(|o| o.status == Status::Consistent)
    }
}

/// What the agency running a check decides for every record of a file or batch; never a record itself.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Allowed difference of each verify invariant, an amount such as "0.05"; `None` leaves the core's
    /// default (no `tolerance` member is sent).
    pub tolerance: Option<String>,
}

impl Options {
    /// Options with a tolerance given as text (the `--tolerance` option): a non-negative amount, else an error.
    pub fn with_tolerance(tolerance: &str) -> Result<Options, String> {
        let t = tolerance.trim();
        match yidi_core::money::parse_decimal(t) {
            Some(d) if !d.is_sign_negative() || d.is_zero() => Ok(Options {
                tolerance: Some(t.to_string()),
            }),
            _ => Err(format!(
                "--tolerance must be an amount in yuan that is not negative, such as 0.05, not {tolerance:?}"
            )),
        }
    }
}

/// The core request for one record read from a file, with the core's default tolerance.
pub fn request_for(check: Check, record: &Value, raw: Option<&str>) -> String {
    request_with(check, record, raw, &Options::default())
}

fn envelope(check: Check, body: &str) -> String {
    let mut s = String::with_capacity(body.len() + 48);
    s.push_str(r#"{"api_version":"1","op":""#);
    s.push_str(check.op());
    s.push_str(r#"","request":"#);
    s.push_str(body);
    s.push('}');
    s
}

/// The core request for one record (its JSON tree only), with the core's default tolerance.
pub fn request(check: Check, record: &Value) -> String {
    request_with(check, record, None, &Options::default())
}

/// The core request for one record: the record itself is the op's request (unknown fields kept), written
/// from its own text (`raw`, NDJSON) when there is one, so amounts reach the core exactly as written.
///
/// For verify the host reshapes it where the record must not, or cannot, speak for itself:
/// - a `tolerance` member (or CSV column) is dropped: how loosely a record is checked is the agency's choice
///   ([`Options::tolerance`]), never the hospital's own record's;
/// - a flat settlement record (a 5269/5270 download: `setlinfo` fields at the top) is nested under `setlinfo`.
pub fn request_with(check: Check, record: &Value, raw: Option<&str>, opts: &Options) -> String {
    let as_is = || match raw {
        Some(text) => envelope(check, text),
        // Written around the record's own serialisation: no copy of the record as a new JSON tree.
        None => envelope(
            check,
            &serde_json::to_string(record).unwrap_or_else(|_| "null".into()),
        ),
    };
    let Value::Object(m) = record else {
        return as_is();
    };
    if check != Check::Verify {
        return as_is();
    }
    // The reshaping is the core's (`yidi_core::records::verify_request`, which the web app uses too); this
    // writes the same request from each member's own text, so amounts keep every digit they were written with.
    if !yidi_core::records::verify_needs_reshape(record, opts.tolerance.as_deref()) {
        return as_is();
    }
    let flat = yidi_core::records::is_flat_settlement(record);
    // Each member's own text where the record has one, else its serialisation.
    let members: Vec<(String, Cow<'_, str>)> = match raw
        .and_then(|t| serde_json::from_str::<BTreeMap<String, &serde_json::value::RawValue>>(t).ok())
    {
        Some(map) => map
            .into_iter()
            .map(|(k, v)| (k, Cow::Borrowed(v.get())))
            .collect(),
        None => m
            .iter()
            .map(|(k, v)| (k.clone(), Cow::Owned(v.to_string())))
            .collect(),
    };
    let mut setlinfo = Vec::new();
    let mut outer = Vec::new();
    for (k, v) in members {
        if k == "tolerance" {
            continue;
        }
        if flat && !yidi_core::records::BESIDE_SETLINFO.contains(&k.as_str()) {
            setlinfo.push((k, v));
        } else {
            outer.push((k, v));
        }
    }
    let nested;
    if flat {
        nested = object(&setlinfo);
        outer.push(("setlinfo".into(), Cow::Borrowed(nested.as_str())));
    }
    let tolerance;
    if let Some(t) = &opts.tolerance {
        tolerance = Value::String(t.clone()).to_string();
        outer.push(("tolerance".into(), Cow::Borrowed(tolerance.as_str())));
    }
    envelope(check, &object(&outer))
}

/// A JSON object from members whose values are JSON text already.
fn object(members: &[(String, Cow<'_, str>)]) -> String {
    let mut s = String::with_capacity(members.iter().map(|(k, v)| k.len() + v.len() + 4).sum::<usize>() + 2);
    s.push('{');
    for (i, (k, v)) in members.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&Value::String(k.clone()).to_string());
        s.push(':');
        s.push_str(v);
    }
    s.push('}');
    s
}

/// Run a check over all records on every core, with the core's default tolerance (also the agency batch
/// endpoint's path: a record's own `tolerance` is dropped there too).
pub fn run(runner: &Runner, check: Check, file: &str, records: &[Record], progress: bool) -> Report {
    run_with(runner, check, file, records, progress, &Options::default())
}

/// Run a check over all records on every core, with the agency's options.
pub fn run_with(
    runner: &Runner,
    check: Check,
    file: &str,
    records: &[Record],
    progress: bool,
    opts: &Options,
) -> Report {
    // Framing, the core call and reading the answer all run on every core, record by record.
    let outcomes: Vec<Outcome> = batch::map_all(records.len(), check.op(), progress, |i| {
        let rec = &records[i];
        match &rec.value {
            Err(e) => Outcome {
                line: rec.line,
                id: String::new(),
                status: Status::Unreadable,
                items: vec![Item {
                    rule: "input".into(),
                    message_en: e.clone(),
                    message_zh: format!("记录无法读取：{e}"),
                    ..Item::default()
                }],
            },
            Ok(v) => outcome(
                check,
                rec.line,
                v,
                &runner.call(request_with(check, v, rec.raw.as_deref(), opts).as_bytes()),
            ),
        }
    });
    let mut summary = BTreeMap::new();
    summary.insert("records", outcomes.len());
    for s in [
        Status::Consistent,
        Status::Inconsistent,
        Status::Refused,
        Status::Unreadable,
    ] {
        summary.insert(s.label(check), outcomes.iter().filter(|o| o.status == s).count());
    }
    Report {
        check: check.op(),
        engine: runner.name(),
        file: file.to_string(),
        tolerance: opts.tolerance.clone().filter(|_| check == Check::Verify),
        summary,
        gb18030_records: records.iter().filter(|r| r.gb18030).count(),
        records: outcomes,
    }
}

/// The id a person would search for: settlement id, else visit id, else the line number.
fn record_id(v: &Value) -> String {
    for path in [
        &["setlinfo", "setl_id"][..],
        &["setl_id"],
        &["setlinfo", "mdtrt_id"],
        &["visit", "mdtrt_id"],
        &["mdtrt_id"],
        &["claim", "visit", "mdtrt_id"],
    ] {
        let mut cur = v;
        let mut found = true;
        for k in path {
            match cur.get(k) {
                Some(n) => cur = n,
                None => {
                    found = false;
                    break;
                }
            }
        }
        if found {
            if let Some(s) = cur.as_str() {
                return s.to_string();
            }
            if cur.is_number() {
                return cur.to_string();
            }
        }
    }
    String::new()
}

fn s(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// Read the core's answer for one record.
pub fn outcome(check: Check, line: usize, record: &Value, response: &str) -> Outcome {
    let id = record_id(record);
    let resp: Value = serde_json::from_str(response).unwrap_or(Value::Null);
    if resp.get("ok") != Some(&Value::Bool(true)) {
        let e = resp.get("error").cloned().unwrap_or(Value::Null);
        let item = Item {
            field: s(e.get("path")),
            rule: s(e.get("code")),
            message_zh: s(e.get("message_zh")),
            message_en: s(e.get("message_en")),
            severity: "error".into(),
            ..Item::default()
        };
        return Outcome {
            line,
            id,
            status: Status::Refused,
            items: vec![item],
        };
    }
    let result = resp.get("result").unwrap_or(&Value::Null);
    let items = items_of(check, result);
    // verify answers `verdict`; precheck answers `ready` (no finding of severity error).
    let consistent = match result
        .get("consistent")
        .or_else(|| result.get("ready"))
        .and_then(Value::as_bool)
    {
        Some(c) => c,
        None => match result.get("verdict").and_then(Value::as_str) {
            Some(v) => v == "consistent" || v == "clean" || v == "ok",
            None => items.is_empty(),
        },
    };
    Outcome {
        line,
        id,
        status: if consistent {
            Status::Consistent
        } else {
            Status::Inconsistent
        },
        items,
    }
}

/// Failing checks (verify) or findings (precheck) from a result, whichever list the core names them in.
fn items_of(check: Check, result: &Value) -> Vec<Item> {
    let keys: &[&str] = match check {
        Check::Verify => &["findings", "failures", "mismatches"],
        Check::Precheck => &["findings", "issues"],
    };
    let mut out = Vec::new();
    for k in keys {
        let Some(list) = result.get(*k).and_then(Value::as_array) else {
            continue;
        };
        for f in list {
            // A full checks list marks passes; only failures are items.
            if f.get("ok").and_then(Value::as_bool) == Some(true)
                || f.get("passed").and_then(Value::as_bool) == Some(true)
            {
                continue;
            }
            let text = |k: &str| s(f.get(k));
            let citation = match f.get("cite").or_else(|| f.get("citation")) {
                Some(Value::Object(c)) => [s(c.get("doc")), s(c.get("article")), s(c.get("title"))]
                    .iter()
                    .filter(|x| !x.is_empty())
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" "),
                other => s(other),
            };
            out.push(Item {
                field: [text("field"), text("path")]
                    .into_iter()
                    .find(|x| !x.is_empty())
                    .unwrap_or_default(),
                expected: text("expected"),
                got: text("got"),
                difference: [text("difference"), text("diff")]
                    .into_iter()
                    .find(|x| !x.is_empty())
                    .unwrap_or_default(),
                rule: [text("rule"), text("code"), text("id")]
                    .into_iter()
                    .find(|x| !x.is_empty())
                    .unwrap_or_default(),
                citation,
                severity: text("severity"),
                message_zh: [text("message_zh"), text("zh")]
                    .into_iter()
                    .find(|x| !x.is_empty())
                    .unwrap_or_default(),
                message_en: [text("message_en"), text("en")]
                    .into_iter()
                    .find(|x| !x.is_empty())
                    .unwrap_or_default(),
            });
        }
        break;
    }
    out
}

/// The report as CSV: one row per item, one row for a record without items.
pub fn to_csv(report: &Report) -> Result<Vec<u8>, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let head = [
        "line",
        "id",
        "status",
        "field",
        "expected",
        "got",
        "difference",
        "rule",
        "citation",
        "severity",
        "message_zh",
        "message_en",
    ];
    w.write_record(head).map_err(|e| e.to_string())?;
    let check = if report.check == "verify" {
        Check::Verify
    } else {
        Check::Precheck
    };
    for o in &report.records {
        let base = [
            o.line.to_string(),
            o.id.clone(),
            o.status.label(check).to_string(),
        ];
        if o.items.is_empty() {
            let row: Vec<String> = base
                .iter()
                .cloned()
                .chain(std::iter::repeat_n(String::new(), 9))
                .collect();
            w.write_record(&row).map_err(|e| e.to_string())?;
        }
        for it in &o.items {
            let row = base.iter().cloned().chain([
                it.field.clone(),
                it.expected.clone(),
                it.got.clone(),
                it.difference.clone(),
                it.rule.clone(),
                it.citation.clone(),
                it.severity.clone(),
                it.message_zh.clone(),
                it.message_en.clone(),
            ]);
            w.write_record(row).map_err(|e| e.to_string())?;
        }
    }
    w.into_inner().map_err(|e| e.to_string())
}

/// What a terminal shows: the records that need attention (all with `all`), then the summary tables.
pub fn render(report: &Report, all: bool) -> String {
    let check = if report.check == "verify" {
        Check::Verify
    } else {
        Check::Precheck
    };
    let mut out = String::new();
    for o in &report.records {
        if o.status == Status::Consistent && o.items.is_empty() && !all {
            continue;
        }
        let _ = writeln!(
            out,
            "line {:>6}  {:<24} {}",
            o.line,
            if o.id.is_empty() { "-" } else { &o.id },
            o.status.label(check).to_uppercase()
        );
        for it in &o.items {
            let sev = if it.severity.is_empty() {
                String::new()
            } else {
                format!("{}: ", it.severity)
            };
            let mut l = format!(
                "    {sev}{}",
                if it.field.is_empty() {
                    "(record)"
                } else {
                    &it.field
                }
            );
            // A finding may carry one side only (format.fen has no amount at the fen to show as
            // "got"): print what there is rather than a bare "got -".
            match (it.expected.is_empty(), it.got.is_empty()) {
                (false, false) => {
                    let _ = write!(l, ": expected {} got {}", it.expected, it.got);
                }
                (false, true) => {
                    let _ = write!(l, ": expected {}", it.expected);
                }
                (true, false) => {
                    let _ = write!(l, ": got {}", it.got);
                }
                (true, true) => {}
            }
            if !it.difference.is_empty() {
                let _ = write!(l, " (difference {})", it.difference);
            }
            if !it.rule.is_empty() {
                let _ = write!(l, " [{}]", it.rule);
            }
            if !it.citation.is_empty() {
                let _ = write!(l, " {}", it.citation);
            }
            let msg = if it.message_en.is_empty() {
                &it.message_zh
            } else {
                &it.message_en
            };
            if !msg.is_empty() {
                let _ = write!(l, " — {msg}");
            }
            let _ = writeln!(out, "{l}");
        }
    }
    let _ = writeln!(
        out,
        "\n{} of {} ({} engine{})",
        report.check,
        report.file,
        report.engine,
        match &report.tolerance {
            Some(t) => format!(", tolerance {t}"),
            None => String::new(),
        }
    );
    let _ = writeln!(out, "{:<14}{:>10}", "verdict", "records");
    for (k, v) in &report.summary {
        if *k != "records" {
            let _ = writeln!(out, "{k:<14}{v:>10}");
        }
    }
    let _ = writeln!(
        out,
        "{:<14}{:>10}",
        "total",
        report.summary.get("records").copied().unwrap_or(0)
    );
    if report.gb18030_records > 0 {
        let _ = writeln!(
            out,
            "({} of them GB18030 text, not UTF-8: decoded / 其中 {} 条为 GB18030 编码，已转换)",
            report.gb18030_records, report.gb18030_records
        );
    }
    // Which rules fail how often: where an auditor starts.
    let mut by_rule: BTreeMap<(String, String), usize> = BTreeMap::new();
    for o in &report.records {
        for it in &o.items {
            *by_rule.entry((it.rule.clone(), it.citation.clone())).or_default() += 1;
        }
    }
    if !by_rule.is_empty() {
        let _ = writeln!(out, "\n{:<32}{:>8}  citation", "rule", "count");
        for ((rule, cit), n) in by_rule {
            let _ = writeln!(
                out,
                "{:<32}{n:>8}  {cit}",
                if rule.is_empty() { "-" } else { &rule }
            );
        }
    }
    out
}

impl Default for Outcome {
    fn default() -> Self {
        Outcome {
            line: 0,
            id: String::new(),
            status: Status::Unreadable,
            items: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test
    use super::*;
    use serde_json::json;

    #[test]
    fn file_records_reach_the_core_as_written() {
        let line =
            br#"{"setlinfo":{"setl_id":"S1","medfee_sumamt":100.10,"fund_pay_sumamt":12345678901234567.89}}"#;
        let recs = crate::records::ndjson(line);
        let v = recs[0].value.as_ref().unwrap();
        let req = request_for(Check::Verify, v, recs[0].raw.as_deref());
        assert_eq!(
            req,
            format!(
                r#"{{"api_version":"1","op":"verify","request":{}}}"#,
                std::str::from_utf8(line).unwrap()
            )
        );
        // Through a JSON tree too the numbers keep every digit (serde_json's arbitrary_precision).
        assert!(request(Check::Verify, v).contains("12345678901234567.89"));
        assert!(request(Check::Verify, v).contains("100.10"));
        // A flat download is still nested under setlinfo.
        let flat = br#"{"setl_id":"S2","medfee_sumamt":"1.00","setldetail":[]}"#;
        let recs = crate::records::ndjson(flat);
        let req = request_for(
            Check::Verify,
            recs[0].value.as_ref().unwrap(),
            recs[0].raw.as_deref(),
        );
        assert!(
            req.contains(r#""setlinfo":{"medfee_sumamt":"1.00","setl_id":"S2"}"#),
            "{req}"
        );
    }

    fn request_of(line: &[u8], opts: &Options) -> Value {
        let recs = crate::records::ndjson(line);
        let req = request_with(
            Check::Verify,
            recs[0].value.as_ref().unwrap(),
            recs[0].raw.as_deref(),
            opts,
        );
        serde_json::from_str::<Value>(&req).unwrap()["request"].clone()
    }

    #[test]
    fn a_record_never_sets_its_own_tolerance() {
        let nested =
            br#"{"setlinfo":{"setl_id":"S1","psn_part_amt":"1415.00"},"setldetail":[],"tolerance":"1000"}"#;
        let flat = br#"{"setl_id":"S1","psn_part_amt":"1415.00","tolerance":"1000"}"#;
        for line in [&nested[..], &flat[..]] {
            let r = request_of(line, &Options::default());
            assert!(r.get("tolerance").is_none(), "{r}");
            assert!(r["setlinfo"].get("tolerance").is_none(), "{r}");
            assert_eq!(r["setlinfo"]["psn_part_amt"], "1415.00");
            // The agency's tolerance, and only it, reaches the core.
            let r = request_of(line, &Options::with_tolerance(" 0.05 ").unwrap());
            assert_eq!(r["tolerance"], "0.05", "{r}");
        }
        assert!(Options::with_tolerance("-1").is_err());
        assert!(Options::with_tolerance("abc").is_err());
        assert!(Options::with_tolerance("").is_err());
        assert_eq!(
            Options::with_tolerance("0").unwrap().tolerance.as_deref(),
            Some("0")
        );
    }

    #[test]
    fn null_setldetail_is_absent() {
        // The core's verify reader takes `null` as no rows: the host passes it on as it came.
        let answer = |line: &[u8]| -> Value {
            let recs = crate::records::ndjson(line);
            let req = request_for(
                Check::Verify,
                recs[0].value.as_ref().unwrap(),
                recs[0].raw.as_deref(),
            );
            serde_json::from_str(&yidi_core::api::handle_json(&req)).unwrap()
        };
        let without = answer(br#"{"setlinfo":{"setl_id":"S1","medfee_sumamt":"1.00","fulamt_ownpay_amt":"1.00","overlmt_selfpay":"0","preselfpay_amt":"0","inscp_scp_amt":"0"}}"#);
        assert_eq!(without["ok"], true, "{without}");
        for line in [
            &br#"{"setlinfo":{"setl_id":"S1","medfee_sumamt":"1.00","fulamt_ownpay_amt":"1.00","overlmt_selfpay":"0","preselfpay_amt":"0","inscp_scp_amt":"0"},"setldetail":null}"#[..],
            br#"{"setl_id":"S1","medfee_sumamt":"1.00","fulamt_ownpay_amt":"1.00","overlmt_selfpay":"0","preselfpay_amt":"0","inscp_scp_amt":"0","setldetail":null}"#,
        ] {
            assert_eq!(answer(line), without, "{}", String::from_utf8_lossy(line));
        }
        // Other shapes are the core's to judge.
        let r = request_of(
            br#"{"setlinfo":{"setl_id":"S1"},"setldetail":"x"}"#,
            &Options::default(),
        );
        assert_eq!(r["setldetail"], "x");
    }

    #[test]
    fn flat_records_are_known_by_any_setlinfo_field() {
        // No medfee_sumamt (an empty cell, or a system that did not return it).
        let r = request_of(
            br#"{"setl_id":"S1","psn_cash_pay":12345678901234567.89,"memo":"x","setldetail":[]}"#,
            &Options::default(),
        );
        assert_eq!(r["setlinfo"]["setl_id"], "S1", "{r}");
        assert_eq!(r["setlinfo"]["memo"], "x");
        assert_eq!(r["setldetail"], json!([]));
        // Amounts of a flat record also reach the core as written.
        let recs = crate::records::ndjson(br#"{"mdtrt_id":"M1","psn_cash_pay":12345678901234567.89}"#);
        let req = request_for(
            Check::Verify,
            recs[0].value.as_ref().unwrap(),
            recs[0].raw.as_deref(),
        );
        assert!(req.contains(r#""psn_cash_pay":12345678901234567.89"#), "{req}");
        // A record with no setlinfo field at all is not flat: the core refuses it for its missing setlinfo.
        let r = request_of(br#"{"setldetail":[],"memo":"x"}"#, &Options::default());
        assert!(r.get("setlinfo").is_none());
    }

    /// The request written from the record's own text is the one the core's `records::verify_request`
    /// (what the web app sends) makes of the same record, for every shape a file holds.
    #[test]
    fn the_text_path_makes_the_cores_request() {
        let lines: &[&[u8]] = &[
            br#"{"setlinfo":{"setl_id":"S1","medfee_sumamt":"1.00"},"setldetail":[]}"#,
            br#"{"setlinfo":{"setl_id":"S1"},"tolerance":"1000","setldetail":null}"#,
            br#"{"setl_id":"S1","hifp_pay":2.5,"setldetail":[{"fund_payamt":1}],"lines":[],"memo":"x"}"#,
            br#"{"mdtrt_id":"M1","tolerance":3,"claim":{"person":{}}}"#,
            br#"{"setldetail":[],"memo":"x"}"#,
        ];
        for tolerance in [None, Some("0.05")] {
            let opts = Options {
                tolerance: tolerance.map(str::to_string),
            };
            for line in lines {
                let recs = crate::records::ndjson(line);
                let record = recs[0].value.as_ref().unwrap();
                let written: Value = serde_json::from_str(&request_with(
                    Check::Verify,
                    record,
                    recs[0].raw.as_deref(),
                    &opts,
                ))
                .unwrap();
                let core = yidi_core::records::verify_request(record.clone(), tolerance);
                assert_eq!(written["request"], core, "{}", String::from_utf8_lossy(line));
            }
        }
    }
}
