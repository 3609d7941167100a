//! Per-line split exactly as the national platform does it (NATIONAL_SPEC.md §2), half-up to the fen.

use crate::catalog::{Catalog, CatalogItem};
use crate::codes::{ChrgitmLv, ChrgitmType};
use crate::error::{ApiError, ErrorCode};
use crate::model::{FeeLine, HospApprFlag, ShortText};
use crate::money::{Dec, MAX_AMOUNT, Money, POW10, aligned, fen_rounded, fixed, mul_wide, round_fen};
use crate::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The per-line result (2204 / 2301 output columns).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LineSplit {
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub feedetl_sn: ShortText,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub init_feedetl_sn: Option<ShortText>,
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub med_list_codg: ShortText,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub med_list_name: Option<ShortText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub med_chrgitm_type: Option<ChrgitmType>,
    /// Absent when the item is in no catalog (then wholly self-paid).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chrgitm_lv: Option<ChrgitmLv>,
    pub cnt: Dec,
    pub pric: Dec,
    pub det_item_fee_sumamt: Money,
    /// `999999.00` means no ceiling.
    pub pric_uplmt_amt: Money,
    pub selfpay_prop: Dec,
    pub fulamt_ownpay_amt: Money,
    pub overlmt_amt: Money,
    pub preselfpay_amt: Money,
    pub inscp_scp_amt: Money,
    pub lmt_used_flag: bool,
    /// Whether the item was found in the catalog (or carried its own catalog fields).
    pub in_catalog: bool,
}

/// A line's split with its texts borrowed from the request and the catalog, as a claim computes it:
/// the same fields as [`LineSplit`], without copying four texts per line (see [`super::Settlement`]).
/// [`LineRef::to_split`] gives the owned result; the JSON writer writes this form directly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineRef<'a> {
    pub feedetl_sn: &'a ShortText,
    pub init_feedetl_sn: Option<&'a ShortText>,
    pub med_list_codg: &'a ShortText,
    pub med_list_name: Option<&'a ShortText>,
    pub med_chrgitm_type: Option<ChrgitmType>,
    pub chrgitm_lv: Option<ChrgitmLv>,
    pub cnt: Dec,
    pub pric: Dec,
    pub det_item_fee_sumamt: Money,
    pub pric_uplmt_amt: Money,
    pub selfpay_prop: Dec,
    pub fulamt_ownpay_amt: Money,
    pub overlmt_amt: Money,
    pub preselfpay_amt: Money,
    pub inscp_scp_amt: Money,
    pub lmt_used_flag: bool,
    pub in_catalog: bool,
}

impl LineRef<'_> {
    /// The owned per-line result, field for field.
    pub fn to_split(&self) -> LineSplit {
        LineSplit {
            feedetl_sn: self.feedetl_sn.clone(),
            init_feedetl_sn: self.init_feedetl_sn.cloned(),
            med_list_codg: self.med_list_codg.clone(),
            med_list_name: self.med_list_name.cloned(),
            med_chrgitm_type: self.med_chrgitm_type,
            chrgitm_lv: self.chrgitm_lv,
            cnt: self.cnt,
            pric: self.pric,
            det_item_fee_sumamt: self.det_item_fee_sumamt,
            pric_uplmt_amt: self.pric_uplmt_amt,
            selfpay_prop: self.selfpay_prop,
            fulamt_ownpay_amt: self.fulamt_ownpay_amt,
            overlmt_amt: self.overlmt_amt,
            preselfpay_amt: self.preselfpay_amt,
            inscp_scp_amt: self.inscp_scp_amt,
            lmt_used_flag: self.lmt_used_flag,
            in_catalog: self.in_catalog,
        }
    }
}

impl LineSplit {
    /// The borrowed form (what the JSON writer takes).
    pub fn as_line_ref(&self) -> LineRef<'_> {
        LineRef {
            feedetl_sn: &self.feedetl_sn,
            init_feedetl_sn: self.init_feedetl_sn.as_ref(),
            med_list_codg: &self.med_list_codg,
            med_list_name: self.med_list_name.as_ref(),
            med_chrgitm_type: self.med_chrgitm_type,
            chrgitm_lv: self.chrgitm_lv,
            cnt: self.cnt,
            pric: self.pric,
            det_item_fee_sumamt: self.det_item_fee_sumamt,
            pric_uplmt_amt: self.pric_uplmt_amt,
            selfpay_prop: self.selfpay_prop,
            fulamt_ownpay_amt: self.fulamt_ownpay_amt,
            overlmt_amt: self.overlmt_amt,
            preselfpay_amt: self.preselfpay_amt,
            inscp_scp_amt: self.inscp_scp_amt,
            lmt_used_flag: self.lmt_used_flag,
            in_catalog: self.in_catalog,
        }
    }

    pub fn negated(&self) -> LineSplit {
        LineSplit {
            cnt: Dec(-self.cnt.0),
            det_item_fee_sumamt: -self.det_item_fee_sumamt,
            fulamt_ownpay_amt: -self.fulamt_ownpay_amt,
            overlmt_amt: -self.overlmt_amt,
            preselfpay_amt: -self.preselfpay_amt,
            inscp_scp_amt: -self.inscp_scp_amt,
            ..self.clone()
        }
    }
}

/// Largest count a line may carry; keeps `cnt × pric` far from `Decimal`'s range.
const MAX_CNT: i64 = 100_000_000;

fn amount_err(path: String, zh: String, en: String) -> ApiError {
    ApiError::new(ErrorCode::Amount, zh, en).at(path)
}

/// A fee line's numbers as `(mantissa, scale)` integers (the amount in whole fen), read from their
/// `Decimal`s once per claim: the checks and the split both compute on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LineNums {
    cnt: (i64, u32),
    pric: (i64, u32),
    det: i64,
    /// The line's own `selfpay_prop` and `pric_uplmt_amt`, when it carries them.
    prop: Option<(i64, u32)>,
    ceiling: Option<(i64, u32)>,
}

/// `limit × 10^s` for every scale `fixed` gives, saturating: a mantissa of scale `s` is within `limit`
/// when its magnitude is at most this (a table lookup and one comparison, no 128-bit product).
const fn scaled_limits(limit: u64) -> [u64; 13] {
    let mut t = [0u64; 13];
    let mut i = 0;
    while i < 13 {
        t[i] = limit.saturating_mul(10u64.pow(i as u32));
        i += 1;
    }
    t
}
const CNT_LIMITS: [u64; 13] = scaled_limits(MAX_CNT as u64);
const YUAN_LIMITS: [u64; 13] = scaled_limits(10_000_000_000); // MAX_AMOUNT

/// The line's numbers when the line passes every test of [`check_line`], decided in integers (the
/// common case, and a claim's hot loop). `None` (a failing value, or one outside the integer fast path)
/// sends the line through the exact checks, which also word the error. Never accepts what they refuse.
fn plainly_valid(line: &FeeLine) -> Option<LineNums> {
    if line.feedetl_sn.chars().all(char::is_whitespace) {
        return None;
    }
    // `fixed` keeps scales ≤ 12, so the table lookups are in range.
    let within = |(m, s): (i64, u32), limits: &[u64; 13]| m.unsigned_abs() <= limits[s as usize];
    let cnt = fixed(line.cnt.dec())?;
    let pric = fixed(line.pric.dec())?;
    let det = line.det_item_fee_sumamt.to_fen()?;
    let expect = fen_rounded(mul_wide(cnt.0, pric.0), cnt.1 + pric.1)?;
    let prop = match line.selfpay_prop {
        None => None,
        Some(sp) => {
            let (m, s) = fixed(sp.dec())?;
            let ok = !sp.dec().is_sign_negative() && m.unsigned_abs() <= POW10[s as usize] as u64;
            Some(ok.then_some((m, s))?)
        }
    };
    let ceiling = match line.pric_uplmt_amt {
        None => None,
        Some(c) => {
            let c = fixed(c.dec())?;
            Some((c.0 >= 0 && within(c, &YUAN_LIMITS)).then_some(c)?)
        }
    };
    let ok = within(cnt, &CNT_LIMITS)
        && pric.0 >= 0
        && within(pric, &YUAN_LIMITS)
        && det.unsigned_abs() <= YUAN_LIMITS[2]
        && (det >= 0 || line.init_feedetl_sn.is_some())
        && (expect - det).abs() <= 1;
    ok.then_some(LineNums {
        cnt,
        pric,
        det,
        prop,
        ceiling,
    })
}

/// Check a fee line's numbers before any arithmetic. `i` is its index, for the error path.
pub fn check_line(line: &FeeLine, i: usize) -> Result<(), ApiError> {
    checked_nums(line, i).map(|_| ())
}

/// [`check_line`], keeping the line's numbers in integers when the fast path read them (for
/// [`split_checked`]).
#[inline]
pub(crate) fn checked_nums(line: &FeeLine, i: usize) -> Result<Option<LineNums>, ApiError> {
    let nums = plainly_valid(line);
    if nums.is_none() {
        check_serial_and_numbers(line, i)?;
    }
    Ok(nums)
}

/// The checks [`plainly_valid`] passed over, with the wording of each refusal.
#[cold]
fn check_serial_and_numbers(line: &FeeLine, i: usize) -> Result<(), ApiError> {
    if line.feedetl_sn.chars().all(char::is_whitespace) {
        return Err(ApiError::missing("feedetl_sn").at(format!("request.lines[{i}]")));
    }
    check_numbers_exact(line, i)
}

/// [`check_line`]'s tests of the numbers in `Decimal`, with the wording of each refusal.
fn check_numbers_exact(line: &FeeLine, i: usize) -> Result<(), ApiError> {
    let p = |f: &str| format!("request.lines[{i}].{f}");
    let cnt = line.cnt.dec();
    let pric = line.pric.dec();
    let det = line.det_item_fee_sumamt;
    if cnt.abs() > Decimal::from(MAX_CNT) {
        return Err(amount_err(
            p("cnt"),
            format!("数量 {cnt} 超出合理范围"),
            format!("count {cnt} is beyond any real bill"),
        ));
    }
    if pric.is_sign_negative() && !pric.is_zero() {
        return Err(amount_err(
            p("pric"),
            format!("单价 {pric} 为负数"),
            format!("unit price {pric} is negative"),
        ));
    }
    if pric > MAX_AMOUNT {
        return Err(amount_err(
            p("pric"),
            format!("单价 {pric} 超出合理范围"),
            format!("unit price {pric} is beyond any real bill"),
        ));
    }
    if det.dec().abs() > MAX_AMOUNT {
        return Err(amount_err(
            p("det_item_fee_sumamt"),
            format!("金额 {det} 超出合理范围"),
            format!("amount {det} is beyond any real bill"),
        ));
    }
    if !det.is_fen_exact() {
        return Err(amount_err(
            p("det_item_fee_sumamt"),
            format!("金额 {} 精度超过分", det.dec()),
            format!("amount {} has digits below the fen", det.dec()),
        ));
    }
    if det.is_negative() && line.init_feedetl_sn.is_none() {
        return Err(amount_err(
            p("det_item_fee_sumamt"),
            "负数明细须填写原明细流水号 init_feedetl_sn（退费）".into(),
            "a negative line must name the original line in init_feedetl_sn (a refund)".into(),
        ));
    }
    let expect = round_fen(cnt * pric);
    if (expect - det.dec()).abs() > Decimal::new(1, 2) {
        return Err(ApiError::new(
            ErrorCode::LineTotal,
            format!("明细金额 {det} 与 数量×单价 = {cnt}×{pric} = {expect} 相差超过一分"),
            format!("det_item_fee_sumamt {det} differs from cnt × pric = {cnt} × {pric} = {expect} by more than a fen"),
        )
        .at(p("det_item_fee_sumamt")));
    }
    if let Some(sp) = line.selfpay_prop
        && (sp.dec().is_sign_negative() || sp.dec() > Decimal::ONE)
    {
        return Err(amount_err(
            p("selfpay_prop"),
            format!("自付比例 {sp} 不在 0–1 之间"),
            format!("selfpay_prop {sp} is not within 0–1"),
        ));
    }
    if let Some(c) = line.pric_uplmt_amt
        && (c.is_negative() || c.dec() > MAX_AMOUNT)
    {
        return Err(amount_err(
            p("pric_uplmt_amt"),
            format!("限价 {c} 不合理"),
            format!("price ceiling {c} is not acceptable"),
        ));
    }
    Ok(())
}

/// The four parts of a line: wholly self-paid, over the price ceiling, pre-self-paid, in scope.
type Parts = [Money; 4];

/// The split in `Decimal`: the reference, and the path for values outside the integer fast path.
fn amounts_exact(det: Money, whole: bool, ceiling: Option<Money>, pric: Dec, cnt: Dec, prop: Dec) -> Parts {
    let fulamt = if whole { det } else { Money::ZERO };
    let overlmt = match ceiling {
        Some(c) if fulamt.is_zero() => {
            let over = (pric.dec() - c.dec()).max(Decimal::ZERO) * cnt.dec();
            // Never more than the line itself (a ceiling of 0 on a mispriced line).
            let o = Money::rounded(over);
            if det.is_negative() { o.max(det) } else { o.min(det) }
        }
        _ => Money::ZERO,
    };
    let rest = det - fulamt - overlmt;
    let pre = Money::rounded(rest.dec() * prop.dec());
    [fulamt, overlmt, pre, rest - pre]
}

/// The same split in whole fen and 64/128-bit integers (a claim's hot loop): `None` when a value is
/// outside the fast path's range, and the caller falls back to [`amounts_exact`]. Property tests hold
/// the two equal.
fn amounts_fixed(
    det: Money,
    whole: bool,
    ceiling: Option<Money>,
    pric: Dec,
    cnt: Dec,
    prop: Dec,
) -> Option<Parts> {
    let ceiling = match ceiling {
        Some(c) => Some(fixed(c.dec())?),
        None => None,
    };
    let fen = amounts_int(
        det.to_fen()?,
        whole,
        ceiling,
        fixed(pric.dec())?,
        fixed(cnt.dec())?,
        fixed(prop.dec())?,
    )?;
    Some(fen.map(Money::from_fen))
}

/// [`amounts_fixed`] on numbers already in integers: `[fulamt, overlmt, pre, inscp]` in fen.
#[inline(always)]
fn amounts_int(
    det: i64,
    whole: bool,
    ceiling: Option<(i64, u32)>,
    pric: (i64, u32),
    cnt: (i64, u32),
    prop: (i64, u32),
) -> Option<[i64; 4]> {
    let fulamt = if whole { det } else { 0 };
    let overlmt = match ceiling {
        Some(c) if fulamt == 0 => {
            let (p, c, s) = aligned(pric, c);
            let over = (p - c).max(0);
            let over = match i64::try_from(over) {
                Ok(v) => mul_wide(v, cnt.0),
                Err(_) => over.checked_mul(i128::from(cnt.0))?,
            };
            let o = fen_rounded(over, s + cnt.1)?;
            if det < 0 { o.max(det) } else { o.min(det) }
        }
        _ => 0,
    };
    let rest = det - fulamt - overlmt;
    let pre = match prop.0 {
        0 => 0,
        _ => fen_rounded(mul_wide(rest, prop.0), prop.1 + 2)?,
    };
    Some([fulamt, overlmt, pre, rest - pre])
}

/// Whether a ceiling of `(mantissa, scale)` is the interface's "no ceiling", 999999.
fn is_no_ceiling((m, s): (i64, u32)) -> bool {
    i128::from(m) == mul_wide(crate::catalog::NO_PRICE_CEILING, POW10[s as usize])
}

/// Split one line. Catalog fields sent on the line (the treatment place's 2204 answer) win over the
/// catalog; an item in neither is wholly self-paid.
pub fn split_line(line: &FeeLine, catalog: Option<&Catalog>) -> LineSplit {
    split_checked(line, plainly_valid(line).as_ref(), catalog, &mut None).to_split()
}

/// [`split_line`] with the line's numbers already read by [`checked_nums`] (`None`: read them here).
/// Adds the line's columns `[det_item_fee_sumamt, fulamt_ownpay_amt, overlmt_amt, preselfpay_amt,
/// inscp_scp_amt]` to the bill's totals in whole fen `fen`, or sets it to `None` when a line left the
/// integer path (the caller then sums the splits).
#[inline(always)]
pub(crate) fn split_checked<'a>(
    line: &'a FeeLine,
    nums: Option<&LineNums>,
    catalog: Option<&'a Catalog>,
    fen: &mut Option<[i64; 5]>,
) -> LineRef<'a> {
    let found = catalog.and_then(|c| c.get_with_nums(&line.med_list_codg));
    let item: Option<&CatalogItem> = found.map(|(i, _)| i);
    let lv = line.chrgitm_lv.or(item.map(|i| i.chrgitm_lv));
    let in_catalog = lv.is_some();
    let prop = line
        .selfpay_prop
        .or(item.map(|i| i.selfpay_prop))
        .unwrap_or(Dec::ZERO);
    let lmt = line
        .lmt_used_flag
        .or(item.map(|i| i.lmt_used_flag))
        .unwrap_or(false);
    let det = line.det_item_fee_sumamt;
    let refused = lmt && line.hosp_appr_flag == Some(HospApprFlag::Refused);
    let whole = !in_catalog || lv == Some(ChrgitmLv::Bing) || refused;
    // A ceiling the line sends wins over the catalog's, and 999999 on the line means none.
    let line_no_ceiling = match (line.pric_uplmt_amt, nums.and_then(|n| n.ceiling)) {
        (Some(_), Some(c)) => is_no_ceiling(c),
        (Some(c), None) => c.dec() == Decimal::from(crate::catalog::NO_PRICE_CEILING),
        (None, _) => false,
    };
    let ceiling = match line.pric_uplmt_amt {
        Some(_) if line_no_ceiling => None,
        Some(c) => Some(c),
        None => item.and_then(|i| i.pric_uplmt_amt),
    };
    // The integer path, on the numbers the checks read and the catalog's read at load.
    let int = nums.and_then(|n| {
        let item_nums = match found {
            Some((_, nums)) => Some(nums?),
            None => None,
        };
        let ceiling = match (n.ceiling, item_nums) {
            (Some(_), _) if line_no_ceiling => None,
            (Some(c), _) => Some(c),
            (None, Some(i)) => i.ceiling,
            (None, None) => None,
        };
        let prop = match (n.prop, item_nums) {
            (Some(p), _) => p,
            (None, Some(i)) => i.prop,
            (None, None) => (0, 0),
        };
        let [f, o, p, i] = amounts_int(n.det, whole, ceiling, n.pric, n.cnt, prop)?;
        Some([n.det, f, o, p, i])
    });
    *fen = match (*fen, int) {
        (Some(mut sum), Some(line)) => sum
            .iter_mut()
            .zip(line)
            .all(|(t, v)| t.checked_add(v).map(|n| *t = n).is_some())
            .then_some(sum),
        _ => None,
    };
    let [fulamt, overlmt, pre, inscp] = match int {
        Some(f) => [f[1], f[2], f[3], f[4]].map(Money::from_fen),
        None => amounts_fixed(det, whole, ceiling, line.pric, line.cnt, prop)
            .unwrap_or_else(|| amounts_exact(det, whole, ceiling, line.pric, line.cnt, prop)),
    };
    LineRef {
        feedetl_sn: &line.feedetl_sn,
        init_feedetl_sn: line.init_feedetl_sn.as_ref(),
        med_list_codg: &line.med_list_codg,
        med_list_name: line.med_list_name.as_ref().or(item.map(|i| &i.med_list_name)),
        med_chrgitm_type: line.med_chrgitm_type.or(item.map(|i| i.med_chrgitm_type)),
        chrgitm_lv: lv,
        cnt: line.cnt,
        pric: line.pric,
        det_item_fee_sumamt: det,
        pric_uplmt_amt: ceiling.unwrap_or(Money::yuan(crate::catalog::NO_PRICE_CEILING)),
        selfpay_prop: if in_catalog { prop } else { Dec(Decimal::ONE) },
        fulamt_ownpay_amt: fulamt,
        overlmt_amt: overlmt,
        preselfpay_amt: pre,
        inscp_scp_amt: inscp,
        lmt_used_flag: lmt,
        in_catalog,
    }
}

// The catalog the tests read is CSV: builds without the CSV reader (the phone's) skip them.
#[cfg(test)]
#[cfg(csv_catalogs)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn line(cnt: &str, pric: &str, det: &str, lv: &str, prop: &str, ceil: Option<&str>) -> FeeLine {
        serde_json::from_value(serde_json::json!({
            "feedetl_sn": "1", "med_list_codg": "X", "cnt": cnt, "pric": pric, "det_item_fee_sumamt": det,
            "chrgitm_lv": lv, "selfpay_prop": prop, "pric_uplmt_amt": ceil
        }))
        .unwrap()
    }

    #[test]
    fn spec_example_preselfpay_half_up() {
        // NATIONAL_SPEC §2: 4.52 × 0.05 = 0.226 → 0.23.
        let s = split_line(&line("1", "4.52", "4.52", "02", "0.05", None), None);
        assert_eq!(s.preselfpay_amt.to_string(), "0.23");
        assert_eq!(s.inscp_scp_amt.to_string(), "4.29");
        assert_eq!(s.pric_uplmt_amt.to_string(), "999999.00");
    }

    #[test]
    fn over_ceiling_and_bing() {
        let s = split_line(&line("2", "60", "120", "02", "0.10", Some("50")), None);
        assert_eq!(s.overlmt_amt.to_string(), "20.00");
        assert_eq!(s.preselfpay_amt.to_string(), "10.00");
        assert_eq!(s.inscp_scp_amt.to_string(), "90.00");
        let b = split_line(&line("1", "33.3", "33.30", "3", "1", None), None);
        assert_eq!(b.fulamt_ownpay_amt.to_string(), "33.30");
        assert_eq!(b.inscp_scp_amt.to_string(), "0.00");
    }

    fn dec(m: i64, s: u32) -> Dec {
        Dec(Decimal::new(m, s))
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]
        /// The integer fast path of the split gives exactly the `Decimal` reference's amounts.
        #[test]
        fn fixed_split_equals_exact(
            det in -2_000_000i64..20_000_000, whole: bool,
            ceil in proptest::option::of((0i64..10_000_000, 0u32..5)),
            pric in (0i64..100_000_000, 0u32..7), cnt in (-50_000i64..500_000, 0u32..5),
            prop in (0i64..=10_000, 0u32..5),
        ) {
            let det = Money::from_fen(det);
            let ceiling = ceil.map(|(m, s)| Money::from_decimal(Decimal::new(m, s)));
            let (pric, cnt) = (dec(pric.0, pric.1), dec(cnt.0, cnt.1));
            let prop = dec(prop.0.min(10i64.pow(prop.1)), prop.1);
            let fast = amounts_fixed(det, whole, ceiling, pric, cnt, prop);
            proptest::prop_assert!(fast.is_some());
            proptest::prop_assert_eq!(fast, Some(amounts_exact(det, whole, ceiling, pric, cnt, prop)));
        }

        /// The integer acceptance test never accepts a line the exact checks refuse.
        #[test]
        fn plainly_valid_only_accepts_what_the_exact_checks_accept(
            cnt in (-2_000_000_000i64..2_000_000_000, 0u32..9),
            pric in proptest::prop_oneof![(0i64..1_000_000_000, 0u32..7), (-1000i64..i64::MAX, 0u32..13)],
            det in (-100_000i64..100_000_000_000_000, 0u32..4), off in -3i64..3,
            prop in proptest::option::of((-5i64..20_000, 0u32..5)),
            ceil in proptest::option::of(proptest::prop_oneof![(-5i64..1_000_000_000, 0u32..7), (-5i64..i64::MAX, 0u32..13)]),
            refund: bool,
        ) {
            // Half the cases carry the right total (± a few fen), the rest a random one.
            let (c, p) = (dec(cnt.0, cnt.1), dec(pric.0, pric.1));
            let total = if det.0 % 2 == 0 {
                Money::rounded(c.dec().checked_mul(p.dec()).unwrap_or_default()) + Money::from_fen(off)
            } else {
                Money::from_decimal(Decimal::new(det.0, det.1))
            };
            let l = FeeLine {
                cnt: c, pric: p, det_item_fee_sumamt: total,
                selfpay_prop: prop.map(|(m, s)| dec(m, s)),
                pric_uplmt_amt: ceil.map(|(m, s)| Money::from_decimal(Decimal::new(m, s))),
                init_feedetl_sn: refund.then(|| "0".into()),
                ..line("1", "1", "1", "01", "0", None)
            };
            if plainly_valid(&l).is_some() {
                proptest::prop_assert!(check_numbers_exact(&l, 0).is_ok(), "{:?}", l);
            }
        }
    }

    const TEST_CATALOG: &str = "# region: 330100\n# name: t\n\
        med_list_codg,med_list_name,med_chrgitm_type,chrgitm_lv,selfpay_prop,pric_uplmt_amt,lmt_used_flag,verified,cite\n\
        A,甲类项目,01,01,0,999999,0,true,t\n\
        B,乙类药品（名称超过二十四个字节的一种）,09,02,0.15,12.345,0,true,t\n\
        C,丙类,09,03,1,999999,0,true,t\n\
        D,限制使用,09,02,0.1,8,1,true,t\n";

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// The split on the numbers the checks read (and the catalog's read at load) is the split
        /// computed from the line's `Decimal`s: same columns, same ceiling and proportion chosen.
        #[test]
        fn split_on_checked_numbers_equals_split_from_decimals(
            code in proptest::sample::select(vec!["A", "B", "C", "D", "X"]),
            cnt in (1i64..500, 0u32..3), pric in (0i64..5_000_000, 0u32..4),
            lv in proptest::option::of(proptest::sample::select(vec!["01", "02", "03"])),
            prop in proptest::option::of((0i64..=100, 0u32..3)),
            ceil in proptest::option::of(proptest::prop_oneof![proptest::strategy::Just((999_999i64, 0u32)), proptest::strategy::Just((99_999_900, 2)), (0i64..100_000, 0u32..3)]),
            appr in proptest::option::of(proptest::bool::ANY),
        ) {
            let cat = Catalog::from_static_csv("t.csv", TEST_CATALOG).unwrap();
            let (c, p) = (dec(cnt.0, cnt.1), dec(pric.0, pric.1));
            let mut l = FeeLine {
                med_list_codg: code.into(),
                cnt: c,
                pric: p,
                det_item_fee_sumamt: Money::rounded(c.dec() * p.dec()),
                selfpay_prop: prop.map(|(m, s)| dec(m.min(10i64.pow(s)), s)),
                pric_uplmt_amt: ceil.map(|(m, s)| Money::from_decimal(Decimal::new(m, s))),
                ..line("1", "1", "1", "01", "0", None)
            };
            l.chrgitm_lv = lv.map(|v| ChrgitmLv::parse(v).unwrap());
            l.hosp_appr_flag = appr.map(|a| if a { HospApprFlag::Approved } else { HospApprFlag::Refused });
            let nums = plainly_valid(&l);
            proptest::prop_assert!(nums.is_some());
            let (mut a, mut b) = (Some([0; 5]), Some([0; 5]));
            let on_nums = split_checked(&l, nums.as_ref(), Some(&cat), &mut a);
            let from_decimals = split_checked(&l, None, Some(&cat), &mut b);
            proptest::prop_assert_eq!(&on_nums, &from_decimals);
            proptest::prop_assert!(a.is_some() && b.is_none());
            let cols = [on_nums.det_item_fee_sumamt, on_nums.fulamt_ownpay_amt, on_nums.overlmt_amt,
                on_nums.preselfpay_amt, on_nums.inscp_scp_amt];
            proptest::prop_assert_eq!(a.map(|f| f.map(Money::from_fen)), Some(cols));
        }
    }

    #[test]
    fn plain_lines_take_the_integer_checks() {
        assert_eq!(
            plainly_valid(&line("3", "1.115", "3.35", "01", "0.1", Some("2"))),
            Some(LineNums {
                cnt: (3, 0),
                pric: (1115, 3),
                det: 335,
                prop: Some((1, 1)),
                ceiling: Some((2, 0)),
            })
        );
        assert_eq!(plainly_valid(&line("3", "1.11", "3.35", "01", "0", None)), None);
        assert_eq!(plainly_valid(&line("1", "1", "1.00", "01", "-0.1", None)), None);
        let s = split_line(&line("3", "1.115", "3.35", "01", "0.1", Some("1")), None);
        assert_eq!(
            (s.overlmt_amt.to_string(), s.preselfpay_amt.to_string()),
            ("0.35".into(), "0.30".into())
        );
    }

    #[test]
    fn line_total_mismatch_is_an_error() {
        let l = line("3", "1.11", "3.35", "01", "0", None);
        assert_eq!(check_line(&l, 0).unwrap_err().code, ErrorCode::LineTotal);
        let ok = line("3", "1.115", "3.35", "01", "0", None); // 3.345 → 3.35 half-up
        assert!(check_line(&ok, 0).is_ok());
        assert_eq!(
            Decimal::from_str("3.345").map(round_fen).unwrap().to_string(),
            "3.35"
        );
    }
}
