//! The `yidi` binary on the sample files (including malformed ones): verdicts, reports, exit statuses,
//! and the same reports under wasmtime and natively.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

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
        ["P_ID_CARD_INTRA_PROVINCE_ONLY", "P_ETIP_NO_FORM"],
        "a Xi'an ID card across provinces (002 §22); an external exam without its form (002 §39)"
    );
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
