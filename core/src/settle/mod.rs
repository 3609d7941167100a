//! The claim split (分解计算): deductible → tiered ratio with the visit-category reduction → annual cap →
//! riders → personal account → cash, honouring the year-to-date accumulators, with `setlinfo` and
//! `setldetail` in the national names and a trace for every amount.

pub mod lines;
mod output;
mod refund;

use crate::prelude::*;
pub use lines::{LineRef, LineSplit, check_line, split_line};
use lines::{checked_nums, split_checked};
pub use output::{SetlDetail, SetlInfo, SettleResponse, Settlement};
pub use refund::{
    RefundKind, RefundRequest, RefundResponse, ReverseRequest, ReverseResponse, refund, reverse,
};

use crate::codes::{FundColumn, Insutype, MedClass};
use crate::coverage::{self, CatalogPlace, Route};
use crate::error::{ApiError, ErrorCode};
use crate::model::{Accumulators, FeeLine, Filing, Person, PoolAccum, RiderAccum, ShortText, Visit};
use crate::money::{Dec, Money, round_fen};
use crate::policy::{
    AccountUse, Band, DeductibleMode, PackSet, ReductionForm, RiderBase, SelectKey, TierBasis,
};
use crate::trace::{Text, TraceEntry, join};
use chrono::Datelike;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Most fee lines one claim may carry.
pub const MAX_LINES: usize = 20_000;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SettleRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setl_id: Option<String>,
    pub person: Person,
    pub visit: Visit,
    pub lines: Vec<FeeLine>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filings: Vec<Filing>,
    /// Year-to-date accumulators before this bill; absent = nothing settled yet this year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accumulators: Option<Accumulators>,
    /// Whether to return the explanation of every amount (default true).
    #[serde(default = "yes")]
    pub trace: bool,
    /// Whether to return the per-line split (`lines`, default true). Hosts that only need `setlinfo` and
    /// `setldetail` (batch checks) turn it off: the per-line columns are a third of the response.
    #[serde(default = "yes")]
    pub line_results: bool,
}

fn yes() -> bool {
    true
}

/// Collects explanations only when asked, and always notes whether an unverified value was used.
pub(crate) struct Tracer {
    on: bool,
    pub entries: Vec<TraceEntry>,
    pub unverified: bool,
}

impl Tracer {
    pub fn new(on: bool) -> Self {
        Tracer {
            on,
            // A claim's usual entries (coverage, totals, split, deductible, ratio, personal part, account,
            // cash) without growing the vector.
            entries: if on { Vec::with_capacity(12) } else { Vec::new() },
            unverified: false,
        }
    }
    pub fn push(&mut self, f: impl FnOnce() -> TraceEntry) {
        if self.on {
            self.entries.push(f().marked());
        }
    }
    pub fn used(&mut self, verified: bool) {
        if !verified {
            self.unverified = true;
        }
    }
}

/// Validate a claim's structure and numbers; collects nothing, fails on the first problem.
/// `compute` answers a claim's own faults in the same order, before those of packs or accumulators.
pub fn check_claim(req: &SettleRequest) -> Result<(), ApiError> {
    check_shape(req)?;
    let repeat = first_repeat(&req.lines, |l| &l.feedetl_sn);
    for (i, l) in req.lines.iter().enumerate() {
        checked_nums(l, i)?;
        if repeat == Some(i) {
            return Err(repeated(l, i));
        }
    }
    check_balance(req)
}

/// The checks of a claim that come before its lines': the visit's dates, and how many lines.
fn check_shape(req: &SettleRequest) -> Result<(), ApiError> {
    coverage::check_visit_dates(&req.visit)?;
    if req.lines.is_empty() {
        return Err(ApiError::invalid("费用明细为空", "the claim has no fee lines").at("request.lines"));
    }
    if req.lines.len() > MAX_LINES {
        return Err(ApiError::new(
            ErrorCode::TooLarge,
            format!("费用明细 {} 条，超过上限 {MAX_LINES}", req.lines.len()),
            format!("{} fee lines exceed the limit of {MAX_LINES}", req.lines.len()),
        )
        .at("request.lines"));
    }
    Ok(())
}

/// Line `i` repeats an earlier line's serial number.
#[cold]
fn repeated(l: &FeeLine, i: usize) -> ApiError {
    ApiError::invalid(
        format!("明细流水号 {} 重复", l.feedetl_sn),
        format!("feedetl_sn {} appears twice in one visit", l.feedetl_sn),
    )
    .at(format!("request.lines[{i}].feedetl_sn"))
}

/// The checks of a claim that come after its lines': the account balance and the year-to-date totals.
/// Each is an amount of the national interface (N16,2): at most 10^10 yuan, not negative, and at the fen,
/// since a balance of 12.345 would make the account pay 12.345, which the answer can only show as 12.35
/// beside a cash payment rounded the other way (found by the mutation fuzzer). Visits are bounded too,
/// so adding this claim's visit can never overflow.
#[inline(never)]
fn check_balance(req: &SettleRequest) -> Result<(), ApiError> {
    amount_checked(req.person.balc, false, "balc", &|| "request.person.balc".into())?;
    match &req.accumulators {
        Some(a) => check_accumulators(a, "request.accumulators", false),
        None => Ok(()),
    }
}

/// Year-to-date totals (`signed`: changes of them) as [`check_balance`] takes them: amounts of the
/// interface, visits within [`MAX_VISITS`]. `root` is their path in the request.
#[inline(never)]
pub(crate) fn check_accumulators(a: &Accumulators, root: &str, signed: bool) -> Result<(), ApiError> {
    for (k, p) in a.pools.iter() {
        for (field, m) in [
            ("dedc_paid", p.dedc_paid),
            ("above_dedc", p.above_dedc),
            ("hifp_paid", p.hifp_paid),
        ] {
            amount_checked(m, signed, field, &|| format!("{root}.pools.{k}.{field}"))?;
        }
        if p.visits.unsigned_abs() > MAX_VISITS || (p.visits < 0 && !signed) {
            return Err(ApiError::invalid(
                format!("visits {} 不在 0 到 {MAX_VISITS} 之间", p.visits),
                format!("visits {} is outside 0 to {MAX_VISITS}", p.visits),
            )
            .at(format!("{root}.pools.{k}.visits")));
        }
    }
    for (k, r) in a.riders.iter() {
        for (field, m) in [("base", r.base), ("paid", r.paid)] {
            amount_checked(m, signed, field, &|| format!("{root}.riders.{k}.{field}"))?;
        }
    }
    Ok(())
}

/// Settled visits a year's totals may count: far more than anyone has, far below `i32`'s range.
const MAX_VISITS: u32 = 100_000;

/// An amount of the interface named `name`, of either sign when `signed` (a reversal's are negative):
/// at most [`crate::money::MAX_AMOUNT`] yuan either way, and at the fen. One function for every such
/// amount (its path built only when it is refused), so the phone modules carry it once.
#[inline(never)]
pub(crate) fn amount_checked(
    m: Money,
    signed: bool,
    name: &str,
    path: &dyn Fn() -> String,
) -> Result<(), ApiError> {
    let why = if m.abs().dec() > crate::money::MAX_AMOUNT {
        ("超过 100 亿元", "is above 10,000,000,000 yuan")
    } else if m.is_negative() && !signed {
        ("为负数", "is negative")
    } else if !m.is_fen_exact() {
        (
            "含分以下的位数；接口金额精确到分（N16,2）",
            "has digits below the fen; the interface carries amounts to the fen (N16,2)",
        )
    } else {
        return Ok(());
    };
    // As sent when it has digits below the fen (rounding it would hide the fault), else to the fen.
    let d = if m.is_fen_exact() {
        m.to_fen_string()
    } else {
        Dec(m.dec()).to_string()
    };
    Err(ApiError::new(
        ErrorCode::Amount,
        format!("{name} {d} {}", why.0),
        format!("{name} {d} {}", why.1),
    )
    .at(path()))
}

/// A claim's own faults are reported before those of the packs, coverage or accumulators it meets (the
/// order [`check_claim`] gives): `compute` checks the lines while it splits them, so when a step before
/// the split fails, the claim is checked first.
#[cold]
fn claim_first(req: &SettleRequest, e: ApiError) -> ApiError {
    check_claim(req).err().unwrap_or(e)
}

/// The bill's totals of the line columns `det_item_fee_sumamt`, `fulamt_ownpay_amt`, `overlmt_amt`,
/// `preselfpay_amt`, `inscp_scp_amt`, when the split could not keep them in whole fen.
fn totals_exact(splits: &[LineRef<'_>]) -> [Money; 5] {
    let cols = |s: &LineRef<'_>| {
        [
            s.det_item_fee_sumamt,
            s.fulamt_ownpay_amt,
            s.overlmt_amt,
            s.preselfpay_amt,
            s.inscp_scp_amt,
        ]
    };
    core::array::from_fn(|i| splits.iter().map(|s| cols(s)[i]).sum())
}

/// Index of the first item equal to an earlier one. A claim's lines go through a small open-addressing
/// table on the stack (one hash and, on a hit, one comparison each); a claim of more than
/// [`SMALL_CLAIM`] lines sorts small integer keys instead, so no crafted input can make it quadratic.
fn first_repeat<T>(items: &[T], text: impl Fn(&T) -> &str) -> Option<usize> {
    if items.len() <= SMALL_CLAIM {
        first_repeat_small(items, text)
    } else {
        first_repeat_sorted(&items.iter().map(text).collect::<Vec<_>>())
    }
}

/// Most items [`first_repeat_small`] takes: a quarter of its table, so probes stay short.
const SMALL_CLAIM: usize = 64;

fn first_repeat_small<T>(all: &[T], text: impl Fn(&T) -> &str) -> Option<usize> {
    // Slot = 1 + index of the item stored there; 0 = empty.
    let mut slots = [0u8; 4 * SMALL_CLAIM];
    let mask = slots.len() - 1;
    for (i, item) in all.iter().enumerate() {
        let s = text(item);
        let h = crate::catalog::text_hash(s.as_bytes());
        let mut at = (h >> 56) as usize & mask;
        loop {
            match slots[at] {
                0 => {
                    // `i < SMALL_CLAIM ≤ 255`, so the index fits a byte.
                    slots[at] = (i + 1) as u8;
                    break;
                }
                k if crate::catalog::same_text(text(&all[usize::from(k) - 1]).as_bytes(), s.as_bytes()) => {
                    return Some(i);
                }
                _ => at = (at + 1) & mask,
            }
        }
    }
    None
}

/// [`first_repeat`] for large claims: sorts small integer keys (first seven bytes and the length), with the
/// texts compared only where keys tie, so equal texts end up side by side in the order they came.
fn first_repeat_sorted(all: &[&str]) -> Option<usize> {
    let key = |s: &str| {
        let mut k = 0u64;
        for i in 0..7 {
            k = (k << 8) | u64::from(s.as_bytes().get(i).copied().unwrap_or(0));
        }
        (k << 8) | s.len().min(255) as u64
    };
    let mut keyed: Vec<(u64, usize)> = all.iter().enumerate().map(|(i, s)| (key(s), i)).collect();
    heap_sort(&mut keyed, |a, b| (a.0, all[a.1], a.1) < (b.0, all[b.1], b.1));
    // In a run of equal texts the second is the run's first repeat; the earliest over all runs is the answer.
    keyed
        .windows(2)
        .filter(|w| w[0].0 == w[1].0 && all[w[0].1] == all[w[1].1])
        .map(|w| w[1].1)
        .min()
}

/// Heapsort: n log n for any input, and a few hundred bytes of wasm where the library's sort (pattern-
/// defeating quicksort with its small-sort networks) is some 8 KB — this runs only for claims of more than
/// [`SMALL_CLAIM`] lines, so its speed hardly matters, while the phone modules pay for every byte.
fn heap_sort<T: Copy>(v: &mut [T], less: impl Fn(&T, &T) -> bool) {
    let sift = |v: &mut [T], mut root: usize, end: usize| loop {
        let mut child = 2 * root + 1;
        if child >= end {
            break;
        }
        if child + 1 < end && less(&v[child], &v[child + 1]) {
            child += 1;
        }
        if !less(&v[root], &v[child]) {
            break;
        }
        v.swap(root, child);
        root = child;
    };
    for i in (0..v.len() / 2).rev() {
        sift(v, i, v.len());
    }
    for end in (1..v.len()).rev() {
        v.swap(0, end);
        sift(v, 0, end);
    }
}

/// Walk the bands from `start` (amount above the deductible already counted this year) over `amount`,
/// lowering every ratio by `points` percentage points. Returns the exact fund share and, when a cap is
/// given, the part of `amount` left unpaid because the cap was reached.
#[allow(clippy::assign_op_pattern)] // `fund = fund + share`: see `AddAssign for Money`
fn banded(
    bands: &[Band],
    start: Decimal,
    amount: Decimal,
    points: Decimal,
    cap: Option<Decimal>,
) -> (Decimal, Decimal) {
    let mut pos = start;
    let end = start + amount;
    let mut fund = Decimal::ZERO;
    for b in bands {
        if pos >= end {
            break;
        }
        let upper = b.upto.map_or(end, |u| u.dec().min(end));
        if upper <= pos {
            continue;
        }
        let seg = upper - pos;
        let r = (b.ratio.dec() - points / Decimal::ONE_HUNDRED).max(Decimal::ZERO);
        let share = seg * r;
        if let Some(c) = cap
            && fund + share > c
            && !r.is_zero()
        {
            // The cap is reached inside this band: the rest of the amount is above the cap.
            let needed = (c - fund) / r;
            let unpaid = end - (pos + needed);
            return (c, unpaid.max(Decimal::ZERO));
        }
        fund = fund + share;
        pos = upper;
    }
    (fund, Decimal::ZERO)
}

/// The bands as the trace shows them: "0.88", or "≤10000.00:0.8, 其余:0.9".
fn bands_text(bands: &[Band]) -> String {
    let mut t = Text::with_capacity(16 * bands.len());
    if let [only] = bands
        && only.upto.is_none()
    {
        return t.dec(only.ratio).done();
    }
    for (i, b) in bands.iter().enumerate() {
        if i > 0 {
            t = t.s(", ");
        }
        t = match b.upto {
            Some(u) => t.s("≤").money(u),
            None => t.s("其余"),
        }
        .s(":")
        .dec(b.ratio);
    }
    t.done()
}

/// The variant names `{:?}` writes, for the trace texts built by appends.
fn mode_name(m: DeductibleMode) -> &'static str {
    match m {
        DeductibleMode::PerVisit => "PerVisit",
        DeductibleMode::PerYear => "PerYear",
        DeductibleMode::HighestLevelInYear => "HighestLevelInYear",
    }
}
fn basis_name(b: TierBasis) -> &'static str {
    match b {
        TierBasis::PerClaim => "PerClaim",
        TierBasis::Annual => "Annual",
    }
}
fn form_name(f: ReductionForm) -> &'static str {
    match f {
        ReductionForm::RatioPoints => "RatioPoints",
        ReductionForm::Preselfpay => "Preselfpay",
    }
}
fn account_name(a: AccountUse) -> &'static str {
    match a {
        AccountUse::None => "None",
        AccountUse::PersonalInscope => "PersonalInscope",
        AccountUse::PersonalAll => "PersonalAll",
    }
}

/// Settle a claim under the packs.
pub fn settle(packs: &PackSet, req: &SettleRequest) -> Result<SettleResponse, ApiError> {
    compute(packs, req).map(Settlement::into_response)
}

/// [`settle`] without copying the request's texts into the per-line results: the settlement's `lines`
/// borrow the request's and the catalog's texts. The JSON path writes this form; [`settle`] is it made owned.
pub fn compute<'a>(packs: &'a PackSet, req: &'a SettleRequest) -> Result<Settlement<'a>, ApiError> {
    check_shape(req)?;
    let person = &req.person;
    let visit = &req.visit;
    let pack = packs
        .pack(&person.insuplc_admdvs)
        .map_err(|e| claim_first(req, e))?;
    let cov = coverage::resolve(pack, person, visit, &req.filings).map_err(|e| claim_first(req, e))?;
    let catalog = match cov.catalog_place {
        CatalogPlace::TreatmentPlace => packs.catalog(&visit.mdtrtarea_admvs),
        CatalogPlace::InsuredPlace => packs.catalog(&person.insuplc_admdvs),
    }
    .map_err(|e| claim_first(req, e))?;
    let catalog_region = match cov.catalog_place {
        CatalogPlace::TreatmentPlace => &visit.mdtrtarea_admvs,
        CatalogPlace::InsuredPlace => &person.insuplc_admdvs,
    };
    catalog_or_line_levels(catalog, catalog_region, &req.lines).map_err(|e| claim_first(req, e))?;
    let mut t = Tracer::new(req.trace);
    for r in &cov.reasons {
        t.push(|| r.clone());
    }
    let setl_date = visit.settlement_date();
    let year = setl_date.year();

    // Accumulators: a bill counts in the year of its settlement date (002 §45).
    let before = match &req.accumulators {
        Some(a) if a.year == year => a.clone(),
        Some(a) if a.year < year => {
            t.push(|| {
                TraceEntry::new(
                    "accumulators",
                    "settle.new_year",
                    "002 §45",
                    format!("结算日 {setl_date} 属 {year} 年，{} 年的累计不计入本次", a.year),
                    format!(
                        "settled on {setl_date}, in {year}: the {} year-to-date totals do not apply",
                        a.year
                    ),
                )
            });
            Accumulators::empty(year)
        }
        Some(a) => {
            return Err(claim_first(
                req,
                ApiError::invalid(
                    format!("累计数据属于 {} 年，晚于结算年度 {year}", a.year),
                    format!(
                        "accumulators are for {}, later than the settlement year {year}",
                        a.year
                    ),
                )
                .at("request.accumulators.year"),
            ));
        }
        None => Accumulators::empty(year),
    };
    if visit.begndate.year() != year {
        t.push(|| {
            TraceEntry::new(
                "setl_time",
                "settle.cross_year",
                "002 §45",
                format!("住院跨自然年度（{} 入院），以出院结算日 {setl_date} 为结算时点，按一笔费用整体结算", visit.begndate),
                format!("a stay across the new year (admitted {}) settles as one bill at the discharge settlement date {setl_date}", visit.begndate),
            )
        });
    }

    // Lines: each checked, then split on the numbers its checks read (one pass; `claim_first` keeps the
    // claim's faults ahead of the steps above).
    let repeat = first_repeat(&req.lines, |l| &l.feedetl_sn);
    let mut fen = Some([0i64; 5]);
    let mut splits: Vec<LineRef<'a>> = Vec::with_capacity(req.lines.len());
    for (i, l) in req.lines.iter().enumerate() {
        let nums = checked_nums(l, i)?;
        if repeat == Some(i) {
            return Err(repeated(l, i));
        }
        splits.push(split_checked(l, nums.as_ref(), catalog, &mut fen));
    }
    check_balance(req)?;
    let [medfee, fulamt, overlmt, preself, inscp] = match fen {
        Some(sum) => sum.map(Money::from_fen),
        None => totals_exact(&splits),
    };
    if medfee.is_negative() || inscp.is_negative() {
        return Err(ApiError::invalid(
            "本单合计为负：退费请用 settle.refund（部分退费）或 settle.reverse（整单冲销）",
            "the bill totals a negative amount: use settle.refund (partial) or settle.reverse (whole bill)",
        )
        .at("request.lines"));
    }
    let catalog_name = catalog.map_or("—", |c| c.source());
    let cat_cite = match cov.catalog_place {
        CatalogPlace::TreatmentPlace => "002 经办规程§9; 003 §6 (就医地目录); NATIONAL_SPEC §2",
        CatalogPlace::InsuredPlace => "002 经办规程§9; 003 §17 (参保地目录); NATIONAL_SPEC §2",
    };
    for (i, s) in splits.iter().enumerate() {
        if !s.in_catalog {
            t.push(|| {
                TraceEntry::new(
                    Text::with_capacity(32)
                        .s("lines[")
                        .uint(i)
                        .s("].fulamt_ownpay_amt")
                        .done(),
                    "line.not_in_catalog",
                    cat_cite,
                    Text::with_capacity(96)
                        .s("项目 ")
                        .s(s.med_list_codg)
                        .s(" 不在目录 ")
                        .s(catalog_name)
                        .s(" 中，全额自费")
                        .done(),
                    Text::with_capacity(96)
                        .s("item ")
                        .s(s.med_list_codg)
                        .s(" is not in catalog ")
                        .s(catalog_name)
                        .s(": wholly self-paid")
                        .done(),
                )
                .amount(s.fulamt_ownpay_amt)
            });
        }
    }
    t.push(|| {
        TraceEntry::new(
            "medfee_sumamt",
            "settle.totals",
            "NATIONAL_SPEC §3 (7)",
            Text::with_capacity(48)
                .s("医疗费总额为 ")
                .uint(splits.len())
                .s(" 条明细金额之和")
                .done(),
            Text::with_capacity(32)
                .s("total of the ")
                .uint(splits.len())
                .s(" fee lines")
                .done(),
        )
        .amount(medfee)
    });
    t.push(|| {
        TraceEntry::new(
            "inscp_scp_amt",
            "line.split",
            cat_cite,
            Text::with_capacity(128)
                .s("逐条按目录拆分：全自费 ")
                .money(fulamt)
                .s("，超限价 ")
                .money(overlmt)
                .s("，先行自付 ")
                .money(preself)
                .s("，符合范围 ")
                .money(inscp)
                .done(),
            Text::with_capacity(128)
                .s("each line split by the catalog: self-paid ")
                .money(fulamt)
                .s(", over ceiling ")
                .money(overlmt)
                .s(", pre-self-pay ")
                .money(preself)
                .s(", in scope ")
                .money(inscp)
                .done(),
        )
        .amount(inscp)
    });

    let key = SelectKey {
        insutype: person.insutype,
        med_class: visit.med_type.class(),
        hosp_lv: visit.hosp_lv,
        psn_class: person.psn_type.class(),
        visit_category: cov.visit_category,
    };
    let rows = pack.applicable(&key);
    let pool_name = rows.pool(key.med_class);
    let pool = before.pool(pool_name);
    let mut delta = Accumulators::empty(year);
    // Basic fund, up to four riders, the account: one allocation.
    let mut funds: Vec<(FundColumn, ShortText, ShortText, Money, Option<Money>, String)> =
        Vec::with_capacity(6);
    let mut act_pay_dedc = Money::ZERO;
    let mut dedc_std = None;
    let mut crt_dedc = None;
    let mut ratio_shown = None;
    let mut hifp = Money::ZERO;
    let funds_pay = matches!(cov.route, Route::Direct | Route::ManualReimbursement);

    if funds_pay {
        let ded = rows
            .benefit(|r| r.deductible.as_ref(), setl_date)
            .ok_or_else(|| no_benefit(pack, "deductible", &key, setl_date))?;
        let tiers = rows
            .benefit(|r| r.tiers.as_ref(), setl_date)
            .ok_or_else(|| no_benefit(pack, "tiers", &key, setl_date))?;
        let cap = rows.benefit(|r| r.annual_cap.as_ref(), setl_date);
        let red = rows.benefit(|r| r.reduction.as_ref(), setl_date);
        t.used(ded.verified);
        t.used(tiers.verified);
        if let Some(c) = cap {
            t.used(c.verified);
        }
        if let Some(r) = red {
            t.used(r.verified);
        }

        // Reduction as extra 先行自付 comes off the in-scope amount before the deductible.
        let mut base = inscp;
        let mut points = Decimal::ZERO;
        if let Some(r) = red {
            match r.value.form {
                ReductionForm::Preselfpay if !r.value.points.dec().is_zero() => {
                    let extra = Money::rounded(inscp.dec() * r.value.points.dec() / Decimal::ONE_HUNDRED);
                    base = inscp - extra;
                    t.push(|| {
                        TraceEntry::new(
                            "psn_part_amt",
                            "settle.reduction_preselfpay",
                            &r.cite,
                            Text::with_capacity(96)
                                .s(cov.visit_category.name_zh())
                                .s("：个人先行自付符合范围费用的 ")
                                .dec(r.value.points)
                                .s("%，计 ")
                                .money(extra)
                                .done(),
                            Text::with_capacity(96)
                                .s(cov.visit_category.name_en())
                                .s(": the person first pays ")
                                .dec(r.value.points)
                                .s("% of the in-scope amount, ")
                                .money(extra)
                                .done(),
                        )
                        .amount(extra)
                        .param(
                            pack.use_of(
                                "benefits.reduction",
                                r,
                                Text::with_capacity(24)
                                    .s("先行自付 ")
                                    .dec(r.value.points)
                                    .s("%")
                                    .done(),
                            ),
                        )
                    });
                }
                ReductionForm::RatioPoints => points = r.value.points.dec(),
                ReductionForm::Preselfpay => {}
            }
        }

        // Deductible.
        let due = match ded.value.mode {
            DeductibleMode::PerVisit => ded.value.amount,
            DeductibleMode::PerYear | DeductibleMode::HighestLevelInYear => {
                (ded.value.amount - pool.dedc_paid).clamp0()
            }
        };
        act_pay_dedc = base.min(due).clamp0();
        dedc_std = Some(ded.value.amount);
        crt_dedc = Some(due);
        t.push(|| {
            let mode_zh = match ded.value.mode {
                DeductibleMode::PerVisit => "每次住院/就诊",
                DeductibleMode::PerYear => "每年一次",
                DeductibleMode::HighestLevelInYear => "每年按最高医院等级一次",
            };
            TraceEntry::new(
                "act_pay_dedc",
                "settle.deductible",
                &ded.cite,
                Text::with_capacity(160)
                    .s("起付标准 ")
                    .money(ded.value.amount)
                    .s("（")
                    .s(mode_zh)
                    .s("），本年已付 ")
                    .money(pool.dedc_paid)
                    .s("，本次起付线 ")
                    .money(due)
                    .s("，实际支付 ")
                    .money(act_pay_dedc)
                    .done(),
                Text::with_capacity(128)
                    .s("deductible ")
                    .money(ded.value.amount)
                    .s(" (")
                    .s(mode_name(ded.value.mode))
                    .s("), ")
                    .money(pool.dedc_paid)
                    .s(" already paid this year, ")
                    .money(due)
                    .s(" due now, ")
                    .money(act_pay_dedc)
                    .s(" paid")
                    .done(),
            )
            .amount(act_pay_dedc)
            .param(
                pack.use_of(
                    "benefits.deductible",
                    ded,
                    Text::with_capacity(32)
                        .money(ded.value.amount)
                        .s(" ")
                        .s(mode_name(ded.value.mode))
                        .done(),
                ),
            )
        });

        // Tiered ratio, reduction in points, annual cap.
        let above = base - act_pay_dedc;
        let start = match tiers.value.basis {
            TierBasis::PerClaim => Decimal::ZERO,
            TierBasis::Annual => pool.above_dedc.dec().max(Decimal::ZERO),
        };
        let cap_left = cap.map(|c| (c.value - pool.hifp_paid).clamp0());
        let (fund_raw, _) = banded(&tiers.value.bands, start, above.dec(), points, None);
        let fund = Money::rounded(fund_raw);
        let (_, unpaid_above_cap) = banded(
            &tiers.value.bands,
            start,
            above.dec(),
            points,
            cap_left.map(Money::dec),
        );
        hifp = match cap_left {
            Some(c) => fund.min(c),
            None => fund,
        };
        let above_cap = Money::rounded(unpaid_above_cap);
        ratio_shown = tiers
            .value
            .bands
            .first()
            .map(|b| Dec((b.ratio.dec() - points / Decimal::ONE_HUNDRED).max(Decimal::ZERO)));
        t.push(|| {
            let bands = bands_text(&tiers.value.bands);
            // `points` is shown as `Decimal` writes it (not normalised): a rare case, kept on `to_string`.
            let lowered = (!points.is_zero()).then(|| points.to_string());
            let mut zh = Text::with_capacity(128)
                .s("起付线以上符合范围费用 ")
                .money(above)
                .s(" 按分段比例（")
                .s(&bands)
                .s("）");
            let mut en = Text::with_capacity(128)
                .s("in-scope amount above the deductible, ")
                .money(above)
                .s(", paid at the banded ratios (")
                .s(&bands)
                .s(")");
            if let Some(p) = &lowered {
                zh = zh.s("降低 ").s(p).s(" 个百分点后");
                en = en.s(" lowered by ").s(p).s(" points");
            }
            let mut e = TraceEntry::new(
                "hifp_pay",
                "settle.ratio",
                &tiers.cite,
                zh.s("支付 ").money(fund).done(),
                en.s(": ").money(fund).done(),
            )
            .amount(fund)
            .param(
                pack.use_of(
                    "benefits.tiers",
                    tiers,
                    Text::with_capacity(16 + bands.len())
                        .s(basis_name(tiers.value.basis))
                        .s(": ")
                        .s(&bands)
                        .done(),
                ),
            );
            if let Some(r) = red {
                e = e.param(
                    pack.use_of(
                        "benefits.reduction",
                        r,
                        Text::with_capacity(24)
                            .s(form_name(r.value.form))
                            .s(" ")
                            .dec(r.value.points)
                            .done(),
                    ),
                );
            }
            e
        });
        if let (Some(c), Some(left)) = (cap, cap_left)
            && hifp < fund
        {
            t.push(|| {
                TraceEntry::new(
                    "hifp_pay",
                    "settle.annual_cap",
                    &c.cite,
                    Text::with_capacity(160)
                        .s("统筹基金年度最高支付限额 ")
                        .money(c.value)
                        .s("，本年已付 ")
                        .money(pool.hifp_paid)
                        .s("，本次最多支付 ")
                        .money(left)
                        .s("；超限额部分符合范围费用 ")
                        .money(above_cap)
                        .done(),
                    Text::with_capacity(128)
                        .s("annual cap ")
                        .money(c.value)
                        .s(", ")
                        .money(pool.hifp_paid)
                        .s(" already paid, at most ")
                        .money(left)
                        .s(" now; in-scope amount above the cap ")
                        .money(above_cap)
                        .done(),
                )
                .amount(hifp)
                .param(pack.use_of(
                    "benefits.annual_cap",
                    c,
                    Text::with_capacity(16).money(c.value).done(),
                ))
            });
        }
        let hifp_code = if person.insutype == Insutype::Employee {
            "310100"
        } else {
            "390100"
        };
        funds.push((
            FundColumn::HifpPay,
            ShortText::const_new(hifp_code),
            ShortText::const_new("基本医疗保险统筹基金"),
            hifp,
            cap_left,
            act_pay_dedc.labelled("起付线 "),
        ));
        delta.pools.insert(
            ShortText::from(pool_name),
            PoolAccum {
                dedc_paid: act_pay_dedc,
                above_dedc: above,
                hifp_paid: hifp,
                visits: 1,
            },
        );

        // Riders in pack order.
        let mut paid_so_far = hifp;
        for rider in pack.riders_for(&key) {
            if rider.requires.cvlserv && !person.cvlserv_flag {
                continue;
            }
            if let Some(classes) = &rider.requires.maf_class
                && !person.maf_class.as_ref().is_some_and(|c| classes.contains(c))
            {
                continue;
            }
            let Some(rt) = rider.tiers.at(setl_date) else {
                continue;
            };
            t.used(rt.verified);
            let remaining_personal = (inscp - paid_so_far).clamp0();
            let rbase = match rider.base {
                RiderBase::AboveBasicCap => above_cap.min(remaining_personal),
                RiderBase::PersonalInscope => remaining_personal,
            };
            let acc = before.rider(&rider.id);
            let rded = rider.deductible.as_ref().and_then(|d| d.at(setl_date));
            let rcap = rider.annual_cap.as_ref().and_then(|d| d.at(setl_date));
            if let Some(d) = rded {
                t.used(d.verified);
            }
            if let Some(c) = rcap {
                t.used(c.verified);
            }
            let ded_amt = rded.map_or(Money::ZERO, |d| d.value);
            let ded_left = (ded_amt - acc.base).clamp0();
            let eligible = (rbase - ded_left).clamp0();
            let start = (acc.base - ded_amt).clamp0();
            let (raw, _) = banded(&rt.value, start.dec(), eligible.dec(), Decimal::ZERO, None);
            let mut pay = Money::rounded(raw).min(remaining_personal);
            let cap_left = rcap.map(|c| (c.value - acc.paid).clamp0());
            if let Some(c) = cap_left {
                pay = pay.min(c);
            }
            if rbase.is_zero() && pay.is_zero() {
                // Nothing for this rider to pay on: no detail row, no accumulator entry.
                continue;
            }
            paid_so_far += pay;
            delta.riders.insert(
                ShortText::from(rider.id.as_str()),
                RiderAccum {
                    base: rbase,
                    paid: pay,
                },
            );
            let col = FundColumn::of_fund_pay_type(&rider.fund_pay_type);
            funds.push((
                col,
                rider.fund_pay_type.as_str().into(),
                rider.name_zh.as_str().into(),
                pay,
                cap_left,
                rbase.labelled("基数 "),
            ));
            t.push(|| {
                let base_zh = match rider.base {
                    RiderBase::AboveBasicCap => "统筹基金最高支付限额以上的符合范围费用",
                    RiderBase::PersonalInscope => "个人负担的符合范围费用",
                };
                let bands = bands_text(&rt.value);
                let mut e = TraceEntry::new(
                    col.field(),
                    "settle.rider",
                    &rt.cite,
                    Text::with_capacity(192)
                        .s(&rider.name_zh)
                        .s("：")
                        .s(base_zh)
                        .s(" ")
                        .money(rbase)
                        .s("，本年起付 ")
                        .money(ded_amt)
                        .s("（已累计 ")
                        .money(acc.base)
                        .s("），按（")
                        .s(&bands)
                        .s("）支付 ")
                        .money(pay)
                        .done(),
                    Text::with_capacity(160)
                        .s(&rider.name_en)
                        .s(": base ")
                        .money(rbase)
                        .s(", annual deductible ")
                        .money(ded_amt)
                        .s(" (")
                        .money(acc.base)
                        .s(" accumulated), paid at (")
                        .s(&bands)
                        .s(") ")
                        .money(pay)
                        .done(),
                )
                .amount(pay)
                .param(pack.use_of(
                    &join(&["riders.", rider.id.as_str(), ".tiers"]),
                    rt,
                    bands,
                ));
                if let Some(d) = rded {
                    e = e.param(pack.use_of(
                        &join(&["riders.", rider.id.as_str(), ".deductible"]),
                        d,
                        Text::with_capacity(16).money(d.value).done(),
                    ));
                }
                if let Some(c) = rcap {
                    e = e.param(pack.use_of(
                        &join(&["riders.", rider.id.as_str(), ".annual_cap"]),
                        c,
                        Text::with_capacity(16).money(c.value).done(),
                    ));
                }
                e
            });
        }
    } else {
        let (zh, en) = ("本次医保基金不支付", "no fund pays this bill");
        t.push(|| {
            TraceEntry::new(
                "fund_pay_sumamt",
                "settle.no_fund",
                "见覆盖判断 / see coverage",
                zh.into(),
                en.into(),
            )
            .amount(Money::ZERO)
        });
        delta.pools.insert(
            ShortText::from(pool_name),
            PoolAccum {
                visits: 1,
                ..Default::default()
            },
        );
    }

    let fund_sum: Money = funds
        .iter()
        .filter(|f| f.0 != FundColumn::AcctPay)
        .map(|f| f.3)
        .sum();
    let hosp_part = Money::ZERO;
    let psn_part = medfee - fund_sum - hosp_part;
    t.push(|| {
        TraceEntry::new(
            "psn_part_amt",
            "settle.personal_part",
            "NATIONAL_SPEC §3 (3)",
            Text::with_capacity(96)
                .s("个人负担 = 医疗费总额 ")
                .money(medfee)
                .s(" − 基金支付 ")
                .money(fund_sum)
                .s(" − 医院负担 ")
                .money(hosp_part)
                .done(),
            Text::with_capacity(96)
                .s("personal part = total ")
                .money(medfee)
                .s(" − funds ")
                .money(fund_sum)
                .s(" − hospital-borne ")
                .money(hosp_part)
                .done(),
        )
        .amount(psn_part)
    });

    // Personal account.
    let mut acct_pay = Money::ZERO;
    if person.insutype == Insutype::Employee && visit.use_acct && !person.balc.is_zero() {
        let rule = rows.benefit(|r| r.account.as_ref(), setl_date);
        if let Some(r) = rule {
            t.used(r.verified);
            let payable = match r.value {
                AccountUse::None => Money::ZERO,
                AccountUse::PersonalInscope => (inscp - fund_sum).clamp0().min(psn_part),
                AccountUse::PersonalAll => psn_part,
            };
            acct_pay = payable.min(person.balc).clamp0();
            t.push(|| {
                TraceEntry::new(
                    "acct_pay",
                    "settle.account",
                    &r.cite,
                    Text::with_capacity(96)
                        .s("个人账户（余额 ")
                        .money(person.balc)
                        .s("）支付 ")
                        .money(acct_pay)
                        .s("（规则：")
                        .s(account_name(r.value))
                        .s("）")
                        .done(),
                    Text::with_capacity(96)
                        .s("personal account (balance ")
                        .money(person.balc)
                        .s(") pays ")
                        .money(acct_pay)
                        .s(" (rule ")
                        .s(account_name(r.value))
                        .s(")")
                        .done(),
                )
                .amount(acct_pay)
                .param(pack.use_of("benefits.account", r, account_name(r.value).to_string()))
            });
        }
    }
    if !acct_pay.is_zero() {
        funds.push((
            FundColumn::AcctPay,
            ShortText::const_new("310200"),
            ShortText::const_new("职工基本医疗保险个人账户"),
            acct_pay,
            Some(person.balc),
            String::new(),
        ));
    }
    let cash = psn_part - acct_pay;
    t.push(|| {
        let manual = cov.route == Route::ManualReimbursement;
        TraceEntry::new(
            "psn_cash_pay",
            "settle.cash",
            "NATIONAL_SPEC §3 (4)",
            Text::with_capacity(160)
                .s("个人现金支付 = 个人负担 ")
                .money(psn_part)
                .s(" − 个人账户 ")
                .money(acct_pay)
                .s(if manual { "；手工报销时先全额垫付，报销后实际负担此数" } else { "" })
                .done(),
            Text::with_capacity(160)
                .s("cash = personal part ")
                .money(psn_part)
                .s(" − account ")
                .money(acct_pay)
                .s(if manual {
                    "; under manual reimbursement the person pays everything first and bears this after reimbursement"
                } else {
                    ""
                })
                .done(),
        )
        .amount(cash)
    });

    let after = before.plus(&delta);
    output::build(output::Parts {
        req,
        cov,
        splits,
        medfee,
        fulamt,
        overlmt,
        preself,
        inscp,
        act_pay_dedc,
        dedc_std,
        crt_dedc,
        ratio: ratio_shown,
        funds,
        hifp,
        fund_sum,
        hosp_part,
        psn_part,
        acct_pay,
        cash,
        before,
        delta,
        after,
        tracer: t,
        catalog_name: catalog.map(|c| ShortText::from(c.source())),
        med_class: visit.med_type.class(),
    })
}

/// Without a catalog for `region`, a line that carries no catalog level (`chrgitm_lv`) cannot be placed: it
/// is refused rather than settled as wholly self-paid, which would be a wrong amount presented as an answer.
/// Claims returned by the national platform carry the treatment place's fields on every line (2301).
pub fn catalog_or_line_levels(
    catalog: Option<&crate::catalog::Catalog>,
    region: &crate::codes::Admdvs,
    lines: &[FeeLine],
) -> Result<(), ApiError> {
    if catalog.is_some() {
        return Ok(());
    }
    match lines.iter().position(|l| l.chrgitm_lv.is_none()) {
        None => Ok(()),
        Some(i) => Err(ApiError::new(
            ErrorCode::NoPack,
            format!(
                "没有 {} 的医保目录，第 {} 行（{}）也未带目录等级 chrgitm_lv 与自付比例 selfpay_prop，无法判断是否在目录内；请加载该地目录，或在每行附上就医地返回的目录字段",
                region.code(),
                i + 1,
                lines[i].med_list_codg
            ),
            format!(
                "no catalog is loaded for {}, and line {} ({}) carries no catalog level (chrgitm_lv) and self-pay proportion (selfpay_prop): whether it is covered cannot be told. Load that catalog, or send each line with the fields the treatment place returned",
                region.code(),
                i + 1,
                lines[i].med_list_codg
            ),
        )
        .at(format!("request.lines[{i}].chrgitm_lv"))),
    }
}

fn no_benefit(pack: &crate::policy::Pack, what: &str, key: &SelectKey, date: chrono::NaiveDate) -> ApiError {
    ApiError::new(
        ErrorCode::NoPack,
        format!(
            "政策包 {} 在 {date} 没有适用于 险种 {}、{:?}、{} 医院、{:?} 的 {what}",
            pack.source,
            key.insutype.code(),
            key.med_class,
            key.hosp_lv.name_zh(),
            key.visit_category
        ),
        format!(
            "policy pack {} has no {what} in force on {date} for insutype {}, {:?}, level {}, {:?}",
            pack.source,
            key.insutype.code(),
            key.med_class,
            key.hosp_lv.code(),
            key.visit_category
        ),
    )
}

/// `clr_type` of a med class.
pub(crate) fn clr_type(c: MedClass) -> &'static str {
    match c {
        MedClass::Inpatient | MedClass::Maternity => "21",
        MedClass::Pharmacy => "41",
        _ => "11",
    }
}

/// Round only at the fen; exposed for tests of the money helpers.
pub fn fen(d: Decimal) -> Decimal {
    round_fen(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn first_repeat_finds_the_earliest_second_occurrence() {
        let f = |v: &[&str]| first_repeat(v, |s| s);
        assert_eq!(f(&["1", "2", "3"]), None);
        assert_eq!(f(&["1", "2", "1", "2"]), Some(2));
        assert_eq!(f(&["a", "b", "b", "a"]), Some(2));
        // Same first seven bytes and length, different tails; then a real repeat of a long one.
        assert_eq!(f(&["ABCDEFG-1", "ABCDEFG-2", "ABCDEFG-3"]), None);
        assert_eq!(f(&["ABCDEFG-1", "ABCDEFG-2", "x", "ABCDEFG-2"]), Some(3));
        assert_eq!(f(&["", "", "x"]), Some(1));
        assert_eq!(f(&[]), None);
    }

    proptest::proptest! {
        /// The heapsort orders as the library's sort does (duplicates included).
        #[test]
        fn heap_sort_orders_as_the_library_sort(mut v in proptest::collection::vec(0u8..20, 0..300)) {
            let mut want = v.clone();
            want.sort_unstable();
            heap_sort(&mut v, |a, b| a < b);
            proptest::prop_assert_eq!(v, want);
        }
    }

    proptest::proptest! {
        /// The stack table and the sort give the same first repeat, which is the plain quadratic
        /// definition's (items drawn from a small alphabet, so repeats are common).
        #[test]
        fn first_repeat_small_and_sorted_agree(items in proptest::collection::vec("[ab]{0,3}|ABCDEFG-[0-9]|[0-9]{1,12}", 0..64)) {
            let v: Vec<&str> = items.iter().map(String::as_str).collect();
            let naive = (0..v.len()).find(|&i| v[..i].contains(&v[i]));
            proptest::prop_assert_eq!(first_repeat_small(&v, |s| s), naive);
            proptest::prop_assert_eq!(first_repeat_sorted(&v), naive);
        }
    }

    /// The names the trace texts append are the ones `{:?}` wrote before.
    #[test]
    fn variant_names_are_debug_names() {
        for m in [
            DeductibleMode::PerVisit,
            DeductibleMode::PerYear,
            DeductibleMode::HighestLevelInYear,
        ] {
            assert_eq!(mode_name(m), format!("{m:?}"));
        }
        for b in [TierBasis::PerClaim, TierBasis::Annual] {
            assert_eq!(basis_name(b), format!("{b:?}"));
        }
        for f in [ReductionForm::RatioPoints, ReductionForm::Preselfpay] {
            assert_eq!(form_name(f), format!("{f:?}"));
        }
        for a in [
            AccountUse::None,
            AccountUse::PersonalInscope,
            AccountUse::PersonalAll,
        ] {
            assert_eq!(account_name(a), format!("{a:?}"));
        }
    }

    /// Bands as the trace shows them, single and several, as `format!` wrote them.
    #[test]
    fn bands_text_as_before() {
        let one = vec![band(None, "0.880")];
        assert_eq!(bands_text(&one), "0.88");
        let two = vec![band(Some("10000"), "0.8"), band(None, "0.90")];
        assert_eq!(bands_text(&two), "≤10000.00:0.8, 其余:0.9");
        assert_eq!(bands_text(&[]), "");
    }

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }
    fn band(upto: Option<&str>, r: &str) -> Band {
        Band {
            upto: upto.map(|u| Money::from_decimal(d(u))),
            ratio: Dec(d(r)),
        }
    }

    #[test]
    fn bands_and_cap() {
        let bands = vec![band(Some("10000"), "0.8"), band(None, "0.9")];
        let (f, _) = banded(&bands, Decimal::ZERO, d("15000"), Decimal::ZERO, None);
        assert_eq!(f, d("12500"));
        // 10 points lower.
        let (f, _) = banded(&bands, Decimal::ZERO, d("15000"), d("10"), None);
        assert_eq!(f, d("11000"));
        // Annual basis: 8000 already counted, 4000 more → 2000 at 0.8 + 2000 at 0.9.
        let (f, _) = banded(&bands, d("8000"), d("4000"), Decimal::ZERO, None);
        assert_eq!(f, d("3400"));
        // Cap of 9000 reached inside the second band: 1000 of 0.9 → 1111.11… of amount; the rest unpaid.
        let (f, unpaid) = banded(&bands, Decimal::ZERO, d("15000"), Decimal::ZERO, Some(d("9000")));
        assert_eq!(f, d("9000"));
        assert_eq!(round_fen(unpaid), d("3888.89"));
    }
}
