//! Monthly clearing: a month's settlement records → per-counterpart receivable and payable notices,
//! netting (轧差) at province level for cross-province flows and between cities inside a province, the
//! dated steps of the region's clearing calendar, and the double-entry journal of the movements.
//!
//! Money is summed exactly (records must be exact to the fen), so every total reconciles to the fen:
//! what all parties receive equals what all pay, in every scope.

use super::calendar::{Calendar, HolidayYear, month_end, parse_month};
use super::profile::{DatedStep, Resolved, date_steps};
use super::records::{SettlementRecord, parse_csv_numbered, parse_ndjson_numbered};
use crate::codes::Admdvs;
use crate::error::{ApiError, ErrorCode};
use crate::money::{Money, daxie};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Request of `clearing.month`.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MonthRequest {
    /// The clearing month (数据期别), `YYYY-MM`.
    pub month: String,
    /// The agency asking: its notices only (a province-level code keeps its province's notices too), and
    /// its province's clearing calendar. Absent: every party, and the calendar of every province in the
    /// data that has a profile.
    #[serde(default)]
    pub region: Option<Admdvs>,
    /// The month's settlement records (reversals and returns negative).
    #[serde(default)]
    pub records: Vec<SettlementRecord>,
    /// Flow totals from earlier `clearing.aggregate` calls (for months too large for one request).
    #[serde(default)]
    pub partials: Vec<PairTotal>,
    /// Records as NDJSON text, read by the core (`records`, `ndjson`, `csv` and `partials` add up).
    #[serde(default)]
    pub ndjson: Option<String>,
    /// Records as CSV text with a header row.
    #[serde(default)]
    pub csv: Option<String>,
    /// Clear personal-account payments (`acct_pay`) together with fund payments.
    #[serde(default)]
    pub include_acct_pay: bool,
    /// Names to print beside region codes, e.g. {"610100": "西安市医疗保障经办服务中心"}.
    #[serde(default)]
    pub names: BTreeMap<String, String>,
    /// The print date on the notices (打印时间); the core has no clock.
    #[serde(default)]
    pub printed_on: Option<NaiveDate>,
    /// Holiday years beyond the embedded ones.
    #[serde(default)]
    pub extra_years: Vec<HolidayYear>,
    /// Prepayments held, for the usage-rate warnings of the month (000 §21; 003 §30). The month's
    /// clearing amount of a party is the 实际支付 of its payable notice in that scope and level for its own
    /// insured: the starred rows, money it returns as a treatment place, are left out, since the prepayment
    /// pays for its own insured's costs elsewhere (000 §17).
    #[serde(default)]
    pub prepayments: Vec<PrepaymentHeld>,
    /// Also return the notices as CSV and printable HTML, the netting and the journal as CSV.
    #[serde(default)]
    pub render: bool,
}

/// A prepayment an insured place holds with the clearing level above it (跨省 and 省内 are separate,
/// 000 §17; 002 §24).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PrepaymentHeld {
    /// A province (`XX0000`: its province-level cross-province notices) or a city.
    pub party: Admdvs,
    pub scope: Scope,
    pub amount: Money,
}

/// The usage warning of one held prepayment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PrepaymentWarning {
    pub party: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub party_name: Option<String>,
    pub scope: Scope,
    pub prepayment: Money,
    /// The party's payable total this month (0 when it has no payable notice).
    pub month_clearing: Money,
    pub usage: super::prepayment::Usage,
}

/// Request of `clearing.aggregate`: records in, additive flow totals out.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AggregateRequest {
    pub month: String,
    #[serde(default)]
    pub records: Vec<SettlementRecord>,
    /// Records as NDJSON text (a chunk of a file), read by the core itself.
    #[serde(default)]
    pub ndjson: Option<String>,
    /// Records as CSV text with its header row (repeat the header in each chunk).
    #[serde(default)]
    pub csv: Option<String>,
    /// File lines before this chunk, so that errors name the line of the file (for CSV: before the
    /// chunk's first data line, minus one for the repeated header).
    #[serde(default)]
    pub line_offset: usize,
    #[serde(default)]
    pub include_acct_pay: bool,
}

/// 人次 and the three amounts of a notice row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Amounts {
    /// 人次: settlements minus reversals.
    pub psn_times: i64,
    /// 医保基金支付金额.
    pub fund_pay: Money,
    /// 扣减金额.
    pub deduct: Money,
    /// 实际支付金额 = fund_pay − deduct.
    pub actual_pay: Money,
}

impl Amounts {
    fn add(&mut self, o: &Amounts) {
        self.psn_times += o.psn_times;
        self.fund_pay += o.fund_pay;
        self.deduct += o.deduct;
        self.actual_pay += o.actual_pay;
    }
    fn neg(&self) -> Amounts {
        Amounts {
            psn_times: -self.psn_times,
            fund_pay: -self.fund_pay,
            deduct: -self.deduct,
            actual_pay: -self.actual_pay,
        }
    }
}

/// The flow from one insured-place city to one treatment-place city (additive across chunks).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PairTotal {
    /// 参保地 (city level; a municipality is its province code).
    pub insured: Admdvs,
    /// 就医地 (city level).
    pub treatment: Admdvs,
    #[serde(flatten)]
    pub amounts: Amounts,
}

/// Counts of what the records held.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RecordCounts {
    pub read: u64,
    pub cleared: u64,
    /// Insured and treatment place in one pooling area: not 异地, not cleared between regions (003 §2).
    pub same_pooling_area: u64,
    /// Settled outside the month: left out.
    pub outside_month: u64,
    /// No usable `setl_time`: cleared, flagged.
    pub undated: u64,
    /// Records with negative amounts: reversals (冲销) and returns (退费/返还).
    pub negative: u64,
}

/// A warning about the input, with a few examples.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Note {
    pub code: String,
    pub message_zh: String,
    pub message_en: String,
    pub count: u64,
    pub examples: Vec<String>,
}

/// Answer of `clearing.aggregate`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AggregateResponse {
    pub month: String,
    pub counts: RecordCounts,
    pub partials: Vec<PairTotal>,
    pub notes: Vec<Note>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// 跨省.
    CrossProvince,
    /// 省内.
    IntraProvince,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// The provincial agency's notice (counterparts are provinces).
    Province,
    /// A city agency's notice.
    City,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// 收款通知书.
    Receivable,
    /// 付款通知书.
    Payable,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NoticeRow {
    pub counterpart: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counterpart_name: Option<String>,
    /// The amounts are returned money (002 §56): printed with `*` beside the counterpart.
    pub star: bool,
    #[serde(flatten)]
    pub amounts: Amounts,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Notice {
    pub kind: NoticeKind,
    pub scope: Scope,
    pub level: Level,
    pub party: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub party_name: Option<String>,
    /// 数据期别.
    pub period: String,
    pub title_zh: String,
    pub title_en: String,
    /// Heading of the counterpart column.
    pub counterpart_heading_zh: String,
    pub cite: String,
    pub rows: Vec<NoticeRow>,
    pub total: Amounts,
    /// 实际支付金额 合计 in upper case (大写).
    pub total_daxie: String,
}

/// One party's line of a netting table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NetLine {
    pub party: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub party_name: Option<String>,
    /// Its receivable notice totals (as 就医地, plus returns due to it).
    pub receivable: Amounts,
    /// Its payable notice totals (as 参保地, plus returns it owes).
    pub payable: Amounts,
    /// receivable.actual_pay − payable.actual_pay: > 0 it receives, < 0 it pays.
    pub net: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NettingTable {
    pub scope: Scope,
    pub level: Level,
    /// The province the table belongs to (intra-province and city tables); absent for the national table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub province: Option<String>,
    pub title_zh: String,
    pub title_en: String,
    pub cite: String,
    pub lines: Vec<NetLine>,
    /// Σ net; zero for a closed table (national, intra-province), the province's net for city tables.
    pub net_total: Money,
}

/// A reconciliation check: Σ receivable notices = Σ payable notices in one scope and level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Reconciliation {
    pub scope: Scope,
    pub level: Level,
    pub receivable_total: Amounts,
    pub payable_total: Amounts,
    pub balanced: bool,
}

/// A double-entry journal line (000 §33): one movement of money, debit and credit of the same amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct JournalEntry {
    pub seq: u32,
    pub movement: String,
    pub party: String,
    /// Whose books (账套).
    pub book_zh: String,
    pub debit_zh: String,
    pub credit_zh: String,
    pub amount: Money,
    pub memo_zh: String,
    pub memo_en: String,
    pub cite: String,
}

/// Rendered files (when `render` is set).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Rendered {
    pub notices_csv: String,
    pub notices_html: String,
    pub netting_csv: String,
    pub journal_csv: String,
}

/// Answer of `clearing.month`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MonthResponse {
    pub month: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub printed_on: Option<NaiveDate>,
    pub include_acct_pay: bool,
    pub counts: RecordCounts,
    pub notes: Vec<Note>,
    pub notices: Vec<Notice>,
    pub netting: Vec<NettingTable>,
    pub reconciliation: Vec<Reconciliation>,
    /// True when every reconciliation balances and every closed netting table sums to zero.
    pub balanced: bool,
    pub calendar: Vec<DatedStep>,
    /// Usage-rate warnings of the prepayments given in the request.
    pub prepayment_warnings: Vec<PrepaymentWarning>,
    pub journal: Vec<JournalEntry>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rendered: Option<Rendered>,
}

/// Accumulates records into flow totals; feed it in chunks of any size.
#[derive(Debug, Default)]
pub struct Aggregator {
    month_first: Option<NaiveDate>,
    month_last: Option<NaiveDate>,
    include_acct_pay: bool,
    // Keyed by numeric city codes: no allocation per record on the hot path.
    flows: HashMap<(u32, u32), Amounts>,
    cities: HashMap<u32, Admdvs>,
    counts: RecordCounts,
    outside: Vec<String>,
    undated: Vec<String>,
}

const EXAMPLES: usize = 5;

impl Aggregator {
    pub fn new(month: NaiveDate, include_acct_pay: bool) -> Result<Aggregator, ApiError> {
        Ok(Aggregator {
            month_first: Some(month),
            month_last: Some(month_end(month)?),
            include_acct_pay,
            ..Aggregator::default()
        })
    }

    /// Add one record; `index` names it in errors.
    pub fn add(&mut self, index: usize, r: &SettlementRecord) -> Result<(), ApiError> {
        self.add_labelled(r, &|| format!("request.records[{index}]"), &|| {
            format!("#{index}")
        })
    }

    /// Add one record read from text at file line `line`.
    pub fn add_line(&mut self, line: usize, r: &SettlementRecord) -> Result<(), ApiError> {
        self.add_labelled(r, &|| format!("line {line}"), &|| format!("line {line}"))
    }

    fn add_labelled(
        &mut self,
        r: &SettlementRecord,
        path: &dyn Fn() -> String,
        label: &dyn Fn() -> String,
    ) -> Result<(), ApiError> {
        r.check_amounts().map_err(|e| e.at(path()))?;
        self.counts.read += 1;
        let id = || r.setl_id.clone().unwrap_or_else(label);
        match r.setl_date() {
            Some(d) => {
                if self.month_first.is_some_and(|f| d < f) || self.month_last.is_some_and(|l| d > l) {
                    self.counts.outside_month += 1;
                    if self.outside.len() < EXAMPLES {
                        self.outside.push(id());
                    }
                    return Ok(());
                }
            }
            None => {
                self.counts.undated += 1;
                if self.undated.len() < EXAMPLES {
                    self.undated.push(id());
                }
            }
        }
        let (ik, tk) = (
            self.city_key(&r.insuplc_admdvs),
            self.city_key(&r.mdtrtarea_admvs),
        );
        // Same city key ⇔ same pooling area (a municipality is one pooling area).
        if ik == tk {
            self.counts.same_pooling_area += 1;
            return Ok(());
        }
        let fund = r.fund_amount(self.include_acct_pay);
        let deduct = r.deduct_amt.unwrap_or(Money::ZERO);
        let actual = fund - deduct;
        // A record whose amounts are negative reverses (or returns) a settlement: it takes one 人次 back.
        let sign = if actual.is_negative() || (actual.is_zero() && fund.is_negative()) {
            self.counts.negative += 1;
            -1
        } else {
            1
        };
        let a = Amounts {
            psn_times: sign,
            fund_pay: fund,
            deduct,
            actual_pay: actual,
        };
        self.flows.entry((ik, tk)).or_default().add(&a);
        self.counts.cleared += 1;
        Ok(())
    }

    /// Add flow totals from an earlier aggregation.
    pub fn add_partial(&mut self, index: usize, p: &PairTotal) -> Result<(), ApiError> {
        let a = &p.amounts;
        if ![a.fund_pay, a.deduct, a.actual_pay]
            .iter()
            .all(|m| m.is_fen_exact())
        {
            return Err(ApiError::new(
                ErrorCode::Amount,
                "汇总数据的金额不是精确到分的金额",
                "partial total: an amount is not exact to the fen",
            )
            .at(format!("request.partials[{index}]")));
        }
        if p.amounts.actual_pay != p.amounts.fund_pay - p.amounts.deduct {
            return Err(ApiError::new(
                ErrorCode::Amount,
                "汇总数据的实际支付金额不等于基金支付减扣减",
                "partial total: actual_pay differs from fund_pay − deduct",
            )
            .at(format!("request.partials[{index}]")));
        }
        if p.insured.same_pooling_area(&p.treatment) {
            return Err(ApiError::invalid(
                "汇总数据的参保地与就医地相同",
                "partial total within one pooling area",
            )
            .at(format!("request.partials[{index}]")));
        }
        let key = (self.city_key(&p.insured), self.city_key(&p.treatment));
        self.flows.entry(key).or_default().add(&p.amounts);
        Ok(())
    }

    /// The city-level code as a number (`610113` → 610100; municipalities → `XX0000`), remembered so
    /// that the flows can name it again.
    fn city_key(&mut self, a: &Admdvs) -> u32 {
        let digits = |s: &str| {
            s.bytes()
                .fold(0u32, |n, b| n * 10 + u32::from(b.wrapping_sub(b'0')))
        };
        let code = a.code();
        let key = if a.is_municipality() {
            digits(code.get(..2).unwrap_or("")) * 10_000
        } else {
            digits(code.get(..4).unwrap_or("")) * 100
        };
        self.cities.entry(key).or_insert_with(|| a.city());
        key
    }

    pub fn notes(&self) -> Vec<Note> {
        let mut notes = Vec::new();
        if self.counts.outside_month > 0 {
            notes.push(Note {
                code: "outside_month".into(),
                message_zh: "结算时间不在本清算月的记录未纳入本期清算".into(),
                message_en: "records settled outside the clearing month were left out".into(),
                count: self.counts.outside_month,
                examples: self.outside.clone(),
            });
        }
        if self.counts.undated > 0 {
            notes.push(Note {
                code: "undated".into(),
                message_zh: "记录缺少有效的结算时间 setl_time，已按本月纳入清算".into(),
                message_en: "records without a valid setl_time were cleared in this month".into(),
                count: self.counts.undated,
                examples: self.undated.clone(),
            });
        }
        if self.counts.same_pooling_area > 0 {
            notes.push(Note {
                code: "same_pooling_area".into(),
                message_zh: "参保地与就医地属同一统筹区的记录不属于异地就医，未纳入地区间清算".into(),
                message_en: "records within one pooling area are not cross-region and were not cleared"
                    .into(),
                count: self.counts.same_pooling_area,
                examples: Vec::new(),
            });
        }
        notes
    }

    /// The flows, sorted by (insured, treatment).
    pub fn partials(&self) -> Vec<PairTotal> {
        let sorted: BTreeMap<&(u32, u32), &Amounts> = self.flows.iter().collect();
        sorted
            .into_iter()
            .filter_map(|((i, t), a)| {
                Some(PairTotal {
                    insured: self.cities.get(i)?.clone(),
                    treatment: self.cities.get(t)?.clone(),
                    amounts: *a,
                })
            })
            .collect()
    }

    pub fn counts(&self) -> &RecordCounts {
        &self.counts
    }
}

/// `clearing.aggregate`.
/// Feed records given as text to the aggregator.
fn add_text(
    agg: &mut Aggregator,
    ndjson: Option<&str>,
    csv: Option<&str>,
    line_offset: usize,
) -> Result<(), ApiError> {
    if let Some(t) = ndjson {
        for (line, r) in parse_ndjson_numbered(t, line_offset).map_err(|e| e.at("request.ndjson"))? {
            agg.add_line(line, &r).map_err(|e| e.at("request.ndjson"))?;
        }
    }
    if let Some(t) = csv {
        for (line, r) in parse_csv_numbered(t, line_offset).map_err(|e| e.at("request.csv"))? {
            agg.add_line(line, &r).map_err(|e| e.at("request.csv"))?;
        }
    }
    Ok(())
}

pub fn aggregate(req: &AggregateRequest) -> Result<AggregateResponse, ApiError> {
    let month = parse_month(&req.month)?;
    let mut agg = Aggregator::new(month, req.include_acct_pay)?;
    for (i, r) in req.records.iter().enumerate() {
        agg.add(i, r)?;
    }
    add_text(
        &mut agg,
        req.ndjson.as_deref(),
        req.csv.as_deref(),
        req.line_offset,
    )?;
    Ok(AggregateResponse {
        month: req.month.trim().to_string(),
        counts: agg.counts.clone(),
        partials: agg.partials(),
        notes: agg.notes(),
    })
}

/// `clearing.month`.
pub fn clear_month(req: &MonthRequest) -> Result<MonthResponse, ApiError> {
    let month = parse_month(&req.month)?;
    let mut agg = Aggregator::new(month, req.include_acct_pay)?;
    for (i, r) in req.records.iter().enumerate() {
        agg.add(i, r)?;
    }
    add_text(&mut agg, req.ndjson.as_deref(), req.csv.as_deref(), 0)?;
    for (i, p) in req.partials.iter().enumerate() {
        agg.add_partial(i, p)?;
    }
    let cal = Calendar::with_extra(&req.extra_years)?;
    finish(req, month, &agg, &cal)
}

/// Embedded names of provinces and of the seed provinces' cities (core/data/calendar/regions.json).
pub fn region_names() -> Result<BTreeMap<String, String>, ApiError> {
    #[derive(Deserialize)]
    struct Names {
        names: BTreeMap<String, String>,
    }
    let n: Names = serde_json::from_str(include_str!("../../data/calendar/regions.json")).map_err(|e| {
        ApiError::new(
            ErrorCode::Pack,
            format!("地区名称数据 regions.json 有误：{e}"),
            format!("region names regions.json malformed: {e}"),
        )
    })?;
    Ok(n.names)
}

fn province_code(a: &Admdvs) -> String {
    format!("{}0000", a.province())
}

/// Which side of a flow a party is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Role {
    /// 参保地: owes the money.
    Payer,
    /// 就医地: is owed the money.
    Receiver,
}

/// (party, counterpart, role) → amounts, for one scope and level.
type SideMap = BTreeMap<(String, String, Role), Amounts>;

struct ScopeFlows {
    scope: Scope,
    level: Level,
    sides: SideMap,
}

fn both_sides(m: &mut SideMap, payer: &str, receiver: &str, a: &Amounts) {
    m.entry((payer.to_string(), receiver.to_string(), Role::Payer))
        .or_default()
        .add(a);
    m.entry((receiver.to_string(), payer.to_string(), Role::Receiver))
        .or_default()
        .add(a);
}

fn build_scopes(partials: &[PairTotal]) -> Vec<ScopeFlows> {
    let mut cross_prov = SideMap::new();
    let mut cross_city = SideMap::new();
    let mut intra = SideMap::new();
    for p in partials {
        let (i, t) = (p.insured.code(), p.treatment.code());
        if p.insured.same_province(&p.treatment) {
            both_sides(&mut intra, i, t, &p.amounts);
        } else {
            let (pi, pt) = (province_code(&p.insured), province_code(&p.treatment));
            both_sides(&mut cross_prov, &pi, &pt, &p.amounts);
            // A city's cross-province notices name counterpart provinces (000 §31(三); 002 §53).
            cross_city
                .entry((i.to_string(), pt, Role::Payer))
                .or_default()
                .add(&p.amounts);
            cross_city
                .entry((t.to_string(), pi, Role::Receiver))
                .or_default()
                .add(&p.amounts);
        }
    }
    vec![
        ScopeFlows {
            scope: Scope::CrossProvince,
            level: Level::Province,
            sides: cross_prov,
        },
        ScopeFlows {
            scope: Scope::CrossProvince,
            level: Level::City,
            sides: cross_city,
        },
        ScopeFlows {
            scope: Scope::IntraProvince,
            level: Level::City,
            sides: intra,
        },
    ]
}

fn notice_titles(
    kind: NoticeKind,
    scope: Scope,
    level: Level,
) -> (&'static str, &'static str, &'static str, &'static str) {
    match (kind, scope, level) {
        (NoticeKind::Receivable, Scope::IntraProvince, _) => (
            "省内异地就医费用收款通知书（就医地）",
            "Intra-province cross-region medical costs: receivable notice (treatment place)",
            "参保地",
            "002 附件16; 002 §54–55; 003 §40",
        ),
        (NoticeKind::Payable, Scope::IntraProvince, _) => (
            "省内异地就医费用付款通知书（参保地）",
            "Intra-province cross-region medical costs: payable notice (insured place)",
            "就医地",
            "002 附件17; 002 §55; 003 §40",
        ),
        (NoticeKind::Receivable, Scope::CrossProvince, Level::Province) => (
            "{province}跨省异地就医费用收款通知书",
            "Cross-province medical costs: receivable notice (province)",
            "参保地（省级）",
            "002 §52 附件10; 002 §56",
        ),
        (NoticeKind::Payable, Scope::CrossProvince, Level::Province) => (
            "{province}跨省异地就医费用付款通知书",
            "Cross-province medical costs: payable notice (province)",
            "就医地（省级）",
            "002 §52 附件11; 002 §56; 003 §41",
        ),
        (NoticeKind::Receivable, Scope::CrossProvince, Level::City) => (
            "{province}{city}跨省异地就医费用收款通知书",
            "Cross-province medical costs: receivable notice (city)",
            "参保地（省级）",
            "000 §31(三) 附件5; 002 §53; 002 §56",
        ),
        (NoticeKind::Payable, Scope::CrossProvince, Level::City) => (
            "{province}{city}跨省异地就医费用付款通知书",
            "Cross-province medical costs: payable notice (city)",
            "就医地（省级）",
            "000 §31(三) 附件6; 002 §53; 002 §56",
        ),
    }
}

/// Put the party's names into a title template (the seeds' 《省(区、市)跨省…》 and 《黑龙江省 市跨省…》).
fn fill_title(template: &str, party: &str, names: &BTreeMap<String, String>) -> String {
    let prov_code = format!("{}0000", party.get(..2).unwrap_or("00"));
    let province = names.get(&prov_code).cloned().unwrap_or(prov_code.clone());
    // A municipality or a province-level party has no separate city name.
    let city = if party == prov_code {
        String::new()
    } else {
        names.get(party).cloned().unwrap_or(party.to_string())
    };
    template.replace("{province}", &province).replace("{city}", &city)
}

fn make_notices(
    sf: &ScopeFlows,
    period: &str,
    names: &BTreeMap<String, String>,
) -> Result<Vec<Notice>, ApiError> {
    // (party, kind) → rows keyed by (counterpart, star)
    let mut books: BTreeMap<(String, NoticeKind), BTreeMap<(String, bool), Amounts>> = BTreeMap::new();
    for ((party, counterpart, role), a) in &sf.sides {
        if *a == Amounts::default() {
            // Fully reversed within the month: nothing to clear, no row.
            continue;
        }
        // Money the treatment place returns (002 §56) goes on its payable notice and on the insured
        // place's receivable notice, starred, as positive amounts.
        let returned = a.actual_pay.is_negative();
        let (kind, amounts) = match (role, returned) {
            (Role::Payer, false) => (NoticeKind::Payable, *a),
            (Role::Receiver, false) => (NoticeKind::Receivable, *a),
            (Role::Payer, true) => (NoticeKind::Receivable, a.neg()),
            (Role::Receiver, true) => (NoticeKind::Payable, a.neg()),
        };
        books
            .entry((party.clone(), kind))
            .or_default()
            .entry((counterpart.clone(), returned))
            .or_default()
            .add(&amounts);
    }
    let mut out = Vec::new();
    for ((party, kind), rows) in books {
        let (tz, te, heading, cite) = notice_titles(kind, sf.scope, sf.level);
        let mut total = Amounts::default();
        let rows: Vec<NoticeRow> = rows
            .into_iter()
            .map(|((cp, star), amounts)| {
                total.add(&amounts);
                NoticeRow {
                    counterpart_name: names.get(&cp).cloned(),
                    counterpart: cp,
                    star,
                    amounts,
                }
            })
            .collect();
        let total_daxie = daxie(total.actual_pay).ok_or_else(|| {
            ApiError::new(
                ErrorCode::Amount,
                "合计金额过大，无法写成大写",
                "total too large to write in upper case",
            )
        })?;
        out.push(Notice {
            kind,
            scope: sf.scope,
            level: sf.level,
            party_name: names.get(&party).cloned(),
            title_zh: fill_title(tz, &party, names),
            party,
            period: period.to_string(),
            title_en: te.to_string(),
            counterpart_heading_zh: heading.to_string(),
            cite: cite.to_string(),
            rows,
            total,
            total_daxie,
        });
    }
    Ok(out)
}

fn netting_tables(
    sf: &ScopeFlows,
    notices: &[Notice],
    names: &BTreeMap<String, String>,
) -> Vec<NettingTable> {
    let mut lines: BTreeMap<String, (Amounts, Amounts)> = BTreeMap::new();
    for n in notices
        .iter()
        .filter(|n| n.scope == sf.scope && n.level == sf.level)
    {
        let e = lines.entry(n.party.clone()).or_default();
        match n.kind {
            NoticeKind::Receivable => e.0 = n.total,
            NoticeKind::Payable => e.1 = n.total,
        }
    }
    let to_line = |party: &String, (r, p): &(Amounts, Amounts)| NetLine {
        party: party.clone(),
        party_name: names.get(party).cloned(),
        receivable: *r,
        payable: *p,
        net: r.actual_pay - p.actual_pay,
    };
    match (sf.scope, sf.level) {
        (Scope::CrossProvince, Level::Province) => {
            let lines: Vec<NetLine> = lines.iter().map(|(k, v)| to_line(k, v)).collect();
            vec![NettingTable {
                scope: sf.scope,
                level: sf.level,
                province: None,
                title_zh: "跨省异地就医费用省级轧差清算表".into(),
                title_en: "Cross-province netting between provinces".into(),
                cite: "003 §38; 003 四(一)".into(),
                net_total: lines.iter().map(|l| l.net).sum(),
                lines,
            }]
        }
        _ => {
            let mut by_prov: BTreeMap<String, Vec<NetLine>> = BTreeMap::new();
            for (k, v) in &lines {
                let prov = format!("{}0000", k.get(..2).unwrap_or("00"));
                by_prov.entry(prov).or_default().push(to_line(k, v));
            }
            by_prov
                .into_iter()
                .map(|(prov, lines)| {
                    let (tz, te, cite) = if sf.scope == Scope::IntraProvince {
                        (
                            "省内异地就医费用市级轧差清算表",
                            "Intra-province netting between cities",
                            "003 §38; 003 四(二); 002 附件16/17",
                        )
                    } else {
                        (
                            "跨省异地就医费用各市应收应付汇总表",
                            "Cross-province receivables and payables of the province's cities",
                            "000 §31(三) 附件4-1/4-2; 003 §38",
                        )
                    };
                    NettingTable {
                        scope: sf.scope,
                        level: sf.level,
                        province: Some(prov),
                        title_zh: tz.into(),
                        title_en: te.into(),
                        cite: cite.into(),
                        net_total: lines.iter().map(|l| l.net).sum(),
                        lines,
                    }
                })
                .collect()
        }
    }
}

/// Each province's cross-province net equals the sum of its cities' cross-province nets.
fn cities_add_up_to_provinces(netting: &[NettingTable]) -> bool {
    let Some(national) = netting
        .iter()
        .find(|t| t.scope == Scope::CrossProvince && t.level == Level::Province)
    else {
        return true;
    };
    netting
        .iter()
        .filter(|t| t.scope == Scope::CrossProvince && t.level == Level::City)
        .all(|t| {
            let prov = t.province.as_deref().unwrap_or("");
            national.lines.iter().find(|l| l.party == prov).map(|l| l.net) == Some(t.net_total)
        })
}

fn reconcile(sf: &ScopeFlows, notices: &[Notice]) -> Reconciliation {
    let mut r = Amounts::default();
    let mut p = Amounts::default();
    for n in notices
        .iter()
        .filter(|n| n.scope == sf.scope && n.level == sf.level)
    {
        match n.kind {
            NoticeKind::Receivable => r.add(&n.total),
            NoticeKind::Payable => p.add(&n.total),
        }
    }
    Reconciliation {
        scope: sf.scope,
        level: sf.level,
        receivable_total: r,
        payable_total: p,
        balanced: r == p,
    }
}

/// (book, debit, credit, memo zh, memo en, cite) of one journal step.
type JournalStep = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

/// 000 §33 account pairs for the movements of clearing funds, in order.
const COLLECT_STEPS: [JournalStep; 4] = [
    (
        "参保地经办机构",
        "支出类科目",
        "支出户存款",
        "向市（地）级结算账户上缴清算资金",
        "insured-place agency pays clearing funds up",
        "000 §33(一)2",
    ),
    (
        "全省异地就医结算账户",
        "银行存款",
        "暂收款—{party}",
        "收到{party}上缴的清算资金",
        "provincial settlement account receives the city's funds",
        "000 §33(一)4",
    ),
    (
        "全省异地就医结算账户",
        "暂收款—{party}",
        "银行存款",
        "向全省异地就医财政专户汇缴",
        "provincial settlement account remits to the fiscal account",
        "000 §33(一)4",
    ),
    (
        "全省异地就医财政专户",
        "财政专户存款—{scope}",
        "暂收款",
        "收到全省结算账户划拨的清算资金",
        "provincial fiscal account receives the funds",
        "000 §33(一)5",
    ),
];
const DISBURSE_STEPS: [JournalStep; 5] = [
    (
        "全省异地就医财政专户",
        "暂收款",
        "财政专户存款—{scope}",
        "向全省结算账户拨付清算资金",
        "fiscal account releases clearing funds",
        "000 §33(二)1",
    ),
    (
        "全省异地就医结算账户",
        "银行存款",
        "暂收款",
        "收到财政专户划拨的清算资金",
        "provincial settlement account receives the funds",
        "000 §33(二)2",
    ),
    (
        "全省异地就医结算账户",
        "暂收款",
        "银行存款",
        "向{party}划拨清算资金",
        "provincial settlement account pays the city",
        "000 §33(二)2",
    ),
    (
        "就医地经办机构",
        "支出户存款",
        "暂收款",
        "收到清算资金",
        "treatment-place agency receives the funds",
        "000 §33(二)3–4",
    ),
    (
        "就医地经办机构",
        "暂收款",
        "支出户存款",
        "向定点医疗机构支付医疗费",
        "treatment-place agency pays the facilities",
        "000 §33(二)4",
    ),
];

fn journal_for(tables: &[NettingTable], party_filter: &dyn Fn(&str) -> bool) -> Vec<JournalEntry> {
    let mut out = Vec::new();
    let mut seq = 0u32;
    for t in tables.iter().filter(|t| t.level == Level::City) {
        let (scope_zh, scope_en) = match t.scope {
            Scope::IntraProvince => ("省内", "intra-province"),
            Scope::CrossProvince => ("跨省", "cross-province"),
        };
        for l in t.lines.iter().filter(|l| party_filter(&l.party)) {
            if l.net.is_zero() {
                continue;
            }
            let (steps, amount, movement): (&[JournalStep], Money, &str) = if l.net.is_negative() {
                (&COLLECT_STEPS, -l.net, "collect")
            } else {
                (&DISBURSE_STEPS, l.net, "disburse")
            };
            let party_label = match &l.party_name {
                Some(n) => n.clone(),
                None => l.party.clone(),
            };
            for (book, debit, credit, memo_zh, memo_en, cite) in steps {
                seq += 1;
                let fill = |s: &str| s.replace("{party}", &party_label).replace("{scope}", scope_zh);
                out.push(JournalEntry {
                    seq,
                    movement: format!("{}_{movement}", scope_en.replace('-', "_")),
                    party: l.party.clone(),
                    book_zh: fill(book),
                    debit_zh: fill(debit),
                    credit_zh: fill(credit),
                    amount,
                    memo_zh: format!("{}（{scope_zh}清算净额）", fill(memo_zh)),
                    memo_en: format!("{memo_en} ({scope_en} net clearing, {})", l.party),
                    cite: cite.to_string(),
                });
            }
        }
    }
    out
}

fn finish(
    req: &MonthRequest,
    month: NaiveDate,
    agg: &Aggregator,
    cal: &Calendar,
) -> Result<MonthResponse, ApiError> {
    let period = month.format("%Y-%m").to_string();
    let mut names = region_names()?;
    names.extend(req.names.iter().map(|(k, v)| (k.clone(), v.clone())));
    let partials = agg.partials();
    let scopes = build_scopes(&partials);
    let mut notices = Vec::new();
    let mut netting = Vec::new();
    let mut reconciliation = Vec::new();
    for sf in &scopes {
        let ns = make_notices(sf, &period, &names)?;
        netting.extend(netting_tables(sf, &ns, &names));
        reconciliation.push(reconcile(sf, &ns));
        notices.extend(ns);
    }
    netting.retain(|t| !t.lines.is_empty());
    // INVARIANT: every receivable row has a payable twin, so Σ receivable = Σ payable per scope and level,
    // and a closed netting table (national, intra-province) sums to zero.
    let balanced = reconciliation.iter().all(|r| r.balanced)
        && netting
            .iter()
            .filter(|t| t.scope == Scope::IntraProvince || t.level == Level::Province)
            .all(|t| t.net_total.is_zero())
        && cities_add_up_to_provinces(&netting);

    let region = req.region.as_ref();
    let keep = |party: &str| -> bool {
        match region {
            None => true,
            Some(r) => {
                let own = r.city();
                party == own.code() || (r.is_province_level() && party.get(..2) == Some(r.province()))
            }
        }
    };
    let notices_all = notices.clone();
    if region.is_some() {
        notices.retain(|n| keep(&n.party));
        // Netting tables stay whole (each is a province's view): keep the national one and the region's.
        netting.retain(|t| match (region, &t.province) {
            (Some(r), Some(p)) => p.get(..2) == Some(r.province()),
            _ => true,
        });
    }
    let journal = journal_for(&netting, &keep);

    let mut prepayment_warnings = Vec::new();
    // A prepayment of zero (or less) has no usage rate; the month's notices are still made, and the note
    // says which parties hold none (with costs this month, they have nothing to draw on: 000 §21).
    let mut no_prepayment: Vec<String> = Vec::new();
    for (i, held) in req.prepayments.iter().enumerate() {
        let party = held.party.city();
        let level =
            if held.scope == Scope::CrossProvince && party.is_province_level() && !party.is_municipality() {
                Level::Province
            } else {
                Level::City
            };
        let month_clearing = notices_all
            .iter()
            .find(|n| {
                n.kind == NoticeKind::Payable
                    && n.scope == held.scope
                    && n.level == level
                    && n.party == party.code()
            })
            .map_or(Money::ZERO, |n| {
                n.rows
                    .iter()
                    .filter(|r| !r.star)
                    .map(|r| r.amounts.actual_pay)
                    .sum()
            });
        if held.amount.is_zero() || held.amount.is_negative() {
            let scope = match held.scope {
                Scope::CrossProvince => "跨省 cross-province",
                Scope::IntraProvince => "省内 intra-province",
            };
            no_prepayment.push(format!("{} {scope}: {month_clearing}", party.code()));
            continue;
        }
        let resolved = Resolved::for_region(Some(&party))?;
        let usage = super::prepayment::usage_of(&resolved, month_clearing, held.amount)
            .map_err(|e| e.at(format!("request.prepayments[{i}].amount")))?;
        prepayment_warnings.push(PrepaymentWarning {
            party_name: names.get(party.code()).cloned(),
            party: party.code().to_string(),
            scope: held.scope,
            prepayment: held.amount,
            month_clearing,
            usage,
        });
    }

    let mut calendar = Vec::new();
    let provinces: BTreeSet<String> = match region {
        Some(r) => BTreeSet::from([format!("{}0000", r.province())]),
        None => partials
            .iter()
            .flat_map(|p| [province_code(&p.insured), province_code(&p.treatment)])
            .collect(),
    };
    let mut used_default = false;
    for prov in &provinces {
        let adm = Admdvs::parse(prov)?;
        let resolved = Resolved::for_region(Some(&adm))?;
        match &resolved.own {
            Some(p) if !p.month_steps.is_empty() => {
                calendar.extend(date_steps(cal, &p.month_steps, month, None, &p.id)?);
            }
            _ if !used_default && region.is_some() => {
                used_default = true;
                let d = &resolved.default;
                calendar.extend(date_steps(cal, &d.month_steps, month, None, &d.id)?);
            }
            _ => {}
        }
    }

    let mut notes = agg.notes();
    if !no_prepayment.is_empty() {
        notes.push(Note {
            code: "no_prepayment".into(),
            message_zh: "预付金为零或负数，无法计算使用率；本月有清算金额的，无预付金可用，应及时调增（000 §21）".into(),
            message_en: "a prepayment of zero or less has no usage rate; with clearing this month there is nothing to draw \
                         on, and a top-up is due (000 §21)"
                .into(),
            count: no_prepayment.len() as u64,
            examples: no_prepayment,
        });
    }
    let mut resp = MonthResponse {
        month: period,
        region: region.map(|r| r.code().to_string()),
        printed_on: req.printed_on,
        include_acct_pay: req.include_acct_pay,
        counts: agg.counts.clone(),
        notes,
        notices,
        netting,
        reconciliation,
        balanced,
        calendar,
        prepayment_warnings,
        journal,
        rendered: None,
    };
    if req.render {
        resp.rendered = Some(Rendered {
            notices_csv: super::render::notices_csv(&resp),
            notices_html: super::render::notices_html(&resp),
            netting_csv: super::render::netting_csv(&resp),
            journal_csv: super::render::journal_csv(&resp),
        });
    }
    Ok(resp)
}
