//! Deadline ops over the working-day calendar: one day, N working days after a date, the deadline forms
//! the seeds use, a region's monthly clearing calendar, and collaboration reply deadlines (003 §49–50).

use super::calendar::{
    Calendar, DayDescription, HolidayYear, day_of_month, month_end, month_start, parse_month, period_26_25,
};
use super::profile::{DatedStep, Resolved, date_steps};
use crate::codes::Admdvs;
use crate::error::{ApiError, ErrorCode};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DayRequest {
    pub date: NaiveDate,
    #[serde(default)]
    pub extra_years: Vec<HolidayYear>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AddWorkingDaysRequest {
    pub from: NaiveDate,
    pub days: u32,
    #[serde(default)]
    pub extra_years: Vec<HolidayYear>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AddWorkingDaysResponse {
    pub from: NaiveDate,
    pub days: u32,
    pub date: NaiveDate,
    /// Days of holiday ranges passed on the way (with the weekend days inside a range; ordinary weekends
    /// are not listed).
    pub holidays_skipped: Vec<NaiveDate>,
}

/// The deadline forms of the seeds.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DeadlineRule {
    /// 「N个工作日内」: the Nth working day after `from`.
    WorkingDaysAfter { from: NaiveDate, days: u32 },
    /// 「次月N日前」: day `day` of the month after `month` (YYYY-MM), on or before.
    DayOfNextMonth { month: String, day: u32 },
    /// 「每月月底前」 of the month after `month`.
    EndOfNextMonth { month: String },
    #[serde(rename = "period_26_25")]
    /// The 协查 period (26th to 25th) holding `date`, and its answer deadline (002 §64; 003 §45–46).
    Period26To25 { date: NaiveDate },
    /// 「次年第一季度」: the year of `month` cleared by 31 March of the next year (003 §43).
    NextYearQ1 { month: String },
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DeadlineRequest {
    pub rule: DeadlineRule,
    /// The article the deadline comes from (echoed; a default is given for each rule).
    #[serde(default)]
    pub cite: Option<String>,
    #[serde(default)]
    pub extra_years: Vec<HolidayYear>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DeadlineResponse {
    /// The last day (inclusive).
    pub due: NaiveDate,
    /// For periods: the first day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    /// For periods: the last day of the period (the answer deadline is `due`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period_to: Option<NaiveDate>,
    /// Whether `due` is a working day (absent when the year has no holiday data).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_is_working_day: Option<bool>,
    pub holidays_skipped: Vec<NaiveDate>,
    pub explanation_zh: String,
    pub explanation_en: String,
    pub cite: String,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StepsRequest {
    pub region: Admdvs,
    /// The clearing month (YYYY-MM): the costs of this month, cleared in the following months.
    pub month: String,
    #[serde(default)]
    pub extra_years: Vec<HolidayYear>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StepsResponse {
    pub region: String,
    pub month: String,
    pub profile: String,
    pub profile_name_zh: String,
    pub profile_name_en: String,
    pub source: String,
    pub steps: Vec<DatedStep>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct YearsRequest {
    #[serde(default)]
    pub extra_years: Vec<HolidayYear>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct YearsResponse {
    pub years: Vec<YearSource>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct YearSource {
    pub year: i32,
    pub source: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CollabKind {
    /// 备案类.
    Filing,
    /// 系统故障类 / 平台故障类.
    SystemFault,
    /// 其他类.
    Other,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CollabRequest {
    #[serde(default)]
    pub region: Option<Admdvs>,
    pub kind: CollabKind,
    /// When the request reached the first responder.
    pub received_on: NaiveDate,
    #[serde(default)]
    pub replied_on: Option<NaiveDate>,
    /// When the requester received the result (starts the confirmation window).
    #[serde(default)]
    pub result_received_on: Option<NaiveDate>,
    #[serde(default)]
    pub confirmed_on: Option<NaiveDate>,
    #[serde(default)]
    pub extra_years: Vec<HolidayYear>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CollabResponse {
    pub kind: CollabKind,
    pub reply_working_days: u32,
    pub reply_due: NaiveDate,
    pub reply_cite: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_late: Option<bool>,
    /// Last day to confirm; unconfirmed after it, the result counts as confirmed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirm_by: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_confirmed: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirm_cite: Option<String>,
    pub profile: String,
}

pub fn day(req: &DayRequest) -> Result<DayDescription, ApiError> {
    Calendar::with_extra(&req.extra_years)?
        .day(req.date)
        .map_err(|e| e.at("request.date"))
}

pub fn add_working_days(req: &AddWorkingDaysRequest) -> Result<AddWorkingDaysResponse, ApiError> {
    if req.days > 366 {
        return Err(
            ApiError::invalid("工作日数过大（上限366）", "too many working days (at most 366)")
                .at("request.days"),
        );
    }
    let cal = Calendar::with_extra(&req.extra_years)?;
    let (date, holidays_skipped) = cal
        .add_working_days(req.from, req.days)
        .map_err(|e| e.at("request.from"))?;
    Ok(AddWorkingDaysResponse {
        from: req.from,
        days: req.days,
        date,
        holidays_skipped,
    })
}

pub fn deadline(req: &DeadlineRequest) -> Result<DeadlineResponse, ApiError> {
    let cal = Calendar::with_extra(&req.extra_years)?;
    let month_of = |m: &str| {
        parse_month(m).map_err(|e| ApiError {
            path: "request.rule.month".into(),
            ..e
        })
    };
    let mut out = match &req.rule {
        DeadlineRule::WorkingDaysAfter { from, days } => {
            if *days > 366 {
                return Err(ApiError::invalid(
                    "工作日数过大（上限366）",
                    "too many working days (at most 366)",
                )
                .at("request.rule.days"));
            }
            let (due, skipped) = cal
                .add_working_days(*from, *days)
                .map_err(|e| e.at("request.rule"))?;
            DeadlineResponse {
                due,
                from: None,
                period_to: None,
                due_is_working_day: None,
                holidays_skipped: skipped,
                explanation_zh: format!(
                    "自 {from} 起 {days} 个工作日内（不含当日，跳过周末和法定节假日，调休上班日计入）：{due}"
                ),
                explanation_en: format!(
                    "within {days} working days of {from} (that day not counted; weekends and holidays skipped, adjusted working days counted): {due}"
                ),
                cite: "000 §22; 002 §52; 003 §42".into(),
            }
        }
        DeadlineRule::DayOfNextMonth { month, day } => {
            if !(1..=31).contains(day) {
                return Err(
                    ApiError::invalid("日应在1到31之间", "day must be 1 to 31").at("request.rule.day")
                );
            }
            let next = month_start(month_of(month)?, 1)?;
            let due = day_of_month(next, *day)?;
            DeadlineResponse {
                due,
                from: None,
                period_to: None,
                due_is_working_day: None,
                holidays_skipped: Vec::new(),
                explanation_zh: format!("{month} 的次月{day}日前（含当日，按日历日，不因节假日顺延）：{due}"),
                explanation_en: format!(
                    "by day {day} of the month after {month} (that day included; calendar date, not moved off holidays): {due}"
                ),
                cite: "003 四(一); 003 §43; 002 §52".into(),
            }
        }
        DeadlineRule::EndOfNextMonth { month } => {
            let due = month_end(month_start(month_of(month)?, 1)?)?;
            DeadlineResponse {
                due,
                from: None,
                period_to: None,
                due_is_working_day: None,
                holidays_skipped: Vec::new(),
                explanation_zh: format!("{month} 的次月月底前：{due}"),
                explanation_en: format!("by the end of the month after {month}: {due}"),
                cite: "003 §40; 000 §31(三)".into(),
            }
        }
        DeadlineRule::Period26To25 { date } => {
            let (from, to) = period_26_25(*date)?;
            let generated = day_of_month(month_start(to, 0)?, 26)?;
            let due = day_of_month(month_start(generated, 1)?, 26)?;
            DeadlineResponse {
                due,
                from: Some(from),
                period_to: Some(to),
                due_is_working_day: None,
                holidays_skipped: Vec::new(),
                explanation_zh: format!(
                    "{date} 属于 {from} 至 {to} 的协查期别，汇总表于 {generated} 零时生成，就医地于 {due} 前完成协查"
                ),
                explanation_en: format!(
                    "{date} falls in the period {from} to {to}; the summary is generated at 00:00 on {generated}; answers are due by {due}"
                ),
                cite: "002 §64(二)(三); 003 §45–46".into(),
            }
        }
        DeadlineRule::NextYearQ1 { month } => {
            let m = month_of(month)?;
            let due = NaiveDate::from_ymd_opt(chrono::Datelike::year(&m) + 1, 3, 31)
                .ok_or_else(|| ApiError::new(ErrorCode::Invalid, "日期超出范围", "date out of range"))?;
            DeadlineResponse {
                due,
                from: None,
                period_to: None,
                due_is_working_day: None,
                holidays_skipped: Vec::new(),
                explanation_zh: format!("{month} 所在年度的跨省费用最晚于次年第一季度（{due}）清算完毕"),
                explanation_en: format!(
                    "cross-province costs of {month}'s year cleared by the end of next Q1 ({due})"
                ),
                cite: "003 §43; 003 四(一)".into(),
            }
        }
    };
    out.due_is_working_day = cal.is_working_day(out.due).ok();
    if let Some(c) = &req.cite
        && !c.trim().is_empty()
    {
        out.cite = c.trim().to_string();
    }
    Ok(out)
}

pub fn month_steps(req: &StepsRequest) -> Result<StepsResponse, ApiError> {
    let cal = Calendar::with_extra(&req.extra_years)?;
    let month = parse_month(&req.month)?;
    let resolved = Resolved::for_region(Some(&req.region))?;
    let p = match &resolved.own {
        Some(p) if !p.month_steps.is_empty() => p,
        _ => &resolved.default,
    };
    Ok(StepsResponse {
        region: req.region.code().to_string(),
        month: month.format("%Y-%m").to_string(),
        profile: p.id.clone(),
        profile_name_zh: p.name_zh.clone(),
        profile_name_en: p.name_en.clone(),
        source: p.source.clone(),
        steps: date_steps(&cal, &p.month_steps, month, None, &p.id)?,
    })
}

pub fn years(req: &YearsRequest) -> Result<YearsResponse, ApiError> {
    let cal = Calendar::with_extra(&req.extra_years)?;
    Ok(YearsResponse {
        years: cal
            .years()
            .map(|(year, s)| YearSource {
                year,
                source: s.to_string(),
            })
            .collect(),
    })
}

pub fn collab(req: &CollabRequest) -> Result<CollabResponse, ApiError> {
    let cal = Calendar::with_extra(&req.extra_years)?;
    let resolved = Resolved::for_region(req.region.as_ref())?;
    let (spec, profile) = resolved.source_of(|p| {
        let c = p.collab.as_ref()?;
        match req.kind {
            CollabKind::Filing => c.filing.clone(),
            CollabKind::SystemFault => c.system_fault.clone(),
            CollabKind::Other => c.other.clone(),
        }
    });
    let spec = spec.ok_or_else(|| {
        ApiError::new(
            ErrorCode::Pack,
            "缺少协同时限数据",
            "collaboration deadlines missing",
        )
    })?;
    let (reply_due, _) = cal
        .add_working_days(req.received_on, spec.working_days)
        .map_err(|e| e.at("request.received_on"))?;
    let (auto, _) = resolved.source_of(|p| p.collab.as_ref()?.auto_confirm.clone());
    let (confirm_by, auto_confirmed, confirm_cite) = match (req.result_received_on, auto) {
        (Some(r), Some(a)) => {
            let (by, _) = cal
                .add_working_days(r, a.working_days)
                .map_err(|e| e.at("request.result_received_on"))?;
            let auto_confirmed = req.confirmed_on.map(|c| c > by);
            (Some(by), auto_confirmed, Some(a.cite))
        }
        _ => (None, None, None),
    };
    Ok(CollabResponse {
        kind: req.kind,
        reply_working_days: spec.working_days,
        reply_due,
        reply_cite: spec.cite,
        reply_late: req.replied_on.map(|r| r > reply_due),
        confirm_by,
        auto_confirmed,
        confirm_cite,
        profile,
    })
}
