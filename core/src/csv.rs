//! A small RFC 4180 CSV reader (quoted fields, doubled quotes, CRLF, a UTF-8 BOM), shared by the catalog
//! loader and the record readers of the hosts. Pure: it takes text, never a file.

use crate::prelude::*;

/// A parse failure: 1-based line and a reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvError {
    pub line: usize,
    pub reason: String,
}

/// Parse CSV text into rows of fields. Lines that are empty are skipped; so are lines starting with `#`
/// when `comments` is true (used by the shipped data files, never by hospital exports).
pub fn parse(text: &str, comments: bool) -> Result<Vec<(usize, Vec<String>)>, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1usize;
    let mut field = String::new();
    let mut row: Vec<String> = Vec::new();
    let mut row_line = 1usize;
    let mut in_quotes = false;
    let mut at_field_start = true;
    let mut quoted_field = false;
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => in_quotes = false,
                '\n' => {
                    line += 1;
                    field.push('\n');
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if at_field_start => {
                in_quotes = true;
                quoted_field = true;
                at_field_start = false;
            }
            '"' => {
                return Err(CsvError {
                    line,
                    reason: "a quote inside an unquoted field".into(),
                });
            }
            ',' => {
                row.push(core::mem::take(&mut field));
                at_field_start = true;
                quoted_field = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                row.push(core::mem::take(&mut field));
                push_row(&mut rows, core::mem::take(&mut row), row_line, comments);
                line += 1;
                row_line = line;
                at_field_start = true;
                quoted_field = false;
            }
            _ => {
                if quoted_field {
                    return Err(CsvError {
                        line,
                        reason: "text after a closing quote".into(),
                    });
                }
                field.push(c);
                at_field_start = false;
            }
        }
    }
    if in_quotes {
        return Err(CsvError {
            line,
            reason: "a quoted field is not closed".into(),
        });
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        push_row(&mut rows, row, row_line, comments);
    }
    Ok(rows)
}

fn push_row(rows: &mut Vec<(usize, Vec<String>)>, row: Vec<String>, line: usize, comments: bool) {
    let blank = row.iter().all(|f| f.trim().is_empty());
    let comment = comments && row.first().is_some_and(|f| f.trim_start().starts_with('#'));
    if !blank && !comment {
        rows.push((line, row));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_and_crlf() {
        let t = "\u{feff}a,b,c\r\n1,\"x, \"\"y\"\"\",3\r\n\r\n# note\n4,,6";
        let rows = parse(t, true).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1].1, vec!["1", "x, \"y\"", "3"]);
        assert_eq!(
            rows[2],
            (5, vec!["4".to_string(), String::new(), "6".to_string()])
        );
    }

    #[test]
    fn broken_quotes_are_errors() {
        assert_eq!(
            parse("a,\"b\nc", false).unwrap_err().reason,
            "a quoted field is not closed"
        );
        assert!(parse("a,b\"c\n", false).is_err());
    }
}
