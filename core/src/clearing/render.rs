//! Pure renderers of a month's clearing: notices as CSV and as printable HTML (one notice a page, laid out
//! like 002 附件16/17), the netting tables and the journal as CSV. Same input, same bytes, on every host.
//!
//! CSV files start with a UTF-8 BOM so that spreadsheet programs used by agencies read the Chinese text.

use super::month::{Level, MonthResponse, Notice, NoticeKind, Scope};
use std::fmt::Write;

const BOM: &str = "\u{feff}";

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn csv_line(out: &mut String, cells: &[&str]) {
    let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
    out.push_str(&line.join(","));
    out.push_str("\r\n");
}

fn kind_str(k: NoticeKind) -> &'static str {
    match k {
        NoticeKind::Receivable => "receivable",
        NoticeKind::Payable => "payable",
    }
}

fn scope_str(s: Scope) -> &'static str {
    match s {
        Scope::CrossProvince => "cross_province",
        Scope::IntraProvince => "intra_province",
    }
}

fn level_str(l: Level) -> &'static str {
    match l {
        Level::Province => "province",
        Level::City => "city",
    }
}

/// The counterpart as printed: name (or code), with `*` for returned money (002 §56).
fn label(code: &str, name: Option<&str>, star: bool) -> String {
    let base = match name {
        Some(n) => n.to_string(),
        None => code.to_string(),
    };
    if star { format!("{base}*") } else { base }
}

/// Every notice row and its total, one CSV line each.
pub fn notices_csv(m: &MonthResponse) -> String {
    let mut out = String::from(BOM);
    csv_line(
        &mut out,
        &[
            "period",
            "notice",
            "scope",
            "level",
            "party",
            "party_name",
            "counterpart",
            "counterpart_name",
            "star",
            "psn_times",
            "fund_pay",
            "deduct",
            "actual_pay",
            "title_zh",
        ],
    );
    for n in &m.notices {
        let pn = n.party_name.clone().unwrap_or_default();
        for r in &n.rows {
            csv_line(
                &mut out,
                &[
                    &n.period,
                    kind_str(n.kind),
                    scope_str(n.scope),
                    level_str(n.level),
                    &n.party,
                    &pn,
                    &r.counterpart,
                    r.counterpart_name.as_deref().unwrap_or(""),
                    if r.star { "*" } else { "" },
                    &r.amounts.psn_times.to_string(),
                    &r.amounts.fund_pay.to_string(),
                    &r.amounts.deduct.to_string(),
                    &r.amounts.actual_pay.to_string(),
                    &n.title_zh,
                ],
            );
        }
        csv_line(
            &mut out,
            &[
                &n.period,
                kind_str(n.kind),
                scope_str(n.scope),
                level_str(n.level),
                &n.party,
                &pn,
                "合计",
                "",
                "",
                &n.total.psn_times.to_string(),
                &n.total.fund_pay.to_string(),
                &n.total.deduct.to_string(),
                &n.total.actual_pay.to_string(),
                &n.title_zh,
            ],
        );
    }
    out
}

/// The netting tables as CSV.
pub fn netting_csv(m: &MonthResponse) -> String {
    let mut out = String::from(BOM);
    csv_line(
        &mut out,
        &[
            "period",
            "scope",
            "level",
            "province",
            "party",
            "party_name",
            "receivable_psn_times",
            "receivable_actual_pay",
            "payable_psn_times",
            "payable_actual_pay",
            "net",
            "direction",
        ],
    );
    for t in &m.netting {
        for l in &t.lines {
            let dir = if l.net.is_negative() {
                "pay"
            } else if l.net.is_zero() {
                "none"
            } else {
                "receive"
            };
            csv_line(
                &mut out,
                &[
                    &m.month,
                    scope_str(t.scope),
                    level_str(t.level),
                    t.province.as_deref().unwrap_or(""),
                    &l.party,
                    l.party_name.as_deref().unwrap_or(""),
                    &l.receivable.psn_times.to_string(),
                    &l.receivable.actual_pay.to_string(),
                    &l.payable.psn_times.to_string(),
                    &l.payable.actual_pay.to_string(),
                    &l.net.to_string(),
                    dir,
                ],
            );
        }
    }
    out
}

/// The journal as CSV (000 §33).
pub fn journal_csv(m: &MonthResponse) -> String {
    let mut out = String::from(BOM);
    csv_line(
        &mut out,
        &[
            "seq", "period", "movement", "party", "book", "debit", "credit", "amount", "memo_zh", "memo_en",
            "cite",
        ],
    );
    for j in &m.journal {
        csv_line(
            &mut out,
            &[
                &j.seq.to_string(),
                &m.month,
                &j.movement,
                &j.party,
                &j.book_zh,
                &j.debit_zh,
                &j.credit_zh,
                &j.amount.to_string(),
                &j.memo_zh,
                &j.memo_en,
                &j.cite,
            ],
        );
    }
    out
}

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

fn notice_html(out: &mut String, n: &Notice, printed_on: &str) {
    let party = label(&n.party, n.party_name.as_deref(), false);
    let _ = write!(
        out,
        "<section class=\"notice\">\n<h1>{}</h1>\n<p class=\"party\">{}（{}）</p>\n\
         <p class=\"meta\"><span>数据期别：{}</span><span>打印时间：{}</span></p>\n\
         <table>\n<thead><tr><th>{}</th><th>人次</th><th>医保基金支付金额</th><th>扣减金额</th><th>实际支付金额</th></tr></thead>\n<tbody>\n",
        esc(&n.title_zh),
        esc(&party),
        esc(&n.party),
        esc(&n.period),
        esc(printed_on),
        esc(&n.counterpart_heading_zh),
    );
    for r in &n.rows {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(&label(&r.counterpart, r.counterpart_name.as_deref(), r.star)),
            r.amounts.psn_times,
            r.amounts.fund_pay,
            r.amounts.deduct,
            r.amounts.actual_pay
        );
    }
    let _ = write!(
        out,
        "<tr class=\"total\"><td>合 计</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n\
         </tbody>\n</table>\n<p class=\"daxie\">实际支付金额合计（大写）：{}</p>\n",
        n.total.psn_times,
        n.total.fund_pay,
        n.total.deduct,
        n.total.actual_pay,
        esc(&n.total_daxie),
    );
    if n.rows.iter().any(|r| r.star) {
        out.push_str("<p class=\"note\">注：名称旁加注“*”的为就医地返还参保地的资金（002 §56）。</p>\n");
    }
    let _ = write!(
        out,
        "<p class=\"sign\"><span>经办人：</span><span>主要负责人：</span><span>负责人：</span></p>\n\
         <p class=\"cite\">{} · {}</p>\n</section>\n",
        esc(&n.title_en),
        esc(&n.cite)
    );
}

/// All notices as one printable HTML document, one notice a page.
pub fn notices_html(m: &MonthResponse) -> String {
    let printed = m.printed_on.map(|d| d.to_string()).unwrap_or_default();
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>异地就医费用清算通知书 {}</title>\n<style>\n\
         body{{font-family:\"Noto Serif CJK SC\",\"Songti SC\",SimSun,serif;margin:2em;color:#000}}\n\
         .notice{{page-break-after:always;break-after:page;max-width:48em;margin:0 auto 3em}}\n\
         h1{{font-size:1.4em;text-align:center;margin:0 0 .5em}}\n\
         .party{{text-align:center;margin:0 0 1em}}\n\
         .meta,.sign{{display:flex;justify-content:space-between}}\n\
         table{{width:100%;border-collapse:collapse}}\n\
         th,td{{border:1px solid #000;padding:.3em .5em}}\n\
         td.n{{text-align:right;font-variant-numeric:tabular-nums}}\n\
         tr.total td{{font-weight:bold}}\n\
         .cite{{font-size:.75em;color:#555}}\n\
         @media print{{body{{margin:0}}.cite{{color:#000}}}}\n\
         </style>\n</head>\n<body>\n",
        esc(&m.month)
    );
    if m.notices.is_empty() {
        out.push_str("<p>本期无异地就医清算通知书。No notices this period.</p>\n");
    }
    for n in &m.notices {
        notice_html(&mut out, n, &printed);
    }
    out.push_str("</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_html_escapes() {
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("x\"y"), "\"x\"\"y\"");
        assert_eq!(esc("<b>&"), "&lt;b&gt;&amp;");
        assert_eq!(label("610100", Some("西安"), true), "西安*");
    }
}
