//! Exact money: `rust_decimal`, rounded half-up to the fen (四舍五入, `MidpointAwayFromZero`) only where the
//! national platform rounds, and the finance-convention upper-case amount (大写).
//!
//! On the wire every amount is a decimal **string** ("123.40"): JS numbers would lose fens. Incoming
//! records may carry JSON numbers or strings (real hospital systems send both) and are accepted either way.

use crate::prelude::*;
use core::fmt;
use core::ops::{Add, AddAssign, Neg, Sub, SubAssign};
use core::str::FromStr;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Largest amount the core accepts in any single field: ten billion yuan. Beyond it a record is absurd,
/// and the bound keeps every product of two inputs far inside `Decimal`'s range (no overflow panics).
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(1_410_065_408, 2, 0, false, 0); // 10_000_000_000

/// Round half-up (away from zero) to the fen. The only rounding of money in the core.
pub fn round_fen(d: Decimal) -> Decimal {
    if d.scale() <= 2 {
        // Already at the fen or coarser: nothing to round (the common case, and a hot path).
        return d;
    }
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// Powers of ten that fit an `i64`.
pub(crate) const POW10: [i64; 19] = {
    let mut p = [1i64; 19];
    let mut i = 1;
    while i < 19 {
        p[i] = p[i - 1] * 10;
        i += 1;
    }
    p
};

/// `m × 10^-scale` exactly as `Decimal::new(m, scale)` builds it (same representation), but inlined:
/// `Decimal::new` is an out-of-line call with a panic path, made a few hundred times per claim (every
/// part of every line, every amount read); under wasmtime each call also pays an epoch check and passes
/// its 16-byte result through the shadow stack. `scale` ≤ 28, as for `Decimal::new`.
#[inline(always)]
pub(crate) fn decimal_of(m: i64, scale: u32) -> Decimal {
    let u = m.unsigned_abs();
    Decimal::from_parts(u as u32, (u >> 32) as u32, 0, m < 0, scale)
}

/// `a × b` exactly. On wasm32 the 128-bit product is a library call (`__multi3`), and the fast path of a
/// fee line takes several: there [`mul_narrow_first`]. A 64-bit CPU multiplies 64 × 64 → 128 bits in one
/// instruction, where the extra tests would only cost.
#[inline(always)]
pub(crate) fn mul_wide(a: i64, b: i64) -> i128 {
    if cfg!(target_arch = "wasm32") {
        mul_narrow_first(a, b)
    } else {
        i128::from(a) * i128::from(b)
    }
}

/// `a × b` exactly: one 64-bit multiply when both fit 32 bits (counts, prices and fen of real bills,
/// scale factors up to 10^9), the 128-bit product otherwise.
#[inline(always)]
fn mul_narrow_first(a: i64, b: i64) -> i128 {
    if i64::from(a as i32) == a && i64::from(b as i32) == b {
        // |a|, |b| ≤ 2^31, so |a × b| ≤ 2^62.
        i128::from(a * b)
    } else {
        i128::from(a) * i128::from(b)
    }
}

/// Largest scale the integer fast path takes; beyond it (never on the national interface, which carries
/// at most six places) the arithmetic stays in `Decimal`.
const FIXED_MAX_SCALE: u32 = 12;

/// Largest magnitude of an exact intermediate product on the fast path. Below 10^28 a `Decimal` product
/// is exact too (its mantissa has 96 bits), so both paths compute the same value.
const FIXED_MAX_PRODUCT: i128 = 10i128.pow(28);

/// `d` as `(mantissa, scale)` in 64 bits, the form the per-line fast path computes in, when it fits.
pub(crate) fn fixed(d: Decimal) -> Option<(i64, u32)> {
    // Straight from the 96-bit representation (flags, lo, mid, hi, little-endian), without building
    // the 128-bit mantissa: the hot paths call this a few hundred times per claim.
    let b = d.serialize();
    let word = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    let (flags, lo, mid, hi) = (word(0), word(4), word(8), word(12));
    let s = (flags >> 16) & 0xff;
    if hi != 0 || s > FIXED_MAX_SCALE {
        return None;
    }
    let m = i64::try_from((u64::from(mid) << 32) | u64::from(lo)).ok()?;
    Some((if flags & 0x8000_0000 != 0 { -m } else { m }, s))
}

/// `d` in whole fen when it has no digits below the fen and fits 64 bits.
pub(crate) fn fen_of(d: Decimal) -> Option<i64> {
    let (m, s) = fixed(d)?;
    // Amounts are nearly always at fen scale already: no multiply (under wasm an overflow-checked 64-bit
    // multiply is a call to the 128-bit multiply routine).
    if s == 2 {
        return Some(m);
    }
    if s < 2 {
        m.checked_mul(POW10[(2 - s) as usize])
    } else {
        let p = POW10[(s - 2) as usize];
        (m % p == 0).then_some(m / p)
    }
}

/// `n × 10^-scale` rounded half away from zero (四舍五入) to whole fen; `None` when out of the fast path's
/// range. Integer twin of [`round_fen`].
pub(crate) fn fen_rounded(n: i128, scale: u32) -> Option<i64> {
    if n.abs() >= FIXED_MAX_PRODUCT || scale > 2 * FIXED_MAX_SCALE {
        return None;
    }
    if scale <= 2 {
        let p = POW10[(2 - scale) as usize];
        let fen = match i64::try_from(n) {
            Ok(m) => mul_wide(m, p),
            Err(_) => n * i128::from(p),
        };
        return i64::try_from(fen).ok();
    }
    let k = (scale - 2) as usize;
    // 128-bit division is a library call: divide in 64 bits whenever the value fits (nearly always).
    let (neg, mag) = (n < 0, n.unsigned_abs());
    let q = match (u64::try_from(mag), POW10.get(k)) {
        (Ok(m), Some(&p)) => {
            let p = p as u64;
            i128::from((m + p / 2) / p)
        }
        _ => {
            let p = 10u128.pow(k as u32);
            i128::try_from((mag + p / 2) / p).ok()?
        }
    };
    i64::try_from(if neg { -q } else { q }).ok()
}

/// Align two fixed values to a common scale (for subtraction and comparison). Cannot overflow: scales are at
/// most [`FIXED_MAX_SCALE`], and an `i64` times 10^12 fits an `i128`.
pub(crate) fn aligned(a: (i64, u32), b: (i64, u32)) -> (i128, i128, u32) {
    let s = a.1.max(b.1);
    let up = |(m, sc): (i64, u32)| mul_wide(m, POW10[(s - sc) as usize]);
    (up(a), up(b), s)
}

/// Write `mantissa × 10^-scale` in plain decimal notation into `buf`, with at least `min_frac` and,
/// when `trim` is set, no trailing zero fraction digits. Returns the text. No allocation: this runs for
/// every amount of every response.
pub(crate) fn write_decimal(buf: &mut [u8; 64], d: Decimal, min_frac: u32, trim: bool) -> &str {
    let mut m = d.mantissa();
    let mut scale = d.scale();
    if trim {
        while scale > min_frac && m % 10 == 0 {
            m /= 10;
            scale -= 1;
        }
    }
    while scale < min_frac {
        m *= 10;
        scale += 1;
    }
    let neg = m < 0;
    let wide = m.unsigned_abs();
    let mut i = buf.len();
    let mut digits = 0u32;
    // 128-bit division is a library call on every target; amounts fit in 64 bits, so divide there.
    let mut put = |d: u8, i: &mut usize, digits: &mut u32| {
        *i -= 1;
        buf[*i] = b'0' + d;
        *digits += 1;
        if *digits == scale {
            *i -= 1;
            buf[*i] = b'.';
        }
    };
    match u64::try_from(wide) {
        Ok(mut u) => loop {
            put((u % 10) as u8, &mut i, &mut digits);
            u /= 10;
            if u == 0 && digits > scale {
                break;
            }
        },
        Err(_) => {
            let mut u = wide;
            loop {
                put((u % 10) as u8, &mut i, &mut digits);
                u /= 10;
                if u == 0 && digits > scale {
                    break;
                }
            }
        }
    }
    if neg && buf[i..].iter().any(|c| (b'1'..=b'9').contains(c)) {
        i -= 1;
        buf[i] = b'-';
    }
    // Only ASCII digits, '.' and '-' were written.
    core::str::from_utf8(&buf[i..]).unwrap_or("0")
}

/// "00" to "99": amounts are written two digits at a time (here and by `crate::wire`'s writer).
pub(crate) const PAIRS: &[u8; 200] = &{
    let mut t = [0u8; 200];
    let mut i = 0;
    while i < 100 {
        t[2 * i] = b'0' + (i / 10) as u8;
        t[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    t
};

/// `fen / 100` yuan as text ("-12.30"), written from the end of `buf`, two digits at a time: what
/// [`write_decimal`] writes for the same amount at fen scale, without its loop over single digits
/// (a loop step with an epoch check per digit under wasmtime). Every amount in a trace text takes it.
fn fen_text(buf: &mut [u8; 64], fen: i64) -> &str {
    let pair = |buf: &mut [u8; 64], at: usize, p: u64| {
        let p = 2 * p as usize;
        buf[at..at + 2].copy_from_slice(&PAIRS[p..p + 2]);
    };
    let mut u = fen.unsigned_abs();
    let mut i = buf.len() - 3;
    pair(buf, i + 1, u % 100);
    buf[i] = b'.';
    u /= 100;
    // At most 19 integer digits (u64), so `i` stays above the sign's place.
    while u >= 100 {
        i -= 2;
        pair(buf, i, u % 100);
        u /= 100;
    }
    if u >= 10 {
        i -= 2;
        pair(buf, i, u);
    } else {
        i -= 1;
        buf[i] = b'0' + u as u8;
    }
    if fen < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    // Only ASCII digits, '.' and '-' were written.
    core::str::from_utf8(&buf[i..]).unwrap_or("0.00")
}

/// `d` rounded to the fen, as text at fen scale ("0.00", "-12.30"): the amount's [`fmt::Display`].
fn fen_display(buf: &mut [u8; 64], d: Decimal) -> &str {
    let d = round_fen(d);
    match fen_of(d) {
        Some(fen) => fen_text(buf, fen),
        None => write_decimal(buf, d, 2, false),
    }
}

/// An amount of money in yuan, always carried at fen scale in output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(Decimal);

impl Money {
    pub const ZERO: Money = Money(Decimal::ZERO);

    /// Wrap an already-exact value (no rounding).
    pub fn from_decimal(d: Decimal) -> Self {
        Money(d)
    }
    /// This amount rounded half-up to the fen (itself when already at the fen).
    pub fn at_fen(self) -> Self {
        Money(round_fen(self.0))
    }
    /// Round half-up to the fen and wrap.
    pub fn rounded(d: Decimal) -> Self {
        Money(round_fen(d))
    }
    pub fn yuan(n: i64) -> Self {
        Money(Decimal::from(n))
    }
    pub fn dec(self) -> Decimal {
        self.0
    }
    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }
    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }
    pub fn max(self, o: Money) -> Money {
        if self >= o { self } else { o }
    }
    pub fn min(self, o: Money) -> Money {
        if self <= o { self } else { o }
    }
    /// `max(0, self)`.
    pub fn clamp0(self) -> Money {
        self.max(Money::ZERO)
    }
    /// The value at fen scale for display ("0.00", "12.30"); never "-0.00".
    pub fn to_fen_string(self) -> String {
        let mut buf = [0u8; 64];
        fen_display(&mut buf, self.0).to_string()
    }
    /// `label` followed by the amount as [`fmt::Display`] writes it, in one allocation of the right size
    /// (the notes of `setldetail`, written on every claim).
    pub fn labelled(self, label: &str) -> String {
        let mut buf = [0u8; 64];
        let amount = fen_display(&mut buf, self.0);
        let mut s = String::with_capacity(label.len() + amount.len());
        s.push_str(label);
        s.push_str(amount);
        s
    }
    /// Whether the value has no digits below the fen.
    pub fn is_fen_exact(self) -> bool {
        round_fen(self.0) == self.0
    }
    pub fn abs(self) -> Money {
        Money(self.0.abs())
    }
    /// Whole fen, when the amount has no digits below the fen and fits 64 bits (the integer fast path).
    pub fn to_fen(self) -> Option<i64> {
        fen_of(self.0)
    }
    #[inline(always)]
    pub fn from_fen(fen: i64) -> Money {
        Money(decimal_of(fen, 2))
    }
}

impl Money {
    /// Append the [`fmt::Display`] text ("12.30"): for trace texts built by appends.
    pub(crate) fn push_to(self, s: &mut String) {
        let mut buf = [0u8; 64];
        s.push_str(fen_display(&mut buf, self.0));
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; 64];
        f.write_str(fen_display(&mut buf, self.0))
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, o: Money) -> Money {
        Money(self.0 + o.0)
    }
}
impl Sub for Money {
    type Output = Money;
    fn sub(self, o: Money) -> Money {
        Money(self.0 - o.0)
    }
}
// `x = x + y`, not `Decimal`'s `+=`: rust_decimal's `AddAssign` / `SubAssign` inline a copy of the whole
// addition (~1.8 KB of wasm each) where the plain operators share one; the result is the same value.
impl AddAssign for Money {
    fn add_assign(&mut self, o: Money) {
        self.0 = self.0 + o.0;
    }
}
impl SubAssign for Money {
    fn sub_assign(&mut self, o: Money) {
        self.0 = self.0 - o.0;
    }
}
impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}
impl core::iter::Sum for Money {
    /// Sums in whole fen while every amount is fen-exact (a claim's line totals always are), in
    /// `Decimal` from the first one that is not.
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        let mut fen = 0i64;
        let mut exact: Option<Decimal> = None;
        for m in iter {
            match (&mut exact, m.to_fen()) {
                (None, Some(f)) => match fen.checked_add(f) {
                    Some(t) => fen = t,
                    None => exact = Some(decimal_of(fen, 2) + m.0),
                },
                (None, None) => exact = Some(decimal_of(fen, 2) + m.0),
                #[allow(clippy::assign_op_pattern)] // see `AddAssign for Money`
                (Some(d), _) => *d = *d + m.0,
            }
        }
        Money(exact.unwrap_or_else(|| decimal_of(fen, 2)))
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0u8; 64];
        s.serialize_str(fen_display(&mut buf, self.0))
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Dec::deserialize(d).map(|x| Money(x.0))
    }
}

/// A decimal that is not money (a count, a unit price with six places, a ratio). Serialised as a
/// string of its exact value; accepted from a JSON number or string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Dec(pub Decimal);

impl Dec {
    pub const ZERO: Dec = Dec(Decimal::ZERO);
    pub fn dec(self) -> Decimal {
        self.0
    }
}

impl Dec {
    /// Append the [`fmt::Display`] text: for trace texts built by appends.
    pub(crate) fn push_to(self, s: &mut String) {
        let mut buf = [0u8; 64];
        s.push_str(write_decimal(&mut buf, self.0, 0, true));
    }
}

/// The exact value without trailing zeros, as `Decimal::normalize` then `Decimal`'s own `Display` write it
/// (and as [`Dec`] is serialised), through the writer the JSON output uses: no normalised copy, and one decimal
/// writer in the wasm, not rust_decimal's `Display` beside it.
impl fmt::Display for Dec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; 64];
        f.write_str(write_decimal(&mut buf, self.0, 0, true))
    }
}

impl Serialize for Dec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0u8; 64];
        s.serialize_str(write_decimal(&mut buf, self.0, 0, true))
    }
}

/// Read a decimal from a JSON value: a number or a string holding one. JSON numbers come through
/// serde_json's `Number`, which with `arbitrary_precision` (the workspace's setting) keeps the text the
/// sender wrote, so `200.00000000000000000001` is read with every digit, as the same text in a string is.
/// No binary float stands between a request and `rust_decimal`.
pub fn decimal_from_value(v: &serde_json::Value) -> Result<Option<Decimal>, String> {
    match v {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::Number(n) => {
            let text = n.to_string();
            parse_decimal(&text)
                .map(Some)
                .ok_or_else(|| match too_many_digits(&text) {
                    true => format!(
                        "{text} has more digits than a decimal number in the core holds exactly (28 places)"
                    ),
                    false => format!("{text} is not a decimal number the core accepts"),
                })
        }
        serde_json::Value::String(s) if s.trim().is_empty() => Ok(None),
        serde_json::Value::String(s) => parse_decimal(s)
            .map(Some)
            .ok_or_else(|| match too_many_digits(s) {
                true => format!(
                    "\"{s}\" has more digits than a decimal number in the core holds exactly (28 places)"
                ),
                false => format!("\"{s}\" is not a decimal number"),
            }),
        other => Err(format!("expected a decimal number, got {other}")),
    }
}

impl<'de> Deserialize<'de> for Dec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        match decimal_from_value(&v) {
            Ok(Some(x)) => Ok(Dec(x)),
            Ok(None) => Err(serde::de::Error::custom("expected a decimal number, got nothing")),
            Err(e) => Err(serde::de::Error::custom(e)),
        }
    }
}

/// Parse "12.3", "-0.5", "1e3", " 7 " into a decimal; `None` for anything else, out of range, or with
/// more digits than a `Decimal` holds (28 places: `rust_decimal` would round them away, and an amount is
/// read exactly or not at all).
pub fn parse_decimal(s: &str) -> Option<Decimal> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    let d = if t.contains(['e', 'E']) {
        Decimal::from_scientific(t).ok()
    } else {
        Decimal::from_str(t).ok()
    };
    d.filter(|d| holds_every_digit(t, *d))
}

/// Whether [`parse_decimal`] refuses `s` only because `rust_decimal` would round it (for the error's words).
fn too_many_digits(s: &str) -> bool {
    let t = s.trim();
    !t.contains(['e', 'E']) && Decimal::from_str(t).is_ok()
}

/// Whether `d`, read from the decimal text `t` (plain or with an exponent), holds every significant digit
/// of it: no non-zero digit of the text lies below `d`'s last place (10^-scale). False when the reader
/// rounded (`rust_decimal` rounds past 28 places, or where the 96-bit mantissa runs out).
pub(crate) fn holds_every_digit(t: &str, d: Decimal) -> bool {
    let b = t.as_bytes();
    let (m, exp) = match b.iter().position(|&c| c == b'e' || c == b'E') {
        Some(k) => {
            let (neg, digits) = match &b[k + 1..] {
                [b'-', r @ ..] => (true, r),
                [b'+', r @ ..] => (false, r),
                r => (false, r),
            };
            // Readers refuse large exponents anyway; capped, the place arithmetic cannot overflow.
            let e = digits.iter().fold(0i64, |e, c| {
                (e * 10 + i64::from(c.wrapping_sub(b'0') % 10)).min(1000)
            });
            (&b[..k], if neg { -e } else { e })
        }
        None => (b, 0),
    };
    // The place (power of ten) of the text's last digit, then of each digit walking left.
    let fraction = m.iter().position(|&c| c == b'.').map_or(&[][..], |p| &m[p + 1..]);
    let mut place = exp - fraction.iter().filter(|c| c.is_ascii_digit()).count() as i64;
    let lowest = -i64::from(d.scale());
    for &c in m.iter().rev() {
        if place >= lowest {
            return true;
        }
        match c {
            b'1'..=b'9' => return false,
            b'0' => place += 1,
            _ => {}
        }
    }
    true
}

/// An amount where `null` reads as zero (`deserialize_with`, with `default` for an absent field).
pub fn zero_if_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
    use serde::Deserialize;
    Ok(Option::<Money>::deserialize(d)?.unwrap_or(Money::ZERO))
}

/// Serde helpers for `Option<Money>` that also treat `null` and `""` as absent (real exports do that).
pub mod opt_money {
    use super::{Money, decimal_from_value};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<Money>, s: S) -> Result<S::Ok, S::Error> {
        v.serialize(s)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Money>, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        decimal_from_value(&v)
            .map(|o| o.map(Money::from_decimal))
            .map_err(serde::de::Error::custom)
    }
}

const DIGITS: [&str; 10] = ["零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"];
const POS_UNITS: [&str; 4] = ["仟", "佰", "拾", ""];
const GROUP_UNITS: [&str; 4] = ["万亿", "亿", "万", ""];

/// The amount in Chinese upper case by the finance conventions (大写): 元, one 零 for each run of zeros,
/// 整 when there are no 角 and 分, 负 for negative amounts. Rounds half-up to the fen first.
///
/// `100.00` → 壹佰元整, `1010.05` → 壹仟零壹拾元零伍分, `0.50` → 伍角, `100000000.01` → 壹亿元零壹分.
/// Amounts of 10^16 yuan or more (far beyond [`MAX_AMOUNT`]) are returned as `None`.
pub fn daxie(amount: Money) -> Option<String> {
    let d = round_fen(amount.dec());
    let negative = d.is_sign_negative() && !d.is_zero();
    let fen_total = match fen_of(d) {
        Some(f) => f.unsigned_abs(),
        // `trunc` leaves scale 0, so the mantissa is the whole number of fen (not its text read back: that
        // brought rust_decimal's `Display` and an integer parser into the phone modules for this one line).
        // `checked_mul`: the largest amounts a `Decimal` holds overflow when made fen (`None`: too large).
        None => u64::try_from(d.abs().checked_mul(Decimal::ONE_HUNDRED)?.trunc().mantissa()).ok()?,
    };
    let yuan = fen_total / 100;
    let jiao = (fen_total / 10 % 10) as usize;
    let fen = (fen_total % 10) as usize;
    if yuan >= 10_000_000_000_000_000 {
        return None;
    }
    // One allocation: 64 bytes hold every amount below a hundred million yuan.
    let mut out = String::with_capacity(64);
    if negative {
        out.push('负');
    }
    if yuan > 0 {
        integer_daxie(yuan, &mut out);
        out.push('元');
    }
    match (jiao, fen) {
        (0, 0) => {
            if yuan == 0 {
                out.push_str("零元");
            }
            out.push('整');
        }
        (0, f) => {
            if yuan > 0 {
                out.push('零');
            }
            out.push_str(DIGITS[f]);
            out.push('分');
        }
        (j, 0) => {
            out.push_str(DIGITS[j]);
            out.push('角');
        }
        (j, f) => {
            out.push_str(DIGITS[j]);
            out.push('角');
            out.push_str(DIGITS[f]);
            out.push('分');
        }
    }
    Some(out)
}

fn integer_daxie(n: u64, out: &mut String) {
    let groups = [
        n / 1_000_000_000_000 % 10_000,
        n / 100_000_000 % 10_000,
        n / 10_000 % 10_000,
        n % 10_000,
    ];
    let start = out.len();
    let mut zero_pending = false;
    for (gi, &g) in groups.iter().enumerate() {
        if g == 0 {
            if out.len() > start {
                zero_pending = true;
            }
            continue;
        }
        let digits = [g / 1000, g / 100 % 10, g / 10 % 10, g % 10];
        for (pi, &dg) in digits.iter().enumerate() {
            if dg == 0 {
                if out.len() > start {
                    zero_pending = true;
                }
            } else {
                if zero_pending {
                    out.push('零');
                    zero_pending = false;
                }
                out.push_str(DIGITS[dg as usize]);
                out.push_str(POS_UNITS[pi]);
            }
        }
        out.push_str(GROUP_UNITS[gi]);
        // Zeros at the end of a group are absorbed by its unit (壹佰万贰仟, not 壹佰万零贰仟).
        zero_pending = false;
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Money {
    fn schema_name() -> alloc::borrow::Cow<'static, str> {
        "Money".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": ["string", "number"],
            "pattern": "^-?[0-9]+(\\.[0-9]+)?$",
            "description": "Amount in yuan. Output is always a string at fen scale (\"12.30\"); input may be a JSON number or string."
        })
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Dec {
    fn schema_name() -> alloc::borrow::Cow<'static, str> {
        "Dec".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": ["string", "number"],
            "description": "Exact decimal (count, unit price or ratio). Output is a string; input may be a number or string."
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_a_decimal_cannot_hold_are_refused_not_rounded() {
        for t in [
            "200.00000000000000000000000000001",
            "0.1000000000000000055511151231257827",
            "0.99999999999999999999999999999",
            "1.00000000000000000000000000001e2",
            "0.00000000000000000000000000001",
            "1.5e-29",
            "15e-29",
            "79228162514264337593543950335.5",
        ] {
            assert_eq!(parse_decimal(t), None, "{t}");
        }
        for (t, want) in [
            ("79228162514264337593543950335", "79228162514264337593543950335"),
            ("1234567890123456789012345678.9", "1234567890123456789012345678.9"),
            ("0.1000000000000000055511151231", "0.1000000000000000055511151231"),
            (
                "200.0000000000000000000000000000000",
                "200.00000000000000000000000000",
            ),
            ("1_000.50", "1000.50"),
            ("-0.000", "0.000"),
            ("1e3", "1000"),
            ("1.5E-3", "0.0015"),
            ("1.2_5", "1.25"),
            ("1e-28", "0.0000000000000000000000000001"),
            ("0.0000000000000000000000000001", "0.0000000000000000000000000001"),
            ("7922816251426433759354395033.5", "7922816251426433759354395033.5"),
        ] {
            assert_eq!(
                parse_decimal(t).map(|d| d.to_string()).as_deref(),
                Some(want),
                "{t}"
            );
        }
    }

    proptest::proptest! {
        /// `fixed` reads the representation exactly as `scale()` and `mantissa()` report it.
        #[test]
        fn fixed_reads_scale_and_mantissa(lo: u32, mid: u32, hi in proptest::prop_oneof![proptest::strategy::Just(0u32), proptest::prelude::any::<u32>()], neg: bool, scale in 0u32..=28) {
            let d = Decimal::from_parts(lo, mid, hi, neg, scale);
            let reference = (d.scale() <= FIXED_MAX_SCALE)
                .then(|| i64::try_from(d.mantissa()).ok().map(|m| (m, d.scale())))
                .flatten();
            proptest::prop_assert_eq!(fixed(d), reference);
        }
    }

    fn m(s: &str) -> Money {
        Money::from_decimal(Decimal::from_str(s).unwrap())
    }

    #[test]
    fn half_up_not_bankers() {
        assert_eq!(round_fen(Decimal::from_str("2.345").unwrap()).to_string(), "2.35");
        assert_eq!(
            round_fen(Decimal::from_str("-2.345").unwrap()).to_string(),
            "-2.35"
        );
        assert_eq!(round_fen(Decimal::from_str("0.226").unwrap()).to_string(), "0.23");
        assert_eq!(round_fen(Decimal::from_str("0.225").unwrap()).to_string(), "0.23");
    }

    #[test]
    fn daxie_table() {
        let cases = [
            ("100.00", "壹佰元整"),
            ("1010.05", "壹仟零壹拾元零伍分"),
            ("0.50", "伍角"),
            ("100000000.01", "壹亿元零壹分"),
            ("0", "零元整"),
            ("0.05", "伍分"),
            ("10", "壹拾元整"),
            ("10001", "壹万零壹元整"),
            ("100010000", "壹亿零壹万元整"),
            ("11000.5", "壹万壹仟元伍角"),
            ("3456.78", "叁仟肆佰伍拾陆元柒角捌分"),
            ("-12.3", "负壹拾贰元叁角"),
            ("200000", "贰拾万元整"),
            ("1002003.04", "壹佰万贰仟零叁元零肆分"),
        ];
        for (input, want) in cases {
            assert_eq!(daxie(m(input)).unwrap(), want, "{input}");
        }
        // Too large for 大写, down to the largest amounts a Decimal holds (whose fen overflow it).
        for big in [
            Decimal::MAX,
            Decimal::MIN,
            Decimal::MAX / Decimal::TEN,
            Decimal::from(10u64.pow(16)),
        ] {
            assert_eq!(daxie(Money::from_decimal(big)), None, "{big}");
        }
    }

    #[test]
    fn money_wire_forms() {
        let a: Money = serde_json::from_str("4.52").unwrap();
        assert_eq!(a, m("4.52"));
        let b: Money = serde_json::from_str("\"4.520\"").unwrap();
        assert_eq!(b, m("4.52"));
        assert_eq!(serde_json::to_string(&Money::ZERO).unwrap(), "\"0.00\"");
        assert_eq!(serde_json::to_string(&-m("0.001")).unwrap(), "\"0.00\"");
        assert!(serde_json::from_str::<Money>("\"abc\"").is_err());
        assert!(serde_json::from_str::<Money>("1e30").is_err());
        let p: Dec = serde_json::from_str("0.1").unwrap();
        assert_eq!(p.0, Decimal::from_str("0.1").unwrap());
    }

    proptest::proptest! {
        /// daxie's whole fen, taken from the truncated mantissa, equal the truncated amount's text read back
        /// (what daxie did before). `Dec`'s text: `dec_display_is_normalized_decimal_display` below.
        #[test]
        fn daxie_fen_from_the_mantissa(m in proptest::num::i64::ANY, scale in 0u32..=28, wide in proptest::bool::ANY) {
            let d = if wide { Decimal::from_i128_with_scale(i128::from(m) * 1_000_000_007, scale) } else { Decimal::new(m, scale) };
            if let Some(h) = d.abs().checked_mul(Decimal::ONE_HUNDRED) {
                let t = h.trunc();
                proptest::prop_assert_eq!(u64::try_from(t.mantissa()).ok(), t.to_string().parse::<u64>().ok());
            }
        }
    }

    #[test]
    fn plain_decimal_text() {
        let t = |s: &str, min: u32, trim: bool| {
            let mut b = [0u8; 64];
            write_decimal(&mut b, Decimal::from_str(s).unwrap(), min, trim).to_string()
        };
        assert_eq!(t("12.3", 2, false), "12.30");
        assert_eq!(t("-0.05", 2, false), "-0.05");
        assert_eq!(t("0", 2, false), "0.00");
        assert_eq!(t("-0.00", 2, false), "0.00");
        assert_eq!(t("100", 2, false), "100.00");
        assert_eq!(t("0.1000", 0, true), "0.1");
        assert_eq!(t("30.000", 0, true), "30");
        assert_eq!(t("-4.520", 0, true), "-4.52");
        assert_eq!(t("999999999999.999999", 0, true), "999999999999.999999");
        assert_eq!(
            serde_json::to_string(&Dec(Decimal::from_str("0.10").unwrap())).unwrap(),
            "\"0.1\""
        );
        assert_eq!(
            Money::from_decimal(Decimal::from_str("-1234.5").unwrap()).to_fen_string(),
            "-1234.50"
        );
    }

    /// `decimal_of` builds the very representation `Decimal::new` does (sign, scale, mantissa words):
    /// zero, ±1, the 32-bit word boundaries, the ends of `i64`, every scale.
    #[test]
    fn decimal_of_is_decimal_new() {
        let values = [
            0,
            1,
            -1,
            99,
            -100,
            u32::MAX as i64,
            u32::MAX as i64 + 1,
            -(u32::MAX as i64) - 1,
            1 << 40,
            i64::MAX,
            i64::MIN,
            i64::MIN + 1,
        ];
        for m in values {
            for scale in 0..=28 {
                let (a, b) = (decimal_of(m, scale), Decimal::new(m, scale));
                assert_eq!(a.serialize(), b.serialize(), "{m} scale {scale}");
                assert_eq!(a.to_string(), b.to_string());
            }
        }
    }

    proptest::proptest! {
        /// `Dec`'s text, written from the digits, is what `Decimal` itself writes after `normalize`, for
        /// every representation (zeros with any scale and sign, trailing zeros, 96-bit mantissas); and
        /// `push_to` appends the same text for both `Dec` and `Money`.
        #[test]
        fn dec_display_is_normalized_decimal_display(lo: u32, mid in proptest::prop_oneof![proptest::strategy::Just(0u32), proptest::prelude::any::<u32>()], hi in proptest::prop_oneof![proptest::strategy::Just(0u32), proptest::prelude::any::<u32>()], neg: bool, scale in 0u32..=28, zeros in 0u32..5) {
            // Small mantissas with trailing zeros (`zeros`, 4 = the mantissa zero itself).
            let (lo, mid, hi) = match zeros {
                0 => (lo, mid, hi),
                4 => (0, 0, 0),
                z => ((lo % 100_000) * 10u32.pow(z), 0, 0),
            };
            let d = Decimal::from_parts(lo, mid, hi, neg, scale);
            let text = Dec(d).to_string();
            proptest::prop_assert_eq!(&text, &d.normalize().to_string());
            let mut pushed = String::new();
            Dec(d).push_to(&mut pushed);
            proptest::prop_assert_eq!(&pushed, &text);
            let m = Money(d);
            let mut pushed = String::new();
            m.push_to(&mut pushed);
            proptest::prop_assert_eq!(pushed, m.to_string());
        }
    }
    proptest::proptest! {
        #[test]
        fn decimal_of_is_decimal_new_everywhere(m: i64, scale in 0u32..=28) {
            proptest::prop_assert_eq!(decimal_of(m, scale).serialize(), Decimal::new(m, scale).serialize());
        }
    }

    /// `mul_wide` (and the path wasm32 takes) is the 128-bit product on both sides of the 32-bit boundary
    /// and at the ends of `i64`.
    #[test]
    fn mul_wide_is_the_128_bit_product() {
        let edges = [
            0,
            1,
            -1,
            i64::from(i32::MAX),
            i64::from(i32::MAX) + 1,
            i64::from(i32::MIN),
            i64::from(i32::MIN) - 1,
            999_999,
            1_000_000_000_000,
            i64::MAX,
            i64::MIN,
        ];
        for a in edges {
            for b in edges {
                assert_eq!(mul_wide(a, b), i128::from(a) * i128::from(b), "{a} × {b}");
                assert_eq!(mul_narrow_first(a, b), i128::from(a) * i128::from(b), "{a} × {b}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn mul_wide_everywhere(a: i64, b: i64, small: i32) {
            proptest::prop_assert_eq!(mul_wide(a, b), i128::from(a) * i128::from(b));
            proptest::prop_assert_eq!(mul_narrow_first(a, b), i128::from(a) * i128::from(b));
            proptest::prop_assert_eq!(mul_narrow_first(i64::from(small), b), i128::from(small) * i128::from(b));
        }

        /// `fen_rounded` is `round_fen` of the same value, at and off the halves, for both signs and
        /// every scale, inside and outside the 32-bit multiply.
        #[test]
        fn fen_rounded_is_round_fen(m in proptest::prop_oneof![-1_000_000i64..1_000_000, -i64::MAX..=i64::MAX], half: bool, scale in 0u32..=12) {
            // With `half`, a value ending in 5 just below the fen (…5 × 10^-(scale)), the case half-up decides.
            let m = if half && scale > 2 { m / 10 * 10 + 5 * m.signum() } else { m };
            let d = Decimal::new(m, scale);
            let want = fen_of(round_fen(d));
            proptest::prop_assert_eq!(fen_rounded(i128::from(m), scale), want);
        }
    }

    #[test]
    fn fen_rounded_halves_and_edges() {
        let f = |m: i64, s: u32| fen_rounded(i128::from(m), s);
        assert_eq!(f(2345, 3), Some(235));
        assert_eq!(f(-2345, 3), Some(-235));
        assert_eq!(f(2344, 3), Some(234));
        assert_eq!(f(-2_344_999, 6), Some(-234));
        assert_eq!(f(5, 3), Some(1));
        assert_eq!(f(-5, 3), Some(-1));
        assert_eq!(f(4, 3), Some(0));
        assert_eq!(f(7, 0), Some(700));
        assert_eq!(f(-7, 1), Some(-70));
        // 2^31 yuan at scale 0: past the 32-bit multiply, still exact.
        assert_eq!(f(1 << 31, 0), Some((1i64 << 31) * 100));
        assert_eq!(f(i64::MAX, 0), None);
    }

    /// `fen_text` writes what the general writer writes at fen scale: zero, the pair boundaries, both
    /// signs, the ends of `i64`.
    #[test]
    fn fen_text_is_write_decimal() {
        let mut values = vec![
            0,
            1,
            -1,
            9,
            10,
            99,
            100,
            101,
            -100,
            999,
            1000,
            12_345,
            -1_234_567,
            i64::MAX,
            i64::MIN,
            i64::MIN + 1,
        ];
        for p in 0..19 {
            values.extend([10i64.pow(p), 10i64.pow(p) - 1, -(10i64.pow(p))]);
        }
        for fen in values {
            let mut buf = [0u8; 64];
            let want = write_decimal(&mut buf, Decimal::new(fen, 2), 2, false).to_string();
            assert_eq!(fen_text(&mut [0u8; 64], fen), want, "{fen}");
            assert_eq!(Money::from_fen(fen).to_string(), want);
        }
        // Amounts off the fen path (scale 3 rounded, scale 0) print as before.
        assert_eq!(m("2.345").to_string(), "2.35");
        assert_eq!(m("-0.004").to_string(), "0.00");
        assert_eq!(m("-0.005").to_string(), "-0.01");
        assert_eq!(m("12").to_string(), "12.00");
    }

    proptest::proptest! {
        #[test]
        fn money_display_is_write_decimal(m: i64, scale in 0u32..=6) {
            let d = Decimal::new(m, scale);
            let mut buf = [0u8; 64];
            let want = write_decimal(&mut buf, round_fen(d), 2, false).to_string();
            proptest::prop_assert_eq!(Money::from_decimal(d).to_string(), want);
        }
    }

    #[test]
    fn max_amount_is_ten_billion() {
        assert_eq!(MAX_AMOUNT, Decimal::from(10_000_000_000i64));
    }
}
