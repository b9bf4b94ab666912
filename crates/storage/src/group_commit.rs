//! Group commit: many small write transactions made one, so that they share one durable
//! commit (one fsync) instead of paying one each.
//!
//! A caller hands [`GroupCommit::write`] the writes of one change as a closure over a
//! [`Tx`]. One writer task takes whatever changes are waiting, runs each inside a savepoint
//! of a single transaction (a change that fails is rolled back to its savepoint alone and
//! answered with its error), commits once, and only then answers the others: nothing is
//! acknowledged before it is durable. While one batch commits the next one gathers, so the
//! batches grow with the load and a lone change waits for nobody.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use tokio::sync::{Mutex, mpsc, oneshot};

use crate::{Db, StoreError, Tx, with_tx};

/// A future borrowing the batch's transaction.
pub type TxFuture<'t, T> = Pin<Box<dyn Future<Output = T> + Send + 't>>;

/// How one change is told the batch's fate once the commit is done.
type Reply = Box<dyn FnOnce(Result<(), String>) + Send>;

/// One queued change: runs its writes, says whether they succeeded, and how to answer.
type Job = Box<dyn for<'t> FnOnce(&'t mut Tx) -> TxFuture<'t, (bool, Reply)> + Send>;

/// The most changes one transaction carries: enough to amortise the commit, few enough
/// that the write lock is not held for long.
const MAX_BATCH: usize = 128;

/// Changes waiting for the writer; beyond this, callers wait to queue (back-pressure).
const QUEUE: usize = 1024;

#[derive(Clone)]
pub struct GroupCommit {
    queue: mpsc::Sender<Job>,
}

impl GroupCommit {
    /// Starts the writer task on the current Tokio runtime.
    pub fn start(db: Db) -> GroupCommit {
        let (queue, receiver) = mpsc::channel::<Job>(QUEUE);
        let receiver = Arc::new(Mutex::new(receiver));
        tokio::spawn(async move {
            // A change that panics takes its batch down (dropped: every caller of the batch
            // is answered with an error, nothing was committed), not the writer.
            loop {
                let task = tokio::spawn(writer(db.clone(), receiver.clone()));
                match task.await {
                    Ok(()) => break, // every sender is gone: the server is stopping
                    Err(e) => tracing::error!(error = %e, "group commit writer restarted"),
                }
            }
        });
        GroupCommit { queue }
    }

    /// Runs `change` in the next batch; answers once the batch is committed. An error from
    /// `change` rolls back its writes only and is returned as is; a failed commit is
    /// returned as a storage error to every change of the batch.
    pub async fn write<T, E, F>(&self, change: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: for<'t> FnOnce(&'t mut Tx) -> TxFuture<'t, Result<T, E>> + Send + 'static,
    {
        let (answer, answered) = oneshot::channel::<Result<T, E>>();
        let job: Job = Box::new(move |tx| {
            Box::pin(async move {
                let result = change(tx).await;
                let ok = result.is_ok();
                let reply: Reply = Box::new(move |committed| {
                    let out = match (result, committed) {
                        (Ok(v), Ok(())) => Ok(v),
                        (Ok(_), Err(e)) => Err(E::from(StoreError::Other(e))),
                        (Err(e), _) => Err(e),
                    };
                    // The caller may have gone (its request was dropped); the change stands.
                    let _ = answer.send(out);
                });
                (ok, reply)
            })
        });
        let gone = || E::from(StoreError::Other("the change was not committed".into()));
        self.queue.send(job).await.map_err(|_| gone())?;
        answered.await.map_err(|_| gone())?
    }
}

async fn writer(db: Db, receiver: Arc<Mutex<mpsc::Receiver<Job>>>) {
    let mut receiver = receiver.lock().await;
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while receiver.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let jobs = std::mem::take(&mut batch);
        if let Err(e) = run_batch(&db, jobs).await {
            // The batch's callers were answered (or dropped, which answers them too).
            tracing::error!(error = %e, "group commit batch failed");
        }
    }
}

async fn run_batch(db: &Db, jobs: Vec<Job>) -> Result<(), StoreError> {
    // If the transaction cannot start, the jobs are dropped and their callers told so.
    let mut tx = db.begin().await?;
    let mut replies = Vec::with_capacity(jobs.len());
    // The savepoint of the change before, if it succeeded, is released together with the
    // next one's start, and the last by the commit: each statement is a round trip to
    // PostgreSQL, and a submission's own writes are only four.
    let mut open = false;
    for job in jobs {
        let start = if open {
            "RELEASE SAVEPOINT change; SAVEPOINT change"
        } else {
            "SAVEPOINT change"
        };
        with_tx!(&mut tx, c => sqlx::raw_sql(start).execute(&mut *c).await.map(|_| ()))?;
        let pending = tx.pending_mark();
        let (ok, reply) = job(&mut tx).await;
        open = ok;
        if ok {
            replies.push(reply);
        } else {
            with_tx!(&mut tx, c => sqlx::raw_sql("ROLLBACK TO SAVEPOINT change; RELEASE SAVEPOINT change")
                .execute(&mut *c).await.map(|_| ()))?;
            // Its audit entries and search documents, kept for the commit, go back with
            // the rest.
            tx.forget_pending_since(pending);
            // Its answer is its own error whatever the batch does.
            reply(Ok(()));
        }
    }
    let committed = tx.commit().await.map_err(|e| e.to_string());
    let failed = committed.clone().err();
    for reply in replies {
        reply(committed.clone());
    }
    match failed {
        Some(e) => Err(StoreError::Other(format!("commit: {e}"))),
        None => Ok(()),
    }
}
