//! Organisations: agencies, the Fatherland Front, mass organisations, armed forces units,
//! enterprises and collectives, each belonging to a unit.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::{Db, Result, Tx, now, with_db, with_tx};

#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, Eq)]
pub struct Organisation {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub unit_id: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub async fn create(tx: &mut Tx, name: &str, kind: &str, unit_id: i64) -> Result<Organisation> {
    let at = now();
    let org: Organisation = with_tx!(tx, c => sqlx::query_as(
        "INSERT INTO organisations (name, kind, unit_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
         RETURNING id, name, kind, unit_id, created_at, updated_at",
    )
    .bind(name)
    .bind(kind)
    .bind(unit_id)
    .bind(at)
    .fetch_one(&mut *c)
    .await)?;
    crate::search::index_organisation(tx, org.id).await?;
    Ok(org)
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<Organisation>> {
    Ok(with_db!(db, p => sqlx::query_as(
        "SELECT id, name, kind, unit_id, created_at, updated_at FROM organisations WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(p)
    .await)?)
}

/// Organisations whose unit is one of `units` (a scope from the policy), by name.
pub async fn in_units(db: &Db, units: &[i64]) -> Result<Vec<Organisation>> {
    if units.is_empty() {
        return Ok(Vec::new());
    }
    with_db!(db, p => {
        let mut q = sqlx::QueryBuilder::new(
            "SELECT id, name, kind, unit_id, created_at, updated_at FROM organisations WHERE unit_id IN (",
        );
        let mut sep = q.separated(", ");
        for u in units {
            sep.push_bind(*u);
        }
        q.push(") ORDER BY name, id");
        Ok(q.build_query_as::<Organisation>().fetch_all(p).await?)
    })
}

pub async fn count(db: &Db) -> Result<i64> {
    Ok(
        with_db!(db, p => sqlx::query_scalar("SELECT COUNT(*) FROM organisations").fetch_one(p).await)?,
    )
}

/// Every organisation, by name (imports look organisations up by name).
pub async fn all(db: &Db) -> Result<Vec<Organisation>> {
    Ok(with_db!(db, p => sqlx::query_as(
        "SELECT id, name, kind, unit_id, created_at, updated_at FROM organisations ORDER BY name, id"
    )
    .fetch_all(p)
    .await)?)
}
