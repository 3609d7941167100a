//! The requests of the insured person's ops (`amount.daxie`, `pack.get`, `filing.*`, `coverage.resolve`,
//! `estimate`) read by hand, in every build: the same values as the types' serde `Deserialize` (the
//! differential test in `tests/tests/read.rs` holds them equal on generated and damaged requests), and errors
//! that name the field (`path`, e.g. `request.visit.begndate`) with a stable code and zh + en messages, where
//! serde_json gave its own text with a line and column.
//!
//! Why by hand: serde_json's reader instantiated for these types and their derive visitors were ~100 KB of
//! the mini-program module an insured person's page loads (mobile-bridge/README.md, *Sizes*). The hospital's
//! ops keep serde (and `wire`).
//!
//! Deliberate differences from serde, each refused with a clear error rather than read otherwise:
//! a struct given as a JSON array (serde reads it positionally), and a fee line's `feedetl_sn` or
//! `hosp_appr_flag` given as a JSON integer (hospital exports write them so; the hospital's ops, read by serde,
//! take them; the insured person's pages send strings, and the bytes saved keep the estimate module within its
//! budget). JSON numbers are read from their text, as serde_json's `arbitrary_precision` reads them: exactly.

use crate::codes::{
    Admdvs, ChrgitmLv, ChrgitmType, FacilityLevel, Insutype, MdtrtCertType, MedType, PsnType,
};
use crate::coverage::CoverageRequest;
use crate::error::{ApiError, ErrorCode};
use crate::estimate::{CostSplit, EstimateRequest, PlannedFiling};
use crate::filing::{
    Applicant, CancelRequest, ChangeRequest, FilingApplication, FilingChanges, RetroactiveStay, WindowRequest,
};
use crate::model::{
    Accumulators, FeeLine, Filing, FilingCategory, FilingStatus, HospApprFlag, Materials, Person, PoolAccum,
    RiderAccum, SettlementMode, ShortText, Visit,
};
use crate::money::{Dec, Money};
use crate::policy::ChangeReason;
use crate::prelude::*;
use crate::smallmap::SortedMap;
use alloc::borrow::Cow;
use chrono::NaiveDate;
use core::fmt;
use rust_decimal::Decimal;

type Res<T> = Result<T, ApiError>;

/// Where a value sits in the request, built on the stack and written out only for an error.
#[derive(Clone, Copy)]
enum P<'a> {
    /// The envelope itself (its members' paths are their names).
    Envelope,
    /// The envelope's `request`.
    Root,
    Field(&'a P<'a>, &'a str),
    Index(&'a P<'a>, usize),
}

impl P<'_> {
    fn in_envelope(&self) -> bool {
        match self {
            P::Envelope => true,
            P::Root => false,
            P::Field(p, _) | P::Index(p, _) => p.in_envelope(),
        }
    }
}

impl fmt::Display for P<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            P::Envelope => Ok(()),
            P::Root => f.write_str("request"),
            P::Field(P::Envelope, k) => f.write_str(k),
            P::Field(p, k) => write!(f, "{p}.{k}"),
            P::Index(p, i) => write!(f, "{p}[{i}]"),
        }
    }
}

/// The JSON kinds, for "expected …, got …".
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

impl Kind {
    fn names(self) -> (&'static str, &'static str) {
        match self {
            Kind::Null => ("null", "null"),
            Kind::Bool => ("布尔值", "a boolean"),
            Kind::Number => ("数字", "a number"),
            Kind::String => ("字符串", "a string"),
            Kind::Array => ("数组", "an array"),
            Kind::Object => ("对象", "an object"),
        }
    }
}

fn invalid(code: ErrorCode, p: &P<'_>, zh: String, en: String) -> ApiError {
    if p.in_envelope() {
        return ApiError::new(
            ErrorCode::Json,
            format!("请求不是有效的 API 信封：{zh}"),
            format!("request is not a valid API envelope: {en}"),
        )
        .at(p.to_string());
    }
    ApiError::new(
        code,
        format!("请求内容有误：{zh}"),
        format!("invalid request: {en}"),
    )
    .at(p.to_string())
}

fn wrong(p: &P<'_>, want: (&str, &str), got: Kind) -> ApiError {
    wrong_as(ErrorCode::Json, p, want, got)
}

fn wrong_as(code: ErrorCode, p: &P<'_>, want: (&str, &str), got: Kind) -> ApiError {
    let g = got.names();
    invalid(
        code,
        p,
        format!("应为{}，收到{}", want.0, g.0),
        format!("expected {}, got {}", want.1, g.1),
    )
}

const STRING: (&str, &str) = ("字符串", "a string");
const OBJECT: (&str, &str) = ("对象", "an object");

/// A cursor over the request's JSON text. The API hands it the envelope's `request` member, which
/// serde_json has already checked is JSON; the reader still refuses anything malformed (never panics).
struct R<'a> {
    s: &'a str,
    i: usize,
}

impl<'a> R<'a> {
    fn syntax(&self, p: &P<'_>) -> ApiError {
        invalid(
            ErrorCode::Json,
            p,
            format!("不是有效的 JSON（第 {} 字节）", self.i),
            format!("not valid JSON (at byte {})", self.i),
        )
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.s.as_bytes().get(self.i) {
            self.i += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.s.as_bytes().get(self.i).copied()
    }

    fn kind(&mut self, p: &P<'_>) -> Res<Kind> {
        Ok(match self.peek() {
            Some(b'n') => Kind::Null,
            Some(b't' | b'f') => Kind::Bool,
            Some(b'-' | b'0'..=b'9') => Kind::Number,
            Some(b'"') => Kind::String,
            Some(b'[') => Kind::Array,
            Some(b'{') => Kind::Object,
            _ => return Err(self.syntax(p)),
        })
    }

    fn eat(&mut self, c: u8, p: &P<'_>) -> Res<()> {
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(self.syntax(p))
        }
    }

    fn word(&mut self, w: &str, p: &P<'_>) -> Res<()> {
        self.ws();
        if self.s[self.i..].starts_with(w) {
            self.i += w.len();
            Ok(())
        } else {
            Err(self.syntax(p))
        }
    }

    /// `null`, `true` or `false`.
    fn literal(&mut self, p: &P<'_>) -> Res<Option<bool>> {
        match self.peek() {
            Some(b'n') => self.word("null", p).map(|()| None),
            Some(b't') => self.word("true", p).map(|()| Some(true)),
            _ => self.word("false", p).map(|()| Some(false)),
        }
    }

    /// A JSON number's text, checked against the JSON grammar.
    fn number(&mut self, p: &P<'_>) -> Res<&'a str> {
        self.ws();
        let b = self.s.as_bytes();
        let start = self.i;
        let digits = |i: &mut usize| {
            let from = *i;
            while b.get(*i).is_some_and(u8::is_ascii_digit) {
                *i += 1;
            }
            *i > from
        };
        let mut i = self.i;
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        let int_start = i;
        if !digits(&mut i) || (b[int_start] == b'0' && i > int_start + 1) {
            self.i = i;
            return Err(self.syntax(p));
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            if !digits(&mut i) {
                self.i = i;
                return Err(self.syntax(p));
            }
        }
        if let Some(b'e' | b'E') = b.get(i) {
            i += 1;
            if let Some(b'+' | b'-') = b.get(i) {
                i += 1;
            }
            if !digits(&mut i) {
                self.i = i;
                return Err(self.syntax(p));
            }
        }
        self.i = i;
        Ok(&self.s[start..i])
    }

    /// Four hex digits (a `\u` escape's), by hand: `u32::from_str_radix` would also take a sign.
    fn hex4(&mut self, p: &P<'_>) -> Res<u32> {
        let mut v = 0;
        for k in 0..4 {
            let d = match self.s.as_bytes().get(self.i + k) {
                Some(&c @ b'0'..=b'9') => c - b'0',
                Some(&c @ b'a'..=b'f') => c - b'a' + 10,
                Some(&c @ b'A'..=b'F') => c - b'A' + 10,
                _ => return Err(self.syntax(p)),
            };
            v = (v << 4) | u32::from(d);
        }
        self.i += 4;
        Ok(v)
    }

    /// A JSON string, unescaped (borrowed when it has no escapes).
    fn string(&mut self, p: &P<'_>) -> Res<Cow<'a, str>> {
        self.eat(b'"', p)?;
        let b = self.s.as_bytes();
        let start = self.i;
        while let Some(&c) = b.get(self.i) {
            match c {
                b'"' => {
                    self.i += 1;
                    return Ok(Cow::Borrowed(&self.s[start..self.i - 1]));
                }
                b'\\' => break,
                0..0x20 => return Err(self.syntax(p)),
                _ => self.i += 1,
            }
        }
        let mut out = String::from(&self.s[start..self.i]);
        loop {
            let rest = &self.s[self.i..];
            let Some(c) = rest.chars().next() else {
                return Err(self.syntax(p));
            };
            self.i += c.len_utf8();
            match c {
                '"' => return Ok(Cow::Owned(out)),
                '\0'..='\u{1f}' => return Err(self.syntax(p)),
                '\\' => {
                    let e = self.s.as_bytes().get(self.i).copied();
                    self.i += 1;
                    out.push(match e {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            let hi = self.hex4(p)?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                // A lone surrogate is no character: refused, as serde_json refuses it.
                                if !self.s[self.i..].starts_with("\\u") {
                                    return Err(self.syntax(p));
                                }
                                self.i += 2;
                                let lo = self.hex4(p)?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(self.syntax(p));
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            char::from_u32(code).ok_or_else(|| self.syntax(p))?
                        }
                        _ => return Err(self.syntax(p)),
                    });
                }
                c => out.push(c),
            }
        }
    }

    /// Skip any value (a member the request types do not have, or a value kept as text), checking it is JSON.
    /// Iterative, so any depth is skipped without recursion (serde_json's reader took any depth here too).
    fn skip(&mut self, p: &P<'_>) -> Res<()> {
        // The closing bracket of each array or object open around the cursor.
        let mut open: Vec<u8> = Vec::new();
        loop {
            match self.kind(p)? {
                Kind::Null | Kind::Bool => drop(self.literal(p)?),
                Kind::Number => drop(self.number(p)?),
                Kind::String => self.skip_string(p)?,
                k => {
                    let close = if k == Kind::Array { b']' } else { b'}' };
                    self.i += 1;
                    if self.peek() == Some(close) {
                        self.i += 1;
                    } else {
                        open.push(close);
                        if close == b'}' {
                            self.skip_string(p)?;
                            self.eat(b':', p)?;
                        }
                        continue;
                    }
                }
            }
            // After a value: close what ends here, then the next element or member, or done.
            loop {
                let Some(&close) = open.last() else {
                    return Ok(());
                };
                match self.peek() {
                    Some(b',') => {
                        self.i += 1;
                        if close == b'}' {
                            self.skip_string(p)?;
                            self.eat(b':', p)?;
                        }
                        break;
                    }
                    Some(c) if c == close => {
                        self.i += 1;
                        open.pop();
                    }
                    _ => return Err(self.syntax(p)),
                }
            }
        }
    }

    /// Skip a string without decoding it: escapes need only be well formed (a lone surrogate in a value the
    /// core never reads is let through, as serde_json let it through).
    fn skip_string(&mut self, p: &P<'_>) -> Res<()> {
        self.eat(b'"', p)?;
        let b = self.s.as_bytes();
        while let Some(&c) = b.get(self.i) {
            self.i += 1;
            match c {
                b'"' => return Ok(()),
                b'\\' => match b.get(self.i) {
                    Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => self.i += 1,
                    Some(b'u') => {
                        self.i += 1;
                        self.hex4(p)?;
                    }
                    _ => return Err(self.syntax(p)),
                },
                0..0x20 => return Err(self.syntax(p)),
                _ => {}
            }
        }
        Err(self.syntax(p))
    }

    /// Start an object (`{`), or say what came instead.
    fn open(&mut self, p: &P<'_>) -> Res<()> {
        match self.kind(p)? {
            Kind::Object => self.eat(b'{', p),
            k => Err(wrong(p, OBJECT, k)),
        }
    }

    /// The next key of an open object (its `:` eaten), or `None` at its `}`.
    fn key(&mut self, first: &mut bool, p: &P<'_>) -> Res<Option<Cow<'a, str>>> {
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(None);
        }
        if !core::mem::take(first) {
            self.eat(b',', p)?;
        }
        let k = self.string(p)?;
        self.eat(b':', p)?;
        Ok(Some(k))
    }

    /// The index in `names` of the next member of an open object whose key is one of them (members with
    /// other keys are skipped), or `None` at its `}`.
    #[inline(never)]
    fn member(&mut self, first: &mut bool, p: &P<'_>, names: &[&str]) -> Res<Option<usize>> {
        while let Some(k) = self.key(first, p)? {
            match names.iter().position(|n| *n == k) {
                Some(i) => return Ok(Some(i)),
                None => self.skip(&P::Field(p, &k))?,
            }
        }
        Ok(None)
    }

    #[inline(never)]
    fn array(&mut self, p: &P<'_>, each: &mut dyn FnMut(&mut Self, &P<'_>) -> Res<()>) -> Res<()> {
        match self.kind(p)? {
            Kind::Array => self.eat(b'[', p)?,
            k => return Err(wrong(p, ("数组", "an array"), k)),
        }
        let mut n = 0;
        loop {
            if self.peek() == Some(b']') {
                self.i += 1;
                return Ok(());
            }
            if n > 0 {
                self.eat(b',', p)?;
            }
            each(self, &P::Index(p, n))?;
            n += 1;
        }
    }

    fn null(&mut self, p: &P<'_>) -> Res<bool> {
        if self.kind(p)? == Kind::Null {
            self.word("null", p)?;
            return Ok(true);
        }
        Ok(false)
    }
}

/// Read one whole request with `f`; nothing but white space may follow it.
fn whole<T>(text: &str, f: impl FnOnce(&mut R<'_>, &P<'_>) -> Res<T>) -> Res<T> {
    let mut r = R { s: text, i: 0 };
    let v = f(&mut r, &P::Root)?;
    if r.peek().is_some() {
        return Err(r.syntax(&P::Root));
    }
    Ok(v)
}

/// One member's place in the struct being read, with its reader: [`Need`] keeps a required member's value
/// as `Some(value)`, [`Put`] overwrites a member's default, [`Nullable`] reads `null` as `None`. Generic over the value's type only, so reading and
/// storing a value is one function per type, shared by every struct with a member of that type.
trait Slot<'a> {
    fn read(&mut self, r: &mut R<'a>, p: &P<'_>) -> Res<()>;
}

type Reader<'a, T> = fn(&mut R<'a>, &P<'_>) -> Res<T>;

struct Need<'s, 'a, T>(&'s mut Option<T>, Reader<'a, T>);

struct Put<'s, 'a, T>(&'s mut T, Reader<'a, T>);

/// A member that may be `null` (`None`), as serde reads an `Option`: one per value type, instead of an
/// `opt_…` reader per reader.
struct Nullable<'s, 'a, T>(&'s mut Option<T>, Reader<'a, T>);

impl<'a, T> Slot<'a> for Need<'_, 'a, T> {
    fn read(&mut self, r: &mut R<'a>, p: &P<'_>) -> Res<()> {
        *self.0 = Some((self.1)(r, p)?);
        Ok(())
    }
}

impl<'a, T> Slot<'a> for Put<'_, 'a, T> {
    fn read(&mut self, r: &mut R<'a>, p: &P<'_>) -> Res<()> {
        *self.0 = (self.1)(r, p)?;
        Ok(())
    }
}

impl<'a, T> Slot<'a> for Nullable<'_, 'a, T> {
    fn read(&mut self, r: &mut R<'a>, p: &P<'_>) -> Res<()> {
        *self.0 = if r.null(p)? { None } else { Some((self.1)(r, p)?) };
        Ok(())
    }
}

/// Read the members of an object into `slots` (`slots[i]` reads the member `names[i]`); members with other
/// keys are skipped, a member given twice is refused. Returns which members were given (bit `i` for
/// `names[i]`). One loop over a table for every struct, rather than a loop per struct.
#[inline(never)]
fn fields<'a>(r: &mut R<'a>, p: &P<'_>, names: &[&str], slots: &mut [&mut dyn Slot<'a>]) -> Res<u32> {
    r.open(p)?;
    let mut first = true;
    let mut seen = 0u32;
    while let Some(i) = r.member(&mut first, p, names)? {
        let q = P::Field(p, names[i]);
        if seen & (1 << i) != 0 {
            return Err(duplicate(&q));
        }
        if let Some(slot) = slots.get_mut(i) {
            slot.read(r, &q)?;
        }
        seen |= 1 << i;
    }
    Ok(seen)
}

/// The members of a struct, `"key" => slot = reader` each (`"key" required => …` for a member without a
/// default, whose slot is an `Option` filled with `Some`; `"key" nullable => …` for an `Option` member that
/// may be `null`): declares `NAMES` and the mask `REQUIRED`, and binds
/// `$seen` to the mask of members given. The caller declares the slots (with their defaults) before, and takes
/// the required ones out after with `let (Some(..), ..) = .. else { return Err(missing(..)) }`.
macro_rules! fields {
    ($r:ident, $p:ident, $seen:ident, { $($k:literal $($kind:ident)? => $slot:ident = $read:expr),* $(,)? }) => {
        const NAMES: &[&str] = &[$($k),*];
        #[allow(dead_code)]
        const REQUIRED: u32 = mask(&[$(fields!(@req $($kind)?)),*]);
        let $seen = fields($r, $p, NAMES, &mut [$(fields!(@slot $($kind)?; $slot, $read)),*])?;
    };
    (@req required) => { true };
    (@req nullable) => { false };
    (@req) => { false };
    (@slot nullable; $slot:ident, $read:expr) => { &mut Nullable(&mut $slot, $read) as &mut dyn Slot<'_> };
    (@slot required; $slot:ident, $read:expr) => { &mut Need(&mut $slot, $read) as &mut dyn Slot<'_> };
    (@slot; $slot:ident, $read:expr) => { &mut Put(&mut $slot, $read) as &mut dyn Slot<'_> };
}

/// The bits of the members marked `required`.
const fn mask(required: &[bool]) -> u32 {
    let mut m = 0;
    let mut i = 0;
    while i < required.len() {
        if required[i] {
            m |= 1 << i;
        }
        i += 1;
    }
    m
}

fn duplicate(p: &P<'_>) -> ApiError {
    invalid(
        ErrorCode::Json,
        p,
        "字段重复".into(),
        "the field is given twice".into(),
    )
}

/// The error for the first required member (in `names` order) not in `seen`.
#[inline(never)]
fn missing(seen: u32, required: u32, names: &[&str], p: &P<'_>) -> ApiError {
    let field = names
        .get((required & !seen).trailing_zeros() as usize)
        .copied()
        .unwrap_or_default();
    if p.in_envelope() {
        let q = P::Field(p, field);
        invalid(
            ErrorCode::Json,
            &q,
            format!("缺少字段 {field}"),
            format!("missing field {field}"),
        )
    } else {
        ApiError::missing(field).at(p.to_string())
    }
}

// --- Scalars.

#[inline(never)]
fn string(r: &mut R<'_>, p: &P<'_>) -> Res<String> {
    match r.kind(p)? {
        Kind::String => r.string(p).map(Cow::into_owned),
        k => Err(wrong(p, STRING, k)),
    }
}

#[inline(never)]
fn short(r: &mut R<'_>, p: &P<'_>) -> Res<ShortText> {
    match r.kind(p)? {
        Kind::String => r.string(p).map(|s| ShortText::from(s.as_ref())),
        k => Err(wrong(p, STRING, k)),
    }
}

#[inline(never)]
fn boolean(r: &mut R<'_>, p: &P<'_>) -> Res<bool> {
    match r.kind(p)? {
        Kind::Bool => Ok(r.literal(p)? == Some(true)),
        k => Err(wrong(p, ("布尔值", "a boolean"), k)),
    }
}

#[inline(never)]
fn int32(r: &mut R<'_>, p: &P<'_>) -> Res<i32> {
    let k = r.kind(p)?;
    if k != Kind::Number {
        return Err(wrong(p, ("整数", "an integer"), k));
    }
    let t = r.number(p)?;
    // As serde reads an i32: an integer in range; `-0` and any fraction or exponent are floats to serde_json.
    match t.parse::<i32>() {
        Ok(v) if t != "-0" => Ok(v),
        _ => Err(invalid(
            ErrorCode::Json,
            p,
            format!("{t} 不是 32 位整数"),
            format!("{t} is not a 32-bit integer"),
        )),
    }
}

/// A national flag: `true`, `1`, `"1"`, `"Y"` … as [`crate::model::flag`] reads it.
#[inline(never)]
fn flag(r: &mut R<'_>, p: &P<'_>) -> Res<bool> {
    let bad = |p: &P<'_>, got: &str| {
        invalid(
            ErrorCode::Json,
            p,
            format!("标志只能是 0 或 1，收到 {got}"),
            format!("flag must be 0 or 1, got {got}"),
        )
    };
    match r.kind(p)? {
        Kind::Null | Kind::Bool => Ok(r.literal(p)? == Some(true)),
        Kind::Number => match r.number(p)? {
            "0" => Ok(false),
            "1" => Ok(true),
            t => Err(bad(p, t)),
        },
        Kind::String => match r.string(p)?.trim() {
            "" | "0" | "N" | "n" | "false" => Ok(false),
            "1" | "Y" | "y" | "true" => Ok(true),
            other => Err(bad(p, &format!("\"{other}\""))),
        },
        k => {
            r.skip(p)?;
            Err(bad(p, k.names().1))
        }
    }
}

/// An optional date where `null` and an empty text mean none (NATIONAL_SPEC §1: a filing's empty `enddate` is
/// open-ended), as `crate::date::read_opt_blank` reads it.
#[inline(never)]
fn date_or_blank(r: &mut R<'_>, p: &P<'_>) -> Res<Option<NaiveDate>> {
    if r.null(p)? {
        return Ok(None);
    }
    if let Kind::String = r.kind(p)? {
        let s = r.string(p)?;
        if s.trim().is_empty() {
            return Ok(None);
        }
        return crate::date::parse(&s).map(Some).map_err(|e| {
            invalid(
                ErrorCode::Json,
                p,
                format!("日期“{s}”无效（应为 YYYY-MM-DD）：{e}"),
                format!("date \"{s}\" is not valid (YYYY-MM-DD): {e}"),
            )
        });
    }
    date(r, p).map(Some)
}

#[inline(never)]
fn date(r: &mut R<'_>, p: &P<'_>) -> Res<NaiveDate> {
    match r.kind(p)? {
        Kind::String => {
            let s = r.string(p)?;
            crate::date::parse(&s).map_err(|e| {
                invalid(
                    ErrorCode::Json,
                    p,
                    format!("日期“{s}”无效（应为 YYYY-MM-DD）：{e}"),
                    format!("date \"{s}\" is not valid (YYYY-MM-DD): {e}"),
                )
            })
        }
        k => Err(wrong(p, ("日期字符串", "a date string"), k)),
    }
}

/// The text serde_json's `Number` shows for a JSON number token. With its `arbitrary_precision` (the
/// workspace's setting) that is the token as written, except an exponent, which it writes as `e` with a sign
/// ("1E3" as "1e+3"). Money and codes are read from this text: exactly, however many digits.
fn number_text(raw: &str) -> Cow<'_, str> {
    match raw.find(['e', 'E']) {
        None => Cow::Borrowed(raw),
        Some(i) => {
            let exp = &raw[i + 1..];
            let sign = if exp.starts_with(['+', '-']) { "" } else { "+" };
            Cow::Owned([&raw[..i], "e", sign, exp].concat())
        }
    }
}

/// A decimal's text read as [`crate::money::parse_decimal`] reads it (trimmed; `rust_decimal`'s `FromStr`, or
/// its `from_scientific` when the text has an exponent), the same value to the bit, rewritten here so that the
/// mini-program modules carry neither the crate's general string parser nor its two scientific readers (~10 KB
/// of wasm). `decimal_text_is_money_parse_decimal` (tests) holds the two equal on edge cases and millions of
/// generated texts. `None` for a blank text, one that is no decimal, or one with more digits than a `Decimal`
/// holds (see [`crate::money::holds_every_digit`]).
pub(crate) fn decimal_text(s: &str) -> Option<Decimal> {
    let t = s.trim();
    match t.find(['e', 'E']) {
        Some(k) => scientific(&t[..k], &t[k + 1..]),
        None => plain_decimal(t.as_bytes()),
    }
    .filter(|d| crate::money::holds_every_digit(t, *d))
}

/// Mantissas from 2^96 up do not fit a `Decimal`.
const WIDE: u128 = 1 << 96;

/// `rust_decimal`'s `FromStr` without an exponent, step for step: an optional sign first, digits with one
/// optional point, `_` between them once a digit came; more than 28 fraction digits, or a mantissa past 96 bits
/// in the fraction, are rounded (half up on the next digit), and the rest must still be digits.
fn plain_decimal(b: &[u8]) -> Option<Decimal> {
    plain_parts(b).map(|(data, neg, scale)| parts(data, neg, scale))
}

/// [`plain_decimal`]'s mantissa, sign and scale.
fn plain_parts(b: &[u8]) -> Option<(u128, bool, u32)> {
    // From here on the crate reads digits in 128 bits, where `_` is let through unchecked and the rounding
    // digit is looked for past any `_`.
    const NARROW: u128 = (u64::MAX / 10 - u8::MAX as u64) as u128;
    let (neg, mut i) = match b.first()? {
        b'-' => (true, 1),
        b'+' => (false, 1),
        _ => (false, 0),
    };
    let (mut data, mut scale, mut point, mut has, mut wide) = (0u128, 0u32, false, false, false);
    while let Some(&c) = b.get(i) {
        i += 1;
        match c {
            b'0'..=b'9' => {
                let next = data * 10 + u128::from(c - b'0');
                if wide && next >= WIDE {
                    return if point {
                        rounded(data, c, &b[i..], scale, point, neg)
                    } else {
                        None
                    };
                }
                data = next;
                scale += u32::from(point);
                has = true;
                if i < b.len() {
                    if point && scale >= 28 {
                        let at = if wide {
                            match b[i..].iter().position(|&x| x != b'_') {
                                Some(j) => i + j,
                                None => return Some((data, neg, scale)),
                            }
                        } else {
                            i
                        };
                        return rounded(data, b[at], &b[at + 1..], scale, point, neg);
                    }
                    wide |= data >= NARROW;
                }
            }
            b'.' if !point => point = true,
            b'_' if has => {}
            _ => return None,
        }
    }
    has.then_some((data, neg, scale))
}

/// `rust_decimal`'s rounding of a text with more digits than fit, on the digit (or `_`, read as 0) `at`.
fn rounded(
    mut data: u128,
    at: u8,
    rest: &[u8],
    mut scale: u32,
    point: bool,
    neg: bool,
) -> Option<(u128, bool, u32)> {
    let digit = match at {
        b'0'..=b'9' => at - b'0',
        b'_' => 0,
        b'.' if !point => 0,
        _ => return None,
    };
    if digit >= 5 {
        data += 1;
        if data >= WIDE {
            if scale == 0 {
                return None;
            }
            data = (data + 4) / 10;
            scale -= 1;
        }
    }
    let mut dot = point || at == b'.';
    for &c in rest {
        match c {
            b'0'..=b'9' | b'_' => {}
            b'.' if !dot => dot = true,
            _ => return None,
        }
    }
    Some((data, neg, scale))
}

fn parts(data: u128, neg: bool, scale: u32) -> Decimal {
    Decimal::from_parts(data as u32, (data >> 32) as u32, (data >> 64) as u32, neg, scale)
}

/// `Decimal::from_scientific`: the base's mantissa with its scale raised by a negative exponent, lowered by a
/// positive one, or, past the scale, multiplied up to scale 0. The crate multiplies `Decimal`s (by 10^19, then
/// by the rest) and normalises; those steps are exact here (the product has at least as many trailing zeros
/// as its scale, and the crate's rescaling divides by no more powers of ten than needed), so the result is the
/// integer `mantissa × 10^(exponent − scale)` when it fits 96 bits, and none otherwise.
fn scientific(base: &str, exp: &str) -> Option<Decimal> {
    const MAX_SCALE: u32 = 28;
    let (data, neg, scale) = plain_parts(base.as_bytes())?;
    if let Some(e) = exp.strip_prefix('-') {
        let e: u32 = e.parse().ok()?;
        if e > MAX_SCALE || scale + e > MAX_SCALE {
            return None;
        }
        return Some(parts(data, neg, scale + e));
    }
    let e: u32 = exp.parse().ok()?;
    if e <= scale {
        return Some(parts(data, neg, scale - e));
    }
    if e > MAX_SCALE {
        return None;
    }
    let mut v = data;
    for _ in scale..e {
        v *= 10;
        if v >= WIDE {
            return None;
        }
    }
    Some(parts(v, neg, 0))
}

/// A decimal as [`crate::money::decimal_from_value`] reads it: `None` for `null` or a blank string.
#[inline(never)]
fn opt_decimal(r: &mut R<'_>, p: &P<'_>) -> Res<Option<Decimal>> {
    let amount = |p: &P<'_>, zh: String, en: String| invalid(ErrorCode::Amount, p, zh, en);
    match r.kind(p)? {
        Kind::Null => r.literal(p).map(|_| None),
        Kind::Number => {
            let text = number_text(r.number(p)?);
            decimal_text(&text).map(Some).ok_or_else(|| {
                amount(
                    p,
                    format!("{text} 不是核心接受的十进制数"),
                    format!("{text} is not a decimal number the core accepts"),
                )
            })
        }
        Kind::String => {
            let s = r.string(p)?;
            if s.trim().is_empty() {
                return Ok(None);
            }
            decimal_text(&s).map(Some).ok_or_else(|| {
                amount(
                    p,
                    format!("“{s}”不是十进制数"),
                    format!("\"{s}\" is not a decimal number"),
                )
            })
        }
        k => {
            r.skip(p)?;
            Err(wrong_as(
                ErrorCode::Amount,
                p,
                ("十进制数", "a decimal number"),
                k,
            ))
        }
    }
}

#[inline(never)]
fn decimal(r: &mut R<'_>, p: &P<'_>) -> Res<Decimal> {
    opt_decimal(r, p)?.ok_or_else(|| {
        invalid(
            ErrorCode::Amount,
            p,
            "应为十进制数，收到空值".into(),
            "expected a decimal number, got nothing".into(),
        )
    })
}

#[inline(never)]
fn money(r: &mut R<'_>, p: &P<'_>) -> Res<Money> {
    decimal(r, p).map(Money::from_decimal)
}

#[inline(never)]
fn dec(r: &mut R<'_>, p: &P<'_>) -> Res<Dec> {
    decimal(r, p).map(Dec)
}

/// A code's text: a JSON string (trimmed) or number.
#[inline(never)]
fn code_text<'a>(r: &mut R<'a>, p: &P<'_>) -> Res<Cow<'a, str>> {
    Ok(match r.kind(p)? {
        Kind::String => match r.string(p)? {
            Cow::Borrowed(s) => Cow::Borrowed(s.trim()),
            Cow::Owned(s) => Cow::Owned(s.trim().to_string()),
        },
        Kind::Number => number_text(r.number(p)?),
        k => {
            r.skip(p)?;
            return Err(wrong(p, ("代码（字符串或数字）", "a code (string or number)"), k));
        }
    })
}

/// A code checked against its table by `parse` (whose error gets the field's path).
fn code<T>(r: &mut R<'_>, p: &P<'_>, parse: fn(&str) -> Res<T>) -> Res<T> {
    let text = code_text(r, p)?;
    parse(&text).map_err(|e| at(e, p))
}

#[inline(never)]
fn at(mut e: ApiError, p: &P<'_>) -> ApiError {
    e.path = p.to_string();
    e
}

macro_rules! code_readers {
    ($($f:ident: $t:ty;)*) => {$(
        #[allow(dead_code)]
        #[inline(never)]
        fn $f(r: &mut R<'_>, p: &P<'_>) -> Res<$t> {
            code(r, p, <$t>::parse)
        }
    )*};
}

code_readers! {
    admdvs: Admdvs;
    insutype: Insutype;
    psn_type: PsnType;
    med_type: MedType;
    hosp_lv: FacilityLevel;
    chrgitm_type: ChrgitmType;
    chrgitm_lv: ChrgitmLv;
    mdtrt_cert_type: MdtrtCertType;
}

/// One of the names of a serde enum of unit variants: `"name"`, or `{"name": null}` as serde_json also takes it.
fn variant<T: Copy>(r: &mut R<'_>, p: &P<'_>, names: &[&str], values: &[T]) -> Res<T> {
    variant_index(r, p, names).map(|i| values[i])
}

#[inline(never)]
fn variant_index(r: &mut R<'_>, p: &P<'_>, names: &[&str]) -> Res<usize> {
    let find = |r: &mut R<'_>| -> Res<usize> {
        let s = r.string(p)?;
        names.iter().position(|n| *n == s).ok_or_else(|| {
            let names = names.join(", ");
            invalid(
                ErrorCode::UnknownCode,
                p,
                format!("“{s}”不是可用的值（{names}）"),
                format!("\"{s}\" is not one of {names}"),
            )
        })
    };
    match r.kind(p)? {
        Kind::String => find(r),
        Kind::Object => {
            r.eat(b'{', p)?;
            let v = find(r)?;
            r.eat(b':', p)?;
            if !r.null(p)? {
                let k = r.kind(p)?;
                return Err(wrong(p, ("null", "null"), k));
            }
            r.eat(b'}', p)?;
            Ok(v)
        }
        k => Err(wrong(p, STRING, k)),
    }
}

fn list<T>(r: &mut R<'_>, p: &P<'_>, f: fn(&mut R<'_>, &P<'_>) -> Res<T>) -> Res<Vec<T>> {
    let mut v = Vec::new();
    r.array(p, &mut |r, q| {
        v.push(f(r, q)?);
        Ok(())
    })?;
    Ok(v)
}

/// A JSON object read into a map (a key given twice keeps its last value, as serde's map does).
fn map<T>(r: &mut R<'_>, p: &P<'_>, f: fn(&mut R<'_>, &P<'_>) -> Res<T>) -> Res<SortedMap<ShortText, T>> {
    let mut m = SortedMap::new();
    r.open(p)?;
    let mut first = true;
    while let Some(k) = r.key(&mut first, p)? {
        let v = f(r, &P::Field(p, &k))?;
        m.insert(ShortText::from(k.as_ref()), v);
    }
    Ok(m)
}

// --- Enums of the request types (their serde names, `rename_all = "snake_case"`).

#[inline(never)]
fn category(r: &mut R<'_>, p: &P<'_>) -> Res<FilingCategory> {
    variant(r, p, &FilingCategory::NAMES, &FilingCategory::ALL)
}

#[inline(never)]
fn status(r: &mut R<'_>, p: &P<'_>) -> Res<FilingStatus> {
    variant(r, p, &FilingStatus::NAMES, &FilingStatus::ALL)
}

#[inline(never)]
fn settlement_mode(r: &mut R<'_>, p: &P<'_>) -> Res<SettlementMode> {
    const NAMES: [&str; 2] = ["direct", "self_paid"];
    variant(r, p, &NAMES, &[SettlementMode::Direct, SettlementMode::SelfPaid])
}

#[inline(never)]
fn planned_filing(r: &mut R<'_>, p: &P<'_>) -> Res<PlannedFiling> {
    variant(r, p, &PlannedFiling::NAMES, &PlannedFiling::ALL)
}

#[inline(never)]
fn reason(r: &mut R<'_>, p: &P<'_>) -> Res<ChangeReason> {
    variant(r, p, &ChangeReason::NAMES, &ChangeReason::ALL)
}

/// `HospApprFlag`'s names and aliases.
#[inline(never)]
fn hosp_appr_flag(r: &mut R<'_>, p: &P<'_>) -> Res<HospApprFlag> {
    use HospApprFlag as H;
    const NAMES: [&str; 6] = ["0", "00", "1", "01", "2", "02"];
    const VALUES: [H; 6] = [
        H::NotNeeded,
        H::NotNeeded,
        H::Approved,
        H::Approved,
        H::Refused,
        H::Refused,
    ];
    variant(r, p, &NAMES, &VALUES)
}

// --- Structs.

#[inline(never)]
fn applicant(r: &mut R<'_>, p: &P<'_>) -> Res<Applicant> {
    let (mut a, mut t, mut n) = (None, None, None);
    fields!(r, p, seen, {
        "insuplc_admdvs" required => a = admdvs,
        "insutype" required => t = insutype,
        "psn_no" nullable => n = string,
    });
    let (Some(insuplc_admdvs), Some(insutype)) = (a, t) else {
        return Err(missing(seen, REQUIRED, NAMES, p));
    };
    Ok(Applicant {
        insuplc_admdvs,
        insutype,
        psn_no: n,
    })
}

#[inline(never)]
fn materials(r: &mut R<'_>, p: &P<'_>) -> Res<Materials> {
    let (mut a, mut b, mut c) = (false, false, false);
    fields!(r, p, _seen, {
        "residence_proof" => a = flag,
        "commitment" => b = flag,
        "referral_certificate" => c = flag,
    });
    Ok(Materials {
        residence_proof: a,
        commitment: b,
        referral_certificate: c,
    })
}

#[inline(never)]
fn retroactive_stay(r: &mut R<'_>, p: &P<'_>) -> Res<RetroactiveStay> {
    let (mut a, mut s) = (None, false);
    fields!(r, p, seen, {
        "admission_date" required => a = date,
        "discharge_settled" => s = flag,
    });
    let Some(admission_date) = a else {
        return Err(missing(seen, REQUIRED, NAMES, p));
    };
    Ok(RetroactiveStay {
        admission_date,
        discharge_settled: s,
    })
}

#[inline(never)]
fn filing(r: &mut R<'_>, p: &P<'_>) -> Res<Filing> {
    let (mut id, mut rloc, mut cat, mut begn, mut end) = (None, None, None, None, None);
    let (mut st, mut applied, mut retro, mut chronic) = (FilingStatus::default(), None, false, false);
    let mut mat = Materials::default();
    fields!(r, p, seen, {
        "filing_id" nullable => id = string,
        "rloc_admdvs" required => rloc = admdvs,
        "category" required => cat = category,
        "begndate" required => begn = date,
        "enddate" => end = date_or_blank,
        "status" => st = status,
        "applied_date" required => applied = date,
        "retroactive" => retro = flag,
        "chronic_disease" => chronic = flag,
        "materials" => mat = materials,
    });
    let (Some(rloc_admdvs), Some(category), Some(begndate), Some(applied_date)) = (rloc, cat, begn, applied)
    else {
        return Err(missing(seen, REQUIRED, NAMES, p));
    };
    Ok(Filing {
        filing_id: id,
        rloc_admdvs,
        category,
        begndate,
        enddate: end,
        status: st,
        applied_date,
        retroactive: retro,
        chronic_disease: chronic,
        materials: mat,
    })
}

#[inline(never)]
fn filings(r: &mut R<'_>, p: &P<'_>) -> Res<Vec<Filing>> {
    list(r, p, filing)
}

#[inline(never)]
fn filing_changes(r: &mut R<'_>, p: &P<'_>) -> Res<FilingChanges> {
    let (mut rloc, mut cat, mut chronic) = (None, None, None);
    fields!(r, p, _seen, {
        "rloc_admdvs" nullable => rloc = admdvs,
        "category" nullable => cat = category,
        "chronic_disease" nullable => chronic = boolean,
    });
    Ok(FilingChanges {
        rloc_admdvs: rloc,
        category: cat,
        chronic_disease: chronic,
    })
}

#[inline(never)]
fn person(r: &mut R<'_>, p: &P<'_>) -> Res<Person> {
    let (mut no, mut name, mut t, mut pt, mut place) = (None, None, None, None, None);
    let (mut cvl, mut maf, mut balc) = (false, None, None);
    fields!(r, p, seen, {
        "psn_no" nullable => no = string,
        "psn_name" nullable => name = string,
        "insutype" required => t = insutype,
        "psn_type" required => pt = psn_type,
        "insuplc_admdvs" required => place = admdvs,
        "cvlserv_flag" => cvl = flag,
        "maf_class" nullable => maf = string,
        "balc" nullable => balc = money,
    });
    let (Some(insutype), Some(psn_type), Some(insuplc_admdvs)) = (t, pt, place) else {
        return Err(missing(seen, REQUIRED, NAMES, p));
    };
    Ok(Person {
        psn_no: no,
        psn_name: name,
        insutype,
        psn_type,
        insuplc_admdvs,
        cvlserv_flag: cvl,
        maf_class: maf,
        balc: balc.unwrap_or_default(),
    })
}

#[inline(never)]
fn visit(r: &mut R<'_>, p: &P<'_>) -> Res<Visit> {
    let (mut id, mut mt, mut area, mut fcode, mut fname, mut lv) = (None, None, None, None, None, None);
    let (mut net, mut begn, mut end, mut setl) = (true, None, None, None);
    let (mut em, mut rf, mut tr, mut third, mut commit) = (false, false, false, None, false);
    let (mut mode, mut acct, mut dise) = (SettlementMode::default(), true, None);
    let (mut cert, mut etip_form) = (None, false);
    fields!(r, p, seen, {
        "mdtrt_id" nullable => id = string,
        "med_type" required => mt = med_type,
        "mdtrtarea_admvs" required => area = admdvs,
        "fixmedins_code" nullable => fcode = string,
        "fixmedins_name" nullable => fname = string,
        "hosp_lv" required => lv = hosp_lv,
        "networked" => net = flag,
        "begndate" required => begn = date,
        "enddate" nullable => end = date,
        "setl_date" nullable => setl = date,
        "emergency_flag" => em = flag,
        "referral_flag" => rf = flag,
        "trauma_flag" => tr = flag,
        "third_party_flag" nullable => third = flag,
        "no_third_party_commitment" => commit = flag,
        "settlement_mode" => mode = settlement_mode,
        "use_acct" => acct = flag,
        "dise_name" nullable => dise = string,
        "mdtrt_cert_type" nullable => cert = mdtrt_cert_type,
        "etip_form_flag" => etip_form = flag,
    });
    let (Some(med_type), Some(mdtrtarea_admvs), Some(hosp_lv), Some(begndate)) = (mt, area, lv, begn) else {
        return Err(missing(seen, REQUIRED, NAMES, p));
    };
    Ok(Visit {
        mdtrt_id: id,
        med_type,
        mdtrtarea_admvs,
        fixmedins_code: fcode,
        fixmedins_name: fname,
        hosp_lv,
        networked: net,
        begndate,
        enddate: end,
        setl_date: setl,
        emergency_flag: em,
        referral_flag: rf,
        trauma_flag: tr,
        third_party_flag: third,
        no_third_party_commitment: commit,
        mdtrt_cert_type: cert,
        etip_form_flag: etip_form,
        settlement_mode: mode,
        use_acct: acct,
        dise_name: dise,
    })
}

#[inline(never)]
fn fee_line(r: &mut R<'_>, p: &P<'_>) -> Res<FeeLine> {
    let (mut sn, mut init, mut codg, mut mcodg, mut name, mut time) = (None, None, None, None, None, None);
    let (mut cnt, mut pric, mut sum, mut ctype, mut clv) = (None, None, None, None, None);
    let (mut uplmt, mut prop, mut lmt, mut appr, mut etip) = (None, None, None, None, false);
    fields!(r, p, seen, {
        "feedetl_sn" required => sn = short,
        "init_feedetl_sn" nullable => init = short,
        "med_list_codg" required => codg = short,
        "medins_list_codg" nullable => mcodg = short,
        "med_list_name" nullable => name = short,
        "fee_ocur_time" nullable => time = short,
        "cnt" required => cnt = dec,
        "pric" required => pric = dec,
        "det_item_fee_sumamt" required => sum = money,
        "med_chrgitm_type" nullable => ctype = chrgitm_type,
        "chrgitm_lv" nullable => clv = chrgitm_lv,
        "pric_uplmt_amt" => uplmt = opt_decimal,
        "selfpay_prop" nullable => prop = dec,
        "lmt_used_flag" nullable => lmt = flag,
        "hosp_appr_flag" nullable => appr = hosp_appr_flag,
        "etip_flag" => etip = flag,
    });
    let (Some(feedetl_sn), Some(med_list_codg), Some(cnt), Some(pric), Some(det_item_fee_sumamt)) =
        (sn, codg, cnt, pric, sum)
    else {
        return Err(missing(seen, REQUIRED, NAMES, p));
    };
    Ok(FeeLine {
        feedetl_sn,
        init_feedetl_sn: init,
        med_list_codg,
        medins_list_codg: mcodg,
        med_list_name: name,
        fee_ocur_time: time,
        cnt,
        pric,
        det_item_fee_sumamt,
        med_chrgitm_type: ctype,
        chrgitm_lv: clv,
        pric_uplmt_amt: uplmt.map(Money::from_decimal),
        selfpay_prop: prop,
        lmt_used_flag: lmt,
        hosp_appr_flag: appr,
        etip_flag: etip,
    })
}

#[inline(never)]
fn pool_accum(r: &mut R<'_>, p: &P<'_>) -> Res<PoolAccum> {
    let (mut a, mut b, mut c, mut v) = (Money::default(), Money::default(), Money::default(), 0);
    fields!(r, p, _seen, {
        "dedc_paid" => a = money,
        "above_dedc" => b = money,
        "hifp_paid" => c = money,
        "visits" => v = int32,
    });
    Ok(PoolAccum {
        dedc_paid: a,
        above_dedc: b,
        hifp_paid: c,
        visits: v,
    })
}

#[inline(never)]
fn rider_accum(r: &mut R<'_>, p: &P<'_>) -> Res<RiderAccum> {
    let (mut a, mut b) = (Money::default(), Money::default());
    fields!(r, p, _seen, {
        "base" => a = money,
        "paid" => b = money,
    });
    Ok(RiderAccum { base: a, paid: b })
}

#[inline(never)]
fn accumulators(r: &mut R<'_>, p: &P<'_>) -> Res<Accumulators> {
    let (mut year, mut pools, mut riders) = (None, Default::default(), Default::default());
    fields!(r, p, seen, {
        "year" required => year = int32,
        "pools" => pools = |r: &mut R<'_>, p: &P<'_>| map(r, p, pool_accum),
        "riders" => riders = |r: &mut R<'_>, p: &P<'_>| map(r, p, rider_accum),
    });
    let Some(year) = year else {
        return Err(missing(seen, REQUIRED, NAMES, p));
    };
    Ok(Accumulators { year, pools, riders })
}

#[inline(never)]
fn cost_split(r: &mut R<'_>, p: &P<'_>) -> Res<CostSplit> {
    let (mut jia, mut yi, mut bing, mut prop) = (Money::default(), Money::default(), Money::default(), None);
    fields!(r, p, _seen, {
        "jia" => jia = money,
        "yi" => yi = money,
        "bing" => bing = money,
        "yi_selfpay_prop" nullable => prop = dec,
    });
    Ok(CostSplit {
        jia,
        yi,
        bing,
        yi_selfpay_prop: prop,
    })
}

// --- The requests.

/// `amount.daxie`'s request: the amount.
pub fn daxie_amount(text: &str) -> Res<Money> {
    whole(text, |r, p| {
        let mut a = None;
        fields!(r, p, seen, { "amount" required => a = money });
        a.ok_or_else(|| missing(seen, REQUIRED, NAMES, p))
    })
}

/// `pack.get`'s request: the region.
pub fn pack_region(text: &str) -> Res<Admdvs> {
    whole(text, |r, p| {
        let mut a = None;
        fields!(r, p, seen, { "region" required => a = admdvs });
        a.ok_or_else(|| missing(seen, REQUIRED, NAMES, p))
    })
}

pub fn filing_application(text: &str) -> Res<FilingApplication> {
    whole(text, |r, p| {
        let (mut app, mut cat, mut rloc, mut begn, mut applied) = (None, None, None, None, None);
        let (mut mat, mut retro, mut chronic, mut existing) = (Materials::default(), None, false, Vec::new());
        fields!(r, p, seen, {
            "applicant" required => app = applicant,
            "category" required => cat = category,
            "rloc_admdvs" required => rloc = admdvs,
            "begndate" required => begn = date,
            "applied_date" required => applied = date,
            "materials" => mat = materials,
            "retroactive" nullable => retro = retroactive_stay,
            "chronic_disease" => chronic = flag,
            "existing" => existing = filings,
        });
        let (Some(applicant), Some(category), Some(rloc_admdvs), Some(begndate), Some(applied_date)) =
            (app, cat, rloc, begn, applied)
        else {
            return Err(missing(seen, REQUIRED, NAMES, p));
        };
        Ok(FilingApplication {
            applicant,
            category,
            rloc_admdvs,
            begndate,
            applied_date,
            materials: mat,
            retroactive: retro,
            chronic_disease: chronic,
            existing,
        })
    })
}

pub fn window_request(text: &str) -> Res<WindowRequest> {
    whole(text, |r, p| {
        let (mut place, mut cat, mut begn) = (None, None, None);
        fields!(r, p, seen, {
            "insuplc_admdvs" required => place = admdvs,
            "category" required => cat = category,
            "begndate" required => begn = date,
        });
        let (Some(insuplc_admdvs), Some(category), Some(begndate)) = (place, cat, begn) else {
            return Err(missing(seen, REQUIRED, NAMES, p));
        };
        Ok(WindowRequest {
            insuplc_admdvs,
            category,
            begndate,
        })
    })
}

pub fn change_request(text: &str) -> Res<ChangeRequest> {
    whole(text, |r, p| {
        let (mut app, mut f, mut d, mut why) = (None, None, None, None);
        let (mut docs, mut ch, mut ex) = (false, FilingChanges::default(), Vec::new());
        fields!(r, p, seen, {
            "applicant" required => app = applicant,
            "filing" required => f = filing,
            "date" required => d = date,
            "reason" required => why = reason,
            "documents" => docs = flag,
            "changes" => ch = filing_changes,
            "existing" => ex = filings,
        });
        let (Some(applicant), Some(filing), Some(date), Some(reason)) = (app, f, d, why) else {
            return Err(missing(seen, REQUIRED, NAMES, p));
        };
        Ok(ChangeRequest {
            applicant,
            filing,
            date,
            reason,
            documents: docs,
            changes: ch,
            existing: ex,
        })
    })
}

pub fn cancel_request(text: &str) -> Res<CancelRequest> {
    whole(text, |r, p| {
        let (mut app, mut f, mut d, mut why) = (None, None, None, None);
        let (mut docs, mut open) = (false, false);
        fields!(r, p, seen, {
            "applicant" required => app = applicant,
            "filing" required => f = filing,
            "date" required => d = date,
            "reason" required => why = reason,
            "documents" => docs = flag,
            "open_stay" => open = flag,
        });
        let (Some(applicant), Some(filing), Some(date), Some(reason)) = (app, f, d, why) else {
            return Err(missing(seen, REQUIRED, NAMES, p));
        };
        Ok(CancelRequest {
            applicant,
            filing,
            date,
            reason,
            documents: docs,
            open_stay: open,
        })
    })
}

pub fn coverage_request(text: &str) -> Res<CoverageRequest> {
    whole(text, |r, p| {
        let (mut pers, mut vis, mut fs) = (None, None, Vec::new());
        fields!(r, p, seen, {
            "person" required => pers = person,
            "visit" required => vis = visit,
            "filings" => fs = filings,
        });
        let (Some(person), Some(visit)) = (pers, vis) else {
            return Err(missing(seen, REQUIRED, NAMES, p));
        };
        Ok(CoverageRequest {
            person,
            visit,
            filings: fs,
        })
    })
}

pub fn estimate_request(text: &str) -> Res<EstimateRequest> {
    whole(text, |r, p| {
        let (mut pers, mut area, mut lv, mut mt, mut f, mut begn) = (None, None, None, None, None, None);
        let (mut end, mut costs, mut lines, mut acc) = (None, None, None, None);
        let (mut compare, mut trace) = (true, true);
        fields!(r, p, seen, {
            "person" required => pers = person,
            "mdtrtarea_admvs" required => area = admdvs,
            "hosp_lv" required => lv = hosp_lv,
            "med_type" nullable => mt = med_type,
            "filing" required => f = planned_filing,
            "begndate" required => begn = date,
            "enddate" nullable => end = date,
            "costs" nullable => costs = cost_split,
            "lines" nullable => lines = |r: &mut R<'_>, p: &P<'_>| list(r, p, fee_line),
            "accumulators" nullable => acc = accumulators,
            "compare" => compare = boolean,
            "trace" => trace = boolean,
        });
        let (Some(person), Some(mdtrtarea_admvs), Some(hosp_lv), Some(filing), Some(begndate)) =
            (pers, area, lv, f, begn)
        else {
            return Err(missing(seen, REQUIRED, NAMES, p));
        };
        Ok(EstimateRequest {
            person,
            mdtrtarea_admvs,
            hosp_lv,
            med_type: mt,
            filing,
            begndate,
            enddate: end,
            costs,
            lines,
            accumulators: acc,
            compare,
            trace,
        })
    })
}

// --- The envelope.

/// The API envelope as [`crate::api::handle_json`] reads it, by hand like the requests: the module an insured
/// person's page loads then holds no serde_json reader at all. `request` and each of `packs` stay JSON text
/// (checked here to be JSON, as serde_json's reader checked them).
pub struct Envelope<'a> {
    pub api_version: Cow<'a, str>,
    pub op: Cow<'a, str>,
    /// The `request` member's text; `None` when absent or `null`.
    pub request: Option<&'a str>,
    pub packs: Vec<&'a str>,
    /// Inline catalogs: (name, CSV text).
    pub catalogs: Vec<(String, String)>,
}

/// One value's JSON text, checked.
#[inline(never)]
fn raw<'a>(r: &mut R<'a>, p: &P<'_>) -> Res<&'a str> {
    r.ws();
    let start = r.i;
    r.skip(p)?;
    Ok(&r.s[start..r.i])
}

fn raws<'a>(r: &mut R<'a>, p: &P<'_>) -> Res<Vec<&'a str>> {
    let mut v = Vec::new();
    r.array(p, &mut |r, q| {
        v.push(raw(r, q)?);
        Ok(())
    })?;
    Ok(v)
}

fn text<'a>(r: &mut R<'a>, p: &P<'_>) -> Res<Cow<'a, str>> {
    match r.kind(p)? {
        Kind::String => r.string(p),
        k => Err(wrong(p, STRING, k)),
    }
}

#[inline(never)]
fn inline_catalog(r: &mut R<'_>, p: &P<'_>) -> Res<(String, String)> {
    let (mut name, mut csv) = (None, None);
    fields!(r, p, seen, {
        "name" required => name = string,
        "csv" required => csv = string,
    });
    let (Some(name), Some(csv)) = (name, csv) else {
        return Err(missing(seen, REQUIRED, NAMES, p));
    };
    Ok((name, csv))
}

/// Read the envelope `{"api_version", "op", "request"?, "packs"?, "catalogs"?}`; other members are skipped.
pub fn envelope(text_in: &str) -> Res<Envelope<'_>> {
    let r = &mut R { s: text_in, i: 0 };
    let p = &P::Envelope;
    let (mut version, mut op, mut request) = (None, None, None);
    let (mut packs, mut catalogs) = (Vec::new(), Vec::new());
    fields!(r, p, seen, {
        "api_version" required => version = text,
        "op" required => op = text,
        "request" nullable => request = raw,
        "packs" => packs = raws,
        "catalogs" => catalogs = |r: &mut R<'_>, p: &P<'_>| list(r, p, inline_catalog),
    });
    if r.peek().is_some() {
        return Err(r.syntax(p));
    }
    let (Some(api_version), Some(op)) = (version, op) else {
        return Err(missing(seen, REQUIRED, NAMES, p));
    };
    Ok(Envelope {
        api_version,
        op,
        request,
        packs,
        catalogs,
    })
}

#[cfg(test)]
mod tests {
    //! The reader against serde (the types' `Deserialize`, as `api::decode_str` used it before) on the golden
    //! cases' requests and on damaged copies of them: the same value, or both refuse with the same code.
    use super::*;
    use serde_json::{Value, json};

    #[test]
    fn number_text_is_serde_json_numbers_display() {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut raws: Vec<String> = [
            "0",
            "-0",
            "1",
            "-1",
            "4.52",
            "4.520",
            "1e3",
            "1E3",
            "1.5e-7",
            "0.0001",
            "0.00001",
            "123456789012345",
            "1234567890123456",
            "1e16",
            "1e15",
            "1e17",
            "-2.50",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "0.0",
            "-0.0",
            "0e5",
            "1.0e+2",
            "12345.6789e-3",
            "100e-2",
            "1e22",
            "1e-22",
            "9.99999999999999e22",
            "0.000001",
            "123456789012345e-20",
            "5e-324",
            "1E-3",
            "200.00000000000000000001",
            "-123456789012345678901234567890.5e-2",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for _ in 0..200_000 {
            let r = next();
            let digits = (r % 32 + 1) as usize;
            let mut m: String = (0..digits)
                .map(|_| char::from(b'0' + (next() % 10) as u8))
                .collect();
            let m2 = m.trim_start_matches('0');
            m = if m2.is_empty() { "0".into() } else { m2.into() };
            let point = (next() % (m.len() as u64 + 1)) as usize;
            let mut t = if point > 0 && point < m.len() {
                format!("{}.{}", &m[..point], &m[point..])
            } else {
                m
            };
            if next().is_multiple_of(3) {
                t = format!("{t}e{}", (next() % 50) as i64 - 25);
            }
            if next().is_multiple_of(2) {
                t = format!("-{t}");
            }
            raws.push(t);
        }
        for raw in &raws {
            let n: serde_json::Number = serde_json::from_str(raw).unwrap();
            assert_eq!(number_text(raw), n.to_string(), "{raw}");
        }
    }

    #[test]
    fn decimal_text_is_money_parse_decimal() {
        let same = |t: &str| {
            let ours = decimal_text(t).map(|d| d.serialize());
            let theirs = crate::money::parse_decimal(t).map(|d| d.serialize());
            assert_eq!(ours, theirs, "{t:?}");
            ours.is_some()
        };
        let nines = "9".repeat(40);
        let edges = [
            "",
            " ",
            "0",
            "-0",
            "+0",
            "00",
            "-",
            "+",
            ".",
            "-.",
            "+.5",
            ".5",
            "5.",
            "-5.",
            "1.2.3",
            "1..2",
            "_1",
            "1_",
            "1__0",
            "1_.0_",
            "._1",
            "-_1",
            "+-1",
            "--1",
            "1-",
            "12.30",
            " 7 ",
            "\t-3.5\n",
            "1e3",
            "1E3",
            "1e",
            "e1",
            "1e+3",
            "1e-3",
            "1e-+3",
            "1e+-3",
            "1e--3",
            "1e3e4",
            "1.5e-7",
            "-1.20e1",
            "1.20e2",
            "1.20e5",
            "0e5",
            "-0e5",
            "-0.000e-3",
            "1e28",
            "1e29",
            "1e-28",
            "1e-29",
            "1.5e-28",
            "9e28",
            "79228162514264337593543950335",
            "79228162514264337593543950336",
            "-79228162514264337593543950335",
            "7922816251426433759354395033.5",
            "7922816251426433759354395033.56",
            "0.0000000000000000000000000001",
            "0.00000000000000000000000000015",
            "0.00000000000000000000000000014",
            "0.0000000000000000000000000001_5",
            "0.0000000000000000000000000001_",
            "0.000000000000000000000000000155.",
            "0.00000000000000000000000000015x",
            "1.0000000000000000000000000000000",
            "9999999999999999999999999999.99",
            "99999999999999999999999999999.5",
            "1_000_000.000_1",
            "1e4294967296",
            "1e-4294967296",
            "0.0000000000000000000000000009999999999e27",
            "12345678901234567890",
            "1234567890123456789.5",
            "18446744073709551615.5",
            "1844674407370955_1615.5",
            "1_844674407370955161.5",
            "١",
            "1\u{0}",
            "1 2",
            "7.9228162514264337593543950335e28",
            "7.9228162514264337593543950336e28",
            "79228162514264337593543950335e0",
            "7922816251426433759354395033.5e1",
            "7922816251426433759354395034e1",
            "-7922816251426433759354395033.5e1",
            "0.0000000000000000000000000001e28",
            "0.0000000000000000000000000001e29",
            "-0e-28",
            "-0.0e29",
            "-0.0e3",
            "1.0e-27",
            "1.00e-27",
            "12e27",
            "1.2e27",
            "0.12e27",
            "8e28",
            "7e28",
            "-1_0.5e+2_",
            "1e0_",
            "_1e1",
            "1e١",
        ];
        for t in edges {
            same(t);
        }
        for n in 1..40 {
            for lead in ["", "-", "0.", "-0.", "1.", "5_"] {
                for tail in ["", "5", "4", "_5", ".5", "e1", "e-2", "e+19", "e20", "x"] {
                    same(&format!("{lead}{}{tail}", &nines[..n]));
                    same(&format!("{lead}{}{tail}", "1".repeat(n)));
                }
            }
        }
        let mut x = 0x0ddc_0ffe_e0dd_f00du64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let alphabet = b"0123456789012345678901234567899999_.-+eE 5";
        let mut read = 0;
        for round in 0..1_500_000u32 {
            let t: String = if round.is_multiple_of(2) {
                // Any bytes of the alphabet.
                let n = (next() % 40) as usize;
                (0..n)
                    .map(|_| char::from(alphabet[(next() % alphabet.len() as u64) as usize]))
                    .collect()
            } else {
                // Shaped like a number: sign, digits, point, digits, exponent; sometimes a `_` or a stray byte.
                let mut t = String::new();
                match next() % 4 {
                    0 => t.push('-'),
                    1 => t.push('+'),
                    _ => {}
                }
                let digits = |t: &mut String, n: u64, next: &mut dyn FnMut() -> u64| {
                    for _ in 0..n {
                        let r = next();
                        t.push(if r.is_multiple_of(23) {
                            '_'
                        } else {
                            char::from(b'0' + (r % 10) as u8)
                        });
                    }
                };
                let n = next() % 32;
                digits(&mut t, n, &mut next);
                if next() % 3 > 0 {
                    t.push('.');
                    let n = next() % 34;
                    digits(&mut t, n, &mut next);
                }
                if next().is_multiple_of(3) {
                    t.push(if next().is_multiple_of(2) { 'e' } else { 'E' });
                    match next() % 3 {
                        0 => t.push('-'),
                        1 => t.push('+'),
                        _ => {}
                    }
                    let n = next() % 3;
                    digits(&mut t, n, &mut next);
                }
                if next().is_multiple_of(50) {
                    let at = (next() % (t.len() as u64 + 1)) as usize;
                    t.insert(
                        at,
                        char::from(alphabet[(next() % alphabet.len() as u64) as usize]),
                    );
                }
                t
            };
            if same(&t) {
                read += 1;
            }
        }
        // About a third are decimals both read (texts with more digits than a `Decimal` holds, which both
        // refuse rather than round, are common among the long ones generated).
        assert!(read > 450_000, "only {read} texts were decimals");
    }

    /// The code `api::decode_str` gives a serde error (by its text).
    fn serde_code(msg: &str) -> ErrorCode {
        crate::api::serde_error_code(msg)
    }

    fn both<T: serde::de::DeserializeOwned + fmt::Debug>(
        text: &str,
        ours: fn(&str) -> Res<T>,
    ) -> (Result<String, ErrorCode>, Result<String, ApiError>) {
        let serde = serde_json::from_str::<T>(text)
            .map(|v| format!("{v:?}"))
            .map_err(|e| serde_code(&e.to_string()));
        (serde, ours(text).map(|v| format!("{v:?}")))
    }

    fn compare(op: &str, text: &str) -> (Result<String, ErrorCode>, Result<String, ApiError>) {
        match op {
            "amount.daxie" => {
                let (s, o) = both::<crate::api::DaxieRequest>(text, |t| {
                    daxie_amount(t).map(|amount| crate::api::DaxieRequest { amount })
                });
                (s, o)
            }
            "pack.get" => both::<crate::api::PackGetRequest>(text, |t| {
                pack_region(t).map(|region| crate::api::PackGetRequest { region })
            }),
            "filing.validate" => both(text, filing_application),
            "filing.window" => both(text, window_request),
            "filing.change" => both(text, change_request),
            "filing.cancel" => both(text, cancel_request),
            "coverage.resolve" => both(text, coverage_request),
            "estimate" => both(text, estimate_request),
            _ => unreachable!(),
        }
    }

    const OPS: [&str; 8] = [
        "amount.daxie",
        "pack.get",
        "filing.validate",
        "filing.window",
        "filing.change",
        "filing.cancel",
        "coverage.resolve",
        "estimate",
    ];

    fn golden_requests() -> Vec<(String, Value)> {
        let mut out = Vec::new();
        let mut dirs = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/golden"
        ))];
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    dirs.push(p);
                } else if p.extension().is_some_and(|x| x == "json") {
                    let case: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
                    let env = &case["request"];
                    if let Some(op) = env["op"].as_str().filter(|o| OPS.contains(o)) {
                        out.push((op.to_string(), env.get("request").cloned().unwrap_or(Value::Null)));
                    }
                }
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    /// Values put in place of a member or element of a request.
    fn replacement(n: u64) -> Value {
        let all = [
            json!(null),
            json!(true),
            json!(false),
            json!(0),
            json!(1),
            json!(2),
            json!(-1),
            json!(1.5),
            json!(4.52),
            json!(1e3),
            json!(310),
            json!(610100),
            json!(12345678901234567u64),
            json!(""),
            json!(" "),
            json!("0"),
            json!("1"),
            json!("Y"),
            json!("n"),
            json!("abc"),
            json!("12.30"),
            json!(" 7 "),
            json!("1e3"),
            json!("310"),
            json!("390"),
            json!("610100"),
            json!(" 330100 "),
            json!("21"),
            json!("3"),
            json!("01"),
            json!("1101"),
            json!("2025-03-01"),
            json!("2025-02-30"),
            json!("2025-3-1"),
            json!("referral"),
            json!("long_term"),
            json!("direct"),
            json!("active"),
            json!("personal"),
            json!("tourist"),
            json!({"referral": null}),
            json!({"referral": 1}),
            json!({}),
            json!([]),
            json!([1]),
            json!({"year": 2025}),
            json!({"x": 1}),
        ];
        all[(n % all.len() as u64) as usize].clone()
    }

    /// Damage one place of `v` (chosen by `pick`): drop it, replace it, or add an unknown member.
    fn damage(v: &mut Value, pick: &mut impl FnMut() -> u64) {
        let go_deeper = !pick().is_multiple_of(3);
        match v {
            Value::Object(m) if !m.is_empty() && go_deeper => {
                let k = m
                    .keys()
                    .nth((pick() % m.len() as u64) as usize)
                    .cloned()
                    .unwrap_or_default();
                let deep = m.get(&k).is_some_and(|c| c.is_object() || c.is_array());
                if deep {
                    if let Some(c) = m.get_mut(&k) {
                        damage(c, pick);
                    }
                } else if pick().is_multiple_of(3) {
                    m.remove(&k);
                } else {
                    m.insert(k, replacement(pick()));
                }
            }
            Value::Array(a) if !a.is_empty() && go_deeper => {
                let i = (pick() % a.len() as u64) as usize;
                damage(&mut a[i], pick);
            }
            Value::Object(m) if pick().is_multiple_of(2) => {
                m.insert(format!("unknown_{}", pick() % 3), replacement(pick()));
            }
            _ => *v = replacement(pick()),
        }
    }

    #[test]
    fn same_values_and_codes_as_serde_on_golden_and_damaged_requests() {
        let seeds = golden_requests();
        assert!(
            seeds.len() >= 30,
            "only {} golden requests of the insured person's ops",
            seeds.len()
        );
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut pick = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let (mut same_ok, mut same_err, mut refused_arrays) = (0, 0, 0);
        let mut check = |op: &str, text: &str| match compare(op, text) {
            // serde reads a struct from an array positionally; the reader refuses that (module doc).
            (_, Err(e)) if e.message_en.contains("expected an object, got an array") => refused_arrays += 1,
            (Ok(a), Ok(b)) => {
                assert_eq!(a, b, "{op} {text}");
                same_ok += 1;
            }
            (Err(code), Err(e)) => {
                assert_eq!(code, e.code, "{op} {text}: {e}");
                assert!(e.path.starts_with("request"), "{op} {text}: {e}");
                same_err += 1;
            }
            (s, o) => panic!("{op} {text}: serde {s:?}, ours {o:?}"),
        };
        for (op, req) in &seeds {
            check(op, &req.to_string());
            check(op, &serde_json::to_string_pretty(req).unwrap());
            for _ in 0..1500 {
                let mut v = req.clone();
                for _ in 0..=pick() % 3 {
                    damage(&mut v, &mut pick);
                }
                check(op, &v.to_string());
            }
            // A member given twice (serde refuses it on a struct), and escapes in keys and values.
            if let Value::Object(m) = req
                && let Some((k, val)) = m.iter().next()
            {
                let body = req.to_string();
                check(op, &format!("{{\"{k}\":{val},{}", &body[1..]));
                let escaped = body.replacen(
                    &format!("\"{k}\""),
                    &format!("\"\\u00{:02x}{}\"", k.as_bytes()[0], &k[1..]),
                    1,
                );
                check(op, &escaped);
            }
        }
        assert!(
            same_ok > 1000 && same_err > 1000,
            "{same_ok} same values, {same_err} same refusals"
        );
        eprintln!(
            "{same_ok} same values, {same_err} same refusals, {refused_arrays} structs given as arrays refused"
        );
    }

    #[derive(serde::Deserialize)]
    struct SerdeEnvelope<'a> {
        api_version: String,
        op: String,
        #[serde(default, borrow)]
        request: Option<&'a serde_json::value::RawValue>,
        #[serde(default, borrow)]
        packs: Vec<&'a serde_json::value::RawValue>,
        #[serde(default)]
        catalogs: Vec<SerdeCatalog>,
    }

    #[derive(serde::Deserialize)]
    struct SerdeCatalog {
        name: String,
        csv: String,
    }

    /// The envelope as serde_json read it before (the fields kept), or `None` where it refused.
    fn serde_envelope(text: &str) -> Option<String> {
        let e: SerdeEnvelope<'_> = serde_json::from_str(text).ok()?;
        let packs: Vec<&str> = e.packs.iter().map(|p| p.get()).collect();
        let cats: Vec<(&str, &str)> = e
            .catalogs
            .iter()
            .map(|c| (c.name.as_str(), c.csv.as_str()))
            .collect();
        Some(format!(
            "{:?}",
            (e.api_version, e.op, e.request.map(|r| r.get()), packs, cats)
        ))
    }

    fn our_envelope(text: &str) -> Result<String, ApiError> {
        let e = envelope(text)?;
        let cats: Vec<(&str, &str)> = e.catalogs.iter().map(|(n, c)| (n.as_str(), c.as_str())).collect();
        Ok(format!(
            "{:?}",
            (e.api_version.as_ref(), e.op.as_ref(), e.request, e.packs, cats)
        ))
    }

    #[test]
    fn the_envelope_as_serde_read_it_on_golden_damaged_and_cut_envelopes() {
        let mut envelopes: Vec<String> = Vec::new();
        let mut dirs = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/golden"
        ))];
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    dirs.push(p);
                } else if p.extension().is_some_and(|x| x == "json") {
                    let case: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
                    envelopes.push(case["request"].to_string());
                }
            }
        }
        envelopes.sort();
        envelopes.push(
            r#"{"api_version":"1","op":"x","catalogs":[{"name":"a.csv","csv":"q","extra":[1,{"b":null}]}]}"#
                .into(),
        );
        envelopes.push(r#"{"api_version":"1","op":"x","unknown":"\ud800","request":{"k":"\udc00"}}"#.into());
        envelopes.push(format!(
            r#"{{"api_version":"1","op":"x","request":{}1{}}}"#,
            "[".repeat(126),
            "]".repeat(126)
        ));
        envelopes.push(format!(
            r#"{{"api_version":"1","op":"x","request":{}1{}}}"#,
            "[".repeat(127),
            "]".repeat(127)
        ));
        envelopes.push(format!(
            r#"{{"api_version":"1","op":"x","request":{}1{}}}"#,
            "[".repeat(300),
            "]".repeat(300)
        ));
        let mut x = 0x1234_5678_9abc_def1u64;
        let mut pick = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let (mut same_ok, mut same_err) = (0, 0);
        // `api::handle_json` answers anything but an object before reading it (serde took arrays positionally).
        let mut check = |text: &str| match (serde_envelope(text), our_envelope(text)) {
            _ if !text.trim_start().starts_with('{') => {}
            (Some(a), Ok(b)) => {
                assert_eq!(a, b, "{text}");
                same_ok += 1;
            }
            (None, Err(e)) => {
                assert_eq!(e.code, ErrorCode::Json, "{text}");
                same_err += 1;
            }
            (s, o) => panic!("{text}: serde {s:?}, ours {o:?}"),
        };
        let bits = [
            "{", "}", "[", "]", ",", ":", "\"", "\\", "\\u12", "1", "-", "e", "n", "true", " ", "\u{1}", "é",
        ];
        for env in &envelopes {
            check(env);
            // (A lone surrogate is no `Value`: such an envelope is only cut and spliced.)
            let v: Option<Value> = serde_json::from_str(env).ok();
            for _ in 0..60 {
                if let Some(v) = &v {
                    let mut d = v.clone();
                    damage(&mut d, &mut pick);
                    check(&d.to_string());
                }
                let cut = env
                    .char_indices()
                    .nth((pick() % env.chars().count() as u64) as usize)
                    .map_or(0, |c| c.0);
                check(&env[..cut]);
                let mut t = env.clone();
                t.insert_str(cut, bits[(pick() % bits.len() as u64) as usize]);
                check(&t);
            }
        }
        assert!(
            same_ok > 500 && same_err > 500,
            "{same_ok} same envelopes, {same_err} same refusals"
        );
    }

    #[test]
    fn errors_name_the_field() {
        let e = filing_application(r#"{"applicant":{"insutype":"390"},"category":"referral"}"#).unwrap_err();
        assert_eq!(
            (e.code, e.path.as_str()),
            (ErrorCode::MissingField, "request.applicant.insuplc_admdvs")
        );
        let e = estimate_request(r#"{"lines":[{"cnt":"x"}]}"#).unwrap_err();
        assert_eq!(
            (e.code, e.path.as_str()),
            (ErrorCode::Amount, "request.lines[0].cnt")
        );
        let e = coverage_request(r#"{"visit":{"begndate":"2025-13-01"}}"#).unwrap_err();
        assert_eq!(
            (e.code, e.path.as_str()),
            (ErrorCode::Json, "request.visit.begndate")
        );
        assert_eq!(
            e.message_en,
            "invalid request: date \"2025-13-01\" is not valid (YYYY-MM-DD): input is out of range"
        );
        let e = window_request(r#"{"category":"tourist"}"#).unwrap_err();
        assert_eq!(
            (e.code, e.path.as_str()),
            (ErrorCode::UnknownCode, "request.category")
        );
        let e = daxie_amount(r#"{"amount":1e40}"#).unwrap_err();
        assert_eq!((e.code, e.path.as_str()), (ErrorCode::Amount, "request.amount"));
        for bad in [
            "",
            "{",
            "{\"amount\":1",
            "{\"amount\":\"\\ud800\"}",
            "{\"amount\":\"\\u+031\"}",
            "{\"amount\":\"\\u-031\"}",
            "{\"amount\":\"\\u03\"}",
            "{\"amount\":1} x",
            "[1]",
            "nul",
        ] {
            assert!(daxie_amount(bad).is_err(), "{bad}");
        }
        assert_eq!(
            daxie_amount("{\"amount\":\"\\u0031\\u002E\\u0035\"}").map(|m| m.to_string()),
            Ok("1.50".to_string())
        );
    }
}
