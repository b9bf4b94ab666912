//! Vietnamese formatting of numbers and dates, done in Rust so the templates
//! only place ready-made strings.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

/// `1234567` → `1.234.567`.
pub fn int(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if value < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// `1234.5` → `1.234,5`; whole numbers without decimals; at most two decimals.
pub fn number(value: f64) -> String {
    if !value.is_finite() {
        return "—".to_owned();
    }
    let rounded = (value * 100.0).round() / 100.0;
    if rounded.fract() == 0.0 && rounded.abs() < 9.0e15 {
        // Exact: a whole f64 below 2^53 converts to i64 without loss.
        #[allow(clippy::cast_possible_truncation)]
        return int(rounded as i64);
    }
    let text = format!("{rounded:.2}");
    let text = text.trim_end_matches('0');
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    let negative = whole.starts_with('-');
    let whole_digits = whole.trim_start_matches('-');
    let grouped = whole_digits
        .parse::<i64>()
        .map(int)
        .unwrap_or_else(|_| whole_digits.to_owned());
    format!("{}{grouped},{frac}", if negative { "-" } else { "" })
}

/// `achieved / target` as a percentage, e.g. `87,5`; `—` without a target.
pub fn percent(achieved: f64, target: f64) -> String {
    if target == 0.0 || !target.is_finite() || !achieved.is_finite() {
        return "—".to_owned();
    }
    let pct = achieved / target * 100.0;
    let rounded = (pct * 10.0).round() / 10.0;
    number(rounded)
}

/// Day and month the way Nghị định 30/2020 writes them: days below 10 and
/// the months January and February get a leading zero.
fn day_month(date: NaiveDate) -> (String, String) {
    let day = format!("{:02}", date.day());
    let month = if date.month() <= 2 {
        format!("{:02}", date.month())
    } else {
        date.month().to_string()
    };
    (day, month)
}

/// `ngày 05 tháng 01 năm 2026`.
pub fn date_words(date: NaiveDate) -> String {
    let (day, month) = day_month(date);
    format!("ngày {day} tháng {month} năm {}", date.year())
}

/// `An Giang, ngày 25 tháng 11 năm 2026`.
pub fn place_date(place: &str, date: NaiveDate) -> String {
    format!("{place}, {}", date_words(date))
}

/// `25/11/2026`.
pub fn date_short(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// `08 giờ 30 phút`.
pub fn time_words(hour: u32, minute: u32) -> String {
    format!("{hour:02} giờ {minute:02} phút")
}

/// `08 giờ 30 phút, ngày 20 tháng 11 năm 2026`.
pub fn datetime_words(at: NaiveDateTime) -> String {
    format!(
        "{}, {}",
        time_words(at.hour(), at.minute()),
        date_words(at.date())
    )
}

/// Plain text → paragraphs: one per non-empty line, trimmed.
pub fn paragraphs(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(int(0), "0");
        assert_eq!(int(999), "999");
        assert_eq!(int(1000), "1.000");
        assert_eq!(int(-1_234_567), "-1.234.567");
        assert_eq!(number(12.0), "12");
        assert_eq!(number(1234.5), "1.234,5");
        assert_eq!(number(-0.25), "-0,25");
        assert_eq!(number(f64::NAN), "—");
        assert_eq!(percent(7.0, 8.0), "87,5");
        assert_eq!(percent(3.0, 3.0), "100");
        assert_eq!(percent(3.0, 0.0), "—");
    }

    #[test]
    fn dates() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
        assert_eq!(
            place_date("An Giang", d(2026, 11, 25)),
            "An Giang, ngày 25 tháng 11 năm 2026"
        );
        assert_eq!(date_words(d(2026, 1, 5)), "ngày 05 tháng 01 năm 2026");
        assert_eq!(date_words(d(2026, 3, 9)), "ngày 09 tháng 3 năm 2026");
        assert_eq!(date_short(d(2026, 3, 9)), "09/03/2026");
        assert_eq!(paragraphs(" a \n\n b\r\n"), vec!["a", "b"]);
    }
}
