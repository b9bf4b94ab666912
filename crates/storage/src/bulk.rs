//! Many rows at once: multi-row `INSERT`s with explicit ids, a few hundred rows per
//! statement, inside the caller's transaction. Used by the data generator and for the audit
//! entries a transaction keeps until its commit; everything a person does goes through the
//! modules that check and audit it.

use chrono::{DateTime, NaiveDate, Utc};

use crate::{Backend, Db, Result, Tx, with_db, with_tx};

/// One value of a generated row.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Int(i64),
    OptInt(Option<i64>),
    Real(f64),
    Text(String),
    OptText(Option<String>),
    Date(NaiveDate),
    OptDate(Option<NaiveDate>),
    At(DateTime<Utc>),
    OptAt(Option<DateTime<Utc>>),
    Bool(bool),
}

/// SQLite allows 32 766 bound values per statement; stay well below.
const MAX_BINDS: usize = 20_000;

macro_rules! bind_val {
    ($b:expr, $v:expr) => {
        match $v {
            Val::Int(x) => $b.push_bind(*x),
            Val::OptInt(x) => $b.push_bind(*x),
            Val::Real(x) => $b.push_bind(*x),
            Val::Text(x) => $b.push_bind(x.clone()),
            Val::OptText(x) => $b.push_bind(x.clone()),
            Val::Date(x) => $b.push_bind(*x),
            Val::OptDate(x) => $b.push_bind(*x),
            Val::At(x) => $b.push_bind(*x),
            Val::OptAt(x) => $b.push_bind(*x),
            Val::Bool(x) => $b.push_bind(*x),
        }
    };
}

/// Inserts `rows` (each with one value per column, in order) into `table`.
pub async fn insert(
    tx: &mut Tx,
    table: &'static str,
    columns: &[&'static str],
    rows: &[Vec<Val>],
) -> Result<()> {
    let per_statement = (MAX_BINDS / columns.len().max(1)).clamp(1, 1000);
    for chunk in rows.chunks(per_statement) {
        with_tx!(tx, c => {
            let mut q = sqlx::QueryBuilder::new(format!("INSERT INTO {table} ({}) ", columns.join(", ")));
            q.push_values(chunk, |mut b, row| {
                for v in row {
                    bind_val!(b, v);
                }
            });
            q.build().execute(&mut *c).await.map(|_| ())
        })?;
    }
    Ok(())
}

/// The largest id of `table` (0 when empty), to number generated rows after it.
pub async fn max_id(db: &Db, table: &'static str) -> Result<i64> {
    let sql = format!("SELECT COALESCE(MAX(id), 0) FROM {table}");
    Ok(
        with_db!(db, p => sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql)).fetch_one(p).await)?,
    )
}

/// Refreshes PostgreSQL's statistics of tables a bulk load is filling. Without them the
/// statements that triggers run are planned once per connection as if the tables were
/// empty, and keep that plan (a sequential scan per row) as the tables grow. SQLite's
/// planner does not need them.
pub async fn analyze(db: &Db, tables: &[&'static str]) -> Result<()> {
    if let Db::Postgres(p) = db {
        let sql = format!("ANALYZE {}", tables.join(", "));
        sqlx::query(sqlx::AssertSqlSafe(sql)).execute(p).await?;
    }
    Ok(())
}

/// After explicit ids, PostgreSQL's identity sequences must move past them.
pub async fn sync_sequence(tx: &mut Tx, backend: Backend, table: &'static str) -> Result<()> {
    if backend == Backend::Postgres {
        let sql = format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), 1))"
        );
        with_tx!(tx, c => sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut *c).await.map(|_| ()))?;
    }
    Ok(())
}
