//! Commendation decisions (quyết định khen thưởng) and their recipients; the honour roll is
//! read from the issued ones.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::{Db, Result, StoreError, Tx, now, with_db, with_tx};

pub const DRAFT: &str = "draft";
pub const ISSUED: &str = "issued";

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Decision {
    pub id: i64,
    pub campaign_id: Option<i64>,
    pub state: String,
    pub number: Option<String>,
    pub signed_on: Option<NaiveDate>,
    pub issuing_body: String,
    pub signer_name: Option<String>,
    pub signer_title: Option<String>,
    pub signed_as_deputy: bool,
    pub form: String,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, campaign_id, state, number, signed_on, issuing_body, signer_name, signer_title, \
signed_as_deputy, form, created_by, created_at, updated_at";

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Recipient {
    pub id: i64,
    pub decision_id: i64,
    pub initiative_id: Option<i64>,
    pub organisation_id: Option<i64>,
    pub person_name: Option<String>,
    pub classification: Option<String>,
}

/// A recipient as written (validated by the caller).
#[derive(Debug, Clone, PartialEq)]
pub struct NewRecipient {
    pub initiative_id: Option<i64>,
    pub organisation_id: Option<i64>,
    pub person_name: Option<String>,
    pub classification: Option<String>,
}

/// What recording a decision fills in.
#[derive(Debug, Clone)]
pub struct Issue {
    pub number: String,
    pub signed_on: NaiveDate,
    pub issuing_body: String,
    pub signer_name: String,
    pub signer_title: String,
    pub signed_as_deputy: bool,
    pub form: String,
}

pub async fn create_draft(
    tx: &mut Tx,
    campaign_id: Option<i64>,
    issuing_body: &str,
    form: &str,
    by: Option<i64>,
) -> Result<i64> {
    Ok(with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO decisions (campaign_id, state, issuing_body, form, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(campaign_id)
    .bind(DRAFT)
    .bind(issuing_body)
    .bind(form)
    .bind(by)
    .bind(now())
    .fetch_one(&mut *c)
    .await)?)
}

/// Replaces the recipients of a draft.
pub async fn set_recipients(tx: &mut Tx, decision_id: i64, list: &[NewRecipient]) -> Result<()> {
    with_tx!(tx, c => {
        sqlx::query("DELETE FROM decision_recipients WHERE decision_id = $1")
            .bind(decision_id)
            .execute(&mut *c)
            .await?;
        for r in list {
            sqlx::query(
                "INSERT INTO decision_recipients (decision_id, initiative_id, organisation_id, person_name, classification)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(decision_id)
            .bind(r.initiative_id)
            .bind(r.organisation_id)
            .bind(&r.person_name)
            .bind(&r.classification)
            .execute(&mut *c)
            .await?;
        }
        Ok::<_, sqlx::Error>(())
    })?;
    Ok(())
}

/// Records the signed decision; `Conflict("decision_issued")` unless it was a draft.
pub async fn issue(tx: &mut Tx, id: i64, i: &Issue) -> Result<()> {
    let n = with_tx!(tx, c => sqlx::query(
        "UPDATE decisions SET state = $1, number = $2, signed_on = $3, issuing_body = $4, signer_name = $5, signer_title = $6,
             signed_as_deputy = $7, form = $8, updated_at = $9
         WHERE id = $10 AND state = $11",
    )
    .bind(ISSUED)
    .bind(&i.number)
    .bind(i.signed_on)
    .bind(&i.issuing_body)
    .bind(&i.signer_name)
    .bind(&i.signer_title)
    .bind(i.signed_as_deputy)
    .bind(&i.form)
    .bind(now())
    .bind(id)
    .bind(DRAFT)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::Conflict("decision_issued"));
    }
    Ok(())
}

/// Locks a draft for the rest of the transaction; `false` once it is issued.
pub async fn lock_draft(tx: &mut Tx, id: i64) -> Result<bool> {
    let n = with_tx!(tx, c => sqlx::query("UPDATE decisions SET state = state WHERE id = $1 AND state = $2")
        .bind(id)
        .bind(DRAFT)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<Decision>> {
    let sql = format!("SELECT {COLUMNS} FROM decisions WHERE id = $1");
    Ok(
        with_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await)?,
    )
}

/// All decisions, newest first.
pub async fn list(db: &Db) -> Result<Vec<Decision>> {
    let sql = format!("SELECT {COLUMNS} FROM decisions ORDER BY id DESC");
    Ok(with_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?)
}

pub async fn recipients(db: &Db, decision_id: i64) -> Result<Vec<Recipient>> {
    Ok(with_db!(db, p => sqlx::query_as(
        "SELECT id, decision_id, initiative_id, organisation_id, person_name, classification FROM decision_recipients
         WHERE decision_id = $1 ORDER BY id",
    )
    .bind(decision_id)
    .fetch_all(p)
    .await)?)
}

/// Whether an issued decision already carries this number.
pub async fn number_taken(db: &Db, number: &str) -> Result<bool> {
    let n: i64 = with_db!(db, p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM decisions WHERE state = $1 AND number = $2",
    )
    .bind(ISSUED)
    .bind(number)
    .fetch_one(p)
    .await)?;
    Ok(n > 0)
}

/// One commended model on the honour roll.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct HonourRow {
    pub initiative_id: i64,
    pub title: String,
    pub registrant_name: String,
    pub unit_id: i64,
    pub field: String,
    pub state: String,
    pub campaign_id: i64,
    pub year: i64,
    pub classification: Option<String>,
    pub recipient_id: i64,
    pub decision_id: i64,
    pub number: Option<String>,
    pub signed_on: Option<NaiveDate>,
    pub form: String,
}

/// Models commended by issued decisions (of one campaign year, or all), newest year first.
pub async fn honour_roll(db: &Db, year: Option<i64>) -> Result<Vec<HonourRow>> {
    let base = "SELECT i.id AS initiative_id, i.title, i.registrant_name, i.unit_id, i.field, i.state, i.campaign_id, c.year,
               r.classification, r.id AS recipient_id, d.id AS decision_id, d.number, d.signed_on, d.form
         FROM decision_recipients r
         JOIN decisions d ON d.id = r.decision_id
         JOIN initiatives i ON i.id = r.initiative_id
         JOIN campaigns c ON c.id = i.campaign_id
         WHERE d.state = $1";
    let order = " ORDER BY c.year DESC, d.signed_on DESC, d.id DESC, r.id";
    Ok(match year {
        Some(y) => {
            let sql = format!("{base} AND c.year = $2{order}");
            with_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(ISSUED).bind(y).fetch_all(p).await)?
        }
        None => {
            let sql = format!("{base}{order}");
            with_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(ISSUED).fetch_all(p).await)?
        }
    })
}

/// The issued decisions that commend one model.
pub async fn commendations_of(db: &Db, initiative_id: i64) -> Result<Vec<(Decision, Recipient)>> {
    let rows: Vec<Recipient> = with_db!(db, p => sqlx::query_as(
        "SELECT r.id, r.decision_id, r.initiative_id, r.organisation_id, r.person_name, r.classification
         FROM decision_recipients r JOIN decisions d ON d.id = r.decision_id
         WHERE r.initiative_id = $1 AND d.state = $2 ORDER BY d.signed_on, d.id",
    )
    .bind(initiative_id)
    .bind(ISSUED)
    .fetch_all(p)
    .await)?;
    let mut out = Vec::new();
    for r in rows {
        if let Some(d) = by_id(db, r.decision_id).await? {
            out.push((d, r));
        }
    }
    Ok(out)
}
