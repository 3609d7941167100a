//! The landing page: who each part of the app is for, in plain words.

use crate::Route;
use crate::i18n::use_lang;
use yew::prelude::*;

#[component]
pub fn Home() -> Html {
    let l = use_lang();
    let card = |r: Route, who: &str, what: &str| {
        html! {
            <li class="card">
                <h2><a href={r.href()}>{ r.title(l) }</a></h2>
                <p class="who">{ who.to_string() }</p>
                <p>{ what.to_string() }</p>
            </li>
        }
    };
    html! {
        <section class="home">
            <h1>{ l.t("异地就医直接结算 · 自助办理与核算", "Cross-region medical insurance: file, estimate, check") }</h1>
            <p class="lead">{ l.t(
                "在参保地以外看病，先备案就能在当地医院直接结算。这里可以办理备案、估算费用、预检结算单据、核验分割结果。每一笔金额都附有计算依据和政策出处。",
                "Seeing a doctor outside your insured region? File first and the hospital there settles directly. Here you can file, estimate costs, pre-check claims and verify returned splits; every amount shows how it was computed and which rule says so.") }</p>
            <ul class="cards">
                { card(Route::Filing, l.t("参保人", "Insured persons"), l.t(
                    "选择人员类别和就医地，了解备案有效期、变更限制和不备案的后果，然后提交备案。",
                    "Choose your category and destination, see the validity window, the change lock and what happens without a filing, then submit.")) }
                { card(Route::MyFilings, l.t("参保人", "Insured persons"), l.t(
                    "查看已提交的备案，变更、取消，或为正在住院的就诊补办备案。",
                    "See your filings; change, cancel, or file retroactively for a current stay.")) }
                { card(Route::Estimate, l.t("参保人", "Insured persons"), l.t(
                    "估算一次就医医保基金和个人各付多少，按结算单样式展示，并对比备案与不备案。",
                    "Estimate what the funds and you will pay, as a settlement sheet, and compare filed with not filed.")) }
                { card(Route::Precheck, l.t("医院结算人员", "Hospital billing staff"), l.t(
                    "粘贴或上传费用明细（JSON 或 CSV），逐行查看问题。完全在本页运行，断网可用。",
                    "Paste or upload a claim (JSON or CSV) and see findings line by line. Runs entirely in the page, also offline.")) }
                { card(Route::Verify, l.t("经办机构审核人员", "Agency auditors"), l.t(
                    "上传一批返回的结算分割结果，得到汇总和不一致清单，可导出 CSV。",
                    "Upload a batch of returned splits; get a summary and a table of inconsistencies, exportable as CSV.")) }
                { card(Route::Agency, l.t("经办机构清算人员", "Agency clearing staff"), l.t(
                    "上传一个月的结算记录，得到收付款通知书、轧差表、清算日历和预付金预警，可下载或打印。",
                    "Upload a month of settlements; get the notices, netting, clearing calendar and prepayment warnings, to download or print.")) }
            </ul>
        </section>
    }
}
