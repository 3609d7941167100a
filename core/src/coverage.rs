//! Coverage: which treatment level applies to a visit, by which route it settles, which catalog
//! applies, and why (DOMAIN.md §3–4). Pure: the visit's own dates stand in for "today".

use crate::codes::{Insutype, MedClass};
use crate::error::{ApiError, ErrorCode};
use crate::model::{Filing, FilingCategory, FilingStatus, Person, SettlementMode, Visit, VisitCategory};
use crate::policy::{ChronicFiling, IntraProvinceFiling, Pack};
use crate::prelude::*;
use crate::trace::{TraceEntry, TraceText, join};
use serde::{Deserialize, Serialize};

/// How the bill is settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Route {
    /// Direct settlement at the facility: funds pay there.
    Direct,
    /// The patient pays in full; the insured place reimburses by hand (零星/手工报销).
    ManualReimbursement,
    /// No fund pays (e.g. trauma with a liable third party).
    NotCovered,
}

/// Whose catalog decides what is in scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CatalogPlace {
    /// 就医地目录 (direct settlement).
    TreatmentPlace,
    /// 参保地目录 (manual reimbursement).
    InsuredPlace,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Coverage {
    pub route: Route,
    pub visit_category: VisitCategory,
    pub catalog_place: CatalogPlace,
    /// 跨省 (first two digits of the two places differ).
    pub cross_province: bool,
    /// 异地 at all (different pooling areas).
    pub cross_region: bool,
    /// The filing that covers the visit, when one does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filing_id: Option<String>,
    /// Emergency without a filing counts as filed (视同已备案).
    pub deemed_filed: bool,
    /// Why, step by step.
    pub reasons: Vec<TraceEntry>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CoverageRequest {
    pub person: Person,
    pub visit: Visit,
    #[serde(default)]
    pub filings: Vec<Filing>,
}

/// Check the visit's dates are in order.
pub fn check_visit_dates(v: &Visit) -> Result<(), ApiError> {
    if let Some(e) = v.enddate
        && e < v.begndate
    {
        return Err(ApiError::new(
            ErrorCode::DateOrder,
            format!("出院日期 {e} 早于入院日期 {}", v.begndate),
            format!("discharge date {e} is before admission date {}", v.begndate),
        )
        .at("request.visit.enddate"));
    }
    if let Some(s) = v.setl_date {
        if s < v.begndate {
            return Err(ApiError::new(
                ErrorCode::DateOrder,
                format!("结算日期 {s} 早于入院日期 {}", v.begndate),
                format!("settlement date {s} is before admission date {}", v.begndate),
            )
            .at("request.visit.setl_date"));
        }
        if let Some(e) = v.enddate
            && s < e
        {
            return Err(ApiError::new(
                ErrorCode::DateOrder,
                format!("结算日期 {s} 早于出院日期 {e}"),
                format!("settlement date {s} is before discharge date {e}"),
            )
            .at("request.visit.setl_date"));
        }
    }
    Ok(())
}

/// A temporary filing sent without its end date (NATIONAL_SPEC §1 reads an empty `enddate` as open-ended)
/// is still valid only for the insured place's months (002 经办规程§12.2; 003 二(三)): its end is derived as
/// `filing.validate` sets it, instead of letting the filing cover admissions for ever.
pub(crate) fn temporary_ends(
    pack: &Pack,
    filings: &[Filing],
    reasons: &mut Vec<TraceEntry>,
) -> Result<Vec<Filing>, ApiError> {
    let mut out = filings.to_vec();
    for f in out
        .iter_mut()
        .filter(|f| !f.category.is_long_term() && f.enddate.is_none())
    {
        let m = pack
            .filing
            .temporary_validity_months
            .at(f.begndate)
            .ok_or_else(|| no_value(pack, "filing.temporary_validity_months", f.begndate))?;
        f.enddate = crate::filing::window_end(f.begndate, m.value);
        let end = f.enddate.map_or("—".to_string(), |e| e.to_string());
        reasons.push(
            reason(
                "coverage.temporary_end_derived",
                &m.cite,
                format!(
                    "到 {} 的{}备案未带终止日期：临时外出就医备案 {} 个月有效，按 {} 起算至 {end}",
                    f.rloc_admdvs.code(),
                    f.category.name_zh(),
                    m.value,
                    f.begndate
                ),
                format!(
                    "the {} filing to {} has no end date: a temporary filing is valid {} months, so from {} to {end}",
                    f.category.name_en(),
                    f.rloc_admdvs.code(),
                    m.value,
                    f.begndate
                ),
            )
            .param(pack.use_of("filing.temporary_validity_months", m, m.value.to_string())),
        );
    }
    Ok(out)
}

fn reason(rule: &'static str, cite: impl TraceText, zh: String, en: String) -> TraceEntry {
    TraceEntry::new("coverage", rule, cite, zh, en)
}

/// Resolve the coverage of a visit under the insured place's pack.
pub fn resolve(
    pack: &Pack,
    person: &Person,
    visit: &Visit,
    filings: &[Filing],
) -> Result<Coverage, ApiError> {
    check_visit_dates(visit)?;
    let home = &person.insuplc_admdvs;
    let place = &visit.mdtrtarea_admvs;
    let admission = visit.begndate;
    let setl = visit.settlement_date();
    let cross_region = !home.same_pooling_area(place);
    let cross_province = !home.same_province(place);
    let mut reasons = Vec::new();
    let completed;
    let filings: &[Filing] = if filings
        .iter()
        .any(|f| !f.category.is_long_term() && f.enddate.is_none())
    {
        completed = temporary_ends(pack, filings, &mut reasons)?;
        &completed
    } else {
        filings
    };
    let cov = |route, cat, filing_id: Option<String>, deemed, reasons: Vec<TraceEntry>| {
        let catalog_place = if route == Route::ManualReimbursement {
            CatalogPlace::InsuredPlace
        } else {
            CatalogPlace::TreatmentPlace
        };
        Ok(Coverage {
            route,
            visit_category: cat,
            catalog_place,
            cross_province,
            cross_region,
            filing_id,
            deemed_filed: deemed,
            reasons,
        })
    };

    // The filings that can cover an admission: the active ones, and one replaced by a change for
    // admissions up to the day before the change (its `enddate`), so a stay admitted under it stays
    // covered when the filing is changed before discharge (002 经办规程§12.3; 003 §10).
    let active: Vec<&Filing> = filings
        .iter()
        .filter(|f| {
            f.status == FilingStatus::Active || (f.status == FilingStatus::Superseded && f.enddate.is_some())
        })
        .collect();
    let long_term_active = active
        .iter()
        .find(|f| f.category.is_long_term() && f.in_window(admission))
        .copied();

    // 1. At home.
    if !cross_region {
        if let Some(f) = long_term_active {
            reasons.push(reason(
                "coverage.long_term_at_home",
                "002 实施细则二(三)1; 003 一(三)",
                "异地长期居住人员在备案有效期内回参保地就医，按参保地本地就医待遇结算".into(),
                "a long-term resident back home during validity settles under the home-local policy".into(),
            ));
            return cov(
                Route::Direct,
                VisitCategory::LongTermAtHome,
                f.filing_id.clone(),
                false,
                reasons,
            );
        }
        reasons.push(reason(
            "coverage.local",
            "002 经办规程§9",
            "就医地与参保地属同一统筹区，按本地就医结算".into(),
            "treatment and insured place are one pooling area: a local visit".into(),
        ));
        return cov(Route::Direct, VisitCategory::Local, None, false, reasons);
    }

    // 2. Trauma: third-party liability excludes the funds; otherwise a signed commitment is needed.
    if visit.is_trauma() {
        if visit.third_party_flag == Some(true) {
            reasons.push(reason(
                "coverage.trauma_third_party",
                "002 §38; 003 一(五), §21",
                "外伤涉及第三方责任，医保基金不予直接结算，应由第三方承担".into(),
                "trauma with a liable third party: the funds do not pay; the third party does".into(),
            ));
            return cov(Route::NotCovered, VisitCategory::Unfiled, None, false, reasons);
        }
        if !visit.no_third_party_commitment {
            reasons.push(reason(
                "coverage.trauma_no_commitment",
                "002 §38; 003 一(五), §21",
                "外伤费用须患者签署《外伤无第三方责任承诺书》方可直接结算；未签署，按手工报销办理".into(),
                "trauma costs settle directly only with a signed no-third-party commitment; without it, manual reimbursement".into(),
            ));
            let mut c = resolve_filed(pack, person, visit, &active, filings, cross_province, setl)?;
            c.reasons.splice(0..0, reasons);
            c.route = Route::ManualReimbursement;
            c.catalog_place = CatalogPlace::InsuredPlace;
            return Ok(c);
        }
        reasons.push(reason(
            "coverage.trauma_commitment",
            "002 §38; 003 一(五), §21",
            "外伤无第三方责任，患者已签承诺书，纳入异地就医直接结算".into(),
            "trauma without third-party liability, commitment signed: included in direct settlement".into(),
        ));
    }

    // 3. Non-networked facility: no direct settlement. The reduction is for non-emergency visits only
    // (002 实施细则二(三)2: 非急诊且…未在异地联网定点医疗机构就医的; 003 一(四): 急诊抢救…不下降).
    if !visit.networked && visit.is_emergency() {
        reasons.push(reason(
            "coverage.non_networked",
            "002 实施细则二(三)2, §5, §17; 003 一(四)",
            "非异地联网定点医疗机构不能直接结算；急诊抢救回参保地手工报销，不降低待遇".into(),
            "a facility not networked for cross-region settlement cannot settle directly; an emergency is reimbursed by hand without any reduction".into(),
        ));
        return cov(
            Route::ManualReimbursement,
            VisitCategory::Emergency,
            None,
            false,
            reasons,
        );
    }
    if !visit.networked {
        reasons.push(reason(
            "coverage.non_networked",
            "002 实施细则二(三)2, §5, §17",
            "非异地联网定点医疗机构不能直接结算；回参保地手工报销，按降低后的比例支付".into(),
            "a facility not networked for cross-region settlement cannot settle directly; manual reimbursement at the reduced level".into(),
        ));
        return cov(
            Route::ManualReimbursement,
            VisitCategory::NonNetworked,
            None,
            false,
            reasons,
        );
    }

    let mut c = resolve_filed(pack, person, visit, &active, filings, cross_province, setl)?;
    c.reasons.splice(0..0, reasons);
    if visit.settlement_mode == SettlementMode::SelfPaid && c.route != Route::NotCovered {
        c.reasons.push(reason(
            "coverage.self_paid",
            "002 实施细则三(三), §19; 003 二(四), §12",
            "已自费结算出院：按参保地目录和参保地政策手工报销".into(),
            "discharged after paying in full: manual reimbursement under the insured place's catalog and policy".into(),
        ));
        c.route = Route::ManualReimbursement;
        c.catalog_place = CatalogPlace::InsuredPlace;
    }
    Ok(c)
}

/// Coverage of a cross-region visit at a networked facility, by filings.
fn resolve_filed(
    pack: &Pack,
    person: &Person,
    visit: &Visit,
    active: &[&Filing],
    filings: &[Filing],
    cross_province: bool,
    setl: chrono::NaiveDate,
) -> Result<Coverage, ApiError> {
    let place = &visit.mdtrtarea_admvs;
    let admission = visit.begndate;
    let med_class = visit.med_type.class();
    let mut reasons = Vec::new();
    let done = |route, cat, filing_id, deemed, reasons| Coverage {
        route,
        visit_category: cat,
        catalog_place: if route == Route::ManualReimbursement {
            CatalogPlace::InsuredPlace
        } else {
            CatalogPlace::TreatmentPlace
        },
        cross_province,
        cross_region: true,
        filing_id,
        deemed_filed: deemed,
        reasons,
    };

    // Intra-province: the insured place may have abolished the filing.
    if !cross_province {
        let rule = pack
            .filing
            .intra_province_filing
            .at(admission)
            .ok_or_else(|| no_value(pack, "filing.intra_province_filing", admission))?;
        let lt = active
            .iter()
            .find(|f| f.category.is_long_term() && f.rloc_admdvs.covers(place) && f.in_window(admission));
        let abolished = match rule.value {
            IntraProvinceFiling::Abolished => true,
            IntraProvinceFiling::AbolishedForTemporary => lt.is_none(),
            IntraProvinceFiling::Required => false,
        };
        if abolished {
            reasons.push(
                reason(
                    "coverage.intra_province",
                    &rule.cite,
                    "省内异地就医无需备案，执行参保地待遇政策直接结算".into(),
                    "intra-province visit: no filing needed; settles directly under insured-place policy"
                        .into(),
                )
                .param(pack.use_of(
                    "filing.intra_province_filing",
                    rule,
                    format!("{:?}", rule.value),
                )),
            );
            return Ok(done(
                Route::Direct,
                VisitCategory::IntraProvince,
                None,
                false,
                reasons,
            ));
        }
    }

    // A filing covers the visit when its destination covers the place and admission is inside its window.
    // Of several, the long-term filing, then a referral, then an emergency filing, then any other temporary
    // one: an emergency or other temporary trip is by definition one not already filed as long-term or
    // referral (003 §7(二)2–3), so the answer never depends on the order the filings are listed in.
    let covering = active
        .iter()
        .filter(|f| f.rloc_admdvs.covers(place) && f.in_window(admission))
        .min_by_key(|f| {
            let rank = match f.category {
                c if c.is_long_term() => 0,
                FilingCategory::Referral => 1,
                FilingCategory::Emergency => 2,
                _ => 3,
            };
            (rank, core::cmp::Reverse(f.begndate))
        });
    if let Some(f) = covering {
        if f.applied_date > setl {
            reasons.push(reason(
                "coverage.filed_after_settlement",
                "002 实施细则三(三); 003 二(四)",
                format!("备案于 {} 办理，晚于结算日 {setl}：本次只能按参保地规定手工报销", f.applied_date),
                format!("the filing was made on {}, after settlement on {setl}: this bill can only be reimbursed by hand", f.applied_date),
            ));
            let cat = category_of(f.category, visit);
            return Ok(done(
                Route::ManualReimbursement,
                cat,
                f.filing_id.clone(),
                false,
                reasons,
            ));
        }
        if med_class == MedClass::ChronicOutpatient {
            let rule = pack
                .filing
                .chronic_disease_filing
                .at(admission)
                .ok_or_else(|| no_value(pack, "filing.chronic_disease_filing", admission))?;
            if rule.value == ChronicFiling::SeparateFilingRequired && !f.chronic_disease {
                reasons.push(
                    reason(
                        "coverage.chronic_needs_filing",
                        &rule.cite,
                        "参保地要求门诊慢特病单独备案；该备案未含慢特病，不能直接结算".into(),
                        "the insured place requires a separate chronic-disease filing; this filing lacks it, so no direct settlement".into(),
                    )
                    .param(pack.use_of("filing.chronic_disease_filing", rule, format!("{:?}", rule.value))),
                );
                return Ok(done(
                    Route::ManualReimbursement,
                    VisitCategory::Unfiled,
                    f.filing_id.clone(),
                    false,
                    reasons,
                ));
            }
        }
        if f.retroactive && f.applied_date > admission {
            reasons.push(reason(
                "coverage.retroactive",
                "002 实施细则三(三), §19; 003 二(四), §12",
                format!("出院结算前补办备案（{}），自入院之日起生效，可直接结算", f.applied_date),
                format!("filed retroactively on {} before discharge settlement, effective from admission: direct settlement", f.applied_date),
            ));
        }
        if let (Some(end), Some(dis)) = (f.enddate, visit.enddate)
            && dis > end
        {
            reasons.push(reason(
                    "coverage.admitted_inside_validity",
                    "002 经办规程§12.3; 003 §10",
                    format!("备案有效期至 {end}，{admission} 入院在有效期内，{dis} 出院视为有效期内"),
                    format!("filing valid until {end}; admitted {admission} inside it, so discharge on {dis} counts as inside"),
                ));
        }
        let cat = category_of(f.category, visit);
        if f.category == FilingCategory::Referral
            && med_class == MedClass::Inpatient
            && let Some(rule) = pack
                .filing
                .referral_lapses_after_discharge
                .as_ref()
                .and_then(|d| d.at(admission))
            && rule.value
        {
            reasons.push(
                reason(
                    "coverage.referral_lapses",
                    &rule.cite,
                    "转诊备案在本次出院结算后自动失效；再次转诊须重新备案".into(),
                    "this referral filing lapses once this stay's discharge is settled; a new referral needs a new filing".into(),
                )
                .param(pack.use_of("filing.referral_lapses_after_discharge", rule, rule.value.to_string())),
            );
        }
        // The reason of nearly every claim: joined without `format!`'s machinery (a third of the
        // coverage step's cost).
        reasons.push(reason(
            "coverage.filed",
            "002 §15; 003 §10",
            join(&[
                "已备案（",
                f.category.name_zh(),
                "）到 ",
                f.rloc_admdvs.code(),
                "，有效期内可在备案地任一联网定点机构直接结算",
            ]),
            join(&[
                "filed (",
                f.category.name_en(),
                ") to ",
                f.rloc_admdvs.code(),
                ": direct settlement at any networked facility there during validity",
            ]),
        ));
        return Ok(done(Route::Direct, cat, f.filing_id.clone(), false, reasons));
    }

    // A filing to this destination exists but the admission falls outside its window: say so.
    if let Some(f) = active
        .iter()
        .find(|f| f.status == FilingStatus::Active && f.rloc_admdvs.covers(place))
    {
        reasons.push(reason(
            "coverage.outside_validity",
            "002 经办规程§12; 003 二(三)",
            format!(
                "备案有效期 {} 至 {}，入院日 {admission} 不在有效期内",
                f.begndate,
                f.enddate.map_or("长期".to_string(), |d| d.to_string())
            ),
            format!(
                "the filing runs {} to {}; admission on {admission} is outside it",
                f.begndate,
                f.enddate.map_or("open-ended".to_string(), |d| d.to_string())
            ),
        ));
    }

    // A filing to this destination covers the admission but its treatment status is suspended (暂停):
    // it does not count while suspended, and the person should know why.
    if let Some(f) = filings.iter().find(|f| {
        f.status == FilingStatus::Suspended && f.rloc_admdvs.covers(place) && f.in_window(admission)
    }) {
        reasons.push(reason(
            "coverage.filing_suspended",
            "001 §10(二); 003 §13(二); 000 §10(二)",
            format!(
                "到 {} 的备案（{}）待遇享受状态为暂停，暂停期间不能凭该备案直接结算；恢复须由参保地经办机构办理",
                f.rloc_admdvs.code(),
                f.category.name_zh()
            ),
            format!(
                "the filing to {} ({}) is suspended: it cannot be used for direct settlement until the insured place restores it",
                f.rloc_admdvs.code(),
                f.category.name_en()
            ),
        ));
    }

    if visit.is_emergency() {
        reasons.push(reason(
            "coverage.emergency_deemed_filed",
            "002 实施细则二(三)2, §21; 003 §20",
            "急诊抢救未备案，视同已备案，按参保地异地急诊抢救待遇直接结算".into(),
            "emergency without a filing counts as filed: direct settlement at the insured place's emergency level".into(),
        ));
        return Ok(done(Route::Direct, VisitCategory::Emergency, None, true, reasons));
    }

    if person.insutype == Insutype::Employee
        && cross_province
        && matches!(med_class, MedClass::Outpatient | MedClass::Pharmacy)
    {
        let rule = pack
            .filing
            .account_cross_province_filing_required
            .at(admission)
            .ok_or_else(|| no_value(pack, "filing.account_cross_province_filing_required", admission))?;
        if !rule.value {
            // The account needs no filing (002 经办规程§13.3), but the pooled fund still does: its share is
            // claimed by hand at the reduced level like any unfiled visit (002 实施细则二(三)2), not lost.
            reasons.push(
                reason(
                    "coverage.account_without_filing",
                    &rule.cite,
                    "职工医保个人账户跨省普通门诊和药店购药无需备案，可在就医地直接使用个人账户；统筹基金部分未备案不能直接结算".into(),
                    "the employee personal account pays cross-province outpatient and pharmacy bills without a filing; the pooled fund's share cannot be settled directly without one".into(),
                )
                .param(pack.use_of("filing.account_cross_province_filing_required", rule, rule.value.to_string())),
            );
        }
    }

    if visit.is_referral() {
        reasons.push(reason(
            "coverage.referral_unfiled",
            "002 实施细则二(三)2, §19",
            "有转诊标志但未办理转诊备案：不能直接结算，可出院结算前补办备案，或回参保地按转诊待遇手工报销".into(),
            "referred but not filed: no direct settlement; file before discharge settlement, or claim manually at the referral level".into(),
        ));
        return Ok(done(
            Route::ManualReimbursement,
            VisitCategory::Referral,
            None,
            false,
            reasons,
        ));
    }

    reasons.push(reason(
        "coverage.unfiled",
        "002 实施细则二(三)2, 三(三), §19",
        "非急诊且未转诊、未备案：不能直接结算；出院结算前补办备案可直接结算，否则回参保地手工报销并降低待遇".into(),
        "non-emergency, not referred, not filed: no direct settlement; file before discharge settlement, or claim manually at a reduced level".into(),
    ));
    Ok(done(
        Route::ManualReimbursement,
        VisitCategory::Unfiled,
        None,
        false,
        reasons,
    ))
}

/// The visit category a filing gives; an emergency visit is never reduced (003 一(四)).
fn category_of(c: FilingCategory, visit: &Visit) -> VisitCategory {
    match c {
        FilingCategory::RetireeResettled
        | FilingCategory::LongTermResident
        | FilingCategory::PostedWorker => VisitCategory::LongTermAtDestination,
        FilingCategory::Referral => VisitCategory::Referral,
        FilingCategory::Emergency => VisitCategory::Emergency,
        FilingCategory::OtherTemporary if visit.is_emergency() => VisitCategory::Emergency,
        FilingCategory::OtherTemporary => VisitCategory::OtherTemporary,
    }
}

pub(crate) fn no_value(pack: &Pack, key: &str, date: chrono::NaiveDate) -> ApiError {
    ApiError::new(
        ErrorCode::NoPack,
        format!("政策包 {} 在 {date} 没有生效的 {key}", pack.source),
        format!(
            "policy pack {} has no value of {key} in force on {date}",
            pack.source
        ),
    )
}
