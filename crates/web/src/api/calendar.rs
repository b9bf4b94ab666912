//! The working-day calendar: the same computation as `danvan calendar`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiJson, ApiQuery, AppError, ErrorBody};

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
    let due = danvan_calendar::WorkCalendar::default().deadline(from, q.days, q.working);
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
    let days = danvan_calendar::WorkCalendar::default().holidays(q.year);
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
