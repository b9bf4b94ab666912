//! Search over models, organisations, units, published answers and — for staff, inside their
//! scope — petitions. The query is folded with the same `fold()` as the index; the policy
//! decides which staff-only documents the caller may find.

use std::collections::HashSet;

use danvan_domain::fold::fold;
use danvan_domain::policy::{Action, Principal};
use danvan_domain::unit::UnitTree;
use danvan_domain::{FieldError, Invalid};
use danvan_storage::search::{self as index, GrantScope, KINDS};
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::state::AppState;

/// Longest query accepted, in characters.
pub const MAX_QUERY: usize = 200;
pub const DEFAULT_PER_PAGE: i64 = 20;
pub const MAX_PER_PAGE: i64 = 50;

/// The query string of `GET /api/v1/search` and `/tim-kiem`. Every field is text so that a
/// malformed value is answered with a 422 naming it, not a bare 400.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// The words to find (1–200 characters); diacritics, case, Unicode form and tone
    /// placement do not matter, and every syllable must occur.
    pub q: Option<String>,
    /// initiative | organisation | unit | answer | petition (comma-separated for several).
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub kind: Option<String>,
    /// A model's field (e.g. economy) or a petition's topic.
    pub field: Option<String>,
    /// A unit code: documents of that unit and its subunits (across the 2025 reform).
    pub unit: Option<String>,
    /// The campaign year of a model, the year a petition was received or answered.
    pub year: Option<String>,
    /// A model's or petition's state; `current` or `historic` for units.
    pub state: Option<String>,
    /// From 1.
    pub page: Option<String>,
    /// At most 50 (default 20).
    pub per_page: Option<String>,
}

impl SearchParams {
    fn text(v: &Option<String>) -> Option<&str> {
        v.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SearchHit {
    /// initiative | organisation | unit | answer | petition
    #[serde(rename = "type")]
    pub kind: String,
    /// The id of the model, organisation, unit or petition.
    pub id: i64,
    pub title: String,
    /// Where to see it.
    pub url: String,
    /// HTML: an excerpt around the first match, the text escaped and the matched syllables
    /// wrapped in `<mark>`.
    pub snippet: String,
    #[serde(skip)]
    pub title_html: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SearchResults {
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub hits: Vec<SearchHit>,
}

fn invalid(field: &'static str, code: &'static str, vi: &str, en: &str) -> AppError {
    AppError::Invalid(Invalid(vec![FieldError::new(field, code, vi, en)]))
}

/// Checks the query text: 422 `query_required` when empty, `query_too_long` past 200
/// characters.
pub fn check_query(q: Option<&str>) -> Result<&str, AppError> {
    let q = q.map(str::trim).unwrap_or_default();
    if q.is_empty() {
        return Err(invalid(
            "q",
            "query_required",
            "Hãy nhập từ cần tìm.",
            "Enter what to search for.",
        ));
    }
    if q.chars().count() > MAX_QUERY {
        return Err(invalid(
            "q",
            "query_too_long",
            "Từ cần tìm dài quá 200 ký tự.",
            "The search text is longer than 200 characters.",
        ));
    }
    Ok(q)
}

/// The grants of `who` that open staff-only documents for `action`, as unit sets.
fn grant_scopes(who: &Principal, action: Action, tree: &UnitTree) -> Vec<GrantScope> {
    let roles = action.roles();
    who.grants
        .iter()
        .filter(|g| roles.contains(&g.role))
        .filter_map(|g| {
            let organisation = if g.role.needs_organisation() {
                // A reporter or handler without an organisation sees none of these.
                Some(g.organisation_id?)
            } else {
                None
            };
            let sub: Vec<i64> = tree.subtree(g.unit_id).into_iter().collect();
            // A grant over the whole tree needs no list of ids.
            let units = (sub.len() < tree.len()).then_some(sub);
            Some(GrantScope {
                units,
                organisation,
            })
        })
        .collect()
}

/// Runs a search for `who` (the public when `None`).
pub async fn search(
    state: &AppState,
    who: Option<&Principal>,
    p: &SearchParams,
) -> Result<SearchResults, AppError> {
    let q = check_query(p.q.as_deref())?;
    let tree = state.tree();
    let kinds: Vec<String> = match SearchParams::text(&p.kind) {
        None => Vec::new(),
        Some(list) => {
            let mut v = Vec::new();
            for k in list.split(',').map(str::trim).filter(|k| !k.is_empty()) {
                if !KINDS.contains(&k) {
                    return Err(invalid(
                        "type",
                        "invalid_type",
                        "Loại kết quả không hợp lệ.",
                        "Unknown result type.",
                    ));
                }
                v.push(k.to_string());
            }
            v
        }
    };
    let units = match SearchParams::text(&p.unit) {
        None => None,
        Some(code) => {
            // Codes are reused across the reform: every unit that bore the code counts.
            let mut ids: HashSet<i64> = HashSet::new();
            for u in tree.iter().filter(|u| u.code == code) {
                ids.extend(tree.subtree(u.id));
            }
            if ids.is_empty() {
                return Err(invalid(
                    "unit",
                    "unknown_unit",
                    "Không có đơn vị mang mã này.",
                    "No unit has this code.",
                ));
            }
            Some(ids.into_iter().collect())
        }
    };
    let year = match SearchParams::text(&p.year) {
        None => None,
        Some(y) => Some(
            y.parse::<i64>()
                .ok()
                .filter(|y| (1900..=9999).contains(y))
                .ok_or_else(|| {
                    invalid("year", "invalid_year", "Năm không hợp lệ.", "Invalid year.")
                })?,
        ),
    };
    let page = SearchParams::text(&p.page)
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap_or(1)
        .clamp(1, 10_000);
    let per_page = SearchParams::text(&p.per_page)
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap_or(DEFAULT_PER_PAGE)
        .clamp(1, MAX_PER_PAGE);
    let folded = fold(q);
    let query = index::Query {
        folded: folded.clone(),
        exact: index::exact_form(q),
        kinds,
        field: SearchParams::text(&p.field).map(str::to_string),
        units,
        year,
        state: SearchParams::text(&p.state).map(str::to_string),
        initiative_scopes: who
            .map(|w| grant_scopes(w, Action::ViewInitiative, &tree))
            .unwrap_or_default(),
        petition_scopes: who
            .map(|w| grant_scopes(w, Action::ViewPetition, &tree))
            .unwrap_or_default(),
        limit: per_page,
        offset: (page - 1) * per_page,
    };
    let (hits, total) = index::search(&state.db, &query).await?;
    let syllables: HashSet<&str> = folded.split(' ').filter(|s| !s.is_empty()).collect();
    let hits = hits
        .into_iter()
        .map(|h| {
            let source = if h.body.trim().is_empty() {
                &h.title
            } else {
                &h.body
            };
            SearchHit {
                snippet: highlight(source, &syllables, SNIPPET_CHARS),
                title_html: highlight(&h.title, &syllables, usize::MAX),
                kind: h.kind,
                id: h.ref_id,
                title: h.title,
                url: h.url,
            }
        })
        .collect();
    Ok(SearchResults {
        total,
        page,
        per_page,
        hits,
    })
}

const SNIPPET_CHARS: usize = 220;

/// Escapes text for HTML (element content and attribute values).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A word of the text as fold() sees one: letters, digits and the combining marks that
/// decomposed text carries between them.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || ('\u{300}'..='\u{36f}').contains(&c)
}

/// An excerpt of `text` of about `max_chars` around the first word whose fold is one of
/// `syllables`, escaped, with every such word wrapped in `<mark>`. The text is escaped piece
/// by piece before the marks are added, so nothing stored can inject markup.
pub fn highlight(text: &str, syllables: &HashSet<&str>, max_chars: usize) -> String {
    // (byte start, byte end, is a word)
    let mut pieces: Vec<(usize, usize, bool)> = Vec::new();
    let mut start = 0;
    let mut in_word = None;
    for (i, c) in text.char_indices() {
        let w = is_word_char(c);
        if in_word != Some(w) {
            if let Some(prev) = in_word {
                pieces.push((start, i, prev));
            }
            start = i;
            in_word = Some(w);
        }
    }
    if let Some(prev) = in_word {
        pieces.push((start, text.len(), prev));
    }
    let hit = |p: &(usize, usize, bool)| p.2 && syllables.contains(fold(&text[p.0..p.1]).as_str());
    let first = pieces.iter().position(hit).unwrap_or(0);
    // Start a few words before the first match: at a word, or at the very beginning.
    let mut from = first;
    let mut words_before = 0;
    while from > 0 && words_before < 8 {
        from -= 1;
        if pieces[from].2 {
            words_before += 1;
        }
    }
    let mut out = String::new();
    if from > 0 {
        out.push_str("… ");
    }
    let mut used = 0;
    let mut cut = false;
    for p in &pieces[from..] {
        let s = &text[p.0..p.1];
        let len = s.chars().count();
        if used + len > max_chars && used > 0 {
            cut = true;
            break;
        }
        used += len;
        if hit(p) {
            out.push_str("<mark>");
            out.push_str(&escape(s));
            out.push_str("</mark>");
        } else if p.2 {
            out.push_str(&escape(s));
        } else {
            // Line breaks and runs of spaces read as one space in an excerpt.
            let flat: String = s
                .chars()
                .map(|c| if c.is_whitespace() { ' ' } else { c })
                .collect();
            out.push_str(&escape(&flat));
        }
    }
    if cut {
        out.push_str(" …");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlight_escapes_and_marks_whole_syllables() {
        let s: HashSet<&str> = ["hoa"].into_iter().collect();
        assert_eq!(
            highlight("<b>Hoà</b> & hoàng hòa", &s, 200),
            "&lt;b&gt;<mark>Hoà</mark>&lt;/b&gt; &amp; hoàng <mark>hòa</mark>"
        );
        let long = format!("{} đường {}", "chữ ".repeat(50), "chữ ".repeat(50));
        let d: HashSet<&str> = ["duong"].into_iter().collect();
        let h = highlight(&long, &d, 60);
        assert!(h.starts_with("… ") && h.ends_with(" …"), "{h}");
        assert!(h.contains("<mark>đường</mark>"));
    }

    #[test]
    fn queries_are_checked() {
        assert!(check_query(Some("  ")).is_err());
        assert!(check_query(Some(&"a".repeat(201))).is_err());
        assert_eq!(check_query(Some(" dân ")).ok(), Some("dân"));
    }
}
