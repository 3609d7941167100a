//! Reversals (2208 / 2305: the exact negation of a settlement) and refunds of an earlier line or bill
//! (隔笔退费, 跨年退费, 清算后退费; 002 §46, 003 §24): the original bill is reversed in full and what
//! remains is settled again at the original date, so the year-to-date accumulators are recomputed.

use super::{LineSplit, SetlDetail, SetlInfo, SettleRequest, SettleResponse, settle};
use crate::error::ApiError;
use crate::model::Accumulators;
use crate::money::{Dec, Money, daxie, round_fen};
use crate::policy::PackSet;
use crate::prelude::*;
use crate::trace::TraceEntry;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ReverseRequest {
    pub setlinfo: SetlInfo,
    pub setldetail: Vec<SetlDetail>,
    #[serde(default)]
    pub lines: Vec<LineSplit>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accumulators_delta: Option<Accumulators>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ReverseResponse {
    pub setlinfo: SetlInfo,
    pub setldetail: Vec<SetlDetail>,
    pub lines: Vec<LineSplit>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accumulators_delta: Option<Accumulators>,
    pub fund_pay_sumamt_daxie: String,
    pub psn_cash_pay_daxie: String,
}

/// The exact negation of a settlement.
pub fn reverse(r: &ReverseRequest) -> Result<ReverseResponse, ApiError> {
    check_reversible(r)?;
    let s = r.setlinfo.negated();
    let too_big = || {
        ApiError::new(crate::error::ErrorCode::Amount, "金额过大", "amount too large").at("request.setlinfo")
    };
    Ok(ReverseResponse {
        fund_pay_sumamt_daxie: daxie(s.fund_pay_sumamt).ok_or_else(too_big)?,
        psn_cash_pay_daxie: daxie(s.psn_cash_pay).ok_or_else(too_big)?,
        setlinfo: s,
        setldetail: r.setldetail.iter().map(SetlDetail::negated).collect(),
        lines: r.lines.iter().map(LineSplit::negated).collect(),
        accumulators_delta: r.accumulators_delta.as_ref().map(Accumulators::negated),
    })
}

/// Kinds of refund after an outpatient direct settlement (002 §46; 003 §24).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum RefundKind {
    /// 隔笔退费: the bill is not the person's latest.
    NonLatestBill,
    /// 跨年退费: refunded in a later year than it was settled.
    CrossYear,
    /// 清算后退费: the bill was already in a monthly clearing.
    AfterClearing,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RefundLine {
    pub feedetl_sn: String,
    /// Quantity refunded; absent = the whole line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cnt: Option<Dec>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RefundRequest {
    /// The claim exactly as it was settled (with the accumulators it was settled against).
    pub original: SettleRequest,
    /// Lines refunded; empty = the whole bill.
    #[serde(default)]
    pub refund_lines: Vec<RefundLine>,
    pub refund_date: NaiveDate,
    /// The person's accumulators now, for the original bill's year; absent = the original's result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accumulators: Option<Accumulators>,
    /// Whether the original is the person's latest bill (otherwise 隔笔退费).
    #[serde(default = "yes")]
    pub is_latest_bill: bool,
    /// Whether the original bill was already cleared between regions.
    #[serde(default)]
    pub cleared: bool,
}

fn yes() -> bool {
    true
}

/// Amounts going back: original minus what the remaining lines settle to (positive = returned).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RefundAmounts {
    pub medfee_sumamt: Money,
    pub fund_pay_sumamt: Money,
    pub hifp_pay: Money,
    pub acct_pay: Money,
    pub psn_cash_pay: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RefundResponse {
    pub kinds: Vec<RefundKind>,
    pub reversal: ReverseResponse,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resettlement: Option<SettleResponse>,
    pub returned: RefundAmounts,
    pub accumulators_after: Accumulators,
    pub trace: Vec<TraceEntry>,
}

pub fn refund(packs: &PackSet, r: &RefundRequest) -> Result<RefundResponse, ApiError> {
    // The original is settled as a claim of its own: its faults' paths are moved under `request.original`,
    // where the refund request holds it (a hospital's system points at the field by its path).
    let orig = settle(packs, &r.original).map_err(|mut e| {
        if let Some(rest) = e.path.strip_prefix("request.") {
            e.path = format!("request.original.{rest}");
        }
        e
    })?;
    let year = orig.setlinfo.setl_time.year();
    if r.refund_date < orig.setlinfo.setl_time {
        return Err(ApiError::new(
            crate::error::ErrorCode::DateOrder,
            format!(
                "退费日期 {} 早于原结算日期 {}",
                r.refund_date, orig.setlinfo.setl_time
            ),
            format!(
                "refund date {} is before the original settlement on {}",
                r.refund_date, orig.setlinfo.setl_time
            ),
        )
        .at("request.refund_date"));
    }
    let current = r
        .accumulators
        .clone()
        .unwrap_or_else(|| orig.accumulators_after.clone());
    if current.year != year {
        return Err(ApiError::invalid(
            format!("累计数据须为原结算年度 {year} 的数据（跨年退费冲减原年度累计），收到 {} 年", current.year),
            format!("accumulators must be those of the original settlement year {year} (a cross-year refund reduces that year's totals); got {}", current.year),
        )
        .at("request.accumulators.year"));
    }
    if r.accumulators.is_some() {
        super::check_accumulators(&current, "request.accumulators", false)?;
    }
    let mut kinds = Vec::new();
    let mut trace = Vec::new();
    if !r.is_latest_bill {
        kinds.push(RefundKind::NonLatestBill);
        trace.push(TraceEntry::new(
            "kinds",
            "refund.non_latest",
            "002 §46; 003 §24",
            "隔笔退费：原单不是最近一笔，整单冲销后对剩余明细按原结算日重新结算，并重算年度累计".into(),
            "refund of a bill that is not the latest: the bill is reversed, the remaining lines are settled again at the original date, and the year's totals are recomputed".into(),
        ));
    }
    if r.refund_date.year() != year {
        kinds.push(RefundKind::CrossYear);
        trace.push(TraceEntry::new(
            "kinds",
            "refund.cross_year",
            "002 §46; 003 §24",
            format!(
                "跨年退费：{} 年的费用在 {} 年退费，冲减 {year} 年度累计",
                year,
                r.refund_date.year()
            ),
            format!(
                "cross-year refund: a {year} bill refunded in {}, reducing the {year} totals",
                r.refund_date.year()
            ),
        ));
    }
    if r.cleared {
        kinds.push(RefundKind::AfterClearing);
        trace.push(TraceEntry::new(
            "kinds",
            "refund.after_clearing",
            "002 §46; 003 §24",
            "清算后退费：退回的基金金额计入下一次清算，作为扣减".into(),
            "refund after clearing: the returned fund amount enters the next clearing as a deduction".into(),
        ));
    }

    // Remaining lines after the refund.
    let mut remaining = Vec::new();
    for (i, rl) in r.refund_lines.iter().enumerate() {
        if !r.original.lines.iter().any(|l| l.feedetl_sn == rl.feedetl_sn) {
            return Err(ApiError::invalid(
                format!("退费明细 {} 不在原单中", rl.feedetl_sn),
                format!("refunded line {} is not in the original bill", rl.feedetl_sn),
            )
            .at(format!("request.refund_lines[{i}].feedetl_sn")));
        }
    }
    if !r.refund_lines.is_empty() {
        for l in &r.original.lines {
            let Some(rl) = r.refund_lines.iter().find(|x| x.feedetl_sn == l.feedetl_sn) else {
                remaining.push(l.clone());
                continue;
            };
            let Some(c) = rl.cnt else { continue };
            if c.dec().is_sign_negative() || c.dec() > l.cnt.dec() {
                return Err(ApiError::invalid(
                    format!(
                        "明细 {} 退费数量 {c} 不在 0 与原数量 {} 之间",
                        l.feedetl_sn, l.cnt
                    ),
                    format!(
                        "line {}: refunded count {c} is not between 0 and the original {}",
                        l.feedetl_sn, l.cnt
                    ),
                )
                .at("request.refund_lines"));
            }
            let left = l.cnt.dec() - c.dec();
            if !left.is_zero() {
                let mut k = l.clone();
                k.cnt = Dec(left);
                k.det_item_fee_sumamt = Money::from_decimal(round_fen(left * l.pric.dec()));
                remaining.push(k);
            }
        }
    }
    let after_reversal = current.plus(&orig.accumulators_delta.negated());
    // Totals smaller than the original's own share belong to another bill or year; settling the rest
    // against a negative deductible paid would ask for more than the whole deductible.
    super::check_accumulators(&after_reversal, "request.accumulators", false).map_err(|e| {
        ApiError::invalid(
            format!("本年累计小于原结算单计入的数额：冲减原单后 {}", e.message_zh),
            format!(
                "the year-to-date totals are smaller than what the original bill added: without it, {}",
                e.message_en
            ),
        )
        .at(e.path)
    })?;
    let resettlement = if remaining.is_empty() {
        None
    } else {
        let mut again = r.original.clone();
        again.lines = remaining;
        again.accumulators = Some(after_reversal.clone());
        Some(settle(packs, &again)?)
    };
    let accumulators_after = match &resettlement {
        Some(s) => after_reversal.plus(&s.accumulators_delta),
        None => after_reversal,
    };
    let o = &orig.setlinfo;
    let z = |f: fn(&SetlInfo) -> Money| resettlement.as_ref().map_or(Money::ZERO, |s| f(&s.setlinfo));
    let returned = RefundAmounts {
        medfee_sumamt: o.medfee_sumamt - z(|s| s.medfee_sumamt),
        fund_pay_sumamt: o.fund_pay_sumamt - z(|s| s.fund_pay_sumamt),
        hifp_pay: o.hifp_pay - z(|s| s.hifp_pay),
        acct_pay: o.acct_pay - z(|s| s.acct_pay),
        psn_cash_pay: o.psn_cash_pay - z(|s| s.psn_cash_pay),
    };
    let reversal = reverse(&ReverseRequest {
        setlinfo: orig.setlinfo.clone(),
        setldetail: orig.setldetail.clone(),
        lines: orig.lines.clone(),
        accumulators_delta: Some(orig.accumulators_delta.clone()),
    })?;
    Ok(RefundResponse {
        kinds,
        reversal,
        resettlement,
        returned,
        accumulators_after,
        trace,
    })
}

/// A reversal negates what it is given, and its balance after is the balance plus the account payment:
/// every amount must be one of the interface (either sign, at most 10^10 yuan, at the fen), so the
/// negation is exact and nothing overflows (a balance of `Decimal::MAX` did: found by the fuzzer).
fn check_reversible(r: &ReverseRequest) -> Result<(), ApiError> {
    use super::amount_checked as ok;
    let s = &r.setlinfo;
    for (name, m) in s.amounts().into_iter().chain([("balc", s.balc)]) {
        ok(m, true, name, &|| format!("request.setlinfo.{name}"))?;
    }
    for (i, d) in r.setldetail.iter().enumerate() {
        let amounts = [
            ("inscp_scp_amt", Some(d.inscp_scp_amt)),
            ("fund_payamt", Some(d.fund_payamt)),
            ("crt_payb_lmt_amt", d.crt_payb_lmt_amt),
        ];
        for (name, m) in amounts {
            if let Some(m) = m {
                ok(m, true, name, &|| format!("request.setldetail[{i}].{name}"))?;
            }
        }
    }
    match &r.accumulators_delta {
        Some(a) => super::check_accumulators(a, "request.accumulators_delta", true),
        None => Ok(()),
    }
}
