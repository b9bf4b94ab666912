//! The jobs table: work to do later, claimed by exactly one server at a time.
//!
//! PostgreSQL claims with `FOR UPDATE SKIP LOCKED`; SQLite has one writer, so a claim inside
//! its write transaction is already exclusive. A claim is a lease: a server that dies
//! mid-job loses it when `locked_until` passes, and another server takes the job again.

use chrono::{DateTime, Duration, Utc};

use crate::{Db, Result, Tx, now, with_db, with_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub attempts: i64,
    pub max_attempts: i64,
}

/// Queues a job. With a `dedupe_key`, a job of that key that is pending or done is not queued
/// twice (periodic jobs use the period as key, so several servers schedule it once; a key
/// is free again once a job of it is given up, or purged with it).
pub async fn enqueue(
    db: &Db,
    kind: &str,
    payload: &str,
    run_at: DateTime<Utc>,
    dedupe_key: Option<&str>,
) -> Result<bool> {
    let r = with_db!(db, p => sqlx::query(
        "INSERT INTO jobs (kind, payload, dedupe_key, run_at, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(kind)
    .bind(payload)
    .bind(dedupe_key)
    .bind(run_at)
    .bind(now())
    .execute(p).await.map(|r| r.rows_affected()))?;
    Ok(r > 0)
}

/// Queues a job inside a transaction, so that it exists exactly when the change that asks
/// for it commits (an e-mail about an answer is queued with the answer).
pub async fn enqueue_tx(
    tx: &mut Tx,
    kind: &str,
    payload: &str,
    run_at: DateTime<Utc>,
) -> Result<()> {
    with_tx!(tx, c => sqlx::query(
        "INSERT INTO jobs (kind, payload, run_at, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(kind)
    .bind(payload)
    .bind(run_at)
    .bind(now())
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Claims the next due job for `worker` for `lease`.
pub async fn claim(db: &Db, worker: &str, lease: Duration) -> Result<Option<Job>> {
    let at = now();
    let until = at + lease;
    let sql = match db {
        Db::Postgres(_) => {
            "UPDATE jobs SET locked_by = $1, locked_until = $2, attempts = attempts + 1
             WHERE id = (SELECT id FROM jobs
                         WHERE finished_at IS NULL AND run_at <= $3 AND (locked_until IS NULL OR locked_until < $3)
                         ORDER BY run_at LIMIT 1 FOR UPDATE SKIP LOCKED)
             RETURNING id, kind, payload, attempts, max_attempts"
        }
        Db::Sqlite(_) => {
            "UPDATE jobs SET locked_by = $1, locked_until = $2, attempts = attempts + 1
             WHERE id = (SELECT id FROM jobs
                         WHERE finished_at IS NULL AND run_at <= $3 AND (locked_until IS NULL OR locked_until < $3)
                         ORDER BY run_at LIMIT 1)
             RETURNING id, kind, payload, attempts, max_attempts"
        }
    };
    Ok(
        with_db!(db, p => sqlx::query_as(sql).bind(worker).bind(until).bind(at).fetch_optional(p).await)?,
    )
}

/// Marks a job done. Its payload is dropped: e-mail jobs carry addresses, which are not
/// kept longer than the sending needs. `locked_by` stays as the server that ran it, and the
/// dedupe key stays until the row is purged: a periodic job's key names its period, so a
/// server that schedules the same period after it ran finds it taken and the period's job
/// runs once.
pub async fn complete(db: &Db, id: i64) -> Result<()> {
    with_db!(db, p => sqlx::query("UPDATE jobs SET finished_at = $1, locked_until = NULL, payload = '{}' WHERE id = $2")
        .bind(now())
        .bind(id)
        .execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Records a failure: retried after `retry_in`, or given up after its last attempt.
pub async fn fail(db: &Db, job: &Job, error: &str, retry_in: Duration) -> Result<()> {
    let at = now();
    let give_up = job.attempts >= job.max_attempts;
    with_db!(db, p => sqlx::query(
        "UPDATE jobs SET last_error = $1, locked_by = NULL, locked_until = NULL, run_at = $2,
                finished_at = $3, dedupe_key = CASE WHEN $4 THEN NULL ELSE dedupe_key END
         WHERE id = $5",
    )
    .bind(error)
    .bind(at + retry_in)
    .bind(if give_up { Some(at) } else { None })
    .bind(give_up)
    .bind(job.id)
    .execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Finished jobs older than `keep` are removed.
pub async fn purge_finished(db: &Db, keep: Duration) -> Result<u64> {
    let r = with_db!(db, p => sqlx::query("DELETE FROM jobs WHERE finished_at IS NOT NULL AND finished_at < $1")
        .bind(now() - keep)
        .execute(p).await.map(|r| r.rows_affected()))?;
    Ok(r)
}

/// Pending and failed-for-good counts, for /metrics.
pub async fn counts(db: &Db) -> Result<(i64, i64)> {
    Ok(with_db!(db, p => sqlx::query_as(
        "SELECT COALESCE(SUM(CASE WHEN finished_at IS NULL THEN 1 ELSE 0 END), 0),
                COALESCE(SUM(CASE WHEN finished_at IS NOT NULL AND last_error IS NOT NULL AND attempts >= max_attempts THEN 1 ELSE 0 END), 0)
         FROM jobs"
    )
    .fetch_one(p)
    .await)?)
}
