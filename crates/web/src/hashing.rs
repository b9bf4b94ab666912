//! Argon2 runs on one dedicated thread.
//!
//! Each hash needs 19 MiB. Run on tokio's blocking pool, every pool thread gets its own malloc
//! arena that keeps such a block after use, and resident memory grows by ~19 MiB per thread
//! (measured: 225 MB after twelve hashes). One thread reuses one block, bounds the CPU that
//! a flood of sign-ins can take, and still verifies dozens of passwords per second.

use std::sync::mpsc;
use std::sync::{Mutex, OnceLock};

type Job = Box<dyn FnOnce() + Send>;

fn sender() -> &'static Mutex<mpsc::Sender<Job>> {
    static SENDER: OnceLock<Mutex<mpsc::Sender<Job>>> = OnceLock::new();
    SENDER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<Job>();
        let spawned = std::thread::Builder::new()
            .name("danvan-argon2".into())
            .spawn(move || {
                while let Ok(job) = rx.recv() {
                    job();
                }
            });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "cannot start the password hashing thread");
        }
        Mutex::new(tx)
    })
}

/// Runs `f` on the hashing thread and awaits its result.
pub async fn run<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, crate::error::AppError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = tx.send(f());
    });
    let sent = match sender().lock() {
        Ok(s) => s.send(job).is_ok(),
        Err(poisoned) => poisoned.into_inner().send(job).is_ok(),
    };
    if !sent {
        return Err(crate::error::AppError::Internal(
            "password hashing thread stopped".into(),
        ));
    }
    rx.await
        .map_err(|_| crate::error::AppError::Internal("password hashing failed".into()))
}

/// Hashes a new password.
pub async fn hash(password: String) -> Result<String, crate::error::AppError> {
    run(move || danvan_domain::password::hash(&password))
        .await?
        .map_err(|e| crate::error::AppError::Internal(e.to_string()))
}
