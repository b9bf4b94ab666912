//! Background jobs: rows in the `jobs` table, claimed with a lease so that each runs once
//! even with several servers, retried with exponential backoff, surviving restarts.
//!
//! The runner also schedules the periodic housekeeping job; the hourly dedupe key makes
//! every server's scheduler agree on one queued job per hour.

use std::time::Duration;

use chrono::Utc;
use danvan_storage::{Db, accounts, jobs, rate_limit};
use tokio::sync::watch;

pub const HOUSEKEEPING: &str = "housekeeping";
/// Sends one e-mail: payload `{"to", "subject", "body"}`.
pub const EMAIL: &str = "email";
/// Raises deadline reminders and escalations.
pub const DEADLINES: &str = "deadlines";

/// What one job kind does. Unknown kinds fail (and end up given up), so that a job queued by
/// a newer server is not silently dropped by an older one.
async fn run(db: &Db, job: &jobs::Job) -> Result<String, String> {
    match job.kind.as_str() {
        HOUSEKEEPING => {
            let sessions = accounts::purge_expired(db)
                .await
                .map_err(|e| e.to_string())?;
            let windows = rate_limit::purge(db).await.map_err(|e| e.to_string())?;
            let finished = jobs::purge_finished(db, chrono::Duration::days(30))
                .await
                .map_err(|e| e.to_string())?;
            Ok(format!(
                "purged {sessions} sessions/tokens, {windows} rate windows, {finished} old jobs"
            ))
        }
        other => Err(format!("unknown job kind {other}")),
    }
}

/// Backoff before attempt n+1: 30 s, 1 min, 2 min, … capped at an hour.
pub fn backoff(attempts: i64) -> chrono::Duration {
    let secs = 30i64.saturating_mul(1i64 << attempts.clamp(0, 7));
    chrono::Duration::seconds(secs.min(3600))
}

/// Queues this hour's housekeeping (once across all servers).
pub async fn schedule_periodic(db: &Db) -> Result<(), danvan_storage::StoreError> {
    let key = format!("{HOUSEKEEPING}:{}", Utc::now().format("%Y%m%d%H"));
    jobs::enqueue(db, HOUSEKEEPING, "{}", danvan_storage::now(), Some(&key)).await?;
    Ok(())
}

/// Claims and runs due jobs until none is left; returns how many ran.
pub async fn drain(db: &Db, worker: &str) -> Result<usize, danvan_storage::StoreError> {
    let mut ran = 0;
    while let Some(job) = jobs::claim(db, worker, chrono::Duration::minutes(10)).await? {
        match run(db, &job).await {
            Ok(summary) => {
                tracing::info!(job = job.id, kind = %job.kind, %summary, "job done");
                jobs::complete(db, job.id).await?;
            }
            Err(error) => {
                tracing::warn!(job = job.id, kind = %job.kind, attempt = job.attempts, %error, "job failed");
                jobs::fail(db, &job, &error, backoff(job.attempts)).await?;
            }
        }
        ran += 1;
    }
    Ok(ran)
}

/// The worker loop of one server: schedule, drain, sleep; stops when `stop` turns true.
pub async fn run_worker(db: Db, worker: String, mut stop: watch::Receiver<bool>) {
    loop {
        if let Err(e) = schedule_periodic(&db).await {
            tracing::warn!(error = %e, "could not schedule periodic jobs");
        }
        if let Err(e) = drain(&db, &worker).await {
            tracing::warn!(error = %e, "job queue unavailable");
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(15)) => {}
            _ = stop.changed() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_caps() {
        assert_eq!(backoff(0).num_seconds(), 30);
        assert_eq!(backoff(1).num_seconds(), 60);
        assert!(backoff(3) > backoff(2));
        assert_eq!(backoff(50).num_seconds(), 3600);
    }
}
