//! Money between regions: prepayment (预付金), monthly clearing and netting (清算/轧差), notices, 协查,
//! and working-day deadlines. API ops under `clearing.*` and `calendar.*` are dispatched here.

use crate::error::{ApiError, ErrorCode};
use serde_json::Value;

/// Dispatch a `clearing.*` or `calendar.*` op.
pub fn dispatch(op: &str, _request: Value) -> Result<Value, ApiError> {
    Err(ApiError::new(ErrorCode::UnknownOp, format!("未知操作“{op}”"), format!("unknown op \"{op}\"")).at("op"))
}
