//! Reading what people paste or upload: JSON (an object, an array, or one object per line) or CSV with a
//! header row whose names are the national field names. CSV parsing is the core's (one reader for all
//! hosts), and so is the reading of a row (`yidi_core::records`): empty and `null` cells are left out, so the core
//! applies its defaults and reports what is missing, and only the structured columns' cells are JSON.

use crate::core_api::ApiErr;
use serde_json::Value;

/// Parse CSV text with a header row into one JSON object per row (all values as strings).
pub fn csv_objects(text: &str) -> Result<Vec<(usize, Value)>, ApiErr> {
    let rows = yidi_core::csv::parse(text, false).map_err(|e| {
        ApiErr::new(
            "E_CSV",
            format!("CSV 第 {} 行无法读取：{}", e.line, e.reason),
            format!("CSV line {} cannot be read: {}", e.line, e.reason),
        )
        .at(&format!("line {}", e.line))
    })?;
    let mut it = rows.into_iter();
    let Some((_, header)) = it.next() else {
        return Err(ApiErr::new("E_CSV", "CSV 是空的", "the CSV is empty"));
    };
    let header: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
    let mut out = Vec::new();
    for (line, cells) in it {
        if cells.len() > header.len() {
            return Err(ApiErr::new(
                "E_CSV",
                format!(
                    "CSV 第 {line} 行有 {} 列，表头只有 {} 列",
                    cells.len(),
                    header.len()
                ),
                format!(
                    "CSV line {line} has {} fields, the header has {}",
                    cells.len(),
                    header.len()
                ),
            ));
        }
        out.push((
            line,
            // The core's reading of a row, the one `yidi verify` / `yidi precheck` use: `group.field` headers
            // nest, only the structured columns' cells are JSON, `null` cells are absent.
            yidi_core::records::row_object(&header, cells.iter().map(String::as_str)).map_err(|m| {
                ApiErr::new(
                    "E_CSV",
                    format!("CSV 第 {line} 行：{m}"),
                    format!("CSV line {line}: {m}"),
                )
            })?,
        ));
    }
    Ok(out)
}

/// Parse JSON text: one document, or NDJSON (one object per line) when that fails.
pub fn json_values(text: &str) -> Result<Vec<Value>, ApiErr> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(a)) => Ok(a),
        Ok(v) => Ok(vec![v]),
        Err(first) => {
            let mut out = Vec::new();
            for (i, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                out.push(serde_json::from_str(line).map_err(|e| {
                    ApiErr::new(
                        "E_JSON",
                        format!("JSON 无法读取（第 {} 行）：{e}；整体读取时：{first}", i + 1),
                        format!(
                            "JSON cannot be read (line {}): {e}; as one document: {first}",
                            i + 1
                        ),
                    )
                })?);
            }
            Ok(out)
        }
    }
}

/// Whether pasted text looks like JSON rather than CSV.
pub fn looks_like_json(text: &str) -> bool {
    matches!(text.trim_start().chars().next(), Some('{') | Some('['))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_become_objects_without_empty_cells() {
        let rows = csv_objects("\u{feff}feedetl_sn,cnt,pric\r\n1,2,\"3.50\"\n2,,1\n").unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].1["pric"], "3.50");
        assert!(rows[1].1.get("cnt").is_none());
        assert!(
            csv_objects("a,b\n1,2,3\n")
                .unwrap_err()
                .message_en
                .contains("line 2")
        );
        let nested =
            csv_objects("setlinfo.medfee_sumamt,setldetail\n100.00,\"[{\"\"fund_payamt\"\":1}]\"\n").unwrap();
        assert_eq!(nested[0].1["setlinfo"]["medfee_sumamt"], "100.00");
        assert_eq!(nested[0].1["setldetail"][0]["fund_payamt"], 1);
        // As `yidi verify` reads them: an extra column is text even when it starts like JSON, `NULL` is empty.
        let extra = csv_objects("setlinfo.setl_id,setlinfo.acct_pay,memo\nS1,NULL,[转诊] 西安\n").unwrap();
        assert_eq!(extra[0].1["memo"], "[转诊] 西安");
        assert!(extra[0].1["setlinfo"].get("acct_pay").is_none());
    }

    #[test]
    fn json_accepts_documents_and_ndjson() {
        assert_eq!(json_values("[{\"a\":1},{\"a\":2}]").unwrap().len(), 2);
        assert_eq!(json_values("{\"a\":1}\n{\"a\":2}\n").unwrap().len(), 2);
        assert!(json_values("{oops").is_err());
        assert!(looks_like_json("  [1]") && !looks_like_json("a,b"));
    }
}
