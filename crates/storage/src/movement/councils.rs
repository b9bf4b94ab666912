//! Evaluation councils: members, the models assigned to them, the members' scores per
//! criterion, and recusals.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::{Db, Result, StoreError, Tx, now, with_db, with_tx};

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Council {
    pub id: i64,
    pub campaign_id: i64,
    pub name: String,
    pub level: String,
    pub unit_id: i64,
    /// `open` while members score, `closed` once the round is frozen.
    pub state: String,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

impl Council {
    pub fn is_open(&self) -> bool {
        self.state == OPEN
    }
}

pub const OPEN: &str = "open";
pub const CLOSED: &str = "closed";

const COLUMNS: &str = "id, campaign_id, name, level, unit_id, state, created_at, closed_at";

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Member {
    pub account_id: i64,
    pub username: String,
    pub display_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Score {
    pub initiative_id: i64,
    pub member_id: i64,
    pub criterion: String,
    pub points: f64,
    pub submitted_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Recusal {
    pub initiative_id: i64,
    pub member_id: i64,
    pub reason: String,
    pub at: DateTime<Utc>,
}

pub async fn create(
    tx: &mut Tx,
    campaign_id: i64,
    name: &str,
    level: &str,
    unit_id: i64,
) -> Result<i64> {
    Ok(with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO councils (campaign_id, name, level, unit_id, state, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(campaign_id)
    .bind(name)
    .bind(level)
    .bind(unit_id)
    .bind(OPEN)
    .bind(now())
    .fetch_one(&mut *c)
    .await)?)
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<Council>> {
    let sql = format!("SELECT {COLUMNS} FROM councils WHERE id = $1");
    Ok(
        with_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await)?,
    )
}

/// All councils, newest first.
pub async fn list(db: &Db) -> Result<Vec<Council>> {
    let sql = format!("SELECT {COLUMNS} FROM councils ORDER BY id DESC");
    Ok(with_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?)
}

/// The councils an account sits on, newest first.
pub async fn list_for_member(db: &Db, account_id: i64) -> Result<Vec<Council>> {
    let sql = format!(
        "SELECT {} FROM councils c JOIN council_members m ON m.council_id = c.id WHERE m.account_id = $1 ORDER BY c.id DESC",
        COLUMNS
            .split(", ")
            .map(|c| format!("c.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(
        with_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(account_id).fetch_all(p).await)?,
    )
}

/// Locks the council's row for the rest of the transaction if it is still open; `false`
/// when it is closed (or gone). Writers call it first, so closing and scoring serialise.
pub async fn lock_open(tx: &mut Tx, id: i64) -> Result<bool> {
    let n = with_tx!(tx, c => sqlx::query("UPDATE councils SET state = state WHERE id = $1 AND state = $2")
        .bind(id)
        .bind(OPEN)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Freezes the round.
pub async fn close(tx: &mut Tx, id: i64) -> Result<()> {
    let n = with_tx!(tx, c => sqlx::query("UPDATE councils SET state = $1, closed_at = $2 WHERE id = $3 AND state = $4")
        .bind(CLOSED)
        .bind(now())
        .bind(id)
        .bind(OPEN)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::Conflict("council_closed"));
    }
    Ok(())
}

pub async fn members(db: &Db, council_id: i64) -> Result<Vec<Member>> {
    Ok(with_db!(db, p => sqlx::query_as(
        "SELECT a.id AS account_id, a.username, a.display_name FROM council_members m JOIN accounts a ON a.id = m.account_id
         WHERE m.council_id = $1 ORDER BY a.display_name, a.id",
    )
    .bind(council_id)
    .fetch_all(p)
    .await)?)
}

pub async fn add_member(tx: &mut Tx, council_id: i64, account_id: i64) -> Result<()> {
    with_tx!(tx, c => sqlx::query("INSERT INTO council_members (council_id, account_id) VALUES ($1, $2)")
        .bind(council_id)
        .bind(account_id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))
    .map_err(|e| StoreError::from_write(e, "already_member"))?;
    Ok(())
}

/// The ids of the models assigned to the council, in the order they were assigned.
pub async fn assignments(db: &Db, council_id: i64) -> Result<Vec<i64>> {
    Ok(with_db!(db, p => sqlx::query_scalar(
        "SELECT initiative_id FROM council_assignments WHERE council_id = $1 ORDER BY initiative_id",
    )
    .bind(council_id)
    .fetch_all(p)
    .await)?)
}

pub async fn assign(tx: &mut Tx, council_id: i64, initiative_id: i64) -> Result<()> {
    with_tx!(tx, c => sqlx::query("INSERT INTO council_assignments (council_id, initiative_id) VALUES ($1, $2)")
        .bind(council_id)
        .bind(initiative_id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))
    .map_err(|e| StoreError::from_write(e, "already_assigned"))?;
    Ok(())
}

pub async fn scores(db: &Db, council_id: i64) -> Result<Vec<Score>> {
    Ok(with_db!(db, p => sqlx::query_as(
        "SELECT initiative_id, member_id, criterion, points, submitted_at FROM scores WHERE council_id = $1
         ORDER BY initiative_id, member_id, criterion",
    )
    .bind(council_id)
    .fetch_all(p)
    .await)?)
}

/// Replaces one member's points for one model.
pub async fn replace_scores(
    tx: &mut Tx,
    council_id: i64,
    initiative_id: i64,
    member_id: i64,
    points: &[(String, f64)],
) -> Result<()> {
    let at = now();
    with_tx!(tx, c => {
        sqlx::query("DELETE FROM scores WHERE council_id = $1 AND initiative_id = $2 AND member_id = $3")
            .bind(council_id)
            .bind(initiative_id)
            .bind(member_id)
            .execute(&mut *c)
            .await?;
        for (criterion, p) in points {
            sqlx::query(
                "INSERT INTO scores (council_id, initiative_id, member_id, criterion, points, submitted_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(council_id)
            .bind(initiative_id)
            .bind(member_id)
            .bind(criterion)
            .bind(*p)
            .bind(at)
            .execute(&mut *c)
            .await?;
        }
        Ok::<_, sqlx::Error>(())
    })?;
    Ok(())
}

pub async fn recusals(db: &Db, council_id: i64) -> Result<Vec<Recusal>> {
    Ok(with_db!(db, p => sqlx::query_as(
        "SELECT initiative_id, member_id, reason, at FROM recusals WHERE council_id = $1 ORDER BY initiative_id, member_id",
    )
    .bind(council_id)
    .fetch_all(p)
    .await)?)
}

/// Records a recusal unless one is already recorded; `true` when it was new.
pub async fn record_recusal(
    tx: &mut Tx,
    council_id: i64,
    initiative_id: i64,
    member_id: i64,
    reason: &str,
) -> Result<bool> {
    let n = with_tx!(tx, c => sqlx::query(
        "INSERT INTO recusals (council_id, initiative_id, member_id, reason, at)
         SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS
           (SELECT 1 FROM recusals WHERE council_id = $1 AND initiative_id = $2 AND member_id = $3)",
    )
    .bind(council_id)
    .bind(initiative_id)
    .bind(member_id)
    .bind(reason)
    .bind(now())
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}
