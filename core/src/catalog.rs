//! The treatment place's catalog (支付范围: 药品、诊疗项目、医用耗材): per item its class 甲/乙/丙, its
//! self-pay proportion, price ceiling and restricted-use flag. Direct settlement uses the treatment
//! place's catalog; manual reimbursement uses the insured place's (002 经办规程§9; 003 §6, §17).
//!
//! Catalogs are CSV files with a header and `# key: value` comment lines for metadata:
//! `med_list_codg,med_list_name,med_chrgitm_type,chrgitm_lv,selfpay_prop,pric_uplmt_amt,lmt_used_flag,verified,cite`.

use crate::codes::{Admdvs, ChrgitmLv, ChrgitmType, trimmed};
use crate::error::PackError;
use crate::money::{Dec, Money, parse_decimal};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

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
    /// Code → position in `items`: one hash and one comparison per fee line, where an ordered map
    /// compared the code with a dozen others.
    index: HashMap<Box<str>, u32, BuildHasherDefault<CodeHasher>>,
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

/// FxHash (rustc's hasher) over the code's bytes: codes are short ASCII from our own files, so a fast,
/// non-cryptographic hash is right; a hostile request can only look codes up, never insert them.
#[derive(Default)]
struct CodeHasher(u64);

impl Hasher for CodeHasher {
    fn write(&mut self, bytes: &[u8]) {
        let word = |c: &[u8]| {
            let mut w = [0u8; 8];
            w[..c.len()].copy_from_slice(c);
            u64::from_le_bytes(w)
        };
        let n = bytes.len();
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(word(c));
        }
        match chunks.remainder().len() {
            0 => {}
            // The last eight bytes at once, overlapping the previous word (the length goes in too).
            _ if n >= 8 => self.add(word(&bytes[n - 8..]) ^ n as u64),
            _ => self.add(word(chunks.remainder())),
        }
    }
    fn write_u8(&mut self, b: u8) {
        self.add(u64::from(b));
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

impl CodeHasher {
    fn add(&mut self, w: u64) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(K);
    }
}

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

impl Catalog {
    /// Load a catalog CSV. Metadata comments `# region: 610100` and `# name: …` are required.
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
        let mut items = BTreeMap::new();
        for (line, row) in it {
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
            let chrg_type =
                ChrgitmType::parse(f(2)).map_err(|e| PackError::new(file, at(2), e.message_en))?;
            let lv = ChrgitmLv::parse(f(3)).map_err(|e| PackError::new(file, at(3), e.message_en))?;
            let prop = parse_decimal(f(4))
                .filter(|d| !d.is_sign_negative() && *d <= rust_decimal::Decimal::ONE)
                .ok_or_else(|| {
                    PackError::new(
                        file,
                        at(4),
                        format!("\"{}\" is not a proportion within 0–1", f(4)),
                    )
                })?;
            let ceiling = parse_decimal(f(5))
                .filter(|d| !d.is_sign_negative())
                .ok_or_else(|| PackError::new(file, at(5), format!("\"{}\" is not an amount", f(5))))?;
            let ceiling = (ceiling != rust_decimal::Decimal::from(NO_PRICE_CEILING))
                .then(|| Money::from_decimal(ceiling));
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
            let item = CatalogItem {
                med_list_codg: code.clone(),
                med_list_name,
                med_chrgitm_type: chrg_type,
                chrgitm_lv: lv,
                selfpay_prop: Dec(prop),
                pric_uplmt_amt: ceiling,
                lmt_used_flag: lmt,
                verified,
                cite: f(8).to_string(),
            };
            if items.insert(code.clone(), item).is_some() {
                return Err(PackError::new(file, at(0), format!("code {code} appears twice")));
            }
        }
        let index = items
            .keys()
            .enumerate()
            .map(|(i, code)| (code.as_str().into(), i as u32))
            .collect();
        let items: Vec<CatalogItem> = items.into_values().collect();
        let nums = items.iter().map(ItemNums::of).collect();
        Ok(Catalog {
            region,
            name,
            source: file.to_string(),
            items,
            index,
            nums,
        })
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
        let i = *self.index.get(trimmed(code))?;
        self.items.get(i as usize)
    }
    /// [`Catalog::get`] with the item's numbers in integers (`None` inside when they do not fit).
    pub(crate) fn get_with_nums(&self, code: &str) -> Option<(&CatalogItem, Option<ItemNums>)> {
        let i = *self.index.get(trimmed(code))? as usize;
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
