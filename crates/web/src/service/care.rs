//! Care and contributions: the communes' registers of households in need, support drives and
//! their deliveries, and the contributions ledger.
//!
//! A household's head and address are sealed at rest and opened only for callers with
//! `ManageHouseholds` on its commune (the commune's officer, the province admin); every
//! opening is written to the audit trail. The same household written twice (folded name and
//! address) is found by a keyed hash, never by the name itself.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate};
use danvan_domain::care::{self, ContributionKind, ContributorType, HouseholdCategory};
use danvan_domain::policy::{Action, Principal, Target, authorize, authorize_for, scope};
use danvan_domain::unit::{Unit, UnitLevel};
use danvan_domain::{FieldError, Invalid, validate};
use danvan_storage::audit::{self, Change};
use danvan_storage::care as store;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::error::AppError;
use crate::state::AppState;

// ---- households ----

/// A household to put on a commune's register for a year.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct NewHousehold {
    /// The commune (or ward) code, as it stands today.
    pub unit_code: String,
    pub head_name: String,
    /// Village or hamlet and house, under the commune.
    pub address: String,
    /// poor, near_poor, policy_family, lonely_elderly, disability
    pub category: String,
    pub year: i64,
}

#[derive(Debug, Clone)]
pub struct CheckedHousehold {
    pub unit: Unit,
    pub head_name: String,
    pub address: String,
    pub category: HouseholdCategory,
    pub year: i64,
}

#[derive(Serialize, Deserialize)]
struct Sealed {
    head_name: String,
    address: String,
}

/// A commune today: registers, drives and ledgers are kept by communes and wards.
fn commune(state: &AppState, field: &'static str, code: &str) -> Result<Unit, FieldError> {
    let unit = super::resolve_unit(state, field, code)?;
    let today = state.clock.today();
    if unit.level != UnitLevel::Commune || !unit.valid_at(today) {
        return Err(FieldError::new(
            field,
            "not_a_commune",
            format!(
                "“{}” không phải là xã, phường hiện hành; sổ được lập theo xã, phường.",
                unit.name
            ),
            format!("“{}” is not a current commune or ward.", unit.name),
        ));
    }
    Ok(unit)
}

/// A list year: from 2000 to next year (the list for year N is approved late in N−1).
fn list_year(state: &AppState, field: &'static str, year: i64) -> Result<i64, FieldError> {
    let next = i64::from(state.clock.today().year()) + 1;
    if (2000..=next).contains(&year) {
        Ok(year)
    } else {
        Err(FieldError::new(
            field,
            "invalid_year",
            format!("Năm phải từ 2000 đến {next}."),
            format!("The year must be between 2000 and {next}."),
        ))
    }
}

/// The field rules of a household, shared by the form, the API and the spreadsheet import.
pub fn check_household(
    state: &AppState,
    input: &NewHousehold,
) -> Result<CheckedHousehold, Invalid> {
    let mut errors = Invalid::default();
    let unit = commune(state, "unit_code", &input.unit_code)
        .map_err(|e| errors.push(e))
        .ok();
    let head_name = validate::text("head_name", &input.head_name, 200, false)
        .map_err(|e| errors.push(e))
        .ok();
    let address = validate::text("address", &input.address, 300, false)
        .map_err(|e| errors.push(e))
        .ok();
    let category = HouseholdCategory::parse(input.category.trim());
    if category.is_none() {
        errors.push(FieldError::new(
            "category",
            "unknown_category",
            "Diện hộ không hợp lệ (hộ nghèo, cận nghèo, gia đình chính sách, người cao tuổi neo đơn, người khuyết tật).",
            "Unknown category (poor, near_poor, policy_family, lonely_elderly, disability).",
        ));
    }
    let year = list_year(state, "year", input.year)
        .map_err(|e| errors.push(e))
        .ok();
    match (unit, head_name, address, category, year) {
        (Some(unit), Some(head_name), Some(address), Some(category), Some(year)) => {
            Ok(CheckedHousehold {
                unit,
                head_name,
                address,
                category,
                year,
            })
        }
        _ => Err(errors),
    }
}

/// What registering did: a new household, or a new year's (or category's) listing of one
/// already on the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registered {
    New(i64),
    Listed(i64),
}

impl Registered {
    pub fn id(self) -> i64 {
        match self {
            Registered::New(id) | Registered::Listed(id) => id,
        }
    }
}

/// The keyed hash that finds the same household written twice.
pub(crate) fn dedupe_key(state: &AppState, head_name: &str, address: &str) -> String {
    state.seal.blind_index(&format!(
        "household\0{}",
        care::household_key(head_name, address)
    ))
}

/// Writes a checked household (or its new listing) with the audit entry, inside the
/// caller's transaction. The same listing twice is refused: `duplicate_household`.
pub async fn register(
    state: &AppState,
    tx: &mut danvan_storage::Tx,
    actor: &danvan_storage::audit::Actor,
    account: Option<i64>,
    h: &CheckedHousehold,
    source: &str,
) -> Result<Registered, AppError> {
    let key = dedupe_key(state, &h.head_name, &h.address);
    let existing = store::household_by_key(tx, h.unit.id, &key).await?;
    let outcome = match existing {
        Some(id) => Registered::Listed(id),
        None => {
            let id =
                store::insert_household(tx, h.unit.id, &seal_household(state, h)?, &key, account)
                    .await?;
            Registered::New(id)
        }
    };
    let added =
        store::add_listing(tx, outcome.id(), h.category.code(), h.year, source, account).await?;
    if !added {
        return Err(AppError::Conflict("duplicate_household"));
    }
    audit::append(tx, actor, registered(outcome, h, source)).await?;
    Ok(outcome)
}

/// [`register`] for a whole file, in multi-row statements: one look-up of the file's
/// households per commune, then the new ones, then the listings; the same audit entries,
/// in the file's order. Any listing already there refuses the lot (`duplicate_household`).
pub async fn register_many(
    state: &AppState,
    tx: &mut danvan_storage::Tx,
    actor: &danvan_storage::audit::Actor,
    account: Option<i64>,
    households: &[CheckedHousehold],
    source: &str,
) -> Result<(), AppError> {
    let keys: Vec<String> = households
        .iter()
        .map(|h| dedupe_key(state, &h.head_name, &h.address))
        .collect();
    let mut known: HashMap<(i64, String), i64> = HashMap::new();
    let mut named: BTreeMap<i64, BTreeSet<&str>> = BTreeMap::new();
    for (h, key) in households.iter().zip(&keys) {
        named.entry(h.unit.id).or_default().insert(key);
    }
    for (unit, keys) in named {
        let keys: Vec<&str> = keys.into_iter().collect();
        known.extend(
            store::households_by_key(tx, unit, &keys)
                .await?
                .into_iter()
                .map(|(key, id)| ((unit, key), id)),
        );
    }
    // A household new to the register is written once, however many of its rows list it.
    let mut new = Vec::new();
    let mut planned = std::collections::HashSet::new();
    for (h, key) in households.iter().zip(&keys) {
        let id = (h.unit.id, key.clone());
        if !known.contains_key(&id) && planned.insert(id) {
            new.push(store::NewHousehold {
                unit_id: h.unit.id,
                sealed: seal_household(state, h)?,
                key: key.clone(),
            });
        }
    }
    let created = store::insert_households(tx, &new, account).await?;
    let mut outcomes = Vec::with_capacity(households.len());
    let mut first_row = std::collections::HashSet::new();
    for (h, key) in households.iter().zip(&keys) {
        let id = (h.unit.id, key.clone());
        let outcome = match (known.get(&id), created.get(&id)) {
            (Some(&existing), _) => Registered::Listed(existing),
            // Its first row registers it; the others list it.
            (None, Some(&new)) if first_row.insert(new) => Registered::New(new),
            (None, Some(&new)) => Registered::Listed(new),
            (None, None) => {
                return Err(AppError::Internal(
                    "a registered household came back without its id".into(),
                ));
            }
        };
        outcomes.push(outcome);
    }
    let listings: Vec<(i64, &str, i64)> = households
        .iter()
        .zip(&outcomes)
        .map(|(h, o)| (o.id(), h.category.code(), h.year))
        .collect();
    let added = store::add_listings(tx, &listings, source, account).await?;
    if added != listings.len() as u64 {
        return Err(AppError::Conflict("duplicate_household"));
    }
    for (h, outcome) in households.iter().zip(outcomes) {
        audit::append(tx, actor, registered(outcome, h, source)).await?;
    }
    Ok(())
}

/// A household's name and address as kept at rest.
fn seal_household(state: &AppState, h: &CheckedHousehold) -> Result<String, AppError> {
    let sealed = serde_json::to_vec(&Sealed {
        head_name: h.head_name.clone(),
        address: h.address.clone(),
    })
    .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(state.seal.seal(&sealed))
}

/// The audit entry of a registration.
fn registered(outcome: Registered, h: &CheckedHousehold, source: &str) -> Change<'static> {
    Change {
        action: match outcome {
            Registered::New(_) => "household.register",
            Registered::Listed(_) => "household.list",
        },
        entity_type: "household",
        entity_id: outcome.id().to_string(),
        before: None,
        // No name or address in the trail: it is read by people outside the commune.
        after: Some(
            json!({"unit_id": h.unit.id, "category": h.category.code(), "year": h.year, "source": source}),
        ),
    }
}

pub async fn create_household(
    state: &AppState,
    by: &Principal,
    input: &NewHousehold,
    source: &str,
) -> Result<(HouseholdView, Registered), AppError> {
    let checked = check_household(state, input)?;
    authorize(
        by,
        Action::ManageHouseholds,
        Some(checked.unit.id),
        &state.tree(),
    )?;
    let mut tx = state.db.begin().await?;
    let outcome = register(
        state,
        &mut tx,
        &super::actor(by),
        Some(by.account_id),
        &checked,
        source,
    )
    .await?;
    tx.commit().await?;
    let h = store::household(&state.db, outcome.id())
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((view(state, h)?, outcome))
}

/// A household as its commune's officers see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HouseholdView {
    pub id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub head_name: String,
    pub address: String,
    /// Every list it was on, newest year first.
    pub listings: Vec<ListingView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ListingView {
    pub category: String,
    pub category_label: String,
    pub year: i64,
}

impl HouseholdView {
    /// The categories of one year, in Vietnamese, for lists and the export.
    pub fn categories_in(&self, year: i64) -> String {
        self.listings
            .iter()
            .filter(|l| l.year == year)
            .map(|l| l.category_label.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn open(state: &AppState, sealed: &str) -> Result<Sealed, AppError> {
    let bytes = state
        .seal
        .open(sealed)
        .map_err(|e| AppError::Internal(format!("sealed household: {e}")))?;
    serde_json::from_slice(&bytes).map_err(|e| AppError::Internal(format!("sealed household: {e}")))
}

fn category_label(code: &str) -> String {
    HouseholdCategory::parse(code)
        .map(|c| c.label_vi().to_string())
        .unwrap_or_else(|| code.to_string())
}

fn view(state: &AppState, h: store::Household) -> Result<HouseholdView, AppError> {
    let person = open(state, &h.sealed)?;
    let tree = state.tree();
    let unit = tree.get(h.unit_id);
    Ok(HouseholdView {
        id: h.id,
        unit_code: unit.map(|u| u.code.clone()).unwrap_or_default(),
        unit_name: unit.map(|u| u.name.clone()).unwrap_or_default(),
        head_name: person.head_name,
        address: person.address,
        listings: h
            .listings
            .into_iter()
            .map(|l| ListingView {
                category_label: category_label(&l.category),
                category: l.category,
                year: l.year,
            })
            .collect(),
    })
}

/// Which households to list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct HouseholdQuery {
    /// A unit code: its subtree, within the caller's scope (default: the whole scope).
    pub unit: Option<String>,
    pub year: Option<i64>,
    pub category: Option<String>,
}

/// The units in the caller's `action` scope, narrowed to `unit`'s subtree when one is named
/// (403 when it lies outside the scope).
fn units_in_scope(
    state: &AppState,
    by: &Principal,
    action: Action,
    unit: Option<&str>,
) -> Result<Vec<i64>, AppError> {
    let tree = state.tree();
    authorize(by, action, None, &tree)?;
    let allowed = scope(by, action, &tree);
    let mut units: Vec<i64> = match unit.map(str::trim).filter(|u| !u.is_empty()) {
        Some(code) => {
            let u = super::resolve_unit(state, "unit", code)?;
            authorize(by, action, Some(u.id), &tree)?;
            tree.subtree(u.id)
                .into_iter()
                .filter(|id| allowed.contains(id))
                .collect()
        }
        None => allowed.into_iter().collect(),
    };
    units.sort_unstable();
    Ok(units)
}

/// The registers in the caller's scope, names opened; the viewing is audited.
pub async fn households(
    state: &AppState,
    by: &Principal,
    q: &HouseholdQuery,
) -> Result<Vec<HouseholdView>, AppError> {
    let units = units_in_scope(state, by, Action::ManageHouseholds, q.unit.as_deref())?;
    let category = match q
        .category
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        Some(c) => Some(
            HouseholdCategory::parse(c)
                .ok_or_else(|| {
                    FieldError::new(
                        "category",
                        "unknown_category",
                        "Diện hộ không hợp lệ.",
                        "Unknown category.",
                    )
                })?
                .code()
                .to_string(),
        ),
        None => None,
    };
    let filter = store::HouseholdFilter {
        units,
        year: q.year,
        category,
    };
    let rows = store::households(&state.db, &filter).await?;
    let out = rows
        .into_iter()
        .map(|h| view(state, h))
        .collect::<Result<Vec<_>, _>>()?;
    log_view(
        state,
        by,
        q.unit.as_deref().unwrap_or("scope"),
        json!({"households": out.len(), "year": q.year, "category": filter.category}),
    )
    .await?;
    Ok(out)
}

/// Writes "who saw whose names" to the audit trail.
async fn log_view(
    state: &AppState,
    by: &Principal,
    what: &str,
    after: serde_json::Value,
) -> Result<(), AppError> {
    let mut tx = state.db.begin().await?;
    audit::append(
        &mut tx,
        &super::actor(by),
        Change {
            action: "household.view",
            entity_type: "unit",
            entity_id: what.to_string(),
            before: None,
            after: Some(after),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---- drives ----

/// A support drive an organisation announces.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct NewDrive {
    pub title: String,
    pub organisation_id: i64,
    /// The model the drive belongs to, if any.
    pub initiative_id: Option<i64>,
    /// YYYY-MM-DD
    pub starts_on: String,
    /// YYYY-MM-DD, at most a year after `starts_on`
    pub ends_on: String,
    /// What each household receives (items, value).
    pub items: String,
    /// The communes and wards the drive covers.
    pub unit_codes: Vec<String>,
    /// Whose register the drive serves: the households listed for this year (default: the
    /// year the drive starts).
    pub list_year: Option<i64>,
}

/// A drive with its units and organisation, as lists and the API show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DriveView {
    pub id: i64,
    pub title: String,
    pub organisation_id: i64,
    pub organisation_name: String,
    pub initiative_id: Option<i64>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub list_year: i64,
    pub items: String,
    pub units: Vec<UnitRef>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitRef {
    pub code: String,
    pub name: String,
}

fn unit_ref(state: &AppState, id: i64) -> UnitRef {
    let tree = state.tree();
    let u = tree.get(id);
    UnitRef {
        code: u.map(|u| u.code.clone()).unwrap_or_default(),
        name: u.map(|u| u.name.clone()).unwrap_or_default(),
    }
}

async fn drive_view(
    state: &AppState,
    d: store::Drive,
    units: &[i64],
) -> Result<DriveView, AppError> {
    let org = danvan_storage::organisations::by_id(&state.db, d.organisation_id).await?;
    Ok(DriveView {
        id: d.id,
        title: d.title,
        organisation_id: d.organisation_id,
        organisation_name: org.map(|o| o.name).unwrap_or_default(),
        initiative_id: d.initiative_id,
        starts_on: d.starts_on,
        ends_on: d.ends_on,
        list_year: d.list_year,
        items: d.items,
        units: units.iter().map(|u| unit_ref(state, *u)).collect(),
    })
}

pub async fn create_drive(
    state: &AppState,
    by: &Principal,
    input: &NewDrive,
) -> Result<DriveView, AppError> {
    let mut errors = Invalid::default();
    let title = validate::text("title", &input.title, 300, false)
        .map_err(|e| errors.push(e))
        .ok();
    let items = validate::text("items", &input.items, 1000, true)
        .map_err(|e| errors.push(e))
        .ok();
    let starts = validate::date("starts_on", &input.starts_on)
        .map_err(|e| errors.push(e))
        .ok();
    let ends = validate::date("ends_on", &input.ends_on)
        .map_err(|e| errors.push(e))
        .ok();
    if let (Some(s), Some(e)) = (starts, ends)
        && let Err(err) = care::check_period(s, e)
    {
        errors.push(err);
    }
    let org = danvan_storage::organisations::by_id(&state.db, input.organisation_id).await?;
    if org.is_none() {
        errors.push(FieldError::new(
            "organisation_id",
            "unknown_organisation",
            "Không có tổ chức này.",
            "No such organisation.",
        ));
    }
    if let Some(i) = input.initiative_id
        && danvan_storage::movement::initiatives::by_id(&state.db, i)
            .await?
            .is_none()
    {
        errors.push(FieldError::new(
            "initiative_id",
            "unknown_initiative",
            "Không có mô hình này.",
            "No such model.",
        ));
    }
    let mut units = Vec::new();
    for code in input.unit_codes.iter().filter(|c| !c.trim().is_empty()) {
        match commune(state, "unit_codes", code) {
            Ok(u) if !units.contains(&u.id) => units.push(u.id),
            Ok(_) => {}
            Err(e) => errors.push(e),
        }
    }
    if units.is_empty() && errors.for_field("unit_codes").is_none() {
        errors.push(FieldError::new(
            "unit_codes",
            "required",
            "Chọn ít nhất một xã, phường.",
            "Choose at least one commune or ward.",
        ));
    }
    let year = match (input.list_year, starts) {
        (Some(y), _) => list_year(state, "list_year", y)
            .map_err(|e| errors.push(e))
            .ok(),
        (None, Some(s)) => Some(i64::from(s.year())),
        (None, None) => None,
    };
    let (Some(title), Some(items), Some(starts), Some(ends), Some(org), Some(year)) =
        (title, items, starts, ends, org, year)
    else {
        return Err(errors.into());
    };
    errors.into_result()?;
    let tree = state.tree();
    for u in &units {
        authorize_for(
            by,
            Action::RunDrives,
            Target {
                unit: Some(*u),
                organisation: Some(org.id),
            },
            &tree,
        )?;
    }
    let mut tx = state.db.begin().await?;
    let drive = store::insert_drive(
        &mut tx,
        &store::NewDrive {
            title: &title,
            organisation_id: org.id,
            initiative_id: input.initiative_id,
            starts_on: starts,
            ends_on: ends,
            list_year: year,
            items: &items,
            units: &units,
            by: Some(by.account_id),
        },
    )
    .await?;
    audit::append(
        &mut tx,
        &super::actor(by),
        Change {
            action: "drive.create",
            entity_type: "drive",
            entity_id: drive.id.to_string(),
            before: None,
            after: Some(json!({
                "title": drive.title, "organisation_id": drive.organisation_id,
                "starts_on": drive.starts_on, "ends_on": drive.ends_on, "units": units,
                "initiative_id": drive.initiative_id, "list_year": drive.list_year,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    drive_view(state, drive, &units).await
}

/// Whether the caller may see a drive: it keeps the register of one of its communes, or runs
/// drives for its organisation there.
fn may_see(state: &AppState, by: &Principal, d: &store::Drive, units: &[i64]) -> bool {
    let tree = state.tree();
    units.iter().any(|u| {
        authorize(by, Action::ManageHouseholds, Some(*u), &tree).is_ok()
            || authorize_for(
                by,
                Action::RunDrives,
                Target {
                    unit: Some(*u),
                    organisation: Some(d.organisation_id),
                },
                &tree,
            )
            .is_ok()
    })
}

pub async fn drives(state: &AppState, by: &Principal) -> Result<Vec<DriveView>, AppError> {
    let tree = state.tree();
    if authorize(by, Action::ManageHouseholds, None, &tree).is_err() {
        authorize(by, Action::RunDrives, None, &tree)?;
    }
    let mut out = Vec::new();
    for (d, units) in store::drives(&state.db).await? {
        if may_see(state, by, &d, &units) {
            out.push(drive_view(state, d, &units).await?);
        }
    }
    Ok(out)
}

async fn load_drive(
    state: &AppState,
    by: &Principal,
    id: i64,
) -> Result<(store::Drive, Vec<i64>), AppError> {
    let d = store::drive(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let units = store::drive_units(&state.db, id).await?;
    if !may_see(state, by, &d, &units) {
        return Err(AppError::Forbidden);
    }
    Ok((d, units))
}

pub async fn drive(state: &AppState, by: &Principal, id: i64) -> Result<DriveView, AppError> {
    let (d, units) = load_drive(state, by, id).await?;
    drive_view(state, d, &units).await
}

/// A delivery to record.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct NewDelivery {
    pub household_id: i64,
    /// What was given (default: what the drive gives).
    pub items: String,
    pub value_vnd: i64,
    /// YYYY-MM-DD, inside the drive's period
    pub delivered_on: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeliveryView {
    pub id: i64,
    pub drive_id: i64,
    pub household_id: i64,
    pub items: String,
    pub value_vnd: i64,
    pub delivered_on: NaiveDate,
}

/// Something the officer should know about a recorded delivery; the delivery stands.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Warning {
    /// `already_supported`: the household received from another drive of the same period.
    pub code: String,
    pub message: String,
    pub drive_id: i64,
    pub drive_title: String,
    pub delivered_on: NaiveDate,
    pub value_vnd: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeliveryOutcome {
    pub delivery: DeliveryView,
    pub warnings: Vec<Warning>,
}

/// The most one delivery may be worth: more is a typing mistake (an extra zero or three).
const MAX_DELIVERY_VND: i64 = 1_000_000_000;

pub async fn record_delivery(
    state: &AppState,
    by: &Principal,
    drive_id: i64,
    input: &NewDelivery,
) -> Result<DeliveryOutcome, AppError> {
    let tree = state.tree();
    authorize(by, Action::ManageHouseholds, None, &tree)?;
    let d = store::drive(&state.db, drive_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let units = store::drive_units(&state.db, drive_id).await?;
    let household = store::household(&state.db, input.household_id)
        .await?
        .ok_or_else(|| {
            AppError::invalid(FieldError::new(
                "household_id",
                "unknown_household",
                "Không có hộ này trong sổ.",
                "No such household on the register.",
            ))
        })?;
    // A household outside the officer's commune: refused before anything else is said of it.
    authorize(by, Action::ManageHouseholds, Some(household.unit_id), &tree)?;
    let mut errors = Invalid::default();
    if !units.contains(&household.unit_id) {
        errors.push(FieldError::new(
            "household_id",
            "outside_drive_units",
            "Hộ này không ở xã, phường mà đợt hỗ trợ đến.",
            "The household is not in a commune this drive covers.",
        ));
    }
    let items = match validate::optional_text("items", &input.items, 1000, true) {
        Ok(v) => v.unwrap_or_else(|| d.items.clone()),
        Err(e) => {
            errors.push(e);
            String::new()
        }
    };
    if input.value_vnd < 0 {
        errors.push(FieldError::new(
            "value_vnd",
            "not_positive",
            "Giá trị không được âm.",
            "The value cannot be negative.",
        ));
    } else if input.value_vnd > MAX_DELIVERY_VND {
        errors.push(FieldError::new(
            "value_vnd",
            "implausible",
            "Giá trị quá lớn cho một lần trao (tối đa 1 tỷ đồng); xin kiểm tra lại.",
            "The value is too large for one delivery; please check it.",
        ));
    }
    let delivered_on = validate::date("delivered_on", &input.delivered_on)
        .map_err(|e| errors.push(e))
        .ok();
    if let Some(day) = delivered_on {
        if day > state.clock.today() {
            errors.push(FieldError::new(
                "delivered_on",
                "in_future",
                "Ngày trao không được sau hôm nay.",
                "The delivery date cannot be in the future.",
            ));
        } else if day < d.starts_on || day > d.ends_on {
            errors.push(FieldError::new(
                "delivered_on",
                "outside_period",
                format!(
                    "Ngày trao phải trong thời gian của đợt ({} – {}).",
                    d.starts_on.format("%d/%m/%Y"),
                    d.ends_on.format("%d/%m/%Y")
                ),
                "The delivery date must fall within the drive's period.",
            ));
        }
    }
    errors.into_result()?;
    let Some(delivered_on) = delivered_on else {
        return Err(AppError::Internal("checked date missing".into()));
    };
    let mut tx = state.db.begin().await?;
    let earlier =
        store::overlapping_deliveries(&mut tx, household.id, d.id, (d.starts_on, d.ends_on))
            .await?;
    let delivery = store::insert_delivery(
        &mut tx,
        &store::NewDelivery {
            drive_id: d.id,
            household_id: household.id,
            items: &items,
            value_vnd: input.value_vnd,
            delivered_on,
            by: Some(by.account_id),
        },
    )
    .await?;
    audit::append(
        &mut tx,
        &super::actor(by),
        Change {
            action: "drive.delivery",
            entity_type: "drive",
            entity_id: d.id.to_string(),
            before: None,
            after: Some(json!({
                "delivery_id": delivery.id, "household_id": household.id,
                "value_vnd": delivery.value_vnd, "delivered_on": delivery.delivered_on,
                "already_supported": earlier.len(),
            })),
        },
    )
    .await?;
    tx.commit().await?;
    let warnings = earlier
        .into_iter()
        .map(|e| Warning {
            code: "already_supported".into(),
            message: format!(
                "Hộ này đã nhận hỗ trợ từ đợt “{}” ngày {} ({} đồng), cùng thời gian với đợt này.",
                e.title,
                e.delivered_on.format("%d/%m/%Y"),
                crate::pages::format::number(e.value_vnd as f64)
            ),
            drive_id: e.drive_id,
            drive_title: e.title,
            delivered_on: e.delivered_on,
            value_vnd: e.value_vnd,
        })
        .collect();
    Ok(DeliveryOutcome {
        delivery: DeliveryView {
            id: delivery.id,
            drive_id: delivery.drive_id,
            household_id: delivery.household_id,
            items: delivery.items,
            value_vnd: delivery.value_vnd,
            delivered_on: delivery.delivered_on,
        },
        warnings,
    })
}

/// Who a drive has reached and who not yet.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Coverage {
    pub drive_id: i64,
    /// The unit asked for, if one was.
    pub unit_code: Option<String>,
    /// Households on the drive's list year in the units looked at.
    pub households: i64,
    /// Of which reached by the drive.
    pub covered: i64,
    pub value_vnd: i64,
    /// Per commune.
    pub by_unit: Vec<UnitCoverage>,
    /// The households not reached yet (names only for the commune's officers).
    pub uncovered: Vec<Uncovered>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitCoverage {
    pub unit_code: String,
    pub unit_name: String,
    pub households: i64,
    pub covered: i64,
    pub value_vnd: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Uncovered {
    pub household_id: i64,
    pub unit_code: String,
    pub head_name: String,
    pub address: String,
    /// The household's categories on the list year, in Vietnamese.
    pub categories: String,
}

pub async fn coverage(
    state: &AppState,
    by: &Principal,
    drive_id: i64,
    unit: Option<&str>,
) -> Result<Coverage, AppError> {
    let (d, drive_units) = load_drive(state, by, drive_id).await?;
    let tree = state.tree();
    let units: Vec<i64> = match unit.map(str::trim).filter(|u| !u.is_empty()) {
        Some(code) => {
            let u = super::resolve_unit(state, "unit", code)?;
            if !drive_units.contains(&u.id) {
                return Err(AppError::invalid(FieldError::new(
                    "unit",
                    "not_in_drive",
                    "Đợt hỗ trợ này không đến xã, phường đó.",
                    "The drive does not cover that unit.",
                )));
            }
            if !may_see(state, by, &d, &[u.id]) {
                return Err(AppError::Forbidden);
            }
            vec![u.id]
        }
        None => drive_units
            .iter()
            .copied()
            .filter(|u| may_see(state, by, &d, &[*u]))
            .collect(),
    };
    let reach = store::reach(&state.db, &d, &units).await?;
    let mut by_unit: BTreeMap<i64, UnitCoverage> = units
        .iter()
        .map(|u| {
            let r = unit_ref(state, *u);
            (
                *u,
                UnitCoverage {
                    unit_code: r.code,
                    unit_name: r.name,
                    households: 0,
                    covered: 0,
                    value_vnd: 0,
                },
            )
        })
        .collect();
    let mut uncovered = Vec::new();
    for r in reach {
        let Some(row) = by_unit.get_mut(&r.unit_id) else {
            continue;
        };
        row.households += 1;
        if r.delivery_id.is_some() {
            row.covered += 1;
            row.value_vnd += r.value_vnd.unwrap_or(0);
        } else if authorize(by, Action::ManageHouseholds, Some(r.unit_id), &tree).is_ok() {
            let person = open(state, &r.sealed)?;
            uncovered.push(Uncovered {
                household_id: r.household_id,
                unit_code: row.unit_code.clone(),
                head_name: person.head_name,
                address: person.address,
                categories: r
                    .categories
                    .split(',')
                    .map(category_label)
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
    }
    if !uncovered.is_empty() {
        log_view(
            state,
            by,
            unit.unwrap_or("scope"),
            json!({"drive_id": d.id, "uncovered": uncovered.len()}),
        )
        .await?;
    }
    let by_unit: Vec<UnitCoverage> = by_unit.into_values().collect();
    Ok(Coverage {
        drive_id: d.id,
        unit_code: unit.map(|u| u.trim().to_string()),
        households: by_unit.iter().map(|u| u.households).sum(),
        covered: by_unit.iter().map(|u| u.covered).sum(),
        value_vnd: by_unit.iter().map(|u| u.value_vnd).sum(),
        by_unit,
        uncovered,
    })
}

// ---- contributions ----

/// An entry in the contributions ledger.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct NewContribution {
    /// land_m2, fence_m, labour_days, money_vnd, materials_vnd
    pub kind: String,
    pub quantity: f64,
    /// The commune (or ward) the contribution is for.
    pub unit_code: String,
    /// The model it belongs to, whose indicators it feeds.
    pub initiative_id: Option<i64>,
    /// Who gave: a household's head, an organisation or an enterprise.
    pub contributor: String,
    /// household (default), organisation, enterprise
    pub contributor_type: String,
    /// A household may ask not to be named in public.
    pub anonymous: bool,
    /// YYYY-MM-DD (default: today)
    pub contributed_on: String,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContributionView {
    pub id: i64,
    pub kind: String,
    pub kind_label: String,
    pub quantity: f64,
    pub unit_code: String,
    pub unit_name: String,
    pub initiative_id: Option<i64>,
    /// The contributor's name, or "Ẩn danh" for one who asked not to be named.
    pub contributor: String,
    pub contributor_type: String,
    pub anonymous: bool,
    pub contributed_on: NaiveDate,
    pub note: String,
}

const ANONYMOUS_VI: &str = "Ẩn danh";

fn contribution_view(state: &AppState, c: store::Contribution) -> ContributionView {
    let r = unit_ref(state, c.unit_id);
    ContributionView {
        id: c.id,
        kind_label: ContributionKind::parse(&c.kind)
            .map(|k| k.label_vi().to_string())
            .unwrap_or_else(|| c.kind.clone()),
        kind: c.kind,
        quantity: c.quantity,
        unit_code: r.code,
        unit_name: r.name,
        initiative_id: c.initiative_id,
        contributor: c
            .contributor_name
            .unwrap_or_else(|| ANONYMOUS_VI.to_string()),
        contributor_type: c.contributor_type,
        anonymous: c.anonymous,
        contributed_on: c.contributed_on,
        note: c.note,
    }
}

pub async fn record_contribution(
    state: &AppState,
    by: &Principal,
    input: &NewContribution,
) -> Result<ContributionView, AppError> {
    let mut errors = Invalid::default();
    let kind = ContributionKind::parse(input.kind.trim());
    match kind {
        None => errors.push(FieldError::new(
            "kind",
            "unknown_kind",
            "Loại đóng góp không hợp lệ.",
            "Unknown kind of contribution.",
        )),
        Some(k) => {
            if let Err(e) = care::check_quantity(k, input.quantity) {
                errors.push(e);
            }
        }
    }
    let unit = commune(state, "unit_code", &input.unit_code)
        .map_err(|e| errors.push(e))
        .ok();
    let contributor = validate::text("contributor", &input.contributor, 200, false)
        .map_err(|e| errors.push(e))
        .ok();
    let ctype = match input.contributor_type.trim() {
        "" => Some(ContributorType::Household),
        t => ContributorType::parse(t),
    };
    if ctype.is_none() {
        errors.push(FieldError::new(
            "contributor_type",
            "unknown_contributor_type",
            "Người đóng góp phải là hộ gia đình, cơ quan tổ chức hoặc doanh nghiệp.",
            "The contributor is a household, an organisation or an enterprise.",
        ));
    }
    let today = state.clock.today();
    let day = if input.contributed_on.trim().is_empty() {
        Some(today)
    } else {
        validate::date("contributed_on", &input.contributed_on)
            .map_err(|e| errors.push(e))
            .ok()
    };
    if day.is_some_and(|d| d > today) {
        errors.push(FieldError::new(
            "contributed_on",
            "in_future",
            "Ngày đóng góp không được sau hôm nay.",
            "The date cannot be in the future.",
        ));
    }
    let note = validate::optional_text("note", &input.note, 1000, true)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten()
        .unwrap_or_default();
    if let (Some(i), Some(u)) = (input.initiative_id, &unit) {
        match danvan_storage::movement::initiatives::by_id(&state.db, i).await? {
            None => errors.push(FieldError::new(
                "initiative_id",
                "unknown_initiative",
                "Không có mô hình này.",
                "No such model.",
            )),
            Some(m) if !state.tree().contains(m.unit_id, u.id) => errors.push(FieldError::new(
                "initiative_id",
                "initiative_elsewhere",
                "Mô hình này không triển khai ở xã, phường đã chọn.",
                "That model does not run in the chosen commune.",
            )),
            Some(_) => {}
        }
    }
    errors.into_result()?;
    let (Some(kind), Some(unit), Some(contributor), Some(ctype), Some(day)) =
        (kind, unit, contributor, ctype, day)
    else {
        return Err(AppError::Internal("checked contribution incomplete".into()));
    };
    authorize(
        by,
        Action::RecordContributions,
        Some(unit.id),
        &state.tree(),
    )?;
    // Only a household may stay anonymous; its name is then kept sealed.
    let anonymous = input.anonymous && ctype == ContributorType::Household;
    let sealed = anonymous.then(|| state.seal.seal(contributor.as_bytes()));
    let mut tx = state.db.begin().await?;
    let c = store::insert_contribution(
        &mut tx,
        &store::NewContribution {
            unit_id: unit.id,
            initiative_id: input.initiative_id,
            kind: kind.code(),
            quantity: input.quantity,
            contributor_type: ctype.code(),
            contributor_name: (!anonymous).then_some(contributor.as_str()),
            contributor_sealed: sealed.as_deref(),
            anonymous,
            contributed_on: day,
            note: &note,
            by: Some(by.account_id),
        },
    )
    .await?;
    audit::append(
        &mut tx,
        &super::actor(by),
        Change {
            action: "contribution.record",
            entity_type: "contribution",
            entity_id: c.id.to_string(),
            before: None,
            after: Some(json!({
                "unit_id": c.unit_id, "kind": c.kind, "quantity": c.quantity,
                "initiative_id": c.initiative_id, "anonymous": c.anonymous,
                "contributor": c.contributor_name,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(contribution_view(state, c))
}

/// A year as a date range (the whole history when `None`).
pub fn year_range(year: Option<i64>) -> (NaiveDate, NaiveDate) {
    let first = |y: i64| NaiveDate::from_ymd_opt(y as i32, 1, 1);
    let last = |y: i64| NaiveDate::from_ymd_opt(y as i32, 12, 31);
    match year.filter(|y| (1900..=9999).contains(y)) {
        Some(y) => (
            first(y).unwrap_or(NaiveDate::MIN),
            last(y).unwrap_or(NaiveDate::MAX),
        ),
        None => (
            first(1900).unwrap_or(NaiveDate::MIN),
            last(9999).unwrap_or(NaiveDate::MAX),
        ),
    }
}

/// The ledger in the caller's scope (anonymous givers stay "Ẩn danh" here too).
pub async fn contributions(
    state: &AppState,
    by: &Principal,
    unit: Option<&str>,
    year: Option<i64>,
) -> Result<Vec<ContributionView>, AppError> {
    let units = units_in_scope(state, by, Action::RecordContributions, unit)?;
    let (from, to) = year_range(year);
    Ok(store::contributions(&state.db, Some(&units), from, to)
        .await?
        .into_iter()
        .map(|c| contribution_view(state, c))
        .collect())
}

/// What a commune's people gave, for the public: totals per kind and the names of those who
/// agreed to be named.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommuneTotals {
    pub unit_code: String,
    pub unit_name: String,
    pub totals: Vec<KindTotal>,
    /// Named contributors, most recent first (at most 20 per commune).
    pub honoured: Vec<String>,
    /// Contributions whose giver asked not to be named.
    pub anonymous: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KindTotal {
    pub kind: String,
    pub label: String,
    pub unit: String,
    pub quantity: f64,
    pub entries: i64,
}

/// How many named givers a commune's public honour lists.
const HONOURED_PER_COMMUNE: i64 = 20;

/// Public totals per commune, optionally under one unit, for one year or all. Records made
/// under pre-2025 communes count in the commune that stands for them today.
/// Whether [`public_totals`] names the latest givers of each commune (the contributions
/// page) or leaves them out (the dashboards, which show the sums only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Honoured {
    Named,
    Left,
}

pub async fn public_totals(
    state: &AppState,
    unit: Option<&str>,
    year: Option<i64>,
    names: Honoured,
) -> Result<Vec<CommuneTotals>, AppError> {
    let tree = state.tree();
    let today = state.clock.today();
    let within = match unit.map(str::trim).filter(|u| !u.is_empty()) {
        Some(code) => Some(super::resolve_unit(state, "unit", code)?.id),
        None => None,
    };
    let (from, to) = year_range(year);
    // Sums and names come aggregated from SQL: the ledger of a province is long.
    let sums = store::contribution_totals(&state.db, from, to).await?;
    let names = match names {
        Honoured::Named => store::honoured(&state.db, from, to, HONOURED_PER_COMMUNE).await?,
        Honoured::Left => Vec::new(),
    };
    let mut out: BTreeMap<String, (CommuneTotals, HashMap<String, KindTotal>)> = BTreeMap::new();
    let commune_of = |unit_id: i64| {
        if within.is_some_and(|w| !tree.contains(w, unit_id)) {
            return None;
        }
        tree.as_of(unit_id, today).or_else(|| tree.get(unit_id))
    };
    for c in sums {
        let Some(u) = commune_of(c.unit_id) else {
            continue;
        };
        let (commune, kinds) = out.entry(u.code.clone()).or_insert_with(|| {
            (
                CommuneTotals {
                    unit_code: u.code.clone(),
                    unit_name: u.name.clone(),
                    totals: Vec::new(),
                    honoured: Vec::new(),
                    anonymous: 0,
                },
                HashMap::new(),
            )
        });
        let kind = ContributionKind::parse(&c.kind);
        let t = kinds.entry(c.kind.clone()).or_insert_with(|| KindTotal {
            kind: c.kind.clone(),
            label: kind.map(|k| k.label_vi()).unwrap_or("").to_string(),
            unit: kind.map(|k| k.unit_vi()).unwrap_or("").to_string(),
            quantity: 0.0,
            entries: 0,
        });
        t.quantity += c.quantity;
        t.entries += c.entries;
        commune.anonymous += c.anonymous;
    }
    for (unit_id, name) in names {
        let Some(u) = commune_of(unit_id) else {
            continue;
        };
        if let Some((commune, _)) = out.get_mut(&u.code)
            && commune.honoured.len() < HONOURED_PER_COMMUNE as usize
            && !commune.honoured.contains(&name)
        {
            commune.honoured.push(name);
        }
    }
    Ok(out
        .into_values()
        .map(|(mut commune, kinds)| {
            let mut totals: Vec<KindTotal> = kinds.into_values().collect();
            let order = |k: &str| {
                ContributionKind::ALL
                    .iter()
                    .position(|x| x.code() == k)
                    .unwrap_or(usize::MAX)
            };
            totals.sort_by_key(|t| order(&t.kind));
            commune.totals = totals;
            commune
        })
        .collect())
}

// ---- totals for dashboards and reports ----

/// Deliveries of a year summed by commune, category and organisation (no personal data).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SupportTotals {
    pub by_unit: Vec<GroupTotal>,
    pub by_category: Vec<GroupTotal>,
    pub by_organisation: Vec<GroupTotal>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupTotal {
    pub key: String,
    pub label: String,
    pub deliveries: i64,
    pub households: i64,
    pub value_vnd: i64,
}

/// Which part of the province a caller's support totals cover: the unit asked for, or the
/// caller's own (`None`: the whole province). Needs `ViewStatistics` or `ManageHouseholds`.
pub fn support_scope(
    state: &AppState,
    by: &Principal,
    unit: Option<&str>,
) -> Result<Option<i64>, AppError> {
    let tree = state.tree();
    let allowed = |u: Option<i64>| {
        authorize(by, Action::ViewStatistics, u, &tree).is_ok()
            || authorize(by, Action::ManageHouseholds, u, &tree).is_ok()
    };
    if !allowed(None) {
        return Err(AppError::Forbidden);
    }
    match unit.map(str::trim).filter(|u| !u.is_empty()) {
        Some(code) => {
            let u = super::resolve_unit(state, "unit", code)?;
            if allowed(Some(u.id)) {
                Ok(Some(u.id))
            } else {
                Err(AppError::Forbidden)
            }
        }
        None => {
            let root = tree.root_at(state.clock.today()).map(|u| u.id);
            if root.is_some_and(|r| allowed(Some(r))) {
                return Ok(None);
            }
            Ok(by
                .grants
                .iter()
                .map(|g| g.unit_id)
                .find(|u| allowed(Some(*u))))
        }
    }
}

/// Support given in a year (deliveries dated in it; every year when `None`), rolled up to the
/// communes as they stand today, limited to the subtree of `within` when given. No personal
/// data.
pub async fn support_totals(
    state: &AppState,
    year: Option<i64>,
    within: Option<i64>,
) -> Result<SupportTotals, AppError> {
    let tree = state.tree();
    let today = state.clock.today();
    let mut groups: [BTreeMap<String, GroupTotal>; 3] = Default::default();
    let kinds = [
        store::DeliveryGroup::Unit,
        store::DeliveryGroup::Category,
        store::DeliveryGroup::Organisation,
    ];
    // Three independent sums, read side by side.
    let (by_unit, by_category, by_body) = tokio::try_join!(
        store::delivery_totals(&state.db, kinds[0], year),
        store::delivery_totals(&state.db, kinds[1], year),
        store::delivery_totals(&state.db, kinds[2], year),
    )?;
    let mut org_names = HashMap::<i64, String>::new();
    for ((group, out), rows) in
        kinds
            .into_iter()
            .zip(groups.iter_mut())
            .zip([by_unit, by_category, by_body])
    {
        for r in rows {
            if within.is_some_and(|w| !tree.contains(w, r.unit_id)) {
                continue;
            }
            let (key, label) = match group {
                store::DeliveryGroup::Unit => {
                    let Some(u) = tree.as_of(r.unit_id, today).or_else(|| tree.get(r.unit_id))
                    else {
                        continue;
                    };
                    (u.code.clone(), u.name.clone())
                }
                store::DeliveryGroup::Category => (r.key.clone(), category_label(&r.key)),
                store::DeliveryGroup::Organisation => {
                    let id = r.key.parse::<i64>().unwrap_or_default();
                    if let std::collections::hash_map::Entry::Vacant(slot) = org_names.entry(id) {
                        let name = danvan_storage::organisations::by_id(&state.db, id)
                            .await?
                            .map(|o| o.name)
                            .unwrap_or_default();
                        slot.insert(name);
                    }
                    (
                        r.key.clone(),
                        org_names.get(&id).cloned().unwrap_or_default(),
                    )
                }
            };
            let g = out.entry(key.clone()).or_insert_with(|| GroupTotal {
                key,
                label,
                deliveries: 0,
                households: 0,
                value_vnd: 0,
            });
            g.deliveries += r.deliveries;
            g.households += r.households;
            g.value_vnd += r.value_vnd;
        }
    }
    let [by_unit, by_category, by_organisation] = groups.map(|g| g.into_values().collect());
    Ok(SupportTotals {
        by_unit,
        by_category,
        by_organisation,
    })
}

/// What the ledger and the drives record for one model, for its page.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ModelCare {
    pub contributions: Vec<KindTotal>,
    pub households_reached: i64,
    pub support_value_vnd: i64,
}

pub async fn for_initiative(state: &AppState, initiative_id: i64) -> Result<ModelCare, AppError> {
    let sums = store::initiative_contributions(&state.db, initiative_id).await?;
    let (households_reached, support_value_vnd) =
        store::initiative_deliveries(&state.db, initiative_id).await?;
    Ok(ModelCare {
        contributions: sums
            .into_iter()
            .map(|(kind, quantity)| {
                let k = ContributionKind::parse(&kind);
                KindTotal {
                    label: k.map(|k| k.label_vi()).unwrap_or("").to_string(),
                    unit: k.map(|k| k.unit_vi()).unwrap_or("").to_string(),
                    kind,
                    quantity,
                    entries: 0,
                }
            })
            .collect(),
        households_reached,
        support_value_vnd,
    })
}
