//! Vietnamese text: alphabetical order as a dictionary sorts it.
//!
//! The alphabet is a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y; letters with
//! the same base and vowel marks are then ordered by tone: none, huyền, hỏi, ngã, sắc, nặng.
//! Byte order would put every word starting with Đ after Z and "Â" after "Z" too.

use std::cmp::Ordering;

use unicode_normalization::UnicodeNormalization;

const GRAVE: char = '\u{300}';
const ACUTE: char = '\u{301}';
const CIRCUMFLEX: char = '\u{302}';
const TILDE: char = '\u{303}';
const BREVE: char = '\u{306}';
const HOOK: char = '\u{309}';
const HORN: char = '\u{31B}';
const DOT_BELOW: char = '\u{323}';

/// Primary weights (letters with their vowel marks) and secondary weights (tones).
fn weights(s: &str) -> (Vec<u32>, Vec<u8>) {
    let mut primary = Vec::new();
    let mut tones = Vec::new();
    for c in s.nfd() {
        let lower = c.to_lowercase().next().unwrap_or(c);
        match lower {
            CIRCUMFLEX | BREVE | HORN => {
                // A vowel mark makes a letter of its own, right after the base letter.
                if let Some(last) = primary.last_mut() {
                    *last += match lower {
                        BREVE => 1,
                        CIRCUMFLEX => 2,
                        _ => 3,
                    };
                }
            }
            GRAVE => set_tone(&mut tones, 1),
            HOOK => set_tone(&mut tones, 2),
            TILDE => set_tone(&mut tones, 3),
            ACUTE => set_tone(&mut tones, 4),
            DOT_BELOW => set_tone(&mut tones, 5),
            'đ' => {
                primary.push(u32::from('d') * 8 + 4);
                tones.push(0);
            }
            other => {
                primary.push(u32::from(other) * 8);
                tones.push(0);
            }
        }
    }
    (primary, tones)
}

fn set_tone(tones: &mut [u8], tone: u8) {
    if let Some(last) = tones.last_mut() {
        *last = tone;
    }
}

/// Compares two strings in Vietnamese dictionary order, ignoring case first.
pub fn vi_cmp(a: &str, b: &str) -> Ordering {
    let (pa, ta) = weights(a);
    let (pb, tb) = weights(b);
    pa.cmp(&pb).then_with(|| ta.cmp(&tb)).then_with(|| a.cmp(b))
}

/// The name without its administrative prefix, for sorting lists of communes by name.
pub fn unit_sort_name(name: &str) -> &str {
    for prefix in [
        "Phường ",
        "Xã ",
        "Thị trấn ",
        "Đặc khu ",
        "Thành phố ",
        "Thị xã ",
        "Huyện ",
        "Tỉnh ",
    ] {
        if let Some(rest) = name.strip_prefix(prefix) {
            return rest;
        }
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(words: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = words.iter().map(|s| s.to_string()).collect();
        v.sort_by(|a, b| vi_cmp(a, b));
        v
    }

    #[test]
    fn dictionary_order() {
        assert_eq!(
            sorted(&["Đông", "Dương", "Zê", "An"]),
            ["An", "Dương", "Đông", "Zê"]
        );
        assert_eq!(sorted(&["ân", "ăn", "an", "bé"]), ["an", "ăn", "ân", "bé"]);
        assert_eq!(
            sorted(&["ma", "mạ", "mà", "mả", "mã", "má"]),
            ["ma", "mà", "mả", "mã", "má", "mạ"]
        );
        assert_eq!(sorted(&["Ơn", "Ôm", "Ong"]), ["Ong", "Ôm", "Ơn"]);
        assert_eq!(sorted(&["Úc", "Ưu", "Uống"]), ["Úc", "Uống", "Ưu"]);
        // Composed and decomposed input sort alike.
        assert_eq!(
            weights("Mỹ Hoà Hưng"),
            weights("Mỹ Hoà Hưng".nfd().collect::<String>().as_str())
        );
    }

    #[test]
    fn unit_names() {
        assert_eq!(unit_sort_name("Phường Long Xuyên"), "Long Xuyên");
        assert_eq!(unit_sort_name("Đặc khu Phú Quốc"), "Phú Quốc");
        assert_eq!(unit_sort_name("Óc Eo"), "Óc Eo");
    }
}
