//! Per-province agency profiles: the prepayment rule, warning thresholds, the dated steps of the monthly
//! clearing, payment deadlines, collaboration and 协查 parameters — each value with its citation.
//!
//! Profiles are data (core/data/calendar/profiles/*.json). A province without a value of its own falls
//! back to the default profile, which holds only rules the seeds share, and the answer says so.

use super::calendar::{Calendar, add_days, day_of_month, month_end, month_start};
use crate::codes::Admdvs;
use crate::error::{ApiError, ErrorCode};
use crate::money::Dec;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

const EMBEDDED: [(&str, &str); 5] = [
    (
        "profiles/default.json",
        include_str!("../../data/calendar/profiles/default.json"),
    ),
    (
        "profiles/230000.json",
        include_str!("../../data/calendar/profiles/230000.json"),
    ),
    (
        "profiles/330000.json",
        include_str!("../../data/calendar/profiles/330000.json"),
    ),
    (
        "profiles/430000.json",
        include_str!("../../data/calendar/profiles/430000.json"),
    ),
    (
        "profiles/610000.json",
        include_str!("../../data/calendar/profiles/610000.json"),
    ),
];

#[derive(Debug, Clone, Deserialize)]
pub struct Profile {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub source: String,
    pub prepayment: Option<PrepaymentRuleSpec>,
    pub warning: Option<WarningSpec>,
    pub prepayment_deadlines: Option<PrepaymentDeadlines>,
    #[serde(default)]
    pub month_steps: Vec<StepSpec>,
    pub collab: Option<CollabSpec>,
    pub xiecha: Option<XiechaSpec>,
}

/// How the annual prepayment is sized.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PrepaymentRule {
    /// Twice the monthly average of last year's Q4 settled fund amounts (002 §25; 003 §27).
    Q4MonthlyAvgX2,
    /// Two months of last year's costs (000 §17; 001 §24).
    TwoMonthsLastYear,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PrepaymentRuleSpec {
    pub rule: PrepaymentRule,
    pub cite: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct WarningSpec {
    pub yellow: Dec,
    pub red: Dec,
    pub cite: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct PrepaymentDeadlines {
    #[serde(default)]
    pub annual: Vec<StepSpec>,
    #[serde(default)]
    pub top_up: Vec<StepSpec>,
}

/// One dated step. Its date is: day `day` (or the last day) of the month `month_offset` after the anchor
/// month; or of `fixed_month` in the anchor's year plus `year_offset`; or `working_days` after step `after`.
#[derive(Debug, Clone, Deserialize)]
pub struct StepSpec {
    pub id: String,
    /// `by` (on or before), `on`, `from_to` (a window ending on `until_day`).
    pub kind: String,
    #[serde(default)]
    pub month_offset: Option<i32>,
    #[serde(default)]
    pub year_offset: Option<i32>,
    #[serde(default)]
    pub fixed_month: Option<u32>,
    #[serde(default)]
    pub day: Option<u32>,
    #[serde(default)]
    pub until_day: Option<u32>,
    #[serde(default)]
    pub month_end: Option<bool>,
    #[serde(default)]
    pub after: Option<String>,
    #[serde(default)]
    pub working_days: Option<u32>,
    pub what_zh: String,
    pub what_en: String,
    pub cite: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DaysSpec {
    pub working_days: u32,
    pub cite: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CollabSpec {
    pub filing: Option<DaysSpec>,
    pub system_fault: Option<DaysSpec>,
    pub other: Option<DaysSpec>,
    pub auto_confirm: Option<DaysSpec>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct XiechaSpec {
    pub cross_province_threshold: Option<Dec>,
    pub cross_province_cite: Option<String>,
    pub intra_province_threshold: Option<Dec>,
    pub intra_province_cite: Option<String>,
    pub period_cite: Option<String>,
    pub answer_cite: Option<String>,
    pub late_intra_counts_as_no_error: Option<bool>,
    pub late_cite: Option<String>,
    pub incomplete_days: Option<u32>,
    pub incomplete_cite: Option<String>,
    pub confirm_working_days: Option<u32>,
    pub confirm_cite: Option<String>,
}

/// All embedded profiles, keyed by id ("default", "610000" …).
pub fn profiles() -> Result<BTreeMap<String, Profile>, ApiError> {
    let mut out = BTreeMap::new();
    for (file, text) in EMBEDDED {
        let p: Profile = serde_json::from_str(text).map_err(|e| {
            ApiError::new(
                ErrorCode::Pack,
                format!("经办日历数据 {file} 有误：{e}"),
                format!("agency profile {file} is malformed: {e}"),
            )
        })?;
        out.insert(p.id.clone(), p);
    }
    Ok(out)
}

/// The profile of the region's province and the default profile.
pub struct Resolved {
    pub own: Option<Profile>,
    pub default: Profile,
}

impl Resolved {
    pub fn for_region(region: Option<&Admdvs>) -> Result<Resolved, ApiError> {
        let mut all = profiles()?;
        let default = all.remove("default").ok_or_else(|| {
            ApiError::new(
                ErrorCode::Pack,
                "缺少默认经办日历数据",
                "the default agency profile is missing",
            )
        })?;
        let own = region.and_then(|r| all.remove(&format!("{}0000", r.province())));
        Ok(Resolved { own, default })
    }

    /// The id of the profile a value came from.
    pub fn source_of<T>(&self, pick: impl Fn(&Profile) -> Option<T>) -> (Option<T>, String) {
        if let Some(own) = &self.own
            && let Some(v) = pick(own)
        {
            return (Some(v), own.id.clone());
        }
        (pick(&self.default), self.default.id.clone())
    }
}

/// A step with its date, as answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DatedStep {
    pub id: String,
    /// `by` (on or before the date), `on`, `from_to` (from `date` to `until`).
    pub kind: String,
    /// Absent when a working-day chain runs into a year without holiday data (see `note_*`).
    pub date: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
    /// Whether `date` is a working day (calendar-day deadlines in the seeds are not moved off holidays).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub working_day: Option<bool>,
    pub what_zh: String,
    pub what_en: String,
    pub cite: String,
    /// Which profile the step comes from.
    pub profile: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note_zh: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note_en: Option<String>,
}

/// Date a list of steps: calendar-day steps from `anchor` (a month's first day or a notice date), working-day
/// steps after an earlier step or after `"notice"` = `notice_date`.
pub fn date_steps(
    cal: &Calendar,
    steps: &[StepSpec],
    anchor: NaiveDate,
    notice_date: Option<NaiveDate>,
    profile_id: &str,
) -> Result<Vec<DatedStep>, ApiError> {
    let mut done: BTreeMap<String, NaiveDate> = BTreeMap::new();
    let mut unresolved: BTreeMap<String, String> = BTreeMap::new();
    if let Some(n) = notice_date {
        done.insert("notice".to_string(), n);
    }
    let mut out = Vec::new();
    for s in steps {
        let mut note = None;
        let (date, until) = if let Some(after) = &s.after {
            match (done.get(after).copied(), unresolved.get(after)) {
                (Some(base), _) => match cal.add_working_days(base, s.working_days.unwrap_or(0)) {
                    Ok((d, _)) => (Some(d), None),
                    // The chain runs into a year whose holidays are not published yet: say so, don't guess.
                    Err(e) => {
                        note = Some((e.message_zh, e.message_en));
                        (None, None)
                    }
                },
                (None, Some(_)) => {
                    note = Some((
                        format!("依赖的步骤 {after} 日期未定"),
                        format!("depends on step {after}, whose date is unknown"),
                    ));
                    (None, None)
                }
                (None, None) if after == "notice" => continue,
                (None, None) => {
                    return Err(ApiError::new(
                        ErrorCode::Pack,
                        format!("步骤 {} 引用了未定义的步骤 {after}", s.id),
                        format!("step {} refers to undefined step {after}", s.id),
                    ));
                }
            }
        } else {
            let first = if let Some(m) = s.fixed_month {
                let y = anchor.year() + s.year_offset.unwrap_or(0);
                NaiveDate::from_ymd_opt(y, m, 1).ok_or_else(|| {
                    ApiError::new(
                        ErrorCode::Pack,
                        format!("步骤 {} 的月份有误", s.id),
                        format!("step {} has a bad month", s.id),
                    )
                })?
            } else {
                month_start(
                    anchor,
                    s.month_offset.unwrap_or(0) + 12 * s.year_offset.unwrap_or(0),
                )?
            };
            let d = if s.month_end == Some(true) {
                month_end(first)?
            } else {
                day_of_month(first, s.day.unwrap_or(1))?
            };
            let until = match s.until_day {
                Some(u) => Some(day_of_month(first, u)?),
                None => None,
            };
            (Some(d), until)
        };
        match date {
            Some(d) => {
                done.insert(s.id.clone(), d);
            }
            None => {
                unresolved.insert(s.id.clone(), String::new());
            }
        }
        // Dates in a year without holiday data still get their date, only without the working-day flag.
        let working_day = date.and_then(|d| cal.is_working_day(d).ok());
        let (note_zh, note_en) = match note {
            Some((z, e)) => (Some(z), Some(e)),
            None => (None, None),
        };
        out.push(DatedStep {
            id: s.id.clone(),
            kind: s.kind.clone(),
            date,
            until,
            working_day,
            what_zh: s.what_zh.clone(),
            what_en: s.what_en.clone(),
            cite: s.cite.clone(),
            profile: profile_id.to_string(),
            note_zh,
            note_en,
        });
    }
    Ok(out)
}

/// Calendar days after a date (used by rules counted in plain days, e.g. 5 日 in 002 §64(三)2).
pub fn plus_days(d: NaiveDate, n: u32) -> Result<NaiveDate, ApiError> {
    add_days(d, u64::from(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_profiles_parse_and_date() {
        let cal = Calendar::with_extra(&[]).unwrap();
        let all = profiles().unwrap();
        assert_eq!(all.len(), 5);
        let anchor = NaiveDate::from_ymd_opt(2026, 9, 1).unwrap();
        for p in all.values() {
            date_steps(&cal, &p.month_steps, anchor, None, &p.id).unwrap();
            if let Some(pd) = &p.prepayment_deadlines {
                date_steps(&cal, &pd.annual, anchor, Some(anchor), &p.id).unwrap();
                date_steps(&cal, &pd.top_up, anchor, Some(anchor), &p.id).unwrap();
            }
        }
    }
}
