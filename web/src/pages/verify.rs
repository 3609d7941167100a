//! Agency verification: a batch of returned splits (setlinfo / setldetail, optionally lines and the
//! claim) is checked record by record by the core's `verify` op in the page; the page shows a summary and
//! a table of every inconsistency, exportable as CSV. The file formats are those of `yidi verify`.

use crate::core_api::{self, ApiErr, money_str};
use crate::dom;
use crate::i18n::{Lang, use_lang};
use crate::pages::estimate::EstimateForm;
use crate::records;
use crate::widgets::Field;
use serde_json::{Value, json};
use yew::prelude::*;

/// One record's outcome.
#[derive(Clone, PartialEq)]
struct Outcome {
    /// 1-based line (NDJSON/CSV) or position (JSON array).
    line: usize,
    setl_id: String,
    result: Result<Value, ApiErr>,
}

fn run_batch(text: &str) -> Result<Vec<Outcome>, ApiErr> {
    let records: Vec<(usize, Value)> = if records::looks_like_json(text) {
        records::json_values(text)?
            .into_iter()
            .enumerate()
            .map(|(i, v)| (i + 1, v))
            .collect()
    } else {
        records::csv_objects(text)?
    };
    if records.is_empty() {
        return Err(ApiErr::new("E_MISSING_FIELD", "没有可核验的记录", "no records to verify").at("batch"));
    }
    Ok(records
        .into_iter()
        .map(|(line, rec)| {
            let setl_id = rec
                .pointer("/setlinfo/setl_id")
                .and_then(|v| v.as_str().map(str::to_string).or_else(|| money_str(v)))
                .unwrap_or_default();
            Outcome {
                line,
                setl_id,
                // Reshaped as `yidi verify` does (core `records::verify_request`): a flat download nested,
                // the record's own tolerance dropped.
                result: core_api::call("verify", yidi_core::records::verify_request(rec, None)),
            }
        })
        .collect())
}

/// An example batch made by the core itself: one estimate's settlement as returned, and the same with
/// the pooled fund altered by one yuan (so the check has something to find).
fn example_batch(today: &str) -> String {
    let Ok(est) = EstimateForm::new(today)
        .request()
        .and_then(|r| core_api::call("estimate", r))
    else {
        return String::new();
    };
    let r = &est["result"];
    let mut good = json!({ "setlinfo": r["setlinfo"], "setldetail": r["setldetail"] });
    good["setlinfo"]["setl_id"] = json!("EX-0001");
    let mut bad = good.clone();
    bad["setlinfo"]["setl_id"] = json!("EX-0002");
    if let Some(h) = bad["setlinfo"]["hifp_pay"].as_str() {
        let altered = core_api::call("amount.daxie", json!({ "amount": h }))
            .ok()
            .map(|_| h.to_string())
            .unwrap_or_default();
        // Add one yuan by text (no floats): the core recomputes and flags the difference.
        if let Some((n, fen)) = altered
            .split_once('.')
            .and_then(|(y, f)| y.parse::<i64>().ok().map(|n| (n, f)))
        {
            bad["setlinfo"]["hifp_pay"] = json!(format!("{}.{fen}", n + 1));
        }
    }
    format!("{good}\n{bad}\n")
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The inconsistency table as CSV (UTF-8 with BOM so spreadsheet programs read the Chinese).
fn export_csv(outcomes: &[Outcome]) -> String {
    let mut out = String::from(
        "\u{feff}line,setl_id,verdict,field,rule,expected,got,difference,message_zh,message_en,cite\n",
    );
    for o in outcomes {
        let row = |cells: [&str; 11]| cells.iter().map(|c| csv_cell(c)).collect::<Vec<_>>().join(",") + "\n";
        let line = o.line.to_string();
        match &o.result {
            Err(e) => out.push_str(&row([
                &line,
                &o.setl_id,
                "unreadable",
                e.path.as_deref().unwrap_or(""),
                &e.code,
                "",
                "",
                "",
                &e.message_zh,
                &e.message_en,
                "",
            ])),
            Ok(v) => {
                for f in v.get("findings").and_then(Value::as_array).into_iter().flatten() {
                    let s = |k: &str| {
                        f.get(k)
                            .and_then(|x| x.as_str().map(str::to_string).or_else(|| money_str(x)))
                            .unwrap_or_default()
                    };
                    out.push_str(&row([
                        &line,
                        &o.setl_id,
                        "inconsistent",
                        &s("field"),
                        &s("rule"),
                        &s("expected"),
                        &s("got"),
                        &s("difference"),
                        &s("zh"),
                        &s("en"),
                        &s("cite"),
                    ]));
                }
            }
        }
    }
    out
}

#[component]
pub fn Verify() -> Html {
    let l = use_lang();
    let text = use_state(String::new);
    let outcome = use_state(|| None::<Result<Vec<Outcome>, ApiErr>>);
    let on_text = {
        let text = text.clone();
        Callback::from(move |e: Event| text.set(dom::event_value(&e)))
    };
    let on_file = {
        let (text, outcome) = (text.clone(), outcome.clone());
        Callback::from(move |e: Event| {
            if let Some(file) = dom::event_file(&e) {
                let (text, outcome) = (text.clone(), outcome.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    match dom::read_file(file).await {
                        Ok(t) => {
                            outcome.set(Some(run_batch(&t)));
                            text.set(t);
                        }
                        Err(m) => outcome.set(Some(Err(ApiErr::new(
                            "E_FILE",
                            format!("文件无法读取：{m}"),
                            format!("cannot read the file: {m}"),
                        )
                        .at("batch")))),
                    }
                });
            }
        })
    };
    let example = {
        let text = text.clone();
        Callback::from(move |_: MouseEvent| text.set(example_batch(&dom::today())))
    };
    let run = {
        let (text, outcome) = (text.clone(), outcome.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            outcome.set(Some(run_batch(&text)));
        })
    };
    let batch_err = match &*outcome {
        Some(Err(e)) => Some(e.msg(l).to_string()),
        _ => None,
    };
    html! {
        <section class="verify">
            <h1>{ l.t("经办核验：结算分割结果", "Agency verification of returned splits") }</h1>
            <p class="lead">{ l.t(
                "上传一批返回的结算结果（setlinfo / setldetail，可附费用明细和原始请求），逐条核对全国接口的金额关系，并在附有原始请求时按政策包重算。格式与命令行 yidi verify 相同：NDJSON、JSON 数组，或 CSV（列名如 setlinfo.medfee_sumamt，setldetail 列为 JSON）。",
                "Upload a batch of returned settlements (setlinfo / setldetail, optionally with fee lines and the original claim). Each record is checked against the national invariants, and recomputed under the policy pack when the claim is included. Same formats as `yidi verify`: NDJSON, a JSON array, or CSV (columns like setlinfo.medfee_sumamt, setldetail as JSON).") }</p>
            <form onsubmit={run} novalidate=true>
                <Field id="v-file" label={l.t("上传文件（.ndjson / .json / .csv）", "Upload a file (.ndjson / .json / .csv)")}>
                    <input id="v-file" type="file" accept=".json,.ndjson,.jsonl,.csv,.txt" onchange={on_file} />
                </Field>
                <Field id="v-batch" label={l.t("或粘贴", "Or paste")} error={batch_err}>
                    <textarea id="v-batch" value={(*text).clone()} onchange={on_text} spellcheck="false" />
                </Field>
                <div class="actions">
                    <button type="submit" id="v-run">{ l.t("核验", "Verify") }</button>
                    <button type="button" class="secondary" id="v-example" onclick={example}>{ l.t("填入示例（由核心生成）", "Fill in an example (made by the core)") }</button>
                </div>
            </form>
            if let Some(Ok(list)) = &*outcome { { report(list, l) } }
        </section>
    }
}

fn report(list: &[Outcome], l: Lang) -> Html {
    let total = list.len();
    let unreadable = list.iter().filter(|o| o.result.is_err()).count();
    let inconsistent = list
        .iter()
        .filter(|o| {
            o.result
                .as_ref()
                .is_ok_and(|v| v.get("verdict").and_then(Value::as_str) == Some("inconsistent"))
        })
        .count();
    let consistent = total - unreadable - inconsistent;
    let csv = export_csv(list);
    let download = Callback::from(move |_: MouseEvent| {
        dom::download("yidi-verify-report.csv", "text/csv;charset=utf-8", &csv)
    });
    html! {
        <div id="verify-result">
            <h2>{ l.t("汇总", "Summary") }</h2>
            <div class="summary" role="status">
                <div><b id="v-total">{ total }</b>{ l.t("条记录", "records") }</div>
                <div><b id="v-consistent" class="status-active">{ consistent }</b>{ l.t("一致", "consistent") }</div>
                <div><b id="v-inconsistent" class="sev-error">{ inconsistent }</b>{ l.t("不一致", "inconsistent") }</div>
                <div><b id="v-unreadable" class="sev-warning">{ unreadable }</b>{ l.t("无法读取", "unreadable") }</div>
            </div>
            <div class="actions">
                <button type="button" class="secondary" id="v-export" onclick={download}>{ l.t("导出 CSV", "Export CSV") }</button>
            </div>
            if inconsistent + unreadable > 0 {
                <h2>{ l.t("不一致清单", "Inconsistencies") }</h2>
                <div class="table-wrap">
                <table id="inconsistencies">
                    <thead><tr>
                        <th>{ l.t("行", "Line") }</th><th>{ l.t("结算ID", "Settlement ID") }</th><th>{ l.t("字段", "Field") }</th>
                        <th class="num">{ l.t("应为", "Expected") }</th><th class="num">{ l.t("实为", "Got") }</th><th class="num">{ l.t("差额", "Difference") }</th>
                        <th>{ l.t("说明", "Explanation") }</th><th>{ l.t("依据", "Citation") }</th>
                    </tr></thead>
                    <tbody>
                        { for list.iter().flat_map(|o| rows(o, l)) }
                    </tbody>
                </table>
                </div>
            } else {
                <p class="ok-box">{ l.t("全部记录一致。", "All records are consistent.") }</p>
            }
        </div>
    }
}

fn rows(o: &Outcome, l: Lang) -> Vec<Html> {
    match &o.result {
        Err(e) => vec![html! { <tr>
            <td>{ o.line }</td><td>{ &o.setl_id }</td><td class="code">{ e.path.clone().unwrap_or_default() }</td>
            <td></td><td></td><td></td>
            <td class="sev-warning">{ e.msg(l) }<span class="code">{ format!(" [{}]", e.code) }</span></td><td></td>
        </tr> }],
        Ok(v) => v
            .get("findings")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|f| {
                let m = |k: &str| f.get(k).and_then(money_str).unwrap_or_default();
                html! { <tr>
                    <td>{ o.line }</td><td>{ &o.setl_id }</td>
                    <td class="code">{ f.get("field").and_then(Value::as_str).unwrap_or("") }</td>
                    <td class="num">{ m("expected") }</td><td class="num">{ m("got") }</td><td class="num">{ m("difference") }</td>
                    <td>{ f.get(if l == Lang::Zh { "zh" } else { "en" }).and_then(Value::as_str).unwrap_or("") }</td>
                    <td><cite>{ f.get("cite").and_then(Value::as_str).unwrap_or("") }</cite></td>
                </tr> }
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_batch_has_one_good_and_one_bad_record() {
        let text = example_batch("2026-11-22");
        let out = run_batch(&text).unwrap();
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].result.as_ref().unwrap()["verdict"], "consistent");
        assert_eq!(out[1].result.as_ref().unwrap()["verdict"], "inconsistent");
        let csv = export_csv(&out);
        assert!(csv.lines().count() >= 2, "{csv}");
        assert!(csv.contains("EX-0002"));
    }

    #[test]
    fn unreadable_records_are_reported_not_fatal() {
        let out = run_batch("{\"setlinfo\": {\"medfee_sumamt\": \"abc\"}}\n").unwrap();
        assert!(out[0].result.is_err() || out[0].result.as_ref().unwrap()["verdict"] == "inconsistent");
        assert!(run_batch("").is_err());
    }
}
