//! Input files of `verify` and `precheck`: NDJSON (one JSON object per line) or CSV (one row per record,
//! headers are field names; a `group.field` header nests the value under `group`; an empty cell, or one
//! that reads `null` in any case, is an absent field). Only the members that carry structure
//! ([`yidi_core::records::STRUCTURED`]: `setldetail`, `lines`, `claim` …) have a cell holding a JSON array or object parsed as
//! JSON; every other cell is a string, so a provincial column such as `memo` = `[转诊] 西安→杭州` is kept
//! as text and ignored, never an error.
//!
//! A malformed record never stops the file: it becomes a [`Record`] with a parse error and its line number.
//!
//! Text is UTF-8, or GB18030 (the superset of GBK): a CSV saved by Excel on Chinese Windows, and many
//! hospital systems' exports, are GB18030, and refusing them would make every row with a Chinese name
//! unreadable. Each NDJSON line and each CSV cell that is not valid UTF-8 is decoded as GB18030 when it
//! decodes without error (the record says so, and the report counts them); a file can mix both. The
//! structure is found on bytes first, which is safe for GB18030: its multi-byte sequences use no byte
//! below 0x30, so never a comma, quote or line break.

use serde_json::Value;
use std::borrow::Cow;
use std::path::Path;

/// One record of an input file.
#[derive(Debug, Clone)]
pub struct Record {
    /// 1-based physical line of the file on which the record starts: blank lines, the CSV header and line
    /// breaks inside quoted CSV cells all count, so an editor's "go to line" finds the record.
    pub line: usize,
    pub value: Result<Value, String>,
    /// The record's JSON text as it stood in the file (NDJSON): passed to the core as is, so amounts reach it
    /// exactly as written (no detour through `f64`) and the host does not serialise the record again.
    pub raw: Option<String>,
    /// The record's text was GB18030, not UTF-8, and was decoded.
    pub gb18030: bool,
}

/// Placeholder for slots filled by the parallel reader.
impl Default for Record {
    fn default() -> Self {
        Record {
            line: 0,
            value: Err(String::new()),
            raw: None,
            gb18030: false,
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

/// `bytes` as text: UTF-8 as it is, else GB18030 when the bytes decode without error (`true`); `None` when
/// they are neither.
pub fn text(bytes: &[u8]) -> Option<(Cow<'_, str>, bool)> {
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Some((Cow::Borrowed(s), false));
    }
    encoding_rs::GB18030
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|s| (s, true))
}

/// A whole file's text, line by line as [`text`] decodes it (for `yidi clear`, which hands the text to the
/// core): the text and how many lines were GB18030, or the first line that is neither encoding.
pub fn file_text(bytes: &[u8]) -> Result<(String, usize), String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok((s.to_string(), 0));
    }
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 2);
    let mut decoded = 0;
    for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let (t, gb) =
            text(line).ok_or_else(|| format!("line {} is neither UTF-8 nor GB18030 text", i + 1))?;
        decoded += usize::from(gb);
        out.push_str(&t);
    }
    Ok((out, decoded))
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
        let Some((s, gb18030)) = text(raw) else {
            return Record {
                line,
                value: Err("line is neither UTF-8 nor GB18030 text".to_string()),
                raw: None,
                gb18030: false,
            };
        };
        let (value, raw) = match serde_json::from_str::<Value>(&s) {
            Ok(v @ Value::Object(_)) => (Ok(v), Some(s.trim().to_string())),
            Ok(_) => (Err("line is not a JSON object".to_string()), None),
            Err(e) => (Err(format!("line is not valid JSON: {e}")), None),
        };
        Record {
            line,
            value,
            raw,
            gb18030,
        }
    })
}

pub fn csv_records(bytes: &[u8]) -> Vec<Record> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(bytes);
    let mut lines = LineCounter::new(bytes);
    let headers = match rdr.byte_headers() {
        Err(e) => return vec![unreadable(1, format!("CSV header is unreadable: {e}"))],
        Ok(h) => match h.iter().map(text).collect::<Option<Vec<_>>>() {
            Some(h) => h.iter().map(|(s, _)| s.trim().to_string()).collect::<Vec<_>>(),
            None => {
                let line = lines.at_record(h.position());
                return vec![unreadable(
                    line,
                    "CSV header is neither UTF-8 nor GB18030 text".into(),
                )];
            }
        },
    };
    let mut out = Vec::new();
    let mut row = csv::ByteRecord::new();
    loop {
        let before = rdr.position().clone();
        match rdr.read_byte_record(&mut row) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = lines.at_record(e.position().or(Some(&before)));
                out.push(unreadable(line, format!("CSV row is unreadable: {e}")));
                // An error that consumed nothing would repeat forever.
                if rdr.position().byte() == before.byte() {
                    break;
                }
                continue;
            }
        }
        let line = lines.at_record(row.position().or(Some(&before)));
        // Cells borrow from the row (no copy of a UTF-8 cell, the usual case).
        let (value, gb18030) = match row.iter().map(text).collect::<Option<Vec<_>>>() {
            None => (
                Err("CSV row is neither UTF-8 nor GB18030 text".to_string()),
                false,
            ),
            Some(r) if r.len() != headers.len() => (
                Err(format!(
                    "CSV row has {} fields, the header has {}",
                    r.len(),
                    headers.len()
                )),
                false,
            ),
            Some(r) => (
                yidi_core::records::row_object(&headers, r.iter().map(|(s, _)| s.as_ref())),
                r.iter().any(|(_, gb)| *gb),
            ),
        };
        out.push(Record {
            line,
            value,
            raw: None,
            gb18030,
        });
    }
    out
}

/// The physical line on which a CSV record starts. The csv reader's own line count is not that: a record's
/// position is where the previous one ended, before the line breaks (and blank lines) between them. So the
/// record starts after those breaks, and its line is one more than the line breaks before it, counted
/// from the file's bytes (quoted line breaks and blank lines included), forward only.
struct LineCounter<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        LineCounter {
            bytes,
            offset: 0,
            line: 1,
        }
    }

    fn at_record(&mut self, pos: Option<&csv::Position>) -> usize {
        let Some(pos) = pos else { return self.line };
        let from = usize::try_from(pos.byte())
            .unwrap_or(usize::MAX)
            .min(self.bytes.len());
        let start = from
            + self.bytes[from..]
                .iter()
                .take_while(|b| matches!(b, b'\r' | b'\n'))
                .count();
        if start > self.offset {
            self.line += self.bytes[self.offset..start]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            self.offset = start;
        }
        self.line
    }
}

fn unreadable(line: usize, why: String) -> Record {
    Record {
        line,
        value: Err(why),
        raw: None,
        gb18030: false,
    }
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
        assert!(
            r[3].value
                .as_ref()
                .unwrap_err()
                .contains("neither UTF-8 nor GB18030")
        );
    }

    #[test]
    fn gb18030_lines_and_cells_are_decoded_and_counted() {
        // "医保" in GB18030, and a byte sequence that is neither encoding.
        let gb: &[u8] = b"\xd2\xbd\xb1\xa3";
        assert_eq!(
            text(gb).map(|(t, g)| (t.into_owned(), g)),
            Some(("医保".to_string(), true))
        );
        assert_eq!(
            text("医保".as_bytes()).map(|(t, g)| (t.into_owned(), g)),
            Some(("医保".to_string(), false))
        );
        assert!(text(b"\xff\xff").is_none());

        let mut file = b"{\"name\":\"".to_vec();
        file.extend_from_slice(gb);
        file.extend_from_slice(b"\"}\n{\"name\":\"\xe5\x8c\xbb\"}\n{\"name\":\"\xff\"}\n");
        let r = ndjson(&file);
        assert_eq!(r[0].value.as_ref().unwrap()["name"], "医保");
        assert!(r[0].gb18030 && !r[1].gb18030);
        assert_eq!(r[1].value.as_ref().unwrap()["name"], "医");
        assert!(r[2].value.as_ref().unwrap_err().contains("GB18030"));

        let mut csv = b"psn_name,setlinfo.medfee_sumamt\n".to_vec();
        csv.extend_from_slice(gb);
        csv.extend_from_slice(b",1.00\nplain,2.00\n\xff\xfe,3.00\n");
        let r = csv_records(&csv);
        assert_eq!(r[0].value.as_ref().unwrap()["psn_name"], "医保");
        assert!(r[0].gb18030 && !r[1].gb18030);
        assert!(r[2].value.as_ref().unwrap_err().contains("GB18030"));

        let (t, n) = file_text(&[gb, b"\nabc\n", "医".as_bytes()].concat()).unwrap();
        assert_eq!((t.as_str(), n), ("医保\nabc\n医", 1));
        assert_eq!(
            file_text(b"ok\n\xff\n").unwrap_err(),
            "line 2 is neither UTF-8 nor GB18030 text"
        );
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

    #[test]
    fn only_structured_columns_are_json() {
        let r = csv_records(
            "setl_id,memo,setldetail,claim.visit,note\n\
             S1,[转诊] 西安→杭州,[],\"{\"\"mdtrt_id\"\":\"\"M1\"\"}\",{not json}\n\
             S2,,\"[{\"\"fund_payamt\"\": }]\",,\n"
                .as_bytes(),
        );
        let v = r[0].value.as_ref().unwrap();
        assert_eq!(v["memo"], "[转诊] 西安→杭州");
        assert_eq!(v["note"], "{not json}");
        assert_eq!(v["setldetail"], serde_json::json!([]));
        assert_eq!(v["claim"]["visit"]["mdtrt_id"], "M1");
        // A broken JSON cell where structure belongs is still unreadable, its column named.
        let e = r[1].value.as_ref().unwrap_err();
        assert!(e.starts_with("column setldetail: not valid JSON"), "{e}");
    }

    #[test]
    fn null_cells_are_absent() {
        let r =
            csv_records(b"setl_id,medfee_sumamt,psn_part_amt,setldetail,memo\nS1,null,NULL,Null, nULL \n");
        let v = r[0].value.as_ref().unwrap();
        assert_eq!(v, &serde_json::json!({"setl_id": "S1"}));
    }

    #[test]
    fn csv_lines_are_physical_lines() {
        // Header on line 1, a quoted cell spanning lines 2-3, blank lines 4 and 6 (one with CRLF), a row
        // on line 5 and on line 7, a quoted cell spanning 7-9, then a row on line 10.
        let r = csv_records(b"a,b\r\n1,\"x\r\ny\"\r\n\r\n2,3\n\n4,\"p\n\nq\"\n5,6");
        let lines: Vec<usize> = r.iter().map(|r| r.line).collect();
        assert_eq!(lines, [2, 5, 7, 10]);
        assert_eq!(r[0].value.as_ref().unwrap()["b"], "x\r\ny");
        // A leading blank line moves the header, and every row after it.
        let r = csv_records(b"\na,b\n1,2\n");
        assert_eq!(r[0].line, 3);
    }
}
