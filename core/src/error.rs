//! Errors of the public API: a stable code, a message in Chinese and English, and the path of the
//! input field that caused it. Codes never change meaning once published; new codes may be added.

use crate::prelude::*;
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
