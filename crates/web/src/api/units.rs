use axum::extract::State;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiJson, ApiPath, ApiQuery, AppError, ErrorBody};
use crate::state::AppState;

#[derive(Deserialize, IntoParams)]
pub struct UnitsQuery {
    /// Code of the parent unit; omitted: the provinces.
    parent: Option<String>,
    /// YYYY-MM-DD; default today.
    at: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct UnitOut {
    code: String,
    name: String,
    level: String,
    parent_code: Option<String>,
    valid_from: Option<NaiveDate>,
    valid_to: Option<NaiveDate>,
}

#[derive(Serialize, ToSchema)]
pub struct UnitDetail {
    #[serde(flatten)]
    unit: UnitOut,
    /// The units this one became (after the 2025 reform).
    successors: Vec<UnitOut>,
}

fn parse_at(at: Option<&str>) -> Result<NaiveDate, AppError> {
    match at.filter(|s| !s.is_empty()) {
        Some(s) => Ok(danvan_domain::validate::date("at", s)?),
        None => Ok(chrono::Local::now().date_naive()),
    }
}

fn out(tree: &danvan_domain::UnitTree, u: &danvan_domain::unit::Unit) -> UnitOut {
    UnitOut {
        code: u.code.clone(),
        name: u.name.clone(),
        level: u.level.code().to_string(),
        parent_code: u
            .parent_id
            .and_then(|p| tree.get(p))
            .map(|p| p.code.clone()),
        valid_from: u.valid_from,
        valid_to: u.valid_to,
    }
}

/// Units as they stood on a date: the children of `parent`, or the provinces.
#[utoipa::path(get, path = "/api/v1/units", tag = "units", params(UnitsQuery),
    responses((status = 200, body = [UnitOut]), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<UnitsQuery>,
) -> Result<ApiJson<Vec<UnitOut>>, AppError> {
    let at = parse_at(q.at.as_deref())?;
    let tree = state.tree();
    let units = match q.parent.as_deref().filter(|s| !s.is_empty()) {
        Some(code) => {
            let parent = tree.by_code_at(code, at).ok_or(AppError::NotFound)?;
            tree.children_at(parent.id, at)
        }
        None => {
            let mut v: Vec<_> = tree
                .iter()
                .filter(|u| u.parent_id.is_none() && u.valid_at(at))
                .collect();
            v.sort_by(|a, b| a.code.cmp(&b.code));
            v
        }
    };
    Ok(ApiJson(units.into_iter().map(|u| out(&tree, u)).collect()))
}

#[derive(Deserialize, IntoParams)]
pub struct AtQuery {
    /// YYYY-MM-DD; default today.
    at: Option<String>,
}

/// One unit as it stood on a date, with its successors.
#[utoipa::path(get, path = "/api/v1/units/{code}", tag = "units", params(("code" = String, Path), AtQuery),
    responses((status = 200, body = UnitDetail), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<AtQuery>,
) -> Result<ApiJson<UnitDetail>, AppError> {
    let at = parse_at(q.at.as_deref())?;
    let tree = state.tree();
    let u = tree.by_code_at(&code, at).ok_or(AppError::NotFound)?;
    Ok(ApiJson(UnitDetail {
        unit: out(&tree, u),
        successors: tree
            .successors_of(u.id)
            .into_iter()
            .map(|s| out(&tree, s))
            .collect(),
    }))
}
