//! Agency toolkit: a month of settlement records (NDJSON or CSV, national field names) goes to the core's
//! `clearing.month` op in the page, which returns the receivable and payable notices (002 附件16/17, `*`
//! beside returned money, §56), the netting tables, the reconciliation, the region's dated clearing
//! calendar and the prepayment warnings; each warning's deadline comes from `clearing.prepayment`. The
//! rendered notices (CSV, printable HTML) are offered as downloads. No server involved: works offline.

use crate::core_api::{self, ApiErr};
use crate::dom;
use crate::i18n::{Lang, use_lang};
use crate::widgets::{ErrorBox, Field, aria_err, field_err};
use serde_json::{Value, json};
use yew::prelude::*;

/// The committed sample month, embedded at build time so it works offline like the rest of the page.
const SAMPLE: &str = include_str!("../../../tests/samples/clearing/2026-10.ndjson");
const SAMPLE_MONTH: &str = "2026-10";

#[derive(Clone, PartialEq)]
struct AgencyForm {
    month: String,
    /// The agency's region; empty asks for every party's notices.
    region: String,
    printed_on: String,
    records: String,
    /// One prepayment a line: `party, 跨省|省内, amount`.
    prepayments: String,
}

/// The month before `today` (`YYYY-MM-DD`): the month an agency clears in the current one.
fn previous_month(today: &str) -> String {
    let y: i32 = today.get(0..4).and_then(|s| s.parse().ok()).unwrap_or(2026);
    let m: u32 = today.get(5..7).and_then(|s| s.parse().ok()).unwrap_or(1);
    if m <= 1 {
        format!("{:04}-12", y - 1)
    } else {
        format!("{y:04}-{:02}", m - 1)
    }
}

fn scope_of(word: &str) -> Option<&'static str> {
    match word.trim().to_ascii_lowercase().as_str() {
        "跨省" | "cross" | "cross_province" | "cross-province" => Some("cross_province"),
        "省内" | "intra" | "intra_province" | "intra-province" => Some("intra_province"),
        _ => None,
    }
}

/// Prepayments held, one a line (`610100, 省内, 6000.00`); the amount is checked by the core.
fn parse_prepayments(text: &str) -> Result<Vec<Value>, ApiErr> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let cells: Vec<&str> = line
            .split([',', '，', ';', '\t', ' '])
            .filter(|c| !c.trim().is_empty())
            .collect();
        let n = i + 1;
        let bad = || {
            ApiErr::new(
                "E_INVALID",
                format!("预付金第 {n} 行应为「区划,跨省或省内,金额」，如 610100,省内,6000.00"),
                format!(
                    "prepayment line {n} must be `region, cross or intra, amount`, e.g. 610100,intra,6000.00"
                ),
            )
            .at("request.prepayments")
        };
        let [party, scope, amount] = cells[..] else {
            return Err(bad());
        };
        let scope = scope_of(scope).ok_or_else(bad)?;
        // Shape only (6-digit code, a decimal amount): the core reads amounts in bulk with no field path.
        let (party, amount) = (party.trim(), amount.trim());
        let (yuan, fen) = amount.split_once('.').unwrap_or((amount, "0"));
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !(party.len() == 6 && digits(party) && digits(yuan) && digits(fen)) {
            return Err(bad());
        }
        out.push(json!({ "party": party, "scope": scope, "amount": amount }));
    }
    Ok(out)
}

impl AgencyForm {
    fn new(today: &str) -> Self {
        AgencyForm {
            month: previous_month(today),
            region: "610100".into(),
            printed_on: today.into(),
            records: String::new(),
            prepayments: String::new(),
        }
    }

    /// The `clearing.month` request; the page checks presence and shape, the core everything else.
    fn request(&self) -> Result<Value, ApiErr> {
        let month = self.month.trim();
        if month.is_empty() {
            return Err(ApiErr::new(
                "E_MISSING_FIELD",
                "请填写清算月份（YYYY-MM）",
                "enter the clearing month (YYYY-MM)",
            )
            .at("request.month"));
        }
        let region = self.region.trim();
        let six_digits = region.len() == 6 && region.bytes().all(|b| b.is_ascii_digit());
        if !region.is_empty() && !six_digits {
            return Err(ApiErr::new(
                "E_INVALID",
                "区划应为 6 位数字，如 610000（陕西省）或 610100（西安市）",
                "the region is 6 digits, e.g. 610000 (Shaanxi) or 610100 (Xi'an)",
            )
            .at("request.region"));
        }
        let text = self.records.trim_start_matches('\u{feff}');
        if text.trim().is_empty() {
            return Err(ApiErr::new(
                "E_MISSING_FIELD",
                "请粘贴或上传本月结算记录（NDJSON 或 CSV），或载入示例月份",
                "paste or upload the month's settlement records (NDJSON or CSV), or load the sample month",
            )
            .at("request.records"));
        }
        let mut req = json!({ "month": month, "render": true });
        // NDJSON lines are objects; anything else is read as CSV with its header row.
        let key = if text.trim_start().starts_with('{') {
            "ndjson"
        } else {
            "csv"
        };
        req[key] = json!(text);
        if !region.is_empty() {
            req["region"] = json!(region);
        }
        if !self.printed_on.trim().is_empty() {
            req["printed_on"] = json!(self.printed_on.trim());
        }
        let prepayments = parse_prepayments(&self.prepayments)?;
        if !prepayments.is_empty() {
            req["prepayments"] = Value::Array(prepayments);
        }
        Ok(req)
    }
}

/// The month's clearing and, per prepayment warning, its deadlines (top-up on red, else the annual one).
#[derive(Clone, PartialEq, Debug)]
struct Outcome {
    month: Value,
    deadlines: Vec<Vec<Value>>,
}

fn run(form: &AgencyForm) -> Result<Outcome, ApiErr> {
    let month = core_api::call("clearing.month", form.request()?)?;
    let deadlines = month["prepayment_warnings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|w| {
            let mut req = json!({
                "region": w["party"], "prepayment": w["prepayment"], "month_clearing": w["month_clearing"],
            });
            if !form.printed_on.trim().is_empty() {
                req["notice_date"] = json!(form.printed_on.trim());
            }
            core_api::call("clearing.prepayment", req)
                .ok()
                .and_then(|r| r["deadlines"].as_array().cloned())
                .unwrap_or_default()
        })
        .collect();
    Ok(Outcome { month, deadlines })
}

/// Which form field an error is about, by the core's `path` (the page uses the same paths).
fn field_of(e: &ApiErr) -> Option<&'static str> {
    [
        ("month", "a-month"),
        ("region", "a-region"),
        ("printed_on", "a-printed"),
        ("prepayments", "a-prepay"),
        ("ndjson", "a-records"),
        ("csv", "a-records"),
        ("records", "a-records"),
    ]
    .into_iter()
    .find(|(f, _)| e.is_about(f))
    .map(|(_, id)| id)
}

/// A signed amount for the netting table: `+40200.00`, `−5400.00` (true minus sign), `0.00`.
fn signed(v: &Value) -> String {
    let s = core_api::money_str(v).unwrap_or_default();
    match s.strip_prefix('-') {
        Some(rest) => format!("−{rest}"),
        None if s.trim_start_matches(['0', '.']).is_empty() => s,
        None => format!("+{s}"),
    }
}

fn text<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
}

fn amount(v: &Value, k: &str) -> String {
    v.get(k).and_then(core_api::money_str).unwrap_or_default()
}

fn scope_name(scope: &str, l: Lang) -> &'static str {
    if scope == "cross_province" {
        l.t("跨省", "cross-province")
    } else {
        l.t("省内", "intra-province")
    }
}

fn name_or_code(v: &Value, name: &str, code: &str) -> String {
    let n = text(v, name);
    if n.is_empty() {
        text(v, code).to_string()
    } else {
        n.to_string()
    }
}

#[component]
pub fn Agency() -> Html {
    let l = use_lang();
    let form = use_state(|| AgencyForm::new(&dom::today()));
    let outcome = use_state(|| None::<Result<Outcome, ApiErr>>);
    let set = |f: fn(&mut AgencyForm, String)| {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let mut next = (*form).clone();
            f(&mut next, dom::event_value(&e));
            form.set(next);
        })
    };
    let on_file = {
        let (form, outcome) = (form.clone(), outcome.clone());
        Callback::from(move |e: Event| {
            if let Some(file) = dom::event_file(&e) {
                let (form, outcome) = (form.clone(), outcome.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    match dom::read_file(file).await {
                        Ok(t) => {
                            let mut next = (*form).clone();
                            next.records = t;
                            form.set(next);
                            outcome.set(None);
                        }
                        Err(m) => outcome.set(Some(Err(ApiErr::new(
                            "E_FILE",
                            format!("文件无法读取：{m}"),
                            format!("cannot read the file: {m}"),
                        )
                        .at("request.records")))),
                    }
                });
            }
        })
    };
    let sample = {
        let form = form.clone();
        Callback::from(move |_: MouseEvent| {
            let mut next = (*form).clone();
            next.month = SAMPLE_MONTH.into();
            next.records = SAMPLE.into();
            form.set(next);
        })
    };
    let submit = {
        let (form, outcome) = (form.clone(), outcome.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let r = run(&form);
            if let Err(err) = &r {
                dom::focus(field_of(err).unwrap_or("a-run"));
            }
            outcome.set(Some(r));
        })
    };
    let err = match &*outcome {
        Some(Err(e)) => Some(e.clone()),
        _ => None,
    };
    let ferr = |field: &str| field_err(&err, field, l);
    let month_err = ferr("month");
    let region_err = ferr("region");
    let printed_err = ferr("printed_on");
    let prepay_err = ferr("prepayments");
    let records_err = ferr("ndjson").or_else(|| ferr("csv")).or_else(|| ferr("records"));
    let general = err.filter(|e| field_of(e).is_none());
    let (m_desc, m_inv) = aria_err("a-month", month_err.is_some());
    let (r_desc, r_inv) = aria_err("a-region", region_err.is_some());
    let (p_desc, p_inv) = aria_err("a-printed", printed_err.is_some());
    let (rec_desc, rec_inv) = aria_err("a-records", records_err.is_some());
    let (pp_desc, pp_inv) = aria_err("a-prepay", prepay_err.is_some());
    html! {
        <section class="agency">
            <h1>{ l.t("经办机构：月度清算与预付金预警", "Agency: monthly clearing and prepayment warnings") }</h1>
            <p class="lead">{ l.t(
                "粘贴或上传一个月的异地就医结算记录（NDJSON 或 CSV，全国接口字段名），在本页计算收付款通知书（省内附件16/17，跨省按省）、轧差清算表、对账结果、本地区清算日历和预付金使用率预警。通知书可下载 CSV 或打印。",
                "Paste or upload a month of cross-region settlement records (NDJSON or CSV, national field names). The page computes the receivable and payable notices (intra-province 附件16/17, cross-province by province), the netting tables, the reconciliation, the region's clearing calendar and the prepayment usage warnings. Notices download as CSV or print.") }</p>
            <form onsubmit={submit} novalidate=true>
                <div class="grid2">
                    <Field id="a-month" label={l.t("清算月份（数据期别）", "Clearing month")} hint={AttrValue::from(l.t("YYYY-MM，如 2026-10", "YYYY-MM, e.g. 2026-10"))} error={month_err}>
                        <input id="a-month" type="text" inputmode="numeric" value={form.month.clone()} onchange={set(|f, v| f.month = v)}
                            aria-describedby={m_desc} aria-invalid={m_inv} />
                    </Field>
                    <Field id="a-region" label={l.t("本经办机构区划", "This agency's region")} hint={AttrValue::from(l.t("6 位医保区划：610000 陕西省、610100 西安市；留空显示全部", "6-digit code: 610000 Shaanxi, 610100 Xi'an; empty for every party"))} error={region_err}>
                        <input id="a-region" type="text" inputmode="numeric" maxlength="6" value={form.region.clone()} onchange={set(|f, v| f.region = v)}
                            aria-describedby={r_desc} aria-invalid={r_inv} />
                    </Field>
                    <Field id="a-printed" label={l.t("打印时间", "Printed on")} error={printed_err}>
                        <input id="a-printed" type="date" value={form.printed_on.clone()} onchange={set(|f, v| f.printed_on = v)}
                            aria-describedby={p_desc} aria-invalid={p_inv} />
                    </Field>
                </div>
                <Field id="a-file" label={l.t("上传结算记录（.ndjson / .csv）", "Upload settlement records (.ndjson / .csv)")}>
                    <input id="a-file" type="file" accept=".ndjson,.jsonl,.json,.csv,.txt" onchange={on_file} />
                </Field>
                <Field id="a-records" label={l.t("或粘贴结算记录", "Or paste the records")} error={records_err}>
                    <textarea id="a-records" value={form.records.clone()} onchange={set(|f, v| f.records = v)} spellcheck="false"
                        aria-describedby={rec_desc} aria-invalid={rec_inv} />
                </Field>
                <Field id="a-prepay" label={l.t("已拨付预付金（可选，每行：区划,跨省或省内,金额）", "Prepayments held (optional, one a line: region, cross or intra, amount)")}
                    hint={AttrValue::from(l.t("如 610100,省内,6000.00", "e.g. 610100,intra,6000.00"))} error={prepay_err}>
                    <textarea id="a-prepay" class="short" value={form.prepayments.clone()} onchange={set(|f, v| f.prepayments = v)} spellcheck="false"
                        aria-describedby={pp_desc} aria-invalid={pp_inv} />
                </Field>
                <div class="actions">
                    <button type="submit" id="a-run">{ l.t("计算本月清算", "Clear the month") }</button>
                    <button type="button" class="secondary" id="a-sample" onclick={sample}>{ l.t("载入示例月份（2026-10）", "Load the sample month (2026-10)") }</button>
                </div>
            </form>
            if let Some(e) = general { <ErrorBox error={e} /> }
            if let Some(Ok(o)) = &*outcome { { report(o, &form, l) } }
        </section>
    }
}

fn report(o: &Outcome, form: &AgencyForm, l: Lang) -> Html {
    let r = &o.month;
    let balanced = r["balanced"].as_bool() == Some(true);
    let counts = &r["counts"];
    let list = |k: &str| r[k].as_array().cloned().unwrap_or_default();
    let stem = format!(
        "yidi-{}{}",
        text(r, "month"),
        if form.region.trim().is_empty() {
            String::new()
        } else {
            format!("-{}", form.region.trim())
        }
    );
    let dl = |id: &'static str,
              key: &'static str,
              ext: &'static str,
              mime: &'static str,
              zh: &'static str,
              en: &'static str| {
        let body = r["rendered"][key].as_str().unwrap_or("").to_string();
        let name = format!("{stem}.{ext}");
        let click = Callback::from(move |_: MouseEvent| dom::download(&name, mime, &body));
        html! { <button type="button" class="secondary" id={id} onclick={click}>{ l.t(zh, en) }</button> }
    };
    let print = Callback::from(|_: MouseEvent| dom::print());
    html! {
        <div id="agency-result">
            <h2>{ l.t("汇总", "Summary") }</h2>
            <div class="summary" role="status">
                <div><b id="a-read">{ counts["read"].as_u64().unwrap_or(0) }</b>{ l.t("条记录", "records read") }</div>
                <div><b id="a-cleared">{ counts["cleared"].as_u64().unwrap_or(0) }</b>{ l.t("条纳入清算", "cleared") }</div>
                <div><b id="a-notice-count">{ list("notices").len() }</b>{ l.t("份通知书", "notices") }</div>
                <div><b id="a-balanced" data-balanced={balanced.to_string()} class={if balanced { "status-active" } else { "sev-error" }}>
                    { if balanced { l.t("收付平衡", "balanced") } else { l.t("不平衡", "NOT balanced") } }</b>
                    { l.t("应收合计 = 应付合计（分）", "Σ receivable = Σ payable, to the fen") }</div>
            </div>
            if !list("notes").is_empty() {
                <ul class="explain" id="a-notes">
                    { for list("notes").iter().map(|n| html! { <li>{ l.pick_json(n, "message").unwrap_or_default() }
                        { format!("（{}", n["count"].as_u64().unwrap_or(0)) }{ l.t(" 条", "") }
                        { if n["examples"].as_array().is_some_and(|a| !a.is_empty()) { format!("：{}", n["examples"].as_array().into_iter().flatten().filter_map(Value::as_str).collect::<Vec<_>>().join("、")) } else { String::new() } }
                        { "）" }</li> }) }
                </ul>
            }
            <div class="actions">
                { dl("a-dl-notices-csv", "notices_csv", "notices.csv", "text/csv;charset=utf-8", "下载通知书 CSV", "Download notices CSV") }
                { dl("a-dl-notices-html", "notices_html", "notices.html", "text/html;charset=utf-8", "下载可打印通知书（HTML）", "Download printable notices (HTML)") }
                { dl("a-dl-netting-csv", "netting_csv", "netting.csv", "text/csv;charset=utf-8", "下载轧差表 CSV", "Download netting CSV") }
                { dl("a-dl-journal-csv", "journal_csv", "journal.csv", "text/csv;charset=utf-8", "下载记账分录 CSV", "Download journal CSV") }
                <button type="button" class="secondary" id="a-print" onclick={print}>{ l.t("打印本页", "Print this page") }</button>
            </div>
            { warnings(&list("prepayment_warnings"), &o.deadlines, l) }
            <h2>{ l.t("收付款通知书", "Receivable and payable notices") }</h2>
            { for list("notices").iter().map(|n| notice(n, l)) }
            <h2>{ l.t("轧差清算表", "Netting") }</h2>
            { for list("netting").iter().map(|t| netting(t, l)) }
            <h2>{ l.t("对账", "Reconciliation") }</h2>
            { reconciliation(&list("reconciliation"), l) }
            <h2>{ l.t("清算日历", "Clearing calendar") }</h2>
            { calendar(&list("calendar"), l) }
        </div>
    }
}

fn warnings(list: &[Value], deadlines: &[Vec<Value>], l: Lang) -> Html {
    if list.is_empty() {
        return html! {};
    }
    html! {
        <section id="a-warnings" aria-labelledby="a-warnings-h">
            <h2 id="a-warnings-h">{ l.t("预付金预警", "Prepayment warnings") }</h2>
            { for list.iter().enumerate().map(|(i, w)| {
                let u = &w["usage"];
                let level = text(u, "level");
                let class = match level { "red" => "error-box", "yellow" => "warn-box", _ => "ok-box" };
                let badge = match level { "red" => l.t("红色预警", "RED"), "yellow" => l.t("黄色预警", "YELLOW"), _ => l.t("正常", "normal") };
                html! {
                    <div class={classes!(class, "prepay-warning")} data-level={level.to_string()} data-party={text(w, "party").to_string()} data-scope={text(w, "scope").to_string()}>
                        <strong>{ format!("{} · {} · {badge}", name_or_code(w, "party_name", "party"), scope_name(text(w, "scope"), l)) }</strong>
                        <p>{ l.s(
                            format!("本月付款 ¥{} ÷ 预付金 ¥{} = {}%", amount(w, "month_clearing"), amount(w, "prepayment"), text(u, "percent")),
                            format!("this month's payable ¥{} ÷ prepayment ¥{} = {}%", amount(w, "month_clearing"), amount(w, "prepayment"), text(u, "percent"))) }</p>
                        <p>{ l.pick_json(u, "message").unwrap_or_default() }<cite>{ format!("（{}）", text(u, "cite")) }</cite></p>
                        if level != "normal" {
                            <ul class="explain">
                                { for deadlines.get(i).into_iter().flatten().map(|d| html! {
                                    <li class="deadline"><b>{ d["date"].as_str().map(str::to_string).unwrap_or_else(|| "—".into()) }</b>{ " " }
                                        { l.pick_json(d, "what").unwrap_or_default() }<cite>{ format!("（{}）", text(d, "cite")) }</cite></li>
                                }) }
                            </ul>
                        }
                    </div>
                }
            }) }
        </section>
    }
}

fn notice(n: &Value, l: Lang) -> Html {
    let id = format!(
        "notice-{}-{}-{}-{}",
        text(n, "kind"),
        text(n, "scope"),
        text(n, "level"),
        text(n, "party")
    );
    let kind = if text(n, "kind") == "receivable" {
        l.t("收款", "receivable")
    } else {
        l.t("付款", "payable")
    };
    let heading = if l == Lang::Zh {
        text(n, "counterpart_heading_zh")
    } else {
        "Counterpart"
    };
    let total = &n["total"];
    html! {
        <section class="notice panel" id={id.clone()} data-kind={text(n, "kind").to_string()} data-scope={text(n, "scope").to_string()} data-party={text(n, "party").to_string()}>
            <h3>{ if l == Lang::Zh { text(n, "title_zh") } else { text(n, "title_en") } }</h3>
            <p class="who">{ format!("{} · {} · {} · {}", name_or_code(n, "party_name", "party"), scope_name(text(n, "scope"), l), kind,
                l.s(format!("数据期别 {}", text(n, "period")), format!("period {}", text(n, "period")))) }
                <cite>{ format!("（{}）", text(n, "cite")) }</cite></p>
            <div class="table-wrap">
            <table>
                <thead><tr>
                    <th scope="col">{ heading }</th><th scope="col" class="num">{ l.t("人次", "Visits") }</th>
                    <th scope="col" class="num">{ l.t("医保基金支付金额", "Fund paid") }</th><th scope="col" class="num">{ l.t("扣减金额", "Deducted") }</th>
                    <th scope="col" class="num">{ l.t("实际支付金额", "Actually paid") }</th>
                </tr></thead>
                <tbody>
                    { for n["rows"].as_array().into_iter().flatten().map(|row| html! {
                        <tr data-counterpart={text(row, "counterpart").to_string()} data-star={row["star"].as_bool().unwrap_or(false).to_string()}>
                            <td>{ format!("{}{}", name_or_code(row, "counterpart_name", "counterpart"), if row["star"].as_bool() == Some(true) { "*" } else { "" }) }</td>
                            <td class="num">{ row["psn_times"].as_i64().unwrap_or(0) }</td>
                            <td class="num">{ amount(row, "fund_pay") }</td><td class="num">{ amount(row, "deduct") }</td>
                            <td class="num">{ amount(row, "actual_pay") }</td>
                        </tr>
                    }) }
                </tbody>
                <tfoot><tr class="total">
                    <th scope="row">{ l.t("合计", "Total") }</th><td class="num">{ total["psn_times"].as_i64().unwrap_or(0) }</td>
                    <td class="num">{ amount(total, "fund_pay") }</td><td class="num">{ amount(total, "deduct") }</td>
                    <td class="num notice-total">{ amount(total, "actual_pay") }</td>
                </tr></tfoot>
            </table>
            </div>
            <p>{ l.t("实际支付金额合计（大写）：", "Total actually paid in words: ") }<span class="daxie">{ text(n, "total_daxie") }</span></p>
            if n["rows"].as_array().is_some_and(|rows| rows.iter().any(|r| r["star"].as_bool() == Some(true))) {
                <p class="hint">{ l.t("* 为返还款项（002 §56）。", "* marks returned money (002 §56).") }</p>
            }
        </section>
    }
}

fn netting(t: &Value, l: Lang) -> Html {
    let id = format!(
        "netting-{}-{}-{}",
        text(t, "scope"),
        text(t, "level"),
        t["province"].as_str().unwrap_or("national")
    );
    html! {
        <section class="netting" id={id}>
            <h3>{ if l == Lang::Zh { text(t, "title_zh") } else { text(t, "title_en") } }<cite>{ format!("（{}）", text(t, "cite")) }</cite></h3>
            <div class="table-wrap">
            <table>
                <thead><tr>
                    <th scope="col">{ l.t("地区", "Region") }</th><th scope="col" class="num">{ l.t("应收（实际支付）", "Receivable (paid)") }</th>
                    <th scope="col" class="num">{ l.t("应付（实际支付）", "Payable (paid)") }</th><th scope="col" class="num">{ l.t("轧差（+收 −付）", "Net (+ receives, − pays)") }</th>
                </tr></thead>
                <tbody>
                    { for t["lines"].as_array().into_iter().flatten().map(|line| html! {
                        <tr data-party={text(line, "party").to_string()} data-net={amount(line, "net")}>
                            <td>{ name_or_code(line, "party_name", "party") }</td>
                            <td class="num">{ amount(&line["receivable"], "actual_pay") }</td>
                            <td class="num">{ amount(&line["payable"], "actual_pay") }</td>
                            <td class="num net">{ signed(&line["net"]) }</td>
                        </tr>
                    }) }
                </tbody>
                <tfoot><tr class="total"><th scope="row" colspan="3">{ "Σ" }</th><td class="num">{ signed(&t["net_total"]) }</td></tr></tfoot>
            </table>
            </div>
        </section>
    }
}

fn reconciliation(list: &[Value], l: Lang) -> Html {
    html! {
        <div class="table-wrap">
        <table id="a-reconciliation">
            <thead><tr>
                <th scope="col">{ l.t("范围", "Scope") }</th><th scope="col">{ l.t("层级", "Level") }</th>
                <th scope="col" class="num">{ l.t("收款合计", "Σ receivable") }</th><th scope="col" class="num">{ l.t("付款合计", "Σ payable") }</th>
                <th scope="col">{ l.t("平衡", "Balanced") }</th>
            </tr></thead>
            <tbody>
                { for list.iter().map(|r| {
                    let ok = r["balanced"].as_bool() == Some(true);
                    html! { <tr>
                        <td>{ scope_name(text(r, "scope"), l) }</td>
                        <td>{ if text(r, "level") == "province" { l.t("省级", "province") } else { l.t("市级", "city") } }</td>
                        <td class="num">{ format!("{} / {}", r["receivable_total"]["psn_times"].as_i64().unwrap_or(0), amount(&r["receivable_total"], "actual_pay")) }</td>
                        <td class="num">{ format!("{} / {}", r["payable_total"]["psn_times"].as_i64().unwrap_or(0), amount(&r["payable_total"], "actual_pay")) }</td>
                        <td class={if ok { "status-active" } else { "sev-error" }}>{ if ok { l.t("是", "yes") } else { l.t("否", "no") } }</td>
                    </tr> }
                }) }
            </tbody>
        </table>
        </div>
    }
}

fn calendar(steps: &[Value], l: Lang) -> Html {
    html! {
        <div class="table-wrap">
        <table id="a-calendar">
            <thead><tr>
                <th scope="col">{ l.t("日期", "Date") }</th><th scope="col">{ l.t("事项", "Step") }</th><th scope="col">{ l.t("依据", "Citation") }</th>
            </tr></thead>
            <tbody>
                { for steps.iter().map(|s| {
                    let date = match (s["date"].as_str(), s["until"].as_str()) {
                        (Some(d), Some(u)) => format!("{d} – {u}"),
                        (Some(d), None) if text(s, "kind") == "by" => l.s(format!("{d} 前"), format!("by {d}")),
                        (Some(d), None) => d.to_string(),
                        (None, _) => "—".into(),
                    };
                    let note = l.pick_json(s, "note");
                    html! { <tr data-step={text(s, "id").to_string()}>
                        <td class="num">{ date }
                            if s["working_day"].as_bool() == Some(false) { <span class="sev-info">{ l.t("（非工作日）", " (not a working day)") }</span> }</td>
                        <td>{ l.pick_json(s, "what").unwrap_or_default() }
                            if let Some(n) = note { <p class="hint">{ n }</p> }</td>
                        <td><cite>{ text(s, "cite") }</cite></td>
                    </tr> }
                }) }
            </tbody>
        </table>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_form(region: &str) -> AgencyForm {
        AgencyForm {
            month: SAMPLE_MONTH.into(),
            region: region.into(),
            printed_on: "2026-11-27".into(),
            records: SAMPLE.into(),
            prepayments: "610100,省内,6000.00\n610100 cross 100000".into(),
        }
    }

    fn net(o: &Outcome, id: (&str, &str, Option<&str>), party: &str) -> String {
        let t = o.month["netting"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["scope"] == id.0 && t["level"] == id.1 && t["province"].as_str() == id.2)
            .unwrap();
        let line = t["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["party"] == party)
            .unwrap();
        signed(&line["net"])
    }

    #[test]
    fn the_sample_month_gives_the_documented_figures() {
        let o = run(&sample_form("610100")).unwrap();
        assert_eq!(o.month["balanced"], true);
        let national = ("cross_province", "province", None);
        for (p, n) in [
            ("110000", "+40200.00"),
            ("230000", "−5400.00"),
            ("330000", "+19800.00"),
            ("430000", "+900.00"),
            ("610000", "−55500.00"),
        ] {
            assert_eq!(net(&o, national, p), n);
        }
        let intra = ("intra_province", "city", Some("610000"));
        for (p, n) in [
            ("610100", "+21210.30"),
            ("610200", "−9000.00"),
            ("610300", "−17810.30"),
            ("610400", "+5600.00"),
        ] {
            assert_eq!(net(&o, intra, p), n);
        }
        let recv = o.month["notices"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["kind"] == "receivable" && n["scope"] == "intra_province" && n["party"] == "610100")
            .unwrap();
        assert_eq!(recv["total"]["actual_pay"], "26810.30");
        assert!(
            recv["rows"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["star"] == true && r["actual_pay"] == "600.00")
        );
        // Two warnings (intra red 93.33 %, cross yellow 72.5 %), each with a dated deadline and citation.
        let w = o.month["prepayment_warnings"].as_array().unwrap();
        assert_eq!(w.len(), 2);
        assert_eq!(w[0]["usage"]["level"], "red");
        assert_eq!(w[1]["usage"]["level"], "yellow");
        assert_eq!(o.deadlines[0][0]["date"], "2026-12-04");
        assert!(!o.deadlines[1].is_empty());
        assert!(
            o.month["calendar"]
                .as_array()
                .unwrap()
                .iter()
                .all(|s| s["cite"].is_string())
        );
    }

    #[test]
    fn every_party_renders_the_committed_notices() {
        let mut f = sample_form("");
        f.prepayments.clear();
        let o = run(&f).unwrap();
        let expected = include_str!("../../../tests/samples/clearing/expected/2026-10.notices.csv");
        assert_eq!(o.month["rendered"]["notices_csv"].as_str().unwrap(), expected);
        // The CSV copy of the sample reads alike.
        f.records = include_str!("../../../tests/samples/clearing/2026-10.csv").into();
        assert_eq!(
            run(&f).unwrap().month["rendered"]["notices_csv"]
                .as_str()
                .unwrap(),
            expected
        );
    }

    #[test]
    fn errors_point_at_their_field() {
        let mut f = sample_form("6101");
        assert_eq!(field_of(&run(&f).unwrap_err()), Some("a-region"));
        f.region = "610100".into();
        f.month = "2026-13".into();
        assert_eq!(field_of(&run(&f).unwrap_err()), Some("a-month"));
        f.month = "2026-10".into();
        f.prepayments = "610100,somewhere,1".into();
        assert_eq!(field_of(&run(&f).unwrap_err()), Some("a-prepay"));
        f.prepayments = "610100,省内,abc".into();
        assert_eq!(field_of(&run(&f).unwrap_err()), Some("a-prepay"));
        f.prepayments.clear();
        f.records = "{\"setl_id\": \"X\"}\n{oops\n".into();
        assert_eq!(field_of(&run(&f).unwrap_err()), Some("a-records"));
        f.records = "  ".into();
        assert_eq!(field_of(&run(&f).unwrap_err()), Some("a-records"));
    }

    #[test]
    fn months_and_signs() {
        assert_eq!(previous_month("2026-11-22"), "2026-10");
        assert_eq!(previous_month("2027-01-05"), "2026-12");
        assert_eq!(signed(&json!("0.00")), "0.00");
        assert_eq!(signed(&json!("-1.20")), "−1.20");
    }
}
