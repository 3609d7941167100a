//! The shipped policy packs in a compact binary form (`compiled.bin`), read without any JSON parser.
//!
//! Why: the phone module (feature `runtime-packs` off: no packs with a request) would otherwise carry the
//! serde visitors of every pack type only to read the four packs it ships with, ~100 KB of its code. The
//! binary form is made from the very JSON text the core embeds (the native test `compiled_form_is_in_sync`
//! fails when a pack changed and the file was not regenerated; `YIDI_BLESS=1 cargo test -p yidi-core
//! compiled` rewrites it), and `decodes_to_what_the_json_parser_reads` proves that reading it gives the
//! same `Pack` as reading the JSON. The shipped packs are validated by the native tests, so the phone does
//! not validate them again.
//!
//! Format: `YPK1`, the number of packs, then per pack its file name, the length and an FNV-1a hash of the JSON
//! text it was made from (a pack whose text differs is refused, never misread), the length of its body and
//! the body. Integers are LEB128 (signed ones zig-zag). A string is `len << 1 | inline`: inline strings
//! follow as bytes; the others are an offset into the pack's JSON text, which the module holds anyway for
//! `pack.get`, so the texts of citations and notes are not stored twice.

use super::*;
use crate::codes::{FacilityLevel, Insutype, MedClass, PsnClass};

static COMPILED: &[u8] = include_bytes!("compiled.bin");
const MAGIC: &[u8] = b"YPK1";

/// The pack shipped as `file`, whose embedded JSON is `text`, read from its compiled form.
pub(super) fn pack(file: &str, text: &str) -> Result<Pack, PackError> {
    find(file, text)
        .and_then(|body| {
            let mut r = Reader { b: body, text };
            let mut p = Pack::read(&mut r)?;
            p.source = file.to_string();
            r.b.is_empty().then_some(p)
        })
        .ok_or_else(|| {
            PackError::new(
                file,
                "(compiled form)",
                "the compiled form of this shipped pack does not match its text (core/src/policy/compiled.bin is stale)",
            )
        })
}

fn find<'a>(file: &str, text: &str) -> Option<&'a [u8]> {
    let mut r = Reader {
        b: COMPILED.strip_prefix(MAGIC)?,
        text: "",
    };
    for _ in 0..r.uint()? {
        let name = r.inline()?;
        let (len, hash, body) = (r.uint()?, r.uint()?, r.uint()?);
        let body = r.take(usize::try_from(body).ok()?)?;
        if name == file.as_bytes() && len == text.len() as u64 && hash == u64::from(fnv1a(text)) {
            return Some(body);
        }
    }
    None
}

/// FNV-1a, 32 bits: cheap, and enough to tell a stale compiled form from the text it was made from.
fn fnv1a(text: &str) -> u32 {
    text.bytes()
        .fold(0x811c_9dc5, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
}

struct Reader<'a> {
    b: &'a [u8],
    text: &'a str,
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
    fn inline(&mut self) -> Option<&'a [u8]> {
        let n = self.usize()?;
        self.take(n)
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
        let tag = r.usize()?;
        let len = tag >> 1;
        let s = if tag & 1 == 1 {
            std::str::from_utf8(r.take(len)?).ok()?
        } else {
            let at = r.usize()?;
            r.text.get(at..at.checked_add(len)?)?
        };
        Some(s.to_string())
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

impl<T: Compact> Compact for Param<T> {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        Some(Param {
            from: Compact::read(r)?,
            to: Compact::read(r)?,
            value: Compact::read(r)?,
            cite: Compact::read(r)?,
            verified: Compact::read(r)?,
            note: Compact::read(r)?,
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

    pub struct Writer<'a> {
        out: Vec<u8>,
        text: &'a str,
    }

    impl Writer<'_> {
        pub fn uint(&mut self, mut v: u64) {
            loop {
                let b = (v & 0x7f) as u8;
                v >>= 7;
                if v == 0 {
                    self.out.push(b);
                    return;
                }
                self.out.push(b | 0x80);
            }
        }
        fn inline(&mut self, bytes: &[u8]) {
            self.uint(bytes.len() as u64);
            self.out.extend_from_slice(bytes);
        }
        /// Where the JSON text holds the string verbatim (no escapes), point there; else store it inline.
        pub fn string(&mut self, s: &str) {
            let quoted = serde_json::to_string(s).unwrap_or_else(|e| panic!("{e}"));
            let len = s.len() as u64;
            match self.text.find(&quoted) {
                Some(at) if quoted.len() == s.len() + 2 => {
                    self.uint(len << 1);
                    self.uint(at as u64 + 1);
                }
                _ => {
                    self.uint((len << 1) | 1);
                    self.out.extend_from_slice(s.as_bytes());
                }
            }
        }
    }

    /// The compiled form of the given packs (file name, JSON text), as `compiled.bin` holds it.
    fn compile(packs: &[(&str, &str)]) -> Vec<u8> {
        let mut w = Writer {
            out: MAGIC.to_vec(),
            text: "",
        };
        w.uint(packs.len() as u64);
        for (file, text) in packs {
            let pack = Pack::from_json(file, text).unwrap_or_else(|e| panic!("{file}: {e:?}"));
            let mut body = Writer {
                out: Vec::new(),
                text,
            };
            pack.write(&mut body);
            w.inline(file.as_bytes());
            w.uint(text.len() as u64);
            w.uint(u64::from(fnv1a(text)));
            w.uint(body.out.len() as u64);
            w.out.extend_from_slice(&body.out);
        }
        w.out
    }

    #[test]
    fn compiled_form_is_in_sync_with_the_shipped_packs() {
        let want = compile(EMBEDDED_PACKS);
        if std::env::var_os("YIDI_BLESS").is_some() {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/policy/compiled.bin");
            std::fs::write(path, &want).unwrap_or_else(|e| panic!("{path}: {e}"));
        }
        assert!(
            want == COMPILED,
            "core/src/policy/compiled.bin is stale: regenerate it with `YIDI_BLESS=1 cargo test -p yidi-core compiled`"
        );
    }

    #[test]
    fn decodes_to_what_the_json_parser_reads() {
        for (file, text) in EMBEDDED_PACKS {
            let json = Pack::from_json(file, text).unwrap_or_else(|e| panic!("{file}: {e:?}"));
            let compiled = pack(file, text).unwrap_or_else(|e| panic!("{file}: {e:?}"));
            assert_eq!(format!("{compiled:?}"), format!("{json:?}"), "{file}");
        }
    }

    #[test]
    fn a_text_other_than_the_compiled_one_is_refused_not_misread() {
        let (file, text) = EMBEDDED_PACKS[0];
        // Same length, one byte changed inside a citation: the hash tells them apart.
        let changed = text.replacen("cite\":\"0", "cite\":\"1", 1);
        assert_eq!(changed.len(), text.len());
        assert_ne!(changed, text);
        assert!(pack(file, &changed).is_err());
        assert!(pack("999999.json", text).is_err());
    }
}
