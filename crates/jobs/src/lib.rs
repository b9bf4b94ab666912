//! Background jobs: rows in the `jobs` table, claimed with a lease so that each runs once
//! even with several servers, retried with exponential backoff, surviving restarts.
//!
//! The runner also schedules the periodic jobs; a dedupe key per period makes every
//! server's scheduler agree on one queued job per period.

pub mod deadlines;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use danvan_domain::clock::Clock;
use danvan_storage::{Db, accounts, jobs, petitions, rate_limit};
use tokio::sync::watch;

pub const HOUSEKEEPING: &str = "housekeeping";
/// Sends one e-mail: payload `{"to", "subject", "body"}`.
pub const EMAIL: &str = "email";
/// Raises deadline reminders and escalations.
pub const DEADLINES: &str = "deadlines";

/// What jobs run with: the database, the clock deadlines count on, the mailer when an
/// SMTP server is configured, and the handler of the kinds this crate does not know.
#[derive(Clone)]
pub struct Runner {
    pub db: Db,
    pub clock: Clock,
    pub mailer: Option<danvan_mail::Mailer>,
    /// Kinds that need more than the database (spreadsheet exports need the web layer's
    /// policy and tables); this crate cannot depend on that layer, so it is handed in.
    pub handler: Option<Arc<dyn Handler>>,
}

/// A job's outcome: a summary, or the error that makes it retry.
pub type Outcome = Result<String, String>;
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Runs job kinds defined outside this crate, and adds to the hourly housekeeping.
pub trait Handler: Send + Sync {
    /// `None` when the kind is not the handler's either.
    fn run<'a>(&'a self, job: &'a jobs::Job) -> BoxFuture<'a, Option<Outcome>>;
    /// Extra clean-up run with the housekeeping job (e.g. expired export files).
    fn housekeeping(&self) -> BoxFuture<'_, Outcome>;
}

#[derive(serde::Deserialize)]
struct EmailJob {
    to: String,
    subject: String,
    body: String,
}

/// What one job kind does. Unknown kinds fail (and end up given up), so that a job queued by
/// a newer server is not silently dropped by an older one.
async fn run(r: &Runner, job: &jobs::Job) -> Result<String, String> {
    let db = &r.db;
    match job.kind.as_str() {
        HOUSEKEEPING => {
            let sessions = accounts::purge_expired(db)
                .await
                .map_err(|e| e.to_string())?;
            let windows = rate_limit::purge(db).await.map_err(|e| e.to_string())?;
            let finished = jobs::purge_finished(db, chrono::Duration::days(30))
                .await
                .map_err(|e| e.to_string())?;
            let notices = petitions::purge_read_notifications(db, chrono::Duration::days(90))
                .await
                .map_err(|e| e.to_string())?;
            let more = match &r.handler {
                Some(h) => format!("; {}", h.housekeeping().await?),
                None => String::new(),
            };
            Ok(format!(
                "purged {sessions} sessions/tokens, {windows} rate windows, {finished} old jobs, {notices} read notifications{more}"
            ))
        }
        DEADLINES => {
            let s = deadlines::sweep(db, &r.clock, r.mailer.is_some())
                .await
                .map_err(|e| e.to_string())?;
            Ok(format!(
                "{} reminders, {} escalations",
                s.reminders, s.escalations
            ))
        }
        EMAIL => {
            let Some(mailer) = &r.mailer else {
                return Err("no SMTP server configured".into());
            };
            let mail: EmailJob = serde_json::from_str(&job.payload).map_err(|e| e.to_string())?;
            match mailer.send(&mail.to, &mail.subject, &mail.body).await {
                Ok(()) => Ok("sent".into()),
                // A permanent refusal (bad mailbox) is not retried: it would fail again.
                Err(e) if !e.is_transient() => Ok(format!("not delivered: {e}")),
                Err(e) => Err(e.to_string()),
            }
        }
        other => match &r.handler {
            Some(h) => match h.run(job).await {
                Some(outcome) => outcome,
                None => Err(format!("unknown job kind {other}")),
            },
            None => Err(format!("unknown job kind {other}")),
        },
    }
}

/// Backoff before attempt n+1: 30 s, 1 min, 2 min, … capped at an hour.
pub fn backoff(attempts: i64) -> chrono::Duration {
    let secs = 30i64.saturating_mul(1i64 << attempts.clamp(0, 7));
    chrono::Duration::seconds(secs.min(3600))
}

/// Queues this hour's housekeeping and this minute's deadline sweep (once across all
/// servers; a sweep that runs twice raises nothing twice anyway).
pub async fn schedule_periodic(r: &Runner) -> Result<(), danvan_storage::StoreError> {
    let now = r.clock.now();
    let key = format!("{HOUSEKEEPING}:{}", now.format("%Y%m%d%H"));
    jobs::enqueue(&r.db, HOUSEKEEPING, "{}", danvan_storage::now(), Some(&key)).await?;
    let key = format!("{DEADLINES}:{}", now.format("%Y%m%d%H%M"));
    jobs::enqueue(&r.db, DEADLINES, "{}", danvan_storage::now(), Some(&key)).await?;
    Ok(())
}

/// Claims and runs due jobs until none is left; returns how many ran.
pub async fn drain(r: &Runner, worker: &str) -> Result<usize, danvan_storage::StoreError> {
    let db = &r.db;
    let mut ran = 0;
    while let Some(job) = jobs::claim(db, worker, chrono::Duration::minutes(10)).await? {
        match run(r, &job).await {
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

/// The worker loop of one server: schedule, drain, sleep `every` or until woken; stops when
/// `stop` turns true.
pub async fn run_worker(
    r: Runner,
    worker: String,
    every: Duration,
    wake: Arc<tokio::sync::Notify>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        if let Err(e) = schedule_periodic(&r).await {
            tracing::warn!(error = %e, "could not schedule periodic jobs");
        }
        if let Err(e) = drain(&r, &worker).await {
            tracing::warn!(error = %e, "job queue unavailable");
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = wake.notified() => {}
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
