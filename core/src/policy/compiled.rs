//! The shipped policy packs in a compact binary form (`compiled.bin`), read without any JSON parser, and
//! their JSON text (for `pack.get`) written back from it.
//!
//! Why: the phone module (feature `runtime-packs` off: no packs with a request) would otherwise carry the
//! serde visitors of every pack type only to read the four packs it ships with (~95 KB of its code), and
//! the packs' minified JSON (67 KB, most of it the same citations and notes again and again). The binary
//! form is made from the very JSON text the core embeds by the native test
//! `compiled_form_is_in_sync_with_the_shipped_packs`, which fails when a pack changed and the file was not
//! regenerated (`YIDI_BLESS=1 cargo test -p yidi-core compiled` rewrites it); other tests prove that reading
//! it gives the same `Pack` as parsing the JSON, and writing its tree gives the embedded text byte for byte.
//! The shipped packs are validated by the native tests, so the phone does not validate them again.
//!
//! The shipped catalogs are in it too, so the phone's filing and estimate modules carry no CSV reader: made by
//! the same test from the CSV files (each read by `Catalog::from_csv`, which checks it), and read back equal.
//!
//! Format: `YPK3`; the string table (its length, then each distinct string once as length + UTF-8); the
//! number of packs; per pack its file name and its `Pack` body (length + bytes); the number of catalogs; per
//! catalog its file name and its body (length + bytes: region, name, the items in code order). The packs' JSON
//! trees, which only `pack.get` reads, are a file of their own, `compiled-trees.bin` (a string table of their own as
//! above, their number, then per pack in the same order length + bytes), so the modules without that op
//! (the phone's estimate and hospital modules) leave them out. Integers are LEB128; a string is its byte
//! offset in the table. A tree node is a tag (0 null, 1 false, 2 true, 3 number with its text, 4 string,
//! 5 array, 6 object) and its content; objects keep the key order of the embedded text.

// The writer half (tests) makes the compiled form from the CSV catalogs: builds without the CSV reader compile it
// unused.
#![cfg_attr(all(test, not(csv_catalogs)), allow(dead_code))]

use super::*;
use crate::catalog::{Catalog, CatalogItem};
use crate::codes::{ChrgitmLv, ChrgitmType, FacilityLevel, Insutype, MedClass, PsnClass};
use core::fmt::Write as _;

/// `compiled.bin` as build.rs coded it (`crate::lz`): a third of its size in the phone modules.
static CODED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/compiled.lz"));
/// `compiled-trees.bin`, coded the same way; linked only where `pack.get` is.
static CODED_TREES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/compiled-trees.lz"));

/// The compiled form, decoded once; empty (so every pack reads as damaged) if the coding is.
fn compiled() -> &'static [u8] {
    static DECODED: OnceLock<Vec<u8>> = OnceLock::new();
    DECODED.get_or_init(|| crate::lz::decode(CODED).unwrap_or_default())
}

/// The packs' JSON trees, decoded once on the first `pack.get`; empty if the coding is damaged.
fn trees() -> &'static [u8] {
    static DECODED: OnceLock<Vec<u8>> = OnceLock::new();
    DECODED.get_or_init(|| crate::lz::decode(CODED_TREES).unwrap_or_default())
}
const MAGIC: &[u8] = b"YPK3";

/// One shipped pack or catalog in the compiled form.
struct Entry {
    file: &'static str,
    body: &'static [u8],
}

/// The table of strings, the packs and the catalogs, or `None` when the file is damaged.
fn entries() -> Option<(&'static [u8], Vec<Entry>, Vec<Entry>)> {
    let mut r = Reader {
        b: compiled().strip_prefix(MAGIC)?,
        table: &[],
    };
    let n = r.usize()?;
    r.table = r.take(n)?;
    let mut packs = Vec::new();
    for _ in 0..r.uint()? {
        let file = r.str()?;
        let n = r.usize()?;
        let body = r.take(n)?;
        packs.push(Entry { file, body });
    }
    let mut catalogs = Vec::new();
    for _ in 0..r.uint()? {
        let file = r.str()?;
        let n = r.usize()?;
        let body = r.take(n)?;
        catalogs.push(Entry { file, body });
    }
    Some((r.table, packs, catalogs))
}

/// The file names of the shipped packs (`610100.json`), in the order they were compiled.
pub(super) fn files() -> Vec<&'static str> {
    entries().map_or_else(Vec::new, |(_, v, _)| v.iter().map(|e| e.file).collect())
}

/// The file names of the shipped catalogs (`610100.csv`), in the order they were compiled.
pub(super) fn catalog_files() -> Vec<&'static str> {
    entries().map_or_else(Vec::new, |(_, _, v)| v.iter().map(|e| e.file).collect())
}

fn damaged(file: &str) -> PackError {
    PackError::new(
        file,
        "(compiled form)",
        "the compiled form of this shipped pack is damaged (core/src/policy/compiled.bin)",
    )
}

/// A reader of the body of the shipped pack or catalog `file`.
fn reader(file: &str) -> Result<Reader<'static>, PackError> {
    let (table, packs, catalogs) = entries().ok_or_else(|| damaged(file))?;
    let e = packs
        .iter()
        .chain(&catalogs)
        .find(|e| e.file == file)
        .ok_or_else(|| damaged(file))?;
    Ok(Reader { b: e.body, table })
}

/// The shipped catalog `file`. Item names point into the decoded form (no copy per item, as the CSV reader
/// does for a shipped catalog's text).
pub(super) fn catalog(file: &'static str) -> Result<Catalog, PackError> {
    let mut r = reader(file)?;
    let read = |r: &mut Reader<'static>| -> Option<Catalog> {
        let region = Admdvs::read(r)?;
        let name = String::read(r)?;
        let n = r.usize()?;
        let mut items = Vec::with_capacity(n.min(r.b.len()));
        for _ in 0..n {
            items.push(CatalogItem {
                med_list_codg: String::read(r)?,
                med_list_name: crate::model::ShortText::const_new(r.str()?),
                med_chrgitm_type: ChrgitmType::read(r)?,
                chrgitm_lv: ChrgitmLv::read(r)?,
                selfpay_prop: Dec::read(r)?,
                pric_uplmt_amt: Compact::read(r)?,
                lmt_used_flag: bool::read(r)?,
                verified: bool::read(r)?,
                cite: String::read(r)?,
            });
        }
        Some(Catalog::from_sorted(file.to_string(), region, name, items))
    };
    read(&mut r).ok_or_else(|| damaged(file))
}

/// The shipped pack `file`.
pub(super) fn pack(file: &str) -> Result<Pack, PackError> {
    let mut r = reader(file)?;
    let mut p = Pack::read(&mut r).ok_or_else(|| damaged(file))?;
    p.source = file.to_string();
    Ok(p)
}

/// The JSON text of the shipped pack `file`, byte for byte the minified text the full core embeds.
pub(super) fn json(file: &str) -> Result<String, PackError> {
    let tree = || -> Option<Reader<'static>> {
        let (_, packs, _) = entries()?;
        let at = packs.iter().position(|e| e.file == file)?;
        let mut t = Reader {
            b: trees(),
            table: &[],
        };
        let n = t.usize()?;
        let table = t.take(n)?;
        if t.usize()? != packs.len() {
            return None;
        }
        for _ in 0..at {
            let n = t.usize()?;
            t.take(n)?;
        }
        let n = t.usize()?;
        Some(Reader { b: t.take(n)?, table })
    };
    let mut r = tree().ok_or_else(|| damaged(file))?;
    let mut out = String::with_capacity(r.b.len() * 4);
    write_json(&mut r, &mut out).ok_or_else(|| damaged(file))?;
    Ok(out)
}

fn write_json(r: &mut Reader<'_>, out: &mut String) -> Option<()> {
    match r.byte()? {
        0 => out.push_str("null"),
        1 => out.push_str("false"),
        2 => out.push_str("true"),
        3 => out.push_str(r.str()?),
        4 => write_str(r.str()?, out),
        tag @ (5 | 6) => {
            out.push(if tag == 5 { '[' } else { '{' });
            for i in 0..r.uint()? {
                if i > 0 {
                    out.push(',');
                }
                if tag == 6 {
                    write_str(r.str()?, out);
                    out.push(':');
                }
                write_json(r, out)?;
            }
            out.push(if tag == 5 { ']' } else { '}' });
        }
        _ => return None,
    }
    Some(())
}

/// A JSON string as serde_json writes it: `"` and `\` escaped, control characters as short escapes or
/// `\u00xx`, everything else as is.
fn write_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

struct Reader<'a> {
    b: &'a [u8],
    table: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.b.len() {
            return None;
        }
        let (head, rest) = self.b.split_at(n);
        self.b = rest;
        Some(head)
    }
    fn byte(&mut self) -> Option<u8> {
        let (&x, rest) = self.b.split_first()?;
        self.b = rest;
        Some(x)
    }
    fn uint(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }
    fn usize(&mut self) -> Option<usize> {
        usize::try_from(self.uint()?).ok()
    }
    /// A string of the table, by its offset.
    fn str(&mut self) -> Option<&'a str> {
        let mut at = Reader {
            b: self.table.get(self.usize()?..)?,
            table: &[],
        };
        let n = at.usize()?;
        core::str::from_utf8(at.take(n)?).ok()
    }
}

/// A type with a compact binary form.
trait Compact: Sized {
    fn read(r: &mut Reader<'_>) -> Option<Self>;
    #[cfg(test)]
    fn write(&self, w: &mut tests::Writer<'_>);
}

impl Compact for String {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        r.str().map(str::to_string)
    }
    #[cfg(test)]
    fn write(&self, w: &mut tests::Writer<'_>) {
        w.string(self);
    }
}

impl Compact for bool {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        match r.byte()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }
    #[cfg(test)]
    fn write(&self, w: &mut tests::Writer<'_>) {
        w.uint(u64::from(*self));
    }
}

impl Compact for u32 {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        u32::try_from(r.uint()?).ok()
    }
    #[cfg(test)]
    fn write(&self, w: &mut tests::Writer<'_>) {
        w.uint(u64::from(*self));
    }
}

impl Compact for NaiveDate {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        NaiveDate::from_num_days_from_ce_opt(i32::try_from(r.uint()?).ok()?)
    }
    #[cfg(test)]
    fn write(&self, w: &mut tests::Writer<'_>) {
        use chrono::Datelike;
        w.uint(
            u64::try_from(self.num_days_from_ce()).unwrap_or_else(|_| panic!("date {self} before year 1")),
        );
    }
}

/// A decimal exactly as parsed (scale and sign kept): `scale << 1 | negative`, then the mantissa's magnitude.
impl Compact for Decimal {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        let head = u32::try_from(r.uint()?).ok()?;
        let mut d = Decimal::try_new(i64::try_from(r.uint()?).ok()?, head >> 1).ok()?;
        d.set_sign_negative(head & 1 == 1);
        Some(d)
    }
    #[cfg(test)]
    fn write(&self, w: &mut tests::Writer<'_>) {
        w.uint(u64::from(
            (self.scale() << 1) | u32::from(self.is_sign_negative()),
        ));
        w.uint(u64::try_from(self.mantissa().unsigned_abs()).unwrap_or_else(|_| panic!("{self} too long")));
    }
}

impl Compact for Money {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        Decimal::read(r).map(Money::from_decimal)
    }
    #[cfg(test)]
    fn write(&self, w: &mut tests::Writer<'_>) {
        self.dec().write(w);
    }
}

impl Compact for Dec {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        Decimal::read(r).map(Dec)
    }
    #[cfg(test)]
    fn write(&self, w: &mut tests::Writer<'_>) {
        self.0.write(w);
    }
}

impl Compact for Admdvs {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        Admdvs::parse(&String::read(r)?).ok()
    }
    #[cfg(test)]
    fn write(&self, w: &mut tests::Writer<'_>) {
        w.string(self.code());
    }
}

impl Compact for ChrgitmType {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        ChrgitmType::parse(r.str()?).ok()
    }
    #[cfg(test)]
    fn write(&self, w: &mut tests::Writer<'_>) {
        w.string(self.code());
    }
}

impl<T: Compact> Compact for Option<T> {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        match r.byte()? {
            0 => Some(None),
            1 => T::read(r).map(Some),
            _ => None,
        }
    }
    #[cfg(test)]
    fn write(&self, w: &mut tests::Writer<'_>) {
        w.uint(u64::from(self.is_some()));
        if let Some(t) = self {
            t.write(w);
        }
    }
}

impl<T: Compact> Compact for Vec<T> {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        let n = r.usize()?;
        let mut v = Vec::with_capacity(n.min(r.b.len()));
        for _ in 0..n {
            v.push(T::read(r)?);
        }
        Some(v)
    }
    #[cfg(test)]
    fn write(&self, w: &mut tests::Writer<'_>) {
        w.uint(self.len() as u64);
        for t in self {
            t.write(w);
        }
    }
}

impl<T: Compact> Compact for Dated<T> {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        Vec::read(r).map(Dated)
    }
    #[cfg(test)]
    fn write(&self, w: &mut tests::Writer<'_>) {
        self.0.write(w);
    }
}

/// Enums as their index in a table of every variant (the writer fails on a variant missing from it).
macro_rules! table_enum {
    ($($t:ident: [$($v:ident),+ $(,)?];)+) => {$(
        impl Compact for $t {
            fn read(r: &mut Reader<'_>) -> Option<Self> {
                const ALL: &[$t] = &[$($t::$v),+];
                ALL.get(r.usize()?).copied()
            }
            #[cfg(test)]
            fn write(&self, w: &mut tests::Writer<'_>) {
                const ALL: &[$t] = &[$($t::$v),+];
                let i = ALL.iter().position(|v| v == self).unwrap_or_else(|| panic!("{self:?} missing from the table"));
                w.uint(i as u64);
            }
        }
    )+};
}

table_enum! {
    DeductibleMode: [PerVisit, PerYear, HighestLevelInYear];
    TierBasis: [PerClaim, Annual];
    ReductionForm: [RatioPoints, Preselfpay];
    AccountUse: [None, PersonalInscope, PersonalAll];
    RiderBase: [AboveBasicCap, PersonalInscope];
    IntraProvinceFiling: [Required, Abolished, AbolishedForTemporary];
    ChronicFiling: [CoveredByFiling, SeparateFilingRequired];
    ChrgitmLv: [Jia, Yi, Bing];
    ChangeReason: [RetirementPlaceChanged, EmployerChanged, Epidemic, MedicalNeed, ContactDetails, Personal];
    Insutype: [Employee, Resident];
    MedClass: [Outpatient, ChronicOutpatient, Inpatient, Pharmacy, Maternity];
    FacilityLevel: [Community, Level1, Level2, Level3];
    PsnClass: [Working, Retired, Veteran, MinorResident, AdultResident, ElderResident];
    VisitCategory: [
        Local, LongTermAtDestination, LongTermAtHome, Referral, Emergency, OtherTemporary, Unfiled,
        IntraProvince, NonNetworked,
    ];
}

/// Structs field by field, in declaration order (a struct literal: a field left out does not compile).
macro_rules! fields {
    ($($t:ident { $($f:ident),+ $(,)? })+) => {$(
        impl Compact for $t {
            fn read(r: &mut Reader<'_>) -> Option<Self> {
                Some($t { $($f: Compact::read(r)?),+ })
            }
            #[cfg(test)]
            fn write(&self, w: &mut tests::Writer<'_>) {
                $(self.$f.write(w);)+
            }
        }
    )+};
}

fields! {
    Deductible { amount, mode }
    Band { upto, ratio }
    Tiers { basis, bands }
    Reduction { form, points }
    Selector { insutype, med_class, hosp_lv, psn_class, visit_category }
    BenefitRow { select, pool, deductible, tiers, annual_cap, reduction, account }
    RiderRequires { cvlserv, maf_class }
    Rider { id, fund_pay_type, name_zh, name_en, select, requires, base, deductible, tiers, annual_cap }
    FilingRules {
        temporary_validity_months, long_term_change_lock_months, change_lock_exceptions, intra_province_filing,
        account_cross_province_filing_required, chronic_disease_filing, province_level_destinations,
        inpatient_filing_opens_outpatient, referral_lapses_after_discharge, id_card_cross_province,
        cancel_locked, xiecha_cross_province, xiecha_intra_province,
    }
}

/// The fields of a `Param` around its value, read by one function for every value type (a dozen `Param<T>`
/// instantiations would otherwise each carry their own copy: ~3 KB of the phone modules).
#[inline(never)]
fn param_dates(r: &mut Reader<'_>) -> Option<(NaiveDate, Option<NaiveDate>)> {
    Some((Compact::read(r)?, Compact::read(r)?))
}

#[inline(never)]
fn param_source(r: &mut Reader<'_>) -> Option<(String, bool, Option<String>)> {
    Some((Compact::read(r)?, Compact::read(r)?, Compact::read(r)?))
}

impl<T: Compact> Compact for Param<T> {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        let (from, to) = param_dates(r)?;
        let value = Compact::read(r)?;
        let (cite, verified, note) = param_source(r)?;
        Some(Param {
            from,
            to,
            value,
            cite,
            verified,
            note,
        })
    }
    #[cfg(test)]
    fn write(&self, w: &mut tests::Writer<'_>) {
        self.from.write(w);
        self.to.write(w);
        self.value.write(w);
        self.cite.write(w);
        self.verified.write(w);
        self.note.write(w);
    }
}

impl Compact for Pack {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        Some(Pack {
            schema: Compact::read(r)?,
            region: Compact::read(r)?,
            name_zh: Compact::read(r)?,
            name_en: Compact::read(r)?,
            summary: Compact::read(r)?,
            unverified_note: Compact::read(r)?,
            filing: Compact::read(r)?,
            benefits: Compact::read(r)?,
            riders: Compact::read(r)?,
            source: String::new(),
        })
    }
    #[cfg(test)]
    fn write(&self, w: &mut tests::Writer<'_>) {
        self.schema.write(w);
        self.region.write(w);
        self.name_zh.write(w);
        self.name_en.write(w);
        self.summary.write(w);
        self.unverified_note.write(w);
        self.filing.write(w);
        self.benefits.write(w);
        self.riders.write(w);
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use std::collections::HashMap;

    /// Each distinct string once; a string is written as its offset here.
    #[derive(Default)]
    pub struct Table {
        bytes: Vec<u8>,
        at: HashMap<String, usize>,
    }

    pub struct Writer<'a> {
        out: Vec<u8>,
        table: &'a mut Table,
    }

    fn uint(out: &mut Vec<u8>, mut v: u64) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(b);
                return;
            }
            out.push(b | 0x80);
        }
    }

    impl Writer<'_> {
        pub fn uint(&mut self, v: u64) {
            uint(&mut self.out, v);
        }
        pub fn string(&mut self, s: &str) {
            let table = &mut *self.table;
            let at = *table.at.entry(s.to_string()).or_insert_with(|| {
                let at = table.bytes.len();
                uint(&mut table.bytes, s.len() as u64);
                table.bytes.extend_from_slice(s.as_bytes());
                at
            });
            self.uint(at as u64);
        }
        fn tree(&mut self, v: &serde_json::Value) {
            use serde_json::Value;
            match v {
                Value::Null => self.uint(0),
                Value::Bool(b) => self.uint(1 + u64::from(*b)),
                Value::Number(n) => {
                    self.uint(3);
                    self.string(&n.to_string());
                }
                Value::String(s) => {
                    self.uint(4);
                    self.string(s);
                }
                Value::Array(a) => {
                    self.uint(5);
                    self.uint(a.len() as u64);
                    a.iter().for_each(|x| self.tree(x));
                }
                Value::Object(o) => {
                    self.uint(6);
                    self.uint(o.len() as u64);
                    for (k, x) in o {
                        self.string(k);
                        self.tree(x);
                    }
                }
            }
        }
    }

    /// The compiled form of the given packs (file name, JSON text) and the shipped catalogs (read from their
    /// CSV: only in builds with the CSV reader, as are the tests below that use it), as
    /// `compiled.bin` holds it, and the packs' trees, as `compiled-trees.bin` holds them.
    #[cfg(csv_catalogs)]
    fn compile(packs: &[(&str, &str)]) -> (Vec<u8>, Vec<u8>) {
        let mut table = Table::default();
        let mut w = Writer {
            out: Vec::new(),
            table: &mut table,
        };
        w.uint(packs.len() as u64);
        // The trees' strings in a table of their own, so the JSON keys and number texts only they use stay
        // out of the modules without `pack.get`.
        let mut tree_table = Table::default();
        let mut trees = Vec::new();
        uint(&mut trees, packs.len() as u64);
        for (file, text) in packs {
            let pack = Pack::from_json(file, text).unwrap_or_else(|e| panic!("{file}: {e:?}"));
            let value: serde_json::Value =
                serde_json::from_str(text).unwrap_or_else(|e| panic!("{file}: {e}"));
            w.string(file);
            let mut tree = Writer {
                out: Vec::new(),
                table: &mut tree_table,
            };
            tree.tree(&value);
            let tree = tree.out;
            let mut body = Writer {
                out: Vec::new(),
                table: &mut *w.table,
            };
            pack.write(&mut body);
            let body = body.out;
            uint(&mut trees, tree.len() as u64);
            trees.extend_from_slice(&tree);
            w.uint(body.len() as u64);
            w.out.extend_from_slice(&body);
        }
        let catalogs = shipped::catalogs();
        w.uint(catalogs.len() as u64);
        for (file, text) in catalogs {
            let c = Catalog::from_static_csv(file, text).unwrap_or_else(|e| panic!("{file}: {e:?}"));
            w.string(file);
            let mut body = Writer {
                out: Vec::new(),
                table: &mut *w.table,
            };
            c.region().write(&mut body);
            body.string(c.name());
            body.uint(c.len() as u64);
            for it in c.items() {
                body.string(&it.med_list_codg);
                body.string(&it.med_list_name);
                it.med_chrgitm_type.write(&mut body);
                it.chrgitm_lv.write(&mut body);
                it.selfpay_prop.write(&mut body);
                it.pric_uplmt_amt.write(&mut body);
                it.lmt_used_flag.write(&mut body);
                it.verified.write(&mut body);
                body.string(&it.cite);
            }
            let body = body.out;
            w.uint(body.len() as u64);
            w.out.extend_from_slice(&body);
        }
        let packs_part = w.out;
        let mut out = MAGIC.to_vec();
        uint(&mut out, table.bytes.len() as u64);
        out.extend_from_slice(&table.bytes);
        out.extend_from_slice(&packs_part);
        let mut trees_file = Vec::new();
        uint(&mut trees_file, tree_table.bytes.len() as u64);
        trees_file.extend_from_slice(&tree_table.bytes);
        trees_file.extend_from_slice(&trees);
        (out, trees_file)
    }

    #[test]
    #[cfg(csv_catalogs)]
    fn compiled_form_is_in_sync_with_the_shipped_packs() {
        let (want, want_trees) = compile(shipped::PACKS);
        if std::env::var_os("YIDI_BLESS").is_some() {
            for (name, bytes) in [("compiled.bin", &want), ("compiled-trees.bin", &want_trees)] {
                let path = format!("{}/src/policy/{name}", env!("CARGO_MANIFEST_DIR"));
                std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{path}: {e}"));
            }
        }
        // What the core reads is each file as build.rs coded it: decoded, it is the file.
        let file: &[u8] = include_bytes!("compiled.bin");
        let trees_file: &[u8] = include_bytes!("compiled-trees.bin");
        assert!(
            compiled() == file && trees() == trees_file,
            "the coded compiled form does not decode to compiled.bin and compiled-trees.bin"
        );
        assert!(
            want == file && want_trees == trees_file,
            "core/src/policy/compiled.bin or compiled-trees.bin is stale: regenerate them with \
             `YIDI_BLESS=1 cargo test -p yidi-core compiled`"
        );
    }

    #[test]
    fn decodes_to_what_the_json_parser_reads_and_writes_the_embedded_text() {
        let names: Vec<&str> = shipped::PACKS.iter().map(|(f, _)| *f).collect();
        assert_eq!(files(), names);
        for (file, text) in shipped::PACKS {
            let parsed = Pack::from_json(file, text).unwrap_or_else(|e| panic!("{file}: {e:?}"));
            let compiled = pack(file).unwrap_or_else(|e| panic!("{file}: {e:?}"));
            assert_eq!(format!("{compiled:?}"), format!("{parsed:?}"), "{file}");
            assert!(json(file).is_ok_and(|j| j == *text), "{file}: JSON text differs");
        }
        assert!(pack("999999.json").is_err());
    }

    #[test]
    #[cfg(csv_catalogs)]
    fn catalogs_read_back_as_the_csv_reader_reads_them() {
        let names: Vec<&str> = shipped::catalogs().iter().map(|(f, _)| *f).collect();
        assert_eq!(catalog_files(), names);
        for (file, text) in shipped::catalogs() {
            let parsed = Catalog::from_static_csv(file, text).unwrap_or_else(|e| panic!("{file}: {e:?}"));
            let compiled = catalog(file).unwrap_or_else(|e| panic!("{file}: {e:?}"));
            assert!(compiled.len() > 20, "{file}");
            // Every field, the lookup index and the integer forms alike.
            assert_eq!(format!("{compiled:?}"), format!("{parsed:?}"), "{file}");
        }
        assert!(catalog("999999.csv").is_err());
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let s = "引号\" 反斜杠\\ \u{1} \u{8}\u{c}\n\r\t \u{7f} é 𝄞";
        let mut out = String::new();
        write_str(s, &mut out);
        assert_eq!(out, serde_json::to_string(s).unwrap_or_default());
    }
}
