use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::{Db, Result, StoreError, Tx, now, with_db, with_tx};

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Initiative {
    pub id: i64,
    pub campaign_id: i64,
    pub source_id: Option<i64>,
    pub title: String,
    pub title_group: String,
    pub field: String,
    pub sub_theme: Option<String>,
    pub unit_id: i64,
    pub organisation_id: Option<i64>,
    pub registrant_kind: String,
    pub registrant_name: String,
    pub summary: String,
    pub goals: String,
    pub partners: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub state: String,
    pub version: i64,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, campaign_id, source_id, title, title_group, field, sub_theme, unit_id, organisation_id, \
registrant_kind, registrant_name, summary, goals, partners, starts_on, ends_on, state, version, created_by, created_at, updated_at";

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Indicator {
    pub id: i64,
    pub initiative_id: i64,
    pub position: i64,
    pub kind: String,
    pub custom_name: Option<String>,
    pub custom_unit: Option<String>,
    pub target: f64,
}

/// The editable content of a registration (validated by the caller).
#[derive(Debug, Clone)]
pub struct Content {
    pub title: String,
    pub title_group: String,
    pub field: String,
    pub sub_theme: Option<String>,
    pub unit_id: i64,
    pub organisation_id: Option<i64>,
    pub registrant_kind: String,
    pub registrant_name: String,
    pub summary: String,
    pub goals: String,
    pub partners: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// (kind, custom name, custom unit, target)
    pub indicators: Vec<(String, Option<String>, Option<String>, f64)>,
}

async fn write_indicators(tx: &mut Tx, id: i64, c: &Content) -> Result<()> {
    with_tx!(tx, conn => {
        sqlx::query("DELETE FROM initiative_indicators WHERE initiative_id = $1").bind(id).execute(&mut *conn).await?;
        for (i, (kind, name, unit, target)) in c.indicators.iter().enumerate() {
            sqlx::query(
                "INSERT INTO initiative_indicators (initiative_id, position, kind, custom_name, custom_unit, target)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(i as i64)
            .bind(kind)
            .bind(name)
            .bind(unit)
            .bind(*target)
            .execute(&mut *conn)
            .await?;
        }
        Ok::<_, sqlx::Error>(())
    })?;
    Ok(())
}

pub async fn create(
    tx: &mut Tx,
    campaign_id: i64,
    source_id: Option<i64>,
    c: &Content,
    state: &str,
    by: Option<i64>,
) -> Result<i64> {
    let at = now();
    let id: i64 = with_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO initiatives (campaign_id, source_id, title, title_group, field, sub_theme, unit_id, organisation_id,
             registrant_kind, registrant_name, summary, goals, partners, starts_on, ends_on, state, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18) RETURNING id",
    )
    .bind(campaign_id)
    .bind(source_id)
    .bind(&c.title)
    .bind(&c.title_group)
    .bind(&c.field)
    .bind(&c.sub_theme)
    .bind(c.unit_id)
    .bind(c.organisation_id)
    .bind(&c.registrant_kind)
    .bind(&c.registrant_name)
    .bind(&c.summary)
    .bind(&c.goals)
    .bind(&c.partners)
    .bind(c.starts_on)
    .bind(c.ends_on)
    .bind(state)
    .bind(by)
    .bind(at)
    .fetch_one(&mut *conn)
    .await)?;
    write_indicators(tx, id, c).await?;
    crate::search::index_initiative(tx, id).await?;
    Ok(id)
}

/// Replaces the content if nobody saved since `version`; `Conflict("stale_version")` otherwise.
pub async fn update(tx: &mut Tx, id: i64, version: i64, c: &Content) -> Result<()> {
    let n = with_tx!(tx, conn => sqlx::query(
        "UPDATE initiatives SET title = $1, title_group = $2, field = $3, sub_theme = $4, unit_id = $5, registrant_kind = $6,
             registrant_name = $7, summary = $8, goals = $9, partners = $10, starts_on = $11, ends_on = $12,
             version = version + 1, updated_at = $13
         WHERE id = $14 AND version = $15",
    )
    .bind(&c.title)
    .bind(&c.title_group)
    .bind(&c.field)
    .bind(&c.sub_theme)
    .bind(c.unit_id)
    .bind(&c.registrant_kind)
    .bind(&c.registrant_name)
    .bind(&c.summary)
    .bind(&c.goals)
    .bind(&c.partners)
    .bind(c.starts_on)
    .bind(c.ends_on)
    .bind(now())
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await
    .map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::Conflict("stale_version"));
    }
    write_indicators(tx, id, c).await?;
    crate::search::index_initiative(tx, id).await
}

/// One lifecycle move, as recorded in the model's events.
#[derive(Debug, Clone, Copy)]
pub struct Move<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub action: &'a str,
    pub comment: Option<&'a str>,
    pub by: Option<i64>,
}

/// Moves the state if nobody changed the model since `version`, and records the event.
pub async fn set_state(tx: &mut Tx, id: i64, version: i64, m: Move<'_>) -> Result<()> {
    let Move {
        from,
        to,
        action,
        comment,
        by,
    } = m;
    let at = now();
    let n = with_tx!(tx, conn => sqlx::query(
        "UPDATE initiatives SET state = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4 AND state = $5",
    )
    .bind(to)
    .bind(at)
    .bind(id)
    .bind(version)
    .bind(from)
    .execute(&mut *conn)
    .await
    .map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::Conflict("stale_version"));
    }
    with_tx!(tx, conn => sqlx::query(
        "INSERT INTO initiative_events (initiative_id, at, actor_id, action, from_state, to_state, comment) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(at)
    .bind(by)
    .bind(action)
    .bind(from)
    .bind(to)
    .bind(comment)
    .execute(&mut *conn)
    .await
    .map(|r| r.rows_affected()))?;
    // The state decides whether the public finds the model.
    crate::search::index_initiative(tx, id).await
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<Initiative>> {
    let sql = format!("SELECT {COLUMNS} FROM initiatives WHERE id = $1");
    Ok(
        with_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await)?,
    )
}

pub async fn indicators(db: &Db, initiative_id: i64) -> Result<Vec<Indicator>> {
    Ok(with_db!(db, p => sqlx::query_as(
        "SELECT id, initiative_id, position, kind, custom_name, custom_unit, target FROM initiative_indicators
         WHERE initiative_id = $1 ORDER BY position"
    )
    .bind(initiative_id)
    .fetch_all(p)
    .await)?)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Event {
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub action: String,
    pub from_state: String,
    pub to_state: String,
    pub comment: Option<String>,
}

pub async fn events(db: &Db, initiative_id: i64) -> Result<Vec<Event>> {
    Ok(with_db!(db, p => sqlx::query_as(
        "SELECT at, actor_id, action, from_state, to_state, comment FROM initiative_events WHERE initiative_id = $1 ORDER BY id"
    )
    .bind(initiative_id)
    .fetch_all(p)
    .await)?)
}

/// Filters of lists (public showcase, staff lists, API). `units` and `states` empty mean any.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub campaign_id: Option<i64>,
    pub year: Option<i64>,
    pub field: Option<String>,
    pub units: Vec<i64>,
    pub states: Vec<String>,
    pub organisation_id: Option<i64>,
    pub source_id: Option<i64>,
    /// For callers whose scope is limited: only these units' models (in addition to `units`).
    pub scope_units: Option<Vec<i64>>,
}

/// A page of initiatives, newest first, and the total that matches.
pub async fn list(db: &Db, f: &Filter, limit: i64, offset: i64) -> Result<(Vec<Initiative>, i64)> {
    with_db!(db, p => {
        let mut out = (Vec::new(), 0);
        for count in [true, false] {
            let mut q = sqlx::QueryBuilder::new(if count {
                "SELECT COUNT(*) FROM initiatives i JOIN campaigns c ON c.id = i.campaign_id WHERE 1 = 1".to_string()
            } else {
                format!("SELECT {} FROM initiatives i JOIN campaigns c ON c.id = i.campaign_id WHERE 1 = 1",
                    COLUMNS.split(", ").map(|c| format!("i.{c}")).collect::<Vec<_>>().join(", "))
            });
            if let Some(id) = f.campaign_id {
                q.push(" AND i.campaign_id = ").push_bind(id);
            }
            if let Some(y) = f.year {
                q.push(" AND c.year = ").push_bind(y);
            }
            if let Some(field) = &f.field {
                q.push(" AND i.field = ").push_bind(field.clone());
            }
            if let Some(o) = f.organisation_id {
                q.push(" AND i.organisation_id = ").push_bind(o);
            }
            if let Some(s) = f.source_id {
                q.push(" AND i.source_id = ").push_bind(s);
            }
            let unit_sets = [(!f.units.is_empty()).then_some(&f.units), f.scope_units.as_ref()];
            for ids in unit_sets.into_iter().flatten() {
                q.push(" AND i.unit_id IN (");
                let mut sep = q.separated(", ");
                if ids.is_empty() {
                    // An empty scope matches nothing.
                    sep.push("NULL");
                }
                for id in ids {
                    sep.push_bind(*id);
                }
                q.push(")");
            }
            if !f.states.is_empty() {
                q.push(" AND i.state IN (");
                let mut sep = q.separated(", ");
                for s in &f.states {
                    sep.push_bind(s.clone());
                }
                q.push(")");
            }
            if count {
                out.1 = q.build_query_scalar::<i64>().fetch_one(p).await?;
            } else {
                q.push(" ORDER BY i.updated_at DESC, i.id DESC LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
                out.0 = q.build_query_as::<Initiative>().fetch_all(p).await?;
            }
        }
        Ok(out)
    })
}

/// How many replications each of `ids` has (any state but draft, rejected and withdrawn).
pub async fn replication_counts(db: &Db, ids: &[i64]) -> Result<Vec<(i64, i64)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    with_db!(db, p => {
        let mut q = sqlx::QueryBuilder::new(
            "SELECT source_id, COUNT(*) FROM initiatives WHERE state NOT IN ('draft', 'rejected', 'withdrawn') AND source_id IN (",
        );
        let mut sep = q.separated(", ");
        for id in ids {
            sep.push_bind(*id);
        }
        q.push(") GROUP BY source_id");
        Ok(q.build_query_as::<(i64, i64)>().fetch_all(p).await?)
    })
}

/// One indicator of a public model with its latest verified value, for roll-ups.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ResultRow {
    pub initiative_id: i64,
    pub unit_id: i64,
    pub field: String,
    pub year: i64,
    pub source_id: Option<i64>,
    pub kind: Option<String>,
    pub target: Option<f64>,
    pub achieved: Option<f64>,
}

/// Every public model (and each of its indicators) of `year` (all years when `None`).
pub async fn results(db: &Db, year: Option<i64>) -> Result<Vec<ResultRow>> {
    Ok(with_db!(db, p => sqlx::query_as(
        "SELECT i.id AS initiative_id, i.unit_id, i.field, c.year, i.source_id, ind.kind, ind.target,
                ind.latest_value AS achieved
         FROM initiatives i
         JOIN campaigns c ON c.id = i.campaign_id
         LEFT JOIN initiative_indicators ind ON ind.initiative_id = i.id
         WHERE i.state IN ('registered', 'reporting', 'completed', 'evaluated') AND (CAST($1 AS BIGINT) IS NULL OR c.year = $1)
         ORDER BY i.id, ind.position"
    )
    .bind(year)
    .fetch_all(p)
    .await)?)
}
