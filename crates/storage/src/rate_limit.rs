//! Fixed-window rate limits kept in the database, so that they hold across several servers.

use crate::{Db, Result, Tx, with_db, with_tx};

const HIT: &str = "INSERT INTO rate_limits (bucket, window_start, hits) VALUES ($1, $2, 1)
     ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limits.hits + 1
     RETURNING hits";

fn window(window_secs: i64) -> i64 {
    let now = chrono::Utc::now().timestamp();
    now - now.rem_euclid(window_secs)
}

/// Counts one hit in `bucket` for the current window of `window_secs` and says whether the
/// caller is still within `limit`.
pub async fn hit(db: &Db, bucket: &str, limit: i64, window_secs: i64) -> Result<bool> {
    let window = window(window_secs);
    let hits: i64 = with_db!(db, p => sqlx::query_scalar(HIT)
        .bind(bucket)
        .bind(window)
        .fetch_one(p)
        .await)?;
    Ok(hits <= limit)
}

/// [`hit`] inside a transaction (a group commit's batch).
pub async fn hit_in(tx: &mut Tx, bucket: &str, limit: i64, window_secs: i64) -> Result<bool> {
    let window = window(window_secs);
    let hits: i64 = with_tx!(tx, c => sqlx::query_scalar(HIT)
        .bind(bucket)
        .bind(window)
        .fetch_one(&mut *c)
        .await)?;
    Ok(hits <= limit)
}

/// Drops windows older than a day.
pub async fn purge(db: &Db) -> Result<u64> {
    let cutoff = chrono::Utc::now().timestamp() - 86_400;
    let r = with_db!(db, p => sqlx::query("DELETE FROM rate_limits WHERE window_start < $1").bind(cutoff).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(r)
}
