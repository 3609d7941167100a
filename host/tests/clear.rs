//! `yidi clear` on the committed sample month writes exactly the notices, netting and journal documented
//! in core/src/clearing/README.md (tests/samples/clearing/expected/), from NDJSON and from CSV, under
//! wasmtime and natively; and it refuses a malformed file with the file's line number.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod common;

use std::path::Path;
use std::process::Command;

fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn clear(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_yidi"))
        .args(args)
        .current_dir(repo())
        .output()
        .unwrap()
}

#[test]
fn sample_month_gives_the_documented_notices() {
    for (flag, file) in [
        ("", "2026-10.ndjson"),
        ("", "2026-10.csv"),
        ("--native", "2026-10.ndjson"),
    ] {
        let out = common::tmpdir(&format!("clear-{}-{file}", flag.trim_start_matches('-')));
        let input = format!("tests/samples/clearing/{file}");
        let mut args = vec!["clear", "2026-10", &input, "--printed-on", "2026-11-27", "--out"];
        let out_s = out.to_str().unwrap().to_string();
        args.push(&out_s);
        if !flag.is_empty() {
            args.insert(0, flag);
        }
        let o = clear(&args);
        let stdout = String::from_utf8_lossy(&o.stdout);
        assert!(
            o.status.success(),
            "{file} {flag}: {stdout}\n{}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(stdout.contains("balanced"), "{stdout}");
        assert!(
            stdout.contains("+40200.00") || stdout.contains("40200.00"),
            "{stdout}"
        );
        for suffix in ["notices.csv", "notices.html", "netting.csv", "journal.csv"] {
            let got = std::fs::read(out.join(format!("2026-10.{suffix}"))).unwrap();
            let want =
                std::fs::read(repo().join(format!("tests/samples/clearing/expected/2026-10.{suffix}")))
                    .unwrap();
            assert!(
                got == want,
                "{file} {flag}: 2026-10.{suffix} differs from the documented file"
            );
        }
    }
}

#[test]
fn a_malformed_line_is_refused_with_its_line_number() {
    let dir = common::tmpdir("clear-bad");
    let good = std::fs::read_to_string(repo().join("tests/samples/clearing/2026-10.ndjson")).unwrap();
    let mut lines: Vec<&str> = good.lines().collect();
    lines.insert(3, "{not json");
    let bad = dir.join("bad.ndjson");
    std::fs::write(&bad, lines.join("\n")).unwrap();
    let o = clear(&[
        "clear",
        "2026-10",
        bad.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stdout));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("line 4"), "the error names the file's line: {err}");
}
