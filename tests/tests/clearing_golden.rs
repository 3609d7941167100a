//! Golden cases of the agency toolkit (tests/golden/clearing/*.json), each a worked example citing the
//! seed articles, run through `yidi_core::api::handle_json` with the shared matcher of `yidi_tests`.

use yidi_tests::{case_files, check_response, golden_root, load_case};

#[test]
fn clearing_golden_cases() {
    let files = case_files(&golden_root().join("clearing"));
    assert!(
        files.len() >= 30,
        "expected the clearing golden cases, found {}",
        files.len()
    );
    let mut errors = Vec::new();
    for f in &files {
        match load_case(f) {
            Ok(case) => errors.extend(check_response(
                &case,
                &yidi_core::api::handle_json(&case.request.to_string()),
            )),
            Err(e) => errors.push(e),
        }
    }
    assert!(
        errors.is_empty(),
        "{} mismatches:\n{}",
        errors.len(),
        errors.join("\n")
    );
}
