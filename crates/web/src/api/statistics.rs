use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::error::{ApiJson, ApiQuery, AppError, ErrorBody};
use crate::service::dashboard::{self, Dashboard};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
pub struct DashboardQuery {
    /// Unit code; default: the province for the public, the caller's own unit for staff.
    unit: String,
    /// `YYYY-MM-DD`: roll up under the unit tree as it stood on this day (default today), so
    /// that records made under pre-2025 units count in their successors.
    at: String,
    /// Campaign year of models and year received of petitions; empty for all years.
    year: String,
    /// `public` for the public figures even with a bearer token.
    view: String,
}

/// The figures of a unit's subtree: models by field, state (staff only) and subunit,
/// indicators against targets, commendations, replications, petitions by answering body and
/// the trend per year. Without a token (or with `view=public`) only approved models count;
/// with a token the caller needs `ViewStatistics` on the unit (403 otherwise).
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "statistics", params(DashboardQuery),
    security((), ("bearer" = [])),
    responses((status = 200, body = Dashboard), (status = 403, body = ErrorBody),
        (status = 404, description = "unknown unit", body = ErrorBody),
        (status = 422, description = "invalid_date or invalid_year", body = ErrorBody)))]
pub async fn dashboard(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<DashboardQuery>,
) -> Result<ApiJson<Dashboard>, AppError> {
    let public = q.view.trim() == "public" || caller.principal.is_none();
    let req = crate::pages::statistics_request(&q.unit, &q.at, &q.year, public)?;
    let vi = caller.lang == crate::i18n::Lang::Vi;
    let d = dashboard::build(&state, caller.principal.as_ref(), &req, vi).await?;
    Ok(ApiJson(d))
}
