//! The working-day calendar: statutory holidays and adjusted working weekends (调休) as data, one file per
//! year from the State Council's annual notice, plus deadline arithmetic over it.
//!
//! A date is a working day when it is an adjusted working day, or a Monday–Friday outside every holiday
//! range. Years without data are an error, never a guess: a deadline that runs into an unpublished year
//! must be recomputed once that year's notice is out (pass it as `extra_years`).

use crate::error::{ApiError, ErrorCode};
use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One year of the State Council's holiday arrangement (国务院办公厅关于YYYY年部分节假日安排的通知).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HolidayYear {
    pub year: i32,
    /// The notice the data comes from.
    pub source: String,
    pub holidays: Vec<HolidayRange>,
    /// Weekend days that are working days (调休上班).
    #[serde(default)]
    pub workdays: Vec<AdjustedWorkday>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HolidayRange {
    pub name_zh: String,
    pub name_en: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AdjustedWorkday {
    pub date: NaiveDate,
    pub name_zh: String,
    pub name_en: String,
}

const EMBEDDED_YEARS: [(&str, &str); 4] = [
    (
        "holidays/2023.json",
        include_str!("../../data/calendar/holidays/2023.json"),
    ),
    (
        "holidays/2024.json",
        include_str!("../../data/calendar/holidays/2024.json"),
    ),
    (
        "holidays/2025.json",
        include_str!("../../data/calendar/holidays/2025.json"),
    ),
    (
        "holidays/2026.json",
        include_str!("../../data/calendar/holidays/2026.json"),
    ),
];

/// What kind of day a date is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    Weekday,
    Weekend,
    Holiday,
    AdjustedWorkday,
}

#[derive(Debug, Clone)]
struct DayInfo {
    working: bool,
    name_zh: String,
    name_en: String,
    source: String,
}

/// The calendar: special days and the years it covers.
#[derive(Debug, Clone)]
pub struct Calendar {
    special: BTreeMap<NaiveDate, DayInfo>,
    years: BTreeMap<i32, String>,
}

impl Calendar {
    /// The embedded years (2023–2026) plus `extra` (which may add years or replace an embedded one).
    pub fn with_extra(extra: &[HolidayYear]) -> Result<Calendar, ApiError> {
        let mut by_year: BTreeMap<i32, HolidayYear> = BTreeMap::new();
        for (file, text) in EMBEDDED_YEARS {
            let y: HolidayYear = serde_json::from_str(text).map_err(|e| {
                ApiError::new(
                    ErrorCode::Pack,
                    format!("节假日数据 {file} 有误：{e}"),
                    format!("holiday data {file} is malformed: {e}"),
                )
            })?;
            by_year.insert(y.year, y);
        }
        for (i, y) in extra.iter().enumerate() {
            validate_year(y).map_err(|e| e.at(format!("request.extra_years[{i}]")))?;
            by_year.insert(y.year, y.clone());
        }
        let mut cal = Calendar {
            special: BTreeMap::new(),
            years: BTreeMap::new(),
        };
        for y in by_year.values() {
            cal.years.insert(y.year, y.source.clone());
            for h in &y.holidays {
                let mut d = h.from;
                while d <= h.to {
                    let info = DayInfo {
                        working: false,
                        name_zh: h.name_zh.clone(),
                        name_en: h.name_en.clone(),
                        source: y.source.clone(),
                    };
                    cal.special.insert(d, info);
                    d = next_day(d)?;
                }
            }
            for w in &y.workdays {
                let info = DayInfo {
                    working: true,
                    name_zh: w.name_zh.clone(),
                    name_en: w.name_en.clone(),
                    source: y.source.clone(),
                };
                cal.special.insert(w.date, info);
            }
        }
        Ok(cal)
    }

    /// Years with data, each with its source notice.
    pub fn years(&self) -> impl Iterator<Item = (i32, &str)> {
        self.years.iter().map(|(y, s)| (*y, s.as_str()))
    }

    fn covered(&self, d: NaiveDate) -> Result<(), ApiError> {
        if self.years.contains_key(&d.year()) {
            Ok(())
        } else {
            let have: Vec<String> = self.years.keys().map(|y| y.to_string()).collect();
            Err(ApiError::new(
                ErrorCode::Invalid,
                format!(
                    "没有 {} 年的节假日数据（已有：{}），请以 extra_years 提供国务院办公厅关于{}年部分节假日安排的通知",
                    d.year(),
                    have.join("、"),
                    d.year()
                ),
                format!(
                    "no holiday data for {} (have {}); pass that year's State Council holiday notice as extra_years",
                    d.year(),
                    have.join(", ")
                ),
            ))
        }
    }

    /// Describe a date: working or not, and why.
    pub fn day(&self, d: NaiveDate) -> Result<DayDescription, ApiError> {
        self.covered(d)?;
        let weekend = matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
        Ok(match self.special.get(&d) {
            Some(i) if i.working => DayDescription {
                date: d,
                working: true,
                kind: DayKind::AdjustedWorkday,
                name_zh: Some(i.name_zh.clone()),
                name_en: Some(i.name_en.clone()),
                source: Some(i.source.clone()),
            },
            Some(i) => DayDescription {
                date: d,
                working: false,
                kind: DayKind::Holiday,
                name_zh: Some(i.name_zh.clone()),
                name_en: Some(i.name_en.clone()),
                source: Some(i.source.clone()),
            },
            None => DayDescription {
                date: d,
                working: !weekend,
                kind: if weekend {
                    DayKind::Weekend
                } else {
                    DayKind::Weekday
                },
                name_zh: None,
                name_en: None,
                source: None,
            },
        })
    }

    pub fn is_working_day(&self, d: NaiveDate) -> Result<bool, ApiError> {
        self.covered(d)?;
        Ok(match self.special.get(&d) {
            Some(i) => i.working,
            None => !matches!(d.weekday(), Weekday::Sat | Weekday::Sun),
        })
    }

    /// The `n`th working day after `from` ("within n working days of from"; `from` itself is not counted).
    /// `n = 0` gives `from` itself when it is a working day, else the next working day.
    /// Also returns the non-working days skipped on the way that are holidays (for the explanation).
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> Result<(NaiveDate, Vec<NaiveDate>), ApiError> {
        let mut skipped = Vec::new();
        let mut d = from;
        if n == 0 {
            while !self.is_working_day(d)? {
                if self.special.contains_key(&d) {
                    skipped.push(d);
                }
                d = next_day(d)?;
            }
            return Ok((d, skipped));
        }
        let mut left = n;
        while left > 0 {
            d = next_day(d)?;
            if self.is_working_day(d)? {
                left -= 1;
            } else if self.special.contains_key(&d) {
                skipped.push(d);
            }
        }
        Ok((d, skipped))
    }

    /// Working days in `(from, to]`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> Result<u32, ApiError> {
        let mut n = 0;
        let mut d = from;
        while d < to {
            d = next_day(d)?;
            if self.is_working_day(d)? {
                n += 1;
            }
        }
        Ok(n)
    }
}

/// A date described for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DayDescription {
    pub date: NaiveDate,
    pub working: bool,
    pub kind: DayKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_zh: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
    /// The notice the holiday or adjusted day comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

fn validate_year(y: &HolidayYear) -> Result<(), ApiError> {
    if y.source.trim().is_empty() {
        return Err(ApiError::missing("source"));
    }
    let mut seen = BTreeSet::new();
    for (i, h) in y.holidays.iter().enumerate() {
        if h.to < h.from {
            return Err(ApiError::new(
                ErrorCode::DateOrder,
                "假期结束日早于开始日",
                "holiday range ends before it begins",
            )
            .at(format!("holidays[{i}]")));
        }
        if (h.to - h.from).num_days() > 31 {
            return Err(
                ApiError::invalid("假期超过31天，数据可能有误", "holiday range longer than 31 days")
                    .at(format!("holidays[{i}]")),
            );
        }
        if h.from.year() < y.year - 1 || h.to.year() > y.year {
            return Err(
                ApiError::invalid("假期不在该年度", "holiday range outside its year")
                    .at(format!("holidays[{i}]")),
            );
        }
    }
    // A notice may move a working day into the last days of the year before (the 2019 notice: "2018年12月
    // 29日（星期六）上班"), as its New Year holiday may start there.
    for (i, w) in y.workdays.iter().enumerate() {
        if w.date.year() < y.year - 1 || w.date.year() > y.year || !seen.insert(w.date) {
            return Err(ApiError::invalid(
                "调休上班日不在该年度或重复",
                "adjusted working day outside its year or repeated",
            )
            .at(format!("workdays[{i}]")));
        }
    }
    Ok(())
}

pub(crate) fn next_day(d: NaiveDate) -> Result<NaiveDate, ApiError> {
    d.checked_add_days(Days::new(1)).ok_or_else(date_range_error)
}

pub(crate) fn add_days(d: NaiveDate, n: u64) -> Result<NaiveDate, ApiError> {
    d.checked_add_days(Days::new(n)).ok_or_else(date_range_error)
}

fn date_range_error() -> ApiError {
    ApiError::invalid("日期超出范围", "date out of range")
}

/// First day of the month `offset` months after the month of `d`.
pub(crate) fn month_start(d: NaiveDate, offset: i32) -> Result<NaiveDate, ApiError> {
    let first = d.with_day(1).ok_or_else(date_range_error)?;
    let r = if offset >= 0 {
        first.checked_add_months(Months::new(offset.unsigned_abs()))
    } else {
        first.checked_sub_months(Months::new(offset.unsigned_abs()))
    };
    r.ok_or_else(date_range_error)
}

pub(crate) fn month_end(first: NaiveDate) -> Result<NaiveDate, ApiError> {
    month_start(first, 1)?.pred_opt().ok_or_else(date_range_error)
}

/// Day `day` of the month starting at `first`, clamped to the month's last day.
pub(crate) fn day_of_month(first: NaiveDate, day: u32) -> Result<NaiveDate, ApiError> {
    let last = month_end(first)?;
    first
        .with_day(day.clamp(1, last.day()))
        .ok_or_else(date_range_error)
}

/// Parse "YYYY-MM" into the first day of that month.
pub fn parse_month(s: &str) -> Result<NaiveDate, ApiError> {
    let t = s.trim();
    let parsed = t
        .split_once('-')
        .and_then(|(y, m)| Some((y.parse::<i32>().ok()?, m.parse::<u32>().ok()?)))
        .and_then(|(y, m)| NaiveDate::from_ymd_opt(y, m, 1));
    parsed.ok_or_else(|| {
        ApiError::invalid(
            format!("月份“{s}”应为 YYYY-MM"),
            format!("month \"{s}\" must be YYYY-MM"),
        )
        .at("request.month")
    })
}

/// The 协查 period containing `d`: the 26th of the previous month to the 25th of this month (002 §64(二);
/// 003 §45). Returns (first day, last day).
pub fn period_26_25(d: NaiveDate) -> Result<(NaiveDate, NaiveDate), ApiError> {
    let this_month = month_start(d, 0)?;
    let end_month = if d.day() <= 25 {
        this_month
    } else {
        month_start(d, 1)?
    };
    let end = day_of_month(end_month, 25)?;
    let start = day_of_month(month_start(end_month, -1)?, 26)?;
    Ok((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn embedded_years_load() {
        let c = Calendar::with_extra(&[]).unwrap();
        assert_eq!(
            c.years().map(|(y, _)| y).collect::<Vec<_>>(),
            vec![2023, 2024, 2025, 2026]
        );
        assert!(!c.is_working_day(d("2026-02-16")).unwrap());
        assert!(c.is_working_day(d("2026-02-14")).unwrap());
        assert!(c.is_working_day(d("2026-02-24")).unwrap());
        assert!(c.is_working_day(d("2027-01-04")).is_err());
    }

    #[test]
    fn a_notice_may_move_a_working_day_into_the_year_before() {
        let next = HolidayYear {
            year: 2027,
            source: "test".into(),
            holidays: vec![HolidayRange {
                name_zh: "元旦".into(),
                name_en: "New Year".into(),
                from: d("2027-01-01"),
                to: d("2027-01-03"),
            }],
            workdays: vec![AdjustedWorkday {
                date: d("2026-12-26"),
                name_zh: "元旦调休".into(),
                name_en: "New Year swap".into(),
            }],
        };
        let c = Calendar::with_extra(&[next]).unwrap();
        assert!(
            c.is_working_day(d("2026-12-26")).unwrap(),
            "a Saturday made a working day"
        );
        assert!(!c.is_working_day(d("2027-01-01")).unwrap());
    }

    #[test]
    fn working_days_skip_spring_festival() {
        let c = Calendar::with_extra(&[]).unwrap();
        // Fri 2026-02-13 + 1 → Sat 02-14 (调休上班); + 2 → Tue 02-24 (holiday 15–23).
        assert_eq!(c.add_working_days(d("2026-02-13"), 1).unwrap().0, d("2026-02-14"));
        assert_eq!(c.add_working_days(d("2026-02-13"), 2).unwrap().0, d("2026-02-24"));
        assert_eq!(c.add_working_days(d("2026-02-15"), 0).unwrap().0, d("2026-02-24"));
        assert_eq!(
            c.working_days_between(d("2026-02-13"), d("2026-02-24")).unwrap(),
            2
        );
    }

    #[test]
    fn periods() {
        assert_eq!(
            period_26_25(d("2026-10-26")).unwrap(),
            (d("2026-10-26"), d("2026-11-25"))
        );
        assert_eq!(
            period_26_25(d("2026-10-25")).unwrap(),
            (d("2026-09-26"), d("2026-10-25"))
        );
        assert_eq!(
            period_26_25(d("2026-01-03")).unwrap(),
            (d("2025-12-26"), d("2026-01-25"))
        );
        assert_eq!(parse_month("2026-10").unwrap(), d("2026-10-01"));
        assert!(parse_month("2026-13").is_err());
    }
}
