//! `/tim-kiem`: one search box over everything the caller may find.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use danvan_domain::movement::{Field, State as ModelState};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

use super::{Frame, render};
use crate::auth::Caller;
use crate::i18n::Lang;
use crate::service::search::{self as svc, MAX_QUERY, SearchParams, SearchResults};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    f: Frame,
    q: String,
    kind: String,
    field: String,
    unit: String,
    year: String,
    state: String,
    kinds: Vec<(&'static str, &'static str)>,
    fields: Vec<(&'static str, &'static str)>,
    states: Vec<(&'static str, &'static str)>,
    results: Option<SearchResults>,
    error: Option<String>,
    prev_url: Option<String>,
    next_url: Option<String>,
    pages: i64,
    max_query: usize,
}

impl SearchPage {
    fn kind_label(&self, kind: &str) -> &'static str {
        self.kinds
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, l)| *l)
            .unwrap_or("")
    }
}

fn kinds(lang: Lang) -> Vec<(&'static str, &'static str)> {
    let vi = lang == Lang::Vi;
    let l = |a: &'static str, b: &'static str| if vi { a } else { b };
    vec![
        ("initiative", l("Mô hình", "Model")),
        ("organisation", l("Tổ chức", "Organisation")),
        ("unit", l("Đơn vị hành chính", "Administrative unit")),
        ("answer", l("Trả lời kiến nghị", "Published answer")),
        ("petition", l("Kiến nghị (nội bộ)", "Petition (staff)")),
    ]
}

fn page_url(p: &SearchParams, page: i64) -> String {
    let mut parts = Vec::new();
    for (k, v) in [
        ("q", &p.q),
        ("type", &p.kind),
        ("field", &p.field),
        ("unit", &p.unit),
        ("year", &p.year),
        ("state", &p.state),
        ("per_page", &p.per_page),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.trim().is_empty()) {
            parts.push(format!("{k}={}", utf8_percent_encode(v, NON_ALPHANUMERIC)));
        }
    }
    parts.push(format!("page={page}"));
    format!("/tim-kiem?{}", parts.join("&"))
}

pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<SearchParams>,
) -> Response {
    let lang = caller.lang;
    let vi = caller.vi();
    let mut f = Frame::new(&state, &caller, "/tim-kiem", "nav.home");
    f.title = f.tr("Tìm kiếm", "Search").to_string();
    let asked = p.q.as_deref().is_some_and(|q| !q.trim().is_empty());
    let (results, error, status) = if asked {
        match svc::search(&state, caller.principal.as_ref(), &p).await {
            Ok(r) => (Some(r), None, StatusCode::OK),
            Err(e) => {
                let status = e.status();
                (None, Some(e.message(vi)), status)
            }
        }
    } else {
        (None, None, StatusCode::OK)
    };
    let (mut prev_url, mut next_url, mut pages) = (None, None, 0);
    if let Some(r) = &results {
        pages = (r.total + r.per_page - 1) / r.per_page;
        if r.page > 1 {
            prev_url = Some(page_url(&p, r.page - 1));
        }
        if r.page < pages {
            next_url = Some(page_url(&p, r.page + 1));
        }
    }
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let page = SearchPage {
        q: text(&p.q),
        kind: text(&p.kind),
        field: text(&p.field),
        unit: text(&p.unit),
        year: text(&p.year),
        state: text(&p.state),
        kinds: kinds(lang),
        fields: Field::ALL
            .iter()
            .map(|x| (x.code(), if vi { x.label_vi() } else { x.label_en() }))
            .collect(),
        states: ModelState::ALL
            .iter()
            .map(|x| (x.code(), if vi { x.label_vi() } else { x.label_en() }))
            .collect(),
        results,
        error,
        prev_url,
        next_url,
        pages,
        max_query: MAX_QUERY,
        f,
    };
    (status, render(page)).into_response()
}
