use chrono::{DateTime, NaiveDate, Utc};
use danvan_domain::movement::Rubric;
use serde::{Deserialize, Serialize};

use crate::{Db, Result, StoreError, Tx, now, with_db, with_tx};

/// A field the campaign runs, with its sub-themes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignField {
    pub field: String,
    #[serde(default)]
    pub sub_themes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Campaign {
    pub id: i64,
    pub year: i64,
    pub title: String,
    pub title_groups: Vec<String>,
    pub fields: Vec<CampaignField>,
    pub registration_opens: NaiveDate,
    pub registration_closes: NaiveDate,
    pub midyear_review: NaiveDate,
    pub yearend_review: NaiveDate,
    pub rubric: Rubric,
    pub commendation_quota: i64,
    pub commune_councils: bool,
    pub created_at: DateTime<Utc>,
}

impl Campaign {
    pub fn registration_open_on(&self, day: NaiveDate) -> bool {
        self.registration_opens <= day && day <= self.registration_closes
    }
}

/// A campaign as written (validated by the caller).
pub struct NewCampaign {
    pub year: i64,
    pub title: String,
    pub title_groups: Vec<String>,
    pub fields: Vec<CampaignField>,
    pub registration_opens: NaiveDate,
    pub registration_closes: NaiveDate,
    pub midyear_review: NaiveDate,
    pub yearend_review: NaiveDate,
    pub rubric: Rubric,
    pub commendation_quota: i64,
    pub commune_councils: bool,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    year: i64,
    title: String,
    title_groups: String,
    fields: String,
    registration_opens: NaiveDate,
    registration_closes: NaiveDate,
    midyear_review: NaiveDate,
    yearend_review: NaiveDate,
    rubric: String,
    commendation_quota: i64,
    commune_councils: bool,
    created_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, year, title, title_groups, fields, registration_opens, registration_closes, midyear_review, \
yearend_review, rubric, commendation_quota, commune_councils, created_at";

fn from_row(r: Row) -> Result<Campaign> {
    let bad = |e: serde_json::Error| StoreError::Other(format!("campaign {}: {e}", r.id));
    Ok(Campaign {
        id: r.id,
        year: r.year,
        title_groups: serde_json::from_str(&r.title_groups).map_err(bad)?,
        fields: serde_json::from_str(&r.fields).map_err(bad)?,
        rubric: serde_json::from_str(&r.rubric).map_err(bad)?,
        title: r.title,
        registration_opens: r.registration_opens,
        registration_closes: r.registration_closes,
        midyear_review: r.midyear_review,
        yearend_review: r.yearend_review,
        commendation_quota: r.commendation_quota,
        commune_councils: r.commune_councils,
        created_at: r.created_at,
    })
}

pub async fn create(tx: &mut Tx, c: &NewCampaign, by: Option<i64>) -> Result<i64> {
    let at = now();
    with_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO campaigns (year, title, title_groups, fields, registration_opens, registration_closes, midyear_review,
                                yearend_review, rubric, commendation_quota, commune_councils, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id",
    )
    .bind(c.year)
    .bind(&c.title)
    .bind(json(&c.title_groups))
    .bind(json(&c.fields))
    .bind(c.registration_opens)
    .bind(c.registration_closes)
    .bind(c.midyear_review)
    .bind(c.yearend_review)
    .bind(json(&c.rubric))
    .bind(c.commendation_quota)
    .bind(c.commune_councils)
    .bind(by)
    .bind(at)
    .fetch_one(&mut *conn)
    .await)
    .map_err(|e| StoreError::from_write(e, "campaign_exists"))
}

/// The JSON columns hold plain data, which always serialises.
fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<Campaign>> {
    let sql = format!("SELECT {COLUMNS} FROM campaigns WHERE id = $1");
    let row: Option<Row> = with_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await)?;
    row.map(from_row).transpose()
}

/// All campaigns, newest year first.
pub async fn list(db: &Db) -> Result<Vec<Campaign>> {
    let sql = format!("SELECT {COLUMNS} FROM campaigns ORDER BY year DESC, id DESC");
    let rows: Vec<Row> =
        with_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?;
    rows.into_iter().map(from_row).collect()
}
