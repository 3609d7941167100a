//! `setlinfo` / `setldetail` in the national names, the 大写 amounts, and the assembled response.

use super::{LineRef, LineSplit, SettleRequest, Tracer, clr_type};
use crate::codes::{FundColumn, MedClass};
use crate::coverage::Coverage;
use crate::error::{ApiError, ErrorCode};
use crate::model::{Accumulators, ShortText};
use crate::money::{Dec, Money, daxie};
use crate::prelude::*;
use crate::trace::TraceEntry;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// 结算信息 `setlinfo` (2207 / 2304 output), with the columns the core computes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SetlInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setl_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mdtrt_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub psn_no: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub psn_name: Option<String>,
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub insutype: ShortText,
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub psn_type: ShortText,
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub cvlserv_flag: ShortText,
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub med_type: ShortText,
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub insuplc_admdvs: ShortText,
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub mdtrtarea_admvs: ShortText,
    pub begndate: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enddate: Option<NaiveDate>,
    /// Settlement date (the national field carries a time; the core works in dates).
    pub setl_time: NaiveDate,
    /// 住院天数 (discharge − admission, at least 1) for stays; absent for outpatient visits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipt_days: Option<i64>,
    /// 医疗费总额
    pub medfee_sumamt: Money,
    /// 全自费金额
    pub fulamt_ownpay_amt: Money,
    /// 超限价自费费用
    pub overlmt_selfpay: Money,
    /// 先行自付金额
    pub preselfpay_amt: Money,
    /// 符合政策范围金额
    pub inscp_scp_amt: Money,
    /// 实际支付起付线
    pub act_pay_dedc: Money,
    /// 统筹基金支出
    pub hifp_pay: Money,
    /// 统筹支付比例 (first band, after any reduction in points)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool_prop_selfpay: Option<Dec>,
    pub cvlserv_pay: Money,
    pub hifes_pay: Money,
    pub hifmi_pay: Money,
    pub hifob_pay: Money,
    pub maf_pay: Money,
    pub hosp_part_amt: Money,
    pub oth_pay: Money,
    pub fund_pay_sumamt: Money,
    pub psn_part_amt: Money,
    pub acct_pay: Money,
    pub psn_cash_pay: Money,
    /// Account balance after this bill.
    pub balc: Money,
    pub acct_mulaid_pay: Money,
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub clr_type: ShortText,
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub clr_way: ShortText,
    /// 3 省内异地, 4 跨省异地; absent for local visits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub pay_loc: Option<ShortText>,
    /// 起付标准
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dedc_std: Option<Money>,
    /// 本次起付线
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crt_dedc: Option<Money>,
}

/// 结算基金分项 `setldetail`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SetlDetail {
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub fund_pay_type: ShortText,
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub fund_pay_type_name: ShortText,
    pub inscp_scp_amt: Money,
    /// 本次可支付限额
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crt_payb_lmt_amt: Option<Money>,
    pub fund_payamt: Money,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub setl_proc_info: String,
}

/// The response of `settle`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SettleResponse {
    pub setlinfo: SetlInfo,
    pub setldetail: Vec<SetlDetail>,
    /// Per-line split (empty when the request set `line_results: false`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<LineSplit>,
    pub coverage: Coverage,
    /// 基金支付总额 in upper case.
    pub fund_pay_sumamt_daxie: String,
    /// 个人现金支付金额 in upper case.
    pub psn_cash_pay_daxie: String,
    pub accumulators_before: Accumulators,
    /// What this bill added (a refund subtracts exactly this).
    pub accumulators_delta: Accumulators,
    pub accumulators_after: Accumulators,
    /// The catalog file used for the per-line split.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub catalog: Option<ShortText>,
    /// True when any amount rests on a pack value not verified against an official text.
    pub uses_unverified_values: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trace: Vec<TraceEntry>,
}

/// A settled claim whose per-line results borrow the request's and the catalog's texts (what
/// [`super::compute`] returns): `response` is the whole answer except its `lines`, which are here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement<'a> {
    /// The answer, with `lines` empty.
    pub response: SettleResponse,
    /// Per-line results (empty when the request set `line_results: false`).
    pub lines: Vec<LineRef<'a>>,
}

impl Settlement<'_> {
    /// The owned answer: `response` with the per-line results copied in.
    pub fn into_response(self) -> SettleResponse {
        let mut r = self.response;
        r.lines = self.lines.iter().map(LineRef::to_split).collect();
        r
    }
}

pub(super) struct Parts<'a> {
    pub req: &'a SettleRequest,
    pub cov: Coverage,
    pub splits: Vec<LineRef<'a>>,
    pub medfee: Money,
    pub fulamt: Money,
    pub overlmt: Money,
    pub preself: Money,
    pub inscp: Money,
    pub act_pay_dedc: Money,
    pub dedc_std: Option<Money>,
    pub crt_dedc: Option<Money>,
    pub ratio: Option<Dec>,
    /// (column, fund_pay_type, name, amount, crt_payb_lmt_amt, process note)
    pub funds: Vec<(FundColumn, ShortText, ShortText, Money, Option<Money>, String)>,
    pub hifp: Money,
    pub fund_sum: Money,
    pub hosp_part: Money,
    pub psn_part: Money,
    pub acct_pay: Money,
    pub cash: Money,
    pub before: Accumulators,
    pub delta: Accumulators,
    pub after: Accumulators,
    pub tracer: Tracer,
    pub catalog_name: Option<ShortText>,
    pub med_class: MedClass,
}

fn upper(m: Money) -> Result<String, ApiError> {
    daxie(m).ok_or_else(|| {
        ApiError::new(
            ErrorCode::Amount,
            "金额过大，无法写成大写",
            "amount too large for upper case",
        )
    })
}

pub(super) fn build(p: Parts<'_>) -> Result<Settlement<'_>, ApiError> {
    // Each column's total in one pass over the funds (the same additions, in the same order, as summing
    // each column's funds on its own).
    let mut totals = [Money::ZERO; FundColumn::OwnpayHospPart as usize + 1];
    for f in &p.funds {
        totals[f.0 as usize] += f.3;
    }
    let col = |c: FundColumn| totals[c as usize];
    let person = &p.req.person;
    let visit = &p.req.visit;
    let setlinfo = SetlInfo {
        setl_id: p.req.setl_id.clone(),
        mdtrt_id: visit.mdtrt_id.clone(),
        psn_no: person.psn_no.clone(),
        psn_name: person.psn_name.clone(),
        insutype: person.insutype.code().into(),
        psn_type: person.psn_type.code().into(),
        cvlserv_flag: if person.cvlserv_flag { "1" } else { "0" }.into(),
        med_type: visit.med_type.code().into(),
        insuplc_admdvs: person.insuplc_admdvs.code().into(),
        mdtrtarea_admvs: visit.mdtrtarea_admvs.code().into(),
        begndate: visit.begndate,
        enddate: visit.enddate,
        setl_time: visit.settlement_date(),
        ipt_days: match (p.med_class, visit.enddate) {
            (MedClass::Inpatient | MedClass::Maternity, Some(e)) => {
                Some((e - visit.begndate).num_days().max(1))
            }
            _ => None,
        },
        medfee_sumamt: p.medfee,
        fulamt_ownpay_amt: p.fulamt,
        overlmt_selfpay: p.overlmt,
        preselfpay_amt: p.preself,
        inscp_scp_amt: p.inscp,
        act_pay_dedc: p.act_pay_dedc,
        hifp_pay: p.hifp,
        pool_prop_selfpay: p.ratio,
        cvlserv_pay: col(FundColumn::CvlservPay),
        hifes_pay: col(FundColumn::HifesPay),
        hifmi_pay: col(FundColumn::HifmiPay),
        hifob_pay: col(FundColumn::HifobPay),
        maf_pay: col(FundColumn::MafPay),
        hosp_part_amt: p.hosp_part,
        oth_pay: col(FundColumn::OthPay) + col(FundColumn::HifdmPay),
        fund_pay_sumamt: p.fund_sum,
        psn_part_amt: p.psn_part,
        acct_pay: p.acct_pay,
        psn_cash_pay: p.cash,
        balc: person.balc - p.acct_pay,
        acct_mulaid_pay: Money::ZERO,
        clr_type: ShortText::const_new(clr_type(p.med_class)),
        clr_way: ShortText::const_new("01"),
        pay_loc: if p.cov.cross_province {
            Some(ShortText::const_new("4"))
        } else if p.cov.cross_region {
            Some(ShortText::const_new("3"))
        } else {
            None
        },
        dedc_std: p.dedc_std,
        crt_dedc: p.crt_dedc,
    };
    // INVARIANT: fund_pay_sumamt equals the sum of the fund columns (hifdm folded into oth_pay).
    let setldetail = p
        .funds
        .into_iter()
        .map(|(_, code, name, amt, lmt, info)| SetlDetail {
            fund_pay_type: code,
            fund_pay_type_name: name,
            inscp_scp_amt: p.inscp,
            crt_payb_lmt_amt: lmt,
            fund_payamt: amt,
            setl_proc_info: info,
        })
        .collect();
    let response = SettleResponse {
        fund_pay_sumamt_daxie: upper(p.fund_sum)?,
        psn_cash_pay_daxie: upper(p.cash)?,
        setlinfo,
        setldetail,
        lines: Vec::new(),
        coverage: p.cov,
        accumulators_before: p.before,
        accumulators_delta: p.delta,
        accumulators_after: p.after,
        catalog: p.catalog_name,
        uses_unverified_values: p.tracer.unverified,
        trace: p.tracer.entries,
    };
    Ok(Settlement {
        response,
        lines: if p.req.line_results { p.splits } else { Vec::new() },
    })
}

impl SetlInfo {
    /// The reversal (2208 / 2305): every amount negated, codes and dates kept.
    pub fn negated(&self) -> SetlInfo {
        SetlInfo {
            medfee_sumamt: -self.medfee_sumamt,
            fulamt_ownpay_amt: -self.fulamt_ownpay_amt,
            overlmt_selfpay: -self.overlmt_selfpay,
            preselfpay_amt: -self.preselfpay_amt,
            inscp_scp_amt: -self.inscp_scp_amt,
            act_pay_dedc: -self.act_pay_dedc,
            hifp_pay: -self.hifp_pay,
            cvlserv_pay: -self.cvlserv_pay,
            hifes_pay: -self.hifes_pay,
            hifmi_pay: -self.hifmi_pay,
            hifob_pay: -self.hifob_pay,
            maf_pay: -self.maf_pay,
            hosp_part_amt: -self.hosp_part_amt,
            oth_pay: -self.oth_pay,
            fund_pay_sumamt: -self.fund_pay_sumamt,
            psn_part_amt: -self.psn_part_amt,
            acct_pay: -self.acct_pay,
            psn_cash_pay: -self.psn_cash_pay,
            // The balance after a reversal is the balance before the bill.
            balc: self.balc + self.acct_pay,
            acct_mulaid_pay: -self.acct_mulaid_pay,
            ..self.clone()
        }
    }

    /// Every money column with its national name, in `setlinfo` order (used by verify and tests).
    pub fn amounts(&self) -> [(&'static str, Money); 18] {
        [
            ("medfee_sumamt", self.medfee_sumamt),
            ("fulamt_ownpay_amt", self.fulamt_ownpay_amt),
            ("overlmt_selfpay", self.overlmt_selfpay),
            ("preselfpay_amt", self.preselfpay_amt),
            ("inscp_scp_amt", self.inscp_scp_amt),
            ("act_pay_dedc", self.act_pay_dedc),
            ("hifp_pay", self.hifp_pay),
            ("cvlserv_pay", self.cvlserv_pay),
            ("hifes_pay", self.hifes_pay),
            ("hifmi_pay", self.hifmi_pay),
            ("hifob_pay", self.hifob_pay),
            ("maf_pay", self.maf_pay),
            ("hosp_part_amt", self.hosp_part_amt),
            ("oth_pay", self.oth_pay),
            ("fund_pay_sumamt", self.fund_pay_sumamt),
            ("psn_part_amt", self.psn_part_amt),
            ("acct_pay", self.acct_pay),
            ("psn_cash_pay", self.psn_cash_pay),
        ]
    }
}

impl SetlDetail {
    pub fn negated(&self) -> SetlDetail {
        SetlDetail {
            inscp_scp_amt: -self.inscp_scp_amt,
            fund_payamt: -self.fund_payamt,
            ..self.clone()
        }
    }
}
