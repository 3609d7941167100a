//! # yidi-bridge — the Yidi core for JavaScript (browsers, Node, mini-programs)
//!
//! The wasm-bindgen flavour of the `@yidi/bridge` npm package. It exports two functions to JS:
//!
//! - `call(envelope)`: takes the request envelope (`{api_version, op, request, packs?, catalogs?}`) as a
//!   **JS object** and returns the response envelope (`{api_version, op, ok, result | error}`) as a JS
//!   object. Both directions are streamed through
//!   serde-wasm-bindgen with `serde-transcode`, so object keys keep the core's order and
//!   `JSON.stringify` of the answer is byte-identical to the native core's JSON.
//! - `callJson(envelope)`: JSON text in, JSON text out, exactly [`yidi_core::api::handle_json`].
//!
//! The typed per-operation functions (`settle`, `estimate`, …), the `YidiError` thrown for `ok: false`
//! and the input checks (money as decimal strings, never JS numbers) live in the package's shared JS
//! layer, which the mini-program flavour (the C-ABI module of `guest/` with a hand-written loader) uses
//! too: one TypeScript API over both. See `mobile-bridge/README.md`.

use wasm_bindgen::prelude::*;

/// Call the core with a request envelope given as a JS object (`{api_version, op, request, packs?,
/// catalogs?}`); returns the response envelope as a JS object.
///
/// Fails (a JS `Error`) only when the envelope cannot be read as JSON data (a BigInt out of range, a
/// Symbol …); the shared JS layer checks requests before they get here.
#[wasm_bindgen]
pub fn call(envelope: JsValue) -> Result<JsValue, JsError> {
    let mut input = Vec::with_capacity(256);
    let mut ser = serde_json::Serializer::new(&mut input);
    serde_transcode::transcode(serde_wasm_bindgen::Deserializer::from(envelope), &mut ser)
        .map_err(|e| JsError::new(&format!("request is not JSON data: {e}")))?;
    let input = String::from_utf8(input).map_err(|e| JsError::new(&e.to_string()))?;
    let answer = yidi_core::api::handle_json(&input);
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
    fn call_json_is_the_core_unchanged() {
        let e = r#"{"api_version":"1","op":"amount.daxie","request":{"amount":"1010.05"}}"#;
        assert_eq!(call_json(e), yidi_core::api::handle_json(e));
        assert!(call_json(e).contains("壹仟零壹拾元零伍分"));
    }
}
