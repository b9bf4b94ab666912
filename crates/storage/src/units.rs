//! The administrative unit tree: loading the shipped reference data once, and reading it back.

use std::collections::HashMap;

use chrono::NaiveDate;
use danvan_domain::unit::{Unit, UnitLevel, UnitTree};
use serde::Deserialize;

use crate::{Db, Result, StoreError, with_db, with_tx};

const AN_GIANG_2024: &str = include_str!("../reference/units/an_giang_2024.csv");
const KIEN_GIANG_2024: &str = include_str!("../reference/units/kien_giang_2024.csv");
const AN_GIANG_2025: &str = include_str!("../reference/units/an_giang_2025.csv");
const SUCCESSION_2025: &str = include_str!("../reference/units/an_giang_2024_to_2025.csv");

/// The day the two-level local government and the merged An Giang took effect.
pub fn reform_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 7, 1).unwrap_or_default()
}

#[derive(Deserialize)]
struct UnitCsv {
    code: String,
    name: String,
    level: String,
    parent_code: String,
    division_type: String,
}

#[derive(Deserialize)]
struct SuccessionCsv {
    old_province_code: String,
    old_code: String,
    new_code: String,
    split: String,
    default_if_split: String,
}

#[derive(sqlx::FromRow)]
struct UnitRow {
    id: i64,
    code: String,
    name: String,
    level: String,
    parent_id: Option<i64>,
    valid_from: Option<NaiveDate>,
    valid_to: Option<NaiveDate>,
}

fn parse_units(csv_text: &str) -> Result<Vec<UnitCsv>> {
    csv::Reader::from_reader(csv_text.as_bytes())
        .deserialize()
        .collect::<std::result::Result<Vec<UnitCsv>, _>>()
        .map_err(|e| StoreError::Other(format!("reference unit data: {e}")))
}

/// Loads the shipped units on first start; does nothing when units exist already.
/// Returns the number of units inserted.
pub async fn load_reference(db: &Db) -> Result<usize> {
    let mut tx = db.begin().await?;
    let existing: i64 = with_tx!(&mut tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM units").fetch_one(&mut *c).await)?;
    if existing > 0 {
        return Ok(0);
    }
    let reform = reform_date();
    let mut inserted = 0;
    // code → id, one map per source file (codes are reused across the reform).
    let mut maps: Vec<HashMap<String, i64>> = Vec::new();
    for (text, from, to) in [
        (AN_GIANG_2024, None, Some(reform)),
        (KIEN_GIANG_2024, None, Some(reform)),
        (AN_GIANG_2025, Some(reform), None),
    ] {
        let mut ids: HashMap<String, i64> = HashMap::new();
        for u in parse_units(text)? {
            let level = UnitLevel::parse(&u.level).ok_or_else(|| {
                StoreError::Other(format!("unknown level {} for {}", u.level, u.code))
            })?;
            let parent_id = if u.parent_code.is_empty() {
                None
            } else {
                Some(*ids.get(&u.parent_code).ok_or_else(|| {
                    StoreError::Other(format!(
                        "parent {} of {} not listed before it",
                        u.parent_code, u.code
                    ))
                })?)
            };
            let id: i64 = with_tx!(&mut tx, c => sqlx::query_scalar(
                "INSERT INTO units (code, name, level, division_type, parent_id, valid_from, valid_to)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(&u.code)
            .bind(&u.name)
            .bind(level.code())
            .bind(&u.division_type)
            .bind(parent_id)
            .bind(from)
            .bind(to)
            .fetch_one(&mut *c)
            .await)?;
            ids.insert(u.code, id);
            inserted += 1;
        }
        maps.push(ids);
    }
    let (old_ag, old_kg, new_ag) = (&maps[0], &maps[1], &maps[2]);

    let mut edges: Vec<(i64, i64, bool, bool)> = Vec::new();
    // Both old provinces became the new An Giang.
    for old in [old_ag.get("89"), old_kg.get("91")] {
        if let (Some(&o), Some(&n)) = (old, new_ag.get("91")) {
            edges.push((o, n, false, true));
        }
    }
    let rows: Vec<SuccessionCsv> = csv::Reader::from_reader(SUCCESSION_2025.as_bytes())
        .deserialize()
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| StoreError::Other(format!("reference succession data: {e}")))?;
    for r in rows {
        let old_map = if r.old_province_code == "89" {
            old_ag
        } else {
            old_kg
        };
        let (Some(&o), Some(&n)) = (old_map.get(&r.old_code), new_ag.get(&r.new_code)) else {
            return Err(StoreError::Other(format!(
                "succession {} → {} names an unknown unit",
                r.old_code, r.new_code
            )));
        };
        let split = r.split == "1";
        let is_default = !split || r.default_if_split == "1";
        edges.push((o, n, split, is_default));
    }
    for (o, n, split, is_default) in edges {
        with_tx!(&mut tx, c => sqlx::query(
            "INSERT INTO unit_successions (old_unit_id, new_unit_id, split, is_default) VALUES ($1, $2, $3, $4)
             ON CONFLICT (old_unit_id, new_unit_id) DO NOTHING",
        )
        .bind(o)
        .bind(n)
        .bind(split)
        .bind(is_default)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    }
    tx.commit().await?;
    Ok(inserted)
}

/// The whole tree, for the in-memory policy checks and listings.
pub async fn load_tree(db: &Db) -> Result<UnitTree> {
    let rows: Vec<UnitRow> = with_db!(db, p => sqlx::query_as(
        "SELECT id, code, name, level, parent_id, valid_from, valid_to FROM units"
    )
    .fetch_all(p)
    .await)?;
    let edges: Vec<(i64, i64)> = with_db!(db, p => sqlx::query_as(
        // The main successor first: a divided commune's records roll up there.
        "SELECT old_unit_id, new_unit_id FROM unit_successions ORDER BY old_unit_id, is_default DESC, new_unit_id"
    )
    .fetch_all(p)
    .await)?;
    let units = rows
        .into_iter()
        .map(|r| Unit {
            id: r.id,
            code: r.code,
            name: r.name,
            level: UnitLevel::parse(&r.level).unwrap_or(UnitLevel::Commune),
            parent_id: r.parent_id,
            valid_from: r.valid_from,
            valid_to: r.valid_to,
        })
        .collect();
    Ok(UnitTree::new(units, edges))
}
