//! Hospital pre-check: the visit and its fee lines (pasted or uploaded, JSON or CSV) go to the core's
//! `precheck` op in the page — no server involved, so it works with the network cut — and the findings
//! are listed line by line with their citations.

use crate::core_api::{self, ApiErr};
use crate::dom;
use crate::i18n::{Lang, use_lang};
use crate::pages::estimate::{insured_places, parse_lines};
use crate::records;
use crate::widgets::{ErrorBox, Field, RegionPicker, field_err, yuan};
use serde_json::{Value, json};
use yew::prelude::*;

#[derive(Clone, PartialEq)]
struct VisitForm {
    insured: String,
    insutype: String,
    psn_type: String,
    dest: String,
    hosp_lv: String,
    med_type: String,
    begndate: String,
    enddate: String,
    emergency: bool,
    trauma: bool,
    commitment: bool,
    /// 就诊凭证类型 `mdtrt_cert_type` the person presented.
    cert: String,
    /// The stamped form for exams or purchases at another facility during the stay (002 §39).
    etip_form: bool,
}

const EXAMPLE: &str = "feedetl_sn,med_list_codg,med_list_name,cnt,pric,det_item_fee_sumamt,med_chrgitm_type,chrgitm_lv,lmt_used_flag,hosp_appr_flag\n1,001,床位费,5,80,400.00,01,01,,\n2,002,限定用药,2,150,300.00,09,02,1,\n3,003,检查费,1,250.5,250.50,03,02,,\n";

impl VisitForm {
    fn new(today: &str) -> Self {
        VisitForm {
            insured: "610100".into(),
            insutype: "310".into(),
            psn_type: "11".into(),
            dest: "330100".into(),
            hosp_lv: "3".into(),
            med_type: "21".into(),
            begndate: today.into(),
            enddate: String::new(),
            emergency: false,
            trauma: false,
            commitment: false,
            cert: "01".into(),
            etip_form: false,
        }
    }

    /// The `precheck` requests: pasted or uploaded full requests (with `visit`, one per NDJSON line or CSV
    /// row, as `yidi precheck` reads them) are taken as they are; otherwise the text is the fee lines of
    /// one claim and the form gives the person and the visit.
    fn requests(&self, text: &str) -> Result<Vec<(String, Value)>, ApiErr> {
        let whole: Vec<Value> = if records::looks_like_json(text) {
            records::json_values(text).unwrap_or_default()
        } else {
            records::csv_objects(text)
                .map(|rows| rows.into_iter().map(|(_, v)| v).collect())
                .unwrap_or_default()
        };
        if !whole.is_empty() && whole.iter().all(|v| v.get("visit").is_some()) {
            return Ok(whole
                .into_iter()
                .enumerate()
                .map(|(i, v)| {
                    let label = v
                        .pointer("/visit/mdtrt_id")
                        .and_then(Value::as_str)
                        .map_or_else(|| format!("#{}", i + 1), str::to_string);
                    (label, v)
                })
                .collect());
        }
        Ok(vec![(String::new(), self.request(text)?)])
    }

    /// One claim from the form and the pasted fee lines.
    fn request(&self, text: &str) -> Result<Value, ApiErr> {
        let lines = parse_lines(text)?;
        let mut visit = json!({
            "med_type": self.med_type, "mdtrtarea_admvs": self.dest, "hosp_lv": self.hosp_lv,
            "begndate": self.begndate, "emergency_flag": self.emergency, "trauma_flag": self.trauma,
            "no_third_party_commitment": self.commitment, "mdtrt_cert_type": self.cert,
            "etip_form_flag": self.etip_form,
        });
        if !self.enddate.is_empty() {
            visit["enddate"] = json!(self.enddate);
        }
        Ok(json!({
            "person": { "insutype": self.insutype, "psn_type": self.psn_type, "insuplc_admdvs": self.insured },
            "visit": visit,
            "lines": lines,
        }))
    }
}

#[component]
pub fn Precheck() -> Html {
    let l = use_lang();
    let form = use_state(|| VisitForm::new(&dom::today()));
    let text = use_state(|| EXAMPLE.to_string());
    let result = use_state(|| None::<Result<Vec<Checked>, ApiErr>>);

    let set = |f: fn(&mut VisitForm, String)| {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let mut v = (*form).clone();
            f(&mut v, dom::event_value(&e));
            form.set(v);
        })
    };
    let tick = |f: fn(&mut VisitForm, bool)| {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let mut v = (*form).clone();
            f(&mut v, dom::event_checked(&e));
            form.set(v);
        })
    };
    let on_dest = {
        let form = form.clone();
        Callback::from(move |c: String| {
            let mut v = (*form).clone();
            v.dest = c;
            form.set(v);
        })
    };
    let on_text = {
        let text = text.clone();
        Callback::from(move |e: Event| text.set(dom::event_value(&e)))
    };
    let on_file = {
        let (text, result) = (text.clone(), result.clone());
        Callback::from(move |e: Event| {
            if let Some(file) = dom::event_file(&e) {
                let (text, result) = (text.clone(), result.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    match dom::read_file(file).await {
                        Ok(t) => text.set(t),
                        Err(m) => result.set(Some(Err(ApiErr::new(
                            "E_FILE",
                            format!("文件无法读取：{m}"),
                            format!("cannot read the file: {m}"),
                        )
                        .at("claim")))),
                    }
                });
            }
        })
    };
    let run = {
        let (form, text, result) = (form.clone(), text.clone(), result.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            result.set(Some(form.requests(&text).map(|all| {
                all.into_iter()
                    .map(|(label, r)| (label, core_api::call("precheck", r)))
                    .collect()
            })));
        })
    };
    let f = &*form;
    let err = match &*result {
        Some(Err(e)) => Some(e.clone()),
        _ => None,
    };
    let fe = |k: &str| field_err(&err, k, l);
    let claim_err = fe("lines").or_else(|| fe("claim")).or_else(|| {
        err.as_ref()
            .filter(|e| e.code == "E_CSV" || e.code == "E_JSON")
            .map(|e| e.msg(l).to_string())
    });

    html! {
        <section class="precheck">
            <h1>{ l.t("医院预检（结算前自查）", "Hospital pre-check (before submitting)") }</h1>
            <p class="lead">{ l.t(
                "检查急诊标志、外伤承诺、限定支付审批、限价、就诊凭证、外院检查单据、备案有效期、协查金额等。完全在本页运行，数据不离开本机，断网可用。",
                "Checks the emergency marker, trauma commitment, restricted-use approval, price ceilings, the credential shown, forms for exams elsewhere, filing validity and audit thresholds. Runs entirely in this page: data stays on this device, works offline.") }</p>
            <form onsubmit={run} novalidate=true>
                <fieldset>
                    <legend>{ l.t("就诊信息", "The visit") }</legend>
                    <div class="grid2">
                        <Field id="p-insured" label={l.t("参保地", "Insured place")} error={fe("insuplc_admdvs")}>
                            <select id="p-insured" onchange={set(|f, v| f.insured = v)}>
                                { for insured_places().into_iter().map(|(c, zh, en)| html! { <option value={c.clone()} selected={f.insured == c}>{ format!("{} {c}", l.t(&zh, &en)) }</option> }) }
                            </select>
                        </Field>
                        <Field id="p-insutype" label={l.t("险种", "Insurance")} error={fe("insutype")}>
                            <select id="p-insutype" onchange={set(|f, v| { f.psn_type = if v == "310" { "11".into() } else { "15".into() }; f.insutype = v; })}>
                                <option value="310" selected={f.insutype == "310"}>{ l.t("职工医保 310", "Employees 310") }</option>
                                <option value="390" selected={f.insutype == "390"}>{ l.t("居民医保 390", "Residents 390") }</option>
                            </select>
                        </Field>
                        <Field id="p-medtype" label={l.t("医疗类别 med_type", "Medical type (med_type)")} error={fe("med_type")}>
                            <select id="p-medtype" onchange={set(|f, v| f.med_type = v)}>
                                { for [("21","普通住院"),("22","外伤住院"),("23","转外诊治住院"),("24","急诊转住院"),("11","普通门诊"),("13","急诊"),("14","门诊慢特病")]
                                    .iter().map(|(c, n)| html! { <option value={*c} selected={f.med_type == *c}>{ format!("{c} {n}") }</option> }) }
                            </select>
                        </Field>
                        <Field id="p-hosplv" label={l.t("医疗机构等级", "Facility level")} error={fe("hosp_lv")}>
                            <select id="p-hosplv" onchange={set(|f, v| f.hosp_lv = v)}>
                                { for [("3","三级"),("2","二级"),("1","一级"),("0","社区/基层")].iter().map(|(c, n)| html! { <option value={*c} selected={f.hosp_lv == *c}>{ *n }</option> }) }
                            </select>
                        </Field>
                        <Field id="p-begndate" label={l.t("入院日期", "Admission date")} error={fe("begndate")}>
                            <input id="p-begndate" type="date" value={f.begndate.clone()} onchange={set(|f, v| f.begndate = v)} />
                        </Field>
                        <Field id="p-enddate" label={l.t("出院日期", "Discharge date")} error={fe("enddate")}>
                            <input id="p-enddate" type="date" value={f.enddate.clone()} onchange={set(|f, v| f.enddate = v)} />
                        </Field>
                        <Field id="p-cert" label={l.t("就诊凭证 mdtrt_cert_type", "Credential shown (mdtrt_cert_type)")} error={fe("mdtrt_cert_type")}>
                            <select id="p-cert" onchange={set(|f, v| f.cert = v)}>
                                { for [("01", "医保电子凭证", "medical-insurance e-voucher"), ("02", "居民身份证", "resident ID card"), ("03", "社会保障卡", "social security card")]
                                    .iter().map(|(c, zh, en)| html! { <option value={*c} selected={f.cert == *c}>{ format!("{c} {}", l.t(zh, en)) }</option> }) }
                            </select>
                        </Field>
                    </div>
                    <p class="legend">{ l.t("就医地（本院所在地）", "Treatment place (this hospital)") }</p>
                    <RegionPicker id="p-dest" value={f.dest.clone()} onchange={on_dest} error={fe("mdtrtarea_admvs")} />
                    <label class="choice" for="p-emerg"><input type="checkbox" id="p-emerg" checked={f.emergency} onchange={tick(|f, b| f.emergency = b)} /><span>{ l.t("急诊标志", "Emergency marker") }</span></label>
                    <label class="choice" for="p-trauma"><input type="checkbox" id="p-trauma" checked={f.trauma} onchange={tick(|f, b| f.trauma = b)} /><span>{ l.t("外伤标志", "Trauma marker") }</span></label>
                    <label class="choice" for="p-commit"><input type="checkbox" id="p-commit" checked={f.commitment} onchange={tick(|f, b| f.commitment = b)} /><span>{ l.t("已签《外伤无第三方责任承诺书》", "Signed the no-third-party trauma commitment") }</span></label>
                    <label class="choice" for="p-etip-form"><input type="checkbox" id="p-etip-form" checked={f.etip_form} onchange={tick(|f, b| f.etip_form = b)} /><span>{ l.t("已有加盖医保办公室章的《住院期间外院检查治疗或购药单》（外检明细 etip_flag 纳入本次住院）", "The stamped form for exams or drugs from another facility during the stay is on file (lines with etip_flag join this stay)") }</span></label>
                </fieldset>
                <fieldset>
                    <legend>{ l.t("费用明细", "Fee lines") }</legend>
                    <Field id="p-file" label={l.t("上传文件（.json / .csv）", "Upload a file (.json / .csv)")}>
                        <input id="p-file" type="file" accept=".json,.csv,.ndjson,.txt,application/json,text/csv" onchange={on_file} />
                    </Field>
                    <Field id="p-claim" label={l.t("或粘贴（CSV 表头用国家接口字段名；或完整的 JSON 请求）", "Or paste (CSV with national field names as header; or a full JSON request)")} error={claim_err}>
                        <textarea id="p-claim" value={(*text).clone()} onchange={on_text} spellcheck="false" />
                    </Field>
                </fieldset>
                <div class="actions"><button type="submit" id="p-run">{ l.t("开始预检", "Run the pre-check") }</button></div>
            </form>
            { match &*result {
                Some(Ok(all)) if all.len() == 1 => match &all[0].1 {
                    Ok(v) => findings(v, l, true),
                    Err(e) => html! { <ErrorBox error={e.clone()} /> },
                },
                Some(Ok(all)) => batch(all, l),
                Some(Err(e)) => html! { <ErrorBox error={e.clone()} /> },
                None => html! {},
            } }
        </section>
    }
}

/// One claim's label (its `mdtrt_id`) and the core's answer.
type Checked = (String, Result<Value, ApiErr>);

/// Several claims (a file as `yidi precheck` reads it): a summary, then each claim's findings.
fn batch(all: &[Checked], l: Lang) -> Html {
    let ready = all
        .iter()
        .filter(|(_, r)| r.as_ref().is_ok_and(|v| v["ready"] == true))
        .count();
    let failed = all.iter().filter(|(_, r)| r.is_err()).count();
    html! {
        <div id="precheck-batch">
            <div class="summary" role="status">
                <div><b id="p-total">{ all.len() }</b>{ l.t("份就诊", "claims") }</div>
                <div><b id="p-ready" class="status-active">{ ready }</b>{ l.t("可提交", "ready") }</div>
                <div><b id="p-findings" class="sev-error">{ all.len() - ready - failed }</b>{ l.t("有问题", "with findings") }</div>
                <div><b id="p-unreadable" class="sev-warning">{ failed }</b>{ l.t("无法读取", "unreadable") }</div>
            </div>
            { for all.iter().map(|(label, r)| html! {
                <section class="claim" data-claim={label.clone()}>
                    <h3>{ l.t("就诊 ", "Claim ") }<code>{ label.clone() }</code></h3>
                    { match r { Ok(v) => findings(v, l, false), Err(e) => html! { <ErrorBox error={e.clone()} /> } } }
                </section>
            }) }
        </div>
    }
}

fn sev_name(s: &str, l: Lang) -> String {
    match s {
        "error" => l.s("错误", "error"),
        "warning" => l.s("提醒", "warning"),
        _ => l.s("提示", "info"),
    }
}

/// One claim's findings, line by line; `single` gives the page-level ids.
fn findings(v: &Value, l: Lang, single: bool) -> Html {
    let list = v
        .get("findings")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let ready = v.get("ready").and_then(Value::as_bool) == Some(true);
    html! {
        <div id={single.then_some("precheck-result")} class="precheck-result">
            <div class={if ready { "ok-box" } else { "warn-box" }} role="status">
                <strong>{ if ready { l.t("可以提交结算。", "Ready to submit.") } else { l.t("提交前请先处理以下问题。", "Fix the findings below before submitting.") } }</strong>
                { l.s(format!(" 共检查 {} 行，医疗费总额 {}，发现 {} 项。", v.get("lines_checked").and_then(Value::as_u64).unwrap_or(0), yuan(v.get("medfee_sumamt")), list.len()),
                      format!(" {} lines checked, total {}, {} findings.", v.get("lines_checked").and_then(Value::as_u64).unwrap_or(0), yuan(v.get("medfee_sumamt")), list.len())) }
            </div>
            if !list.is_empty() {
                <div class="table-wrap">
                <table id={single.then_some("findings")} class="findings">
                    <thead><tr><th>{ l.t("明细行", "Line") }</th><th>{ l.t("级别", "Severity") }</th><th>{ l.t("字段", "Field") }</th><th>{ l.t("问题", "Finding") }</th><th>{ l.t("依据", "Citation") }</th></tr></thead>
                    <tbody>
                        { for list.iter().map(|f| {
                            let sev = f.get("severity").and_then(Value::as_str).unwrap_or("info");
                            html! { <tr>
                                <td>{ f.get("feedetl_sn").and_then(Value::as_str).unwrap_or("—") }</td>
                                <td class={format!("sev-{sev}")} data-code={f.get("code").and_then(Value::as_str).unwrap_or("").to_string()}>{ sev_name(sev, l) }</td>
                                <td class="code">{ f.get("field").and_then(Value::as_str).unwrap_or("") }</td>
                                <td>{ f.get(if l == Lang::Zh { "zh" } else { "en" }).and_then(Value::as_str).unwrap_or("") }<span class="code">{ format!(" [{}]", f.get("code").and_then(Value::as_str).unwrap_or("")) }</span></td>
                                <td><cite>{ f.get("cite").and_then(Value::as_str).unwrap_or("") }</cite></td>
                            </tr> }
                        }) }
                    </tbody>
                </table>
                </div>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_claim_is_checked_line_by_line() {
        let f = VisitForm::new("2026-11-22");
        let all = f.requests(EXAMPLE).unwrap();
        assert_eq!(all.len(), 1);
        let v = core_api::call("precheck", all[0].1.clone()).unwrap();
        assert_eq!(v["lines_checked"], 3, "{v}");
        assert!(!v["findings"].as_array().unwrap().is_empty(), "{v}");
        // A full request pasted as JSON is taken as it is.
        let full = f.request(EXAMPLE).unwrap().to_string();
        assert_eq!(f.request(&full).unwrap()["lines"].as_array().unwrap().len(), 3);
        // Several full claims, one per line, are checked one by one.
        let two = format!("{full}\n{full}\n");
        assert_eq!(f.requests(&two).unwrap().len(), 2);
    }
}
