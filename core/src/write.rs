//! The JSON of the insured person's answers (filing ops, `packs.list`, `amount.daxie`) and of every error,
//! written by hand: the same bytes serde_json writes for these types, which a test holds on every golden
//! case. The counterpart of [`crate::read`].
//!
//! Why by hand: serde's derived serializers instantiate a `serialize_entry` per field type and struct, about
//! 16 KB of the filing page's wasm module for a dozen small structs; these few functions are a fraction of
//! that. Speed is not the point here (the settle hot path has its own writer, `crate::wire`).

use crate::api::{DaxieResponse, PackSummary};
use crate::codes::{ChrgitmLv, ChrgitmType, FacilityLevel};
use crate::coverage::{CatalogPlace, Coverage, Route};
use crate::error::ApiError;
use crate::estimate::{EstimateResponse, PlannedFiling, Scenario};
use crate::filing::{
    CancelDecision, ChangeDecision, FilingDecision, Refusal, ValidityWindow, WindowResponse,
};
use crate::model::{
    Accumulators, Filing, FilingCategory, FilingStatus, Materials, PoolAccum, RiderAccum, ShortText,
    VisitCategory,
};
use crate::money::{Dec, Money, round_fen, write_decimal};
use crate::policy::ParamUse;
use crate::prelude::*;
use crate::settle::{LineSplit, SetlDetail, SetlInfo, SettleResponse};
use crate::smallmap::SortedMap;
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

impl ToJson for ShortText {
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
        string(o, FilingCategory::NAMES[*self as usize]);
    }
}

impl ToJson for FilingStatus {
    fn write_json(&self, o: &mut String) {
        string(o, FilingStatus::NAMES[*self as usize]);
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

// --- The estimate page's answers: `coverage.resolve` and `estimate` (with the settlement it contains).

impl ToJson for i64 {
    fn write_json(&self, o: &mut String) {
        if *self < 0 {
            o.push('-');
        }
        uint(o, self.unsigned_abs());
    }
}

impl ToJson for i32 {
    fn write_json(&self, o: &mut String) {
        i64::from(*self).write_json(o);
    }
}

impl ToJson for Dec {
    /// As `Dec`'s `Serialize`: its exact value without trailing zeros, as a string.
    fn write_json(&self, o: &mut String) {
        let mut buf = [0u8; 64];
        string(o, write_decimal(&mut buf, self.0, 0, true));
    }
}

/// Enums serde writes by a name or a code.
macro_rules! named {
    ($($t:ty => $name:expr;)*) => {$(
        impl ToJson for $t {
            fn write_json(&self, o: &mut String) {
                let f: fn(&$t) -> &str = $name;
                string(o, f(self));
            }
        }
    )*};
}

named! {
    ChrgitmLv => |c| c.code();
    ChrgitmType => |c| c.code();
    FacilityLevel => |c| c.code();
    Route => |r| match r {
        Route::Direct => "direct",
        Route::ManualReimbursement => "manual_reimbursement",
        Route::NotCovered => "not_covered",
    };
    CatalogPlace => |c| match c {
        CatalogPlace::TreatmentPlace => "treatment_place",
        CatalogPlace::InsuredPlace => "insured_place",
    };
    VisitCategory => |v| match v {
        VisitCategory::Local => "local",
        VisitCategory::LongTermAtDestination => "long_term_at_destination",
        VisitCategory::LongTermAtHome => "long_term_at_home",
        VisitCategory::Referral => "referral",
        VisitCategory::Emergency => "emergency",
        VisitCategory::OtherTemporary => "other_temporary",
        VisitCategory::Unfiled => "unfiled",
        VisitCategory::IntraProvince => "intra_province",
        VisitCategory::NonNetworked => "non_networked",
    };
    PlannedFiling => |f| PlannedFiling::NAMES[*f as usize];
}

impl ToJson for Coverage {
    fn write_json(&self, o: &mut String) {
        Obj::new(o)
            .field("route", &self.route)
            .field("visit_category", &self.visit_category)
            .field("catalog_place", &self.catalog_place)
            .field("cross_province", &self.cross_province)
            .field("cross_region", &self.cross_region)
            .some("filing_id", &self.filing_id)
            .field("deemed_filed", &self.deemed_filed)
            .field("reasons", &self.reasons)
            .end();
    }
}

impl ToJson for PoolAccum {
    fn write_json(&self, o: &mut String) {
        Obj::new(o)
            .field("dedc_paid", &self.dedc_paid)
            .field("above_dedc", &self.above_dedc)
            .field("hifp_paid", &self.hifp_paid)
            .field("visits", &self.visits)
            .end();
    }
}

impl ToJson for RiderAccum {
    fn write_json(&self, o: &mut String) {
        Obj::new(o)
            .field("base", &self.base)
            .field("paid", &self.paid)
            .end();
    }
}

impl<V: ToJson> ToJson for SortedMap<ShortText, V> {
    fn write_json(&self, o: &mut String) {
        o.push('{');
        for (i, (k, v)) in self.iter().enumerate() {
            if i > 0 {
                o.push(',');
            }
            string(o, k);
            o.push(':');
            v.write_json(o);
        }
        o.push('}');
    }
}

impl ToJson for Accumulators {
    fn write_json(&self, o: &mut String) {
        Obj::new(o)
            .field("year", &self.year)
            .field("pools", &self.pools)
            .field("riders", &self.riders)
            .end();
    }
}

impl ToJson for SetlInfo {
    fn write_json(&self, o: &mut String) {
        let mut w = Obj::new(o);
        w.some("setl_id", &self.setl_id)
            .some("mdtrt_id", &self.mdtrt_id)
            .some("psn_no", &self.psn_no)
            .some("psn_name", &self.psn_name)
            .field("insutype", &self.insutype)
            .field("psn_type", &self.psn_type)
            .field("cvlserv_flag", &self.cvlserv_flag)
            .field("med_type", &self.med_type)
            .field("insuplc_admdvs", &self.insuplc_admdvs)
            .field("mdtrtarea_admvs", &self.mdtrtarea_admvs)
            .field("begndate", &self.begndate)
            .some("enddate", &self.enddate)
            .field("setl_time", &self.setl_time)
            .some("ipt_days", &self.ipt_days);
        for (k, v) in [
            ("medfee_sumamt", &self.medfee_sumamt),
            ("fulamt_ownpay_amt", &self.fulamt_ownpay_amt),
            ("overlmt_selfpay", &self.overlmt_selfpay),
            ("preselfpay_amt", &self.preselfpay_amt),
            ("inscp_scp_amt", &self.inscp_scp_amt),
            ("act_pay_dedc", &self.act_pay_dedc),
            ("hifp_pay", &self.hifp_pay),
        ] {
            w.field(k, v);
        }
        w.some("pool_prop_selfpay", &self.pool_prop_selfpay);
        for (k, v) in [
            ("cvlserv_pay", &self.cvlserv_pay),
            ("hifes_pay", &self.hifes_pay),
            ("hifmi_pay", &self.hifmi_pay),
            ("hifob_pay", &self.hifob_pay),
            ("maf_pay", &self.maf_pay),
            ("hosp_part_amt", &self.hosp_part_amt),
            ("oth_pay", &self.oth_pay),
            ("fund_pay_sumamt", &self.fund_pay_sumamt),
            ("psn_part_amt", &self.psn_part_amt),
            ("acct_pay", &self.acct_pay),
            ("psn_cash_pay", &self.psn_cash_pay),
            ("balc", &self.balc),
            ("acct_mulaid_pay", &self.acct_mulaid_pay),
        ] {
            w.field(k, v);
        }
        w.field("clr_type", &self.clr_type)
            .field("clr_way", &self.clr_way)
            .some("pay_loc", &self.pay_loc)
            .some("dedc_std", &self.dedc_std)
            .some("crt_dedc", &self.crt_dedc)
            .end();
    }
}

impl ToJson for SetlDetail {
    fn write_json(&self, o: &mut String) {
        let mut w = Obj::new(o);
        w.field("fund_pay_type", &self.fund_pay_type)
            .field("fund_pay_type_name", &self.fund_pay_type_name)
            .field("inscp_scp_amt", &self.inscp_scp_amt)
            .some("crt_payb_lmt_amt", &self.crt_payb_lmt_amt)
            .field("fund_payamt", &self.fund_payamt);
        if !self.setl_proc_info.is_empty() {
            w.field("setl_proc_info", &self.setl_proc_info);
        }
        w.end();
    }
}

impl ToJson for LineSplit {
    fn write_json(&self, o: &mut String) {
        Obj::new(o)
            .field("feedetl_sn", &self.feedetl_sn)
            .some("init_feedetl_sn", &self.init_feedetl_sn)
            .field("med_list_codg", &self.med_list_codg)
            .some("med_list_name", &self.med_list_name)
            .some("med_chrgitm_type", &self.med_chrgitm_type)
            .some("chrgitm_lv", &self.chrgitm_lv)
            .field("cnt", &self.cnt)
            .field("pric", &self.pric)
            .field("det_item_fee_sumamt", &self.det_item_fee_sumamt)
            .field("pric_uplmt_amt", &self.pric_uplmt_amt)
            .field("selfpay_prop", &self.selfpay_prop)
            .field("fulamt_ownpay_amt", &self.fulamt_ownpay_amt)
            .field("overlmt_amt", &self.overlmt_amt)
            .field("preselfpay_amt", &self.preselfpay_amt)
            .field("inscp_scp_amt", &self.inscp_scp_amt)
            .field("lmt_used_flag", &self.lmt_used_flag)
            .field("in_catalog", &self.in_catalog)
            .end();
    }
}

impl ToJson for SettleResponse {
    fn write_json(&self, o: &mut String) {
        let mut w = Obj::new(o);
        w.field("setlinfo", &self.setlinfo)
            .field("setldetail", &self.setldetail);
        if !self.lines.is_empty() {
            w.field("lines", &self.lines);
        }
        w.field("coverage", &self.coverage)
            .field("fund_pay_sumamt_daxie", &self.fund_pay_sumamt_daxie)
            .field("psn_cash_pay_daxie", &self.psn_cash_pay_daxie)
            .field("accumulators_before", &self.accumulators_before)
            .field("accumulators_delta", &self.accumulators_delta)
            .field("accumulators_after", &self.accumulators_after)
            .some("catalog", &self.catalog)
            .field("uses_unverified_values", &self.uses_unverified_values);
        if !self.trace.is_empty() {
            w.field("trace", &self.trace);
        }
        w.end();
    }
}

impl ToJson for Scenario {
    fn write_json(&self, o: &mut String) {
        Obj::new(o)
            .field("label_zh", &self.label_zh)
            .field("label_en", &self.label_en)
            .field("filing", &self.filing)
            .field("hosp_lv", &self.hosp_lv)
            .some("route", &self.route)
            .some("visit_category", &self.visit_category)
            .some("fund_pay_sumamt", &self.fund_pay_sumamt)
            .some("psn_part_amt", &self.psn_part_amt)
            .some("pay_at_facility", &self.pay_at_facility)
            .some("error", &self.error)
            .end();
    }
}

impl ToJson for EstimateResponse {
    fn write_json(&self, o: &mut String) {
        Obj::new(o)
            .field("result", &self.result)
            .field("scenarios", &self.scenarios)
            .some("filing_saves", &self.filing_saves)
            .field("assumptions", &self.assumptions)
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

    /// The enums' name tables (shared with the reader) are serde's names, variant by variant.
    #[test]
    fn name_tables_are_serdes() {
        for (v, n) in FilingCategory::ALL.iter().zip(FilingCategory::NAMES) {
            assert_eq!(serde_json::to_string(v).unwrap(), format!("\"{n}\""));
            same(v);
        }
        for (v, n) in FilingStatus::ALL.iter().zip(FilingStatus::NAMES) {
            assert_eq!(serde_json::to_string(v).unwrap(), format!("\"{n}\""));
            same(v);
        }
        for (v, n) in PlannedFiling::ALL.iter().zip(PlannedFiling::NAMES) {
            assert_eq!(serde_json::to_string(v).unwrap(), format!("\"{n}\""));
            same(v);
        }
        use crate::policy::ChangeReason;
        for (v, n) in ChangeReason::ALL.iter().zip(ChangeReason::NAMES) {
            assert_eq!(serde_json::to_string(v).unwrap(), format!("\"{n}\""));
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
        let cats = FilingCategory::NAMES;
        let reasons = crate::policy::ChangeReason::NAMES;
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

/// The estimate page's answers on every golden estimate and coverage request (and on each of them again
/// without trace and comparison, and with line results): the hand-written JSON is serde_json's.
#[cfg(test)]
#[cfg(all(feature = "embedded-packs", feature = "estimate-ops"))]
mod estimate_answers {
    use super::*;
    use serde::Serialize;

    fn same<T: ToJson + Serialize>(v: &T) {
        assert_eq!(to_json(v), serde_json::to_string(v).unwrap());
    }

    #[test]
    fn estimate_answers_as_serde_json() {
        let packs = crate::policy::PackSet::embedded();
        let golden = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/golden");
        let mut answers = 0;
        for dir in ["estimate", "coverage"] {
            for f in std::fs::read_dir(golden.join(dir)).unwrap() {
                let case: serde_json::Value =
                    serde_json::from_str(&std::fs::read_to_string(f.unwrap().path()).unwrap()).unwrap();
                let request = &case["request"]["request"];
                let mut variants = vec![request.clone()];
                for (k, v) in [("trace", false), ("compare", false)] {
                    let mut r = request.clone();
                    r[k] = v.into();
                    variants.push(r);
                }
                for r in variants {
                    let text = r.to_string();
                    if dir == "coverage" {
                        let Ok(q) = crate::read::coverage_request(&text) else {
                            continue;
                        };
                        match packs.pack(&q.person.insuplc_admdvs) {
                            Ok(pack) => match crate::coverage::resolve(pack, &q.person, &q.visit, &q.filings)
                            {
                                Ok(c) => same(&c),
                                Err(e) => same(&e),
                            },
                            Err(e) => same(&e),
                        }
                    } else {
                        let Ok(q) = crate::read::estimate_request(&text) else {
                            continue;
                        };
                        match crate::estimate::estimate(&packs, &q) {
                            Ok(a) => same(&a),
                            Err(e) => same(&e),
                        }
                    }
                    answers += 1;
                }
            }
        }
        assert!(answers >= 30, "{answers} answers");
    }
}
