//! The official PDFs behind the pages' download links (same documents as the API's, with
//! the session instead of a token; errors as pages).

use std::future::Future;

use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;

use super::error_page;
use crate::auth::Caller;
use crate::documents;
use crate::error::AppError;
use crate::state::AppState;

async fn answer(
    state: &AppState,
    caller: &Caller,
    path: &str,
    make: impl Future<Output = Result<Response, AppError>>,
) -> Response {
    match make.await {
        Ok(r) => r,
        Err(e) => error_page(state, caller, path, e),
    }
}

fn id(s: &str) -> Result<i64, AppError> {
    s.parse::<i64>().map_err(|_| AppError::NotFound)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReportQuery {
    campaign: String,
    period: String,
}

/// `GET /bang-dieu-khien/thong-ke/bao-cao?campaign=ID&period=mid_year|year_end`
pub async fn campaign_report(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ReportQuery>,
) -> Response {
    let path = "/bang-dieu-khien/thong-ke";
    answer(&state, &caller, path, async {
        let who = caller.require()?;
        let campaign_id = id(q.campaign.trim())?;
        let period = documents::parse_period(&q.period)?;
        let campaign = danvan_storage::movement::campaigns::by_id(&state.db, campaign_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let pdf = documents::campaign_report(&state, who, campaign_id, period).await?;
        let name = documents::report_file_name(period, campaign.year, state.clock.today());
        documents::pdf_response(pdf, &name)
    })
    .await
}

/// `GET /khen-thuong/{id}/quyet-dinh.pdf`
pub async fn decision(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<String>,
) -> Response {
    let path = format!("/khen-thuong/{raw}");
    answer(&state, &caller, &path, async {
        let id = id(&raw)?;
        let pdf = documents::decision(&state, caller.principal.as_ref(), id).await?;
        documents::pdf_response(pdf, &format!("quyet-dinh-khen-thuong-{id}.pdf"))
    })
    .await
}

/// `GET /khen-thuong/{id}/giay-khen.pdf`
pub async fn certificates(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<String>,
) -> Response {
    let path = format!("/khen-thuong/{raw}");
    answer(&state, &caller, &path, async {
        let id = id(&raw)?;
        let pdf = documents::certificates(&state, caller.principal.as_ref(), id).await?;
        documents::pdf_response(pdf, &format!("giay-khen-{id}.pdf"))
    })
    .await
}

/// `GET /hoi-dong/{id}/bien-ban.pdf`
pub async fn minutes(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<String>,
) -> Response {
    let path = format!("/hoi-dong/{raw}");
    answer(&state, &caller, &path, async {
        let who = caller.require()?;
        let id = id(&raw)?;
        let pdf = documents::council_minutes(&state, who, id).await?;
        documents::pdf_response(pdf, &format!("bien-ban-hoi-dong-{id}.pdf"))
    })
    .await
}

/// `GET /kien-nghi/{code}/cong-van.pdf`
pub async fn reply(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> Response {
    let path = "/kien-nghi";
    answer(&state, &caller, path, async {
        let pdf = documents::reply_letter(&state, &code).await?;
        documents::pdf_response(pdf, "cong-van-tra-loi-kien-nghi.pdf")
    })
    .await
}
