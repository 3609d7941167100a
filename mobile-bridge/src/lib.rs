//! # yidi-bridge — the Yidi core for JavaScript (browsers, Node, mini-programs)
//!
//! The wasm-bindgen flavour of the `@yidi/bridge` npm package. It exports two functions to JS:
//!
//! - `call(op, request)`: takes the request as a **JS object** and returns the whole response envelope
//!   (`{api_version, op, ok, result | error}`) as a JS object. Both directions are streamed through
//!   serde-wasm-bindgen with `serde-transcode`, so object keys keep the core's order and
//!   `JSON.stringify` of the answer is byte-identical to the native core's JSON.
//! - `callJson(envelope)`: JSON text in, JSON text out, exactly [`yidi_core::api::handle_json`].
//!
//! The typed per-operation functions (`settle`, `estimate`, …), the `YidiError` thrown for `ok: false`
//! and the input checks (money as decimal strings, never JS numbers) live in the package's shared JS
//! layer, which the mini-program flavour (the C-ABI module of `guest/` with a hand-written loader) uses
//! too: one TypeScript API over both. See `mobile-bridge/README.md`.

use wasm_bindgen::prelude::*;

/// Build the core's request envelope for `op` around a request already serialised as JSON.
pub fn envelope(op: &str, request_json: &str) -> String {
    let op = serde_json::Value::String(op.to_string());
    format!(
        r#"{{"api_version":"{}","op":{op},"request":{request_json}}}"#,
        yidi_core::api::API_VERSION
    )
}

/// Call one operation with a JS object; returns the response envelope as a JS object.
///
/// Fails (a JS `Error`) only when the request cannot be read as JSON data (a BigInt out of range, a
/// Symbol …); the shared JS layer checks requests before they get here.
#[wasm_bindgen]
pub fn call(op: &str, request: JsValue) -> Result<JsValue, JsError> {
    let mut request_json = Vec::with_capacity(256);
    let mut ser = serde_json::Serializer::new(&mut request_json);
    serde_transcode::transcode(serde_wasm_bindgen::Deserializer::from(request), &mut ser)
        .map_err(|e| JsError::new(&format!("request is not JSON data: {e}")))?;
    let request_json = String::from_utf8(request_json).map_err(|e| JsError::new(&e.to_string()))?;
    let answer = yidi_core::api::handle_json(&envelope(op, &request_json));
    let mut de = serde_json::Deserializer::from_str(&answer);
    serde_transcode::transcode(&mut de, &serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&format!("response not representable in JS: {e}")))
}

/// The core's JSON API unchanged: one request envelope as JSON text in, the response envelope out.
#[wasm_bindgen(js_name = callJson)]
pub fn call_json(input: &str) -> String {
    yidi_core::api::handle_json(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_escapes_the_op_and_reaches_the_core() {
        let e = envelope("amount.daxie", r#"{"amount":"1010.05"}"#);
        assert_eq!(
            e,
            r#"{"api_version":"1","op":"amount.daxie","request":{"amount":"1010.05"}}"#
        );
        let out = call_json(&e);
        assert!(out.contains("壹仟零壹拾元零伍分"), "{out}");
        assert!(envelope("a\"b", "{}").contains(r#""op":"a\"b""#));
    }
}
