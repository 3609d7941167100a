//! The core's golden cases (tests/golden/**/*.json except the agency toolkit's own folder, which
//! `clearing_golden.rs` runs): each request goes through `yidi_core::api::handle_json` and must match
//! the case's `expect`, exact to the fen.

use yidi_tests::{case_files, check_response, golden_root, load_case};

#[test]
fn golden_cases() {
    let files: Vec<_> = case_files(&golden_root())
        .into_iter()
        .filter(|f| !f.components().any(|c| c.as_os_str() == "clearing"))
        .collect();
    assert!(
        files.len() >= 40,
        "expected the core's golden cases, found {}",
        files.len()
    );
    let mut errors = Vec::new();
    for f in &files {
        match load_case(f) {
            Ok(case) => {
                let out = yidi_core::api::handle_json(&case.request.to_string());
                errors.extend(check_response(&case, &out));
            }
            Err(e) => errors.push(e),
        }
    }
    assert!(
        errors.is_empty(),
        "{} of {} golden cases mismatch:\n{}",
        errors.len(),
        files.len(),
        errors.join("\n")
    );
}

/// Every rule family of DOMAIN.md §3–5 has at least one golden case (by the rule ids the cases assert).
#[test]
fn golden_cases_cover_the_rule_catalogue() {
    let all: String = case_files(&golden_root())
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap_or_default())
        .collect();
    for rule in [
        "coverage.admitted_inside_validity",
        "coverage.emergency_deemed_filed",
        "coverage.retroactive",
        "coverage.self_paid",
        "coverage.intra_province",
        "coverage.account_without_filing",
        "coverage.non_networked",
        "coverage.long_term_at_home",
        "coverage.unfiled",
        "coverage.chronic_needs_filing",
        "coverage.trauma_commitment",
        "coverage.trauma_third_party",
        "coverage.outside_validity",
        "coverage.temporary_end_derived",
        "settle.cross_year",
        "settle.annual_cap",
        "settle.rider",
        "settle.reduction_preselfpay",
        "F_DESTINATION_DISTRICT",
        "F_DESTINATION_PROVINCE",
        "F_DESTINATION_UNKNOWN",
        "F_INTRA_PROVINCE_NOT_NEEDED",
        "F_MATERIALS_LONG_TERM",
        "F_MATERIALS_REFERRAL",
        "F_CHANGE_LOCKED",
        "F_OPEN_STAY",
        "F_BEGIN_IN_PAST",
        "F_EMERGENCY_ALREADY_FILED",
        // Treatment-status changes (暂停/恢复/终止; 001 §10(二), 003 §13(二), 002 §58).
        "coverage.filing_suspended",
        "filing.treatment_suspended",
        "filing.treatment_resumed",
        "filing.treatment_terminated",
        "F_TREATMENT_INSURED_PLACE_ONLY",
        "F_TREATMENT_REASON",
        "F_TREATMENT_SUSPENDED",
        "refund.cross_year",
        "inv2.fund_sum",
        "P_TRAUMA_NO_COMMITMENT",
        "P_RESTRICTED_NOT_APPROVED",
        "P_PRICE_OVER_CEILING",
        "P_FILING_EXPIRED",
        "P_XIECHA_THRESHOLD",
        "P_UNFILED_NO_EMERGENCY_MARKER",
        "P_ID_CARD_INTRA_PROVINCE_ONLY",
        "P_ETIP_NO_FORM",
        "P_REFERRAL_UNFILED",
        "P_FILING_SUSPENDED",
    ] {
        assert!(all.contains(rule), "no golden case asserts {rule}");
    }
}
