//! The search cases of ../shared/data/search (copied to tests/data): every query, folded,
//! is found in its text, folded.

use danvan_domain::fold::{fold, matches};

#[test]
fn every_reference_query_finds_its_text() {
    let cases = include_str!("data/search_cases.tsv");
    let mut n = 0;
    for line in cases.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let (query, text) = line.split_once('\t').expect("query<TAB>text");
        assert!(
            matches(&fold(text), &fold(query)),
            "“{query}” should find “{text}” ({} / {})",
            fold(query),
            fold(text)
        );
        n += 1;
    }
    assert!(n >= 10, "only {n} cases read");
}
