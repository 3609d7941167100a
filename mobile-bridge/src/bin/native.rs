//! `yidi-bridge-native FILE…`: the native core's answers that the Node tests compare every package
//! flavour against, byte for byte.
//!
//! Each FILE is a golden case (`{"request": <full API envelope>, …}`), a bare envelope, or (`.txt`) raw
//! text sent to the core verbatim (malformed JSON, a wrong envelope). For each it
//! prints one JSON line `{"file", "input", "output"}`: `input` is the envelope as JSON text exactly as
//! sent to the core, `output` the core's response text. A file that cannot be read or parsed is an error
//! (exit 1), so a broken golden case cannot pass silently.

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut failed = false;
    for file in std::env::args().skip(1) {
        match answer(&file) {
            Ok(line) => println!("{line}"),
            Err(e) => {
                eprintln!("{file}: {e}");
                failed = true;
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn answer(file: &str) -> Result<String, String> {
    let text = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
    if file.ends_with(".txt") {
        let input = text.strip_suffix('\n').unwrap_or(&text);
        let output = yidi_core::api::handle_json(input);
        let line = serde_json::json!({ "file": file, "input": input, "output": output });
        return serde_json::to_string(&line).map_err(|e| e.to_string());
    }
    let case: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let request = match case.get("request") {
        Some(r) if case.get("op").is_none() => r,
        _ => &case,
    };
    let input = serde_json::to_string(request).map_err(|e| e.to_string())?;
    let output = yidi_core::api::handle_json(&input);
    let line = serde_json::json!({ "file": file, "input": input, "output": output });
    serde_json::to_string(&line).map_err(|e| e.to_string())
}
