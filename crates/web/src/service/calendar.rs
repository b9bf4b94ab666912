//! The working-day calendar with what the province entered: one computation for the API,
//! the pages and (with a database) the CLI.

use danvan_calendar::WorkCalendar;
use danvan_domain::policy::{Action, Principal, authorize};
use danvan_domain::{FieldError, Invalid, validate};
use danvan_storage::Db;
use danvan_storage::audit::{self, Change};
use danvan_storage::calendar::{self, CalendarDay};
use serde::Deserialize;
use serde_json::json;

use crate::error::AppError;
use crate::state::AppState;

/// The statutory calendar plus the entered days off and make-up working days.
pub async fn work_calendar(db: &Db) -> Result<WorkCalendar, AppError> {
    Ok(calendar::work_calendar(db).await?)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DayInput {
    /// YYYY-MM-DD
    pub date: String,
    /// `day_off` or `workday` (a make-up working day)
    pub kind: String,
    /// e.g. "Nghỉ bù Tết theo Thông báo của Bộ Nội vụ"
    pub reason: String,
}

/// A calendar day that passed validation, not yet written.
#[derive(Debug, Clone)]
pub struct CheckedDay {
    pub day: chrono::NaiveDate,
    /// `day_off` or `workday`
    pub kind: &'static str,
    pub reason: String,
}

/// The field rules of one calendar day, shared by the API, the pages and the import.
pub fn check_day(input: &DayInput) -> Result<CheckedDay, Invalid> {
    let mut errors = Invalid::default();
    let day = validate::date("date", &input.date)
        .map_err(|e| errors.push(e))
        .ok();
    let kind = match input.kind.trim() {
        "day_off" => Some("day_off"),
        "workday" => Some("workday"),
        _ => {
            errors.push(FieldError::new(
                "kind",
                "unknown_kind",
                "Loại ngày phải là ngày nghỉ hoặc ngày làm bù.",
                "The kind is day_off or workday.",
            ));
            None
        }
    };
    let reason = validate::text("reason", &input.reason, 200, false)
        .map_err(|e| errors.push(e))
        .ok();
    match (day, kind, reason) {
        (Some(day), Some(kind), Some(reason)) => Ok(CheckedDay { day, kind, reason }),
        _ => Err(errors),
    }
}

/// Writes a checked day and its audit entry inside the caller's transaction.
pub async fn write_day(
    tx: &mut danvan_storage::Tx,
    actor: &danvan_storage::audit::Actor,
    account_id: Option<i64>,
    d: &CheckedDay,
) -> Result<(), AppError> {
    let before = calendar::set(tx, d.day, d.kind, &d.reason, account_id).await?;
    audit::append(
        tx,
        actor,
        Change {
            action: "calendar.set",
            entity_type: "calendar_day",
            entity_id: d.day.to_string(),
            before: before.map(|b| json!({"kind": b.kind, "reason": b.reason})),
            after: Some(json!({"kind": d.kind, "reason": d.reason})),
        },
    )
    .await?;
    Ok(())
}

pub async fn set_day(
    state: &AppState,
    by: &Principal,
    input: &DayInput,
) -> Result<CalendarDay, AppError> {
    authorize(by, Action::ManageCalendar, None, &state.tree())?;
    let checked = check_day(input)?;
    let day = checked.day;
    let mut tx = state.db.begin().await?;
    write_day(&mut tx, &super::actor(by), Some(by.account_id), &checked).await?;
    tx.commit().await?;
    state.rules.forget();
    calendar::all(&state.db)
        .await?
        .into_iter()
        .find(|d| d.day == day)
        .ok_or(AppError::NotFound)
}

pub async fn remove_day(state: &AppState, by: &Principal, date: &str) -> Result<(), AppError> {
    authorize(by, Action::ManageCalendar, None, &state.tree())?;
    let day = validate::date("date", date)?;
    let mut tx = state.db.begin().await?;
    let Some(before) = calendar::remove(&mut tx, day).await? else {
        return Err(AppError::NotFound);
    };
    audit::append(
        &mut tx,
        &super::actor(by),
        Change {
            action: "calendar.remove",
            entity_type: "calendar_day",
            entity_id: day.to_string(),
            before: Some(json!({"kind": before.kind, "reason": before.reason})),
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    state.rules.forget();
    Ok(())
}
