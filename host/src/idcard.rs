//! 居民身份证号 (GB 11643-1999): format and ISO 7064 MOD 11-2 check character, and masking for logs.

/// Why an identity number was refused (no digits of it are repeated here).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdError {
    Length,
    Characters,
    BirthDate,
    CheckCharacter,
}

impl IdError {
    pub fn message_en(self) -> &'static str {
        match self {
            IdError::Length => "identity number must have 18 characters",
            IdError::Characters => "identity number must be 17 digits followed by a digit or X",
            IdError::BirthDate => "identity number carries an impossible birth date",
            IdError::CheckCharacter => "identity number check character is wrong (GB 11643)",
        }
    }
    pub fn message_zh(self) -> &'static str {
        match self {
            IdError::Length => "身份证号应为 18 位",
            IdError::Characters => "身份证号应为 17 位数字加 1 位数字或 X",
            IdError::BirthDate => "身份证号中的出生日期不存在",
            IdError::CheckCharacter => "身份证号校验码错误（GB 11643）",
        }
    }
}

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [u8; 11] = *b"10X98765432";

/// The check character for the first 17 digits.
pub fn check_char(first17: &[u8]) -> Option<u8> {
    if first17.len() != 17 || !first17.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    Some(CHECK[(sum % 11) as usize])
}

/// Validate an 18-character identity number (lower-case x accepted). Returns the normalised form.
pub fn validate(id: &str) -> Result<String, IdError> {
    let id = id.trim().to_ascii_uppercase();
    let b = id.as_bytes();
    if b.len() != 18 {
        return Err(IdError::Length);
    }
    if !b[..17].iter().all(u8::is_ascii_digit) || !(b[17].is_ascii_digit() || b[17] == b'X') {
        return Err(IdError::Characters);
    }
    let num = |r: std::ops::Range<usize>| id[r].parse::<u32>().unwrap_or(0);
    let (y, m, d) = (num(6..10), num(10..12), num(12..14));
    if !(1900..=2100).contains(&y) || !valid_date(y, m, d) {
        return Err(IdError::BirthDate);
    }
    if check_char(&b[..17]) != Some(b[17]) {
        return Err(IdError::CheckCharacter);
    }
    Ok(id)
}

fn valid_date(y: u32, m: u32, d: u32) -> bool {
    let leap = (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// Mask an identity number for logs and screens: first 4 and last 4 kept (`6101**********1234`).
/// Anything shorter than 9 characters is masked entirely.
pub fn mask(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() < 9 {
        return "*".repeat(chars.len());
    }
    let n = chars.len();
    chars[..4]
        .iter()
        .chain(std::iter::repeat_n(&'*', n - 8))
        .chain(chars[n - 4..].iter())
        .collect()
}

/// Every string of a JSON value (and every member name) with [`mask_in_text`] applied: for log lines and
/// for answers that quote what a client sent.
pub fn mask_in_json(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::String(s) => Value::String(mask_in_text(&s)),
        Value::Array(a) => Value::Array(a.into_iter().map(mask_in_json).collect()),
        Value::Object(o) => Value::Object(
            o.into_iter()
                .map(|(k, v)| (mask_in_text(&k), mask_in_json(v)))
                .collect(),
        ),
        other => other,
    }
}

/// Replace every 15- or 18-character run that looks like an identity number in free text by its mask (the
/// core's own rule, which masks the core's error messages the same way).
pub fn mask_in_text(text: &str) -> String {
    yidi_core::error::mask_identity_numbers(text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Build a valid number from 17 digits (test helper, mirrors the standard).
    fn with_check(first17: &str) -> String {
        format!("{first17}{}", check_char(first17.as_bytes()).unwrap() as char)
    }

    #[test]
    fn check_character_follows_iso_7064() {
        // GB 11643's published example: 11010519491231002X.
        assert_eq!(validate("11010519491231002X").unwrap(), "11010519491231002X");
        assert_eq!(validate("11010519491231002x").unwrap(), "11010519491231002X");
        assert_eq!(validate("110105194912310021"), Err(IdError::CheckCharacter));
        let ok = with_check("61010419800101123");
        assert!(validate(&ok).is_ok());
    }

    #[test]
    fn refuses_bad_shapes_and_dates() {
        assert_eq!(validate("1234"), Err(IdError::Length));
        assert_eq!(validate("11010519491231002Y"), Err(IdError::Characters));
        assert_eq!(
            validate(&with_check("11010519490230002")),
            Err(IdError::BirthDate)
        );
    }

    #[test]
    fn masks_keep_four_and_four() {
        assert_eq!(mask("610104198001011234"), "6101**********1234");
        assert_eq!(mask("12345"), "*****");
        assert_eq!(
            mask_in_text("id 610104198001011234 bad, tel 13800138000"),
            "id 6101**********1234 bad, tel 13800138000"
        );
    }
}
