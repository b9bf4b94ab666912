//! Fixed-window rate limits kept in the database, so that they hold across several servers.

use crate::{Db, Result, Tx, with_db, with_tx};

// Counts the hit in the current window and reads the previous window's count with it.
const HIT: &str = "INSERT INTO rate_limits (bucket, window_start, hits) VALUES ($1, $2, 1)
     ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limits.hits + 1
     RETURNING hits,
         COALESCE((SELECT p.hits FROM rate_limits p WHERE p.bucket = $1 AND p.window_start = $3), 0)";

/// The current window's start, the previous window's start, and how far into the current
/// window `now` is (0 to 1).
fn windows(now: i64, window_secs: i64) -> (i64, i64, f64) {
    let into = now.rem_euclid(window_secs);
    let start = now - into;
    (start, start - window_secs, into as f64 / window_secs as f64)
}

/// A sliding window, estimated from two fixed ones: the previous window's hits count for the
/// share of it that the last `window_secs` still cover. Fixed windows alone let twice the
/// limit through across a boundary (a guesser's 20 tries just before it and 20 just after).
fn within(hits: i64, previous: i64, into: f64, limit: i64) -> bool {
    hits as f64 + previous as f64 * (1.0 - into) <= limit as f64
}

/// Counts one hit in `bucket` and says whether the caller is still within `limit` hits in
/// the last `window_secs`.
pub async fn hit(db: &Db, bucket: &str, limit: i64, window_secs: i64) -> Result<bool> {
    let (start, previous_start, into) = windows(chrono::Utc::now().timestamp(), window_secs);
    let (hits, previous): (i64, i64) = with_db!(db, p => sqlx::query_as(HIT)
        .bind(bucket)
        .bind(start)
        .bind(previous_start)
        .fetch_one(p)
        .await)?;
    Ok(within(hits, previous, into, limit))
}

/// [`hit`] inside a transaction (a group commit's batch).
pub async fn hit_in(tx: &mut Tx, bucket: &str, limit: i64, window_secs: i64) -> Result<bool> {
    let (start, previous_start, into) = windows(chrono::Utc::now().timestamp(), window_secs);
    let (hits, previous): (i64, i64) = with_tx!(tx, c => sqlx::query_as(HIT)
        .bind(bucket)
        .bind(start)
        .bind(previous_start)
        .fetch_one(&mut *c)
        .await)?;
    Ok(within(hits, previous, into, limit))
}

/// Drops windows older than a day.
pub async fn purge(db: &Db) -> Result<u64> {
    let cutoff = chrono::Utc::now().timestamp() - 86_400;
    let r = with_db!(db, p => sqlx::query("DELETE FROM rate_limits WHERE window_start < $1").bind(cutoff).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_previous_window_counts_for_what_the_sliding_window_still_covers() {
        assert_eq!(windows(1_000, 300), (900, 600, 1.0 / 3.0));
        // Twenty tries at the end of one window, then two just after the boundary: the
        // first of those is already over a limit of 20.
        let (_, _, into) = windows(1_201, 300);
        assert!(!within(1, 20, into, 20));
        // Half a window later, half of the old tries still count.
        assert!(within(10, 20, 0.5, 20));
        assert!(!within(11, 20, 0.5, 20));
        // Nothing before: the plain count.
        assert!(within(20, 0, 0.9, 20));
        assert!(!within(21, 0, 0.0, 20));
    }
}
