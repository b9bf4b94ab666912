//! The working-day calendar: the same computation as `danvan calendar`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use axum::extract::State;
use axum::http::StatusCode;

use crate::auth::Caller;
use crate::error::{ApiJson, ApiPath, ApiQuery, AppError, ErrorBody};
use crate::service::calendar::{DayInput, work_calendar};
use crate::state::AppState;

#[derive(Deserialize, IntoParams)]
pub struct DeadlineQuery {
    /// The day the period starts from (not counted), YYYY-MM-DD.
    from: String,
    /// Length of the period, 0–3650.
    days: u32,
    /// Count working days (default: calendar days).
    #[serde(default)]
    working: bool,
}

#[derive(Serialize, ToSchema)]
pub struct DeadlineOut {
    from: NaiveDate,
    days: u32,
    working: bool,
    /// The due date: the last day of the period, moved to the next working day if it is a day off.
    due: NaiveDate,
}

/// The due date of a period counted as the Civil Code counts it.
#[utoipa::path(get, path = "/api/v1/calendar/deadline", tag = "calendar", params(DeadlineQuery),
    responses((status = 200, body = DeadlineOut), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn deadline(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<DeadlineQuery>,
) -> Result<ApiJson<DeadlineOut>, AppError> {
    let from = danvan_domain::validate::date("from", &q.from)?;
    if q.days > 3650 {
        return Err(AppError::invalid(danvan_domain::FieldError::new(
            "days",
            "too_many_days",
            "Thời hạn tối đa 3650 ngày.",
            "At most 3650 days.",
        )));
    }
    let due = work_calendar(&state.db)
        .await?
        .deadline(from, q.days, q.working);
    Ok(ApiJson(DeadlineOut {
        from,
        days: q.days,
        working: q.working,
        due,
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct HolidaysQuery {
    year: i32,
}

#[derive(Serialize, ToSchema)]
pub struct HolidayOut {
    date: NaiveDate,
    name_vi: String,
    name_en: String,
    /// holiday, compensatory or official_day_off
    kind: String,
}

/// The days off of a year: statutory holidays (Tết and Giỗ Tổ from the lunar calendar) and compensatory days.
#[utoipa::path(get, path = "/api/v1/calendar/holidays", tag = "calendar", params(HolidaysQuery),
    responses((status = 200, body = [HolidayOut]), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn holidays(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<HolidaysQuery>,
) -> Result<ApiJson<Vec<HolidayOut>>, AppError> {
    if !(1900..=2199).contains(&q.year) {
        return Err(AppError::invalid(danvan_domain::FieldError::new(
            "year",
            "invalid_year",
            "Năm phải từ 1900 đến 2199.",
            "The year must lie between 1900 and 2199.",
        )));
    }
    let days = work_calendar(&state.db).await?.holidays(q.year);
    Ok(ApiJson(
        days.into_iter()
            .map(|h| HolidayOut {
                date: h.date,
                kind: serde_json::to_value(h.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default(),
                name_vi: h.name_vi,
                name_en: h.name_en,
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct DayOut {
    date: NaiveDate,
    kind: String,
    reason: String,
}

/// The days off and make-up working days the province entered.
#[utoipa::path(get, path = "/api/v1/calendar/days", tag = "calendar", responses((status = 200, body = [DayOut])))]
pub async fn list_days(State(state): State<AppState>) -> Result<ApiJson<Vec<DayOut>>, AppError> {
    let days = danvan_storage::calendar::all(&state.db).await?;
    Ok(ApiJson(
        days.into_iter()
            .map(|d| DayOut {
                date: d.day,
                kind: d.kind,
                reason: d.reason,
            })
            .collect(),
    ))
}

/// Enter an official day off or a make-up working day (province administrator).
#[utoipa::path(post, path = "/api/v1/calendar/days", tag = "calendar", security(("bearer" = [])), request_body = DayInput,
    responses((status = 201, body = DayOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_day(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<DayInput>,
) -> Result<(StatusCode, ApiJson<DayOut>), AppError> {
    let p = caller.require()?;
    let d = crate::service::calendar::set_day(&state, p, &input).await?;
    Ok((
        StatusCode::CREATED,
        ApiJson(DayOut {
            date: d.day,
            kind: d.kind,
            reason: d.reason,
        }),
    ))
}

/// Remove an entered day (province administrator).
#[utoipa::path(delete, path = "/api/v1/calendar/days/{date}", tag = "calendar", security(("bearer" = [])), params(("date" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn remove_day(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(date): ApiPath<String>,
) -> Result<StatusCode, AppError> {
    let p = caller.require()?;
    crate::service::calendar::remove_day(&state, p, &date).await?;
    Ok(StatusCode::NO_CONTENT)
}
