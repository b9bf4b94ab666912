//! Export requests built in the background: their state, progress and the file made.
//!
//! Only the account that asked sees a request (every read here is by account), and the
//! file is kept until `expires_at`, after which housekeeping removes file and row.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::{Db, Result, Tx, now, with_db, with_tx};

pub const QUEUED: &str = "queued";
pub const RUNNING: &str = "running";
pub const DONE: &str = "done";
pub const FAILED: &str = "failed";

#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, Eq)]
pub struct Export {
    pub id: i64,
    pub account_id: i64,
    pub kind: String,
    /// The list's filters as a JSON object of query parameters.
    pub filters: String,
    pub format: String,
    pub state: String,
    pub rows_done: i64,
    pub rows_total: Option<i64>,
    /// Relative to the data dir.
    pub file_path: Option<String>,
    pub file_name: Option<String>,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, account_id, kind, filters, format, state, rows_done, rows_total, file_path, file_name, error, created_at, finished_at, expires_at";

/// Records a queued request; the job that builds it is queued by the caller.
/// Records a queued export inside `tx`, so that the request and its job are written together.
pub async fn create(
    tx: &mut Tx,
    account_id: i64,
    kind: &str,
    filters: &str,
    format: &str,
    rows_total: Option<i64>,
    expires_at: DateTime<Utc>,
) -> Result<i64> {
    Ok(with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO exports (account_id, kind, filters, format, state, rows_total, created_at, expires_at)
         VALUES ($1, $2, $3, $4, 'queued', $5, $6, $7) RETURNING id",
    )
    .bind(account_id)
    .bind(kind)
    .bind(filters)
    .bind(format)
    .bind(rows_total)
    .bind(now())
    .bind(expires_at)
    .fetch_one(&mut *c)
    .await)?)
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<Export>> {
    let sql = format!("SELECT {COLUMNS} FROM exports WHERE id = $1");
    Ok(
        with_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(id).fetch_optional(p).await)?,
    )
}

/// One account's requests, newest first.
pub async fn list_for(db: &Db, account_id: i64) -> Result<Vec<Export>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM exports WHERE account_id = $1 ORDER BY created_at DESC, id DESC LIMIT 100"
    );
    Ok(
        with_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(account_id).fetch_all(p).await)?,
    )
}

/// The job took the request: how many rows it expects.
pub async fn start(db: &Db, id: i64, total: i64) -> Result<()> {
    with_db!(db, p => sqlx::query(
        "UPDATE exports SET state = 'running', rows_done = 0, rows_total = $1, error = NULL WHERE id = $2",
    )
    .bind(total)
    .bind(id)
    .execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn progress(db: &Db, id: i64, done: i64, total: i64) -> Result<()> {
    with_db!(db, p => sqlx::query("UPDATE exports SET rows_done = $1, rows_total = $2 WHERE id = $3")
        .bind(done)
        .bind(total)
        .bind(id)
        .execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn finish(db: &Db, id: i64, rows: i64, file_path: &str, file_name: &str) -> Result<()> {
    with_db!(db, p => sqlx::query(
        "UPDATE exports SET state = 'done', rows_done = $1, rows_total = $1, file_path = $2, file_name = $3,
                finished_at = $4 WHERE id = $5",
    )
    .bind(rows)
    .bind(file_path)
    .bind(file_name)
    .bind(now())
    .bind(id)
    .execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn fail(db: &Db, id: i64, error: &str) -> Result<()> {
    with_db!(db, p => sqlx::query("UPDATE exports SET state = 'failed', error = $1, finished_at = $2 WHERE id = $3")
        .bind(error)
        .bind(now())
        .bind(id)
        .execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Requests whose time is up (their files are to be removed).
pub async fn expired(db: &Db, at: DateTime<Utc>) -> Result<Vec<Export>> {
    let sql = format!("SELECT {COLUMNS} FROM exports WHERE expires_at < $1 ORDER BY id LIMIT 1000");
    Ok(
        with_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(at).fetch_all(p).await)?,
    )
}

pub async fn delete(db: &Db, id: i64) -> Result<()> {
    with_db!(db, p => sqlx::query("DELETE FROM exports WHERE id = $1")
        .bind(id)
        .execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}
