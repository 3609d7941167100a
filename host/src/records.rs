//! Input files of `verify` and `precheck`: NDJSON (one JSON object per line) or CSV (one row per record,
//! headers are field names; a `group.field` header nests the value under `group`; a cell holding a JSON
//! array or object, e.g. `setldetail`, is parsed as JSON; an empty cell is an absent field).
//!
//! A malformed record never stops the file: it becomes a [`Record`] with a parse error and its line number.

use serde_json::{Map, Value};
use std::path::Path;

/// One record of an input file.
#[derive(Debug, Clone)]
pub struct Record {
    /// 1-based line (NDJSON) or row (CSV, header = row 1) in the file.
    pub line: usize,
    pub value: Result<Value, String>,
    /// The record's JSON text as it stood in the file (NDJSON): passed to the core as is, so amounts reach it
    /// exactly as written (no detour through `f64`) and the host does not serialise the record again.
    pub raw: Option<String>,
}

/// Placeholder for slots filled by the parallel reader.
impl Default for Record {
    fn default() -> Self {
        Record {
            line: 0,
            value: Err(String::new()),
            raw: None,
        }
    }
}

/// The input format, from the extension (`.csv`, anything else NDJSON) unless given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Ndjson,
    Csv,
}

impl Format {
    pub fn of(path: &Path) -> Format {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("csv") => Format::Csv,
            _ => Format::Ndjson,
        }
    }
}

/// Read every record of a file. Fails only when the file cannot be read at all.
pub fn read(path: &Path, format: Format) -> Result<Vec<Record>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    // A UTF-8 byte-order mark (Excel's CSV export) is not part of the first field.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    Ok(match format {
        Format::Ndjson => ndjson(bytes),
        Format::Csv => csv_records(bytes),
    })
}

/// Lines are found serially (cheap); the JSON of each is parsed on every core, in file order.
pub fn ndjson(bytes: &[u8]) -> Vec<Record> {
    let lines: Vec<(usize, &[u8])> = bytes
        .split(|b| *b == b'\n')
        .enumerate()
        .map(|(i, raw)| (i + 1, raw.strip_suffix(b"\r").unwrap_or(raw)))
        .filter(|(_, raw)| !raw.iter().all(u8::is_ascii_whitespace))
        .collect();
    crate::batch::map_all(lines.len(), "read", false, |i| {
        let (line, raw) = lines[i];
        let (value, raw) = match std::str::from_utf8(raw) {
            Err(_) => (Err("line is not valid UTF-8".to_string()), None),
            Ok(s) => match serde_json::from_str::<Value>(s) {
                Ok(v @ Value::Object(_)) => (Ok(v), Some(s.trim().to_string())),
                Ok(_) => (Err("line is not a JSON object".to_string()), None),
                Err(e) => (Err(format!("line is not valid JSON: {e}")), None),
            },
        };
        Record { line, value, raw }
    })
}

pub fn csv_records(bytes: &[u8]) -> Vec<Record> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(bytes);
    let headers = match rdr.headers() {
        Ok(h) => h.iter().map(|s| s.trim().to_string()).collect::<Vec<_>>(),
        Err(e) => {
            return vec![Record {
                line: 1,
                raw: None,
                value: Err(format!("CSV header is unreadable: {e}")),
            }];
        }
    };
    let mut out = Vec::new();
    for (i, row) in rdr.records().enumerate() {
        let line = i + 2;
        let value = match row {
            Err(e) => Err(format!("CSV row is unreadable: {e}")),
            Ok(r) if r.len() != headers.len() => Err(format!(
                "CSV row has {} fields, the header has {}",
                r.len(),
                headers.len()
            )),
            Ok(r) => row_to_json(&headers, r.iter()),
        };
        out.push(Record {
            line,
            value,
            raw: None,
        });
    }
    out
}

fn row_to_json<'a>(headers: &[String], cells: impl Iterator<Item = &'a str>) -> Result<Value, String> {
    let mut obj = Map::new();
    for (h, cell) in headers.iter().zip(cells) {
        let cell = cell.trim();
        if cell.is_empty() || h.is_empty() {
            continue;
        }
        let v = if cell.starts_with('[') || cell.starts_with('{') {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ndjson_keeps_bad_lines_as_errors() {
        let r = ndjson(b"{\"a\":1}\n\nnot json\n[1]\n\xff\n");
        assert_eq!(r.len(), 4);
        assert!(r[0].value.is_ok());
        assert_eq!(r[1].line, 3);
        assert!(r[1].value.as_ref().unwrap_err().contains("not valid JSON"));
        assert!(r[2].value.as_ref().unwrap_err().contains("not a JSON object"));
        assert!(r[3].value.as_ref().unwrap_err().contains("UTF-8"));
    }

    #[test]
    fn csv_nests_groups_and_parses_json_cells() {
        let r = csv_records(
            "setlinfo.medfee_sumamt,setldetail,psn_no\n100.00,\"[{\"\"fund_payamt\"\":1}]\",\n1,2\n"
                .as_bytes(),
        );
        let v = r[0].value.as_ref().unwrap();
        assert_eq!(v["setlinfo"]["medfee_sumamt"], "100.00");
        assert_eq!(v["setldetail"][0]["fund_payamt"], 1);
        assert!(v.get("psn_no").is_none());
        assert!(r[1].value.is_err());
    }
}
