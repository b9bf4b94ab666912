//! Care and contributions: the households' registers, support drives and their deliveries,
//! and the contributions ledger. Rows only; the rules live in `danvan_domain::care` and the
//! web service. A household's name and address arrive sealed and leave sealed.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::{Db, Result, StoreError, Tx, now, with_db, with_tx};

// ---- households ----

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Household {
    pub id: i64,
    pub unit_id: i64,
    #[serde(skip)]
    pub sealed: String,
    pub created_at: DateTime<Utc>,
    /// Every list the household was on, newest year first.
    pub listings: Vec<Listing>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Listing {
    pub household_id: i64,
    pub category: String,
    pub year: i64,
    pub source: String,
    pub listed_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct HouseholdRow {
    id: i64,
    unit_id: i64,
    sealed: String,
    created_at: DateTime<Utc>,
}

/// The household of a commune with this keyed dedupe hash, if it is registered.
pub async fn household_by_key(tx: &mut Tx, unit_id: i64, key: &str) -> Result<Option<i64>> {
    Ok(with_tx!(tx, c => sqlx::query_scalar(
        "SELECT id FROM households WHERE unit_id = $1 AND dedupe_key = $2"
    )
    .bind(unit_id)
    .bind(key)
    .fetch_optional(&mut *c)
    .await)?)
}

pub async fn insert_household(
    tx: &mut Tx,
    unit_id: i64,
    sealed: &str,
    key: &str,
    by: Option<i64>,
) -> Result<i64> {
    with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO households (unit_id, sealed, dedupe_key, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id"
    )
    .bind(unit_id)
    .bind(sealed)
    .bind(key)
    .bind(by)
    .bind(now())
    .fetch_one(&mut *c)
    .await)
    .map_err(|e| StoreError::from_write(e, "duplicate_household"))
}

/// Dedupe hashes per statement when an import looks up the households it names.
const KEYS_PER_READ: usize = 1000;

/// The commune's households that have one of the dedupe hashes `keys`, by hash: an import
/// finds the ones it names with an index probe per key instead of reading the commune's
/// whole register (2 000 households, each in its own page, 10–50 ms a commune on
/// PostgreSQL at province scale).
pub async fn households_by_key(
    tx: &mut Tx,
    unit_id: i64,
    keys: &[&str],
) -> Result<std::collections::HashMap<String, i64>> {
    let mut found = std::collections::HashMap::new();
    for chunk in keys.chunks(KEYS_PER_READ) {
        let rows: Vec<(String, i64)> = with_tx!(tx, c => {
            let mut q = sqlx::QueryBuilder::new("SELECT dedupe_key, id FROM households WHERE unit_id = ");
            q.push_bind(unit_id).push(" AND dedupe_key IN (");
            push_keys(&mut q, chunk);
            q.build_query_as().fetch_all(&mut *c).await
        })?;
        found.extend(rows);
    }
    Ok(found)
}

/// `keys` as a bound list, closed: `$1, $2, …)`.
fn push_keys<DB: sqlx::Database>(q: &mut sqlx::QueryBuilder<DB>, keys: &[&str])
where
    for<'t> &'t str: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    let mut list = q.separated(", ");
    for &key in keys {
        list.push_bind(key);
    }
    list.push_unseparated(")");
}

/// A household to register in bulk: its commune, sealed name and address, dedupe hash.
pub struct NewHousehold {
    pub unit_id: i64,
    pub sealed: String,
    pub key: String,
}

/// Rows per multi-row statement in the bulk writes below (well under both backends' limits
/// on bound values).
const BULK_ROWS: usize = 500;

/// Registers households in multi-row statements; their ids by (commune, dedupe hash). One
/// registered meanwhile is `duplicate_household`, as for one at a time.
pub async fn insert_households(
    tx: &mut Tx,
    households: &[NewHousehold],
    by: Option<i64>,
) -> Result<std::collections::HashMap<(i64, String), i64>> {
    let mut ids = std::collections::HashMap::with_capacity(households.len());
    let at = now();
    for chunk in households.chunks(BULK_ROWS) {
        let rows: Vec<(i64, i64, String)> = with_tx!(tx, c => {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO households (unit_id, sealed, dedupe_key, created_by, created_at) ",
            );
            q.push_values(chunk, |mut b, h| {
                b.push_bind(h.unit_id)
                    .push_bind(h.sealed.clone())
                    .push_bind(h.key.clone())
                    .push_bind(by)
                    .push_bind(at);
            });
            // The order of the returned rows is not promised: they say which is which.
            q.push(" RETURNING id, unit_id, dedupe_key");
            q.build_query_as().fetch_all(&mut *c).await
        })
        .map_err(|e| StoreError::from_write(e, "duplicate_household"))?;
        ids.extend(rows.into_iter().map(|(id, unit, key)| ((unit, key), id)));
    }
    Ok(ids)
}

/// Puts households on lists in multi-row statements: (household, category, year). Returns
/// how many were added; a listing already there is skipped, as by [`add_listing`].
pub async fn add_listings(
    tx: &mut Tx,
    listings: &[(i64, &str, i64)],
    source: &str,
    by: Option<i64>,
) -> Result<u64> {
    let mut added = 0;
    let at = now();
    for chunk in listings.chunks(BULK_ROWS) {
        added += with_tx!(tx, c => {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO household_listings (household_id, category, year, source, listed_by, listed_at) ",
            );
            q.push_values(chunk, |mut b, (household, category, year)| {
                b.push_bind(*household)
                    .push_bind(category.to_string())
                    .push_bind(*year)
                    .push_bind(source.to_string())
                    .push_bind(by)
                    .push_bind(at);
            });
            q.push(" ON CONFLICT (household_id, category, year) DO NOTHING");
            q.build().execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(added)
}

/// Of the households with the dedupe hashes `keys`, those on a commune's list of a year, as
/// (dedupe hash, category) pairs: an import checks its rows against them with one read per
/// commune and year.
pub async fn listed_in(
    db: &Db,
    unit_id: i64,
    year: i64,
    keys: &[&str],
) -> Result<Vec<(String, String)>> {
    let mut listed = Vec::new();
    for chunk in keys.chunks(KEYS_PER_READ) {
        // CROSS JOIN keeps SQLite on the commune's households first: left to choose, it read
        // the whole year's listings through their (year) index for each commune (0.9 s each
        // at province scale, an import ran past its timeout). PostgreSQL plans it as a join.
        let rows: Vec<(String, String)> = with_db!(db, p => {
            let mut q = sqlx::QueryBuilder::new(
                "SELECT h.dedupe_key, l.category FROM households h CROSS JOIN household_listings l
                 WHERE l.household_id = h.id AND l.year = ",
            );
            q.push_bind(year).push(" AND h.unit_id = ").push_bind(unit_id).push(" AND h.dedupe_key IN (");
            push_keys(&mut q, chunk);
            q.build_query_as().fetch_all(p).await
        })?;
        listed.extend(rows);
    }
    Ok(listed)
}

/// Puts a household on a year's list; false when it already was (the history is kept, a
/// listing is never overwritten).
pub async fn add_listing(
    tx: &mut Tx,
    household_id: i64,
    category: &str,
    year: i64,
    source: &str,
    by: Option<i64>,
) -> Result<bool> {
    let added = with_tx!(tx, c => sqlx::query(
        "INSERT INTO household_listings (household_id, category, year, source, listed_by, listed_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (household_id, category, year) DO NOTHING"
    )
    .bind(household_id)
    .bind(category)
    .bind(year)
    .bind(source)
    .bind(by)
    .bind(now())
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(added == 1)
}

/// What to list from the registers: units from the policy's scope, optionally one year and
/// one category (a household is in when it has a matching listing).
#[derive(Debug, Clone, Default)]
pub struct HouseholdFilter {
    pub units: Vec<i64>,
    pub year: Option<i64>,
    pub category: Option<String>,
}

pub async fn households(db: &Db, f: &HouseholdFilter) -> Result<Vec<Household>> {
    if f.units.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<HouseholdRow> = with_db!(db, p => {
        let mut q = sqlx::QueryBuilder::new(
            "SELECT h.id, h.unit_id, h.sealed, h.created_at FROM households h WHERE h.unit_id IN (",
        );
        let mut sep = q.separated(", ");
        for u in &f.units {
            sep.push_bind(*u);
        }
        q.push(")");
        if f.year.is_some() || f.category.is_some() {
            q.push(" AND EXISTS (SELECT 1 FROM household_listings l WHERE l.household_id = h.id");
            if let Some(y) = f.year {
                q.push(" AND l.year = ").push_bind(y);
            }
            if let Some(c) = &f.category {
                q.push(" AND l.category = ").push_bind(c.clone());
            }
            q.push(")");
        }
        q.push(" ORDER BY h.unit_id, h.id");
        q.build_query_as::<HouseholdRow>().fetch_all(p).await?
    });
    with_listings(db, rows).await
}

pub async fn household(db: &Db, id: i64) -> Result<Option<Household>> {
    let rows: Vec<HouseholdRow> = with_db!(db, p => sqlx::query_as(
        "SELECT id, unit_id, sealed, created_at FROM households WHERE id = $1"
    )
    .bind(id)
    .fetch_all(p)
    .await)?;
    Ok(with_listings(db, rows).await?.into_iter().next())
}

async fn with_listings(db: &Db, rows: Vec<HouseholdRow>) -> Result<Vec<Household>> {
    let mut listings = std::collections::HashMap::<i64, Vec<Listing>>::new();
    for chunk in rows.chunks(500) {
        let found: Vec<Listing> = with_db!(db, p => {
            let mut q = sqlx::QueryBuilder::new(
                "SELECT household_id, category, year, source, listed_at FROM household_listings WHERE household_id IN (",
            );
            let mut sep = q.separated(", ");
            for r in chunk {
                sep.push_bind(r.id);
            }
            q.push(") ORDER BY year DESC, category");
            q.build_query_as::<Listing>().fetch_all(p).await?
        });
        for l in found {
            listings.entry(l.household_id).or_default().push(l);
        }
    }
    Ok(rows
        .into_iter()
        .map(|r| Household {
            listings: listings.remove(&r.id).unwrap_or_default(),
            id: r.id,
            unit_id: r.unit_id,
            sealed: r.sealed,
            created_at: r.created_at,
        })
        .collect())
}

// ---- drives and deliveries ----

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Drive {
    pub id: i64,
    pub title: String,
    pub organisation_id: i64,
    pub initiative_id: Option<i64>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub list_year: i64,
    pub items: String,
    pub created_at: DateTime<Utc>,
}

const DRIVE_COLUMNS: &str =
    "id, title, organisation_id, initiative_id, starts_on, ends_on, list_year, items, created_at";

pub struct NewDrive<'a> {
    pub title: &'a str,
    pub organisation_id: i64,
    pub initiative_id: Option<i64>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub list_year: i64,
    pub items: &'a str,
    pub units: &'a [i64],
    pub by: Option<i64>,
}

pub async fn insert_drive(tx: &mut Tx, d: &NewDrive<'_>) -> Result<Drive> {
    let drive: Drive = with_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "INSERT INTO drives (title, organisation_id, initiative_id, starts_on, ends_on, list_year, items, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {DRIVE_COLUMNS}"
    )))
    .bind(d.title)
    .bind(d.organisation_id)
    .bind(d.initiative_id)
    .bind(d.starts_on)
    .bind(d.ends_on)
    .bind(d.list_year)
    .bind(d.items)
    .bind(d.by)
    .bind(now())
    .fetch_one(&mut *c)
    .await)?;
    for u in d.units {
        with_tx!(tx, c => sqlx::query("INSERT INTO drive_units (drive_id, unit_id) VALUES ($1, $2)")
            .bind(drive.id)
            .bind(*u)
            .execute(&mut *c)
            .await
            .map(|_| ()))?;
    }
    Ok(drive)
}

pub async fn drive(db: &Db, id: i64) -> Result<Option<Drive>> {
    Ok(
        with_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {DRIVE_COLUMNS} FROM drives WHERE id = $1")))
        .bind(id)
        .fetch_optional(p)
        .await)?,
    )
}

/// Every drive, newest first, with the units it covers (few enough per province to filter by
/// scope in the caller).
pub async fn drives(db: &Db) -> Result<Vec<(Drive, Vec<i64>)>> {
    let list: Vec<Drive> = with_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {DRIVE_COLUMNS} FROM drives ORDER BY starts_on DESC, id DESC"
    )))
    .fetch_all(p)
    .await)?;
    let pairs: Vec<(i64, i64)> = with_db!(db, p => sqlx::query_as(
        "SELECT drive_id, unit_id FROM drive_units ORDER BY drive_id, unit_id"
    )
    .fetch_all(p)
    .await)?;
    let mut units = std::collections::HashMap::<i64, Vec<i64>>::new();
    for (d, u) in pairs {
        units.entry(d).or_default().push(u);
    }
    Ok(list
        .into_iter()
        .map(|d| {
            let u = units.remove(&d.id).unwrap_or_default();
            (d, u)
        })
        .collect())
}

pub async fn drive_units(db: &Db, drive_id: i64) -> Result<Vec<i64>> {
    Ok(with_db!(db, p => sqlx::query_scalar(
        "SELECT unit_id FROM drive_units WHERE drive_id = $1 ORDER BY unit_id"
    )
    .bind(drive_id)
    .fetch_all(p)
    .await)?)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Delivery {
    pub id: i64,
    pub drive_id: i64,
    pub household_id: i64,
    pub items: String,
    pub value_vnd: i64,
    pub delivered_on: NaiveDate,
    pub recorded_at: DateTime<Utc>,
}

pub struct NewDelivery<'a> {
    pub drive_id: i64,
    pub household_id: i64,
    pub items: &'a str,
    pub value_vnd: i64,
    pub delivered_on: NaiveDate,
    pub by: Option<i64>,
}

pub async fn insert_delivery(tx: &mut Tx, d: &NewDelivery<'_>) -> Result<Delivery> {
    with_tx!(tx, c => sqlx::query_as(
        "INSERT INTO deliveries (drive_id, household_id, items, value_vnd, delivered_on, recorded_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         RETURNING id, drive_id, household_id, items, value_vnd, delivered_on, recorded_at"
    )
    .bind(d.drive_id)
    .bind(d.household_id)
    .bind(d.items)
    .bind(d.value_vnd)
    .bind(d.delivered_on)
    .bind(d.by)
    .bind(now())
    .fetch_one(&mut *c)
    .await)
    .map_err(|e| StoreError::from_write(e, "already_delivered"))
}

/// A delivery the household already received from another drive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct EarlierDelivery {
    pub drive_id: i64,
    pub title: String,
    pub organisation_id: i64,
    pub delivered_on: NaiveDate,
    pub value_vnd: i64,
}

/// Deliveries to the household from other drives whose period overlaps `period`.
pub async fn overlapping_deliveries(
    tx: &mut Tx,
    household_id: i64,
    drive_id: i64,
    period: (NaiveDate, NaiveDate),
) -> Result<Vec<EarlierDelivery>> {
    Ok(with_tx!(tx, c => sqlx::query_as(
        "SELECT d.drive_id, dr.title, dr.organisation_id, d.delivered_on, d.value_vnd
         FROM deliveries d JOIN drives dr ON dr.id = d.drive_id
         WHERE d.household_id = $1 AND d.drive_id <> $2 AND dr.starts_on <= $4 AND $3 <= dr.ends_on
         ORDER BY d.delivered_on, d.id"
    )
    .bind(household_id)
    .bind(drive_id)
    .bind(period.0)
    .bind(period.1)
    .fetch_all(&mut *c)
    .await)?)
}

/// One household a drive should reach: registered in one of its units on its list year.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Reach {
    pub household_id: i64,
    pub unit_id: i64,
    #[serde(skip)]
    pub sealed: String,
    /// The household's categories that year, comma-separated.
    pub categories: String,
    pub delivery_id: Option<i64>,
    pub value_vnd: Option<i64>,
}

/// One row of [`reach`]'s query: household, unit, sealed name, one category, delivery, value.
type ReachRow = (i64, i64, String, String, Option<i64>, Option<i64>);

/// The households a drive should reach in `units`, each with its delivery if there is one.
pub async fn reach(db: &Db, drive: &Drive, units: &[i64]) -> Result<Vec<Reach>> {
    if units.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<ReachRow> = with_db!(db, p => {
        let mut q = sqlx::QueryBuilder::new(
            "SELECT h.id, h.unit_id, h.sealed, l.category, d.id, d.value_vnd
             FROM households h JOIN household_listings l ON l.household_id = h.id AND l.year = ",
        );
        q.push_bind(drive.list_year);
        q.push(" LEFT JOIN deliveries d ON d.household_id = h.id AND d.drive_id = ");
        q.push_bind(drive.id);
        q.push(" WHERE h.unit_id IN (");
        let mut sep = q.separated(", ");
        for u in units {
            sep.push_bind(*u);
        }
        q.push(") ORDER BY h.unit_id, h.id, l.category");
        q.build_query_as().fetch_all(p).await?
    });
    let mut out: Vec<Reach> = Vec::new();
    for (id, unit_id, sealed, category, delivery_id, value_vnd) in rows {
        match out.last_mut() {
            Some(last) if last.household_id == id => {
                last.categories.push(',');
                last.categories.push_str(&category);
            }
            _ => out.push(Reach {
                household_id: id,
                unit_id,
                sealed,
                categories: category,
                delivery_id,
                value_vnd,
            }),
        }
    }
    Ok(out)
}

/// How deliveries are grouped for the totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryGroup {
    /// By the household's commune.
    Unit,
    /// By the drive's organisation.
    Organisation,
    /// By the household's categories on the drive's list year (a household on two lists
    /// counts under both).
    Category,
}

/// Deliveries summed per commune and group: the group's key (unit id, organisation id or
/// category code), the deliveries, the distinct households reached and the value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct DeliveryTotal {
    /// The household's commune, as it was registered.
    pub unit_id: i64,
    pub key: String,
    pub deliveries: i64,
    pub households: i64,
    pub value_vnd: i64,
}

/// Deliveries made in a calendar year (`None`: every year), grouped.
pub async fn delivery_totals(
    db: &Db,
    group: DeliveryGroup,
    year: Option<i64>,
) -> Result<Vec<DeliveryTotal>> {
    // Kept as deliveries and listings are written (migration 0016): summing them here
    // sorted every delivery for the distinct households.
    let dimension = match group {
        DeliveryGroup::Unit => "unit",
        DeliveryGroup::Organisation => "organisation",
        DeliveryGroup::Category => "category",
    };
    Ok(with_db!(db, p => sqlx::query_as(
        "SELECT unit_id, key, deliveries, households, value_vnd FROM support_tallies
         WHERE dimension = $1 AND year = $2 ORDER BY unit_id, key"
    )
    .bind(dimension)
    .bind(year.unwrap_or(0))
    .fetch_all(p)
    .await)?)
}

// ---- contributions ----

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Contribution {
    pub id: i64,
    pub unit_id: i64,
    pub initiative_id: Option<i64>,
    pub kind: String,
    pub quantity: f64,
    pub contributor_type: String,
    pub contributor_name: Option<String>,
    #[serde(skip)]
    pub contributor_sealed: Option<String>,
    pub anonymous: bool,
    pub contributed_on: NaiveDate,
    pub note: String,
    pub recorded_at: DateTime<Utc>,
}

const CONTRIBUTION_COLUMNS: &str = "id, unit_id, initiative_id, kind, quantity, contributor_type, contributor_name, \
contributor_sealed, anonymous, contributed_on, note, recorded_at";

pub struct NewContribution<'a> {
    pub unit_id: i64,
    pub initiative_id: Option<i64>,
    pub kind: &'a str,
    pub quantity: f64,
    pub contributor_type: &'a str,
    pub contributor_name: Option<&'a str>,
    pub contributor_sealed: Option<&'a str>,
    pub anonymous: bool,
    pub contributed_on: NaiveDate,
    pub note: &'a str,
    pub by: Option<i64>,
}

pub async fn insert_contribution(tx: &mut Tx, c: &NewContribution<'_>) -> Result<Contribution> {
    Ok(
        with_tx!(tx, conn => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "INSERT INTO contributions (unit_id, initiative_id, kind, quantity, contributor_type, contributor_name,
             contributor_sealed, anonymous, contributed_on, note, recorded_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING {CONTRIBUTION_COLUMNS}"
    )))
    .bind(c.unit_id)
    .bind(c.initiative_id)
    .bind(c.kind)
    .bind(c.quantity)
    .bind(c.contributor_type)
    .bind(c.contributor_name)
    .bind(c.contributor_sealed)
    .bind(c.anonymous)
    .bind(c.contributed_on)
    .bind(c.note)
    .bind(c.by)
    .bind(now())
    .fetch_one(&mut *conn)
    .await)?,
    )
}

/// The ledger's entries in `units` (empty: everywhere) and `[from, to]`, newest first.
pub async fn contributions(
    db: &Db,
    units: Option<&[i64]>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Contribution>> {
    if units.is_some_and(|u| u.is_empty()) {
        return Ok(Vec::new());
    }
    Ok(with_db!(db, p => {
        let mut q = sqlx::QueryBuilder::new(format!(
            "SELECT {CONTRIBUTION_COLUMNS} FROM contributions WHERE contributed_on >= "
        ));
        q.push_bind(from).push(" AND contributed_on <= ").push_bind(to);
        if let Some(units) = units {
            q.push(" AND unit_id IN (");
            let mut sep = q.separated(", ");
            for u in units {
                sep.push_bind(*u);
            }
            q.push(")");
        }
        q.push(" ORDER BY contributed_on DESC, id DESC");
        q.build_query_as::<Contribution>().fetch_all(p).await?
    }))
}

/// Contributions summed per unit and kind, with how many entries and how many of them anonymous.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct ContributionTotal {
    pub unit_id: i64,
    pub kind: String,
    pub quantity: f64,
    pub entries: i64,
    pub anonymous: i64,
}

pub async fn contribution_totals(
    db: &Db,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<ContributionTotal>> {
    Ok(with_db!(db, p => sqlx::query_as(
        "SELECT unit_id, kind, SUM(quantity) AS quantity, COUNT(*) AS entries,
                COALESCE(SUM(CASE WHEN anonymous THEN 1 ELSE 0 END), 0) AS anonymous
         FROM contributions WHERE contributed_on >= $1 AND contributed_on <= $2
         GROUP BY unit_id, kind ORDER BY unit_id, kind"
    )
    .bind(from)
    .bind(to)
    .fetch_all(p)
    .await)?)
}

/// The most recent named givers per unit (at most `per_unit` each), for the public honour.
pub async fn honoured(
    db: &Db,
    from: NaiveDate,
    to: NaiveDate,
    per_unit: i64,
) -> Result<Vec<(i64, String)>> {
    Ok(with_db!(db, p => sqlx::query_as(
        "SELECT unit_id, contributor_name FROM (
             SELECT unit_id, contributor_name,
                    ROW_NUMBER() OVER (PARTITION BY unit_id ORDER BY contributed_on DESC, id DESC) AS n
             FROM contributions
             WHERE contributor_name IS NOT NULL AND anonymous = FALSE
               AND contributed_on >= $1 AND contributed_on <= $2) AS named
         WHERE n <= $3 ORDER BY unit_id, n"
    )
    .bind(from)
    .bind(to)
    .bind(per_unit)
    .fetch_all(p)
    .await)?)
}

/// What the ledger records for one model, per kind.
pub async fn initiative_contributions(db: &Db, initiative_id: i64) -> Result<Vec<(String, f64)>> {
    Ok(with_db!(db, p => sqlx::query_as(
        "SELECT kind, SUM(quantity) FROM contributions WHERE initiative_id = $1 GROUP BY kind ORDER BY kind"
    )
    .bind(initiative_id)
    .fetch_all(p)
    .await)?)
}

/// Households reached by the drives of one model.
pub async fn initiative_deliveries(db: &Db, initiative_id: i64) -> Result<(i64, i64)> {
    Ok(with_db!(db, p => sqlx::query_as(
        "SELECT COUNT(DISTINCT d.household_id), CAST(COALESCE(SUM(d.value_vnd), 0) AS BIGINT)
         FROM deliveries d JOIN drives dr ON dr.id = d.drive_id WHERE dr.initiative_id = $1"
    )
    .bind(initiative_id)
    .fetch_one(p)
    .await)?)
}
