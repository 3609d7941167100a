//! Verify a returned split (`setlinfo` + `setldetail`, with the claim when present) against the
//! invariants of NATIONAL_SPEC.md §3, and — when the claim and its lines are given — against the
//! core's own recomputation.
//!
//! Real records bend the interface: amounts as numbers or strings, `null` where a system returned
//! nothing, `ownpay_hosp_part` (999997), provincial extra names. All are accepted; a missing amount is
//! not a mismatch by itself (the check that needs it is reported as skipped).

use crate::codes::FundColumn;
use crate::error::ApiError;
use crate::money::{MAX_AMOUNT, Money, decimal_from_value, opt_money};
use crate::policy::PackSet;
use crate::prelude::*;
use crate::settle::{SettleRequest, compute};
use alloc::collections::BTreeMap;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// An identifier sent as a string or a number.
fn take_string(m: &mut Map, key: &str) -> Option<String> {
    match m.remove(key)? {
        Value::Null => None,
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        other => Some(other.to_string()),
    }
}

/// An amount sent as a number, a string, `null` or `""`; beyond [`MAX_AMOUNT`] it is refused, which also
/// keeps every sum of a record's amounts inside `Decimal`'s range.
fn take_money(m: &mut Map, key: &str) -> Result<Option<Money>, String> {
    match m.remove(key) {
        None => Ok(None),
        Some(v) => money_of(&v).map_err(|e| format!("{key}: {e}")),
    }
}

fn money_of(v: &Value) -> Result<Option<Money>, String> {
    match decimal_from_value(v)? {
        Some(d) if d.abs() > MAX_AMOUNT => Err(format!(
            "{d} is not an amount the core accepts (more than {MAX_AMOUNT} yuan)"
        )),
        d => Ok(d.map(Money::from_decimal)),
    }
}

/// What a JSON value is, for an error about it.
fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `setldetail` as real systems send it: an array of rows, `null` (none), one row as an object, or the
/// array as JSON text (a CSV cell or a string field). Rows are made from the `Value`s directly:
/// `serde_json::from_value` would bring serde_json's number-to-float conversion (its `Value` deserializer
/// compares a number's text with an `f64`'s) into the hospital's phone module, about 25 KB of float parsing
/// and printing that nothing else uses.
fn detail_rows<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<SubmittedDetail>, D::Error> {
    use serde::de::Error;
    // Inserted one by one: `collect` into a `BTreeMap` sorts first (another sort in the module), and
    // serde_json's map is already in key order.
    let row = |m: serde_json::Map<String, Value>| {
        let mut map = Map::new();
        for (k, v) in m {
            map.insert(k, v);
        }
        SubmittedDetail::try_from(map)
    };
    let rows = |v: Value| -> Result<Vec<SubmittedDetail>, D::Error> {
        match v {
            Value::Null => Ok(Vec::new()),
            Value::Object(m) => row(m).map(|r| vec![r]).map_err(D::Error::custom),
            Value::Array(rows) => rows
                .into_iter()
                .enumerate()
                .map(|(i, r)| match r {
                    Value::Object(m) => row(m),
                    r => Err(format!(
                        "setldetail[{i}]: a row is an object of fields, got {}",
                        json_kind(&r)
                    )),
                })
                .collect::<Result<_, _>>()
                .map_err(D::Error::custom),
            v => Err(D::Error::custom(format!(
                "setldetail: expected rows (an array of objects), got {}",
                json_kind(&v)
            ))),
        }
    };
    match Value::deserialize(d)? {
        Value::String(text) if text.trim().is_empty() => Ok(Vec::new()),
        Value::String(text) => rows(serde_json::from_str(&text).map_err(|e| {
            D::Error::custom(format!("setldetail: the text is not a JSON array of rows ({e})"))
        })?),
        v => rows(v),
    }
}

type Map = BTreeMap<String, Value>;

macro_rules! submitted_setlinfo {
    ($($f:ident),* $(,)?) => {
        /// A `setlinfo` as submitted: every amount optional, extra fields kept. Read through a map rather
        /// than `#[serde(flatten)]`, which would instantiate serde's buffering machinery for every field.
        #[derive(Debug, Clone, Default, Serialize, Deserialize)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        #[serde(try_from = "Map")]
        pub struct SubmittedSetlInfo {
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub setl_id: Option<String>,
            $(
                #[serde(default, with = "opt_money", skip_serializing_if = "Option::is_none")]
                #[cfg_attr(feature = "schema", schemars(with = "Option<Money>"))]
                pub $f: Option<Money>,
            )*
            /// Fields this core does not know (provincial extensions), kept as they came.
            #[serde(flatten)]
            pub extra: BTreeMap<String, Value>,
        }

        impl TryFrom<Map> for SubmittedSetlInfo {
            type Error = String;
            fn try_from(mut m: Map) -> Result<Self, String> {
                Ok(SubmittedSetlInfo {
                    setl_id: take_string(&mut m, "setl_id"),
                    $($f: take_money(&mut m, stringify!($f))?,)*
                    extra: m,
                })
            }
        }
    };
}

submitted_setlinfo!(
    medfee_sumamt,
    fulamt_ownpay_amt,
    overlmt_selfpay,
    preselfpay_amt,
    inscp_scp_amt,
    act_pay_dedc,
    hifp_pay,
    cvlserv_pay,
    hifes_pay,
    hifmi_pay,
    hifob_pay,
    maf_pay,
    hifdm_pay,
    hosp_part_amt,
    ownpay_hosp_part,
    oth_pay,
    fund_pay_sumamt,
    psn_part_amt,
    acct_pay,
    psn_cash_pay,
    acct_mulaid_pay,
    balc,
);

/// A `setldetail` row as submitted.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(try_from = "Map")]
pub struct SubmittedDetail {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fund_pay_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fund_pay_type_name: Option<String>,
    #[serde(default, with = "opt_money", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<Money>"))]
    pub inscp_scp_amt: Option<Money>,
    #[serde(default, with = "opt_money", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<Money>"))]
    pub fund_payamt: Option<Money>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// A per-line result as submitted (for invariant 7).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(try_from = "Map")]
pub struct SubmittedLine {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedetl_sn: Option<String>,
    #[serde(default, with = "opt_money", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<Money>"))]
    pub det_item_fee_sumamt: Option<Money>,
    #[serde(default, with = "opt_money", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<Money>"))]
    pub fulamt_ownpay_amt: Option<Money>,
    #[serde(default, with = "opt_money", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<Money>"))]
    pub overlmt_amt: Option<Money>,
    #[serde(default, with = "opt_money", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<Money>"))]
    pub preselfpay_amt: Option<Money>,
    #[serde(default, with = "opt_money", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<Money>"))]
    pub inscp_scp_amt: Option<Money>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl TryFrom<Map> for SubmittedDetail {
    type Error = String;
    fn try_from(mut m: Map) -> Result<Self, String> {
        Ok(SubmittedDetail {
            fund_pay_type: take_string(&mut m, "fund_pay_type"),
            fund_pay_type_name: take_string(&mut m, "fund_pay_type_name"),
            inscp_scp_amt: take_money(&mut m, "inscp_scp_amt")?,
            fund_payamt: take_money(&mut m, "fund_payamt")?,
            extra: m,
        })
    }
}

impl TryFrom<Map> for SubmittedLine {
    type Error = String;
    fn try_from(mut m: Map) -> Result<Self, String> {
        Ok(SubmittedLine {
            feedetl_sn: take_string(&mut m, "feedetl_sn"),
            det_item_fee_sumamt: take_money(&mut m, "det_item_fee_sumamt")?,
            fulamt_ownpay_amt: take_money(&mut m, "fulamt_ownpay_amt")?,
            overlmt_amt: take_money(&mut m, "overlmt_amt")?,
            preselfpay_amt: take_money(&mut m, "preselfpay_amt")?,
            inscp_scp_amt: take_money(&mut m, "inscp_scp_amt")?,
            extra: m,
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct VerifyRequest {
    pub setlinfo: SubmittedSetlInfo,
    #[serde(default, deserialize_with = "detail_rows")]
    pub setldetail: Vec<SubmittedDetail>,
    /// Per-line results as returned, when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lines: Option<Vec<SubmittedLine>>,
    /// The claim (person, visit, fee lines …) when present: the split is then recomputed and compared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim: Option<SettleRequest>,
    /// Allowed difference; by default none: every invariant holds to the fen (NATIONAL_SPEC §3), so a
    /// difference of one fen is a mismatch.
    #[serde(default, with = "opt_money", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<Money>"))]
    pub tolerance: Option<Money>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Consistent,
    Inconsistent,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Finding {
    pub field: String,
    pub rule: String,
    pub cite: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub got: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub difference: Option<Money>,
    pub zh: String,
    pub en: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct VerifyResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setl_id: Option<String>,
    pub verdict: Verdict,
    /// The record is a reversal (every amount negated).
    pub reversal: bool,
    pub findings: Vec<Finding>,
    /// Rule ids checked.
    pub checked: Vec<String>,
    /// Rule ids that could not be checked because an amount was missing.
    pub skipped: Vec<String>,
    /// Amounts derived where the record left them out (e.g. a missing `psn_part_amt`).
    pub derived: BTreeMap<String, Money>,
}

const SPEC: &str = "NATIONAL_SPEC §3";

struct Checker {
    tol: Decimal,
    findings: Vec<Finding>,
    checked: Vec<String>,
    skipped: Vec<String>,
}

impl Checker {
    fn eq(
        &mut self,
        rule: &str,
        field: &str,
        cite: &str,
        expected: Option<Money>,
        got: Option<Money>,
        what: (&str, &str),
    ) {
        match (expected, got) {
            (Some(e), Some(g)) => {
                self.checked.push(rule.to_string());
                // Compared at the fen, as the platform carries amounts (N16,2): digits below it are reported
                // once by `format.fen`, not as an "off by 0.00" here.
                let (e, g) = (e.at_fen(), g.at_fen());
                let diff = g - e;
                if diff.dec().abs() > self.tol {
                    self.findings.push(Finding {
                        field: field.into(),
                        rule: rule.into(),
                        cite: cite.into(),
                        expected: Some(e),
                        got: Some(g),
                        difference: Some(diff),
                        zh: format!("{field} 应为 {e}（{}），实为 {g}，相差 {diff}", what.0),
                        en: format!("{field} should be {e} ({}), is {g}, off by {diff}", what.1),
                    });
                }
            }
            _ => self.skipped.push(rule.to_string()),
        }
    }
}

fn sum_opt(v: &[Option<Money>]) -> Option<Money> {
    if v.iter().all(Option::is_none) {
        None
    } else {
        Some(v.iter().flatten().copied().sum())
    }
}

/// A provincial name standing in for a missing national one (`cashPayamt` for `psn_cash_pay`); a value
/// under that name that is not an amount is refused like the national field, never silently skipped.
fn alias(s: &SubmittedSetlInfo, v: Option<Money>, names: &[&str]) -> Result<Option<Money>, ApiError> {
    if v.is_some() {
        return Ok(v);
    }
    for n in names {
        if let Some(x) = s.extra.get(*n) {
            return money_of(x).map_err(|e| {
                ApiError::new(
                    crate::error::ErrorCode::Amount,
                    format!("{n}：{e}"),
                    format!("{n}: {e}"),
                )
                .at(format!("request.setlinfo.{n}"))
            });
        }
    }
    Ok(None)
}

/// Verify one submitted settlement.
pub fn verify(packs: &PackSet, r: &VerifyRequest) -> Result<VerifyResponse, ApiError> {
    let s = &r.setlinfo;
    let tol = r.tolerance.map_or(Decimal::ZERO, |t| t.dec().abs());
    let mut c = Checker {
        tol,
        findings: Vec::new(),
        checked: Vec::new(),
        skipped: Vec::new(),
    };
    let mut derived = BTreeMap::new();
    let inscp = alias(s, s.inscp_scp_amt, &["inscp_amt"])?;
    let oth = alias(s, s.oth_pay, &["othfund_pay"])?;
    let cash = alias(s, s.psn_cash_pay, &["cashPayamt"])?;
    let psn_part_given = alias(s, s.psn_part_amt, &["psn_pay"])?;

    // setldetail lists every fund, the personal account and the hospital-borne parts (NATIONAL_SPEC §3), so
    // when all its rows carry an amount it tells what a column left empty holds: a column with no row is 0.
    let rows_complete = !r.setldetail.is_empty()
        && r.setldetail
            .iter()
            .all(|d| d.fund_payamt.is_some() && d.fund_pay_type.is_some());
    let mut by_col: BTreeMap<FundColumn, Money> = BTreeMap::new();
    for d in &r.setldetail {
        if let (Some(code), Some(a)) = (&d.fund_pay_type, d.fund_payamt) {
            *by_col.entry(FundColumn::of_fund_pay_type(code)).or_default() += a;
        }
    }
    let mut from_detail = |col: FundColumn, given: Option<Money>, name: &str| -> Option<Money> {
        if given.is_some() || !rows_complete {
            return given;
        }
        // Reported as derived when rows stand for it; a column without rows is simply 0.
        let v = by_col.get(&col).copied();
        if let Some(v) = v {
            derived.insert(name.to_string(), v);
        }
        Some(v.unwrap_or(Money::ZERO))
    };
    let acct = from_detail(FundColumn::AcctPay, s.acct_pay, "acct_pay");
    let hifp = from_detail(FundColumn::HifpPay, s.hifp_pay, "hifp_pay");
    // Hospital-borne parts (999996, 999997) are left out by most systems when nothing was borne: absent
    // and with no setldetail row, they count as none.
    let hosp = from_detail(FundColumn::HospPartAmt, s.hosp_part_amt, "hosp_part_amt").unwrap_or(Money::ZERO);
    let ownpay_hosp = from_detail(FundColumn::OwnpayHospPart, s.ownpay_hosp_part, "ownpay_hosp_part")
        .unwrap_or(Money::ZERO);

    // A reversal negates every amount (2208 / 2305); when the total is missing, the other amounts tell.
    let all_given = [
        s.medfee_sumamt,
        s.fulamt_ownpay_amt,
        s.overlmt_selfpay,
        s.preselfpay_amt,
        inscp,
        s.act_pay_dedc,
        s.hifp_pay,
        s.cvlserv_pay,
        s.hifes_pay,
        s.hifmi_pay,
        s.hifob_pay,
        s.maf_pay,
        s.hifdm_pay,
        s.hosp_part_amt,
        s.ownpay_hosp_part,
        oth,
        s.fund_pay_sumamt,
        psn_part_given,
        s.acct_pay,
        cash,
    ];
    let reversal = match s.medfee_sumamt {
        Some(m) if !m.is_zero() => m.is_negative(),
        _ => {
            let nonzero: Vec<Money> = all_given
                .iter()
                .flatten()
                .filter(|m| !m.is_zero())
                .copied()
                .collect();
            !nonzero.is_empty() && nonzero.iter().all(|m| m.is_negative())
        }
    };

    // (1) medfee = self-paid + over ceiling + pre-self-pay + in scope.
    let parts = [s.fulamt_ownpay_amt, s.overlmt_selfpay, s.preselfpay_amt, inscp];
    let parts_sum = if parts.iter().all(Option::is_some) {
        sum_opt(&parts)
    } else {
        None
    };
    c.eq(
        "inv1.medfee",
        "medfee_sumamt",
        SPEC,
        parts_sum,
        s.medfee_sumamt,
        (
            "全自费+超限价+先行自付+符合范围",
            "self-paid + over ceiling + pre-self-pay + in scope",
        ),
    );

    // (2) fund total = sum of the fund columns. The pooled fund's column is needed; the others are left out
    // by most systems when nothing was paid from them.
    let funds = [
        s.cvlserv_pay,
        s.hifes_pay,
        s.hifmi_pay,
        s.hifob_pay,
        s.maf_pay,
        oth,
        s.hifdm_pay,
    ];
    c.eq(
        "inv2.fund_sum",
        "fund_pay_sumamt",
        SPEC,
        hifp.map(|h| h + funds.iter().flatten().copied().sum::<Money>()),
        s.fund_pay_sumamt,
        ("各基金支付之和", "the sum of the fund columns"),
    );

    // (3) personal part = total − funds − hospital-borne (999996 and 999997).
    let psn_expected = match (s.medfee_sumamt, s.fund_pay_sumamt) {
        (Some(m), Some(f)) => Some(m - f - hosp - ownpay_hosp),
        _ => None,
    };
    let psn_part = match psn_part_given {
        Some(p) => {
            c.eq(
                "inv3.psn_part",
                "psn_part_amt",
                SPEC,
                psn_expected,
                Some(p),
                ("医疗费总额−基金支付−医院负担", "total − funds − hospital-borne"),
            );
            Some(p)
        }
        None => {
            if let Some(p) = psn_expected {
                derived.insert("psn_part_amt".to_string(), p);
            }
            c.skipped.push("inv3.psn_part".into());
            psn_expected
        }
    };

    // (4) personal part = account + cash.
    c.eq(
        "inv4.psn_split",
        "psn_cash_pay",
        SPEC,
        psn_part.zip(acct).map(|(p, a)| p - a),
        cash,
        ("个人负担−个人账户", "personal part − account"),
    );

    // (5) setldetail: sum = funds + account + hospital-borne; and each column matches its rows.
    if !r.setldetail.is_empty() {
        let detail_sum = if r.setldetail.iter().all(|d| d.fund_payamt.is_some()) {
            sum_opt(&r.setldetail.iter().map(|d| d.fund_payamt).collect::<Vec<_>>())
        } else {
            None
        };
        let expected = s
            .fund_pay_sumamt
            .zip(acct)
            .map(|(f, a)| f + a + hosp + ownpay_hosp);
        c.eq(
            "inv5.detail_sum",
            "setldetail",
            SPEC,
            expected,
            detail_sum,
            (
                "基金支付总额+个人账户+医院负担",
                "fund total + account + hospital-borne",
            ),
        );
        let cols: [(FundColumn, Option<Money>); 11] = [
            (FundColumn::HifpPay, s.hifp_pay),
            (FundColumn::CvlservPay, s.cvlserv_pay),
            (FundColumn::HifesPay, s.hifes_pay),
            (FundColumn::HifmiPay, s.hifmi_pay),
            (FundColumn::HifobPay, s.hifob_pay),
            (FundColumn::MafPay, s.maf_pay),
            (FundColumn::HifdmPay, s.hifdm_pay),
            (FundColumn::OthPay, oth),
            (FundColumn::AcctPay, s.acct_pay),
            (FundColumn::HospPartAmt, s.hosp_part_amt),
            (FundColumn::OwnpayHospPart, s.ownpay_hosp_part),
        ];
        for (col, v) in cols {
            // A column is compared with its rows when it has rows, or when every row is known and the column
            // holds an amount that no row accounts for.
            let rows = match by_col.get(&col) {
                Some(x) => Some(*x),
                None if rows_complete && v.is_some_and(|v| !v.is_zero()) => Some(Money::ZERO),
                None => None,
            };
            if let (Some(rows), Some(v)) = (rows, v) {
                c.eq(
                    "inv5.detail_column",
                    col.field(),
                    "NATIONAL_SPEC §3 (5), §4 fund_pay_type",
                    Some(rows),
                    Some(v),
                    (
                        "setldetail 中该基金各行之和",
                        "the sum of that fund's setldetail rows",
                    ),
                );
            }
        }
    }

    // (6) deductible within scope; signs.
    if let (Some(d), Some(i)) = (s.act_pay_dedc.map(Money::at_fen), inscp.map(Money::at_fen)) {
        c.checked.push("inv6.dedc".into());
        let bad = if reversal { d < i } else { d > i };
        if bad {
            c.findings.push(Finding {
                field: "act_pay_dedc".into(),
                rule: "inv6.dedc".into(),
                cite: SPEC.into(),
                expected: Some(i),
                got: Some(d),
                difference: Some(d - i),
                zh: format!("实际支付起付线 {d} 超过符合范围金额 {i}"),
                en: format!("act_pay_dedc {d} exceeds inscp_scp_amt {i}"),
            });
        }
    } else {
        c.skipped.push("inv6.dedc".into());
    }
    c.checked.push("inv6.sign".into());
    c.checked.push("format.fen".into());
    // The submitted amounts in `setlinfo` order, provincial names already standing in for missing ones.
    let given: [(&str, Option<Money>); 18] = [
        ("medfee_sumamt", s.medfee_sumamt),
        ("fulamt_ownpay_amt", s.fulamt_ownpay_amt),
        ("overlmt_selfpay", s.overlmt_selfpay),
        ("preselfpay_amt", s.preselfpay_amt),
        ("inscp_scp_amt", inscp),
        ("act_pay_dedc", s.act_pay_dedc),
        ("hifp_pay", s.hifp_pay),
        ("cvlserv_pay", s.cvlserv_pay),
        ("hifes_pay", s.hifes_pay),
        ("hifmi_pay", s.hifmi_pay),
        ("hifob_pay", s.hifob_pay),
        ("maf_pay", s.maf_pay),
        ("hosp_part_amt", s.hosp_part_amt),
        ("oth_pay", oth),
        ("fund_pay_sumamt", s.fund_pay_sumamt),
        ("psn_part_amt", psn_part_given),
        ("acct_pay", s.acct_pay),
        ("psn_cash_pay", cash),
    ];
    // No amount is negative except in a reversal, which is the exact negation (NATIONAL_SPEC §3 (6)):
    // every column, the provincial ones and each setldetail row.
    let extra_cols = [
        ("hifdm_pay", s.hifdm_pay),
        ("ownpay_hosp_part", s.ownpay_hosp_part),
    ];
    let rows = r.setldetail.iter().enumerate().map(|(i, d)| (i, d.fund_payamt));
    let mut sign = |name: String, v: Money| {
        let v = v.at_fen();
        let wrong = if reversal {
            v.dec() > Decimal::ZERO
        } else {
            v.is_negative()
        };
        if wrong {
            c.findings.push(Finding {
                zh: if reversal {
                    format!("冲销记录中 {name} 应为负数或零，实为 {v}")
                } else {
                    format!("{name} 为负数 {v}，只有冲销记录可为负")
                },
                en: if reversal {
                    format!("in a reversal {name} must be ≤ 0, is {v}")
                } else {
                    format!("{name} is negative ({v}); only a reversal may be")
                },
                field: name,
                rule: "inv6.sign".into(),
                cite: SPEC.into(),
                expected: None,
                got: Some(v),
                difference: None,
            });
        }
    };
    for &(name, v) in given.iter().chain(extra_cols.iter()) {
        if let Some(v) = v {
            sign(name.to_string(), v);
        }
    }
    for (i, v) in rows {
        if let Some(v) = v {
            sign(format!("setldetail[{i}].fund_payamt"), v);
        }
    }

    // Amounts are carried to the fen (NATIONAL_SPEC §2 N16,2; §3 "to the fen"): digits below it mean the
    // sender computed or exported wrongly. Named once here, with the exact text; every comparison above and
    // below is made at the fen.
    let mut below_fen = |name: String, v: Option<Money>| {
        if let Some(v) = v.filter(|v| v.at_fen() != *v) {
            let exact = v.dec().normalize();
            c.findings.push(Finding {
                zh: format!("{name} 为 {exact}，含分以下的位数；接口金额精确到分（N16,2）"),
                en: format!(
                    "{name} is {exact}, with digits below the fen; the interface carries amounts to the fen (N16,2)"
                ),
                field: name,
                rule: "format.fen".into(),
                cite: "NATIONAL_SPEC §2 (N16,2), §3".into(),
                expected: Some(v.at_fen()),
                got: None,
                difference: None,
            });
        }
    };
    for &(name, v) in given.iter().chain(extra_cols.iter()) {
        below_fen(name.to_string(), v);
    }
    below_fen("balc".to_string(), s.balc);
    below_fen("acct_mulaid_pay".to_string(), s.acct_mulaid_pay);
    for (i, d) in r.setldetail.iter().enumerate() {
        below_fen(format!("setldetail[{i}].fund_payamt"), d.fund_payamt);
        below_fen(format!("setldetail[{i}].inscp_scp_amt"), d.inscp_scp_amt);
    }
    for (i, l) in r.lines.iter().flatten().enumerate() {
        for (col, v) in [
            ("det_item_fee_sumamt", l.det_item_fee_sumamt),
            ("fulamt_ownpay_amt", l.fulamt_ownpay_amt),
            ("overlmt_amt", l.overlmt_amt),
            ("preselfpay_amt", l.preselfpay_amt),
            ("inscp_scp_amt", l.inscp_scp_amt),
        ] {
            below_fen(format!("lines[{i}].{col}"), v);
        }
    }

    // (7) totals = sums of the per-line columns.
    if let Some(lines) = &r.lines {
        type Get = fn(&SubmittedLine) -> Option<Money>;
        let cols: [(&str, Option<Money>, Get); 5] = [
            ("medfee_sumamt", s.medfee_sumamt, |l| l.det_item_fee_sumamt),
            ("fulamt_ownpay_amt", s.fulamt_ownpay_amt, |l| l.fulamt_ownpay_amt),
            ("overlmt_selfpay", s.overlmt_selfpay, |l| l.overlmt_amt),
            ("preselfpay_amt", s.preselfpay_amt, |l| l.preselfpay_amt),
            ("inscp_scp_amt", inscp, |l| l.inscp_scp_amt),
        ];
        for (name, total, get) in cols {
            let vals: Vec<Option<Money>> = lines.iter().map(get).collect();
            let sum = if vals.iter().all(Option::is_some) {
                sum_opt(&vals)
            } else {
                None
            };
            c.eq(
                "inv7.line_totals",
                name,
                SPEC,
                sum,
                total,
                ("明细各行之和", "the sum of the lines"),
            );
        }
    }

    // Recompute from the claim. What the hospital bore (999996, 999997) is its own decision, which no
    // policy pack holds: it is taken from the record, and lowers the person's part and cash as it did.
    if let Some(claim) = &r.claim {
        let mut q = claim.clone();
        q.trace = false;
        q.line_results = false;
        let mine = compute(packs, &q)?.response;
        let m = &mine.setlinfo;
        let sign = if reversal { -Decimal::ONE } else { Decimal::ONE };
        let borne = hosp + ownpay_hosp;
        for ((name, expect), (_, got)) in m.amounts().iter().zip(given.iter()) {
            let mut e = Money::from_decimal(expect.dec() * sign);
            match *name {
                "hosp_part_amt" => continue,
                "psn_part_amt" | "psn_cash_pay" => e -= borne,
                _ => {}
            }
            c.eq(
                "recompute",
                name,
                "NATIONAL_SPEC §2–3; 参保地政策包 insured-place pack",
                Some(e),
                *got,
                (
                    "按就医地目录和参保地政策重算",
                    "recomputed under the treatment-place catalog and insured-place pack",
                ),
            );
        }
    }

    c.checked.sort();
    c.checked.dedup();
    c.skipped.sort();
    c.skipped.dedup();
    c.skipped.retain(|x| !c.checked.contains(x));
    let verdict = if c.findings.is_empty() {
        Verdict::Consistent
    } else {
        Verdict::Inconsistent
    };
    Ok(VerifyResponse {
        setl_id: s.setl_id.clone(),
        verdict,
        reversal,
        findings: c.findings,
        checked: c.checked,
        skipped: c.skipped,
        derived,
    })
}
