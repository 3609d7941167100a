//! Code tables of the national platform (NATIONAL_SPEC.md §4) and the project's own small enums.
//!
//! Codes arrive as "1" or "01" depending on the sending system: they are normalised, never rejected for
//! that alone. Open-ended tables (`med_type`, `psn_type`) are classified by prefix and keep the raw code.

use crate::error::ApiError;
use crate::prelude::*;
use core::fmt;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Read a code sent as a JSON string or number ("01", "1", 1) as a trimmed string.
fn code_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Ok(s.trim().to_string()),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!("expected a code, got {other}"))),
    }
}

macro_rules! code_serde {
    ($t:ty, $table:literal) => {
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let t = code_text(d)?;
                <$t>::parse(&t).map_err(|e| serde::de::Error::custom(e.message_en))
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.code())
            }
        }
        #[cfg(feature = "schema")]
        impl schemars::JsonSchema for $t {
            fn schema_name() -> alloc::borrow::Cow<'static, str> {
                stringify!($t).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({ "type": ["string", "integer"], "description": $table })
            }
        }
    };
}

/// `s.trim()`, without the Unicode scan when both ends are printable ASCII (every real code).
pub(crate) fn trimmed(s: &str) -> &str {
    let plain = |b: Option<&u8>| b.is_some_and(|&b| b > b' ' && b < 0x80);
    if plain(s.as_bytes().first()) && plain(s.as_bytes().last()) {
        s
    } else {
        s.trim()
    }
}

/// A two-digit code's number, a one-digit code read as left-padded ("1" is "01"): `None` for anything else.
/// No padded copy of the text: the per-line code tables are read on every fee line.
fn two_digit(code: &str) -> Option<u8> {
    match *code.as_bytes() {
        [u @ b'0'..=b'9'] => Some(u - b'0'),
        [t @ b'0'..=b'9', u @ b'0'..=b'9'] => Some((t - b'0') * 10 + (u - b'0')),
        _ => None,
    }
}

/// 险种 `insutype`: settlements run under 310 (职工) or 390 (居民).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Insutype {
    /// 310 职工基本医疗保险
    Employee,
    /// 390 城乡居民基本医疗保险 (391 城镇居民 maps here)
    Resident,
}

impl Insutype {
    pub fn parse(s: &str) -> Result<Self, ApiError> {
        match s {
            "310" => Ok(Insutype::Employee),
            "390" | "391" => Ok(Insutype::Resident),
            _ => Err(ApiError::unknown_code("insutype", s).at("insutype").with_hint(
                "只接受 310 职工医保或 390 居民医保",
                "settlements run under 310 or 390 only",
            )),
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Insutype::Employee => "310",
            Insutype::Resident => "390",
        }
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            Insutype::Employee => "职工基本医疗保险",
            Insutype::Resident => "城乡居民基本医疗保险",
        }
    }
}
code_serde!(Insutype, "insutype: 310 职工 / 390 居民");

/// 医疗类别 `med_type`, kept raw and classified by prefix (1x outpatient, 2x inpatient, 41 pharmacy, 5x maternity).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MedType(String);

/// The class of a `med_type`, which selects the policy row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum MedClass {
    /// 11, 12, 13, 15 and other 1x codes except 14.
    Outpatient,
    /// 14 门诊慢特病 (and local 1401xx / 1402xx).
    ChronicOutpatient,
    /// 2x.
    Inpatient,
    /// 41 定点药店购药.
    Pharmacy,
    /// 5x 生育.
    Maternity,
}

impl MedType {
    pub fn parse(s: &str) -> Result<Self, ApiError> {
        let c = s.trim();
        let ok = (2..=6).contains(&c.len())
            && c.chars().all(|ch| ch.is_ascii_digit())
            && matches!(&c[..1], "1" | "2" | "4" | "5")
            && (!c.starts_with('4') || c.starts_with("41"));
        if ok {
            Ok(MedType(c.to_string()))
        } else {
            Err(ApiError::unknown_code("med_type", s).at("med_type"))
        }
    }
    /// 21 普通住院.
    pub fn ordinary_inpatient() -> MedType {
        MedType("21".to_string())
    }
    pub fn code(&self) -> &str {
        &self.0
    }
    pub fn class(&self) -> MedClass {
        let c = &self.0;
        if c.starts_with("14") {
            MedClass::ChronicOutpatient
        } else if c.starts_with('1') {
            MedClass::Outpatient
        } else if c.starts_with('2') {
            MedClass::Inpatient
        } else if c.starts_with("41") {
            MedClass::Pharmacy
        } else {
            MedClass::Maternity
        }
    }
    /// 13 急诊 and 24 急诊转住院 carry the emergency marker in the code itself.
    pub fn is_emergency_code(&self) -> bool {
        self.0 == "13" || self.0 == "24"
    }
    /// 22 外伤住院.
    pub fn is_trauma_code(&self) -> bool {
        self.0 == "22"
    }
    /// 23 转外诊治住院.
    pub fn is_referral_code(&self) -> bool {
        self.0 == "23"
    }
}
impl Serialize for MedType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}
impl<'de> Deserialize<'de> for MedType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let t = code_text(d)?;
        MedType::parse(&t).map_err(|e| serde::de::Error::custom(e.message_en))
    }
}
#[cfg(feature = "schema")]
impl schemars::JsonSchema for MedType {
    fn schema_name() -> alloc::borrow::Cow<'static, str> {
        "MedType".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": ["string", "integer"], "description": "med_type: 11 普通门诊, 13 急诊, 14 门诊慢特病, 21 普通住院, 22 外伤住院, 23 转外诊治住院, 24 急诊转住院, 41 定点药店购药 …; local 4–6 digit codes by prefix" })
    }
}

/// 人员类别 `psn_type`, classified by its first two digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PsnType(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PsnClass {
    /// 11 在职
    Working,
    /// 12 退休
    Retired,
    /// 13 离休
    Veteran,
    /// 14 未成年居民
    MinorResident,
    /// 15 成年居民
    AdultResident,
    /// 16 老年居民
    ElderResident,
}

impl PsnType {
    pub fn parse(s: &str) -> Result<Self, ApiError> {
        let c = s.trim();
        if c.len() >= 2
            && c.chars().all(|ch| ch.is_ascii_digit())
            && matches!(&c[..2], "11" | "12" | "13" | "14" | "15" | "16")
        {
            Ok(PsnType(c.to_string()))
        } else {
            Err(ApiError::unknown_code("psn_type", s).at("psn_type"))
        }
    }
    pub fn code(&self) -> &str {
        &self.0
    }
    pub fn class(&self) -> PsnClass {
        match &self.0[..2] {
            "11" => PsnClass::Working,
            "12" => PsnClass::Retired,
            "13" => PsnClass::Veteran,
            "14" => PsnClass::MinorResident,
            "15" => PsnClass::AdultResident,
            _ => PsnClass::ElderResident,
        }
    }
}
impl Serialize for PsnType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}
impl<'de> Deserialize<'de> for PsnType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let t = code_text(d)?;
        PsnType::parse(&t).map_err(|e| serde::de::Error::custom(e.message_en))
    }
}
#[cfg(feature = "schema")]
impl schemars::JsonSchema for PsnType {
    fn schema_name() -> alloc::borrow::Cow<'static, str> {
        "PsnType".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": ["string", "integer"], "description": "psn_type, by first two digits: 11 在职, 12 退休, 13 离休, 14 未成年居民, 15 成年居民, 16 老年居民" })
    }
}

/// 收费项目等级 `chrgitm_lv`: 甲 / 乙 / 丙 (sent as "01"/"1", "02"/"2", "03"/"3").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChrgitmLv {
    Jia,
    Yi,
    Bing,
}
impl ChrgitmLv {
    pub fn parse(s: &str) -> Result<Self, ApiError> {
        let t = s.trim();
        match (two_digit(t), t) {
            (Some(1), _) | (_, "甲" | "甲类") => Ok(ChrgitmLv::Jia),
            (Some(2), _) | (_, "乙" | "乙类") => Ok(ChrgitmLv::Yi),
            (Some(3), _) | (_, "丙" | "丙类") => Ok(ChrgitmLv::Bing),
            _ => Err(ApiError::unknown_code("chrgitm_lv", s).at("chrgitm_lv")),
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            ChrgitmLv::Jia => "01",
            ChrgitmLv::Yi => "02",
            ChrgitmLv::Bing => "03",
        }
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            ChrgitmLv::Jia => "甲类",
            ChrgitmLv::Yi => "乙类",
            ChrgitmLv::Bing => "丙类",
        }
    }
}
code_serde!(ChrgitmLv, "chrgitm_lv: 01 甲 / 02 乙 / 03 丙 (1/2/3 accepted)");

/// 医疗收费项目类别 `med_chrgitm_type`, the nationally unified major fee categories 01–14.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChrgitmType(u8);
impl ChrgitmType {
    const CODES: [&'static str; 14] = [
        "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14",
    ];
    const NAMES: [&'static str; 14] = [
        "床位费",
        "诊察费",
        "检查费",
        "化验费",
        "治疗费",
        "手术费",
        "护理费",
        "卫生材料费",
        "西药费",
        "中药饮片费",
        "中成药费",
        "一般诊疗费",
        "挂号费",
        "其他费",
    ];
    pub fn parse(s: &str) -> Result<Self, ApiError> {
        match two_digit(s.trim()) {
            Some(n @ 1..=14) => Ok(ChrgitmType(n)),
            _ => Err(ApiError::unknown_code("med_chrgitm_type", s).at("med_chrgitm_type")),
        }
    }
    pub fn code(self) -> &'static str {
        Self::CODES[(self.0 - 1) as usize]
    }
    pub fn name_zh(self) -> &'static str {
        Self::NAMES[(self.0 - 1) as usize]
    }
}
code_serde!(ChrgitmType, "med_chrgitm_type 01–14 (01 床位费 … 14 其他费)");

/// 医保区划 `admdvs`: six digits; the first two are the province.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Admdvs(String);

/// Municipalities directly under the central government: one pooling area each.
const MUNICIPALITIES: [&str; 4] = ["11", "12", "31", "50"];

/// The provinces of the national cross-region settlement network: GB/T 2260's 31 mainland provinces and
/// 新疆生产建设兵团 (66), which 002 §14 and 003 §11 name as a destination of its own. Hong Kong, Macao and
/// Taiwan (81, 82, 71) are not in the network.
const NETWORK_PROVINCES: [&str; 32] = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42",
    "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "66",
];

impl Admdvs {
    pub fn parse(s: &str) -> Result<Self, ApiError> {
        let c = s.trim();
        if c.len() == 6 && c.chars().all(|ch| ch.is_ascii_digit()) && &c[..2] != "00" {
            Ok(Admdvs(c.to_string()))
        } else {
            Err(ApiError::unknown_code("admdvs", s).with_hint(
                "医保区划应为6位数字，如 610100",
                "a region code has six digits, e.g. 610100",
            ))
        }
    }
    pub fn code(&self) -> &str {
        &self.0
    }
    pub fn province(&self) -> &str {
        &self.0[..2]
    }
    /// Whether the first two digits name a province of the national network ([`NETWORK_PROVINCES`]).
    pub fn in_network_province(&self) -> bool {
        NETWORK_PROVINCES.contains(&self.province())
    }
    pub fn is_municipality(&self) -> bool {
        MUNICIPALITIES.contains(&self.province())
    }
    /// A province-level code (`XX0000`).
    pub fn is_province_level(&self) -> bool {
        &self.0[2..] == "0000"
    }
    /// A city-level code (`XXYY00`, YY ≠ 00).
    pub fn is_city_level(&self) -> bool {
        &self.0[4..] == "00" && &self.0[2..4] != "00"
    }
    /// The pooling area (统筹区): the city (first four digits), or the whole municipality.
    pub fn pooling_area(&self) -> &str {
        if self.is_municipality() {
            self.province()
        } else {
            &self.0[..4]
        }
    }
    pub fn same_pooling_area(&self, o: &Admdvs) -> bool {
        self.pooling_area() == o.pooling_area()
    }
    pub fn same_province(&self, o: &Admdvs) -> bool {
        self.province() == o.province()
    }
    /// The city-level code this code belongs to (`610113` → `610100`; municipalities → `XX0000`).
    pub fn city(&self) -> Admdvs {
        Admdvs(self.city_code().as_str().to_string())
    }
    /// [`Admdvs::city`]'s code without allocating (pack and catalog lookups run once per claim).
    pub fn city_code(&self) -> CityCode {
        let mut c = *b"000000";
        let keep = if self.is_municipality() { 2 } else { 4 };
        c[..keep].copy_from_slice(&self.0.as_bytes()[..keep]);
        CityCode(c)
    }
    /// Whether a filing destination (city, municipality or allowed province) covers this treatment place.
    pub fn covers(&self, place: &Admdvs) -> bool {
        if self.is_province_level() {
            self.province() == place.province()
        } else {
            self.pooling_area() == place.pooling_area()
        }
    }
}
/// A city-level region code on the stack (see [`Admdvs::city_code`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CityCode([u8; 6]);

impl CityCode {
    pub fn as_str(&self) -> &str {
        // Six ASCII digits, copied from a checked code.
        core::str::from_utf8(&self.0).unwrap_or("000000")
    }
}

code_serde!(Admdvs, "医保区划 (6-digit region code), e.g. 610100 西安市");

impl ApiError {
    /// Append an explanation to both messages.
    pub fn with_hint(mut self, zh: &str, en: &str) -> Self {
        self.message_zh = format!("{}（{zh}）", self.message_zh);
        self.message_en = format!("{} ({en})", self.message_en);
        self
    }
}

/// 医疗机构等级 for policy selection: 3 三级, 2 二级, 1 一级, 0 社区/基层 and others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FacilityLevel {
    Community,
    Level1,
    Level2,
    Level3,
}
impl FacilityLevel {
    pub fn parse(s: &str) -> Result<Self, ApiError> {
        match s.trim() {
            "3" | "03" | "三级" => Ok(FacilityLevel::Level3),
            "2" | "02" | "二级" => Ok(FacilityLevel::Level2),
            "1" | "01" | "一级" => Ok(FacilityLevel::Level1),
            "0" | "00" | "9" | "社区" | "基层" => Ok(FacilityLevel::Community),
            _ => Err(ApiError::unknown_code("hosp_lv", s).at("hosp_lv")),
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            FacilityLevel::Level3 => "3",
            FacilityLevel::Level2 => "2",
            FacilityLevel::Level1 => "1",
            FacilityLevel::Community => "0",
        }
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            FacilityLevel::Level3 => "三级",
            FacilityLevel::Level2 => "二级",
            FacilityLevel::Level1 => "一级",
            FacilityLevel::Community => "社区/基层",
        }
    }
}
code_serde!(
    FacilityLevel,
    "facility level: 3 三级, 2 二级, 1 一级, 0 社区/基层"
);

/// 就诊凭证类型 `mdtrt_cert_type`: 01 医保电子凭证, 02 居民身份证, 03 社会保障卡. Provinces add their own
/// codes, kept as sent: the field only decides whether the credential is the 居民身份证, so an unknown
/// code is never a reason to refuse a claim.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MdtrtCertType(String);
impl MdtrtCertType {
    pub fn parse(s: &str) -> Result<Self, ApiError> {
        let t = s.trim();
        let n = match (two_digit(t), t) {
            (Some(n), _) => n,
            (_, "医保电子凭证" | "电子凭证") => 1,
            (_, "居民身份证" | "身份证") => 2,
            (_, "社会保障卡" | "社保卡") => 3,
            _ => return Ok(MdtrtCertType(t.to_string())),
        };
        // Written by hand: `format!`'s padding would pull its machinery into the phone modules.
        let mut code = String::with_capacity(2);
        code.push(char::from(b'0' + n / 10));
        code.push(char::from(b'0' + n % 10));
        Ok(MdtrtCertType(code))
    }
    pub fn code(&self) -> &str {
        &self.0
    }
    pub fn is_id_card(&self) -> bool {
        self.0 == "02"
    }
    pub fn name_zh(&self) -> &'static str {
        match self.0.as_str() {
            "01" => "医保电子凭证",
            "02" => "居民身份证",
            "03" => "社会保障卡",
            _ => "其他凭证",
        }
    }
}
code_serde!(
    MdtrtCertType,
    "mdtrt_cert_type: 01 医保电子凭证, 02 居民身份证, 03 社会保障卡 (1/2/3 accepted; other codes kept as sent)"
);

/// The settlement columns a fund payment lands in (NATIONAL_SPEC.md §4, `fund_pay_type` mapping).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum FundColumn {
    HifpPay,
    CvlservPay,
    HifesPay,
    HifmiPay,
    HifobPay,
    MafPay,
    HifdmPay,
    OthPay,
    AcctPay,
    HospPartAmt,
    OwnpayHospPart,
}

impl FundColumn {
    /// Map a `fund_pay_type` code (including local variants by prefix) to its `setlinfo` column.
    pub fn of_fund_pay_type(code: &str) -> FundColumn {
        let c = code.trim();
        match c {
            "999996" => return FundColumn::HospPartAmt,
            "999997" => return FundColumn::OwnpayHospPart,
            _ => {}
        }
        if c.starts_with("3101") || c.starts_with("3901") || c.starts_with("3911") {
            FundColumn::HifpPay
        } else if c.starts_with("3102") {
            FundColumn::AcctPay
        } else if c.starts_with("3201") {
            FundColumn::CvlservPay
        } else if c.starts_with("3301") {
            FundColumn::HifobPay
        } else if c.starts_with("3902") {
            FundColumn::HifmiPay
        } else if c.starts_with("3701") {
            FundColumn::HifesPay
        } else if c.starts_with("6101") {
            FundColumn::MafPay
        } else if c.starts_with("3501") {
            FundColumn::HifdmPay
        } else {
            FundColumn::OthPay
        }
    }
    pub fn field(self) -> &'static str {
        match self {
            FundColumn::HifpPay => "hifp_pay",
            FundColumn::CvlservPay => "cvlserv_pay",
            FundColumn::HifesPay => "hifes_pay",
            FundColumn::HifmiPay => "hifmi_pay",
            FundColumn::HifobPay => "hifob_pay",
            FundColumn::MafPay => "maf_pay",
            FundColumn::HifdmPay => "hifdm_pay",
            FundColumn::OthPay => "oth_pay",
            FundColumn::AcctPay => "acct_pay",
            FundColumn::HospPartAmt => "hosp_part_amt",
            FundColumn::OwnpayHospPart => "ownpay_hosp_part",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fee_codes_read_as_the_padded_lookup_did() {
        // The former reading: pad a short all-digit code to two digits, then look it up.
        fn pad(code: &str) -> String {
            if code.len() < 2 && code.chars().all(|c| c.is_ascii_digit()) {
                format!("{code:0>2}")
            } else {
                code.to_string()
            }
        }
        let alphabet = ["", "0", "1", "3", "4", "9", " ", "甲", "乙类", "a", "+", "١"];
        let mut texts = vec![String::new()];
        for _ in 0..3 {
            let longer: Vec<String> = texts
                .iter()
                .flat_map(|t| alphabet.iter().map(move |a| format!("{t}{a}")))
                .collect();
            texts.extend(longer);
        }
        texts.extend(["丙类", " 14 ", "15", "010", "001", "00"].map(String::from));
        for t in &texts {
            let p = pad(t.trim());
            let lv = match p.as_str() {
                "01" | "甲" | "甲类" => Some(ChrgitmLv::Jia),
                "02" | "乙" | "乙类" => Some(ChrgitmLv::Yi),
                "03" | "丙" | "丙类" => Some(ChrgitmLv::Bing),
                _ => None,
            };
            assert_eq!(ChrgitmLv::parse(t).ok(), lv, "{t:?}");
            let ty = ChrgitmType::CODES
                .iter()
                .position(|c| *c == p)
                .map(|i| i as u8 + 1);
            assert_eq!(ChrgitmType::parse(t).ok().map(|c| c.0), ty, "{t:?}");
        }
    }

    #[test]
    fn codes_normalise() {
        assert_eq!(ChrgitmLv::parse("1").unwrap(), ChrgitmLv::Jia);
        assert_eq!(ChrgitmLv::parse("02").unwrap(), ChrgitmLv::Yi);
        assert!(ChrgitmLv::parse("4").is_err());
        assert_eq!(ChrgitmType::parse("9").unwrap().code(), "09");
        assert_eq!(ChrgitmType::parse("14").unwrap().name_zh(), "其他费");
        assert!(ChrgitmType::parse("15").is_err());
        let v: ChrgitmLv = serde_json::from_str("3").unwrap();
        assert_eq!(v, ChrgitmLv::Bing);
    }

    #[test]
    fn med_type_classes() {
        assert_eq!(MedType::parse("21").unwrap().class(), MedClass::Inpatient);
        assert_eq!(MedType::parse("2114").unwrap().class(), MedClass::Inpatient);
        assert_eq!(
            MedType::parse("140104").unwrap().class(),
            MedClass::ChronicOutpatient
        );
        assert_eq!(MedType::parse("41").unwrap().class(), MedClass::Pharmacy);
        assert_eq!(MedType::parse("52").unwrap().class(), MedClass::Maternity);
        assert!(MedType::parse("31").is_err());
        assert!(MedType::parse("42").is_err());
    }

    #[test]
    fn regions() {
        let xa = Admdvs::parse("610100").unwrap();
        let xa_district = Admdvs::parse("610113").unwrap();
        let bj = Admdvs::parse("110105").unwrap();
        let hainan = Admdvs::parse("460000").unwrap();
        assert!(xa.same_pooling_area(&xa_district));
        assert!(xa.covers(&xa_district));
        assert_eq!(bj.pooling_area(), "11");
        assert!(hainan.covers(&Admdvs::parse("460200").unwrap()));
        assert!(!xa.same_province(&hainan));
        assert!(Admdvs::parse("61010").is_err());
        assert_eq!(FundColumn::of_fund_pay_type("330101"), FundColumn::HifobPay);
        assert_eq!(FundColumn::of_fund_pay_type("999997"), FundColumn::OwnpayHospPart);
    }
}
