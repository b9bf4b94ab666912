//! Aggregates for the dashboards and reports, grouped by the unit a record was made in (as
//! that unit then stood) so that the caller can roll them up under any version of the unit
//! tree — records made under pre-2025 units count in their successors.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::petitions::overdue_sql;
use crate::{Db, Result, with_db};

/// Models counted per unit, campaign year, field and state.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct ModelCount {
    pub unit_id: i64,
    pub year: i64,
    pub field: String,
    pub state: String,
    pub models: i64,
    /// Of which replications of another model.
    pub replications: i64,
}

/// The end of `until` in Vietnam (UTC+7) as an instant, for comparing timestamps; no limit
/// when `None`.
fn end_of(until: Option<NaiveDate>) -> DateTime<Utc> {
    let day = until.unwrap_or_else(far_future);
    let next = day.succ_opt().unwrap_or(day);
    DateTime::<Utc>::from_naive_utc_and_offset(next.and_time(chrono::NaiveTime::MIN), Utc)
        - chrono::Duration::hours(7)
}

fn far_future() -> NaiveDate {
    NaiveDate::from_ymd_opt(9999, 12, 30).unwrap_or(NaiveDate::MAX)
}

/// Models registered by the end of `until` (all when `None`).
pub async fn models(db: &Db, until: Option<NaiveDate>) -> Result<Vec<ModelCount>> {
    Ok(with_db!(db, p => sqlx::query_as(
        "SELECT i.unit_id, c.year, i.field, i.state, COUNT(*) AS models,
                COALESCE(SUM(CASE WHEN i.source_id IS NOT NULL THEN 1 ELSE 0 END), 0) AS replications
         FROM initiatives i JOIN campaigns c ON c.id = i.campaign_id
         WHERE i.created_at < $1
         GROUP BY i.unit_id, c.year, i.field, i.state"
    )
    .bind(end_of(until))
    .fetch_all(p)
    .await)?)
}

/// Indicator targets and the latest verified achievement, summed per unit, campaign year and
/// indicator kind, over public models only (what has been approved is what counts).
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct IndicatorSum {
    pub unit_id: i64,
    pub year: i64,
    pub kind: String,
    pub target: f64,
    pub achieved: f64,
}

/// Achievements as verified by the end of `until`; today's (`None`) from each indicator's
/// latest verified value, which the database keeps on the indicator (migration 0013).
pub async fn indicators(db: &Db, until: Option<NaiveDate>) -> Result<Vec<IndicatorSum>> {
    const AS_OF: &str = "(SELECT v.value FROM report_values v JOIN reports r ON r.id = v.report_id
                          WHERE v.indicator_id = ind.id AND r.state = 'verified' AND r.reviewed_at < $1
                          ORDER BY v.report_id DESC LIMIT 1)";
    let achieved = if until.is_some() {
        AS_OF
    } else {
        "ind.latest_value"
    };
    let sql = format!(
        "SELECT i.unit_id, c.year, ind.kind, SUM(ind.target) AS target,
                COALESCE(SUM({achieved}), 0.0) AS achieved
         FROM initiative_indicators ind
         JOIN initiatives i ON i.id = ind.initiative_id
         JOIN campaigns c ON c.id = i.campaign_id
         WHERE i.state IN ('registered', 'reporting', 'completed', 'evaluated')
           AND i.created_at < $1
         GROUP BY i.unit_id, c.year, ind.kind"
    );
    Ok(
        with_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
    .bind(end_of(until))
    .fetch_all(p)
    .await)?,
    )
}

/// Models commended by issued decisions, per unit and campaign year.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct CommendationCount {
    pub unit_id: i64,
    pub year: i64,
    pub commendations: i64,
}

/// Decisions signed by `until`.
pub async fn commendations(db: &Db, until: Option<NaiveDate>) -> Result<Vec<CommendationCount>> {
    Ok(with_db!(db, p => sqlx::query_as(
        "SELECT i.unit_id, c.year, COUNT(*) AS commendations
         FROM decision_recipients r
         JOIN decisions d ON d.id = r.decision_id
         JOIN initiatives i ON i.id = r.initiative_id
         JOIN campaigns c ON c.id = i.campaign_id
         WHERE d.state = 'issued' AND d.signed_on <= $1
         GROUP BY i.unit_id, c.year"
    )
    .bind(until.unwrap_or_else(far_future))
    .fetch_all(p)
    .await)?)
}

/// Petitions per unit, answering body and year received, with the same figures as the
/// public accountability table.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct PetitionCount {
    pub unit_id: i64,
    pub organisation_id: Option<i64>,
    pub year: i64,
    pub received: i64,
    pub answered: i64,
    pub on_time: i64,
    pub overdue: i64,
    pub rated: i64,
    pub satisfied: i64,
}

/// The year a petition was received, read the same way on both backends (`substr` of the
/// ISO text).
const RECEIVED_YEAR: &str = "CAST(substr(CAST(received_on AS TEXT), 1, 4) AS BIGINT)";

/// Petitions received by `until`; overdue counted as of `today`. Up to now (`until` is
/// `None`: the dashboards) the figures come from the tallies that the database keeps with
/// every change (migration 0009) and the overdue ones from the open petitions; a cut-off in
/// the past (a mid-year report) needs a scan of the petitions received by then.
pub async fn petitions(
    db: &Db,
    today: NaiveDate,
    until: Option<NaiveDate>,
) -> Result<Vec<PetitionCount>> {
    match until {
        None => tallied_petitions(db, today).await,
        Some(until) => scanned_petitions(db, today, until).await,
    }
}

async fn tallied_petitions(db: &Db, today: NaiveDate) -> Result<Vec<PetitionCount>> {
    // SQLite's planner reaches for the (state, due_on) index and then reads 80 000 wide
    // petition rows; the partial index of open petitions holds every column asked (measured
    // at province scale: 200 ms → 47 ms). PostgreSQL chooses well on its own.
    let open_index = match db.backend() {
        crate::Backend::Sqlite => "INDEXED BY petitions_open",
        crate::Backend::Postgres => "",
    };
    let sql = format!(
        "SELECT t.unit_id, NULLIF(t.organisation_id, 0) AS organisation_id, t.year,
                t.received, t.answered, t.on_time, COALESCE(o.overdue, 0) AS overdue, t.rated, t.satisfied
         FROM petition_tallies t
         LEFT JOIN (SELECT unit_id, COALESCE(organisation_id, 0) AS organisation_id, {RECEIVED_YEAR} AS year,
                           COUNT(*) AS overdue
                    FROM petitions {open_index} WHERE {overdue}
                    GROUP BY unit_id, COALESCE(organisation_id, 0), {RECEIVED_YEAR}) o
           ON o.unit_id = t.unit_id AND o.organisation_id = t.organisation_id AND o.year = t.year
         WHERE t.received > 0",
        overdue = overdue_sql(1)
    );
    Ok(with_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(today)
        .fetch_all(p).await)?)
}

async fn scanned_petitions(
    db: &Db,
    today: NaiveDate,
    until: NaiveDate,
) -> Result<Vec<PetitionCount>> {
    let sql = format!(
        "SELECT unit_id, organisation_id, {RECEIVED_YEAR} AS year,
                COUNT(*) AS received,
                COALESCE(SUM(CASE WHEN answered_on IS NOT NULL THEN 1 ELSE 0 END), 0) AS answered,
                COALESCE(SUM(CASE WHEN answered_on IS NOT NULL AND answered_on <= due_on THEN 1 ELSE 0 END), 0) AS on_time,
                COALESCE(SUM(CASE WHEN {overdue} THEN 1 ELSE 0 END), 0) AS overdue,
                COALESCE(SUM(CASE WHEN rating IS NOT NULL THEN 1 ELSE 0 END), 0) AS rated,
                COALESCE(SUM(CASE WHEN rating = 'satisfied' THEN 1 ELSE 0 END), 0) AS satisfied
         FROM petitions WHERE state <> 'merged' AND received_on <= $2
         GROUP BY unit_id, organisation_id, {RECEIVED_YEAR}",
        overdue = overdue_sql(1)
    );
    Ok(with_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(today)
        .bind(until)
        .fetch_all(p).await)?)
}
