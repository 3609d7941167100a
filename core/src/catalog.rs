//! The treatment place's catalog (支付范围: 药品、诊疗项目、医用耗材): per item its class 甲/乙/丙, its
//! self-pay proportion, price ceiling and restricted-use flag. Direct settlement uses the treatment
//! place's catalog; manual reimbursement uses the insured place's (002 经办规程§9; 003 §6, §17).
//!
//! Catalogs are CSV files with a header and `# key: value` comment lines for metadata:
//! `med_list_codg,med_list_name,med_chrgitm_type,chrgitm_lv,selfpay_prop,pric_uplmt_amt,lmt_used_flag,verified,cite`.

use crate::codes::{Admdvs, ChrgitmLv, ChrgitmType, trimmed};
#[cfg(csv_catalogs)]
use crate::error::PackError;
use crate::money::{Dec, Money};
use crate::prelude::*;
use serde::{Deserialize, Serialize};

/// `pric_uplmt_amt` value meaning "no ceiling".
pub const NO_PRICE_CEILING: i64 = 999_999;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CatalogItem {
    pub med_list_codg: String,
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub med_list_name: crate::model::ShortText,
    pub med_chrgitm_type: ChrgitmType,
    pub chrgitm_lv: ChrgitmLv,
    pub selfpay_prop: Dec,
    /// `None` = no ceiling (999999 in the interface).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pric_uplmt_amt: Option<Money>,
    pub lmt_used_flag: bool,
    pub verified: bool,
    pub cite: String,
}

#[derive(Debug, Clone)]
pub struct Catalog {
    region: Admdvs,
    name: String,
    source: String,
    /// Sorted by code (the order `items` promises).
    items: Vec<CatalogItem>,
    /// Code → position in `items`.
    index: CodeIndex,
    /// Per item (same positions), its numbers in the per-line split's integer form, read once at load.
    nums: Vec<Option<ItemNums>>,
}

/// A catalog item's `selfpay_prop` and price ceiling as `(mantissa, scale)` integers; `None` when
/// either does not fit the integer fast path (the split then computes that line in `Decimal`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ItemNums {
    pub prop: (i64, u32),
    pub ceiling: Option<(i64, u32)>,
}

impl ItemNums {
    fn of(item: &CatalogItem) -> Option<ItemNums> {
        let prop = crate::money::fixed(item.selfpay_prop.dec())?;
        let ceiling = match item.pric_uplmt_amt {
            Some(c) => Some(crate::money::fixed(c.dec())?),
            None => None,
        };
        Some(ItemNums { prop, ceiling })
    }
}

/// Code → position in `items` by open addressing: one hash of a few words, usually one probe and one
/// comparison of the code's words per fee line (a `HashMap` with its generic hashing, group probing and a
/// `memcmp` call cost three times as much, and this runs for every fee line).
#[derive(Debug, Clone, Default)]
struct CodeIndex {
    /// A power of two, at least twice the items: 0 = empty, else 1 + the item's position.
    slots: Vec<u32>,
    /// `64 - log2(slots.len())`: a hash's top bits pick its first slot.
    shift: u32,
    /// The full hash of each item's code (same positions as `items`), compared before the code.
    hashes: Vec<u64>,
}

impl CodeIndex {
    fn build<'a>(codes: impl ExactSizeIterator<Item = &'a str>) -> CodeIndex {
        let size = (codes.len() * 2).next_power_of_two().max(8);
        let mut index = CodeIndex {
            slots: vec![0; size],
            shift: 64 - size.trailing_zeros(),
            hashes: Vec::with_capacity(codes.len()),
        };
        let mask = size - 1;
        for (i, code) in codes.enumerate() {
            let h = text_hash(code.as_bytes());
            index.hashes.push(h);
            let mut at = (h >> index.shift) as usize;
            while index.slots[at] != 0 {
                at = (at + 1) & mask;
            }
            // Catalogs are far below 2^32 items (the CSV reader's limits).
            index.slots[at] = i as u32 + 1;
        }
        index
    }

    fn find(&self, code: &str, items: &[CatalogItem]) -> Option<usize> {
        let h = text_hash(code.as_bytes());
        let mask = self.slots.len().checked_sub(1)?;
        let mut at = (h >> self.shift) as usize;
        loop {
            let i = (*self.slots.get(at)? as usize).checked_sub(1)?;
            if self.hashes.get(i) == Some(&h)
                && items
                    .get(i)
                    .is_some_and(|it| same_text(it.med_list_codg.as_bytes(), code.as_bytes()))
            {
                return Some(i);
            }
            at = (at + 1) & mask;
        }
    }
}

/// A fast, non-cryptographic hash of a short text (FxHash's step over whole words; the last word overlaps
/// the one before, and the length goes in). Codes and serial numbers are short: no per-byte loop.
/// Only lookups use it: a hostile request can look codes up but never insert them.
pub(crate) fn text_hash(b: &[u8]) -> u64 {
    const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
    let step = |h: u64, w: u64| (h.rotate_left(5) ^ w).wrapping_mul(K);
    let n = b.len();
    let mut h = step(0, n as u64);
    if n >= 8 {
        let mut i = 0;
        while i + 8 < n {
            h = step(h, word(b, i));
            i += 8;
        }
        h = step(h, word(b, n - 8));
    } else {
        h = step(h, short_word(b));
    }
    h
}

/// Whether two texts are equal, a word at a time (`==` on slices calls `memcmp`).
pub(crate) fn same_text(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n < 8 {
        return short_word(a) == short_word(b);
    }
    let mut i = 0;
    while i + 8 < n {
        if word(a, i) != word(b, i) {
            return false;
        }
        i += 8;
    }
    word(a, n - 8) == word(b, n - 8)
}

/// The eight bytes at `i` (the caller keeps `i + 8 ≤ len`).
#[inline(always)]
fn word(b: &[u8], i: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[i..i + 8]);
    u64::from_le_bytes(w)
}

/// Up to seven bytes as a word: the first and last four (overlapping) from four bytes on, else each byte.
/// For two texts of the same length it is equal exactly when they are: together the two halves cover
/// every byte.
#[inline(always)]
fn short_word(b: &[u8]) -> u64 {
    let n = b.len();
    if n >= 4 {
        let four = |i: usize| {
            let mut w = [0u8; 4];
            w.copy_from_slice(&b[i..i + 4]);
            u64::from(u32::from_le_bytes(w))
        };
        four(0) | (four(n - 4) << 32)
    } else {
        b.iter().fold(0u64, |w, &x| (w << 8) | u64::from(x))
    }
}

#[cfg(csv_catalogs)]
/// A catalog row's number, as [`crate::money::parse_decimal`] reads it. Builds without the hospital's ops use the
/// request reader's equal parser ([`crate::read::decimal_text`]), so the estimate module carries one decimal
/// parser; the hospital's serde readers link `parse_decimal` anyway, and there the catalog shares it.
fn number(s: &str) -> Option<rust_decimal::Decimal> {
    #[cfg(not(feature = "hospital-ops"))]
    return crate::read::decimal_text(s);
    #[cfg(feature = "hospital-ops")]
    return crate::money::parse_decimal(s);
}

#[cfg(csv_catalogs)]
/// `(code, position)` of each item, sorted: by code, and items with the same code in file order.
fn by_code(items: &[CatalogItem]) -> Vec<(&str, usize)> {
    let mut keys: Vec<(&str, usize)> = items
        .iter()
        .enumerate()
        .map(|(i, it)| (it.med_list_codg.as_str(), i))
        .collect();
    keys.sort_unstable();
    keys
}

#[cfg(csv_catalogs)]
const COLUMNS: [&str; 9] = [
    "med_list_codg",
    "med_list_name",
    "med_chrgitm_type",
    "chrgitm_lv",
    "selfpay_prop",
    "pric_uplmt_amt",
    "lmt_used_flag",
    "verified",
    "cite",
];

/// The CSV reader: for catalogs given with a request, and for the shipped ones in builds that take packs at
/// runtime. The phone's filing and estimate modules read their shipped catalogs from the compiled form
/// (`policy/compiled.rs`) and take none with a request (`api::packs_for`), so they carry no CSV reader.
#[cfg(csv_catalogs)]
impl Catalog {
    /// Load a catalog CSV. Metadata comments `# region: 610100` and `# name: …` are required. Metadata comments `# region: 610100` and `# name: …` are required.
    /// (A build without catalog ops and runtime packs refuses catalogs given with a request before this:
    /// `api::packs_for`.)
    pub fn from_csv(file: &str, text: &str) -> Result<Catalog, PackError> {
        Catalog::read(file, text, None)
    }

    /// [`Catalog::from_csv`] for a shipped catalog: item names point into the text instead of being
    /// copied, so the per-line split copies a name without allocating (most names are longer than the
    /// 24 bytes a `ShortText` keeps inline).
    pub fn from_static_csv(file: &'static str, text: &'static str) -> Result<Catalog, PackError> {
        Catalog::read(file, text, Some(text))
    }

    fn read(file: &str, text: &str, shipped: Option<&'static str>) -> Result<Catalog, PackError> {
        // A row's raw fields, when its line has no quotes (then the reader's fields are exactly the
        // comma-separated slices): by 1-based line number.
        let raw_lines: Vec<&'static str> = shipped.map_or_else(Vec::new, |t| t.lines().collect());
        let raw_name = |line: usize| -> Option<&'static str> {
            let raw = *raw_lines.get(line.checked_sub(1)?)?;
            (!raw.contains('"')).then(|| raw.split(',').nth(1).map(str::trim))?
        };
        let mut region = None;
        let mut name = None;
        for l in text.lines() {
            let Some(rest) = l.trim().strip_prefix('#') else {
                continue;
            };
            if let Some((k, v)) = rest.split_once(':') {
                match k.trim() {
                    "region" => region = Some(v.trim().to_string()),
                    "name" => name = Some(v.trim().to_string()),
                    _ => {}
                }
            }
        }
        let region_text =
            region.ok_or_else(|| PackError::new(file, "# region", "missing `# region: <admdvs>` line"))?;
        let region = Admdvs::parse(&region_text).map_err(|_| {
            PackError::new(
                file,
                "# region",
                format!("\"{region_text}\" is not a 6-digit region code"),
            )
        })?;
        let name = name.ok_or_else(|| PackError::new(file, "# name", "missing `# name: …` line"))?;
        let rows = crate::csv::parse(text, true)
            .map_err(|e| PackError::new(file, format!("line {}", e.line), e.reason))?;
        let mut it = rows.into_iter();
        let (_, header) = it
            .next()
            .ok_or_else(|| PackError::new(file, "header", "no header row"))?;
        let header: Vec<&str> = header.iter().map(|h| h.trim()).collect();
        if header != COLUMNS {
            return Err(PackError::new(
                file,
                "header",
                format!("expected columns {}", COLUMNS.join(",")),
            ));
        }
        // Rows in file order; the first row that is malformed or repeats an earlier code is the error, as
        // when each row was checked and then inserted into a map (sorting `(code, row)` pairs shares the
        // sort the settle rules already carry, instead of a map of its own).
        let mut items: Vec<CatalogItem> = Vec::new();
        let mut lines: Vec<usize> = Vec::new();
        for (line, row) in it {
            match Catalog::item(file, line, &row, &raw_name) {
                Ok(item) => {
                    items.push(item);
                    lines.push(line);
                }
                Err(e) => return Err(Catalog::repeat(file, &items, &lines).unwrap_or(e)),
            }
        }
        if let Some(e) = Catalog::repeat(file, &items, &lines) {
            return Err(e);
        }
        let order: Vec<usize> = by_code(&items).iter().map(|k| k.1).collect();
        let mut slots: Vec<Option<CatalogItem>> = items.into_iter().map(Some).collect();
        let items: Vec<CatalogItem> = order.iter().filter_map(|&i| slots[i].take()).collect();
        Ok(Catalog::from_sorted(file.to_string(), region, name, items))
    }

    /// One row (`line` is its line number in the file) as an item.
    fn item(
        file: &str,
        line: usize,
        row: &[String],
        raw_name: &dyn Fn(usize) -> Option<&'static str>,
    ) -> Result<CatalogItem, PackError> {
        let at = |col: usize| format!("line {line} {}", COLUMNS[col]);
        if row.len() != COLUMNS.len() {
            return Err(PackError::new(
                file,
                format!("line {line}"),
                format!("{} fields, expected {}", row.len(), COLUMNS.len()),
            ));
        }
        let f = |i: usize| row[i].trim();
        let code = f(0).to_string();
        if code.is_empty() {
            return Err(PackError::new(file, at(0), "empty code"));
        }
        let chrg_type = ChrgitmType::parse(f(2)).map_err(|e| PackError::new(file, at(2), e.message_en))?;
        let lv = ChrgitmLv::parse(f(3)).map_err(|e| PackError::new(file, at(3), e.message_en))?;
        let prop = number(f(4))
            .filter(|d| !d.is_sign_negative() && *d <= rust_decimal::Decimal::ONE)
            .ok_or_else(|| {
                PackError::new(
                    file,
                    at(4),
                    format!("\"{}\" is not a proportion within 0–1", f(4)),
                )
            })?;
        let ceiling = number(f(5))
            .filter(|d| !d.is_sign_negative())
            .ok_or_else(|| PackError::new(file, at(5), format!("\"{}\" is not an amount", f(5))))?;
        let ceiling =
            (ceiling != rust_decimal::Decimal::from(NO_PRICE_CEILING)).then(|| Money::from_decimal(ceiling));
        let lmt = match f(6) {
            "0" | "" => false,
            "1" => true,
            o => return Err(PackError::new(file, at(6), format!("\"{o}\" is not 0 or 1"))),
        };
        let verified = match f(7) {
            "true" | "1" => true,
            "false" | "0" => false,
            o => {
                return Err(PackError::new(
                    file,
                    at(7),
                    format!("\"{o}\" is not true or false"),
                ));
            }
        };
        if f(8).is_empty() {
            return Err(PackError::new(file, at(8), "every item needs a citation"));
        }
        let med_list_name = match raw_name(line) {
            // Only when the slice is exactly what the reader produced.
            Some(raw) if raw == f(1) => crate::model::ShortText::const_new(raw),
            _ => f(1).into(),
        };
        Ok(CatalogItem {
            med_list_codg: code,
            med_list_name,
            med_chrgitm_type: chrg_type,
            chrgitm_lv: lv,
            selfpay_prop: Dec(prop),
            pric_uplmt_amt: ceiling,
            lmt_used_flag: lmt,
            verified,
            cite: f(8).to_string(),
        })
    }

    /// The error for the first item (in file order) whose code an earlier item has.
    fn repeat(file: &str, items: &[CatalogItem], lines: &[usize]) -> Option<PackError> {
        let k = by_code(items)
            .windows(2)
            .filter(|w| w[0].0 == w[1].0)
            .map(|w| w[1].1)
            .min()?;
        let code = &items[k].med_list_codg;
        Some(PackError::new(
            file,
            format!("line {} {}", lines[k], COLUMNS[0]),
            format!("code {code} appears twice"),
        ))
    }
}

impl Catalog {
    /// A catalog from its items, already in code order with no code twice (the CSV reader sorts and checks
    /// them; the compiled form of a shipped catalog stores them so): builds the lookup index and the numbers.
    pub(crate) fn from_sorted(
        source: String,
        region: Admdvs,
        name: String,
        items: Vec<CatalogItem>,
    ) -> Catalog {
        let index = CodeIndex::build(items.iter().map(|it| it.med_list_codg.as_str()));
        let nums = items.iter().map(ItemNums::of).collect();
        Catalog {
            region,
            name,
            source,
            items,
            index,
            nums,
        }
    }

    pub fn region(&self) -> &Admdvs {
        &self.region
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn source(&self) -> &str {
        &self.source
    }
    pub fn get(&self, code: &str) -> Option<&CatalogItem> {
        let i = self.index.find(trimmed(code), &self.items)?;
        self.items.get(i)
    }
    /// [`Catalog::get`] with the item's numbers in integers (`None` inside when they do not fit).
    pub(crate) fn get_with_nums(&self, code: &str) -> Option<(&CatalogItem, Option<ItemNums>)> {
        let i = self.index.find(trimmed(code), &self.items)?;
        Some((self.items.get(i)?, self.nums.get(i).copied().flatten()))
    }
    pub fn len(&self) -> usize {
        self.items.len()
    }
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
    pub fn items(&self) -> impl Iterator<Item = &CatalogItem> {
        self.items.iter()
    }
}

// The catalogs the tests read are CSV: builds without the CSV reader (the phone's) skip them.
#[cfg(test)]
#[cfg(csv_catalogs)]
mod tests {
    use super::*;

    #[test]
    fn same_text_is_equality_and_every_code_is_found() {
        // Every length up to 40, texts differing in one byte at every position (the words' overlaps).
        let base: Vec<u8> = (0..40u8).map(|i| b'A' + i % 26).collect();
        for n in 0..=40 {
            let a = &base[..n];
            assert!(same_text(a, a));
            let copy = a.to_vec();
            assert_eq!(text_hash(a), text_hash(&copy));
            for at in 0..n {
                let mut b = a.to_vec();
                b[at] = b'0';
                assert!(!same_text(a, &b), "{n} bytes, differing at {at}");
            }
            if n > 0 {
                assert!(!same_text(a, &base[..n - 1]));
            }
        }
        // A catalog of codes of every length 1–30 finds each of them and nothing else.
        let codes: Vec<String> = (1..=30).map(|n| format!("{:0>n$}", n)).collect();
        let csv = codes.iter().fold(
            "# region: 610100\n# name: test\nmed_list_codg,med_list_name,med_chrgitm_type,chrgitm_lv,selfpay_prop,pric_uplmt_amt,lmt_used_flag,verified,cite\n"
                .to_string(),
            |t, c| t + &format!("{c},n{c},01,01,0,999999,0,true,t\n"),
        );
        let cat = Catalog::from_csv("t.csv", &csv).unwrap();
        for c in &codes {
            assert_eq!(cat.get(c).map(|i| i.med_list_codg.as_str()), Some(c.as_str()));
            assert!(cat.get(&format!("{c}0")).is_none() || codes.contains(&format!("{c}0")));
            if c.contains('0') {
                assert!(cat.get(&c.replace('0', "9")).is_none());
            }
        }
    }

    const CSV: &str = "# region: 610100\n# name: test\n\
        med_list_codg,med_list_name,med_chrgitm_type,chrgitm_lv,selfpay_prop,pric_uplmt_amt,lmt_used_flag,verified,cite\n\
        XJ01DDA117B002010100448,头孢曲松钠注射剂（长名称超过二十四个字节）,09,02,0.1,999999,0,true,t\n\
        001103000010000,床位费,01,01,0,55,0,true,t\n\
        A,甲,01,01,0,999999,1,false,t\n";

    #[test]
    fn lookup_by_code_and_items_in_code_order() {
        let c = Catalog::from_csv("t.csv", CSV).unwrap();
        let codes: Vec<&str> = c.items().map(|i| i.med_list_codg.as_str()).collect();
        assert_eq!(codes, ["001103000010000", "A", "XJ01DDA117B002010100448"]);
        for (code, name) in [
            ("001103000010000", "床位费"),
            (" 001103000010000\t", "床位费"),
            (
                "XJ01DDA117B002010100448",
                "头孢曲松钠注射剂（长名称超过二十四个字节）",
            ),
            ("A", "甲"),
            ("\u{3000}A", "甲"),
        ] {
            assert_eq!(
                c.get(code).map(|i| i.med_list_name.as_str()),
                Some(name),
                "{code:?}"
            );
        }
        for code in [
            "",
            "a",
            "00110300001000",
            "001103000010000x",
            "XJ01DDA117B00201010044",
        ] {
            assert!(c.get(code).is_none(), "{code:?}");
        }
        assert_eq!(c.len(), 3);
    }

    #[test]
    fn shipped_catalogs_point_names_into_their_text() {
        // A quoted name (with a comma) is copied; the others point into the text, same values.
        const QUOTED: &str = "# region: 610100\n# name: q\n\
            med_list_codg,med_list_name,med_chrgitm_type,chrgitm_lv,selfpay_prop,pric_uplmt_amt,lmt_used_flag,verified,cite\n\
            B,\"葡萄糖注射液，规格超过二十四个字节的名称\",09,01,0,999999,0,true,t\n";
        for text in [CSV, QUOTED] {
            let owned = Catalog::from_csv("t.csv", text).unwrap();
            let shipped = Catalog::from_static_csv("t.csv", text).unwrap();
            assert_eq!(owned.items, shipped.items);
        }
        let c = Catalog::from_static_csv("t.csv", CSV).unwrap();
        let long = c.get("XJ01DDA117B002010100448").unwrap();
        assert!(!long.med_list_name.is_heap_allocated());
        let q = Catalog::from_static_csv("q.csv", QUOTED).unwrap();
        assert_eq!(
            q.get("B").unwrap().med_list_name,
            "葡萄糖注射液，规格超过二十四个字节的名称"
        );
        assert!(q.get("B").unwrap().med_list_name.is_heap_allocated());
    }

    #[test]
    fn the_first_bad_or_repeated_row_in_file_order_is_the_error() {
        const HEAD: &str = "# region: 610100\n# name: t\n\
            med_list_codg,med_list_name,med_chrgitm_type,chrgitm_lv,selfpay_prop,pric_uplmt_amt,lmt_used_flag,verified,cite\n";
        let row = |code: &str, prop: &str| format!("{code},n,01,01,{prop},999999,0,true,t\n");
        let err = |rows: &[String]| {
            let text = format!("{HEAD}{}", rows.concat());
            Catalog::from_csv("t.csv", &text).unwrap_err().to_string()
        };
        // Lines: the header is line 3, rows from line 4.
        let (ok, bad) = (|c: &str| row(c, "0.1"), |c: &str| row(c, "2"));
        let e = err(&[ok("B"), ok("A"), ok("B"), bad("C"), ok("A")]);
        assert!(
            e.contains("line 6 med_list_codg") && e.contains("code B appears twice"),
            "{e}"
        );
        let e = err(&[ok("B"), bad("C"), ok("B")]);
        assert!(e.contains("line 5 selfpay_prop"), "{e}");
        let e = err(&[ok("B"), ok("A"), ok("A"), ok("B")]);
        assert!(
            e.contains("line 6 med_list_codg") && e.contains("code A appears twice"),
            "{e}"
        );
        let e = err(&[ok("Z"), ok("B"), ok("Y"), ok("B"), ok("Z")]);
        assert!(
            e.contains("line 7 med_list_codg") && e.contains("code B appears twice"),
            "{e}"
        );
        let text = format!("{HEAD}{}", [ok("Z"), ok("B"), ok("Y"), ok("a"), ok("A")].concat());
        let c = Catalog::from_csv("t.csv", &text).unwrap();
        let codes: Vec<&str> = c.items().map(|i| i.med_list_codg.as_str()).collect();
        assert_eq!(codes, ["A", "B", "Y", "Z", "a"]);
        assert!(
            codes
                .iter()
                .all(|code| c.get(code).is_some_and(|i| i.med_list_codg == *code))
        );
    }
}
