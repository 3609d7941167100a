//! Cost estimate for a planned visit elsewhere: a settlement of expected costs (a total split by class,
//! or itemised lines) under the person's insured-place pack, plus what-if scenarios (filed vs not
//! filed, facility levels) so a person sees what filing saves them.

use crate::codes::{Admdvs, ChrgitmLv, ChrgitmType, FacilityLevel, MedType};
use crate::coverage::Route;
use crate::error::{ApiError, ErrorCode};
use crate::model::{
    Accumulators, FeeLine, Filing, FilingCategory, FilingStatus, Materials, Person, SettlementMode, Visit,
    VisitCategory,
};
use crate::money::{Dec, Money};
use crate::policy::PackSet;
use crate::prelude::*;
use crate::settle::{SettleRequest, SettleResponse, compute, settle};
use crate::trace::TraceEntry;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The filing situation of the planned visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PlannedFiling {
    LongTerm,
    Referral,
    Emergency,
    OtherTemporary,
    None,
}

impl PlannedFiling {
    /// Every planned filing in declaration order and its JSON name (see `FilingCategory::NAMES`).
    pub(crate) const ALL: [PlannedFiling; 5] = [
        PlannedFiling::LongTerm,
        PlannedFiling::Referral,
        PlannedFiling::Emergency,
        PlannedFiling::OtherTemporary,
        PlannedFiling::None,
    ];
    pub(crate) const NAMES: [&'static str; 5] =
        ["long_term", "referral", "emergency", "other_temporary", "none"];
    fn label(self) -> (&'static str, &'static str) {
        match self {
            PlannedFiling::LongTerm => ("长期居住备案", "long-term filing"),
            PlannedFiling::Referral => ("转诊备案", "referral filing"),
            PlannedFiling::Emergency => ("急诊抢救", "emergency"),
            PlannedFiling::OtherTemporary => ("临时外出备案", "temporary filing"),
            PlannedFiling::None => ("未备案", "no filing"),
        }
    }
}

/// Expected costs split by class.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CostSplit {
    /// 甲类 items (fully in scope).
    #[serde(default)]
    pub jia: Money,
    /// 乙类 items (in scope after the self-pay proportion).
    #[serde(default)]
    pub yi: Money,
    /// 丙类 and uncovered items (wholly self-paid).
    #[serde(default)]
    pub bing: Money,
    /// Self-pay proportion assumed for 乙类 items (catalog data varies by item); default 0.10.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub yi_selfpay_prop: Option<Dec>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct EstimateRequest {
    pub person: Person,
    /// Treatment place.
    pub mdtrtarea_admvs: Admdvs,
    pub hosp_lv: FacilityLevel,
    /// 21 (ordinary inpatient) when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub med_type: Option<MedType>,
    pub filing: PlannedFiling,
    /// Planned admission (or visit) date.
    #[serde(deserialize_with = "crate::date::read")]
    pub begndate: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "crate::date::read_opt")]
    pub enddate: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub costs: Option<CostSplit>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lines: Option<Vec<FeeLine>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accumulators: Option<Accumulators>,
    /// Compute the what-if scenarios (default true).
    #[serde(default = "yes")]
    pub compare: bool,
    #[serde(default = "yes")]
    pub trace: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Scenario {
    pub label_zh: String,
    pub label_en: String,
    pub filing: PlannedFiling,
    pub hosp_lv: FacilityLevel,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<Route>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visit_category: Option<VisitCategory>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fund_pay_sumamt: Option<Money>,
    /// What the person bears in the end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub psn_part_amt: Option<Money>,
    /// What the person must pay at the facility (everything, when reimbursed by hand later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pay_at_facility: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ApiError>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct EstimateResponse {
    pub result: SettleResponse,
    pub scenarios: Vec<Scenario>,
    /// How much less the person bears with the planned filing than without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filing_saves: Option<Money>,
    /// Assumptions the estimate rests on.
    pub assumptions: Vec<TraceEntry>,
}

fn synthetic_lines(c: &CostSplit) -> Result<Vec<FeeLine>, ApiError> {
    let prop = c.yi_selfpay_prop.unwrap_or(Dec(Decimal::new(10, 2)));
    let mut out = Vec::new();
    for (sn, key, lv, amt, p) in [
        ("EST-1", "jia", ChrgitmLv::Jia, c.jia, Dec::ZERO),
        ("EST-2", "yi", ChrgitmLv::Yi, c.yi, prop),
        ("EST-3", "bing", ChrgitmLv::Bing, c.bing, Dec(Decimal::ONE)),
    ] {
        if amt.is_negative() {
            return Err(ApiError::new(
                ErrorCode::Amount,
                "预估费用不能为负数",
                "expected costs cannot be negative",
            )
            .at("request.costs"));
        }
        // Checked here, so a fault is named at the cost the person entered, not at a line they never wrote.
        crate::settle::amount_checked(amt, false, key, &|| format!("request.costs.{key}"))?;
        if amt.is_zero() {
            continue;
        }
        out.push(FeeLine {
            feedetl_sn: sn.into(),
            init_feedetl_sn: None,
            med_list_codg: format!("ESTIMATE-{}", lv.code()).into(),
            medins_list_codg: None,
            med_list_name: Some(format!("预估{}费用", lv.name_zh()).into()),
            fee_ocur_time: None,
            cnt: Dec(Decimal::ONE),
            pric: Dec(amt.dec()),
            det_item_fee_sumamt: amt,
            med_chrgitm_type: ChrgitmType::parse("14").ok(),
            chrgitm_lv: Some(lv),
            pric_uplmt_amt: None,
            selfpay_prop: Some(p),
            lmt_used_flag: None,
            hosp_appr_flag: None,
            etip_flag: false,
        });
    }
    if out.is_empty() {
        return Err(ApiError::invalid("请填写预估费用", "enter the expected costs").at("request.costs"));
    }
    Ok(out)
}

fn claim(
    r: &EstimateRequest,
    filing: PlannedFiling,
    lv: FacilityLevel,
    lines: &[FeeLine],
    trace: bool,
) -> SettleRequest {
    let filings = match filing {
        PlannedFiling::None | PlannedFiling::Emergency => vec![],
        other => vec![Filing {
            filing_id: Some("planned".into()),
            rloc_admdvs: r.mdtrtarea_admvs.city(),
            category: match other {
                PlannedFiling::LongTerm => FilingCategory::LongTermResident,
                PlannedFiling::Referral => FilingCategory::Referral,
                _ => FilingCategory::OtherTemporary,
            },
            begndate: r.begndate,
            enddate: None,
            status: FilingStatus::Active,
            applied_date: r.begndate,
            retroactive: false,
            chronic_disease: true,
            materials: Materials::default(),
        }],
    };
    SettleRequest {
        setl_id: None,
        person: r.person.clone(),
        visit: Visit {
            mdtrt_id: None,
            med_type: r.med_type.clone().unwrap_or_else(MedType::ordinary_inpatient),
            mdtrtarea_admvs: r.mdtrtarea_admvs.clone(),
            fixmedins_code: None,
            fixmedins_name: None,
            hosp_lv: lv,
            networked: true,
            begndate: r.begndate,
            enddate: r.enddate,
            setl_date: None,
            emergency_flag: filing == PlannedFiling::Emergency,
            referral_flag: filing == PlannedFiling::Referral,
            trauma_flag: false,
            third_party_flag: None,
            no_third_party_commitment: false,
            mdtrt_cert_type: None,
            etip_form_flag: false,
            settlement_mode: SettlementMode::Direct,
            use_acct: true,
            dise_name: None,
        },
        lines: lines.to_vec(),
        filings,
        accumulators: r.accumulators.clone(),
        trace,
        line_results: true,
    }
}

fn pay_at_facility(s: &SettleResponse) -> Money {
    if s.coverage.route == Route::ManualReimbursement {
        s.setlinfo.medfee_sumamt
    } else {
        s.setlinfo.psn_cash_pay
    }
}

pub fn estimate(packs: &PackSet, r: &EstimateRequest) -> Result<EstimateResponse, ApiError> {
    let mut assumptions = Vec::new();
    let lines = match (&r.lines, &r.costs) {
        (Some(l), _) if !l.is_empty() => l.clone(),
        (_, Some(c)) => {
            let prop = c.yi_selfpay_prop.unwrap_or(Dec(Decimal::new(10, 2)));
            assumptions.push(TraceEntry::new(
                "costs",
                "estimate.class_split",
                "NATIONAL_SPEC §2 (selfpay_prop is catalog data per item)",
                format!("按类别估算：甲类全额纳入，乙类先行自付 {prop}（实际按每个项目的目录比例），丙类全额自费"),
                format!("estimated by class: 甲 fully in scope, 乙 with a {prop} self-pay share (really per item in the catalog), 丙 wholly self-paid"),
            ));
            synthetic_lines(c)?
        }
        _ => return Err(ApiError::missing("costs").at("request")),
    };
    let result = settle(packs, &claim(r, r.filing, r.hosp_lv, &lines, r.trace))?;
    let mut scenarios = Vec::new();
    let mut filing_saves = None;
    if r.compare {
        let mut cases: Vec<(PlannedFiling, FacilityLevel)> = vec![(r.filing, r.hosp_lv)];
        if r.filing != PlannedFiling::None {
            cases.push((PlannedFiling::None, r.hosp_lv));
        }
        for lv in [
            FacilityLevel::Level3,
            FacilityLevel::Level2,
            FacilityLevel::Level1,
        ] {
            if lv != r.hosp_lv {
                cases.push((r.filing, lv));
            }
        }
        for (fl, lv) in cases {
            let (fz, fe) = fl.label();
            let mut sc = Scenario {
                label_zh: format!("{fz}，{}医院", lv.name_zh()),
                label_en: format!("{fe}, level {} facility", lv.code()),
                filing: fl,
                hosp_lv: lv,
                route: None,
                visit_category: None,
                fund_pay_sumamt: None,
                psn_part_amt: None,
                pay_at_facility: None,
                error: None,
            };
            // Only the answer's totals are read: no per-line results made owned.
            match compute(packs, &claim(r, fl, lv, &lines, false)).map(|s| s.response) {
                Ok(s) => {
                    sc.route = Some(s.coverage.route);
                    sc.visit_category = Some(s.coverage.visit_category);
                    sc.fund_pay_sumamt = Some(s.setlinfo.fund_pay_sumamt);
                    sc.psn_part_amt = Some(s.setlinfo.psn_part_amt);
                    sc.pay_at_facility = Some(pay_at_facility(&s));
                    if fl == PlannedFiling::None && lv == r.hosp_lv && r.filing != PlannedFiling::None {
                        filing_saves = Some(s.setlinfo.psn_part_amt - result.setlinfo.psn_part_amt);
                    }
                }
                Err(e) => sc.error = Some(e),
            }
            scenarios.push(sc);
        }
    }
    Ok(EstimateResponse {
        result,
        scenarios,
        filing_saves,
        assumptions,
    })
}
