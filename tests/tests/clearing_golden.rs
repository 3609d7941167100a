//! Golden cases of the agency toolkit (tests/golden/clearing/*.json), each a worked example citing the
//! seed articles: `{title, cite, request: <API envelope>, expect: {...}, why}`. The request goes through
//! `yidi_core::api::handle_json`; `expect` is matched as a subset of the response envelope (objects: the
//! keys given; arrays: same length, element by element). Keys starting with `/` are JSON pointers into the
//! response, for picking one element of a long list.

use serde_json::Value;
use std::path::{Path, PathBuf};

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("golden")
        .join("clearing")
}

fn subset(expect: &Value, got: &Value, path: &str, errors: &mut Vec<String>) {
    match (expect, got) {
        (Value::Object(e), Value::Object(g)) => {
            for (k, ev) in e {
                match g.get(k) {
                    Some(gv) => subset(ev, gv, &format!("{path}.{k}"), errors),
                    None => errors.push(format!("{path}.{k}: missing (expected {ev})")),
                }
            }
        }
        (Value::Array(e), Value::Array(g)) => {
            if e.len() != g.len() {
                errors.push(format!(
                    "{path}: expected {} elements, got {}: {got}",
                    e.len(),
                    g.len()
                ));
                return;
            }
            for (i, (ev, gv)) in e.iter().zip(g).enumerate() {
                subset(ev, gv, &format!("{path}[{i}]"), errors);
            }
        }
        _ => {
            if expect != got {
                errors.push(format!("{path}: expected {expect}, got {got}"));
            }
        }
    }
}

fn run_case(file: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(file).unwrap();
    let case: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    for key in ["title", "cite", "request", "expect", "why"] {
        assert!(
            case.get(key).is_some(),
            "{}: golden case lacks `{key}`",
            file.display()
        );
    }
    assert!(
        case["cite"]
            .as_str()
            .is_some_and(|c| c.contains('§') || c.contains("附件") || c.contains('四')),
        "{}: cite must name a seed article",
        file.display()
    );
    let out = yidi_core::api::handle_json(&case["request"].to_string());
    let got: Value = serde_json::from_str(&out).unwrap();
    let mut errors = Vec::new();
    let Value::Object(expect) = &case["expect"] else {
        panic!("{}: expect must be an object", file.display())
    };
    for (k, ev) in expect {
        if k.starts_with('/') {
            match got.pointer(k) {
                Some(gv) => subset(ev, gv, k, &mut errors),
                None => errors.push(format!("{k}: no such element in {out}")),
            }
        } else {
            match got.get(k) {
                Some(gv) => subset(ev, gv, k, &mut errors),
                None => errors.push(format!("{k}: missing in {out}")),
            }
        }
    }
    errors
        .into_iter()
        .map(|e| format!("{}: {e}", file.file_name().unwrap_or_default().to_string_lossy()))
        .collect()
}

#[test]
fn clearing_golden_cases() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(golden_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 30,
        "expected the clearing golden cases, found {}",
        files.len()
    );
    let errors: Vec<String> = files.iter().flat_map(|f| run_case(f)).collect();
    assert!(
        errors.is_empty(),
        "{} mismatches:\n{}",
        errors.len(),
        errors.join("\n")
    );
}
