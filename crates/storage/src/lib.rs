//! danvan's storage: one codebase over embedded SQLite and PostgreSQL.
//!
//! SQL is written once with `$1` placeholders (SQLite accepts them too) wherever it is
//! portable; [`with_db!`] and [`with_tx!`] expand a body once per backend, so each copy is
//! type-checked against its own driver. Timestamps are `DateTime<Utc>` (TEXT in SQLite,
//! TIMESTAMPTZ in PostgreSQL), dates `NaiveDate`, booleans `bool`, integers `i64` (BIGINT).

pub mod accounts;
pub mod audit;
pub mod bulk;
pub mod calendar;
pub mod care;
pub mod db;
pub mod exports;
pub mod group_commit;
pub mod jobs;
pub mod movement;
pub mod organisations;
pub mod petitions;
pub mod rate_limit;
pub mod search;
pub mod settings;
pub mod statistics;
pub mod stories;
pub mod units;

pub use db::{Backend, Db, Tx};

/// Storage failures. Constraint violations that input can cause are mapped to
/// [`StoreError::Conflict`] so that callers answer 409/422 rather than 500.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Other(String),
}

impl StoreError {
    /// Classifies unique-constraint violations as conflicts.
    pub fn from_write(e: sqlx::Error, what: &'static str) -> Self {
        match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict(what),
            _ => StoreError::Db(e),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Now, truncated to microseconds so values round-trip exactly through both backends.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    danvan_domain::audit::truncate_to_micros(chrono::Utc::now())
}
