//! Request dates (`"2025-08-01"`) read by hand: the same dates and the same errors as chrono's `Deserialize`
//! for `NaiveDate`, which calls `NaiveDate::from_str`, without chrono's general format parser (~12 KB of
//! wasm). The hand request reader (`read`) uses it in every build; the serde-read request types take it
//! through `#[cfg_attr(feature = "small-dates", serde(deserialize_with = …))]`, and without that feature
//! keep chrono's reader. The tests compare both on every kind of text, through serde_json too (messages and
//! positions).

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

/// `NaiveDate::from_str`: the items year (4 digits, or signed with any number), space, `-`, month (2), space,
/// `-`, day (2), space, each numeric item after leading whitespace; then nothing may be left.
pub fn parse(s: &str) -> Result<NaiveDate, DateError> {
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

    fn same(s: &str) {
        let ours = parse(s).map_err(|e| e.to_string());
        let chrono = s.parse::<NaiveDate>().map_err(|e| e.to_string());
        assert_eq!(ours, chrono, "{s:?}");
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
