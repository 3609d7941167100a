//! The JSON of the insured person's answers (filing ops, `packs.list`, `amount.daxie`) and of every error,
//! written by hand: the same bytes serde_json writes for these types, which a test holds on every golden
//! case. The counterpart of [`crate::read`].
//!
//! Why by hand: serde's derived serializers instantiate a `serialize_entry` per field type and struct, about
//! 16 KB of the filing page's wasm module for a dozen small structs; these few functions are a fraction of
//! that. Speed is not the point here (the settle hot path has its own writer, `crate::wire`).

use crate::api::{DaxieResponse, PackSummary};
use crate::error::ApiError;
use crate::filing::{
    CancelDecision, ChangeDecision, FilingDecision, Refusal, ValidityWindow, WindowResponse,
};
use crate::model::{Filing, FilingCategory, FilingStatus, Materials};
use crate::money::{Money, round_fen, write_decimal};
use crate::policy::ParamUse;
use crate::trace::TraceEntry;
use chrono::{Datelike, NaiveDate};

/// A value that writes itself as serde_json would serialise it (compact).
pub(crate) trait ToJson {
    fn write_json(&self, o: &mut String);
}

/// `t` as JSON text.
pub(crate) fn to_json<T: ToJson + ?Sized>(t: &T) -> String {
    let mut o = String::with_capacity(256);
    t.write_json(&mut o);
    o
}

/// A JSON string, escaped exactly as serde_json does: `"`, `\` and control characters only.
pub(crate) fn string(o: &mut String, s: &str) {
    o.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let esc = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            0x08 => "\\b",
            0x0c => "\\f",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        // `i` is an ASCII byte: a character boundary.
        o.push_str(s.get(start..i).unwrap_or_default());
        if esc.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            o.push_str("\\u00");
            o.push(char::from(HEX[usize::from(b >> 4)]));
            o.push(char::from(HEX[usize::from(b & 0xf)]));
        } else {
            o.push_str(esc);
        }
        start = i + 1;
    }
    o.push_str(s.get(start..).unwrap_or_default());
    o.push('"');
}

/// An object being written; members come in the types' declaration order, as serde derives them.
pub(crate) struct Obj<'a> {
    o: &'a mut String,
    first: bool,
}

impl<'a> Obj<'a> {
    pub(crate) fn new(o: &'a mut String) -> Self {
        o.push('{');
        Obj { o, first: true }
    }
    /// The member's key; its value is written next.
    fn key(&mut self, k: &str) -> &mut String {
        if !self.first {
            self.o.push(',');
        }
        self.first = false;
        self.o.push('"');
        self.o.push_str(k);
        self.o.push_str("\":");
        self.o
    }
    pub(crate) fn field<T: ToJson + ?Sized>(&mut self, k: &str, v: &T) -> &mut Self {
        v.write_json(self.key(k));
        self
    }
    /// A member serde skips when absent (`skip_serializing_if = "Option::is_none"`).
    pub(crate) fn some<T: ToJson>(&mut self, k: &str, v: &Option<T>) -> &mut Self {
        if let Some(v) = v {
            self.field(k, v);
        }
        self
    }
    pub(crate) fn end(&mut self) {
        self.o.push('}');
    }
}

impl ToJson for str {
    fn write_json(&self, o: &mut String) {
        string(o, self);
    }
}

impl ToJson for String {
    fn write_json(&self, o: &mut String) {
        string(o, self);
    }
}

impl ToJson for crate::model::ShortText {
    fn write_json(&self, o: &mut String) {
        string(o, self);
    }
}

impl ToJson for bool {
    fn write_json(&self, o: &mut String) {
        o.push_str(if *self { "true" } else { "false" });
    }
}

/// Unsigned integers (counts, months) through one function.
fn uint(o: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &b in &buf[i..] {
        o.push(char::from(b));
    }
}

impl ToJson for usize {
    fn write_json(&self, o: &mut String) {
        uint(o, *self as u64);
    }
}

impl ToJson for u32 {
    fn write_json(&self, o: &mut String) {
        uint(o, u64::from(*self));
    }
}

impl ToJson for Money {
    /// As `Money`'s `Serialize`: a string at fen scale.
    fn write_json(&self, o: &mut String) {
        let mut buf = [0u8; 64];
        string(o, write_decimal(&mut buf, round_fen(self.dec()), 2, false));
    }
}

impl ToJson for NaiveDate {
    /// chrono writes `YYYY-MM-DD` for years 0–9999 (other years, which no request reader accepts, go
    /// through chrono's own `Display`).
    fn write_json(&self, o: &mut String) {
        let y = self.year();
        if !(0..=9999).contains(&y) {
            string(o, &self.to_string());
            return;
        }
        let two = |o: &mut String, n: u32| {
            o.push(char::from(b'0' + (n / 10) as u8));
            o.push(char::from(b'0' + (n % 10) as u8));
        };
        o.push('"');
        two(o, y as u32 / 100);
        two(o, y as u32 % 100);
        o.push('-');
        two(o, self.month());
        o.push('-');
        two(o, self.day());
        o.push('"');
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn write_json(&self, o: &mut String) {
        match self {
            Some(v) => v.write_json(o),
            None => o.push_str("null"),
        }
    }
}

impl<T: ToJson> ToJson for [T] {
    fn write_json(&self, o: &mut String) {
        o.push('[');
        for (i, v) in self.iter().enumerate() {
            if i > 0 {
                o.push(',');
            }
            v.write_json(o);
        }
        o.push(']');
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn write_json(&self, o: &mut String) {
        self.as_slice().write_json(o);
    }
}

impl ToJson for ApiError {
    fn write_json(&self, o: &mut String) {
        let mut w = Obj::new(o);
        w.field("code", self.code.as_str())
            .field("message_zh", &self.message_zh)
            .field("message_en", &self.message_en);
        if !self.path.is_empty() {
            w.field("path", &self.path);
        }
        w.end();
    }
}

impl ToJson for DaxieResponse {
    fn write_json(&self, o: &mut String) {
        Obj::new(o)
            .field("amount", &self.amount)
            .field("daxie", &self.daxie)
            .end();
    }
}

impl ToJson for PackSummary {
    fn write_json(&self, o: &mut String) {
        Obj::new(o)
            .field("region", &self.region)
            .field("name_zh", &self.name_zh)
            .field("name_en", &self.name_en)
            .field("summary", &self.summary)
            .field("source", &self.source)
            .field("unverified_values", &self.unverified_values)
            .field("catalog_items", &self.catalog_items)
            .end();
    }
}

impl ToJson for ParamUse {
    fn write_json(&self, o: &mut String) {
        Obj::new(o)
            .field("name", &self.name)
            .field("value", &self.value)
            .field("from", &self.from)
            .some("to", &self.to)
            .field("cite", &self.cite)
            .field("verified", &self.verified)
            .some("note", &self.note)
            .field("pack", &self.pack)
            .end();
    }
}

impl ToJson for TraceEntry {
    fn write_json(&self, o: &mut String) {
        let mut w = Obj::new(o);
        w.field("field", &self.field)
            .some("amount", &self.amount)
            .field("rule", &self.rule)
            .field("cite", &self.cite);
        if !self.params.is_empty() {
            w.field("params", &self.params);
        }
        w.field("zh", &self.zh).field("en", &self.en).end();
    }
}

impl ToJson for FilingCategory {
    fn write_json(&self, o: &mut String) {
        string(
            o,
            match self {
                FilingCategory::RetireeResettled => "retiree_resettled",
                FilingCategory::LongTermResident => "long_term_resident",
                FilingCategory::PostedWorker => "posted_worker",
                FilingCategory::Referral => "referral",
                FilingCategory::Emergency => "emergency",
                FilingCategory::OtherTemporary => "other_temporary",
            },
        );
    }
}

impl ToJson for FilingStatus {
    fn write_json(&self, o: &mut String) {
        string(
            o,
            match self {
                FilingStatus::Active => "active",
                FilingStatus::Superseded => "superseded",
                FilingStatus::Cancelled => "cancelled",
                FilingStatus::Suspended => "suspended",
            },
        );
    }
}

impl ToJson for Materials {
    fn write_json(&self, o: &mut String) {
        Obj::new(o)
            .field("residence_proof", &self.residence_proof)
            .field("commitment", &self.commitment)
            .field("referral_certificate", &self.referral_certificate)
            .end();
    }
}

impl ToJson for Filing {
    fn write_json(&self, o: &mut String) {
        Obj::new(o)
            .some("filing_id", &self.filing_id)
            .field("rloc_admdvs", self.rloc_admdvs.code())
            .field("category", &self.category)
            .field("begndate", &self.begndate)
            .some("enddate", &self.enddate)
            .field("status", &self.status)
            .field("applied_date", &self.applied_date)
            .field("retroactive", &self.retroactive)
            .field("chronic_disease", &self.chronic_disease)
            .field("materials", &self.materials)
            .end();
    }
}

impl ToJson for Refusal {
    fn write_json(&self, o: &mut String) {
        Obj::new(o)
            .field("code", &self.code)
            .field("field", &self.field)
            .field("cite", &self.cite)
            .field("zh", &self.zh)
            .field("en", &self.en)
            .end();
    }
}

impl ToJson for ValidityWindow {
    fn write_json(&self, o: &mut String) {
        Obj::new(o)
            .field("begndate", &self.begndate)
            .some("enddate", &self.enddate)
            .some("months", &self.months)
            .some("change_allowed_from", &self.change_allowed_from)
            .end();
    }
}

impl ToJson for FilingDecision {
    fn write_json(&self, o: &mut String) {
        Obj::new(o)
            .field("accepted", &self.accepted)
            .field("filing", &self.filing)
            .field("window", &self.window)
            .field("refusals", &self.refusals)
            .field("explanations", &self.explanations)
            .end();
    }
}

impl ToJson for WindowResponse {
    fn write_json(&self, o: &mut String) {
        Obj::new(o)
            .field("window", &self.window)
            .field("explanations", &self.explanations)
            .end();
    }
}

impl ToJson for ChangeDecision {
    fn write_json(&self, o: &mut String) {
        Obj::new(o)
            .field("allowed", &self.allowed)
            .field("refusals", &self.refusals)
            .some("new_filing", &self.new_filing)
            .field("old_filing", &self.old_filing)
            .field("explanations", &self.explanations)
            .end();
    }
}

impl ToJson for CancelDecision {
    fn write_json(&self, o: &mut String) {
        Obj::new(o)
            .field("allowed", &self.allowed)
            .field("refusals", &self.refusals)
            .field("filing", &self.filing)
            .end();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    fn same<T: ToJson + Serialize>(v: &T) {
        assert_eq!(to_json(v), serde_json::to_string(v).unwrap());
    }

    /// Every character class serde_json treats specially, and text around it.
    #[test]
    fn strings_as_serde_json() {
        let mut all: String = (0u8..0x80).map(char::from).collect();
        all.push_str("医保 \u{7f}\u{2028}\u{1F600}末");
        for s in [
            "",
            "plain",
            "\"quoted\" \\ back",
            "tab\there\nline\r\u{8}\u{c}\u{0}\u{1f}",
            &all,
        ] {
            assert_eq!(to_json(s), serde_json::to_string(s).unwrap(), "{s:?}");
        }
    }

    #[test]
    fn numbers_dates_and_amounts_as_serde_json() {
        for n in [0usize, 7, 10, 99, 100, 12345, usize::MAX] {
            same(&n);
        }
        same(&u32::MAX);
        for d in ["0001-01-01", "0999-12-31", "2024-02-29", "9999-12-31"] {
            same(&d.parse::<NaiveDate>().unwrap());
        }
        for d in [
            NaiveDate::from_ymd_opt(-1, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(10_000, 1, 1).unwrap(),
        ] {
            same(&d);
        }
        for m in [
            "0",
            "-0.005",
            "0.005",
            "12.3",
            "-12.345",
            "79228162514264337593543950335",
            "1e-20",
        ] {
            let m: Money = serde_json::from_str(&format!("\"{m}\"")).unwrap_or(Money::ZERO);
            same(&m);
        }
        let e = ApiError::new(crate::error::ErrorCode::Amount, "金额\"x\"", "amount\n");
        same(&e);
        same(&e.at("request.amount"));
    }
}

/// Every filing op's answer on a grid of requests (places, destinations, categories, dates, materials,
/// change and cancellation reasons): the hand-written JSON is serde_json's, byte for byte.
#[cfg(test)]
#[cfg(all(feature = "embedded-packs", feature = "filing-ops"))]
mod filing_answers {
    use super::*;
    use crate::filing;
    use serde::Serialize;
    use serde_json::json;

    fn same<T: ToJson + Serialize>(v: &T) {
        assert_eq!(to_json(v), serde_json::to_string(v).unwrap());
    }

    #[test]
    fn filing_answers_as_serde_json() {
        let packs = crate::policy::PackSet::embedded();
        let mut answers = 0;
        let mut refusals = 0;
        let cats = [
            "retiree_resettled",
            "long_term_resident",
            "posted_worker",
            "referral",
            "emergency",
            "other_temporary",
        ];
        let reasons = [
            "retirement_place_changed",
            "employer_changed",
            "epidemic",
            "medical_need",
            "contact_details",
            "personal",
        ];
        for ins in ["610100", "330100", "430100", "230100", "610113", "440100"] {
            for dest in ["330100", "110000", "460000", "610100", "610113", "230100"] {
                for (ci, cat) in cats.iter().enumerate() {
                    for (begin, applied) in [
                        ("2025-01-01", "2025-02-01"),
                        ("2025-03-10", "2025-03-10"),
                        ("2024-08-31", "2024-08-31"),
                        ("2026-12-31", "2026-11-01"),
                    ] {
                        let w =
                            json!({"insuplc_admdvs": ins, "category": cat, "begndate": begin}).to_string();
                        if let Ok(r) = crate::read::window_request(&w) {
                            match filing::window_op(&packs, &r) {
                                Ok(a) => same(&a),
                                Err(e) => same(&e),
                            }
                        }
                        for m in 0..4 {
                            let app = json!({
                                "applicant": {"insuplc_admdvs": ins, "insutype": if m % 2 == 0 { "310" } else { "390" }},
                                "category": cat, "rloc_admdvs": dest, "begndate": begin, "applied_date": applied,
                                "materials": {"residence_proof": m == 1, "commitment": m == 2, "referral_certificate": m == 3},
                                "chronic_disease": m == 3,
                                "retroactive": if m == 2 { json!({"admission_date": begin, "discharge_settled": false}) } else { json!(null) },
                            })
                            .to_string();
                            let Ok(req) = crate::read::filing_application(&app) else {
                                continue;
                            };
                            let decision = match filing::validate(&packs, &req) {
                                Ok(d) => d,
                                Err(e) => {
                                    same(&e);
                                    continue;
                                }
                            };
                            same(&decision);
                            answers += 1;
                            refusals += decision.refusals.len();
                            // Changes and cancellations of every other decision: enough variety, half the time.
                            if (ci + m) % 2 == 1 {
                                continue;
                            }
                            let mut f = decision.filing.clone();
                            f.filing_id = (m == 0).then(|| format!("F{ci}\"{m}\n"));
                            let filing = serde_json::to_value(&f).unwrap();
                            for (ri, reason) in reasons.iter().enumerate() {
                                for date in [begin, "2026-06-30", "2030-01-01"] {
                                    let applicant = json!({"insuplc_admdvs": ins, "insutype": "310"});
                                    let change = json!({
                                        "applicant": applicant, "filing": filing, "date": date, "reason": reason,
                                        "documents": ri % 2 == 0,
                                        "changes": {"rloc_admdvs": if ri < 3 { json!(dest) } else { json!("440100") },
                                                    "category": cats[(ci + ri) % 6]},
                                    })
                                    .to_string();
                                    if let Ok(r) = crate::read::change_request(&change) {
                                        match filing::change(&packs, &r) {
                                            Ok(a) => same(&a),
                                            Err(e) => same(&e),
                                        }
                                    }
                                    let cancel = json!({
                                        "applicant": applicant, "filing": filing, "date": date, "reason": reason,
                                        "documents": ri % 2 == 1, "open_stay": ri == 2,
                                    })
                                    .to_string();
                                    if let Ok(r) = crate::read::cancel_request(&cancel) {
                                        match filing::cancel(&packs, &r) {
                                            Ok(a) => same(&a),
                                            Err(e) => same(&e),
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        // The grid reaches both accepted and refused filings, in numbers.
        assert!(
            answers > 1000 && refusals > 1000,
            "{answers} answers, {refusals} refusals"
        );
    }
}
