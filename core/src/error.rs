//! Errors of the public API: a stable code, a message in Chinese and English, and the path of the
//! input field that caused it. Codes never change meaning once published; new codes may be added.

use crate::prelude::*;
use alloc::borrow::Cow;
use core::fmt;
use serde::{Deserialize, Serialize};

/// Stable error codes of the API. Hosts map them to HTTP statuses and UIs to the field in error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum ErrorCode {
    /// The request is not valid JSON or does not have the envelope's shape.
    #[serde(rename = "E_JSON")]
    Json,
    /// The envelope names an API version this core does not speak.
    #[serde(rename = "E_VERSION")]
    Version,
    /// The envelope names an operation this core does not have.
    #[serde(rename = "E_UNKNOWN_OP")]
    UnknownOp,
    /// A code (insutype, med_type, region, category …) is not in its code table.
    #[serde(rename = "E_UNKNOWN_CODE")]
    UnknownCode,
    /// A required field is missing.
    #[serde(rename = "E_MISSING_FIELD")]
    MissingField,
    /// An amount is negative where it may not be, or beyond any real bill.
    #[serde(rename = "E_AMOUNT")]
    Amount,
    /// `det_item_fee_sumamt` differs from `cnt × pric` by more than a fen.
    #[serde(rename = "E_LINE_TOTAL")]
    LineTotal,
    /// Dates out of order (discharge before admission, end before begin …).
    #[serde(rename = "E_DATE_ORDER")]
    DateOrder,
    /// No policy pack for the region, or none in force at the date.
    #[serde(rename = "E_NO_PACK")]
    NoPack,
    /// A policy pack or catalog is malformed; the message names file, key and reason.
    #[serde(rename = "E_PACK")]
    Pack,
    /// A field is present but its value is not acceptable (a duplicate fee-line number …).
    #[serde(rename = "E_INVALID")]
    Invalid,
    /// The input is larger than the core accepts.
    #[serde(rename = "E_TOO_LARGE")]
    TooLarge,
}

impl ErrorCode {
    /// The wire string of the code, e.g. `E_NO_PACK`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Json => "E_JSON",
            ErrorCode::Version => "E_VERSION",
            ErrorCode::UnknownOp => "E_UNKNOWN_OP",
            ErrorCode::UnknownCode => "E_UNKNOWN_CODE",
            ErrorCode::MissingField => "E_MISSING_FIELD",
            ErrorCode::Amount => "E_AMOUNT",
            ErrorCode::LineTotal => "E_LINE_TOTAL",
            ErrorCode::DateOrder => "E_DATE_ORDER",
            ErrorCode::NoPack => "E_NO_PACK",
            ErrorCode::Pack => "E_PACK",
            ErrorCode::Invalid => "E_INVALID",
            ErrorCode::TooLarge => "E_TOO_LARGE",
        }
    }
}

/// `text` with every identity number masked to its first and last four characters (`6101**********1234`):
/// a run of 15 or more digits (an `X` may follow or sit among them), in ASCII or full-width (what Chinese
/// input methods type), and the 6-8-4 grouping people write (`610104 19800101 1234`, spaces or hyphens).
/// Error messages quote the input, and a client may have typed an identity number into any member; no host
/// shows one back unmasked. Nothing is copied when there is no such run.
pub fn mask_identity_numbers(text: &str) -> Cow<'_, str> {
    let b = text.as_bytes();
    // (a digit?, byte length) of a digit-like character at byte `i`: ASCII or full-width 0-9, X or x. A
    // continuation byte is never one, so stepping byte by byte only ever stops on a character's start.
    let unit = |i: usize| -> Option<(bool, usize)> {
        match *b.get(i)? {
            c if c.is_ascii_digit() => Some((true, 1)),
            b'X' | b'x' => Some((false, 1)),
            0xEF => match (*b.get(i + 1)?, *b.get(i + 2)?) {
                (0xBC, 0x90..=0x99) => Some((true, 3)),
                (0xBC, 0xB8) | (0xBD, 0x98) => Some((false, 3)),
                _ => None,
            },
            _ => None,
        }
    };
    let digit_at = |i: usize| matches!(unit(i), Some((true, _)));
    // The end of the run of digit-like characters from `i`, and how many it holds.
    let run = |mut i: usize| {
        let mut n = 0;
        while let Some((_, l)) = unit(i) {
            i += l;
            n += 1;
        }
        (i, n)
    };
    // A next group of the 6-8-4 grouping: one space or hyphen, then a digit.
    let joined = |e: usize| matches!(b.get(e), Some(b' ' | b'-')) && digit_at(e + 1);
    let mut out: Option<String> = None;
    let (mut i, mut copied) = (0, 0);
    while i < b.len() {
        if !digit_at(i) {
            i += 1;
            continue;
        }
        let (e1, n1) = run(i);
        let mut end = (n1 >= 15).then_some((e1, n1));
        if n1 == 6 && joined(e1) {
            let (e2, n2) = run(e1 + 1);
            if n2 == 8 && joined(e2) {
                let (e3, n3) = run(e2 + 1);
                if n3 == 4 {
                    end = Some((e3, 18));
                }
            }
        }
        let Some((e, n)) = end else {
            i = e1;
            continue;
        };
        let kept = text[i..e].chars().filter(|&c| c != ' ' && c != '-');
        let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
        o.push_str(&text[copied..i]);
        o.extend(kept.clone().take(4));
        o.extend(core::iter::repeat_n('*', n - 8));
        o.extend(kept.skip(n - 4));
        copied = e;
        i = e;
    }
    match out {
        None => Cow::Borrowed(text),
        Some(mut o) => {
            o.push_str(&text[copied..]);
            Cow::Owned(o)
        }
    }
}

/// An API error: what was wrong, in both languages, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ApiError {
    pub code: ErrorCode,
    pub message_zh: String,
    pub message_en: String,
    /// JSON path of the offending input, e.g. `request.lines[3].pric`; empty when not tied to a field.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub path: String,
}

impl ApiError {
    pub fn new(code: ErrorCode, zh: impl Into<String>, en: impl Into<String>) -> Self {
        ApiError {
            code,
            message_zh: zh.into(),
            message_en: en.into(),
            path: String::new(),
        }
    }

    /// Attach the input path the error is about.
    pub fn at(mut self, path: impl Into<String>) -> Self {
        let p = path.into();
        self.path = if self.path.is_empty() {
            p
        } else if self.path.starts_with('[') {
            format!("{p}{}", self.path)
        } else {
            format!("{p}.{}", self.path)
        };
        self
    }

    pub fn missing(field: &str) -> Self {
        ApiError::new(
            ErrorCode::MissingField,
            format!("缺少必填字段 {field}"),
            format!("missing required field {field}"),
        )
        .at(field)
    }

    pub fn unknown_code(table: &str, got: &str) -> Self {
        ApiError::new(
            ErrorCode::UnknownCode,
            format!("{table} 代码“{got}”不在代码表中"),
            format!("{table} code \"{got}\" is not in its code table"),
        )
    }

    pub fn invalid(zh: impl Into<String>, en: impl Into<String>) -> Self {
        ApiError::new(ErrorCode::Invalid, zh, en)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message_en)?;
        if !self.path.is_empty() {
            write!(f, " (at {})", self.path)?;
        }
        Ok(())
    }
}

impl core::error::Error for ApiError {}

/// A malformed policy pack or catalog: the file, the key and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("policy pack {file}: key `{key}`: {reason}")]
pub struct PackError {
    file: String,
    key: String,
    reason: String,
}

impl PackError {
    pub fn new(file: impl Into<String>, key: impl Into<String>, reason: impl Into<String>) -> Self {
        PackError {
            file: file.into(),
            key: key.into(),
            reason: reason.into(),
        }
    }
    pub fn file(&self) -> &str {
        &self.file
    }
    pub fn key(&self) -> &str {
        &self.key
    }
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl From<PackError> for ApiError {
    fn from(e: PackError) -> Self {
        ApiError::new(
            ErrorCode::Pack,
            format!("政策包 {} 的字段 `{}` 有误：{}", e.file, e.key, e.reason),
            e.to_string(),
        )
    }
}

#[cfg(test)]
mod mask_tests {
    use super::mask_identity_numbers;

    #[test]
    fn identity_numbers_are_masked_and_nothing_else() {
        assert_eq!(
            mask_identity_numbers("\"11010519491231002X\" is not a decimal number"),
            "\"1101**********002X\" is not a decimal number"
        );
        assert_eq!(
            mask_identity_numbers("a 15-digit 110105491231002, 2"),
            "a 15-digit 1101*******1002, 2"
        );
        assert_eq!(
            mask_identity_numbers("两个：610104198001011234 与 330106199003074568。"),
            "两个：6101**********1234 与 3301**********4568。"
        );
        // Full-width digits (Chinese input methods) and the 6-8-4 grouping people write.
        assert_eq!(
            mask_identity_numbers("类别“５００１０３１９９００３１５１２３９”无效"),
            "类别“５００１**********１２３９”无效"
        );
        assert_eq!(
            mask_identity_numbers("op \"500103 19900315 1239\" unknown; 130102-19851212-345X."),
            "op \"5001**********1239\" unknown; 1301**********345X."
        );
        // Shorter runs (amounts, codes, dates, line numbers) stay as they are, and nothing is copied.
        for t in [
            "1000 2000 3000 4000 5000",
            "610104 1980 0101",
            "12345678901234.56 at line 1 column 575",
            "2026-11-23",
            "",
            "XXXXXXXXXXXXXXXXXX",
        ] {
            assert!(
                matches!(mask_identity_numbers(t), alloc::borrow::Cow::Borrowed(x) if x == t),
                "{t}"
            );
        }
    }
}
