//! The writer: `settle` answers and per-line results as JSON text.

use super::plain_until;
use crate::coverage::Coverage;
use crate::model::Accumulators;
use crate::money::{Dec, Money, fixed, round_fen, write_decimal};
use crate::policy::ParamUse;
use crate::prelude::*;
use crate::settle::{LineRef, LineSplit, SetlDetail, SetlInfo, SettleResponse, Settlement};
use crate::trace::TraceEntry;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// A member's key as written after an earlier member: `,"name":` (names are plain identifiers, never
/// escaped); the first member of an object drops the comma.
macro_rules! k {
    ($name:literal) => {
        concat!(",\"", $name, "\":")
    };
}

/// "00" to "99", for writing two digits at a time. A `str`, so a pair is appended as a two-byte `&str`
/// (a fixed-size store) without a UTF-8 check.
const PAIRS: &str = match core::str::from_utf8(crate::money::PAIRS) {
    Ok(s) => s,
    Err(_) => panic!("digit pairs are ASCII"),
};

/// Powers of ten that fit a `u64`.
const POW10: [u64; 20] = {
    let mut p = [1u64; 20];
    let mut i = 1;
    while i < 20 {
        p[i] = p[i - 1] * 10;
        i += 1;
    }
    p
};

/// A JSON text being written. It is a `String` from the start, so the finished answer needs no UTF-8
/// check (checking 17–21 KB per 40-line claim was a tenth of the JSON path's instructions, more under
/// wasmtime, where the check reads four bytes at a time): whole `&str`s are appended as they are, single
/// bytes only when they are ASCII.
pub(crate) struct Out(String);

impl Out {
    fn with_capacity(n: usize) -> Self {
        Out(String::with_capacity(n))
    }
    fn finish(self) -> String {
        self.0
    }
    /// An ASCII byte (every caller passes one; masking keeps `String::push` on its one-byte path).
    #[inline(always)]
    fn push(&mut self, b: u8) {
        debug_assert!(b.is_ascii());
        self.0.push(char::from(b & 0x7f));
    }
    #[inline(always)]
    fn push_str(&mut self, s: &str) {
        self.0.push_str(s);
    }
    /// Two digits, `p` < 100.
    #[inline(always)]
    fn pair(&mut self, p: u32) {
        let at = 2 * p as usize;
        self.push_str(&PAIRS[at..at + 2]);
    }
    /// One digit, `d` < 10.
    #[inline(always)]
    fn digit(&mut self, d: u32) {
        self.push(b'0' + d as u8);
    }
    /// `v` < 10^4 without leading zeros.
    #[inline(always)]
    fn upto4(&mut self, v: u32) {
        if v < 100 {
            if v < 10 { self.digit(v) } else { self.pair(v) }
        } else {
            let hi = v / 100;
            if hi < 10 {
                self.digit(hi)
            } else {
                self.pair(hi)
            }
            self.pair(v % 100);
        }
    }
    /// `v` < 10^4 as exactly four digits.
    #[inline(always)]
    fn four(&mut self, v: u32) {
        self.pair(v / 100);
        self.pair(v % 100);
    }
    /// `v` < 10^8 as exactly eight digits.
    fn eight(&mut self, v: u32) {
        self.four(v / 10_000);
        self.four(v % 10_000);
    }
    /// An unsigned integer without leading zeros. Digits go in pairs from a table, in straight-line code:
    /// under wasmtime a per-digit loop paid an epoch check, a capacity check and spills at every step.
    #[inline(always)]
    fn uint(&mut self, v: u64) {
        if v < 10_000 {
            self.upto4(v as u32);
        } else if v < 100_000_000 {
            let v = v as u32;
            self.upto4(v / 10_000);
            self.four(v % 10_000);
        } else {
            self.uint_wide(v);
        }
    }
    /// [`Self::uint`] from 10^8 on (never an amount of a real claim, which stays below 10^10 yuan).
    #[inline(never)]
    fn uint_wide(&mut self, v: u64) {
        let (hi, lo) = (v / 100_000_000, (v % 100_000_000) as u32);
        if hi < 100_000_000 {
            self.uint(hi);
        } else {
            self.uint(hi / 100_000_000);
            self.eight((hi % 100_000_000) as u32);
        }
        self.eight(lo);
    }
    /// `v` < 10^`n` as exactly `n` digits (`n` ≤ 19).
    #[inline(always)]
    fn padded(&mut self, v: u64, n: u32) {
        match n {
            0 => {}
            1 => self.digit(v as u32),
            2 => self.pair(v as u32),
            3 => {
                self.digit((v / 100) as u32);
                self.pair((v % 100) as u32);
            }
            4 => self.four(v as u32),
            _ => self.padded_wide(v, n),
        }
    }
    /// [`Self::padded`] for `n` ≥ 5: the leading `n - 4` digits, then the last four.
    #[inline(never)]
    fn padded_wide(&mut self, v: u64, n: u32) {
        self.padded(v / 10_000, n - 4);
        self.four((v % 10_000) as u32);
    }
    /// A JSON string, escaped exactly as serde_json does (only `"`, `\` and control characters).
    #[inline(always)]
    fn str(&mut self, s: &str) {
        // Nearly every string has nothing to escape: copied whole, without entering the escaping loop
        // (under wasmtime every loop entered pays an epoch check).
        let plain = plain_until(s.as_bytes(), 0);
        if plain == s.len() {
            self.push(b'"');
            self.push_str(s);
            self.push(b'"');
        } else {
            self.str_escaped(s, plain);
        }
    }
    /// [`Self::str`] of a string with a byte to escape at `first`.
    #[inline(never)]
    fn str_escaped(&mut self, s: &str, first: usize) {
        let bytes = s.as_bytes();
        self.push(b'"');
        self.push_str(s.get(..first).unwrap_or_default());
        let mut start = first;
        loop {
            let i = plain_until(bytes, start);
            // `i` is the end or an ASCII byte: a character boundary.
            self.push_str(s.get(start..i).unwrap_or_default());
            let Some(&b) = bytes.get(i) else { break };
            match b {
                b'"' => self.push_str("\\\""),
                b'\\' => self.push_str("\\\\"),
                0x08 => self.push_str("\\b"),
                0x0c => self.push_str("\\f"),
                b'\n' => self.push_str("\\n"),
                b'\r' => self.push_str("\\r"),
                b'\t' => self.push_str("\\t"),
                _ => {
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    self.push_str("\\u00");
                    self.push(HEX[usize::from(b >> 4)]);
                    self.push(HEX[usize::from(b & 0xf)]);
                }
            }
            start = i + 1;
        }
        self.push(b'"');
    }
    /// An amount as serde writes [`Money`]: a string at fen scale. Fen-exact amounts (all of a
    /// settlement's) are written from whole fen; others take the general decimal writer.
    #[inline(always)]
    fn money(&mut self, m: Money) {
        match fen(m) {
            // Most of a line's parts are zero: a constant.
            Some(0) => self.push_str("\"0.00\""),
            Some(fen) => self.quoted_fixed(fen < 0, fen.unsigned_abs(), 2),
            None => {
                let mut buf = [0u8; 64];
                self.push(b'"');
                self.push_str(write_decimal(&mut buf, round_fen(m.dec()), 2, false));
                self.push(b'"');
            }
        }
    }
    /// A decimal as serde writes [`Dec`]: its exact value without trailing zeros.
    #[inline(always)]
    fn dec(&mut self, d: Dec) {
        match fixed(d.dec()) {
            Some((0, _)) => self.push_str("\"0\""),
            Some((m, mut s)) => {
                let mut u = m.unsigned_abs();
                // Trailing zeros are rare (counts are whole, prices end in a digit): tested once before
                // the loop, which is entered only when there is one (each loop entered pays an epoch
                // check under wasmtime).
                if s > 0 && u % 10 == 0 {
                    while s > 0 && u % 10 == 0 {
                        u /= 10;
                        s -= 1;
                    }
                }
                self.quoted_fixed(m < 0, u, s);
            }
            None => {
                let mut buf = [0u8; 64];
                self.push(b'"');
                self.push_str(write_decimal(&mut buf, d.dec(), 0, true));
                self.push(b'"');
            }
        }
    }
    /// `"±u × 10^-scale"`, quoted, with exactly `scale` fraction digits (`scale` ≤ 19).
    #[inline(always)]
    fn quoted_fixed(&mut self, neg: bool, u: u64, scale: u32) {
        // Quote and sign as single bytes: one `push_str` of "\"-" or "\"" would be a copy of a variable
        // length, which under wasmtime is a call into the runtime (`memory.copy`) for every number.
        self.push(b'"');
        if neg {
            self.push(b'-');
        }
        // Constant divisors for the usual scales: a multiplication, not a division, on every engine.
        let (int, frac) = match scale {
            0 => (u, 0),
            1 => (u / 10, u % 10),
            2 => (u / 100, u % 100),
            3 => (u / 1000, u % 1000),
            4 => (u / 10_000, u % 10_000),
            _ => (u / POW10[scale as usize], u % POW10[scale as usize]),
        };
        self.uint(int);
        if scale > 0 {
            self.push(b'.');
            self.padded(frac, scale);
        }
        self.push(b'"');
    }
    fn int(&mut self, n: i64) {
        if n < 0 {
            self.push(b'-');
        }
        self.uint(n.unsigned_abs());
    }
    /// Four bytes either way, then the `e` of `false`: a fixed-size store, where "true" or "false" in one
    /// `push_str` is a copy of a variable length (under wasmtime a `memory.copy` call into the runtime).
    fn bool(&mut self, b: bool) {
        self.push_str(if b { "true" } else { "fals" });
        if !b {
            self.push(b'e');
        }
    }
    /// chrono writes `YYYY-MM-DD` for years 0–9999; other years go through chrono itself.
    fn date(&mut self, d: NaiveDate) {
        let (y, m, day) = (d.year(), d.month(), d.day());
        if !(0..=9999).contains(&y) {
            self.serde(&d);
            return;
        }
        self.push(b'"');
        self.four(y as u32);
        self.push(b'-');
        self.pair(m);
        self.push(b'-');
        self.pair(day);
        self.push(b'"');
    }
    /// A value written by serde_json (the parts off the hot path).
    fn serde<T: Serialize + ?Sized>(&mut self, v: &T) {
        // Serialising the core's own plain types into a string cannot fail.
        if let Ok(s) = serde_json::to_string(v) {
            self.push_str(&s);
        }
    }
    fn obj(&mut self) -> Obj<'_> {
        self.push(b'{');
        Obj {
            out: self,
            first: true,
        }
    }
}

/// What [`Money::to_fen`] gives, without its overflow-checked multiply on the common scale 2: under wasm
/// a checked 64-bit multiply is a call to the 128-bit `__multi3`, paid for every amount written.
#[inline(always)]
fn fen(m: Money) -> Option<i64> {
    match fixed(m.dec()) {
        Some((v, 2)) => Some(v),
        // Below 10^16 in magnitude neither scaling can overflow.
        Some((v, 0)) if v.unsigned_abs() < POW10[16] => Some(v * 100),
        Some((v, 1)) if v.unsigned_abs() < POW10[16] => Some(v * 10),
        _ => m.to_fen(),
    }
}

/// An object being written: keys come in declaration order, as serde derives them.
struct Obj<'a> {
    out: &'a mut Out,
    first: bool,
}

impl Obj<'_> {
    /// Start member `k`, given as `,"name":` by [`k!`], and return the writer for its value.
    #[inline(always)]
    fn key(&mut self, k: &str) -> &mut Out {
        // Two copies of constant lengths, not one copy of a length chosen at run time (under wasmtime a
        // `memory.copy` call into the runtime), where an optional member may come first.
        if self.first {
            self.first = false;
            self.out.push(b'"');
            self.out.push_str(k.get(2..).unwrap_or(k));
        } else {
            self.out.push_str(k);
        }
        self.out
    }
    #[inline(always)]
    fn str(&mut self, k: &str, v: &str) {
        self.key(k).str(v);
    }
    #[inline(always)]
    fn opt_str(&mut self, k: &str, v: Option<&str>) {
        if let Some(v) = v {
            self.str(k, v);
        }
    }
    #[inline(always)]
    fn money(&mut self, k: &str, v: Money) {
        self.key(k).money(v);
    }
    #[inline(always)]
    fn opt_money(&mut self, k: &str, v: Option<Money>) {
        if let Some(v) = v {
            self.money(k, v);
        }
    }
    fn end(self) {
        self.out.push(b'}');
    }
}

fn setlinfo(o: &mut Out, s: &SetlInfo) {
    let mut w = o.obj();
    w.opt_str(k!("setl_id"), s.setl_id.as_deref());
    w.opt_str(k!("mdtrt_id"), s.mdtrt_id.as_deref());
    w.opt_str(k!("psn_no"), s.psn_no.as_deref());
    w.opt_str(k!("psn_name"), s.psn_name.as_deref());
    w.str(k!("insutype"), &s.insutype);
    w.str(k!("psn_type"), &s.psn_type);
    w.str(k!("cvlserv_flag"), &s.cvlserv_flag);
    w.str(k!("med_type"), &s.med_type);
    w.str(k!("insuplc_admdvs"), &s.insuplc_admdvs);
    w.str(k!("mdtrtarea_admvs"), &s.mdtrtarea_admvs);
    w.key(k!("begndate")).date(s.begndate);
    if let Some(d) = s.enddate {
        w.key(k!("enddate")).date(d);
    }
    w.key(k!("setl_time")).date(s.setl_time);
    if let Some(n) = s.ipt_days {
        w.key(k!("ipt_days")).int(n);
    }
    w.money(k!("medfee_sumamt"), s.medfee_sumamt);
    w.money(k!("fulamt_ownpay_amt"), s.fulamt_ownpay_amt);
    w.money(k!("overlmt_selfpay"), s.overlmt_selfpay);
    w.money(k!("preselfpay_amt"), s.preselfpay_amt);
    w.money(k!("inscp_scp_amt"), s.inscp_scp_amt);
    w.money(k!("act_pay_dedc"), s.act_pay_dedc);
    w.money(k!("hifp_pay"), s.hifp_pay);
    if let Some(p) = s.pool_prop_selfpay {
        w.key(k!("pool_prop_selfpay")).dec(p);
    }
    w.money(k!("cvlserv_pay"), s.cvlserv_pay);
    w.money(k!("hifes_pay"), s.hifes_pay);
    w.money(k!("hifmi_pay"), s.hifmi_pay);
    w.money(k!("hifob_pay"), s.hifob_pay);
    w.money(k!("maf_pay"), s.maf_pay);
    w.money(k!("hosp_part_amt"), s.hosp_part_amt);
    w.money(k!("oth_pay"), s.oth_pay);
    w.money(k!("fund_pay_sumamt"), s.fund_pay_sumamt);
    w.money(k!("psn_part_amt"), s.psn_part_amt);
    w.money(k!("acct_pay"), s.acct_pay);
    w.money(k!("psn_cash_pay"), s.psn_cash_pay);
    w.money(k!("balc"), s.balc);
    w.money(k!("acct_mulaid_pay"), s.acct_mulaid_pay);
    w.str(k!("clr_type"), &s.clr_type);
    w.str(k!("clr_way"), &s.clr_way);
    w.opt_str(k!("pay_loc"), s.pay_loc.as_deref());
    w.opt_money(k!("dedc_std"), s.dedc_std);
    w.opt_money(k!("crt_dedc"), s.crt_dedc);
    w.end();
}

fn setldetail(o: &mut Out, d: &SetlDetail) {
    let mut w = o.obj();
    w.str(k!("fund_pay_type"), &d.fund_pay_type);
    w.str(k!("fund_pay_type_name"), &d.fund_pay_type_name);
    w.money(k!("inscp_scp_amt"), d.inscp_scp_amt);
    w.opt_money(k!("crt_payb_lmt_amt"), d.crt_payb_lmt_amt);
    w.money(k!("fund_payamt"), d.fund_payamt);
    if !d.setl_proc_info.is_empty() {
        w.str(k!("setl_proc_info"), &d.setl_proc_info);
    }
    w.end();
}

fn line(o: &mut Out, l: &LineRef<'_>) {
    let mut w = o.obj();
    w.str(k!("feedetl_sn"), l.feedetl_sn);
    w.opt_str(k!("init_feedetl_sn"), l.init_feedetl_sn.map(|t| t.as_str()));
    w.str(k!("med_list_codg"), l.med_list_codg);
    w.opt_str(k!("med_list_name"), l.med_list_name.map(|t| t.as_str()));
    w.opt_str(k!("med_chrgitm_type"), l.med_chrgitm_type.map(|t| t.code()));
    w.opt_str(k!("chrgitm_lv"), l.chrgitm_lv.map(|v| v.code()));
    w.key(k!("cnt")).dec(l.cnt);
    w.key(k!("pric")).dec(l.pric);
    w.money(k!("det_item_fee_sumamt"), l.det_item_fee_sumamt);
    w.money(k!("pric_uplmt_amt"), l.pric_uplmt_amt);
    w.key(k!("selfpay_prop")).dec(l.selfpay_prop);
    w.money(k!("fulamt_ownpay_amt"), l.fulamt_ownpay_amt);
    w.money(k!("overlmt_amt"), l.overlmt_amt);
    w.money(k!("preselfpay_amt"), l.preselfpay_amt);
    w.money(k!("inscp_scp_amt"), l.inscp_scp_amt);
    w.key(k!("lmt_used_flag")).bool(l.lmt_used_flag);
    w.key(k!("in_catalog")).bool(l.in_catalog);
    w.end();
}

fn coverage(o: &mut Out, c: &Coverage) {
    let mut w = o.obj();
    // The three enums are unit variants: serde writes their names (a few dozen bytes).
    w.key(k!("route")).serde(&c.route);
    w.key(k!("visit_category")).serde(&c.visit_category);
    w.key(k!("catalog_place")).serde(&c.catalog_place);
    w.key(k!("cross_province")).bool(c.cross_province);
    w.key(k!("cross_region")).bool(c.cross_region);
    w.opt_str(k!("filing_id"), c.filing_id.as_deref());
    w.key(k!("deemed_filed")).bool(c.deemed_filed);
    array(w.key(k!("reasons")), &c.reasons, trace_entry);
    w.end();
}

fn trace_entry(o: &mut Out, e: &TraceEntry) {
    let mut w = o.obj();
    w.str(k!("field"), &e.field);
    w.opt_money(k!("amount"), e.amount);
    w.str(k!("rule"), &e.rule);
    w.str(k!("cite"), &e.cite);
    if !e.params.is_empty() {
        array(w.key(k!("params")), &e.params, param_use);
    }
    w.str(k!("zh"), &e.zh);
    w.str(k!("en"), &e.en);
    w.end();
}

fn param_use(o: &mut Out, p: &ParamUse) {
    let mut w = o.obj();
    w.str(k!("name"), &p.name);
    w.str(k!("value"), &p.value);
    w.key(k!("from")).date(p.from);
    if let Some(d) = p.to {
        w.key(k!("to")).date(d);
    }
    w.str(k!("cite"), &p.cite);
    w.key(k!("verified")).bool(p.verified);
    w.opt_str(k!("note"), p.note.as_deref());
    w.str(k!("pack"), &p.pack);
    w.end();
}

fn accumulators(o: &mut Out, a: &Accumulators) {
    let mut w = o.obj();
    w.key(k!("year")).int(i64::from(a.year));
    map(w.key(k!("pools")), &a.pools, |o, p| {
        let mut e = o.obj();
        e.money(k!("dedc_paid"), p.dedc_paid);
        e.money(k!("above_dedc"), p.above_dedc);
        e.money(k!("hifp_paid"), p.hifp_paid);
        e.key(k!("visits")).int(i64::from(p.visits));
        e.end();
    });
    map(w.key(k!("riders")), &a.riders, |o, r| {
        let mut e = o.obj();
        e.money(k!("base"), r.base);
        e.money(k!("paid"), r.paid);
        e.end();
    });
    w.end();
}

/// A map keyed by name, in the map's (sorted) order as serde writes it.
fn map<V>(o: &mut Out, m: &crate::smallmap::SortedMap<crate::model::ShortText, V>, f: fn(&mut Out, &V)) {
    o.push(b'{');
    for (i, (name, v)) in m.iter().enumerate() {
        if i > 0 {
            o.push(b',');
        }
        o.str(name);
        o.push(b':');
        f(o, v);
    }
    o.push(b'}');
}

fn array<T>(o: &mut Out, items: &[T], f: fn(&mut Out, &T)) {
    o.push(b'[');
    for (i, it) in items.iter().enumerate() {
        if i > 0 {
            o.push(b',');
        }
        f(o, it);
    }
    o.push(b']');
}

/// The `settle` answer as JSON text: exactly `serde_json::to_string(r)`, faster.
pub fn settle_response(r: &SettleResponse) -> String {
    let lines: Vec<LineRef<'_>> = r.lines.iter().map(LineSplit::as_line_ref).collect();
    let mut o = Out::with_capacity(body_capacity(r, lines.len()));
    settle_body(&mut o, r, &lines);
    o.finish()
}

/// [`settle_response`] of a [`Settlement`]: its lines written from the request's and catalog's texts,
/// never copied into owned results.
pub fn settlement_response(s: &Settlement<'_>) -> String {
    let mut o = Out::with_capacity(body_capacity(&s.response, s.lines.len()));
    settle_body(&mut o, &s.response, &s.lines);
    o.finish()
}

/// The whole API answer to a `settle` call that succeeded: the envelope `api::handle_json` writes around
/// [`settle_response`], in one buffer.
pub fn settle_reply(r: &SettleResponse) -> String {
    let lines: Vec<LineRef<'_>> = r.lines.iter().map(LineSplit::as_line_ref).collect();
    reply(r, &lines)
}

/// [`settle_reply`] of a [`Settlement`] (what `api::handle_json` writes for a plain settle envelope).
pub fn settlement_reply(s: &Settlement<'_>) -> String {
    reply(&s.response, &s.lines)
}

fn reply(r: &SettleResponse, lines: &[LineRef<'_>]) -> String {
    let mut o = Out::with_capacity(64 + body_capacity(r, lines.len()));
    o.push_str(r#"{"api_version":""#);
    o.push_str(crate::api::API_VERSION);
    o.push_str(r#"","op":"settle","ok":true,"result":"#);
    settle_body(&mut o, r, lines);
    o.push(b'}');
    o.finish()
}

/// Bytes to reserve for a `settle` answer with `lines` per-line results: enough for the whole answer, trace
/// included, so the buffer is never grown (growing copies what was written: 17 KB of a 40-line claim when
/// its trace's 4 KB come last). The texts' own lengths plus each entry's keys and numbers.
fn body_capacity(r: &SettleResponse, lines: usize) -> usize {
    let entry = |e: &TraceEntry| {
        let params: usize = e
            .params
            .iter()
            .map(|p| 160 + p.cite.len() + p.note.as_ref().map_or(0, String::len))
            .sum();
        160 + e.zh.len() + e.en.len() + e.cite.len() + params
    };
    let trace: usize = r.trace.iter().chain(&r.coverage.reasons).map(entry).sum();
    1536 + 400 * lines + trace
}

/// The `settle` answer `r` with `lines` as its per-line results (`r.lines` itself, or a settlement's).
fn settle_body(o: &mut Out, r: &SettleResponse, lines: &[LineRef<'_>]) {
    let mut w = o.obj();
    setlinfo(w.key(k!("setlinfo")), &r.setlinfo);
    array(w.key(k!("setldetail")), &r.setldetail, setldetail);
    if !lines.is_empty() {
        array(w.key(k!("lines")), lines, line);
    }
    coverage(w.key(k!("coverage")), &r.coverage);
    w.str(k!("fund_pay_sumamt_daxie"), &r.fund_pay_sumamt_daxie);
    w.str(k!("psn_cash_pay_daxie"), &r.psn_cash_pay_daxie);
    accumulators(w.key(k!("accumulators_before")), &r.accumulators_before);
    accumulators(w.key(k!("accumulators_delta")), &r.accumulators_delta);
    accumulators(w.key(k!("accumulators_after")), &r.accumulators_after);
    w.opt_str(k!("catalog"), r.catalog.as_deref());
    w.key(k!("uses_unverified_values")).bool(r.uses_unverified_values);
    if !r.trace.is_empty() {
        array(w.key(k!("trace")), &r.trace, trace_entry);
    }
    w.end();
}

/// Per-line results (`lines.split`) as JSON text: exactly `serde_json::to_string(lines)`.
pub fn line_splits(lines: &[LineSplit]) -> String {
    let lines: Vec<LineRef<'_>> = lines.iter().map(LineSplit::as_line_ref).collect();
    let mut o = Out::with_capacity(2 + 400 * lines.len());
    array(&mut o, &lines, line);
    o.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    /// `quoted_fixed` (through `money` and `dec`) against the general decimal writer, at every scale the
    /// fast path takes and at magnitudes from one digit to nineteen: fraction digits past four once took a
    /// wrong divisor and panicked on a five-digit fraction (`cnt` 1.23456).
    #[test]
    fn numbers_are_written_as_the_reference_writes_them() {
        let mut checked = 0;
        for scale in 0..=12u32 {
            for digits in 1..=19u32 {
                for lead in [1u64, 4, 9] {
                    let m = lead * 10u64.pow(digits - 1) + u64::from(digits % 7) + 3;
                    let Ok(m) = i64::try_from(m) else { continue };
                    for m in [m, -m, m / 10 * 10] {
                        let d = Decimal::new(m, scale);
                        let mut o = Out::with_capacity(64);
                        o.dec(Dec(d));
                        let mut buf = [0u8; 64];
                        let reference = format!("\"{}\"", write_decimal(&mut buf, d, 0, true));
                        assert_eq!(o.finish(), reference, "dec {m} scale {scale}");
                        let mut o = Out::with_capacity(64);
                        o.money(Money::from_decimal(d));
                        let reference = format!("\"{}\"", write_decimal(&mut buf, round_fen(d), 2, false));
                        assert_eq!(o.finish(), reference, "money {m} scale {scale}");
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 1000);
    }
}
