//! 疑似违规费用协查 (suspected-violation assistance): which inpatient stays may be referred, whether a
//! request is complete, its period (26th to 25th), the answer deadline and the result rules
//! (002 §64; 003 §44–47).

use super::calendar::{Calendar, HolidayYear, day_of_month, month_start, period_26_25};
use super::profile::{Resolved, XiechaSpec, plus_days};
use super::records::SettlementRecord;
use crate::codes::Admdvs;
use crate::error::{ApiError, ErrorCode};
use crate::money::Money;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct XiechaRequest {
    /// The agency whose profile applies; absent: each case's insured place.
    #[serde(default)]
    pub region: Option<Admdvs>,
    /// The date the status is judged at (for "no answer yet and late").
    #[serde(default)]
    pub as_of: Option<NaiveDate>,
    pub cases: Vec<XiechaCase>,
    #[serde(default)]
    pub extra_years: Vec<HolidayYear>,
}

/// One stay referred (or considered) for 协查: the settlement record's fields plus the request's history.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct XiechaCase {
    #[serde(flatten)]
    pub record: SettlementRecord,
    /// When the insured place filed the request.
    #[serde(default)]
    pub requested_on: Option<NaiveDate>,
    /// When the treatment place told the applicant the request was incomplete.
    #[serde(default)]
    pub informed_incomplete_on: Option<NaiveDate>,
    /// When the applicant completed the request.
    #[serde(default)]
    pub supplemented_on: Option<NaiveDate>,
    /// `核查无误` / `核查有误` (or `no_error` / `error`).
    #[serde(default)]
    pub result: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub answered_on: Option<NaiveDate>,
    /// A late answer with a recorded special reason (特殊情况确需延期).
    #[serde(default)]
    pub delay_excused: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum XiechaScope {
    CrossProvince,
    IntraProvince,
    /// Not 异地: no 协查 between regions.
    SamePoolingArea,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum XiechaStatus {
    /// Not yet answered, not yet late.
    Pending,
    /// 核查无误.
    NoError,
    /// 核查有误.
    Error,
    /// A 核查有误 without a reason: may not be uploaded.
    Invalid,
    /// Late: recorded into the next period's feedback, counted in this period's statistics.
    CarriedToNextPeriod,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The summary table is generated at 00:00 on this date.
    pub generated_on: NaiveDate,
    /// Answers due on or before this date (「次月26日前」).
    pub answer_due: NaiveDate,
    pub cite: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Outcome {
    pub status: XiechaStatus,
    pub message_zh: String,
    pub message_en: String,
    pub cite: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct XiechaCaseResult {
    pub index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub setl_id: Option<String>,
    pub scope: XiechaScope,
    pub inpatient: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub medfee_sumamt: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<Money>,
    pub threshold_cite: String,
    /// May be referred: an inpatient stay between regions at or above the threshold.
    pub eligible: bool,
    pub missing_fields: Vec<String>,
    pub fields_cite: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
    pub outcome: Outcome,
    /// The insured place confirms the returned result by this date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirm_due: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirm_cite: Option<String>,
    pub profile: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct XiechaResponse {
    pub eligible: usize,
    pub incomplete: usize,
    pub cases: Vec<XiechaCaseResult>,
}

/// The fields a request must carry (002 §64(一); 003 §44).
const REQUIRED: [(&str, &str); 9] = [
    ("certno", "身份证号码"),
    ("psn_name", "姓名"),
    ("gend", "性别"),
    ("fixmedins_name", "医疗服务机构名称"),
    ("ipt_no", "住院号"),
    ("invono", "发票号码"),
    ("begndate", "入院日期"),
    ("enddate", "出院日期"),
    ("medfee_sumamt", "费用总额"),
];

fn missing_fields(r: &SettlementRecord) -> Vec<String> {
    let present = |f: &str| match f {
        "certno" => r.certno.is_some(),
        "psn_name" => r.psn_name.is_some(),
        "gend" => r.gend.is_some(),
        "fixmedins_name" => r.fixmedins_name.is_some(),
        "ipt_no" => r.ipt_no.is_some(),
        "invono" => r.invono.is_some(),
        "begndate" => r.begndate.is_some(),
        "enddate" => r.enddate.is_some(),
        _ => r.medfee_sumamt.is_some(),
    };
    REQUIRED
        .iter()
        .filter(|(f, _)| !present(f))
        .map(|(f, zh)| format!("{f} {zh}"))
        .collect()
}

enum Answer {
    NoError,
    Error,
}

fn parse_result(s: &str) -> Result<Answer, ApiError> {
    match s.trim() {
        "核查无误" | "no_error" => Ok(Answer::NoError),
        "核查有误" | "error" => Ok(Answer::Error),
        other => Err(ApiError::new(
            ErrorCode::UnknownCode,
            format!("协查结果“{other}”应为 核查无误 或 核查有误"),
            format!("result \"{other}\" must be 核查无误 or 核查有误 (no_error / error)"),
        )),
    }
}

fn pick<T: Clone>(
    own: Option<&XiechaSpec>,
    default: Option<&XiechaSpec>,
    f: impl Fn(&XiechaSpec) -> Option<T>,
) -> Option<T> {
    own.and_then(&f).or_else(|| default.and_then(&f))
}

/// `clearing.xiecha`.
pub fn xiecha(req: &XiechaRequest) -> Result<XiechaResponse, ApiError> {
    let cal = Calendar::with_extra(&req.extra_years)?;
    let mut out = Vec::new();
    for (i, c) in req.cases.iter().enumerate() {
        out.push(one(req, &cal, i, c).map_err(|e| e.at(format!("request.cases[{i}]")))?);
    }
    Ok(XiechaResponse {
        eligible: out.iter().filter(|c| c.eligible).count(),
        incomplete: out.iter().filter(|c| !c.missing_fields.is_empty()).count(),
        cases: out,
    })
}

fn one(
    req: &XiechaRequest,
    cal: &Calendar,
    index: usize,
    c: &XiechaCase,
) -> Result<XiechaCaseResult, ApiError> {
    let r = &c.record;
    let region = req.region.clone().unwrap_or_else(|| r.insuplc_admdvs.clone());
    let resolved = Resolved::for_region(Some(&region))?;
    let own = resolved.own.as_ref().and_then(|p| p.xiecha.as_ref());
    let default = resolved.default.xiecha.as_ref();
    let profile = resolved
        .own
        .as_ref()
        .filter(|p| p.xiecha.is_some())
        .map_or("default", |p| p.id.as_str())
        .to_string();

    let scope = if r.insuplc_admdvs.same_pooling_area(&r.mdtrtarea_admvs) {
        XiechaScope::SamePoolingArea
    } else if r.insuplc_admdvs.same_province(&r.mdtrtarea_admvs) {
        XiechaScope::IntraProvince
    } else {
        XiechaScope::CrossProvince
    };
    let (threshold, threshold_cite) = match scope {
        XiechaScope::CrossProvince => (
            pick(own, default, |x| x.cross_province_threshold),
            pick(own, default, |x| x.cross_province_cite.clone()),
        ),
        XiechaScope::IntraProvince => (
            pick(own, default, |x| x.intra_province_threshold),
            pick(own, default, |x| x.intra_province_cite.clone()),
        ),
        XiechaScope::SamePoolingArea => (None, Some("003 §2".to_string())),
    };
    let threshold = threshold.map(|d| Money::from_decimal(d.dec()));
    let inpatient = r.is_inpatient();
    let eligible = inpatient
        && match (threshold, r.medfee_sumamt) {
            (Some(t), Some(a)) => a >= t,
            _ => false,
        };
    let missing = missing_fields(r);

    let period_cite = pick(own, default, |x| x.period_cite.clone()).unwrap_or_default();
    let answer_cite = pick(own, default, |x| x.answer_cite.clone()).unwrap_or_default();
    let period = match c.requested_on {
        Some(d) => {
            let (from, to) = period_26_25(d)?;
            let generated_on = day_of_month(month_start(to, 0)?, 26)?;
            let answer_due = day_of_month(month_start(generated_on, 1)?, 26)?;
            Some(Period {
                from,
                to,
                generated_on,
                answer_due,
                cite: format!("{period_cite}; {answer_cite}"),
            })
        }
        None => None,
    };

    let answer = c
        .result
        .as_deref()
        .map(parse_result)
        .transpose()
        .map_err(|e| e.at("result"))?;
    let reason_given = c.reason.as_deref().is_some_and(|s| !s.trim().is_empty());
    let due = period.as_ref().map(|p| p.answer_due);
    let late = match (c.answered_on, due, req.as_of) {
        (Some(a), Some(d), _) => a > d,
        (None, Some(d), Some(now)) => now > d,
        _ => false,
    };
    let late_intra_rule = pick(own, default, |x| x.late_intra_counts_as_no_error).unwrap_or(false);
    let late_cite = pick(own, default, |x| x.late_cite.clone()).unwrap_or_default();
    let incomplete_days = pick(own, default, |x| x.incomplete_days);
    let incomplete_cite = pick(own, default, |x| x.incomplete_cite.clone()).unwrap_or_default();

    let outcome = (|| -> Result<Outcome, ApiError> {
        if matches!(answer, Some(Answer::Error)) && !reason_given {
            return Ok(Outcome {
                status: XiechaStatus::Invalid,
                message_zh: "“核查有误”须填写具体原因；未填写原因的不得上传".into(),
                message_en: "an 'error found' result needs a reason; without one it may not be uploaded"
                    .into(),
                cite: answer_cite.clone(),
            });
        }
        if !missing.is_empty()
            && let (Some(informed), Some(days)) = (c.informed_incomplete_on, incomplete_days)
        {
            let mut limit = plus_days(informed, days)?;
            if let Some(d) = due {
                limit = limit.min(d);
            }
            let completed_in_time = c.supplemented_on.is_some_and(|s| s <= limit);
            let past =
                req.as_of.is_some_and(|now| now > limit) || c.supplemented_on.is_some_and(|s| s > limit);
            if !completed_in_time && past {
                return Ok(Outcome {
                    status: XiechaStatus::Error,
                    message_zh: format!(
                        "协查申请信息不全，{days}日内且在完成时限 {limit} 前未补充，按“核查有误”上传"
                    ),
                    message_en: format!(
                        "incomplete request not completed within {days} days and by {limit}: answered as 'error found'"
                    ),
                    cite: incomplete_cite.clone(),
                });
            }
        }
        if late && !c.delay_excused && scope == XiechaScope::IntraProvince && late_intra_rule {
            return Ok(Outcome {
                status: XiechaStatus::NoError,
                message_zh: "省内协查无故逾期，作“核查无误”处理，相应医保资金由就医地承担".into(),
                message_en: "intra-province answer late without excuse: treated as 'no error'; the treatment place bears the cost".into(),
                cite: late_cite.clone(),
            });
        }
        if late {
            return Ok(Outcome {
                status: XiechaStatus::CarriedToNextPeriod,
                message_zh: "逾期未完成，自动记录至下一期协查结果反馈，并计入本期完成情况统计".into(),
                message_en:
                    "late: recorded into the next period's feedback and counted in this period's statistics"
                        .into(),
                cite: answer_cite.clone(),
            });
        }
        Ok(match answer {
            Some(Answer::NoError) => Outcome {
                status: XiechaStatus::NoError,
                message_zh: "核查无误".into(),
                message_en: "no error found".into(),
                cite: answer_cite.clone(),
            },
            Some(Answer::Error) => Outcome {
                status: XiechaStatus::Error,
                message_zh: "核查有误（已填写原因）".into(),
                message_en: "error found (reason given)".into(),
                cite: answer_cite.clone(),
            },
            None => Outcome {
                status: XiechaStatus::Pending,
                message_zh: match due {
                    Some(d) => format!("待就医地于 {d} 前完成协查"),
                    None => "待协查（未给出申请日期，无法确定期别）".into(),
                },
                message_en: match due {
                    Some(d) => format!("awaiting the treatment place's answer by {d}"),
                    None => "awaiting an answer (no request date: period unknown)".into(),
                },
                cite: answer_cite.clone(),
            },
        })
    })()?;

    let (confirm_due, confirm_cite) = match (c.answered_on, pick(own, default, |x| x.confirm_working_days)) {
        (Some(a), Some(n)) if answer.is_some() => (
            Some(cal.add_working_days(a, n)?.0),
            pick(own, default, |x| x.confirm_cite.clone()),
        ),
        _ => (None, None),
    };

    Ok(XiechaCaseResult {
        index,
        setl_id: r.setl_id.clone(),
        scope,
        inpatient,
        medfee_sumamt: r.medfee_sumamt,
        threshold,
        threshold_cite: threshold_cite.unwrap_or_default(),
        eligible,
        missing_fields: missing,
        fields_cite: "002 §64(一); 003 §44".into(),
        period,
        outcome,
        confirm_due,
        confirm_cite,
        profile,
    })
}
