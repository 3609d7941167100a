//! The `yidi` binary on the sample files (including malformed ones): verdicts, reports, exit statuses,
//! and the same reports under wasmtime and natively.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod common;

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn yidi(args: &[&str], stdin: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_yidi"));
    c.args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    if let Some(s) = stdin {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn out_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("yidi-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Run a check and return (exit code, stdout, JSON report).
fn check(cmd: &str, file: &str, extra: &[&str]) -> (i32, String, serde_json::Value) {
    let dir = out_dir(&format!("{cmd}-{}", file.replace(['/', '.'], "_")));
    let base = dir.join("report");
    let mut args = vec![cmd, file, "--report", base.to_str().unwrap(), "--quiet"];
    args.extend_from_slice(extra);
    let o = yidi(&args, None);
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    let json = std::fs::read_to_string(dir.join("report.json"))
        .unwrap_or_else(|_| panic!("no report: {stdout} {}", String::from_utf8_lossy(&o.stderr)));
    assert!(dir.join("report.csv").is_file());
    (
        o.status.code().unwrap_or(-1),
        stdout,
        serde_json::from_str(&json).unwrap(),
    )
}

fn statuses(report: &serde_json::Value) -> Vec<(String, String)> {
    report["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap_or("").to_string(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn help_explains_every_command() {
    let o = yidi(&["--help"], None);
    let h = String::from_utf8_lossy(&o.stdout);
    for cmd in ["eval", "verify", "precheck", "serve", "--native"] {
        assert!(h.contains(cmd), "--help lacks {cmd}:\n{h}");
    }
    let o = yidi(&["verify", "--help"], None);
    assert!(String::from_utf8_lossy(&o.stdout).contains("Exit status 1"));
}

#[test]
fn eval_reads_stdin_and_exits_by_the_answer() {
    let o = yidi(
        &["eval"],
        Some(r#"{"api_version":"1","op":"amount.daxie","request":{"amount":"100.00"}}"#),
    );
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).contains("壹佰元整"));
    let o = yidi(&["eval"], Some("{oops"));
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("E_JSON"));
    let native = yidi(
        &["--native", "eval"],
        Some(r#"{"api_version":"1","op":"version","request":{}}"#),
    );
    let wasm = yidi(
        &["eval"],
        Some(r#"{"api_version":"1","op":"version","request":{}}"#),
    );
    assert_eq!(native.stdout, wasm.stdout);
}

#[test]
fn verify_settlement_samples_ndjson_and_csv() {
    let expected: Vec<(String, String)> = [
        ("S2026110001", "consistent"),
        ("S2026110002", "consistent"),
        ("S2026110003", "inconsistent"),
        ("S2026110004", "inconsistent"),
        ("S2026110001-R", "consistent"),
        ("S2026110006", "inconsistent"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    let (_, _, utf8) = check("verify", "samples/settlements.csv", &[]);
    for file in [
        "samples/settlements.ndjson",
        "samples/settlements.csv",
        "samples/settlements-gb18030.csv",
    ] {
        let (code, stdout, report) = check("verify", file, &[]);
        if file.contains("gb18030") {
            // The same CSV as Excel on Chinese Windows saves it: the two rows with Chinese text are decoded
            // (and counted), and every verdict and item is what the UTF-8 file gets.
            assert_eq!(report["gb18030_records"], 2, "{stdout}");
            assert!(stdout.contains("GB18030"), "{stdout}");
            assert_eq!(report["records"], utf8["records"]);
        } else {
            assert!(report.get("gb18030_records").is_none());
        }
        assert_eq!(
            code, 1,
            "inconsistent records make the exit status non-zero\n{stdout}"
        );
        assert_eq!(statuses(&report), expected, "{file}:\n{stdout}");
        // Every failing field has expected, got, difference, rule and citation.
        let rec3 = &report["records"][2];
        let item = rec3["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["field"].as_str().unwrap_or("").contains("psn_part_amt"))
            .unwrap_or_else(|| panic!("{rec3}"));
        assert_eq!(item["expected"], "615.00");
        assert_eq!(item["got"], "625.00");
        assert_eq!(item["difference"], "10.00");
        assert!(!item["rule"].as_str().unwrap().is_empty() && !item["citation"].as_str().unwrap().is_empty());
        assert!(
            stdout.contains("inconsistent") && stdout.contains("total"),
            "summary table:\n{stdout}"
        );
        assert_eq!(report["summary"]["inconsistent"], 3);
    }
}

#[test]
fn verify_native_and_wasm_reports_agree() {
    let (_, _, a) = check("verify", "samples/settlements.ndjson", &[]);
    let (_, _, b) = check("verify", "samples/settlements.ndjson", &["--native"]);
    assert_eq!(a["records"], b["records"]);
    assert_eq!(a["engine"], "wasmtime");
    assert_eq!(b["engine"], "native");
}

#[test]
fn malformed_records_are_reported_not_fatal() {
    let (code, stdout, report) = check("verify", "samples/malformed.ndjson", &["--all"]);
    assert_eq!(code, 1);
    let st: Vec<String> = statuses(&report).into_iter().map(|(_, s)| s).collect();
    assert_eq!(
        st,
        ["consistent", "unreadable", "unreadable", "refused", "refused"],
        "{stdout}"
    );
    assert_eq!(report["records"][1]["line"], 2);
    assert!(stdout.contains("UNREADABLE"));
    // A file that does not exist is a usage error (2), not a verdict.
    let o = yidi(&["verify", "samples/nope.ndjson"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot read"));
}

#[test]
fn all_consistent_exits_zero() {
    let dir = out_dir("clean");
    let f = dir.join("one.ndjson");
    let first =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/settlements.ndjson")).unwrap();
    std::fs::write(&f, first.lines().next().unwrap()).unwrap();
    let (code, stdout, _) = check("verify", f.to_str().unwrap(), &[]);
    assert_eq!(code, 0, "{stdout}");
}

#[test]
fn precheck_sample_findings() {
    let (code, stdout, report) = check("precheck", "samples/precheck.ndjson", &[]);
    assert_eq!(code, 1, "{stdout}");
    let st: Vec<String> = statuses(&report).into_iter().map(|(_, s)| s).collect();
    assert_eq!(
        st,
        [
            "consistent",
            "inconsistent",
            "inconsistent",
            "inconsistent",
            "inconsistent",
            "consistent",
            "inconsistent"
        ],
        "{stdout}"
    );
    let rules = |i: usize| -> Vec<String> {
        report["records"][i]["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["rule"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(rules(0), Vec::<String>::new());
    assert_eq!(rules(1), ["P_UNFILED_NO_EMERGENCY_MARKER"]);
    assert_eq!(rules(2), ["P_TRAUMA_NO_COMMITMENT"]);
    assert_eq!(rules(3), ["P_RESTRICTED_NOT_APPROVED", "P_PRICE_OVER_CEILING"]);
    assert!(rules(4).contains(&"P_FILING_EXPIRED".to_string()));
    assert_eq!(
        rules(5),
        ["P_XIECHA_THRESHOLD"],
        "a stay of 30,100 yuan across provinces reaches the 协查 threshold"
    );
    assert_eq!(report["records"][5]["items"][0]["severity"], "info");
    assert_eq!(
        rules(6),
        ["P_ETIP_NO_FORM", "P_ID_CARD_INTRA_PROVINCE_ONLY"],
        "an external exam without its form (002 §39); a Xi'an ID card across provinces (002 经办规程§22)"
    );
    // The pack's reading of 002 经办规程§22 is unverified: it warns, it does not block.
    assert_eq!(report["records"][6]["items"][1]["severity"], "warning");
}

#[test]
fn malformed_csv_rows_are_reported_and_flat_downloads_accepted() {
    // A flat settlement download (setlinfo columns without prefix) with broken rows.
    let (code, stdout, report) = check("verify", "samples/malformed.csv", &["--all"]);
    assert_eq!(code, 1);
    let st: Vec<String> = statuses(&report).into_iter().map(|(_, s)| s).collect();
    assert_eq!(
        st,
        ["consistent", "unreadable", "unreadable", "inconsistent"],
        "{stdout}"
    );
    assert_eq!(
        report["records"][1]["line"], 3,
        "CSV rows count the header as line 1"
    );
}

#[test]
fn the_compiled_guest_is_cached_between_runs() {
    let cache = out_dir("cache");
    let _ = std::fs::remove_dir_all(&cache);
    let run = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_yidi"));
        c.arg("eval")
            .env("YIDI_CACHE_DIR", &cache)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped());
        let mut child = c.spawn().unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(br#"{"api_version":"1","op":"amount.daxie","request":{"amount":"0.50"}}"#)
            .unwrap();
        child.wait_with_output().unwrap().stdout
    };
    let first = run();
    let cached: Vec<_> = std::fs::read_dir(&cache)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".cwasm"))
        .collect();
    assert_eq!(cached.len(), 1, "one compiled module in the cache");
    let second = run();
    assert_eq!(first, second);
    assert!(String::from_utf8_lossy(&second).contains("伍角"));
    // A damaged cache file is not trusted: the guest is compiled anew and answers the same.
    std::fs::write(cached[0].path(), b"not a module").unwrap();
    assert_eq!(run(), first);
}

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/samples");

/// The first record of settlements.ndjson (documented consistent), as a JSON tree.
fn consistent_record() -> serde_json::Value {
    let text = std::fs::read_to_string(format!("{SAMPLES}/settlements.ndjson")).unwrap();
    serde_json::from_str(text.lines().next().unwrap()).unwrap()
}

/// `yidi` in a given working directory.
fn yidi_in(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yidi"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn a_record_never_chooses_its_own_tolerance() {
    let dir = out_dir("tolerance");
    // psn_part_amt off by 800, and the record asks to be checked to within 1000.
    let mut rec = consistent_record();
    rec["setlinfo"]["psn_part_amt"] = "1415.00".into();
    rec["tolerance"] = "1000".into();
    let nd = dir.join("tol.ndjson");
    std::fs::write(&nd, format!("{rec}\n")).unwrap();
    // The same as a CSV with a tolerance column.
    let mut header = Vec::new();
    let mut row = Vec::new();
    for (k, v) in rec["setlinfo"].as_object().unwrap() {
        header.push(format!("setlinfo.{k}"));
        row.push(v.as_str().unwrap().to_string());
    }
    header.extend(["setldetail".to_string(), "tolerance".to_string()]);
    row.extend([
        format!("\"{}\"", rec["setldetail"].to_string().replace('"', "\"\"")),
        "1000".into(),
    ]);
    let csv = dir.join("tol.csv");
    std::fs::write(&csv, format!("{}\n{}\n", header.join(","), row.join(","))).unwrap();
    for f in [&nd, &csv] {
        let (code, stdout, report) = check("verify", f.to_str().unwrap(), &[]);
        assert_eq!(code, 1, "{stdout}");
        assert_eq!(statuses(&report)[0].1, "inconsistent", "{stdout}");
        assert!(report.get("tolerance").is_none());
        // The agency's --tolerance is what counts, for every record.
        let (code, stdout, report) = check("verify", f.to_str().unwrap(), &["--tolerance", "1000"]);
        assert_eq!(code, 0, "{stdout}");
        assert_eq!(report["tolerance"], "1000");
        assert!(stdout.contains("tolerance 1000"), "{stdout}");
    }
    // Not an amount: a usage error, before anything runs.
    for bad in ["abc", "-1", ""] {
        let o = yidi(
            &["verify", nd.to_str().unwrap(), &format!("--tolerance={bad}")],
            None,
        );
        assert_eq!(o.status.code(), Some(2), "{bad}");
        assert!(String::from_utf8_lossy(&o.stderr).contains("--tolerance"));
    }
    // The agency batch endpoint shares the path: the record's tolerance is dropped there too.
    let s = common::Server::start(dir.join("f.sqlite3").to_str().unwrap(), &dir.join("log"), &[]);
    let r = s.req(
        "POST",
        "/v1/verify/batch",
        &[("x-agency-key", common::AGENCY_KEY)],
        &format!("{rec}\n"),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["summary"]["inconsistent"], 1, "{}", r.text());
    let r = s.req(
        "POST",
        "/v1/verify/batch",
        &[("x-agency-key", common::AGENCY_KEY)],
        &serde_json::json!([rec]).to_string(),
    );
    assert_eq!(r.json()["summary"]["inconsistent"], 1, "{}", r.text());
    // The agency sets it there as a query parameter, as --tolerance on the command line.
    let r = s.req(
        "POST",
        "/v1/verify/batch?tolerance=1000",
        &[("x-agency-key", common::AGENCY_KEY)],
        &format!("{rec}\n"),
    );
    assert_eq!(r.json()["summary"]["consistent"], 1, "{}", r.text());
    let r = s.req(
        "POST",
        "/v1/verify/batch?tolerance=-1",
        &[("x-agency-key", common::AGENCY_KEY)],
        &format!("{rec}\n"),
    );
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(r.json()["error"]["code"], "E_AMOUNT", "{}", r.text());
}

#[test]
fn a_report_never_overwrites_its_input() {
    let dir = out_dir("overwrite");
    let original = std::fs::read(format!("{SAMPLES}/malformed.csv")).unwrap();
    let input = dir.join("c1.csv");
    std::fs::write(&input, &original).unwrap();
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    let nd = dir.join("c2.json");
    std::fs::write(&nd, std::fs::read(format!("{SAMPLES}/malformed.ndjson")).unwrap()).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&input, dir.join("link.csv")).unwrap();
    let absolute = dir.join("c1").display().to_string();
    let mut cases = vec![
        ("c1.csv", "c1", "c1.json"),
        ("c1.csv", "./sub/../c1.csv", "c1.json"),
        ("c1.csv", absolute.as_str(), "c1.json"),
        ("c2.json", "c2", "c2.csv"),
    ];
    if cfg!(unix) {
        cases.push(("c1.csv", "link", "link.json"));
    }
    for (file, report, other) in cases {
        let o = yidi_in(&dir, &["verify", file, "--report", report, "--quiet"]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{file} --report {report}: {err}");
        assert!(err.contains("overwrite the input file"), "{err}");
        assert!(o.stdout.is_empty(), "nothing runs");
        assert!(!dir.join(other).exists(), "nothing written: {other}");
    }
    assert_eq!(std::fs::read(&input).unwrap(), original);
    // The default report path too: here a link to the input stands where the report would go.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&input, dir.join("c1.verify-report.csv")).unwrap();
        let o = yidi_in(&dir, &["verify", "c1.csv", "--quiet"]);
        assert_eq!(o.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&o.stderr).contains("overwrite the input file"));
        assert!(!dir.join("c1.verify-report.json").exists());
        assert_eq!(std::fs::read(&input).unwrap(), original);
    }
    // Another name is fine.
    let o = yidi_in(&dir, &["verify", "c1.csv", "--report", "c1-report", "--quiet"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(dir.join("c1-report.csv").is_file() && dir.join("c1-report.json").is_file());
}

/// malformed.csv's consistent first row with extra columns (header, row): a flat download.
fn flat_ok_row(extra_header: &str, extra_cells: &str) -> String {
    let text = std::fs::read_to_string(format!("{SAMPLES}/malformed.csv")).unwrap();
    let mut lines = text.lines();
    let (h, r) = (lines.next().unwrap(), lines.next().unwrap());
    format!("{h},{extra_header}\n{r},{extra_cells}\n")
}

#[test]
fn extra_text_columns_are_kept_as_text() {
    let dir = out_dir("memo");
    let f = dir.join("memo.csv");
    std::fs::write(&f, flat_ok_row("memo,remark", "[转诊] 西安→杭州,{备注}")).unwrap();
    let (code, stdout, report) = check("verify", f.to_str().unwrap(), &[]);
    assert_eq!(
        statuses(&report),
        [("S-CSV-OK".into(), "consistent".into())],
        "{stdout}"
    );
    assert_eq!(code, 0);
    // A broken JSON cell where structure belongs stays unreadable, its column named.
    let (_, stdout, report) = check("verify", "samples/malformed.csv", &[]);
    assert_eq!(report["records"][2]["status"], "unreadable");
    let msg = report["records"][2]["items"][0]["message_en"].as_str().unwrap();
    assert!(
        msg.starts_with("column setldetail: not valid JSON"),
        "{msg}\n{stdout}"
    );
}

#[test]
fn null_cells_are_empty_cells() {
    // settlements.csv with its empty cells written as null, NULL and Null: the same report.
    let text = std::fs::read_to_string(format!("{SAMPLES}/settlements.csv")).unwrap();
    let nulls = ["null", "NULL", "Null"];
    let mut out = String::new();
    let mut n = 0;
    for (i, line) in text.lines().enumerate() {
        if i == 0 {
            out.push_str(line);
        } else {
            // The cells before the quoted setldetail (no commas inside them).
            let (cells, rest) = line.split_once(",\"").unwrap();
            let cells: Vec<String> = cells
                .split(',')
                .map(|c| {
                    if c.is_empty() {
                        n += 1;
                        nulls[n % 3].to_string()
                    } else {
                        c.to_string()
                    }
                })
                .collect();
            out.push_str(&format!("{},\"{rest}", cells.join(",")));
        }
        out.push('\n');
    }
    assert!(n > 5, "{out}");
    let dir = out_dir("nulls");
    let f = dir.join("nulls.csv");
    std::fs::write(&f, &out).unwrap();
    let (_, _, expected) = check("verify", "samples/settlements.csv", &[]);
    let (_, stdout, got) = check("verify", f.to_str().unwrap(), &[]);
    assert_eq!(got["records"], expected["records"], "{stdout}");
}

#[test]
fn flat_records_without_a_total_are_still_flat() {
    // A flat download whose medfee_sumamt is empty must reach the core as the same setlinfo a nested
    // record has: the two give the same outcome, whatever the core says about the missing total.
    let dir = out_dir("flat");
    let text = std::fs::read_to_string(format!("{SAMPLES}/malformed.csv")).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let row = lines.next().unwrap().replacen(",100.00,", ",,", 1);
    let csv = dir.join("flat.csv");
    std::fs::write(&csv, format!("{header}\n{row}\n")).unwrap();
    let setlinfo: serde_json::Map<String, serde_json::Value> = header
        .split(',')
        .zip(row.split(','))
        .filter(|(h, c)| *h != "setldetail" && !c.is_empty())
        .map(|(h, c)| (h.to_string(), c.into()))
        .collect();
    let nested = serde_json::json!({"setlinfo": setlinfo, "setldetail": []});
    let mut flat = setlinfo.clone();
    flat.insert("setldetail".into(), serde_json::json!([]));
    let nd = dir.join("records.ndjson");
    std::fs::write(&nd, format!("{nested}\n{}\n", serde_json::Value::Object(flat))).unwrap();
    let (_, stdout, a) = check("verify", csv.to_str().unwrap(), &[]);
    let (_, _, b) = check("verify", nd.to_str().unwrap(), &[]);
    let outcome = |r: &serde_json::Value, i: usize| {
        let mut o = r["records"][i].clone();
        o["line"] = 0.into();
        o
    };
    assert!(
        !stdout.contains("setlinfo"),
        "not refused for a missing setlinfo:\n{stdout}"
    );
    assert_eq!(outcome(&a, 0), outcome(&b, 0));
    assert_eq!(outcome(&b, 1), outcome(&b, 0));
}

#[test]
fn csv_lines_are_the_files_physical_lines() {
    // Header (1), a row (2), a blank line (3), a row whose memo spans lines 4-5, a blank line (6), a row (7).
    let text = std::fs::read_to_string(format!("{SAMPLES}/malformed.csv")).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let ok = lines.next().unwrap();
    let wrong = lines.nth(2).unwrap();
    let dir = out_dir("lines");
    let f = dir.join("lines.csv");
    std::fs::write(
        &f,
        format!("{header},memo\r\n{ok},\r\n\r\n{ok},\"第一行\r\n第二行\"\r\n\r\n{wrong},\r\n"),
    )
    .unwrap();
    let (_, stdout, report) = check("verify", f.to_str().unwrap(), &["--all"]);
    let lines: Vec<u64> = report["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [2, 4, 7], "{stdout}");
    assert!(stdout.contains("line      7  S-CSV-WRONG"), "{stdout}");
    let csv_report = std::fs::read_to_string(
        out_dir(&format!(
            "verify-{}",
            f.to_str().unwrap().replace(['/', '.'], "_")
        ))
        .join("report.csv"),
    )
    .unwrap();
    assert!(csv_report.contains("\n7,S-CSV-WRONG,"), "{csv_report}");
}

#[test]
fn null_setldetail_is_absent() {
    // A JSON null setldetail is treated as a missing one, in NDJSON and as a CSV cell.
    let dir = out_dir("nulldetail");
    let mut without = consistent_record();
    without.as_object_mut().unwrap().remove("setldetail");
    let mut null = without.clone();
    null["setldetail"] = serde_json::Value::Null;
    let nd = dir.join("d.ndjson");
    std::fs::write(&nd, format!("{without}\n{null}\n")).unwrap();
    let (_, stdout, report) = check("verify", nd.to_str().unwrap(), &["--all"]);
    let outcome = |i: usize| {
        let mut o = report["records"][i].clone();
        o["line"] = 0.into();
        o
    };
    assert_ne!(report["records"][1]["status"], "refused", "{stdout}");
    assert_eq!(outcome(0), outcome(1), "{stdout}");
    // As a CSV cell: the same as an empty setldetail.
    let text = std::fs::read_to_string(format!("{SAMPLES}/malformed.csv")).unwrap();
    let mut lines = text.lines();
    let (header, ok) = (lines.next().unwrap(), lines.next().unwrap());
    let csv = dir.join("d.csv");
    let null_row = format!("{},null", ok.strip_suffix(",[]").unwrap());
    std::fs::write(&csv, format!("{header}\n{ok}\n{null_row}\n")).unwrap();
    let (_, stdout, report) = check("verify", csv.to_str().unwrap(), &["--all"]);
    let outcome = |i: usize| {
        let mut o = report["records"][i].clone();
        o["line"] = 0.into();
        o
    };
    assert_eq!(report["records"][1]["status"], "consistent", "{stdout}");
    assert_eq!(outcome(0), outcome(1), "{stdout}");
}

#[test]
fn a_finding_with_one_side_prints_only_that_side() {
    // format.fen has an expected amount at the fen but nothing at the fen to show as "got": the table
    // says what the amount should read, not "got -" (tests/golden/verify/sub_fen_amount_named_once.json).
    let dir = out_dir("subfen");
    let record = serde_json::json!({
        "setlinfo": {"setl_id": "S2", "medfee_sumamt": "1000.00", "fulamt_ownpay_amt": "100.00",
            "overlmt_selfpay": "0", "preselfpay_amt": "0", "inscp_scp_amt": "900.00",
            "act_pay_dedc": "300.00", "hifp_pay": "600.00", "fund_pay_sumamt": "600.00",
            "psn_part_amt": "400.00", "acct_pay": "200.00", "psn_cash_pay": "200.004"},
        "setldetail": [{"fund_pay_type": "310100", "fund_payamt": "600.00"},
            {"fund_pay_type": "310200", "fund_payamt": "200.00"}]
    });
    let nd = dir.join("subfen.ndjson");
    std::fs::write(&nd, format!("{record}\n")).unwrap();
    let (code, stdout, report) = check("verify", nd.to_str().unwrap(), &[]);
    assert_eq!(code, 1, "{stdout}");
    assert_eq!(report["records"][0]["status"], "inconsistent", "{stdout}");
    assert!(
        stdout.contains("    psn_cash_pay: expected 200.00 [format.fen] NATIONAL_SPEC §2 (N16,2), §3 — "),
        "{stdout}"
    );
    assert!(!stdout.contains("got -"), "{stdout}");
}
