//! The data model in the national platform's vocabulary (NATIONAL_SPEC.md): person, visit, fee lines,
//! year-to-date accumulators and filings. Field names are the interface's, so a hospital or agency maps
//! its records onto ours without a dictionary.

use crate::codes::{
    Admdvs, ChrgitmLv, ChrgitmType, FacilityLevel, Insutype, MdtrtCertType, MedType, PsnType,
};
use crate::money::{Dec, Money};
use crate::prelude::*;
use crate::smallmap::SortedMap;
#[cfg(feature = "schema")]
use alloc::collections::BTreeMap;
use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize};

/// Read a national flag sent as `true`, `1`, `"1"`, `"Y"` (and the opposites) as a bool.
pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    flag_of(serde_json::Value::deserialize(d)?).map_err(serde::de::Error::custom)
}

/// [`flag`]'s reading of a value already read. (Never by deserializing the `Value` again: serde_json's
/// `Value` as a deserializer brings float parsing and printing into the phone modules.)
fn flag_of(v: serde_json::Value) -> Result<bool, String> {
    match v {
        serde_json::Value::Bool(b) => Ok(b),
        serde_json::Value::Null => Ok(false),
        serde_json::Value::Number(n) => match n.as_u64() {
            Some(0) => Ok(false),
            Some(1) => Ok(true),
            _ => Err(format!("flag must be 0 or 1, got {n}")),
        },
        serde_json::Value::String(s) => match s.trim() {
            "" | "0" | "N" | "n" | "false" => Ok(false),
            "1" | "Y" | "y" | "true" => Ok(true),
            other => Err(format!("flag must be 0 or 1, got \"{other}\"")),
        },
        other => Err(format!("flag must be 0 or 1, got {other}")),
    }
}

/// A serial number (`feedetl_sn`) sent as a JSON string, or as an integer as some systems export it
/// (`1` reads as `"1"`). A fraction is not a serial number: refused, as is `-0`, which JSON readers see as
/// a float.
pub fn serial<'de, D: Deserializer<'de>>(d: D) -> Result<ShortText, D::Error> {
    struct V;
    impl serde::de::Visitor<'_> for V {
        type Value = ShortText;
        fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            f.write_str("a serial number (string or integer)")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ShortText, E> {
            Ok(ShortText::from(v))
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<ShortText, E> {
            Ok(compact_str::format_compact!("{v}"))
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<ShortText, E> {
            Ok(compact_str::format_compact!("{v}"))
        }
    }
    d.deserialize_any(V)
}

/// Like [`serial`] for an optional one (absent or `null` stays `None`).
pub fn opt_serial<'de, D: Deserializer<'de>>(d: D) -> Result<Option<ShortText>, D::Error> {
    struct Opt;
    impl<'de> serde::de::Visitor<'de> for Opt {
        type Value = Option<ShortText>;
        fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            f.write_str("a serial number (string or integer)")
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            serial(d).map(Some)
        }
    }
    d.deserialize_option(Opt)
}

/// `hosp_appr_flag` as a code string (`"1"`, `"01"`) or as the integer national systems also send (`1`).
fn opt_appr_flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<HospApprFlag>, D::Error> {
    use serde::de::Error;
    let code = |s: &str| {
        HospApprFlag::deserialize(serde::de::value::StrDeserializer::<serde::de::value::Error>::new(
            s,
        ))
        .map(Some)
        .map_err(D::Error::custom)
    };
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::Number(n) => match n.as_u64() {
            Some(0) => Ok(Some(HospApprFlag::NotNeeded)),
            Some(1) => Ok(Some(HospApprFlag::Approved)),
            Some(2) => Ok(Some(HospApprFlag::Refused)),
            _ => Err(D::Error::custom(format!(
                "hosp_appr_flag must be 0, 1 or 2, got {n}"
            ))),
        },
        // The code as serde reads an enum: its name, or a one-member object `{"1": null}`; through serde's
        // own string deserializer, not the `Value` (see `flag_of`).
        serde_json::Value::String(s) => code(&s),
        serde_json::Value::Object(m) if m.len() == 1 && m.values().all(|v| v.is_null()) => {
            code(m.keys().next().map_or("", |k| k.as_str()))
        }
        v => Err(D::Error::custom(format!(
            "invalid type: {v}, expected enum HospApprFlag"
        ))),
    }
}

/// Like [`flag`] for an optional flag (absent or null stays `None`).
pub fn opt_flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::Null => Ok(None),
        v => flag_of(v).map(Some).map_err(serde::de::Error::custom),
    }
}

/// The insured person (1101 人员信息获取, reduced to what settlement needs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Person {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub psn_no: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub psn_name: Option<String>,
    pub insutype: Insutype,
    pub psn_type: PsnType,
    /// 参保地医保区划.
    pub insuplc_admdvs: Admdvs,
    /// 公务员标志.
    #[serde(default, deserialize_with = "flag")]
    pub cvlserv_flag: bool,
    /// 医疗救助类别 as named in the insured place's pack (e.g. `tekun` 特困, `dibao` 低保); absent = none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maf_class: Option<String>,
    /// 个人账户余额 `balc`; `null` (a system that did not return it, NATIONAL_SPEC §3) reads as 0.
    #[serde(default, deserialize_with = "crate::money::zero_if_null")]
    pub balc: Money,
}

/// How the bill is being settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum SettlementMode {
    /// Direct settlement at the facility (直接结算).
    #[default]
    Direct,
    /// The patient paid in full and claims back home (零星/手工报销).
    SelfPaid,
}

/// One visit or stay (就诊信息).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Visit {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mdtrt_id: Option<String>,
    pub med_type: MedType,
    /// 就医地医保区划.
    pub mdtrtarea_admvs: Admdvs,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixmedins_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixmedins_name: Option<String>,
    /// Facility level used for the insured place's deductible and ratio.
    pub hosp_lv: FacilityLevel,
    /// 异地联网定点医疗机构: only these settle directly (002 §5, §17).
    #[serde(default = "yes", deserialize_with = "flag")]
    pub networked: bool,
    /// Admission date (or the outpatient visit date).
    #[serde(deserialize_with = "crate::date::read")]
    pub begndate: NaiveDate,
    /// Discharge date; absent for outpatient visits and current stays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "crate::date::read_opt")]
    pub enddate: Option<NaiveDate>,
    /// Settlement date; defaults to the discharge (or visit) date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "crate::date::read_opt")]
    pub setl_date: Option<NaiveDate>,
    /// Emergency marker (门诊急诊转诊标志 / 住院类型=急诊); `med_type` 13 and 24 carry it too.
    #[serde(default, deserialize_with = "flag")]
    pub emergency_flag: bool,
    /// Referral marker (转诊).
    #[serde(default, deserialize_with = "flag")]
    pub referral_flag: bool,
    /// 外伤标志.
    #[serde(default, deserialize_with = "flag")]
    pub trauma_flag: bool,
    /// 涉及第三方标志: `Some(true)` a third party is liable; `None` not stated.
    #[serde(
        default,
        deserialize_with = "opt_flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub third_party_flag: Option<bool>,
    /// 外伤无第三方责任承诺书 signed.
    #[serde(default, deserialize_with = "flag")]
    pub no_third_party_commitment: bool,
    /// 就诊凭证类型 the person presented (医保电子凭证, 居民身份证, 社会保障卡); not every credential is valid
    /// for every visit (002 §22).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mdtrt_cert_type: Option<MdtrtCertType>,
    /// The stamped form for exams, treatment or drugs bought at another facility during this stay
    /// (《住院期间外院检查治疗或异地联网定点药店购药单》) is on file, so lines with `etip_flag` join the stay's
    /// direct settlement (002 §39; 003 §22).
    #[serde(default, deserialize_with = "flag", skip_serializing_if = "is_false")]
    pub etip_form_flag: bool,
    #[serde(default)]
    pub settlement_mode: SettlementMode,
    /// Whether the personal account should pay what it may (employees).
    #[serde(default = "yes", deserialize_with = "flag")]
    pub use_acct: bool,
    /// 出院主诊断 (code or name), shown on the settlement sheet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dise_name: Option<String>,
}

fn yes() -> bool {
    true
}

impl Visit {
    /// The date the bill is settled at: policy values and accumulators are read there (002 §45).
    pub fn settlement_date(&self) -> NaiveDate {
        self.setl_date.or(self.enddate).unwrap_or(self.begndate)
    }
    pub fn is_emergency(&self) -> bool {
        self.emergency_flag || self.med_type.is_emergency_code()
    }
    pub fn is_referral(&self) -> bool {
        self.referral_flag || self.med_type.is_referral_code()
    }
    pub fn is_trauma(&self) -> bool {
        self.trauma_flag || self.med_type.is_trauma_code()
    }
}

/// Codes, serial numbers and names of fee lines. Kept inline up to 24 bytes (every national code, serial
/// number and most item names), so decoding and splitting a claim allocates nothing per line.
pub type ShortText = compact_str::CompactString;

/// 2204 / 2301 fee line as uploaded, optionally with the treatment place's per-line result fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FeeLine {
    /// Unique within a visit; an integer is read as its digits.
    #[serde(deserialize_with = "serial")]
    #[cfg_attr(feature = "schema", schemars(with = "SerialSchema"))]
    pub feedetl_sn: ShortText,
    /// For refund lines: the original line's `feedetl_sn`.
    #[serde(
        default,
        deserialize_with = "opt_serial",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "schema", schemars(with = "Option<SerialSchema>"))]
    pub init_feedetl_sn: Option<ShortText>,
    /// National catalog code.
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub med_list_codg: ShortText,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub medins_list_codg: Option<ShortText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub med_list_name: Option<ShortText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub fee_ocur_time: Option<ShortText>,
    /// Quantity (N16,4); negative for refunds.
    pub cnt: Dec,
    /// Unit price (N16,6).
    pub pric: Dec,
    /// Line total (N16,2): must equal round2(cnt × pric) within a fen.
    pub det_item_fee_sumamt: Money,
    /// Fee category 01–14; taken from the catalog when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub med_chrgitm_type: Option<ChrgitmType>,
    /// 甲/乙/丙; taken from the catalog when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chrgitm_lv: Option<ChrgitmLv>,
    /// Price ceiling; `999999` means none. Taken from the catalog when absent.
    #[serde(
        default,
        with = "crate::money::opt_money",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "schema", schemars(with = "Option<Money>"))]
    pub pric_uplmt_amt: Option<Money>,
    /// Self-pay proportion (catalog data per item). Taken from the catalog when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selfpay_prop: Option<Dec>,
    /// Restricted-use item (限定支付范围).
    #[serde(
        default,
        deserialize_with = "opt_flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub lmt_used_flag: Option<bool>,
    /// 0 no approval needed, 1 approved, 2 refused (`"1"`, `"01"` or `1`).
    #[serde(
        default,
        deserialize_with = "opt_appr_flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub hosp_appr_flag: Option<HospApprFlag>,
    /// 外检标志.
    #[serde(default, deserialize_with = "flag", skip_serializing_if = "is_false")]
    pub etip_flag: bool,
}

/// The schema of a serial number: a string, or an integer read as its digits.
#[cfg(feature = "schema")]
struct SerialSchema;

#[cfg(feature = "schema")]
impl schemars::JsonSchema for SerialSchema {
    fn schema_name() -> alloc::borrow::Cow<'static, str> {
        "Serial".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": ["string", "integer"], "description": "a serial number; an integer is read as its digits" })
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// 医院审批标志.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum HospApprFlag {
    #[serde(rename = "0", alias = "00")]
    NotNeeded,
    #[serde(rename = "1", alias = "01")]
    Approved,
    #[serde(rename = "2", alias = "02")]
    Refused,
}

/// The person's year-to-date accumulators at the insured place, per pool (named by the pack, e.g.
/// `inpatient`, `outpatient`) and per rider. Absent entries are zero.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Accumulators {
    /// The calendar year these totals belong to.
    pub year: i32,
    // Keyed by short names (`inpatient`, a rider id): inline texts, so a claim's three accumulator sets
    // allocate no keys.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(with = "BTreeMap<String, PoolAccum>"))]
    pub pools: SortedMap<ShortText, PoolAccum>,
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(with = "BTreeMap<String, RiderAccum>"))]
    pub riders: SortedMap<ShortText, RiderAccum>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PoolAccum {
    /// 起付线 already paid this year.
    #[serde(default)]
    pub dedc_paid: Money,
    /// In-scope amount above the deductible this year (basis of annual tiers).
    #[serde(default)]
    pub above_dedc: Money,
    /// Basic fund (`hifp_pay`) paid this year (against the annual cap).
    #[serde(default)]
    pub hifp_paid: Money,
    /// Settled stays or visits this year.
    #[serde(default)]
    pub visits: i32,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RiderAccum {
    /// Base accumulated this year (the rider's own deductible is met from it).
    #[serde(default)]
    pub base: Money,
    /// Paid by the rider this year (against its cap).
    #[serde(default)]
    pub paid: Money,
}

impl Accumulators {
    pub fn empty(year: i32) -> Self {
        Accumulators {
            year,
            ..Default::default()
        }
    }
    pub fn pool(&self, name: &str) -> PoolAccum {
        self.pools.get(name).copied().unwrap_or_default()
    }
    pub fn rider(&self, id: &str) -> RiderAccum {
        self.riders.get(id).copied().unwrap_or_default()
    }
    /// `self + d` field by field (d may be negative for refunds).
    pub fn plus(&self, d: &Accumulators) -> Accumulators {
        let mut out = self.clone();
        for (k, v) in &d.pools {
            let e = out.pools.or_default(k.clone());
            e.dedc_paid += v.dedc_paid;
            e.above_dedc += v.above_dedc;
            e.hifp_paid += v.hifp_paid;
            e.visits += v.visits;
        }
        for (k, v) in &d.riders {
            let e = out.riders.or_default(k.clone());
            e.base += v.base;
            e.paid += v.paid;
        }
        out
    }
    /// The exact negation (for reversals).
    pub fn negated(&self) -> Accumulators {
        Accumulators {
            year: self.year,
            pools: self
                .pools
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        PoolAccum {
                            dedc_paid: -v.dedc_paid,
                            above_dedc: -v.above_dedc,
                            hifp_paid: -v.hifp_paid,
                            visits: -v.visits,
                        },
                    )
                })
                .collect(),
            riders: self
                .riders
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        RiderAccum {
                            base: -v.base,
                            paid: -v.paid,
                        },
                    )
                })
                .collect(),
        }
    }
}

/// The six filing categories (人员类别) of 002 实施细则二(二) and 003 二(一), in two classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum FilingCategory {
    /// 异地安置退休人员 (long-term).
    RetireeResettled,
    /// 异地长期居住人员 (long-term).
    LongTermResident,
    /// 常驻异地工作人员 (long-term).
    PostedWorker,
    /// 异地转诊人员, including 视同转诊 (temporary).
    Referral,
    /// 异地急诊抢救人员 (temporary).
    Emergency,
    /// 其他临时外出就医人员 (temporary).
    OtherTemporary,
}

impl FilingCategory {
    /// The JSON name of each of [`Self::ALL`] (`rename_all = "snake_case"`): the one table the hand reader
    /// (`crate::read`) and writer (`crate::write`) use; a test holds it to serde's names.
    pub(crate) const NAMES: [&'static str; 6] = [
        "retiree_resettled",
        "long_term_resident",
        "posted_worker",
        "referral",
        "emergency",
        "other_temporary",
    ];
    pub const ALL: [FilingCategory; 6] = [
        FilingCategory::RetireeResettled,
        FilingCategory::LongTermResident,
        FilingCategory::PostedWorker,
        FilingCategory::Referral,
        FilingCategory::Emergency,
        FilingCategory::OtherTemporary,
    ];
    pub fn is_long_term(self) -> bool {
        matches!(
            self,
            FilingCategory::RetireeResettled
                | FilingCategory::LongTermResident
                | FilingCategory::PostedWorker
        )
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            FilingCategory::RetireeResettled => "异地安置退休人员",
            FilingCategory::LongTermResident => "异地长期居住人员",
            FilingCategory::PostedWorker => "常驻异地工作人员",
            FilingCategory::Referral => "异地转诊人员",
            FilingCategory::Emergency => "异地急诊抢救人员",
            FilingCategory::OtherTemporary => "其他临时外出就医人员",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            FilingCategory::RetireeResettled => "retiree resettled elsewhere",
            FilingCategory::LongTermResident => "long-term resident elsewhere",
            FilingCategory::PostedWorker => "worker posted elsewhere",
            FilingCategory::Referral => "referral",
            FilingCategory::Emergency => "emergency while away",
            FilingCategory::OtherTemporary => "other temporary trip",
        }
    }
}

/// Status of a filing as the agency holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum FilingStatus {
    #[default]
    Active,
    /// Replaced by a change (the new filing carries the new terms).
    Superseded,
    Cancelled,
    /// 暂停 (treatment status suspended, 001 §10).
    Suspended,
}

impl FilingStatus {
    /// Every status in declaration order and its JSON name (see [`FilingCategory::NAMES`]).
    pub(crate) const ALL: [FilingStatus; 4] = [
        FilingStatus::Active,
        FilingStatus::Superseded,
        FilingStatus::Cancelled,
        FilingStatus::Suspended,
    ];
    pub(crate) const NAMES: [&'static str; 4] = ["active", "superseded", "cancelled", "suspended"];
}

/// Materials handed in with a filing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Materials {
    /// 居住证明 / 户籍 / 工作证明 (long-term) — or the personal commitment instead.
    #[serde(default, deserialize_with = "flag")]
    pub residence_proof: bool,
    /// 个人承诺书 (承诺制) in place of residence documents.
    #[serde(default, deserialize_with = "flag")]
    pub commitment: bool,
    /// 转诊证明 for a referral.
    #[serde(default, deserialize_with = "flag")]
    pub referral_certificate: bool,
}

/// A cross-region filing (异地就医备案) as the agency holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Filing {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filing_id: Option<String>,
    /// Destination (`rloc_admdvs`): a city, a municipality, or the province for 海南/西藏/兵团.
    pub rloc_admdvs: Admdvs,
    pub category: FilingCategory,
    /// Effective from.
    #[serde(deserialize_with = "crate::date::read")]
    pub begndate: NaiveDate,
    /// Effective until (inclusive); absent, `null` or `""` = open-ended (NATIONAL_SPEC §1).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::date::read_opt_blank"
    )]
    pub enddate: Option<NaiveDate>,
    #[serde(default)]
    pub status: FilingStatus,
    /// The day the filing was applied for.
    #[serde(deserialize_with = "crate::date::read")]
    pub applied_date: NaiveDate,
    /// Filed after admission, effective from the admission date (补办).
    #[serde(default, deserialize_with = "flag")]
    pub retroactive: bool,
    /// Covers 门诊慢特病 (where the insured place requires a separate chronic-disease filing).
    #[serde(default, deserialize_with = "flag")]
    pub chronic_disease: bool,
    #[serde(default)]
    pub materials: Materials,
}

impl Filing {
    /// Whether `date` lies inside the filing's effective window.
    pub fn in_window(&self, date: NaiveDate) -> bool {
        date >= self.begndate && self.enddate.is_none_or(|e| date <= e)
    }
}

/// The treatment level a visit is settled at (DOMAIN.md §4): selects the benefit row and reduction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum VisitCategory {
    /// A visit in the insured place itself by a person without a long-term filing.
    Local,
    /// Long-term resident at the filed destination: insured-place policy as for local visits.
    LongTermAtDestination,
    /// Long-term resident back at the insured place during validity.
    LongTermAtHome,
    /// Filed or certified referral.
    Referral,
    /// Emergency (filed, or deemed filed without a filing).
    Emergency,
    /// Other temporary trip with a filing.
    OtherTemporary,
    /// Cross-province, non-emergency, not referred, not filed.
    Unfiled,
    /// Intra-province visit where the insured place abolished the filing.
    IntraProvince,
    /// At a facility that is not networked for cross-region settlement.
    NonNetworked,
}

impl VisitCategory {
    pub fn name_zh(self) -> &'static str {
        match self {
            VisitCategory::Local => "参保地本地就医",
            VisitCategory::LongTermAtDestination => "异地长期居住人员在备案地就医",
            VisitCategory::LongTermAtHome => "异地长期居住人员回参保地就医",
            VisitCategory::Referral => "异地转诊",
            VisitCategory::Emergency => "异地急诊抢救",
            VisitCategory::OtherTemporary => "其他临时外出就医（已备案）",
            VisitCategory::Unfiled => "非急诊且未转诊、未备案",
            VisitCategory::IntraProvince => "省内异地就医（免备案）",
            VisitCategory::NonNetworked => "非异地联网定点医疗机构",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            VisitCategory::Local => "local visit at the insured place",
            VisitCategory::LongTermAtDestination => "long-term resident at the filed destination",
            VisitCategory::LongTermAtHome => "long-term resident back at the insured place",
            VisitCategory::Referral => "referral",
            VisitCategory::Emergency => "emergency",
            VisitCategory::OtherTemporary => "other temporary trip, filed",
            VisitCategory::Unfiled => "non-emergency, not referred, not filed",
            VisitCategory::IntraProvince => "intra-province, no filing needed",
            VisitCategory::NonNetworked => "facility not networked for cross-region settlement",
        }
    }
}
