//! Official PDF documents over the API (the pages link to the same documents under their
//! own paths, with the session instead of a token).

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::{Caller, SignedIn};
use crate::documents;
use crate::error::{ApiPath, ApiQuery, AppError, ErrorBody};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
pub struct PeriodQuery {
    /// `mid_year` (báo cáo sơ kết, figures up to 30 June) or `year_end` (tổng kết, the
    /// default).
    period: String,
}

fn id_of(s: &str, suffix: &str) -> Result<i64, AppError> {
    s.strip_suffix(suffix)
        .unwrap_or(s)
        .parse::<i64>()
        .map_err(|_| AppError::NotFound)
}

/// The campaign's mid-year or year-end report of the provincial commission (Hướng dẫn
/// 36-HD/VPTW): the province's figures, charts, indicators and commended models. Needs
/// `ViewStatistics` on the province.
#[utoipa::path(get, path = "/api/v1/reports/campaigns/{id}.pdf", tag = "documents", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Campaign id"), PeriodQuery),
    responses((status = 200, content_type = "application/pdf", description = "The report"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, description = "invalid_period", body = ErrorBody)))]
pub async fn campaign_report(
    SignedIn(p): SignedIn,
    State(state): State<AppState>,
    ApiPath(file): ApiPath<String>,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> Result<Response, AppError> {
    let id = id_of(&file, ".pdf")?;
    let period = documents::parse_period(&q.period)?;
    let campaign = danvan_storage::movement::campaigns::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let pdf = documents::campaign_report(&state, &p, id, period).await?;
    let name = documents::report_file_name(period, campaign.year, state.clock.today());
    documents::pdf_response(pdf, &name)
}

/// The commendation decision (Nghị định 30/2020/NĐ-CP). Issued decisions are public;
/// drafts only for those who commend.
#[utoipa::path(get, path = "/api/v1/decisions/{id}/document.pdf", tag = "documents", security((), ("bearer" = [])),
    params(("id" = i64, Path, description = "Decision id")),
    responses((status = 200, content_type = "application/pdf", description = "The decision"),
        (status = 404, body = ErrorBody)))]
pub async fn decision(
    caller: Caller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, AppError> {
    let id = id_of(&id, "")?;
    let pdf = documents::decision(&state, caller.principal.as_ref(), id).await?;
    documents::pdf_response(pdf, &format!("quyet-dinh-khen-thuong-{id}.pdf"))
}

/// The certificates of an issued decision, one landscape page per recipient.
#[utoipa::path(get, path = "/api/v1/decisions/{id}/certificates.pdf", tag = "documents", security((), ("bearer" = [])),
    params(("id" = i64, Path, description = "Decision id")),
    responses((status = 200, content_type = "application/pdf", description = "The certificates"),
        (status = 404, body = ErrorBody)))]
pub async fn certificates(
    caller: Caller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, AppError> {
    let id = id_of(&id, "")?;
    let pdf = documents::certificates(&state, caller.principal.as_ref(), id).await?;
    documents::pdf_response(pdf, &format!("giay-khen-{id}.pdf"))
}

/// The scoring council's minutes, as the council is shown to the caller.
#[utoipa::path(get, path = "/api/v1/councils/{id}/minutes.pdf", tag = "documents", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Council id")),
    responses((status = 200, content_type = "application/pdf", description = "The minutes"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn minutes(
    SignedIn(p): SignedIn,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, AppError> {
    let id = id_of(&id, "")?;
    let pdf = documents::council_minutes(&state, &p, id).await?;
    documents::pdf_response(pdf, &format!("bien-ban-hoi-dong-{id}.pdf"))
}

/// The answering body's letter about an answered petition, addressed by tracking code
/// (never by name). 404 until the petition is answered.
#[utoipa::path(get, path = "/api/v1/petitions/{key}/reply.pdf", tag = "documents",
    params(("key" = String, Path, description = "Tracking code")),
    responses((status = 200, content_type = "application/pdf", description = "The letter"),
        (status = 404, body = ErrorBody)))]
pub async fn reply(
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> Result<Response, AppError> {
    let pdf = documents::reply_letter(&state, &code).await?;
    documents::pdf_response(pdf, "cong-van-tra-loi-kien-nghi.pdf")
}
