//! Chinese-first UI text with an English switch. Texts are written inline as (zh, en) pairs next to
//! where they are shown, so a reader sees both at once and nothing can fall out of a key table.

use yew::prelude::*;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    /// Pick the text for this language.
    pub fn t<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
    /// An owned pick, for texts built with `format!`.
    pub fn s(self, zh: impl Into<String>, en: impl Into<String>) -> String {
        match self {
            Lang::Zh => zh.into(),
            Lang::En => en.into(),
        }
    }
    /// BCP 47 tag for the `lang` attribute of the document.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
    pub fn from_tag(tag: &str) -> Lang {
        if tag.starts_with("en") { Lang::En } else { Lang::Zh }
    }
    /// Pick the language half of a bilingual value such as `{ "zh": …, "en": … }` or `message_zh`/`message_en`.
    pub fn pick_json(self, v: &serde_json::Value, stem: &str) -> Option<String> {
        let (a, b) = match self {
            Lang::Zh => ("zh", "en"),
            Lang::En => ("en", "zh"),
        };
        for key in [format!("{stem}_{a}"), format!("{stem}_{b}")] {
            if let Some(s) = v.get(&key).and_then(|x| x.as_str()) {
                return Some(s.to_string());
            }
        }
        if let Some(obj) = v.get(stem) {
            if let Some(s) = obj.as_str() {
                return Some(s.to_string());
            }
            for k in [a, b] {
                if let Some(s) = obj.get(k).and_then(|x| x.as_str()) {
                    return Some(s.to_string());
                }
            }
        }
        None
    }
}

/// The current language (from the app's context; Chinese when none).
#[hook]
pub fn use_lang() -> Lang {
    use_context::<Lang>().unwrap_or(Lang::Zh)
}
