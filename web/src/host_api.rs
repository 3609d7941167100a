//! The host's filing API (`yidi serve`, same origin): the only calls that leave the page. Errors come
//! back in the core's error shape; a network failure becomes a clear local error.

use crate::core_api::{ApiErr, parse_reply};
use serde_json::Value;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Send `body` (JSON) with `method` to `path` and unpack the reply envelope. `token` is a filing's receipt
/// token; `version` the filing version the person saw (`If-Match`, so a change applies to that version only).
pub async fn send(
    method: &str,
    path: &str,
    body: Option<&Value>,
    token: Option<&str>,
    version: Option<i64>,
) -> Result<Value, ApiErr> {
    let offline = || {
        ApiErr::new(
            "E_NETWORK",
            "无法连接备案服务（网络中断或服务未启动）。备案需要联网；估算、预检和核验不受影响。",
            "Cannot reach the filing service (offline or server stopped). Filing needs the network; estimates, pre-checks and verification still work.",
        )
    };
    let window = web_sys::window().ok_or_else(offline)?;
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new().map_err(|_| offline())?;
    let _ = headers.set("Accept", "application/json");
    if let Some(b) = body {
        let _ = headers.set("Content-Type", "application/json");
        init.set_body(&wasm_bindgen::JsValue::from_str(&b.to_string()));
    }
    if let Some(t) = token {
        let _ = headers.set("Authorization", &format!("Bearer {t}"));
    }
    if let Some(v) = version {
        let _ = headers.set("If-Match", &format!("\"{v}\""));
    }
    init.set_headers(&headers);
    let req = web_sys::Request::new_with_str_and_init(path, &init).map_err(|_| offline())?;
    let resp = JsFuture::from(window.fetch_with_request(&req))
        .await
        .map_err(|_| offline())?;
    let resp: web_sys::Response = resp.dyn_into().map_err(|_| offline())?;
    let status = resp.status();
    let text = JsFuture::from(resp.text().map_err(|_| offline())?)
        .await
        .map_err(|_| offline())?;
    let text = text.as_string().unwrap_or_default();
    if text.trim().is_empty() {
        return Err(ApiErr::new(
            "E_HTTP",
            format!("备案服务返回空应答（HTTP {status}）"),
            format!("empty reply from the filing service (HTTP {status})"),
        ));
    }
    match parse_reply(&text) {
        Ok(v) => Ok(v),
        // A refusal on the rules carries every reason with its citation: put them in the message.
        Err(mut e) if text.contains("\"refusals\"") => {
            let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            let list = body
                .get("refusals")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let join = |lang: &str| {
                list.iter()
                    .map(|r| {
                        format!(
                            "{}（{}）",
                            r.get(lang).and_then(Value::as_str).unwrap_or(""),
                            r.get("cite").and_then(Value::as_str).unwrap_or("")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("；")
            };
            if !list.is_empty() {
                e.message_zh = format!("{}：{}", e.message_zh, join("zh"));
                e.message_en = format!("{}: {}", e.message_en, join("en"));
                e.path = list[0].get("field").and_then(Value::as_str).map(str::to_string);
            }
            Err(e)
        }
        // A plain JSON body (not an envelope) with a 2xx status is the answer itself.
        Err(e) if e.code == "E_JSON" && (200..300).contains(&status) => {
            serde_json::from_str(&text).map_err(|_| e)
        }
        Err(e) => Err(e),
    }
}
