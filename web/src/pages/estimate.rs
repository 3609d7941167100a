//! Cost estimator: a planned visit and its expected costs go to the core's `estimate` op (in the page);
//! the answer is shown as a settlement sheet (结算单) with 大写 amounts, an SVG chart of funds versus the
//! person, every amount's explanation with its citation, and the what-if comparison of filing situations
//! and facility levels. Printable.

use crate::core_api::{self, ApiErr, money_str};
use crate::dom;
use crate::i18n::{Lang, use_lang};
use crate::records;
use crate::regions;
use crate::widgets::{ErrorBox, Field, RegionPicker, cite_of, field_err, yuan};
use serde_json::{Value, json};
use yew::prelude::*;

/// Insured places with a policy pack, from the core (`packs.list`), asked once per page load.
pub fn insured_places() -> Vec<(String, String, String)> {
    static PLACES: std::sync::OnceLock<Vec<(String, String, String)>> = std::sync::OnceLock::new();
    PLACES.get_or_init(load_insured_places).clone()
}

fn load_insured_places() -> Vec<(String, String, String)> {
    match core_api::call("packs.list", json!({})) {
        Ok(Value::Array(a)) if !a.is_empty() => a
            .iter()
            .filter_map(|p| {
                let code = p.get("region")?.as_str()?.to_string();
                let (zh, en) = regions::name(&code).unwrap_or(("", ""));
                let zh = p.get("name_zh").and_then(Value::as_str).unwrap_or(zh).to_string();
                let en = p.get("name_en").and_then(Value::as_str).unwrap_or(en).to_string();
                Some((code, zh, en))
            })
            .collect(),
        _ => regions::PACK_REGIONS
            .iter()
            .map(|c| {
                let (zh, en) = regions::name(c).unwrap_or(("", ""));
                (c.to_string(), zh.to_string(), en.to_string())
            })
            .collect(),
    }
}

#[derive(Clone, PartialEq, Debug)]
pub struct EstimateForm {
    pub insured: String,
    pub insutype: String,
    pub psn_type: String,
    pub balc: String,
    pub dest: String,
    pub hosp_lv: String,
    pub med_type: String,
    pub filing: String,
    pub begndate: String,
    pub enddate: String,
    pub itemised: bool,
    pub jia: String,
    pub yi: String,
    pub bing: String,
    pub lines: String,
}

impl EstimateForm {
    pub fn new(today: &str) -> Self {
        EstimateForm {
            insured: "610100".into(),
            insutype: "310".into(),
            psn_type: "11".into(),
            balc: "0.00".into(),
            dest: "330100".into(),
            hosp_lv: "3".into(),
            med_type: "21".into(),
            filing: "referral".into(),
            begndate: today.into(),
            enddate: String::new(),
            itemised: false,
            jia: "12000.00".into(),
            yi: "6000.00".into(),
            bing: "2000.00".into(),
            lines: String::new(),
        }
    }

    /// The `estimate` request (the core's `EstimateRequest`).
    pub fn request(&self) -> Result<Value, ApiErr> {
        if self.dest.is_empty() {
            return Err(
                ApiErr::new("E_MISSING_FIELD", "请选择就医地", "Please choose the destination")
                    .at("mdtrtarea_admvs"),
            );
        }
        let mut r = json!({
            "person": { "insutype": self.insutype, "psn_type": self.psn_type, "insuplc_admdvs": self.insured,
                        "balc": if self.balc.trim().is_empty() { "0" } else { self.balc.trim() } },
            "mdtrtarea_admvs": self.dest,
            "hosp_lv": self.hosp_lv,
            "med_type": self.med_type,
            "filing": self.filing,
            "begndate": self.begndate,
            "compare": true,
            "trace": true,
        });
        if !self.enddate.is_empty() {
            r["enddate"] = json!(self.enddate);
        }
        if self.itemised {
            r["lines"] = Value::Array(parse_lines(&self.lines)?);
        } else {
            let amt = |s: &str| {
                if s.trim().is_empty() {
                    "0".to_string()
                } else {
                    s.trim().to_string()
                }
            };
            r["costs"] = json!({ "jia": amt(&self.jia), "yi": amt(&self.yi), "bing": amt(&self.bing) });
        }
        Ok(r)
    }
}

/// Itemised lines: CSV with national field names, or JSON (an array, or an object with `lines`).
pub fn parse_lines(text: &str) -> Result<Vec<Value>, ApiErr> {
    if text.trim().is_empty() {
        return Err(
            ApiErr::new("E_MISSING_FIELD", "请填写费用明细", "Please enter the fee lines").at("lines"),
        );
    }
    let mut lines = if records::looks_like_json(text) {
        let vals = records::json_values(text).map_err(|e| e.at("lines"))?;
        match vals.as_slice() {
            [one] if one.get("lines").is_some() => one["lines"].as_array().cloned().unwrap_or_default(),
            _ => vals,
        }
    } else {
        records::csv_objects(text)
            .map_err(|e| e.at("lines"))?
            .into_iter()
            .map(|(_, v)| v)
            .collect()
    };
    // Number the lines when the paste has no serial numbers, so findings can name them.
    for (i, l) in lines.iter_mut().enumerate() {
        if let Some(o) = l.as_object_mut().filter(|o| !o.contains_key("feedetl_sn")) {
            o.insert("feedetl_sn".into(), json!(format!("{}", i + 1)));
        }
    }
    Ok(lines)
}

const EXAMPLE_LINES: &str = "feedetl_sn,med_list_codg,med_list_name,cnt,pric,det_item_fee_sumamt,med_chrgitm_type,chrgitm_lv\n1,001,床位费,10,80,800.00,01,01\n2,002,检查费,1,1200,1200.00,03,02\n3,003,自费药,1,300,300.00,09,03\n";

#[component]
pub fn Estimator() -> Html {
    let l = use_lang();
    let form = use_state(|| EstimateForm::new(&dom::today()));
    let result = use_state(|| None::<Result<Value, ApiErr>>);

    let set = |f: fn(&mut EstimateForm, String)| {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let mut v = (*form).clone();
            f(&mut v, dom::event_value(&e));
            form.set(v);
        })
    };
    let on_dest = {
        let form = form.clone();
        Callback::from(move |code: String| {
            let mut v = (*form).clone();
            v.dest = code;
            form.set(v);
        })
    };
    let run = {
        let (form, result) = (form.clone(), result.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let out = form.request().and_then(|r| core_api::call("estimate", r));
            if out.is_ok() {
                // Read by the browser tests: the time from navigation start to the first answer.
                let w = web_sys::window();
                if let Some(w) = w {
                    let _ = js_sys::Reflect::set(&w, &"__yidiEstimateMs".into(), &dom::now_ms().into());
                }
            }
            result.set(Some(out));
        })
    };
    let f = &*form;
    let err = match &*result {
        Some(Err(e)) => Some(e.clone()),
        _ => None,
    };
    let fe = |field: &str| field_err(&err, field, l);
    let itemised = {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let mut v = (*form).clone();
            v.itemised = dom::event_value(&e) == "lines";
            if v.itemised && v.lines.is_empty() {
                v.lines = EXAMPLE_LINES.into();
            }
            form.set(v);
        })
    };

    html! {
        <section class="estimate">
            <h1>{ l.t("费用估算", "Cost estimate") }</h1>
            <p class="lead no-print">{ l.t(
                "按参保地政策、就医地目录估算一次就医医保基金和个人各付多少。这是估算：实际以医院结算为准。",
                "Estimates what the funds and you pay for one visit, under your insured place's policy and the destination's catalog. An estimate: the hospital's settlement is what counts.") }</p>
            <form onsubmit={run} novalidate=true id="estimate-form">
                <fieldset>
                    <legend>{ l.t("计划的就医", "The planned visit") }</legend>
                    <div class="grid2">
                        <Field id="e-insured" label={l.t("参保地", "Insured place")} error={fe("insuplc_admdvs")}>
                            <select id="e-insured" onchange={set(|f, v| f.insured = v)}>
                                { for insured_places().into_iter().map(|(code, zh, en)| html! {
                                    <option value={code.clone()} selected={f.insured == code}>{ format!("{} {code}", l.t(&zh, &en)) }</option>
                                }) }
                            </select>
                        </Field>
                        <Field id="e-insutype" label={l.t("险种", "Insurance")} error={fe("insutype")}>
                            <select id="e-insutype" onchange={set(|f, v| { f.psn_type = if v == "310" { "11".into() } else { "15".into() }; f.insutype = v; })}>
                                <option value="310" selected={f.insutype == "310"}>{ l.t("职工医保 310", "Employees 310") }</option>
                                <option value="390" selected={f.insutype == "390"}>{ l.t("居民医保 390", "Residents 390") }</option>
                            </select>
                        </Field>
                        <Field id="e-psntype" label={l.t("人员类别", "Person type")} error={fe("psn_type")}>
                            <select id="e-psntype" onchange={set(|f, v| f.psn_type = v)}>
                                { for [("11","在职","working"),("12","退休","retired"),("15","成年居民","adult resident"),("16","老年居民","elderly resident"),("14","未成年居民","minor")]
                                    .iter().map(|(c, zh, en)| html! { <option value={*c} selected={f.psn_type == *c}>{ format!("{} {c}", l.t(zh, en)) }</option> }) }
                            </select>
                        </Field>
                        <Field id="e-balc" label={l.t("个人账户余额（元）", "Personal account balance (yuan)")} error={fe("balc")}>
                            <input id="e-balc" type="text" inputmode="decimal" value={f.balc.clone()} onchange={set(|f, v| f.balc = v)} />
                        </Field>
                    </div>
                    <p class="legend">{ l.t("就医地", "Destination") }</p>
                    <RegionPicker id="e-dest" value={f.dest.clone()} onchange={on_dest} error={fe("mdtrtarea_admvs")} />
                    <div class="grid2">
                        <Field id="e-hosplv" label={l.t("医疗机构等级", "Facility level")} error={fe("hosp_lv")}>
                            <select id="e-hosplv" onchange={set(|f, v| f.hosp_lv = v)}>
                                { for [("3","三级","level 3"),("2","二级","level 2"),("1","一级","level 1"),("0","社区/基层","community")]
                                    .iter().map(|(c, zh, en)| html! { <option value={*c} selected={f.hosp_lv == *c}>{ l.t(zh, en) }</option> }) }
                            </select>
                        </Field>
                        <Field id="e-medtype" label={l.t("就医方式", "Kind of visit")} error={fe("med_type")}>
                            <select id="e-medtype" onchange={set(|f, v| f.med_type = v)}>
                                { for [("21","住院","inpatient"),("11","普通门诊","outpatient"),("13","急诊","emergency outpatient"),("14","门诊慢特病","chronic-disease outpatient")]
                                    .iter().map(|(c, zh, en)| html! { <option value={*c} selected={f.med_type == *c}>{ format!("{} {c}", l.t(zh, en)) }</option> }) }
                            </select>
                        </Field>
                        <Field id="e-filing" label={l.t("备案情况", "Filing")} error={fe("filing")}>
                            <select id="e-filing" onchange={set(|f, v| f.filing = v)}>
                                { for [("long_term","长期居住备案","long-term filing"),("referral","转诊备案","referral"),("emergency","急诊抢救","emergency"),("other_temporary","临时外出备案","temporary filing"),("none","未备案","no filing")]
                                    .iter().map(|(c, zh, en)| html! { <option value={*c} selected={f.filing == *c}>{ l.t(zh, en) }</option> }) }
                            </select>
                        </Field>
                        <Field id="e-begndate" label={l.t("入院（就诊）日期", "Admission (visit) date")} error={fe("begndate")}>
                            <input id="e-begndate" type="date" value={f.begndate.clone()} onchange={set(|f, v| f.begndate = v)} />
                        </Field>
                        <Field id="e-enddate" label={l.t("出院日期（可不填）", "Discharge date (optional)")} error={fe("enddate")}>
                            <input id="e-enddate" type="date" value={f.enddate.clone()} onchange={set(|f, v| f.enddate = v)} />
                        </Field>
                    </div>
                </fieldset>
                <fieldset>
                    <legend>{ l.t("预计费用", "Expected costs") }</legend>
                    <div class="actions" role="radiogroup" aria-label={l.t("费用填写方式", "How to enter costs")}>
                        <label><input type="radio" name="costmode" value="split" checked={!f.itemised} onchange={itemised.clone()} />{ l.t(" 按类别合计", " Totals by class") }</label>
                        <label><input type="radio" name="costmode" id="e-itemised" value="lines" checked={f.itemised} onchange={itemised} />{ l.t(" 逐项明细", " Itemised lines") }</label>
                    </div>
                    if f.itemised {
                        <Field id="e-lines" label={l.t("费用明细（CSV 或 JSON，字段用国家接口名）", "Fee lines (CSV or JSON, national field names)")} error={fe("lines")}>
                            <textarea id="e-lines" value={f.lines.clone()} onchange={set(|f, v| f.lines = v)} />
                        </Field>
                    } else {
                        <div class="grid2">
                            <Field id="e-jia" label={l.t("甲类费用（元）", "Class A (甲类) items, yuan")} error={fe("jia")}
                                hint={l.t("全额纳入医保支付范围", "Fully in scope")}>
                                <input id="e-jia" type="text" inputmode="decimal" value={f.jia.clone()} onchange={set(|f, v| f.jia = v)} />
                            </Field>
                            <Field id="e-yi" label={l.t("乙类费用（元）", "Class B (乙类) items, yuan")} error={fe("yi")}
                                hint={l.t("先按比例个人先行自付（默认 10%），其余纳入范围", "A share is self-paid first (10% assumed), the rest in scope")}>
                                <input id="e-yi" type="text" inputmode="decimal" value={f.yi.clone()} onchange={set(|f, v| f.yi = v)} />
                            </Field>
                            <Field id="e-bing" label={l.t("丙类及自费（元）", "Class C (丙类) and self-paid, yuan")} error={fe("bing")}
                                hint={l.t("医保不支付", "Not paid by insurance")}>
                                <input id="e-bing" type="text" inputmode="decimal" value={f.bing.clone()} onchange={set(|f, v| f.bing = v)} />
                            </Field>
                        </div>
                    }
                </fieldset>
                <div class="actions">
                    <button type="submit" id="e-run">{ l.t("估算", "Estimate") }</button>
                </div>
            </form>
            { match &*result {
                Some(Ok(v)) => html! { <EstimateResult value={v.clone()} /> },
                Some(Err(e)) if e.path.as_deref().is_none_or(|p| !FIELDS.iter().any(|f| e.is_about(f)) && p != "request") => html! { <ErrorBox error={e.clone()} /> },
                Some(Err(e)) => html! { <div class="no-print"><ErrorBox error={e.clone()} /></div> },
                None => html! {},
            } }
        </section>
    }
}

const FIELDS: [&str; 12] = [
    "insuplc_admdvs",
    "insutype",
    "psn_type",
    "balc",
    "mdtrtarea_admvs",
    "hosp_lv",
    "med_type",
    "filing",
    "begndate",
    "enddate",
    "lines",
    "costs",
];

#[derive(Properties, PartialEq)]
pub struct ResultProps {
    pub value: Value,
}

/// The answer: sheet, chart, explanations and comparison.
#[component]
pub fn EstimateResult(p: &ResultProps) -> Html {
    let l = use_lang();
    let v = &p.value;
    let r = v.get("result").cloned().unwrap_or(Value::Null);
    let print = Callback::from(|_: MouseEvent| dom::print());
    let saves = v.get("filing_saves").and_then(money_str);
    html! {
        <div class="estimate-result" id="estimate-result">
            <div class="actions no-print">
                <button type="button" class="secondary" onclick={print}>{ l.t("打印结算单", "Print the sheet") }</button>
            </div>
            if r.get("uses_unverified_values").and_then(Value::as_bool) == Some(true) {
                <div class="warn-box" role="note">{ l.t(
                    "注意：本估算用到的部分政策数值尚未与官方文件核对（示例值），仅供参考；见下方计算依据中的标注。",
                    "Note: some policy values used here are not yet checked against an official text (illustrations); see the marks in the explanations below.") }</div>
            }
            { settlement_sheet(&r, l, true) }
            <h2>{ l.t("谁付多少", "Who pays what") }</h2>
            { chart(&r["setlinfo"], l) }
            if let Some(s) = saves {
                <p class="ok-box" id="filing-saves">{ l.s(
                    format!("与不备案相比，按计划的备案情况就医个人少负担 ¥{s}。"),
                    format!("Compared with no filing, the planned filing saves you ¥{s}.")) }</p>
            }
            { whatif(v, l) }
            <h2>{ l.t("每一笔金额的计算依据", "How each amount was computed") }</h2>
            { trace_table(r.get("trace").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]), l) }
            if let Some(a) = v.get("assumptions").and_then(Value::as_array).filter(|a| !a.is_empty()) {
                <h3>{ l.t("估算的假设", "Assumptions") }</h3>
                { trace_table(a, l) }
            }
        </div>
    }
}

/// Rows of the settlement sheet (002 附件13) in the national names.
const SHEET_ROWS: [(&str, &str, &str); 17] = [
    ("medfee_sumamt", "医疗费总额", "Total medical costs"),
    ("act_pay_dedc", "实际支付起付线", "Deductible paid"),
    ("inscp_scp_amt", "符合范围金额", "In-scope amount"),
    ("preselfpay_amt", "先行自付金额", "Self-paid first (乙类 share)"),
    (
        "overlmt_selfpay",
        "超限价自费费用金额",
        "Above price ceiling, self-paid",
    ),
    ("fulamt_ownpay_amt", "全自费金额", "Wholly self-paid"),
    ("hifp_pay", "统筹基金支出", "Basic pooled fund"),
    ("hifob_pay", "大额医疗补助基金支出", "Large-amount subsidy fund"),
    ("cvlserv_pay", "公务员医疗补助资金支出", "Civil-servant subsidy"),
    ("hifes_pay", "补充医疗保险基金支出", "Supplementary insurance"),
    (
        "hifmi_pay",
        "大病补充医疗保险基金支出",
        "Critical-illness insurance",
    ),
    ("maf_pay", "医疗救助基金支出", "Medical assistance"),
    ("oth_pay", "其它基金支付", "Other funds"),
    ("hosp_part_amt", "医院负担金额", "Borne by the hospital"),
    ("acct_pay", "个人账户支出", "Personal account"),
    ("psn_part_amt", "个人支付金额", "Paid by the person"),
    ("psn_cash_pay", "个人现金支付金额", "Paid in cash by the person"),
];

/// The settlement sheet: heading data, the amount rows, the two 大写 lines and the fund details.
pub fn settlement_sheet(r: &Value, l: Lang, estimate: bool) -> Html {
    let s = &r["setlinfo"];
    let txt = |k: &str| {
        s.get(k)
            .and_then(|x| x.as_str().map(str::to_string).or_else(|| money_str(x)))
            .unwrap_or_default()
    };
    let place = |k: &str| {
        let c = txt(k);
        regions::name(&c)
            .map(|(zh, en)| format!("{} {c}", l.t(zh, en)))
            .unwrap_or(c)
    };
    let ratio = s.get("pool_prop_selfpay").and_then(money_str);
    let days = match (txt("begndate").as_str(), s.get("enddate").and_then(Value::as_str)) {
        (b, Some(e)) if !b.is_empty() => day_count(b, e).map(|d| d.to_string()),
        _ => None,
    };
    let med = txt("med_type");
    let title = if med.starts_with('2') {
        l.t(
            "基本医疗保险异地就医住院费用结算单",
            "Cross-region inpatient settlement sheet",
        )
    } else {
        l.t(
            "基本医疗保险异地就医门诊费用结算单",
            "Cross-region outpatient settlement sheet",
        )
    };
    html! {
        <div class="sheet" id="settlement-sheet">
            <h2>{ title }{ if estimate { l.t("（估算）", " (estimate)") } else { "" } }</h2>
            <div class="meta">
                <span>{ l.t("医疗类别：", "Medical type: ") }{ med.clone() }</span>
                <span>{ l.t("人员类别：", "Person type: ") }{ txt("psn_type") }</span>
                <span>{ l.t("险种：", "Insurance: ") }{ txt("insutype") }</span>
                <span>{ l.t("参保地医保区划：", "Insured place: ") }{ place("insuplc_admdvs") }</span>
                <span>{ l.t("就医地医保区划：", "Treatment place: ") }{ place("mdtrtarea_admvs") }</span>
                <span>{ l.t("入院日期：", "Admission: ") }{ txt("begndate") }</span>
                <span>{ l.t("出院日期：", "Discharge: ") }{ txt("enddate") }</span>
                if let Some(d) = days { <span>{ l.t("住院天数：", "Days: ") }{ d }</span> }
                if let Some(sid) = s.get("setl_id").and_then(Value::as_str) { <span>{ l.t("结算ID：", "Settlement ID: ") }{ sid }</span> }
            </div>
            <div class="table-wrap">
            <table>
                <thead><tr><th>{ l.t("项目", "Item") }</th><th class="code">{ l.t("接口字段", "Field") }</th><th class="num">{ l.t("金额（元）", "Amount (yuan)") }</th></tr></thead>
                <tbody>
                    { for SHEET_ROWS.iter().map(|(k, zh, en)| html! {
                        <tr data-field={*k}><td>{ l.t(zh, en) }</td><td class="code">{ *k }</td><td class="num" id={format!("amt-{k}")}>{ yuan(s.get(*k)) }</td></tr>
                    }) }
                    if let Some(rt) = ratio {
                        <tr><td>{ l.t("统筹支付比例", "Pooled fund ratio") }</td><td class="code">{ "pool_prop_selfpay" }</td><td class="num">{ rt }</td></tr>
                    }
                    <tr class="big"><td>{ l.t("基金支付总额", "Total paid by funds") }</td><td class="code">{ "fund_pay_sumamt" }</td><td class="num" id="amt-fund_pay_sumamt">{ yuan(s.get("fund_pay_sumamt")) }</td></tr>
                    <tr><td>{ l.t("（大写）", "(in words)") }</td><td></td><td class="num daxie" id="daxie-fund">{ r.get("fund_pay_sumamt_daxie").and_then(Value::as_str).unwrap_or("") }</td></tr>
                    <tr class="big"><td>{ l.t("个人现金支付金额", "Cash paid by the person") }</td><td class="code">{ "psn_cash_pay" }</td><td class="num">{ yuan(s.get("psn_cash_pay")) }</td></tr>
                    <tr><td>{ l.t("（大写）", "(in words)") }</td><td></td><td class="num daxie" id="daxie-cash">{ r.get("psn_cash_pay_daxie").and_then(Value::as_str).unwrap_or("") }</td></tr>
                </tbody>
            </table>
            </div>
            if let Some(d) = r.get("setldetail").and_then(Value::as_array).filter(|d| !d.is_empty()) {
                <h3>{ l.t("基金分项（setldetail）", "Fund details (setldetail)") }</h3>
                <div class="table-wrap">
                <table>
                    <thead><tr><th>{ l.t("基金类型", "Fund type") }</th><th class="num">{ l.t("符合范围", "In scope") }</th><th class="num">{ l.t("本次可支付限额", "Payable limit") }</th><th class="num">{ l.t("支付金额", "Paid") }</th><th>{ l.t("说明", "Note") }</th></tr></thead>
                    <tbody>
                        { for d.iter().map(|x| html! { <tr>
                            <td>{ format!("{} {}", x.get("fund_pay_type").and_then(Value::as_str).unwrap_or(""), x.get("fund_pay_type_name").and_then(Value::as_str).unwrap_or("")) }</td>
                            <td class="num">{ yuan(x.get("inscp_scp_amt")) }</td>
                            <td class="num">{ yuan(x.get("crt_payb_lmt_amt")) }</td>
                            <td class="num">{ yuan(x.get("fund_payamt")) }</td>
                            <td>{ x.get("setl_proc_info").and_then(Value::as_str).unwrap_or("") }</td>
                        </tr> }) }
                    </tbody>
                </table>
                </div>
            }
        </div>
    }
}

/// Days between two ISO dates (inpatient days: discharge − admission, at least 1).
fn day_count(b: &str, e: &str) -> Option<i64> {
    let p = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    Some((p(e)? - p(b)?).num_days().max(1))
}

/// A stacked bar of what each fund pays and what the person pays (account and cash). Amounts are drawn
/// from the core's exact strings; floating point is used only for pixel geometry, never for money.
pub fn chart(s: &Value, l: Lang) -> Html {
    let parts: Vec<(&str, String, &str)> = [
        ("hifp_pay", l.t("统筹基金", "Pooled fund"), "#2f7fd1"),
        ("hifob_pay", l.t("大额补助", "Large-amount"), "#5b9be0"),
        ("hifmi_pay", l.t("大病保险", "Critical illness"), "#7fb2ea"),
        ("cvlserv_pay", l.t("公务员补助", "Civil servant"), "#9cc4ef"),
        ("hifes_pay", l.t("补充保险", "Supplementary"), "#b6d4f3"),
        ("maf_pay", l.t("医疗救助", "Assistance"), "#3aa08a"),
        ("oth_pay", l.t("其他基金", "Other funds"), "#6cc3b0"),
        ("hosp_part_amt", l.t("医院负担", "Hospital"), "#999"),
        ("acct_pay", l.t("个人账户", "Personal account"), "#f0b45e"),
        ("psn_cash_pay", l.t("个人现金", "Cash"), "#e0701e"),
    ]
    .into_iter()
    .filter_map(|(k, name, color)| {
        let m = s.get(k).and_then(money_str)?;
        (geom(&m) > 0.0).then_some((k, format!("{name} ¥{m}"), color))
    })
    .collect();
    let total: f64 = parts
        .iter()
        .map(|(k, _, _)| s.get(*k).and_then(money_str).map_or(0.0, |m| geom(&m)))
        .sum();
    let fund = s.get("fund_pay_sumamt").and_then(money_str).unwrap_or_default();
    let person = s.get("psn_part_amt").and_then(money_str).unwrap_or_default();
    let desc = l.s(
        format!("基金支付 ¥{fund}，个人负担 ¥{person}"),
        format!("Funds pay ¥{fund}, the person bears ¥{person}"),
    );
    let width = 600.0;
    let mut x = 0.0;
    html! {
        <figure class="chart" id="pay-chart">
            <svg viewBox="0 0 600 70" role="img" aria-label={desc.clone()} xmlns="http://www.w3.org/2000/svg">
                <title>{ desc.clone() }</title>
                { for parts.iter().map(|(k, name, color)| {
                    let w = if total > 0.0 { s.get(*k).and_then(money_str).map_or(0.0, |m| geom(&m)) / total * width } else { 0.0 };
                    let rect = html! { <rect x={format!("{x:.1}")} y="10" width={format!("{w:.1}")} height="40" fill={*color}><title>{ name.clone() }</title></rect> };
                    x += w;
                    rect
                }) }
            </svg>
            <figcaption>
                <p><strong>{ desc }</strong></p>
                <div class="legend-row">
                    { for parts.iter().map(|(_, name, color)| html! {
                        <span><span class="swatch" style={format!("background:{color}")}></span>{ name.clone() }</span>
                    }) }
                </div>
            </figcaption>
        </figure>
    }
}

/// Pixel geometry of an amount string (display only).
fn geom(m: &str) -> f64 {
    m.parse::<f64>().unwrap_or(0.0).max(0.0)
}

fn route_name(r: &str, l: Lang) -> String {
    match r {
        "direct" => l.s("直接结算", "direct settlement"),
        "manual_reimbursement" => l.s("先垫付、回参保地手工报销", "pay first, reimbursed at home"),
        "not_covered" => l.s("医保不支付", "not covered"),
        other => other.to_string(),
    }
}

/// The what-if comparison: filing situations and facility levels side by side.
fn whatif(v: &Value, l: Lang) -> Html {
    let Some(sc) = v
        .get("scenarios")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
    else {
        return html! {};
    };
    let lv = |c: &str| match c {
        "3" => l.t("三级", "level 3"),
        "2" => l.t("二级", "level 2"),
        "1" => l.t("一级", "level 1"),
        _ => l.t("社区/基层", "community"),
    };
    html! {
        <>
            <h2>{ l.t("如果换一种情况", "What if") }</h2>
            <div class="table-wrap">
            <table class="whatif" id="whatif">
                <thead><tr>
                    <th>{ l.t("情形", "Case") }</th><th>{ l.t("机构等级", "Level") }</th><th>{ l.t("结算方式", "Settles by") }</th>
                    <th class="num">{ l.t("基金支付", "Funds pay") }</th><th class="num">{ l.t("个人负担", "You bear") }</th><th class="num">{ l.t("在医院先付", "Pay at the hospital") }</th>
                </tr></thead>
                <tbody>
                    { for sc.iter().map(|s| {
                        let label = l.pick_json(s, "label").unwrap_or_default();
                        html! { <tr>
                            <td>{ label }</td>
                            <td>{ lv(s.get("hosp_lv").and_then(Value::as_str).unwrap_or("")) }</td>
                            <td>{ s.get("route").and_then(Value::as_str).map(|r| route_name(r, l)).unwrap_or_default() }</td>
                            if let Some(e) = s.get("error").filter(|e| !e.is_null()) {
                                <td colspan="3">{ l.pick_json(e, "message").unwrap_or_default() }</td>
                            } else {
                                <td class="num">{ yuan(s.get("fund_pay_sumamt")) }</td>
                                <td class="num">{ yuan(s.get("psn_part_amt")) }</td>
                                <td class="num">{ yuan(s.get("pay_at_facility")) }</td>
                            }
                        </tr> }
                    }) }
                </tbody>
            </table>
            </div>
        </>
    }
}

/// Explanations: field, amount, the words, the rule, the citation and the pack values used.
pub fn trace_table(items: &[Value], l: Lang) -> Html {
    html! {
        <ol class="explain trace">
            { for items.iter().map(|t| {
                let field = t.get("field").and_then(Value::as_str).unwrap_or("");
                let words = t.get(if l == Lang::Zh { "zh" } else { "en" }).and_then(Value::as_str).unwrap_or("");
                let params = t.get("params").and_then(Value::as_array).cloned().unwrap_or_default();
                html! { <li data-field={field.to_string()}>
                    <span class="code">{ field }</span>
                    if let Some(a) = t.get("amount").and_then(money_str) { { " " }<strong>{ format!("¥{a}") }</strong> }
                    { " " }{ words }
                    if let Some(c) = cite_of(t) { <cite>{ format!("（{c}）") }</cite> }
                    { " " }<span class="rule">{ t.get("rule").and_then(Value::as_str).unwrap_or("") }</span>
                    if !params.is_empty() {
                        <ul>
                            { for params.iter().map(|p| {
                                let verified = p.get("verified").and_then(Value::as_bool).unwrap_or(true);
                                html! { <li class="hint">
                                    { format!("{} = {}", p.get("name").and_then(Value::as_str).unwrap_or(""), p.get("value").and_then(Value::as_str).unwrap_or("")) }
                                    { {
                                        let g = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or("").to_string();
                                        l.s(format!("（{} 起，{}；{}）", g("from"), g("cite"), g("pack")), format!(" (from {}, {}; {})", g("from"), g("cite"), g("pack")))
                                    } }
                                    if !verified { <strong class="sev-warning">{ l.t(" 未经官方核对的示例值", " unverified illustration") }</strong> }
                                </li> }
                            }) }
                        </ul>
                    }
                </li> }
            }) }
        </ol>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_form_estimates_with_the_core() {
        let f = EstimateForm::new("2026-11-22");
        let r = core_api::call("estimate", f.request().unwrap());
        let v = r.expect("default estimate works");
        assert!(v["result"]["setlinfo"]["medfee_sumamt"].is_string());
        assert!(!v["scenarios"].as_array().unwrap().is_empty());
    }

    #[test]
    fn itemised_csv_becomes_fee_lines() {
        let lines = parse_lines(EXAMPLE_LINES).unwrap();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[1]["det_item_fee_sumamt"], "1200.00");
        let e = parse_lines("").unwrap_err();
        assert!(e.is_about("lines"));
    }
}
