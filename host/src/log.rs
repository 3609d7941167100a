//! Structured logs: one JSON object per line on stderr. Every string value passes through
//! [`crate::idcard::mask_in_text`], so an identity number can never reach a log unmasked.

use serde_json::{Map, Value};
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

static QUIET: AtomicBool = AtomicBool::new(false);

/// Silence info-level logs (errors still go out).
pub fn set_quiet(q: bool) {
    QUIET.store(q, Ordering::Relaxed);
}

/// Log an event with fields, e.g. `log::info("request", &[("path", "/v1/eval".into()), ("status", 200.into())])`.
pub fn info(event: &str, fields: &[(&str, Value)]) {
    if !QUIET.load(Ordering::Relaxed) {
        emit("info", event, fields);
    }
}

pub fn warn(event: &str, fields: &[(&str, Value)]) {
    emit("warn", event, fields);
}

pub fn error(event: &str, fields: &[(&str, Value)]) {
    emit("error", event, fields);
}

/// The log line for an event (exposed for tests).
pub fn line(level: &str, event: &str, fields: &[(&str, Value)]) -> String {
    let mut m = Map::new();
    m.insert("ts".into(), Value::String(now_rfc3339()));
    m.insert("level".into(), Value::String(level.into()));
    m.insert("event".into(), Value::String(event.into()));
    for (k, v) in fields {
        m.insert((*k).to_string(), masked(v.clone()));
    }
    Value::Object(m).to_string()
}

fn emit(level: &str, event: &str, fields: &[(&str, Value)]) {
    let l = line(level, event, fields);
    let _ = writeln!(std::io::stderr().lock(), "{l}");
}

fn masked(v: Value) -> Value {
    crate::idcard::mask_in_json(v)
}

/// UTC time as `2026-11-22T10:20:30.123Z` without a date library.
pub fn now_rfc3339() -> String {
    let d = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, dd) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{dd:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        d.subsec_millis()
    )
}

/// Today's date (UTC+8, China) as `YYYY-MM-DD`: filings are dated in Beijing time.
pub fn today_china() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs() as i64
        + 8 * 3600;
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

/// Howard Hinnant's days-to-civil algorithm.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_numbers_are_masked_in_every_field() {
        let l = line(
            "info",
            "filing",
            &[
                ("msg", "bad id 11010519491231002X".into()),
                ("nested", serde_json::json!({"certno": "11010519491231002X"})),
            ],
        );
        assert!(!l.contains("11010519491231002X"), "{l}");
        assert!(l.contains("1101**********002X"));
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_779), (2026, 11, 22));
    }
}
