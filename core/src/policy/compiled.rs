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
//! Format: `YPK2`; the string table (its length, then each distinct string once as length + UTF-8); the
//! number of packs; per pack its file name, its JSON tree (length + bytes) and its `Pack` body (length +
//! bytes). Integers are LEB128; a string is its byte offset in the table. A tree node is a tag (0 null,
//! 1 false, 2 true, 3 number with its text, 4 string, 5 array, 6 object) and its content; objects keep the
//! key order of the embedded text.

use super::*;
use crate::codes::{FacilityLevel, Insutype, MedClass, PsnClass};
use core::fmt::Write as _;

/// `compiled.bin` as build.rs coded it (`crate::lz`): a third of its size in the phone modules.
static CODED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/compiled.lz"));

/// The compiled form, decoded once; empty (so every pack reads as damaged) if the coding is.
fn compiled() -> &'static [u8] {
    static DECODED: OnceLock<Vec<u8>> = OnceLock::new();
    DECODED.get_or_init(|| crate::lz::decode(CODED).unwrap_or_default())
}
const MAGIC: &[u8] = b"YPK2";

/// One shipped pack in the compiled form.
struct Entry {
    file: &'static str,
    tree: &'static [u8],
    body: &'static [u8],
}

/// The table of strings and the packs, or `None` when the file is damaged.
fn entries() -> Option<(&'static [u8], Vec<Entry>)> {
    let mut r = Reader {
        b: compiled().strip_prefix(MAGIC)?,
        table: &[],
    };
    let n = r.usize()?;
    r.table = r.take(n)?;
    let mut v = Vec::new();
    for _ in 0..r.uint()? {
        let file = r.str()?;
        let n = r.usize()?;
        let tree = r.take(n)?;
        let n = r.usize()?;
        let body = r.take(n)?;
        v.push(Entry { file, tree, body });
    }
    Some((r.table, v))
}

/// The file names of the shipped packs (`610100.json`), in the order they were compiled.
pub(super) fn files() -> Vec<&'static str> {
    entries().map_or_else(Vec::new, |(_, v)| v.iter().map(|e| e.file).collect())
}

fn damaged(file: &str) -> PackError {
    PackError::new(
        file,
        "(compiled form)",
        "the compiled form of this shipped pack is damaged (core/src/policy/compiled.bin)",
    )
}

fn reader(file: &str, part: fn(&Entry) -> &'static [u8]) -> Result<Reader<'static>, PackError> {
    let (table, v) = entries().ok_or_else(|| damaged(file))?;
    let e = v.iter().find(|e| e.file == file).ok_or_else(|| damaged(file))?;
    Ok(Reader { b: part(e), table })
}

/// The shipped pack `file`.
pub(super) fn pack(file: &str) -> Result<Pack, PackError> {
    let mut r = reader(file, |e| e.body)?;
    let mut p = Pack::read(&mut r).ok_or_else(|| damaged(file))?;
    p.source = file.to_string();
    Ok(p)
}

/// The JSON text of the shipped pack `file`, byte for byte the minified text the full core embeds.
pub(super) fn json(file: &str) -> Result<String, PackError> {
    let mut r = reader(file, |e| e.tree)?;
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
        inpatient_filing_opens_outpatient, referral_lapses_after_discharge,
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

    /// The compiled form of the given packs (file name, JSON text), as `compiled.bin` holds it.
    fn compile(packs: &[(&str, &str)]) -> Vec<u8> {
        let mut table = Table::default();
        let mut w = Writer {
            out: Vec::new(),
            table: &mut table,
        };
        w.uint(packs.len() as u64);
        for (file, text) in packs {
            let pack = Pack::from_json(file, text).unwrap_or_else(|e| panic!("{file}: {e:?}"));
            let value: serde_json::Value =
                serde_json::from_str(text).unwrap_or_else(|e| panic!("{file}: {e}"));
            w.string(file);
            let mut tree = Writer {
                out: Vec::new(),
                table: &mut *w.table,
            };
            tree.tree(&value);
            let tree = tree.out;
            let mut body = Writer {
                out: Vec::new(),
                table: &mut *w.table,
            };
            pack.write(&mut body);
            let body = body.out;
            for part in [tree, body] {
                w.uint(part.len() as u64);
                w.out.extend_from_slice(&part);
            }
        }
        let packs_part = w.out;
        let mut out = MAGIC.to_vec();
        uint(&mut out, table.bytes.len() as u64);
        out.extend_from_slice(&table.bytes);
        out.extend_from_slice(&packs_part);
        out
    }

    #[test]
    fn compiled_form_is_in_sync_with_the_shipped_packs() {
        let want = compile(shipped::PACKS);
        if std::env::var_os("YIDI_BLESS").is_some() {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/policy/compiled.bin");
            std::fs::write(path, &want).unwrap_or_else(|e| panic!("{path}: {e}"));
        }
        // What the core reads is the file as build.rs coded it: decoded, it is the file.
        let file: &[u8] = include_bytes!("compiled.bin");
        assert!(
            compiled() == file,
            "the coded compiled form does not decode to compiled.bin"
        );
        assert!(
            want == file,
            "core/src/policy/compiled.bin is stale: regenerate it with `YIDI_BLESS=1 cargo test -p yidi-core compiled`"
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
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let s = "引号\" 反斜杠\\ \u{1} \u{8}\u{c}\n\r\t \u{7f} é 𝄞";
        let mut out = String::new();
        write_str(s, &mut out);
        assert_eq!(out, serde_json::to_string(s).unwrap_or_default());
    }
}
