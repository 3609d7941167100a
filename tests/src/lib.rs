//! Shared machinery of the cross-crate tests: golden cases.
//!
//! A golden case is a JSON file that reads like a worked example in a 经办规程:
//! `{title, cite, request: <full API envelope>, expect: {...}, why}`. The request goes through the core's
//! JSON API; `expect` is matched as a subset of the response envelope: objects match on the keys given,
//! arrays element by element with the same length, scalars exactly (money is a string at fen scale, so
//! "exact to the fen" is plain string equality). Keys of `expect` starting with `/` are JSON pointers
//! into the response, for picking one element of a long list.

use serde_json::Value;
use std::path::{Path, PathBuf};

/// The folder holding the golden cases.
pub fn golden_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("golden")
}

/// The request envelope of every golden case under `dir`, as JSON text, in file order (seeds for the host's
/// mutation fuzzing).
pub fn case_requests(dir: &Path) -> Vec<String> {
    case_files(dir)
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .filter_map(|t| serde_json::from_str::<Value>(&t).ok())
        .filter_map(|v| v.get("request").map(Value::to_string))
        .collect()
}

/// Every `*.json` under `dir`, recursively, sorted.
pub fn case_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Record where `expect` is not a subset of `got`.
/// `{"$contains": [a, b]}` matches an array holding, for each of a and b, some element it is a subset of
/// (for rule ids in a trace, whose order and length are not the point of a case).
pub fn subset(expect: &Value, got: &Value, path: &str, errors: &mut Vec<String>) {
    if let (Some(wanted), Value::Array(g)) = (expect.get("$contains").and_then(Value::as_array), got) {
        for (i, w) in wanted.iter().enumerate() {
            let found = g.iter().any(|gv| {
                let mut errs = Vec::new();
                subset(w, gv, path, &mut errs);
                errs.is_empty()
            });
            if !found {
                errors.push(format!("{path}: no element matches $contains[{i}] = {w}"));
            }
        }
        return;
    }
    // `{"$includes": "text"}` matches a string containing the text (messages that quote positions).
    if let (Some(part), Value::String(g)) = (expect.get("$includes").and_then(Value::as_str), got) {
        if !g.contains(part) {
            errors.push(format!("{path}: \"{g}\" does not include \"{part}\""));
        }
        return;
    }
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

/// A loaded golden case.
#[derive(Debug, Clone)]
pub struct Case {
    pub file: PathBuf,
    pub title: String,
    pub cite: String,
    pub request: Value,
    pub expect: Value,
}

/// Load and check the shape of a golden case: every case names a seed article (or interface rule).
pub fn load_case(file: &Path) -> Result<Case, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let case: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?;
    for key in ["title", "cite", "request", "expect", "why"] {
        if case.get(key).is_none() {
            return Err(format!("{}: golden case lacks `{key}`", file.display()));
        }
    }
    let cite = case["cite"].as_str().unwrap_or_default().to_string();
    if !(cite.contains('§') || cite.contains("附件") || cite.contains('(') || cite.contains('（')) {
        return Err(format!(
            "{}: cite must name a seed article, got \"{cite}\"",
            file.display()
        ));
    }
    if !case["expect"].is_object() {
        return Err(format!("{}: expect must be an object", file.display()));
    }
    Ok(Case {
        file: file.to_path_buf(),
        title: case["title"].as_str().unwrap_or_default().to_string(),
        cite,
        request: case["request"].clone(),
        expect: case["expect"].clone(),
    })
}

/// Match a response envelope (JSON text) against a case's `expect`; the mismatches, if any.
pub fn check_response(case: &Case, response: &str) -> Vec<String> {
    let name = case
        .file
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .to_string();
    let got: Value = match serde_json::from_str(response) {
        Ok(v) => v,
        Err(e) => return vec![format!("{name}: response is not JSON: {e}")],
    };
    let mut errors = Vec::new();
    if let Value::Object(expect) = &case.expect {
        for (k, ev) in expect {
            let gv = if k.starts_with('/') {
                got.pointer(k)
            } else {
                got.get(k)
            };
            match gv {
                Some(gv) => subset(ev, gv, k, &mut errors),
                None => errors.push(format!("{k}: missing in {response}")),
            }
        }
    }
    errors
        .into_iter()
        .map(|e| format!("{name} ({}): {e}", case.title))
        .collect()
}
