//! Money between regions — the agency toolkit: prepayment (预付金), monthly clearing and netting
//! (清算/轧差) with receivable and payable notices and the journal, 协查, collaboration deadlines, and the
//! working-day calendar every deadline is computed on. API ops under `clearing.*` and `calendar.*` are
//! dispatched here.
//!
//! Data (embedded with `include_str!`): `core/data/calendar/holidays/YYYY.json` (the State Council's annual
//! holiday notice, extendable per request with `extra_years`) and `core/data/calendar/profiles/*.json`
//! (per-province clearing calendars, prepayment rule, thresholds and deadlines, each with its citation).

pub mod calendar;
pub mod deadline;
pub mod month;
pub mod prepayment;
pub mod profile;
pub mod records;
pub mod render;
pub mod xiecha;

pub use calendar::{Calendar, HolidayYear};
pub use month::{Aggregator, MonthRequest, MonthResponse, clear_month};
pub use records::{SettlementRecord, parse_csv, parse_ndjson};

use crate::api::decode_str as decode;
use crate::error::{ApiError, ErrorCode};
use serde::Serialize;
use serde_json::Value;

/// The ops of this module, for `version`-style listings and the schema generator.
pub const OPS: [&str; 10] = [
    "calendar.day",
    "calendar.add_working_days",
    "calendar.deadline",
    "calendar.month_steps",
    "calendar.years",
    "clearing.prepayment",
    "clearing.aggregate",
    "clearing.month",
    "clearing.xiecha",
    "clearing.collab_deadline",
];

fn encode<T: Serialize>(t: &T) -> Result<Value, ApiError> {
    serde_json::to_value(t).map_err(|e| {
        ApiError::new(
            ErrorCode::Json,
            format!("内部序列化错误：{e}"),
            format!("internal serialisation error: {e}"),
        )
    })
}

/// Dispatch a `clearing.*` or `calendar.*` op on the request's JSON text (read straight into its type:
/// a `Value` in between would be read again through serde_json's `Value` deserializer, which brings float
/// parsing and printing into every module that holds these ops).
pub fn dispatch(op: &str, request: &str) -> Result<Value, ApiError> {
    match op {
        "calendar.day" => encode(&deadline::day(&decode(request)?)?),
        "calendar.add_working_days" => encode(&deadline::add_working_days(&decode(request)?)?),
        "calendar.deadline" => encode(&deadline::deadline(&decode(request)?)?),
        "calendar.month_steps" => encode(&deadline::month_steps(&decode(request)?)?),
        "calendar.years" => {
            // An empty request (`null`) asks for the embedded years.
            let req = if request.trim() == "null" {
                deadline::YearsRequest::default()
            } else {
                decode(request)?
            };
            encode(&deadline::years(&req)?)
        }
        "clearing.prepayment" => encode(&prepayment::prepayment(&decode(request)?)?),
        "clearing.aggregate" => encode(&month::aggregate(&decode(request)?)?),
        "clearing.month" => encode(&month::clear_month(&decode(request)?)?),
        "clearing.xiecha" => encode(&xiecha::xiecha(&decode(request)?)?),
        "clearing.collab_deadline" => encode(&deadline::collab(&decode(request)?)?),
        _ => Err(ApiError::new(
            ErrorCode::UnknownOp,
            format!("未知操作“{op}”"),
            format!("unknown op \"{op}\""),
        )
        .at("op")),
    }
}
