//! The diacritic fold (DESIGN.md §7): one function for indexing and for querying, so that a
//! query typed without diacritics, in capitals, in decomposed Unicode or with either tone
//! placement (hòa / hoà, thủy / thuỷ) meets the text it means; đ matches d.

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
fn shingles(folded: &str) -> Vec<(&str, &str)> {
    let mut words = folded.split(' ').filter(|w| !w.is_empty());
    let mut pairs = Vec::new();
    if let Some(mut previous) = words.next() {
        for word in words {
            pairs.push((previous, word));
            previous = word;
        }
    }
    pairs
}

/// How many items two sorted, deduplicated lists share (one merge pass).
fn shared<T: Ord>(a: &[T], b: &[T]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Likeness of two folded texts in [0, 1] (Jaccard index of their syllable pairs).
pub fn similarity(a_folded: &str, b_folded: &str) -> f64 {
    Likeness::of(a_folded).to(&Likeness::of(b_folded))
}

/// One text's syllable pairs, made once to be compared with many others (a new petition
/// against the open ones of its commune, which are kept made). Each pair is kept as a
/// 64-bit hash: comparing is then a merge of two sorted lists of integers, with no string
/// compared or allocated (a collision, about one in 10¹⁹ per pair, would count a pair as
/// shared that is not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Likeness(Vec<u64>);

impl Likeness {
    pub fn of(folded: &str) -> Likeness {
        use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
        // Fixed keys (not `RandomState`'s): lists made at different times stay comparable.
        let hasher = BuildHasherDefault::<DefaultHasher>::default();
        let mut hashes: Vec<u64> = shingles(folded)
            .into_iter()
            .map(|pair| hasher.hash_one(pair))
            .collect();
        hashes.sort_unstable();
        hashes.dedup();
        Likeness(hashes)
    }

    /// [`similarity`] of the two texts.
    pub fn to(&self, other: &Likeness) -> f64 {
        if self.0.is_empty() || other.0.is_empty() {
            return 0.0;
        }
        let shared = shared(&self.0, &other.0) as f64;
        shared / ((self.0.len() + other.0.len()) as f64 - shared)
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
        // Each pair counts once: {ab, ba} and {ab, bc} share one of three.
        assert!((similarity("a b a b", "a b c") - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(similarity("mot", "mot hai"), 0.0);
    }
}
