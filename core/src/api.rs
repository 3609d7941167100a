//! The one versioned JSON API that web, bridge and host all call.
//!
//! Request envelope: `{"api_version": "1", "op": "settle", "request": {…}}`.
//! Response envelope: `{"api_version": "1", "op": "settle", "ok": true, "result": {…}}` or
//! `{"api_version": "1", "op": "settle", "ok": false, "error": {"code": "E_…", "message_zh": …, "message_en": …, "path": …}}`.
//! The same input gives byte-identical output on every host: no maps with random order, no clock.

use crate::error::{ApiError, ErrorCode};
use crate::money::{Money, daxie};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The API version this core speaks.
pub const API_VERSION: &str = "1";
/// Largest request the core accepts, in bytes. Hosts should refuse larger bodies before calling.
pub const MAX_REQUEST_BYTES: usize = 8 * 1024 * 1024;

#[derive(Debug, Deserialize)]
struct Envelope {
    api_version: String,
    op: String,
    #[serde(default)]
    request: Value,
}

#[derive(Debug, Serialize)]
struct Reply<'a> {
    api_version: &'static str,
    op: &'a str,
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    result: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<ApiError>,
}

/// Handle one API request given as JSON text; always returns a response envelope as JSON text.
pub fn handle_json(input: &str) -> String {
    if input.len() > MAX_REQUEST_BYTES {
        return reply(
            "",
            Err(ApiError::new(
                ErrorCode::TooLarge,
                format!("请求过大：{} 字节，上限 {} 字节", input.len(), MAX_REQUEST_BYTES),
                format!("request too large: {} bytes, limit {} bytes", input.len(), MAX_REQUEST_BYTES),
            )),
        );
    }
    let env: Envelope = match serde_json::from_str(input) {
        Ok(e) => e,
        Err(e) => {
            return reply(
                "",
                Err(ApiError::new(
                    ErrorCode::Json,
                    format!("请求不是有效的 API 信封 JSON：{e}"),
                    format!("request is not a valid API envelope: {e}"),
                )),
            );
        }
    };
    if env.api_version != API_VERSION {
        let e = ApiError::new(
            ErrorCode::Version,
            format!("不支持的 API 版本“{}”，本核心使用版本 {API_VERSION}", env.api_version),
            format!("unsupported api_version \"{}\"; this core speaks version {API_VERSION}", env.api_version),
        )
        .at("api_version");
        return reply(&env.op, Err(e));
    }
    let out = dispatch(&env.op, env.request);
    reply(&env.op, out)
}

fn reply(op: &str, out: Result<Value, ApiError>) -> String {
    let r = match out {
        Ok(v) => Reply { api_version: API_VERSION, op, ok: true, result: Some(v), error: None },
        Err(e) => Reply { api_version: API_VERSION, op, ok: false, result: None, error: Some(e) },
    };
    serde_json::to_string(&r).unwrap_or_else(|_| {
        // Serialising our own plain structs cannot fail; keep a constant answer rather than panic.
        String::from(r#"{"api_version":"1","op":"","ok":false,"error":{"code":"E_JSON","message_zh":"内部序列化错误","message_en":"internal serialisation error"}}"#)
    })
}

/// Decode the `request` member into a typed request, mapping serde errors to a clear API error.
pub fn decode<T: serde::de::DeserializeOwned>(v: Value) -> Result<T, ApiError> {
    serde_json::from_value(v).map_err(|e| {
        let msg = e.to_string();
        let code = if msg.contains("missing field") {
            ErrorCode::MissingField
        } else if msg.contains("code") || msg.contains("not in its code table") {
            ErrorCode::UnknownCode
        } else {
            ErrorCode::Json
        };
        ApiError::new(code, format!("请求内容有误：{msg}"), format!("invalid request: {msg}")).at("request")
    })
}

fn encode<T: Serialize>(t: &T) -> Result<Value, ApiError> {
    serde_json::to_value(t).map_err(|e| ApiError::new(ErrorCode::Json, format!("内部序列化错误：{e}"), format!("internal serialisation error: {e}")))
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DaxieRequest {
    pub amount: Money,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DaxieResponse {
    pub amount: Money,
    pub daxie: String,
}

fn dispatch(op: &str, request: Value) -> Result<Value, ApiError> {
    match op {
        "version" => encode(&serde_json::json!({ "api_version": API_VERSION, "core_version": env!("CARGO_PKG_VERSION") })),
        "amount.daxie" => {
            let r: DaxieRequest = decode(request)?;
            let d = daxie(r.amount).ok_or_else(|| {
                ApiError::new(ErrorCode::Amount, "金额过大，无法写成大写", "amount too large to write in upper case").at("request.amount")
            })?;
            encode(&DaxieResponse { amount: r.amount, daxie: d })
        }
        _ if op.starts_with("clearing.") || op.starts_with("calendar.") => crate::clearing::dispatch(op, request),
        _ => Err(ApiError::new(
            ErrorCode::UnknownOp,
            format!("未知操作“{op}”"),
            format!("unknown op \"{op}\""),
        )
        .at("op")),
    }
}
