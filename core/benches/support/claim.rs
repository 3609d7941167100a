// The benchmark claim, shared by the settle bench and the profiling example.

const CODES: [(&str, &str); 8] = [
    ("001103000010000", "55"),
    ("002500000010000", "25"),
    ("002503000010000", "150"),
    ("003101000010000", "15"),
    ("XC10AAA055A001010101445", "4.52"),
    ("XJ01DDA117B002010100448", "38.5"),
    ("002100000010000", "330"),
    ("T000800100", "300"),
];

/// A 40-line inpatient claim of a Xi'an employee settled in Hangzhou under a long-term filing.
pub fn claim(trace: bool) -> String {
    let lines: Vec<String> = (0..40)
        .map(|i| {
            let (code, pric) = CODES[i % CODES.len()];
            let cnt = (i % 5) + 1;
            let det = rust_decimal::Decimal::from_str_exact(pric).unwrap_or_default() * rust_decimal::Decimal::from(cnt);
            format!(
                r#"{{"feedetl_sn":"{i}","med_list_codg":"{code}","cnt":{cnt},"pric":"{pric}","det_item_fee_sumamt":"{det}"}}"#
            )
        })
        .collect();
    format!(
        r#"{{"api_version":"1","op":"settle","request":{{"setl_id":"B1","trace":{trace},
        "person":{{"insutype":"310","psn_type":"1201","insuplc_admdvs":"610100","balc":"800"}},
        "visit":{{"med_type":"21","mdtrtarea_admvs":"330100","hosp_lv":"3","begndate":"2025-03-02","enddate":"2025-03-12"}},
        "filings":[{{"rloc_admdvs":"330100","category":"retiree_resettled","begndate":"2024-01-01","applied_date":"2024-01-01"}}],
        "accumulators":{{"year":2025,"pools":{{"inpatient":{{"dedc_paid":"0","hifp_paid":"12000"}}}}}},
        "lines":[{}]}}}}"#,
        lines.join(",")
    )
}

