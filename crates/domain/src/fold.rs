//! The diacritic fold (DESIGN.md §7): one function for indexing and for querying, so that a
//! query typed without diacritics, in capitals, in decomposed Unicode or with either tone
//! placement (hòa / hoà, thủy / thuỷ) meets the text it means; đ matches d.

use std::collections::HashSet;

use unicode_normalization::UnicodeNormalization;

/// Folds `s`: NFD, combining marks dropped (tone placement no longer matters once tones are
/// gone), đ → d, lower case, runs of anything but letters and digits → one space.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut gap = false;
    for c in s.nfd() {
        if ('\u{300}'..='\u{36f}').contains(&c) {
            continue;
        }
        let c = match c {
            'đ' | 'Đ' => 'd',
            c => c,
        };
        if c.is_alphanumeric() {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            out.extend(c.to_lowercase());
        } else {
            gap = true;
        }
    }
    out
}

/// Does the folded `text` contain the folded `query` as whole syllables?
pub fn matches(text_folded: &str, query_folded: &str) -> bool {
    if query_folded.is_empty() {
        return true;
    }
    let padded = format!(" {text_folded} ");
    padded.contains(&format!(" {query_folded} "))
}

/// Pairs of neighbouring syllables: Vietnamese words are mostly two syllables, so pairs
/// carry the meaning that single syllables ("xã", "đường") do not.
fn shingles(folded: &str) -> HashSet<(&str, &str)> {
    let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    words.windows(2).map(|w| (w[0], w[1])).collect()
}

/// Likeness of two folded texts in [0, 1] (Jaccard index of their syllable pairs).
pub fn similarity(a_folded: &str, b_folded: &str) -> f64 {
    Likeness::of(a_folded).to(b_folded)
}

/// One text's syllable pairs, made once to be compared with many others (a new petition
/// against the open ones of its commune).
pub struct Likeness<'a>(HashSet<(&'a str, &'a str)>);

impl<'a> Likeness<'a> {
    pub fn of(folded: &'a str) -> Likeness<'a> {
        Likeness(shingles(folded))
    }

    /// [`similarity`] of this text and `other_folded`.
    pub fn to(&self, other_folded: &str) -> f64 {
        let other = shingles(other_folded);
        if self.0.is_empty() || other.is_empty() {
            return 0.0;
        }
        let shared = other.iter().filter(|p| self.0.contains(*p)).count() as f64;
        shared / ((self.0.len() + other.len()) as f64 - shared)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_marks_case_and_tone_placement() {
        assert_eq!(fold("Dân vận khéo"), "dan van kheo");
        assert_eq!(fold("ĐƯỜNG giao thông"), "duong giao thong");
        assert_eq!(fold("hòa"), fold("hoà"));
        assert_eq!(fold("thủy"), fold("thuỷ"));
        let nfd: String = "Mỹ Hoà Hưng".nfd().collect();
        assert_eq!(fold(&nfd), "my hoa hung");
        assert_eq!(fold("  Xã  Óc-Eo, (An Giang) "), "xa oc eo an giang");
    }

    #[test]
    fn matches_whole_syllables_only() {
        assert!(matches(&fold("Phường Châu Đốc"), &fold("Chau Đoc")));
        assert!(!matches(&fold("Phường Châu Đốc"), &fold("hau do")));
    }

    #[test]
    fn similar_texts_score_high_and_unrelated_low() {
        let a = fold("Đường ấp Mỹ Thạnh bị ngập nước, xe không đi được");
        let b = fold("Đường ấp Mỹ Thạnh ngập nước nhiều ngày, xe không đi được");
        let c = fold("Hàng xóm đốt rác gây khói");
        assert!(similarity(&a, &b) > 0.4, "{}", similarity(&a, &b));
        assert!(similarity(&a, &c) < 0.1);
        assert_eq!(similarity(&a, &a), 1.0);
    }
}
