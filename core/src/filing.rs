//! Filing (备案): validate an application, compute its validity window, and answer a change or
//! cancellation request, under the insured place's pack. "Today" is an input (`applied_date`, `date`).

use crate::codes::{Admdvs, FacilityLevel, Insutype, MedClass, PsnClass};
use crate::error::ApiError;
use crate::model::{Filing, FilingCategory, FilingStatus, Materials, VisitCategory};
use crate::policy::{ChangeReason, IntraProvinceFiling, Pack, PackSet, ReductionForm, SelectKey};
use crate::prelude::*;
use crate::trace::TraceEntry;
use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// The applicant as far as filing rules need them.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Applicant {
    pub insuplc_admdvs: Admdvs,
    pub insutype: Insutype,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub psn_no: Option<String>,
}

/// A current stay for which a filing is made retroactively (补办).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RetroactiveStay {
    #[serde(deserialize_with = "crate::date::read")]
    pub admission_date: NaiveDate,
    /// Whether the discharge was already settled (paid in full by the person).
    #[serde(default, deserialize_with = "crate::model::flag")]
    pub discharge_settled: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FilingApplication {
    pub applicant: Applicant,
    pub category: FilingCategory,
    pub rloc_admdvs: Admdvs,
    #[serde(deserialize_with = "crate::date::read")]
    pub begndate: NaiveDate,
    /// The day of application ("today").
    #[serde(deserialize_with = "crate::date::read")]
    pub applied_date: NaiveDate,
    #[serde(default)]
    pub materials: Materials,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retroactive: Option<RetroactiveStay>,
    #[serde(default, deserialize_with = "crate::model::flag")]
    pub chronic_disease: bool,
    /// The person's filings already on record (to catch conflicts).
    #[serde(default)]
    pub existing: Vec<Filing>,
}

/// Why a request was refused, with its citation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Refusal {
    /// Stable reason code, e.g. `F_DESTINATION_DISTRICT`.
    pub code: String,
    /// The field it is about.
    pub field: String,
    pub cite: String,
    pub zh: String,
    pub en: String,
}

fn refusal(code: &str, field: &str, cite: &str, zh: String, en: String) -> Refusal {
    Refusal {
        code: code.into(),
        field: field.into(),
        cite: cite.into(),
        zh,
        en,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ValidityWindow {
    #[serde(deserialize_with = "crate::date::read")]
    pub begndate: NaiveDate,
    /// Absent = open-ended (long-term).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "crate::date::read_opt")]
    pub enddate: Option<NaiveDate>,
    /// Validity in months for temporary filings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub months: Option<u32>,
    /// First day a long-term filing may be changed or cancelled without an exception.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "crate::date::read_opt")]
    pub change_allowed_from: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FilingDecision {
    pub accepted: bool,
    /// The filing as it would be recorded (also when refused, to show what was asked).
    pub filing: Filing,
    pub window: ValidityWindow,
    pub refusals: Vec<Refusal>,
    /// What the filing means for the person, each with its citation.
    pub explanations: Vec<TraceEntry>,
}

/// Last day of a window of `months` starting on `begin`: 2024-03-10 + 6 → 2024-09-09; 2024-08-31 + 6 →
/// 2025-02-28; 2024-03-01 + 6 → 2024-08-31.
pub fn window_end(begin: NaiveDate, months: u32) -> Option<NaiveDate> {
    let target = begin.checked_add_months(Months::new(months))?;
    if target.day() < begin.day() {
        Some(target)
    } else {
        target.pred_opt()
    }
}

/// First day a long-term filing starting `begin` may be changed under a lock of `months`: the day after
/// the lock's last day, counted as validity windows are (2024-08-31 + 6 → 2025-03-01, since the window
/// of 2024-08-31 + 6 months still holds 2025-02-28).
fn lock_free_from(begin: NaiveDate, months: u32) -> Option<NaiveDate> {
    window_end(begin, months)?.succ_opt()
}

/// The validity window of a filing of `category` starting `begin` under `pack`.
pub fn window(
    pack: &Pack,
    category: FilingCategory,
    begin: NaiveDate,
) -> Result<(ValidityWindow, Vec<TraceEntry>), ApiError> {
    let mut ex = Vec::new();
    if category.is_long_term() {
        let lock = pack
            .filing
            .long_term_change_lock_months
            .at(begin)
            .ok_or_else(|| crate::coverage::no_value(pack, "filing.long_term_change_lock_months", begin))?;
        let from = lock_free_from(begin, lock.value);
        ex.push(
            TraceEntry::new(
                "window",
                "filing.long_term_validity",
                "002 经办规程§12.1; 003 二(三)",
                format!("异地长期居住人员“一次备案、长期有效”，自 {begin} 起，直至变更、取消或参保状态变化"),
                format!("long-term filing: filed once, valid from {begin} until changed, cancelled or insurance status changes"),
            ),
        );
        ex.push(
            TraceEntry::new(
                "change_allowed_from",
                "filing.change_lock",
                &lock.cite,
                format!("生效后 {} 个月内不得变更或取消（退休安置地、工作单位变化或疫情等特殊情形凭资料除外）", lock.value),
                format!("no change or cancellation within {} months of taking effect (except a new retirement place, employer, or an epidemic, with documents)", lock.value),
            )
            .param(pack.use_of("filing.long_term_change_lock_months", lock, lock.value.to_string())),
        );
        Ok((
            ValidityWindow {
                begndate: begin,
                enddate: None,
                months: None,
                change_allowed_from: from,
            },
            ex,
        ))
    } else {
        let m = pack
            .filing
            .temporary_validity_months
            .at(begin)
            .ok_or_else(|| crate::coverage::no_value(pack, "filing.temporary_validity_months", begin))?;
        let end = window_end(begin, m.value);
        ex.push(
            TraceEntry::new(
                "window",
                "filing.temporary_validity",
                &m.cite,
                format!(
                    "临时外出就医“一次备案、{}个月有效”：{begin} 至 {}；有效期内可多次就诊",
                    m.value,
                    end.map_or("—".into(), |e| e.to_string())
                ),
                format!(
                    "temporary filing valid {} months: {begin} to {}; any number of visits inside it",
                    m.value,
                    end.map_or("—".into(), |e| e.to_string())
                ),
            )
            .param(pack.use_of("filing.temporary_validity_months", m, m.value.to_string())),
        );
        ex.push(TraceEntry::new(
            "window",
            "filing.admitted_inside_validity",
            "002 经办规程§12.3; 003 §10",
            "有效期内已办理入院、有效期满后出院的，视为有效期内，可直接结算".into(),
            "admitted inside the validity and discharged after it: still inside, settles directly".into(),
        ));
        Ok((
            ValidityWindow {
                begndate: begin,
                enddate: end,
                months: Some(m.value),
                change_allowed_from: None,
            },
            ex,
        ))
    }
}

/// Check a destination's granularity and that it is really elsewhere.
fn check_destination(
    pack: &Pack,
    home: &Admdvs,
    dest: &Admdvs,
    on: NaiveDate,
    out: &mut Vec<Refusal>,
) -> Result<(), ApiError> {
    let prov_level = pack
        .filing
        .province_level_destinations
        .at(on)
        .ok_or_else(|| crate::coverage::no_value(pack, "filing.province_level_destinations", on))?;
    if !dest.in_network_province() {
        out.push(refusal(
            "F_DESTINATION_UNKNOWN",
            "rloc_admdvs",
            "GB/T 2260; 002 经办规程§14; 003 §11",
            format!(
                "备案地 {} 的前两位 {} 不是全国异地就医结算系统中的省份（GB/T 2260 省级代码，兵团为 66）",
                dest.code(),
                dest.province()
            ),
            format!(
                "destination {}: {} is not a province of the national cross-region settlement network (GB/T 2260 province codes; 66 for the XPCC)",
                dest.code(),
                dest.province()
            ),
        ));
    } else if home.same_pooling_area(dest) {
        out.push(refusal(
            "F_DESTINATION_HOME",
            "rloc_admdvs",
            "002 实施细则二(二); 003 二(一)",
            format!(
                "备案地 {} 与参保地 {} 属同一统筹区，无需异地备案",
                dest.code(),
                home.code()
            ),
            format!(
                "destination {} is in the insured pooling area {}: no cross-region filing is needed",
                dest.code(),
                home.code()
            ),
        ));
    } else if dest.is_province_level() {
        if !dest.is_municipality() && !prov_level.value.iter().any(|p| p == dest.province()) {
            out.push(refusal(
                "F_DESTINATION_PROVINCE",
                "rloc_admdvs",
                &prov_level.cite,
                format!("只有海南、西藏和新疆生产建设兵团可备案到省级；请选择 {} 省内的地市", dest.province()),
                format!("only Hainan, Tibet and the XPCC may be filed at province level; choose a city in province {}", dest.province()),
            ));
        }
    } else if !dest.is_city_level() && !dest.is_municipality() {
        out.push(refusal(
            "F_DESTINATION_DISTRICT",
            "rloc_admdvs",
            "002 经办规程§14; 003 §11",
            format!(
                "备案应直接到就医地市或直辖市，而非区县；请改为 {}",
                dest.city().code()
            ),
            format!(
                "file to the destination city or municipality, not a district: use {}",
                dest.city().code()
            ),
        ));
    }
    Ok(())
}

fn explain_without_filing(pack: &Pack, insutype: Insutype, on: NaiveDate) -> Vec<TraceEntry> {
    let mut ex = vec![TraceEntry::new(
        "without_filing",
        "filing.emergency_deemed_filed",
        "002 §21; 003 §20",
        "未备案的急诊抢救视同已备案，按参保地异地急诊抢救待遇直接结算".into(),
        "an emergency without a filing counts as filed and settles directly at the insured place's emergency level".into(),
    )];
    let key = |c| SelectKey {
        insutype,
        med_class: MedClass::Inpatient,
        hosp_lv: FacilityLevel::Level3,
        psn_class: if insutype == Insutype::Employee {
            PsnClass::Working
        } else {
            PsnClass::AdultResident
        },
        visit_category: c,
    };
    for (cat, zh, en) in [
        (
            VisitCategory::Unfiled,
            "非急诊且未转诊、未备案",
            "non-emergency, not referred, not filed",
        ),
        (
            VisitCategory::OtherTemporary,
            "其他临时外出（已备案）",
            "other temporary trip, filed",
        ),
        (VisitCategory::Referral, "异地转诊（已备案）", "referral, filed"),
    ] {
        if let Some(r) = pack.benefit(|r| r.reduction.as_ref(), &key(cat), on) {
            let (fz, fe) = match r.value.form {
                ReductionForm::RatioPoints => (
                    format!("统筹支付比例降低 {} 个百分点", r.value.points),
                    format!("fund ratio {} points lower", r.value.points),
                ),
                ReductionForm::Preselfpay => (
                    format!("个人先行自付 {}%", r.value.points),
                    format!("the person first pays {}%", r.value.points),
                ),
            };
            ex.push(
                TraceEntry::new(
                    "without_filing",
                    "filing.reduction",
                    &r.cite,
                    format!("{zh}：{fz}"),
                    format!("{en}: {fe}"),
                )
                .param(pack.use_of(
                    "benefits.reduction",
                    r,
                    format!("{:?} {}", r.value.form, r.value.points),
                )),
            );
        }
    }
    ex
}

/// Validate an application.
pub fn validate(packs: &PackSet, a: &FilingApplication) -> Result<FilingDecision, ApiError> {
    let pack = packs.pack(&a.applicant.insuplc_admdvs)?;
    let home = &a.applicant.insuplc_admdvs;
    let mut refusals = Vec::new();
    let mut begin = a.begndate;
    let mut retroactive = false;
    let mut explanations = Vec::new();

    check_destination(pack, home, &a.rloc_admdvs, a.applied_date, &mut refusals)?;

    // Intra-province filings abolished by the insured place.
    if home.same_province(&a.rloc_admdvs) && !home.same_pooling_area(&a.rloc_admdvs) {
        let rule = pack
            .filing
            .intra_province_filing
            .at(a.applied_date)
            .ok_or_else(|| crate::coverage::no_value(pack, "filing.intra_province_filing", a.applied_date))?;
        let abolished = match rule.value {
            IntraProvinceFiling::Abolished => true,
            IntraProvinceFiling::AbolishedForTemporary => !a.category.is_long_term(),
            IntraProvinceFiling::Required => false,
        };
        if abolished {
            let (zh, en) = if rule.value == IntraProvinceFiling::AbolishedForTemporary {
                (
                    "省内临时外出就医已取消备案，无需办理，直接按参保地待遇结算（省内异地长期居住仍可备案）",
                    "intra-province filing of temporary trips has been abolished: no filing is needed, visits settle under \
                     insured-place policy (long-term residence elsewhere in the province may still be filed)",
                )
            } else {
                (
                    "省内异地就医已取消备案，无需办理，直接按参保地待遇结算",
                    "intra-province filing has been abolished: no filing is needed, visits settle under insured-place policy",
                )
            };
            refusals.push(refusal(
                "F_INTRA_PROVINCE_NOT_NEEDED",
                "rloc_admdvs",
                &rule.cite,
                zh.into(),
                en.into(),
            ));
        }
    }

    // Materials.
    let m = &a.materials;
    if a.category.is_long_term() && !m.residence_proof && !m.commitment {
        refusals.push(refusal(
            "F_MATERIALS_LONG_TERM",
            "materials",
            "医保发〔2022〕22号 (NATIONAL_SPEC §6)",
            "异地长期居住人员须提交居住证明等材料，或签署个人承诺书（承诺制）".into(),
            "long-term filings need residence documents or a signed personal commitment".into(),
        ));
    }
    if a.category == FilingCategory::Referral && !m.referral_certificate {
        refusals.push(refusal(
            "F_MATERIALS_REFERRAL",
            "materials",
            "医保发〔2022〕22号; 002 实施细则三(五); 003 §7",
            "异地转诊须提交参保地定点医疗机构开具的转诊证明".into(),
            "a referral filing needs the referral certificate from a designated facility at the insured place".into(),
        ));
    }

    // Emergency filings are for people not already filed as long-term or referral there (003 §7(二)2).
    if a.category == FilingCategory::Emergency
        && a.existing.iter().any(|f| {
            f.status == FilingStatus::Active
                && (f.category.is_long_term() || f.category == FilingCategory::Referral)
                && f.rloc_admdvs.covers(&a.rloc_admdvs)
                && f.in_window(a.begndate)
        })
    {
        refusals.push(refusal(
            "F_EMERGENCY_ALREADY_FILED",
            "category",
            "003 §7(二)2",
            "已办理长期居住或转诊备案的人员，不再作为急诊抢救人员备案".into(),
            "a person already filed as long-term or referral there is not filed again as emergency".into(),
        ));
    }

    // Direct settlement there is suspended (暂停): only the insured place restores it, a new filing does not.
    suspended_there(&a.existing, &a.rloc_admdvs, &mut refusals);

    // Dates: no start in the past except a retroactive filing for a current stay.
    if let Some(r) = &a.retroactive {
        if r.admission_date > a.applied_date {
            return Err(ApiError::new(
                crate::error::ErrorCode::DateOrder,
                format!("入院日期 {} 晚于申请日期 {}", r.admission_date, a.applied_date),
                format!(
                    "admission date {} is after the application date {}",
                    r.admission_date, a.applied_date
                ),
            )
            .at("request.retroactive.admission_date"));
        }
        begin = r.admission_date;
        retroactive = true;
        if r.discharge_settled {
            explanations.push(TraceEntry::new(
                "retroactive",
                "filing.retroactive_after_discharge",
                "002 实施细则三(三), §19; 003 二(四), §12",
                "已自费结算出院后补办备案：不能再直接结算，可按参保地规定申请手工报销".into(),
                "filed after a self-paid discharge: no direct settlement any more; manual reimbursement under insured-place rules".into(),
            ));
        } else {
            explanations.push(TraceEntry::new(
                "retroactive",
                "filing.retroactive_before_discharge",
                "002 实施细则三(三), §19; 003 二(四), §12",
                format!("出院结算前补办备案，自入院之日 {begin} 起生效，本次住院可直接结算"),
                format!("filed before discharge settlement: effective from the admission date {begin}; this stay settles directly"),
            ));
        }
    } else if a.begndate < a.applied_date {
        refusals.push(refusal(
            "F_BEGIN_IN_PAST",
            "begndate",
            "002 实施细则三(三); 003 二(四)",
            format!("开始日期 {} 早于申请日 {}；只有出院结算前为本次住院补办的备案可自入院之日起生效", a.begndate, a.applied_date),
            format!(
                "start date {} is before the application date {}; only a retroactive filing for a current stay may start at its admission",
                a.begndate, a.applied_date
            ),
        ));
    }

    let (w, mut ex) = window(pack, a.category, begin)?;
    explanations.append(&mut ex);
    already_filed(a.category, &a.rloc_admdvs, &w, &a.existing, &mut refusals);
    explanations.push(TraceEntry::new(
        "destination",
        "filing.any_networked_facility",
        "002 经办规程§14–15; 003 §10–11",
        format!(
            "备案到 {}，有效期内可在当地所有异地联网定点医疗机构多次就诊并直接结算",
            a.rloc_admdvs.code()
        ),
        format!(
            "filed to {}: any networked facility there, any number of visits during validity",
            a.rloc_admdvs.code()
        ),
    ));
    if a.category == FilingCategory::Emergency {
        explanations.push(TraceEntry::new(
            "category",
            "filing.emergency_deemed",
            "002 §21; 003 §20",
            "急诊抢救即使未备案也视同已备案；备案便于后续就诊".into(),
            "an emergency counts as filed even without this filing; filing helps the visits that follow"
                .into(),
        ));
    }
    explanations.extend(explain_without_filing(pack, a.applicant.insutype, a.applied_date));

    let filing = Filing {
        filing_id: None,
        rloc_admdvs: a.rloc_admdvs.clone(),
        category: a.category,
        begndate: w.begndate,
        enddate: w.enddate,
        status: FilingStatus::Active,
        applied_date: a.applied_date,
        retroactive,
        chronic_disease: a.chronic_disease,
        materials: a.materials.clone(),
    };
    Ok(FilingDecision {
        accepted: refusals.is_empty(),
        filing,
        window: w,
        refusals,
        explanations,
    })
}

/// A suspended filing (暂停) to `dest`, or one `dest` covers: only the insured place restores direct settlement
/// there, neither a new filing nor a change of another one does.
fn suspended_there<'a>(
    existing: impl IntoIterator<Item = &'a Filing>,
    dest: &Admdvs,
    refusals: &mut Vec<Refusal>,
) {
    if let Some(f) = existing.into_iter().find(|f| {
        f.status == FilingStatus::Suspended && (f.rloc_admdvs.covers(dest) || dest.covers(&f.rloc_admdvs))
    }) {
        refusals.push(refusal(
            "F_TREATMENT_SUSPENDED",
            "rloc_admdvs",
            "001 §10(二), §27; 003 §13(二); 002 §58",
            format!(
                "您到 {} 的{}备案的直接结算已被暂停；暂停期间不能重新备案，恢复须由参保地经办机构办理",
                f.rloc_admdvs.code(),
                f.category.name_zh()
            ),
            format!(
                "direct settlement under your {} filing to {} is suspended; no new filing while it is, only the insured \
                 place's agency restores it",
                f.category.name_en(),
                f.rloc_admdvs.code()
            ),
        ));
    }
}

/// A new filing that would overlap an active one: a second one is a change, not a new filing.
/// - A long-term filing while another long-term one is active, wherever to: a person lives in one place
///   elsewhere (一次备案、长期有效, 002 经办规程§12.1), and a second filing would step round the change
///   lock (003 二(四)).
/// - A temporary filing to a place an active temporary filing covers, or that covers it, when their windows
///   overlap (not only when the new one starts inside the old one).
///
/// Emergency filings are left out: they are for people not filed there (003 §7(二)2, checked above).
fn already_filed<'a>(
    category: FilingCategory,
    dest: &Admdvs,
    w: &ValidityWindow,
    existing: impl IntoIterator<Item = &'a Filing>,
    refusals: &mut Vec<Refusal>,
) {
    let overlaps = |f: &Filing| {
        f.begndate <= w.enddate.unwrap_or(NaiveDate::MAX) && w.begndate <= f.enddate.unwrap_or(NaiveDate::MAX)
    };
    let Some(f) = existing.into_iter().find(|f| {
        f.status == FilingStatus::Active
            && f.category.is_long_term() == category.is_long_term()
            && f.category != FilingCategory::Emergency
            && category != FilingCategory::Emergency
            && (category.is_long_term() || f.rloc_admdvs.covers(dest) || dest.covers(&f.rloc_admdvs))
            && overlaps(f)
    }) else {
        return;
    };
    refusals.push(refusal(
        "F_ALREADY_FILED",
        "rloc_admdvs",
        if category.is_long_term() {
            "002 经办规程§12.1; 003 二(四), §13"
        } else {
            "001 §10; 003 §13"
        },
        format!(
            "已有有效的{}备案（到 {}，{} 起）；如需调整请申请变更",
            f.category.name_zh(),
            f.rloc_admdvs.code(),
            f.begndate
        ),
        format!(
            "an active {} filing to {} from {} exists; ask for a change instead",
            f.category.name_en(),
            f.rloc_admdvs.code(),
            f.begndate
        ),
    ));
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct WindowRequest {
    pub insuplc_admdvs: Admdvs,
    pub category: FilingCategory,
    #[serde(deserialize_with = "crate::date::read")]
    pub begndate: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct WindowResponse {
    pub window: ValidityWindow,
    pub explanations: Vec<TraceEntry>,
}

pub fn window_op(packs: &PackSet, r: &WindowRequest) -> Result<WindowResponse, ApiError> {
    let pack = packs.pack(&r.insuplc_admdvs)?;
    let (window, explanations) = window(pack, r.category, r.begndate)?;
    Ok(WindowResponse {
        window,
        explanations: explanations.into_iter().map(TraceEntry::marked).collect(),
    })
}

/// What a change asks for; absent fields stay as they are.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FilingChanges {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rloc_admdvs: Option<Admdvs>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<FilingCategory>,
    /// Register (or remove) chronic/special outpatient diseases on the filing, where the insured place wants
    /// them filed (001 §8; 003 §9). Not a change of destination or category: the change lock does not apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chronic_disease: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ChangeRequest {
    pub applicant: Applicant,
    pub filing: Filing,
    /// The day of the request ("today").
    #[serde(deserialize_with = "crate::date::read")]
    pub date: NaiveDate,
    pub reason: ChangeReason,
    /// Supporting documents handed in for the reason.
    #[serde(default, deserialize_with = "crate::model::flag")]
    pub documents: bool,
    #[serde(default)]
    pub changes: FilingChanges,
    /// The person's other filings on record: a new destination or category is checked against them as a
    /// new filing would be (a second filing there, direct settlement suspended there). The filing being
    /// changed may be among them (matched by `filing_id`, else by equality) and is skipped.
    #[serde(default)]
    pub existing: Vec<Filing>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ChangeDecision {
    pub allowed: bool,
    pub refusals: Vec<Refusal>,
    /// The filing with the change applied (when allowed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_filing: Option<Filing>,
    /// The old filing as it stands after the change.
    pub old_filing: Filing,
    pub explanations: Vec<TraceEntry>,
}

/// Lock check shared by change and cancellation. Returns a refusal when locked and not excepted.
fn lock_check(
    pack: &Pack,
    f: &Filing,
    date: NaiveDate,
    reason: ChangeReason,
    documents: bool,
    what: (&str, &str),
) -> Result<Option<Refusal>, ApiError> {
    if !f.category.is_long_term() {
        return Ok(None);
    }
    let lock = pack
        .filing
        .long_term_change_lock_months
        .at(f.begndate)
        .ok_or_else(|| crate::coverage::no_value(pack, "filing.long_term_change_lock_months", f.begndate))?;
    let Some(free_from) = lock_free_from(f.begndate, lock.value) else {
        return Ok(None);
    };
    if date >= free_from {
        return Ok(None);
    }
    let exc = pack
        .filing
        .change_lock_exceptions
        .at(date)
        .ok_or_else(|| crate::coverage::no_value(pack, "filing.change_lock_exceptions", date))?;
    if exc.value.contains(&reason) && documents {
        return Ok(None);
    }
    let excepted_no_docs = exc.value.contains(&reason) && !documents;
    // A refusal resting on a value no seed states says so, with the pack and the value's date.
    let (unverified_zh, unverified_en) = if lock.verified {
        (String::new(), String::new())
    } else {
        (
            format!(
                "（{} 个月为 {} 中未经核实的值，{} 起）",
                lock.value, pack.source, lock.from
            ),
            format!(
                " ({} months is an unverified value of {}, from {})",
                lock.value, pack.source, lock.from
            ),
        )
    };
    Ok(Some(refusal(
        "F_CHANGE_LOCKED",
        "date",
        &if lock.cite == exc.cite {
            lock.cite.clone()
        } else {
            format!("{}; {}", lock.cite, exc.cite)
        },
        format!(
            "长期居住备案 {} 生效，{} 个月内（{} 前）不得{}{}{}",
            f.begndate,
            lock.value,
            free_from,
            what.0,
            unverified_zh,
            if excepted_no_docs {
                "；该情形可例外，但须提交相关资料"
            } else {
                "；仅退休安置地、工作单位变化或疫情等特殊情形凭资料除外"
            }
        ),
        format!(
            "a long-term filing effective {} may not be {} within {} months (before {}){}{}",
            f.begndate,
            what.1,
            lock.value,
            free_from,
            unverified_en,
            if excepted_no_docs {
                "; this reason is an exception, but needs documents"
            } else {
                "; only a new retirement place, employer or an epidemic, with documents, are exceptions"
            }
        ),
    )))
}

pub fn change(packs: &PackSet, r: &ChangeRequest) -> Result<ChangeDecision, ApiError> {
    let pack = packs.pack(&r.applicant.insuplc_admdvs)?;
    let mut refusals = Vec::new();
    let mut explanations = Vec::new();
    if r.date < r.filing.applied_date.min(r.filing.begndate) {
        return Err(ApiError::new(
            crate::error::ErrorCode::DateOrder,
            format!("变更日期 {} 早于备案日期", r.date),
            format!("change date {} is before the filing was made", r.date),
        )
        .at("request.date"));
    }
    if r.filing.status != FilingStatus::Active {
        refusals.push(refusal(
            "F_NOT_ACTIVE",
            "filing.status",
            "001 §10; 003 §13",
            "该备案已失效（已取消或已被变更），不能再变更".into(),
            "this filing is no longer active (cancelled or superseded) and cannot be changed".into(),
        ));
    }
    // Destination and category are what the lock guards, whatever reason is given: a change of contact
    // details alone touches neither, so it never meets the lock.
    let substantive = r.changes.rloc_admdvs.is_some() || r.changes.category.is_some();
    if substantive
        && let Some(x) = lock_check(
            pack,
            &r.filing,
            r.date,
            r.reason,
            r.documents,
            ("变更", "changed"),
        )?
    {
        refusals.push(x);
    }
    // A referral follows a doctor's decision: it may be changed because the illness needs it, with
    // documents (003 二(四), §13(一)), not for other reasons.
    if r.filing.category == FilingCategory::Referral
        && substantive
        && (r.reason != ChangeReason::MedicalNeed || !r.documents)
    {
        refusals.push(refusal(
            "F_CHANGE_NEEDS_DOCUMENTS",
            if r.reason == ChangeReason::MedicalNeed {
                "documents"
            } else {
                "reason"
            },
            "003 二(四), §13(一)",
            "临时外出转诊人员因病情需要，凭有关资料方可申请变更".into(),
            "a referral may be changed only because the illness needs it, with supporting documents".into(),
        ));
    }
    if let Some(d) = &r.changes.rloc_admdvs {
        check_destination(pack, &r.applicant.insuplc_admdvs, d, r.date, &mut refusals)?;
    }
    let mut new = r.filing.clone();
    if let Some(d) = &r.changes.rloc_admdvs {
        new.rloc_admdvs = d.clone();
    }
    if let Some(c) = r.changes.category {
        // A filing made a referral needs what a referral filing needs: the certificate, handed in as the
        // change's documents.
        if c == FilingCategory::Referral && r.filing.category != FilingCategory::Referral {
            if r.documents || r.filing.materials.referral_certificate {
                new.materials.referral_certificate = true;
            } else {
                refusals.push(refusal(
                    "F_MATERIALS_REFERRAL",
                    "documents",
                    "医保发〔2022〕22号; 002 实施细则三(五); 003 §7",
                    "改为异地转诊须提交参保地定点医疗机构开具的转诊证明".into(),
                    "a filing becomes a referral only with the referral certificate from a designated facility at the \
                     insured place"
                        .into(),
                ));
            }
        }
        if c.is_long_term() != r.filing.category.is_long_term() {
            refusals.push(refusal(
                "F_CHANGE_CLASS",
                "changes.category",
                "002 经办规程§12; 003 二(三)",
                "长期与临时备案的有效期规则不同，不能互相变更；请取消后重新备案".into(),
                "long-term and temporary filings have different validity rules: cancel and file anew instead"
                    .into(),
            ));
        }
        new.category = c;
    }
    if let Some(cd) = r.changes.chronic_disease {
        new.chronic_disease = cd;
    }
    new.applied_date = r.date;
    new.filing_id = None;
    if substantive && new.category.is_long_term() {
        // A changed long-term filing takes effect on the day of the change; its lock starts again.
        new.begndate = r.date;
        let (_, mut ex) = window(pack, new.category, r.date)?;
        explanations.append(&mut ex);
    }
    // A change must not reach what a new filing could not: a second filing to the same place, or a place
    // where the person's direct settlement is suspended.
    if r.changes.rloc_admdvs.is_some() || r.changes.category.is_some() {
        let others = r
            .existing
            .iter()
            .filter(|f| match (&f.filing_id, &r.filing.filing_id) {
                (Some(a), Some(b)) => a != b,
                _ => *f != &r.filing,
            });
        let w = ValidityWindow {
            begndate: r.date.max(new.begndate),
            enddate: new.enddate,
            months: None,
            change_allowed_from: None,
        };
        already_filed(new.category, &new.rloc_admdvs, &w, others.clone(), &mut refusals);
        suspended_there(others, &new.rloc_admdvs, &mut refusals);
    }
    let allowed = refusals.is_empty();
    let mut old = r.filing.clone();
    if allowed && substantive {
        old.status = FilingStatus::Superseded;
        old.enddate = r.date.pred_opt().map(|d| d.max(old.begndate));
    }
    Ok(ChangeDecision {
        allowed,
        refusals,
        new_filing: allowed.then_some(new),
        old_filing: old,
        explanations,
    })
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CancelRequest {
    pub applicant: Applicant,
    pub filing: Filing,
    #[serde(deserialize_with = "crate::date::read")]
    pub date: NaiveDate,
    pub reason: ChangeReason,
    #[serde(default, deserialize_with = "crate::model::flag")]
    pub documents: bool,
    /// A stay admitted under this filing is not yet settled.
    #[serde(default, deserialize_with = "crate::model::flag")]
    pub open_stay: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CancelDecision {
    pub allowed: bool,
    pub refusals: Vec<Refusal>,
    pub filing: Filing,
}

pub fn cancel(packs: &PackSet, r: &CancelRequest) -> Result<CancelDecision, ApiError> {
    let pack = packs.pack(&r.applicant.insuplc_admdvs)?;
    let mut refusals = Vec::new();
    if r.filing.status != FilingStatus::Active {
        refusals.push(refusal(
            "F_NOT_ACTIVE",
            "filing.status",
            "001 §10; 003 §13",
            "该备案已失效，无需取消".into(),
            "this filing is no longer active".into(),
        ));
    }
    // Where the insured place locks only changes (003 二(四)), a cancellation is free at any time.
    let cancel_locked = pack
        .filing
        .cancel_locked
        .as_ref()
        .and_then(|d| d.at(r.date))
        .is_none_or(|p| p.value);
    if cancel_locked
        && let Some(x) = lock_check(
            pack,
            &r.filing,
            r.date,
            r.reason,
            r.documents,
            ("取消", "cancelled"),
        )?
    {
        refusals.push(x);
    }
    if r.open_stay {
        refusals.push(refusal(
            "F_OPEN_STAY",
            "open_stay",
            "002 经办规程§12.3; 003 §10",
            "本备案下有尚未出院结算的住院；请在出院结算后再取消，以免影响直接结算".into(),
            "a stay under this filing is not yet settled; cancel after discharge settlement so it still settles directly".into(),
        ));
    }
    let allowed = refusals.is_empty();
    let mut f = r.filing.clone();
    if allowed {
        f.status = FilingStatus::Cancelled;
        f.enddate = Some(r.date.max(f.begndate));
    }
    Ok(CancelDecision {
        allowed,
        refusals,
        filing: f,
    })
}

/// A change of the person's treatment status (待遇享受状况变更): 暂停, 恢复, 终止.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum TreatmentAction {
    /// 暂停: no direct settlement under the filing until it is restored.
    Suspend,
    /// 恢复: a suspended filing is active again.
    Resume,
    /// 终止: the filing ends, as a cancellation does (status `cancelled`).
    Terminate,
}

/// Who acts on the filing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum TreatmentActor {
    /// 参保地经办机构: handles every treatment-status change (001 §10(二); 003 §13(二)).
    InsuredPlace,
    /// 就医地经办机构: may only suspend direct settlement of a person found violating rules, and reports it
    /// (002 §58; 001 §27; 000 §40).
    TreatmentPlace,
}

/// An agency's treatment-status change of a filing (`filing.treatment`); not an op of the person's.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TreatmentRequest {
    pub filing: Filing,
    /// The day of the change ("today").
    #[serde(deserialize_with = "crate::date::read")]
    pub date: NaiveDate,
    pub action: TreatmentAction,
    pub actor: TreatmentActor,
    /// Why, in the agency's words (shown to the person); required to suspend or terminate.
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TreatmentDecision {
    pub allowed: bool,
    pub action: TreatmentAction,
    pub refusals: Vec<Refusal>,
    /// The filing after the change (when allowed; else as it was).
    pub filing: Filing,
    pub explanations: Vec<TraceEntry>,
}

/// Where the seeds put treatment-status changes with the insured place's agency.
const CITE_INSURED_PLACE: &str = "001 §10(二); 003 §13(二); 000 §10(二)";
/// Where the seeds let the treatment place's agency suspend direct settlement on a violation.
const CITE_TREATMENT_PLACE: &str = "002 §58; 001 §27; 000 §40";

/// Decide an agency's suspension, restoration or termination of a filing's direct settlement.
pub fn treatment(r: &TreatmentRequest) -> Result<TreatmentDecision, ApiError> {
    let f = &r.filing;
    if r.date < f.applied_date.min(f.begndate) {
        return Err(ApiError::new(
            crate::error::ErrorCode::DateOrder,
            format!("待遇变更日期 {} 早于备案日期", r.date),
            format!(
                "treatment-status change date {} is before the filing was made",
                r.date
            ),
        )
        .at("request.date"));
    }
    let mut refusals = Vec::new();
    let (action_zh, action_en, verb_en) = match r.action {
        TreatmentAction::Suspend => ("暂停", "suspended", "suspend"),
        TreatmentAction::Resume => ("恢复", "resumed", "resume"),
        TreatmentAction::Terminate => ("终止", "terminated", "terminate"),
    };
    let status_ok = match r.action {
        TreatmentAction::Suspend => f.status == FilingStatus::Active,
        TreatmentAction::Resume => f.status == FilingStatus::Suspended,
        TreatmentAction::Terminate => {
            matches!(f.status, FilingStatus::Active | FilingStatus::Suspended)
        }
    };
    if !status_ok {
        let (code, zh, en) = match (r.action, f.status) {
            (TreatmentAction::Suspend, FilingStatus::Suspended) => (
                "F_ALREADY_SUSPENDED",
                "该备案的直接结算已处于暂停状态".into(),
                "direct settlement under this filing is already suspended".into(),
            ),
            (TreatmentAction::Resume, FilingStatus::Active) => (
                "F_NOT_SUSPENDED",
                "该备案未被暂停，无需恢复".into(),
                "this filing is not suspended: there is nothing to resume".into(),
            ),
            _ => (
                "F_NOT_ACTIVE",
                format!("该备案已失效（{}），不能{action_zh}", status_zh(f.status)),
                format!(
                    "this filing is no longer in force ({}) and cannot be {action_en}",
                    status_en(f.status)
                ),
            ),
        };
        refusals.push(refusal(code, "filing.status", CITE_INSURED_PLACE, zh, en));
    }
    if r.actor == TreatmentActor::TreatmentPlace && r.action != TreatmentAction::Suspend {
        refusals.push(refusal(
            "F_TREATMENT_INSURED_PLACE_ONLY",
            "actor",
            "001 §10(二), §27; 003 §13(二); 000 §10(二), §40",
            format!("就医地经办机构只能暂停违规人员的直接结算并上报；{action_zh}须由参保地经办机构办理"),
            format!(
                "the treatment place's agency may only suspend direct settlement of a person violating rules and report it; \
                 only the insured place's agency may {verb_en} it"
            ),
        ));
    }
    if r.action != TreatmentAction::Resume && r.reason.trim().is_empty() {
        let cite = match r.actor {
            TreatmentActor::TreatmentPlace => CITE_TREATMENT_PLACE,
            TreatmentActor::InsuredPlace => CITE_INSURED_PLACE,
        };
        refusals.push(refusal(
            "F_TREATMENT_REASON",
            "reason",
            cite,
            format!("{action_zh}直接结算须写明原因（告知参保人并供参保地处理）"),
            format!("a reason is required to have direct settlement {action_en} (the person is told, the insured place acts on it)"),
        ));
    }
    let allowed = refusals.is_empty();
    let mut filing = f.clone();
    let mut explanations = Vec::new();
    if allowed {
        let dest = f.rloc_admdvs.code();
        match r.action {
            TreatmentAction::Suspend => {
                filing.status = FilingStatus::Suspended;
                explanations.push(TraceEntry::new(
                    "filing.status",
                    "filing.treatment_suspended",
                    match r.actor {
                        TreatmentActor::TreatmentPlace => CITE_TREATMENT_PLACE,
                        TreatmentActor::InsuredPlace => CITE_INSURED_PLACE,
                    },
                    format!(
                        "自 {} 起暂停到 {dest} 的备案（{}）的直接结算：{}；暂停期间不能凭该备案直接结算，恢复须由参保地经办机构办理",
                        r.date,
                        f.category.name_zh(),
                        r.reason.trim()
                    ),
                    format!(
                        "direct settlement under the filing to {dest} ({}) is suspended from {}: {}; it cannot be used for direct \
                         settlement until the insured place's agency restores it",
                        f.category.name_en(),
                        r.date,
                        r.reason.trim()
                    ),
                ));
                if r.actor == TreatmentActor::TreatmentPlace {
                    explanations.push(TraceEntry::new(
                        "actor",
                        "filing.treatment_reported",
                        CITE_TREATMENT_PLACE,
                        "就医地经办机构暂停直接结算后，应上报省级经办机构，由参保地经办机构按规定处理".into(),
                        "the treatment place's agency reports the suspension to the provincial agency; the insured place's agency \
                         handles it under its rules"
                            .into(),
                    ));
                }
            }
            TreatmentAction::Resume => {
                filing.status = FilingStatus::Active;
                explanations.push(TraceEntry::new(
                    "filing.status",
                    "filing.treatment_resumed",
                    CITE_INSURED_PLACE,
                    format!(
                        "自 {} 起恢复到 {dest} 的备案（{}）的直接结算；有效期不变：{} 至 {}",
                        r.date,
                        f.category.name_zh(),
                        f.begndate,
                        f.enddate.map_or("长期".into(), |d| d.to_string())
                    ),
                    format!(
                        "direct settlement under the filing to {dest} ({}) is restored from {}; its validity is unchanged: {} to {}",
                        f.category.name_en(),
                        r.date,
                        f.begndate,
                        f.enddate.map_or("open-ended".into(), |d| d.to_string())
                    ),
                ));
            }
            TreatmentAction::Terminate => {
                filing.status = FilingStatus::Cancelled;
                let end = r.date.max(f.begndate);
                filing.enddate = Some(f.enddate.map_or(end, |e| e.min(end)));
                explanations.push(TraceEntry::new(
                    "filing.status",
                    "filing.treatment_terminated",
                    CITE_INSURED_PLACE,
                    format!(
                        "自 {} 起终止到 {dest} 的备案（{}）的异地就医待遇：{}；备案随之结束（状态为已取消），需要时须重新备案",
                        r.date,
                        f.category.name_zh(),
                        r.reason.trim()
                    ),
                    format!(
                        "cross-region treatment under the filing to {dest} ({}) is terminated from {}: {}; the filing ends \
                         (status cancelled) and a new one is needed to settle directly again",
                        f.category.name_en(),
                        r.date,
                        r.reason.trim()
                    ),
                ));
            }
        }
    }
    Ok(TreatmentDecision {
        allowed,
        action: r.action,
        refusals,
        filing,
        explanations,
    })
}

fn status_zh(s: FilingStatus) -> &'static str {
    match s {
        FilingStatus::Active => "有效",
        FilingStatus::Superseded => "已被变更",
        FilingStatus::Cancelled => "已取消",
        FilingStatus::Suspended => "已暂停",
    }
}

fn status_en(s: FilingStatus) -> &'static str {
    match s {
        FilingStatus::Active => "active",
        FilingStatus::Superseded => "superseded by a change",
        FilingStatus::Cancelled => "cancelled",
        FilingStatus::Suspended => "suspended",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// Every status × action × actor × reason: allowed exactly where the seeds allow it, and then to the
    /// status the action means; refused otherwise, with the filing unchanged and every refusal cited.
    #[test]
    fn treatment_status_machine() {
        use FilingStatus as S;
        use TreatmentAction as A;
        use TreatmentActor as P;
        for status in FilingStatus::ALL {
            for action in [A::Suspend, A::Resume, A::Terminate] {
                for actor in [P::InsuredPlace, P::TreatmentPlace] {
                    for reason in ["", "违规"] {
                        let filing = Filing {
                            filing_id: None,
                            rloc_admdvs: Admdvs::parse("110000").unwrap(),
                            category: FilingCategory::OtherTemporary,
                            begndate: d("2026-03-01"),
                            enddate: Some(d("2026-08-31")),
                            status,
                            applied_date: d("2026-03-01"),
                            retroactive: false,
                            chronic_disease: false,
                            materials: Materials::default(),
                        };
                        let r = TreatmentRequest {
                            filing: filing.clone(),
                            date: d("2026-05-01"),
                            action,
                            actor,
                            reason: reason.into(),
                        };
                        let out = treatment(&r).unwrap();
                        let from_ok = match action {
                            A::Suspend => status == S::Active,
                            A::Resume => status == S::Suspended,
                            A::Terminate => matches!(status, S::Active | S::Suspended),
                        };
                        let actor_ok = actor == P::InsuredPlace || action == A::Suspend;
                        let reason_ok = action == A::Resume || !reason.is_empty();
                        let case = format!("{status:?} {action:?} {actor:?} {reason:?}");
                        assert_eq!(out.allowed, from_ok && actor_ok && reason_ok, "{case}");
                        assert_eq!(out.allowed, out.refusals.is_empty(), "{case}");
                        assert!(out.refusals.iter().all(|x| x.cite.contains('§')), "{case}");
                        let want = match (out.allowed, action) {
                            (false, _) => status,
                            (true, A::Suspend) => S::Suspended,
                            (true, A::Resume) => S::Active,
                            (true, A::Terminate) => S::Cancelled,
                        };
                        assert_eq!(out.filing.status, want, "{case}");
                        if !out.allowed {
                            assert_eq!(out.filing, filing, "{case}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_lock_ends_where_a_window_of_as_many_months_ends() {
        assert_eq!(lock_free_from(d("2025-02-01"), 3), Some(d("2025-05-01")));
        assert_eq!(lock_free_from(d("2024-08-31"), 6), Some(d("2025-03-01")));
        assert_eq!(lock_free_from(d("2024-02-29"), 12), Some(d("2025-03-01")));
        assert_eq!(lock_free_from(d("2025-02-01"), 0), Some(d("2025-02-01")));
    }

    #[test]
    fn window_ends() {
        assert_eq!(window_end(d("2024-03-10"), 6), Some(d("2024-09-09")));
        assert_eq!(window_end(d("2024-08-31"), 6), Some(d("2025-02-28")));
        assert_eq!(window_end(d("2024-03-01"), 6), Some(d("2024-08-31")));
        assert_eq!(window_end(d("2023-02-28"), 12), Some(d("2024-02-27")));
        assert_eq!(window_end(d("2024-02-29"), 12), Some(d("2025-02-28")));
    }
}
