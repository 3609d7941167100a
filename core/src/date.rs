//! Request dates (`"2025-08-01"`) read by hand: every text chrono's `Deserialize` for `NaiveDate` reads
//! (`NaiveDate::from_str`), read the same, with its error texts, without chrono's general format parser
//! (~12 KB of wasm); and the forms hospital exports write that chrono refuses (`20261010`, `2026/10/10`, a
//! date with a time of day), read as their day. The hand request reader (`read`) and every serde-read request
//! type (`#[serde(deserialize_with = …)]`) use it, in every build, so all hosts read a date alike. The tests
//! compare it with chrono on every kind of text, through serde_json too (messages and positions).

use chrono::NaiveDate;
use core::fmt;
use serde::de::{self, Deserialize, Deserializer, Visitor};

/// chrono's `ParseErrorKind`s that `NaiveDate::from_str` can give, with its `Display` texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateError {
    OutOfRange,
    Invalid,
    TooShort,
    TooLong,
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DateError::OutOfRange => "input is out of range",
            DateError::Invalid => "input contains invalid characters",
            DateError::TooShort => "premature end of input",
            DateError::TooLong => "trailing input",
        })
    }
}

/// chrono's `scan::number(s, 1, max)`: at least one and at most `max` ASCII digits.
fn number(s: &str, max: usize) -> Result<(&str, i64), DateError> {
    let bytes = s.as_bytes();
    if bytes.is_empty() {
        return Err(DateError::TooShort);
    }
    let mut n = 0i64;
    for (i, &c) in bytes.iter().take(max).enumerate() {
        if !c.is_ascii_digit() {
            return if i == 0 {
                Err(DateError::Invalid)
            } else {
                Ok((&s[i..], n))
            };
        }
        n = n
            .checked_mul(10)
            .and_then(|n| n.checked_add(i64::from(c - b'0')))
            .ok_or(DateError::OutOfRange)?;
    }
    Ok((&s[max.min(bytes.len())..], n))
}

/// chrono's `Item::Literal("-")`.
fn dash(s: &str) -> Result<&str, DateError> {
    match s.strip_prefix('-') {
        Some(rest) => Ok(rest),
        None if s.is_empty() => Err(DateError::TooShort),
        None => Err(DateError::Invalid),
    }
}

/// A request date: every text chrono's `NaiveDate::from_str` reads, read as it reads it (see [`chrono_form`]),
/// and the forms hospital systems export (see [`export_form`]). A text neither reads gets chrono's error.
pub fn parse(s: &str) -> Result<NaiveDate, DateError> {
    chrono_form(s).or_else(|e| export_form(s).ok_or(e))
}

/// The forms hospital and agency systems write in date fields that chrono's reader refuses: `YYYYMMDD`,
/// `YYYY/MM/DD`, and either of those or `YYYY-MM-DD` followed by a time of day after a space or `T`
/// (`2026-10-10 08:30:00`, the national interface's `begntime` / `fee_ocur_time` form; `HH:MM`, `HH:MM:SS`,
/// `HH:MM:SS.fff`). The date is kept and the time of day dropped: every rule of the core works on days.
/// Surrounding whitespace is allowed; anything else is not a date.
pub fn export_form(s: &str) -> Option<NaiveDate> {
    let t = s.trim().as_bytes();
    // The date: 8 digits, or 4-2-2 digits with the same separator (`-` or `/`) twice.
    let (digits, rest): (&[u8; 8], &[u8]) = match t.get(4) {
        Some(&sep @ (b'-' | b'/')) if t.len() >= 10 && t[7] == sep => {
            let mut d = [0u8; 8];
            d[..4].copy_from_slice(&t[..4]);
            d[4..6].copy_from_slice(&t[5..7]);
            d[6..].copy_from_slice(&t[8..10]);
            return date_of(&d, &t[10..]);
        }
        _ => (t.get(..8)?.try_into().ok()?, &t[8..]),
    };
    date_of(digits, rest)
}

/// The day of `YYYYMMDD` when `rest` is empty or a valid time of day (` ` or `T`, then `HH:MM`,
/// `HH:MM:SS` or `HH:MM:SS.f…`, a leap second allowed as chrono allows it).
#[inline(never)]
fn date_of(d: &[u8; 8], rest: &[u8]) -> Option<NaiveDate> {
    let mut n = [0u32; 3];
    for (i, &c) in d.iter().enumerate() {
        let v = u32::from(c.wrapping_sub(b'0'));
        if v > 9 {
            return None;
        }
        let k = if i < 4 { 0 } else { (i - 2) / 2 };
        n[k] = n[k] * 10 + v;
    }
    if let [sep, time @ ..] = rest {
        if !matches!(sep, b' ' | b'T') {
            return None;
        }
        // Shape: digits where the mask says so, `:` between; limits per field.
        let (clock, frac) = match time.iter().position(|&c| c == b'.') {
            Some(i) if i == 8 && time.len() > 9 && time.len() <= 18 => (&time[..8], &time[9..]),
            Some(_) => return None,
            None => (time, &[][..]),
        };
        if clock.len() != 5 && clock.len() != 8 {
            return None;
        }
        let mut field = 0u32;
        for (i, &c) in clock.iter().enumerate() {
            if i % 3 == 2 {
                if c != b':' {
                    return None;
                }
                field = 0;
                continue;
            }
            let v = u32::from(c.wrapping_sub(b'0'));
            field = field * 10 + v;
            let limit = [23, 59, 60][i / 3];
            if v > 9 || (i % 3 == 1 && field > limit) {
                return None;
            }
        }
        if frac.iter().any(|c| !c.is_ascii_digit()) {
            return None;
        }
    }
    NaiveDate::from_ymd_opt(n[0] as i32, n[1], n[2])
}

/// `NaiveDate::from_str`: the items year (4 digits, or signed with any number), space, `-`, month (2), space,
/// `-`, day (2), space, each numeric item after leading whitespace; then nothing may be left.
pub fn chrono_form(s: &str) -> Result<NaiveDate, DateError> {
    let s = s.trim_start();
    let (s, year) = if let Some(rest) = s.strip_prefix('-') {
        let (rest, v) = number(rest, usize::MAX)?;
        (rest, 0i64.checked_sub(v).ok_or(DateError::OutOfRange)?)
    } else if let Some(rest) = s.strip_prefix('+') {
        number(rest, usize::MAX)?
    } else {
        number(s, 4)?
    };
    let year = i32::try_from(year).map_err(|_| DateError::OutOfRange)?;
    let s = dash(s.trim_start())?;
    let (s, month) = number(s.trim_start(), 2)?;
    if !(1..=12).contains(&month) {
        return Err(DateError::OutOfRange);
    }
    let s = dash(s.trim_start())?;
    let (s, day) = number(s.trim_start(), 2)?;
    if !(1..=31).contains(&day) {
        return Err(DateError::OutOfRange);
    }
    if !s.trim_start().is_empty() {
        return Err(DateError::TooLong);
    }
    // Month and day are in range, so the casts are exact.
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).ok_or(DateError::OutOfRange)
}

struct DateVisitor;

impl Visitor<'_> for DateVisitor {
    type Value = NaiveDate;

    // chrono's text, so a JSON number or object given for a date gets the same message.
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a formatted date string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<NaiveDate, E> {
        parse(v).map_err(E::custom)
    }
}

/// A date as chrono reads it (`deserialize_with`).
pub fn read<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    d.deserialize_str(DateVisitor)
}

struct Date(NaiveDate);

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        read(d).map(Date)
    }
}

/// An optional date as serde reads `Option<NaiveDate>` (`deserialize_with`, with `default` for an absent field).
pub fn read_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    Ok(Option::<Date>::deserialize(d)?.map(|d| d.0))
}

/// An optional date where `null` and an empty text mean none (a filing's empty `enddate` is open-ended,
/// NATIONAL_SPEC §1); other texts as [`read`].
pub fn read_opt_blank<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    struct Blank;
    impl<'de> Visitor<'de> for Blank {
        type Value = Option<NaiveDate>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a formatted date string")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_str(self)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            if v.trim().is_empty() {
                Ok(None)
            } else {
                parse(v).map(Some).map_err(E::custom)
            }
        }
    }
    d.deserialize_option(Blank)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    /// chrono's reading of every text, and `parse` = chrono's reading unless chrono refuses a text that is
    /// one of the export forms.
    fn same(s: &str) {
        let chrono = s.parse::<NaiveDate>().map_err(|e| e.to_string());
        assert_eq!(chrono_form(s).map_err(|e| e.to_string()), chrono, "{s:?}");
        let ours = parse(s).map_err(|e| e.to_string());
        match (&chrono, export_form(s)) {
            (Err(_), Some(d)) => assert_eq!(ours, Ok(d), "{s:?}"),
            _ => assert_eq!(ours, chrono, "{s:?}"),
        }
    }

    #[test]
    fn export_forms_read_as_their_day() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        for (text, day) in [
            ("20261010", d(2026, 10, 10)),
            (" 20240229 ", d(2024, 2, 29)),
            ("2026/10/10", d(2026, 10, 10)),
            ("2026-10-10 08:30:00", d(2026, 10, 10)),
            ("2026-10-10T08:30:00", d(2026, 10, 10)),
            ("2026-10-10 08:30", d(2026, 10, 10)),
            ("2026-10-10 23:59:59.123", d(2026, 10, 10)),
            ("2026/01/31 00:00:00", d(2026, 1, 31)),
            ("20261231 12:00:00", d(2026, 12, 31)),
            ("2026-10-10", d(2026, 10, 10)),
        ] {
            assert_eq!(parse(text), Ok(day), "{text:?}");
        }
        for text in [
            "20230229",
            "20261310",
            "2026101",
            "202610101",
            "2026/10-10",
            "2026-10-10T",
            "2026-10-10 24:00:00",
            "2026-10-10 08:60",
            "2026-10-10 08:30:00x",
            "2026-10-10 08:30:00.",
            "2026-10-10 8:30",
            "2026-10-10  08:30",
            "2026-10-10 08:30.5",
            "２０２６１０１０",
            "+20261010",
        ] {
            assert!(parse(text).is_err(), "{text:?} read as {:?}", parse(text));
        }
        // A text chrono refuses and no export form reads keeps chrono's error.
        assert_eq!(
            parse("2026-10-10 08:30:00x").unwrap_err().to_string(),
            "trailing input"
        );
    }

    #[test]
    fn dates_and_errors_as_chrono_on_structured_text() {
        for y in [
            "0",
            "1",
            "99",
            "999",
            "2024",
            "2025",
            "9999",
            "12345",
            "+2024",
            "-2024",
            "+0",
            "-0",
            "+262143",
            "+262144",
            "-262144",
            "-262145",
            "+2147483647",
            "+2147483648",
            "-2147483648",
            "-2147483649",
            "+9223372036854775807",
            "+9223372036854775808",
            "-9223372036854775808",
            "",
            "+",
            "-",
            " 2024",
            "a",
        ] {
            for m in ["0", "1", "01", "02", "2", "12", "13", "001", "", " 1", "1 ", "x"] {
                for d in [
                    "0",
                    "1",
                    "01",
                    "28",
                    "29",
                    "30",
                    "31",
                    "32",
                    "001",
                    "",
                    " 1",
                    "1 ",
                    "1x",
                    "1\u{3000}",
                ] {
                    same(&format!("{y}-{m}-{d}"));
                    same(&format!("{y} - {m} - {d}"));
                    same(&format!("{y}-{m}"));
                    same(&format!("\t{y}-{m}-{d}\n"));
                }
            }
        }
    }

    #[test]
    fn dates_and_errors_as_chrono_on_random_text() {
        let alphabet: Vec<char> = "0123456789012345678901234567890123456789----++  \t\u{3000}\u{a0}a/年"
            .chars()
            .collect();
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..300_000 {
            let len = (next() % 16) as usize;
            let s: String = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            same(&s);
        }
        // Every calendar day of some years, and every near miss of a day.
        for y in [1900, 2000, 2023, 2024, 2100] {
            for m in 1..=12 {
                for d in 1..=31 {
                    same(&format!("{y}-{m:02}-{d:02}"));
                    same(&format!("{y}-{m}-{d}"));
                }
            }
        }
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Hand {
        #[serde(deserialize_with = "read")]
        a: NaiveDate,
        #[serde(default, deserialize_with = "read_opt")]
        b: Option<NaiveDate>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Chrono {
        a: NaiveDate,
        #[serde(default)]
        b: Option<NaiveDate>,
    }

    #[test]
    fn through_serde_json_the_same_values_messages_and_positions() {
        let values = [
            r#""2024-02-29""#,
            r#""2023-02-29""#,
            r#""2024-13-01""#,
            r#""x""#,
            r#""""#,
            r#"" 2024-1-1 ""#,
            r#""2024-01-01x""#,
            r#""2024\u002d01-01""#,
            "null",
            "1",
            "-1",
            "1.5",
            "true",
            "[]",
            r#"["2024-01-01"]"#,
            "{}",
            r#"{"a":1}"#,
        ];
        for a in values {
            for b in values
                .iter()
                .map(|b| format!(r#","b":{b}"#))
                .chain([String::new()])
            {
                for json in [format!(r#"{{"a":{a}{b}}}"#), format!("{{\n  \"a\": {a}\n{b}\n}}")] {
                    let ours = serde_json::from_str::<Hand>(&json)
                        .map(|h| (h.a, h.b))
                        .map_err(|e| e.to_string());
                    let chrono = serde_json::from_str::<Chrono>(&json)
                        .map(|c| (c.a, c.b))
                        .map_err(|e| e.to_string());
                    assert_eq!(ours, chrono, "{json}");
                }
            }
        }
        let missing = r#"{"b":"2024-01-01"}"#;
        assert_eq!(
            serde_json::from_str::<Hand>(missing).unwrap_err().to_string(),
            serde_json::from_str::<Chrono>(missing).unwrap_err().to_string()
        );
    }
}
