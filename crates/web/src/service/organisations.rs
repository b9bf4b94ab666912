//! Organisations in a unit: listing within scope, creating.

use danvan_domain::organisation::OrganisationKind;
use danvan_domain::policy::{Action, Principal, authorize, scope};
use danvan_domain::{FieldError, Invalid, validate};
use danvan_storage::audit::{self, Change};
use danvan_storage::organisations::{self, Organisation};
use serde::Deserialize;
use serde_json::json;

use crate::error::AppError;
use crate::state::AppState;

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct NewOrganisation {
    pub name: String,
    /// agency, fatherland_front, mass_organisation, armed_forces, enterprise, collective
    pub kind: String,
    pub unit_code: String,
}

/// A new organisation that passed validation, not yet authorised or written.
#[derive(Debug, Clone)]
pub struct CheckedOrganisation {
    pub name: String,
    pub kind: OrganisationKind,
    pub unit: danvan_domain::unit::Unit,
}

/// The field rules of a new organisation, shared by the form, the API and the import so
/// that a file is held to exactly the same rules as one record.
pub fn check(state: &AppState, input: &NewOrganisation) -> Result<CheckedOrganisation, Invalid> {
    let mut errors = Invalid::default();
    let name = validate::text("name", &input.name, 300, false)
        .map_err(|e| errors.push(e))
        .ok();
    let kind = OrganisationKind::parse(input.kind.trim());
    if kind.is_none() {
        errors.push(FieldError::new(
            "kind",
            "unknown_kind",
            "Loại tổ chức không hợp lệ.",
            "Unknown organisation kind.",
        ));
    }
    let unit = super::resolve_unit(state, "unit_code", &input.unit_code)
        .map_err(|e| errors.push(e))
        .ok();
    match (name, kind, unit) {
        (Some(name), Some(kind), Some(unit)) => Ok(CheckedOrganisation { name, kind, unit }),
        _ => Err(errors),
    }
}

/// Writes a checked organisation and its audit entry inside the caller's transaction.
pub async fn insert(
    tx: &mut danvan_storage::Tx,
    actor: &danvan_storage::audit::Actor,
    o: &CheckedOrganisation,
) -> Result<Organisation, AppError> {
    let org = organisations::create(tx, &o.name, o.kind.code(), o.unit.id).await?;
    audit::append(
        tx,
        actor,
        Change {
            action: "organisation.create",
            entity_type: "organisation",
            entity_id: org.id.to_string(),
            before: None,
            after: Some(json!({"name": org.name, "kind": org.kind, "unit_id": org.unit_id})),
        },
    )
    .await?;
    Ok(org)
}

pub async fn create(
    state: &AppState,
    by: &Principal,
    input: &NewOrganisation,
) -> Result<Organisation, AppError> {
    let checked = check(state, input)?;
    authorize(
        by,
        Action::ManageOrganisations,
        Some(checked.unit.id),
        &state.tree(),
    )?;
    let mut tx = state.db.begin().await?;
    let org = insert(&mut tx, &super::actor(by), &checked).await?;
    tx.commit().await?;
    Ok(org)
}

/// The organisations the caller may see.
pub async fn list(state: &AppState, by: &Principal) -> Result<Vec<Organisation>, AppError> {
    let tree = state.tree();
    authorize(by, Action::ViewOrganisations, None, &tree)?;
    let units: Vec<i64> = scope(by, Action::ViewOrganisations, &tree)
        .into_iter()
        .collect();
    Ok(organisations::in_units(&state.db, &units).await?)
}

pub async fn get(state: &AppState, by: &Principal, id: i64) -> Result<Organisation, AppError> {
    let org = organisations::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    authorize(
        by,
        Action::ViewOrganisations,
        Some(org.unit_id),
        &state.tree(),
    )?;
    Ok(org)
}
