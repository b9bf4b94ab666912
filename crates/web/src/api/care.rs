//! Care and contributions: households' registers, support drives, deliveries, coverage and
//! the contributions ledger. Names and addresses of households only reach callers with
//! `ManageHouseholds` on the commune, and every such answer is audited.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::error::{ApiJson, ApiPath, ApiQuery, AppError, ErrorBody};
use crate::export::{ExportKind, FormatQuery};
use crate::service::care::{
    self as svc, CommuneTotals, ContributionView, Coverage, DeliveryOutcome, DriveView,
    HouseholdQuery, HouseholdView, NewContribution, NewDelivery, NewDrive, NewHousehold,
    Registered, SupportTotals,
};
use crate::state::AppState;

/// Put a household on its commune's register for a year: 201 for a new household, 200 when
/// the same household (folded name and address) was registered before and only gains this
/// year's or category's listing; 409 `duplicate_household` when that listing exists already.
#[utoipa::path(post, path = "/api/v1/households", tag = "care", security(("bearer" = [])), request_body = NewHousehold,
    responses((status = 201, body = HouseholdView), (status = 200, body = HouseholdView, description = "An existing household, newly listed"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_household(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<NewHousehold>,
) -> Result<(StatusCode, ApiJson<HouseholdView>), AppError> {
    let p = caller.require()?;
    let (h, outcome) = svc::create_household(&state, p, &req, "api").await?;
    let status = match outcome {
        Registered::New(_) => StatusCode::CREATED,
        Registered::Listed(_) => StatusCode::OK,
    };
    Ok((status, ApiJson(h)))
}

/// The registers in the caller's scope, with names (the viewing is audited);
/// `format=xlsx|csv` for the spreadsheet.
#[utoipa::path(get, path = "/api/v1/households", tag = "care", security(("bearer" = [])), params(HouseholdQuery, FormatQuery),
    responses((status = 200, body = [HouseholdView]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_households(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<HouseholdQuery>,
    ApiQuery(format): ApiQuery<FormatQuery>,
    uri: axum::http::Uri,
) -> Result<Response, AppError> {
    let p = caller.require()?;
    if format.parse()?.is_some() {
        let filters = crate::export::filters(uri.query());
        return crate::export::respond(
            &state,
            Some(p),
            ExportKind::Households,
            filters,
            &format,
            false,
        )
        .await;
    }
    Ok(ApiJson(svc::households(&state, p, &q).await?).into_response())
}

/// Announce a support drive in one or more communes.
#[utoipa::path(post, path = "/api/v1/drives", tag = "care", security(("bearer" = [])), request_body = NewDrive,
    responses((status = 201, body = DriveView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_drive(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<NewDrive>,
) -> Result<(StatusCode, ApiJson<DriveView>), AppError> {
    let p = caller.require()?;
    let d = svc::create_drive(&state, p, &req).await?;
    Ok((StatusCode::CREATED, ApiJson(d)))
}

/// The drives the caller keeps registers for or runs, newest first.
#[utoipa::path(get, path = "/api/v1/drives", tag = "care", security(("bearer" = [])),
    responses((status = 200, body = [DriveView]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_drives(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<ApiJson<Vec<DriveView>>, AppError> {
    let p = caller.require()?;
    Ok(ApiJson(svc::drives(&state, p).await?))
}

#[utoipa::path(get, path = "/api/v1/drives/{id}", tag = "care", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = DriveView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn show_drive(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<DriveView>, AppError> {
    let p = caller.require()?;
    Ok(ApiJson(svc::drive(&state, p, id).await?))
}

/// Record a delivery to a household. The delivery is recorded even when the household
/// already received from another drive of an overlapping period; `warnings` then holds an
/// `already_supported` entry for each such delivery.
#[utoipa::path(post, path = "/api/v1/drives/{id}/deliveries", tag = "care", security(("bearer" = [])), params(("id" = i64, Path)), request_body = NewDelivery,
    responses((status = 201, body = DeliveryOutcome), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`already_delivered`: this drive already reached the household"), (status = 422, body = ErrorBody)))]
pub async fn record_delivery(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<NewDelivery>,
) -> Result<(StatusCode, ApiJson<DeliveryOutcome>), AppError> {
    let p = caller.require()?;
    let out = svc::record_delivery(&state, p, id, &req).await?;
    Ok((StatusCode::CREATED, ApiJson(out)))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
pub struct UnitQuery {
    /// A commune code (default: every commune of the drive in the caller's scope).
    pub unit: Option<String>,
}

/// Who the drive reached and who not yet, on its list year: counts per commune, and the
/// uncovered households with names for the commune's officers.
#[utoipa::path(get, path = "/api/v1/drives/{id}/coverage", tag = "care", security(("bearer" = [])), params(("id" = i64, Path), UnitQuery),
    responses((status = 200, body = Coverage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn coverage(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<UnitQuery>,
) -> Result<ApiJson<Coverage>, AppError> {
    let p = caller.require()?;
    Ok(ApiJson(
        svc::coverage(&state, p, id, q.unit.as_deref()).await?,
    ))
}

/// Write an entry to the contributions ledger.
#[utoipa::path(post, path = "/api/v1/contributions", tag = "care", security(("bearer" = [])), request_body = NewContribution,
    responses((status = 201, body = ContributionView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_contribution(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<NewContribution>,
) -> Result<(StatusCode, ApiJson<ContributionView>), AppError> {
    let p = caller.require()?;
    let c = svc::record_contribution(&state, p, &req).await?;
    Ok((StatusCode::CREATED, ApiJson(c)))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
pub struct LedgerQuery {
    /// A unit code: its subtree.
    pub unit: Option<String>,
    pub year: Option<i64>,
}

/// The ledger in the caller's scope, newest first; `format=xlsx|csv` for the spreadsheet.
#[utoipa::path(get, path = "/api/v1/contributions", tag = "care", security(("bearer" = [])), params(LedgerQuery, FormatQuery),
    responses((status = 200, body = [ContributionView]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_contributions(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<LedgerQuery>,
    ApiQuery(format): ApiQuery<FormatQuery>,
    uri: axum::http::Uri,
) -> Result<Response, AppError> {
    let p = caller.require()?;
    if format.parse()?.is_some() {
        let filters = crate::export::filters(uri.query());
        return crate::export::respond(
            &state,
            Some(p),
            ExportKind::Contributions,
            filters,
            &format,
            false,
        )
        .await;
    }
    Ok(ApiJson(svc::contributions(&state, p, q.unit.as_deref(), q.year).await?).into_response())
}

/// Public: what each commune's people gave, per kind, and the names of those who agreed to
/// be named. No sign-in; no personal data beyond those names.
#[utoipa::path(get, path = "/api/v1/contributions/totals", tag = "care", params(LedgerQuery),
    responses((status = 200, body = [CommuneTotals]), (status = 422, body = ErrorBody)))]
pub async fn contribution_totals(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<LedgerQuery>,
) -> Result<ApiJson<Vec<CommuneTotals>>, AppError> {
    Ok(ApiJson(
        svc::public_totals(&state, q.unit.as_deref(), q.year, svc::Honoured::Named).await?,
    ))
}

/// Support given in a year, by commune, category and organisation (counts and values only).
#[utoipa::path(get, path = "/api/v1/support/totals", tag = "care", security(("bearer" = [])), params(LedgerQuery),
    responses((status = 200, body = SupportTotals), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn support_totals(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<LedgerQuery>,
) -> Result<ApiJson<SupportTotals>, AppError> {
    let p = caller.require()?;
    let within = svc::support_scope(&state, p, q.unit.as_deref())?;
    Ok(ApiJson(svc::support_totals(&state, q.year, within).await?))
}
