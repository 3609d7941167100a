//! Prepayment (预付金): the annual amount, the usage rate and its warnings, the payment deadlines, and the
//! journal of a prepayment movement.

use super::calendar::{Calendar, HolidayYear};
use super::month::JournalEntry;
use super::profile::{DatedStep, PrepaymentRule, Resolved, date_steps};
use crate::codes::Admdvs;
use crate::error::{ApiError, ErrorCode};
use crate::money::{Dec, MAX_AMOUNT, Money};
use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// Request of `clearing.prepayment`. Give the inputs of the rule in force: `q4_monthly` (or `q4_total`)
/// for the Q4 rule, `last_year_total` for the two-months rule; `prepayment` and `month_clearing` for the
/// usage rate; `notice_date` (publication of the notice) for the deadlines.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PrepaymentRequest {
    /// The insured place (its province's profile gives the rule and deadlines).
    #[serde(default)]
    pub region: Option<Admdvs>,
    /// Overrides the profile's rule.
    #[serde(default)]
    pub rule: Option<PrepaymentRule>,
    /// Last year's settled fund amounts for October, November, December.
    #[serde(default)]
    pub q4_monthly: Option<Vec<Money>>,
    #[serde(default)]
    pub q4_total: Option<Money>,
    /// Last year's cross-region costs, whole year.
    #[serde(default)]
    pub last_year_total: Option<Money>,
    /// The prepayment now held (for the usage rate and the adjustment).
    #[serde(default)]
    pub prepayment: Option<Money>,
    /// This month's clearing amount (for the usage rate).
    #[serde(default)]
    pub month_clearing: Option<Money>,
    /// Publication date of the annual or emergency top-up notice.
    #[serde(default)]
    pub notice_date: Option<NaiveDate>,
    #[serde(default)]
    pub extra_years: Vec<HolidayYear>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum WarningLevel {
    Normal,
    Yellow,
    Red,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Usage {
    /// month_clearing ÷ prepayment, to 4 decimal places (half up).
    pub rate: Dec,
    /// The rate as a percentage to 2 places, e.g. "72.34".
    pub percent: Dec,
    pub level: WarningLevel,
    pub yellow_at: Dec,
    pub red_at: Dec,
    pub cite: String,
    pub profile: String,
    pub message_zh: String,
    pub message_en: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AnnualAmount {
    pub rule: PrepaymentRule,
    pub amount: Money,
    pub formula: String,
    pub cite: String,
    pub profile: String,
    /// amount − prepayment held: > 0 to pay in, < 0 refunded (多退少补, 000 §17).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adjustment: Option<Money>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PrepaymentResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annual: Option<AnnualAmount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
    /// True on a red warning: the emergency top-up starts (000 §21; 003 §30).
    pub top_up_required: bool,
    /// Deadlines of the annual notice (when `notice_date` is given and no top-up is due) or of the
    /// emergency top-up notice (on red).
    pub deadlines: Vec<DatedStep>,
    /// Journal of paying in the adjustment (or the annual amount when no prepayment is held).
    pub journal: Vec<JournalEntry>,
}

fn bad_amount(field: &str, zh: &str, en: &str) -> ApiError {
    ApiError::new(ErrorCode::Amount, zh, en).at(format!("request.{field}"))
}

fn check(field: &str, m: Money) -> Result<(), ApiError> {
    if m.is_negative() {
        return Err(bad_amount(field, "金额不能为负", "amount may not be negative"));
    }
    if m.dec() > MAX_AMOUNT {
        return Err(bad_amount(
            field,
            "金额超出上限",
            "amount beyond the accepted maximum",
        ));
    }
    Ok(())
}

fn round4(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero)
}

/// `clearing.prepayment`.
pub fn prepayment(req: &PrepaymentRequest) -> Result<PrepaymentResponse, ApiError> {
    let resolved = Resolved::for_region(req.region.as_ref())?;
    let cal = Calendar::with_extra(&req.extra_years)?;

    let (spec, spec_profile) = resolved.source_of(|p| p.prepayment.clone());
    let rule = req
        .rule
        .or(spec.as_ref().map(|s| s.rule))
        .unwrap_or(PrepaymentRule::Q4MonthlyAvgX2);
    let rule_cite = match (req.rule, &spec) {
        (Some(r), Some(s)) if s.rule == r => s.cite.clone(),
        (Some(PrepaymentRule::TwoMonthsLastYear), _) => "000 §17; 001 §24".to_string(),
        (Some(PrepaymentRule::Q4MonthlyAvgX2), _) => "002 §25; 003 §27".to_string(),
        (None, Some(s)) => s.cite.clone(),
        (None, None) => "002 §25; 003 §27".to_string(),
    };
    let rule_profile = if req.rule.is_some() && spec.as_ref().map(|s| s.rule) != req.rule {
        "request".to_string()
    } else {
        spec_profile
    };

    if let Some(p) = req.prepayment {
        check("prepayment", p)?;
    }
    let annual = match rule {
        PrepaymentRule::Q4MonthlyAvgX2 => {
            let q4 = match (&req.q4_monthly, req.q4_total) {
                (Some(ms), _) => {
                    if ms.len() != 3 {
                        return Err(ApiError::invalid(
                            "q4_monthly 应为上年10、11、12月三个月的金额",
                            "q4_monthly must hold the three amounts of last October, November and December",
                        )
                        .at("request.q4_monthly"));
                    }
                    for (i, m) in ms.iter().enumerate() {
                        check(&format!("q4_monthly[{i}]"), *m)?;
                    }
                    Some(ms.iter().copied().sum::<Money>())
                }
                (None, Some(t)) => {
                    check("q4_total", t)?;
                    Some(t)
                }
                (None, None) => None,
            };
            q4.map(|total| {
                let amount = Money::rounded(total.dec() * Decimal::TWO / Decimal::from(3));
                (amount, format!("2 × ({total} ÷ 3) = {amount}"))
            })
        }
        PrepaymentRule::TwoMonthsLastYear => match req.last_year_total {
            Some(t) => {
                check("last_year_total", t)?;
                let amount = Money::rounded(t.dec() * Decimal::TWO / Decimal::from(12));
                Some((amount, format!("2 × ({t} ÷ 12) = {amount}")))
            }
            None => None,
        },
    };
    let annual = annual.map(|(amount, formula)| AnnualAmount {
        rule,
        amount,
        formula,
        cite: rule_cite.clone(),
        profile: rule_profile.clone(),
        adjustment: req.prepayment.map(|p| amount - p),
    });

    let usage = match (req.month_clearing, req.prepayment) {
        (Some(c), Some(p)) => {
            check("month_clearing", c)?;
            Some(usage_of(&resolved, c, p).map_err(|e| e.at("request.prepayment"))?)
        }
        (Some(_), None) => return Err(ApiError::missing("prepayment").at("request")),
        _ => None,
    };
    let top_up_required = usage.as_ref().is_some_and(|u| u.level == WarningLevel::Red);

    let mut deadlines = Vec::new();
    if let Some(notice) = req.notice_date {
        let (pd, pd_profile) = resolved.source_of(|p| p.prepayment_deadlines.clone());
        if let Some(pd) = pd {
            let steps = if top_up_required { &pd.top_up } else { &pd.annual };
            deadlines = date_steps(&cal, steps, notice, Some(notice), &pd_profile)?;
        }
    }

    let journal = match (&annual, req.prepayment) {
        (Some(a), Some(_)) if !a.adjustment.unwrap_or(Money::ZERO).is_zero() => {
            let adj = a.adjustment.unwrap_or(Money::ZERO);
            prepayment_journal(req.region.as_ref(), adj)
        }
        (Some(a), None) => prepayment_journal(req.region.as_ref(), a.amount),
        _ => Vec::new(),
    };

    Ok(PrepaymentResponse {
        region: req.region.as_ref().map(|r| r.code().to_string()),
        annual,
        usage,
        top_up_required,
        deadlines,
        journal,
    })
}

/// Usage rate = month clearing ÷ prepayment, and its warning level (000 §21; 003 §30). The comparison is
/// exact; only the displayed rate and percentage are rounded.
pub(crate) fn usage_of(resolved: &Resolved, clearing: Money, prepayment: Money) -> Result<Usage, ApiError> {
    if prepayment.is_zero() || prepayment.is_negative() {
        return Err(ApiError::new(
            ErrorCode::Amount,
            "预付金为零或负数，无法计算使用率",
            "prepayment is zero or negative: no usage rate",
        ));
    }
    let (w, w_profile) = resolved.source_of(|p| p.warning.clone());
    let w = w.ok_or_else(|| ApiError::new(ErrorCode::Pack, "缺少预警阈值", "warning thresholds missing"))?;
    let exact = clearing.dec() / prepayment.dec();
    let level = if exact >= w.red.dec() {
        WarningLevel::Red
    } else if exact >= w.yellow.dec() {
        WarningLevel::Yellow
    } else {
        WarningLevel::Normal
    };
    // Shown cut off, not rounded: 69.9999% must not read as the 70% it did not reach.
    let percent = (exact * Decimal::ONE_HUNDRED)
        .round_dp_with_strategy(2, RoundingStrategy::ToZero)
        .normalize();
    let red = (w.red.dec() * Decimal::ONE_HUNDRED).normalize();
    let yellow = (w.yellow.dec() * Decimal::ONE_HUNDRED).normalize();
    let (zh, en) = match level {
        WarningLevel::Red => (
            format!("预付金使用率 {percent}%，达到 {red}% 及以上，红色预警，启动预付金紧急调增"),
            format!("usage {percent}% is at or above {red}%: red warning, emergency top-up starts"),
        ),
        WarningLevel::Yellow => (
            format!("预付金使用率 {percent}%，达到 {yellow}%，黄色预警"),
            format!("usage {percent}% is at or above {yellow}%: yellow warning"),
        ),
        WarningLevel::Normal => (
            format!("预付金使用率 {percent}%，未达预警线"),
            format!("usage {percent}%: below the warning thresholds"),
        ),
    };
    Ok(Usage {
        rate: Dec(round4(exact)),
        percent: Dec(percent),
        level,
        yellow_at: w.yellow,
        red_at: w.red,
        cite: w.cite,
        profile: w_profile,
        message_zh: zh,
        message_en: en,
    })
}

/// 000 §33(一): the prepayment travels from the insured place's fiscal account up to the provincial fiscal
/// account; a negative amount (refund, 多退少补) travels back by the original channel (000 §18).
fn prepayment_journal(region: Option<&Admdvs>, amount: Money) -> Vec<JournalEntry> {
    let party = region.map(|r| r.code().to_string()).unwrap_or_default();
    let steps: [(&str, &str, &str, &str, &str, &str); 6] = [
        (
            "参保地财政部门",
            "暂付款",
            "财政专户存款",
            "将预付金拨入同级经办机构支出户",
            "finance pays the prepayment to the agency",
            "000 §33(一)1",
        ),
        (
            "参保地经办机构",
            "支出户存款",
            "财政专户存款",
            "收到同级财政拨款",
            "agency receives the finance transfer",
            "000 §33(一)2",
        ),
        (
            "参保地经办机构",
            "暂付款",
            "支出户存款",
            "向市（地）级异地就医结算账户划缴预付金",
            "agency remits the prepayment to the city settlement account",
            "000 §33(一)2",
        ),
        (
            "全省异地就医结算账户",
            "银行存款",
            "暂收款—市",
            "收到市（地）上缴的预付金",
            "provincial settlement account receives the prepayment",
            "000 §33(一)4",
        ),
        (
            "全省异地就医结算账户",
            "暂收款—市",
            "银行存款",
            "向全省财政异地就医专户汇缴预付金",
            "provincial settlement account remits to the fiscal account",
            "000 §33(一)4",
        ),
        (
            "全省异地就医财政专户",
            "财政专户存款",
            "暂收款",
            "收到预付金",
            "provincial fiscal account receives the prepayment",
            "000 §33(一)5",
        ),
    ];
    let refund = amount.is_negative();
    steps
        .iter()
        .enumerate()
        .map(|(i, (book, debit, credit, zh, en, cite))| {
            // A refund reverses each entry: debit and credit swap.
            let (d, c) = if refund { (credit, debit) } else { (debit, credit) };
            JournalEntry {
                seq: i as u32 + 1,
                movement: if refund {
                    "prepayment_refund".into()
                } else {
                    "prepayment_pay_in".into()
                },
                party: party.clone(),
                book_zh: (*book).to_string(),
                debit_zh: (*d).to_string(),
                credit_zh: (*c).to_string(),
                amount: amount.abs(),
                memo_zh: if refund {
                    format!("{zh}（退回）")
                } else {
                    (*zh).to_string()
                },
                memo_en: if refund {
                    format!("{en} (refund)")
                } else {
                    (*en).to_string()
                },
                cite: (*cite).to_string(),
            }
        })
        .collect()
}
