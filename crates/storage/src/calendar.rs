//! The days off and make-up working days the province enters per year.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::{Db, Result, Tx, now, with_db, with_tx};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CalendarDay {
    pub day: NaiveDate,
    /// `day_off` or `workday`
    pub kind: String,
    pub reason: String,
    pub created_at: DateTime<Utc>,
}

/// Every entered day, in date order (a few dozen per year).
pub async fn all(db: &Db) -> Result<Vec<CalendarDay>> {
    Ok(
        with_db!(db, p => sqlx::query_as("SELECT day, kind, reason, created_at FROM calendar_days ORDER BY day").fetch_all(p).await)?,
    )
}

/// Enters a day (replacing what was entered for that date); returns the previous entry.
pub async fn set(
    tx: &mut Tx,
    day: NaiveDate,
    kind: &str,
    reason: &str,
    by: Option<i64>,
) -> Result<Option<CalendarDay>> {
    let before: Option<CalendarDay> = with_tx!(tx, c => sqlx::query_as(
        "SELECT day, kind, reason, created_at FROM calendar_days WHERE day = $1"
    )
    .bind(day)
    .fetch_optional(&mut *c)
    .await)?;
    with_tx!(tx, c => sqlx::query(
        "INSERT INTO calendar_days (day, kind, reason, created_by, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, reason = excluded.reason,
             created_by = excluded.created_by, created_at = excluded.created_at"
    )
    .bind(day)
    .bind(kind)
    .bind(reason)
    .bind(by)
    .bind(now())
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(before)
}

/// Removes an entered day; returns it if there was one.
pub async fn remove(tx: &mut Tx, day: NaiveDate) -> Result<Option<CalendarDay>> {
    Ok(with_tx!(tx, c => sqlx::query_as(
        "DELETE FROM calendar_days WHERE day = $1 RETURNING day, kind, reason, created_at"
    )
    .bind(day)
    .fetch_optional(&mut *c)
    .await)?)
}

/// The statutory calendar plus the days off and make-up working days the province entered.
pub async fn work_calendar(db: &Db) -> Result<danvan_calendar::WorkCalendar> {
    let mut o = danvan_calendar::CalendarOverrides::default();
    for d in all(db).await? {
        match d.kind.as_str() {
            "workday" => o.workdays.push((d.day, d.reason)),
            _ => o.days_off.push((d.day, d.reason)),
        }
    }
    Ok(danvan_calendar::WorkCalendar::new(o))
}
