//! Settlement records as monthly clearing reads them (national `setlinfo` names), and the pure NDJSON / CSV
//! readers that host and bridge share. Reading the file is the host's job; these take its text.

use crate::codes::Admdvs;
use crate::error::{ApiError, ErrorCode};
use crate::money::{MAX_AMOUNT, Money};
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// One settlement (or its reversal / return, with negative amounts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SettlementRecord {
    #[serde(
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub setl_id: Option<String>,
    /// 参保地医保区划 (the payer).
    pub insuplc_admdvs: Admdvs,
    /// 就医地医保区划 (the receiver). `mdtrtarea_admdvs` is accepted too.
    #[serde(alias = "mdtrtarea_admdvs")]
    pub mdtrtarea_admvs: Admdvs,
    #[serde(
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub med_type: Option<String>,
    #[serde(
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub clr_type: Option<String>,
    /// `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS`.
    #[serde(
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub setl_time: Option<String>,
    #[serde(
        default,
        deserialize_with = "opt_amount",
        skip_serializing_if = "Option::is_none"
    )]
    pub medfee_sumamt: Option<Money>,
    /// 基金支付总额; when absent, the sum of the fund columns below.
    #[serde(
        default,
        deserialize_with = "opt_amount",
        skip_serializing_if = "Option::is_none"
    )]
    pub fund_pay_sumamt: Option<Money>,
    #[serde(
        default,
        deserialize_with = "opt_amount",
        skip_serializing_if = "Option::is_none"
    )]
    pub hifp_pay: Option<Money>,
    #[serde(
        default,
        deserialize_with = "opt_amount",
        skip_serializing_if = "Option::is_none"
    )]
    pub cvlserv_pay: Option<Money>,
    #[serde(
        default,
        deserialize_with = "opt_amount",
        skip_serializing_if = "Option::is_none"
    )]
    pub hifes_pay: Option<Money>,
    #[serde(
        default,
        deserialize_with = "opt_amount",
        skip_serializing_if = "Option::is_none"
    )]
    pub hifmi_pay: Option<Money>,
    #[serde(
        default,
        deserialize_with = "opt_amount",
        skip_serializing_if = "Option::is_none"
    )]
    pub hifob_pay: Option<Money>,
    #[serde(
        default,
        deserialize_with = "opt_amount",
        skip_serializing_if = "Option::is_none"
    )]
    pub maf_pay: Option<Money>,
    #[serde(
        default,
        deserialize_with = "opt_amount",
        skip_serializing_if = "Option::is_none"
    )]
    pub oth_pay: Option<Money>,
    #[serde(
        default,
        deserialize_with = "opt_amount",
        skip_serializing_if = "Option::is_none"
    )]
    pub hifdm_pay: Option<Money>,
    /// 个人账户支出: cleared between regions only when the request says `include_acct_pay`.
    #[serde(
        default,
        deserialize_with = "opt_amount",
        skip_serializing_if = "Option::is_none"
    )]
    pub acct_pay: Option<Money>,
    /// 扣减金额: the treatment place's audit deduction on this settlement (002 §51; 003 §55). No national
    /// field name exists for it; `audit_deduct_amt` is accepted too.
    #[serde(
        default,
        deserialize_with = "opt_amount",
        alias = "audit_deduct_amt",
        skip_serializing_if = "Option::is_none"
    )]
    pub deduct_amt: Option<Money>,
    #[serde(
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub psn_no: Option<String>,
    #[serde(
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub certno: Option<String>,
    #[serde(
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub psn_name: Option<String>,
    #[serde(
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub gend: Option<String>,
    #[serde(
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub fixmedins_name: Option<String>,
    /// 住院号 (`medrcdno` accepted).
    #[serde(
        default,
        deserialize_with = "opt_text",
        alias = "medrcdno",
        skip_serializing_if = "Option::is_none"
    )]
    pub ipt_no: Option<String>,
    #[serde(
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub invono: Option<String>,
    #[serde(
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub begndate: Option<String>,
    #[serde(
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub enddate: Option<String>,
}

impl SettlementRecord {
    /// 医保基金支付金额 of this record: `fund_pay_sumamt`, or the sum of the fund columns when absent;
    /// plus `acct_pay` when personal-account payments are cleared too.
    pub fn fund_amount(&self, include_acct_pay: bool) -> Money {
        let funds = match self.fund_pay_sumamt {
            Some(f) => f,
            None => [
                self.hifp_pay,
                self.cvlserv_pay,
                self.hifes_pay,
                self.hifmi_pay,
                self.hifob_pay,
                self.maf_pay,
                self.oth_pay,
                self.hifdm_pay,
            ]
            .into_iter()
            .flatten()
            .sum(),
        };
        if include_acct_pay {
            funds + self.acct_pay.unwrap_or(Money::ZERO)
        } else {
            funds
        }
    }

    /// Whether the record is an inpatient stay (`med_type` 2x or `clr_type` 21).
    pub fn is_inpatient(&self) -> bool {
        self.med_type.as_deref().is_some_and(|m| m.starts_with('2'))
            || self.clr_type.as_deref().is_some_and(|c| c == "21")
    }

    /// Check the amounts clearing relies on: present, at the fen, within bounds; a deduction within the
    /// fund amount it is taken from and of its sign (a reversal's deduction is reversed with it, so a
    /// deduction is taken once, 000 §38).
    pub fn check_amounts(&self) -> Result<(), ApiError> {
        // Every amount that can reach a notice: a fund column left at a fraction of a fen would make the
        // rows and their 合计 disagree.
        let fields = [
            ("medfee_sumamt", self.medfee_sumamt),
            ("fund_pay_sumamt", self.fund_pay_sumamt),
            ("hifp_pay", self.hifp_pay),
            ("cvlserv_pay", self.cvlserv_pay),
            ("hifes_pay", self.hifes_pay),
            ("hifmi_pay", self.hifmi_pay),
            ("hifob_pay", self.hifob_pay),
            ("maf_pay", self.maf_pay),
            ("oth_pay", self.oth_pay),
            ("hifdm_pay", self.hifdm_pay),
            ("acct_pay", self.acct_pay),
            ("deduct_amt", self.deduct_amt),
        ];
        for (name, v) in fields {
            if let Some(m) = v {
                if !m.is_fen_exact() {
                    return Err(ApiError::new(
                        ErrorCode::Amount,
                        format!("{name} 金额 {} 不是精确到分的金额", m.dec()),
                        format!("{name} amount {} is not exact to the fen", m.dec()),
                    )
                    .at(name));
                }
                if m.dec().abs() > MAX_AMOUNT {
                    return Err(ApiError::new(
                        ErrorCode::Amount,
                        format!("{name} 金额超出上限"),
                        format!("{name} amount beyond the accepted maximum"),
                    )
                    .at(name));
                }
            }
        }
        if self.fund_pay_sumamt.is_none() && self.hifp_pay.is_none() {
            return Err(ApiError::missing("fund_pay_sumamt"));
        }
        if let Some(d) = self.deduct_amt.filter(|d| !d.is_zero()) {
            let fund = self.fund_amount(true);
            if d.is_negative() != fund.is_negative() || d.dec().abs() > fund.dec().abs() {
                return Err(ApiError::new(
                    ErrorCode::Amount,
                    format!("扣减金额 {} 应与基金支付金额 {} 同号且不超过它（冲销记录的扣减随之冲销）", d.dec(), fund.dec()),
                    format!(
                        "deduct_amt {} must have the sign of the fund amount {} and not exceed it (a reversal reverses its deduction)",
                        d.dec(),
                        fund.dec()
                    ),
                )
                .at("deduct_amt"));
            }
        }
        Ok(())
    }

    /// The settlement date (first 10 characters of `setl_time`), if given and valid.
    pub fn setl_date(&self) -> Option<chrono::NaiveDate> {
        let b = self.setl_time.as_deref()?.as_bytes();
        if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            b.get(r)?.iter().try_fold(0u32, |n, c| {
                c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
            })
        };
        chrono::NaiveDate::from_ymd_opt(i32::try_from(num(0..4)?).ok()?, num(5..7)?, num(8..10)?)
    }
}

/// A code or text sent as a JSON string or number; blank is absent. (A visitor, not an untagged enum:
/// this runs a million times a month.)
fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string or a number")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_any(V)
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
            let t = s.trim();
            Ok(if t.is_empty() { None } else { Some(t.to_string()) })
        }
        fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
            Ok(Some(n.to_string()))
        }
        fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
            Ok(Some(n.to_string()))
        }
    }
    d.deserialize_any(V)
}

/// An amount sent as a JSON number or string; blank or null is absent. The core's one reader of amounts
/// (`money::opt_money`), so no binary float is ever named here and records read like every other input.
fn opt_amount<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Money>, D::Error> {
    crate::money::opt_money::deserialize(d)
}

fn line_error(line: usize, e: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        ErrorCode::Json,
        format!("第 {line} 行不是有效的结算记录：{e}"),
        format!("line {line} is not a valid settlement record: {e}"),
    )
    .at(format!("line {line}"))
}

/// Read NDJSON (one JSON object a line; blank lines skipped). Errors name the line (1-based).
pub fn parse_ndjson(text: &str) -> Result<Vec<SettlementRecord>, ApiError> {
    Ok(parse_ndjson_numbered(text, 0)?
        .into_iter()
        .map(|(_, r)| r)
        .collect())
}

/// [`parse_ndjson`] keeping each record's line number (plus `line_offset`, for a chunk of a larger file).
pub fn parse_ndjson_numbered(
    text: &str,
    line_offset: usize,
) -> Result<Vec<(usize, SettlementRecord)>, ApiError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let l = line.trim();
        if l.is_empty() {
            continue;
        }
        let n = i + 1 + line_offset;
        let r: SettlementRecord = serde_json::from_str(l).map_err(|e| line_error(n, e))?;
        out.push((n, r));
    }
    Ok(out)
}

/// Read CSV with a header row of national field names (UTF-8, optional BOM, `,` separated, RFC 4180
/// quoting, CRLF or LF). Unknown columns are ignored; empty cells are absent values.
pub fn parse_csv(text: &str) -> Result<Vec<SettlementRecord>, ApiError> {
    Ok(parse_csv_numbered(text, 0)?.into_iter().map(|(_, r)| r).collect())
}

/// [`parse_csv`] keeping each record's line number (plus `line_offset`: a chunk of a larger file starts
/// with the header repeated, and `line_offset` is the number of file lines before the chunk's first data
/// line, minus one).
pub fn parse_csv_numbered(
    text: &str,
    line_offset: usize,
) -> Result<Vec<(usize, SettlementRecord)>, ApiError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let rows = csv_rows(text)?;
    let mut it = rows.into_iter();
    let Some((_, header)) = it.next() else {
        return Ok(Vec::new());
    };
    let header: Vec<String> = header.into_iter().map(|h| h.trim().to_string()).collect();
    let mut out = Vec::new();
    for (line, cells) in it {
        let line = line + line_offset;
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if cells.len() > header.len() {
            return Err(line_error(
                line,
                format!(
                    "{} cells but the header has {} columns",
                    cells.len(),
                    header.len()
                ),
            ));
        }
        // Every cell is text: read through serde's own map-of-strings deserializer (the same reading as a
        // JSON object of strings; serde_json's `Value` as a deserializer would bring float code along).
        let fields = header
            .iter()
            .zip(&cells)
            .map(|(h, c)| (h.as_str(), c.trim()))
            .filter(|(h, c)| !c.is_empty() && !h.is_empty());
        let r = SettlementRecord::deserialize(
            serde::de::value::MapDeserializer::<_, serde::de::value::Error>::new(fields),
        )
        .map_err(|e| line_error(line, e))?;
        out.push((line, r));
    }
    Ok(out)
}

/// Split CSV text into rows of cells, each with its 1-based starting line.
fn csv_rows(text: &str) -> Result<Vec<(usize, Vec<String>)>, ApiError> {
    let mut rows = Vec::new();
    let mut row: Vec<String> = Vec::new();
    let mut cell = String::new();
    let mut in_quotes = false;
    let mut line = 1usize;
    let mut row_line = 1usize;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    cell.push('"');
                    chars.next();
                }
                '"' => in_quotes = false,
                '\n' => {
                    line += 1;
                    cell.push(c);
                }
                _ => cell.push(c),
            }
            continue;
        }
        match c {
            '"' if cell.trim().is_empty() => {
                cell.clear();
                in_quotes = true;
            }
            ',' => row.push(std::mem::take(&mut cell)),
            '\r' => {}
            '\n' => {
                row.push(std::mem::take(&mut cell));
                rows.push((row_line, std::mem::take(&mut row)));
                line += 1;
                row_line = line;
            }
            _ => cell.push(c),
        }
    }
    if in_quotes {
        return Err(line_error(row_line, "unterminated quoted cell"));
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push((row_line, row));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ndjson_numbers_and_strings() {
        let t = "{\"setl_id\":\"S1\",\"insuplc_admdvs\":\"610100\",\"mdtrtarea_admvs\":330100,\"fund_pay_sumamt\":12.3}\n\n\
                 {\"setl_id\":2,\"insuplc_admdvs\":\"610100\",\"mdtrtarea_admdvs\":\"330100\",\"hifp_pay\":\"5.00\",\"hifob_pay\":\"1.10\"}\n";
        let r = parse_ndjson(t).unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].fund_amount(false).to_string(), "12.30");
        assert_eq!(r[1].fund_amount(false).to_string(), "6.10");
        assert_eq!(r[1].setl_id.as_deref(), Some("2"));
        let t = "{\"insuplc_admdvs\":610100,\"mdtrtarea_admvs\":\"330100\",\"fund_pay_sumamt\":\"1e3\",\"acct_pay\":\"\",\"deduct_amt\":null,\"gend\":1}";
        let r = parse_ndjson(t).unwrap();
        assert_eq!(r[0].fund_pay_sumamt.unwrap().to_string(), "1000.00");
        assert_eq!(
            (r[0].acct_pay, r[0].deduct_amt, r[0].gend.as_deref()),
            (None, None, Some("1"))
        );
        assert!(
            parse_ndjson("{\"insuplc_admdvs\":\"610100\",\"mdtrtarea_admvs\":\"330100\",\"hifp_pay\":\"x\"}")
                .is_err()
        );
        assert!(
            parse_ndjson("{\"insuplc_admdvs\":\"610100\",\"mdtrtarea_admvs\":\"330100\",\"hifp_pay\":1e30}")
                .is_err()
        );
        let e = parse_ndjson("{\"insuplc_admdvs\":\"61\"}\n").unwrap_err();
        assert_eq!(e.path, "line 1");
    }

    #[test]
    fn csv_quotes_bom_crlf() {
        let t = "\u{feff}setl_id,insuplc_admdvs,mdtrtarea_admvs,fund_pay_sumamt,fixmedins_name\r\n\
                 S1,610100,330100,100.00,\"浙江大学医学院附属第一医院, 庆春院区\"\r\n\
                 S2,610100,330100,-20.50,\"a \"\"b\"\"\"\r\n";
        let r = parse_csv(t).unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(
            r[0].fixmedins_name.as_deref(),
            Some("浙江大学医学院附属第一医院, 庆春院区")
        );
        assert_eq!(r[1].fixmedins_name.as_deref(), Some("a \"b\""));
        assert_eq!(r[1].fund_amount(false).to_string(), "-20.50");
        let e = parse_csv("setl_id,insuplc_admdvs\nS1,abc\n").unwrap_err();
        assert_eq!(e.path, "line 2");
    }
}
