//! Explanations: every amount and decision names the rule, the pack values used (with their effective
//! dates and citations) and says why in Chinese and English.

use crate::model::ShortText;
use crate::money::Money;
use crate::policy::ParamUse;
use crate::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TraceEntry {
    /// The output field explained (`hifp_pay`, `act_pay_dedc`, `coverage`, `lines[2].preselfpay_amt` …).
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub field: ShortText,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
    /// Stable rule id, e.g. `settle.deductible`.
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub rule: ShortText,
    /// Seed article or interface rule the step follows.
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub cite: ShortText,
    /// Pack values used, with their dates and citations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<ParamUse>,
    pub zh: String,
    pub en: String,
}

impl TraceEntry {
    pub fn new(
        field: impl TraceText,
        rule: impl TraceText,
        cite: impl TraceText,
        zh: String,
        en: String,
    ) -> Self {
        TraceEntry {
            field: field.into_text(),
            amount: None,
            rule: rule.into_text(),
            cite: cite.into_text(),
            params: Vec::new(),
            zh,
            en,
        }
    }
    pub fn amount(mut self, m: Money) -> Self {
        self.amount = Some(m);
        self
    }
    pub fn param(mut self, p: ParamUse) -> Self {
        self.params.push(p);
        self
    }
    /// Say in the sentence itself when it rests on an unverified value, so no reader of the explanation
    /// alone takes an illustration for an official figure.
    pub fn marked(mut self) -> Self {
        if self.uses_unverified() && !self.zh.ends_with('〕') {
            self.zh.push_str("〔含未经核实的示例值〕");
            self.en.push_str(" [uses unverified illustrative values]");
        }
        self
    }

    /// Whether any value used is an unverified illustration.
    pub fn uses_unverified(&self) -> bool {
        self.params.iter().any(|p| !p.verified)
    }
}

/// A field name, rule id or citation of a trace entry. Literals (nearly all of them) are kept by
/// reference, so an entry costs no allocation for them; the coverage reasons are built on every claim.
pub trait TraceText {
    fn into_text(self) -> ShortText;
}
impl TraceText for &'static str {
    fn into_text(self) -> ShortText {
        ShortText::const_new(self)
    }
}
impl TraceText for &String {
    fn into_text(self) -> ShortText {
        ShortText::from(self.as_str())
    }
}
impl TraceText for String {
    fn into_text(self) -> ShortText {
        ShortText::from(self)
    }
}

/// The texts one after another, in one allocation of the right size: `format!` with only text arguments,
/// for explanations built on every claim.
pub fn join(parts: &[&str]) -> String {
    let mut s = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        s.push_str(p);
    }
    s
}

/// A trace sentence written by appends into one buffer: texts, amounts, ratios and counts. `format!` runs
/// `core::fmt`'s machinery (a call through a vtable per piece and per argument, a loop over the pieces,
/// `Formatter` padding for every number); the sentences are built on every claim, and under wasm each of
/// those calls and loops also pays an epoch check. Builds without the `wire` feature (the phone's
/// size-first modules) keep the appends as calls: inlined at every one of some hundred places they grew the
/// estimate module by 2 KB, more than `format!`'s argument tables took.
pub(crate) struct Text(String);

impl Text {
    /// Room for `n` bytes: the sentence's usual length, so it is seldom grown.
    pub fn with_capacity(n: usize) -> Text {
        Text(String::with_capacity(n))
    }
    #[cfg_attr(not(feature = "wire"), inline(never))]
    pub fn s(mut self, t: &str) -> Text {
        self.0.push_str(t);
        self
    }
    /// An amount as its `Display` writes it ("12.30").
    #[cfg_attr(not(feature = "wire"), inline(never))]
    pub fn money(mut self, m: Money) -> Text {
        m.push_to(&mut self.0);
        self
    }
    /// A ratio or count as its `Display` writes it ("0.88", "20").
    #[cfg_attr(not(feature = "wire"), inline(never))]
    pub fn dec(mut self, d: crate::money::Dec) -> Text {
        d.push_to(&mut self.0);
        self
    }
    /// A whole number as `Display` writes it (line numbers and counts: below 100 without a loop).
    pub fn uint(mut self, n: usize) -> Text {
        if n < 10 {
            self.0.push(char::from(b'0' + n as u8));
        } else if n < 100 {
            self.0.push(char::from(b'0' + (n / 10) as u8));
            self.0.push(char::from(b'0' + (n % 10) as u8));
        } else {
            let mut buf = [0u8; 20];
            let mut i = buf.len();
            let mut n = n;
            while n > 0 {
                i -= 1;
                buf[i] = b'0' + (n % 10) as u8;
                n /= 10;
            }
            // Only ASCII digits were written.
            self.0.push_str(core::str::from_utf8(&buf[i..]).unwrap_or("0"));
        }
        self
    }
    pub fn done(self) -> String {
        self.0
    }
}
