//! The connection: an enum over the two pools, chosen from the URL at run time.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};

use crate::{Result, StoreError};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Rows a SQLite connection's thread may read ahead of the task that consumes them.
const ROW_BUFFER: usize = 2_048;

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A write transaction on either backend.
pub struct Tx {
    #[doc(hidden)]
    pub conn: TxConn,
    /// Audit entries appended in this transaction, chained and inserted at commit in
    /// multi-row statements: the chain's head is locked only for the commit (updating it
    /// for every entry made PostgreSQL walk a growing version chain, and an import held
    /// every other audited write up for its whole length).
    pub(crate) audit_pending: Vec<crate::audit::AuditEntry>,
    /// Search documents of petitions created in this transaction, written at commit in one
    /// multi-row statement (never over a newer row). On SQLite every savepoint flushes
    /// FTS5's pending terms into a new segment: written per change of a group commit, each
    /// petition cost a segment and the merges that follow. Not flushed before other index
    /// writes: a flush inside a later change's savepoint would be undone with that change.
    pub(crate) search_pending: Vec<crate::search::Doc>,
}

/// How far a transaction's deferred writes reached, to drop a failed change's part of them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PendingMark {
    audit: usize,
    search: usize,
}

#[doc(hidden)]
pub enum TxConn {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs `$body` with `$c` bound to the pool of whichever backend `$db` is.
#[macro_export]
macro_rules! with_db {
    ($db:expr, $c:ident => $body:expr) => {
        match $db {
            $crate::Db::Sqlite($c) => $body,
            $crate::Db::Postgres($c) => $body,
        }
    };
}

/// Runs `$body` with `$c` bound to the connection of the transaction `$tx`.
/// Use `&mut *$c` as the executor inside the body.
#[macro_export]
macro_rules! with_tx {
    ($tx:expr, $c:ident => $body:expr) => {
        match &mut $tx.conn {
            $crate::db::TxConn::Sqlite(t) => {
                let $c: &mut sqlx::SqliteConnection = &mut *t;
                $body
            }
            $crate::db::TxConn::Postgres(t) => {
                let $c: &mut sqlx::PgConnection = &mut *t;
                $body
            }
        }
    };
}

impl Db {
    /// The embedded default: `<data_dir>/danvan.sqlite3`, created if missing.
    pub async fn open_sqlite_dir(data_dir: &Path) -> Result<Db> {
        std::fs::create_dir_all(data_dir)
            .map_err(|e| StoreError::Other(format!("cannot create {}: {e}", data_dir.display())))?;
        let options = SqliteConnectOptions::new().filename(data_dir.join("danvan.sqlite3"));
        Self::open_sqlite(options).await
    }

    async fn open_sqlite(options: SqliteConnectOptions) -> Result<Db> {
        // WAL lets readers run beside the one writer; FULL makes every acknowledged commit
        // durable in the WAL before the answer goes out.
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // Rows cross from the connection's thread in a bounded channel. At sqlx's 50 a
            // long read (an export's 10 000-row chunk) stalled the thread every few rows and
            // spent more time switching threads than reading.
            .row_buffer_size(ROW_BUFFER);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .min_connections(1)
            .connect_with(options)
            .await?;
        Ok(Db::Sqlite(pool))
    }

    /// `postgres://…` or `sqlite://path`.
    pub async fn open_url(url: &str) -> Result<Db> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            Ok(Db::Postgres(pool))
        } else if url.starts_with("sqlite:") {
            Self::open_sqlite(SqliteConnectOptions::from_str(url)?).await
        } else {
            Err(StoreError::Other(
                "the database URL must start with postgres:// or sqlite:".into(),
            ))
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies pending migrations of this backend's tree.
    pub async fn migrate(&self) -> Result<()> {
        match self {
            Db::Sqlite(p) => SQLITE_MIGRATIONS.run(p).await?,
            Db::Postgres(p) => POSTGRES_MIGRATIONS.run(p).await?,
        }
        Ok(())
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once (BEGIN
    /// IMMEDIATE), so a transaction that reads before it writes cannot fail to upgrade.
    pub async fn begin(&self) -> Result<Tx> {
        let conn = match self {
            Db::Sqlite(p) => TxConn::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(p) => TxConn::Postgres(p.begin().await?),
        };
        Ok(Tx {
            conn,
            audit_pending: Vec::new(),
            search_pending: Vec::new(),
        })
    }

    /// What autovacuum would do after a bulk load, done at once. PostgreSQL only: a freshly
    /// filled database has no planner statistics, and without them a 20 000-row import
    /// scanned a year's 68 000 household listings for every row (it ran past the request
    /// timeout); nor a visibility map, without which the dashboard's overdue count read
    /// 45 000 heap pages instead of its index (371 → 59 ms). SQLite is left to its own
    /// estimates, as in service.
    pub async fn refresh_statistics(&self) -> Result<()> {
        if let Db::Postgres(p) = self {
            // VACUUM refuses to run in a transaction: the simple protocol sends it alone.
            sqlx::raw_sql("VACUUM (ANALYZE)").execute(p).await?;
        }
        Ok(())
    }

    pub async fn close(&self) {
        with_db!(self, p => p.close().await)
    }

    /// Table name → column names, as the database reports them (for the schema test).
    pub async fn schema(&self) -> Result<std::collections::BTreeMap<String, Vec<String>>> {
        let rows: Vec<(String, String)> = match self {
            Db::Sqlite(p) => {
                sqlx::query_as(
                    "SELECT m.name, c.name FROM sqlite_master m, pragma_table_info(m.name) c
                     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'
                     ORDER BY m.name, c.cid",
                )
                .fetch_all(p)
                .await?
            }
            Db::Postgres(p) => {
                sqlx::query_as(
                    "SELECT table_name::text, column_name::text FROM information_schema.columns
                     WHERE table_schema = current_schema() AND table_name NOT LIKE '_sqlx%'
                     ORDER BY table_name, ordinal_position",
                )
                .fetch_all(p)
                .await?
            }
        };
        let mut out: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        for (t, c) in rows {
            out.entry(t).or_default().push(c);
        }
        Ok(out)
    }

    /// Cheap liveness check for /healthz.
    pub async fn ping(&self) -> Result<()> {
        with_db!(self, p => sqlx::query("SELECT 1").execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }
}

impl Tx {
    pub async fn commit(mut self) -> Result<()> {
        crate::search::write_pending(&mut self).await?;
        crate::audit::write_pending(&mut self).await?;
        match self.conn {
            TxConn::Sqlite(t) => t.commit().await?,
            TxConn::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    /// Where the deferred writes stand now.
    pub(crate) fn pending_mark(&self) -> PendingMark {
        PendingMark {
            audit: self.audit_pending.len(),
            search: self.search_pending.len(),
        }
    }

    /// Drops the deferred writes made since `mark` (their change was rolled back).
    pub(crate) fn forget_pending_since(&mut self, mark: PendingMark) {
        self.audit_pending.truncate(mark.audit);
        self.search_pending.truncate(mark.search);
    }
}
