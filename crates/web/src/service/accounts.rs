//! Creating, listing, disabling and enabling accounts.

use danvan_domain::policy::{Action, Principal, authorize};
use danvan_domain::role::{Grant, Role};
use danvan_domain::{FieldError, Invalid, password, secret, validate};
use danvan_storage::accounts::{self, Account};
use danvan_storage::audit::{self, Actor, Change};
use serde::Deserialize;
use serde_json::json;

use crate::error::AppError;
use crate::state::AppState;

/// A request to create an account with one role grant.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    /// One of province_admin, unit_officer, reporter, council_member, handler, supervisor.
    pub role: String,
    /// Code of the unit whose subtree the role covers.
    pub unit_code: String,
    /// Required for reporters and handlers.
    pub organisation_id: Option<i64>,
    /// Leave empty to have one generated (returned once).
    pub password: Option<String>,
    /// Where deadline reminders and escalations are e-mailed (optional).
    pub email: Option<String>,
}

/// A validated [`NewAccount`].
pub struct ValidAccount {
    pub username: String,
    pub display_name: String,
    pub grant: Grant,
    pub password: String,
    pub generated: bool,
    pub email: Option<String>,
}

/// Parses and checks a new account against the unit tree and the organisations.
pub async fn validate_new(state: &AppState, input: &NewAccount) -> Result<ValidAccount, AppError> {
    let mut errors = Invalid::default();
    let username = validate::username("username", &input.username)
        .map_err(|e| errors.push(e))
        .ok();
    let display_name = validate::text("display_name", &input.display_name, 200, false)
        .map_err(|e| errors.push(e))
        .ok();
    let role = Role::parse(input.role.trim());
    if role.is_none() {
        errors.push(FieldError::new(
            "role",
            "unknown_role",
            "Vai trò không hợp lệ.",
            "Unknown role.",
        ));
    }
    let unit = super::resolve_unit(state, "unit_code", &input.unit_code)
        .map_err(|e| errors.push(e))
        .ok();
    let email = match input
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        Some(e) => match crate::service::petitions::parse_email(e) {
            Ok(e) => Some(e),
            Err(mut err) => {
                err.field = "email";
                errors.push(err);
                None
            }
        },
        None => None,
    };
    let (password, generated) = match input.password.as_deref().filter(|p| !p.is_empty()) {
        Some(p) => {
            if let Err(e) = password::check_policy("password", p) {
                errors.push(e);
            }
            (p.to_string(), false)
        }
        None => (secret::generated_password(), true),
    };
    if let (Some(role), Some(unit)) = (role, &unit) {
        match (role.needs_organisation(), input.organisation_id) {
            (true, None) => errors.push(FieldError::new(
                "organisation_id",
                "organisation_required",
                "Vai trò này cần chọn tổ chức.",
                "This role needs an organisation.",
            )),
            (_, Some(org_id)) => {
                match danvan_storage::organisations::by_id(&state.db, org_id).await? {
                    Some(org)
                        if state.tree().contains(unit.id, org.unit_id)
                            || state.tree().contains(org.unit_id, unit.id) => {}
                    Some(_) => errors.push(FieldError::new(
                        "organisation_id",
                        "organisation_outside_unit",
                        "Tổ chức không thuộc đơn vị đã chọn.",
                        "The organisation does not belong to the chosen unit.",
                    )),
                    None => errors.push(FieldError::new(
                        "organisation_id",
                        "unknown_organisation",
                        "Không có tổ chức này.",
                        "No such organisation.",
                    )),
                }
            }
            (false, None) => {}
        }
    }
    errors.clone().into_result()?;
    match (username, display_name, role, unit) {
        (Some(username), Some(display_name), Some(role), Some(unit)) => Ok(ValidAccount {
            username,
            display_name,
            grant: Grant {
                role,
                unit_id: unit.id,
                organisation_id: input.organisation_id,
            },
            password,
            generated,
            email,
        }),
        _ => Err(AppError::Invalid(errors)),
    }
}

/// Writes a validated account, its grant and the audit entry. The caller has authorized it.
pub async fn provision(
    state: &AppState,
    actor: &Actor,
    v: &ValidAccount,
    is_demo: bool,
) -> Result<i64, AppError> {
    let hash = crate::hashing::hash(v.password.clone()).await?;
    let mut tx = state.db.begin().await?;
    let id = write(&mut tx, actor, v, &hash, is_demo).await?;
    tx.commit().await?;
    Ok(id)
}

/// Writes a validated account whose password is already hashed, with its grant and audit
/// entry, inside the caller's transaction (the import writes a whole file in one).
pub async fn write(
    tx: &mut danvan_storage::Tx,
    actor: &Actor,
    v: &ValidAccount,
    hash: &str,
    is_demo: bool,
) -> Result<i64, AppError> {
    let id = accounts::create(tx, &v.username, &v.display_name, hash, is_demo).await?;
    accounts::add_grant(tx, id, &v.grant).await?;
    if v.email.is_some() {
        danvan_storage::petitions::set_account_email(tx, id, v.email.as_deref()).await?;
    }
    audit::append(
        tx,
        actor,
        Change {
            action: "account.create",
            entity_type: "account",
            entity_id: id.to_string(),
            before: None,
            after: Some(json!({
                "username": v.username,
                "display_name": v.display_name,
                "role": v.grant.role.code(),
                "unit_id": v.grant.unit_id,
                "organisation_id": v.grant.organisation_id,
            })),
        },
    )
    .await?;
    Ok(id)
}

/// The province admin creates an account inside their scope. Returns the account and, when
/// the password was generated, that password (shown once).
pub async fn create(
    state: &AppState,
    by: &Principal,
    input: &NewAccount,
) -> Result<(Account, Option<String>), AppError> {
    authorize(by, Action::ManageAccounts, None, &state.tree())?;
    let v = validate_new(state, input).await?;
    authorize(
        by,
        Action::ManageAccounts,
        Some(v.grant.unit_id),
        &state.tree(),
    )?;
    let id = provision(state, &super::actor(by), &v, false).await?;
    let account = accounts::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((account, v.generated.then_some(v.password)))
}

/// Every account with its grants (province admin only).
pub async fn list(
    state: &AppState,
    by: &Principal,
) -> Result<Vec<(Account, Vec<Grant>)>, AppError> {
    authorize(by, Action::ManageAccounts, None, &state.tree())?;
    let all = accounts::list(&state.db).await?;
    let grants = accounts::all_grants(&state.db).await?;
    Ok(all
        .into_iter()
        .map(|a| {
            let g = grants
                .iter()
                .filter(|(id, _)| *id == a.id)
                .map(|(_, g)| g.clone())
                .collect();
            (a, g)
        })
        .collect())
}

/// Disables or re-enables an account whose grants all lie in the admin's scope.
pub async fn set_disabled(
    state: &AppState,
    by: &Principal,
    id: i64,
    disabled: bool,
) -> Result<Account, AppError> {
    let tree = state.tree();
    authorize(by, Action::ManageAccounts, None, &tree)?;
    let account = accounts::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    for g in accounts::grants(&state.db, id).await? {
        authorize(by, Action::ManageAccounts, Some(g.unit_id), &tree)?;
    }
    if disabled && id == by.account_id {
        return Err(AppError::Conflict("cannot_disable_self"));
    }
    if account.is_disabled == disabled {
        return Ok(account);
    }
    let mut tx = state.db.begin().await?;
    accounts::set_disabled(&mut tx, id, disabled).await?;
    audit::append(
        &mut tx,
        &super::actor(by),
        Change {
            action: if disabled {
                "account.disable"
            } else {
                "account.enable"
            },
            entity_type: "account",
            entity_id: id.to_string(),
            before: Some(json!({"is_disabled": account.is_disabled})),
            after: Some(json!({"is_disabled": disabled})),
        },
    )
    .await?;
    tx.commit().await?;
    accounts::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)
}
