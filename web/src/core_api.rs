//! Calls into the rules core, which is linked into this wasm module: the same versioned JSON envelope
//! every host uses (`yidi_core::api::handle_json`), so the page's answers are the host's answers.

use crate::i18n::Lang;
use serde::Deserialize;
use serde_json::{Value, json};

/// An error from the core or the host, in the core's error shape.
#[derive(Clone, PartialEq, Debug, Deserialize, Default)]
pub struct ApiErr {
    pub code: String,
    #[serde(default)]
    pub message_zh: String,
    #[serde(default)]
    pub message_en: String,
    /// Where in the request the problem is (`request.filing.begndate`), used to show it by the field.
    #[serde(default)]
    pub path: Option<String>,
}

impl ApiErr {
    pub fn new(code: &str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        ApiErr {
            code: code.into(),
            message_zh: zh.into(),
            message_en: en.into(),
            path: None,
        }
    }
    pub fn at(mut self, path: &str) -> Self {
        self.path = Some(path.into());
        self
    }
    pub fn msg(&self, lang: Lang) -> &str {
        let (a, b) = match lang {
            Lang::Zh => (&self.message_zh, &self.message_en),
            Lang::En => (&self.message_en, &self.message_zh),
        };
        if a.is_empty() { b } else { a }
    }
    /// Whether this error is about the field named `field` (the last segment(s) of its path).
    pub fn is_about(&self, field: &str) -> bool {
        self.path.as_deref().is_some_and(|p| {
            let p = p.trim_end_matches(']');
            p == field
                || p.ends_with(&format!(".{field}"))
                || p.contains(&format!(".{field}."))
                || p.contains(&format!(".{field}["))
        })
    }
}

/// Run one op of the core in the page. Errors come back in the core's own words.
pub fn call(op: &str, request: Value) -> Result<Value, ApiErr> {
    let input = json!({ "api_version": "1", "op": op, "request": request }).to_string();
    parse_reply(&yidi_core::api::handle_json(&input))
}

/// Unpack a response envelope (the core's, or the host's which carries the same shape).
pub fn parse_reply(text: &str) -> Result<Value, ApiErr> {
    let v: Value = serde_json::from_str(text).map_err(|e| {
        ApiErr::new(
            "E_JSON",
            format!("无法读取应答：{e}"),
            format!("unreadable response: {e}"),
        )
    })?;
    if v.get("ok").and_then(Value::as_bool) == Some(true) {
        return Ok(v.get("result").cloned().unwrap_or(Value::Null));
    }
    match v.get("error") {
        Some(e) => Err(serde_json::from_value(e.clone())
            .unwrap_or_else(|_| ApiErr::new("E_JSON", e.to_string(), e.to_string()))),
        None => Err(ApiErr::new(
            "E_JSON",
            "应答缺少结果",
            "response has neither result nor error",
        )),
    }
}

/// The money string of a JSON value: the core sends strings ("12.30"); accept numbers from records.
pub fn money_str(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 大写 of an amount string, by the core (the pages read it from the answers that carry it).
    fn daxie(amount: &str) -> Option<String> {
        call("amount.daxie", json!({ "amount": amount }))
            .ok()
            .and_then(|r| r.get("daxie").and_then(Value::as_str).map(str::to_string))
    }

    #[test]
    fn core_answers_in_the_page_shape() {
        let r = call("version", json!({})).unwrap();
        assert_eq!(r["api_version"], "1");
        assert_eq!(daxie("1010.05").as_deref(), Some("壹仟零壹拾元零伍分"));
        let e = call("no.such.op", json!({})).unwrap_err();
        assert_eq!(e.code, "E_UNKNOWN_OP");
        assert!(e.is_about("op"));
    }

    #[test]
    fn error_paths_point_at_fields() {
        let e = ApiErr::new("E_X", "", "x").at("request.filing.begndate");
        assert!(e.is_about("begndate"));
        assert!(!e.is_about("enddate"));
        assert_eq!(e.msg(Lang::Zh), "x");
    }
}
