//! Hospital-side pre-check of a claim before submission: findings line by line, never stopping at the
//! first problem (a messy real file loses nothing that is fine).

use crate::codes::{MdtrtCertType, MedClass};
use crate::coverage::{self, Route};
use crate::error::ApiError;
use crate::model::{FeeLine, Filing, FilingStatus, HospApprFlag, Person, Visit, VisitCategory};
use crate::money::Money;
use crate::policy::PackSet;
use crate::prelude::*;
use crate::settle::{check_line, split_line};
use alloc::collections::BTreeSet;
use serde::{Deserialize, Serialize};

/// 协查 thresholds for one inpatient stay (002 §64; 003 §44).

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PrecheckRequest {
    pub person: Person,
    pub visit: Visit,
    /// The fee lines so far; absent or `null` (a visit checked before any fee is entered) = none.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub lines: Vec<FeeLine>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub filings: Vec<Filing>,
}

/// A list where `null` means empty, as hospital exports write it.
fn null_as_empty<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Will be refused or settled wrongly: fix before submitting.
    Error,
    /// Will settle, but the person or the fund is affected: check.
    Warning,
    /// Worth knowing (e.g. the stay will be subject to 协查).
    Info,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PrecheckFinding {
    pub severity: Severity,
    /// Stable code, e.g. `P_PRICE_OVER_CEILING`.
    pub code: String,
    /// The fee line concerned, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedetl_sn: Option<String>,
    pub field: String,
    pub cite: String,
    pub zh: String,
    pub en: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PrecheckResponse {
    /// No finding of severity `error`.
    pub ready: bool,
    pub route: Option<Route>,
    pub visit_category: Option<VisitCategory>,
    pub medfee_sumamt: Money,
    pub lines_checked: usize,
    pub findings: Vec<PrecheckFinding>,
}

fn f(
    sev: Severity,
    code: &str,
    sn: Option<&str>,
    field: &str,
    cite: &str,
    zh: String,
    en: String,
) -> PrecheckFinding {
    PrecheckFinding {
        severity: sev,
        code: code.into(),
        feedetl_sn: sn.map(str::to_string),
        field: field.into(),
        cite: cite.into(),
        zh,
        en,
    }
}

pub fn precheck(packs: &PackSet, r: &PrecheckRequest) -> Result<PrecheckResponse, ApiError> {
    let mut out = Vec::new();
    let visit = &r.visit;
    let pack = packs.pack(&r.person.insuplc_admdvs)?;
    let catalog = packs.catalog(&visit.mdtrtarea_admvs)?;
    crate::settle::catalog_or_line_levels(catalog, &visit.mdtrtarea_admvs, &r.lines)?;
    let mut total = Money::ZERO;
    let mut seen = BTreeSet::new();
    for (i, l) in r.lines.iter().enumerate() {
        let sn = Some(l.feedetl_sn.as_str());
        if !seen.insert(l.feedetl_sn.clone()) {
            out.push(f(
                Severity::Error,
                "P_DUPLICATE_LINE",
                sn,
                &format!("lines[{i}].feedetl_sn"),
                "NATIONAL_SPEC §2",
                format!("明细流水号 {} 重复", l.feedetl_sn),
                format!("feedetl_sn {} appears twice", l.feedetl_sn),
            ));
        }
        if let Err(e) = check_line(l, i) {
            out.push(f(
                Severity::Error,
                e.code.as_str(),
                sn,
                &e.path,
                "NATIONAL_SPEC §2",
                e.message_zh,
                e.message_en,
            ));
            continue;
        }
        total += l.det_item_fee_sumamt;
        let s = split_line(l, catalog);
        if !s.in_catalog {
            out.push(f(
                Severity::Warning,
                "P_NOT_IN_CATALOG",
                sn,
                &format!("lines[{i}].med_list_codg"),
                "002 经办规程§9; 003 §6",
                format!("项目 {} 不在就医地目录中，将全额自费", l.med_list_codg),
                format!(
                    "item {} is not in the treatment place's catalog: it will be wholly self-paid",
                    l.med_list_codg
                ),
            ));
        }
        if !s.overlmt_amt.is_zero() {
            out.push(f(
                Severity::Warning,
                "P_PRICE_OVER_CEILING",
                sn,
                &format!("lines[{i}].pric"),
                "NATIONAL_SPEC §2",
                format!(
                    "单价 {} 高于限价 {}，超限价部分 {} 由个人自付",
                    l.pric, s.pric_uplmt_amt, s.overlmt_amt
                ),
                format!(
                    "unit price {} is above the ceiling {}; {} over it is self-paid",
                    l.pric, s.pric_uplmt_amt, s.overlmt_amt
                ),
            ));
        }
        if s.lmt_used_flag && l.hosp_appr_flag != Some(HospApprFlag::Approved) {
            let refused = l.hosp_appr_flag == Some(HospApprFlag::Refused);
            out.push(f(if refused { Severity::Warning } else { Severity::Error }, "P_RESTRICTED_NOT_APPROVED", sn, &format!("lines[{i}].hosp_appr_flag"), "NATIONAL_SPEC §2 (lmt_used_flag, hosp_appr_flag)",
                if refused { format!("限定支付范围项目 {} 审批未通过，按全自费结算", l.med_list_codg) } else { format!("限定支付范围项目 {} 未填写医院审批标志（须审批通过方可报销）", l.med_list_codg) },
                if refused { format!("restricted-use item {} was refused approval: wholly self-paid", l.med_list_codg) } else { format!("restricted-use item {} has no hospital approval flag (approval is needed to be covered)", l.med_list_codg) }));
        }
    }

    let cov = match coverage::resolve(pack, &r.person, visit, &r.filings) {
        Ok(c) => Some(c),
        Err(e) => {
            out.push(f(
                Severity::Error,
                e.code.as_str(),
                None,
                &e.path,
                "NATIONAL_SPEC §1–§4",
                e.message_zh,
                e.message_en,
            ));
            None
        }
    };
    if let Some(c) = &cov {
        let suspended = c.reasons.iter().any(|x| x.rule == "coverage.filing_suspended");
        if c.cross_region
            && c.visit_category == VisitCategory::Unfiled
            && c.route == Route::ManualReimbursement
            && !visit.is_emergency()
        {
            if suspended {
                // Filing again is the wrong advice: the filing exists, and only the insured place can restore it.
                out.push(f(Severity::Error, "P_FILING_SUSPENDED", None, "filings", "001 §10(二); 003 §13(二); 000 §10(二)",
                    "患者到本地的备案处于暂停状态：不能直接结算。请患者联系参保地经办机构恢复备案（出院结算前恢复即可直接结算）；若为急诊抢救请上传急诊标志".into(),
                    "the patient's filing to this place is suspended: no direct settlement. The patient should ask the insured place's agency to restore it (restored before discharge settlement, the stay settles directly); if it was an emergency, send the marker".into()));
            } else {
                out.push(f(Severity::Error, "P_UNFILED_NO_EMERGENCY_MARKER", None, "visit.emergency_flag", "002 §19, §21, §37; 003 §20",
                    "未备案且无急诊标志：不能直接结算。若为急诊抢救请上传急诊标志（视同已备案）；否则请指引患者出院结算前补办备案".into(),
                    "not filed and no emergency marker: no direct settlement. If it was an emergency, send the marker (deemed filed); otherwise guide the patient to file before discharge settlement".into()));
            }
        }
        // The commitment and flags are rules of cross-region settlement (002 §38; 003 一(五)); a local
        // visit follows local rules, which no pack here holds.
        if visit.is_trauma() && c.cross_region {
            if visit.third_party_flag.is_none() {
                out.push(f(
                    Severity::Error,
                    "P_TRAUMA_NO_THIRD_PARTY_FLAG",
                    None,
                    "visit.third_party_flag",
                    "002 §38; 003 §21",
                    "外伤就医须上传涉及第三方标志".into(),
                    "a trauma visit must carry the third-party flag".into(),
                ));
            }
            if visit.third_party_flag != Some(true) && !visit.no_third_party_commitment {
                out.push(f(
                    Severity::Error,
                    "P_TRAUMA_NO_COMMITMENT",
                    None,
                    "visit.no_third_party_commitment",
                    "002 §38, 附件; 003 一(五), §21",
                    "外伤无第三方责任须患者签署承诺书方可直接结算".into(),
                    "trauma without a liable third party settles directly only with the signed commitment"
                        .into(),
                ));
            }
            if visit.third_party_flag == Some(true) {
                out.push(f(
                    Severity::Error,
                    "P_TRAUMA_THIRD_PARTY",
                    None,
                    "visit.third_party_flag",
                    "002 §38; 003 一(五)",
                    "外伤涉及第三方责任，医保基金不予支付".into(),
                    "trauma with a liable third party: the funds do not pay".into(),
                ));
            }
        }
        if !visit.networked && c.cross_region {
            out.push(f(
                Severity::Error,
                "P_NOT_NETWORKED",
                None,
                "visit.networked",
                "002 §5, §17",
                "本机构未开通异地联网直接结算".into(),
                "this facility is not networked for cross-region direct settlement".into(),
            ));
        }
        // A credential the insured place does not accept for this visit: the platform refuses direct
        // settlement at identification, before any line is sent.
        if c.cross_province
            && visit
                .mdtrt_cert_type
                .as_ref()
                .is_some_and(MdtrtCertType::is_id_card)
            && let Some(rule) = pack
                .filing
                .id_card_cross_province
                .as_ref()
                .and_then(|d| d.at(visit.begndate))
            && !rule.value
        {
            // Only a verified rule blocks the claim: an unverified reading of the pack warns.
            let (severity, mark_zh, mark_en) = if rule.verified {
                (Severity::Error, "", "")
            } else {
                (Severity::Warning, "，未经核实", ", unverified")
            };
            out.push(f(
                severity,
                "P_ID_CARD_INTRA_PROVINCE_ONLY",
                None,
                "visit.mdtrt_cert_type",
                &rule.cite,
                format!(
                    "参保地 {} 的政策包不接受居民身份证作跨省异地就医结算凭证（{}，{} 起{mark_zh}）；跨省就医宜出示医保电子凭证或社会保障卡",
                    r.person.insuplc_admdvs, pack.source, rule.from
                ),
                format!(
                    "the insured place {}'s pack does not accept the resident ID card for cross-province settlement ({}, from {}{mark_en}); across provinces the medical-insurance e-voucher or the social security card is the safe credential",
                    r.person.insuplc_admdvs, pack.source, rule.from
                ),
            ));
        }
        // Exams, treatment or drugs from another facility during a stay join it only with the form.
        if visit.med_type.class() == MedClass::Inpatient && c.cross_region && !visit.etip_form_flag {
            for (i, l) in r.lines.iter().enumerate().filter(|(_, l)| l.etip_flag) {
                out.push(f(Severity::Error, "P_ETIP_NO_FORM", Some(l.feedetl_sn.as_str()), &format!("lines[{i}].etip_flag"), "002 §39; 003 §22",
                    format!("明细 {} 为住院期间外院检查治疗或购药：须有加盖医保办公室章的《住院期间外院检查治疗或异地联网定点药店购药单》方可纳入本次住院直接结算（备齐后填写 visit.etip_form_flag）", l.feedetl_sn),
                    format!("line {} is an exam, treatment or purchase at another facility during the stay: it joins this stay's direct settlement only with the stamped form (住院期间外院检查治疗或购药单); set visit.etip_form_flag once it is on file", l.feedetl_sn)));
            }
        }
        // A filing to this place that had already ended at admission, when nothing else lets the visit
        // settle directly (an emergency counts as filed, 002 §21; a newer filing may cover it).
        // A temporary filing without an end date ends after the pack's months, as coverage reads it.
        let ended = crate::coverage::temporary_ends(pack, &r.filings, &mut Vec::new())?;
        let expired = ended.iter().find(|fl| {
            fl.status == FilingStatus::Active
                && fl.rloc_admdvs.covers(&visit.mdtrtarea_admvs)
                && fl.enddate.is_some_and(|e| visit.begndate > e)
        });
        if c.route != Route::Direct
            && c.cross_region
            && let Some(fl) = expired
        {
            out.push(f(
                Severity::Error,
                "P_FILING_EXPIRED",
                None,
                "filings",
                "002 经办规程§12; 003 二(三)",
                format!(
                    "入院日 {} 时备案已过期（有效期至 {}）；请重新备案",
                    visit.begndate,
                    fl.enddate.map_or(String::new(), |d| d.to_string())
                ),
                format!(
                    "the filing had expired at admission on {} (valid until {}); a new filing is needed",
                    visit.begndate,
                    fl.enddate.map_or(String::new(), |d| d.to_string())
                ),
            ));
        }
        if c.cross_region
            && c.visit_category == VisitCategory::Referral
            && c.route == Route::ManualReimbursement
            && c.filing_id.is_none()
            // A referral filed but expired is told by P_FILING_EXPIRED, not as never filed.
            && expired.is_none()
        {
            out.push(f(Severity::Error, "P_REFERRAL_UNFILED", None, "filings", "002 §19; 003 §19",
                "有转诊标志但未办理转诊备案：不能直接结算。请指引患者在出院结算前补办转诊备案（补办后自入院之日起生效，可直接结算）".into(),
                "referred but not filed: no direct settlement. Guide the patient to file the referral before discharge settlement (effective from admission, then direct settlement)".into()));
        }
        if visit.med_type.class() == MedClass::Inpatient && c.cross_region {
            let (rule, name, zh, en) = if c.cross_province {
                (
                    &pack.filing.xiecha_cross_province,
                    "filing.xiecha_cross_province",
                    "跨省",
                    "cross-province",
                )
            } else {
                (
                    &pack.filing.xiecha_intra_province,
                    "filing.xiecha_intra_province",
                    "省内",
                    "intra-province",
                )
            };
            if let Some(p) = rule.as_ref().and_then(|d| d.at(visit.begndate))
                && total >= p.value
            {
                let limit = p.value;
                let (mark_zh, mark_en) = if p.verified {
                    ("", "")
                } else {
                    ("，未经核实", ", unverified")
                };
                out.push(f(Severity::Info, "P_XIECHA_THRESHOLD", None, "medfee_sumamt", &p.cite,
                    format!("{zh}异地住院费用 {total} 达到 {limit} 元（{} {name}，{} 起{mark_zh}），参保地可发起疑似违规费用协查；请备齐身份证号、住院号、发票号码等信息", pack.source, p.from),
                    format!("{en} stay of {total} reaches {limit} yuan ({} {name}, from {}{mark_en}): the insured place may request a suspected-violation check; keep ID, admission and invoice numbers ready", pack.source, p.from)));
            }
        }
    }
    out.sort_by_key(|a| a.severity);
    Ok(PrecheckResponse {
        ready: !out.iter().any(|x| x.severity == Severity::Error),
        route: cov.as_ref().map(|c| c.route),
        visit_category: cov.as_ref().map(|c| c.visit_category),
        medfee_sumamt: total,
        lines_checked: r.lines.len(),
        findings: out,
    })
}
