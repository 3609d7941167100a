//! "My filings": the filings whose receipts are kept on this device, their status from the host, and
//! change / cancel. Each change or cancellation is first decided by the core in the page (so a refusal is
//! explained at once, with its citation) and then sent to the host, which decides again on its record.

use crate::core_api::{self, ApiErr};
use crate::dom;
use crate::filing_api::{self, Receipt};
use crate::i18n::{Lang, use_lang};
use crate::pages::filing::{CATEGORIES, category_name, refusal_text, refusals};
use crate::regions;
use crate::widgets::{ErrorBox, Field, RegionPicker};
use serde_json::{Value, json};
use yew::prelude::*;

#[component]
pub fn MyFilings() -> Html {
    let l = use_lang();
    let receipts = use_state(filing_api::saved);
    let add_id = use_state(String::new);
    let add_token = use_state(String::new);
    let add = {
        let (receipts, add_id, add_token) = (receipts.clone(), add_id.clone(), add_token.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let r = Receipt {
                id: add_id.trim().to_string(),
                token: add_token.trim().to_string(),
                decision: Value::Null,
            };
            if r.id.is_empty() || r.token.is_empty() {
                return;
            }
            let mut all = (*receipts).clone();
            all.retain(|x| x.id != r.id);
            all.insert(0, r);
            filing_api::save_all(&all);
            receipts.set(all);
        })
    };
    let on_forget = {
        let receipts = receipts.clone();
        Callback::from(move |id: String| {
            filing_api::forget(&id);
            receipts.set(filing_api::saved());
        })
    };
    html! {
        <section class="my-filings">
            <h1>{ l.t("我的备案", "My filings") }</h1>
            <p class="lead">{ l.t(
                "这里列出在本机提交过的备案。变更和取消按参保地规则办理：长期居住备案在变更限制期内不能变更或取消（退休安置地、工作单位变化或疫情等情形凭资料除外）。",
                "Filings submitted from this device. Changes and cancellations follow the insured place's rules: a long-term filing cannot be changed or cancelled within its lock period (except a new retirement place, employer, or an epidemic, with documents).") }</p>
            <div class="actions">
                <a class="button" href="#/filing">{ l.t("新办备案", "New filing") }</a>
                <a class="button secondary" href="#/filing?retro">{ l.t("为正在住院的就诊补办备案", "File retroactively for a current stay") }</a>
            </div>
            if receipts.is_empty() {
                <p>{ l.t("本机还没有备案记录。", "No filings on this device yet.") }</p>
            } else {
                <ul class="filing-list" id="filing-list">
                    { for receipts.iter().map(|r| html! { <FilingItem key={r.id.clone()} receipt={r.clone()} on_forget={on_forget.clone()} /> }) }
                </ul>
            }
            <details>
                <summary>{ l.t("用备案编号和凭证添加（在别的设备上办理的备案）", "Add by number and token (a filing made on another device)") }</summary>
                <form onsubmit={add} novalidate=true>
                    <div class="grid2">
                        <Field id="a-id" label={l.t("备案编号", "Filing number")}>
                            <input id="a-id" type="text" value={(*add_id).clone()} onchange={{ let s = add_id.clone(); Callback::from(move |e: Event| s.set(dom::event_value(&e))) }} />
                        </Field>
                        <Field id="a-token" label={l.t("凭证（令牌）", "Receipt token")}>
                            <input id="a-token" type="text" autocomplete="off" value={(*add_token).clone()} onchange={{ let s = add_token.clone(); Callback::from(move |e: Event| s.set(dom::event_value(&e))) }} />
                        </Field>
                    </div>
                    <button type="submit">{ l.t("添加", "Add") }</button>
                </form>
            </details>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct ItemProps {
    receipt: Receipt,
    on_forget: Callback<String>,
}

#[derive(Clone, PartialEq)]
enum Mode {
    View,
    Change,
    Cancel,
}

const REASONS: [(&str, &str, &str); 6] = [
    ("personal", "个人原因", "personal wish"),
    ("contact_details", "联系方式等信息变化", "contact details"),
    ("medical_need", "因病情需要", "medical need"),
    (
        "retirement_place_changed",
        "退休安置地变化",
        "new retirement place",
    ),
    ("employer_changed", "工作单位变化", "new employer"),
    ("epidemic", "疫情等特殊情况", "epidemic or similar"),
];

#[component]
fn FilingItem(p: &ItemProps) -> Html {
    let l = use_lang();
    let view = use_state(|| None::<Result<Value, ApiErr>>);
    let mode = use_state(|| Mode::View);
    let reason = use_state(|| "personal".to_string());
    let documents = use_state(|| false);
    let new_dest = use_state(String::new);
    let new_cat = use_state(String::new);
    // 门诊慢特病 registration: "" keep, "1" register, "0" withdraw.
    let new_chronic = use_state(String::new);
    let outcome = use_state(|| None::<Result<Value, ApiErr>>);
    let busy = use_state(|| false);

    {
        let (view, r) = (view.clone(), p.receipt.clone());
        use_effect_with(p.receipt.id.clone(), move |_| {
            wasm_bindgen_futures::spawn_local(async move { view.set(Some(filing_api::fetch(&r).await)) });
        });
    }

    let stored = match &*view {
        Some(Ok(v)) => Some(v.clone()),
        _ => None,
    };
    let act = |m: Mode| {
        let (mode, outcome) = (mode.clone(), outcome.clone());
        Callback::from(move |_: MouseEvent| {
            outcome.set(None);
            mode.set(m.clone());
        })
    };
    let send = {
        let (p_r, stored, mode, reason, documents, new_dest, new_cat, new_chronic, outcome, busy, view) = (
            p.receipt.clone(),
            stored.clone(),
            mode.clone(),
            reason.clone(),
            documents.clone(),
            new_dest.clone(),
            new_cat.clone(),
            new_chronic.clone(),
            outcome.clone(),
            busy.clone(),
            view.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(s) = stored.clone() else { return };
            let cancel = *mode == Mode::Cancel;
            let mut body = json!({ "reason": *reason, "documents": *documents });
            if !cancel {
                let mut changes = json!({});
                if !new_dest.is_empty() {
                    changes["rloc_admdvs"] = json!(*new_dest);
                }
                if !new_cat.is_empty() {
                    changes["category"] = json!(*new_cat);
                }
                if !new_chronic.is_empty() {
                    changes["chronic_disease"] = json!(*new_chronic == "1");
                }
                body["changes"] = changes;
            }
            // The core decides in the page first, on the filing as the host holds it.
            let mut local = body.clone();
            local["applicant"] = s["applicant"].clone();
            local["filing"] = s["filing"].clone();
            local["date"] = json!(dom::today());
            let op = if cancel { "filing.cancel" } else { "filing.change" };
            match core_api::call(op, local) {
                Err(e) => {
                    outcome.set(Some(Err(e)));
                    return;
                }
                Ok(d) if d.get("allowed").and_then(Value::as_bool) != Some(true) => {
                    outcome.set(Some(Ok(d)));
                    return;
                }
                Ok(_) => {}
            }
            let (r, outcome, busy, view, mode) = (
                p_r.clone(),
                outcome.clone(),
                busy.clone(),
                view.clone(),
                mode.clone(),
            );
            busy.set(true);
            let version = s.get("version").and_then(Value::as_i64);
            wasm_bindgen_futures::spawn_local(async move {
                let res = if cancel {
                    filing_api::cancel(&r, version, &body).await
                } else {
                    filing_api::change(&r, version, &body).await
                };
                if let Ok(v) = &res {
                    view.set(Some(Ok(v.clone())));
                    mode.set(Mode::View);
                }
                outcome.set(Some(res));
                busy.set(false);
            });
        })
    };

    let id = p.receipt.id.clone();
    let forget = {
        let (cb, id) = (p.on_forget.clone(), id.clone());
        Callback::from(move |_: MouseEvent| cb.emit(id.clone()))
    };
    let body = match &*view {
        None => html! { <p>{ l.t("正在读取…", "Loading…") }</p> },
        Some(Err(e)) => html! { <ErrorBox error={e.clone()} /> },
        Some(Ok(v)) => summary(v, l),
    };
    let active = stored
        .as_ref()
        .and_then(|s| s.get("status"))
        .and_then(Value::as_str)
        == Some("active");
    html! {
        <li class="filing-item" data-filing-id={id.clone()}>
            <h2>{ l.t("备案编号 ", "Filing ") }<code>{ id.clone() }</code></h2>
            { body }
            if active && *mode == Mode::View {
                <div class="actions">
                    <button type="button" class="secondary" onclick={act(Mode::Change)} id={format!("change-{id}")}>{ l.t("变更", "Change") }</button>
                    <button type="button" class="danger" onclick={act(Mode::Cancel)} id={format!("cancel-{id}")}>{ l.t("取消备案", "Cancel filing") }</button>
                    <button type="button" class="secondary" onclick={forget.clone()}>{ l.t("从本机移除", "Remove from this device") }</button>
                </div>
            } else if !active {
                <div class="actions"><button type="button" class="secondary" onclick={forget}>{ l.t("从本机移除", "Remove from this device") }</button></div>
            }
            if *mode != Mode::View {
                <form onsubmit={send} novalidate=true class="panel">
                    <h3>{ if *mode == Mode::Change { l.t("变更备案", "Change the filing") } else { l.t("取消备案", "Cancel the filing") } }</h3>
                    if *mode == Mode::Change {
                        <p class="legend">{ l.t("新的就医地（不变可不选）", "New destination (leave empty to keep)") }</p>
                        <RegionPicker id={format!("c-dest-{id}")} value={(*new_dest).clone()}
                            onchange={{ let s = new_dest.clone(); Callback::from(move |c: String| s.set(c)) }} />
                        <Field id={format!("c-cat-{id}")} label={l.t("新的人员类别（不变可不选）", "New category (leave empty to keep)")}>
                            <select id={format!("c-cat-{id}")} onchange={{ let s = new_cat.clone(); Callback::from(move |e: Event| s.set(dom::event_value(&e))) }}>
                                <option value="" selected={new_cat.is_empty()}>{ l.t("不变", "Keep") }</option>
                                { for CATEGORIES.iter().map(|c| html! { <option value={c.0} selected={*new_cat == c.0}>{ l.t(c.1, c.2) }</option> }) }
                            </select>
                        </Field>
                        <Field id={format!("c-chronic-{id}")} label={l.t("门诊慢特病登记（001 §8）", "门诊慢特病 registration (001 §8)")}>
                            <select id={format!("c-chronic-{id}")} onchange={{ let s = new_chronic.clone(); Callback::from(move |e: Event| s.set(dom::event_value(&e))) }}>
                                <option value="" selected={new_chronic.is_empty()}>{ l.t("不变", "Keep") }</option>
                                <option value="1" selected={*new_chronic == "1"}>{ l.t("登记", "Register") }</option>
                                <option value="0" selected={*new_chronic == "0"}>{ l.t("取消登记", "Withdraw") }</option>
                            </select>
                        </Field>
                    }
                    <Field id={format!("c-reason-{id}")} label={l.t("原因", "Reason")}>
                        <select id={format!("c-reason-{id}")} onchange={{ let s = reason.clone(); Callback::from(move |e: Event| s.set(dom::event_value(&e))) }}>
                            { for REASONS.iter().map(|(c, zh, en)| html! { <option value={*c} selected={*reason == *c}>{ l.t(zh, en) }</option> }) }
                        </select>
                    </Field>
                    <label class="choice" for={format!("c-docs-{id}")}>
                        <input type="checkbox" id={format!("c-docs-{id}")} checked={*documents}
                            onchange={{ let s = documents.clone(); Callback::from(move |e: Event| s.set(dom::event_checked(&e))) }} />
                        <span>{ l.t("我能提供相关证明资料", "I can provide supporting documents") }</span>
                    </label>
                    <div class="actions">
                        <button type="submit" id={format!("c-submit-{id}")} disabled={*busy}>{ l.t("提交", "Submit") }</button>
                        <button type="button" class="secondary" onclick={act(Mode::View)}>{ l.t("返回", "Back") }</button>
                    </div>
                </form>
            }
            { match &*outcome {
                Some(Ok(d)) if d.get("allowed").and_then(Value::as_bool) == Some(false) => html! {
                    <div class="error-box" role="alert" id={format!("refusal-{id}")}>
                        <strong>{ l.t("按规定不能办理：", "Not allowed: ") }</strong>
                        <ul>{ for refusals(d).iter().map(|r| html! { <li>{ refusal_text(r, l) }<span class="code">{ format!(" [{}]", r.get("code").and_then(Value::as_str).unwrap_or("")) }</span></li> }) }</ul>
                    </div>
                },
                Some(Ok(_)) => html! { <p class="ok-box" role="status">{ l.t("已办理。", "Done.") }</p> },
                Some(Err(e)) => html! { <div id={format!("refusal-{id}")}><ErrorBox error={e.clone()} /></div> },
                None => html! {},
            } }
        </li>
    }
}

fn summary(v: &Value, l: Lang) -> Html {
    let f = &v["filing"];
    let s = |k: &str| f.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let dest = s("rloc_admdvs");
    let dest_name = regions::name(&dest)
        .map(|(zh, en)| l.t(zh, en).to_string())
        .unwrap_or_default();
    let status = v.get("status").and_then(Value::as_str).unwrap_or("");
    let status_name = match status {
        "active" => l.t("有效", "active"),
        "cancelled" => l.t("已取消", "cancelled"),
        "superseded" => l.t("已被变更替代", "superseded"),
        "suspended" => l.t("直接结算已暂停", "direct settlement suspended"),
        other => other,
    };
    let end = s("enddate");
    // An agency's last treatment-status change (暂停/恢复/终止): the core's explanation, with the agency's reason.
    let treatment = v.get("treatment").filter(|t| t.is_object());
    let tx = |k: &str| {
        treatment
            .and_then(|t| t.get(k))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    html! {
        <>
        if status == "suspended" {
            <div class="warn-box treatment-note" role="status">
                <strong>{ l.t("经办机构已暂停该备案的直接结算。", "The agency has suspended direct settlement under this filing.") }</strong>
                <p>{ l.s(tx("zh"), tx("en")) }</p>
                <p class="legend">{ l.t("暂停期间不能变更、取消或重新备案。", "While suspended it cannot be changed, cancelled or filed anew.") }
                    <span class="code">{ format!(" [{}]", tx("cite")) }</span></p>
            </div>
        }
        <table>
            <tbody>
                <tr><th>{ l.t("状态", "Status") }</th><td class={format!("status-{status}")}>{ status_name }</td></tr>
                if treatment.is_some() && status != "suspended" {
                    <tr><th>{ l.t("经办机构办理", "Agency action") }</th><td class="treatment-note">{ l.s(tx("zh"), tx("en")) }</td></tr>
                }
                <tr><th>{ l.t("人员类别", "Category") }</th><td>{ category_name(&s("category"), l) }</td></tr>
                <tr><th>{ l.t("就医地", "Destination") }</th><td>{ format!("{dest_name} {dest}") }</td></tr>
                <tr><th>{ l.t("有效期", "Valid") }</th><td class="validity-window">{
                    if end.is_empty() { l.s(format!("{} 起长期有效", s("begndate")), format!("from {}, until changed", s("begndate"))) }
                    else { l.s(format!("{} 至 {}", s("begndate"), end), format!("{} to {}", s("begndate"), end)) }
                }</td></tr>
                if f.get("chronic_disease").and_then(Value::as_bool) == Some(true) {
                    <tr><th>{ l.t("门诊慢特病", "Chronic/special outpatient diseases") }</th><td class="chronic">{ l.t("已登记", "registered") }</td></tr>
                }
                <tr><th>{ l.t("身份证号", "ID number") }</th><td>{ v.get("certno").and_then(Value::as_str).unwrap_or("") }</td></tr>
            </tbody>
        </table>
        </>
    }
}
