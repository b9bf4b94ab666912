//! Background spreadsheet exports: their state and, once done, their file — to the account
//! that asked only (anybody else gets 404).

use axum::extract::State;
use axum::response::Response;

use crate::auth::Caller;
use crate::error::{ApiJson, ApiPath, AppError, ErrorBody};
use crate::export::ExportOut;
use crate::state::AppState;

/// The caller's exports, newest first (at most 100; files are kept for 7 days).
#[utoipa::path(get, path = "/api/v1/exports", tag = "exports", security(("bearer" = [])),
    responses((status = 200, body = [ExportOut]), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<ApiJson<Vec<ExportOut>>, AppError> {
    let p = caller.require()?;
    let list = danvan_storage::exports::list_for(&state.db, p.account_id).await?;
    Ok(ApiJson(list.into_iter().map(ExportOut::from).collect()))
}

/// One of the caller's exports: state (queued, running, done, failed) and progress.
#[utoipa::path(get, path = "/api/v1/exports/{id}", tag = "exports", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = ExportOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<ExportOut>, AppError> {
    let p = caller.require()?;
    Ok(ApiJson(crate::export::mine(&state, p, id).await?.into()))
}

/// The file of one of the caller's finished exports (409 `export_not_ready` before).
#[utoipa::path(get, path = "/api/v1/exports/{id}/file", tag = "exports", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, description = "The spreadsheet file"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn file(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, AppError> {
    let p = caller.require()?;
    crate::export::file(&state, p, id).await
}
