//! Effective-dated policy packs: every regional number the engine uses, each value with its
//! validity (`from`/`to`), citation, and whether it was verified against an official text.
//!
//! A pack belongs to an insured place (参保地政策). It holds filing rules and a table of benefit rows
//! keyed like a provincial policy engine (§7 of NATIONAL_SPEC.md): insutype, med_type class, facility
//! level, person class and visit category. For each parameter the engine picks, among the rows that
//! match the visit and carry a value in force at the settlement date, the most specific one.
//!
//! Packs are JSON files (`core/packs/<region>.json`), embedded by default and loadable at runtime
//! (inline JSON through the API, or a path read by a host). A malformed pack is refused with a
//! [`PackError`] naming the file, the key and the reason.

use crate::catalog::Catalog;
use crate::codes::{Admdvs, FacilityLevel, Insutype, MedClass, PsnClass};
use crate::error::{ApiError, ErrorCode, PackError};
use crate::model::VisitCategory;
use crate::money::{Dec, Money};
use crate::prelude::*;
use crate::smallmap::SortedMap;
use alloc::borrow::Cow;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The pack format this core reads.
pub const PACK_SCHEMA: &str = "yidi-pack/1";

/// One dated value of a parameter.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Param<T> {
    pub from: NaiveDate,
    /// Last day in force (inclusive); absent = still in force.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<NaiveDate>,
    pub value: T,
    /// Seed article or official document the value comes from.
    pub cite: String,
    /// `false` marks an illustration that no official text at hand confirms.
    pub verified: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Bounds on a pack's size. A pack is data a caller may send inline, and every trace entry copies a value's
/// citation and note: without bounds, a crafted pack (a megabyte note on thousands of riders) asks for an
/// answer quadratic in its size. The shipped packs use a small fraction of each bound.
pub mod limits {
    /// Characters in any text of a pack (names, summary, citations, notes).
    pub const TEXT_CHARS: usize = 2_000;
    /// Dated values of one parameter.
    pub const DATED_VALUES: usize = 100;
    /// Bands of one tier table.
    pub const BANDS: usize = 50;
    /// Benefit rows of a pack.
    pub const BENEFIT_ROWS: usize = 2_000;
    /// Riders of a pack.
    pub const RIDERS: usize = 100;
}

fn check_text(file: &str, key: impl Into<String>, text: &str) -> Result<(), PackError> {
    let n = text.chars().count();
    if n > limits::TEXT_CHARS {
        return Err(PackError::new(
            file,
            key,
            format!(
                "{n} characters: a pack's texts are at most {}",
                limits::TEXT_CHARS
            ),
        ));
    }
    Ok(())
}

fn check_count(file: &str, key: &str, n: usize, max: usize, what: &str) -> Result<(), PackError> {
    if n > max {
        return Err(PackError::new(file, key, format!("{n} {what}: at most {max}")));
    }
    Ok(())
}

/// A parameter's dated values, in order, not overlapping.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(transparent)]
pub struct Dated<T>(pub Vec<Param<T>>);

impl<T> Dated<T> {
    /// The value in force on `date`.
    pub fn at(&self, date: NaiveDate) -> Option<&Param<T>> {
        self.0
            .iter()
            .find(|p| p.from <= date && p.to.is_none_or(|t| date <= t))
    }
    fn check(&self, file: &str, key: &str) -> Result<(), PackError> {
        if self.0.is_empty() {
            return Err(PackError::new(file, key, "has no dated values"));
        }
        check_count(file, key, self.0.len(), limits::DATED_VALUES, "dated values")?;
        for (i, p) in self.0.iter().enumerate() {
            let k = format!("{key}[{i}]");
            check_text(file, format!("{k}.cite"), &p.cite)?;
            if let Some(n) = &p.note {
                check_text(file, format!("{k}.note"), n)?;
            }
            if p.cite.trim().is_empty() {
                return Err(PackError::new(
                    file,
                    k,
                    "a value without a citation (`cite`) is not accepted",
                ));
            }
            if let Some(t) = p.to
                && t < p.from
            {
                return Err(PackError::new(
                    file,
                    k,
                    format!("`to` {t} is before `from` {}", p.from),
                ));
            }
            if i > 0 {
                let prev = &self.0[i - 1];
                match prev.to {
                    Some(t) if t < p.from => {}
                    _ => {
                        return Err(PackError::new(
                            file,
                            k,
                            "dated values overlap or are out of order: each must start after the previous one's `to`",
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

/// How the deductible (起付标准) is charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeductibleMode {
    /// Every stay or visit pays it in full.
    PerVisit,
    /// Once a year (the year-to-date amount already paid counts).
    PerYear,
    /// Once a year at the highest facility level used: a later stay at a higher level tops it up.
    HighestLevelInYear,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Deductible {
    pub amount: Money,
    pub mode: DeductibleMode,
}

/// One band (分段) of a tiered ratio: applies to the amount above the deductible up to `upto`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Band {
    /// Upper bound of the band (cumulative amount above the deductible); absent = no bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upto: Option<Money>,
    /// Fund share, 0–1.
    pub ratio: Dec,
}

/// What the bands are measured on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum TierBasis {
    /// This claim's amount above the deductible.
    PerClaim,
    /// The year's cumulative amount above the deductible (accumulator `above_dedc`).
    Annual,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Tiers {
    pub basis: TierBasis,
    pub bands: Vec<Band>,
}

/// The two forms a temporary-trip reduction takes (NATIONAL_SPEC.md §6; 003 一(四)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReductionForm {
    /// The fund ratio is lowered by `points` percentage points.
    RatioPoints,
    /// The person first pays `points` percent of the in-scope amount (个人先行自付).
    Preselfpay,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Reduction {
    pub form: ReductionForm,
    /// Percentage points, 0–100.
    pub points: Dec,
}

/// What the employee personal account (个人账户) may pay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum AccountUse {
    None,
    /// The person's in-scope share (deductible, ratio share, 先行自付).
    PersonalInscope,
    /// Everything the person owes, self-paid items included.
    PersonalAll,
}

/// Which rows a value applies to; an absent key matches anything.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Selector {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insutype: Option<Insutype>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub med_class: Option<Vec<MedClass>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hosp_lv: Option<Vec<FacilityLevel>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub psn_class: Option<Vec<PsnClass>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visit_category: Option<Vec<VisitCategory>>,
}

/// The facts a selector is matched against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SelectKey {
    pub insutype: Insutype,
    pub med_class: MedClass,
    pub hosp_lv: FacilityLevel,
    pub psn_class: PsnClass,
    pub visit_category: VisitCategory,
}

impl Selector {
    fn matches(&self, k: &SelectKey) -> bool {
        self.insutype.is_none_or(|i| i == k.insutype)
            && self.med_class.as_ref().is_none_or(|v| v.contains(&k.med_class))
            && self.hosp_lv.as_ref().is_none_or(|v| v.contains(&k.hosp_lv))
            && self.psn_class.as_ref().is_none_or(|v| v.contains(&k.psn_class))
            && self
                .visit_category
                .as_ref()
                .is_none_or(|v| v.contains(&k.visit_category))
    }
    fn specificity(&self) -> u32 {
        u32::from(self.insutype.is_some())
            + u32::from(self.med_class.is_some())
            + u32::from(self.hosp_lv.is_some())
            + u32::from(self.psn_class.is_some())
            + u32::from(self.visit_category.is_some())
    }
}

/// The benefit rows that apply to one visit, with their specificity, in pack order.
pub struct Applicable<'a> {
    rows: Vec<(u32, &'a BenefitRow)>,
}

impl<'a> Applicable<'a> {
    /// The most specific value of a benefit parameter in force at `date` (the first row on a tie).
    pub fn benefit<T>(
        &self,
        pick: impl Fn(&'a BenefitRow) -> Option<&'a Dated<T>>,
        date: NaiveDate,
    ) -> Option<&'a Param<T>> {
        let mut best: Option<(u32, &Param<T>)> = None;
        for &(s, row) in &self.rows {
            let Some(p) = pick(row).and_then(|d| d.at(date)) else {
                continue;
            };
            if best.is_none_or(|(bs, _)| s > bs) {
                best = Some((s, p));
            }
        }
        best.map(|(_, p)| p)
    }

    /// The accumulator pool of the visit: the most specific row naming one, else by class.
    pub fn pool(&self, med_class: MedClass) -> &'a str {
        let mut best: Option<(u32, &'a str)> = None;
        for &(s, row) in &self.rows {
            if let Some(p) = &row.pool
                && best.is_none_or(|(bs, _)| s > bs)
            {
                best = Some((s, p));
            }
        }
        match best {
            Some((_, p)) => p,
            None if med_class == MedClass::Inpatient => "inpatient",
            None if med_class == MedClass::Maternity => "maternity",
            None => "outpatient",
        }
    }
}

/// A row of the benefit table: a selector and any of the parameters it sets.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct BenefitRow {
    #[serde(default)]
    pub select: Selector,
    /// Accumulator pool this row's claims count in (default: `inpatient` for stays, `outpatient` otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deductible: Option<Dated<Deductible>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tiers: Option<Dated<Tiers>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annual_cap: Option<Dated<Money>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reduction: Option<Dated<Reduction>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<Dated<AccountUse>>,
}

/// What a rider pays on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum RiderBase {
    /// The in-scope amount the basic fund did not pay because its annual cap was reached (职工大额).
    AboveBasicCap,
    /// The person's remaining in-scope share after the funds before it (大病, 公务员补助, 医疗救助).
    PersonalInscope,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RiderRequires {
    /// Only for persons with `cvlserv_flag`.
    #[serde(default)]
    pub cvlserv: bool,
    /// Only for these 医疗救助 classes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maf_class: Option<Vec<String>>,
}

/// A supplementary fund applied after the basic fund, in pack order.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Rider {
    /// Accumulator key, e.g. `hifob`, `hifmi`, `cvlserv`, `maf_dibao`.
    pub id: String,
    /// National `fund_pay_type` (330100, 390200, 320100, 610100 …): decides the `setlinfo` column.
    pub fund_pay_type: String,
    pub name_zh: String,
    pub name_en: String,
    #[serde(default)]
    pub select: Selector,
    #[serde(default)]
    pub requires: RiderRequires,
    pub base: RiderBase,
    /// Annual deductible on the rider's base.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deductible: Option<Dated<Money>>,
    /// Bands over the year's base above the rider's deductible.
    pub tiers: Dated<Vec<Band>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annual_cap: Option<Dated<Money>>,
}

/// Whether intra-province visits need a filing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum IntraProvinceFiling {
    Required,
    /// Abolished for everyone: intra-province visits settle under insured-place policy without filing.
    Abolished,
    /// Abolished for temporary trips only; long-term residents still file.
    AbolishedForTemporary,
}

/// How 门诊慢特病 care elsewhere is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChronicFiling {
    /// A cross-province filing covers it (002 实施细则三(四)).
    CoveredByFiling,
    /// A separate chronic-disease filing with the insured place is required (001 §8).
    SeparateFilingRequired,
}

/// Reasons a change may be asked for; some lift the long-term change lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChangeReason {
    /// 退休安置地变化.
    RetirementPlaceChanged,
    /// 工作单位变化.
    EmployerChanged,
    /// 疫情等特殊情况.
    Epidemic,
    /// 因病情需要 (temporary referral).
    MedicalNeed,
    /// Phone, address and other contact details.
    ContactDetails,
    /// Any other wish.
    Personal,
}

impl ChangeReason {
    /// Every reason in declaration order and its JSON name (`rename_all = "snake_case"`): the hand reader's
    /// table (`crate::read`); a test holds it to serde's names.
    pub(crate) const ALL: [ChangeReason; 6] = [
        ChangeReason::RetirementPlaceChanged,
        ChangeReason::EmployerChanged,
        ChangeReason::Epidemic,
        ChangeReason::MedicalNeed,
        ChangeReason::ContactDetails,
        ChangeReason::Personal,
    ];
    pub(crate) const NAMES: [&'static str; 6] = [
        "retirement_place_changed",
        "employer_changed",
        "epidemic",
        "medical_need",
        "contact_details",
        "personal",
    ];
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct FilingRules {
    /// Validity of a temporary filing, months (never less than 6).
    pub temporary_validity_months: Dated<u32>,
    /// Long-term filings may not be changed or cancelled within this many months of taking effect.
    pub long_term_change_lock_months: Dated<u32>,
    /// Reasons that lift the lock (with documents).
    pub change_lock_exceptions: Dated<Vec<ChangeReason>>,
    pub intra_province_filing: Dated<IntraProvinceFiling>,
    /// Whether the employee personal account needs a filing to pay across provinces.
    pub account_cross_province_filing_required: Dated<bool>,
    pub chronic_disease_filing: Dated<ChronicFiling>,
    /// Province codes where a filing may name the whole province (海南 46, 西藏 54, 兵团 66).
    pub province_level_destinations: Dated<Vec<String>>,
    /// Whether an inpatient filing also opens ordinary outpatient direct settlement (001 §7).
    pub inpatient_filing_opens_outpatient: Dated<bool>,
    /// Whether a referral filing lapses once that stay's discharge is settled (000 §10(三)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referral_lapses_after_discharge: Option<Dated<bool>>,
    /// Whether the 居民身份证 (`mdtrt_cert_type` 02) is a valid credential for cross-province direct
    /// settlement of this place's insured (002 §22: intra-province only; 001 §13, 003 §18: anywhere).
    /// Absent: the pack does not say, and nothing is checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_card_cross_province: Option<Dated<bool>>,
    /// Whether the change lock also forbids cancelling a long-term filing (002 经办规程§12.1 allows a time
    /// limit on 变更或取消; 003 二(四) limits only 变更). Absent: it does, as the national rule allows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_locked: Option<Dated<bool>>,
    /// 协查 thresholds (疑似违规费用协查): a stay's total at or above which the insured place may ask the
    /// treatment place to check it, across provinces (002 §64; 003 §44) and within the province (002 §64).
    /// Absent: precheck reports nothing for that kind of stay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xiecha_cross_province: Option<Dated<Money>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xiecha_intra_province: Option<Dated<Money>>,
}

/// An insured place's policy pack.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Pack {
    pub schema: String,
    pub region: Admdvs,
    pub name_zh: String,
    pub name_en: String,
    /// What the pack is and how far its numbers are confirmed.
    pub summary: String,
    /// Note attached to every unverified value that has none of its own: what document would confirm it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unverified_note: Option<String>,
    pub filing: FilingRules,
    pub benefits: Vec<BenefitRow>,
    #[serde(default)]
    pub riders: Vec<Rider>,
    /// Where the pack came from (file name or `inline`); set by the loader.
    #[serde(default, skip_deserializing)]
    pub source: String,
}

/// A parameter value as used: what the trace records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ParamUse {
    /// Dotted name, e.g. `benefits.deductible`.
    pub name: String,
    /// The value, as text.
    pub value: String,
    pub from: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<NaiveDate>,
    pub cite: String,
    pub verified: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The pack it came from (`610100.json`).
    pub pack: String,
}

impl Pack {
    /// Parse and validate a pack from JSON text; `file` names it in errors.
    pub fn from_json(file: &str, text: &str) -> Result<Pack, PackError> {
        // The path of the failing key (`benefits[12].select.hosp_lv[0]`), since shipped packs are minified
        // and a line/column would point nowhere a reader can find.
        #[cfg(feature = "runtime-packs")]
        let mut pack: Pack = {
            let de = &mut serde_json::Deserializer::from_str(text);
            serde_path_to_error::deserialize(de).map_err(|e| {
                let path = e.path().to_string();
                let inner = e.into_inner();
                let key = if path == "." {
                    format!("line {} column {}", inner.line(), inner.column())
                } else {
                    path
                };
                PackError::new(file, key, inner.to_string())
            })?
        };
        // Without runtime packs only the shipped ones are read, which the native tests parse with key paths.
        #[cfg(not(feature = "runtime-packs"))]
        let mut pack: Pack = serde_json::from_str(text).map_err(|e| {
            PackError::new(
                file,
                format!("line {} column {}", e.line(), e.column()),
                e.to_string(),
            )
        })?;
        pack.source = file.to_string();
        pack.validate()?;
        Ok(pack)
    }

    fn validate(&self) -> Result<(), PackError> {
        let f = self.source.as_str();
        if self.schema != PACK_SCHEMA {
            return Err(PackError::new(
                f,
                "schema",
                format!("expected \"{PACK_SCHEMA}\", got \"{}\"", self.schema),
            ));
        }
        for (k, t) in [
            ("name_zh", &self.name_zh),
            ("name_en", &self.name_en),
            ("summary", &self.summary),
        ] {
            check_text(f, k, t)?;
        }
        if let Some(n) = &self.unverified_note {
            check_text(f, "unverified_note", n)?;
        }
        check_count(
            f,
            "benefits",
            self.benefits.len(),
            limits::BENEFIT_ROWS,
            "benefit rows",
        )?;
        check_count(f, "riders", self.riders.len(), limits::RIDERS, "riders")?;
        let fr = &self.filing;
        fr.temporary_validity_months
            .check(f, "filing.temporary_validity_months")?;
        for (i, p) in fr.temporary_validity_months.0.iter().enumerate() {
            if p.value < 6 || p.value > 24 {
                return Err(PackError::new(
                    f,
                    format!("filing.temporary_validity_months[{i}]"),
                    format!(
                        "{} months: a temporary filing is valid at least 6 months (NATIONAL_SPEC §6)",
                        p.value
                    ),
                ));
            }
        }
        fr.long_term_change_lock_months
            .check(f, "filing.long_term_change_lock_months")?;
        for (i, p) in fr.long_term_change_lock_months.0.iter().enumerate() {
            if p.value > 6 {
                return Err(PackError::new(
                    f,
                    format!("filing.long_term_change_lock_months[{i}]"),
                    format!(
                        "{} months: the lock may not exceed 6 months (002 经办规程§12.1)",
                        p.value
                    ),
                ));
            }
        }
        fr.change_lock_exceptions
            .check(f, "filing.change_lock_exceptions")?;
        fr.intra_province_filing
            .check(f, "filing.intra_province_filing")?;
        fr.account_cross_province_filing_required
            .check(f, "filing.account_cross_province_filing_required")?;
        fr.chronic_disease_filing
            .check(f, "filing.chronic_disease_filing")?;
        fr.province_level_destinations
            .check(f, "filing.province_level_destinations")?;
        fr.inpatient_filing_opens_outpatient
            .check(f, "filing.inpatient_filing_opens_outpatient")?;
        if let Some(d) = &fr.referral_lapses_after_discharge {
            d.check(f, "filing.referral_lapses_after_discharge")?;
        }
        if let Some(d) = &fr.id_card_cross_province {
            d.check(f, "filing.id_card_cross_province")?;
        }
        if let Some(d) = &fr.cancel_locked {
            d.check(f, "filing.cancel_locked")?;
        }
        check_amounts(f, "filing.xiecha_cross_province", &fr.xiecha_cross_province)?;
        check_amounts(f, "filing.xiecha_intra_province", &fr.xiecha_intra_province)?;
        if self.benefits.is_empty() {
            return Err(PackError::new(
                f,
                "benefits",
                "a pack needs at least one benefit row",
            ));
        }
        for (i, row) in self.benefits.iter().enumerate() {
            let k = format!("benefits[{i}]");
            if let Some(d) = &row.deductible {
                d.check(f, &format!("{k}.deductible"))?;
                for (j, p) in d.0.iter().enumerate() {
                    check_amount(f, &format!("{k}.deductible[{j}].amount"), p.value.amount)?;
                }
            }
            if let Some(t) = &row.tiers {
                t.check(f, &format!("{k}.tiers"))?;
                for (j, p) in t.0.iter().enumerate() {
                    check_bands(f, &format!("{k}.tiers[{j}].bands"), &p.value.bands)?;
                }
            }
            check_amounts(f, &format!("{k}.annual_cap"), &row.annual_cap)?;
            if let Some(r) = &row.reduction {
                r.check(f, &format!("{k}.reduction"))?;
                for (j, p) in r.0.iter().enumerate() {
                    let pts = p.value.points.dec();
                    if pts.is_sign_negative() || pts > Decimal::ONE_HUNDRED {
                        return Err(PackError::new(
                            f,
                            format!("{k}.reduction[{j}].points"),
                            "points must be within 0–100",
                        ));
                    }
                }
            }
            if let Some(a) = &row.account {
                a.check(f, &format!("{k}.account"))?;
            }
        }
        let mut ids = alloc::collections::BTreeSet::new();
        for (i, r) in self.riders.iter().enumerate() {
            let k = format!("riders[{i}]");
            for (field, t) in [("id", &r.id), ("name_zh", &r.name_zh), ("name_en", &r.name_en)] {
                check_text(f, format!("{k}.{field}"), t)?;
            }
            if !ids.insert(r.id.as_str()) {
                return Err(PackError::new(
                    f,
                    format!("{k}.id"),
                    format!("rider id `{}` appears twice", r.id),
                ));
            }
            r.tiers.check(f, &format!("{k}.tiers"))?;
            for (j, p) in r.tiers.0.iter().enumerate() {
                check_bands(f, &format!("{k}.tiers[{j}]"), &p.value)?;
            }
            check_amounts(f, &format!("{k}.deductible"), &r.deductible)?;
            check_amounts(f, &format!("{k}.annual_cap"), &r.annual_cap)?;
        }
        Ok(())
    }

    /// The most specific value of a benefit parameter in force at `date` for `key`.
    pub fn benefit<'a, T>(
        &'a self,
        pick: impl Fn(&'a BenefitRow) -> Option<&'a Dated<T>>,
        key: &SelectKey,
        date: NaiveDate,
    ) -> Option<&'a Param<T>> {
        self.applicable(key).benefit(pick, date)
    }

    /// The benefit rows that apply to `key`, selected once: a claim asks them for five parameters.
    pub fn applicable(&self, key: &SelectKey) -> Applicable<'_> {
        Applicable {
            rows: self
                .benefits
                .iter()
                .filter(|r| r.select.matches(key))
                .map(|r| (r.select.specificity(), r))
                .collect(),
        }
    }

    /// Riders that apply to the visit, in pack order.
    pub fn riders_for<'a>(&'a self, key: &'a SelectKey) -> impl Iterator<Item = &'a Rider> + 'a {
        self.riders.iter().filter(move |r| r.select.matches(key))
    }

    /// Record of a value used, for the trace.
    pub fn use_of<T>(&self, name: &str, p: &Param<T>, shown: String) -> ParamUse {
        ParamUse {
            name: name.to_string(),
            value: shown,
            from: p.from,
            to: p.to,
            cite: p.cite.clone(),
            verified: p.verified,
            note: p.note.clone().or_else(|| {
                if p.verified {
                    None
                } else {
                    self.unverified_note.clone()
                }
            }),
            pack: self.source.clone(),
        }
    }

    /// Count of dated values marked unverified, for listings.
    pub fn unverified_count(&self) -> usize {
        fn n<T>(d: &Option<Dated<T>>) -> usize {
            d.as_ref()
                .map_or(0, |d| d.0.iter().filter(|p| !p.verified).count())
        }
        let rows: usize = self
            .benefits
            .iter()
            .map(|r| n(&r.deductible) + n(&r.tiers) + n(&r.annual_cap) + n(&r.reduction) + n(&r.account))
            .sum();
        let riders: usize = self
            .riders
            .iter()
            .map(|r| r.tiers.0.iter().filter(|p| !p.verified).count() + n(&r.deductible) + n(&r.annual_cap))
            .sum();
        rows + riders
    }
}

/// A pack's amount (deductible, cap, band bound, threshold) is one of the interface: not negative, at
/// most 10^10 yuan, and at the fen. A cap of 0.005 made the basic fund pay 0.005, shown as 0.00, and
/// the total of the funds one fen more than its columns (found by the mutation fuzzer).
fn check_amount(f: &str, k: &str, m: Money) -> Result<(), PackError> {
    let d = Dec(m.dec());
    if m.is_negative() || m.dec() > crate::money::MAX_AMOUNT {
        return Err(PackError::new(f, k, format!("amount {d} is negative or absurd")));
    }
    if !m.is_fen_exact() {
        return Err(PackError::new(
            f,
            k,
            format!("amount {d} has digits below the fen; amounts are to the fen (N16,2)"),
        ));
    }
    Ok(())
}

/// [`check_amount`] for every dated value of an optional amount parameter.
fn check_amounts(f: &str, k: &str, d: &Option<Dated<Money>>) -> Result<(), PackError> {
    if let Some(d) = d {
        d.check(f, k)?;
        for (j, p) in d.0.iter().enumerate() {
            check_amount(f, &format!("{k}[{j}]"), p.value)?;
        }
    }
    Ok(())
}

fn check_bands(f: &str, k: &str, bands: &[Band]) -> Result<(), PackError> {
    if bands.is_empty() {
        return Err(PackError::new(f, k, "needs at least one band"));
    }
    check_count(f, k, bands.len(), limits::BANDS, "bands")?;
    let mut last: Option<Money> = None;
    for (i, b) in bands.iter().enumerate() {
        let r = b.ratio.dec();
        if r.is_sign_negative() || r > Decimal::ONE {
            return Err(PackError::new(
                f,
                format!("{k}[{i}].ratio"),
                format!("ratio {} is not within 0–1", b.ratio),
            ));
        }
        match (b.upto, i + 1 == bands.len()) {
            (None, false) => {
                return Err(PackError::new(
                    f,
                    format!("{k}[{i}].upto"),
                    "only the last band may be unbounded",
                ));
            }
            (Some(u), _) => {
                check_amount(f, &format!("{k}[{i}].upto"), u)?;
                if last.is_some_and(|l| u <= l) {
                    return Err(PackError::new(
                        f,
                        format!("{k}[{i}].upto"),
                        "band bounds must increase",
                    ));
                }
                last = Some(u);
            }
            (None, true) => {}
        }
    }
    if bands.last().is_some_and(|b| b.upto.is_some()) {
        return Err(PackError::new(
            f,
            format!("{k}[{}].upto", bands.len() - 1),
            "the last band must be unbounded",
        ));
    }
    Ok(())
}

/// A pack or catalog that is parsed on first use (shipped text) or was parsed on arrival (inline).
#[derive(Debug, Clone)]
enum Lazy<T> {
    /// Parsed on arrival; the text it came from is kept for `pack.get`.
    Ready(T, String),
    Text {
        file: &'static str,
        text: &'static str,
        cell: OnceLock<Result<T, PackError>>,
    },
}

impl<T> Lazy<T> {
    fn get(&self, parse: fn(&'static str, &'static str) -> Result<T, PackError>) -> Result<&T, PackError> {
        match self {
            Lazy::Ready(t, _) => Ok(t),
            Lazy::Text { file, text, cell } => cell
                .get_or_init(|| parse(file, text))
                .as_ref()
                .map_err(Clone::clone),
        }
    }
    fn text(&self) -> &str {
        match self {
            Lazy::Ready(_, t) => t,
            Lazy::Text { text, .. } => text,
        }
    }
}

/// The packs and catalogs an API call works with. Shipped ones are parsed lazily per region, so a fresh
/// wasm instance that settles one claim parses one pack and one or two catalogs, not all of them.
#[derive(Debug, Clone, Default)]
pub struct PackSet {
    packs: SortedMap<String, Lazy<Pack>>,
    catalogs: SortedMap<String, Lazy<Catalog>>,
}

/// The shipped packs' (minified) JSON and catalogs' CSV, from build.rs. Builds without `runtime-packs` read the
/// packs from their compiled form instead, so there the packs' JSON is left out of the binary.
#[cfg(feature = "embedded-packs")]
#[allow(dead_code)]
mod shipped {
    use crate::prelude::*;
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
    pub(super) const PACKS: &[(&str, &str)] = EMBEDDED_PACKS;
    pub(super) const CATALOG_ITEMS: &[(&str, usize)] = EMBEDDED_CATALOG_ITEMS;

    /// The shipped catalogs' file names and CSV texts, decoded once (build.rs codes them, `crate::lz`);
    /// none when the coded text is damaged, which the native tests would show.
    pub(super) fn catalogs() -> &'static [(&'static str, &'static str)] {
        static TEXT: OnceLock<Vec<(&str, &str)>> = OnceLock::new();
        static DECODED: OnceLock<String> = OnceLock::new();
        TEXT.get_or_init(|| {
            let all = DECODED.get_or_init(|| {
                crate::lz::decode(EMBEDDED_CATALOGS_LZ)
                    .and_then(|b| String::from_utf8(b).ok())
                    .unwrap_or_default()
            });
            let mut v = Vec::new();
            let mut at = 0;
            for &(file, len) in EMBEDDED_CATALOG_FILES {
                let Some(text) = all.get(at..at + len) else {
                    return Vec::new();
                };
                v.push((file, text));
                at += len;
            }
            v
        })
    }
}

/// Whether this build runs any op that reads a catalog (coverage and estimate, settle and the hospital's
/// ops). The filing page's module does not: it registers no catalog, and `packs.list` reports the shipped
/// catalogs' sizes from build.rs's counts instead of carrying the catalogs and their reader.
const USES_CATALOGS: bool = cfg!(any(feature = "estimate-ops", feature = "hospital-ops"));

/// The shipped packs in a compact binary form, for builds without a pack JSON parser (see its docs); the
/// native tests check it in every build.
#[cfg(all(feature = "embedded-packs", any(test, not(feature = "runtime-packs"))))]
mod compiled;

/// A shipped pack. Builds that take packs at runtime parse its JSON (and check it as any pack); the others
/// read its compiled form, made from the same text and checked by the native tests.
fn parse_pack(file: &str, text: &str) -> Result<Pack, PackError> {
    #[cfg(any(feature = "runtime-packs", not(feature = "embedded-packs")))]
    let p = Pack::from_json(file, text)?;
    #[cfg(all(feature = "embedded-packs", not(feature = "runtime-packs")))]
    let p = {
        let _ = text; // empty: the JSON is not in this build
        compiled::pack(file)?
    };
    if !file.starts_with(p.region.code()) {
        return Err(PackError::new(
            file,
            "region",
            format!(
                "the file of region {} must be named {}.json",
                p.region.code(),
                p.region.code()
            ),
        ));
    }
    Ok(p)
}

/// A shipped catalog: from its CSV in builds that take packs at runtime, else from the compiled form (made
/// from the same CSV and checked equal by the native tests). Inline catalogs never come here (`Lazy::Ready`).
fn parse_catalog(file: &'static str, text: &'static str) -> Result<Catalog, PackError> {
    #[cfg(any(feature = "runtime-packs", not(feature = "embedded-packs")))]
    return Catalog::from_static_csv(file, text);
    #[cfg(all(feature = "embedded-packs", not(feature = "runtime-packs")))]
    {
        let _ = text; // empty: the CSV is not in this build
        compiled::catalog(file)
    }
}

impl PackSet {
    pub fn new() -> Self {
        PackSet::default()
    }

    /// The packs and catalogs shipped with the core (minified at build time, parsed on first use).
    #[cfg(feature = "embedded-packs")]
    pub fn embedded() -> PackSet {
        let mut s = PackSet::new();
        #[cfg(feature = "runtime-packs")]
        let packs = shipped::PACKS.iter().copied();
        // No JSON text: `parse_pack` and `pack_text` go to the compiled form by file name.
        #[cfg(not(feature = "runtime-packs"))]
        let packs = compiled::files().into_iter().map(|f| (f, ""));
        for (file, text) in packs {
            let region = file.strip_suffix(".json").unwrap_or(file).to_string();
            s.packs.insert(
                region,
                Lazy::Text {
                    file,
                    text,
                    cell: OnceLock::new(),
                },
            );
        }
        #[cfg(feature = "runtime-packs")]
        let catalogs = shipped::catalogs().iter().copied();
        // No CSV text: `parse_catalog` goes to the compiled form by file name.
        #[cfg(not(feature = "runtime-packs"))]
        let catalogs = compiled::catalog_files().into_iter().map(|f| (f, ""));
        for (file, text) in catalogs.filter(|_| USES_CATALOGS) {
            let region = file.strip_suffix(".csv").unwrap_or(file).to_string();
            s.catalogs.insert(
                region,
                Lazy::Text {
                    file,
                    text,
                    cell: OnceLock::new(),
                },
            );
        }
        s
    }

    /// Add or replace the pack of its region; `text` is the JSON it was parsed from.
    pub fn insert_pack(&mut self, p: Pack, text: String) {
        self.packs
            .insert(p.region.code().to_string(), Lazy::Ready(p, text));
    }

    /// Add or replace the catalog of its region; `text` is the CSV it was parsed from.
    #[cfg(csv_catalogs)]
    pub fn insert_catalog(&mut self, c: Catalog, text: String) {
        self.catalogs
            .insert(c.region().code().to_string(), Lazy::Ready(c, text));
    }

    /// A pack's JSON exactly as loaded (minified for shipped packs), after checking that it parses.
    /// Returning the text rather than re-serialising keeps the pack types out of the wasm's serializer code.
    pub fn pack_text(&self, region: &Admdvs) -> Result<Cow<'_, str>, ApiError> {
        self.pack(region)?;
        let city = region.city();
        let entry = self
            .packs
            .get(region.code())
            .or_else(|| self.packs.get(city.code()));
        // Without runtime packs every pack is a shipped one, whose text is written from its compiled form.
        #[cfg(all(feature = "embedded-packs", not(feature = "runtime-packs")))]
        if let Some(Lazy::Text { file, .. }) = entry {
            return compiled::json(file).map(Cow::Owned).map_err(ApiError::from);
        }
        Ok(Cow::Borrowed(entry.map_or("null", Lazy::text)))
    }

    /// Every pack, parsed (a malformed shipped pack is an error here, not a panic).
    pub fn all(&self) -> Result<Vec<&Pack>, ApiError> {
        self.packs
            .values()
            .map(|l| l.get(parse_pack).map_err(ApiError::from))
            .collect()
    }

    /// The insured place's pack: by exact code, else by its city (`610113` → `610100`).
    pub fn pack(&self, region: &Admdvs) -> Result<&Pack, ApiError> {
        let entry = self
            .packs
            .get(region.code())
            .or_else(|| self.packs.get(region.city_code().as_str()))
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::NoPack,
                    format!(
                        "没有参保地 {} 的政策包；已有：{}",
                        region.code(),
                        self.region_list()
                    ),
                    format!(
                        "no policy pack for insured place {}; packs exist for: {}",
                        region.code(),
                        self.region_list()
                    ),
                )
            })?;
        entry.get(parse_pack).map_err(ApiError::from)
    }

    /// A region's catalog: by exact code, else by its city. A malformed shipped catalog is an error.
    pub fn catalog(&self, region: &Admdvs) -> Result<Option<&Catalog>, ApiError> {
        match self
            .catalogs
            .get(region.code())
            .or_else(|| self.catalogs.get(region.city_code().as_str()))
        {
            Some(l) => l.get(parse_catalog).map(Some).map_err(ApiError::from),
            None => Ok(None),
        }
    }

    /// How many items a region's catalog has (0 without one): the loaded catalog's, or in a build that carries
    /// no catalog ([`USES_CATALOGS`]), the shipped one's count made at build time.
    pub fn catalog_items(&self, region: &Admdvs) -> Result<usize, ApiError> {
        // Such a build takes no catalogs with a request either (no `runtime-packs`): only shipped ones exist.
        #[cfg(all(feature = "embedded-packs", not(feature = "runtime-packs")))]
        if !USES_CATALOGS {
            // As `catalog` looks them up: the exact code, else its city.
            let count = |code: &str| {
                shipped::CATALOG_ITEMS
                    .iter()
                    .find(|(file, _)| file.strip_suffix(".csv") == Some(code))
                    .map(|(_, n)| *n)
            };
            return Ok(count(region.code())
                .or_else(|| count(region.city_code().as_str()))
                .unwrap_or(0));
        }
        Ok(self.catalog(region)?.map_or(0, Catalog::len))
    }

    fn region_list(&self) -> String {
        // `&str`s, as the other lists of the core are joined: one `join` in the wasm, not one per item type.
        self.packs
            .keys()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(all(test, feature = "embedded-packs"))]
mod tests {
    use super::*;

    #[test]
    #[cfg(csv_catalogs)]
    fn build_time_catalog_counts_equal_the_parsed_catalogs() {
        assert_eq!(shipped::CATALOG_ITEMS.len(), shipped::catalogs().len());
        for ((file, text), (counted, n)) in shipped::catalogs().iter().zip(shipped::CATALOG_ITEMS) {
            assert_eq!(file, counted);
            let parsed = Catalog::from_static_csv(file, text).unwrap_or_else(|e| panic!("{file}: {e:?}"));
            assert_eq!(parsed.len(), *n, "{file}");
            assert!(*n > 0, "{file}");
        }
    }

    fn shipped() -> serde_json::Value {
        let set = PackSet::embedded();
        let text = Admdvs::parse("610100")
            .and_then(|r| set.pack_text(&r).map(Cow::into_owned))
            .unwrap_or_else(|e| panic!("shipped pack: {e:?}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("shipped pack: {e}"))
    }

    fn refused_at(v: &serde_json::Value) -> String {
        match Pack::from_json("crafted.json", &v.to_string()) {
            Ok(_) => panic!("the crafted pack was accepted"),
            Err(e) => e.key().to_string(),
        }
    }

    #[test]
    fn crafted_sizes_are_refused_with_the_key() {
        // A long note (copied into every trace entry of an unverified value), too many riders, too many bands.
        let mut v = shipped();
        v["unverified_note"] = serde_json::json!("注".repeat(limits::TEXT_CHARS + 1));
        assert_eq!(refused_at(&v), "unverified_note");
        let mut v = shipped();
        let rider = v["riders"][0].clone();
        let riders: Vec<_> = (0..=limits::RIDERS)
            .map(|i| {
                let mut r = rider.clone();
                r["id"] = serde_json::json!(format!("r{i}"));
                r
            })
            .collect();
        v["riders"] = serde_json::Value::Array(riders);
        assert_eq!(refused_at(&v), "riders");
        let mut v = shipped();
        let band = v["riders"][0]["tiers"][0]["value"][0].clone();
        let bands: Vec<_> = (1..=limits::BANDS + 1)
            .map(|i| {
                let mut b = band.clone();
                b["upto"] = serde_json::json!(i.to_string());
                b
            })
            .collect();
        v["riders"][0]["tiers"][0]["value"] = serde_json::Value::Array(bands);
        assert_eq!(refused_at(&v), "riders[0].tiers[0]");
        assert!(Pack::from_json("610100.json", &shipped().to_string()).is_ok());
    }

    #[test]
    fn every_shipped_pack_and_catalog_parses() {
        let set = PackSet::embedded();
        let packs = set.all().unwrap();
        assert_eq!(packs.len(), 4);
        for p in packs {
            // A build that registers no catalog (the filing page's) counts them at build time instead.
            let items = match USES_CATALOGS {
                true => set.catalog(&p.region).unwrap().map_or(0, Catalog::len),
                false => set.catalog_items(&p.region).unwrap(),
            };
            assert!(items > 20, "{}", p.region.code());
            // A value that is not verified carries a note saying what would confirm it (own or the pack's).
            assert!(
                p.unverified_note.is_some() || p.unverified_count() == 0,
                "{}",
                p.region.code()
            );
        }
    }
}
