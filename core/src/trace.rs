//! Explanations: every amount and decision names the rule, the pack values used (with their effective
//! dates and citations) and says why in Chinese and English.

use crate::money::Money;
use crate::policy::ParamUse;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TraceEntry {
    /// The output field explained (`hifp_pay`, `act_pay_dedc`, `coverage`, `lines[2].preselfpay_amt` …).
    pub field: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
    /// Stable rule id, e.g. `settle.deductible`.
    pub rule: String,
    /// Seed article or interface rule the step follows.
    pub cite: String,
    /// Pack values used, with their dates and citations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<ParamUse>,
    pub zh: String,
    pub en: String,
}

impl TraceEntry {
    pub fn new(field: &str, rule: &str, cite: &str, zh: String, en: String) -> Self {
        TraceEntry {
            field: field.into(),
            amount: None,
            rule: rule.into(),
            cite: cite.into(),
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
