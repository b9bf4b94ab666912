use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::{Db, Result, StoreError, Tx, now, with_db, with_tx};

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Report {
    pub id: i64,
    pub initiative_id: i64,
    pub milestone: String,
    pub narrative: String,
    pub correction_note: Option<String>,
    pub state: String,
    pub submitted_by: Option<i64>,
    pub submitted_at: DateTime<Utc>,
    pub reviewed_by: Option<i64>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub review_comment: Option<String>,
}

const COLUMNS: &str = "id, initiative_id, milestone, narrative, correction_note, state, submitted_by, submitted_at, reviewed_by, reviewed_at, review_comment";

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Value {
    pub report_id: i64,
    pub indicator_id: i64,
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Evidence {
    pub id: i64,
    pub initiative_id: i64,
    pub report_id: Option<i64>,
    pub sha256: String,
    pub mime: String,
    pub size: i64,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub caption: String,
    pub uploaded_at: DateTime<Utc>,
}

pub async fn create(
    tx: &mut Tx,
    initiative_id: i64,
    milestone: &str,
    narrative: &str,
    correction_note: Option<&str>,
    values: &[(i64, f64)],
    by: Option<i64>,
) -> Result<i64> {
    let id: i64 = with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO reports (initiative_id, milestone, narrative, correction_note, state, submitted_by, submitted_at)
         VALUES ($1, $2, $3, $4, 'submitted', $5, $6) RETURNING id",
    )
    .bind(initiative_id)
    .bind(milestone)
    .bind(narrative)
    .bind(correction_note)
    .bind(by)
    .bind(now())
    .fetch_one(&mut *c)
    .await)?;
    with_tx!(tx, c => {
        for (indicator, value) in values {
            sqlx::query("INSERT INTO report_values (report_id, indicator_id, value) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(*indicator)
                .bind(*value)
                .execute(&mut *c)
                .await?;
        }
        Ok::<_, sqlx::Error>(())
    })?;
    Ok(id)
}

/// Verifies or returns a submitted report; `Conflict` if it was reviewed meanwhile.
pub async fn review(
    tx: &mut Tx,
    id: i64,
    state: &str,
    comment: Option<&str>,
    by: Option<i64>,
) -> Result<()> {
    let n = with_tx!(tx, c => sqlx::query(
        "UPDATE reports SET state = $1, review_comment = $2, reviewed_by = $3, reviewed_at = $4 WHERE id = $5 AND state = 'submitted'"
    )
    .bind(state)
    .bind(comment)
    .bind(by)
    .bind(now())
    .bind(id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    if n == 0 {
        Err(StoreError::Conflict("report_already_reviewed"))
    } else {
        Ok(())
    }
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<Report>> {
    let sql = format!("SELECT {COLUMNS} FROM reports WHERE id = $1");
    Ok(
        with_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await)?,
    )
}

pub async fn for_initiative(db: &Db, initiative_id: i64) -> Result<Vec<Report>> {
    let sql = format!("SELECT {COLUMNS} FROM reports WHERE initiative_id = $1 ORDER BY id");
    Ok(
        with_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(initiative_id).fetch_all(p).await)?,
    )
}

pub async fn values(db: &Db, initiative_id: i64) -> Result<Vec<Value>> {
    Ok(with_db!(db, p => sqlx::query_as(
        "SELECT v.report_id, v.indicator_id, v.value FROM report_values v JOIN reports r ON r.id = v.report_id
         WHERE r.initiative_id = $1 ORDER BY v.report_id"
    )
    .bind(initiative_id)
    .fetch_all(p)
    .await)?)
}

pub async fn add_evidence(
    tx: &mut Tx,
    initiative_id: i64,
    report_id: Option<i64>,
    f: &EvidenceMeta,
    caption: &str,
    by: Option<i64>,
) -> Result<i64> {
    Ok(with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO evidence_files (initiative_id, report_id, sha256, mime, size, width, height, caption, uploaded_by, uploaded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(initiative_id)
    .bind(report_id)
    .bind(&f.sha256)
    .bind(&f.mime)
    .bind(f.size)
    .bind(f.width)
    .bind(f.height)
    .bind(caption)
    .bind(by)
    .bind(now())
    .fetch_one(&mut *c)
    .await)?)
}

/// What the evidence table keeps of a stored file (the bytes live in the file store).
#[derive(Debug, Clone)]
pub struct EvidenceMeta {
    pub sha256: String,
    pub mime: String,
    pub size: i64,
    pub width: Option<i64>,
    pub height: Option<i64>,
}

pub async fn evidence(db: &Db, initiative_id: i64) -> Result<Vec<Evidence>> {
    Ok(with_db!(db, p => sqlx::query_as(
        "SELECT id, initiative_id, report_id, sha256, mime, size, width, height, caption, uploaded_at FROM evidence_files
         WHERE initiative_id = $1 ORDER BY id"
    )
    .bind(initiative_id)
    .fetch_all(p)
    .await)?)
}

pub async fn evidence_by_sha(db: &Db, sha256: &str) -> Result<Vec<Evidence>> {
    Ok(with_db!(db, p => sqlx::query_as(
        "SELECT id, initiative_id, report_id, sha256, mime, size, width, height, caption, uploaded_at FROM evidence_files WHERE sha256 = $1"
    )
    .bind(sha256)
    .fetch_all(p)
    .await)?)
}

/// Models in `units` with reports awaiting verification: (initiative id, title, how many).
pub async fn pending_by_initiative(db: &Db, units: &[i64]) -> Result<Vec<(i64, String, i64)>> {
    if units.is_empty() {
        return Ok(Vec::new());
    }
    with_db!(db, p => {
        let mut q = sqlx::QueryBuilder::new(
            "SELECT i.id, i.title, COUNT(*) FROM reports r JOIN initiatives i ON i.id = r.initiative_id
             WHERE r.state = 'submitted' AND i.unit_id IN (",
        );
        let mut sep = q.separated(", ");
        for u in units {
            sep.push_bind(*u);
        }
        q.push(") GROUP BY i.id, i.title ORDER BY MIN(r.submitted_at)");
        Ok(q.build_query_as::<(i64, String, i64)>().fetch_all(p).await?)
    })
}
