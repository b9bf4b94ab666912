//! The province's working calendar: computed holidays, and the days off and make-up working
//! days it enters each year.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Datelike;
use danvan_calendar::DayKind;
use danvan_domain::policy::{Action, authorize};
use serde::Deserialize;

use super::format::date;
use super::{Frame, field_errors, render};
use crate::auth::Caller;
use crate::error::AppError;
use crate::i18n;
use crate::service::calendar::{DayInput, work_calendar};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    f: Frame,
    year: i32,
    holidays: Vec<(String, String, String)>,
    /// (ISO date, display date, kind, reason)
    entered: Vec<(String, String, String, String)>,
    errors: Vec<(String, String)>,
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct YearQuery {
    year: String,
}

async fn page(
    state: &AppState,
    caller: &Caller,
    year: i32,
    errors: Vec<(String, String)>,
    notice: Option<String>,
) -> Result<CalendarPage, AppError> {
    let who = caller.require()?;
    authorize(who, Action::ManageCalendar, None, &state.tree())?;
    let lang = caller.lang;
    let kind_label = |k: DayKind| {
        let key = match k {
            DayKind::Compensatory => "calendar.compensatory",
            DayKind::OfficialDayOff => "calendar.day_off",
            DayKind::MakeUpWorkday => "calendar.workday",
            _ => "calendar.holiday",
        };
        i18n::t(lang, key).to_string()
    };
    let cal = work_calendar(&state.db).await?;
    let holidays = cal
        .holidays(year)
        .into_iter()
        .map(|h| {
            (
                date(h.date),
                if caller.vi() { h.name_vi } else { h.name_en },
                kind_label(h.kind),
            )
        })
        .collect();
    let entered = danvan_storage::calendar::all(&state.db)
        .await?
        .into_iter()
        .filter(|d| d.day.year() == year)
        .map(|d| {
            let kind = if d.kind == "workday" {
                DayKind::MakeUpWorkday
            } else {
                DayKind::OfficialDayOff
            };
            (d.day.to_string(), date(d.day), kind_label(kind), d.reason)
        })
        .collect();
    Ok(CalendarPage {
        f: Frame::new(state, caller, "/quan-tri/lich", "calendar.title"),
        year,
        holidays,
        entered,
        errors,
        notice,
    })
}

fn this_year() -> i32 {
    chrono::Local::now().date_naive().year()
}

pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<YearQuery>,
) -> Response {
    let year = q
        .year
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (1900..=2199).contains(y))
        .unwrap_or_else(this_year);
    match page(&state, &caller, year, vec![], None).await {
        Ok(p) => render(p),
        Err(e) => super::error_page(&state, &caller, "/quan-tri/lich", e),
    }
}

/// Re-shows the calendar of the changed year with a notice, or with the form's errors.
async fn after(
    state: &AppState,
    caller: &Caller,
    year: i32,
    result: Result<(), AppError>,
) -> Response {
    let (status, errors, notice) = match result {
        Ok(()) => (
            StatusCode::OK,
            vec![],
            Some(i18n::t(caller.lang, "initiative.done").to_string()),
        ),
        Err(e @ AppError::Invalid(_)) => (e.status(), field_errors(&e, caller.vi()), None),
        Err(e) => return super::error_page(state, caller, "/quan-tri/lich", e),
    };
    match page(state, caller, year, errors, notice).await {
        Ok(p) => (status, render(p)).into_response(),
        Err(e) => super::error_page(state, caller, "/quan-tri/lich", e),
    }
}

pub async fn add(
    State(state): State<AppState>,
    caller: Caller,
    Form(input): Form<DayInput>,
) -> Response {
    let year = danvan_domain::validate::date("date", &input.date)
        .map(|d| d.year())
        .unwrap_or_else(|_| this_year());
    let result = match caller.require() {
        Ok(p) => crate::service::calendar::set_day(&state, p, &input)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    after(&state, &caller, year, result).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RemoveForm {
    date: String,
}

pub async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<RemoveForm>,
) -> Response {
    let year = danvan_domain::validate::date("date", &form.date)
        .map(|d| d.year())
        .unwrap_or_else(|_| this_year());
    let result = match caller.require() {
        Ok(p) => crate::service::calendar::remove_day(&state, p, &form.date).await,
        Err(e) => Err(e),
    };
    after(&state, &caller, year, result).await
}
