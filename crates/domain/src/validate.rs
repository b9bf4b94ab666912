//! Parsing of user input into values the rest of the system can trust ("parse, don't validate").

use chrono::NaiveDate;

use crate::error::FieldError;

/// A trimmed, non-empty text of at most `max` characters without control characters
/// (newlines allowed only when `multiline`).
pub fn text(
    field: &'static str,
    value: &str,
    max: usize,
    multiline: bool,
) -> Result<String, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(FieldError::new(
            field,
            "required",
            "Trường này là bắt buộc.",
            "This field is required.",
        ));
    }
    if v.chars().count() > max {
        return Err(FieldError::new(
            field,
            "too_long",
            format!("Không được dài quá {max} ký tự."),
            format!("Must not exceed {max} characters."),
        ));
    }
    if v.chars()
        .any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')))
    {
        return Err(FieldError::new(
            field,
            "control_characters",
            "Có ký tự điều khiển không hợp lệ.",
            "Contains invalid control characters.",
        ));
    }
    Ok(v.to_string())
}

/// Like [`text`], but an empty value is `None`.
pub fn optional_text(
    field: &'static str,
    value: &str,
    max: usize,
    multiline: bool,
) -> Result<Option<String>, FieldError> {
    if value.trim().is_empty() {
        Ok(None)
    } else {
        text(field, value, max, multiline).map(Some)
    }
}

/// Account names: 3–64 characters of a–z, 0–9, dot, dash and underscore, lower-cased.
pub fn username(field: &'static str, value: &str) -> Result<String, FieldError> {
    let v = value.trim().to_lowercase();
    let ok_chars = v
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'));
    if !(3..=64).contains(&v.len()) || !ok_chars {
        return Err(FieldError::new(
            field,
            "invalid_username",
            "Tên đăng nhập gồm 3–64 ký tự: chữ không dấu, số, dấu chấm, gạch ngang, gạch dưới.",
            "A user name has 3–64 characters: letters a–z, digits, dot, dash, underscore.",
        ));
    }
    Ok(v)
}

/// A date written as YYYY-MM-DD (ISO, as forms and the API send it) or dd/mm/yyyy.
pub fn date(field: &'static str, value: &str) -> Result<NaiveDate, FieldError> {
    let v = value.trim();
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(v, "%d/%m/%Y"))
        .map_err(|_| {
            FieldError::new(
                field,
                "invalid_date",
                "Ngày không hợp lệ (dạng dd/mm/yyyy hoặc yyyy-mm-dd).",
                "Invalid date (use dd/mm/yyyy or yyyy-mm-dd).",
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_rules() {
        assert_eq!(
            text("t", "  Hội Nông dân  ", 50, false).as_deref(),
            Ok("Hội Nông dân")
        );
        assert_eq!(
            text("t", "   ", 50, false).map_err(|e| e.code),
            Err("required")
        );
        assert_eq!(
            text("t", &"á".repeat(51), 50, false).map_err(|e| e.code),
            Err("too_long")
        );
        assert!(text("t", &"á".repeat(50), 50, false).is_ok());
        assert_eq!(
            text("t", "a\u{7}b", 50, false).map_err(|e| e.code),
            Err("control_characters")
        );
        assert!(text("t", "dòng 1\ndòng 2", 50, true).is_ok());
        assert!(text("t", "dòng 1\ndòng 2", 50, false).is_err());
    }

    #[test]
    fn usernames() {
        assert_eq!(username("u", " Can.Bo_01 ").as_deref(), Ok("can.bo_01"));
        assert!(username("u", "ab").is_err());
        assert!(username("u", "cán bộ").is_err());
    }

    #[test]
    fn dates() {
        assert_eq!(
            date("d", "2024-06-01"),
            Ok(NaiveDate::from_ymd_opt(2024, 6, 1).expect("valid"))
        );
        assert_eq!(
            date("d", "01/06/2024"),
            Ok(NaiveDate::from_ymd_opt(2024, 6, 1).expect("valid"))
        );
        assert!(date("d", "2024-13-01").is_err());
        assert!(date("d", "hôm qua").is_err());
    }
}
