//! Vietnamese number and date formats: 1.234.567 and 1.234,5; dd/mm/yyyy.

/// A number with "." between thousands and "," before decimals (at most two, trailing zeros dropped).
pub fn number(v: f64) -> String {
    let negative = v < 0.0;
    let rounded = (v.abs() * 100.0).round() / 100.0;
    let whole = rounded.trunc() as u64;
    let cents = ((rounded - rounded.trunc()) * 100.0).round() as u64;
    let digits = whole.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(ch);
    }
    if cents > 0 {
        let frac = format!("{cents:02}");
        out.push(',');
        out.push_str(frac.trim_end_matches('0'));
    }
    if negative && (whole > 0 || cents > 0) {
        format!("-{out}")
    } else {
        out
    }
}

pub fn date(d: chrono::NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_numbers() {
        assert_eq!(number(1234567.0), "1.234.567");
        assert_eq!(number(0.0), "0");
        assert_eq!(number(999.0), "999");
        assert_eq!(number(1000.0), "1.000");
        assert_eq!(number(1234.5), "1.234,5");
        assert_eq!(number(2.25), "2,25");
        assert_eq!(number(-1500.0), "-1.500");
    }
}
