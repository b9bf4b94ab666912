//! Statistics pages: the public figures of any unit (`/thong-ke`) and the staff view of one's
//! own subtree (`/bang-dieu-khien/thong-ke`), each chart drawn on the server with its numbers
//! in a table beside it.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use danvan_domain::policy::{Action, scope};
use serde::Deserialize;

use super::format::number;
use super::{Frame, render};
use crate::auth::Caller;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::service::dashboard::{self, Audience, ChartView, Dashboard, Request};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StatsQuery {
    unit: String,
    at: String,
    year: String,
}

pub struct UnitOption {
    code: String,
    name: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "statistics.html")]
struct StatisticsPage {
    f: Frame,
    d: Dashboard,
    action: &'static str,
    charts: Vec<ChartView>,
    units: Vec<UnitOption>,
    years: Vec<i64>,
    /// (id, title) of the campaigns whose report the caller may download (province level).
    campaigns: Vec<(i64, String)>,
}

impl StatisticsPage {
    fn chart(&self, id: &str) -> Option<&ChartView> {
        self.charts.iter().find(|c| c.id == id)
    }

    fn n(&self, v: &i64) -> String {
        number(*v as f64)
    }

    fn x(&self, v: &f64) -> String {
        number(*v)
    }

    fn pct(&self, v: &Option<f64>) -> String {
        v.map(|p| format!("{} %", number(p)))
            .unwrap_or_else(|| "—".into())
    }

    fn is_staff(&self) -> bool {
        self.d.audience == Audience::Staff
    }
}

fn parse_date(s: &str) -> Result<Option<NaiveDate>, AppError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| {
            AppError::invalid(danvan_domain::FieldError::new(
                "at",
                "invalid_date",
                "Ngày không hợp lệ (dd/mm/yyyy).",
                "Invalid date.",
            ))
        })
}

pub(super) fn parse_year(s: &str) -> Result<Option<i64>, AppError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse::<i64>().map(Some).map_err(|_| {
        AppError::invalid(danvan_domain::FieldError::new(
            "year",
            "invalid_year",
            "Năm không hợp lệ.",
            "Invalid year.",
        ))
    })
}

/// The request a page or API query stands for.
pub fn request(unit: &str, at: &str, year: &str, public: bool) -> Result<Request, AppError> {
    Ok(Request {
        unit_code: Some(unit.trim().to_string()).filter(|s| !s.is_empty()),
        at: parse_date(at)?,
        year: parse_year(year)?,
        public,
        until: None,
    })
}

/// The units one may pick: for staff those in their scope, for the public all, as they stood
/// on the dashboard's date, the higher levels first.
fn unit_options(state: &AppState, caller: &Caller, d: &Dashboard) -> Vec<UnitOption> {
    let tree = state.tree();
    let allowed = match (&caller.principal, d.audience) {
        (Some(p), Audience::Staff) => Some(scope(p, Action::ViewStatistics, &tree)),
        _ => None,
    };
    let mut units: Vec<(usize, String, String)> = tree
        .iter()
        .filter(|u| u.valid_at(d.at))
        .filter(|u| allowed.as_ref().is_none_or(|a| a.contains(&u.id)))
        .map(|u| (tree.ancestors(u.id).len(), u.name.clone(), u.code.clone()))
        .collect();
    units.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| danvan_domain::text::vi_cmp(&a.1, &b.1))
    });
    units
        .into_iter()
        .map(|(_, name, code)| UnitOption {
            selected: code == d.unit_code,
            code,
            name,
        })
        .collect()
}

async fn page(
    state: &AppState,
    caller: &Caller,
    q: &StatsQuery,
    staff: bool,
) -> Result<StatisticsPage, AppError> {
    let vi = caller.lang == Lang::Vi;
    let who = if staff {
        caller.principal.as_ref()
    } else {
        None
    };
    let req = request(&q.unit, &q.at, &q.year, !staff)?;
    let d = dashboard::build(state, who, &req, vi).await?;
    let (path, title, action) = if staff {
        (
            "/bang-dieu-khien/thong-ke",
            "stats.staff_title",
            "/bang-dieu-khien/thong-ke",
        )
    } else {
        ("/thong-ke", "stats.title", "/thong-ke")
    };
    let f = Frame::new(state, caller, path, title);
    let charts = dashboard::charts(&d, vi);
    let units = unit_options(state, caller, &d);
    let mut years: Vec<i64> = d.by_year.iter().map(|y| y.year).collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    let tree = state.tree();
    let province_staff = match (who, tree.by_code_at(&d.unit_code, d.at)) {
        (Some(w), Some(u)) if u.parent_id.is_none() && d.audience == Audience::Staff => {
            danvan_domain::policy::authorize(w, Action::ViewStatistics, Some(u.id), &tree).is_ok()
        }
        _ => false,
    };
    let campaigns = if province_staff {
        danvan_storage::movement::campaigns::list(&state.db)
            .await?
            .into_iter()
            .map(|c| (c.id, format!("{} ({})", c.title, c.year)))
            .collect()
    } else {
        Vec::new()
    };
    Ok(StatisticsPage {
        f,
        d,
        action,
        charts,
        units,
        years,
        campaigns,
    })
}

/// `GET /thong-ke`: the public figures.
pub async fn public(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<StatsQuery>,
) -> Response {
    match page(&state, &caller, &q, false).await {
        Ok(p) => render(p),
        Err(e) => super::error_page(&state, &caller, "/thong-ke", e),
    }
}

/// `GET /bang-dieu-khien/thong-ke`: the signed-in officer's subtree, models in every state.
pub async fn staff(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<StatsQuery>,
) -> Response {
    if caller.principal.is_none() {
        return Redirect::to("/dang-nhap?next=%2Fbang-dieu-khien%2Fthong-ke").into_response();
    }
    match page(&state, &caller, &q, true).await {
        Ok(p) => render(p),
        Err(e) => super::error_page(&state, &caller, "/bang-dieu-khien/thong-ke", e),
    }
}
