//! The filing (备案) wizard for an insured person: who, which category, where, from when, which
//! documents (or the personal commitment), then a review that shows what the filing means under the
//! person's insured-place pack, and submission to the host's filing registry.
//!
//! The rules are the core's: `filing.validate` runs in the page for the review, and the host runs it again
//! when it stores the filing. This page only collects input and explains the answer.

use crate::core_api::{self, ApiErr};
use crate::dom;
use crate::filing_api::{self, FilingForm, Receipt};
use crate::i18n::{Lang, use_lang};
use crate::regions::{self, PROVINCES};
use crate::widgets::{ErrorBox, Field, aria_err, explanations, field_err};
use serde_json::Value;
use yew::prelude::*;

/// The six categories with who they are for and what they need, in plain words.
pub const CATEGORIES: [(&str, &str, &str, &str, &str); 6] = [
    (
        "retiree_resettled",
        "异地安置退休人员",
        "Retiree resettled elsewhere",
        "退休后在参保地以外定居，并且户籍已迁入定居地（如迁往子女所在地）；户籍未迁的，选“异地长期居住人员”。需要：身份证件、备案表，以及户籍或居住证明——也可以用个人承诺代替证明。一次备案，长期有效。",
        "Retired and settled outside the insured region with the household registration (户籍) moved there (e.g. to live with children); if it was not moved, choose \"long-term resident elsewhere\". Needs: ID, the filing form, and proof of household registration or residence — or a personal commitment instead. Filed once, valid until changed.",
    ),
    (
        "long_term_resident",
        "异地长期居住人员",
        "Long-term resident elsewhere",
        "在参保地以外长期居住（如持居住证）。需要：身份证件、备案表，以及居住证明或个人承诺。一次备案，长期有效。",
        "Living outside the insured region for a long time (e.g. with a residence permit). Needs: ID, the filing form, and proof of residence or a personal commitment. Valid until changed.",
    ),
    (
        "posted_worker",
        "常驻异地工作人员",
        "Worker posted elsewhere",
        "被用人单位派驻参保地以外长期工作。需要：身份证件、备案表，以及工作证明或个人承诺。一次备案，长期有效。",
        "Posted by your employer to work outside the insured region. Needs: ID, the filing form, and proof of the posting or a personal commitment. Valid until changed.",
    ),
    (
        "referral",
        "异地转诊人员",
        "Referral",
        "参保地定点医院因病情需要，开具转诊证明，转到外地治疗。需要：转诊证明。临时备案，有效期按参保地规定（6 或 12 个月）。",
        "Referred by a hospital at home to be treated elsewhere. Needs: the referral certificate. Temporary: valid for the insured place's period (6 or 12 months).",
    ),
    (
        "emergency",
        "异地急诊抢救人员",
        "Emergency while away",
        "在外地突发急病需要急诊抢救。急诊抢救视同已备案，可以先救治，再补办。已办理长期居住或转诊备案的人不属于此类。",
        "A sudden emergency while away. Emergency treatment counts as filed; get treated first, file afterwards. Not for people already filed as long-term or referral.",
    ),
    (
        "other_temporary",
        "其他临时外出就医人员",
        "Other temporary trip",
        "以上都不是、临时去外地看病。可以办理备案并直接结算；参保地可对这类就医降低支付比例（浙江不超过 20 个百分点），西安备案后按本地同级比例支付。",
        "Any other temporary trip for care. You can file and settle directly; the insured place may pay a lower ratio for such trips (Zhejiang at most 20 points lower), Xi'an pays its local ratio once filed.",
    ),
];

pub fn category_name(code: &str, lang: Lang) -> String {
    CATEGORIES
        .iter()
        .find(|c| c.0 == code)
        .map(|c| lang.t(c.1, c.2).to_string())
        .unwrap_or_else(|| code.to_string())
}

pub fn is_long_term(code: &str) -> bool {
    matches!(code, "retiree_resettled" | "long_term_resident" | "posted_worker")
}

/// The personal commitment (承诺制) shown before the person ticks it. Its legal lead-in follows the
/// commitment form of 002 附件5; the residence clause is the 承诺制 of 医保发〔2022〕22号.
pub const COMMITMENT_ZH: &str = "本人同意授权医保经办机构通过信息共享方式查询本人与办理医保业务相关的信息，承诺所提供材料均为真实合法，符合办理业务条件。本人承诺：本人在所备案的就医地长期居住（或被单位派驻长期工作），所填信息真实；如有虚假，愿意承担由此产生的一切后果，退回已享受的医保待遇，并同意医保经办机构将本人虚假行为纳入信用管理。";
pub const COMMITMENT_EN: &str = "I authorise the insurance agency to look up information relevant to this filing through information sharing, and promise that what I provide is true and lawful. I promise that I live (or am posted to work) long-term in the destination I file for and that the details are true; if they are not, I accept all consequences, will return the benefits received, and agree that the agency records the false statement in the credit system.";

const STEPS: [(&str, &str); 6] = [
    ("参保信息", "You"),
    ("人员类别", "Category"),
    ("就医地", "Destination"),
    ("开始日期", "Start date"),
    ("材料", "Documents"),
    ("确认提交", "Review"),
];

#[derive(Clone, PartialEq)]
enum Review {
    None,
    /// The core's decision: accepted, or refused with reasons and citations.
    Decided(Value),
    /// The request itself was wrong (a bad date order, an unknown code …).
    Error(ApiErr),
}

/// The refusals of a decision (`filing.validate`, `filing.change`, `filing.cancel`).
pub fn refusals(v: &Value) -> Vec<Value> {
    v.get("refusals")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// A refusal that concerns `field`, in the current language with its citation.
pub fn refusal_for(v: &Value, field: &str, l: Lang) -> Option<String> {
    refusals(v)
        .into_iter()
        .find(|r| r.get("field").and_then(Value::as_str) == Some(field))
        .map(|r| refusal_text(&r, l))
}

pub fn refusal_text(r: &Value, l: Lang) -> String {
    let text = r
        .get(if l == Lang::Zh { "zh" } else { "en" })
        .and_then(Value::as_str)
        .unwrap_or_default();
    let cite = r.get("cite").and_then(Value::as_str).unwrap_or_default();
    format!("{text}（{cite}）")
}

/// The control where a field is entered.
fn control_of(field: &str) -> Option<&'static str> {
    Some(match field {
        "psn_name" => "f-name",
        "certno" => "f-certno",
        "category" => "cat-retiree_resettled",
        "province" => "f-province",
        "city" | "rloc_admdvs" => "f-city",
        "begndate" => "f-begndate",
        "admission" | "admission_date" => "f-admission",
        _ => return None,
    })
}

/// The wizard step where a refused field is entered.
fn step_of(field: &str) -> usize {
    match field {
        "category" => 1,
        "rloc_admdvs" => 2,
        "begndate" | "retroactive" | "admission_date" => 3,
        "materials" | "chronic_disease" => 4,
        _ => 0,
    }
}

#[component]
pub fn FilingWizard() -> Html {
    let l = use_lang();
    // `#/filing?retro` (from "My filings") starts a retroactive filing for a current stay.
    let form = use_state(|| {
        let mut f = FilingForm::new_today();
        f.retroactive = dom::hash().contains("retro");
        f
    });
    let step = use_state(|| 0usize);
    let local_err = use_state(|| None::<ApiErr>);
    let review = use_state(|| Review::None);
    let submitting = use_state(|| false);
    let submit_err = use_state(|| None::<ApiErr>);
    let receipt = use_state(|| None::<Receipt>);
    // Keyboard and screen-reader users land on the field whose error was just shown.
    {
        let target = (*local_err).as_ref().and_then(|e| e.path.clone());
        use_effect_with(target, |t| {
            if let Some(id) = t.as_deref().and_then(control_of) {
                dom::focus(id);
            }
        });
    }

    let set = |f: fn(&mut FilingForm, String)| {
        let form = form.clone();
        let review = review.clone();
        Callback::from(move |e: Event| {
            let mut v = (*form).clone();
            f(&mut v, dom::event_value(&e));
            form.set(v);
            review.set(Review::None);
        })
    };
    let tick = |f: fn(&mut FilingForm, bool)| {
        let form = form.clone();
        let review = review.clone();
        Callback::from(move |e: Event| {
            let mut v = (*form).clone();
            f(&mut v, dom::event_checked(&e));
            form.set(v);
            review.set(Review::None);
        })
    };

    let go = {
        let (form, step, local_err, review) = (form.clone(), step.clone(), local_err.clone(), review.clone());
        move |to: usize| {
            let (form, step, local_err, review) =
                (form.clone(), step.clone(), local_err.clone(), review.clone());
            Callback::from(move |_: MouseEvent| {
                // Going forward checks the steps being left; going back never blocks.
                if to > *step {
                    for s in *step..to {
                        if let Err(e) = form.check_step(s) {
                            local_err.set(Some(e));
                            step.set(s);
                            return;
                        }
                    }
                }
                local_err.set(None);
                if to == STEPS.len() - 1 {
                    review.set(match core_api::call("filing.validate", form.validate_request()) {
                        Ok(v) => Review::Decided(v),
                        Err(e) => Review::Error(e),
                    });
                }
                step.set(to);
            })
        }
    };

    let submit = {
        let (form, submitting, submit_err, receipt) = (
            form.clone(),
            submitting.clone(),
            submit_err.clone(),
            receipt.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let (form, submitting, submit_err, receipt) = (
                form.clone(),
                submitting.clone(),
                submit_err.clone(),
                receipt.clone(),
            );
            submitting.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                match filing_api::submit(&form).await {
                    Ok(r) => {
                        submit_err.set(None);
                        receipt.set(Some(r));
                    }
                    Err(e) => submit_err.set(Some(e)),
                }
                submitting.set(false);
            });
        })
    };

    if let Some(r) = &*receipt {
        return html! {
            <section class="filing-done">
                <h1>{ l.t("备案已提交", "Filing submitted") }</h1>
                <div class="ok-box" role="status" id="filing-receipt">
                    <p>{ l.t("备案编号：", "Filing number: ") }<strong id="receipt-id">{ &r.id }</strong></p>
                    <p>{ l.t("自助备案即时生效。已保存在本机“我的备案”中；凭证（令牌）只显示这一次，请妥善保存：",
                             "Self-service filings take effect at once. It is saved under “My filings” on this device; the receipt token is shown only this once, keep it safe:") }</p>
                    <p><code id="receipt-token">{ &r.token }</code></p>
                </div>
                { validity_block(&r.decision, l) }
                <div class="actions">
                    <a class="button" href="#/filings">{ l.t("查看我的备案", "See my filings") }</a>
                    <a class="button secondary" href="#/estimate">{ l.t("估算费用", "Estimate costs") }</a>
                </div>
            </section>
        };
    }

    let f = &*form;
    let err = &*local_err;
    let (review_err, decision) = match &*review {
        Review::Error(e) => (Some(e.clone()), Value::Null),
        Review::Decided(v) => (None, v.clone()),
        Review::None => (None, Value::Null),
    };
    // A field error may come from the page's own checks, a request error, or a refusal by the core.
    let fe = |field: &str| {
        field_err(err, field, l)
            .or_else(|| field_err(&review_err, field, l))
            .or_else(|| refusal_for(&decision, field, l))
    };
    let prov = regions::province_of(&f.province);

    let body = match *step {
        0 => {
            let (d1, i1) = aria_err("f-certno", fe("certno").is_some());
            html! {
                <fieldset>
                    <legend>{ l.t("参保信息", "About you") }</legend>
                    <Field id="f-insured" label={l.t("参保地（您在哪里参加医保）", "Insured place (where you are insured)")}
                        hint={l.t("只列出已有政策包的地区。", "Only regions with a policy pack are listed.")} error={fe("insuplc_admdvs")}>
                        <select id="f-insured" onchange={set(|f, v| f.insured = v)}>
                            { for crate::pages::estimate::insured_places().into_iter().map(|(code, zh, en)| html! {
                                <option value={code.clone()} selected={f.insured == code}>{ format!("{} {code}", l.t(&zh, &en)) }</option>
                            }) }
                        </select>
                    </Field>
                    <div class="grid2">
                        <Field id="f-insutype" label={l.t("险种", "Insurance")}>
                            <select id="f-insutype" onchange={set(|f, v| f.insutype = v)}>
                                <option value="310" selected={f.insutype == "310"}>{ l.t("职工医保 310", "Employees 310") }</option>
                                <option value="390" selected={f.insutype == "390"}>{ l.t("居民医保 390", "Residents 390") }</option>
                            </select>
                        </Field>
                        <Field id="f-psntype" label={l.t("人员类别", "Person type")}>
                            <select id="f-psntype" onchange={set(|f, v| f.psn_type = v)}>
                                { for [("11","在职","working"),("12","退休","retired"),("15","成年居民","adult resident"),("16","老年居民","elderly resident"),("14","未成年居民","minor")]
                                    .iter().map(|(c, zh, en)| html! { <option value={*c} selected={f.psn_type == *c}>{ format!("{} {c}", l.t(zh, en)) }</option> }) }
                            </select>
                        </Field>
                        <Field id="f-name" label={l.t("姓名", "Name")} error={fe("psn_name")}>
                            <input id="f-name" type="text" autocomplete="name" value={f.psn_name.clone()} onchange={set(|f, v| f.psn_name = v)} />
                        </Field>
                        <Field id="f-certno" label={l.t("身份证号", "ID card number")} error={fe("certno")}
                            hint={l.t("18 位，末位可为 X。服务器只保存其摘要和掩码。", "18 characters, the last may be X. The server keeps only a hash and a masked form.")}>
                            <input id="f-certno" type="text" inputmode="text" autocomplete="off" maxlength="18"
                                value={f.certno.clone()} onchange={set(|f, v| f.certno = v.trim().to_uppercase())}
                                aria-describedby={d1} aria-invalid={i1} />
                        </Field>
                    </div>
                </fieldset>
            }
        }
        1 => html! {
            <fieldset id="f-category" aria-describedby={fe("category").map(|_| "f-category-err")}>
                <legend>{ l.t("您属于哪一类？", "Which describes you?") }</legend>
                { for CATEGORIES.iter().map(|(code, zh, en, dzh, den)| {
                    let id = format!("cat-{code}");
                    let code_s = code.to_string();
                    let form = form.clone();
                    let review = review.clone();
                    let pick = Callback::from(move |_: Event| {
                        let mut v = (*form).clone();
                        v.category = code_s.clone();
                        form.set(v);
                        review.set(Review::None);
                    });
                    html! {
                        <label class="choice" for={id.clone()}>
                            <input type="radio" name="category" id={id} value={*code} checked={f.category == *code} onchange={pick} />
                            <span>
                                <strong>{ l.t(zh, en) }</strong>
                                <span class="tag">{ if is_long_term(code) { l.t("长期", "long-term") } else { l.t("临时", "temporary") } }</span>
                                <span class="desc">{ l.t(dzh, den) }</span>
                            </span>
                        </label>
                    }
                }) }
                if let Some(e) = fe("category") { <p class="error" id="f-category-err" role="alert">{ e }</p> }
            </fieldset>
        },
        2 => html! {
            <fieldset>
                <legend>{ l.t("去哪里就医？", "Where will you be treated?") }</legend>
                <p class="hint">{ l.t(
                    "备案到地市或直辖市，而不是某家医院：备案后当地所有联网定点医疗机构都可以直接结算。海南、西藏和新疆生产建设兵团可以备案到省（兵团）一级。",
                    "You file for a city or municipality, not a hospital: every networked facility there then settles directly. Hainan, Tibet and the XPCC may be filed at province level.") }</p>
                <div class="grid2">
                    <Field id="f-province" label={l.t("省份", "Province")} error={fe("province")}>
                        <select id="f-province" onchange={set(|f, v| { f.province = v; f.city.clear(); })}>
                            <option value="" selected={f.province.is_empty()}>{ l.t("请选择", "Choose") }</option>
                            { for PROVINCES.iter().map(|p| html! {
                                <option value={p.code} selected={f.province == p.code}>{ l.t(p.zh, p.en) }</option>
                            }) }
                        </select>
                    </Field>
                    <Field id="f-city" label={l.t("地市", "City")} error={fe("rloc_admdvs").or_else(|| fe("city"))}
                        hint={prov.filter(|p| regions::province_selectable(p)).map(|p| AttrValue::from(if p.municipality {
                            l.s("直辖市整体为一个备案地。", "A municipality is one destination.")
                        } else {
                            l.s(format!("可选择“{}（全省）”。", p.zh), format!("You may choose all of {}.", p.en))
                        }))}>
                        <select id="f-city" onchange={set(|f, v| f.city = v)} disabled={prov.is_none()}>
                            <option value="" selected={f.city.is_empty()}>{ l.t("请选择", "Choose") }</option>
                            if let Some(p) = prov {
                                if regions::province_selectable(p) {
                                    <option value={p.code} selected={f.city == p.code}>{
                                        if p.municipality { l.s(p.zh, p.en) } else { l.s(format!("{}（全省）", p.zh), format!("{} (whole province)", p.en)) }
                                    }</option>
                                }
                                { for p.cities.iter().map(|c| html! {
                                    <option value={c.0} selected={f.city == c.0}>{ l.t(c.1, c.2) }</option>
                                }) }
                            }
                        </select>
                    </Field>
                </div>
            </fieldset>
        },
        3 => html! {
            <fieldset>
                <legend>{ l.t("从哪天开始？", "From when?") }</legend>
                <Field id="f-begndate" label={l.t("备案开始日期", "Start date")} error={fe("begndate")}
                    hint={l.t("自助备案即时生效。", "Self-service filings take effect at once.")}>
                    <input id="f-begndate" type="date" value={f.begndate.clone()} onchange={set(|f, v| f.begndate = v)} />
                </Field>
                <label class="choice" for="f-retro">
                    <input type="checkbox" id="f-retro" checked={f.retroactive} onchange={tick(|f, b| f.retroactive = b)} />
                    <span>
                        <strong>{ l.t("我已经住院，还没出院结算（补办备案）", "I am already in hospital and not yet discharged (retroactive filing)") }</strong>
                        <span class="desc">{ l.t(
                            "出院结算前补办备案，可从入院日起生效并直接结算（002 实施细则三(三)；003 二(四)）。",
                            "Filed before the discharge settlement, the filing takes effect from the admission date and the stay settles directly (002 实施细则三(三); 003 二(四)).") }</span>
                    </span>
                </label>
                if f.retroactive {
                    <Field id="f-admission" label={l.t("入院日期", "Admission date")} error={fe("admission_date").or_else(|| fe("admission"))}>
                        <input id="f-admission" type="date" value={f.admission.clone()} onchange={set(|f, v| f.admission = v)} />
                    </Field>
                }
            </fieldset>
        },
        4 => {
            let long = is_long_term(&f.category);
            html! {
                <fieldset>
                    <legend>{ l.t("材料", "Documents") }</legend>
                    if long {
                        <p class="hint">{ l.t("长期居住类备案需要居住（或工作）证明，也可以用个人承诺代替（承诺制）。",
                                             "A long-term filing needs proof of residence (or of the posting), or a personal commitment instead.") }</p>
                        <label class="choice" for="f-proof">
                            <input type="checkbox" id="f-proof" checked={f.residence_proof} onchange={tick(|f, b| f.residence_proof = b)} />
                            <span><strong>{ l.t("我有居住证明 / 户籍证明 / 工作证明", "I have proof of residence / household registration / posting") }</strong></span>
                        </label>
                        <div class="commitment" id="commitment-text" lang="zh-CN">{ COMMITMENT_ZH }</div>
                        if l == Lang::En { <p class="hint" lang="en">{ COMMITMENT_EN }</p> }
                        <label class="choice" for="f-commit">
                            <input type="checkbox" id="f-commit" checked={f.commitment} onchange={tick(|f, b| f.commitment = b)} />
                            <span><strong>{ l.t("我已阅读并作出以上个人承诺", "I have read and make the commitment above") }</strong></span>
                        </label>
                    } else if f.category == "referral" {
                        <label class="choice" for="f-refcert">
                            <input type="checkbox" id="f-refcert" checked={f.referral_certificate} onchange={tick(|f, b| f.referral_certificate = b)} />
                            <span>
                                <strong>{ l.t("我有参保地定点医院开具的转诊证明", "I have a referral certificate from a designated hospital at home") }</strong>
                                <span class="desc">{ l.t("视同转诊的情形按参保地规定办理。", "Cases deemed a referral follow the insured place's rules.") }</span>
                            </span>
                        </label>
                    } else {
                        <p>{ l.t("这一类备案不需要额外证明材料，只需身份证件和备案表。", "This category needs no extra documents, only your ID and the filing form.") }</p>
                    }
                    <label class="choice" for="f-chronic">
                        <input type="checkbox" id="f-chronic" checked={f.chronic_disease} onchange={tick(|f, b| f.chronic_disease = b)} />
                        <span>
                            <strong>{ l.t("同时登记门诊慢特病", "Also register a chronic or special outpatient disease (门诊慢特病)") }</strong>
                            <span class="desc">{ l.t(
                                "要在就医地看门诊慢性病、特殊疾病的请勾选。有的参保地要求备案时单独登记（如湖南，001 §8），未登记的门诊慢特病费用不能直接结算。",
                                "Tick this if you will be treated for a chronic or special disease in outpatient care there. Some insured places require it to be registered with the filing (Hunan, 001 §8); without it, such visits do not settle directly.") }</span>
                        </span>
                    </label>
                    if let Some(e) = fe("materials") { <p class="error" role="alert">{ e }</p> }
                </fieldset>
            }
        }
        _ => review_block(f, &review, l, &go),
    };

    let last = STEPS.len() - 1;
    html! {
        <section class="filing">
            <h1>{ l.t("办理异地就医备案", "File for cross-region care") }</h1>
            <ol class="steps" aria-label={l.t("步骤", "Steps")}>
                { for STEPS.iter().enumerate().map(|(i, (zh, en))| html! {
                    <li aria-current={(i == *step).then_some("step")}>{ l.t(zh, en) }</li>
                }) }
            </ol>
            <form onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())} novalidate=true>
                { body }
                if let Some(e) = err.as_ref().filter(|e| e.path.is_none()) { <ErrorBox error={e.clone()} /> }
                <div class="actions">
                    if *step > 0 { <button type="button" class="secondary" id="f-back" onclick={go(*step - 1)}>{ l.t("上一步", "Back") }</button> }
                    if *step < last { <button type="button" id="f-next" onclick={go(*step + 1)}>{ l.t("下一步", "Next") }</button> }
                    if *step == last {
                        <button type="button" id="f-submit" onclick={submit}
                            disabled={*submitting || decision.get("accepted").and_then(Value::as_bool) != Some(true)}>
                            { if *submitting { l.t("正在提交…", "Submitting…") } else { l.t("确认并提交备案", "Confirm and submit") } }
                        </button>
                    }
                </div>
                if let Some(e) = &*submit_err { <ErrorBox error={e.clone()} /> }
            </form>
        </section>
    }
}

fn review_block(
    f: &FilingForm,
    review: &Review,
    l: Lang,
    go: &dyn Fn(usize) -> Callback<MouseEvent>,
) -> Html {
    let dest = regions::name(&f.city)
        .map(|(zh, en)| l.t(zh, en).to_string())
        .unwrap_or_else(|| f.city.clone());
    let insured = regions::name(&f.insured)
        .map(|(zh, en)| l.t(zh, en).to_string())
        .unwrap_or_else(|| f.insured.clone());
    html! {
        <div class="review">
            <h2>{ l.t("请核对", "Please check") }</h2>
            <table>
                <tbody>
                    <tr><th>{ l.t("参保地", "Insured place") }</th><td>{ format!("{insured} {}", f.insured) }</td></tr>
                    <tr><th>{ l.t("姓名", "Name") }</th><td>{ &f.psn_name }</td></tr>
                    <tr><th>{ l.t("人员类别", "Category") }</th><td>{ category_name(&f.category, l) }</td></tr>
                    <tr><th>{ l.t("就医地", "Destination") }</th><td>{ format!("{dest} {}", f.city) }</td></tr>
                    <tr><th>{ l.t("开始日期", "Start date") }</th><td>{ if f.retroactive { &f.admission } else { &f.begndate } }</td></tr>
                    <tr><th>{ l.t("门诊慢特病", "Chronic/special outpatient diseases") }</th><td id="review-chronic">{
                        if f.chronic_disease { l.t("同时登记", "registered with this filing") } else { l.t("不登记", "not registered") }
                    }</td></tr>
                </tbody>
            </table>
            { match review {
                Review::Decided(v) if v.get("accepted").and_then(Value::as_bool) == Some(true) => validity_block(v, l),
                Review::Decided(v) => html! {
                    <div class="error-box" role="alert" id="filing-refusal">
                        <strong>{ l.t("按规定不能这样备案：", "This filing is not allowed: ") }</strong>
                        <ul>
                            { for refusals(v).iter().map(|r| {
                                let field = r.get("field").and_then(Value::as_str).unwrap_or_default();
                                html! { <li>
                                    { refusal_text(r, l) }<span class="code">{ format!(" [{}]", r.get("code").and_then(Value::as_str).unwrap_or_default()) }</span>
                                    { " " }<button type="button" class="secondary" onclick={go(step_of(field))}>{ l.t("去修改", "Fix") }</button>
                                </li> }
                            }) }
                        </ul>
                    </div>
                },
                Review::Error(e) => html! { <ErrorBox error={e.clone()} /> },
                Review::None => html! {},
            } }
        </div>
    }
}

/// What a filing means, from the core's decision: validity window, admission-inside-window rule, change
/// lock, and what happens without a filing — each with its citation.
pub fn validity_block(decision: &Value, l: Lang) -> Html {
    let d = decision.get("decision").unwrap_or(decision);
    let w = d.get("window").cloned().unwrap_or(Value::Null);
    let begin = w.get("begndate").and_then(Value::as_str).unwrap_or("");
    let end = w.get("enddate").and_then(Value::as_str);
    let months = w.get("months").and_then(Value::as_u64);
    let window = match (end, months) {
        (Some(e), Some(m)) => l.s(
            format!("{begin} 至 {e}（含，{m} 个月）"),
            format!("{begin} to {e} (inclusive, {m} months)"),
        ),
        (Some(e), None) => l.s(
            format!("{begin} 至 {e}（含）"),
            format!("{begin} to {e} (inclusive)"),
        ),
        (None, _) => l.s(
            format!("自 {begin} 起长期有效，直至变更或取消"),
            format!("from {begin}, valid until changed or cancelled"),
        ),
    };
    let lock = w.get("change_allowed_from").and_then(Value::as_str);
    let items: Vec<Value> = d
        .get("explanations")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    html! {
        <div class="panel validity" id="validity">
            <h2>{ l.t("这份备案意味着什么", "What this filing means") }</h2>
            <p><strong>{ l.t("有效期：", "Valid: ") }</strong><span id="validity-window">{ window }</span></p>
            <ul>
                <li>{ l.t("有效期内入院、有效期后才出院的，整次住院按有效期内办理，直接结算（002 经办规程§12.3；003 §10）。",
                          "Admitted inside the window and discharged after it: the whole stay counts as inside and settles directly (002 经办规程§12.3; 003 §10).") }</li>
                <li>{ l.t("有效期内可以在备案地任意联网定点医疗机构多次就医（002 §15；003 §10）。",
                          "Within the window, any number of visits at any networked facility of the destination (002 §15; 003 §10).") }</li>
                if let Some(lk) = lock {
                    <li id="validity-lock">{ l.s(
                        format!("变更限制：{lk} 起才能变更或取消；退休安置地或工作单位变化、疫情等情形凭资料除外（002 经办规程§12.1；003 §13）。"),
                        format!("Change lock: changes or cancellation only from {lk}, except a new retirement place or employer, or an epidemic, with documents (002 经办规程§12.1; 003 §13).")) }</li>
                } else if end.is_some() {
                    <li>{ l.t("临时备案到期自动失效；到期后还需就医的，重新备案即可。", "A temporary filing lapses at its end; file again if care continues after it.") }</li>
                }
                <li>{ l.t("不备案会怎样：急诊抢救视同已备案，按参保地急诊标准结算；其他临时外出不备案的，参保地可降低支付比例（如低 20 个百分点）（002 §21、实施细则二(三)2；003 一(四)、§20）。",
                          "Without a filing: an emergency counts as filed and settles under the insured place's emergency standard; other trips without a filing may be paid at a lower ratio (e.g. 20 points lower) (002 §21, 实施细则二(三)2; 003 一(四), §20).") }</li>
            </ul>
            if !items.is_empty() {
                <h3>{ l.t("核心的判定依据", "The core's reasons") }</h3>
                { explanations(&items, l) }
            }
        </div>
    }
}
