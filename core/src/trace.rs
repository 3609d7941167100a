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
