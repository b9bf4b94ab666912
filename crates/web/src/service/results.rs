//! Results rolled up by unit, field and year, as the unit tree stood on a date: records made
//! under pre-2025 units count in their successor communes when viewed after the reform.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use danvan_domain::movement::Field;
use serde::Serialize;

use crate::error::AppError;
use crate::state::AppState;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema, Default)]
pub struct KindTotal {
    pub kind: String,
    pub target: f64,
    pub achieved: f64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldTotal {
    pub field: String,
    pub models: i64,
    pub replications: i64,
    pub indicators: Vec<KindTotal>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitTotal {
    pub code: String,
    pub name: String,
    pub models: i64,
    pub replications: i64,
    /// Models per field code.
    pub by_field: BTreeMap<String, i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Rollup {
    pub unit_code: String,
    pub unit_name: String,
    pub at: NaiveDate,
    pub year: Option<i64>,
    pub models: i64,
    pub replications: i64,
    pub by_field: Vec<FieldTotal>,
    /// The subunits as they stood on `at`.
    pub by_unit: Vec<UnitTotal>,
}

/// Public models only; custom indicators are summed by their kind "custom" (their units
/// differ, so the total is only a count of things).
pub async fn rollup(
    state: &AppState,
    unit_code: &str,
    at: NaiveDate,
    year: Option<i64>,
) -> Result<Rollup, AppError> {
    let tree = state.tree();
    let unit = tree
        .by_code_at(unit_code.trim(), at)
        .ok_or(AppError::NotFound)?;
    let children = tree.children_at(unit.id, at);
    let rows = danvan_storage::movement::initiatives::results(&state.db, year).await?;

    let mut by_field: BTreeMap<String, (i64, i64, BTreeMap<String, KindTotal>)> = BTreeMap::new();
    let mut by_unit: Vec<UnitTotal> = children
        .iter()
        .map(|c| UnitTotal {
            code: c.code.clone(),
            name: c.name.clone(),
            models: 0,
            replications: 0,
            by_field: BTreeMap::new(),
        })
        .collect();
    let (mut models, mut replications) = (0, 0);
    let mut last_model = None;
    for r in &rows {
        let Some(here) = tree.as_of(r.unit_id, at) else {
            continue;
        };
        if !tree.contains(unit.id, here.id) {
            continue;
        }
        let entry = by_field.entry(r.field.clone()).or_default();
        if last_model != Some(r.initiative_id) {
            last_model = Some(r.initiative_id);
            models += 1;
            entry.0 += 1;
            let replication = i64::from(r.source_id.is_some());
            replications += replication;
            entry.1 += replication;
            if let Some((i, _)) = children
                .iter()
                .enumerate()
                .find(|(_, c)| tree.contains(c.id, here.id))
            {
                let u = &mut by_unit[i];
                u.models += 1;
                u.replications += replication;
                *u.by_field.entry(r.field.clone()).or_default() += 1;
            }
        }
        if let (Some(kind), Some(target)) = (&r.kind, r.target) {
            let t = entry.2.entry(kind.clone()).or_insert_with(|| KindTotal {
                kind: kind.clone(),
                ..Default::default()
            });
            t.target += target;
            t.achieved += r.achieved.unwrap_or(0.0);
        }
    }
    let by_field = Field::ALL
        .iter()
        .map(|f| {
            let (models, replications, kinds) = by_field.remove(f.code()).unwrap_or_default();
            FieldTotal {
                field: f.code().to_string(),
                models,
                replications,
                indicators: kinds.into_values().collect(),
            }
        })
        .collect();
    Ok(Rollup {
        unit_code: unit.code.clone(),
        unit_name: unit.name.clone(),
        at,
        year,
        models,
        replications,
        by_field,
        by_unit,
    })
}
