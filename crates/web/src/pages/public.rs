//! Public pages: home, showcase, petitions, the unit tree, language switch, health.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Json, Redirect, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;

use super::{Frame, render};
use crate::auth::{Caller, LANG_COOKIE, set_cookie};
use crate::i18n::{self, Lang};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    f: Frame,
    fields: Vec<(&'static str, &'static str)>,
}

pub async fn home(State(state): State<AppState>, caller: Caller) -> Response {
    render(HomePage {
        f: Frame::new(&state, &caller, "/", "nav.home"),
        fields: vec![
            ("field.economy", "field.economy.text"),
            ("field.culture_society", "field.culture_society.text"),
            ("field.defense_security", "field.defense_security.text"),
            ("field.political_system", "field.political_system.text"),
        ],
    })
}

pub async fn not_found(
    State(state): State<AppState>,
    caller: Caller,
    uri: axum::http::Uri,
) -> Response {
    super::error_page(
        &state,
        &caller,
        uri.path(),
        crate::error::AppError::NotFound,
    )
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Sets the language cookie and returns to the page the visitor came from.
pub async fn switch_language(
    State(state): State<AppState>,
    Path(lang): Path<String>,
    Query(q): Query<NextQuery>,
) -> Response {
    let lang = Lang::parse(&lang).unwrap_or_default();
    let next = super::safe_next(q.next.as_deref().unwrap_or("/"));
    let mut resp = Redirect::to(next).into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            LANG_COOKIE,
            lang.code(),
            60 * 60 * 24 * 365,
            "Lax",
            state.config.behind_tls,
        ),
    );
    resp
}

pub async fn healthz(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => {
            Json(json!({"status": "ok", "database": state.db.backend().name()})).into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable"})),
            )
                .into_response()
        }
    }
}

pub struct UnitRow {
    code: String,
    name: String,
    level_key: &'static str,
    has_children: bool,
    successors: String,
}

#[derive(Template)]
#[template(path = "units.html")]
struct UnitsPage {
    f: Frame,
    at: String,
    parent: Option<String>,
    heading: String,
    breadcrumbs: Vec<(String, String)>,
    rows: Vec<UnitRow>,
}

#[derive(Deserialize)]
pub struct UnitsQuery {
    parent: Option<String>,
    at: Option<String>,
}

/// The unit tree as it stood on a date: provinces at the top, then their subunits.
pub async fn units(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<UnitsQuery>,
) -> Response {
    let today = chrono::Local::now().date_naive();
    let at =
        q.at.as_deref()
            .filter(|s| !s.is_empty())
            .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
            .unwrap_or(today);
    let tree = state.tree();
    let parent = q
        .parent
        .as_deref()
        .filter(|s| !s.is_empty())
        .and_then(|code| tree.by_code_at(code, at));
    let mut units: Vec<_> = match parent {
        Some(p) => tree.children_at(p.id, at),
        None => tree
            .iter()
            .filter(|u| u.parent_id.is_none() && u.valid_at(at))
            .collect(),
    };
    units.sort_by(|a, b| a.code.cmp(&b.code));
    let rows = units
        .into_iter()
        .map(|u| UnitRow {
            code: u.code.clone(),
            name: u.name.clone(),
            level_key: match u.level {
                danvan_domain::UnitLevel::Province => "level.province",
                danvan_domain::UnitLevel::District => "level.district",
                danvan_domain::UnitLevel::Commune => "level.commune",
            },
            has_children: !tree.children_at(u.id, at).is_empty(),
            successors: tree
                .successors_of(u.id)
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect();
    let mut breadcrumbs = Vec::new();
    if let Some(p) = parent {
        let mut chain: Vec<_> = tree.ancestors(p.id).into_iter().rev().collect();
        chain.push(p);
        breadcrumbs = chain
            .into_iter()
            .map(|u| (format!("/don-vi?parent={}&at={at}", u.code), u.name.clone()))
            .collect();
    }
    let heading = parent
        .map(|p| p.name.clone())
        .unwrap_or_else(|| i18n::t(caller.lang, "units.title").to_string());
    render(UnitsPage {
        f: Frame::new(&state, &caller, "/don-vi", "units.title"),
        at: at.format("%Y-%m-%d").to_string(),
        parent: parent.map(|p| p.code.clone()),
        heading,
        breadcrumbs,
        rows,
    })
}
