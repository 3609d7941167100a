//! Records as hospitals' and agencies' files hold them, made into the API's requests. One reading for
//! every host: `yidi verify` / `yidi precheck` (host) and the web app's upload pages read a file's rows the
//! same way, so a file means the same thing wherever it is checked.
//!
//! - A CSV row is an object whose headers are field names; a `group.field` header nests the value under
//!   `group`; a cell of a column that carries structure ([`STRUCTURED`]) holding a JSON array or object is
//!   that JSON; every other cell is text; an empty cell, or `null` in any letter case, is an absent field.
//! - A verify record is reshaped only where it must not, or cannot, speak for itself
//!   ([`verify_request`]): its own `tolerance` is dropped (how loosely a hospital's record is checked is the
//!   agency's choice), and a flat settlement record (a 5269/5270 download: `setlinfo` fields at the top) is
//!   nested under `setlinfo`. (`setldetail: null`, a single row or JSON text are the verify reader's to read.)

use crate::prelude::*;
use serde_json::{Map, Value};

/// The members of a request that carry structure (`VerifyRequest`, `SettleRequest`, `PrecheckRequest`), by
/// CSV header: a cell of one of these columns holding a JSON array or object is parsed as JSON.
pub const STRUCTURED: &[&str] = &[
    "setlinfo",
    "setldetail",
    "lines",
    "claim",
    "person",
    "visit",
    "filings",
    "accumulators",
    "claim.person",
    "claim.visit",
    "claim.lines",
    "claim.filings",
    "claim.accumulators",
];

/// Members of a verify request that stay beside `setlinfo` when a flat record is nested under it.
pub const BESIDE_SETLINFO: &[&str] = &["setldetail", "lines", "claim"];

/// The `setlinfo` field names of NATIONAL_SPEC §3, with the provincial additions it lists: a verify record
/// without `setlinfo` that has any of them at its top level is a flat download, however many of its cells
/// are empty.
pub const SETLINFO_FIELDS: &[&str] = &[
    "mdtrt_id",
    "setl_id",
    "psn_no",
    "psn_name",
    "psn_cert_type",
    "certno",
    "gend",
    "brdy",
    "age",
    "insutype",
    "psn_type",
    "cvlserv_flag",
    "setl_time",
    "mdtrt_cert_type",
    "med_type",
    "medfee_sumamt",
    "fulamt_ownpay_amt",
    "overlmt_selfpay",
    "preselfpay_amt",
    "inscp_scp_amt",
    "act_pay_dedc",
    "hifp_pay",
    "pool_prop_selfpay",
    "cvlserv_pay",
    "hifes_pay",
    "hifmi_pay",
    "hifob_pay",
    "maf_pay",
    "hosp_part_amt",
    "oth_pay",
    "fund_pay_sumamt",
    "psn_part_amt",
    "acct_pay",
    "psn_cash_pay",
    "balc",
    "acct_mulaid_pay",
    "clr_optins",
    "clr_way",
    "clr_type",
    "hifdm_pay",
    "dedc_std",
    "crt_dedc",
    "ownpay_hosp_part",
    "psn_pay",
    "cashPayamt",
    "inscp_amt",
    "othfund_pay",
];

/// An empty cell, or the `null` / `NULL` / `Null` many exports write for an empty value: an absent field.
pub fn is_absent_cell(cell: &str) -> bool {
    cell.is_empty() || cell.eq_ignore_ascii_case("null")
}

/// One CSV row as a record. The error names the column.
pub fn row_object<'a>(headers: &[String], cells: impl IntoIterator<Item = &'a str>) -> Result<Value, String> {
    let mut obj = Map::new();
    for (h, cell) in headers.iter().zip(cells) {
        let cell = cell.trim();
        if is_absent_cell(cell) || h.is_empty() {
            continue;
        }
        let v = if (cell.starts_with('[') || cell.starts_with('{')) && STRUCTURED.contains(&h.as_str()) {
            serde_json::from_str(cell).map_err(|e| format!("column {h}: not valid JSON: {e}"))?
        } else {
            Value::String(cell.to_string())
        };
        match h.split_once('.') {
            Some((group, field)) => {
                let g = obj
                    .entry(group.to_string())
                    .or_insert_with(|| Value::Object(Map::new()));
                match g {
                    Value::Object(m) => {
                        m.insert(field.to_string(), v);
                    }
                    _ => return Err(format!("column {h}: {group} is both a field and a group")),
                }
            }
            None => {
                obj.insert(h.clone(), v);
            }
        }
    }
    Ok(Value::Object(obj))
}

/// A flat settlement record: `setlinfo` fields at its top level, no `setlinfo` member.
pub fn is_flat_settlement(record: &Value) -> bool {
    matches!(record, Value::Object(m)
        if !m.contains_key("setlinfo") && SETLINFO_FIELDS.iter().any(|f| m.contains_key(*f)))
}

/// Whether [`verify_request`] changes anything in `record` (most records reach the core as written).
pub fn verify_needs_reshape(record: &Value, tolerance: Option<&str>) -> bool {
    let Value::Object(m) = record else {
        return false;
    };
    tolerance.is_some() || m.contains_key("tolerance") || is_flat_settlement(record)
}

/// The `verify` request for a record read from a file, with the agency's tolerance (`None`: the core's
/// default, no difference allowed).
pub fn verify_request(record: Value, tolerance: Option<&str>) -> Value {
    if !verify_needs_reshape(&record, tolerance) {
        return record;
    }
    let flat = is_flat_settlement(&record);
    let Value::Object(m) = record else {
        return record;
    };
    let mut setlinfo = Map::new();
    let mut outer = Map::new();
    for (k, v) in m {
        if k == "tolerance" {
            continue;
        }
        if flat && !BESIDE_SETLINFO.contains(&k.as_str()) {
            setlinfo.insert(k, v);
        } else {
            outer.insert(k, v);
        }
    }
    if flat {
        outer.insert("setlinfo".into(), Value::Object(setlinfo));
    }
    if let Some(t) = tolerance {
        outer.insert("tolerance".into(), Value::String(t.to_string()));
    }
    Value::Object(outer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn headers(h: &[&str]) -> Vec<String> {
        h.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn only_structured_columns_are_json_and_null_cells_are_absent() {
        let h = headers(&["setlinfo.setl_id", "setldetail", "memo", "setlinfo.acct_pay"]);
        let r = row_object(&h, ["S1", "[{\"fund_payamt\":1}]", "[转诊] 西安→杭州", "NULL"]).unwrap();
        assert_eq!(
            r,
            json!({"setlinfo": {"setl_id": "S1"}, "setldetail": [{"fund_payamt": 1}], "memo": "[转诊] 西安→杭州"})
        );
        let e = row_object(&h, ["S1", "[{broken", "", ""]).unwrap_err();
        assert!(e.contains("column setldetail: not valid JSON"), "{e}");
    }

    #[test]
    fn verify_records_are_reshaped_only_where_they_must_be() {
        let nested = json!({"setlinfo": {"setl_id": "S1"}, "setldetail": []});
        assert_eq!(verify_request(nested.clone(), None), nested);
        let flat =
            json!({"setl_id": "S1", "hifp_pay": "1", "setldetail": null, "tolerance": "1000", "memo": "x"});
        assert_eq!(
            verify_request(flat, Some("0.05")),
            json!({"setlinfo": {"setl_id": "S1", "hifp_pay": "1", "memo": "x"}, "setldetail": null, "tolerance": "0.05"})
        );
        let own = json!({"setlinfo": {"setl_id": "S1"}, "tolerance": "1000"});
        assert_eq!(verify_request(own, None), json!({"setlinfo": {"setl_id": "S1"}}));
    }
}
