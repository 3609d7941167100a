//! Reusable pieces: a labelled form field with its error beside it, citations, amounts.

use crate::core_api::ApiErr;
use crate::i18n::{Lang, use_lang};
use serde_json::Value;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct FieldProps {
    /// The id of the control inside; the label points at it and the error is `{id}-err`.
    pub id: AttrValue,
    pub label: AttrValue,
    #[prop_or_default]
    pub hint: Option<AttrValue>,
    #[prop_or_default]
    pub error: Option<String>,
    #[prop_or_default]
    pub children: Html,
}

/// A form field: label, control, hint, and the error that concerns this field right next to it.
#[component]
pub fn Field(p: &FieldProps) -> Html {
    let err_id = format!("{}-err", p.id);
    let hint_id = format!("{}-hint", p.id);
    html! {
        <div class={classes!("field", p.error.is_some().then_some("has-error"))}>
            <label for={p.id.clone()}>{ p.label.clone() }</label>
            { p.children.clone() }
            if let Some(h) = &p.hint { <p class="hint" id={hint_id}>{ h.clone() }</p> }
            if let Some(e) = &p.error { <p class="error" id={err_id} role="alert">{ e.clone() }</p> }
        </div>
    }
}

/// The error of `err` if it concerns `field`, in the current language.
pub fn field_err(err: &Option<ApiErr>, field: &str, lang: Lang) -> Option<String> {
    err.as_ref()
        .filter(|e| e.is_about(field))
        .map(|e| e.msg(lang).to_string())
}

/// `aria-describedby`/`aria-invalid` values for a control with an optional error.
pub fn aria_err(id: &str, has_err: bool) -> (Option<String>, Option<&'static str>) {
    if has_err {
        (Some(format!("{id}-err")), Some("true"))
    } else {
        (None, None)
    }
}

#[derive(Properties, PartialEq)]
pub struct ErrorBoxProps {
    pub error: ApiErr,
}

/// A whole-form error (one that names no single field), with its code for support.
#[component]
pub fn ErrorBox(p: &ErrorBoxProps) -> Html {
    let lang = use_lang();
    html! {
        <div class="error-box" role="alert">
            <strong>{ lang.t("未能完成：", "Could not complete: ") }</strong>
            { p.error.msg(lang) }
            <span class="code">{ format!(" [{}]", p.error.code) }</span>
            if let Some(path) = &p.error.path { <span class="code">{ format!(" @ {path}") }</span> }
        </div>
    }
}

/// Render the citation of a trace or decision item, whatever its key (`cite`, `citation`).
pub fn cite_of(v: &Value) -> Option<String> {
    for k in ["cite", "citation", "citations"] {
        match v.get(k) {
            Some(Value::String(s)) if !s.is_empty() => return Some(s.clone()),
            Some(Value::Array(a)) if !a.is_empty() => {
                let parts: Vec<String> = a
                    .iter()
                    .filter_map(|x| x.as_str().map(str::to_string).or_else(|| cite_of(x)))
                    .collect();
                return Some(parts.join("；"));
            }
            _ => {}
        }
    }
    None
}

/// An explanation list: each item's text in the current language with its citation.
pub fn explanations(items: &[Value], lang: Lang) -> Html {
    html! {
        <ul class="explain">
            { for items.iter().map(|it| {
                let direct = it.get(if lang == Lang::Zh { "zh" } else { "en" }).and_then(Value::as_str).map(str::to_string);
                let text = direct
                    .or_else(|| lang.pick_json(it, "explain"))
                    .or_else(|| lang.pick_json(it, "text"))
                    .or_else(|| lang.pick_json(it, "message"))
                    .or_else(|| lang.pick_json(it, "note"))
                    .or_else(|| it.as_str().map(str::to_string))
                    .unwrap_or_else(|| it.to_string());
                let rule = it.get("rule").and_then(Value::as_str).map(str::to_string);
                html! {
                    <li>
                        if let Some(r) = rule { <span class="rule">{ r }</span>{ " " } }
                        { text }
                        if let Some(c) = cite_of(it) { <cite>{ format!("（{c}）") }</cite> }
                    </li>
                }
            }) }
        </ul>
    }
}

/// An amount for display: the exact string from the core with a yuan sign; "—" when absent.
pub fn yuan(v: Option<&Value>) -> String {
    match v.and_then(crate::core_api::money_str) {
        Some(s) => format!("¥{s}"),
        None => "—".into(),
    }
}

#[derive(Properties, PartialEq)]
pub struct RegionPickerProps {
    /// Id prefix: the selects are `{id}-province` and `{id}-city`.
    pub id: AttrValue,
    /// The chosen city (or allowed province) code; empty for none.
    pub value: String,
    pub onchange: Callback<String>,
    #[prop_or_default]
    pub error: Option<String>,
}

/// Province → city picker. Only municipalities and 海南/西藏/兵团 can be chosen at province level.
#[component]
pub fn RegionPicker(p: &RegionPickerProps) -> Html {
    use crate::regions::{self, PROVINCES};
    let l = use_lang();
    let province = use_state(|| {
        regions::province_of(&p.value)
            .map(|x| x.code.to_string())
            .unwrap_or_default()
    });
    let prov = regions::province_of(&province);
    let pid = format!("{}-province", p.id);
    let cid = format!("{}-city", p.id);
    let on_prov = {
        let (province, onchange) = (province.clone(), p.onchange.clone());
        Callback::from(move |e: Event| {
            let v = crate::dom::event_value(&e);
            // A municipality or a province-only unit is chosen at once; others wait for the city.
            let direct = regions::province_of(&v)
                .filter(|x| x.municipality || x.cities.is_empty())
                .map(|x| x.code.to_string());
            province.set(v);
            onchange.emit(direct.unwrap_or_default());
        })
    };
    let on_city = {
        let onchange = p.onchange.clone();
        Callback::from(move |e: Event| onchange.emit(crate::dom::event_value(&e)))
    };
    html! {
        <div class="grid2">
            <Field id={pid.clone()} label={l.t("省份", "Province")}>
                <select id={pid} onchange={on_prov}>
                    <option value="" selected={province.is_empty()}>{ l.t("请选择", "Choose") }</option>
                    { for PROVINCES.iter().map(|x| html! { <option value={x.code} selected={*province == x.code}>{ l.t(x.zh, x.en) }</option> }) }
                </select>
            </Field>
            <Field id={cid.clone()} label={l.t("地市", "City")} error={p.error.clone()}>
                <select id={cid} onchange={on_city} disabled={prov.is_none()}>
                    <option value="" selected={p.value.is_empty()}>{ l.t("请选择", "Choose") }</option>
                    if let Some(x) = prov {
                        if regions::province_selectable(x) {
                            <option value={x.code} selected={p.value == x.code}>{
                                if x.municipality { l.s(x.zh, x.en) } else { l.s(format!("{}（全省）", x.zh), format!("{} (whole province)", x.en)) }
                            }</option>
                        }
                        { for x.cities.iter().map(|c| html! { <option value={c.0} selected={p.value == c.0}>{ l.t(c.1, c.2) }</option> }) }
                    }
                </select>
            </Field>
        </div>
    }
}
