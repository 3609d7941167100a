//! `yidi clear MONTH FILE`: a month's clearing notices (收款/付款通知书), netting tables and journal from a
//! file of settlement records, computed by the core's `clearing.aggregate` (one call per chunk of the file)
//! and `clearing.month` ops — through the same runner (wasm or `--native`) as every other command.
//!
//! Chunks keep whole lines and stay under [`CHUNK_BYTES`] (the core takes 8 MiB per request); a CSV chunk
//! repeats the header. `line_offset` makes the core's errors name the file's own line numbers.

use crate::engine::Runner;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// Largest chunk of the file sent in one `clearing.aggregate` call.
pub const CHUNK_BYTES: usize = 6 << 20;

/// What `yidi clear` was asked.
#[derive(Debug, Clone)]
pub struct ClearJob {
    pub month: String,
    pub file: PathBuf,
    pub csv: bool,
    pub region: Option<String>,
    pub printed_on: Option<String>,
    pub out_dir: PathBuf,
}

/// What `yidi clear` wrote and found.
#[derive(Debug)]
pub struct ClearOutcome {
    pub written: Vec<PathBuf>,
    pub balanced: bool,
    /// Lines of the file that were GB18030 text, not UTF-8, and were decoded.
    pub gb18030_lines: usize,
    /// The `clearing.month` result (notices, netting, calendar, journal …).
    pub result: Value,
}

/// Split `text` into chunks of whole lines, each under `limit` bytes where a line allows it. Returns
/// (chunk, line_offset) with the core's convention: file lines before the chunk, minus one for a
/// repeated CSV header.
pub fn chunks(text: &str, csv: bool, limit: usize) -> Vec<(String, usize)> {
    let mut lines = text.split_inclusive('\n');
    let header = if csv { lines.next().unwrap_or("") } else { "" };
    let first_data_line = usize::from(csv);
    let mut out = Vec::new();
    let mut cur = String::from(header);
    let mut cur_lines = 0usize;
    let mut offset = first_data_line;
    for (seen, line) in (first_data_line..).zip(lines) {
        if cur_lines > 0 && cur.len() + line.len() > limit {
            out.push((
                std::mem::replace(&mut cur, String::from(header)),
                offset - usize::from(csv),
            ));
            offset = seen;
            cur_lines = 0;
        }
        cur.push_str(line);
        cur_lines += 1;
    }
    if cur_lines > 0 || out.is_empty() {
        out.push((cur, offset - usize::from(csv)));
    }
    out
}

fn call(runner: &Runner, op: &str, request: Value) -> Result<Value, String> {
    let env = json!({"api_version": "1", "op": op, "request": request});
    let out = runner.call(env.to_string().as_bytes());
    let v: Value = serde_json::from_str(&out).map_err(|e| format!("{op}: the core answered no JSON: {e}"))?;
    if v["ok"] == json!(true) {
        Ok(v["result"].clone())
    } else {
        let e = &v["error"];
        Err(format!(
            "{op}: {} {} (at {})",
            e["code"].as_str().unwrap_or("?"),
            e["message_en"].as_str().unwrap_or(""),
            e["path"].as_str().unwrap_or("")
        ))
    }
}

/// Run the job: aggregate each chunk, clear the month, write the four files.
pub fn run(runner: &Runner, job: &ClearJob) -> Result<ClearOutcome, String> {
    let bytes = std::fs::read(&job.file).map_err(|e| format!("cannot read {}: {e}", job.file.display()))?;
    // GB18030 lines (Excel on Chinese Windows) are decoded; the core reads UTF-8.
    let (text, gb18030_lines) =
        crate::records::file_text(&bytes).map_err(|e| format!("{}: {e}", job.file.display()))?;
    let mut partials = Vec::new();
    for (chunk, line_offset) in chunks(&text, job.csv, CHUNK_BYTES) {
        let key = if job.csv { "csv" } else { "ndjson" };
        let r = call(
            runner,
            "clearing.aggregate",
            json!({"month": job.month, key: chunk, "line_offset": line_offset}),
        )
        .map_err(|e| format!("{}: {e}", job.file.display()))?;
        if let Some(p) = r["partials"].as_array() {
            partials.extend(p.iter().cloned());
        }
    }
    let mut req = json!({"month": job.month, "partials": partials, "render": true});
    if let Some(r) = &job.region {
        req["region"] = json!(r);
    }
    if let Some(d) = &job.printed_on {
        req["printed_on"] = json!(d);
    }
    let result = call(runner, "clearing.month", req)?;
    std::fs::create_dir_all(&job.out_dir)
        .map_err(|e| format!("cannot create {}: {e}", job.out_dir.display()))?;
    let mut written = Vec::new();
    for (field, suffix) in [
        ("notices_csv", "notices.csv"),
        ("notices_html", "notices.html"),
        ("netting_csv", "netting.csv"),
        ("journal_csv", "journal.csv"),
    ] {
        let body = result["rendered"][field]
            .as_str()
            .ok_or_else(|| format!("clearing.month returned no {field}"))?;
        let path = job.out_dir.join(format!("{}.{suffix}", job.month));
        std::fs::write(&path, body).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        written.push(path);
    }
    let balanced = result["balanced"] == json!(true);
    Ok(ClearOutcome {
        written,
        balanced,
        gb18030_lines,
        result,
    })
}

/// A short terminal summary: the netting tables and the balance check.
pub fn summary(o: &ClearOutcome) -> String {
    let mut s = String::new();
    for t in o.result["netting"].as_array().into_iter().flatten() {
        s.push_str(&format!(
            "{}  ({})\n",
            t["title_zh"].as_str().unwrap_or(""),
            t["cite"].as_str().unwrap_or("")
        ));
        for l in t["lines"].as_array().into_iter().flatten() {
            let name = l["name"].as_str().or(l["party_name"].as_str()).unwrap_or("");
            let party = l["party"].as_str().unwrap_or("");
            let net = l["net"].as_str().unwrap_or("");
            s.push_str(&format!("  {party} {name:<12} {net:>14}\n"));
        }
    }
    s.push_str(if o.balanced {
        "balanced: what all regions receive equals what all pay\n"
    } else {
        "NOT BALANCED: receivable and payable totals differ\n"
    });
    if o.gb18030_lines > 0 {
        s.push_str(&format!(
            "{} lines were GB18030 text, not UTF-8: decoded / {} 行为 GB18030 编码，已转换\n",
            o.gb18030_lines, o.gb18030_lines
        ));
    }
    for p in &o.written {
        s.push_str(&format!("wrote {}\n", p.display()));
    }
    s
}

/// Whether a path names a CSV file.
pub fn is_csv(p: &Path) -> bool {
    p.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_keep_lines_and_repeat_the_csv_header() {
        let csv = "h1,h2\na,1\nb,2\nc,3\n";
        let c = chunks(csv, true, 12);
        assert_eq!(c.len(), 3);
        assert_eq!(c[0], ("h1,h2\na,1\n".to_string(), 0));
        assert_eq!(c[1], ("h1,h2\nb,2\n".to_string(), 1));
        assert_eq!(c[2], ("h1,h2\nc,3\n".to_string(), 2));
        let nd = "{}\n{}\n{}";
        let c = chunks(nd, false, 4);
        assert_eq!(c.iter().map(|x| x.1).collect::<Vec<_>>(), vec![0, 1, 2]);
        assert_eq!(c.iter().map(|x| x.0.as_str()).collect::<String>(), nd);
        assert_eq!(chunks(nd, false, 1 << 20).len(), 1);
    }
}
