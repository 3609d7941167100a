//! The one versioned JSON API that web, bridge and host all call.
//!
//! Request envelope: `{"api_version": "1", "op": "settle", "request": {…}}`.
//! Response envelope: `{"api_version": "1", "op": "settle", "ok": true, "result": {…}}` or
//! `{"api_version": "1", "op": "settle", "ok": false, "error": {"code": "E_…", "message_zh": …, "message_en": …, "path": …}}`.
//! The same input gives byte-identical output on every host: no maps with random order, no clock.
//!
//! Optional envelope members: `"packs": [<pack JSON>, …]` replaces shipped insured-place packs for this call
//! (a host that loads packs from a path passes them here), and `"catalogs": [{"name": "x.csv", "csv": "…"}]`
//! replaces shipped treatment-place catalogs.

#[cfg(csv_catalogs)]
use crate::catalog::Catalog;
use crate::error::{ApiError, ErrorCode};
use crate::money::Money;
use crate::policy::{Pack, PackSet};
use crate::prelude::*;
use alloc::borrow::Cow;
use serde::{Deserialize, Serialize};

/// The API version this core speaks.
pub const API_VERSION: &str = "1";
/// Largest request the core accepts, in bytes. Hosts should refuse larger bodies before calling.
pub const MAX_REQUEST_BYTES: usize = 8 * 1024 * 1024;

/// The shipped packs (parsed lazily, per region, once per process or wasm instance).
fn embedded() -> &'static PackSet {
    static SET: OnceLock<PackSet> = OnceLock::new();
    SET.get_or_init(shipped)
}

/// A new set of the shipped packs, none parsed yet.
fn shipped() -> PackSet {
    #[cfg(feature = "embedded-packs")]
    {
        PackSet::embedded()
    }
    #[cfg(not(feature = "embedded-packs"))]
    {
        PackSet::new()
    }
}

/// The packs for one call: the shipped ones, overridden by any given inline.
fn packs_for(env_packs: &[&str], catalogs: &[(String, String)]) -> Result<Cow<'static, PackSet>, ApiError> {
    let base = embedded();
    if env_packs.is_empty() && catalogs.is_empty() {
        return Ok(Cow::Borrowed(base));
    }
    #[cfg(not(feature = "runtime-packs"))]
    if !env_packs.is_empty() {
        return Err(ApiError::new(
            ErrorCode::Pack,
            "此版本的核心只使用内置政策包，不接受随请求提供的政策包（packs）",
            "this build of the core uses its shipped policy packs only and takes no packs with a request (packs)",
        )
        .at("packs"));
    }
    // The phone's filing and estimate modules use the catalogs they ship with, as they use their packs, and carry
    // no CSV reader (build.rs, `csv_catalogs`): a catalog given with a request is refused, not read and ignored.
    #[cfg(not(csv_catalogs))]
    if !catalogs.is_empty() {
        return Err(ApiError::new(
            ErrorCode::Pack,
            "此模块只使用内置诊疗目录，不接受随请求提供的目录（catalogs）；医院端模块和完整核心接受",
            "this module uses its shipped catalogs only and takes no catalogs with a request (catalogs); \
             the hospital's module and the full core take them",
        )
        .at("catalogs"));
    }
    #[cfg(feature = "runtime-packs")]
    let mut set = base.clone();
    // Without runtime packs every pack is a shipped one: a new set, whose packs are read again from their
    // compiled form on use, rather than a deep copy of the parsed ones (no `Clone` code of the pack types).
    #[cfg(not(feature = "runtime-packs"))]
    let mut set = shipped();
    for (i, v) in env_packs.iter().enumerate() {
        let name = format!("inline pack #{i}");
        set.insert_pack(
            Pack::from_json(&name, v).map_err(|e| ApiError::from(e).at(format!("packs[{i}]")))?,
            v.to_string(),
        );
    }
    #[cfg(csv_catalogs)]
    for (i, (name, csv)) in catalogs.iter().enumerate() {
        set.insert_catalog(
            Catalog::from_csv(name, csv).map_err(|e| ApiError::from(e).at(format!("catalogs[{i}]")))?,
            csv.clone(),
        );
    }
    Ok(Cow::Owned(set))
}

/// Handle one API request given as JSON text; always returns a response envelope as JSON text.
pub fn handle_json(input: &str) -> String {
    if input.len() > MAX_REQUEST_BYTES {
        return reply(
            "",
            Err(ApiError::new(
                ErrorCode::TooLarge,
                format!("请求过大：{} 字节，上限 {} 字节", input.len(), MAX_REQUEST_BYTES),
                format!(
                    "request too large: {} bytes, limit {} bytes",
                    input.len(),
                    MAX_REQUEST_BYTES
                ),
            )),
        );
    }
    // The common case, a plain settle envelope, is read without serde (the same value; see `wire`).
    #[cfg(all(feature = "wire", feature = "hospital-ops"))]
    if let Some(req) = crate::wire::settle_request(input) {
        return match crate::settle::compute(embedded(), &req) {
            Ok(s) => crate::wire::settlement_reply(&s),
            Err(e) => reply("settle", Err(e)),
        };
    }
    // serde would read a JSON array positionally into the envelope struct: only an object is an envelope.
    if !input.trim_start().starts_with('{') {
        return reply(
            "",
            Err(ApiError::new(
                ErrorCode::Json,
                "请求必须是 JSON 对象（API 信封）",
                "the request must be a JSON object (the API envelope)",
            )),
        );
    }
    // Read by hand (crate::read), not by serde: a module of the mini-program package then holds no JSON reader
    // but its own. Every envelope error is E_JSON, with the member at fault as its path.
    let env = match crate::read::envelope(input) {
        Ok(e) => e,
        Err(e) => return reply("", Err(e)),
    };
    if env.api_version != API_VERSION {
        let e = ApiError::new(
            ErrorCode::Version,
            format!(
                "不支持的 API 版本“{}”，本核心使用版本 {API_VERSION}",
                env.api_version
            ),
            format!(
                "unsupported api_version \"{}\"; this core speaks version {API_VERSION}",
                env.api_version
            ),
        )
        .at("api_version");
        return reply(&env.op, Err(e));
    }
    let request = env.request.unwrap_or("null");
    let out = packs_for(&env.packs, &env.catalogs).and_then(|p| dispatch(&p, &env.op, request));
    reply(&env.op, out)
}

/// Assemble the response envelope around an already-serialised result.
fn reply(op: &str, out: Result<String, ApiError>) -> String {
    let mut op_json = String::with_capacity(op.len() + 2);
    crate::write::string(&mut op_json, op);
    match out {
        Ok(result) => {
            let mut s = String::with_capacity(result.len() + op_json.len() + 48);
            s.push_str(r#"{"api_version":""#);
            s.push_str(API_VERSION);
            s.push_str(r#"","op":"#);
            s.push_str(&op_json);
            s.push_str(r#","ok":true,"result":"#);
            s.push_str(&result);
            s.push('}');
            s
        }
        Err(mut e) => {
            // The one place every error leaves the core: identity numbers quoted from the input are masked,
            // in the messages and in the echoed op (an unknown op is whatever the client sent).
            for m in [&mut e.message_zh, &mut e.message_en] {
                if let Cow::Owned(masked) = crate::error::mask_identity_numbers(m) {
                    *m = masked;
                }
            }
            if let Cow::Owned(masked) = crate::error::mask_identity_numbers(op) {
                op_json.clear();
                crate::write::string(&mut op_json, &masked);
            }
            let err = crate::write::to_json(&e);
            format!(r#"{{"api_version":"{API_VERSION}","op":{op_json},"ok":false,"error":{err}}}"#)
        }
    }
}

/// The stable code of a request serde refused, by its message (the hand reader's tests compare with it).
pub(crate) fn serde_error_code(msg: &str) -> ErrorCode {
    if msg.contains("missing field") {
        ErrorCode::MissingField
    } else if msg.contains("decimal number") || msg.contains("not an amount") {
        ErrorCode::Amount
    } else if msg.contains("not in its code table") || msg.contains("unknown variant") {
        ErrorCode::UnknownCode
    } else {
        ErrorCode::Json
    }
}

/// The API error for serde's message `msg` about the field at `path` inside the request (empty: unknown).
fn decode_error_in(msg: &str, path: &str) -> ApiError {
    let code = serde_error_code(msg);
    let e = ApiError::new(
        code,
        format!("请求内容有误：{msg}"),
        format!("invalid request: {msg}"),
    );
    if path.is_empty() { e } else { e.at(path) }.at("request")
}

/// Decode the `request` member's JSON text into a typed request, mapping serde errors to a clear API error.
pub fn decode_str<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    serde_json::from_str(text).map_err(|e| {
        // serde_json names a line and column of text the user never sees: the field at that place is named
        // instead, read off the text by `json_path_at` (no second, path-tracking deserialiser per request
        // type: that was 130 KB of the phone's hospital module). Every build does the same, so every host
        // gives the same error.
        let msg = e.to_string();
        let path = match byte_offset(text, e.line(), e.column()) {
            Some(at) if e.line() > 0 => json_path_at(text, at),
            _ => String::new(),
        };
        let msg = msg.rfind(" at line ").map_or(msg.as_str(), |i| &msg[..i]);
        decode_error_in(msg, &path)
    })
}

/// The byte offset of serde_json's 1-based `line` and `column` in `text`, not counting the byte at the column
/// itself: serde_json may already have looked at the next byte (the `}` closing the object whose field failed).
fn byte_offset(text: &str, line: usize, column: usize) -> Option<usize> {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.checked_sub(1)?)
        .map(str::len)
        .sum();
    Some(start + column.saturating_sub(1))
}

/// The JSON path (`lines[3].pric`) of the value being read at byte `offset` of `text`, as the text up to
/// there shows it; empty at the top level or inside an object before its first key. For error messages only.
pub fn json_path_at(text: &str, offset: usize) -> String {
    enum Frame<'a> {
        Object(Option<&'a str>),
        Array(usize),
    }
    let b = text.as_bytes();
    let end = offset.min(b.len());
    let mut stack: Vec<Frame<'_>> = Vec::new();
    let (mut key, mut expect_key) = (None, false);
    let mut i = 0;
    while i < end {
        match b[i] {
            b'{' => {
                stack.push(Frame::Object(None));
                expect_key = true;
            }
            b'[' => {
                stack.push(Frame::Array(0));
                expect_key = false;
            }
            b'}' | b']' => {
                stack.pop();
                expect_key = false;
            }
            b',' => match stack.last_mut() {
                Some(Frame::Array(n)) => *n += 1,
                Some(Frame::Object(k)) => {
                    *k = None;
                    expect_key = true;
                }
                None => {}
            },
            b':' => {
                if let Some(Frame::Object(k)) = stack.last_mut() {
                    *k = key.take();
                }
                expect_key = false;
            }
            b'"' => {
                let start = i + 1;
                let mut j = start;
                while j < b.len() && b[j] != b'"' {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                if expect_key {
                    key = text.get(start..j.min(b.len()));
                }
                i = j;
            }
            _ => {}
        }
        i += 1;
    }
    let mut out = String::new();
    for f in &stack {
        match f {
            Frame::Object(Some(k)) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Frame::Object(None) => break,
            Frame::Array(n) => {
                out.push('[');
                out.push_str(&n.to_string());
                out.push(']');
            }
        }
    }
    out
}

#[cfg(any(feature = "hospital-ops", feature = "clearing"))]
fn encode<T: Serialize>(t: &T) -> Result<String, ApiError> {
    serde_json::to_string(t).map_err(|e| {
        ApiError::new(
            ErrorCode::Json,
            format!("内部序列化错误：{e}"),
            format!("internal serialisation error: {e}"),
        )
    })
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

/// One entry of `packs.list`.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PackSummary {
    pub region: String,
    pub name_zh: String,
    pub name_en: String,
    pub summary: String,
    pub source: String,
    /// Dated values not verified against an official text.
    pub unverified_values: usize,
    /// Items in the region's treatment-place catalog (0 when none ships).
    pub catalog_items: usize,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PackGetRequest {
    pub region: crate::codes::Admdvs,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SplitRequest {
    /// Treatment place whose catalog applies.
    pub mdtrtarea_admvs: crate::codes::Admdvs,
    pub lines: Vec<crate::model::FeeLine>,
}

/// Every op of the API with its request type's schema name (for docs and the schema file).
pub const OPS: [(&str, &str); 16] = [
    ("version", "—"),
    ("amount.daxie", "DaxieRequest"),
    ("packs.list", "—"),
    ("pack.get", "PackGetRequest"),
    ("filing.validate", "FilingApplication"),
    ("filing.window", "WindowRequest"),
    ("filing.change", "ChangeRequest"),
    ("filing.cancel", "CancelRequest"),
    ("coverage.resolve", "CoverageRequest"),
    ("lines.split", "SplitRequest"),
    ("settle", "SettleRequest"),
    ("settle.reverse", "ReverseRequest"),
    ("settle.refund", "RefundRequest"),
    ("estimate", "EstimateRequest"),
    ("verify", "VerifyRequest"),
    ("precheck", "PrecheckRequest"),
];

/// The agency's ops on filings, with their request types' schema names. Built with the agency toolkit (feature
/// `clearing`), never in the phone modules: a person's phone cannot suspend or restore a filing. Kept out of
/// [`OPS`], whose ops a module without them answers "another module of the package has it".
#[cfg(feature = "clearing")]
pub const AGENCY_OPS: [(&str, &str); 1] = [("filing.treatment", "TreatmentRequest")];

/// Every op name: the core's and, when built in, the agency's (`AGENCY_OPS`, `crate::clearing::OPS`).
pub fn op_names() -> Vec<&'static str> {
    #[cfg(feature = "clearing")]
    let extra = AGENCY_OPS
        .iter()
        .map(|o| o.0)
        .chain(crate::clearing::OPS.iter().copied());
    #[cfg(not(feature = "clearing"))]
    let extra = core::iter::empty();
    OPS.iter().map(|o| o.0).chain(extra).collect()
}

fn dispatch(packs: &PackSet, op: &str, request: &str) -> Result<String, ApiError> {
    match op {
        // Written out rather than built as a `serde_json::Value` (whose serializer the module need not carry).
        "version" => Ok(format!(
            r#"{{"api_version":"{API_VERSION}","core_version":"{}"}}"#,
            env!("CARGO_PKG_VERSION")
        )),
        // Both pages write amounts in upper case: the estimate page need not load the filing page's module for it.
        #[cfg(any(feature = "filing-ops", feature = "estimate-ops"))]
        "amount.daxie" => {
            let amount = crate::read::daxie_amount(request)?;
            let d = crate::money::daxie(amount).ok_or_else(|| {
                ApiError::new(
                    ErrorCode::Amount,
                    "金额过大，无法写成大写",
                    "amount too large to write in upper case",
                )
                .at("request.amount")
            })?;
            Ok(crate::write::to_json(&DaxieResponse { amount, daxie: d }))
        }
        #[cfg(feature = "filing-ops")]
        "packs.list" => {
            let mut list = Vec::new();
            for p in packs.all()? {
                list.push(PackSummary {
                    region: p.region.code().to_string(),
                    name_zh: p.name_zh.clone(),
                    name_en: p.name_en.clone(),
                    summary: p.summary.clone(),
                    source: p.source.clone(),
                    unverified_values: p.unverified_count(),
                    catalog_items: packs.catalog_items(&p.region)?,
                });
            }
            Ok(crate::write::to_json(&list))
        }
        #[cfg(feature = "filing-ops")]
        "pack.get" => Ok(packs.pack_text(&crate::read::pack_region(request)?)?.into_owned()),
        #[cfg(feature = "filing-ops")]
        "filing.validate" => Ok(crate::write::to_json(&crate::filing::validate(
            packs,
            &crate::read::filing_application(request)?,
        )?)),
        #[cfg(feature = "filing-ops")]
        "filing.window" => Ok(crate::write::to_json(&crate::filing::window_op(
            packs,
            &crate::read::window_request(request)?,
        )?)),
        #[cfg(feature = "filing-ops")]
        "filing.change" => Ok(crate::write::to_json(&crate::filing::change(
            packs,
            &crate::read::change_request(request)?,
        )?)),
        #[cfg(feature = "filing-ops")]
        "filing.cancel" => Ok(crate::write::to_json(&crate::filing::cancel(
            packs,
            &crate::read::cancel_request(request)?,
        )?)),
        // The agency's suspension, restoration or termination of a filing (host registry endpoints); not an op of
        // the phone modules, so it is read by serde rather than by the modules' hand reader.
        #[cfg(feature = "clearing")]
        "filing.treatment" => encode(&crate::filing::treatment(&decode_str(request)?)?),
        // On the filing page ("does my filing cover a visit there?"); the estimate page's `estimate` answers the
        // coverage of its visit within its settlement, so its module need not carry this op (~6 KB of wasm).
        #[cfg(feature = "filing-ops")]
        "coverage.resolve" => {
            let r = crate::read::coverage_request(request)?;
            let pack = packs.pack(&r.person.insuplc_admdvs)?;
            Ok(crate::write::to_json(&crate::coverage::resolve(
                pack, &r.person, &r.visit, &r.filings,
            )?))
        }
        #[cfg(feature = "hospital-ops")]
        "lines.split" => {
            let r: SplitRequest = decode_str(request)?;
            let cat = packs.catalog(&r.mdtrtarea_admvs)?;
            crate::settle::catalog_or_line_levels(cat, &r.mdtrtarea_admvs, &r.lines)?;
            let mut out = Vec::with_capacity(r.lines.len());
            for (i, l) in r.lines.iter().enumerate() {
                crate::settle::check_line(l, i)?;
                out.push(crate::settle::split_line(l, cat));
            }
            #[cfg(feature = "wire")]
            return Ok(crate::wire::line_splits(&out));
            #[cfg(not(feature = "wire"))]
            return encode(&out);
        }
        #[cfg(feature = "hospital-ops")]
        "settle" => {
            let r: crate::settle::SettleRequest = decode_str(request)?;
            #[cfg(feature = "wire")]
            return Ok(crate::wire::settlement_response(&crate::settle::compute(
                packs, &r,
            )?));
            #[cfg(not(feature = "wire"))]
            return encode(&crate::settle::settle(packs, &r)?);
        }
        #[cfg(feature = "hospital-ops")]
        "settle.reverse" => encode(&crate::settle::reverse(&decode_str(request)?)?),
        #[cfg(feature = "hospital-ops")]
        "settle.refund" => encode(&crate::settle::refund(packs, &decode_str(request)?)?),
        #[cfg(feature = "estimate-ops")]
        "estimate" => Ok(crate::write::to_json(&crate::estimate::estimate(
            packs,
            &crate::read::estimate_request(request)?,
        )?)),
        #[cfg(feature = "hospital-ops")]
        "verify" => encode(&crate::verify::verify(packs, &decode_str(request)?)?),
        #[cfg(feature = "hospital-ops")]
        "precheck" => encode(&crate::precheck::precheck(packs, &decode_str(request)?)?),
        #[cfg(feature = "clearing")]
        _ if op.starts_with("clearing.") || op.starts_with("calendar.") => {
            encode(&crate::clearing::dispatch(op, request)?)
        }
        // A module built with part of the ops (the mini-program's two modules): the other part is a known op
        // that this module does not hold; the package's loader sends it to the module that does.
        #[cfg(not(all(feature = "hospital-ops", feature = "filing-ops", feature = "estimate-ops")))]
        _ if OPS.iter().any(|o| o.0 == op) => Err(ApiError::new(
            ErrorCode::UnknownOp,
            format!("此模块不含操作“{op}”，它在本包的另一个模块中"),
            format!("op \"{op}\" is not in this module; another module of the package has it"),
        )
        .at("op")),
        _ => Err(ApiError::new(
            ErrorCode::UnknownOp,
            format!("未知操作“{op}”；可用操作：{}", op_names().join(", ")),
            format!("unknown op \"{op}\"; ops: {}", op_names().join(", ")),
        )
        .at("op")),
    }
}

#[cfg(test)]
mod json_path_tests {
    use super::json_path_at;

    #[test]
    fn names_the_value_at_an_offset() {
        let t = r#"{"person":{"balc":"1"},"lines":[{"a":1},{"b":[1,2],"c":"x\"y","d":null}],"e":2}"#;
        let at = |needle: &str| json_path_at(t, t.find(needle).unwrap() + needle.len());
        assert_eq!(at(r#""balc":"1""#), "person.balc");
        assert_eq!(at(r#""a":1"#), "lines[0].a");
        assert_eq!(at(r#""b":[1,2"#), "lines[1].b[1]");
        assert_eq!(at(r#""c":"x\"y""#), "lines[1].c");
        assert_eq!(at(r#""d":null"#), "lines[1].d");
        assert_eq!(at(r#""e":2"#), "e");
        assert_eq!(json_path_at(t, 1), "");
        assert_eq!(json_path_at(t, t.len() + 10), "");
    }
}
